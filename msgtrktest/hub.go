package msgtrktest

import (
	"slices"
	"strconv"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// hubCtx is the state of a message on its hub.
type hubCtx struct {
	m         *msgState
	p         *plan
	H         *Server
	depth     int
	t         int64 // running time on the hub
	imids     []string
	finals    []*final
	byAddr    map[string]*final
	rtByAddr  map[string]int
	groups    []string // expanded groups, in order
	szOut     int64
	szOutText string
	ndr       map[*Server]*ndrState
	done      int64 // last hand-off on the hub
	pending   bool  // something stays queued on the hub
	edge      *Server
	edgeIn    int64 // when the Edge received the current copy
}

func (hc *hubCtx) setSzOut(n int64) {
	hc.szOut, hc.szOutText = n, strconv.FormatInt(n, 10)
}

// hub simulates the categorizer and routing on the hub.
func (g *gen) hub(hc *hubCtx) {
	m, p, hub := hc.m, hc.p, hc.H
	env := envAddrs(p)
	var shadow *Server // shadow server
	var ximid string
	switch p.shadow {
	case 1:
		for shadow == nil || shadow == hub {
			shadow = g.mailboxServer()
		}
		ximid = g.nextIMID(shadow, msgtrk.LogTransport)
		tX := hc.t + g.between(8, 40)
		e := g.begin(m, shadow, tX, "SMTP", "HARECEIVE")
		e.Fields[fClientIP] = hub.IP
		e.Fields[fClientHost] = hub.FQDN
		e.Fields[fServerIP] = shadow.IP
		e.Fields[fServerHost] = shadow.Name
		e.Fields[fContext] = g.session() + ";" + g.ts(shadow, tX-g.between(10, 2000)) + ";0"
		e.Fields[fConnector] = shadow.Name + `\Default ` + shadow.Name
		e.Fields[fIMID] = ximid
		g.setRcpts(e, env, nil)
		e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		g.commit(m, shadow, msgtrk.LogTransport, tX, msgtrk.EventHAReceive, "", 0)
		hc.t = tX + g.between(2, 30)
		e = g.begin(m, hub, hc.t, "SMTP", "HAREDIRECT")
		e.Fields[fServerHost] = hub.Name
		id, host := ximid, shadow.FQDN
		if g.cfg.Version == V2013 {
			id, host = host, id // the 2013 writer swaps them
		}
		e.Fields[fContext] = shadow.FQDN + "=250 2.6.0 " + m.mid + " [InternalId=" + id + ", Hostname=" + host + "] Queued mail for redundancy"
		e.Fields[fIMID] = hc.imids[0]
		g.setRcpts(e, env, nil)
		e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		g.commit(m, hub, msgtrk.LogTransport, hc.t, msgtrk.EventHARedirect, RoleHub, hc.depth)
	case 2:
		hc.t += g.between(3, 30)
		e := g.begin(m, hub, hc.t, "SMTP", "HAREDIRECTFAIL")
		e.Fields[fServerHost] = hub.Name
		e.Fields[fContext] = "No suitable shadow servers"
		e.Fields[fIMID] = hc.imids[0]
		g.setRcpts(e, env, nil)
		e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		g.commit(m, hub, msgtrk.LogTransport, hc.t, msgtrk.EventHARedirectFail, RoleHub, hc.depth)
	}

	g.categorize(hc)
	g.forks(hc)

	// AGENTINFO lists the groups and the final recipients together.
	hc.t += g.between(20, 300)
	var agentRcpts []string
	agentRcpts = append(agentRcpts, hc.groups...)
	for _, f := range hc.finals {
		agentRcpts = append(agentRcpts, f.addr)
	}
	nagent := 1
	if g.chance(0.05) {
		nagent = 2 // identical AGENTINFO rows have been seen
	}
	custom := "S:AMA=SUM|v=0|action=|error=|atch=" + strconv.Itoa(g.rng.IntN(3)) + ";S:CompCost=|ETR=0;S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
	ctx := ""
	if g.chance(0.3) {
		ctx = "CatContentConversion"
	}
	if g.v2007 {
		nagent = 0 // (no AGENTINFO in 2007, format.md §9.1)
	}
	for i := 0; i < nagent; i++ {
		e := g.begin(m, hub, hc.t, "AGENT", "AGENTINFO")
		e.Fields[fClientHost] = hub.Name
		e.Fields[fContext] = ctx
		e.Fields[fIMID] = hc.imids[0]
		g.setRcpts(e, agentRcpts, nil)
		e.Fields[fOrigClient] = m.origClientIP
		e.Fields[fOrigServer] = hub.IP
		e.Fields[fCustom] = custom
		g.commit(m, hub, msgtrk.LogTransport, hc.t, msgtrk.EventAgentInfo, RoleHub, hc.depth)
	}
	// The group addresses are dropped once expanded (no DROP in 2007).
	for _, grp := range hc.groups {
		if g.v2007 {
			break
		}
		hc.t += g.between(1, 10)
		e := g.begin(m, hub, hc.t, "ROUTING", "DROP")
		e.Fields[fServerHost] = hub.Name
		e.Fields[fIMID] = hc.imids[0]
		g.setRcpts(e, []string{grp}, []string{"250 2.1.5 RESOLVER.GRP.Expanded; distribution list expanded"})
		g.commit(m, hub, msgtrk.LogTransport, hc.t, msgtrk.EventDrop, RoleHub, hc.depth)
	}
	g.outcomes(hc)
	for _, f := range hc.finals {
		if f.out != outDropped {
			continue
		}
		hc.t += g.between(1, 20)
		st := "550 4.3.2 QUEUE.TransportAgent; message deleted by transport agent"
		e := g.begin(m, hub, hc.t, "AGENT", "DROP")
		e.Fields[fServerHost] = hub.Name
		e.Fields[fIMID] = hc.imids[f.copy]
		g.setRcpts(e, []string{f.addr}, []string{st})
		e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		g.commit(m, hub, msgtrk.LogTransport, hc.t, msgtrk.EventDrop, RoleHub, hc.depth)
		g.setOutcome(hc, f, StatusDropped, hub.Name, st)
	}
	hc.done = hc.t
	g.route(hc)

	if p.shadow == 1 && !hc.pending {
		n := 1
		if len(hc.imids) > 1 || g.chance(0.3) {
			n = 2
		}
		t := hc.done
		for i := 0; i < n; i++ {
			t += g.between(5_000, 90_000)
			e := g.begin(m, shadow, t, "SMTP", "HADISCARD")
			e.Fields[fServerHost] = shadow.Name
			e.Fields[fIMID] = ximid
			g.setRcpts(e, env, nil)
			e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
			g.commit(m, shadow, msgtrk.LogTransport, t, msgtrk.EventHADiscard, "", 0)
		}
	}
}

// categorize resolves aliases, expands groups and applies forwarding,
// writing RESOLVE, EXPAND, DUPLICATEEXPAND, REDIRECT and DUPLICATEREDIRECT
// rows, and builds the final recipients and their truth.
func (g *gen) categorize(hc *hubCtx) {
	m := hc.m
	hc.t += g.between(10, 150)
	type expansion struct {
		group string
		chain []string
	}
	var queue []expansion
	queued := map[string]bool{}
	for _, r := range hc.p.rcpts {
		a := lower(r.addr)
		resolvedFrom := ""
		if i, ok := g.s.aliasUser[a]; ok {
			u := &g.org.Users[i]
			hc.t += g.between(1, 15)
			e := g.begin(m, hc.H, hc.t, "ROUTING", "RESOLVE")
			e.Fields[fServerHost] = hc.H.Name
			e.Fields[fContext] = u.LegacyDN
			e.Fields[fIMID] = hc.imids[0]
			g.setRcpts(e, []string{u.Address}, nil)
			e.Fields[fRelated] = a
			e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
			g.commit(m, hc.H, msgtrk.LogTransport, hc.t, msgtrk.EventResolve, RoleHub, hc.depth)
			resolvedFrom = a
			a = u.Address
		}
		if _, ok := g.s.groupByAddr[a]; ok {
			if !queued[a] {
				queued[a] = true
				queue = append(queue, expansion{group: a})
			}
			continue
		}
		g.reach(hc, a, nil, resolvedFrom, false)
	}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		grp := &g.org.Groups[g.s.groupByAddr[x.group]]
		chain := append(append([]string(nil), x.chain...), x.group)
		var fresh, dups []string
		for _, mem := range grp.Members {
			if _, ok := g.s.groupByAddr[mem]; ok {
				if queued[mem] {
					dups = append(dups, mem)
				} else {
					queued[mem] = true
					fresh = append(fresh, mem)
					queue = append(queue, expansion{group: mem, chain: chain})
				}
				continue
			}
			if _, seen := hc.rtByAddr[mem]; seen || hc.byAddr[mem] != nil {
				dups = append(dups, mem)
			} else {
				fresh = append(fresh, mem)
			}
		}
		hc.groups = append(hc.groups, x.group)
		// expandRow logs the group's expansion into members.
		expandRow := func(event string, etype msgtrk.EventType, members []string) {
			e := g.begin(m, hc.H, hc.t, "ROUTING", event)
			e.Fields[fServerHost] = hc.H.Name
			e.Fields[fIMID] = hc.imids[0]
			g.setRcpts(e, members, nil)
			e.Fields[fRelated] = x.group
			e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
			g.commit(m, hc.H, msgtrk.LogTransport, hc.t, etype, RoleHub, hc.depth)
		}
		hc.t += g.between(2, 30)
		expandRow("EXPAND", msgtrk.EventExpand, fresh)
		sorted := append([]string{}, fresh...)
		slices.Sort(sorted)
		m.truth.Expansions = append(m.truth.Expansions, Expansion{Group: x.group, Members: sorted})
		if len(dups) > 0 && !g.v2007 { // (no DUPLICATEEXPAND in 2007)
			hc.t += g.between(1, 5)
			expandRow("DUPLICATEEXPAND", msgtrk.EventDuplicateExpand, dups)
			for _, d := range dups {
				// A member reached again through a forwarding target that
				// is not a recipient yet becomes one.
				if _, isGroup := g.s.groupByAddr[d]; !isGroup {
					if _, ok := hc.rtByAddr[d]; !ok {
						g.reach(hc, d, chain, "", true)
					}
				}
			}
		}
		for _, mem := range fresh {
			if _, ok := g.s.groupByAddr[mem]; !ok {
				g.reach(hc, mem, chain, "", true)
			}
		}
	}
}

