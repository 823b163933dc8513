package correlate_test

import (
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/internal/naive"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// BenchmarkVsNaive times, in each iteration, naive.Group and the
// correlation of the same files (files → Merger → Tracker, the same with
// the files read and the rows' facts decoded ahead on a second goroutine as
// Run does (ahead), that and the traces built on a third
// (ahead-build: Options.BuildAhead, as the CLI runs with one worker), the
// traces built ahead but the rows read on the Tracker's goroutine (build),
// or Sharded with 2 workers → traces) over the simulated
// organisation of 10^6 events, and
// reports mailtrace's events/s and its speed as a multiple of the naive
// program's (x-naive: above 1 is faster), so that a loaded machine slows
// both alike.
func BenchmarkVsNaive(b *testing.B) {
	const events = 1_000_000
	dir, _ := simDir(b, events)
	for _, v := range []struct {
		shards       int
		ahead, build bool
	}{{1, false, false}, {1, true, false}, {1, true, true}, {1, false, true}, {2, false, false}} {
		shards := v.shards
		name := shardsName(shards)
		if v.ahead {
			name += "-ahead"
		}
		if v.build {
			name += "-build"
		}
		b.Run("events=1e6/"+name, func(b *testing.B) {
			var theirs, ours time.Duration
			var rows int64
			for b.Loop() {
				start := time.Now()
				nrows, msgs, err := naive.Group(dir)
				if err != nil || msgs == 0 {
					b.Fatalf("naive: %v, %d messages", err, msgs)
				}
				mid := time.Now()
				theirs += mid.Sub(start)
				inputs, err := msgtrk.OpenPaths(dir)
				if err != nil {
					b.Fatal(err)
				}
				traces := 0
				tk, closeTk := benchTracker(b, shards, correlate.Options{BuildAhead: v.build, OnTrace: func(*correlate.Trace) { traces++ }})
				m := msgtrk.NewMerger(inputs)
				var src correlate.RowSource = m
				var ahead correlate.AheadRows
				if v.ahead {
					ahead = correlate.ReadAhead(m)
					src = ahead
				}
				err = correlate.Feed(b.Context(), src, tk, correlate.DefaultWindow)
				if v.ahead {
					ahead.Close()
				}
				if err != nil {
					b.Fatal(err)
				}
				if err := closeTk(); err != nil {
					b.Fatal(err)
				}
				ours += time.Since(mid)
				if traces == 0 {
					b.Fatal("no traces")
				}
				rows = int64(nrows)
			}
			b.ReportMetric(float64(rows)*float64(b.N)/ours.Seconds(), "events/s")
			b.ReportMetric(float64(rows)*float64(b.N)/theirs.Seconds(), "naive-events/s")
			b.ReportMetric(theirs.Seconds()/ours.Seconds(), "x-naive")
		})
	}
}
