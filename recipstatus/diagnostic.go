package recipstatus

import (
	"bytes"

	"github.com/mailtrace/mailtrace/internal/ascii"
)

// MaxTrailerPairs bounds the "[Key: Value]" pairs read from the end of a
// diagnostic. Further groups stay in the message text and the parse reports
// [ErrTooMany].
const MaxTrailerPairs = 32

// Diagnostic is a component diagnostic as written by the store driver in
// DELIVERFAIL recipient-status members and inside SMTP replies:
//
//	STOREDRV.Deliver.Exception:MessageSubmissionExceededException.MapiExceptionMaxSubmissionExceeded; Failed to process message … [Stage: OnCreatedEvent][Agent: Meeting Message Processing Agent]
//	QUEUE.Expired;message expired
//
// All slices are subslices of the parsed input: they stay valid as long as
// that input is unchanged and must not be modified. A Diagnostic is a plain
// value, safe to copy and to read from several goroutines.
type Diagnostic struct {
	// Raw is the whole input, as given.
	Raw []byte
	// Code is the dotted diagnostic code before ':' or ';', such as
	// "STOREDRV.Deliver.Exception" or "QUEUE.Expired".
	Code []byte
	// Component is the first label of Code, such as "STOREDRV".
	Component []byte
	// Exception is the exception class path after "Code:" and before ';',
	// such as "MessageSubmissionExceededException.MapiExceptionMaxSubmissionExceeded";
	// empty when Code is followed directly by ';'.
	Exception []byte
	// Message is the text after the first ';', up to the trailer, without
	// the blanks around it.
	Message []byte
	// Trailer is the run of "[Key: Value]" groups that ends the diagnostic,
	// empty when there is none. Read it with [Diagnostic.Lookup] or a
	// [PairScanner].
	Trailer []byte
	// Pairs is the number of groups in Trailer.
	Pairs int
}

// looksLikeDiagnostic reports whether t starts with an upper-case label of
// at least two characters followed by '.' and a letter ("STOREDRV.Deliver",
// "QUEUE.Expired").
func looksLikeDiagnostic(t []byte) bool {
	i := 0
	for i < len(t) && (ascii.IsUpper(t[i]) || ascii.IsDigit(t[i])) {
		i++
	}
	return i >= 2 && ascii.IsUpper(t[0]) && i+1 < len(t) && t[i] == '.' && ascii.IsLetter(t[i+1])
}

// ParseDiagnostic parses a component diagnostic:
//
//	diagnostic = code [ ":" exception ] [ ";" message ] { "[" key ":" value "]" } .
//
// The code runs to the first ':', ';' or blank; the exception to the first
// ';'; the trailer is found from the end (at most [MaxTrailerPairs] groups of
// "[Key: Value]", where Key is letters and digits and Value holds no '[' or
// ']').
// Leading and trailing blanks are ignored.
//
// Lenient: it always fills every part it can find. Its only error is
// [ErrTooMany], for a trailer with too many groups (the extra groups stay in
// Message). It does no allocation unless it returns an error.
func ParseDiagnostic(b []byte) (Diagnostic, error) {
	var es errState
	d := parseDiagnostic(b, &es)
	return d, es.err(b)
}

func parseDiagnostic(b []byte, es *errState) Diagnostic {
	d := Diagnostic{Raw: b}
	t, off := trimSpace(b)
	// Trailer, from the end.
	start := len(t)
	for start > 0 && t[start-1] == ']' {
		open := bytes.LastIndexByte(t[:start-1], '[')
		if open < 0 || !isTrailerPair(t[open+1:start-1]) {
			break
		}
		if d.Pairs == MaxTrailerPairs {
			es.Set(off+open, ErrTooMany)
			break
		}
		d.Pairs++
		start = open
	}
	d.Trailer = t[start:]
	body := trimRight(t[:start])

	i := 0
	for i < len(body) && body[i] != ':' && body[i] != ';' && !ascii.IsSpace(body[i]) {
		i++
	}
	d.Code = body[:i]
	d.Component = d.Code
	for k, c := range d.Code {
		if c == '.' {
			d.Component = d.Code[:k]
			break
		}
	}
	if i < len(body) && body[i] == ':' {
		j := i + 1
		for j < len(body) && body[j] != ';' {
			j++
		}
		d.Exception, _ = trimSpace(body[i+1 : j])
		i = j
	}
	if i < len(body) && body[i] == ';' {
		i++
	}
	d.Message, _ = trimSpace(body[i:])
	return d
}

