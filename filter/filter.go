// Package filter selects message tracking events the way
// Get-MessageTrackingLog's parameters do (-Start, -End, -EventId, -Source,
// -Sender, -Recipients, -MessageId, -NetworkMessageId, -InternalMessageId,
// -MessageSubject, -Server), plus a minimum size, over msgtrk records.
//
// Matching does no allocation. A zero Events, once compiled, matches every
// event; Match panics on an Events that was never compiled.
package filter

import (
	"net/netip"
	"time"
	"unicode/utf8"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// Events is a conjunction of conditions on an event: an event matches when
// it satisfies every condition that is set. Within a list condition
// (EventIDs, Sources, Recipients …) any one value is enough. String
// comparisons ignore ASCII case, except MessageID (case-sensitive, as
// message ids are) and Subject (a case-insensitive substring, Unicode-aware
// for simple case folding).
//
// Senders and Recipients also take patterns: '*' stands for any run of
// characters ("*@contoso.com", "j*@contoso.com"), and "@contoso.com" is
// short for "*@contoso.com". Long lists (a file of message ids) are looked
// up in a map, not compared one by one.
//
// Configure it, then call Compile once before Match.
type Events struct {
	Start, End        time.Time          // date-time in [Start, End); zero means unbounded
	EventIDs          []msgtrk.EventType // event-id is one of these
	EventIDRaw        []string           // or its raw spelling is one of these (unknown events)
	Sources           []msgtrk.SourceType
	Senders           []string       // sender-address or return-path equals (or matches) one of these
	Recipients        []string       // a member of recipient-address (or related-recipient-address) equals (or matches) one of these
	MessageIDs        []string       // message-id equals one (angle brackets optional)
	NetworkMessageIDs []string       // network-message-id equals one
	InternalIDs       []string       // internal-message-id equals one
	Subject           string         // message-subject contains this
	Servers           []string       // the logging server equals one: Origin().Server (its folder) or the one the row names (msgtrk.LoggingServer); a short name matches an FQDN
	ClientIPs         []netip.Prefix // client-ip or original-client-ip is in one of these (a single address is a /32 or /128)
	Connectors        []string       // connector-id equals one, whole or after its "SERVER\" prefix
	MinSize           int64          // total-bytes at least this
	MaxSize           int64          // total-bytes at most this (0: no bound)

	subjectFold []rune
	senders     valueSet
	recipients  valueSet
	messageIDs  valueSet
	networkIDs  valueSet
	internalIDs valueSet
	connectors  valueSet
	compiled    bool
}

// Compile prepares e for Match. It must be called after the last change to
// e's fields and before Match.
func (e *Events) Compile() {
	e.subjectFold = nil
	for _, r := range e.Subject {
		e.subjectFold = append(e.subjectFold, foldRune(r))
	}
	e.senders = newValueSet(e.Senders, true, false, true)
	e.recipients = newValueSet(e.Recipients, true, false, true)
	e.messageIDs = newValueSet(e.MessageIDs, false, true, false)
	e.networkIDs = newValueSet(e.NetworkMessageIDs, true, false, false)
	e.internalIDs = newValueSet(e.InternalIDs, true, false, false)
	e.connectors = newValueSet(e.Connectors, true, false, false)
	e.compiled = true
}

// Match reports whether rec satisfies every condition of e. It does no
// allocation and is safe for concurrent use. It panics if Compile was not
// called.
func (e *Events) Match(rec *msgtrk.Record) bool {
	if !e.compiled {
		panic("filter: Match called before Compile")
	}
	if !e.Start.IsZero() || !e.End.IsZero() {
		t, err := rec.Time()
		if err != nil {
			return false
		}
		if !e.Start.IsZero() && t.Before(e.Start) {
			return false
		}
		if !e.End.IsZero() && !t.Before(e.End) {
			return false
		}
	}
	if len(e.EventIDs) > 0 || len(e.EventIDRaw) > 0 {
		et := rec.EventType()
		ok := false
		for _, id := range e.EventIDs {
			if id == et {
				ok = true
				break
			}
		}
		if !ok {
			raw := rec.Field(msgtrk.EventID)
			for _, s := range e.EventIDRaw {
				if ascii.EqualFold(raw, s) {
					ok = true
					break
				}
			}
		}
		if !ok {
			return false
		}
	}
	if len(e.Sources) > 0 {
		st := rec.SourceType()
		ok := false
		for _, s := range e.Sources {
			if s == st {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if !e.senders.empty() && !e.senders.match(rec.Field(msgtrk.SenderAddress)) && !e.senders.match(rec.Field(msgtrk.ReturnPath)) {
		return false
	}
	if !e.recipients.empty() && !e.matchRecipient(rec) {
		return false
	}
	if !e.messageIDs.empty() && !e.messageIDs.match(rec.Field(msgtrk.MessageID)) {
		return false
	}
	if !e.networkIDs.empty() && !e.networkIDs.match(rec.Field(msgtrk.NetworkMessageID)) {
		return false
	}
	if !e.internalIDs.empty() && !e.internalIDs.match(rec.Field(msgtrk.InternalMessageID)) {
		return false
	}
	if len(e.subjectFold) > 0 && !containsFold(rec.Field(msgtrk.MessageSubject), e.subjectFold) {
		return false
	}
	if len(e.Servers) > 0 && !e.matchServer(rec) {
		return false
	}
	if len(e.ClientIPs) > 0 && !e.inPrefixes(rec.Field(msgtrk.ClientIP)) && !e.inPrefixes(rec.Field(msgtrk.OriginalClientIP)) {
		return false
	}
	if !e.connectors.empty() && !e.matchConnector(rec.Field(msgtrk.ConnectorID)) {
		return false
	}
	if e.MinSize > 0 || e.MaxSize > 0 {
		n, ok := ascii.ParseInt64(rec.Field(msgtrk.TotalBytes))
		if !ok || n < e.MinSize || e.MaxSize > 0 && n > e.MaxSize {
			return false
		}
	}
	return true
}

// matchServer matches the server of rec: the one its input was found under
// (Origin().Server, from the folder or file name), or the one its own
// columns name (msgtrk.LoggingServer), so that -server EX01 selects the
// rows EX01 wrote whatever the folder its logs were copied to is called.
func (e *Events) matchServer(rec *msgtrk.Record) bool {
	if o := rec.Origin(); o.Server != "" && anyHost(o.Server, e.Servers) {
		return true
	}
	return anyHost(msgtrk.LoggingServer(rec), e.Servers)
}

func (e *Events) inPrefixes(v []byte) bool {
	a, ok := msgtrk.ParseAddr(v)
	if !ok {
		return false
	}
	a = a.WithZone("").Unmap()
	for _, p := range e.ClientIPs {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// matchConnector matches connector-id whole, or its part after the first
// backslash: Exchange writes receive connectors as "SERVER\Name".
func (e *Events) matchConnector(v []byte) bool {
	if e.connectors.match(v) {
		return true
	}
	for i, c := range v {
		if c == '\\' {
			return e.connectors.match(v[i+1:])
		}
	}
	return false
}

func (e *Events) matchRecipient(rec *msgtrk.Record) bool {
	var s msgtrk.ListScanner
	rec.List(msgtrk.RecipientAddress, &s)
	for s.Next() {
		if e.recipients.match(s.Bytes()) {
			return true
		}
	}
	return e.recipients.match(rec.Field(msgtrk.RelatedRecipientAddress))
}

func trimAngle(b []byte) []byte {
	if len(b) >= 2 && b[0] == '<' && b[len(b)-1] == '>' {
		return b[1 : len(b)-1]
	}
	return b
}

// RecipientMatches reports whether addr equals or matches one of
// e.Recipients; false when there are none. e must be compiled.
func (e *Events) RecipientMatches(addr string) bool {
	return e.recipients.match([]byte(addr))
}

// HostMatches reports whether host is one of names, compared as the
// Servers condition compares them (any case; a short name matches an FQDN).
func HostMatches(host string, names []string) bool { return anyHost(host, names) }

// anyHost matches a host name against names, comparing short names when
// one side is not fully qualified.
func anyHost[H []byte | string](h H, names []string) bool {
	for _, n := range names {
		if ascii.EqualFold(h, n) || ascii.EqualFold(shortName(h), shortName(n)) {
			return true
		}
	}
	return false
}

// shortName returns h up to its first '.', without converting it (a
// conversion of a name longer than 32 bytes would allocate).
func shortName[H []byte | string](h H) H {
	for i := 0; i < len(h); i++ {
		if h[i] == '.' {
			return h[:i]
		}
	}
	return h
}

// containsFold reports whether b contains the folded runes of sub, comparing
// rune by rune with simple case folding. It does no allocation.
func containsFold(b []byte, sub []rune) bool {
	for start := 0; start < len(b); {
		if matchAt(b[start:], sub) {
			return true
		}
		_, size := utf8.DecodeRune(b[start:])
		start += size
	}
	return false
}

func matchAt(b []byte, sub []rune) bool {
	for _, want := range sub {
		if len(b) == 0 {
			return false
		}
		r, size := utf8.DecodeRune(b)
		if foldRune(r) != want {
			return false
		}
		b = b[size:]
	}
	return true
}

// foldRune maps r to a canonical case: the smallest rune of its simple
// case-folding orbit (so 'A', 'a' → 'A'; 'Ж', 'ж' → 'Ж').
func foldRune(r rune) rune {
	min := r
	for f := simpleFold(r); f != r; f = simpleFold(f) {
		if f < min {
			min = f
		}
	}
	return min
}
