// Package ascii holds the byte-level helpers that the field decoders of
// mailtrace (msgtrk, eventdata, messageinfo, sourcecontext, recipstatus)
// share: digit and hex-digit tests, ASCII case folding and blank trimming.
// They work on bytes, not runes: a byte of a multi-byte UTF-8 sequence is
// never a digit, a letter or a blank here.
//
// The byte tests and TrimSpace are small enough to be inlined (EqualFold,
// with its loop, is not); every function does no allocation and is safe
// for concurrent use.
package ascii

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
// allocate when dst has room for b.
func AppendLower(dst, b []byte) []byte {
	n := len(dst)
	dst = append(dst, b...)
	for i, c := range dst[n:] {
		dst[n+i] = lower(c)
	}
	return dst
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
