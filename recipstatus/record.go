package recipstatus

import (
	"github.com/mailtrace/mailtrace/internal/fielderr"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// RecipientScanner iterates the recipients of a row with their decoded
// status. msgtrk.RecipientScanner pairs recipient-address and
// recipient-status by position (the n-th status belongs to the n-th
// address); each status member is decoded by [Parse].
//
//	var s recipstatus.RecipientScanner
//	s.Init(rec)
//	for s.Next() {
//		addr, st := s.Address(), s.Status()
//		if err := s.StatusErr(); err != nil { … } // positioned, lenient: st is still filled
//	}
//	if err := s.Err(); err != nil { … } // a list quoting error
//
// The address and every slice of the Status alias the record or the
// scanner's buffers and are valid until the next call to Next or Init. A
// RecipientScanner does no allocation once the buffers of the underlying
// msgtrk.RecipientScanner have grown, except to build a StatusErr. It is
// not safe for concurrent use, nor with other users of the record (its
// accessors share a scratch buffer).
type RecipientScanner struct {
	rec    *msgtrk.Record
	rs     msgtrk.RecipientScanner
	st     Status
	has    bool
	stErr  error
	parsed error // Parse's error, kept to build stErr on demand
}

// Init resets s to scan the recipients of rec.
func (s *RecipientScanner) Init(rec *msgtrk.Record) {
	s.rec = rec
	s.rs.Init(rec)
	s.st, s.has, s.stErr, s.parsed = Status{}, false, nil, nil
}

// Next advances to the next recipient and decodes its status. It reports
// whether there is one.
func (s *RecipientScanner) Next() bool {
	s.st, s.has, s.stErr, s.parsed = Status{}, false, nil, nil
	if !s.rs.Next() {
		return false
	}
	if m := s.rs.Status(); m != nil {
		s.has = true
		s.st, s.parsed = Parse(m)
	}
	return true
}

// Index returns the 0-based position of the current recipient.
func (s *RecipientScanner) Index() int { return s.rs.Index() }

// Address returns the current recipient's address.
func (s *RecipientScanner) Address() []byte { return s.rs.Address() }

// HasStatus reports whether the row has a status member for the current
// recipient (most events have none).
func (s *RecipientScanner) HasStatus() bool { return s.has }

// Status returns the current recipient's decoded status; the zero Status
// when HasStatus is false. It is filled as far as Parse could decode it
// even when StatusErr is not nil.
func (s *RecipientScanner) Status() Status { return s.st }

// StatusErr returns the error of decoding the current recipient's status,
// or nil. It is a *msgtrk.ParseError carrying the row's file, line and the
// byte column in the line of the problem inside the member (exact through
// the list's apostrophe quoting and the field's CSV quoting), with Field
// "recipient-status", wrapping the *[SyntaxError] of Parse. It allocates
// the error on first call for a recipient.
func (s *RecipientScanner) StatusErr() error {
	if s.parsed == nil || s.stErr != nil {
		return s.stErr
	}
	off := 0
	if se, ok := s.parsed.(*SyntaxError); ok {
		off = se.Offset
	}
	// Find the member again to learn where it starts in the field and
	// how it is quoted; msgtrk.RecipientScanner does not say.
	var ls msgtrk.ListScanner
	ls.Init(s.rec.Field(msgtrk.RecipientStatus))
	for i := 0; i <= s.rs.Index() && ls.Next(); i++ {
		// stop on member Index()
	}
	off = ls.Offset() + fielderr.RawOffset(ls.Raw(), '\'', off)
	s.stErr = fielderr.At(s.rec, msgtrk.RecipientStatus, off, s.parsed)
	return s.stErr
}

// Unpaired returns the number of statuses left over after the last
// address (call it after Next has returned false); see
// msgtrk.RecipientScanner.
func (s *RecipientScanner) Unpaired() int { return s.rs.Unpaired() }

// Err returns the first list quoting error of either field
// (msgtrk.ErrListQuote, as msgtrk.RecipientScanner reports it), or nil.
func (s *RecipientScanner) Err() error { return s.rs.Err() }
