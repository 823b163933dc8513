package ascii

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// TestClasses compares every byte's classification with the unicode and
// strconv packages restricted to ASCII.
func TestClasses(t *testing.T) {
	for i := 0; i < 256; i++ {
		c := byte(i)
		ascii := c < 0x80
		r := rune(c)
		if got, want := IsDigit(c), ascii && unicode.IsDigit(r); got != want {
			t.Errorf("IsDigit(%q) = %v, want %v", c, got, want)
		}
		if got, want := IsUpper(c), ascii && unicode.IsUpper(r); got != want {
			t.Errorf("IsUpper(%q) = %v, want %v", c, got, want)
		}
		if got, want := IsLetter(c), ascii && unicode.IsLetter(r); got != want {
			t.Errorf("IsLetter(%q) = %v, want %v", c, got, want)
		}
		if got, want := IsAlnum(c), ascii && (unicode.IsLetter(r) || unicode.IsDigit(r)); got != want {
			t.Errorf("IsAlnum(%q) = %v, want %v", c, got, want)
		}
		if got, want := IsSpace(c), strings.IndexByte(" \t\r\n", c) >= 0; got != want {
			t.Errorf("IsSpace(%q) = %v, want %v", c, got, want)
		}
		v, ok := Unhex(c)
		want, err := strconv.ParseUint(string(rune(c)), 16, 8)
		if ok != (ascii && err == nil) || ok && uint64(v) != want {
			t.Errorf("Unhex(%q) = %d, %v; strconv says %d, %v", c, v, ok, want, err)
		}
	}
}

func TestEqualFold(t *testing.T) {
	tests := []struct {
		b, s string
		want bool
	}{
		{"", "", true},
		{"Internet", "internet", true},
		{"INTERNET", "Internet", true},
		{"ruleId", "RULEID", true},
		{"ExecW", "execw", true},
		{"Interne", "Internet", false},
		{"Internet ", "Internet", false},
		{"[", "{", false}, // '[' and '{' differ by the case bit but are not letters
		{"@", "`", false},
		{"Äb", "äb", false}, // only ASCII folds
		{"é", "é", true},
	}
	for _, tt := range tests {
		if got := EqualFold([]byte(tt.b), tt.s); got != tt.want {
			t.Errorf("EqualFold([]byte(%q), %q) = %v, want %v", tt.b, tt.s, got, tt.want)
		}
		if got := EqualFold(tt.b, tt.s); got != tt.want {
			t.Errorf("EqualFold(%q, %q) = %v, want %v", tt.b, tt.s, got, tt.want)
		}
	}
}

func asciiOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0x80 {
			return -1
		}
		return r
	}, s)
}

// FuzzEqualFold compares EqualFold with bytes.EqualFold on ASCII input.
func FuzzEqualFold(f *testing.F) {
	f.Add([]byte("Internet"), "internet")
	f.Add([]byte("[x]"), "{X}")
	f.Fuzz(func(t *testing.T, b []byte, s string) {
		got := EqualFold(b, s)
		if got != EqualFold(string(b), s) {
			t.Fatalf("EqualFold differs between []byte and string for %q, %q", b, s)
		}
		if asciiOnly(string(b)) != string(b) || asciiOnly(s) != s {
			if got && len(b) == len(s) && !bytes.Equal(b, []byte(s)) {
				// Non-ASCII bytes must match exactly; ASCII ones fold.
				for i := range b {
					if b[i] >= 0x80 && b[i] != s[i] {
						t.Fatalf("EqualFold(%q, %q) folded a non-ASCII byte", b, s)
					}
				}
			}
			return
		}
		if want := bytes.EqualFold(b, []byte(s)); got != want {
			t.Fatalf("EqualFold(%q, %q) = %v, bytes.EqualFold = %v", b, s, got, want)
		}
	})
}

