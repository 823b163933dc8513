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

// parseHex64 and parseInt64 are the shared rules of package ascii.
var (
	parseHex64 = ascii.ParseHex64
	parseInt64 = ascii.ParseInt64
)

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
