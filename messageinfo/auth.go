package messageinfo

import (
	"strconv"

	"github.com/mailtrace/mailtrace/internal/ascii"
)

// Mechanism is the authentication mechanism of a submission: the two hex
// digits that open an auth code ("07" in "07I: "). The numbering below is as
// observed in logs and in public analyses of the Exchange 2013 writer; see
// [Mechanism.Meaning] for what each one stands for and what backs it.
// Numbers without a name here (09, 0e, 0f, 13 and up) are
// MechanismUnknown; the number stays available in [AuthCode.Number].
type Mechanism uint8

// Mechanisms, by wire number (hex).
const (
	MechanismUnknown              Mechanism = iota // a number not listed here
	MechanismNone                                  // 00
	MechanismSenderID                              // 01
	MechanismMutualTLS                             // 02
	MechanismMapiSubmit                            // 03
	MechanismSecureMapiSubmit                      // 04
	MechanismSecureInternalSubmit                  // 05
	MechanismTLSAuthLogin                          // 06
	MechanismLogin                                 // 07
	MechanismPickup                                // 08
	MechanismNTLM                                  // 0a
	MechanismGSSAPI                                // 0b
	MechanismMutualGSSAPI                          // 0c
	MechanismCustom                                // 0d
	MechanismSecureExternalSubmit                  // 10
	MechanismDirectTrustTLS                        // 11
	MechanismReplay                                // 12
)

type mechanismInfo struct {
	number  uint8
	name    string
	meaning string
}

var mechanisms = [...]mechanismInfo{
	MechanismUnknown:              {0xff, "Unknown", "a mechanism number this package does not name"},
	MechanismNone:                 {0x00, "None", "no authentication; reported as \"00A: NTS: \" on mail from Office 365 to Exchange 2010 (a public Filebeat event, not in testdata/real)"},
	MechanismSenderID:             {0x01, "SenderId", "Sender ID (name from public analyses; not observed)"},
	MechanismMutualTLS:            {0x02, "MutualTLS", "mutually authenticated TLS (name from public analyses; not observed)"},
	MechanismMapiSubmit:           {0x03, "MapiSubmit", "MAPI submission (name from public analyses; not observed)"},
	MechanismSecureMapiSubmit:     {0x04, "SecureMapiSubmit", "submission from a mailbox by the store driver: Outlook, OWA, EAS, EWS (observed: \"04I: \" on STOREDRIVER RECEIVE)"},
	MechanismSecureInternalSubmit: {0x05, "SecureInternalSubmit", "internal submission (name from public analyses; not observed)"},
	MechanismTLSAuthLogin:         {0x06, "TLSAuthLogin", "SMTP AUTH LOGIN over TLS (name from public analyses; not observed)"},
	MechanismLogin:                {0x07, "Login", "SMTP AUTH by a client (published observation: \"07I: \" on SMTP RECEIVE, with no STOREDRIVER RECEIVE)"},
	MechanismPickup:               {0x08, "Pickup", "Pickup directory (name from public analyses; not observed)"},
	MechanismNTLM:                 {0x0a, "NTLM", "NTLM (name from public analyses; not observed)"},
	MechanismGSSAPI:               {0x0b, "GSSAPI", "Kerberos/GSSAPI (name from public analyses; not observed)"},
	MechanismMutualGSSAPI:         {0x0c, "MutualGSSAPI", "hop between Exchange servers that authenticated each other, e.g. front end to hub; the letter tells the original client (observed: \"0cA: \" for anonymous SMTP clients; published: \"0cI: \" after a store or SMTP AUTH submission)"},
	MechanismCustom:               {0x0d, "Custom", "custom mechanism (name from public analyses; not observed)"},
	MechanismSecureExternalSubmit: {0x10, "SecureExternalSubmit", "external secure submission (name from public analyses; not observed)"},
	MechanismDirectTrustTLS:       {0x11, "DirectTrustTLS", "certificate-based direct trust (name from public analyses; Microsoft documents the value \"11a\" for authentication errors)"},
	MechanismReplay:               {0x12, "Replay", "Replay directory (name from public analyses; not observed)"},
}