func TestNoAllocs(t *testing.T) {
	b := []byte("DeliveryPriority")
	sink := 0
	dst := make([]byte, 0, len(b))
	if n := testing.AllocsPerRun(50, func() {
		for i := 0; i < 100; i++ {
			if EqualFold(b, "deliverypriority") {
				sink++
			}
			if v, ok := Unhex(b[i%len(b)]); ok {
				sink += int(v)
			}
			sink += len(TrimSpace(b[:i%len(b)]))
			dst = AppendLower(dst[:0], b)
		}
	}); n != 0 {
		t.Errorf("%v allocs per 100 calls, want 0", n)
	}
	if sink == 0 {
		t.Error("nothing matched")
	}
}

// TestTrimSpace compares with bytes.Trim over the four blanks and checks
// the documented offset rule.
func TestTrimSpace(t *testing.T) {
	for _, s := range []string{"", " ", " \t\r\n ", "a", " a", "a ", "\ta b\n", " \u00a0x\u00a0 ", "\v\fx"} {
		b := []byte(s)
		got := TrimSpace(b)
		want := bytes.Trim(b, " \t\r\n")
		if !bytes.Equal(got, want) {
			t.Errorf("TrimSpace(%q) = %q, want %q", s, got, want)
		}
		off := cap(b) - cap(got)
		if wantOff := len(b) - len(bytes.TrimLeft(b, " \t\r\n")); off != wantOff {
			t.Errorf("TrimSpace(%q): offset %d, want %d", s, off, wantOff)
		}
	}
}

// TestAppendLower compares with bytes.ToLower on ASCII and checks that other
// bytes, UTF-8 included, are copied as they are and that dst is kept.
func TestAppendLower(t *testing.T) {
	for _, s := range []string{"", "a", "Z", "EX01.Contoso.COM", "@[]`{", "ÄÖÜ straße", "\x00\xffA"} {
		got := AppendLower([]byte("pre:"), []byte(s))
		want := "pre:" + asciiLower(s)
		if string(got) != want {
			t.Errorf("AppendLower(%q) = %q, want %q", s, got, want)
		}
	}
}

