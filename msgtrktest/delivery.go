package msgtrktest

import (
	"strconv"
	"strings"

	"github.com/mailtrace/mailtrace/msgtrk"
)

var storeFailures = []struct{ diag, code string }{
	{"STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded; Failed to process message due to a permanent exception with message The mailbox is full. [Stage: CreateMessage]", "554 5.2.2 mailbox full; "},
	{"STOREDRV.Deliver.Exception:MessageSubmissionExceededException.MapiExceptionMaxSubmissionExceeded; Failed to process message due to a permanent exception with message Cannot save changes made to an item to store. [Stage: OnCreatedEvent][Agent: Meeting Message Processing Agent]", "554 5.2.0 "},
}

// byOutcome splits the batch's recipients by their planned outcome.
func (b *batch) byOutcome() (ok, failStore, failRcpt, deferred []*final) {
	for _, f := range b.finals {
		switch f.out {
		case outOK:
			ok = append(ok, f)
		case outFailStore:
			failStore = append(failStore, f)
		case outFailRcpt:
			failRcpt = append(failRcpt, f)
		case outDeferOK, outDeferPending:
			deferred = append(deferred, f)
		}
	}
	return ok, failStore, failRcpt, deferred
}

// deliverBatch sends one copy's recipients on one delivery server dst.
func (g *gen) deliverBatch(hc *hubCtx, b *batch, t int64, resubmit bool) {
	if g.legacy {
		g.legacyDeliverBatch(hc, b, t)
		return
	}
	m, hub, dst := hc.m, hc.H, b.D
	imid := hc.imids[b.copy]
	ok, failStore, failRcpt, deferred := b.byOutcome()
	if len(failRcpt) > 0 {
		led := "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
		t += g.between(5, 60)
		st := g.lastError(hub, t, led, dst.FQDN, dst.IP)
		g.failRow(hc, failure{source: "SMTP", srv: hub, imid: imid, fs: failRcpt, statuses: []string{st}, role: RoleHub, depth: hc.depth, connector: "Intra-Organization SMTP Send Connector"}, t)
		for _, f := range failRcpt {
			g.setOutcome(hc, f, StatusFailed, hub.Name, st)
		}
		hc.done = max(hc.done, t)
	}
	if len(ok) > 0 || len(failStore) > 0 {
		tIn := t + g.between(10, 100)
		tD := tIn + g.between(20, 250)
		sess := g.session()
		sessStart := g.ts(dst, tIn-g.between(0, 500))
		tSend := g.deliverRows(hc, storeDelivery{event: msgtrk.EventDeliver, dst: dst, fs: ok, tIn: tIn, sess: sess, sessStart: sessStart}, tD)
		fails := make([]string, 0, len(failStore))
		for i, f := range failStore {
			sf := storeFailures[g.rng.IntN(len(storeFailures))]
			tF := tD + int64(i+1)*g.between(1, 30)
			e := g.begin(m, dst, tF, "STOREDRIVER", "DELIVERFAIL")
			e.Fields[fClientHost] = dst.Name
			e.Fields[fContext] = sess + ";" + sessStart
			e.Fields[fIMID] = g.nextIMID(dst, msgtrk.LogDelivery)
			g.setRcpts(e, []string{f.addr}, []string{sf.diag})
			e.Fields[fBytes] = hc.szOutText
			lb := appendSRV(g.lat2[:0], dst.FQDN)
			lb = g.delRecords(lb, tF-tIn)
			e.Fields[fInfo] = g.chain(hc, tIn, false, lb)
			e.Fields[fCustom] = "S:E2ELatency=" + sec(tF-m.origMs) + ";S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
			g.commit(m, dst, msgtrk.LogDelivery, tF, msgtrk.EventDeliverFail, RoleDelivery, hc.depth+1)
			g.setOutcome(hc, f, StatusFailed, dst.Name, sf.diag)
			fails = append(fails, g.lastError(hub, tF+5, sf.code+sf.diag, dst.FQDN, dst.IP))
			tSend = max(tSend, tF+g.between(2, 40))
		}
		if len(ok) > 0 {
			g.sendRow(hc, smtpSend{srv: hub, next: dst, imid: imid, fs: ok, connector: "Intra-Organization SMTP Send Connector",
				ctx: ";250 2.0.0 OK " + m.mid + " [Hostname=" + dst.FQDN + "];ClientSubmitTime:" + m.cst}, tSend)
			for _, f := range ok {
				g.setOutcome(hc, f, StatusDelivered, dst.Name, "")
			}
		}
		if len(failStore) > 0 {
			g.failRow(hc, failure{source: "SMTP", srv: hub, imid: imid, fs: failStore, statuses: fails, role: RoleHub, depth: hc.depth, connector: "Intra-Organization SMTP Send Connector"}, tSend+1)
		}
		hc.done = max(hc.done, tSend+1)
		if resubmit && len(ok) > 0 {
			g.resubmit(hc, dst, ok, tD)
		}
	}
	if len(deferred) > 0 {
		pending := deferred[0].out == outDeferPending
		st := "432 4.3.2 STOREDRV.Deliver; mailbox database thread limit exceeded"
		tLast, tOK, id := g.deferRows(hc, deferral{srv: hub, ip: dst.IP, host: dst.FQDN, imid: imid, fs: deferred, pending: pending, status: st, connector: "Intra-Organization SMTP Send Connector"}, t+g.between(20, 200))
		if pending {
			for _, f := range deferred {
				g.setOutcome(hc, f, StatusPending, hub.Name, st)
			}
			hc.pending = true
			_ = tLast
			return
		}
		tIn := tOK + g.between(10, 100)
		tD := tIn + g.between(20, 250)
		tSend := g.deliverRows(hc, storeDelivery{event: msgtrk.EventDeliver, dst: dst, fs: deferred, tIn: tIn, sess: g.session(), sessStart: g.ts(dst, tIn)}, tD)
		g.sendRow(hc, smtpSend{srv: hub, next: dst, imid: id, fs: deferred, connector: "Intra-Organization SMTP Send Connector",
			ctx: ";250 2.0.0 OK " + m.mid + " [Hostname=" + dst.FQDN + "];ClientSubmitTime:" + m.cst}, tSend)
		for _, f := range deferred {
			g.setOutcome(hc, f, StatusDelivered, dst.Name, "")
		}
		hc.done = max(hc.done, tSend)
	}
}

