package correlate

import (
	"hash/maphash"
	"math/bits"
)

// keyHash stands for a key in the tables of remembered keys: 128 bits of
// two independent hashes of its bytes. Two distinct keys share a keyHash
// with a probability of about 2⁻¹²⁸ per pair (for the 10⁵–10⁶ keys a table
// holds, about 10⁻²⁷): far below the chance that two messages share a
// network-message-id (a GUID has 122 random bits). Holding the hash instead
// of the key keeps a remembered key at about 80 bytes, with nothing in it
// for the garbage collector to follow but its value.
type keyHash struct{ a, b uint64 }

// keySpace separates kinds of keys that share a table: a message-id
// never stands for the same key as a network-message-id with the same
// text.
type keySpace uint8

const (
	spaceKey   keySpace = iota // trace keys (KeyOf)
	spaceMsgID                 // message-ids
	numSpaces
)

var keySeeds = func() (s [numSpaces][2]maphash.Seed) {
	for i := range s {
		s[i] = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	}
	return s
}()

// hashOf returns the keyHash of k in space sp.
func hashOf(sp keySpace, k string) keyHash {
	return keyHash{maphash.String(keySeeds[sp][0], k), maphash.String(keySeeds[sp][1], k)}
}

// fifoMap remembers the last n keys added (FIFO), mapping each to a value.
// It is a fixed-size table allocated once: a ring of entries in the order
// they were added, and an index of twice as many slots, open addressing
// with linear probing and backward-shift deletion (no tombstones, so
// lookups stay short however many keys come and go).
type fifoMap[V any] struct {
	ring  []fifoEntry[V]
	next  int      // ring position of the next key added (the oldest's)
	index []uint64 // 0: empty; else the low 32 bits of its hash's a, then its ring position + 1
	mask  uint64
	n     int // keys held
}

type fifoEntry[V any] struct {
	h    keyHash
	v    V
	used bool
}

// recentKeys maps the last keys of emitted traces to their traces' primary
// keys.
type recentKeys = fifoMap[string]

func newRecentKeys(n int) recentKeys { return newFIFOMap[string](n) }

// newFIFOMap returns a fifoMap of n keys (at least 1).
func newFIFOMap[V any](n int) fifoMap[V] {
	n = max(n, 1)
	size := 1 << bits.Len(uint(2*n-1)) // a power of two, at least 2n
	return fifoMap[V]{ring: make([]fifoEntry[V], n), index: make([]uint64, size), mask: uint64(size - 1)}
}

// home returns the index slot where the search for h starts.
func (r *fifoMap[V]) home(h keyHash) uint64 { return h.a & r.mask }

// find returns the index slot holding h, or the empty slot where it would
// go, and whether it was found.
func (r *fifoMap[V]) find(h keyHash) (slot uint64, found bool) {
	tag := h.a & 0xffffffff
	for i := r.home(h); ; i = (i + 1) & r.mask {
		s := r.index[i]
		if s == 0 {
			return i, false
		}
		if s>>32 == tag && r.ring[s&0xffffffff-1].h == h {
			return i, true
		}
	}
}

func (r *fifoMap[V]) has(h keyHash) bool { _, ok := r.find(h); return ok }

func (r *fifoMap[V]) get(h keyHash) (V, bool) {
	if i, ok := r.find(h); ok {
		return r.ring[r.index[i]&0xffffffff-1].v, true
	}
	var zero V
	return zero, false
}

// add remembers h with v; a key already remembered takes the new value
// and keeps its place.
func (r *fifoMap[V]) add(h keyHash, v V) {
	i, ok := r.find(h)
	if ok {
		r.ring[r.index[i]&0xffffffff-1].v = v
		return
	}
	// h is new: the oldest key, another one, is forgotten.
	p := r.next
	if old := &r.ring[p]; old.used {
		r.remove(old.h)
		i, _ = r.find(h) // (the removal may have moved the free slot)
	} else {
		r.n++
	}
	r.ring[p] = fifoEntry[V]{h: h, v: v, used: true}
	r.index[i] = (h.a&0xffffffff)<<32 | uint64(p+1)
	r.next = (p + 1) % len(r.ring)
}

// remove takes h, which is held, out of the index, shifting back the
// slots after it that would no longer be found past the hole.
func (r *fifoMap[V]) remove(h keyHash) {
	hole, _ := r.find(h)
	for j := (hole + 1) & r.mask; ; j = (j + 1) & r.mask {
		s := r.index[j]
		if s == 0 {
			break
		}
		home := s >> 32 & r.mask // (its tag's low bits are its hash's)
		if fillsHole(hole, j, home, r.mask) {
			r.index[hole] = s
			hole = j
		}
	}
	r.index[hole] = 0
}

// fillsHole reports whether the key in slot j of a linearly probed table
// (size mask+1), whose home slot is home, may move back into the empty
// slot hole before it: when its home is not in (hole, j], it is still
// found from there. Both fifoMap and traceIndex delete by this rule.
func fillsHole(hole, j, home, mask uint64) bool {
	return (j-home)&mask >= (j-hole)&mask
}

// len returns the number of keys held.
func (r *fifoMap[V]) len() int { return r.n }
