package main

import (
	"time"
	"unicode/utf8"

	"github.com/mailtrace/mailtrace/internal/textenc"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// The append encoders below write the cells of every output format into a
// caller's buffer: no map, no reflection and no allocation per row.

// termPlain reports whether none of the 8 bytes of w needs attention from
// appendSafe: all ASCII, none a control character or DEL.
func termPlain(w uint64) bool {
	return textenc.HasLess(w, 0x20)|textenc.HasByte(w, 0x7f)|w&textenc.Hi8 == 0
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
// number written as encoding/json writes one (textenc.AppendJSONFloat).
func appendSeconds(dst []byte, d time.Duration) []byte {
	return textenc.AppendJSONFloat(dst, float64(d.Milliseconds())/1000)
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
		w := textenc.Load64(v, i)
		if textenc.HasLess(w, 0x0e)|textenc.HasByte(w, ',')|textenc.HasByte(w, '"')|textenc.HasByte(w, '\\') != 0 {
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
		w := textenc.Load64(s, i)
		if textenc.HasByte(w, ',')|textenc.HasByte(w, '"')|textenc.HasByte(w, '\r')|textenc.HasByte(w, '\n') != 0 {
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
		if i+8 <= len(s) && termPlain(textenc.Load64(s, i)) {
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
				dst = append(dst, '\\', 'x', textenc.HexDigits[c>>4], textenc.HexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := textenc.DecodeRune(s[i:])
		if !unsafeRune(r, size) {
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		if r == utf8.RuneError {
			dst = append(dst, '\\', 'x', textenc.HexDigits[c>>4], textenc.HexDigits[c&0xf])
		} else {
			dst = append(dst, '\\', 'u', textenc.HexDigits[r>>12&0xf], textenc.HexDigits[r>>8&0xf], textenc.HexDigits[r>>4&0xf], textenc.HexDigits[r&0xf])
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
