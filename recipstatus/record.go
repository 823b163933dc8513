package recipstatus

import (
	"github.com/mailtrace/mailtrace/msgtrk"
)

// ParseRecord is [Parse] on the status member of the recipient s is at: the
// record form of Parse, as DecodeRecord, AppendLatencyRecord and
// ParseRecord are in the other decoders. s pairs each address with its
// status:
//
//	var s msgtrk.RecipientScanner
//	s.Init(rec)
//	for s.Next() {
//		st, err := recipstatus.ParseRecord(&s)
//		if err != nil { … } // positioned, lenient: st is still filled
//		use(s.Address(), st)
//	}
//	if err := s.Err(); err != nil { … } // a list quoting error
//
// A recipient without status member (most events) gives the zero Status
// and no error. It is as lenient as Parse. An error is a *msgtrk.ParseError
// carrying the row's file, line and the byte column in the line of the
// problem inside the member (exact through the list's apostrophe quoting
// and the field's CSV quoting), with Field "recipient-status", wrapping the
// *[SyntaxError] of Parse.
//
// The slices of the Status alias the record or s's buffers and are valid
// until s's next call to Next. ParseRecord does no allocation unless it
// returns an error; it is not safe for concurrent use with other users of s
// or of its record.
func ParseRecord(s *msgtrk.RecipientScanner) (Status, error) {
	m := s.Status()
	if m == nil {
		return Status{}, nil
	}
	st, err := Parse(m)
	if err == nil {
		return st, nil
	}
	off := 0
	if se, ok := err.(*SyntaxError); ok {
		off = se.Offset
	}
	return st, s.StatusError(off, err)
}
