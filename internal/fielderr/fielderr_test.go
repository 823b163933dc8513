package fielderr_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mailtrace/mailtrace/internal/fielderr"
)

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("0123456789", 6)
	tests := []struct {
		in       string
		off      int
		wantOff  int
		wantText string
	}{
		{"hello world", 6, 6, "world"},
		{long, 5, 5, long[5 : 5+fielderr.ExcerptLen]},
		{"hello", -3, 0, "hello"},
		{"hello", 9, 5, ""},
		{"", 0, 0, ""},
	}
	for _, tt := range tests {
		off, text := fielderr.Excerpt([]byte(tt.in), tt.off)
		if off != tt.wantOff || text != tt.wantText {
			t.Errorf("Excerpt(%q, %d) = %d, %q; want %d, %q", tt.in, tt.off, off, text, tt.wantOff, tt.wantText)
		}
	}
	// The excerpt is a copy.
	b := []byte("abcdef")
	_, text := fielderr.Excerpt(b, 0)
	b[0] = 'X'
	if text != "abcdef" {
		t.Errorf("excerpt aliases its input: %q", text)
	}
}

func TestFirst(t *testing.T) {
	errA, errB, errC := errors.New("a"), errors.New("b"), errors.New("c")
	var f fielderr.First
	if f.Kind != nil {
		t.Fatal("zero First holds an error")
	}
	f.Set(10, errA)
	f.Set(12, errB) // later offset: ignored
	if f.Off != 10 || f.Kind != errA {
		t.Errorf("after Set(10), Set(12): %d %v", f.Off, f.Kind)
	}
	f.Set(10, errB) // tie: the earlier call wins
	if f.Kind != errA {
		t.Errorf("tie replaced the first error: %v", f.Kind)
	}
	f.Set(3, errC)
	if f.Off != 3 || f.Kind != errC {
		t.Errorf("lower offset not taken: %d %v", f.Off, f.Kind)
	}
}

// unquote collapses a quoted raw value and records, for each unquoted byte,
// its offset in raw: the reference RawOffset is checked against.
func unquote(raw string, q byte) (string, []int) {
	if raw == "" || raw[0] != q {
		idx := make([]int, len(raw))
		for i := range idx {
			idx[i] = i
		}
		return raw, idx
	}
	var b strings.Builder
	var idx []int
	for i := 1; i < len(raw); i++ {
		if raw[i] == q {
			if i+1 < len(raw) && raw[i+1] == q {
				b.WriteByte(q)
				idx = append(idx, i)
				i++
				continue
			}
			break
		}
		b.WriteByte(raw[i])
		idx = append(idx, i)
	}
	return b.String(), idx
}

func TestRawOffset(t *testing.T) {
	tests := []struct {
		raw  string
		q    byte
		off  int
		want int
	}{
		{`plain`, '"', 3, 3},
		{`"a,b"`, '"', 0, 1},
		{`"a,b"`, '"', 2, 3},
		{`"say ""hi"", ok"`, '"', 4, 5},  // the first '"' of the value
		{`"say ""hi"", ok"`, '"', 5, 7},  // 'h', after one doubled pair
		{`"say ""hi"", ok"`, '"', 8, 11}, // ',' after two pairs
		{`"say ""hi"", ok"`, '"', 12, 15},
		{`"ab"`, '"', 5, 6}, // past the end: keeps counting
		{`'550 4.4.7 a;b'`, '\'', 4, 5},
		{`'it''s'`, '\'', 3, 5},
		{`'it''s'`, '\'', 2, 3},
		{``, '"', 2, 2},
		{`"ab"`, '"', -1, 1},
	}
	for _, tt := range tests {
		if got := fielderr.RawOffset([]byte(tt.raw), tt.q, tt.off); got != tt.want {
			t.Errorf("RawOffset(%q, %q, %d) = %d, want %d", tt.raw, tt.q, tt.off, got, tt.want)
		}
	}
}

// FuzzRawOffset checks RawOffset against the byte-by-byte unquoting above:
// each unquoted byte maps to the raw byte it came from.
func FuzzRawOffset(f *testing.F) {
	f.Add(`"say ""hi"", ok"`, byte('"'))
	f.Add(`'it''s';x`, byte('\''))
	f.Add(`plain`, byte('"'))
	f.Add(`"unterminated ""`, byte('"'))
	f.Fuzz(func(t *testing.T, raw string, q byte) {
		text, idx := unquote(raw, q)
		for off := range len(text) {
			got := fielderr.RawOffset([]byte(raw), q, off)
			if got != idx[off] || raw[got] != text[off] {
				t.Fatalf("RawOffset(%q, %q, %d) = %d, want %d", raw, q, off, got, idx[off])
			}
		}
	})
}

func TestNoAllocs(t *testing.T) {
	raw := []byte(`"say ""hi"", ok"`)
	var f fielderr.First
	sink := 0
	if n := testing.AllocsPerRun(50, func() {
		for i := range 100 {
			sink += fielderr.RawOffset(raw, '"', i%12)
			f.Set(i, nil)
		}
	}); n != 0 {
		t.Errorf("%v allocs per 100 calls, want 0", n)
	}
	if sink == 0 {
		t.Error("nothing computed")
	}
}

func TestMessage(t *testing.T) {
	sentinel := errors.New("pkg: malformed thing")
	for _, tt := range []struct {
		off          int
		key, excerpt string
		want         string
	}{
		{4, "", "x;y", `pkg: malformed thing at offset 4 near "x;y"`},
		{9, "", "", `pkg: malformed thing at offset 9 (at end)`},
		{2, "E2ELatency", "1,5", `pkg: malformed thing at offset 2 near "1,5" (key "E2ELatency")`},
	} {
		if got := fielderr.Message(sentinel, tt.off, tt.key, tt.excerpt); got != tt.want {
			t.Errorf("Message(%d, %q, %q) = %q, want %q", tt.off, tt.key, tt.excerpt, got, tt.want)
		}
	}
}
