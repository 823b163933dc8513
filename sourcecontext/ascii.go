package sourcecontext

import "bytes"

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// alnum marks ASCII letters and digits.
var alnum = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
	}
	return t
}()

func isAlnum(c byte) bool { return alnum[c] }

func unhex(c byte) (uint64, bool) {
	switch {
	case '0' <= c && c <= '9':
		return uint64(c - '0'), true
	case 'a' <= c && c <= 'f':
		return uint64(c-'a') + 10, true
	case 'A' <= c && c <= 'F':
		return uint64(c-'A') + 10, true
	}
	return 0, false
}

// parseHex64 reads b as 1 to 16 hexadecimal digits.
func parseHex64(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		h, ok := unhex(c)
		if !ok {
			return 0, false
		}
		v = v<<4 | h
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
		if !isDigit(c) {
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
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

// trimSpace returns b without leading and trailing blanks.
func trimSpace(b []byte) []byte {
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	j := len(b)
	for j > i && isSpace(b[j-1]) {
		j--
	}
	return b[i:j]
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

// equalFold reports whether b equals the ASCII string s ignoring case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c, d := b[i], s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= d && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}
