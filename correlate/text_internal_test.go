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
