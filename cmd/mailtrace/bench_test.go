package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/internal/check"
	"github.com/mailtrace/mailtrace/internal/naive"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// BenchmarkStatsCommand runs "mailtrace stats" in-process over the logs of
// a simulated organisation of 10^6 rows (3 mailbox servers and an Edge, 20
// messages/s, ±2 min skew; about 900 MB, written to a temporary directory
// first, or MAILTRACE_BENCH_DIR's) and reports rows/s, and the command's
// speed as a multiple of issue #12's naive program (naive.Group) timed in
// the same iterations over the same files (x-naive: above 1 is faster; the
// goal is 2). With -cpuprofile it shows where the command spends its time
// (the naive program's share is naive.Group's):
//
//	go test ./cmd/mailtrace -run '^$' -bench BenchmarkStatsCommand -benchtime 1x -cpuprofile /tmp/cpu.prof
//	go tool pprof -top -cum /tmp/cpu.prof
func BenchmarkStatsCommand(b *testing.B) {
	benchCommand(b, []string{"stats", "-quiet"}, "1", "2")
}

// BenchmarkTraceCommand is BenchmarkStatsCommand for "mailtrace trace
// -json", its output discarded: every trace built and written in JSON.
func BenchmarkTraceCommand(b *testing.B) {
	benchCommand(b, []string{"trace", "-json", "-quiet"}, "1")
}

