package correlate

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/messageinfo"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// builder holds the working slices of build, reused from trace to trace.
type builder struct {
	hops                               []hopState
	hopOf, order, pos, depths, evOrder []int
}

// grow returns s resized to n, reusing its array when large enough.
func grow(s []int, n int) []int {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]int, n, n+n/2)
}

type hopState struct {
	Hop
	short   string
	parents []int
	depth   int
}

// recipientState is the working state of one address.
type recipientState struct {
	addr          string
	status        Status
	server        string
	time          int64
	depth         int
	detail        string
	originNS      int64
	expandedFrom  []string
	resolvedFrom  string
	redirectedTo  string
	group         bool // expanded: not a recipient
	alias         bool // resolved to another address: not a recipient
	redirectOnly  bool // created by a REDIRECT: its outcome belongs to the original
	duplicateSeen bool
}

// build turns an open trace into its Trace.
func (t *Tracker) build(tr *trace) *Trace {
	out := &Trace{
		Marked:           tr.marked,
		Key:              tr.primaryKey(),
		NetworkMessageID: tr.netID,
		MessageID:        tr.msgID,
		Sender:           tr.sender,
		ReturnPath:       tr.returnPath,
		Subject:          tr.subject,
		Events:           len(tr.events),
	}
	if tr.first != 0 {
		out.FirstSeen = time.Unix(0, tr.first).UTC()
	}
	if tr.last != 0 {
		out.LastSeen = time.Unix(0, tr.last).UTC()
	}

	// Hops: every (server, role) with a row that is neither a shadow nor a
	// duplicate row. The working slices are the Tracker's, reused.
	b := &t.b
	b.hops = b.hops[:0]
	hopOf := grow(b.hopOf, len(tr.events)) // hop index of each event, -1 for none
	b.hopOf = hopOf
	for i := range tr.events {
		e := &tr.events[i]
		hopOf[i] = -1
		if e.shadow || isDuplicate(e.etype) {
			continue
		}
		role := roleOf(e.kind, e.source, e.etype, t.isEdge(e.server))
		h := -1
		for j := range b.hops {
			if b.hops[j].Server == e.server && b.hops[j].Role == role {
				h = j
				break
			}
		}
		if h < 0 {
			h = len(b.hops)
			if h < cap(b.hops) {
				b.hops = b.hops[:h+1]
				parents := b.hops[h].parents[:0]
				b.hops[h] = hopState{parents: parents}
			} else {
				b.hops = append(b.hops, hopState{})
			}
			hs := &b.hops[h]
			hs.short = t.short(e.server)
			hs.Hop = Hop{Server: e.server, Role: role, Latency: -1}
		}
		hopOf[i] = h
		hs := &b.hops[h]
		hs.Events++
		if e.time != 0 {
			tm := time.Unix(0, e.time).UTC()
			if hs.First.IsZero() || tm.Before(hs.First) {
				hs.First = tm
			}
			if tm.After(hs.Last) {
				hs.Last = tm
			}
		}
		if e.hopLatencyMS >= 0 {
			if d := time.Duration(e.hopLatencyMS) * time.Millisecond; d > hs.Latency {
				hs.Latency = d
			}
		}
	}
	hops := b.hops
	// Parents: who handed the message to each hop.
	addParent := func(child, parent int) {
		if child == parent {
			return
		}
		for _, p := range hops[child].parents {
			if p == parent {
				return
			}
		}
		hops[child].parents = append(hops[child].parents, parent)
	}
	for i := range tr.events {
		e := &tr.events[i]
		h := hopOf[i]
		if h < 0 || e.peer == "" {
			continue
		}
		switch {
		case e.etype == msgtrk.EventReceive && e.source == msgtrk.SourceSMTP:
			// The peer handed it to our transport: its submission service
			// if it has one for this message, else its transport.
			best := -1
			for c := range hops {
				if c == h || hops[c].short != e.peer {
					continue
				}
				switch hops[c].Role {
				case RoleSubmission:
					best = c
				case RoleHub, RoleEdge:
					if best < 0 || hops[best].Role != RoleSubmission {
						best = c
					}
				}
			}
			if best >= 0 {
				addParent(h, best)
			}
		case e.etype == msgtrk.EventDeliver || e.etype == msgtrk.EventDeliverFail:
			// The peer's transport handed it to our delivery service.
			for c := range hops {
				if c != h && hops[c].short == e.peer && (hops[c].Role == RoleHub || hops[c].Role == RoleEdge) {
					addParent(h, c)
				}
			}
		case e.etype == msgtrk.EventSend:
			// We handed it to the peer's transport or delivery hop.
			for c := range hops {
				if c != h && hops[c].short == e.peer && hops[c].Role != RoleSubmission {
					addParent(c, h)
				}
			}
		}
	}
	// Depth: shortest hand-over chain from a hop nobody handed it to.
	const inf = 1 << 30
	for i := range hops {
		h := &hops[i]
		h.depth = inf
		if len(h.parents) == 0 || h.Role == RoleSubmission {
			h.depth = 0
		}
	}
	for changed, round := true, 0; changed && round <= len(hops); round++ {
		changed = false
		for i := range hops {
			h := &hops[i]
			for _, p := range h.parents {
				if d := hops[p].depth + 1; hops[p].depth != inf && d < h.depth {
					h.depth = d
					changed = true
				}
			}
		}
	}
	for i := range hops {
		h := &hops[i]
		if h.depth == inf {
			h.depth = 0
			out.Anomalies = append(out.Anomalies, fmt.Sprintf("loop: no first hop leads to %s (%s)", h.Server, h.Role))
		}
		h.Depth = h.depth
		if h.Latency < 0 {
			h.Latency = 0
		}
	}
	order := grow(b.order, len(hops))
	b.order = order
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, c int) int {
		x, y := &hops[a], &hops[c]
		if x.depth != y.depth {
			return cmp.Compare(x.depth, y.depth)
		}
		if c := x.First.Compare(y.First); c != 0 {
			return c
		}
		if x.Server != y.Server {
			return strings.Compare(x.Server, y.Server)
		}
		return cmp.Compare(x.Role, y.Role)
	})
	pos := grow(b.pos, len(hops)) // position of each hop in out.Hops
	b.pos = pos
	for p, i := range order {
		pos[i] = p
	}
	out.Hops = make([]Hop, 0, len(hops))
	for _, i := range order {
		h := hops[i].Hop
		h.From = nil
		if len(hops[i].parents) > 0 {
			h.From = make([]int, 0, len(hops[i].parents))
			for _, p := range hops[i].parents {
				h.From = append(h.From, pos[p])
			}
			sort.Ints(h.From)
		}
		out.Hops = append(out.Hops, h)
	}

	// Events in causal order: by hop depth, then time, then arrival.
	depths := grow(b.depths, len(tr.events))
	b.depths = depths
	evOrder := grow(b.evOrder, len(tr.events))
	b.evOrder = evOrder
	for i := range evOrder {
		evOrder[i] = i
		if hopOf[i] >= 0 {
			depths[i] = hops[hopOf[i]].depth
			continue
		}
		// Shadow and duplicate rows: after the hops of their server.
		d := 0
		short := t.short(tr.events[i].server)
		for j := range hops {
			if hops[j].short == short {
				d = max(d, hops[j].depth)
			}
		}
		depths[i] = d
	}
	slices.SortStableFunc(evOrder, func(i, j int) int {
		if depths[i] != depths[j] {
			return cmp.Compare(depths[i], depths[j])
		}
		return cmp.Compare(tr.events[i].time, tr.events[j].time)
	})

	t.buildOrigin(tr, out, evOrder)
	t.buildRecipients(tr, out, evOrder, depths)
	t.buildAnomalies(tr, out, hops)
	if tr.primary == "" {
		out.Orphan = true
		out.Anomalies = append(out.Anomalies, "orphan: no message id ties these rows to a message")
	}
	if tr.droppedEvents > 0 {
		out.Anomalies = append(out.Anomalies, fmt.Sprintf("truncated: %d rows beyond MaxEventsPerTrace not kept", tr.droppedEvents))
	}
	return out
}