// isTrailerPair reports whether g (the inside of "[…]") is "Key:" followed
// by an optional value, Key being letters and digits and the value holding
// no '[' or ']'. Checking both brackets here keeps the backward search of
// parseDiagnostic and the forward PairScanner in agreement (fuzz crasher
// 27c448f918da7e6e: "[0:]][0:]" once counted as two groups).
func isTrailerPair(g []byte) bool {
	k := 0
	for k < len(g) && ascii.IsAlnum(g[k]) {
		k++
	}
	if k == 0 || k == len(g) || g[k] != ':' {
		return false
	}
	for _, c := range g[k+1:] {
		if c == '[' || c == ']' {
			return false
		}
	}
	return true
}

// Lookup returns the value of the first trailer pair whose key is key
// (case-sensitive), without the blank after the colon. The value is a
// subslice of the input. It does no allocation.
func (d Diagnostic) Lookup(key string) ([]byte, bool) {
	var s PairScanner
	s.Init(d.Trailer)
	for s.Next() {
		if string(s.Key()) == key {
			return s.Value(), true
		}
	}
	return nil, false
}

// PairScanner iterates the "[Key: Value]" groups of a diagnostic trailer:
//
//	var s recipstatus.PairScanner
//	s.Init(d.Trailer)
//	for s.Next() { use(s.Key(), s.Value()) }
//	if err := s.Err(); err != nil { … }
//
// It has the face of the package's other scanners (sourcecontext's
// PairScanner, eventdata's Scanner): Offset and ValueOffset place the
// current group in the input, and Err reports why the scan stopped early.
// Strict: it stops at the first byte that does not start a well-formed
// group ([ErrTrailer]) and after [MaxTrailerPairs] groups ([ErrTooMany]);
// over a [Diagnostic.Trailer] it never fails.
//
// Key and Value are subslices of the trailer: valid as long as it is
// unchanged, and must not be modified. The zero PairScanner has no pairs.
// It does no allocation unless Err returns an error, and is not safe for
// concurrent use.
type PairScanner struct {
	src        []byte
	pos        int
	n          int
	key, value []byte
	off        int
	valOff     int
	errOff     int
	errKind    error
}

// Init resets s to scan trailer, normally [Diagnostic.Trailer]. trailer is
// not copied.
func (s *PairScanner) Init(trailer []byte) {
	*s = PairScanner{src: trailer}
}

// Next advances to the next group and reports whether there is one.
func (s *PairScanner) Next() bool {
	i := s.pos
	for i < len(s.src) && ascii.IsSpace(s.src[i]) {
		i++
	}
	if i >= len(s.src) {
		s.pos = len(s.src)
		return false
	}
	if s.n == MaxTrailerPairs {
		return s.fail(i, ErrTooMany)
	}
	if s.src[i] != '[' {
		return s.fail(i, ErrTrailer)
	}
	j := i + 1
	for j < len(s.src) && s.src[j] != ']' && s.src[j] != '[' {
		j++
	}
	if j >= len(s.src) || s.src[j] != ']' || !isTrailerPair(s.src[i+1:j]) {
		return s.fail(i, ErrTrailer)
	}
	g := s.src[i+1 : j]
	k := 0
	for g[k] != ':' {
		k++
	}
	s.key = g[:k]
	v := g[k+1:]
	s.valOff = i + 1 + k + 1
	if len(v) > 0 && v[0] == ' ' {
		v = v[1:]
		s.valOff++
	}
	s.value = v
	s.off = i
	s.n++
	s.pos = j + 1
	return true
}

func (s *PairScanner) fail(off int, kind error) bool {
	s.errOff, s.errKind = off, kind
	s.key, s.value = nil, nil
	s.pos = len(s.src)
	return false
}

// Key returns the key of the current group, a subslice of the trailer.
func (s *PairScanner) Key() []byte { return s.key }

// Value returns the value of the current group without the single blank
// after the colon, a subslice of the trailer; it may be empty.
func (s *PairScanner) Value() []byte { return s.value }

// Offset returns the offset of the current group's '[' in the trailer.
func (s *PairScanner) Offset() int { return s.off }

// ValueOffset returns the offset of the current value in the trailer.
func (s *PairScanner) ValueOffset() int { return s.valOff }

// Err returns the error that stopped the scan before the end of the
// trailer, a *[SyntaxError] wrapping [ErrTrailer] or [ErrTooMany], or nil.
// It allocates when there is an error.
func (s *PairScanner) Err() error {
	if s.errKind == nil {
		return nil
	}
	return newSyntaxError(s.src, s.errOff, s.errKind)
}
