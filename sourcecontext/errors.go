package sourcecontext

import (
	"errors"

	"github.com/mailtrace/mailtrace/internal/fielderr"
	"github.com/mailtrace/mailtrace/recipstatus"
)

// Sentinel errors. They travel inside a [*SyntaxError]; test for them with
// [errors.Is]. Errors of the SMTP reply inside a context are those of
// package recipstatus (recipstatus.ErrCode), wrapped the same way.
var (
	// ErrSyntax reports a context whose parts are not where they should be:
	// a missing ';' or text after the last part.
	ErrSyntax = errors.New("sourcecontext: malformed context")
	// ErrSessionID reports a session id that is not 16 hexadecimal digits.
	ErrSessionID = errors.New("sourcecontext: malformed session id")
	// ErrTime reports a time that is not an RFC 3339 date-time (see
	// msgtrk.ParseTime).
	ErrTime = errors.New("sourcecontext: malformed time")
	// ErrOrdinal reports a message ordinal that is not a decimal number.
	ErrOrdinal = errors.New("sourcecontext: malformed message ordinal")
	// ErrPair reports a STOREDRIVER list entry without "Key:".
	ErrPair = errors.New("sourcecontext: malformed key:value entry")
	// ErrEvent reports an Event value that is not a decimal int64.
	ErrEvent = errors.New("sourcecontext: malformed event number")
	// ErrNextHop reports an InternalId (after un-swapping) that is not a
	// decimal int64.
	ErrNextHop = errors.New("sourcecontext: malformed next-hop internal id")
	// ErrDSNType reports a member of a DSN row's list that names no DSN
	// type this package knows (see [ParseDSN]).
	ErrDSNType = errors.New("sourcecontext: unknown DSN type")
	// ErrTooMany reports a STOREDRIVER list with more than [MaxPairs]
	// entries.
	ErrTooMany = errors.New("sourcecontext: too many entries")
)

// SyntaxError is the error type of this package. It records where in the
// parsed input the problem was found and wraps a sentinel error (one of this
// package's, or of package recipstatus for the SMTP reply). Creating one
// copies a short excerpt of the input, so it never aliases the caller's
// buffer.
type SyntaxError struct {
	// Offset is the byte offset in the input passed to the Parse function
	// that returned the error.
	Offset int
	// Excerpt is a copy of at most 40 bytes of input starting at Offset.
	Excerpt string
	// Err is the sentinel error.
	Err error
}

// Error formats the error as `<sentinel> at offset <n> near "<excerpt>"`.
func (e *SyntaxError) Error() string { return fielderr.Message(e.Err, e.Offset, "", e.Excerpt) }

// Unwrap returns the sentinel error.
func (e *SyntaxError) Unwrap() error { return e.Err }

func newSyntaxError(b []byte, off int, err error) *SyntaxError {
	off, ex := fielderr.Excerpt(b, off)
	return &SyntaxError{Offset: off, Excerpt: ex, Err: err}
}

// errState keeps the error with the lowest offset seen so far (see
// fielderr.First): "the first error" of a lenient parse is the one nearest
// to the start of the input.
type errState struct{ fielderr.First }

// merge takes over an error of package recipstatus returned by a parse of
// a part that starts at base. It runs on failure paths only.
func (e *errState) merge(base int, err error) {
	if err == nil {
		return
	}
	var se *recipstatus.SyntaxError
	if errors.As(err, &se) {
		e.Set(base+se.Offset, se.Err)
		return
	}
	e.Set(base, err)
}

func (e *errState) err(in []byte) error {
	if e.Kind == nil {
		return nil
	}
	return newSyntaxError(in, e.Off, e.Kind)
}
