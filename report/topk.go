package report

import (
	"cmp"
	"encoding/binary"
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

// topEntry is a counter's key and where it is in the heap (its count is
// in the heap's slot).
type topEntry struct {
	key string
	err int64
	idx int
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
		t.h[e.idx].count += n
		t.h.fix(e.idx)
		return
	}
	if len(t.counts) < t.capacity {
		e := &topEntry{key: key}
		t.counts[key] = e
		t.h.push(newTopSlot(e, n))
		return
	}
	// The smallest counter (ties: the greatest key) takes key.
	min := &t.h[0]
	e := min.e
	delete(t.counts, e.key)
	e.key, e.err = key, min.count
	t.counts[key] = e
	*min = newTopSlot(e, min.count+n)
	t.h.fix(0)
}

// Top returns the k keys with the highest counts, ties broken by key.
func (t *TopK) Top(k int) []Entry {
	all := make([]Entry, 0, len(t.h))
	for _, s := range t.h {
		all = append(all, Entry{s.e.key, s.count, s.e.err})
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

// topSlot is a counter in the heap: its count and the first 16 bytes of
// its key inline, so that ordering two counters reads neither entry nor
// key unless both their counts and their keys' first 16 bytes are equal
// (a burst of distinct senders, all counted once, ties on every count).
type topSlot struct {
	count  int64
	hi, lo uint64 // the key's first 16 bytes, big-endian, zero-padded
	e      *topEntry
}

func newTopSlot(e *topEntry, count int64) topSlot {
	var p [16]byte
	copy(p[:], e.key)
	return topSlot{count, binary.BigEndian.Uint64(p[:8]), binary.BigEndian.Uint64(p[8:]), e}
}

// keyAfter reports whether a's key sorts after b's. Where the zero-padded
// prefixes differ they order the keys as the keys do (a key ending within
// its prefix has a zero byte where the other has a byte of its own, or a
// zero that does not differ); where they are equal, the keys decide.
func (a *topSlot) keyAfter(b *topSlot) bool {
	if a.hi != b.hi {
		return a.hi > b.hi
	}
	if a.lo != b.lo {
		return a.lo > b.lo
	}
	return a.e.key > b.e.key
}

// topHeap is a binary min-heap of the counters, the smallest count (then
// the greatest key) on top: container/heap's algorithm, on the concrete
// type so that comparisons and swaps are inlined (TopK counts every trace).
type topHeap []topSlot

func (h topHeap) less(i, j int) bool {
	if h[i].count != h[j].count {
		return h[i].count < h[j].count
	}
	return h[i].keyAfter(&h[j])
}

func (h topHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].e.idx, h[j].e.idx = i, j
}

func (h *topHeap) push(s topSlot) {
	s.e.idx = len(*h)
	*h = append(*h, s)
	h.up(s.e.idx)
}

// fix restores the order after the count of the entry at i changed.
func (h topHeap) fix(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h topHeap) up(j int) {
	for j > 0 {
		i := (j - 1) / 2 // parent
		if !h.less(j, i) {
			break
		}
		h.swap(i, j)
		j = i
	}
}

// down moves the entry at i0 down to its place and reports whether it moved.
func (h topHeap) down(i0 int) bool {
	i, n := i0, len(h)
	for {
		j1 := 2*i + 1
		if j1 >= n {
			break
		}
		j := j1 // left child
		if j2 := j1 + 1; j2 < n && h.less(j2, j1) {
			j = j2 // right child
		}
		if !h.less(j, i) {
			break
		}
		h.swap(i, j)
		i = j
	}
	return i > i0
}
