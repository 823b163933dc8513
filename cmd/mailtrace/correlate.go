package main

import (
	"io"
	"runtime"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// corrFlags are the correlation settings of trace, stats and submitters.
type corrFlags struct {
	window  time.Duration
	edges   listFlag
	workers int
}

func (c *common) addCorrFlags() *corrFlags {
	f := &corrFlags{}
	c.fs.DurationVar(&f.window, "window", correlate.DefaultWindow, "quiet time after a message's last row before its trace is complete")
	c.fs.Var(&f.edges, "edge", "name of an Edge Transport server (repeatable; Edge servers sending through EdgeSync connectors are found by themselves)")
	c.fs.IntVar(&f.workers, "workers", 1, "correlate on this many goroutines (0: one per CPU)")
	return f
}

// corrResult is what a correlation run leaves besides its traces.
type corrResult struct {
	stats correlate.Stats
	skew  []correlate.ServerSkew
	src   *source
}

// correlateInputs reads inputs, correlates them, and hands each trace to
// onTrace and each row to onRow (either may be nil). It returns the
// correlation counters.
func (c *common) correlateInputs(inputs []msgtrk.Input, f *corrFlags, stderr io.Writer,
	onRow func(*msgtrk.Record), onTrace func(*correlate.Trace)) (corrResult, error) {
	if f.window <= 0 {
		return corrResult{}, usagef("-window must be positive")
	}
	opts := correlate.Options{Window: f.window, EdgeServers: f.edges, OnTrace: onTrace}
	if c.withFilters {
		opts.Mark = c.filter.Match
	}
	var tk correlate.Correlator
	workers := f.workers
	if workers == 0 {
		workers = runtime.NumCPU()
	}
	if workers > 1 {
		s, err := correlate.NewSharded(workers, opts)
		if err != nil {
			return corrResult{}, err
		}
		defer s.Close()
		tk = s
	} else {
		t, err := correlate.New(opts)
		if err != nil {
			return corrResult{}, err
		}
		tk = t
	}
	for _, in := range inputs {
		if in.Server != "" {
			tk.MarkServer(in.Server)
		}
	}
	src := c.newSource(inputs, stderr)
	var last time.Time
	for src.Next() {
		rec := src.Record()
		if onRow != nil {
			onRow(rec)
		}
		tk.Add(rec)
		if t, err := rec.Time(); err == nil {
			tk.Advance(t)
			if t.After(last) {
				last = t
			}
		}
	}
	if err := src.Err(); err != nil && c.strict {
		return corrResult{src: src}, src.finish()
	}
	// The logs are complete: let every quiet window pass, so that each
	// trace says whether it is complete, then emit what is left.
	if !last.IsZero() {
		tk.Advance(last.Add(f.window + time.Millisecond))
	}
	tk.Flush()
	return corrResult{stats: tk.Stats(), skew: tk.Skew(), src: src}, src.finish()
}
