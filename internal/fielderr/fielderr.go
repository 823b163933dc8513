// Package fielderr holds what the syntax errors of mailtrace share, from
// msgtrk.ParseError to the SyntaxError of each field decoder (eventdata,
// messageinfo, sourcecontext, recipstatus): the excerpt of the input an
// error quotes and its length, the wording of a decoder's message, the
// "first error wins" bookkeeping of lenient parsers, and the mapping of an
// offset in an unquoted value to the same byte as written (through CSV or
// apostrophe quoting).
//
// Each package keeps its own error type and sentinels (house rule: one
// typed error per package), all of the same shape: Offset, Excerpt, Err
// (eventdata adds the Key of a bad value). Everything here runs on failure
// paths except First.Set and RawOffset, which do no allocation. The
// functions are safe for concurrent use; a First is not.
package fielderr

import (
	"fmt"
)

// ExcerptLen is the most bytes of input an error of mailtrace copies into
// its Excerpt: enough to recognise the place, short enough for one line of
// a terminal.
const ExcerptLen = 40

// Excerpt clamps off to [0, len(b)] and returns it with a copy of at most
// ExcerptLen bytes of b starting there. Copying keeps an error from holding
// on to the caller's buffer. It allocates the copy.
func Excerpt(b []byte, off int) (int, string) {
	off = max(0, min(off, len(b)))
	end := min(off+ExcerptLen, len(b))
	return off, string(b[off:end])
}

// Message formats the message of a decoder's SyntaxError:
// `<err> at offset <off> near "<excerpt>"`, or `<err> at offset <off> (at
// end)` when the excerpt is empty, followed by ` (key "<key>")` when key is
// not empty. err's own message carries the package prefix.
func Message(err error, off int, key, excerpt string) string {
	var s string
	if excerpt == "" {
		s = fmt.Sprintf("%v at offset %d (at end)", err, off)
	} else {
		s = fmt.Sprintf("%v at offset %d near %q", err, off, excerpt)
	}
	if key != "" {
		s += fmt.Sprintf(" (key %q)", key)
	}
	return s
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