func (t *Tracker) buildOrigin(tr *trace, out *Trace, evOrder []int) {
	// Size: the first total-bytes in causal order (later hops add headers).
	for _, i := range evOrder {
		if n := tr.events[i].size; n > 0 {
			out.Size = n
			break
		}
	}
	first := -1
	store := -1
	dsn := -1
	for _, i := range evOrder {
		e := &tr.events[i]
		if e.source == msgtrk.SourceDSN && dsn < 0 {
			dsn = i
		}
		if e.etype != msgtrk.EventReceive || e.shadow || e.recv < 0 {
			continue
		}
		if first < 0 {
			first = i
		}
		if e.source == msgtrk.SourceStoreDriver && store < 0 {
			store = i
		}
	}
	if store >= 0 {
		first = store
	}
	o := &out.Origin
	if first < 0 {
		if dsn >= 0 {
			// A DSN made inside the organisation: it starts where the DSN
			// row was logged.
			o.Server = tr.events[dsn].server
			o.Source = msgtrk.SourceDSN.String()
			o.Protocol = "smtp"
		}
		return
	}
	e := &tr.events[first]
	ri := &tr.receives[e.recv]
	o.Server = e.server
	o.Source = e.source.String()
	if e.source == msgtrk.SourceStoreDriver {
		o.Protocol = "store"
		o.ClientType = tr.str(ri.clientType)
	} else {
		o.Protocol = "smtp"
		// SMTP clients talk to a front end, which logs no tracking rows
		// and proxies to a hub, maybe on another server; the hub names
		// the front end in S:FirstForestHop.
		if ri.firstHop.n > 0 {
			if name, ok := t.serverName(t.short(tr.str(ri.firstHop))); ok {
				o.Server = name
			}
		}
	}
	if ri.auth.IsValid() {
		const hexdigits = "0123456789abcdef"
		o.Auth = string([]byte{hexdigits[ri.auth.Number>>4], hexdigits[ri.auth.Number&15], ri.auth.Letter})
		o.Anonymous = ri.auth.Category() == messageinfo.CategoryAnonymous
	}
	o.ClientIP = ri.clientIP
	o.OriginalClientIP = ri.origIP
	for _, i := range evOrder {
		ev := &tr.events[i]
		if ev.etype == msgtrk.EventReceive && ev.source == msgtrk.SourceSMTP && ev.recv >= 0 {
			rv := &tr.receives[ev.recv]
			if o.Connector == "" {
				o.Connector = tr.str(rv.connector)
			}
			if rv.proxiedIP.IsValid() {
				o.ProxiedClientIP = rv.proxiedIP
				break
			}
		}
	}
}

