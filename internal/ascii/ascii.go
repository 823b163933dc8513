// Package ascii holds the byte-level helpers that the field decoders of
// mailtrace (msgtrk, eventdata, messageinfo, sourcecontext, recipstatus)
// share: digit and hex-digit tests, ASCII case folding, blank trimming,
// the reading of hexadecimal and decimal numbers, and searches from an
// offset.
// They work on bytes, not runes: a byte of a multi-byte UTF-8 sequence is
// never a digit, a letter or a blank here.
//
// The byte tests and TrimSpace are small enough to be inlined (EqualFold,
// with its loop, is not); every function does no allocation and is safe
// for concurrent use.
package ascii

import (
	"bytes"
	"encoding/binary"
)

// IsDigit reports whether c is '0' to '9'.
func IsDigit(c byte) bool { return '0' <= c && c <= '9' }

// IsUpper reports whether c is 'A' to 'Z'.
func IsUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

// IsLetter reports whether c is an ASCII letter.
func IsLetter(c byte) bool { return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' }

// IsAlnum reports whether c is an ASCII letter or digit.
func IsAlnum(c byte) bool { return IsLetter(c) || IsDigit(c) }

// IsSpace reports whether c is a blank, a tab, CR or LF.
func IsSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// Unhex returns the value of the hexadecimal digit c (either case) and true,
// or 0 and false when c is not a hexadecimal digit.
func Unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// lower maps an ASCII upper-case letter to lower case and leaves any other
// byte as it is.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// AppendLower appends b to dst with ASCII upper-case letters in lower case;
// other bytes are copied as they are. It grows dst once, and does not
// allocate when dst has room for b. It reads and writes eight bytes at a
// time (lowerWord), the rest one by one.
func AppendLower(dst, b []byte) []byte {
	n := len(dst)
	dst = append(dst, b...)
	out := dst[n:]
	i := 0
	for ; i+8 <= len(out); i += 8 {
		w := binary.LittleEndian.Uint64(out[i:])
		if u := upperBytes(w); u != 0 {
			binary.LittleEndian.PutUint64(out[i:], w|u>>2)
		}
	}
	for ; i < len(out); i++ {
		out[i] = lower(out[i])
	}
	return dst
}

// upperBytes returns, for each byte of w that is an ASCII upper-case
// letter, 0x80 in that byte's place (0 elsewhere): shifted right by 2, it
// is the case bit (0x20) to set. Each byte's sums stay within the byte
// (its high bit is cleared first), so no carry crosses into the next.
func upperBytes(w uint64) uint64 {
	const (
		high = 0x8080808080808080
		low7 = 0x7f7f7f7f7f7f7f7f
		each = 0x0101010101010101
	)
	h := w & low7
	atLeastA := h + (0x80-'A')*each       // high bit set where the byte is ≥ 'A'
	aboveZ := h + (0x80-'Z'-1)*each       // high bit set where the byte is > 'Z'
	return atLeastA &^ aboveZ &^ w & high // and not a byte ≥ 0x80
}

// EqualFold reports whether b equals s, ignoring the case of ASCII letters.
// Bytes outside ASCII must match exactly.
func EqualFold[B []byte | string](b B, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c, d := b[i], s[i]; c != d && lower(c) != lower(d) {
			return false
		}
	}
	return true
}

// TrimSpace returns b without leading and trailing blanks ([IsSpace]). The
// result is a subslice of b sharing its capacity, so its offset in b is
// cap(b)-cap(result), even when it is empty.
func TrimSpace(b []byte) []byte {
	i := 0
	for i < len(b) && IsSpace(b[i]) {
		i++
	}
	j := len(b)
	for j > i && IsSpace(b[j-1]) {
		j--
	}
	return b[i:j]
}

// ParseHex64 reads b as 1 to 16 hexadecimal digits (either case); ok is
// false for anything else.
func ParseHex64(b []byte) (v uint64, ok bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	for _, c := range b {
		h, ok := Unhex(c)
		if !ok {
			return 0, false
		}
		v = v<<4 | uint64(h)
	}
	return v, true
}

// ParseInt64 reads b as a non-negative decimal int64 (digits only, no sign);
// ok is false for anything else, including an empty b and values past
// 1<<63-1.
func ParseInt64(b []byte) (v int64, ok bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	for _, c := range b {
		if !IsDigit(c) {
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

// IndexByteFrom returns the index of the first c in b at or after from, or
// -1 (also when from is past the end of b).
func IndexByteFrom(b []byte, from int, c byte) int {
	if from >= len(b) {
		return -1
	}
	if k := bytes.IndexByte(b[from:], c); k >= 0 {
		return from + k
	}
	return -1
}

// IndexFrom returns the index of the first sub in b at or after from, or -1
// (also when from is past the end of b).
func IndexFrom(b []byte, from int, sub string) int {
	if from > len(b) {
		return -1
	}
	if k := bytes.Index(b[from:], []byte(sub)); k >= 0 {
		return from + k
	}
	return -1
}
