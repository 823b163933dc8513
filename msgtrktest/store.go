package msgtrktest

import (
	"strconv"
	"strings"

	"github.com/mailtrace/mailtrace/msgtrk"
)

func (g *gen) storeContext(m *msgState, p *plan, store *Server, mbx string, event int64, created int64, conn string) string {
	var b strings.Builder
	b.WriteString("MDB:")
	b.WriteString(store.Database)
	b.WriteString(", Mailbox:")
	b.WriteString(mbx)
	b.WriteString(", Event:")
	b.WriteString(strconv.FormatInt(event, 10))
	b.WriteString(", MessageClass:")
	if m.meeting {
		b.WriteString("IPM.Schedule.Meeting.Request")
	} else {
		b.WriteString("IPM.Note")
	}
	b.WriteString(", CreationTime:")
	b.WriteString(g.ts(store, created))
	b.WriteString(", ClientType:")
	b.WriteString(p.clientType)
	if g.ge13 {
		b.WriteString(", SubmissionAssistant:MailboxTransportSubmissionEmailAssistant")
	}
	if conn != "" {
		b.WriteString(", ServerMdbConnectionId:")
		b.WriteString(conn)
	}
	return b.String()
}

func (g *gen) itemEntryID() string {
	b := make([]byte, 0, 3*46)
	b = append(b, "00-00-00-00"...)
	for i := 0; i < 42; i++ {
		x := g.rng.IntN(256)
		b = append(b, '-', "0123456789ABCDEF"[x>>4], "0123456789ABCDEF"[x&15])
	}
	return string(b)
}

// storeRows writes the submission rows: NOTIFYMAPI, STOREDRIVER RECEIVE and
// SUBMIT on the sender's mailbox server store (MSGTRKMS).
func (g *gen) storeRows(m *msgState, p *plan, store, hub *Server, tN, tR, tSub, created int64) {
	si := g.s.serverIdx[store.Name]
	g.storeEvent[si] += 1 + g.rng.Int64N(40)
	event := g.storeEvent[si]
	entry := g.itemEntryID()
	zone := "%" + strconv.Itoa(3+si)
	conn := g.hexUpper(16)
	o := &m.truth.Origin
	o.Server = store.Name
	o.Protocol = "store"
	o.ClientType = p.clientType
	o.Auth = "04I"
	o.ClientIP = store.IPv6
	if p.clientType != "ActiveSync" && p.clientType != "EAS" {
		o.OriginalClientIP = p.sender.ClientIP
	}

	e := g.begin(m, store, tN, "STOREDRIVER", "NOTIFYMAPI")
	e.Fields[fMID], e.Fields[fNMID], e.Fields[fSubject], e.Fields[fReturnPath], e.Fields[fDirection], e.Fields[fBytes] = "", "", "", "", "", ""
	e.Fields[fTrafficType] = "" // as in the real NOTIFYMAPI rows
	e.Fields[fClientIP] = store.IPv6 + zone
	e.Fields[fClientHost] = store.Name
	e.Fields[fContext] = g.storeContext(m, p, store, p.sender.Mailbox, event, created, "")
	var b []byte
	b = append(b, m.origText...)
	b = append(b, ";LSRV="...)
	b = append(b, store.FQDN...)
	b = append(b, ":TOTAL-SUB="...)
	b = appendSec(b, tN-created)
	b = append(b, "|SA="...)
	b = appendSec(b, tN-created)
	b = append(b, "|MTSS-PEN=0.000"...)
	e.Fields[fInfo] = string(b)
	e.Fields[fCustom] = "S:ItemEntryId=" + entry
	g.commit(m, store, msgtrk.LogSubmission, tN, msgtrk.EventNotifyMAPI, RoleSubmission, 0)

	msImid := g.nextIMID(store, msgtrk.LogSubmission)
	addrs := envAddrs(p)
	types := make([]string, len(p.rcpts))
	for i, r := range p.rcpts {
		types[i] = r.typ
	}
	custom := "S:MailboxDatabaseGuid=" + store.Database + ";S:ItemEntryId=" + entry + ";S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
	e = g.begin(m, store, tR, "STOREDRIVER", "RECEIVE")
	e.Fields[fClientIP] = store.IPv6
	e.Fields[fClientHost] = store.FQDN
	e.Fields[fServerIP] = store.IPv6 + zone
	e.Fields[fServerHost] = store.Name
	e.Fields[fContext] = g.storeContext(m, p, store, p.sender.Mailbox, event, created, conn)
	e.Fields[fIMID] = msImid
	g.setRcpts(e, addrs, types)
	e.Fields[fInfo] = "04I: "
	e.Fields[fOrigClient] = o.OriginalClientIP
	e.Fields[fOrigServer] = store.IPv6 + zone
	e.Fields[fCustom] = custom
	g.commit(m, store, msgtrk.LogSubmission, tR, msgtrk.EventReceive, RoleSubmission, 0)

	e = g.begin(m, store, tSub, "STOREDRIVER", "SUBMIT")
	e.Fields[fClientIP] = store.IPv6
	e.Fields[fClientHost] = store.FQDN
	e.Fields[fServerIP] = hub.IP
	e.Fields[fServerHost] = hub.FQDN
	e.Fields[fContext] = g.storeContext(m, p, store, p.sender.Mailbox, event, created, conn)
	e.Fields[fIMID] = msImid
	g.setRcpts(e, addrs, nil)
	b = b[:0]
	b = append(b, m.origText...)
	b = append(b, ";LSRV="...)
	b = append(b, store.FQDN...)
	b = append(b, ':')
	e.Fields[fInfo] = string(g.subRecords(b, tSub-created))
	e.Fields[fOrigClient] = o.OriginalClientIP
	e.Fields[fCustom] = custom
	g.commit(m, store, msgtrk.LogSubmission, tSub, msgtrk.EventSubmit, RoleSubmission, 0)
}