// storeDelivery is a DELIVER-type row to write: the event (DELIVER or
// DUPLICATEDELIVER), on the mailbox server dst for the recipients fs, of
// the copy that reached dst's delivery service at tIn in the SMTP session
// sess begun at sessStart.
type storeDelivery struct {
	event           msgtrk.EventType
	dst             *Server
	fs              []*final
	tIn             int64
	sess, sessStart string
}

// deliverRows writes the row d at tD and returns when the hub may log its
// SEND.
func (g *gen) deliverRows(hc *hubCtx, d storeDelivery, tD int64) int64 {
	dst, fs, tIn, et := d.dst, d.fs, d.tIn, d.event
	if len(fs) == 0 {
		return tD + g.between(2, 40)
	}
	m := hc.m
	addrs := make([]string, len(fs))
	var mbx []string
	for i, f := range fs {
		addrs[i] = f.addr
		mbx = append(mbx, f.user.Mailbox)
	}
	// DELIVER-type rows name the local host in client-hostname and the
	// target in server-hostname (format.md §4).
	e := g.begin(m, dst, tD, "STOREDRIVER", et.String())
	e.Fields[fClientIP] = dst.IP
	e.Fields[fClientHost] = dst.Name
	e.Fields[fServerIP] = dst.IP
	e.Fields[fServerHost] = dst.FQDN
	e.Fields[fContext] = d.sess + ";" + d.sessStart + ";ClientSubmitTime:" + m.cst
	e.Fields[fIMID] = g.nextIMID(dst, msgtrk.LogDelivery)
	g.setRcpts(e, addrs, nil)
	e.Fields[fBytes] = strconv.FormatInt(hc.szOut+g.between(100, 900), 10)
	lb := appendSRV(g.lat2[:0], dst.FQDN)
	lb = g.delRecords(lb, tD-tIn)
	e.Fields[fInfo] = g.chain(hc, tIn, false, lb)
	e.Fields[fCustom] = "S:MailboxDatabaseGuid=" + dst.Database + ";S:Mailboxes=" + strings.Join(mbx, ",") + ";S:DeliveryLatency=" + sec(tD-tIn) +
		";S:E2ELatency=" + sec(tD-m.origMs) + ";S:MsgRecipCount=" + strconv.Itoa(len(hc.finals)) + ";S:SubRecipCount=" + strconv.Itoa(len(fs)) +
		";S:FromEntity=Hosted;S:ToEntity=Hosted;S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
	g.commit(m, dst, msgtrk.LogDelivery, tD, et, RoleDelivery, hc.depth+1)
	if m.meeting && et == msgtrk.EventDeliver {
		// The meeting processor: its internal-message-id is the
		// message-id (format.md §4, §9.3), no recipient.
		tP := tD + g.extra.Int64N(2000)
		e := g.begin(m, dst, tP, "MEETINGMESSAGEPROCESSOR", "PROCESSMEETINGMESSAGE")
		e.Fields[fClientHost] = dst.Name
		e.Fields[fIMID] = m.mid
		e.Fields[fBytes] = ""
		g.commit(m, dst, msgtrk.LogDelivery, tP, msgtrk.EventProcessMeetingMessage, RoleDelivery, hc.depth+1)
	}
	return tD + g.between(2, 40)
}

