package recipstatus

import (
	"strconv"

	"github.com/mailtrace/mailtrace/internal/ascii"
)

// EnhancedCode is an RFC 3463 enhanced mail system status code
// class.subject.detail, such as 2.1.5 or 5.4.7. It is a comparable value; the
// zero EnhancedCode means "absent" (no valid code has class 0).
type EnhancedCode struct {
	Class   uint8  // 2, 4 or 5
	Subject uint16 // 0 to 999
	Detail  uint16 // 0 to 999
}

// IsValid reports whether e holds a code, that is, whether it is not the
// zero value.
func (e EnhancedCode) IsValid() bool { return e.Class != 0 }

// AppendTo appends the dotted form of e to dst; it appends nothing for the
// zero value. It does no allocation when dst has room.
func (e EnhancedCode) AppendTo(dst []byte) []byte {
	if !e.IsValid() {
		return dst
	}
	dst = strconv.AppendUint(dst, uint64(e.Class), 10)
	dst = append(dst, '.')
	dst = strconv.AppendUint(dst, uint64(e.Subject), 10)
	dst = append(dst, '.')
	return strconv.AppendUint(dst, uint64(e.Detail), 10)
}

// String returns the dotted form, or "" for the zero value. It allocates.
func (e EnhancedCode) String() string { return string(e.AppendTo(nil)) }

// parseEnhanced reads class.subject.detail at b[i:]: class one of 2, 4, 5,
// subject and detail 1 to 3 digits, and the code not followed by a further
// digit or '.'. It returns the code and the number of bytes used, or n == 0
// when b[i:] does not start with a code. Text may follow without a blank
// ("2.1.5Recipient OK" is 2.1.5 and "Recipient OK").
func parseEnhanced(b []byte, i int) (e EnhancedCode, n int) {
	if i+5 > len(b) {
		return EnhancedCode{}, 0
	}
	c := b[i]
	if c != '2' && c != '4' && c != '5' || b[i+1] != '.' {
		return EnhancedCode{}, 0
	}
	j := i + 2
	s, ns := digits(b, j, 3)
	if ns == 0 || j+ns >= len(b) || b[j+ns] != '.' {
		return EnhancedCode{}, 0
	}
	j += ns + 1
	d, nd := digits(b, j, 3)
	if nd == 0 {
		return EnhancedCode{}, 0
	}
	j += nd
	if j < len(b) && (ascii.IsDigit(b[j]) || b[j] == '.') {
		return EnhancedCode{}, 0
	}
	return EnhancedCode{Class: c - '0', Subject: uint16(s), Detail: uint16(d)}, j - i
}

// Response is an SMTP reply as Exchange logs it in recipient-status, in the
// LED item of a LastError blob and in source-context:
//
//	250 2.1.5 Recipient OK
//	550 4.4.7 QUEUE.Expired;message expired
//	250 2.1.5Recipient OK          (damaged sample: blank missing)
//
// Raw and Text are subslices of the parsed input: they stay valid as long as
// that input is unchanged and must not be modified. A Response is a plain
// value, safe to copy and to read from several goroutines.
type Response struct {
	// Raw is the whole input, as given.
	Raw []byte
	// Code is the three-digit reply code, 0 when the input has none.
	Code uint16
	// Enhanced is the enhanced status code, zero when absent.
	Enhanced EnhancedCode
	// Text is the rest of the reply without the blanks around it.
	Text []byte
}

// ParseResponse parses an SMTP reply: a three-digit code, optional blanks,
// an optional enhanced code class.subject.detail, optional blanks and text.
// Blanks are optional (damaged samples lose them); a missing enhanced code is
// not an error.
//
// Lenient: when the input does not start with a valid code, Text holds
// the trimmed input, Code is 0 (or the code, when only its first digit is out
// of range) and the error wraps [ErrCode]. Leading and trailing blanks are
// ignored. It does no allocation unless it returns an error.
func ParseResponse(b []byte) (Response, error) {
	var es errState
	r := parseResponse(b, &es)
	return r, es.err(b)
}

func parseResponse(b []byte, es *errState) Response {
	r := Response{Raw: b}
	t, off := trimSpace(b)
	v, n := digits(t, 0, 3)
	if n != 3 || (len(t) > 3 && ascii.IsDigit(t[3])) {
		r.Text = t
		es.Set(off, ErrCode)
		return r
	}
	if t[0] < '1' || t[0] > '5' {
		es.Set(off, ErrCode)
	}
	r.Code = uint16(v)
	i := 3
	for i < len(t) && ascii.IsSpace(t[i]) {
		i++
	}
	if e, m := parseEnhanced(t, i); m > 0 {
		r.Enhanced = e
		i += m
		for i < len(t) && ascii.IsSpace(t[i]) {
			i++
		}
	}
	r.Text = t[i:]
	return r
}

// AppendTo appends the reply to dst in its canonical form "code enhanced
// text", leaving out absent parts. A Response without a code is appended as
// its Raw bytes. It does no allocation when dst has room.
func (r Response) AppendTo(dst []byte) []byte {
	if r.Code == 0 {
		return append(dst, r.Raw...)
	}
	dst = appendCode(dst, r.Code)
	if r.Enhanced.IsValid() {
		dst = append(dst, ' ')
		dst = r.Enhanced.AppendTo(dst)
	}
	if len(r.Text) > 0 {
		dst = append(dst, ' ')
		dst = append(dst, r.Text...)
	}
	return dst
}

func appendCode(dst []byte, c uint16) []byte {
	return append(dst, byte('0'+c/100%10), byte('0'+c/10%10), byte('0'+c%10))
}

// Diagnostic decodes the reply text as a component diagnostic (see
// [ParseDiagnostic]) when it looks like one, as in
// "554 5.2.0 STOREDRV.Deliver.Exception:…; message [Stage: …]". The
// Diagnostic's slices are subslices of Text. Its only possible error
// ([ErrTooMany]) is dropped; call ParseDiagnostic(r.Text) to see it. It
// does no allocation.
func (r Response) Diagnostic() (Diagnostic, bool) {
	if !looksLikeDiagnostic(r.Text) {
		return Diagnostic{}, false
	}
	var es errState
	return parseDiagnostic(r.Text, &es), true
}
