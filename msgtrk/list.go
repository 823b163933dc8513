package msgtrk

import (
	"errors"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/internal/fielderr"
)

// ErrListQuote reports an apostrophe-quoted list member that is not closed,
// or a closing apostrophe followed by something other than ';' or the end.
var ErrListQuote = errors.New("msgtrk: malformed apostrophe-quoted list member")

// ListScanner iterates the members of a multi-valued field: recipient-address,
// recipient-status, reference and custom-data hold members separated by ';'.
// A member that itself contains ';' or starts with an apostrophe is written
// enclosed in apostrophes, with any apostrophe inside doubled:
//
//	a@x;b@x                  → "a@x", "b@x"
//	'550 5.1.1 a;b';250 OK   → "550 5.1.1 a;b", "250 OK"
//	'it''s'                  → "it's"
//
// As a leniency for values that Exchange did not quote, a member that starts
// with "[{" (the LastError blob of recipient-status) extends to the matching
// "}]" even when it contains ';'.
//
// An empty field has no members; an empty member between two ';' is a member
// of length zero. The zero ListScanner has no members; call [ListScanner.Init].
//
// A ListScanner does no allocation once its scratch buffer has grown to the
// longest member that needed unescaping. It is not safe for concurrent use.
type ListScanner struct {
	src     []byte
	pos     int // start of the next member; len(src)+1 when done
	start   int // offset of the current member's raw bytes
	end     int
	quoted  bool
	escaped bool // quoted member contains ''
	scratch []byte
	err     error
}

// Init resets s to scan src. src is not copied: it must stay unchanged while
// s is in use.
func (s *ListScanner) Init(src []byte) {
	s.src = src
	s.pos = 0
	if len(src) == 0 {
		s.pos = 1
	}
	s.start, s.end = 0, 0
	s.quoted, s.escaped = false, false
	s.err = nil
}

// Next advances to the next member and reports whether there is one. After a
// malformed quoted member Next returns that member (up to the end of the
// field), records the error for [ListScanner.Err] and stops.
func (s *ListScanner) Next() bool {
	if s.pos > len(s.src) {
		return false
	}
	src := s.src
	i := s.pos
	s.start = i
	s.quoted, s.escaped = false, false
	if i < len(src) && src[i] == '\'' {
		s.quoted = true
		j := i + 1
		for {
			if j >= len(src) {
				// Unterminated: the member runs to the end of the field.
				s.end = len(src)
				s.pos = len(src) + 1
				s.err = ErrListQuote
				s.quoted, s.escaped = false, false
				return true
			}
			if src[j] == '\'' {
				if j+1 < len(src) && src[j+1] == '\'' {
					s.escaped = true
					j += 2
					continue
				}
				break
			}
			j++
		}
		// j is the closing apostrophe.
		s.end = j + 1
		switch {
		case j+1 == len(src):
			s.pos = len(src) + 1
		case src[j+1] == ';':
			s.pos = j + 2
		default:
			// Text after the closing apostrophe: keep it in the member.
			k := ascii.IndexByteFrom(src, j+1, ';')
			if k < 0 {
				k = len(src)
			}
			s.end = k
			s.pos = k + 1
			s.err = ErrListQuote
			s.quoted = false
			s.escaped = false
			// Stop after this member: the rest cannot be trusted.
			s.pos = len(src) + 1
		}
		return true
	}
	if i+1 < len(src) && src[i] == '[' && src[i+1] == '{' {
		if k := ascii.IndexFrom(src, i, "}]"); k >= 0 {
			e := k + 2
			if e == len(src) || src[e] == ';' {
				s.end = e
				s.pos = e + 1
				return true
			}
		}
	}
	k := ascii.IndexByteFrom(src, i, ';')
	if k < 0 {
		k = len(src)
	}
	s.end = k
	s.pos = k + 1
	return true
}

// Raw returns the current member as written, including any apostrophes.
// It is a subslice of the source and does no allocation.
func (s *ListScanner) Raw() []byte { return s.src[s.start:s.end] }

// Offset returns the byte offset of the current member in the source.
func (s *ListScanner) Offset() int { return s.start }

// Quoted reports whether the current member was enclosed in apostrophes.
func (s *ListScanner) Quoted() bool { return s.quoted }

