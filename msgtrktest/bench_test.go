package msgtrktest

import (
	"bytes"
	"io"
	"testing"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// countingDiscard counts the bytes written.
type countingDiscard struct{ n int64 }

func (c *countingDiscard) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// discardSink is a sink that keeps nothing; n, when not nil, counts the
// bytes written.
type discardSink struct{ n *countingDiscard }

func (d discardSink) create(string) (io.WriteCloser, error) {
	if d.n != nil {
		return nopCloser{d.n}, nil
	}
	return nopCloser{io.Discard}, nil
}

// BenchmarkGenerate measures generation speed: events/s over a Stream to
// io.Discard and over files to a discarding sink; MB/s is output bytes.
func BenchmarkGenerate(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  Config
	}{
		{"stream/2016/msgs=2000", Config{Seed: 1, Messages: 2000}},
		{"files/2016/msgs=2000", Config{Seed: 1, Messages: 2000}},
		{"files/2010/msgs=2000", Config{Seed: 1, Messages: 2000, Version: V2010}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, err := New(bc.cfg)
			if err != nil {
				b.Fatal(err)
			}
			var events int
			var bytes int64
			b.ReportAllocs()
			for b.Loop() {
				var tr *Truth
				if bc.name[:6] == "stream" {
					w := &countingDiscard{}
					tr, err = s.Stream(w)
					bytes = w.n
				} else {
					w := &countingDiscard{}
					tr, err = s.run(discardSink{n: w}, nil)
					bytes = w.n
				}
				if err != nil {
					b.Fatal(err)
				}
				events = tr.Events
			}
			if bytes > 0 {
				b.SetBytes(bytes)
			}
			b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkRender compares the renderer the simulator uses (appendRow into
// a reused buffer) with the naive baseline of writing each row through
// msgtrk.Writer.WriteEvent, which looks every column up by name.
func BenchmarkRender(b *testing.B) {
	s, _ := New(Config{Seed: 1, Messages: 50})
	fsys, _, err := s.WriteFS()
	if err != nil {
		b.Fatal(err)
	}
	rows := readRows(b, fsys, nil, false)
	evs := make([]msgtrk.Event, len(rows))
	size := 0
	for i := range rows {
		evs[i] = rows[i].Ev
		size += len(appendRow(nil, &evs[i], msgtrk.Layout2016.Fields()))
	}
	cols := msgtrk.Layout2016.Fields()
	b.Run("appendRow", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(size))
		var buf []byte
		for b.Loop() {
			for i := range evs {
				buf = appendRow(buf[:0], &evs[i], cols)
			}
		}
	})
	b.Run("baseline=msgtrk.Writer", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(size))
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			w := msgtrk.NewWriter(&buf)
			for i := range evs {
				w.WriteEvent(&evs[i])
			}
			w.Flush()
		}
	})
}
