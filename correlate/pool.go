package correlate

import "math/bits"

// An open trace's buffers (its rows, the strings of its arena, their
// refs, its receive records and row fingerprints) start empty and grow on
// demand, through capacities of the form 2^k and 3·2^k, into buffers taken
// from the Tracker's pools; what a trace gives up (when it grows or is
// emitted) goes back to them. Nothing built from a trace points into its
// buffers (build copies out what it keeps), so they can be reused at once.
// A message of one row thus holds buffers the size of one row, not those
// of the last trace emitted, and a message that grows reaches its size
// without allocating once the pools are full: the capacity a trace holds
// (what Options.MaxMemory counts) stays within 1.5 times what it uses
// (about 1.2 times on average).

// Bounds on the pools: at most maxPooled buffers of each capacity, none
// of class above maxPoolClass (16,384 elements; a larger buffer goes back
// to the heap).
const (
	maxPooled    = 64
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
	if size != c || j > maxPoolClass || len(p.free[j]) >= maxPooled {
		return
	}
	if !p.plain {
		clear(s)
	}
	p.free[j] = append(p.free[j], s[:0])
}

// bufPools are a Tracker's pools, one per kind of buffer of a trace.
type bufPools struct {
	rows     bufPool[stored]
	arena    bufPool[byte]
	refs     bufPool[ref]
	receives bufPool[receiveInfo]
	fps      bufPool[fpEntry]
}

// The least capacity each buffer starts with: what one row of most
// messages fills.
const (
	minRows     = 1
	minArena    = 64
	minRefs     = 4
	minReceives = 1
	minFPs      = 4
)

// unpack sets tr.events to tr's rows as events, in a buffer of the
// Tracker's, for build.
func (t *Tracker) unpack(tr *trace) {
	evs := t.events[:0]
	if cap(evs) < len(tr.rows) {
		evs = make([]event, 0, len(tr.rows))
	}
	for i := range tr.rows {
		evs = append(evs, tr.rows[i].event())
	}
	tr.events, t.events = evs, evs
}

// releaseEvents drops what the events of the trace just built point to,
// and the buffer itself when a large trace made it large.
func (t *Tracker) releaseEvents() {
	clear(t.events)
	if cap(t.events) > maxKeptEvents {
		t.events = nil
	}
}

// maxKeptEvents bounds the buffer unpack keeps between traces.
const maxKeptEvents = 1024

// recycle gives tr's buffers back to the pools and detaches them from tr.
func (t *Tracker) recycle(tr *trace) {
	p := &t.pools
	p.rows.put(tr.rows)
	p.arena.put(tr.arena)
	p.refs.put(tr.refs)
	p.receives.put(tr.receives)
	p.fps.put(tr.fps)
	tr.rows, tr.events, tr.arena, tr.refs, tr.receives, tr.fps = nil, nil, nil, nil, nil, nil
}
