package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
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
// alone, over 10^5 rows held in memory (read once before the clock starts),
// and reports rows/s: the cost of the format, not of reading.
func BenchmarkEventsFormat(b *testing.B) {
	data := simRows(b, 100_000)
	var rows msgtrk.Batch
	r := msgtrk.NewReaderBytes(data)
	for r.Next() {
		rows.Append(r.Record())
	}
	if r.Err() != nil {
		b.Fatal(r.Err())
	}
	for _, f := range []format{formatTable, formatCSV, formatJSONL, formatJSON, formatParquet} {
		b.Run("format="+string(f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
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
			}
			b.ReportMetric(float64(rows.Len())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkEventsCommand runs "mailtrace events -format F" in-process over
// a file of 10^5 simulated rows and reports rows/s end to end (reading,
// merging and writing to io.Discard).
func BenchmarkEventsCommand(b *testing.B) {
	data := simRows(b, 100_000)
	path := filepath.Join(b.TempDir(), "MSGTRK2024030408-1.LOG")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	n := bytes.Count(data, []byte("\n")) - 2 // the #Software…#Fields lines
	for _, f := range []format{formatTable, formatCSV, formatJSONL, formatJSON, formatParquet} {
		b.Run("format="+string(f), func(b *testing.B) {
			for b.Loop() {
				if code := run([]string{"events", "-quiet", "-format", string(f), path}, io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit status %d", code)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
