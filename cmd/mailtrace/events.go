package main

import (
	"bufio"
	"fmt"
	"io"
	"time"
)

func runEvents(args []string, stdout, stderr io.Writer) error {
	c := newCommon("events", stderr, true)
	out := c.addOutputFlags(formatTable, formatCSV, formatJSONL, formatJSON, formatParquet)
	c.fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: mailtrace events [flags] PATH...\n\nList events in time order across all files, like Get-MessageTrackingLog.\n\nflags:\n")
		c.fs.PrintDefaults()
	}
	paths, err := c.parse(args)
	if err != nil {
		return err
	}
	if out.format == formatParquet {
		if err := checkBinaryOut(stdout); err != nil {
			return err
		}
	}
	inputs, err := c.openInputs(paths)
	if err != nil {
		return err
	}
	bw := out.writer(stdout)
	defer bw.Flush()
	sink := newEventSink(out.format, bw, c.loc)
	src := c.newSource(inputs, stderr)
	p := startEventPipeline(src, &c.filter, out.format, c.loc)
	cover := !c.coverage.Empty()
	n := 0
	var werr error
	for b := p.next(); b != nil; b = p.next() {
		k := b.rows.Len()
		if c.resultSize > 0 {
			k = min(k, c.resultSize-n)
		}
		if cover {
			for i := range k {
				c.coverage.AddRecord(b.rows.Record(i))
			}
		}
		werr = sink.write(b, k)
		n += k
		p.release(b)
		if werr != nil || c.limit(n) {
			p.halt()
			break
		}
	}
	if werr != nil {
		return werr
	}
	if c.limit(n) {
		src.Close()
	}
	if err := sink.close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := src.finish(); err != nil {
		return err
	}
	c.limited(stderr, n, "events")
	return c.noMatchError(stderr, n, "event")
}

// newEventWriter returns the writer of format f.
func newEventWriter(f format, bw *bufio.Writer, loc *time.Location) eventWriter {
	switch f {
	case formatJSONL, formatJSON:
		return &eventJSON{seq: jsonSeq{w: bw, array: f == formatJSON}}
	case formatCSV:
		return newEventCSV(bw, loc)
	case formatParquet:
		return newEventParquet(bw)
	}
	return newEventTable(bw, loc)
}
