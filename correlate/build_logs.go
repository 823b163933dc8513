package correlate

import (
	"fmt"
	"time"

	"github.com/mailtrace/mailtrace/messageinfo"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// What the logs in the input cover: the servers, and the services of each
// server, whose logs a trace would need and does not have.
//
// A server's logs are the logs of its services: the Transport service
// (MSGTRK), on 2013 and later the Mailbox Transport Submission (MSGTRKMS)
// and Delivery (MSGTRKMD) services, on 2007/2010 the Mailbox role
// (MSGTRKM), whose deliveries the transport logs (format.md §1.1). Each is
// collected, rotated and deleted on its own (§1.2), so the logs of one
// service can be missing while the others are there, and a service's logs
// can begin after the message reached it (circular logging deleted the
// older files). Either is said exactly as for a server missing whole: the
// recipients handed to it are handed_off, the trace names it in
// MissingLogs ("EX01 (MSGTRKMD)"), and a log_gap anomaly gives the time
// its logs begin.

// missingKey names what is missing: a server (kind LogUnknown: none of its
// logs) or one service of it.
type missingKey struct {
	short string
	kind  msgtrk.LogKind
}

// missingName names k for Trace.MissingLogs.
func (b *builder) missingName(k missingKey) string {
	if k.kind == msgtrk.LogUnknown {
		return b.org.nameFor(k.short)
	}
	return b.org.nameFor(k.short) + " (" + k.kind.Prefix() + ")"
}

// sendService tells which service of the next hop a SEND handed the
// message to, from the reply in its source-context (format.md §6, §8): a
// Transport service queues the message under an internal id of its own
// ("250 2.6.0 <id> [InternalId=…, Hostname=…] Queued mail for delivery"),
// the Mailbox Transport Delivery service names only its host ("250 2.0.0
// OK <id> [Hostname=…]"); LogUnknown when the reply says neither. The
// next hop's internal id is returned too (nil when none).
func sendService(ctx []byte) (msgtrk.LogKind, []byte) {
	sc, _ := sourcecontext.ParseSend(ctx)
	n := sc.Reply.Next
	switch {
	case len(n.InternalIDRaw) > 0:
		return msgtrk.LogTransport, n.InternalIDRaw
	case len(n.Host) > 0:
		return msgtrk.LogDelivery, nil
	}
	return msgtrk.LogUnknown, nil
}

// hasRole reports whether the server of short name short has a visit in
// role r (a transport role for LogTransport) in this trace, other than
// visit not.
func (b *builder) hasRole(short string, kind msgtrk.LogKind, not int32) bool {
	i, ok := b.idx[short]
	if !ok {
		return false
	}
	x := &b.servers[i]
	switch kind {
	case msgtrk.LogTransport:
		return other(x.transport, not) >= 0
	case msgtrk.LogSubmission:
		return x.submission >= 0 && x.submission != not
	case msgtrk.LogDelivery:
		for _, d := range x.deliveries {
			if d != not {
				return true
			}
		}
	}
	return false
}

// logsWanted checks, for a hand-over at time at between this trace and
// service kind of the server short (which has some logs in the input),
// whose rows of the message are not in the trace, whether that service's
// logs are missing or begin later: it records what is missing (and the
// gap) and reports true; false when its logs cover that time (the rows
// are missing for another reason; a missing_hop anomaly says so).
func (b *builder) logsWanted(short string, kind msgtrk.LogKind, at int64) bool {
	k, first, wanted := b.serviceWanted(short, kind, at)
	if !wanted {
		return false
	}
	b.missing[k] = true
	if first != 0 {
		b.gaps = append(b.gaps, Anomaly{AnomalyLogGap, fmt.Sprintf("the %s logs of %s in the input begin at %s, after it had this message (%s)",
			k.kind.Prefix(), b.org.nameFor(short), fmtTime(first), fmtTime(at))})
	}
	return true
}

// serviceWanted is logsWanted without recording: what is missing, and
// the time its logs begin when they begin after at (0 when they are
// missing whole).
func (b *builder) serviceWanted(short string, kind msgtrk.LogKind, at int64) (k missingKey, first int64, wanted bool) {
	eff, have, first := b.org.serviceLogs(short, kind)
	k = missingKey{short, eff}
	switch {
	case !have:
		return k, 0, true
	case first > at && at != 0:
		return k, first, true
	}
	return k, 0, false
}

func fmtTime(ns int64) string { return time.Unix(0, ns).UTC().Format(time.RFC3339Nano) }

// readSends reads the reply of every SEND of a transport visit: which
// service of the next hop took the message (sendService), and the next
// hop's copy, its internal-message-id (format.md §6, §8), by which the
// copy that received it is linked to the very copy that sent it (in a mail
// loop, each copy to the one before).
func (b *builder) readSends() {
	tr := b.tr
	b.sendKind = growKinds(b.sendKind, len(b.events))
	b.byNext = resetMap(b.byNext)
	b.identified = resetMap(b.identified)
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		b.sendKind[i] = msgtrk.LogUnknown
		h := b.hopOf[i]
		if e.etype != msgtrk.EventSend || h < 0 || !transportRole(b.visits[h].Role) || e.peer == "" {
			continue
		}
		kind, id := sendService(tr.bytesOf(e.context))
		b.sendKind[i] = kind
		if len(id) == 0 {
			continue
		}
		b.keyBuf = append(append(append(b.keyBuf[:0], e.peer...), 0), id...)
		if _, ok := b.byNext[string(b.keyBuf)]; !ok {
			b.byNext[b.text.of(b.keyBuf)] = h
		}
	}
	if len(b.byNext) == 0 {
		return
	}
	// Between two servers whose replies name copies the receiver has, the
	// names are to be trusted: a copy no reply names was not sent by a
	// copy in the trace.
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		if h := b.hopOf[i]; h >= 0 && e.etype == msgtrk.EventReceive && e.source == msgtrk.SourceSMTP && e.peer != "" {
			if _, ok := b.nextParent(e.short, e, h); ok {
				b.identified[[2]string{e.peer, e.short}] = true
			}
		}
	}
}

