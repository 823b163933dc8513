package messageinfo

import (
	"errors"

	"github.com/mailtrace/mailtrace/internal/fielderr"
)

// Sentinel errors. They travel inside a [SyntaxError]; test them with
// errors.Is.
var (
	// ErrAuthCode: the value is not an auth code (two hex digits, a letter,
	// then ':' or the end).
	ErrAuthCode = errors.New("messageinfo: malformed auth code")
	// ErrTime: a timestamp is not in RFC 3339 form.
	ErrTime = errors.New("messageinfo: malformed timestamp")
	// ErrLatency: the latency string does not follow the grammar (missing
	// "SRV="/"LSRV=", a record without '=', unbalanced parentheses, a stray
	// delimiter, ...).
	ErrLatency = errors.New("messageinfo: malformed latency string")
	// ErrValue: a latency value is not a decimal number, has more than nine
	// fractional digits, or does not fit a time.Duration.
	ErrValue = errors.New("messageinfo: malformed latency value")
	// ErrTooDeep: a record is nested deeper than MaxDepth.
	ErrTooDeep = errors.New("messageinfo: latency tree too deep")
	// ErrTooManyNodes: the latency string has more than MaxNodes records.
	ErrTooManyNodes = errors.New("messageinfo: too many latency records")
	// ErrTooManyHops: the latency string has more than MaxHops servers.
	ErrTooManyHops = errors.New("messageinfo: too many latency hops")
	// ErrTooLong: the input is longer than MaxInputBytes.
	ErrTooLong = errors.New("messageinfo: input too long")
)

// SyntaxError reports where a message-info value stopped making sense.
// Offset is the 0-based byte offset in the value given to the parser;
// Excerpt is a copy of at most 40 bytes of input starting there; Err is one
// of the sentinel errors above.
//
// The input is copied only when the error is built, so that a successful
// parse never allocates (strconv's rule).
type SyntaxError struct {
	Offset  int
	Excerpt string
	Err     error
}

// Error formats the error as `<sentinel> at offset <n> near "<excerpt>"`.
func (e *SyntaxError) Error() string { return fielderr.Message(e.Err, e.Offset, "", e.Excerpt) }

// Unwrap returns the sentinel error.
func (e *SyntaxError) Unwrap() error { return e.Err }

// syntaxError builds a *SyntaxError; it copies the excerpt (allocates).
func syntaxError(src []byte, off int, err error) error {
	off, ex := fielderr.Excerpt(src, off)
	return &SyntaxError{Offset: off, Excerpt: ex, Err: err}
}