// legacyStoreRows writes the 2007/2010 submission on the sender's Mailbox
// server S: the Mail Submission service's SUBMIT in MSGTRKM (format.md
// §1.1), laid out as the real 2007 row (testdata/real, wallix): both hosts
// by short name, no internal-message-id, no recipients. The transport hub
// then picks the message up (pickupRows). It sets the truth's origin and
// returns the store context, which the pickup repeats.
func (g *gen) legacyStoreRows(m *msgState, p *plan, store, hub *Server, tSub, created int64) string {
	si := g.s.serverIdx[store.Name]
	g.storeEvent[si] += 1 + g.rng.Int64N(40)
	ctx := g.storeContext(m, p, store, p.sender.Mailbox, g.storeEvent[si], created, "")
	o := &m.truth.Origin
	o.Server, o.Protocol, o.ClientType, o.Auth, o.ClientIP = store.Name, "store", p.clientType, "04I", store.IP
	if p.clientType != "EAS" && !g.v2007 {
		o.OriginalClientIP = p.sender.ClientIP // (no such column in 2007)
	}
	e := g.begin(m, store, tSub, "STOREDRIVER", "SUBMIT")
	e.Fields[fClientIP] = store.IP
	e.Fields[fClientHost] = store.Name
	e.Fields[fServerHost] = hub.Name
	e.Fields[fContext] = ctx
	e.Fields[fBytes], e.Fields[fReturnPath], e.Fields[fDirection] = "", "", ""
	e.Fields[fCustom] = "S:ItemEntryId=" + g.itemEntryID()
	g.commit(m, store, msgtrk.LogSubmission, tSub, msgtrk.EventSubmit, RoleSubmission, 0)
	return ctx
}

// pickupRows writes the 2007/2010 transport hub picking a store submission
// up from the Mailbox server (the STOREDRIVER RECEIVE the transport logs,
// naming the mailbox server as its client, §4; 2010 first logs a
// NOTIFYMAPI, as the real 2010 MSGTRK sample shows: hosts, ids and
// recipients empty). These are the hub's first rows.
func (g *gen) pickupRows(m *msgState, p *plan, hub *Server, imid string, t, size int64, depth int) {
	store := g.homeOf(p.sender)
	if !g.v2007 {
		tn := t - g.between(5, 30)
		e := g.begin(m, hub, tn, "STOREDRIVER", "NOTIFYMAPI")
		e.Fields[fMID], e.Fields[fSubject], e.Fields[fSender], e.Fields[fReturnPath], e.Fields[fDirection], e.Fields[fBytes] = "", "", "", "", "", ""
		e.Fields[fContext] = m.storeCtx
		e.Fields[fCustom] = "S:ItemEntryId=" + g.itemEntryID()
		g.commit(m, hub, msgtrk.LogTransport, tn, msgtrk.EventNotifyMAPI, RoleHub, depth)
	}
	types := make([]string, len(p.rcpts))
	for i, r := range p.rcpts {
		types[i] = r.typ
	}
	e := g.begin(m, hub, t, "STOREDRIVER", "RECEIVE")
	e.Fields[fClientIP] = store.IP
	e.Fields[fClientHost] = store.FQDN
	e.Fields[fServerIP] = hub.IP
	e.Fields[fServerHost] = hub.FQDN
	e.Fields[fContext] = m.storeCtx
	e.Fields[fIMID] = imid
	g.setRcpts(e, envAddrs(p), types)
	e.Fields[fBytes] = strconv.FormatInt(size, 10)
	e.Fields[fInfo] = "04I: "
	e.Fields[fOrigClient] = m.truth.Origin.OriginalClientIP
	e.Fields[fOrigServer] = hub.IP
	e.Fields[fCustom] = "S:MailboxDatabaseGuid=" + store.Database + ";S:DeliveryPriority=Normal"
	g.commit(m, hub, msgtrk.LogTransport, t, msgtrk.EventReceive, RoleHub, depth)
}