// benchCommand runs the command args over the benchmarks' organisation,
// with each number of workers.
func benchCommand(b *testing.B, args []string, workers ...string) {
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
	for _, w := range workers {
		b.Run("workers="+w, func(b *testing.B) {
			b.ReportAllocs()
			var ours, theirs time.Duration
			var rows int
			cpu := check.StartCPU()
			for b.Loop() {
				start := time.Now()
				if code := run(append(slices.Clip(args), "-workers", w, dir), io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit status %d", code)
				}
				mid := time.Now()
				ours += mid.Sub(start)
				// The naive program's time, CPU and allocations are not the
				// command's.
				b.StopTimer()
				cpu.Pause()
				n, msgs, err := naive.Group(dir)
				if err != nil || msgs == 0 {
					b.Fatalf("naive: %v, %d messages", err, msgs)
				}
				theirs += time.Since(mid)
				rows = n
				cpu.Resume()
				b.StartTimer()
			}
			cpu.Report(b)
			b.ReportMetric(float64(rows)*float64(b.N)/ours.Seconds(), "rows/s")
			b.ReportMetric(float64(rows)*float64(b.N)/theirs.Seconds(), "naive-rows/s")
			b.ReportMetric(theirs.Seconds()/ours.Seconds(), "x-naive")
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
	var ws []benchWriter
	for _, f := range []format{formatTable, formatCSV, formatJSONL, formatJSON} {
		ws = append(ws, benchWriter{string(f), func(bw *bufio.Writer) eventWriter { return newEventWriter(f, bw, time.UTC) }, threadCPUTime})
	}
	benchmarkFormats(b, ws...)
}

// BenchmarkEventsParquet is BenchmarkEventsFormat for -format parquet,
// whose writer shares the columns out among goroutines (parquetColumns):
// its CPU figure is the process's, not the writing thread's. "parquet-1"
// is the same writer on one goroutine (GenericWriter.Write), in the same
// iterations.
func BenchmarkEventsParquet(b *testing.B) {
	benchmarkFormats(b,
		benchWriter{"parquet", func(bw *bufio.Writer) eventWriter { return newEventParquet(bw) }, cpuTime},
		benchWriter{"parquet-1", func(bw *bufio.Writer) eventWriter {
			return &eventParquet{w: newParquetColumns[eventRow](bw, 1)}
		}, cpuTime})
}

// benchWriter is a writer BenchmarkEventsFormat times: its name, how it
// is made, and the clock of its CPU time.
type benchWriter struct {
	name  string
	make  func(*bufio.Writer) eventWriter
	clock func() time.Duration
}

func benchmarkFormats(b *testing.B, writers ...benchWriter) {
	data := simRows(b, 100_000)
	var rows msgtrk.Batch
	r := msgtrk.NewReaderBytes(data)
	for r.Next() {
		rows.Append(r.Record())
	}
	if r.Err() != nil {
		b.Fatal(r.Err())
	}
	wall := make([]time.Duration, len(writers))
	cpu := make([]time.Duration, len(writers))
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	for b.Loop() {
		for k, bwr := range writers {
			w0, c0 := time.Now(), bwr.clock()
			bw := bufio.NewWriterSize(io.Discard, 64<<10)
			w := bwr.make(bw)
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
			cpu[k] += bwr.clock() - c0
		}
	}
	n := float64(rows.Len() * b.N)
	for k, w := range writers {
		b.ReportMetric(n/wall[k].Seconds(), w.name+"-rows/s")
		if cpu[k] > 0 {
			b.ReportMetric(n/cpu[k].Seconds(), w.name+"-rows/cpu-s")
		}
	}
	if len(writers) > 2 && cpu[0] > 0 {
		b.ReportMetric(cpu[0].Seconds()/cpu[2].Seconds(), "jsonl/table")
	}
}

// BenchmarkEventsCommand runs "mailtrace events" in-process, each output
// format in turn in each iteration, and reports rows/s end to end (reading,
// merging, filtering and writing to io.Discard) for each: per second of
// wall time (F-rows/s) and of the process's CPU time (F-rows/cpu-s), with
// jsonl/table the ratio of the latter. Two more runs take their turn:
// "nomatch", the table with a -sender that selects no row, and "read", the
// merge alone with nothing done with the rows (the reader's own speed);
// nomatch/read is the ratio of their wall times. And "seq-table" and
// "seq-jsonl" are the command as it was before the pipeline, row after row
// on one goroutine (eventsSequential): F-speedup is its wall time over the
// pipeline's, in the same iterations. The input is a file of
// 10^5 simulated rows, or the directory MAILTRACE_BENCH_DIR (a generated
// organisation: mtsim -out DIR -events 1000000):
//
//	MAILTRACE_BENCH_DIR=/tmp/org1m go test ./cmd/mailtrace -run '^$' -bench BenchmarkEventsCommand -benchtime 3x
func BenchmarkEventsCommand(b *testing.B) {
	path := os.Getenv("MAILTRACE_BENCH_DIR")
	if path == "" {
		data := simRows(b, 100_000)
		path = filepath.Join(b.TempDir(), "MSGTRK2024030408-1.LOG")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	n := float64(readRows(b, path))
	type runCase struct {
		name string
		args []string
	}
	var runs []runCase
	for _, f := range []format{formatTable, formatCSV, formatJSONL, formatJSON, formatParquet} {
		runs = append(runs, runCase{string(f), []string{"events", "-quiet", "-format", string(f), path}})
	}
	runs = append(runs, runCase{"nomatch", []string{"events", "-quiet", "-sender", "nobody@nowhere.invalid", path}}, runCase{"read", nil},
		runCase{"seq-table", []string{"-quiet", "-format", "table", path}}, runCase{"seq-jsonl", []string{"-quiet", "-format", "jsonl", path}})
	wall := make([]time.Duration, len(runs))
	cpu := make([]time.Duration, len(runs))
	for b.Loop() {
		for k, r := range runs {
			runtime.GC() // the garbage of the run before is not this one's
			w0, c0 := time.Now(), cpuTime()
			if r.args == nil {
				readRows(b, path)
			} else if strings.HasPrefix(r.name, "seq-") {
				if err := eventsSequential(r.args, io.Discard, io.Discard); err != nil {
					b.Fatalf("%s: %v", r.name, err)
				}
			} else if code := run(r.args, io.Discard, io.Discard); code != 0 && r.name != "nomatch" {
				b.Fatalf("%s: exit status %d", r.name, code)
			}
			wall[k] += time.Since(w0)
			cpu[k] += cpuTime() - c0
		}
	}
	for k, r := range runs {
		b.ReportMetric(n*float64(b.N)/wall[k].Seconds(), r.name+"-rows/s")
		if cpu[k] > 0 {
			b.ReportMetric(n*float64(b.N)/cpu[k].Seconds(), r.name+"-rows/cpu-s")
		}
	}
	if cpu[0] > 0 {
		b.ReportMetric(cpu[0].Seconds()/cpu[2].Seconds(), "jsonl/table")
	}
	b.ReportMetric(wall[5].Seconds()/wall[6].Seconds(), "nomatch/read")
	b.ReportMetric(wall[7].Seconds()/wall[0].Seconds(), "table-speedup")
	b.ReportMetric(wall[8].Seconds()/wall[2].Seconds(), "jsonl-speedup")
}

// readRows reads the rows under path as "mailtrace events" does (the same
// inputs, the same merge) and does nothing with them; it returns how many
// there were.
func readRows(tb testing.TB, path string) int64 {
	c := newCommon("events", io.Discard, true)
	paths, err := c.parse([]string{"-quiet", path})
	if err != nil {
		tb.Fatal(err)
	}
	inputs, err := c.openInputs(paths)
	if err != nil {
		tb.Fatal(err)
	}
	src := c.newSource(inputs, io.Discard)
	for src.Next() {
	}
	if err := src.finish(); err != nil {
		tb.Fatal(err)
	}
	return src.Stats().Records
}