// nextParent returns the visit whose SEND named, in its reply, the copy
// an SMTP RECEIVE row (of visit h, on server short) created.
func (b *builder) nextParent(short string, e *event, h int32) (int32, bool) {
	if e.internal.n == 0 || len(b.byNext) == 0 {
		return -1, false
	}
	b.keyBuf = append(append(append(b.keyBuf[:0], short...), 0), b.tr.bytesOf(e.internal)...)
	p, ok := b.byNext[string(b.keyBuf)]
	return p, ok && p != h
}

// classifyHandOvers decides, for every SEND and SUBMIT to a server with
// logs in the input whose service that took the message (sendService;
// for a SUBMIT, the transport) has no row of it in the trace, whether
// that service's logs are missing or begin later: toMissing[i] is then
// set (the row's recipients are handed off) and what is missing recorded.
func (b *builder) classifyHandOvers() {
	b.toMissing = growBools(b.toMissing, len(b.events))
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		b.toMissing[i] = false
		if e.etype == msgtrk.EventSubmit && e.source == msgtrk.SourceStoreDriver {
			b.sendKind[i] = msgtrk.LogTransport
		}
		kind := b.sendKind[i]
		if kind == msgtrk.LogUnknown || e.peer == "" || looksLikeIP(e.peer) || !b.org.hasLogs(e.peer) || b.hasRole(e.peer, kind, b.hopOf[i]) {
			continue
		}
		b.toMissing[i] = b.logsWanted(e.peer, kind, e.time)
	}
}

func growKinds(s []msgtrk.LogKind, n int) []msgtrk.LogKind {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]msgtrk.LogKind, n, n+n/2)
}

func growBools(s []bool, n int) []bool {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]bool, n, n+n/2)
}

// fromExchange reports whether an SMTP RECEIVE came from another Exchange
// server of the organisation, not from a client through a front end: it
// authenticated as an Exchange server (Kerberos "0c", or mutual or direct
// trust TLS "02"/"11" other than a partner organisation's), and no front
// end proxied it (S:ProxyHop1, S:ProxiedClientIPAddress).
func fromExchange(ri *receiveInfo) bool {
	if ri.proxied || !ri.auth.IsValid() {
		return false
	}
	switch ri.auth.Number {
	case 0x0c:
		return true
	case 0x02, 0x11:
		return ri.auth.Category() != messageinfo.CategoryPartner
	}
	return false
}

// senderRowsMissing reports whether an SMTP RECEIVE (event i) is a
// hand-over from an Exchange server (fromExchange) none of whose rows for
// the message is in the trace: the hop that handed it over, and the
// message's entry before it, are in logs the input does not have. A
// server receiving from itself got the message from its own submission
// service.
func (b *builder) senderRowsMissing(i int32) bool {
	e := &b.events[i]
	if e.etype != msgtrk.EventReceive || e.source != msgtrk.SourceSMTP || e.recv < 0 || e.peer == "" || looksLikeIP(e.peer) {
		return false
	}
	if !fromExchange(&b.receives[e.recv]) {
		return false
	}
	if e.peer == e.short {
		return !b.hasRole(e.peer, msgtrk.LogSubmission, -1)
	}
	return !b.hasRole(e.peer, msgtrk.LogTransport, -1) && !b.hasRole(e.peer, msgtrk.LogSubmission, -1)
}