// byNumber maps a wire number to its Mechanism; unlisted numbers map to 0.
var byNumber = func() (t [256]Mechanism) {
	for m := MechanismNone; m <= MechanismReplay; m++ {
		t[mechanisms[m].number] = m
	}
	return t
}()

// MechanismOf returns the Mechanism for a wire number, MechanismUnknown if
// the number has no name here. It does no allocation.
func MechanismOf(number uint8) Mechanism { return byNumber[number] }

// String returns the mechanism's name ("Login", "MutualGSSAPI", ...), or
// "Mechanism(n)" for a value out of range.
func (m Mechanism) String() string {
	if int(m) < len(mechanisms) {
		return mechanisms[m].name
	}
	return "Mechanism(" + strconv.Itoa(int(m)) + ")"
}

// Number returns the wire number of m; ok is false for MechanismUnknown and
// out-of-range values.
func (m Mechanism) Number() (n uint8, ok bool) {
	if m == MechanismUnknown || int(m) >= len(mechanisms) {
		return 0, false
	}
	return mechanisms[m].number, true
}

// Meaning returns a one-line description of m for documentation and reports.
// It says what backs it: "observed" (a real sample in testdata/real),
// "published" (administrators' published observations), or "name from
// public analyses; not observed".
func (m Mechanism) Meaning() string {
	if int(m) < len(mechanisms) {
		return mechanisms[m].meaning
	}
	return ""
}

// Category is the submit auth category: the letter after the mechanism
// number ("A" in "0cA: "). Lower-case letters mean the same as upper case;
// Microsoft documents "11a" for authentication errors, so the letter as
// written stays available in [AuthCode.Letter].
type Category uint8

// Categories.
const (
	CategoryUnknown   Category = iota // a letter not listed here
	CategoryAnonymous                 // A: anonymous submitter
	CategoryInternal                  // I: internal (authenticated org user or server)
	CategoryExternal                  // E: external authenticated
	CategoryPartner                   // P: partner (domain-secured)
	CategoryOther                     // O: other
)

var categoryNames = [...]string{"Unknown", "Anonymous", "Internal", "External", "Partner", "Other"}

// CategoryOf returns the Category for a letter (either case),
// CategoryUnknown for any other byte. It does no allocation.
func CategoryOf(letter byte) Category {
	switch letter | 0x20 {
	case 'a':
		return CategoryAnonymous
	case 'i':
		return CategoryInternal
	case 'e':
		return CategoryExternal
	case 'p':
		return CategoryPartner
	case 'o':
		return CategoryOther
	}
	return CategoryUnknown
}

// String returns the category's name, or "Category(n)" out of range.
func (c Category) String() string {
	if int(c) < len(categoryNames) {
		return categoryNames[c]
	}
	return "Category(" + strconv.Itoa(int(c)) + ")"
}

// AuthCode is a decoded auth code, the message-info of SMTP and STOREDRIVER
// RECEIVE rows: "04I: ", "0cA: ", "07I: NTS: None", "00A: NTS: ".
//
// AuthCode is a small comparable value; the zero value means absent
// ([AuthCode.IsValid] is false). Detail is a span of the parsed value.
type AuthCode struct {
	// Number is the mechanism number as written (two hex digits, either case).
	Number uint8
	// Letter is the category letter as written ('A', 'I', 'a', ...).
	Letter byte
	// Detail is what follows "NNL:" and its separating spaces, with trailing
	// spaces and tabs trimmed: "NTS: None" in "07I: NTS: None", "NTS:" in
	// "00A: NTS: ", empty in "04I: ". It is kept raw.
	Detail Span
}

// IsValid reports whether a holds a parsed auth code (a.Letter != 0).
func (a AuthCode) IsValid() bool { return a.Letter != 0 }

// Mechanism returns the named mechanism for a.Number.
func (a AuthCode) Mechanism() Mechanism { return MechanismOf(a.Number) }

// Category returns the category for a.Letter.
func (a AuthCode) Category() Category { return CategoryOf(a.Letter) }

// Anonymous reports whether the submitter was anonymous (category A): the
// question admins ask of SMTP RECEIVE rows.
func (a AuthCode) Anonymous() bool { return a.Category() == CategoryAnonymous }

