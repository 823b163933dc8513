package check

import "testing"

func TestInside(t *testing.T) {
	src := []byte("0123456789")
	other := []byte("0123456789")
	tests := []struct {
		name string
		sub  []byte
		want bool
	}{
		{"whole", src, true},
		{"middle", src[3:7], true},
		{"empty", nil, true},
		{"empty slice of other", other[:0], true},
		{"other buffer", other[2:4], false},
	}
	for _, tt := range tests {
		if got := Inside(src, tt.sub); got != tt.want {
			t.Errorf("%s: Inside = %v, want %v", tt.name, got, tt.want)
		}
	}
	if Inside(src[2:5], src[4:7]) {
		t.Error("a slice reaching past src counted as inside")
	}
	if Inside(nil, src[:1]) {
		t.Error("non-empty sub inside empty src")
	}
}

// sink keeps the allocation below from being optimised away.
var sink []byte

// TestAllocsPerCalls shows what the batching is for: an allocation made
// once in 10 calls reads as 0 per call from AllocsPerRun, and as 10 per
// batch from AllocsPerCalls.
func TestAllocsPerCalls(t *testing.T) {
	i := 0
	every10th := func() {
		if i++; i%10 == 0 {
			sink = make([]byte, 64)
		}
	}
	if n := testing.AllocsPerRun(100, every10th); n != 0 {
		t.Fatalf("AllocsPerRun saw %v; the premise of this test no longer holds", n)
	}
	if n := AllocsPerCalls(every10th); n != Calls/10 {
		t.Errorf("AllocsPerCalls = %v, want %d", n, Calls/10)
	}
	if n := AllocsPerCalls(func() { i++ }); n != 0 {
		t.Errorf("AllocsPerCalls of a non-allocating func = %v", n)
	}
}
