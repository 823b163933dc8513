package report

import (
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/messageinfo"
)

// MaxSubmitters bounds the distinct submitters kept; messages of further
// ones are counted in Submitters.Overflow.
const MaxSubmitters = 1 << 20

// SubmitterKey identifies a way mail enters the organisation.
type SubmitterKey struct {
	IP        netip.Addr // the client: proxied client IP, else original client IP, else client IP
	Connector string     // the Receive connector ("" for store submissions)
	Category  string     // auth category: Anonymous, Internal, External, Partner, Other, or "" when unknown
	Protocol  string     // "store" or "smtp"
	Server    string     // server where it entered
}

// Submitter is one way mail enters, with what came through it.
type Submitter struct {
	SubmitterKey
	Auth    string    // auth codes seen, e.g. "0cA" (the first one)
	Count   int64     // messages
	First   time.Time // first message
	Last    time.Time // last message
	Senders []string  // up to MaxSampleSenders distinct senders
}

// MaxSampleSenders bounds Submitter.Senders.
const MaxSampleSenders = 3

// Submitters counts messages by how they entered: the job of finding the
// anonymous SMTP clients before switching a server off. The zero value is
// ready to use.
type Submitters struct {
	m        map[SubmitterKey]*Submitter
	Overflow int64
}

// Add counts one message by its origin. Orphan traces and traces without an
// origin are not counted.
func (s *Submitters) Add(t *correlate.Trace) {
	o := t.Origin
	if t.Orphan || o.Protocol == "" {
		return
	}
	ip := o.ProxiedClientIP
	if !ip.IsValid() {
		ip = o.OriginalClientIP
	}
	if !ip.IsValid() {
		ip = o.ClientIP
	}
	cat := ""
	if len(o.Auth) == 3 {
		if c := messageinfo.CategoryOf(o.Auth[2]); c != messageinfo.CategoryUnknown {
			cat = c.String()
		}
	}
	k := SubmitterKey{IP: ip, Connector: o.Connector, Category: cat, Protocol: o.Protocol, Server: o.Server}
	if o.Protocol == "store" {
		k.Connector = ""
	}
	if s.m == nil {
		s.m = map[SubmitterKey]*Submitter{}
	}
	sub := s.m[k]
	if sub == nil {
		if len(s.m) >= MaxSubmitters {
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
	if t.Sender != "" && len(sub.Senders) < MaxSampleSenders {
		snd := strings.ToLower(t.Sender)
		dup := false
		for _, x := range sub.Senders {
			dup = dup || x == snd
		}
		if !dup {
			sub.Senders = append(sub.Senders, snd)
		}
	}
}

// Sorted returns the submitters, anonymous ones first, then by message
// count (most first), then by address.
func (s *Submitters) Sorted() []Submitter {
	out := make([]Submitter, 0, len(s.m))
	for _, v := range s.m {
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Category == "Anonymous") != (b.Category == "Anonymous") {
			return a.Category == "Anonymous"
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if c := a.IP.Compare(b.IP); c != 0 {
			return c < 0
		}
		if a.Connector != b.Connector {
			return a.Connector < b.Connector
		}
		return a.Server < b.Server
	})
	return out
}