// AppendTo appends the auth code as Exchange writes it: two lower-case hex
// digits, the letter, ": ", then the detail taken from src (the value a was
// parsed from; nil when a.Detail is empty). "04I: " keeps its trailing space.
// AppendTo does no allocation when dst has room.
func (a AuthCode) AppendTo(dst, src []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, hex[a.Number>>4], hex[a.Number&0xf], a.Letter, ':', ' ')
	if !a.Detail.IsEmpty() {
		dst = append(dst, a.Detail.Bytes(src)...)
	}
	return dst
}

// ParseAuthCode decodes an auth code: two hex digits, a letter, ':', then
// optional spaces and free text kept raw as Detail. A trailing space is
// normal ("04I: "). Without a colon, only the three-byte form with a known
// category letter is accepted ("11a", as documented by Microsoft), followed
// by nothing but spaces.
//
// Strict: any other shape is a *SyntaxError wrapping ErrAuthCode (ErrTooLong
// beyond MaxInputBytes), with the zero AuthCode. ParseAuthCode does no allocation on success and is safe for
// concurrent use.
func ParseAuthCode(src []byte) (AuthCode, error) {
	if len(src) > MaxInputBytes {
		return AuthCode{}, syntaxError(src, 0, ErrTooLong)
	}
	a, off, ok := parseAuthCode(src)
	if !ok {
		return AuthCode{}, syntaxError(src, off, ErrAuthCode)
	}
	return a, nil
}

// IsExchangeAuthCode reports whether src begins with an auth code in the
// form Exchange writes (format.md §7.1, §12 step 8): two lower-case hex
// digits, a category letter A, O, I, E or P, and ':'. ParseAuthCode reads
// more (upper-case hex, a lower-case letter, and the colon-less "11a" that
// Microsoft's documentation calls an authentication error, which §7.1
// leaves open): a caller that draws conclusions from the mechanism or the
// category (an Exchange server's hand-over, an anonymous submitter) should
// trust only this form. It does no allocation.
func IsExchangeAuthCode(src []byte) bool {
	if len(src) < 4 || src[3] != ':' {
		return false
	}
	for _, c := range src[:2] {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	switch src[2] {
	case 'A', 'O', 'I', 'E', 'P':
		return true
	}
	return false
}

// LookupAuthCode is ParseAuthCode without the error: ok reports whether
// src is an auth code, and a is the zero AuthCode when it is not. It never
// allocates, also when src is not a code (ParseAuthCode's error does), for
// callers that read many fields that may hold something else.
func LookupAuthCode(src []byte) (a AuthCode, ok bool) {
	a, _, ok = parseAuthCode(src)
	return a, ok
}

// parseAuthCode returns the code, or the offset of the first bad byte.
func parseAuthCode(src []byte) (AuthCode, int, bool) {
	if len(src) > MaxInputBytes {
		return AuthCode{}, 0, false
	}
	if len(src) < 3 {
		return AuthCode{}, len(src), false
	}
	hi, ok1 := ascii.Unhex(src[0])
	lo, ok2 := ascii.Unhex(src[1])
	if !ok1 {
		return AuthCode{}, 0, false
	}
	if !ok2 {
		return AuthCode{}, 1, false
	}
	letter := src[2]
	if letter|0x20 < 'a' || letter|0x20 > 'z' {
		return AuthCode{}, 2, false
	}
	a := AuthCode{Number: hi<<4 | lo, Letter: letter}
	i := 3
	if i < len(src) && src[i] == ':' {
		i++
		for i < len(src) && src[i] == ' ' {
			i++
		}
		end := len(src)
		for end > i && (src[end-1] == ' ' || src[end-1] == '\t') {
			end--
		}
		a.Detail = span(i, end)
		if a.Detail.IsEmpty() {
			a.Detail = Span{}
		}
		return a, 0, true
	}
	// Colon-less form: "11a", only with a known category, then spaces only.
	if CategoryOf(letter) == CategoryUnknown {
		return AuthCode{}, 2, false
	}
	for ; i < len(src); i++ {
		if src[i] != ' ' {
			return AuthCode{}, i, false
		}
	}
	return a, 0, true
}
