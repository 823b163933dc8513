package report

import (
	"cmp"
	"container/heap"
	"slices"
	"strings"
)

// TopK finds the most frequent keys of a stream in bounded memory with the
// Space-Saving algorithm: it keeps Capacity counters; a new key when all are
// taken replaces the smallest, inheriting its count as possible error. A key
// whose true count exceeds n/Capacity (n: the stream length) is always kept,
// and every reported count is at most Error above the true one. Counting
// costs O(log Capacity).
//
// Use NewTopK. A TopK is not safe for concurrent use.
type TopK struct {
	capacity int
	counts   map[string]*topEntry
	h        topHeap
}

type topEntry struct {
	key   string
	count int64
	err   int64
	idx   int
}

// Entry is one reported key.
type Entry struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
	// Error bounds how much Count may exceed the true count (0: exact).
	Error int64 `json:"error,omitempty"`
}

// NewTopK returns a TopK keeping capacity counters.
func NewTopK(capacity int) *TopK {
	if capacity < 1 {
		capacity = 1
	}
	return &TopK{capacity: capacity, counts: make(map[string]*topEntry, capacity)}
}

// Add counts one occurrence of key. It allocates only for a key not yet
// counted.
func (t *TopK) Add(key string) { t.AddN(key, 1) }

// AddN counts n occurrences of key.
func (t *TopK) AddN(key string, n int64) {
	if e, ok := t.counts[key]; ok {
		e.count += n
		heap.Fix(&t.h, e.idx)
		return
	}
	if len(t.counts) < t.capacity {
		e := &topEntry{key: key, count: n}
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

// Top returns the k keys with the highest counts, ties broken by key.
func (t *TopK) Top(k int) []Entry {
	all := make([]Entry, 0, len(t.counts))
	for _, e := range t.counts {
		all = append(all, Entry{e.key, e.count, e.err})
	}
	slices.SortFunc(all, compareEntries)
	if len(all) > k {
		all = all[:k]
	}
	return all
}

// compareEntries orders entries by count, highest first, then by key.
func compareEntries(a, b Entry) int {
	return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Key, b.Key))
}

type topHeap []*topEntry

func (h topHeap) Len() int { return len(h) }
func (h topHeap) Less(i, j int) bool {
	if h[i].count != h[j].count {
		return h[i].count < h[j].count
	}
	return h[i].key > h[j].key
}
func (h topHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = i, j
}
func (h *topHeap) Push(x any) {
	e := x.(*topEntry)
	e.idx = len(*h)
	*h = append(*h, e)
}
func (h *topHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
