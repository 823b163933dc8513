package correlate

import (
	"math/rand/v2"
	"testing"
)

// TestTraceIndexModel: a traceIndex answers as a Go map does through
// random sets and deletions, on keys made to share home slots (and to
// wrap around the table's end) so that probing, growth and the backward
// shift of a deletion are all exercised; a deletion naming another trace
// than the one the key leads to changes nothing.
func TestTraceIndexModel(t *testing.T) {
	traces := make([]*trace, 4)
	for i := range traces {
		traces[i] = &trace{seq: uint64(i)}
	}
	var shifted int
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 11))
		var x traceIndex
		keys := make([]keyHash, 2+rng.IntN(150))
		homes := 1 + rng.IntN(minIndexSlots)
		for i := range keys {
			home := uint64(rng.IntN(homes))
			if rng.IntN(4) == 0 {
				home = uint64(minIndexSlots - 1 - rng.IntN(2))
			}
			keys[i] = keyHash{a: home, b: uint64(i)} // (equal a: only b tells them apart)
		}
		model := map[keyHash]*trace{}
		for op := range 600 {
			k, tr := keys[rng.IntN(len(keys))], traces[rng.IntN(len(traces))]
			if rng.IntN(3) == 0 {
				x.del(k, tr)
				if model[k] == tr {
					delete(model, k)
				}
			} else {
				x.set(k, tr)
				model[k] = tr
			}
			for _, q := range keys {
				if got, want := x.get(q), model[q]; got != want {
					t.Fatalf("seed %d, op %d: key %v leads to %v, want %v", seed, op, q, got, want)
				}
			}
			if x.n != len(model) {
				t.Fatalf("seed %d, op %d: %d keys held, want %d", seed, op, x.n, len(model))
			}
			for i, s := range x.slots {
				if s.tr != nil && uint64(i) != s.h.a&x.mask {
					shifted++ // (a key away from its home: probing was needed)
				}
			}
		}
	}
	if shifted == 0 {
		t.Fatal("no key ever sat away from its home slot: the test exercises no probing")
	}
}
