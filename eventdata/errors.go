package eventdata

import (
	"errors"

	"github.com/mailtrace/mailtrace/internal/fielderr"
)

// Sentinel errors. They travel inside a [SyntaxError]; test them with
// errors.Is.
var (
	// ErrNoTag: a custom-data member does not start with a type tag and ':'
	// (such as "S:"), or its tag is not made of ASCII letters and digits.
	ErrNoTag = errors.New("eventdata: member has no type tag")
	// ErrNoEquals: a custom-data member has no '=' after its key.
	ErrNoEquals = errors.New("eventdata: member has no '='")
	// ErrNoKey: a custom-data member has an empty key ("S:=v").
	ErrNoKey = errors.New("eventdata: member has an empty key")
	// ErrQuote: an apostrophe-quoted member is not closed, or its closing
	// apostrophe is followed by something other than ';'. The scanner
	// stops there (see [Scanner]).
	ErrQuote = errors.New("eventdata: malformed apostrophe-quoted member")
	// ErrTooManyMembers: the input has more than [MaxMembers] members (or
	// PowerShell pairs). Scanning stops there in every mode.
	ErrTooManyMembers = errors.New("eventdata: too many members")
	// ErrTruncated: the input ends where more was due: an AGENTINFO group
	// that ends with '|', or a PowerShell rendering without its closing
	// ']' or '}'. It is what a value cut off by a truncated log line or a
	// clipped paste looks like.
	ErrTruncated = errors.New("eventdata: truncated value")
	// ErrEmptyPart: an AGENTINFO group holds an empty part ("a||b").
	ErrEmptyPart = errors.New("eventdata: empty group part")
	// ErrPowerShell: the PowerShell rendering lacks a '{', '[', ',' or a
	// separator where one is due, or has text after the closing '}'.
	ErrPowerShell = errors.New("eventdata: malformed PowerShell rendering")
	// ErrValue: the value of a well-known key does not have the syntax of
	// its type (a latency that is not decimal seconds, an invalid GUID or
	// IP address, ...). The raw value stays available.
	ErrValue = errors.New("eventdata: invalid value")
)

// SyntaxError reports a problem at a byte offset of the custom-data (or
// EventData, or AGENTINFO group) text that was given to the parser.
//
// Offset is 0-based and counts bytes of that text. Excerpt is a copy of at
// most 40 bytes of the text starting at Offset. Key is the member's key (at
// most 40 bytes of it) when the problem lies in the value of a known key,
// otherwise "". Err is one of the sentinel errors of this package.
//
// A SyntaxError is created only on failure; the copies it holds are the
// only allocations of an error path.
type SyntaxError struct {
	Offset  int
	Excerpt string
	Key     string
	Err     error
}

// Error formats the error as
// `eventdata: invalid value at offset 13 near "1,5" (key "E2ELatency")`.
func (e *SyntaxError) Error() string { return fielderr.Message(e.Err, e.Offset, e.Key, e.Excerpt) }

// Unwrap returns the sentinel error.
func (e *SyntaxError) Unwrap() error { return e.Err }

// newSyntaxError builds the error for err at offset off of src, naming key
// when the problem is a bad value. It is called only on failure, so the
// success path never copies input.
func newSyntaxError(src []byte, off int, key []byte, err error) *SyntaxError {
	off, ex := fielderr.Excerpt(src, off)
	_, k := fielderr.Excerpt(key, 0)
	return &SyntaxError{Offset: off, Excerpt: ex, Key: k, Err: err}
}
