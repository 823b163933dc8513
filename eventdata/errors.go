package eventdata

import (
	"errors"
	"strconv"
	"strings"

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

// maxExcerpt bounds the input copied into a SyntaxError.
const maxExcerpt = 48

// SyntaxError reports a problem at a byte offset of the custom-data (or
// EventData, or AGENTINFO group) text that was given to the scanner.
//
// Offset is 0-based and counts bytes of that text. Key is the member's key
// when the problem lies in the value of a known member, otherwise "".
// Excerpt is a short copy of the offending input. Err is one of the
// sentinel errors of this package.
//
// A SyntaxError is created only on failure; the copy of the input it holds
// is the only allocation of an error path.
type SyntaxError struct {
	Offset  int
	Key     string
	Excerpt string
	Err     error
}

// Error formats the error as
// `eventdata: offset 17: key "E2ELatency": invalid value: "1,5"`.
func (e *SyntaxError) Error() string {
	var b strings.Builder
	b.WriteString("eventdata: offset ")
	b.WriteString(strconv.Itoa(e.Offset))
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString("key ")
		b.WriteString(strconv.Quote(e.Key))
		b.WriteString(": ")
	}
	msg := "error"
	if e.Err != nil {
		msg = strings.TrimPrefix(e.Err.Error(), "eventdata: ")
	}
	b.WriteString(msg)
	if e.Excerpt != "" {
		b.WriteString(": ")
		b.WriteString(strconv.Quote(e.Excerpt))
	}
	return b.String()
}

// Unwrap returns the sentinel error.
func (e *SyntaxError) Unwrap() error { return e.Err }

// newSyntaxError copies a shortened excerpt of in. It is called only on
// failure, so the success path never copies input.
func newSyntaxError(off int, key []byte, in []byte, err error) *SyntaxError {
	return &SyntaxError{Offset: off, Key: fielderr.Shorten(key, maxExcerpt), Excerpt: fielderr.Shorten(in, maxExcerpt), Err: err}
}
