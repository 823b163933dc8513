// Package fielderr holds what the syntax errors of mailtrace's field
// decoders (eventdata, messageinfo, sourcecontext, recipstatus) share: the
// copy of a short excerpt of the input, the "first error wins" bookkeeping
// of lenient parsers, and the translation of an offset in a decoded value
// into a position of the log line (*msgtrk.ParseError).
//
// Each decoder keeps its own error type and sentinels (house rule: one
// typed error per package); only the helpers live here. Everything runs on
// failure paths except First.Set's check, which does no allocation. The
// functions are safe for concurrent use; a First is not.
package fielderr

import (
	"fmt"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// Excerpt clamps off to [0, len(b)] and returns it with a copy of at most n
// bytes of b starting there. Copying keeps an error from holding on to the
// caller's buffer. It allocates the copy.
func Excerpt(b []byte, off, n int) (int, string) {
	off = max(0, min(off, len(b)))
	end := min(off+max(n, 0), len(b))
	return off, string(b[off:end])
}

// Message formats the message of a decoder's SyntaxError:
// `<err> at offset <off> near "<excerpt>"`, or `<err> at offset <off> (at
// end)` when the excerpt is empty. err's own message carries the package
// prefix.
func Message(err error, off int, excerpt string) string {
	if excerpt == "" {
		return fmt.Sprintf("%v at offset %d (at end)", err, off)
	}
	return fmt.Sprintf("%v at offset %d near %q", err, off, excerpt)
}

// Shorten returns a copy of b, cut to n bytes and followed by "…" when b is
// longer. It allocates the copy.
func Shorten(b []byte, n int) string {
	if len(b) > n {
		return string(b[:max(n, 0)]) + "…"
	}
	return string(b)
}

// First keeps the error nearest the start of the input met by a lenient
// parse: among the errors Set is given, the one with the lowest offset (the
// earliest given on a tie). The zero First holds no error.
type First struct {
	Off  int   // offset of the error in the parsed input
	Kind error // the sentinel error; nil when none was set
}

// Set records kind at off unless an error at a lower or equal offset is
// already recorded.
func (f *First) Set(off int, kind error) {
	if f.Kind == nil || off < f.Off {
		f.Off, f.Kind = off, kind
	}
}

// RawOffset maps off, an offset in the unquoted text of a value, to the
// offset of the same byte in raw, the value as written. raw is quoted when
// it starts with quote; its inner quotes are then doubled and its closing
// quote (if any) ends it. For an unquoted raw, RawOffset returns off. An
// offset at or past the end of the unquoted text maps past its last byte.
//
// With quote '"' it undoes CSV quoting (msgtrk.Record.Raw against
// Record.Field); with the apostrophe it undoes the apostrophe quoting of list members
// (msgtrk.ListScanner.Raw against Bytes).
func RawOffset(raw []byte, quote byte, off int) int {
	off = max(off, 0)
	if len(raw) == 0 || raw[0] != quote {
		return off
	}
	i, n := 1, 0 // i indexes raw, n counts the unquoted bytes before raw[i]
	for i < len(raw) && n < off {
		if raw[i] == quote {
			if i+1 < len(raw) && raw[i+1] == quote {
				i += 2
				n++
				continue
			}
			break // the closing quote
		}
		i++
		n++
	}
	return i + (off - n)
}

// At returns the *msgtrk.ParseError for the byte at offset off of
// rec.Field(f): the row's file, line, column and input offset, exact through
// the field's CSV quoting (Record.FieldError maps the offset past doubled
// quotes), wrapping err.
func At(rec *msgtrk.Record, f msgtrk.Field, off int, err error) *msgtrk.ParseError {
	return rec.FieldError(f, off, err)
}