// receivedFromMissing records what is missing when an SMTP RECEIVE (event
// i) came from an Exchange server none of whose rows for the message is in
// the trace (senderRowsMissing): that server when none of its logs is in
// the input; else its services whose logs are missing or begin later (its
// submission service, and its transport unless it is the receiver itself);
// else, its logs covering that time, a missing_hop anomaly. With record
// false it only reports whether logs are missing.
func (b *builder) receivedFromMissing(i int32, record bool) bool {
	e := &b.events[i]
	if !b.org.hasLogs(e.peer) {
		if record {
			b.missing[missingKey{e.peer, msgtrk.LogUnknown}] = true
		}
		return true
	}
	check := func(kind msgtrk.LogKind) bool {
		if record {
			return b.logsWanted(e.peer, kind, e.time)
		}
		_, _, wanted := b.serviceWanted(e.peer, kind, e.time)
		return wanted
	}
	wanted := false
	if !b.org.isEdge(e.peer) {
		wanted = check(msgtrk.LogSubmission)
	}
	if e.peer != e.short {
		wanted = check(msgtrk.LogTransport) || wanted
	}
	if !wanted && record {
		b.out.Anomalies = append(b.out.Anomalies, Anomaly{AnomalyMissingHop, fmt.Sprintf("%s received it from %s at %s, no row of %s for this message",
			e.server, b.org.nameFor(e.peer), fmtTime(e.time), b.org.nameFor(e.peer))})
	}
	return wanted
}

// entryGap is the log_gap anomaly of a trace without entry: when the
// message's first row is on a server whose logs (of that row's service)
// begin less than a quiet window before it, its entry is most likely in
// the older logs circular logging deleted.
func (b *builder) entryGap() {
	first := int32(-1)
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		if e.time == 0 || e.shadow || e.kind == msgtrk.LogSummary || e.short == "" {
			continue
		}
		if first < 0 || e.time < b.events[first].time {
			first = int32(i)
		}
	}
	if first < 0 {
		return
	}
	e := &b.events[first]
	kind := e.kind
	if kind == msgtrk.LogUnknown || int(kind) >= numServiceKinds {
		return
	}
	_, have, start := b.org.serviceLogs(e.short, kind)
	if !have || start == 0 || e.time < start || time.Duration(e.time-start) > b.org.window() {
		return
	}
	b.out.Anomalies = append(b.out.Anomalies, Anomaly{AnomalyLogGap, fmt.Sprintf("the %s logs of %s in the input begin at %s and this message's first row there is at %s: it entered before them",
		kind.Prefix(), e.server, fmtTime(start), fmtTime(e.time))})
}

// sendFollowed reports whether the service a SEND (event i) handed the
// message to has rows of it in the trace (any row of the next hop when
// its reply does not say which service took it).
func (b *builder) sendFollowed(i int32, hasVisit map[string]bool) bool {
	e := &b.events[i]
	if kind := b.sendKind[i]; kind != msgtrk.LogUnknown {
		return b.hasRole(e.peer, kind, b.hopOf[i])
	}
	return hasVisit[e.peer]
}

// serviceOf names a server's service that took a message: "EX01's
// delivery service", or the server alone when not known.
func serviceOf(server string, kind msgtrk.LogKind) string {
	switch kind {
	case msgtrk.LogDelivery:
		return server + "'s delivery service (MSGTRKMD)"
	case msgtrk.LogTransport:
		return server + "'s transport service (MSGTRK)"
	}
	return server
}

// linkShadowCopies: a shadow server that sends its shadow copy on (the
// primary failed, format.md §6: resubmitted with S:Resubmit=
// ShadowRedundancy) has a transport visit no RECEIVE leads to; the
// primary's HAREDIRECT names that copy (its reply's InternalId, on the
// shadow's host), so the copy comes after the primary's visit that made
// it.
func (b *builder) linkShadowCopies() {
	tr := b.tr
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		if e.etype != msgtrk.EventHARedirect || e.context.n == 0 || e.internal.n == 0 {
			continue
		}
		sh, _ := sourcecontext.ParseShadow(tr.bytesOf(e.context))
		if len(sh.Reply.Next.InternalIDRaw) == 0 {
			continue
		}
		host := sh.Host
		if len(host) == 0 {
			host = sh.Reply.Next.Host
		}
		b.keyBuf = shortHost(b.keyBuf[:0], host)
		name := b.org.nameFor(string(b.keyBuf))
		primary, ok := b.byVisit[visitKey{e.server, RoleHub, rootCopy(b.forks, e.server, string(tr.bytesOf(e.internal)))}]
		if !ok {
			continue
		}
		for _, role := range [...]Role{RoleHub, RoleEdge} {
			child, ok := b.byVisit[visitKey{name, role, rootCopy(b.forks, name, string(sh.Reply.Next.InternalIDRaw))}]
			if ok && child != primary && len(b.visits[child].parents) == 0 && b.visits[child].Events > 0 {
				b.addParent(child, primary)
			}
		}
	}
}