// legacyDeliverBatch delivers one copy's recipients homed on dst as a 2007
// or 2010 transport does: its own store driver delivers (DELIVER in the
// transport's MSGTRK, naming the mailbox server in server-hostname; no
// SEND, format.md §1.1), defers (STOREDRIVER DEFER) and fails (a
// STOREDRIVER FAIL with the store's reply, a ROUTING FAIL for a recipient
// not found); every outcome is the transport's.
func (g *gen) legacyDeliverBatch(hc *hubCtx, b *batch, t int64) {
	hub, dst := hc.H, b.D
	imid := hc.imids[b.copy]
	ok, failStore, failRcpt, deferred := b.byOutcome()
	if len(failRcpt) > 0 {
		st := "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"
		t += g.between(5, 60)
		g.failRow(hc, failure{source: "ROUTING", srv: hub, imid: imid, fs: failRcpt, statuses: []string{st}, role: RoleHub, depth: hc.depth}, t)
		for _, f := range failRcpt {
			g.setOutcome(hc, f, StatusFailed, hub.Name, st)
		}
		hc.done = max(hc.done, t)
	}
	tD := t + g.between(30, 300)
	if len(ok) > 0 {
		g.legacyDeliverRow(hc, dst, imid, ok, tD)
	}
	for i, f := range failStore {
		sf := storeFailures[g.rng.IntN(len(storeFailures))]
		st := sf.code + sf.diag
		tF := tD + int64(i+1)*g.between(1, 30)
		g.failRow(hc, failure{source: "STOREDRIVER", srv: hub, imid: imid, fs: []*final{f}, statuses: []string{st}, role: RoleHub, depth: hc.depth}, tF)
		g.setOutcome(hc, f, StatusFailed, hub.Name, st)
		tD = max(tD, tF)
	}
	hc.done = max(hc.done, tD)
	if len(deferred) > 0 {
		pending := deferred[0].out == outDeferPending
		st := "432 4.3.2 STOREDRV.Deliver; mailbox database thread limit exceeded"
		_, tOK, id := g.deferRows(hc, deferral{srv: hub, ip: dst.IP, host: dst.FQDN, imid: imid, fs: deferred, pending: pending, status: st}, t+g.between(20, 200))
		if pending {
			for _, f := range deferred {
				g.setOutcome(hc, f, StatusPending, hub.Name, st)
			}
			hc.pending = true
			return
		}
		tD := tOK + g.between(30, 300)
		g.legacyDeliverRow(hc, dst, id, deferred, tD)
		hc.done = max(hc.done, tD)
	}
}

