package msgtrktest

// latencyLocal is the message-info of a SEND or FAIL: the origination time
// and the local server's records.
func (g *gen) latencyLocal(hc *hubCtx, srv *Server, t int64, external bool) string {
	b := g.lat[:0]
	b = append(b, hc.m.origText...)
	b = append(b, ";LSRV="...)
	b = append(b, srv.FQDN...)
	b = append(b, ':')
	if srv.Role == RoleEdge {
		b = g.edgeRecords(b, t-hc.edgeIn)
	} else {
		b = g.hubRecords(b, t-hc.m.hubIn, external)
	}
	g.lat = b
	return string(b)
}

// chain is the message-info of a DELIVER, DELIVERFAIL or SENDEXTERNAL: the
// origination time, the hops before the hub, the hub and the logging
// server's records (last is "" for SENDEXTERNAL on the hub).
func (g *gen) chain(hc *hubCtx, hubOut int64, external bool, last []byte) string {
	b := g.lat[:0]
	b = append(b, hc.m.origText...)
	b = append(b, ';')
	if hc.m.prior != "" {
		b = append(b, hc.m.prior...)
		b = append(b, ';')
	}
	b = appendSRV(b, hc.H.FQDN)
	b = g.hubRecords(b, hubOut-hc.m.hubIn, external)
	if len(last) > 0 {
		b = append(b, ';')
		b = append(b, last...)
	}
	g.lat = b
	return string(b)
}

// appendSRV appends the start of a server's part of a latency string,
// "SRV=<fqdn>:", to which the server's component records are appended.
func appendSRV(dst []byte, fqdn string) []byte {
	dst = append(dst, "SRV="...)
	dst = append(dst, fqdn...)
	return append(dst, ':')
}
