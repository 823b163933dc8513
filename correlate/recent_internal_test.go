package correlate

import (
	"strconv"
	"testing"
)

// TestFIFOMap: the last n keys are remembered, the oldest forgotten first;
// a key added again takes the new value and keeps its place.
func TestFIFOMap(t *testing.T) {
	r := newFIFOMap[int](3)
	for i := range 3 {
		r.add(strconv.Itoa(i), i)
	}
	r.add("0", 10) // remembered: updated, still the oldest
	if v, ok := r.get("0"); !ok || v != 10 {
		t.Fatalf(`"0" = %v, %v after its update, want 10, true`, v, ok)
	}
	r.add("3", 3) // forgets "0"
	if r.has("0") || !r.has("1") || !r.has("2") || !r.has("3") || len(r.m) != 3 {
		t.Fatalf("after a fourth key: %v, want 1, 2, 3", r.m)
	}
	r.add("4", 4)
	r.add("5", 5)
	for k, want := range map[string]bool{"1": false, "2": false, "3": true, "4": true, "5": true} {
		if r.has(k) != want {
			t.Errorf("%q remembered: %v, want %v (%v)", k, r.has(k), want, r.m)
		}
	}
	one := newFIFOMap[string](0)
	one.add("a", "x")
	one.add("b", "y")
	if one.has("a") || !one.has("b") {
		t.Errorf("a table of 0 keys keeps the last one: %v", one.m)
	}
}
