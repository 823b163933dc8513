package smtplog

import (
	"errors"

	"github.com/mailtrace/mailtrace/internal/fielderr"
	"github.com/mailtrace/mailtrace/recipstatus"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// Sentinel errors. A row's errors travel inside a *msgtrk.ParseError (file,
// line, column); a decoder's inside a [*SyntaxError] (offset). Test for
// them with [errors.Is].
var (
	// ErrNotProtocolLog: the rows' header is not the one of an SMTP
	// protocol log or of a connectivity log (format.md §14.2, §14.4): a
	// message tracking log, or another Exchange log, was given.
	ErrNotProtocolLog = errors.New("smtplog: not an SMTP protocol log or connectivity log")
	// ErrSessionID: a session id that is not 1 to 16 hexadecimal digits.
	ErrSessionID = errors.New("smtplog: malformed session id")
	// ErrSequence: a sequence number that is not a decimal number.
	ErrSequence = errors.New("smtplog: malformed sequence number")
	// ErrEvent: an event (or connectivity direction) other than + - > < *.
	ErrEvent = errors.New("smtplog: unknown event")
	// ErrCommand: an SMTP command line without a verb.
	ErrCommand = errors.New("smtplog: malformed SMTP command")
	// ErrPath: a MAIL FROM or RCPT TO argument whose <path> is not closed.
	ErrPath = errors.New("smtplog: malformed address path")
	// ErrParam: a key=value parameter (of XPROXYFROM) whose value does not
	// have the key's type.
	ErrParam = errors.New("smtplog: malformed parameter")
	// ErrNumber: a number (a size, a record id, a strength in bits, a count)
	// that is not decimal or is out of range.
	ErrNumber = errors.New("smtplog: malformed number")
	// ErrPhrase: an information text that does not have the wording its
	// first words announce (a TLS line without its "with strength" parts,
	// a "sending message" without "and InternetMessageId").
	ErrPhrase = errors.New("smtplog: unexpected wording")
)

// SyntaxError is the error type of this package's decoders. It records
// where in the parsed input the problem was found and wraps a sentinel
// error (one of this package's, or of package recipstatus for a reply's
// code, or of package sourcecontext for a session context). Creating one
// copies a short excerpt of the input, so it never aliases the caller's
// buffer.
type SyntaxError struct {
	// Offset is the byte offset in the input passed to the Parse function
	// that returned the error.
	Offset int
	// Excerpt is a copy of at most fielderr.ExcerptLen bytes of input
	// starting at Offset.
	Excerpt string
	// Err is the sentinel error.
	Err error
}

// Error formats the error as `<sentinel> at offset <n> near "<excerpt>"`.
func (e *SyntaxError) Error() string { return fielderr.Message(e.Err, e.Offset, "", e.Excerpt) }

// Unwrap returns the sentinel error.
func (e *SyntaxError) Unwrap() error { return e.Err }

// errState keeps the error nearest the start of the input (fielderr.First).
type errState struct{ fielderr.First }

// err returns the recorded error as a *SyntaxError over b, or nil.
func (e *errState) err(b []byte) error {
	if e.Kind == nil {
		return nil
	}
	off, ex := fielderr.Excerpt(b, e.Off)
	return &SyntaxError{Offset: off, Excerpt: ex, Err: e.Kind}
}

// merge takes over an error of another decoder (a *SyntaxError of package
// recipstatus or sourcecontext, or of this package) found in a part that
// starts at base. It runs on failure paths only.
func (e *errState) merge(base int, err error) {
	if err == nil {
		return
	}
	var rs *recipstatus.SyntaxError
	if errors.As(err, &rs) {
		e.Set(base+rs.Offset, rs.Err)
		return
	}
	var sc *sourcecontext.SyntaxError
	if errors.As(err, &sc) {
		e.Set(base+sc.Offset, sc.Err)
		return
	}
	var se *SyntaxError
	if errors.As(err, &se) {
		e.Set(base+se.Offset, se.Err)
		return
	}
	e.Set(base, err)
}
