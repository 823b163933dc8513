package report

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/messageinfo"
)

// MaxSubmitters is the default bound on the distinct submitters kept;
// messages of further ones are counted in Submitters.Overflow.
const MaxSubmitters = 1 << 20

// SubmitterKey identifies a client and the way it submits mail.
type SubmitterKey struct {
	IP       netip.Addr // the client: proxied client IP, else original client IP, else client IP
	Category string     // auth category: Anonymous, Internal, External, Partner, Other, or "" when unknown
	Protocol string     // "store" or "smtp"
}

// Submitter is one client and way of submitting, with what came through it.
type Submitter struct {
	SubmitterKey
	Auth       string    // the auth code seen first, e.g. "0cA"
	Count      int64     // messages
	First      time.Time // first message
	Last       time.Time // last message
	Servers    []string  // servers the mail entered through (up to MaxSamples)
	Connectors []string  // receive connectors it came in on (up to MaxSamples; none for store submissions)
	Senders    []string  // distinct senders (up to MaxSamples)
}

// Anonymous reports whether the submitter did not authenticate.
func (s *Submitter) Anonymous() bool { return s.Category == "Anonymous" }

// MaxSamples bounds the lists of a Submitter.
const MaxSamples = 3

// Submitters counts messages by how they entered: the job of finding the
// anonymous SMTP clients before switching a server off. The zero value is
// ready to use.
type Submitters struct {
	// Limit bounds the distinct submitters kept; zero means MaxSubmitters.
	Limit int
	// Overflow counts the messages of submitters beyond Limit.
	Overflow int64

	m map[SubmitterKey]*Submitter
}

// Add counts one message by its origin. Orphan traces, traces without an
// origin and DSNs of any type (NDRs, delay notices …: made inside the
// organisation, not submitted) are not counted.
func (s *Submitters) Add(t *correlate.Trace) {
	o := t.Origin
	if t.Orphan || o.Protocol == correlate.ProtocolUnknown || o.Protocol == correlate.ProtocolDSN || t.IsDSN() {
		return
	}
	ip := SubmitterIP(o)
	cat := ""
	if len(o.Auth) == 3 {
		if c := messageinfo.CategoryOf(o.Auth[2]); c != messageinfo.CategoryUnknown {
			cat = c.String()
		}
	}
	k := SubmitterKey{IP: ip, Category: cat, Protocol: o.Protocol.String()}
	if s.m == nil {
		s.m = map[SubmitterKey]*Submitter{}
	}
	sub := s.m[k]
	if sub == nil {
		limit := s.Limit
		if limit <= 0 {
			limit = MaxSubmitters
		}
		if len(s.m) >= limit {
			s.Overflow++
			return
		}
		sub = &Submitter{SubmitterKey: k, Auth: o.Auth}
		s.m[k] = sub
	}
	sub.Count++
	if sub.First.IsZero() || t.FirstSeen.Before(sub.First) {
		sub.First = t.FirstSeen
	}
	if t.FirstSeen.After(sub.Last) {
		sub.Last = t.FirstSeen
	}
	sub.Senders = addSample(sub.Senders, strings.ToLower(t.Sender))
	sub.Servers = addSample(sub.Servers, o.Server)
	if o.Protocol == correlate.ProtocolSMTP {
		sub.Connectors = addSample(sub.Connectors, o.Connector)
	}
}

// cmpBool orders true before false.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// addSample adds v to the distinct values of list, up to MaxSamples.
func addSample(list []string, v string) []string {
	if v == "" || len(list) >= MaxSamples {
		return list
	}
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// Sorted returns the submitters, anonymous ones first, then by message
// count (most first), then by address.
func (s *Submitters) Sorted() []Submitter {
	out := make([]Submitter, 0, len(s.m))
	for _, v := range s.m {
		out = append(out, *v)
	}
	slices.SortFunc(out, func(a, b Submitter) int {
		return cmp.Or(
			cmpBool(a.Anonymous(), b.Anonymous()),
			cmp.Compare(b.Count, a.Count),
			a.IP.Compare(b.IP),
			strings.Compare(a.Protocol, b.Protocol),
			strings.Compare(a.Category, b.Category),
		)
	})
	return out
}
