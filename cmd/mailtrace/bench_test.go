package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/internal/check"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// BenchmarkStatsCommand runs "mailtrace stats" in-process over the logs of
// a simulated organisation of 10^6 rows (3 mailbox servers and an Edge, 20
// messages/s, ±2 min skew; about 900 MB, written to a temporary directory
// first) and reports rows/s. With -cpuprofile it shows where the command
// spends its time:
//
//	go test ./cmd/mailtrace -run '^$' -bench BenchmarkStatsCommand -benchtime 1x -cpuprofile /tmp/cpu.prof
//	go tool pprof -top -cum /tmp/cpu.prof
func BenchmarkStatsCommand(b *testing.B) {
	const events = 1_000_000
	dir := os.Getenv("MAILTRACE_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
		sim, err := msgtrktest.New(msgtrktest.Config{Seed: 1, Events: events, Messages: 1 << 30, Rate: 20, MaxSkew: 2 * time.Minute,
			OnMessage: func(msgtrktest.MessageTruth) {}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sim.WriteDir(dir); err != nil {
			b.Fatal(err)
		}
	}
	for _, workers := range []string{"1", "2"} {
		b.Run("workers="+workers, func(b *testing.B) {
			b.ReportAllocs()
			cpu := check.StartCPU()
			for b.Loop() {
				if code := run([]string{"stats", "-quiet", "-workers", workers, dir}, io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit status %d", code)
				}
			}
			cpu.Report(b)
			b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// simRows returns the rows of a simulated organisation as one stream (the
// 2016 header, every server), about n of them.
func simRows(tb testing.TB, n int) []byte {
	tb.Helper()
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 1, Events: n, Rate: 20, OnMessage: func(msgtrktest.MessageTruth) {}})
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := sim.Stream(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkEventsFormat measures each output writer of "mailtrace events"
// alone, over 10^5 simulated rows held in memory (read once before the
// clock starts): the cost of the format, not of reading. The formats take
// turns inside each iteration, so that all of them run under the same load
// on a shared machine, and each reports rows per second of its own wall
// time (F-rows/s) and of its thread's CPU time (F-rows/cpu-s, on Linux;
// the figure to compare across runs); jsonl/table is the ratio of their
// CPU figures. Parquet, whose writer allocates (and so makes the garbage
// collector interrupt the others), is measured apart:
// BenchmarkEventsParquet.
func BenchmarkEventsFormat(b *testing.B) {
	benchmarkFormats(b, formatTable, formatCSV, formatJSONL, formatJSON)
}

// BenchmarkEventsParquet is BenchmarkEventsFormat for -format parquet.
func BenchmarkEventsParquet(b *testing.B) { benchmarkFormats(b, formatParquet) }

func benchmarkFormats(b *testing.B, formats ...format) {
	data := simRows(b, 100_000)
	var rows msgtrk.Batch
	r := msgtrk.NewReaderBytes(data)
	for r.Next() {
		rows.Append(r.Record())
	}
	if r.Err() != nil {
		b.Fatal(r.Err())
	}
	wall := make([]time.Duration, len(formats))
	cpu := make([]time.Duration, len(formats))
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	for b.Loop() {
		for k, f := range formats {
			w0, c0 := time.Now(), threadCPUTime()
			bw := bufio.NewWriterSize(io.Discard, 64<<10)
			w := newEventWriter(f, bw, time.UTC)
			for i := range rows.Len() {
				if err := w.write(rows.Record(i)); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.close(); err != nil {
				b.Fatal(err)
			}
			bw.Flush()
			wall[k] += time.Since(w0)
			cpu[k] += threadCPUTime() - c0
		}
	}
	n := float64(rows.Len() * b.N)
	for k, f := range formats {
		b.ReportMetric(n/wall[k].Seconds(), string(f)+"-rows/s")
		if cpu[k] > 0 {
			b.ReportMetric(n/cpu[k].Seconds(), string(f)+"-rows/cpu-s")
		}
	}
	if len(formats) > 2 && cpu[0] > 0 {
		b.ReportMetric(cpu[0].Seconds()/cpu[2].Seconds(), "jsonl/table")
	}
}

// BenchmarkEventsCommand runs "mailtrace events -format F" in-process over
// a file of 10^5 simulated rows, every format in turn in each iteration,
// and reports rows/s end to end (reading, merging and writing to
// io.Discard) for each: per second of wall time (F-rows/s) and of the
// process's CPU time (F-rows/cpu-s), with jsonl/table the ratio of the
// latter.
func BenchmarkEventsCommand(b *testing.B) {
	data := simRows(b, 100_000)
	path := filepath.Join(b.TempDir(), "MSGTRK2024030408-1.LOG")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	n := float64(bytes.Count(data, []byte("\n")) - 2) // the #Software…#Fields lines
	formats := []format{formatTable, formatCSV, formatJSONL, formatJSON, formatParquet}
	wall := make([]time.Duration, len(formats))
	cpu := make([]time.Duration, len(formats))
	for b.Loop() {
		for k, f := range formats {
			runtime.GC() // the garbage of the format before is not this one's
			w0, c0 := time.Now(), cpuTime()
			if code := run([]string{"events", "-quiet", "-format", string(f), path}, io.Discard, io.Discard); code != 0 {
				b.Fatalf("exit status %d", code)
			}
			wall[k] += time.Since(w0)
			cpu[k] += cpuTime() - c0
		}
	}
	for k, f := range formats {
		b.ReportMetric(n*float64(b.N)/wall[k].Seconds(), string(f)+"-rows/s")
		if cpu[k] > 0 {
			b.ReportMetric(n*float64(b.N)/cpu[k].Seconds(), string(f)+"-rows/cpu-s")
		}
	}
	if cpu[0] > 0 {
		b.ReportMetric(cpu[0].Seconds()/cpu[2].Seconds(), "jsonl/table")
	}
}
