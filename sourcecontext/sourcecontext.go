package sourcecontext

import (
	"strconv"

	"github.com/mailtrace/mailtrace/internal/ascii"
)

// Kind is the decoded shape of a source-context value. It depends on the
// row's source and event-id; see [KindOf] and [Parse].
type Kind uint8

const (
	// KindUnknown: no decoder for this source and event (HARECEIVE,
	// HADISCARD, …) or an unrecognised shape; the value is in Raw.
	KindUnknown Kind = iota
	// KindEmpty: the value is empty or blank.
	KindEmpty
	// KindReceive: SMTP RECEIVE, session and message ordinal ([Receive]).
	KindReceive
	// KindSend: SMTP SEND or SENDEXTERNAL, session, reply and client submit
	// time ([Send]).
	KindSend
	// KindDelivery: STOREDRIVER DELIVER or DELIVERFAIL, delivery session
	// and client submit time ([Send] without reply).
	KindDelivery
	// KindStore: other STOREDRIVER events, the Key:Value list ([Store]).
	KindStore
	// KindShadowRedirect: SMTP HAREDIRECT, shadow host and reply
	// ([Shadow]).
	KindShadowRedirect
	// KindShadowFail: SMTP HAREDIRECTFAIL, free text in Raw (such as "No
	// suitable shadow servers").
	KindShadowFail
	// KindRecipientDN: ROUTING RESOLVE or REDIRECT, the legacyExchangeDN of
	// the resolved recipient in Raw.
	KindRecipientDN
	// KindTransferReason: ROUTING TRANSFER, the reason word in Raw.
	KindTransferReason
	// KindAgent: AGENT AGENTINFO, the agent or stage name in Raw (such as
	// "CatContentConversion").
	KindAgent
	// KindDSN: DSN DSN, the types of the notification ([DSNFlags],
	// [ParseDSN]).
	KindDSN
)

var kindNames = [...]string{"Unknown", "Empty", "Receive", "Send", "Delivery", "Store", "ShadowRedirect", "ShadowFail", "RecipientDN", "TransferReason", "Agent", "DSN"}

// String returns the constant's name without the Kind prefix, or "Kind(n)".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// KindOf returns the kind of source-context that a row of the given source
// and event-id carries, from the names alone (spelled as in the log, upper
// case). [Parse] refines it for STOREDRIVER rows by the value's shape. It
// does no allocation.
func KindOf(source, event []byte) Kind {
	switch string(source) {
	case "SMTP":
		switch string(event) {
		case "RECEIVE":
			return KindReceive
		case "SEND", "SENDEXTERNAL":
			return KindSend
		case "HAREDIRECT":
			return KindShadowRedirect
		case "HAREDIRECTFAIL":
			return KindShadowFail
		}
	case "STOREDRIVER":
		switch string(event) {
		case "DELIVER", "DELIVERFAIL":
			return KindDelivery
		}
		return KindStore
	case "ROUTING":
		switch string(event) {
		case "RESOLVE", "REDIRECT":
			return KindRecipientDN
		case "TRANSFER":
			return KindTransferReason
		}
	case "AGENT":
		if string(event) == "AGENTINFO" {
			return KindAgent
		}
	case "DSN":
		if string(event) == "DSN" {
			return KindDSN
		}
	}
	return KindUnknown
}

// Context is one decoded source-context value. Kind says which typed view
// is filled; the others are zero. For the free-text kinds (ShadowFail,
// RecipientDN, TransferReason, Agent, Unknown) the value is Raw.
//
// All slices are subslices of the value passed to [Parse]: they stay valid
// as long as it is unchanged and must not be modified. A Context is a plain
// value, safe to copy and to read from several goroutines.
type Context struct {
	Kind Kind
	// Raw is the value as given, for every kind.
	Raw     []byte
	Receive Receive // KindReceive
	Send    Send    // KindSend and KindDelivery
	Store   Store   // KindStore
	Shadow  Shadow  // KindShadowRedirect
	// DSN holds the types a DSN row names (KindDSN): those recognised
	// when Parse also returns an error.
	DSN DSNFlags
}

// Parse decodes the source-context value src of a row whose source and
// event-id are given (as spelled in the log). src is the field after the
// CSV layer has removed its quoting. The decoder is chosen by [KindOf],
// except that:
//
//   - a blank value is KindEmpty;
//   - for STOREDRIVER rows the shape decides: 16 hexadecimal digits then
//     ';' is a delivery session (KindDelivery), "Key:" at the start is the
//     list (KindStore), anything else is KindUnknown.
//
// Lenient: it returns the decoded view plus the error nearest the
// start of src reported by the decoder (see [ParseReceive], [ParseSend],
// [ParseStore], [ParseShadow], [ParseDSN]); free-text kinds never fail.
// It does no allocation unless it returns an error.
func Parse(source, event, src []byte) (c Context, err error) {
	c.Raw = src
	t := ascii.TrimSpace(src)
	if len(t) == 0 {
		c.Kind = KindEmpty
		return c, nil
	}
	c.Kind = KindOf(source, event)
	if c.Kind == KindStore || c.Kind == KindDelivery {
		switch {
		case hexRun(t) == 16 && len(t) > 16 && t[16] == ';':
			c.Kind = KindDelivery
		case keyAt(t, 0) == 0:
			c.Kind = KindStore
		default:
			c.Kind = KindUnknown
		}
	}
	var es errState
	switch c.Kind {
	case KindReceive:
		c.Receive = parseReceive(src, 0, &es)
	case KindSend, KindDelivery:
		c.Send = parseSend(src, 0, &es)
	case KindStore:
		c.Store = parseStore(src, 0, &es)
	case KindShadowRedirect:
		c.Shadow = parseShadow(src, 0, &es)
	case KindDSN:
		var err error
		c.DSN, err = ParseDSN(src)
		return c, err
	default:
		return c, nil
	}
	return c, es.err(src)
}
