// Package filter selects message tracking events the way
// Get-MessageTrackingLog's parameters do (-Start, -End, -EventId, -Source,
// -Sender, -Recipients, -MessageId, -NetworkMessageId, -InternalMessageId,
// -MessageSubject, -Server), plus a minimum size, over msgtrk records.
//
// Matching does no allocation. A zero Events, once compiled, matches every
// event; Match panics on an Events that was never compiled.
package filter

import (
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
// Configure it, then call Compile once before Match.
type Events struct {
	Start, End        time.Time          // date-time in [Start, End); zero means unbounded
	EventIDs          []msgtrk.EventType // event-id is one of these
	EventIDRaw        []string           // or its raw spelling is one of these (unknown events)
	Sources           []msgtrk.SourceType
	Senders           []string // sender-address or return-path equals one of these
	Recipients        []string // a member of recipient-address (or related-recipient-address) equals one of these
	MessageIDs        []string // message-id equals one (angle brackets optional)
	NetworkMessageIDs []string // network-message-id equals one
	InternalIDs       []string // internal-message-id equals one
	Subject           string   // message-subject contains this
	Servers           []string // the logging server (Origin().Server, or the row's guess) equals one; a short name matches an FQDN
	MinSize           int64    // total-bytes at least this

	subjectFold []rune
	compiled    bool
}

// Compile prepares e for Match. It must be called after the last change to
// e's fields and before Match.
func (e *Events) Compile() {
	e.subjectFold = nil
	for _, r := range e.Subject {
		e.subjectFold = append(e.subjectFold, foldRune(r))
	}
	e.compiled = true
}

// Match reports whether rec satisfies every condition of e. It does no
// allocation. It panics if Compile was not called.
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
	if len(e.Senders) > 0 && !anyFold(rec.Field(msgtrk.SenderAddress), e.Senders) && !anyFold(rec.Field(msgtrk.ReturnPath), e.Senders) {
		return false
	}
	if len(e.Recipients) > 0 && !e.matchRecipient(rec) {
		return false
	}
	if len(e.MessageIDs) > 0 && !matchMessageID(rec.Field(msgtrk.MessageID), e.MessageIDs) {
		return false
	}
	if len(e.NetworkMessageIDs) > 0 && !anyFold(rec.Field(msgtrk.NetworkMessageID), e.NetworkMessageIDs) {
		return false
	}
	if len(e.InternalIDs) > 0 && !anyFold(rec.Field(msgtrk.InternalMessageID), e.InternalIDs) {
		return false
	}
	if len(e.subjectFold) > 0 && !containsFold(rec.Field(msgtrk.MessageSubject), e.subjectFold) {
		return false
	}
	if len(e.Servers) > 0 {
		srv := []byte(nil)
		if o := rec.Origin(); o.Server != "" {
			if !anyHost(o.Server, e.Servers) {
				return false
			}
		} else {
			srv = msgtrk.LoggingServer(rec)
			if !anyHost(srv, e.Servers) {
				return false
			}
		}
	}
	if e.MinSize > 0 {
		n, err := rec.Int(msgtrk.TotalBytes)
		if err != nil || n < e.MinSize {
			return false
		}
	}
	return true
}

func (e *Events) matchRecipient(rec *msgtrk.Record) bool {
	var s msgtrk.ListScanner
	rec.List(msgtrk.RecipientAddress, &s)
	for s.Next() {
		if anyFold(s.Bytes(), e.Recipients) {
			return true
		}
	}
	return anyFold(rec.Field(msgtrk.RelatedRecipientAddress), e.Recipients)
}

func matchMessageID(v []byte, ids []string) bool {
	v = trimAngle(v)
	for _, id := range ids {
		if string(v) == string(trimAngle([]byte(id))) {
			return true
		}
	}
	return false
}

func trimAngle(b []byte) []byte {
	if len(b) >= 2 && b[0] == '<' && b[len(b)-1] == '>' {
		return b[1 : len(b)-1]
	}
	return b
}

func anyFold(v []byte, list []string) bool {
	for _, s := range list {
		if ascii.EqualFold(v, s) {
			return true
		}
	}
	return false
}

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
