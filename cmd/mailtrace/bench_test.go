package main

import (
	"io"
	"testing"
	"time"

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
	dir := b.TempDir()
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 1, Events: events, Messages: 1 << 30, Rate: 20, MaxSkew: 2 * time.Minute,
		OnMessage: func(msgtrktest.MessageTruth) {}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sim.WriteDir(dir); err != nil {
		b.Fatal(err)
	}
	for _, workers := range []string{"1", "2"} {
		b.Run("workers="+workers, func(b *testing.B) {
			for b.Loop() {
				if code := run([]string{"stats", "-quiet", "-workers", workers, dir}, io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit status %d", code)
				}
			}
			b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