// reach makes a the recipient of the message (after RESOLVE), applying
// forwarding.
func (g *gen) reach(hc *hubCtx, a string, chain []string, resolvedFrom string, viaGroup bool) {
	m := hc.m
	if _, ok := hc.rtByAddr[a]; ok {
		return
	}
	rt := RecipientTruth{Address: a, ResolvedFrom: resolvedFrom}
	if len(chain) > 0 {
		rt.ExpandedFrom = append([]string(nil), chain...)
	}
	idx := len(m.truth.Recipients)
	hc.rtByAddr[a] = idx
	u := g.user(a)
	if u != nil && u.ForwardTo != "" {
		target := u.ForwardTo
		rt.RedirectedTo = target
		m.truth.Recipients = append(m.truth.Recipients, rt)
		ev, et := "REDIRECT", msgtrk.EventRedirect
		if hc.byAddr[target] != nil && !g.v2007 { // (2007 logs a REDIRECT)
			ev, et = "DUPLICATEREDIRECT", msgtrk.EventDuplicateRedirect
		}
		hc.t += g.between(1, 15)
		e := g.begin(m, hc.H, hc.t, "ROUTING", ev)
		e.Fields[fServerHost] = hc.H.Name
		e.Fields[fContext] = g.user(target).LegacyDN
		e.Fields[fIMID] = hc.imids[0]
		// The original recipient in recipient-address, the target in
		// related-recipient-address (format.md §4).
		g.setRcpts(e, []string{a}, nil)
		e.Fields[fRelated] = target
		e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		g.commit(m, hc.H, msgtrk.LogTransport, hc.t, et, RoleHub, hc.depth)
		f := hc.byAddr[target]
		if f == nil {
			f = &final{addr: target, user: g.user(target), viaG: viaGroup}
			hc.byAddr[target] = f
			hc.finals = append(hc.finals, f)
		}
		f.rts = append(f.rts, idx)
		return
	}
	m.truth.Recipients = append(m.truth.Recipients, rt)
	f := hc.byAddr[a]
	if f == nil {
		f = &final{addr: a, user: u, viaG: viaGroup}
		if u == nil {
			f.peer = g.peerOf(a)
		}
		hc.byAddr[a] = f
		hc.finals = append(hc.finals, f)
	}
	f.rts = append(f.rts, idx)
}

