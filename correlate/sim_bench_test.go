package correlate_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/internal/check"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// simConfig is the organisation of the benchmarks: 6 mailbox servers, 2
// Edge servers, the default message mix, 20 messages a second.
func simConfig(events int) msgtrktest.Config {
	return msgtrktest.Config{Seed: 42, MailboxServers: 6, EdgeServers: 2, Users: 2000, Groups: 40,
		Events: events, Messages: 1 << 30, Rate: 20, Version: msgtrktest.V2019, MaxSkew: 2 * time.Second,
		OnMessage: func(msgtrktest.MessageTruth) {}}
}

// simDir writes the logs of simConfig(events) once per process and returns
// their directory and total size.
var simDirs = map[int]string{}

func simDir(b *testing.B, events int) (string, int64) {
	b.Helper()
	dir, ok := simDirs[events]
	if !ok {
		var err error
		dir, err = os.MkdirTemp("", "mailtrace-bench")
		if err != nil {
			b.Fatal(err)
		}
		sim, err := msgtrktest.New(simConfig(events))
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if _, err := sim.WriteDir(dir); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %d events in %v", events, time.Since(start).Round(time.Millisecond))
		simDirs[events] = dir
	}
	var size int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, _ error) error {
		if fi != nil && !fi.IsDir() {
			size += fi.Size()
		}
		return nil
	})
	return dir, size
}

// shardsName names a benchmark of a Tracker (shards 1) or a Sharded one.
func shardsName(shards int) string {
	if shards > 1 {
		return fmt.Sprintf("sharded-%d", shards)
	}
	return "single"
}

// benchTracker returns a Tracker, or a Sharded one with shards workers, and
// the function that releases it.
func benchTracker(b testing.TB, shards int, opts correlate.Options) (tk correlate.Correlator, closeTk func() error) {
	if shards > 1 {
		s, err := correlate.NewSharded(shards, opts)
		if err != nil {
			b.Fatal(err)
		}
		return s, s.Close
	}
	t, err := correlate.New(opts)
	if err != nil {
		b.Fatal(err)
	}
	return t, func() error { return nil }
}

// BenchmarkSimEndToEnd reads the files of a simulated organisation of 10^6
// events and correlates them: files → Merger → Tracker (or Sharded) →
// traces, each released once counted (as the command line does). It
// reports events/s and allocations per event.
func BenchmarkSimEndToEnd(b *testing.B) {
	const events = 1_000_000
	dir, size := simDir(b, events)
	for _, shards := range []int{1, 2} {
		b.Run("events=1e6/"+shardsName(shards), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(size)
			var rows int64
			cpu := check.StartCPU()
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			for b.Loop() {
				inputs, err := msgtrk.OpenPaths(dir)
				if err != nil {
					b.Fatal(err)
				}
				traces := 0
				tk, closeTk := benchTracker(b, shards, correlate.Options{OnTrace: func(tr *correlate.Trace) {
					traces++
					tr.Release()
				}})
				m := msgtrk.NewMerger(inputs)
				n := int64(0)
				for m.Next() {
					rec := m.Record()
					tk.Add(rec)
					if t, err := rec.Time(); err == nil {
						tk.Advance(t)
					}
					n++
				}
				tk.Flush()
				if err := closeTk(); err != nil {
					b.Fatal(err)
				}
				if err := m.Err(); err != nil || traces == 0 {
					b.Fatalf("err %v, %d traces", err, traces)
				}
				rows = n
			}
			runtime.ReadMemStats(&ms1)
			cpu.Report(b)
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(rows), "events")
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(b.N)/float64(rows), "allocs/event")
		})
	}
}

// BenchmarkSimCorrelateOnly feeds rows already in memory to the correlator:
// the cost of correlation alone, with each trace released once counted (as
// the command line does). allocs/event is what issue #12 bounds.
func BenchmarkSimCorrelateOnly(b *testing.B) {
	const events = 1_000_000
	dir, _ := simDir(b, events)
	inputs, err := msgtrk.OpenPaths(dir)
	if err != nil {
		b.Fatal(err)
	}
	var batch msgtrk.Batch
	m := msgtrk.NewMerger(inputs)
	for m.Next() {
		batch.Append(m.Record())
	}
	b.ResetTimer()
	for _, shards := range []int{1, 2} {
		b.Run("events=1e6/"+shardsName(shards), func(b *testing.B) {
			b.ReportAllocs()
			cpu := check.StartCPU()
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			for b.Loop() {
				traces := 0
				tk, closeTk := benchTracker(b, shards, correlate.Options{OnTrace: func(tr *correlate.Trace) {
					traces++
					tr.Release()
				}})
				for i := 0; i < batch.Len(); i++ {
					rec := batch.Record(i)
					tk.Add(rec)
					if t, err := rec.Time(); err == nil {
						tk.Advance(t)
					}
				}
				tk.Flush()
				if err := closeTk(); err != nil {
					b.Fatal(err)
				}
				if traces == 0 {
					b.Fatal("no traces")
				}
			}
			runtime.ReadMemStats(&ms1)
			cpu.Report(b)
			b.ReportMetric(float64(batch.Len())*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(batch.Len()), "ns/event")
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(b.N)/float64(batch.Len()), "allocs/event")
		})
	}
}

// BenchmarkBoundedHeap streams the rows of a simulated organisation straight
// from the generator (never stored) through a Reader into a Tracker and
// reports the largest live heap seen: it stays the same from 10^6 to 10^7
// events, because only the messages of one window are held.
// Run with -benchtime 1x.
func BenchmarkBoundedHeap(b *testing.B) {
	for _, n := range []int{1_000_000, 10_000_000} {
		b.Run("events="+map[int]string{1_000_000: "1e6", 10_000_000: "1e7"}[n], func(b *testing.B) {
			if testing.Short() && n > 1_000_000 {
				b.Skip("-short")
			}
			for b.Loop() {
				st := streamPeakHeap(b, n, correlate.Options{})
				b.ReportMetric(float64(st.peak)/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(st.rows), "events")
				b.ReportMetric(float64(st.maxOpen), "max-open-traces")
				b.ReportMetric(float64(st.traces), "traces")
			}
		})
	}
}

// heapRun is what streamPeakHeap saw.
type heapRun struct {
	peak                  uint64 // largest HeapInuse after a GC, sampled 50 times
	rows, maxOpen, traces int
}

// streamPeakHeap streams the rows of simConfig(events) straight from the
// generator (never stored) through a Reader into a Tracker with opts, and
// samples the live heap.
func streamPeakHeap(tb testing.TB, events int, opts correlate.Options) heapRun {
	pr, pw := io.Pipe()
	sim, err := msgtrktest.New(simConfig(events))
	if err != nil {
		tb.Fatal(err)
	}
	go func() {
		_, err := sim.Stream(pw)
		pw.CloseWithError(err)
	}()
	var run heapRun
	opts.OnTrace = func(*correlate.Trace) { run.traces++ }
	tk, err := correlate.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	r := msgtrk.NewReader(pr)
	var ms runtime.MemStats
	every := max(1, events/50)
	for r.Next() {
		rec := r.Record()
		tk.Add(rec)
		if t, err := rec.Time(); err == nil {
			tk.Advance(t)
		}
		if run.rows++; run.rows%every == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			run.peak = max(run.peak, ms.HeapInuse)
		}
	}
	tk.Flush()
	if err := r.Err(); err != nil {
		tb.Fatal(err)
	}
	run.maxOpen = tk.Stats().MaxOpen
	return run
}
