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
	hops                                     []hopState
	merged                                   []Hop
	hopOf, order, pos, rank, depths, evOrder []int
}

// grow returns s resized to n, reusing its array when large enough.
func grow(s []int, n int) []int {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]int, n, n+n/2)
}

// absorb adds the events and times of visit v to h.
func (h *Hop) absorb(v *Hop) {
	h.Events += v.Events
	if !v.First.IsZero() && (h.First.IsZero() || v.First.Before(h.First)) {
		h.First = v.First
	}
	if v.Last.After(h.Last) {
		h.Last = v.Last
	}
	h.Latency = max(h.Latency, v.Latency)
}

type hopState struct {
	Hop
	copyID  string // internal-message-id of the transport copy, "" otherwise
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

	// Visits: a server in a role, and for transport services one copy of
	// the message there (its internal-message-id, forks of a TRANSFER
	// counted with their original): the Edge an Internet message came in
	// through and the same Edge taking a copy out are two visits. Shadow
	// and duplicate rows make no visit. The working slices are the
	// Tracker's, reused.
	b := &t.b
	b.hops = b.hops[:0]
	hopOf := grow(b.hopOf, len(tr.events)) // visit of each event, -1 for none
	b.hopOf = hopOf
	forkOf := t.forks(tr)
	for i := range tr.events {
		e := &tr.events[i]
		hopOf[i] = -1
		if e.shadow || isDuplicate(e.etype) {
			continue
		}
		role := roleOf(e.kind, e.source, e.etype, t.isEdge(e.short))
		// The copy id is compared as arena bytes; a string is made only
		// for a new visit (or when forks must be followed).
		var copyID []byte
		if role == RoleHub || role == RoleEdge {
			copyID = tr.bytesOf(e.internal)
			if forkOf != nil {
				copyID = []byte(rootCopy(forkOf, e.server, string(copyID)))
			}
		}
		h := -1
		for j := range b.hops {
			if b.hops[j].Server == e.server && b.hops[j].Role == role && b.hops[j].copyID == string(copyID) {
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
			hs.short = e.short
			hs.copyID = string(copyID)
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
	// Transport rows without an internal-message-id join the first copy
	// of their server and role.
	for j := range b.hops {
		v := &b.hops[j]
		if v.copyID != "" || (v.Role != RoleHub && v.Role != RoleEdge) {
			continue
		}
		for k := range b.hops {
			if k != j && b.hops[k].Server == v.Server && b.hops[k].Role == v.Role && b.hops[k].copyID != "" {
				for i := range hopOf {
					if hopOf[i] == j {
						hopOf[i] = k
					}
				}
				b.hops[k].absorb(&v.Hop)
				v.Events = 0
				break
			}
		}
	}
	hops := b.hops
	// Parents: who handed the message to each visit.
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
	// sentTo reports whether visit c has a SEND row to the server short.
	sentTo := func(c int, short string) bool {
		for j := range tr.events {
			if hopOf[j] == c && tr.events[j].etype == msgtrk.EventSend && tr.events[j].peer == short {
				return true
			}
		}
		return false
	}
	for i := range tr.events {
		e := &tr.events[i]
		h := hopOf[i]
		if h < 0 || e.peer == "" || hops[h].Events == 0 {
			continue
		}
		switch {
		case e.etype == msgtrk.EventReceive && e.source == msgtrk.SourceSMTP:
			// The submission service of the peer is the parent when it
			// names us in its SUBMIT row, or when the peer did nothing
			// else for this message; otherwise the peer's transport copy
			// that sent to us is (any transport copy there, failing that).
			sub, transport, sender := -1, -1, -1
			for c := range hops {
				if c == h || hops[c].short != e.peer || hops[c].Events == 0 {
					continue
				}
				switch hops[c].Role {
				case RoleSubmission:
					sub = c
				case RoleHub, RoleEdge:
					if transport < 0 {
						transport = c
					}
					if sender < 0 && sentTo(c, hops[h].short) {
						sender = c
					}
				}
			}
			switch {
			case sub >= 0 && (transport < 0 || t.submittedTo(tr, hopOf, sub, hops[h].short)):
				addParent(h, sub)
			case sender >= 0:
				addParent(h, sender)
			case transport >= 0 && hops[transport].short != hops[h].short:
				// (A server receiving from its own front end has not
				// had the message from another of its copies.)
				addParent(h, transport)
			}
		case e.etype == msgtrk.EventDeliver || e.etype == msgtrk.EventDeliverFail:
			// The peer's transport handed it to our delivery service.
			for c := range hops {
				if c != h && hops[c].short == e.peer && hops[c].Events > 0 && (hops[c].Role == RoleHub || hops[c].Role == RoleEdge) &&
					(sentTo(c, hops[h].short) || !t.anySentTo(tr, hopOf, hops, e.peer, hops[h].short)) {
					addParent(h, c)
				}
			}
		case e.etype == msgtrk.EventSend:
			// We handed it to the peer's transport (which then logs a
			// RECEIVE naming us, linked above) or to its delivery
			// service.
			received := false
			for j := range tr.events {
				r := &tr.events[j]
				c := hopOf[j]
				if c >= 0 && c != h && hops[c].short == e.peer && r.etype == msgtrk.EventReceive &&
					r.source == msgtrk.SourceSMTP && r.peer == hops[h].short {
					received = true
					break
				}
			}
			if received {
				break
			}
			delivered := false
			for c := range hops {
				if c != h && hops[c].short == e.peer && hops[c].Role == RoleDelivery && hops[c].Events > 0 {
					addParent(c, h)
					delivered = true
				}
			}
			if !delivered {
				for c := range hops {
					if c != h && hops[c].short == e.peer && hops[c].Events > 0 && (hops[c].Role == RoleHub || hops[c].Role == RoleEdge) {
						addParent(c, h)
					}
				}
			}
		}
	}
	// A delivery service only ever gets mail from a transport service. When
	// its rows name no sender (DELIVERFAIL rows may name only the
	// delivery server itself), the transport copy that tried to hand over
	// the same recipients (its SEND or FAIL rows) is the parent.
	for h := range hops {
		if hops[h].Role != RoleDelivery || len(hops[h].parents) > 0 || hops[h].Events == 0 {
			continue
		}
		for i := range tr.events {
			e := &tr.events[i]
			c := hopOf[i]
			if c < 0 || c == h || (hops[c].Role != RoleHub && hops[c].Role != RoleEdge) {
				continue
			}
			if e.etype != msgtrk.EventSend && e.etype != msgtrk.EventFail && e.etype != msgtrk.EventDefer {
				continue
			}
			if t.sharesRecipient(tr, e, h, hopOf) {
				addParent(h, c)
			}
		}
	}
	// Depth: shortest hand-over chain from a visit nobody handed it to.
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
		if h.Events == 0 {
			continue
		}
		if h.depth == inf {
			h.depth = 0
			out.Anomalies = append(out.Anomalies, fmt.Sprintf("loop: no first hop leads to %s (%s)", h.Server, h.Role))
		}
		h.Depth = h.depth
		if h.Latency < 0 {
			h.Latency = 0
		}
	}
	// Hops: visits of one server in one role at one depth are one hop.
	// They are merged first and ordered after, so that each hop is placed
	// by the earliest time of all its visits.
	pos := grow(b.pos, len(hops)) // each visit's hop: in merged, then in out.Hops
	b.pos = pos
	merged := b.merged[:0]
	for i := range hops {
		v := &hops[i]
		if v.Events == 0 {
			continue
		}
		found := -1
		for k := range merged {
			if merged[k].Server == v.Server && merged[k].Role == v.Role && merged[k].Depth == v.Depth {
				found = k
				break
			}
		}
		if found < 0 {
			h := v.Hop
			h.From = nil
			merged = append(merged, h)
			found = len(merged) - 1
		} else {
			merged[found].absorb(&v.Hop)
		}
		pos[i] = found
	}
	b.merged = merged
	// Causal order: by depth, then first time; server and role (unique
	// with the depth) break ties.
	order := grow(b.order, len(merged))
	b.order = order
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(a, c int) int {
		x, y := &merged[a], &merged[c]
		if x.Depth != y.Depth {
			return cmp.Compare(x.Depth, y.Depth)
		}
		if c := x.First.Compare(y.First); c != 0 {
			return c
		}
		if x.Server != y.Server {
			return strings.Compare(x.Server, y.Server)
		}
		return cmp.Compare(x.Role, y.Role)
	})
	rank := grow(b.rank, len(merged))
	b.rank = rank
	out.Hops = make([]Hop, len(merged))
	for k, m := range order {
		out.Hops[k] = merged[m]
		rank[m] = k
	}
	for i := range hops {
		if hops[i].Events > 0 {
			pos[i] = rank[pos[i]]
		}
	}
	for i := range hops {
		if hops[i].Events == 0 {
			continue
		}
		o := &out.Hops[pos[i]]
		for _, p := range hops[i].parents {
			// (A hand-over between two copies merged into one hop is
			// not a hop of its own.)
			if hops[p].Events == 0 || pos[p] == pos[i] || slices.Contains(o.From, pos[p]) {
				continue
			}
			o.From = append(o.From, pos[p])
		}
	}
	for k := range out.Hops {
		slices.Sort(out.Hops[k].From)
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
		// Shadow and duplicate rows: after the hops of their server, or
		// after every hop when their server has none.
		d, found, deepest := 0, false, 0
		short := tr.events[i].short
		for j := range hops {
			deepest = max(deepest, hops[j].depth)
			if hops[j].short == short {
				d, found = max(d, hops[j].depth), true
			}
		}
		if !found {
			d = deepest
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
		if n := tr.events[i].size; n > 0 && !tr.events[i].shadow {
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
		o.ClientType = t.intern(tr.bytesOf(ri.clientType))
	} else {
		o.Protocol = "smtp"
		// SMTP clients talk to a front end, which logs no tracking rows
		// and proxies to a hub, maybe on another server; the hub names
		// the front end in S:FirstForestHop.
		if ri.firstHop.n > 0 {
			o.Server = t.nameFor(t.short(t.intern(tr.bytesOf(ri.firstHop))))
		}
	}
	if ri.auth.IsValid() {
		const hexdigits = "0123456789abcdef"
		o.Auth = string([]byte{hexdigits[ri.auth.Number>>4], hexdigits[ri.auth.Number&15], ri.auth.Letter})
		o.Anonymous = ri.auth.Category() == messageinfo.CategoryAnonymous
	}
	o.ClientIP = ri.clientIP
	o.OriginalClientIP = ri.origIP
	if dsn >= 0 {
		// A DSN is made inside the organisation, where its DSN row is
		// logged; the RECEIVE rows are its later hand-overs.
		o.Server = tr.events[dsn].server
		o.Protocol = "smtp"
	}
	for _, i := range evOrder {
		ev := &tr.events[i]
		if ev.etype == msgtrk.EventReceive && ev.source == msgtrk.SourceSMTP && ev.recv >= 0 {
			rv := &tr.receives[ev.recv]
			if o.Connector == "" {
				o.Connector = t.intern(tr.bytesOf(rv.connector))
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
	// Shadow and duplicate rows become EventRefs after the loop, so that
	// their addresses reuse the recipients' strings.
	var shadows, dups []int

	for _, i := range evOrder {
		e := &tr.events[i]
		if e.shadow {
			shadows = append(shadows, i)
			continue
		}
		switch e.etype {
		case msgtrk.EventDuplicateDeliver, msgtrk.EventDuplicateExpand, msgtrk.EventDuplicateRedirect:
			dups = append(dups, i)
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
		case msgtrk.EventDuplicateExpand:
			// A member reached a second time. If so far it was only a
			// forwarding target, the group makes it a recipient of its
			// own.
			g, _ := get(related)
			for _, r := range rcpts {
				m, _ := getRef(r)
				if m.redirectOnly {
					m.redirectOnly = false
					if len(m.expandedFrom) == 0 && related != "" {
						m.expandedFrom = append(append([]string(nil), g.expandedFrom...), related)
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
		case msgtrk.EventRedirect, msgtrk.EventDuplicateRedirect:
			// (DUPLICATEREDIRECT: the target was a recipient already.)
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
	addr := func(r ref) string {
		if st, ok := states[string(tr.bytesOf(r))]; ok {
			return st.addr
		}
		return tr.str(r)
	}
	refs := func(idx []int) []EventRef {
		if len(idx) == 0 {
			return nil
		}
		rs := make([]EventRef, len(idx))
		for k, i := range idx {
			rs[k] = t.ref(tr, &tr.events[i], addr)
		}
		return rs
	}
	out.ShadowEvents = refs(shadows)
	out.Duplicates = refs(dups)
	byTime := func(rs []EventRef) {
		slices.SortStableFunc(rs, func(a, b EventRef) int { return a.Time.Compare(b.Time) })
	}
	byTime(out.ShadowEvents)
	byTime(out.Duplicates)
}

// forks maps each forked or resubmitted copy (server + "/" +
// internal-message-id of a TRANSFER or RESUBMIT row) to the copy it came
// from (the row's reference).
func (t *Tracker) forks(tr *trace) map[string]string {
	var m map[string]string
	for i := range tr.events {
		e := &tr.events[i]
		if (e.etype != msgtrk.EventTransfer && e.etype != msgtrk.EventResubmit) || e.internal.n == 0 {
			continue
		}
		refs := tr.list(e.refs)
		if len(refs) == 0 {
			continue
		}
		if m == nil {
			m = map[string]string{}
		}
		m[e.server+"/"+tr.str(e.internal)] = tr.str(refs[0])
	}
	return m
}

// rootCopy follows forks back to the copy a forked copy came from.
func rootCopy(forkOf map[string]string, server, id string) string {
	for n := 0; n < 16 && forkOf != nil; n++ {
		parent, ok := forkOf[server+"/"+id]
		if !ok || parent == id {
			break
		}
		id = parent
	}
	return id
}

// anySentTo reports whether any transport copy on server peer has a SEND
// row to the server short.
func (t *Tracker) anySentTo(tr *trace, hopOf []int, hops []hopState, peer, short string) bool {
	for j := range tr.events {
		c := hopOf[j]
		if c >= 0 && hops[c].short == peer && tr.events[j].etype == msgtrk.EventSend && tr.events[j].peer == short {
			return true
		}
	}
	return false
}

// submittedTo reports whether a SUBMIT row of hop sub names the server
// short as the transport it handed the message to.
func (t *Tracker) submittedTo(tr *trace, hopOf []int, sub int, short string) bool {
	for j := range tr.events {
		e := &tr.events[j]
		if hopOf[j] == sub && e.etype == msgtrk.EventSubmit && e.peer == short {
			return true
		}
	}
	return false
}

// sharesRecipient reports whether event e lists a recipient that some row
// of hop h lists too.
func (t *Tracker) sharesRecipient(tr *trace, e *event, h int, hopOf []int) bool {
	for j := range tr.events {
		if hopOf[j] != h {
			continue
		}
		for _, a := range tr.list(tr.events[j].rcpts) {
			for _, b := range tr.list(e.rcpts) {
				if string(tr.bytesOf(a)) == string(tr.bytesOf(b)) {
					return true
				}
			}
		}
	}
	return false
}

func (t *Tracker) ref(tr *trace, e *event, addr func(ref) string) EventRef {
	name := e.etype.String()
	if e.etype == msgtrk.EventUnknown {
		name = tr.str(e.etypeRaw)
	}
	r := EventRef{Server: e.server, Event: name, Time: time.Unix(0, e.time).UTC()}
	if l := tr.list(e.rcpts); len(l) > 0 {
		r.Recipients = make([]string, len(l))
		for k, x := range l {
			r.Recipients[k] = addr(x)
		}
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

// nameFor names a server given its short name: as its logs name it when
// it has logs, otherwise in upper case when every server with logs is named
// in upper case (front ends log no tracking rows, so a front end may have
// no logs at all), else as given.
func (t *Tracker) nameFor(short string) string {
	if name, ok := t.serverName(short); ok {
		return name
	}
	upper := len(t.servers) > 0
	for _, name := range t.servers {
		if strings.ToUpper(name) != name {
			upper = false
			break
		}
	}
	if upper {
		return strings.ToUpper(short)
	}
	return short
}

// serverName returns the name a known server goes by (as its logs name it)
// for a short lower-case name.
func (t *Tracker) serverName(short string) (string, bool) {
	name, ok := t.servers[short]
	return name, ok && name != ""
}

func (t *Tracker) buildAnomalies(tr *trace, out *Trace, hops []hopState) {
	const tolerance = time.Second
	var recvBuf []*event
	for i := range tr.events {
		e := &tr.events[i]
		if !sendsHandOver(e) || e.peer == "" || !t.knownServer(e.peer) {
			continue
		}
		if e.etype == msgtrk.EventSend {
			found := false
			for j := range hops {
				found = found || hops[j].short == e.peer
			}
			if !found {
				out.Anomalies = append(out.Anomalies, fmt.Sprintf("missing_hop: %s sent to %s at %s, no row of %s for this message",
					e.server, e.peer, time.Unix(0, e.time).UTC().Format(time.RFC3339Nano), e.peer))
				continue
			}
		}
		if e.short == e.peer {
			continue // one server, one clock
		}
		// The clocks differ when a hand-over's receive is logged before its
		// send (the send is logged once the far end has taken the message,
		// so a receive up to a second earlier is normal). The hand-overs
		// from one server to another are paired in time order, the k-th
		// send with the k-th receive: a retry or a resubmission sends
		// again, and its receive must not be compared with an earlier one.
		k := 0 // hand-overs of this pair before e (events of merged traces are not in time order)
		for j := range tr.events {
			p := &tr.events[j]
			if sendsHandOver(p) && p.peer == e.peer && p.short == e.short &&
				(p.time < e.time || p.time == e.time && j < i) {
				k++
			}
		}
		recv := recvBuf[:0]
		for j := range tr.events {
			r := &tr.events[j]
			if logsHandOver(r.etype) && r.peer == e.short && strings.EqualFold(r.short, e.peer) {
				recv = append(recv, r)
			}
		}
		recvBuf = recv
		if k >= len(recv) {
			continue
		}
		slices.SortStableFunc(recv, func(a, b *event) int { return cmp.Compare(a.time, b.time) })
		if r := recv[k]; r.time+int64(tolerance) < e.time {
			out.Anomalies = append(out.Anomalies, fmt.Sprintf("skew: %s logged %s %.3fs before %s logged the %s",
				r.server, r.etype, time.Duration(e.time-r.time).Seconds(), e.server, e.etype))
		}
	}
	if out.Origin.Protocol == "" && tr.primary != "" {
		out.Anomalies = append(out.Anomalies, "no_origin: no RECEIVE row for this message")
	}
}

// sendsHandOver reports whether e is logged by a server handing the
// message to another (named in e.peer): an SMTP SEND, or the submission
// service's SUBMIT to a transport service.
func sendsHandOver(e *event) bool {
	return e.etype == msgtrk.EventSend || e.etype == msgtrk.EventSubmit && e.source == msgtrk.SourceStoreDriver
}

// logsHandOver reports whether rows of e are logged by the server a
// message was handed to, as it takes the message: a receive, a delivery or
// failed delivery, or a duplicate delivery (a Safety Net resubmission the
// store recognised).
func logsHandOver(e msgtrk.EventType) bool {
	switch e {
	case msgtrk.EventReceive, msgtrk.EventDeliver, msgtrk.EventDeliverFail, msgtrk.EventDuplicateDeliver:
		return true
	}
	return false
}