// forks moves recipients to forked copies (TRANSFER): the members reached
// through groups, and the external recipients when the message asks for it
// (or, sometimes, anyway).
func (g *gen) forks(hc *hubCtx) {
	fork := func(sel func(*final) bool, reason string) {
		var moved []string
		for _, f := range hc.finals {
			if f.copy == 0 && sel(f) {
				moved = append(moved, f.addr)
			}
		}
		if len(moved) == 0 {
			return
		}
		c := len(hc.imids)
		imid := g.nextIMID(hc.H, msgtrk.LogTransport)
		hc.imids = append(hc.imids, imid)
		for _, f := range hc.finals {
			if f.copy == 0 && sel(f) {
				f.copy = c
			}
		}
		hc.t += g.between(2, 40)
		e := g.begin(hc.m, hc.H, hc.t, "ROUTING", "TRANSFER")
		e.Fields[fServerHost] = hc.H.Name
		e.Fields[fContext] = reason
		e.Fields[fIMID] = imid
		g.setRcpts(e, moved, nil)
		e.Fields[fReference] = hc.imids[0]
		e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		g.commit(hc.m, hc.H, msgtrk.LogTransport, hc.t, msgtrk.EventTransfer, RoleHub, hc.depth)
	}
	if len(hc.groups) > 0 {
		fork(func(f *final) bool { return f.viaG }, "Expansion")
	}
	ext := func(f *final) bool { return f.user == nil }
	if hc.p.forkExternal || g.chance(0.3) {
		fork(ext, "ContentConversion")
	}
}

