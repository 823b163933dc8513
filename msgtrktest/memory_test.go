package msgtrktest

import (
	"io"
	"runtime"
	"testing"
	"time"
)

// heapCeiling is the most heap the simulator may use while generating a
// million events at the default rate (live data is a few megabytes: the
// reorder buffers hold the rows of about ten minutes of traffic; keeping
// every row would take about 700 MB, every message truth about 100 MB).
const heapCeiling = 32 << 20

// TestMemoryBounded generates 10^6 events into sinks that keep nothing,
// with the truth handed out message by message, and samples
// runtime.MemStats.HeapInuse: it must stay under heapCeiling, for files and
// for the merged stream.
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
					runtime.ReadMemStats(&ms)
					maxHeap = max(maxHeap, ms.HeapInuse)
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
			t.Logf("%d events, %d messages, %d files, max HeapInuse %.1f MB", tr.Events, n, len(tr.Files), float64(maxHeap)/(1<<20))
			if maxHeap > heapCeiling {
				t.Errorf("HeapInuse reached %.1f MB, ceiling %d MB", float64(maxHeap)/(1<<20), heapCeiling>>20)
			}
		})
	}
}