// asciiLower lower-cases the ASCII letters of s only.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func TestParseNumbers(t *testing.T) {
	for in, want := range map[string]uint64{"08DC1DB8591B229A": 0x08DC1DB8591B229A, "ff": 0xff, "FFFFFFFFFFFFFFFF": 1<<64 - 1, "0": 0} {
		if got, ok := ParseHex64([]byte(in)); !ok || got != want {
			t.Errorf("ParseHex64(%q) = %x, %v; want %x", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "08DC1DB8591B229A0", "g", " 1", "-1"} {
		if got, ok := ParseHex64([]byte(in)); ok {
			t.Errorf("ParseHex64(%q) = %x, true; want false", in, got)
		}
	}
	for in, want := range map[string]int64{"0": 0, "18019": 18019, "9223372036854775807": 1<<63 - 1, "007": 7} {
		if got, ok := ParseInt64([]byte(in)); !ok || got != want {
			t.Errorf("ParseInt64(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "9223372036854775808", "-1", "+1", "1 ", "1a", "12345678901234567890"} {
		if got, ok := ParseInt64([]byte(in)); ok {
			t.Errorf("ParseInt64(%q) = %d, true; want false", in, got)
		}
	}
	hex, dec := []byte("08DC1DB8591B229A"), []byte("167503004549")
	if n := testing.AllocsPerRun(100, func() { ParseHex64(hex); ParseInt64(dec) }); n != 0 {
		t.Errorf("ParseHex64, ParseInt64: %v allocations", n)
	}
}

func TestIndexFrom(t *testing.T) {
	b := []byte("a;b;c}]d")
	for _, tt := range []struct {
		from      int
		c         byte
		sub       string
		wantByte  int
		wantIndex int
	}{
		{0, ';', "};", 1, -1},
		{2, ';', "}]", 3, 5},
		{4, ';', "}]", -1, 5},
		{8, 'd', "", -1, 8},
		{9, 'd', "d", -1, -1},
	} {
		if got := IndexByteFrom(b, tt.from, tt.c); got != tt.wantByte {
			t.Errorf("IndexByteFrom(%q, %d, %q) = %d, want %d", b, tt.from, tt.c, got, tt.wantByte)
		}
		if got := IndexFrom(b, tt.from, tt.sub); got != tt.wantIndex {
			t.Errorf("IndexFrom(%q, %d, %q) = %d, want %d", b, tt.from, tt.sub, got, tt.wantIndex)
		}
	}
}

// FuzzAppendLower: AppendLower, eight bytes at a time, gives what lowering
// byte by byte gives (only 'A' to 'Z' change), after what dst held.
func FuzzAppendLower(f *testing.F) {
	f.Add([]byte("0D6A4F1E-2B3C-4D5E-8F90-08DC6D5F0B02"), "")
	f.Add([]byte("Bob@Contoso.COM;@[]{}`AZaz\xc3\x84\xff\x80Z["), "x")
	f.Add([]byte{0x40, 0x41, 0x5a, 0x5b, 0x60, 0x61, 0x7a, 0x7b, 0xc1, 0xda, 0xdb, 0xc0, 0x7f, 0xff, 0x00, 0x80}, "pre")
	f.Fuzz(func(t *testing.T, b []byte, pre string) {
		want := []byte(pre)
		for _, c := range b {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			want = append(want, c)
		}
		if got := AppendLower([]byte(pre), b); !bytes.Equal(got, want) {
			t.Fatalf("AppendLower(%q, %q) = %q, want %q", pre, b, got, want)
		}
	})
}

// TestUpperBytesEveryByte: upperBytes marks exactly the bytes 'A' to 'Z',
// for every byte value in every position of a word, beside neighbours that
// could carry into it.
func TestUpperBytesEveryByte(t *testing.T) {
	for _, fill := range []byte{0x00, 'Z', '@', 0x7f, 0xff, 'a'} {
		for c := range 256 {
			for pos := range 8 {
				var w [8]byte
				for i := range w {
					w[i] = fill
				}
				w[pos] = byte(c)
				got := upperBytes(binary.LittleEndian.Uint64(w[:]))
				for i := range 8 {
					mark := got>>(8*i)&0xff == 0x80
					if other := got >> (8 * i) & 0x7f; other != 0 {
						t.Fatalf("upperBytes(%q): stray bits %#x in byte %d", w, other, i)
					}
					if want := IsUpper(w[i]); mark != want {
						t.Fatalf("upperBytes(%q): byte %d (%#x) marked %v, want %v", w, i, w[i], mark, want)
					}
				}
			}
		}
	}
}

// appendLowerBytewise is AppendLower one byte at a time, as it was: what
// BenchmarkAppendLower compares it with.
func appendLowerBytewise(dst, b []byte) []byte {
	n := len(dst)
	dst = append(dst, b...)
	for i, c := range dst[n:] {
		dst[n+i] = lower(c)
	}
	return dst
}

// BenchmarkAppendLower: a network-message-id and a mixed-case address,
// eight bytes at a time and one by one.
func BenchmarkAppendLower(b *testing.B) {
	var buf []byte
	for _, in := range []string{"0d6a4f1e-2b3c-4d5e-8f90-08dc6d5f0b02", "Anna.Lindqvist@Fabrikam.NET"} {
		b.Run("words/"+strconv.Itoa(len(in)), func(b *testing.B) {
			for b.Loop() {
				buf = AppendLower(buf[:0], []byte(in))
			}
		})
		b.Run("bytes/"+strconv.Itoa(len(in)), func(b *testing.B) {
			for b.Loop() {
				buf = appendLowerBytewise(buf[:0], []byte(in))
			}
		})
	}
}
