package msgtrktest

import (
	"strconv"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// edgeInboundRows writes the Edge's RECEIVE from the Internet, AGENTINFO and
// SEND to the hub.
func (g *gen) edgeInboundRows(m *msgState, p *plan, edge, hub *Server, himid string, t0, tHub, tSend int64) {
	eimid := g.nextIMID(edge, msgtrk.LogTransport)
	addrs := envAddrs(p)
	o := &m.truth.Origin
	o.Server = edge.Name
	o.Auth = "00A"
	o.Anonymous = true
	o.ClientIP = p.peer.OutIP

	e := g.begin(m, edge, t0, "SMTP", "RECEIVE")
	e.Fields[fClientIP] = p.peer.OutIP
	e.Fields[fClientHost] = p.peer.Out
	e.Fields[fServerIP] = edge.IP
	e.Fields[fServerHost] = edge.Name
	e.Fields[fContext] = g.session() + ";" + g.ts(edge, t0-g.between(100, 4000)) + ";0"
	e.Fields[fConnector] = edge.Name + `\Default internal receive connector ` + edge.Name
	e.Fields[fIMID] = eimid
	g.setRcpts(e, addrs, nil)
	e.Fields[fInfo] = "00A: "
	e.Fields[fOrigServer] = edge.IP
	e.Fields[fCustom] = "S:FromEntity=Internet;S:DeliveryPriority=Normal"
	g.commit(m, edge, msgtrk.LogTransport, t0, msgtrk.EventReceive, RoleEdgeHop, 0)

	tA := t0 + (tHub-t0)/2
	if !g.v2007 {
		e = g.begin(m, edge, tA, "AGENT", "AGENTINFO")
		e.Fields[fClientHost] = edge.Name
		e.Fields[fIMID] = eimid
		g.setRcpts(e, addrs, nil)
		e.Fields[fOrigClient] = p.peer.OutIP
		e.Fields[fOrigServer] = edge.IP
		e.Fields[fCustom] = "S:CompCost=|ICF=0;S:DeliveryPriority=Normal"
		g.commit(m, edge, msgtrk.LogTransport, tA, msgtrk.EventAgentInfo, RoleEdgeHop, 0)
	}

	e = g.begin(m, edge, tSend, "SMTP", "SEND")
	e.Fields[fClientIP] = edge.IP
	e.Fields[fClientHost] = edge.Name
	e.Fields[fServerIP] = hub.IP
	e.Fields[fServerHost] = hub.FQDN
	e.Fields[fContext] = ";250 2.6.0 " + m.mid + " [InternalId=" + himid + ", Hostname=" + hub.FQDN + "] " +
		strconv.FormatInt(m.size, 10) + " bytes in " + sec(g.between(20, 400)) + ", " + strconv.Itoa(100+g.rng.IntN(9000)) + ".512 KB/sec Queued mail for delivery;ClientSubmitTime:"
	e.Fields[fConnector] = "EdgeSync - Inbound to Default-First-Site-Name"
	e.Fields[fIMID] = eimid
	g.setRcpts(e, addrs, []string{"250 2.1.5 Recipient OK"})
	var b []byte
	b = append(b, m.origText...)
	b = append(b, ";LSRV="...)
	b = append(b, edge.FQDN...)
	b = append(b, ':')
	e.Fields[fInfo] = string(g.edgeRecords(b, tSend-t0))
	e.Fields[fCustom] = "S:E2ELatency=" + sec(tSend-m.origMs) + ";S:MsgRecipCount=" + strconv.Itoa(len(addrs)) + ";S:IncludeInSla=True;S:IsSmtpResponseFromExternalServer=False;S:DeliveryPriority=Normal"
	g.commit(m, edge, msgtrk.LogTransport, tSend, msgtrk.EventSend, RoleEdgeHop, 0)
}

// edgeBatch sends a copy's external recipients to the Edge, which sends
// them on.
func (g *gen) edgeBatch(hc *hubCtx, b *batch, t int64) {
	m, hub, edge := hc.m, hc.H, hc.edge
	eimid := g.nextIMID(edge, msgtrk.LogTransport)
	addrs := make([]string, len(b.finals))
	for i, f := range b.finals {
		addrs[i] = f.addr
	}
	tR := t + g.between(20, 300)
	e := g.begin(m, edge, tR, "SMTP", "RECEIVE")
	e.Fields[fClientIP] = hub.IP
	e.Fields[fClientHost] = hub.FQDN
	e.Fields[fServerIP] = edge.IP
	e.Fields[fServerHost] = edge.Name
	e.Fields[fContext] = g.session() + ";" + g.ts(edge, tR-g.between(50, 2000)) + ";0"
	e.Fields[fConnector] = edge.Name + `\Default internal receive connector ` + edge.Name
	e.Fields[fIMID] = eimid
	g.setRcpts(e, addrs, nil)
	e.Fields[fBytes] = hc.szOutText
	e.Fields[fInfo] = "02I: "
	e.Fields[fOrigServer] = edge.IP
	e.Fields[fCustom] = "S:DeliveryPriority=Normal"
	g.commit(m, edge, msgtrk.LogTransport, tR, msgtrk.EventReceive, RoleEdgeHop, hc.depth+1)
	tS := tR + g.between(3, 30)
	// Routing on the hub may name the send connector the Edge
	// subscription created (its source server is the Edge): a hub's SEND
	// through an "EdgeSync - …" connector does not make the hub an Edge.
	connector := "Intra-Organization SMTP Send Connector"
	if m.idx%2 == 1 {
		connector = "EdgeSync - Default-First-Site-Name to Internet"
	}
	g.sendRow(hc, smtpSend{srv: hub, next: edge, imid: hc.imids[b.copy], fs: b.finals, connector: connector,
		ctx: ";250 2.6.0 " + m.mid + " [InternalId=" + eimid + ", Hostname=" + edge.FQDN + "] " + hc.szOutText + " bytes in " + sec(g.between(5, 200)) + ", " +
			strconv.Itoa(200+g.rng.IntN(20000)) + ".125 KB/sec Queued mail for delivery;ClientSubmitTime:" + m.cst, external: true}, tS)
	hc.done = max(hc.done, tS)
	hc.edgeIn = tR
	tA := tR + g.between(30, 400)
	if !g.v2007 {
		e = g.begin(m, edge, tA, "AGENT", "AGENTINFO")
		e.Fields[fClientHost] = edge.Name
		e.Fields[fIMID] = eimid
		g.setRcpts(e, addrs, nil)
		e.Fields[fOrigServer] = edge.IP
		e.Fields[fCustom] = "S:CompCost=|ICF=0;S:DeliveryPriority=Normal"
		g.commit(m, edge, msgtrk.LogTransport, tA, msgtrk.EventAgentInfo, RoleEdgeHop, hc.depth+1)
	}
	g.externalSend(hc, externalCopy{srv: edge, imid: eimid, fs: b.finals, role: RoleEdgeHop, depth: hc.depth + 1, connector: "EdgeSync - Default-First-Site-Name to Internet"}, tA)
}