// better reports whether outcome (status s at depth d, time tm) should
// replace the recorded one.
func better(r *recipientState, s Status, d int, tm int64) bool {
	rank := func(s Status) int {
		switch s {
		case StatusDelivered, StatusSentExternal:
			return 4
		case StatusFailed:
			return 3
		case StatusDropped:
			return 2
		case StatusDuplicate:
			return 1
		}
		return 0
	}
	if rank(s) != rank(r.status) {
		return rank(s) > rank(r.status)
	}
	if s == StatusPending {
		return true // the latest deferral explains best
	}
	if r.server == "" {
		return true
	}
	if d != r.depth {
		return d > r.depth // the deepest hop knows best
	}
	return tm < r.time
}

func (t *Tracker) buildRecipients(tr *trace, out *Trace, evOrder []int, depths []int) {
	states := map[string]*recipientState{}
	var order []string
	get := func(addr string) (*recipientState, bool) {
		if r, ok := states[addr]; ok {
			return r, false
		}
		r := &recipientState{addr: addr}
		states[addr] = r
		order = append(order, addr)
		return r, true
	}
	// getRef is get for an arena string: the map lookup does not allocate,
	// only a new address does.
	getRef := func(r ref) (*recipientState, bool) {
		if st, ok := states[string(tr.bytesOf(r))]; ok {
			return st, false
		}
		return get(tr.str(r))
	}
	known := t.knownServer

	for _, i := range evOrder {
		e := &tr.events[i]
		if e.shadow {
			out.ShadowEvents = append(out.ShadowEvents, t.ref(tr, e))
			continue
		}
		switch e.etype {
		case msgtrk.EventDuplicateDeliver, msgtrk.EventDuplicateExpand, msgtrk.EventDuplicateRedirect:
			out.Duplicates = append(out.Duplicates, t.ref(tr, e))
		}
		if e.source == msgtrk.SourceDSN || e.etype == msgtrk.EventDSN {
			for _, r := range tr.list(e.refs) {
				if out.DSNFor == "" && e.etype != msgtrk.EventFail {
					out.DSNFor = t.keyOfMessageID(tr.str(r))
				}
			}
		}
		if e.etype == msgtrk.EventFail || e.etype == msgtrk.EventDeliverFail {
			for _, r := range tr.list(e.refs) {
				mid := tr.str(r)
				dup := false
				for _, d := range out.DSNs {
					dup = dup || d == mid
				}
				if !dup && mid != "" {
					out.DSNs = append(out.DSNs, mid)
				}
			}
		}
		if e.etype == msgtrk.EventNotifyMAPI || e.etype == msgtrk.EventHARedirect {
			continue
		}
		rcpts := tr.list(e.rcpts)
		statuses := tr.list(e.status)
		statusOf := func(k int) string {
			if k < len(statuses) {
				return tr.str(statuses[k])
			}
			return ""
		}
		related := tr.str(e.related)
		d := depths[i]
		switch e.etype {
		case msgtrk.EventResolve:
			for _, r := range rcpts {
				p, _ := getRef(r)
				if related != "" && related != p.addr {
					a, _ := get(related)
					a.alias = true
					if p.resolvedFrom == "" {
						p.resolvedFrom = related
					}
					if len(p.expandedFrom) == 0 {
						p.expandedFrom = a.expandedFrom
					}
				}
			}
			continue
		case msgtrk.EventExpand:
			g, _ := get(related)
			g.group = true
			x := Expansion{Group: related, Server: e.server, Time: time.Unix(0, e.time).UTC()}
			for _, r := range rcpts {
				m, created := getRef(r)
				x.Members = append(x.Members, m.addr)
				if created && m.addr != related {
					m.expandedFrom = append(append([]string(nil), g.expandedFrom...), related)
				}
			}
			sort.Strings(x.Members)
			out.Expansions = append(out.Expansions, x)
			continue
		case msgtrk.EventRedirect:
			for _, r := range rcpts {
				target, created := getRef(r)
				if related != "" && related != target.addr {
					o, _ := get(related)
					o.redirectedTo = target.addr
					if created {
						target.redirectOnly = true
					}
				}
			}
			continue
		case msgtrk.EventTransfer:
			f := Fork{Server: e.server, Time: time.Unix(0, e.time).UTC(), InternalMessageID: tr.str(e.internal), Reason: tr.str(e.context)}
			if refs := tr.list(e.refs); len(refs) > 0 {
				f.From = tr.str(refs[0])
			}
			for _, r := range rcpts {
				f.Recipients = append(f.Recipients, tr.str(r))
			}
			out.Forks = append(out.Forks, f)
			continue
		}
		for k, r := range rcpts {
			st, _ := getRef(r)
			var s Status
			set := true
			switch e.etype {
			case msgtrk.EventDeliver:
				s = StatusDelivered
			case msgtrk.EventSendExternal:
				s = StatusSentExternal
			case msgtrk.EventSend:
				if e.peer != "" && !known(e.peer) {
					s = StatusSentExternal
				} else {
					set = false
				}
			case msgtrk.EventFail, msgtrk.EventDeliverFail:
				s = StatusFailed
			case msgtrk.EventDrop:
				s = StatusDropped
			case msgtrk.EventDefer:
				s = StatusPending
			case msgtrk.EventDuplicateDeliver:
				st.duplicateSeen = true
				set = false
			default:
				set = false
			}
			if !set || !better(st, s, d, e.time) {
				continue
			}
			st.status, st.server, st.time, st.depth = s, e.server, e.time, d
			st.detail = ""
			if s == StatusFailed || s == StatusDropped || s == StatusPending {
				st.detail = statusOf(k)
			}
			st.originNS = e.originNS
		}
	}
	var originNS int64
	for _, e := range tr.events {
		if e.originNS != 0 {
			originNS = e.originNS
			break
		}
	}
	if originNS == 0 {
		originNS = tr.first
	}
	for _, addr := range order {
		st := states[addr]
		if st.group || st.alias || st.redirectOnly || addr == "" {
			continue
		}
		outcome := st
		if st.redirectedTo != "" {
			if tgt, ok := states[st.redirectedTo]; ok {
				outcome = tgt
			}
		}
		rc := Recipient{
			Address:      addr,
			Status:       outcome.status,
			Server:       outcome.server,
			Detail:       outcome.detail,
			ExpandedFrom: st.expandedFrom,
			ResolvedFrom: st.resolvedFrom,
			RedirectedTo: st.redirectedTo,
		}
		if rc.Status == StatusPending && outcome.server == "" && outcome.duplicateSeen {
			rc.Status = StatusDuplicate
		}
		if outcome.time != 0 {
			rc.Time = time.Unix(0, outcome.time).UTC()
			o := outcome.originNS
			if o == 0 {
				o = originNS
			}
			if rc.Status != StatusPending && o != 0 && outcome.time >= o {
				rc.Latency = time.Duration(outcome.time - o)
			}
		}
		out.Recipients = append(out.Recipients, rc)
	}
	slices.SortFunc(out.Recipients, func(a, b Recipient) int { return strings.Compare(a.Address, b.Address) })
	byTime := func(rs []EventRef) {
		slices.SortStableFunc(rs, func(a, b EventRef) int { return a.Time.Compare(b.Time) })
	}
	byTime(out.ShadowEvents)
	byTime(out.Duplicates)
}

