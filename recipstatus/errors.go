package recipstatus

import (
	"errors"

	"github.com/mailtrace/mailtrace/internal/fielderr"
)

// Sentinel errors. They travel inside a [*SyntaxError]; test for them with
// [errors.Is].
var (
	// ErrCode reports an SMTP reply that does not start with a three-digit
	// code whose first digit is 1 to 5.
	ErrCode = errors.New("recipstatus: malformed smtp reply code")
	// ErrLastError reports a LastError blob that is not "[{" … "}]", or an
	// item in it without "=".
	ErrLastError = errors.New("recipstatus: malformed lasterror blob")
	// ErrTime reports an LRT value that is not a date and time in any of the
	// shapes described at [ParseLocalTime].
	ErrTime = errors.New("recipstatus: malformed local time")
	// ErrTrailer reports, to a [PairScanner], text that is not a "[Key:
	// Value]" group.
	ErrTrailer = errors.New("recipstatus: malformed trailer group")
	// ErrTooMany reports a LastError blob with more than [MaxItems] items or a
	// diagnostic with more than [MaxTrailerPairs] trailer pairs.
	ErrTooMany = errors.New("recipstatus: too many items")
)

// SyntaxError is the error type of this package. It records where in the
// parsed input the problem was found and wraps one of the sentinel errors.
// Creating one copies a short excerpt of the input, so a SyntaxError never
// aliases the caller's buffer.
type SyntaxError struct {
	// Offset is the byte offset in the input passed to the Parse function
	// that returned the error.
	Offset int
	// Excerpt is a copy of at most 40 bytes of input starting at Offset.
	Excerpt string
	// Err is one of the package's sentinel errors.
	Err error
}

// Error formats the error as `<sentinel> at offset <n> near "<excerpt>"`.
func (e *SyntaxError) Error() string { return fielderr.Message(e.Err, e.Offset, "", e.Excerpt) }

// Unwrap returns the sentinel error.
func (e *SyntaxError) Unwrap() error { return e.Err }

// newSyntaxError builds the error; b is the whole input and off an offset in
// it. It is only called on failure paths, so the success path never
// allocates.
func newSyntaxError(b []byte, off int, err error) *SyntaxError {
	off, ex := fielderr.Excerpt(b, off)
	return &SyntaxError{Offset: off, Excerpt: ex, Err: err}
}

// errState keeps the error with the lowest offset seen so far (see
// fielderr.First): "the first error" of a lenient parse is the one nearest
// to the start of the input.
type errState struct{ fielderr.First }

func (e *errState) err(in []byte) error {
	if e.Kind == nil {
		return nil
	}
	return newSyntaxError(in, e.Off, e.Kind)
}
