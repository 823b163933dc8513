package textenc

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// encodingJSON is what encoding/json writes for v, without HTML escaping
// and without the newline.
func encodingJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// FuzzAppendJSONString: a string is written as encoding/json writes it
// (quotes, backslashes, control characters, U+2028/U+2029 and invalid
// UTF-8 included), from bytes or from a string alike.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain ascii text, long enough for words", "a\"b\\c", "\x00\x01\b\f\n\r\t\x1f\x7f", "<>&", "\u2028\u2029", "\xff\xfe", "é€𝄞", "x\xe2\x80", "'\\r\\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := encodingJSON(t, s)
		if got := AppendJSONString([]byte("pre"), s); !bytes.Equal(got[3:], want) || string(got[:3]) != "pre" {
			t.Fatalf("AppendJSONString(%q) = %s, encoding/json %s", s, got[3:], want)
		}
		if got := AppendJSONString(nil, []byte(s)); !bytes.Equal(got, want) {
			t.Fatalf("AppendJSONString([]byte(%q)) = %s, encoding/json %s", s, got, want)
		}
	})
}

// FuzzAppendJSONFloat: a float64 is written as encoding/json writes it.
func FuzzAppendJSONFloat(f *testing.F) {
	for _, v := range []float64{0, 1, -1, 0.5, 0.001, 1e-6, 9.99e-7, 1e-7, 123.456, 1e20, 1e21, 1.5e300, -2.5e-10, math.SmallestNonzeroFloat64, math.MaxFloat64} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			if got := string(AppendJSONFloat(nil, v)); got != "null" {
				t.Fatalf("AppendJSONFloat(%v) = %s, want null", v, got)
			}
			return
		}
		if got, want := AppendJSONFloat(nil, v), encodingJSON(t, v); !bytes.Equal(got, want) {
			t.Fatalf("AppendJSONFloat(%v) = %s, encoding/json %s", v, got, want)
		}
	})
}

// TestNoAllocs: the encoders append without allocating when the buffer
// has room.
func TestNoAllocs(t *testing.T) {
	buf := make([]byte, 0, 256)
	for name, fn := range map[string]func(){
		"AppendJSONString": func() { buf = AppendJSONString(buf[:0], "bob@contoso.com \"quoted\" \u2028 \xff") },
		"AppendJSONFloat":  func() { buf = AppendJSONFloat(buf[:0], 12.345) },
	} {
		if n := testing.AllocsPerRun(100, fn); n != 0 {
			t.Errorf("%s: %v allocs, want 0", name, n)
		}
	}
}
