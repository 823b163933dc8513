package correlate

import "hash/maphash"

// traceIndex leads the keys of the open traces (or their message-ids) to
// the traces, by their keyHash (recent.go says why 128 bits stand for the
// key). It is open addressing with linear probing, each slot holding the
// hash and the trace inline, so a lookup reads one slot where a Go map of
// strings also reads the key's bytes elsewhere in memory (on a burst of
// 10⁶ one-row messages, 120–131 k rows per CPU second with the maps,
// 138–143 k with this: BenchmarkBurstVsSteady, 3 runs each at 899057f and
// 0490cee). Deletion shifts back
// the slots after the hole (no tombstones), and the table doubles when
// three quarters full (at half full, a one-row message of a burst took 80
// bytes more at the fill TestFootprint measures, for no speed measured:
// stats -quiet over the burst and /tmp/org1m, 4 – 5 runs each in turns);
// it never shrinks (a Go map does not either).
type traceIndex struct {
	slots []traceSlot
	mask  uint64
	n     int // keys held
}

type traceSlot struct {
	h  keyHash
	tr *trace // nil: an empty slot
}

// minIndexSlots is the size of a traceIndex's first table.
const minIndexSlots = 64

// hashBytes is hashOf for a key still in bytes.
func hashBytes(sp keySpace, b []byte) keyHash {
	return keyHash{maphash.Bytes(keySeeds[sp][0], b), maphash.Bytes(keySeeds[sp][1], b)}
}

// home returns the slot where the search for h starts.
func (x *traceIndex) home(h keyHash) uint64 { return h.a & x.mask }

// find returns the slot holding h, or the empty slot where it would go,
// and whether it was found.
func (x *traceIndex) find(h keyHash) (uint64, bool) {
	for i := x.home(h); ; i = (i + 1) & x.mask {
		s := &x.slots[i]
		if s.tr == nil {
			return i, false
		}
		if s.h == h {
			return i, true
		}
	}
}

// get returns the trace h leads to, nil for none.
func (x *traceIndex) get(h keyHash) *trace {
	if x.n == 0 {
		return nil
	}
	if i, ok := x.find(h); ok {
		return x.slots[i].tr
	}
	return nil
}

// set makes h lead to tr (not nil), instead of any trace it led to.
func (x *traceIndex) set(h keyHash, tr *trace) {
	if 4*(x.n+1) > 3*len(x.slots) {
		x.grow()
	}
	i, ok := x.find(h)
	if !ok {
		x.n++
	}
	x.slots[i] = traceSlot{h, tr}
}

// del forgets h if it leads to tr, and reports whether it did.
func (x *traceIndex) del(h keyHash, tr *trace) bool {
	if x.n == 0 {
		return false
	}
	hole, ok := x.find(h)
	if !ok || x.slots[hole].tr != tr {
		return false
	}
	x.n--
	for j := (hole + 1) & x.mask; x.slots[j].tr != nil; j = (j + 1) & x.mask {
		if fillsHole(hole, j, x.home(x.slots[j].h), x.mask) {
			x.slots[hole] = x.slots[j]
			hole = j
		}
	}
	x.slots[hole] = traceSlot{}
	return true
}

// grow doubles the table (or makes the first one).
func (x *traceIndex) grow() {
	old := x.slots
	size := max(2*len(old), minIndexSlots)
	x.slots, x.mask = make([]traceSlot, size), uint64(size-1)
	for _, s := range old {
		if s.tr != nil {
			i, _ := x.find(s.h)
			x.slots[i] = s
		}
	}
}
