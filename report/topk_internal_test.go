package report

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// refTopK is Space-Saving on container/heap, as TopK was written before
// its heap was specialised: TestTopKSameAsContainerHeap holds TopK to it.
type refTopK struct {
	capacity int
	counts   map[string]*refEntry
	h        refHeap
}

type refEntry struct {
	key   string
	count int64
	err   int64
	idx   int
}

type refHeap []*refEntry

func (h refHeap) Len() int { return len(h) }
func (h refHeap) Less(i, j int) bool {
	if h[i].count != h[j].count {
		return h[i].count < h[j].count
	}
	return h[i].key > h[j].key
}
func (h refHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i]; h[i].idx, h[j].idx = i, j }
func (h *refHeap) Push(x any)   { e := x.(*refEntry); e.idx = len(*h); *h = append(*h, e) }
func (h *refHeap) Pop() any     { old := *h; e := old[len(old)-1]; *h = old[:len(old)-1]; return e }

func (t *refTopK) add(key string, n int64) {
	if e, ok := t.counts[key]; ok {
		e.count += n
		heap.Fix(&t.h, e.idx)
		return
	}
	if len(t.counts) < t.capacity {
		e := &refEntry{key: key, count: n}
		t.counts[key] = e
		heap.Push(&t.h, e)
		return
	}
	min := t.h[0]
	delete(t.counts, min.key)
	min.key, min.err = key, min.count
	min.count += n
	t.counts[key] = min
	heap.Fix(&t.h, 0)
}

// TestTopKSameAsContainerHeap: TopK keeps the same counters, with the same
// counts and errors, as Space-Saving on container/heap, over streams that
// overflow its capacity (so that the smallest counter is replaced, ties
// broken by key) with counts that grow by more than one.
func TestTopKSameAsContainerHeap(t *testing.T) {
	replaced := 0
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 3))
		capacity := 1 + rng.IntN(16)
		got, want := NewTopK(capacity), &refTopK{capacity: capacity, counts: map[string]*refEntry{}}
		keys := capacity + rng.IntN(4*capacity)
		// Keys alike in their first 8 or 16 bytes (topSlot's hi and lo),
		// or ending inside them, some with zero bytes there.
		prefix := []string{"k", "a-prefix-of-sixteen-or-more-", "k\x00", "", "8 bytes:"}[seed%5]
		for range 400 {
			k, n := fmt.Sprint(prefix, rng.IntN(keys)), int64(1+rng.IntN(3))
			if rng.IntN(8) == 0 {
				k += "\x00"
			}
			if _, ok := want.counts[k]; !ok && len(want.counts) == capacity {
				replaced++
			}
			got.AddN(k, n)
			want.add(k, n)
		}
		var wantTop []Entry
		for _, e := range want.h {
			wantTop = append(wantTop, Entry{e.key, e.count, e.err})
		}
		slices.SortFunc(wantTop, compareEntries)
		if diff := cmp.Diff(wantTop, got.Top(capacity)); diff != "" {
			t.Fatalf("seed %d, capacity %d: TopK differs from container/heap's (-want +got):\n%s", seed, capacity, diff)
		}
		for i, s := range got.h {
			if s.e.idx != i {
				t.Fatalf("seed %d: entry %q at %d says it is at %d", seed, s.e.key, i, s.e.idx)
			}
			if s != newTopSlot(s.e, s.count) {
				t.Fatalf("seed %d: the slot of %q does not hold its key's prefix", seed, s.e.key)
			}
		}
	}
	if replaced == 0 {
		t.Fatal("no counter was ever replaced: the test shows nothing of the heap's order")
	}
}

// BenchmarkTopKAdd counts a stream of mostly new keys (each replaces the
// smallest counter) with TopK and with the container/heap version, in one
// run: keys coming back after a while, and a burst's senders (every key
// new, at the capacity stats uses):
//
//	go test ./report -run '^$' -bench BenchmarkTopKAdd
func BenchmarkTopKAdd(b *testing.B) {
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = fmt.Sprintf("sender%d@contoso.com", i%(1<<14))
	}
	b.Run("TopK", func(b *testing.B) {
		t := NewTopK(1000)
		for i := 0; b.Loop(); i++ {
			t.Add(keys[i&(len(keys)-1)])
		}
	})
	b.Run("container-heap", func(b *testing.B) {
		t := &refTopK{capacity: 1000, counts: map[string]*refEntry{}}
		for i := 0; b.Loop(); i++ {
			t.add(keys[i&(len(keys)-1)], 1)
		}
	})
	burst := make([]string, 1<<20)
	for i := range burst {
		burst[i] = fmt.Sprintf("news%d@sender.example", i)
	}
	b.Run("burst/TopK", func(b *testing.B) {
		t := NewTopK(DefaultTopCapacity)
		for i := 0; b.Loop(); i++ {
			t.Add(burst[i&(len(burst)-1)])
		}
	})
	b.Run("burst/container-heap", func(b *testing.B) {
		t := &refTopK{capacity: DefaultTopCapacity, counts: map[string]*refEntry{}}
		for i := 0; b.Loop(); i++ {
			t.add(burst[i&(len(burst)-1)], 1)
		}
	})
}
