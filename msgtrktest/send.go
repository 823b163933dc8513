package msgtrktest

import (
	"strconv"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

func (g *gen) lastError(srv *Server, t int64, led, fqdn, ip string) string {
	lt := time.UnixMilli(t + srv.Skew.Milliseconds()).UTC()
	return "[{LED=" + led + "};{MSG=};{FQDN=" + fqdn + "};{IP=" + ip + "};{LRT=" + lt.Format("1/2/2006 3:04:05 PM") + "}]"
}

// failure is a FAIL row to write: where (the server, the copy's
// internal-message-id, the hop's role and depth), of what source ("SMTP";
// the 2007/2010 store driver's and categorizer's are "STOREDRIVER" and
// "ROUTING"), for which recipients with which statuses, through which
// send connector, and whether the reply came from outside.
type failure struct {
	source    string
	srv       *Server
	imid      string
	fs        []*final
	statuses  []string
	role      string
	depth     int
	connector string
	external  bool
}

// failRow writes the FAIL row f at t and registers the NDR it causes.
func (g *gen) failRow(hc *hubCtx, f failure, t int64) {
	m, srv, fs, connector, external := hc.m, f.srv, f.fs, f.connector, f.external
	if hc.ndr == nil {
		hc.ndr = map[*Server]*ndrState{}
	}
	nd := hc.ndr[srv]
	if nd == nil {
		nd = &ndrState{m: g.newMsg(KindDSN), t: t}
		nd.m.mid = "<" + g.guid() + "@" + srv.FQDN + ">"
		hc.ndr[srv] = nd
	}
	addrs := make([]string, len(fs))
	for i, f := range fs {
		addrs[i] = f.addr
		nd.failed = append(nd.failed, f.addr)
	}
	e := g.begin(m, srv, t, f.source, "FAIL")
	e.Fields[fClientIP] = srv.IP
	e.Fields[fClientHost] = srv.Name
	e.Fields[fServerIP] = srv.IP
	e.Fields[fServerHost] = srv.FQDN
	e.Fields[fConnector] = connector
	e.Fields[fIMID] = f.imid
	g.setRcpts(e, addrs, f.statuses)
	e.Fields[fBytes] = hc.szOutText
	e.Fields[fReference] = nd.m.mid
	e.Fields[fInfo] = g.latencyLocal(hc, srv, t, external)
	e.Fields[fCustom] = "S:E2ELatency=" + sec(t-m.origMs) + ";S:ToEntity=Unknown;S:FromEntity=Hosted;S:MsgRecipCount=" + strconv.Itoa(len(addrs)) +
		";S:IncludeInSla=False;S:IsSmtpResponseFromExternalServer=" + boolText(external) + ";S:DeliveryPriority=Normal" + g.forest(srv)
	g.commit(m, srv, msgtrk.LogTransport, t, msgtrk.EventFail, f.role, f.depth)
}

// forest is the S:AccountForest member a server writes: Edge servers are
// outside the Active Directory forest and write none.
func (g *gen) forest(srv *Server) string {
	if srv.Role == RoleEdge {
		return ""
	}
	return ";S:AccountForest=" + g.org.AccountForest
}

func boolText(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// deferral is a copy waiting on srv for the next server (ip, host): its
// internal-message-id, the recipients fs, the DEFER status, the send
// connector ("" for a 2007/2010 transport's own deliveries), and whether it
// is still pending when the logs end.
type deferral struct {
	srv       *Server
	ip, host  string
	imid      string
	fs        []*final
	pending   bool
	status    string
	connector string
}

// deferRows writes the DEFER rows of d from t: retries every one to
// three minutes. For a pending batch they go on until nine minutes after
// the first; otherwise one to three of them, and the success time (under
// ten minutes after the first) is returned.
//
// The row's source is SMTP, or STOREDRIVER for a 2007/2010 transport's own
// deliveries (connector ""). With Config.Restarts the transport may restart
// while the copy waits: a LOAD row (source BOOTLOADER), half the time
// under a new internal-message-id, which the later rows keep; the copy's
// id at the end is returned.
func (g *gen) deferRows(hc *hubCtx, d deferral, t int64) (last, ok int64, id string) {
	m, srv, imid, fs, pending, connector := hc.m, d.srv, d.imid, d.fs, d.pending, d.connector
	addrs := make([]string, len(fs))
	for i, f := range fs {
		addrs[i] = f.addr
	}
	role, depth := RoleHub, hc.depth
	if srv.Role == RoleEdge {
		role, depth = RoleEdgeHop, hc.depth+1
	}
	first := t
	n := 1 + g.rng.IntN(3)
	for i := 0; ; i++ {
		next := t + g.between(60_000, 180_000)
		source := "SMTP"
		if connector == "" {
			source = "STOREDRIVER"
		}
		e := g.begin(m, srv, t, source, "DEFER")
		e.Fields[fClientIP] = srv.IP
		e.Fields[fClientHost] = srv.Name
		e.Fields[fServerIP] = d.ip
		e.Fields[fServerHost] = d.host
		e.Fields[fConnector] = connector
		e.Fields[fIMID] = imid
		g.setRcpts(e, addrs, []string{d.status})
		e.Fields[fBytes] = hc.szOutText
		e.Fields[fInfo] = g.ts(srv, next)
		e.Fields[fCustom] = "S:DeliveryPriority=Normal" + g.forest(srv)
		g.commit(m, srv, msgtrk.LogTransport, t, msgtrk.EventDefer, role, depth)
		last = t
		if pending {
			if next-first > 9*60_000 {
				return last, 0, imid
			}
		} else if i+1 >= n || next-first > 8*60_000 {
			ok = min(next, first+9*60_000+g.between(0, 30_000))
			return last, ok, imid
		}
		if i == 0 && g.cfg.Restarts > 0 && !g.v2007 && g.extra.Float64() < g.cfg.Restarts {
			imid = g.loadRow(hc, srv, imid, addrs, t+1000+g.extra.Int64N(50_000), role, depth)
		}
		t = next
	}
}

// externalCopy is a copy leaving the organisation: the server that sends
// it (the Edge, or the hub without Edge) with its hop's role and depth, its
// internal-message-id there, its external recipients fs and the send
// connector.
type externalCopy struct {
	srv       *Server
	imid      string
	fs        []*final
	role      string
	depth     int
	connector string
}

// externalSend sends the external recipients of x to their domains from t:
// SENDEXTERNAL (SEND before 2016), FAIL or DEFER.
func (g *gen) externalSend(hc *hubCtx, x externalCopy, t int64) {
	srv, imid, fs, role, depth, connector := x.srv, x.imid, x.fs, x.role, x.depth, x.connector
	var domains []*Peer
	for _, f := range fs {
		seen := false
		for _, d := range domains {
			seen = seen || d == f.peer
		}
		if !seen {
			domains = append(domains, f.peer)
		}
	}
	for _, peer := range domains {
		t += g.between(200, 2500)
		var ok, fail, deferred []*final
		for _, f := range fs {
			if f.peer != peer {
				continue
			}
			switch f.out {
			case outFailExt:
				fail = append(fail, f)
			case outDeferOK, outDeferPending:
				deferred = append(deferred, f)
			default:
				ok = append(ok, f)
			}
		}
		if len(ok) > 0 {
			g.sendExternal(hc, externalCopy{srv: srv, imid: imid, fs: ok, role: role, depth: depth, connector: connector}, peer, t)
		}
		if len(fail) > 0 {
			tf := t + g.between(1, 50)
			led := "550 5.1.1 <" + fail[0].addr + ">: Recipient address rejected: User unknown in virtual mailbox table"
			if peer.Office365 {
				led = "550 5.4.1 Recipient address rejected: Access denied. [" + g.hexUpper(4) + "EUR05FT012.eop-eur05.prod.protection.outlook.com]"
			}
			st := g.lastError(srv, tf, led, peer.MX, peer.MXIP)
			g.failRow(hc, failure{source: "SMTP", srv: srv, imid: imid, fs: fail, statuses: []string{st}, role: role, depth: depth, connector: connector, external: true}, tf)
			for _, f := range fail {
				g.setOutcome(hc, f, StatusFailed, srv.Name, st)
			}
			if srv == hc.H {
				hc.done = max(hc.done, tf)
			}
		}
		if len(deferred) > 0 {
			pending := deferred[0].out == outDeferPending
			st := `451 4.4.0 Primary target IP address responded with: "421 4.4.2 Connection dropped due to SocketError." Attempted failover to alternate host, but that did not succeed. Either there are no alternate hosts, or delivery failed to all alternate hosts. The last endpoint attempted was ` + peer.MXIP + ":25"
			_, tOK, id := g.deferRows(hc, deferral{srv: srv, ip: peer.MXIP, host: peer.MX, imid: imid, fs: deferred, pending: pending, status: st, connector: connector}, t+g.between(1, 50))
			if pending {
				for _, f := range deferred {
					g.setOutcome(hc, f, StatusPending, srv.Name, st)
				}
				if srv == hc.H {
					hc.pending = true
				}
				continue
			}
			g.sendExternal(hc, externalCopy{srv: srv, imid: id, fs: deferred, role: role, depth: depth, connector: connector}, peer, tOK)
		}
	}
}

// loadRow writes the LOAD of a queued copy on srv after its transport
// restarted (format.md §9.1: source BOOTLOADER), under a new
// internal-message-id half the time; it returns the copy's id from then on.
func (g *gen) loadRow(hc *hubCtx, srv *Server, imid string, addrs []string, t int64, role string, depth int) string {
	if g.extra.IntN(2) == 0 {
		i := g.s.serverIdx[srv.Name]
		g.imid[i][0] += 1 + g.extra.Int64N(3)
		imid = strconv.FormatInt(g.imid[i][0], 10)
	}
	e := g.begin(hc.m, srv, t, "BOOTLOADER", "LOAD")
	e.Fields[fClientHost] = srv.Name
	e.Fields[fServerHost] = srv.Name
	e.Fields[fIMID] = imid
	g.setRcpts(e, addrs, nil)
	e.Fields[fBytes] = hc.szOutText
	e.Fields[fCustom] = "S:DeliveryPriority=Normal" + g.forest(srv)
	g.commit(hc.m, srv, msgtrk.LogTransport, t, msgtrk.EventLoad, role, depth)
	return imid
}

// sendExternal writes the SENDEXTERNAL (SEND before 2016) of x to peer at
// t, the peer accepting every recipient.
func (g *gen) sendExternal(hc *hubCtx, x externalCopy, peer *Peer, t int64) {
	m, srv, fs := hc.m, x.srv, x.fs
	addrs := make([]string, len(fs))
	for i, f := range fs {
		addrs[i] = f.addr
	}
	var reply string
	if peer.Office365 {
		reply = "250 2.6.0 " + m.mid + " [InternalId=" + strconv.FormatInt(1_000_000_000_000+g.rng.Int64N(8_000_000_000_000), 10) +
			", Hostname=" + g.hexUpper(4) + "PR0" + strconv.Itoa(1+g.rng.IntN(9)) + "MB" + strconv.Itoa(1000+g.rng.IntN(9000)) + ".eurprd0" + strconv.Itoa(1+g.rng.IntN(7)) + ".prod.outlook.com] " +
			hc.szOutText + " bytes in " + sec(g.between(20, 900)) + ", " + strconv.Itoa(50+g.rng.IntN(5000)) + ".275 KB/sec Queued mail for delivery"
	} else {
		reply = "250 2.0.0 Ok: queued as " + g.hexUpper(10)
	}
	sendLat := g.between(80, 1500)
	// SENDEXTERNAL is written from 2016 on (format.md §9.1); 2010 and 2013
	// log a send to the Internet as a SEND through the Internet send
	// connector, the remote's own reply in source-context.
	ev, et := "SENDEXTERNAL", msgtrk.EventSendExternal
	if !g.ge16 {
		ev, et = "SEND", msgtrk.EventSend
	}
	e := g.begin(m, srv, t, "SMTP", ev)
	e.Fields[fClientIP] = srv.IP
	e.Fields[fClientHost] = srv.Name
	e.Fields[fServerIP] = peer.MXIP
	e.Fields[fServerHost] = peer.MX
	e.Fields[fContext] = ";" + reply + ";ClientSubmitTime:" + m.cst
	e.Fields[fConnector] = x.connector
	e.Fields[fIMID] = x.imid
	st := "250 2.1.5 Recipient OK"
	if !peer.Office365 {
		st = "250 2.1.5 Ok"
	}
	g.setRcpts(e, addrs, []string{st})
	e.Fields[fBytes] = hc.szOutText
	last := g.lat2[:0]
	hubOut := t
	if srv.Role == RoleEdge {
		last = appendSRV(last, srv.FQDN)
		last = g.edgeRecords(last, t-hc.edgeIn)
		hubOut = hc.edgeIn
	}
	e.Fields[fInfo] = g.chain(hc, hubOut, true, last)
	e.Fields[fCustom] = "S:E2ELatency=" + sec(t-m.origMs) + ";S:ExternalSendLatency=" + sec(sendLat) + ";S:ToEntity=Internet;S:FromEntity=Hosted;S:MsgRecipCount=" + strconv.Itoa(len(addrs)) +
		";S:IncludeInSla=True;S:Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel=Opportunistic;S:Microsoft.Exchange.Transport.MailRecipient.EffectiveTlsAuthLevel=EncryptionOnly;S:IsSmtpResponseFromExternalServer=True;S:DeliveryPriority=Normal"
	if srv.Role == RoleMailbox {
		e.Fields[fCustom] += ";S:AccountForest=" + g.org.AccountForest
	}
	g.commit(m, srv, msgtrk.LogTransport, t, et, x.role, x.depth)
	for _, f := range fs {
		g.setOutcome(hc, f, StatusSentExternal, srv.Name, "")
	}
	if srv == hc.H {
		hc.done = max(hc.done, t)
	}
}
