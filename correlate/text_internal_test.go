package correlate

import (
	"fmt"
	"strings"
	"testing"
)

// textSink keeps the strings of TestTextBlock's allocation counts on the
// heap, as a Trace keeps them.
var textSink string

// TestTextBlock: the strings a textBlock makes keep their text while more
// are carved after them and when the bytes they came from change; short
// strings share blocks (about one allocation per block), long ones do not.
func TestTextBlock(t *testing.T) {
	var tb textBlock
	src := make([]byte, 0, 64)
	var got, want []string
	for i := range 1000 {
		src = fmt.Appendf(src[:0], "user%d@contoso.com", i)
		got = append(got, tb.of(src))
		want = append(want, string(src))
		clear(src[:cap(src)]) // the source is scratch: its bytes change
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("string %d is %q, want %q", i, got[i], want[i])
		}
	}
	if s := tb.of(nil); s != "" {
		t.Errorf("of(nil) = %q", s)
	}
	long := []byte(strings.Repeat("x", textBlockSize))
	if s := tb.of(long); s != string(long) {
		t.Error("a long string changed")
	}

	short := []byte("bob@contoso.com")
	if n := testing.AllocsPerRun(1000, func() { textSink = tb.of(short) }); n > 0.05 {
		t.Errorf("a %d-byte string: %.3f allocations, want about %d per block (%.3f)", len(short), n, 1, float64(len(short))/textBlockSize)
	}
	if n := testing.AllocsPerRun(100, func() { textSink = tb.of(long) }); n != 1 {
		t.Errorf("a %d-byte string: %.2f allocations, want 1 (its own)", len(long), n)
	}
}

// TestBlockSlices: the slices a block hands out end where they end (cap
// equals len), so appending to one never writes into the next, and they
// come zeroed from one allocation per block.
func TestBlockSlices(t *testing.T) {
	var b block[int]
	x := b.take(3, intBlockSize)
	y := b.take(2, intBlockSize)
	if len(x) != 3 || cap(x) != 3 || len(y) != 2 || cap(y) != 2 {
		t.Fatalf("len/cap %d/%d and %d/%d, want 3/3 and 2/2", len(x), cap(x), len(y), cap(y))
	}
	y[0], y[1] = 7, 8
	if x = append(x, 1, 2); y[0] != 7 || y[1] != 8 || len(x) != 5 {
		t.Fatalf("appending to one slice wrote into the next: %v, %v", x, y)
	}
	if z := b.take(4, intBlockSize); z[0]|z[1]|z[2]|z[3] != 0 {
		t.Fatalf("a slice came with values: %v", z)
	}
	var sink []int
	if n := testing.AllocsPerRun(1000, func() { sink = b.take(2, intBlockSize) }); n > 0.05 {
		t.Errorf("a 2-int slice: %.3f allocations, want about %.3f", n, 2.0/intBlockSize)
	}
	_ = sink
}