// Bytes returns the current member without its apostrophe quoting. For an
// unquoted member, or a quoted member without doubled apostrophes, it is a
// subslice of the source; otherwise it is built in the scanner's scratch
// buffer. Either way it is valid until the next call to Next or Init, must not
// be modified, and costs no allocation once the scratch buffer has grown.
func (s *ListScanner) Bytes() []byte {
	if !s.quoted {
		return s.src[s.start:s.end]
	}
	inner := s.src[s.start+1 : s.end-1]
	if !s.escaped {
		return inner
	}
	s.scratch = appendUnquoteApos(s.scratch[:0], inner)
	return s.scratch
}

// Err returns the first error met, or nil.
func (s *ListScanner) Err() error { return s.err }

func appendUnquoteApos(dst, inner []byte) []byte {
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		dst = append(dst, c)
		if c == '\'' && i+1 < len(inner) && inner[i+1] == '\'' {
			i++
		}
	}
	return dst
}

// AppendListMember appends v to dst as one list member, quoting it with
// apostrophes (doubling those inside) when it holds ';', an apostrophe or a
// line break, as Exchange does (format.md §3.2), or starts like a
// LastError blob ("[{", which ListScanner reads leniently). It is the
// inverse of [ListScanner.Bytes].
func AppendListMember(dst, v []byte) []byte {
	if !listMemberNeedsQuote(v) {
		return append(dst, v...)
	}
	return appendEnclosed(dst, v, '\'')
}

func listMemberNeedsQuote(v []byte) bool {
	if len(v) > 1 && v[0] == '[' && v[1] == '{' {
		return true
	}
	for _, c := range v {
		switch c {
		case ';', '\'', '\r', '\n':
			return true
		}
	}
	return false
}

// RecipientScanner iterates recipient-address and recipient-status
// together, pairing them by position: the n-th status belongs to the n-th
// address. A row with fewer statuses than addresses (or none, as on most
// events) gives an empty status; extra statuses are ignored and counted in
// Unpaired. A decoder of the status members positions its errors in the
// line with [RecipientScanner.StatusError] (recipstatus.ParseRecord does).
//
// It does no allocation once its scratch buffers have grown. It is not safe
// for concurrent use, nor with other users of the record (the record's
// accessors share a scratch buffer).
type RecipientScanner struct {
	rec          *Record
	addr, status ListScanner
	n            int
	statusOK     bool
}

// Init resets s to scan the recipients of r.
func (s *RecipientScanner) Init(r *Record) {
	s.rec = r
	s.addr.Init(r.Field(RecipientAddress))
	s.status.Init(r.Field(RecipientStatus))
	s.n = -1
	s.statusOK = false
}

// Next advances to the next recipient.
func (s *RecipientScanner) Next() bool {
	if !s.addr.Next() {
		return false
	}
	s.n++
	s.statusOK = s.status.Next()
	return true
}

// Index returns the 0-based position of the current recipient.
func (s *RecipientScanner) Index() int { return s.n }

// Address returns the current recipient's address, valid until Next.
func (s *RecipientScanner) Address() []byte { return s.addr.Bytes() }

// Status returns the current recipient's status, or nil when the row has
// none for it. Valid until Next.
func (s *RecipientScanner) Status() []byte {
	if !s.statusOK {
		return nil
	}
	return s.status.Bytes()
}

// StatusError wraps err, found at byte offset off of the current status
// (as Status returns it, unquoted), in a *ParseError carrying the row's
// file, line and the column of that byte in the line: exact through the
// member's apostrophe quoting and the field's CSV quoting, as
// [Record.FieldError] is for a whole field. It allocates the error.
func (s *RecipientScanner) StatusError(off int, err error) *ParseError {
	off = s.status.Offset() + fielderr.RawOffset(s.status.Raw(), '\'', off)
	return s.rec.FieldError(RecipientStatus, off, err)
}

// Unpaired returns the number of statuses left over after the last address
// (call it after Next has returned false). A non-zero count means the two
// lists do not pair up.
func (s *RecipientScanner) Unpaired() int {
	n := 0
	for s.status.Next() {
		n++
	}
	return n
}

// Err returns the first quoting error of either list.
func (s *RecipientScanner) Err() error {
	if err := s.addr.Err(); err != nil {
		return err
	}
	return s.status.Err()
}
