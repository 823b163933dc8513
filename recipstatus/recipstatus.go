package recipstatus

import (
	"strconv"

	"github.com/mailtrace/mailtrace/internal/ascii"
)

// Kind is the shape of a recipient-status member.
type Kind uint8

const (
	// KindUnknown: none of the shapes below; the member is kept in Raw.
	KindUnknown Kind = iota
	// KindEmpty: the member is empty or blank.
	KindEmpty
	// KindRecipientType: To, Cc, Bcc or Redirect (STOREDRIVER RECEIVE and
	// SUBMIT rows).
	KindRecipientType
	// KindSMTPResponse: an SMTP reply such as "250 2.1.5 Recipient OK".
	KindSMTPResponse
	// KindLastError: a "[{LED=…};…]" blob (FAIL rows, Exchange 2016+).
	KindLastError
	// KindStoreDiagnostic: a component diagnostic such as
	// "STOREDRV.Deliver.Exception:…; …" (DELIVERFAIL rows).
	KindStoreDiagnostic
)

var kindNames = [...]string{"Unknown", "Empty", "RecipientType", "SMTPResponse", "LastError", "StoreDiagnostic"}

// String returns the constant's name without the Kind prefix, or "Kind(n)".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// RecipientType is the recipient type that STOREDRIVER RECEIVE and SUBMIT
// rows log in recipient-status.
type RecipientType uint8

const (
	TypeUnknown  RecipientType = iota // not a known spelling
	TypeTo                            // "To"
	TypeCc                            // "Cc"
	TypeBcc                           // "Bcc"
	TypeRedirect                      // "Redirect"
)

var typeNames = [...]string{"Unknown", "To", "Cc", "Bcc", "Redirect"}

// String returns the spelling used in the log ("To", "Cc", …), "Unknown"
// for TypeUnknown, or "RecipientType(n)".
func (t RecipientType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "RecipientType(" + strconv.Itoa(int(t)) + ")"
}

// ParseRecipientType returns the type spelled exactly (case-sensitive) by b,
// or TypeUnknown. It does no allocation.
func ParseRecipientType(b []byte) RecipientType {
	switch string(b) {
	case "To":
		return TypeTo
	case "Cc":
		return TypeCc
	case "Bcc":
		return TypeBcc
	case "Redirect":
		return TypeRedirect
	}
	return TypeUnknown
}

// Status is one decoded recipient-status member. Kind says which of the
// typed views is filled; the others are zero.
//
// All slices are subslices of the member passed to [Parse]: they stay valid
// as long as it is unchanged and must not be modified. A Status is a plain
// value, safe to copy and to read from several goroutines.
type Status struct {
	Kind Kind
	// Raw is the member as given, for every kind.
	Raw []byte
	// Type is set for KindRecipientType.
	Type RecipientType
	// Response is set for KindSMTPResponse.
	Response Response
	// LastError is set for KindLastError.
	LastError LastError
	// Diagnostic is set for KindStoreDiagnostic.
	Diagnostic Diagnostic
}

// Parse decodes one recipient-status member, the text between two ';' of
// the field after the CSV and list layers have removed their quoting (see
// msgtrk.ListScanner). The kind is chosen by shape, ignoring leading and
// trailing blanks:
//
//	""  or blanks                 KindEmpty
//	"[{" …                        KindLastError        (ParseLastError)
//	three digits, then non-digit  KindSMTPResponse     (ParseResponse)
//	"ABC.Word" …                  KindStoreDiagnostic  (ParseDiagnostic)
//	To | Cc | Bcc | Redirect      KindRecipientType
//	anything else                 KindUnknown
//
// Lenient: it returns the decoded view plus the error of the parser
// it dispatched to (see there), nil for the other kinds. It does no
// allocation unless it returns an error.
func Parse(member []byte) (st Status, err error) {
	st.Raw = member
	t, _ := trimSpace(member)
	var es errState
	switch {
	case len(t) == 0:
		st.Kind = KindEmpty
		return st, nil
	case len(t) >= 2 && t[0] == '[' && t[1] == '{':
		st.Kind = KindLastError
		st.LastError = parseLastError(member, &es)
	case len(t) >= 3 && ascii.IsDigit(t[0]) && ascii.IsDigit(t[1]) && ascii.IsDigit(t[2]) && (len(t) == 3 || !ascii.IsDigit(t[3])):
		st.Kind = KindSMTPResponse
		st.Response = parseResponse(member, &es)
	case looksLikeDiagnostic(t):
		st.Kind = KindStoreDiagnostic
		st.Diagnostic = parseDiagnostic(member, &es)
	default:
		if typ := ParseRecipientType(t); typ != TypeUnknown {
			st.Kind = KindRecipientType
			st.Type = typ
		}
		return st, nil
	}
	return st, es.err(member)
}