// legacyDeliverRow writes a 2007/2010 transport's DELIVER of fs into their
// mailboxes on dst: the local host (the transport) in client-hostname, the
// mailbox server in server-hostname (format.md §4).
func (g *gen) legacyDeliverRow(hc *hubCtx, dst *Server, imid string, fs []*final, tD int64) {
	m, hub := hc.m, hc.H
	addrs := make([]string, len(fs))
	for i, f := range fs {
		addrs[i] = f.addr
	}
	e := g.begin(m, hub, tD, "STOREDRIVER", "DELIVER")
	e.Fields[fClientIP] = hub.IP
	e.Fields[fClientHost] = hub.Name
	e.Fields[fServerIP] = dst.IP
	e.Fields[fServerHost] = dst.FQDN
	e.Fields[fIMID] = imid
	g.setRcpts(e, addrs, nil)
	e.Fields[fBytes] = strconv.FormatInt(hc.szOut+g.between(100, 900), 10)
	e.Fields[fInfo] = g.chain(hc, tD, false, nil)
	e.Fields[fCustom] = "S:MailboxDatabaseGuid=" + dst.Database + ";S:DeliveryPriority=Normal"
	g.commit(m, hub, msgtrk.LogTransport, tD, msgtrk.EventDeliver, RoleDelivery, hc.depth+1)
	for _, f := range fs {
		g.setOutcome(hc, f, StatusDelivered, hub.Name, "")
	}
}

// smtpSend is an SMTP SEND row to write: from srv to the next server, of
// the copy imid with the recipients fs, through which send connector, the
// next server's reply (the source-context), and whether the next server is
// outside the organisation's transport (an Edge).
type smtpSend struct {
	srv, next *Server
	imid      string
	fs        []*final
	connector string
	ctx       string
	external  bool
}

// sendRow writes the SEND row s at t.
func (g *gen) sendRow(hc *hubCtx, s smtpSend, t int64) {
	m, srv, next, fs := hc.m, s.srv, s.next, s.fs
	addrs := make([]string, len(fs))
	for i, f := range fs {
		addrs[i] = f.addr
	}
	role, depth := RoleHub, hc.depth
	if srv.Role == RoleEdge {
		role, depth = RoleEdgeHop, hc.depth+1
	}
	e := g.begin(m, srv, t, "SMTP", "SEND")
	e.Fields[fClientIP] = srv.IP
	e.Fields[fClientHost] = srv.Name
	e.Fields[fServerIP] = next.IP
	e.Fields[fServerHost] = next.FQDN
	e.Fields[fContext] = s.ctx
	e.Fields[fConnector] = s.connector
	e.Fields[fIMID] = s.imid
	g.setRcpts(e, addrs, []string{"250 2.1.5 Recipient OK"})
	e.Fields[fBytes] = hc.szOutText
	e.Fields[fInfo] = g.latencyLocal(hc, srv, t, s.external)
	e.Fields[fCustom] = "S:E2ELatency=" + sec(t-m.origMs) + ";S:MsgRecipCount=" + strconv.Itoa(len(addrs)) +
		";S:IncludeInSla=True;S:Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel=Opportunistic;S:IsSmtpResponseFromExternalServer=False;S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
	g.commit(m, srv, msgtrk.LogTransport, t, msgtrk.EventSend, role, depth)
}

// resubmit writes a Safety Net resubmission of a delivered batch: RESUBMIT
// on the hub, a SEND and a DUPLICATEDELIVER on dst, which drops the copy.
func (g *gen) resubmit(hc *hubCtx, dst *Server, fs []*final, tDelivered int64) {
	m, hub := hc.m, hc.H
	t := tDelivered + g.between(60_000, 240_000)
	imid := g.nextIMID(hub, msgtrk.LogTransport)
	addrs := make([]string, len(fs))
	for i, f := range fs {
		addrs[i] = f.addr
	}
	e := g.begin(m, hub, t, "SAFETYNET", "RESUBMIT")
	e.Fields[fClientHost] = hub.Name
	e.Fields[fServerHost] = hub.Name
	e.Fields[fIMID] = imid
	g.setRcpts(e, addrs, nil)
	e.Fields[fBytes] = hc.szOutText
	e.Fields[fReference] = hc.imids[0]
	e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
	g.commit(m, hub, msgtrk.LogTransport, t, msgtrk.EventResubmit, RoleHub, hc.depth)
	tIn := t + g.between(10, 100)
	tD := tIn + g.between(20, 250)
	tSend := g.deliverRows(hc, storeDelivery{event: msgtrk.EventDuplicateDeliver, dst: dst, fs: fs, tIn: tIn, sess: g.session(), sessStart: g.ts(dst, tIn)}, tD)
	g.sendRow(hc, smtpSend{srv: hub, next: dst, imid: imid, fs: fs, connector: "Intra-Organization SMTP Send Connector",
		ctx: ";250 2.0.0 OK " + m.mid + " [Hostname=" + dst.FQDN + "];ClientSubmitTime:" + m.cst}, tSend)
}
