package msgtrktest

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/mailtrace/mailtrace/msgtrk"
)

type ndrState struct {
	m      *msgState
	t      int64 // time of the (first) FAIL row
	failed []string
}

// message generates every row of one message of kind k starting at t0.
func (g *gen) message(k Kind, t0 int64) {
	p := g.plan(k)
	m := g.newMsg(k)
	m.subject = subjects[g.rng.IntN(len(subjects))]
	m.size = 2048 + int64(float64(int64(1)<<g.rng.IntN(12))*(1+g.rng.Float64())*700)
	m.nmid = g.nmid()
	m.direction = "Originating"

	var hub *Server
	var dh int
	var tHub int64
	var imid0 string
	var auth, connector, custom, origClient, hubClientIP, hubClientHost string
	hubSize := m.size
	o := &m.truth.Origin
	o.Protocol = "smtp"

	switch p.entry {
	case entryStore:
		store := g.homeOf(p.sender)
		m.sender = p.sender.Address
		m.returnPath = m.sender
		m.mid = "<" + g.hexLower(32) + "@" + store.FQDN + ">"
		created := t0 - g.between(40, 400)
		m.origMs = created
		m.origText = g.ts(store, created)
		m.cst = m.origText
		hub = store
		if g.chance(0.5) {
			hub = g.mailboxServer()
		}
		tR := t0 + g.between(20, 150)
		tHub = tR + g.between(30, 250)
		tSub := tR + g.between(40, 400)
		if g.cfg.Meetings > 0 {
			m.meeting = g.extra.Float64() < g.cfg.Meetings
		}
		if g.legacy {
			// The Mailbox role's SUBMIT; the hub picks it up (below).
			m.storeCtx = g.legacyStoreRows(m, p, store, hub, tR, created)
		} else {
			g.storeRows(m, p, store, hub, t0, tR, tSub, created)
		}
		dh = 1
		if !g.legacy {
			// (2007/2010: the store driver picks the item up as it is,
			// no SMTP hop)
			hubSize = m.size + g.between(200, 3000)
		}
		auth, connector = "0cI: ", hub.Name+`\Default `+hub.Name
		hubClientIP, hubClientHost = store.IP, store.FQDN
		custom = "S:FirstForestHop=" + store.FQDN + ";S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		sub := appendSRV(nil, store.FQDN)
		m.prior = string(g.subRecords(sub, tHub-created))
	case entryAuth, entryAnon:
		front, proxied, fe := g.viaFrontEnd(m, t0)
		hub, tHub = proxied, t0
		m.sender = p.client.Sender
		m.returnPath = m.sender
		m.mid = "<" + strconv.FormatInt(t0, 10) + "." + g.hexUpper(10) + "@" + p.client.Host + ">"
		hubClientIP, hubClientHost = front.IP, front.FQDN
		origClient = p.client.IP
		proxy := "S:ProxyHop1=" + front.FQDN + "(" + front.IP + ");S:FirstForestHop=" + front.FQDN + ";S:ProxiedClientIPAddress=" + p.client.IP + ";S:ProxiedClientHostname=" + p.client.Host
		if p.entry == entryAuth {
			auth, connector = "07I: ", hub.Name+`\Client Proxy `+hub.Name
			custom = proxy + ";S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		} else {
			auth, connector = "0cA: ", hub.Name+`\Default `+hub.Name
			m.direction = "Incoming"
			custom = proxy + ";S:FromEntity=Internet;S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		}
		o.Server = front.Name
		b := appendSRV(nil, front.FQDN)
		m.prior = string(g.feRecords(b, fe))
		if g.v2007 {
			g.direct(m, hub, t0, p.client.IP, p.client.Host, &hubClientIP, &hubClientHost, &origClient, &auth)
		}
	case entryInbound:
		m.sender = p.extSender
		m.returnPath = m.sender
		m.direction = "Incoming"
		if p.peer.Office365 {
			m.mid = "<" + g.hexUpper(4) + "PR0" + strconv.Itoa(1+g.rng.IntN(9)) + "MB" + g.hexUpper(28) + "@" + g.hexUpper(4) + "PR01MB" + g.hexUpper(4) + ".eurprd01.prod.exchangelabs.com>"
		} else {
			m.mid = "<" + g.hexLower(20) + "@" + p.peer.Out + ">"
		}
		if len(g.s.edges) > 0 {
			edge := &g.org.Servers[g.s.edges[g.rng.IntN(len(g.s.edges))]]
			hub = g.mailboxServer()
			m.origMs = t0
			m.origText = g.ts(edge, t0)
			tHub = t0 + g.between(100, 900)
			tSend := tHub + g.between(5, 40)
			imid0 = g.nextIMID(hub, msgtrk.LogTransport)
			g.edgeInboundRows(m, p, edge, hub, imid0, t0, tHub, tSend)
			dh = 1
			hubSize = m.size + g.between(300, 1500)
			auth, connector = "02A: ", hub.Name+`\Default `+hub.Name
			hubClientIP, hubClientHost = edge.IP, edge.FQDN
			custom = "S:FromEntity=Internet;S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
			b := appendSRV(nil, edge.FQDN)
			m.prior = string(g.edgeRecords(b, tSend-t0))
		} else {
			front, proxied, fe := g.viaFrontEnd(m, t0)
			hub, tHub = proxied, t0
			hubClientIP, hubClientHost = front.IP, front.FQDN
			origClient = p.peer.OutIP
			auth, connector = "0cA: ", hub.Name+`\Default `+hub.Name
			custom = "S:ProxyHop1=" + front.FQDN + "(" + front.IP + ");S:FirstForestHop=" + front.FQDN + ";S:FromEntity=Internet;S:ProxiedClientIPAddress=" + p.peer.OutIP +
				";S:ProxiedClientHostname=" + p.peer.Out + ";S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
			o.Server = front.Name
			b := appendSRV(nil, front.FQDN)
			m.prior = string(g.feRecords(b, fe))
			if g.v2007 {
				g.direct(m, hub, t0, p.peer.OutIP, p.peer.Out, &hubClientIP, &hubClientHost, &origClient, &auth)
			}
		}
	}
	m.origClientIP = origClient
	if g.ge13 {
		m.truth.Key = m.nmid
		m.truth.NetworkMessageID = m.nmid
	} else {
		m.truth.Key = "mid:" + m.mid + "|" + lower(m.sender)
	}
	m.truth.MessageID = m.mid
	m.truth.Sender = m.sender
	m.truth.Subject = m.subject
	m.truth.Size = m.size

	// The hub's SMTP RECEIVE.
	hc := &hubCtx{m: m, p: p, H: hub, depth: dh, byAddr: map[string]*final{}, rtByAddr: map[string]int{}}
	if imid0 == "" {
		imid0 = g.nextIMID(hub, msgtrk.LogTransport)
	}
	hc.imids = []string{imid0}
	m.hubIn = tHub
	if p.entry == entryStore && g.legacy {
		g.pickupRows(m, p, hub, imid0, tHub, hubSize, dh)
	} else {
		e := g.begin(m, hub, tHub, "SMTP", "RECEIVE")
		e.Fields[fClientIP] = hubClientIP
		e.Fields[fClientHost] = hubClientHost
		e.Fields[fServerIP] = hub.IP
		e.Fields[fServerHost] = hub.Name
		e.Fields[fContext] = g.session() + ";" + g.ts(hub, tHub-g.between(50, 3000)) + ";0"
		e.Fields[fConnector] = connector
		e.Fields[fIMID] = imid0
		g.setRcpts(e, envAddrs(p), nil)
		e.Fields[fBytes] = strconv.FormatInt(hubSize, 10)
		e.Fields[fInfo] = auth
		e.Fields[fOrigClient] = origClient
		e.Fields[fOrigServer] = hub.IP
		e.Fields[fCustom] = custom
		g.commit(m, hub, msgtrk.LogTransport, tHub, msgtrk.EventReceive, RoleHub, dh)
	}
	if p.entry != entryStore && !(p.entry == entryInbound && len(g.s.edges) > 0) {
		// The hub's RECEIVE is the first.
		o.Auth = strings.TrimRight(auth, ": ")
		o.Anonymous = auth[2] == 'A'
		o.ClientIP = hubClientIP
		if !g.v2007 { // (no original-client-ip column in 2007, format.md §2)
			o.OriginalClientIP = origClient
		}
	}
	m.size = hubSize
	hc.t = tHub
	hc.setSzOut(hubSize + g.between(300, 2500))
	g.hub(hc)
	g.finish(m)
	for _, srv := range sortedServers(hc.ndr) {
		g.ndrMessage(m, hc.ndr[srv], srv)
	}
}

func sortedServers(m map[*Server]*ndrState) []*Server {
	return slices.SortedFunc(maps.Keys(m), func(a, b *Server) int { return strings.Compare(a.Name, b.Name) })
}

func (g *gen) finish(m *msgState) {
	m.generated = true
	if m.pending == 0 {
		g.o.complete(m)
	}
}

// ndrMessage generates the NDR that server sends to the original sender
// of m: a DSN row on server, then the usual way to the sender's mailbox.
func (g *gen) ndrMessage(orig *msgState, nd *ndrState, server *Server) {
	m := nd.m
	m.nmid = g.nmid()
	m.subject = "Undeliverable: " + orig.subject
	m.sender = g.org.Postmaster
	if server.Role == RoleEdge {
		m.sender = "postmaster@" + g.org.Domain
	}
	m.returnPath = "<>"
	m.direction = "Originating"
	m.size = orig.size + 6000 + g.between(0, 4000)
	t := nd.t + g.between(5, 60)
	m.origMs = t
	m.origText = g.ts(server, t)
	if g.ge13 {
		m.truth.Key, m.truth.NetworkMessageID = m.nmid, m.nmid
	} else {
		m.truth.Key = "mid:" + m.mid + "|" + lower(m.sender)
	}
	m.truth.MessageID, m.truth.Sender, m.truth.Subject, m.truth.Size = m.mid, m.sender, m.subject, m.size
	m.truth.DSNFor = orig.truth.Key
	// The NDR is born in its DSN row (format.md §6, reference): every
	// origin fact comes from that row, none from later hand-overs.
	m.truth.Origin = Origin{Server: server.Name, Protocol: "dsn"}
	to := lower(orig.sender)
	u := g.user(to)

	role := RoleHub
	if server.Role == RoleEdge {
		role = RoleEdgeHop
	}
	ximid := g.nextIMID(server, msgtrk.LogTransport)
	e := g.begin(m, server, t, "DSN", "DSN")
	e.Fields[fServerHost] = server.Name
	// source-context: the DSN's type, Failure for an NDR (format.md §8).
	e.Fields[fContext] = "Failure"
	e.Fields[fIMID] = ximid
	g.setRcpts(e, []string{to}, nil)
	e.Fields[fReference] = orig.mid
	e.Fields[fCustom] = "S:DeliveryPriority=Normal" + g.forest(server)
	g.commit(m, server, msgtrk.LogTransport, t, msgtrk.EventDSN, role, 0)

	hc := &hubCtx{m: m, H: server, depth: 0, byAddr: map[string]*final{}, rtByAddr: map[string]int{}, imids: []string{ximid}}
	m.hubIn = t
	hc.setSzOut(m.size)
	if server.Role == RoleEdge {
		// The Edge sends the NDR in to a hub.
		hub := g.mailboxServer()
		tR := t + g.between(100, 800)
		tS := tR + g.between(5, 40)
		himid := g.nextIMID(hub, msgtrk.LogTransport)
		e = g.begin(m, server, tS, "SMTP", "SEND")
		e.Fields[fClientIP] = server.IP
		e.Fields[fClientHost] = server.Name
		e.Fields[fServerIP] = hub.IP
		e.Fields[fServerHost] = hub.FQDN
		e.Fields[fContext] = ";250 2.6.0 " + m.mid + " [InternalId=" + himid + ", Hostname=" + hub.FQDN + "] Queued mail for delivery;ClientSubmitTime:"
		e.Fields[fConnector] = "EdgeSync - Inbound to Default-First-Site-Name"
		e.Fields[fIMID] = ximid
		g.setRcpts(e, []string{to}, []string{"250 2.1.5 Recipient OK"})
		var b []byte
		b = append(b, m.origText...)
		b = append(b, ";LSRV="...)
		b = append(b, server.FQDN...)
		b = append(b, ':')
		e.Fields[fInfo] = string(g.edgeRecords(b, tS-t))
		g.commit(m, server, msgtrk.LogTransport, tS, msgtrk.EventSend, RoleEdgeHop, 0)
		e = g.begin(m, hub, tR, "SMTP", "RECEIVE")
		e.Fields[fClientIP] = server.IP
		e.Fields[fClientHost] = server.FQDN
		e.Fields[fServerIP] = hub.IP
		e.Fields[fServerHost] = hub.Name
		e.Fields[fContext] = g.session() + ";" + g.ts(hub, tR-g.between(20, 900)) + ";0"
		e.Fields[fConnector] = hub.Name + `\Default ` + hub.Name
		e.Fields[fIMID] = himid
		g.setRcpts(e, []string{to}, nil)
		e.Fields[fInfo] = "02I: "
		e.Fields[fOrigServer] = hub.IP
		e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		g.commit(m, hub, msgtrk.LogTransport, tR, msgtrk.EventReceive, RoleHub, 1)
		pb := appendSRV(nil, server.FQDN)
		m.prior = string(g.edgeRecords(pb, tS-t))
		hc = &hubCtx{m: m, H: hub, depth: 1, byAddr: map[string]*final{}, rtByAddr: map[string]int{}, imids: []string{himid}}
		m.hubIn = tR
		hc.setSzOut(m.size)
		t = tS
	}
	hc.p = &plan{}
	hc.t = t
	g.reach(hc, to, nil, "", false)
	f := hc.finals[0]
	if u != nil && f.user != nil {
		g.deliverBatch(hc, &batch{D: g.homeOf(f.user), finals: hc.finals}, hc.t+g.between(50, 400), false)
	} else {
		g.externalSend(hc, externalCopy{srv: hc.H, imid: hc.imids[0], fs: hc.finals, role: RoleHub, depth: hc.depth, connector: g.org.InternetConnector}, hc.t)
	}
	g.finish(m)
}

// direct makes an SMTP client's connection one to the hub itself, as
// on Exchange 2007, which has no front-end transport to proxy it (and no
// custom-data to tell of a proxy, format.md §2): the hub's RECEIVE names
// the client (ip, helo), the origin is the hub, and an anonymous client
// has no mechanism ("00A", not the front end's Kerberos "0cA", §7.1).
func (g *gen) direct(m *msgState, hub *Server, t0 int64, ip, helo string, clientIP, clientHost, origClient, auth *string) {
	*clientIP, *clientHost, *origClient = ip, helo, ""
	if *auth == "0cA: " {
		*auth = "00A: "
	}
	m.truth.Origin.Server = hub.Name
	m.prior = ""
	m.origMs = t0
	m.origText = g.ts(hub, t0)
}

// viaFrontEnd picks the mailbox server front whose front end takes an SMTP
// client's message and the server hub whose transport service it proxies to
// (front itself half the time), and sets the message's origination time fe
// milliseconds before t0, when the front end received it.
func (g *gen) viaFrontEnd(m *msgState, t0 int64) (front, hub *Server, fe int64) {
	front = g.mailboxServer()
	hub = front
	if g.chance(0.5) {
		hub = g.mailboxServer()
	}
	fe = g.between(20, 200)
	m.origMs = t0 - fe
	m.origText = g.ts(front, t0-fe)
	return front, hub, fe
}
