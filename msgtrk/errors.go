package msgtrk

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mailtrace/mailtrace/internal/fielderr"
)

// Sentinel errors. They travel inside a [ParseError]; test them with
// errors.Is.
var (
	// ErrFieldCount: a row has a different number of columns than the
	// #Fields: header announced.
	ErrFieldCount = errors.New("msgtrk: wrong number of fields")
	// ErrQuote: a quoted field is not closed on its line, or its closing
	// quote is followed by something other than ',' or the end of the line.
	ErrQuote = errors.New("msgtrk: extraneous or missing \" in quoted field")
	// ErrBareQuote: a '"' appears inside a field that does not start with one.
	ErrBareQuote = errors.New("msgtrk: bare \" in non-quoted field")
	// ErrInvalidUTF8: the line is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("msgtrk: invalid UTF-8")
	// ErrNUL: the line holds a NUL byte (often a pre-allocated or damaged file).
	ErrNUL = errors.New("msgtrk: NUL byte")
	// ErrLineTooLong: the line is longer than Config.MaxLineBytes. It was
	// skipped without being buffered whole.
	ErrLineTooLong = errors.New("msgtrk: line too long")
	// ErrTruncated: the input ended inside a line (no line ending), as when a
	// server is still writing the file. The partial line is not returned.
	ErrTruncated = errors.New("msgtrk: truncated last line")
	// ErrNoFields: a row arrived before any #Fields: header, and
	// Reader.Fields gave no column list to fall back on.
	ErrNoFields = errors.New("msgtrk: row before any #Fields: header")
	// ErrHeader: a '#' directive line could not be understood.
	ErrHeader = errors.New("msgtrk: malformed header line")
	// ErrTooManyFields: a row or header has more than MaxFields columns.
	ErrTooManyFields = errors.New("msgtrk: too many fields")
	// ErrSyntax: a field's value does not have the syntax of its type
	// (returned by the typed accessors such as Record.Time).
	ErrSyntax = errors.New("msgtrk: invalid syntax")
	// ErrRange: a numeric field's value is out of range.
	ErrRange = errors.New("msgtrk: value out of range")
)

// ParseError reports a problem at a position of the input. Line and Column
// are 1-based; Column counts bytes. Offset is the 0-based byte offset of the
// position in the whole input (after any BOM). Field is the column name when
// the problem lies in a field, otherwise "". Excerpt is a copy of at most 40
// bytes of the line from Column on, or "" (it is the input, never a
// description). Err is one of the sentinel errors above (for ErrFieldCount,
// an error wrapping it that gives the two counts), or an error of a field
// decoder (such as eventdata's *SyntaxError) when the problem was found
// inside a field's value.
type ParseError struct {
	File    string // the file name given to the Reader, or ""
	Line    int64  // line of the problem
	Column  int    // byte column of the problem within the line
	Offset  int64  // byte offset of the problem in the input
	Field   string // field name, or ""
	Excerpt string // a short copy of the input at the problem, or ""
	Err     error
}

// Error formats the error as "msgtrk: file:line:col: field x: reason".
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("msgtrk: ")
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	b.WriteString(strconv.FormatInt(e.Line, 10))
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(e.Column))
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString("field ")
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "msgtrk: "))
	if e.Excerpt != "" {
		b.WriteString(": ")
		b.WriteString(strconv.Quote(e.Excerpt))
	}
	return b.String()
}

// Unwrap returns e.Err.
func (e *ParseError) Unwrap() error { return e.Err }

// excerpt copies at most fielderr.ExcerptLen bytes of b starting at from,
// for an error. Copying (not aliasing) keeps reader buffers from escaping.
func excerpt(b []byte, from int) string {
	_, s := fielderr.Excerpt(b, from)
	return s
}

// fieldCountError is ErrFieldCount with the two counts, for a row with got
// fields under a header of want.
func fieldCountError(got, want int) error {
	return fmt.Errorf("%w (got %d, header has %d)", ErrFieldCount, got, want)
}

// ErrorList is a list of parse errors, in input order.
type ErrorList []*ParseError

// Error returns the first error, followed by "(and N more errors)" when
// there are more.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "msgtrk: no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

// Err returns nil for an empty list and the list itself otherwise, so that a
// function can return list.Err() without the typed-nil pitfall.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Unwrap returns the errors of the list, so that errors.Is and errors.As
// look into each of them.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}
