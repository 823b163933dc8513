package correlate_test

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// maxAllocsPerEvent is issue #12's bound on the correlate path: at most
// 0.5 allocations per row, amortised over a run.
const maxAllocsPerEvent = 0.5

// TestAllocsPerEvent correlates a simulated organisation's rows, read from
// memory, with a Tracker (alone, and building ahead as the command line
// does) and with a Sharded one, each trace released once counted as the
// command line does, and holds the allocations per row of the second half
// of the run, flush included, to maxAllocsPerEvent: what a long run
// amortises to. The first half is left out because a run starts by
// allocating its open traces' records, buffers and tables, a fixed cost
// that the window bounds and that is reused after: counted from the first
// row, 2×10^5 rows with the default window gave 0.71 per row at c5ba406,
// where BenchmarkSimCorrelateOnly's 10^6 gave 0.40.
func TestAllocsPerEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the second half of 2×10^5 rows is what the bound holds")
	}
	const events = 200_000
	sim, err := msgtrktest.New(simConfig(events))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	if _, err := sim.Stream(&logs); err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		name   string
		shards int
		ahead  bool
	}{{"single", 1, false}, {"single, built ahead", 1, true}, {"sharded-2", 2, false}} {
		t.Run(v.name, func(t *testing.T) {
			traces := 0
			opts := correlate.Options{Window: allocsWindow, BuildAhead: v.ahead, OnTrace: func(tr *correlate.Trace) {
				traces++
				tr.Release()
			}}
			tk, closeTk := benchTracker(t, v.shards, opts)
			r := msgtrk.NewReaderBytes(logs.Bytes())
			var ms0, ms1 runtime.MemStats
			rows, half := 0, events/2
			for r.Next() {
				if rows == half {
					runtime.ReadMemStats(&ms0)
				}
				rec := r.Record()
				tk.Add(rec)
				if at, err := rec.Time(); err == nil {
					tk.Advance(at)
				}
				rows++
			}
			tk.Flush()
			if err := closeTk(); err != nil {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&ms1)
			if err := r.Err(); err != nil || rows <= half || traces == 0 {
				t.Fatalf("err %v, %d rows, %d traces", err, rows, traces)
			}
			per := float64(ms1.Mallocs-ms0.Mallocs) / float64(rows-half)
			t.Logf("%d rows, %d traces: %.3f allocations per row after the first %d", rows, traces, per, half)
			if per > maxAllocsPerEvent {
				t.Errorf("%.3f allocations per row, want at most %v", per, maxAllocsPerEvent)
			}
		})
	}
}

// allocsWindow is TestAllocsPerEvent's quiet window: shorter than the
// default 15 minutes, so that traces are emitted (and their records and
// buffers reused) within the test's 15 minutes of log time, as they are
// in a long run with the default.
const allocsWindow = 2 * time.Minute
