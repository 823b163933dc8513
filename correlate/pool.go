package correlate

// traceBufs are the per-trace buffers that die with a trace: nothing built
// from a trace points into them (build copies out what it keeps), so an
// emitted trace's buffers are handed to the next trace Add opens instead of
// being allocated and grown again.
type traceBufs struct {
	events   []event
	arena    []byte
	refs     []ref
	receives []receiveInfo
	fps      []fpEntry
}

// Bounds on the buffers kept for reuse: at most maxSpare sets, none from a
// trace much larger than usual (its memory goes back to the heap).
const (
	maxSpare          = 64
	maxSpareEvents    = 64
	maxSpareArenaSize = 16 << 10
)

// recycle keeps tr's buffers for a later trace and detaches them from tr.
func (t *Tracker) recycle(tr *trace) {
	if len(t.spare) < maxSpare && cap(tr.events) <= maxSpareEvents && cap(tr.arena) <= maxSpareArenaSize {
		clear(tr.events) // drop the strings they point to
		t.spare = append(t.spare, traceBufs{tr.events[:0], tr.arena[:0], tr.refs[:0], tr.receives[:0], tr.fps[:0]})
	}
	tr.events, tr.arena, tr.refs, tr.receives, tr.fps = nil, nil, nil, nil, nil
}
