package main

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// The append encoders below write the cells of every output format into a
// caller's buffer: no map, no reflection and no allocation per row.

// decodeRune decodes the first rune of s, of either string type, without
// converting more than utf8.UTFMax bytes (a conversion that small stays on
// the stack).
func decodeRune[T []byte | string](s T) (rune, int) {
	if len(s) > utf8.UTFMax {
		s = s[:utf8.UTFMax]
	}
	return utf8.DecodeRune([]byte(s))
}

const hexDigits = "0123456789abcdef"

// Eight bytes at a time: the text of the logs is mostly ASCII that needs
// no escaping, and the encoders skip it a word at a time (SWAR).
const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// load64 reads s[i:i+8] as a little-endian word (the compiler merges the
// byte loads into one).
func load64[T []byte | string](s T, i int) uint64 {
	b := s[i : i+8] // one bounds check, not eight
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// hasLess reports whether a byte of w is below n (n ≤ 128).
func hasLess(w uint64, n byte) uint64 { return (w - lo8*uint64(n)) &^ w & hi8 }

// hasByte reports whether a byte of w is c.
func hasByte(w uint64, c byte) uint64 {
	x := w ^ lo8*uint64(c)
	return (x - lo8) &^ x & hi8
}

// jsonPlain reports whether none of the 8 bytes of w needs attention from
// appendJSONString: all ASCII, none a control character, '"' or '\\'.
//
// One test finds both the control characters and '"': flipping bit 1 of
// every byte maps '"' (0x22) to 0x20 and the control characters onto
// themselves (0x00–0x1f), while no other byte lands below 0x21.
func jsonPlain(w uint64) bool {
	return hasLess(w^lo8*2, 0x21)|hasByte(w, '\\')|w&hi8 == 0
}

// jsonPlainAll reports whether no byte of v needs escaping in JSON.
func jsonPlainAll(v []byte) bool {
	i := 0
	for ; i+8 <= len(v); i += 8 {
		if !jsonPlain(load64(v, i)) {
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

// termPlain reports whether none of the 8 bytes of w needs attention from
// appendSafe: all ASCII, none a control character or DEL.
func termPlain(w uint64) bool {
	return hasLess(w, 0x20)|hasByte(w, 0x7f)|w&hi8 == 0
}

// jsonSafe marks the bytes a JSON string holds as they are: printable
// ASCII but '"' and '\\'.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSONString appends s as a JSON string. Quotes, backslashes and
// control characters are escaped, U+2028 and U+2029 too (JavaScript reads
// them as line ends), and each byte of invalid UTF-8 becomes U+FFFD, as
// encoding/json does; '<', '>' and '&' are written as they are
// (FuzzEncoders compares it with encoding/json).
func appendJSONString[T []byte | string](dst []byte, s T) []byte {
	return appendJSON(dst, s, false)
}

// appendJSONField appends a value as written in a log as the JSON string
// of its decoded text: the log's escapes \r, \n and \\ (see
// msgtrk.AppendUnescaped) are already JSON's, so they are copied as they
// are, and any other backslash is escaped. It equals
// appendJSONString(msgtrk.AppendUnescaped(nil, v)) in one pass
// (TestAppendJSONField).
func appendJSONField(dst, v []byte) []byte { return appendJSON(dst, v, true) }

func appendJSON[T []byte | string](dst []byte, s T, logEscapes bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		for i+16 <= len(s) && jsonPlain(load64(s, i)) && jsonPlain(load64(s, i+8)) {
			i += 16
		}
		for i+8 <= len(s) && jsonPlain(load64(s, i)) {
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
				if logEscapes && i+1 < len(s) && (s[i+1] == 'r' || s[i+1] == 'n' || s[i+1] == '\\') {
					dst = append(dst, '\\', s[i+1])
					i++
				} else {
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
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := decodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendJSONRecordTime appends the time of a row: its date-time as written
// when that is already the JSON form (RFC 3339, UTC, milliseconds: most
// logs write it so), else the parsed time formatted, else null.
func appendJSONRecordTime(dst []byte, raw []byte, t time.Time, ok bool) []byte {
	if !ok {
		return append(dst, "null"...)
	}
	if canonicalTime(raw) {
		dst = append(dst, '"')
		dst = append(dst, raw...)
		return append(dst, '"')
	}
	return appendJSONTime(dst, t)
}

// canonicalTime reports whether a date-time that parsed has the shape
// 2006-01-02T15:04:05.000Z: the length and the separators tell, the parse
// having checked the digits.
func canonicalTime(b []byte) bool {
	return len(b) == len(jsonTimeLayout) && b[4] == '-' && b[7] == '-' && b[10] == 'T' &&
		b[13] == ':' && b[16] == ':' && b[19] == '.' && b[23] == 'Z'
}

// jsonTimeLayout is the one form of every time in JSON output: RFC 3339 in
// UTC with milliseconds, as msgtrk.AppendTime writes it.
const jsonTimeLayout = "2006-01-02T15:04:05.000Z"

// appendJSONTime appends t as a JSON string in UTC with milliseconds, or
// null for the zero time.
func appendJSONTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(dst, "null"...)
	}
	dst = append(dst, '"')
	dst = msgtrk.AppendTime(dst, t)
	return append(dst, '"')
}

// appendSeconds appends d in seconds with millisecond precision, as a
// number.
func appendSeconds(dst []byte, d time.Duration) []byte {
	return strconv.AppendFloat(dst, float64(d.Milliseconds())/1000, 'f', -1, 64)
}

// appendTime appends t for a table or CSV cell: in UTC with a Z, or in loc
// with its offset; sep separates the date from the clock ('T' or ' ').
func appendTime(dst []byte, t time.Time, loc *time.Location, sep byte) []byte {
	if t.IsZero() {
		return dst
	}
	if loc == time.UTC {
		if sep == ' ' {
			return t.UTC().AppendFormat(dst, "2006-01-02 15:04:05.000Z")
		}
		return msgtrk.AppendTime(dst, t)
	}
	if sep == ' ' {
		return t.In(loc).AppendFormat(dst, "2006-01-02 15:04:05.000 -07:00")
	}
	return t.In(loc).AppendFormat(dst, "2006-01-02T15:04:05.000-07:00")
}

// A CSV cell is quoted (RFC 4180) when it holds a comma, a quote or a line
// break, or starts with a blank. A cell from the logs that would start a
// formula in a spreadsheet (=, +, -, @, tab or carriage return: the
// characters OWASP's "CSV Injection" page lists) gets an apostrophe in
// front, which spreadsheets take as "this cell is text" and do not show;
// cells that are plain numbers ("-0.25") are left alone, since no number is
// a formula.

// appendCSVCell appends one cell from the logs, quoted when needed and
// neutralised when it could start a formula.
func appendCSVCell[T []byte | string](dst []byte, s T) []byte {
	neutralise := len(s) > 0 && startsFormula(s[0]) && !isNumber(s)
	if !neutralise && !csvNeedsQuotes(s) {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	if neutralise {
		dst = append(dst, '\'')
	}
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, s[start:i+1]...)
			dst = append(dst, '"')
			start = i + 1
		}
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendCSVField appends a value as written in a log as the CSV cell of
// its decoded text (msgtrk.AppendUnescaped, then appendCSVCell), copying it
// as it is in the common case of a value with nothing to decode, quote or
// neutralise; scratch holds the decoded text otherwise.
func appendCSVField(dst, v []byte, scratch *[]byte) []byte {
	if len(v) > 0 && !startsFormula(v[0]) && v[0] != ' ' && csvPlain(v) {
		return append(dst, v...)
	}
	*scratch = msgtrk.AppendUnescaped((*scratch)[:0], v)
	return appendCSVCell(dst, *scratch)
}

// csvPlain reports whether v holds none of ',', '"', '\\' and the control
// characters below 0x0e (CR and LF among them), eight bytes at a time.
func csvPlain(v []byte) bool {
	i := 0
	for ; i+8 <= len(v); i += 8 {
		w := load64(v, i)
		if hasLess(w, 0x0e)|hasByte(w, ',')|hasByte(w, '"')|hasByte(w, '\\') != 0 {
			return false
		}
	}
	for ; i < len(v); i++ {
		if c := v[i]; c < 0x0e || c == ',' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func startsFormula(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

func csvNeedsQuotes[T []byte | string](s T) bool {
	if len(s) == 0 {
		return false
	}
	if s[0] == ' ' || s[0] == '\t' {
		return true
	}
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := load64(s, i)
		if hasByte(w, ',')|hasByte(w, '"')|hasByte(w, '\r')|hasByte(w, '\n') != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	return false
}

// isNumber reports whether s is a decimal number: an optional sign, digits
// with at most one '.', nothing else.
func isNumber[T []byte | string](s T) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits, dot := 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// utf8BOM starts a CSV file written with -excel: without it Excel reads
// the file in the machine's legacy code page and garbles every non-ASCII
// character.
const utf8BOM = "\ufeff"

// appendSafe appends s for a terminal: control characters (C0, DEL, C1),
// the Unicode line and paragraph separators and the bidirectional
// overrides and isolates, which could move the cursor, recolour the screen
// or make text read differently from what it is, are written as Go escapes
// (\r, \n, \t, \x1b, \u202e); bytes that are not UTF-8 as \xNN. Everything
// else, backslashes included, is written as it is.
func appendSafe[T []byte | string](dst []byte, s T) []byte {
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && termPlain(load64(s, i)) {
			i += 8
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != 0x7f {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := decodeRune(s[i:])
		if !unsafeRune(r, size) {
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		if r == utf8.RuneError {
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		} else {
			dst = append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
		}
		i += size
		start = i
	}
	return append(dst, s[start:]...)
}

// unsafeRune reports whether a non-ASCII rune is escaped by appendSafe.
func unsafeRune(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1: // not UTF-8
		return true
	case r >= 0x80 && r <= 0x9f: // C1 controls, CSI among them
		return true
	case r == '\u2028' || r == '\u2029':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069': // bidi embeddings, overrides, isolates
		return true
	}
	return false
}

// safe returns s for a terminal (see appendSafe), allocating only when
// something had to be escaped.
func safe(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return string(appendSafe(make([]byte, 0, len(s)+8), s))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, size) {
			return string(appendSafe(make([]byte, 0, len(s)+8), s))
		}
		i += size
	}
	return s
}
