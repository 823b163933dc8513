package correlate

import (
	"math/bits"
	"unsafe"
)

// An open trace's buffers (its arena, which holds its rows and their
// strings, the refs of its lists and its row fingerprints) start empty and grow on
// demand, through capacities of the form 2^k and 3·2^k, into buffers taken
// from the Tracker's pools; what a trace gives up (when it grows or is
// emitted) goes back to them. Nothing built from a trace points into its
// buffers (build copies out what it keeps), so they can be reused at once.
// A message of one row thus holds buffers the size of one row, not those
// of the last trace emitted, and a message that grows reaches its size
// without allocating once the pools are full: the capacity a trace holds
// (what Options.MaxMemory counts) stays within 1.5 times what it uses
// (about 1.2 times on average).

// Bounds on the pools: at most maxPooled buffers of each capacity, or
// more small ones up to pooledBytes of them (a Tracker that builds ahead
// gets a batch of traces' buffers back at once: aheadBatchTraces), none
// of class above maxPoolClass (16,384 elements; a larger buffer goes back
// to the heap).
const (
	maxPooled    = 64
	pooledBytes  = 64 << 10
	maxPoolClass = 28
)

// sizeClass returns the class of the least capacity of the form 2^k or
// 3·2^k that holds c elements, and that capacity: 1, 2, 3, 4, 6, 8, 12, …
func sizeClass(c int) (class, size int) {
	if c <= 1 {
		return 0, 1
	}
	k := bits.Len(uint(c - 1)) // 2^k >= c > 2^(k-1)
	if k >= 2 && c <= 3<<(k-2) {
		return 2*k - 1, 3 << (k - 2)
	}
	return 2 * k, 1 << k
}

// bufPool holds spare buffers of one element type, by capacity: free[j]
// holds buffers of class j.
type bufPool[T any] struct {
	free  [maxPoolClass + 1][][]T
	plain bool // T holds no pointers: a buffer put back need not be cleared
}

// grow returns s with room for need more elements: s itself when it has
// it, else a buffer of the next class that holds them (at least min), from
// the pool when one waits there, holding s's elements; s goes back to the
// pool.
func (p *bufPool[T]) grow(s []T, need, min int) []T {
	n := len(s) + need
	if n <= cap(s) {
		return s
	}
	j, c := sizeClass(max(min, n))
	var out []T
	if j <= maxPoolClass {
		if l := len(p.free[j]); l > 0 {
			out = p.free[j][l-1][:len(s)]
			p.free[j][l-1] = nil
			p.free[j] = p.free[j][:l-1]
		}
	}
	if out == nil {
		out = make([]T, len(s), c)
	}
	copy(out, s)
	p.put(s)
	return out
}

// put keeps s for reuse when the pool has room for a buffer of its
// capacity (a class's, as grow makes them), cleared so that it keeps
// nothing alive.
func (p *bufPool[T]) put(s []T) {
	c := cap(s)
	if c == 0 {
		return
	}
	j, size := sizeClass(c)
	if size != c || j > maxPoolClass {
		return
	}
	if n := len(p.free[j]); n >= maxPooled && n*c*int(unsafe.Sizeof(s[0])) >= pooledBytes {
		return
	}
	if !p.plain {
		clear(s)
	}
	p.free[j] = append(p.free[j], s[:0])
}

// bufPools are a Tracker's pools, one per kind of buffer of a trace.
type bufPools struct {
	arena bufPool[byte]
	refs  bufPool[ref]
	fps   bufPool[fpEntry]
	more  []*traceMore // emitted traces' extras, cleared, for trace.extra
}

// maxPooledMore bounds the traceMores kept for reuse (about 100 bytes
// each).
const maxPooledMore = 4096

// newMore returns a cleared traceMore, one an emitted trace left when
// there is one.
func (p *bufPools) newMore() *traceMore {
	if n := len(p.more); n > 0 {
		m := p.more[n-1]
		p.more[n-1] = nil
		p.more = p.more[:n-1]
		return m
	}
	return &traceMore{}
}

// putMore keeps m for newMore, cleared so that it holds nothing (its keys,
// fingerprints and message-ids go).
func (p *bufPools) putMore(m *traceMore) {
	if len(p.more) < maxPooledMore {
		*m = traceMore{}
		p.more = append(p.more, m)
	}
}

// The least capacity each buffer starts with: what one row of most
// messages fills.
const (
	minArena = 64
	minRefs  = 4
	minFPs   = 4
)

// unpack decodes tr's rows into the emitter's buffers, which its builder
// reads: the rows as events and their receive information.
func (t *emitter) unpack(tr *trace) {
	n := int(tr.nrows)
	evs := t.events[:0]
	if cap(evs) < n {
		evs = make([]event, 0, n)
	}
	evs = evs[:n]
	recvs := t.receives[:0]
	off := tr.lastRow
	for i := n - 1; i >= 0; i-- {
		e := &evs[i]
		var txt rowText
		var ri receiveInfo
		hasRecv, prev := readRow(tr.arena, off-1, e, &txt, &ri)
		if txt.local.n != 0 {
			e.local = t.internLike(tr.bytesOf(txt.local), &t.lastLocal)
		}
		if txt.peer.n != 0 {
			e.peer = t.internLike(tr.bytesOf(txt.peer), &t.lastPeer)
		}
		if hasRecv {
			e.recv = int32(len(recvs))
			recvs = append(recvs, ri)
		}
		off = prev
	}
	t.events, t.b.events = evs, evs
	t.receives, t.b.receives = recvs, recvs
}

// releaseEvents drops what the events of the trace just built point to,
// and the buffers themselves when a large trace made them large.
func (t *emitter) releaseEvents() {
	clear(t.events)
	if cap(t.events) > maxKeptEvents {
		t.events = nil
	}
	clear(t.receives)
	if cap(t.receives) > maxKeptEvents {
		t.receives = nil
	}
	t.b.events, t.b.receives = nil, nil
}

// maxKeptEvents bounds the buffer unpack keeps between traces.
const maxKeptEvents = 1024

// recycle gives tr's buffers back to the pools and detaches them from tr.
func (t *Tracker) recycle(tr *trace) {
	p := &t.pools
	p.arena.put(tr.arena)
	p.refs.put(tr.refs)
	p.fps.put(tr.fps)
	if tr.more != nil {
		p.putMore(tr.more)
	}
	tr.arena, tr.refs, tr.fps, tr.more = nil, nil, nil, nil
	tr.nrows, tr.lastRow = 0, 0
}
