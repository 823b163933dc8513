package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// corrFlags are the correlation settings of trace, stats and submitters.
type corrFlags struct {
	window   time.Duration
	edges    listFlag
	accepted listFlag
	workers  int
	keepSMTP bool // trace -smtp: keep the rows to join to protocol logs
	// traceAhead: the command's onTrace shares nothing with its onRow,
	// so each may run on a goroutine of its own (the Tracker's building
	// goroutine, or traceQueue behind a Sharded one, for the traces; the
	// read-ahead for the rows).
	traceAhead bool
	maxMem     string
	memory     int64 // maxMem in bytes, 0 for no bound
}

// defaultMaxMemory is -max-memory's default.
const defaultMaxMemory = "256MB"

func (c *common) addCorrFlags() *corrFlags {
	f := &corrFlags{}
	c.fs.DurationVar(&f.window, "window", correlate.DefaultWindow, "quiet time after a message's last row (or after the retry time of its deferral) before its trace is written; rows later than that are in no trace, and said on stderr")
	c.fs.Var(&f.edges, "edge", "name of an Edge Transport server (repeatable; Edge servers that send into the organisation through EdgeSync are found by themselves)")
	c.fs.Var(&f.accepted, "accepted-domain", "a domain the organisation receives mail for (repeatable; domains delivered to in the logs are known by themselves)")
	c.fs.IntVar(&f.workers, "workers", 1, "correlate on this many goroutines (at least 1; the traces are the same)")
	c.fs.StringVar(&f.maxMem, "max-memory", defaultMaxMemory, "memory to work in (256MB, 1GB…): past half of it the messages whose quiet window ends first are emitted early, and said so; 0 for no bound")
	c.checks = append(c.checks, func() error {
		if f.window <= 0 {
			return usagef("-window must be positive")
		}
		if f.workers < 1 {
			return usagef("-workers must be at least 1 (this machine has %d CPUs)", runtime.NumCPU())
		}
		n, err := parseSizeFlag("-max-memory", f.maxMem)
		if err != nil {
			return err
		}
		f.memory = n
		return nil
	})
	return f
}

// corrResult is what a correlation run leaves besides its traces.
type corrResult struct {
	stats  correlate.Stats
	skew   []correlate.ServerSkew
	inputs map[string]string // input name → server, as the rows decided
	src    *source
}

