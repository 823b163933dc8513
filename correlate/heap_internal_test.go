package correlate

import (
	"math/rand/v2"
	"testing"
)

// TestTraceHeapModel drives the heap with random pushes, removals from
// the middle, key changes and pops, against a plain slice searched for
// its least entry: every pop returns the model's least (by key, then
// seq), and every trace's heapIdx names its entry after each step.
func TestTraceHeapModel(t *testing.T) {
	for seed := range uint64(100) {
		rng := rand.New(rand.NewPCG(seed, 1))
		var h traceHeap
		model := map[*trace]int64{}
		var seq uint64
		least := func() *trace {
			var best *trace
			for tr, k := range model {
				if best == nil || k < model[best] || k == model[best] && tr.seq < best.seq {
					best = tr
				}
			}
			return best
		}
		pick := func() *trace {
			i := rng.IntN(h.len())
			return h.e[i].tr
		}
		for step := range 2000 {
			switch op := rng.IntN(10); {
			case op < 4 || h.len() == 0:
				seq++
				tr := &trace{seq: seq}
				k := int64(rng.IntN(50)) // (few keys: many ties, broken by seq)
				h.push(tr, k)
				model[tr] = k
			case op < 6:
				tr := pick()
				if got := h.remove(int(tr.heapIdx)); got != tr || tr.heapIdx != -1 {
					t.Fatalf("seed %d step %d: remove returned %p (heapIdx %d), want %p", seed, step, got, tr.heapIdx, tr)
				}
				delete(model, tr)
			case op < 8:
				tr := pick()
				k := int64(rng.IntN(50))
				h.rekey(int(tr.heapIdx), k)
				model[tr] = k
			default:
				want := least()
				if got := h.pop(); got != want {
					t.Fatalf("seed %d step %d: pop returned key %d seq %d, want key %d seq %d", seed, step, model[got], got.seq, model[want], want.seq)
				}
				delete(model, want)
			}
			if h.len() != len(model) {
				t.Fatalf("seed %d step %d: %d in the heap, model %d", seed, step, h.len(), len(model))
			}
			for i := range h.e {
				if int(h.e[i].tr.heapIdx) != i {
					t.Fatalf("seed %d step %d: entry %d has heapIdx %d", seed, step, i, h.e[i].tr.heapIdx)
				}
				if i > 0 && h.e[i].before(&h.e[(i-1)/4]) {
					t.Fatalf("seed %d step %d: entry %d before its parent", seed, step, i)
				}
			}
		}
	}
}
