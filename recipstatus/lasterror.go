package recipstatus

import (
	"net/netip"
	"strconv"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// MaxItems bounds the "{Key=Value}" items read from one LastError blob.
// Reading stops after MaxItems items with [ErrTooMany].
const MaxItems = 32

// Field is a set of the LastError keys this package knows.
type Field uint8

// The known LastError keys.
const (
	FieldLED  Field = 1 << iota // LED: last error description, an SMTP reply
	FieldMSG                    // MSG: message text, usually empty
	FieldFQDN                   // FQDN: the server that recorded the error
	FieldIP                     // IP: that server's address
	FieldLRT                    // LRT: last retry time, culture-formatted
)

var fieldNames = [...]string{"LED", "MSG", "FQDN", "IP", "LRT"}

// String returns the keys in the set joined with '|', such as "LED|LRT", or
// "" for the empty set. It allocates.
func (f Field) String() string {
	var b []byte
	for i, n := range fieldNames {
		if f&(1<<i) != 0 {
			if len(b) > 0 {
				b = append(b, '|')
			}
			b = append(b, n...)
		}
	}
	if rest := f &^ (1<<len(fieldNames) - 1); rest != 0 {
		if len(b) > 0 {
			b = append(b, '|')
		}
		b = append(b, "Field("...)
		b = strconv.AppendUint(b, uint64(rest), 10)
		b = append(b, ')')
	}
	return string(b)
}

// LastError is the blob Exchange 2016 and later write in recipient-status of
// FAIL rows:
//
//	[{LED=501 5.1.4 Recipient address reserved by RFC 2606};{MSG=};{FQDN=server.mylab.test};{IP=192.168.159.133};{LRT=12/22/2020 2:28:06 AM}]
//
// Items are read by key in any order (an older writer puts LRT first);
// unknown keys are counted in Unknown and can be read with
// [LastError.Lookup] or an [ItemScanner].
//
// All slices are subslices of the parsed input: they stay valid as long as
// that input is unchanged and must not be modified. A LastError is a plain
// value, safe to copy and to read from several goroutines.
type LastError struct {
	// Raw is the whole blob, as given.
	Raw []byte
	// Present is the set of known keys found.
	Present Field
	// LED is the last error description, parsed as an SMTP reply.
	LED Response
	// MSG is the MSG value as written.
	MSG []byte
	// FQDN is the FQDN value as written.
	FQDN []byte
	// IPRaw is the IP value as written.
	IPRaw []byte
	// IP is IPRaw parsed, the zero Addr when it is not a valid address
	// without zone (anonymised samples hold invalid ones; that is not an
	// error).
	IP netip.Addr
	// LRT is the last retry time; see [ParseLocalTime].
	LRT LocalTime
	// Items is the number of items read; Unknown how many had another key.
	Items, Unknown int
}

// ParseLastError parses a LastError blob, "[{" item { "};{" item } "}]" with
// item = key "=" value. A value runs to the next "};{" or the final "}]"
// and may contain '=', ';' and brackets. LED is parsed with [ParseResponse]
// and LRT with [ParseLocalTime].
//
// Lenient: it returns every item it could read plus the error nearest
// to the start of the input: [ErrLastError] for a missing "[{" or "}]" or an
// item without '=', [ErrTooMany] after [MaxItems] items, and the errors of
// ParseResponse and ParseLocalTime, with offsets into b. It does no
// allocation unless it returns an error.
func ParseLastError(b []byte) (LastError, error) {
	var es errState
	l := parseLastError(b, &es)
	return l, es.err(b)
}

func parseLastError(b []byte, es *errState) LastError {
	l := LastError{Raw: b}
	var s ItemScanner
	s.Init(b)
	for s.Next() {
		l.Items++
		v := s.Value()
		base := s.valueOff
		switch string(s.Key()) {
		case "LED":
			l.Present |= FieldLED
			if len(v) > 0 {
				var sub errState
				l.LED = parseResponse(v, &sub)
				if sub.Kind != nil {
					es.Set(base+sub.Off, sub.Kind)
				}
			} else {
				l.LED = Response{Raw: v}
			}
		case "MSG":
			l.Present |= FieldMSG
			l.MSG = v
		case "FQDN":
			l.Present |= FieldFQDN
			l.FQDN = v
		case "IP":
			// Like every item, a later one replaces an earlier one: IP
			// with IPRaw.
			l.Present |= FieldIP
			l.IPRaw, l.IP = v, netip.Addr{}
			if a, ok := msgtrk.ParseAddr(v); ok && a.Zone() == "" {
				l.IP = a
			}
		case "LRT":
			l.Present |= FieldLRT
			if len(v) > 0 {
				var sub errState
				l.LRT = parseLocalTime(v, &sub)
				if sub.Kind != nil {
					es.Set(base+sub.Off, sub.Kind)
				}
			} else {
				l.LRT = LocalTime{Raw: v}
			}
		default:
			l.Unknown++
		}
	}
	if s.errKind != nil {
		es.Set(s.errOff, s.errKind)
	}
	return l
}

// Lookup returns the value of the first item whose key is key
// (case-sensitive), a subslice of Raw. It does no allocation.
func (l LastError) Lookup(key string) ([]byte, bool) {
	var s ItemScanner
	s.Init(l.Raw)
	for s.Next() {
		if string(s.Key()) == key {
			return s.Value(), true
		}
	}
	return nil, false
}

// AppendTo appends the blob in the 2019 order LED, MSG, FQDN, IP, LRT with
// the keys in Present. LED is written in canonical form
// ([Response.AppendTo]); the other values are written as they are. Unknown
// items are not written; with no key in Present the result is "[]", which
// is not a blob. It does no allocation when dst has room.
func (l LastError) AppendTo(dst []byte) []byte {
	dst = append(dst, '[')
	first := true
	item := func(key string, v []byte) {
		if !first {
			dst = append(dst, ';')
		}
		first = false
		dst = append(dst, '{')
		dst = append(dst, key...)
		dst = append(dst, '=')
		dst = append(dst, v...)
		dst = append(dst, '}')
	}
	if l.Present&FieldLED != 0 {
		if !first {
			dst = append(dst, ';')
		}
		first = false
		dst = append(dst, "{LED="...)
		dst = l.LED.AppendTo(dst)
		dst = append(dst, '}')
	}
	if l.Present&FieldMSG != 0 {
		item("MSG", l.MSG)
	}
	if l.Present&FieldFQDN != 0 {
		item("FQDN", l.FQDN)
	}
	if l.Present&FieldIP != 0 {
		item("IP", l.IPRaw)
	}
	if l.Present&FieldLRT != 0 {
		item("LRT", l.LRT.Raw)
	}
	return append(dst, ']')
}

// ItemScanner iterates the "{Key=Value}" items of a LastError blob:
//
//	var s recipstatus.ItemScanner
//	s.Init(blob)
//	for s.Next() { use(s.Key(), s.Value()) }
//	if err := s.Err(); err != nil { … }
//
// Key and Value are subslices of the blob: valid as long as it is unchanged,
// and must not be modified. The zero ItemScanner has no items.
// It does no allocation unless Err returns an error, and is not safe for
// concurrent use.
type ItemScanner struct {
	src        []byte
	pos, end   int // next item start; end of the inside of the blob
	more       bool
	n          int
	key, value []byte
	valueOff   int
	errOff     int
	errKind    error
	err        error
}

// Init resets s to scan blob. blob is not copied. A blob that does not start
// with "[{" has no items; one that does not end with "}]" is scanned to its
// end (without a final '}'). Both are reported by Err.
func (s *ItemScanner) Init(blob []byte) {
	*s = ItemScanner{src: blob}
	t, off := trimSpace(blob)
	if len(t) < 2 || t[0] != '[' || t[1] != '{' {
		s.fail(off, ErrLastError)
		return
	}
	s.more = true
	s.pos = off + 2
	s.end = off + len(t)
	switch {
	case len(t) >= 4 && t[len(t)-2] == '}' && t[len(t)-1] == ']':
		s.end -= 2
	case len(t) >= 3 && t[len(t)-1] == '}':
		s.end--
		s.fail(off+len(t), ErrLastError)
	default:
		s.fail(off+len(t), ErrLastError)
	}
}

func (s *ItemScanner) fail(off int, kind error) {
	if s.errKind == nil || off < s.errOff {
		s.errOff, s.errKind = off, kind
	}
}

// Next advances to the next item and reports whether there is one. It stops
// after [MaxItems] items.
func (s *ItemScanner) Next() bool {
	if !s.more {
		return false
	}
	if s.n == MaxItems {
		s.fail(s.pos, ErrTooMany)
		s.more = false
		return false
	}
	start := s.pos
	stop := ascii.IndexFrom(s.src[:s.end], start, "};{")
	if stop < 0 {
		stop = s.end
		s.more = false
	} else {
		s.pos = stop + 3
	}
	item := s.src[start:stop]
	eq := -1
	for k, c := range item {
		if c == '=' {
			eq = k
			break
		}
	}
	if eq < 0 {
		s.fail(start, ErrLastError)
		s.key, s.value, s.valueOff = item, item[len(item):], stop
	} else {
		s.key, s.value, s.valueOff = item[:eq], item[eq+1:], start+eq+1
	}
	s.n++
	return true
}

// Key returns the key of the current item.
func (s *ItemScanner) Key() []byte { return s.key }

// Value returns the value of the current item, empty for an item without
// '='.
func (s *ItemScanner) Value() []byte { return s.value }

// Offset returns the offset of the current item's value in the blob.
func (s *ItemScanner) Offset() int { return s.valueOff }

// Err returns the error nearest to the start of the blob met so far, or
// nil. The error is a [*SyntaxError] wrapping [ErrLastError] or
// [ErrTooMany].
func (s *ItemScanner) Err() error {
	if s.errKind == nil {
		return nil
	}
	if se, ok := s.err.(*SyntaxError); !ok || se.Offset != s.errOff || se.Err != s.errKind {
		s.err = newSyntaxError(s.src, s.errOff, s.errKind)
	}
	return s.err
}
