// Package textenc holds the low-level text encoders the outputs share: a
// JSON string, a JSON number as encoding/json writes them, and the
// eight-bytes-at-a-time (SWAR) scans they skip plain text with. Each
// appends to a caller's buffer: no map, no reflection, no allocation.
package textenc

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// DecodeRune decodes the first rune of s, of either string type, without
// converting more than utf8.UTFMax bytes (a conversion that small stays on
// the stack).
func DecodeRune[T []byte | string](s T) (rune, int) {
	if len(s) > utf8.UTFMax {
		s = s[:utf8.UTFMax]
	}
	return utf8.DecodeRune([]byte(s))
}

// HexDigits are the lower-case hexadecimal digits, by value: the encoders
// write escapes (\u00XX in JSON, \xXX on a terminal) with them.
const HexDigits = "0123456789abcdef"

// Eight bytes at a time: the text of the logs is mostly ASCII that needs
// no escaping, and the encoders skip it a word at a time (SWAR).
const (
	Lo8 = 0x0101010101010101
	Hi8 = 0x8080808080808080
)

// Load64 reads s[i:i+8] as a little-endian word (the compiler merges the
// byte loads into one).
func Load64[T []byte | string](s T, i int) uint64 {
	b := s[i : i+8] // one bounds check, not eight
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// HasLess reports whether a byte of w is below n (n ≤ 128).
func HasLess(w uint64, n byte) uint64 { return (w - Lo8*uint64(n)) &^ w & Hi8 }

// HasByte reports whether a byte of w is c.
func HasByte(w uint64, c byte) uint64 {
	x := w ^ Lo8*uint64(c)
	return (x - Lo8) &^ x & Hi8
}

// jsonPlain reports whether none of the 8 bytes of w needs attention from
// AppendJSONString: all ASCII, none a control character, '"' or '\\'.
//
// One test finds both the control characters and '"': flipping bit 1 of
// every byte maps '"' (0x22) to 0x20 and the control characters onto
// themselves (0x00–0x1f), while no other byte lands below 0x21.
func jsonPlain(w uint64) bool {
	return HasLess(w^Lo8*2, 0x21)|HasByte(w, '\\')|w&Hi8 == 0
}

// JSONPlainAll reports whether no byte of v needs escaping in JSON.
func JSONPlainAll(v []byte) bool {
	i := 0
	for ; i+8 <= len(v); i += 8 {
		if !jsonPlain(Load64(v, i)) {
			return false
		}
	}
	for ; i < len(v); i++ {
		if !jsonSafe[v[i]] {
			return false
		}
	}
	return true
}

// jsonSafe marks the bytes a JSON string holds as they are: printable
// ASCII but '"' and '\\'.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendJSONString appends s as a JSON string. Quotes, backslashes and
// control characters are escaped, U+2028 and U+2029 too (JavaScript reads
// them as line ends), and each byte of invalid UTF-8 becomes U+FFFD, as
// encoding/json does; '<', '>' and '&' are written as they are
// (FuzzAppendJSONString compares it with encoding/json, and
// cmd/mailtrace's FuzzEncoders every output's cells).
func AppendJSONString[T []byte | string](dst []byte, s T) []byte {
	dst = append(dst, '"')
	return append(appendJSON(dst, s, false), '"')
}

// AppendJSONChars appends s escaped as inside a JSON string, without the
// quotes: pieces of one string written one after the other. A piece must
// not end inside a UTF-8 sequence that the next completes (each would
// become U+FFFD); ASCII pieces never do.
func AppendJSONChars[T []byte | string](dst []byte, s T) []byte {
	return appendJSON(dst, s, false)
}

// AppendJSONLogField appends a value as written in a log as the JSON string
// of its decoded text: the log's escapes \r and \n (see
// msgtrk.AppendUnescaped) are already JSON's, so they are copied as they
// are, and any other backslash is escaped. It equals
// AppendJSONString(msgtrk.AppendUnescaped(nil, v)) in one pass
// (cmd/mailtrace's TestAppendJSONField).
func AppendJSONLogField(dst, v []byte) []byte {
	dst = append(dst, '"')
	return append(appendJSON(dst, v, true), '"')
}

// appendJSON appends s escaped as inside a JSON string (see
// AppendJSONString), the log's escapes kept with logEscapes (see
// AppendJSONLogField).
func appendJSON[T []byte | string](dst []byte, s T, logEscapes bool) []byte {
	start := 0
	for i := 0; i < len(s); {
		for i+16 <= len(s) && jsonPlain(Load64(s, i)) && jsonPlain(Load64(s, i+8)) {
			i += 16
		}
		for i+8 <= len(s) && jsonPlain(Load64(s, i)) {
			i += 8
		}
		for i < len(s) && jsonSafe[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\':
				switch {
				case logEscapes && i+1 < len(s) && (s[i+1] == 'r' || s[i+1] == 'n'):
					dst = append(dst, '\\', s[i+1])
					i++
				case logEscapes && i+1 < len(s) && s[i+1] == '\\':
					// Two backslashes: both kept, neither an escape.
					dst = append(dst, '\\', '\\', '\\', '\\')
					i++
				default:
					dst = append(dst, '\\', '\\')
				}
			case '"':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', HexDigits[c>>4], HexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', HexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(dst, s[start:]...)
}

// AppendJSONFloat appends f as encoding/json writes a float64: the
// shortest decimal that reads back as f, in exponent form below 1e-6 and
// from 1e21 on (with a two-digit exponent at most: "1e-07" is "1e-7").
// NaN and the infinities, which JSON cannot hold and encoding/json refuses
// with an error, are written as null.
func AppendJSONFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}
