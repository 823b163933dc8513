package correlate

// traceHeap orders the open traces by the end of their windows (as the
// heap last saw it: hkey), then by creation (seq). It is a 4-ary heap of
// entries holding the keys beside the trace, so that ordering reads one
// array instead of following a pointer to each trace; each trace knows its
// position (heapIdx) so that it can be moved or taken out.
type traceHeap struct {
	e []heapEntry
}

type heapEntry struct {
	hkey int64 // the trace's deadline as the heap last saw it; never above it
	seq  uint64
	tr   *trace
}

func (a *heapEntry) before(b *heapEntry) bool {
	return a.hkey < b.hkey || a.hkey == b.hkey && a.seq < b.seq
}

func (h *traceHeap) len() int { return len(h.e) }

// first returns the entry at the top (the heap must not be empty).
func (h *traceHeap) first() *heapEntry { return &h.e[0] }

// push adds tr with key hkey.
func (h *traceHeap) push(tr *trace, hkey int64) {
	h.e = append(h.e, heapEntry{hkey: hkey, seq: tr.seq, tr: tr})
	h.up(len(h.e) - 1)
}

// pop removes and returns the trace at the top.
func (h *traceHeap) pop() *trace { return h.remove(0) }

// remove takes out the trace at position i and returns it.
func (h *traceHeap) remove(i int) *trace {
	tr := h.e[i].tr
	n := len(h.e) - 1
	if i != n {
		h.set(i, h.e[n])
	}
	h.e[n] = heapEntry{}
	h.e = h.e[:n]
	if i != n {
		h.fix(i)
	}
	tr.heapIdx = -1
	return tr
}

// rekey sets the key of the entry at position i and moves it to its place.
func (h *traceHeap) rekey(i int, hkey int64) {
	h.e[i].hkey = hkey
	h.fix(i)
}

func (h *traceHeap) fix(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h *traceHeap) set(i int, e heapEntry) {
	h.e[i] = e
	e.tr.heapIdx = int32(i)
}

func (h *traceHeap) up(i int) {
	e := h.e[i]
	for i > 0 {
		p := (i - 1) / 4
		if !e.before(&h.e[p]) {
			break
		}
		h.set(i, h.e[p])
		i = p
	}
	h.set(i, e)
}

// down moves the entry at i down to its place and reports whether it moved.
func (h *traceHeap) down(i0 int) bool {
	e, i, n := h.e[i0], i0, len(h.e)
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		best := c
		for j := c + 1; j < min(c+4, n); j++ {
			if h.e[j].before(&h.e[best]) {
				best = j
			}
		}
		if !h.e[best].before(&e) {
			break
		}
		h.set(i, h.e[best])
		i = best
	}
	h.set(i, e)
	return i != i0
}
