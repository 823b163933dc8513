package eventdata

import (
	"bytes"
	"net/netip"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// MaxProxyHops is the number of ProxyHopN members [Data] keeps
// (ProxyHop1 to ProxyHop8). Data.NumProxyHops still reports the highest N
// seen, and the scanner reaches every member.
const MaxProxyHops = 8

// MaxResubmit is the number of Resubmit… members [Data] keeps.
const MaxResubmit = 4

// ProxyHop is one ProxyHopN member, written "host(ip)" as in
// "exchange-mail.my.domain.com(10.11.12.14)". A value without parentheses
// is kept whole as Host. Host aliases the decoded input.
type ProxyHop struct {
	Host []byte
	Addr netip.Addr // the address in parentheses; invalid when absent or malformed
}

// Data holds the decoded well-known members of one custom-data field (or
// one PowerShell EventData rendering). Fill it with [Data.Decode] or
// [Data.DecodePowerShell]; every other member stays reachable through
// [Scanner].
//
// Byte slices alias the decoded input: they stay valid while that input is
// unchanged and must not be modified. (A member quoted with doubled
// apostrophes is the exception: Decode copies its unquoted bytes.) Numeric
// and enum fields are zero when their key is absent; [Data.Has] tells an
// absent key from a zero value. When a key appears more than once, the
// first member wins.
//
// A Data is a plain value: it may be copied, and is safe for concurrent
// reads but not for a Decode concurrent with other use.
type Data struct {
	// Latencies, written as decimal seconds ("1.928" is 1928ms exactly;
	// digits beyond nanoseconds are truncated).
	E2ELatency          time.Duration
	ExternalSendLatency time.Duration
	DeliveryLatency     time.Duration

	MsgRecipCount int // MsgRecipCount: recipients of the message
	SubRecipCount int // SubRecipCount
	AttachCount   int // AttachCount
	BCL           int // BCL: bulk complaint level

	// Anonymous submission: who and from where.
	ProxiedClientIPAddress netip.Addr // may carry an IPv6 zone
	ProxiedClientHostname  []byte
	ProxyHops              [MaxProxyHops]ProxyHop // ProxyHops[i] is ProxyHop<i+1>
	NumProxyHops           int                    // highest N of the ProxyHopN members seen, possibly > MaxProxyHops
	FirstForestHop         []byte

	FromEntity    Entity
	FromEntityRaw []byte
	ToEntity      Entity
	ToEntityRaw   []byte

	DeliveryPriority     Priority
	DeliveryPriorityRaw  []byte
	PrioritizationReason []byte // e.g. "AMS:12689884/1048576|ARC:83/500"

	IncludeInSla                     Bool
	SlaExclusionReason               []byte
	IsSmtpResponseFromExternalServer Bool
	DeliveredViaHttps                Bool

	// MailboxDatabaseGuid is zero when absent or invalid; the raw text is
	// kept either way (anonymised logs hold invalid GUIDs).
	MailboxDatabaseGuid    msgtrk.GUID
	MailboxDatabaseGuidRaw []byte

	OriginalFromAddress   []byte // "<>" for a null reverse path
	AccountForest         []byte
	MessageValue          []byte // e.g. "MediumHigh"
	Replication           []byte // e.g. "Failed"
	ItemEntryID           []byte // ItemEntryId
	Mailboxes             []byte
	StoreObjectIDs        []byte // StoreObjectIds
	P2RecipStat           []byte // e.g. "0.008/9"
	ActivityID            []byte // ActivityId
	HTTPRequestID         []byte // HttpRequestId
	MapiMessageClass      []byte
	RequiredTLSAuthLevel  []byte // Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel
	EffectiveTLSAuthLevel []byte // Microsoft.Exchange.Transport.MailRecipient.EffectiveTlsAuthLevel
	InvalidRecipient      []byte

	// Resubmit holds the first MaxResubmit members whose key starts with
	// "Resubmit" (Safety Net resubmission), with Tag TagString and the
	// member's Offset; NumResubmit counts them all. The exact key names
	// are not known from public samples, hence the prefix match.
	Resubmit    [MaxResubmit]Pair
	NumResubmit int

	Members int // well-formed members decoded
	Other   int // well-formed members whose key has no field here

	seen     uint64 // bit k set when Key k was seen
	hopsSeen uint8  // bit i set when ProxyHop<i+1> was seen
}

// Has reports whether a member of key k was seen by the last Decode
// (whether or not its value was valid).
func (d *Data) Has(k Key) bool { return k < numKeys && d.seen&(1<<k) != 0 }

// Decode resets d and fills it from the custom-data field src.
//
// Lenient: Decode decodes every well-formed member and returns the
// first error met, either a malformed member (as [Scanner] reports it) or
// a well-known key whose value has not the syntax of its type (wrapping
// [ErrValue]; the raw value stays in d where d has a raw field). The error
// is a *[SyntaxError] with the byte offset in src.
//
// Decode does no allocation, except for a member quoted with doubled
// apostrophes (its bytes are copied) and the first address with an IPv6
// zone not seen before (see msgtrk.ParseAddr).
func (d *Data) Decode(src []byte) error {
	*d = Data{}
	var s Scanner
	s.Init(src)
	var verr error
	verrOff := -1
	for s.Next() {
		key, value := s.key, s.value
		if !s.inSrc {
			m := bytes.Clone(s.ls.Bytes())
			nt, nk := len(s.tagRaw), len(s.key)
			key = m[nt+1 : nt+1+nk : nt+1+nk]
			value = m[nt+2+nk:]
		}
		if !d.set(key, value, s.Offset()) && verr == nil {
			verrOff = s.ValueOffset()
			verr = newSyntaxError(src, verrOff, key, ErrValue)
		}
	}
	return firstError(s.Err(), verr, verrOff)
}

// DecodePowerShell resets d and fills it from a PowerShell rendering of
// EventData ("{[E2ELatency, 14.578], [DeliveryPriority, Low]}"), read with
// [PSScanner]. Console wrapping should be undone first with
// [AppendUnwrapped]. Leniency, errors and cost are those of [Data.Decode].
func (d *Data) DecodePowerShell(src []byte) error {
	*d = Data{}
	var s PSScanner
	s.Init(src)
	var verr error
	verrOff := -1
	for s.Next() {
		if !d.set(s.key, s.value, s.off) && verr == nil {
			verrOff = s.valOff
			verr = newSyntaxError(src, verrOff, s.key, ErrValue)
		}
	}
	return firstError(s.Err(), verr, verrOff)
}

// firstError returns whichever of the scan error and the value error lies
// first in the input.
func firstError(serr, verr error, verrOff int) error {
	if serr == nil {
		return verr
	}
	if verr == nil {
		return serr
	}
	if se, ok := serr.(*SyntaxError); ok && se.Offset > verrOff {
		return verr
	}
	return serr
}

// set decodes one member, found at offset off, into d and reports whether
// its value was valid (true for keys without a typed field).
func (d *Data) set(key, value []byte, off int) bool {
	d.Members++
	k := ParseKey(key)
	switch k {
	case KeyUnknown:
		d.Other++
		return true
	case KeyAMA, KeyTRA, KeySFA, KeyCompCost:
		// AGENTINFO groups, often repeated: read them with GroupScanner.
		d.seen |= 1 << k
		d.Other++
		return true
	case KeyProxyHop:
		d.seen |= 1 << k
		return d.setProxyHop(ProxyHopIndex(key), value)
	case KeyResubmit:
		d.seen |= 1 << k
		if d.NumResubmit < MaxResubmit {
			d.Resubmit[d.NumResubmit] = Pair{Tag: TagString, Key: key, Value: value, Offset: off}
		}
		d.NumResubmit++
		return true
	}
	if d.seen&(1<<k) != 0 {
		return true // first member wins
	}
	d.seen |= 1 << k
	ok := true
	switch k {
	case KeyE2ELatency:
		d.E2ELatency, ok = parseSeconds(value)
	case KeyExternalSendLatency:
		d.ExternalSendLatency, ok = parseSeconds(value)
	case KeyDeliveryLatency:
		d.DeliveryLatency, ok = parseSeconds(value)
	case KeyMsgRecipCount:
		d.MsgRecipCount, ok = parseCount(value)
	case KeySubRecipCount:
		d.SubRecipCount, ok = parseCount(value)
	case KeyAttachCount:
		d.AttachCount, ok = parseCount(value)
	case KeyBCL:
		d.BCL, ok = parseCount(value)
	case KeyProxiedClientIPAddress:
		d.ProxiedClientIPAddress, ok = msgtrk.ParseAddr(value)
	case KeyProxiedClientHostname:
		d.ProxiedClientHostname = value
	case KeyFirstForestHop:
		d.FirstForestHop = value
	case KeyFromEntity:
		d.FromEntity, d.FromEntityRaw = ParseEntity(value), value
	case KeyToEntity:
		d.ToEntity, d.ToEntityRaw = ParseEntity(value), value
	case KeyDeliveryPriority:
		d.DeliveryPriority, d.DeliveryPriorityRaw = ParsePriority(value), value
	case KeyPrioritizationReason:
		d.PrioritizationReason = value
	case KeyIncludeInSla:
		d.IncludeInSla, ok = parseBool(value)
	case KeySlaExclusionReason:
		d.SlaExclusionReason = value
	case KeyIsSmtpResponseFromExternalServer:
		d.IsSmtpResponseFromExternalServer, ok = parseBool(value)
	case KeyDeliveredViaHttps:
		d.DeliveredViaHttps, ok = parseBool(value)
	case KeyMailboxDatabaseGuid:
		d.MailboxDatabaseGuidRaw = value
		d.MailboxDatabaseGuid, ok = msgtrk.ParseGUID(value)
	case KeyOriginalFromAddress:
		d.OriginalFromAddress = value
	case KeyAccountForest:
		d.AccountForest = value
	case KeyMessageValue:
		d.MessageValue = value
	case KeyReplication:
		d.Replication = value
	case KeyItemEntryID:
		d.ItemEntryID = value
	case KeyMailboxes:
		d.Mailboxes = value
	case KeyStoreObjectIDs:
		d.StoreObjectIDs = value
	case KeyP2RecipStat:
		d.P2RecipStat = value
	case KeyActivityID:
		d.ActivityID = value
	case KeyHTTPRequestID:
		d.HTTPRequestID = value
	case KeyMapiMessageClass:
		d.MapiMessageClass = value
	case KeyRequiredTLSAuthLevel:
		d.RequiredTLSAuthLevel = value
	case KeyEffectiveTLSAuthLevel:
		d.EffectiveTLSAuthLevel = value
	case KeyInvalidRecipient:
		d.InvalidRecipient = value
	}
	return ok
}

func (d *Data) setProxyHop(n int, value []byte) bool {
	if n > d.NumProxyHops {
		d.NumProxyHops = n
	}
	if n > MaxProxyHops || d.hopsSeen&(1<<(n-1)) != 0 {
		return true // beyond the array, or a repeated key: first wins
	}
	d.hopsSeen |= 1 << (n - 1)
	h, ok := ParseProxyHop(value)
	d.ProxyHops[n-1] = h
	return ok
}

// ParseProxyHop splits a ProxyHopN value "host(ip)" into host and address.
// The address may be enclosed in brackets ("host([fe80::1])") and may carry
// an IPv6 zone. A value without a trailing parenthesised part is returned
// whole as Host with ok true. When the part in parentheses is not an IP
// address, Host is still set, Addr is invalid and ok is false.
//
// Host aliases value. ParseProxyHop does no allocation (bar the first
// address with an IPv6 zone not seen before, see msgtrk.ParseAddr) and is
// safe for concurrent use.
func ParseProxyHop(value []byte) (h ProxyHop, ok bool) {
	n := len(value)
	if n == 0 || value[n-1] != ')' {
		return ProxyHop{Host: value}, true
	}
	open := bytes.LastIndexByte(value, '(')
	if open < 0 {
		return ProxyHop{Host: value}, true
	}
	h.Host = value[:open:open]
	ip := value[open+1 : n-1]
	if len(ip) >= 2 && ip[0] == '[' && ip[len(ip)-1] == ']' {
		ip = ip[1 : len(ip)-1]
	}
	h.Addr, ok = msgtrk.ParseAddr(ip)
	return h, ok
}