// outcomes assigns the plan's special outcome to one final recipient.
func (g *gen) outcomes(hc *hubCtx) {
	p := hc.p
	pick := func(internal bool) *final {
		var cand []*final
		for _, f := range hc.finals {
			if (f.user != nil) == internal && f.out == outOK {
				cand = append(cand, f)
			}
		}
		if len(cand) == 0 {
			return nil
		}
		return cand[g.rng.IntN(len(cand))]
	}
	if p.failMode != 0 {
		if f := pick(p.failMode != outFailExt); f != nil {
			f.out = p.failMode
		}
	}
	if p.deferMode != 0 {
		if f := pick(!p.deferExt); f != nil {
			f.out = p.deferMode
		}
	}
	if p.drop {
		if f := pick(true); f != nil {
			f.out = outDropped
		}
	}
}

func (g *gen) setOutcome(hc *hubCtx, f *final, status, server, detail string) {
	for _, i := range f.rts {
		r := &hc.m.truth.Recipients[i]
		r.Status, r.Server = status, server
		if status == StatusFailed || status == StatusDropped || status == StatusPending {
			r.Detail = detail
		} else {
			r.Detail = ""
		}
	}
}

// batch is the recipients of one copy going to one next hop.
type batch struct {
	copy   int
	D      *Server // internal: the delivery server
	peer   *Peer   // external without Edge: the domain
	edge   bool    // external through the Edge
	finals []*final
}

// route sends every copy to its next hops.
func (g *gen) route(hc *hubCtx) {
	var batches []*batch
	find := func(c int, dst *Server, peer *Peer, edge bool) *batch {
		for _, b := range batches {
			if b.copy == c && b.D == dst && b.peer == peer && b.edge == edge {
				return b
			}
		}
		b := &batch{copy: c, D: dst, peer: peer, edge: edge}
		batches = append(batches, b)
		return b
	}
	if len(g.s.edges) > 0 {
		hc.edge = &g.org.Servers[g.s.edges[g.rng.IntN(len(g.s.edges))]]
	}
	for _, f := range hc.finals {
		if f.out == outDropped {
			continue
		}
		switch {
		case f.user != nil:
			b := find(f.copy, g.homeOf(f.user), nil, false)
			b.finals = append(b.finals, f)
		case hc.edge != nil:
			b := find(f.copy, nil, nil, true)
			b.finals = append(b.finals, f)
		default:
			b := find(f.copy, nil, f.peer, false)
			b.finals = append(b.finals, f)
		}
	}
	t := hc.t
	resubmitted := false
	for _, b := range batches {
		t += g.between(5, 120)
		switch {
		case b.D != nil:
			g.deliverBatch(hc, b, t, hc.p.resubmit && !resubmitted)
			if hc.p.resubmit {
				resubmitted = true
			}
		case b.edge:
			g.edgeBatch(hc, b, t)
		default:
			g.externalSend(hc, externalCopy{srv: hc.H, imid: hc.imids[b.copy], fs: b.finals, role: RoleHub, depth: hc.depth, connector: g.org.InternetConnector}, t)
		}
	}
}
