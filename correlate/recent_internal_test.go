package correlate

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

func sk(s string) keyHash { return hashOf(spaceKey, s) }

// TestFIFOMap: the last n keys are remembered, the oldest forgotten first;
// a key added again takes the new value and keeps its place.
func TestFIFOMap(t *testing.T) {
	r := newFIFOMap[int](3)
	for i := range 3 {
		r.add(sk(strconv.Itoa(i)), i)
	}
	r.add(sk("0"), 10) // remembered: updated, still the oldest
	if v, ok := r.get(sk("0")); !ok || v != 10 {
		t.Fatalf(`"0" = %v, %v after its update, want 10, true`, v, ok)
	}
	r.add(sk("3"), 3) // forgets "0"
	if r.has(sk("0")) || !r.has(sk("1")) || !r.has(sk("2")) || !r.has(sk("3")) || r.len() != 3 {
		t.Fatalf("after a fourth key: want 1, 2, 3 (%d held)", r.len())
	}
	r.add(sk("4"), 4)
	r.add(sk("5"), 5)
	for k, want := range map[string]bool{"1": false, "2": false, "3": true, "4": true, "5": true} {
		if r.has(sk(k)) != want {
			t.Errorf("%q remembered: %v, want %v", k, r.has(sk(k)), want)
		}
	}
	one := newFIFOMap[string](0)
	one.add(sk("a"), "x")
	one.add(sk("b"), "y")
	if one.has(sk("a")) || !one.has(sk("b")) {
		t.Errorf("a table of 0 keys keeps the last one")
	}
	if hashOf(spaceKey, "x") == hashOf(spaceMsgID, "x") {
		t.Errorf("a message-id and a key of the same text share a hash")
	}
}

// TestFIFOMapModel: against a plain map and a FIFO slice, over random
// adds of keys drawn from a small set (so that keys come back, are
// updated and are forgotten), with hashes chosen so that many keys share
// a home slot and clusters wrap around the end of the index: what the
// backward-shift deletion must get right.
func TestFIFOMapModel(t *testing.T) {
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 7))
		n := 1 + rng.IntN(12)
		r := newFIFOMap[int](n)
		homes := 1 + rng.IntN(len(r.index)) // how many distinct home slots keys get
		keys := make([]keyHash, 3*n+2)
		for i := range keys {
			// a: a home among the first ones (or near the end, to
			// wrap), and distinct high bits; b: the key's identity.
			home := uint64(rng.IntN(homes))
			if rng.IntN(3) == 0 {
				home = uint64(len(r.index) - 1 - rng.IntN(2))
			}
			keys[i] = keyHash{a: uint64(i+1)<<32 | home, b: uint64(i)}
		}
		if seed%2 == 1 { // and the same tag for all: only b tells them apart
			for i := range keys {
				keys[i].a = keys[i].a & 0xffffffff
			}
		}
		model := map[keyHash]int{}
		var order []keyHash
		for op := range 400 {
			k := keys[rng.IntN(len(keys))]
			r.add(k, op)
			if _, ok := model[k]; !ok {
				order = append(order, k)
				if len(order) > n {
					delete(model, order[0])
					order = order[1:]
				}
			}
			model[k] = op
			for _, q := range keys {
				v, ok := r.get(q)
				mv, mok := model[q]
				if ok != mok || v != mv {
					t.Fatalf("seed %d, op %d: key %v = %d, %v; want %d, %v", seed, op, q, v, ok, mv, mok)
				}
			}
			if r.len() != len(model) {
				t.Fatalf("seed %d, op %d: %d keys held, want %d", seed, op, r.len(), len(model))
			}
		}
	}
}
