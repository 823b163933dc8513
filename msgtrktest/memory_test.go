package msgtrktest

import (
	"io"
	"runtime"
	"testing"
	"time"
)

// heapCeiling is the most live heap the simulator may hold while generating
// a million events at the default rate. Measured after a collection, the
// live data is about 1.2 MB (the reorder buffers hold the rows of about ten
// minutes of traffic); keeping every row would take about 700 MB, every
// message truth about 100 MB.
const heapCeiling = 8 << 20

// TestMemoryBounded generates 10^6 events into sinks that keep nothing,
// with the truth handed out message by message, and samples the live heap
// (runtime.GC, then MemStats.HeapAlloc) every 2000 messages: it must stay
// under heapCeiling, for files and for the merged stream.
func TestMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 10^6 events")
	}
	for _, mode := range []string{"files", "stream"} {
		t.Run(mode, func(t *testing.T) {
			var maxHeap uint64
			var ms runtime.MemStats
			n := 0
			cfg := Config{Seed: 1, Events: 1_000_000, MaxSkew: time.Minute, TruncateFiles: 3, DuplicateFiles: 3}
			cfg.OnMessage = func(MessageTruth) {
				n++
				if n%2000 == 0 {
					// Collect first, so that the sample is the live heap
					// and not garbage the collector has not reached yet.
					runtime.GC()
					runtime.ReadMemStats(&ms)
					maxHeap = max(maxHeap, ms.HeapAlloc)
				}
			}
			s, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var tr *Truth
			if mode == "files" {
				tr, err = s.run(discardSink{}, nil)
			} else {
				tr, err = s.Stream(io.Discard)
			}
			if err != nil {
				t.Fatal(err)
			}
			if tr.Events < 1_000_000 || n < 50_000 {
				t.Fatalf("only %d events, %d messages", tr.Events, n)
			}
			t.Logf("%d events, %d messages, %d files, max live heap %.1f MB", tr.Events, n, len(tr.Files), float64(maxHeap)/(1<<20))
			if maxHeap > heapCeiling {
				t.Errorf("live heap reached %.1f MB, ceiling %d MB", float64(maxHeap)/(1<<20), heapCeiling>>20)
			}
		})
	}
}