// correlateInputs reads inputs, correlates them, and hands each trace to
// onTrace and each row to onRow (either may be nil). It returns the
// correlation counters.
func (c *common) correlateInputs(inputs []msgtrk.Input, f *corrFlags, stderr io.Writer,
	onRow func(*msgtrk.Record), onTrace func(*correlate.Trace)) (corrResult, error) {
	missing := map[string]int{} // server whose logs are missing → traces that crossed it
	opts := correlate.Options{Window: f.window, EdgeServers: f.edges, AcceptedDomains: f.accepted, KeepSMTP: f.keepSMTP, OnTrace: func(t *correlate.Trace) {
		for _, s := range t.MissingLogs {
			missing[s]++
		}
		if onTrace != nil {
			onTrace(t)
		}
	}}
	if c.withFilters {
		opts.Mark = c.filter.Match
	}
	var queue *traceQueue
	switch {
	case f.traceAhead && f.workers <= 1:
		// A single Tracker builds its traces on a goroutine of its own,
		// and the command handles each there.
		opts.BuildAhead = true
	case f.traceAhead:
		queue = newTraceQueue(opts.OnTrace)
		defer queue.close()
		opts.OnTrace = queue.add
	}
	if f.memory > 0 {
		// Half for the correlator's open traces and the keys it
		// remembers; the rest for reading, the report and the garbage
		// collector's headroom, which the soft memory limit keeps within
		// the whole (less a sixteenth for what is not heap: stacks, the
		// runtime's own).
		opts.MaxMemory = f.memory / 2
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(f.memory - f.memory/16))
	}
	var tk correlate.Correlator
	workers := f.workers
	if workers > 1 {
		s, err := correlate.NewSharded(workers, opts)
		if err != nil {
			return corrResult{}, memoryUsage(err, f)
		}
		defer s.Close()
		tk = s
	} else {
		t, err := correlate.New(opts)
		if err != nil {
			return corrResult{}, memoryUsage(err, f)
		}
		tk = t
	}
	// (Which server wrote each input is told by its rows, not by its
	// folder: no server is marked from the inputs' names.)
	src := c.newSource(inputs, stderr)
	src.readAhead = true
	// A single Tracker takes the rows' facts read there too; a Sharded
	// one's router reads what it needs itself.
	src.factsAhead = workers <= 1
	// Rows and traces apart: each row is counted on the reading
	// goroutine, ahead of the correlator (the filters only read).
	src.rowAhead = f.traceAhead
	cover := c.withFilters && !c.coverage.Empty()
	src.onRow = func(rec *msgtrk.Record) {
		if cover && c.filter.Match(rec) {
			c.coverage.AddRecord(rec)
		}
		if onRow != nil {
			onRow(rec)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.stopRun = cancel
	// Feed lets every quiet window pass at the end of the logs, so that
	// each trace says whether it is complete, then emits what is left. Its
	// error is the source's, which finish reports.
	if err := correlate.Feed(ctx, src, tk, f.window); errors.Is(err, context.Canceled) {
		src.Close() // -result-size reached
	}
	if queue != nil {
		queue.close()
	}
	if !c.quiet {
		reportServers(stderr, tk.ServerHints(), missing)
	}
	reportGenerations(stderr, tk)
	st := tk.Stats()
	reportEvicted(stderr, st, f)
	reportLate(stderr, st, f)
	return corrResult{stats: st, skew: tk.Skew(), inputs: tk.InputServers(), src: src}, src.finish()
}

// memoryUsage turns the correlator's refusal of a memory budget too small
// into a usage error naming the flag.
func memoryUsage(err error, f *corrFlags) error {
	if f.memory > 0 {
		return usagef("-max-memory %s is too small for -workers %d: %v", f.maxMem, f.workers, err)
	}
	return err
}

// reportEvicted says on stderr, even with -quiet (the results are short of
// what more memory would give), how many messages were emitted before
// their quiet window ended, and how to avoid it.
func reportEvicted(w io.Writer, st correlate.Stats, f *corrFlags) {
	if st.Evicted == 0 {
		return
	}
	limit := fmt.Sprintf("-max-memory %s", f.maxMem)
	if f.memory == 0 {
		limit = fmt.Sprintf("the limit of %d open messages", correlate.DefaultMaxOpenTraces)
	}
	fmt.Fprintf(w, "mailtrace: warning: %d messages were cut short (emitted before their quiet window ended) to stay within %s, with up to %d open at once; give more memory to keep messages whole (-max-memory 1GB, or 0 for no bound)\n",
		st.Evicted, limit, st.MaxOpen)
}

// reportLate says on stderr, even with -quiet, how many rows came for a
// message whose trace was already written (correlate.Stats.Late): they
// are in no trace, so those messages' outcomes were decided without them
// (a deferred message sent later than its retry time said shows as
// pending). It names the cause and the remedy: a longer -window, or more
// memory when messages were also cut short (reportEvicted).
func reportLate(w io.Writer, st correlate.Stats, f *corrFlags) {
	if st.Late == 0 {
		return
	}
	cut := ""
	if st.Evicted > 0 {
		cut = ", or was cut short for memory (above)"
	}
	fmt.Fprintf(w, "mailtrace: warning: %d rows came after their message's trace was written and are in no trace: the message had been quiet for longer than -window %s after its last row or its deferral's retry time%s, and its outcome was decided without them; raise -window (e.g. -window %s) to keep such messages whole\n",
		st.Late, shortDuration(f.window), cut, shortDuration(max(4*f.window, time.Hour)))
}

// shortDuration writes d as the -window flag takes it, without the zero
// units time.Duration's String ends with: "15m", "1h", "1h30m".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// reportGenerations says on stderr, even with -quiet (the results are
// wrong for the messages it concerns), when the input mixes servers whose
// rows have a network-message-id with servers whose rows have none: a
// message that crossed between them is two traces.
func reportGenerations(w io.Writer, tk correlate.Correlator) {
	modern, legacy := tk.Generations()
	if len(modern) == 0 || len(legacy) == 0 {
		return
	}
	fmt.Fprintf(w, "mailtrace: warning: the logs of %s (Exchange 2013 or later) key messages by network-message-id, those of %s (Exchange 2007 or 2010) have no such column: a message that crossed between them is shown as two traces, each missing the other's part\n",
		strings.Join(modern, ", "), strings.Join(legacy, ", "))
}

// reportServers says on stderr, once each, which folder names the rows
// contradicted and which servers' logs are missing.
func reportServers(w io.Writer, hints []correlate.ServerHint, missing map[string]int) {
	for _, h := range hints {
		fmt.Fprintf(w, "mailtrace: warning: %d input(s) found as %q were written by %s (their rows say so); following the rows\n", h.Files, h.Hint, h.Server)
	}
	if len(missing) == 0 {
		return
	}
	names := make([]string, 0, len(missing))
	for s := range missing {
		names = append(names, s)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, s := range names {
		parts[i] = fmt.Sprintf("%s (%d messages)", s, missing[s])
	}
	fmt.Fprintf(w, "mailtrace: the logs of %s are not in the input: messages handed to or from them are not complete; add those servers' logs to complete them\n", strings.Join(parts, ", "))
}