func (t *Tracker) ref(tr *trace, e *event) EventRef {
	name := e.etype.String()
	if e.etype == msgtrk.EventUnknown {
		name = tr.str(e.etypeRaw)
	}
	r := EventRef{Server: e.server, Event: name, Time: time.Unix(0, e.time).UTC()}
	for _, x := range tr.list(e.rcpts) {
		r.Recipients = append(r.Recipients, tr.str(x))
	}
	return r
}

// keyOfMessageID finds the trace of a message-id among open and recent
// traces; it returns the message-id itself when none is known.
func (t *Tracker) keyOfMessageID(mid string) string {
	if o, ok := t.byMsgID[mid]; ok {
		return o.primaryKey()
	}
	if k, ok := t.recent.get("msgid:" + mid); ok {
		return k
	}
	return mid
}

func (t *Tracker) knownServer(short string) bool {
	_, ok := t.servers[short]
	return ok
}

// serverName returns the name a known server goes by (as its logs name it)
// for a short lower-case name.
func (t *Tracker) serverName(short string) (string, bool) {
	name, ok := t.servers[short]
	return name, ok && name != ""
}

func (t *Tracker) buildAnomalies(tr *trace, out *Trace, hops []hopState) {
	const tolerance = time.Second
	for i := range tr.events {
		e := &tr.events[i]
		if e.etype != msgtrk.EventSend || e.peer == "" {
			continue
		}
		if !t.knownServer(e.peer) {
			continue
		}
		found := false
		for j := range hops {
			found = found || hops[j].short == e.peer
		}
		if !found {
			out.Anomalies = append(out.Anomalies, fmt.Sprintf("missing_hop: %s sent to %s at %s, no row of %s for this message",
				e.server, e.peer, time.Unix(0, e.time).UTC().Format(time.RFC3339Nano), e.peer))
			continue
		}
		// A receive logged before the send means the clocks differ.
		for j := range tr.events {
			r := &tr.events[j]
			if (r.etype == msgtrk.EventReceive || r.etype == msgtrk.EventDeliver) && r.peer == t.short(e.server) &&
				strings.EqualFold(t.short(r.server), e.peer) && r.time+int64(tolerance) < e.time {
				out.Anomalies = append(out.Anomalies, fmt.Sprintf("skew: %s logged %s %.3fs before %s logged the SEND",
					r.server, r.etype, time.Duration(e.time-r.time).Seconds(), e.server))
				break
			}
		}
	}
	if out.Origin.Protocol == "" && tr.primary != "" {
		out.Anomalies = append(out.Anomalies, "no_origin: no RECEIVE row for this message")
	}
}
