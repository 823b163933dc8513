package sourcecontext

import (
	"bytes"

	"github.com/mailtrace/mailtrace/internal/ascii"
)

// alnum marks ASCII letters and digits.
var alnum = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
	}
	return t
}()

func isAlnum(c byte) bool { return alnum[c] }

// parseHex64 reads b as 1 to 16 hexadecimal digits.
func parseHex64(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		h, ok := ascii.Unhex(c)
		if !ok {
			return 0, false
		}
		v = v<<4 | uint64(h)
	}
	return v, true
}

// parseInt64 reads b as a non-negative decimal int64.
func parseInt64(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if !ascii.IsDigit(c) {
			return 0, false
		}
		d := int64(c - '0')
		if v > (1<<63-1-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if !ascii.IsDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

// offsetIn returns the offset of s in b, s being a subslice of b obtained by
// slicing (so that the capacities tell the distance).
func offsetIn(b, s []byte) int { return cap(b) - cap(s) }

// indexByteFrom returns the index of the first c in b at or after from, or
// -1.
func indexByteFrom(b []byte, from int, c byte) int {
	if from >= len(b) {
		return -1
	}
	if k := bytes.IndexByte(b[from:], c); k >= 0 {
		return from + k
	}
	return -1
}

func lastIndex(b []byte, sub string) int {
	return bytes.LastIndex(b, []byte(sub))
}
