package correlate

import (
	"bytes"
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/messageinfo"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/recipstatus"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// org is what building one trace needs to know of the whole organisation:
// a Tracker answers from what it has seen, BuildTrace from its Context.
type org interface {
	// hasLogs reports whether the server of short lower-case name short
	// has logs in the input.
	hasLogs(short string) bool
	// serviceLogs tells whether the logs of one service of that server
	// are in the input, and from when (see orgState.serviceLogs).
	serviceLogs(short string, kind msgtrk.LogKind) (eff msgtrk.LogKind, have bool, first int64)
	// window is the quiet window.
	window() time.Duration
	// isEdge reports whether that server is an Edge Transport server.
	isEdge(short string) bool
	// nameFor names a server given its short name.
	nameFor(short string) string
	// peerKey returns the name a row's peer host is known by (see
	// orgState.peerKey).
	peerKey(host string) string
	// shortOf returns the short name of the server that wrote a row of
	// input file that names local as its local host.
	shortOf(file int32, local string) string
	// keyOfMessageID returns the Key of the message with message-id mid,
	// "" when it is not known.
	keyOfMessageID(mid string) string
	// accepted reports whether the organisation receives mail for the
	// domain of a lower-case address, and whether any domain is known.
	accepted(address string) (accepted, known bool)
}

// reportsOnMessage reports whether a row is a delivery status
// notification's whose first reference names the message it reports on
// (Trace.DSNForMessageID).
func reportsOnMessage(e *event) bool {
	return (e.source == msgtrk.SourceDSN || e.etype == msgtrk.EventDSN) && e.etype != msgtrk.EventFail
}

// isDSNRow reports whether a row is the DSN row of a delivery status
// notification (source DSN, event-id DSN), whose source-context names the
// notification's types (format.md §8, Trace.DSNFlags).
func isDSNRow(e *event) bool {
	return e.etype == msgtrk.EventDSN && e.source == msgtrk.SourceDSN
}

// namesDSNs reports whether a row's reference lists the message-ids of the
// DSNs generated for its recipients (Trace.DSNs): FAIL and SEND rows
// (format.md §6, §9.3), SENDEXTERNAL being a SEND, and DELIVERFAIL as
// FAIL.
func namesDSNs(e *event) bool {
	switch e.etype {
	case msgtrk.EventFail, msgtrk.EventDeliverFail, msgtrk.EventSend, msgtrk.EventSendExternal:
		return true
	}
	return false
}

// builder turns an open trace into its Trace in small phases, each linear
// in the rows and hand-overs of the trace (after one sort of the rows): the
// maps and slices it indexes them with are built once per trace and reused
// from trace to trace.
type builder struct {
	org      org
	intern   func([]byte) string
	text     *textBlock    // the strings of the traces built
	ints     block[int]    // their small []int (Hop.From)
	remotes  []remoteHop   // the remote hops of the trace being built (remoteHopOf)
	msgBuf   []byte        // an anomaly's text, while it is written
	events   []event       // the rows of the trace being built (Tracker.unpack)
	receives []receiveInfo // and their receive information
	// steps counts the work of the phases (loop iterations over rows,
	// visits and hand-overs); tests compare it between sizes to prove the
	// building linear.
	steps int

	tr  *trace
	out *Trace
	// Arrays of a released Trace (release.go), for the one being built.
	spareHops       []Hop
	spareRecipients []Recipient
	spareAnomalies  []Anomaly
	spareRefs       [2][]EventRef // for ShadowEvents and Duplicates
	names           block[string] // the recipients of EventRefs, Expansions and Forks
	spareExpansions []Expansion
	spareForks      []Fork

	visits   []visit
	hopOf    []int32 // visit of each event, -1 for none (shadow and duplicate rows)
	evDepth  []int   // causal depth of each event
	evOrder  []int32 // events in causal order
	merged   []Hop
	order    []int32
	edges    map[[2]int32]struct{} // child, parent
	ids      map[string]string     // interned copy ids
	byVisit  map[visitKey]int32
	idx      map[string]int32      // short → index in servers
	sent     map[[2]string][]int32 // (short, to) → transport visits with a SEND to server to
	sentFree [][]int32             // the emptied lists of sent, for the next trace
	sendsTo  map[visitPeer]struct{}
	subTo    map[visitPeer]struct{}
	recvBy   map[[2]string][2]int32 // (receiver short, sender short) → up to two visits with an SMTP RECEIVE
	byHop    map[hopKey]int32
	missing  map[missingKey]bool // servers (or their services) handed to or from whose logs are missing
	gaps     []Anomaly           // log_gap anomalies found with them

	// Hand-overs (build_logs.go): per event, the service a SEND or SUBMIT
	// handed the message to, and whether that service's logs are missing;
	// SENDs whose reply names the next hop's copy, by next hop and id.
	sendKind   []msgtrk.LogKind
	toMissing  []bool
	byNext     map[string]int32   // next hop short + "\x00" + internal id → sending visit
	identified map[[2]string]bool // (sender, receiver): some SEND between them names a copy the receiver has
	entryFrom  int32              // the RECEIVE from an Exchange server whose rows are missing that the origin would be, -1
	entryLost  int32              // the visit that handed the message on with no row of its entry (enteredUnseen), -1
	entered    []bool             // per visit: a row of it shows the message entering (enteredUnseen's scratch)
	keyBuf     []byte
	rs         recipients           // buildRecipients' working state
	hopLinks   [][2]int32           // buildHops' scratch: (hop, parent hop)
	forks      map[[2]string]string // (server, copy) → the copy it was forked from (forkOf)
	forkMap    map[[2]string]string // forkOf's map, reused from trace to trace

	// Scratch reused from trace to trace (see resetMap).
	firstCopy map[visitKey]int32
	delivered map[visitPeer]bool
	from      map[[2]int32]struct{}
	byServer  map[string]int
	hasVisit  map[string]bool
	pairs     map[[2]string]int32 // (from, to) → its number in hand-overs
	handOvers handOvers
	servers   []serverIndex
	start     []int32
	children  []int32
	fill      []int32
	queue     []int32
	rank      []int32
	sendRank  []int
	cmp       func(x, y event) int // compareEvents, as a func value made once

	keepSMTP bool // Options.KeepSMTP
}

// visitKey identifies a visit: a server in a role, and for transport
// services one copy of the message there (its internal-message-id, forks
// counted with their original).
type visitKey struct {
	server string
	role   Role
	copyID string
}

type hopKey struct {
	server string
	role   Role
	depth  int
}

type visitPeer struct {
	visit int32
	peer  string
}

type visit struct {
	Hop
	short   string
	copyID  string
	parents []int32
	depth   int
	hop     int32 // index in Trace.Hops
}

// serverIndex is what the links phase needs of one server's visits.
type serverIndex struct {
	transport  [2]int32 // its first two transport visits, -1 when none
	submission int32    // its last submission visit
	deliveries []int32
}

// resetSent empties b.sent, keeping its lists for reuse.
func (b *builder) resetSent() {
	for _, l := range b.sent {
		if len(b.sentFree) < maxReusedMap && cap(l) <= maxReusedMap {
			b.sentFree = append(b.sentFree, l[:0])
		}
	}
	b.sent = resetMap(b.sent)
}

// maxReusedMap bounds the entries a builder's map may keep for the next
// trace: a larger map (from an outsized trace) is dropped, so that clearing
// it does not cost every later trace the size of the largest.
const maxReusedMap = 512

func resetMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil || len(m) > maxReusedMap {
		return make(map[K]V)
	}
	clear(m)
	return m
}

func growInt32(s []int32, n int) []int32 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]int32, n, n+n/2)
}

func growInt(s []int, n int) []int {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]int, n, n+n/2)
}

// build turns tr into its Trace. It reorders b.events.
func (b *builder) build(tr *trace) *Trace {
	b.tr = tr
	b.out = b.newOutput()
	if cap(b.remotes) > maxReusedMap {
		b.remotes = nil // (an outsized trace's array is not kept)
	}
	b.remotes = b.remotes[:0]
	*b.out = Trace{
		Marked:           tr.marked,
		Key:              tr.primaryKey(),
		NetworkMessageID: tr.netID,
		MessageID:        b.text.of(tr.bytesOf(tr.msgID)),
		Sender:           b.text.of(tr.bytesOf(tr.sender)),
		Subject:          b.text.of(tr.bytesOf(tr.subject)),
		Events:           len(b.events),
	}
	b.out.Anomalies = b.spareAnomalies[:0] // (nil again below when none)
	if tr.returnPath == tr.sender {
		b.out.ReturnPath = b.out.Sender
	} else {
		b.out.ReturnPath = b.text.of(tr.bytesOf(tr.returnPath))
	}
	if tr.first != 0 {
		b.out.FirstSeen = time.Unix(0, tr.first).UTC()
	}
	if tr.last != 0 {
		b.out.LastSeen = time.Unix(0, tr.last).UTC()
	}
	b.resolveServers()
	b.canonicalOrder()
	b.buildVisits()
	b.readSends()
	b.buildLinks()
	b.inferDeliverySenders()
	b.buildDepths()
	b.buildHops()
	b.buildEventOrder()
	b.missing = resetMap(b.missing)
	b.gaps = b.gaps[:0]
	b.classifyHandOvers()
	b.buildOrigin()
	b.buildRecipients()
	b.buildMissingLogs()
	b.buildAnomalies()
	b.recipientsUnknown()
	b.reusedMessageID()
	if b.keepSMTP {
		b.buildSMTPRows()
	}
	if len(b.out.Anomalies) == 0 {
		b.spareAnomalies, b.out.Anomalies = b.out.Anomalies, nil
	} else {
		b.spareAnomalies = nil
	}
	out := b.out
	b.tr, b.out = nil, nil
	return out
}

// resolveServers names the server that wrote each row: the server its
// input was found to be written by (decided by the rows, see orgState);
// and the host it names as its peer (orgState.peerKey).
func (b *builder) resolveServers() {
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		e.short = b.org.shortOf(e.file, e.local)
		e.server = b.org.nameFor(e.short)
		if e.peer != "" {
			e.peer = b.org.peerKey(e.peer)
		}
	}
}

// canonicalOrder sorts the rows by time, then server, pipeline stage (see
// stageOf), event and content (every field the trace keeps), so that the
// trace does not depend on the order the rows came in, nor on anything that
// differs between runs.
func (b *builder) canonicalOrder() {
	if b.cmp == nil {
		b.cmp = b.compareEvents
	}
	slices.SortStableFunc(b.events, b.cmp)
}

func (b *builder) str(x, y ref) int { return bytes.Compare(b.tr.bytesOf(x), b.tr.bytesOf(y)) }

// strOf returns the string r locates in tr's arena, copied into the
// builder's textBlock.
func (b *builder) strOf(tr *trace, r ref) string {
	if r.n == 0 {
		return ""
	}
	return b.text.of(tr.bytesOf(r))
}

func (b *builder) list(x, y span) int { return slices.CompareFunc(b.tr.list(x), b.tr.list(y), b.str) }

// compareEvents orders two rows by each kept field in turn, comparing a
// field only when the ones before tie.
func (b *builder) compareEvents(x, y event) int {
	if c := cmp.Compare(x.time, y.time); c != 0 {
		return c
	}
	if c := strings.Compare(x.short, y.short); c != 0 {
		return c
	}
	if c := cmp.Compare(stageOf(x.etype), stageOf(y.etype)); c != 0 {
		return c
	}
	if c := cmp.Compare(x.etype, y.etype); c != 0 {
		return c
	}
	for _, c := range [...]func() int{
		func() int { return cmp.Compare(x.source, y.source) },
		func() int { return strings.Compare(x.peer, y.peer) },
		func() int { return b.str(x.internal, y.internal) },
		func() int { return b.list(x.rcpts, y.rcpts) },
		func() int { return b.list(x.status, y.status) },
		func() int { return b.str(x.related, y.related) },
		func() int { return b.list(x.refs, y.refs) },
		func() int { return b.str(x.context, y.context) },
		func() int { return b.str(x.conn, y.conn) },
		func() int {
			return cmp.Or(cmp.Compare(x.size, y.size), cmp.Compare(x.hopLatencyMS, y.hopLatencyMS),
				cmp.Compare(x.originNS, y.originNS), cmp.Compare(x.kind, y.kind))
		},
	} {
		if r := c(); r != 0 {
			return r
		}
	}
	return 0
}

// transportRole reports whether r is a transport service's role.
func transportRole(r Role) bool { return r == RoleHub || r == RoleEdge }

// forkOf maps each forked or resubmitted copy (server and internal id of a
// TRANSFER or RESUBMIT row) to the copy it came from (the row's reference);
// nil when the trace has none. The map is the builder's, valid until the
// next trace is built.
func (b *builder) forkOf() map[[2]string]string {
	tr := b.tr
	var m map[[2]string]string
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		if (e.etype != msgtrk.EventTransfer && e.etype != msgtrk.EventResubmit && e.etype != msgtrk.EventLoad) || e.internal.n == 0 {
			continue
		}
		refs := tr.list(e.refs)
		if len(refs) == 0 && e.etype != msgtrk.EventLoad {
			continue
		}
		if m == nil {
			b.forkMap = resetMap(b.forkMap)
			m = b.forkMap
		}
		id := b.copyID(tr.bytesOf(e.internal))
		// A copy loaded again at boot (LOAD, format.md §9.1), or forked
		// from itself (a reference that names no other copy), is a copy
		// of the server's first: "" joins it (buildVisits).
		from := ""
		if len(refs) > 0 && !bytes.Equal(tr.bytesOf(refs[0]), tr.bytesOf(e.internal)) && e.etype != msgtrk.EventLoad {
			from = b.copyID(tr.bytesOf(refs[0]))
		}
		m[[2]string{e.server, id}] = from
	}
	return m
}

// copyID interns an internal-message-id for this trace.
func (b *builder) copyID(v []byte) string {
	if s, ok := b.ids[string(v)]; ok {
		return s
	}
	s := b.text.of(v)
	b.ids[s] = s
	return s
}

// maxForkDepth bounds the forks rootCopy follows back: a copy forked from a
// fork of a fork… (a TRANSFER per bifurcation, a RESUBMIT per Safety Net
// resubmission) is rarely more than two deep, and a cycle of references in
// a hostile input must end.
const maxForkDepth = 16

// rootCopy follows forks back to the copy a forked copy came from.
func rootCopy(forkOf map[[2]string]string, server, id string) string {
	for n := 0; n < maxForkDepth && forkOf != nil; n++ {
		parent, ok := forkOf[[2]string{server, id}]
		if !ok || parent == id {
			break
		}
		id = parent
	}
	return id
}

// buildVisits gives every row but shadow and duplicate rows its visit: a
// server in a role, and for transport services one copy of the message
// there, so that the Edge an Internet message came in through and the same
// Edge taking a copy out are two visits.
func (b *builder) buildVisits() {
	tr := b.tr
	b.ids = resetMap(b.ids)
	b.byVisit = resetMap(b.byVisit)
	forks := b.forkOf()
	b.forks = forks
	b.visits = b.visits[:0]
	b.hopOf = growInt32(b.hopOf, len(b.events))
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		b.hopOf[i] = -1
		role := b.visitRole(e)
		if role == RoleUnknown {
			continue // never a hop
		}
		copyID := ""
		if transportRole(role) && e.internal.n > 0 {
			copyID = rootCopy(forks, e.server, b.copyID(tr.bytesOf(e.internal)))
		}
		k := visitKey{e.server, role, copyID}
		h, ok := b.byVisit[k]
		if !ok {
			h = int32(len(b.visits))
			b.byVisit[k] = h
			if int(h) < cap(b.visits) {
				b.visits = b.visits[:h+1]
				b.visits[h] = visit{parents: b.visits[h].parents[:0]}
			} else {
				b.visits = append(b.visits, visit{})
			}
			v := &b.visits[h]
			v.short, v.copyID = e.short, copyID
			v.Hop = Hop{Server: e.server, Role: role, Latency: -1}
		}
		b.hopOf[i] = h
		v := &b.visits[h]
		v.Events++
		if e.time != 0 {
			tm := time.Unix(0, e.time).UTC()
			if v.First.IsZero() || tm.Before(v.First) {
				v.First = tm
			}
			if tm.After(v.Last) {
				v.Last = tm
			}
		}
		if e.hopLatencyMS >= 0 {
			v.Latency = max(v.Latency, time.Duration(e.hopLatencyMS)*time.Millisecond)
		}
	}
	// Transport rows without an internal-message-id join the first copy
	// of their server and role.
	var first map[visitKey]int32
	for j := range b.visits {
		b.steps++
		v := &b.visits[j]
		if v.copyID == "" || !transportRole(v.Role) {
			continue
		}
		if first == nil {
			b.firstCopy = resetMap(b.firstCopy)
			first = b.firstCopy
		}
		k := visitKey{v.Server, v.Role, ""}
		if _, ok := first[k]; !ok {
			first[k] = int32(j)
		}
	}
	if first == nil {
		return
	}
	moved := false
	for j := range b.visits {
		b.steps++
		v := &b.visits[j]
		if v.copyID != "" || !transportRole(v.Role) {
			continue
		}
		if k, ok := first[visitKey{v.Server, v.Role, ""}]; ok {
			b.visits[k].absorb(&v.Hop)
			v.Events = 0
			v.hop = k // where its rows went
			moved = true
		}
	}
	if moved {
		for i, h := range b.hopOf {
			b.steps++
			if h >= 0 && b.visits[h].Events == 0 {
				b.hopOf[i] = b.visits[h].hop
			}
		}
	}
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

// addParent records that visit parent handed the message to visit child.
func (b *builder) addParent(child, parent int32) {
	if child == parent || child < 0 || parent < 0 {
		return
	}
	k := [2]int32{child, parent}
	if _, ok := b.edges[k]; ok {
		return
	}
	b.edges[k] = struct{}{}
	b.visits[child].parents = append(b.visits[child].parents, parent)
}

// server returns the index of short's visits.
// The pointer is valid until the next call.
func (b *builder) server(short string) *serverIndex {
	if i, ok := b.idx[short]; ok {
		return &b.servers[i]
	}
	i := len(b.servers)
	if i < cap(b.servers) {
		b.servers = b.servers[:i+1]
		b.servers[i] = serverIndex{deliveries: b.servers[i].deliveries[:0]}
	} else {
		b.servers = append(b.servers, serverIndex{})
	}
	x := &b.servers[i]
	x.transport, x.submission = [2]int32{-1, -1}, -1
	b.idx[short] = int32(i)
	return x
}

// other returns the first of two visits that is not h, -1 for none.
func other(two [2]int32, h int32) int32 {
	if two[0] >= 0 && two[0] != h {
		return two[0]
	}
	if two[1] >= 0 && two[1] != h {
		return two[1]
	}
	return -1
}

// buildLinks finds who handed the message to each visit: an SMTP RECEIVE
// names the server that handed it over (client-hostname), a SEND names the
// next one (server-hostname), a DELIVER names the transport that sent it.
func (b *builder) buildLinks() {
	tr := b.tr
	b.edges = resetMap(b.edges)
	b.idx = resetMap(b.idx)
	b.servers = b.servers[:0]
	b.resetSent()
	b.sendsTo = resetMap(b.sendsTo)
	b.subTo = resetMap(b.subTo)
	b.recvBy = resetMap(b.recvBy)
	for j := range b.visits {
		b.steps++
		v := &b.visits[j]
		if v.Events == 0 {
			continue
		}
		x := b.server(v.short)
		switch {
		case transportRole(v.Role):
			if x.transport[0] < 0 {
				x.transport[0] = int32(j)
			} else if x.transport[1] < 0 {
				x.transport[1] = int32(j)
			}
		case v.Role == RoleSubmission:
			x.submission = int32(j)
		case v.Role == RoleDelivery:
			x.deliveries = append(x.deliveries, int32(j))
		}
	}
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		h := b.hopOf[i]
		if h < 0 || e.peer == "" {
			continue
		}
		switch {
		case e.etype == msgtrk.EventSend && transportRole(b.visits[h].Role):
			vp := visitPeer{h, e.peer}
			if _, ok := b.sendsTo[vp]; !ok {
				b.sendsTo[vp] = struct{}{}
				k := [2]string{e.short, e.peer}
				s, ok := b.sent[k]
				if n := len(b.sentFree); !ok && n > 0 {
					s, b.sentFree = b.sentFree[n-1], b.sentFree[:n-1]
				}
				b.sent[k] = append(s, h)
			}
		case e.etype == msgtrk.EventSubmit && e.source == msgtrk.SourceStoreDriver:
			b.subTo[visitPeer{h, e.peer}] = struct{}{}
		case e.etype == msgtrk.EventReceive && e.source == msgtrk.SourceSMTP:
			k := [2]string{e.short, e.peer}
			two, ok := b.recvBy[k]
			if !ok {
				two = [2]int32{-1, -1}
			}
			if two[0] < 0 {
				two[0] = h
			} else if two[1] < 0 && two[0] != h {
				two[1] = h
			}
			b.recvBy[k] = two
		}
	}
	b.delivered = resetMap(b.delivered)
	delivered := b.delivered // (delivery visit, peer) done
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		h := b.hopOf[i]
		if p := b.pickupFrom(int32(i)); p != "" {
			// 2007/2010: picked up from the Mailbox server that logged
			// the SUBMIT.
			if x := b.server(p); x.submission >= 0 {
				b.addParent(h, x.submission)
			}
			continue
		}
		if h < 0 || e.peer == "" {
			continue
		}
		hv := &b.visits[h]
		switch {
		case e.etype == msgtrk.EventReceive && e.source == msgtrk.SourceSMTP:
			// The submission service of the peer is the parent when it
			// names us in its SUBMIT row, or when the peer did nothing
			// else for this message; otherwise the peer's transport copy
			// that sent to us is (its first transport copy, failing that).
			x := b.server(e.peer)
			transport := other(x.transport, h)
			sender := int32(-1)
			for _, c := range b.sent[[2]string{e.peer, hv.short}] {
				b.steps++
				if c != h {
					sender = c
					break
				}
			}
			_, submitted := b.subTo[visitPeer{x.submission, hv.short}]
			if p, ok := b.nextParent(hv.short, e, h); ok {
				// The sender's reply names this copy (format.md §6).
				b.addParent(h, p)
				continue
			}
			switch {
			case x.submission >= 0 && (transport < 0 || submitted):
				b.addParent(h, x.submission)
			case b.identified[[2]string{e.peer, hv.short}]:
				// The peer's replies name its copies' next copies, and
				// none names this one: no copy in the trace sent it.
			case sender >= 0:
				b.addParent(h, sender)
			case transport >= 0 && e.peer != hv.short:
				// (A server receiving from its own front end has not
				// had the message from another of its copies.)
				b.addParent(h, transport)
			}
		case e.etype == msgtrk.EventDeliver && e.kind == msgtrk.LogTransport:
			// 2007/2010: the transport's own store driver delivered,
			// naming the mailbox server it delivered to (format.md §1.1,
			// §4): the copy of the same internal-message-id on this
			// server is the parent (failing that, linkLocalDeliveries).
			if e.internal.n > 0 {
				id := rootCopy(b.forks, e.server, b.copyID(tr.bytesOf(e.internal)))
				if p, ok := b.byVisit[visitKey{e.server, RoleHub, id}]; ok {
					if b.visits[p].Events == 0 {
						p = b.visits[p].hop // (joined its server's first copy: a LOAD's)
					}
					b.addParent(h, p)
				}
			}
		case (e.etype == msgtrk.EventDeliver || e.etype == msgtrk.EventDeliverFail) && e.peer != hv.short:
			// A DELIVER naming another host (a hub) in client-hostname:
			// the peer's transport copies that sent to our server handed
			// it to our delivery service; its first transport copy when
			// none logged a SEND to us. (Rows that name the delivery
			// server itself, as format.md §4 has them, are linked by the
			// hub's SEND.)
			x := b.server(e.peer)
			key := visitPeer{h, e.peer}
			if delivered[key] {
				continue
			}
			delivered[key] = true
			senders := b.sent[[2]string{e.peer, hv.short}]
			for _, c := range senders {
				b.steps++
				b.addParent(h, c)
			}
			if len(senders) == 0 {
				b.addParent(h, other(x.transport, h))
			}
		case e.etype == msgtrk.EventSend:
			// We handed it to the peer's transport (which then logs a
			// RECEIVE naming us, linked above) or to its delivery
			// service; to its first transport copy when it logged
			// neither.
			if two, ok := b.recvBy[[2]string{e.peer, hv.short}]; ok && other(two, h) >= 0 {
				continue
			}
			// (When its reply tells which service took it, only that one.)
			x := b.server(e.peer)
			kind := b.sendKind[i]
			linked := false
			for _, c := range x.deliveries {
				b.steps++
				if c != h && kind != msgtrk.LogTransport {
					b.addParent(c, h)
					linked = true
				}
			}
			if !linked && kind != msgtrk.LogDelivery {
				b.addParent(other(x.transport, h), h)
			}
		}
	}
	b.linkOrphanDeliveries()
	b.linkShadowCopies()
}

// inferDeliverySenders names, on delivery rows that name only the delivery
// server itself (format.md §4), the server that handed the message over:
// the transport its delivery visit was linked to. The clock comparisons
// (skew anomalies, Skew) pair them with that server's SEND.
func (b *builder) inferDeliverySenders() {
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		h := b.hopOf[i]
		if h < 0 || (e.etype != msgtrk.EventDeliver && e.etype != msgtrk.EventDeliverFail) {
			continue
		}
		if v := &b.visits[h]; (e.peer == "" || e.peer == v.short) && len(v.parents) > 0 {
			e.peer = b.visits[v.parents[0]].short
		}
	}
}

// linkOrphanDeliveries: a delivery service only ever gets mail from a
// transport service. When its rows name no sender (DELIVERFAIL rows may
// name only the delivery server itself), the transport copies that tried to
// hand over the same recipients (their SEND, FAIL or DEFER rows) are the
// parents.
func (b *builder) linkOrphanDeliveries() {
	tr := b.tr
	var waiting map[string][]int32 // recipient → delivery visits without a parent that list it
	for i := range b.events {
		b.steps++
		h := b.hopOf[i]
		if h < 0 || b.visits[h].Role != RoleDelivery || len(b.visits[h].parents) > 0 || b.visits[h].Events == 0 {
			continue
		}
		if waiting == nil {
			waiting = map[string][]int32{}
		}
		for _, r := range tr.list(b.events[i].rcpts) {
			b.steps++
			a := string(tr.bytesOf(r))
			if l := waiting[a]; len(l) == 0 || l[len(l)-1] != h {
				waiting[a] = append(l, h)
			}
		}
	}
	if waiting == nil {
		return
	}
	defer b.linkLocalDeliveries()
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		c := b.hopOf[i]
		if c < 0 || !transportRole(b.visits[c].Role) {
			continue
		}
		if e.etype != msgtrk.EventSend && e.etype != msgtrk.EventFail && e.etype != msgtrk.EventDefer {
			continue
		}
		for _, r := range tr.list(e.rcpts) {
			for _, h := range waiting[string(tr.bytesOf(r))] {
				b.steps++
				b.addParent(h, c)
			}
		}
	}
}

// linkLocalDeliveries: a delivery no transport copy logged a hand-over
// for (a 2007/2010 hub's store driver delivers without a SEND) came from
// its own server's transport copy, when there is one.
func (b *builder) linkLocalDeliveries() {
	for j := range b.visits {
		b.steps++
		v := &b.visits[j]
		if v.Role != RoleDelivery || v.Events == 0 || len(v.parents) > 0 {
			continue
		}
		if i, ok := b.idx[v.short]; ok && b.servers[i].transport[0] >= 0 {
			b.addParent(int32(j), b.servers[i].transport[0])
		}
	}
}

// buildDepths gives every visit its causal depth: the shortest hand-over
// chain from a visit nobody handed the message to (breadth first). A
// submission is always a first hop.
func (b *builder) buildDepths() {
	const inf = 1 << 30
	n := len(b.visits)
	// Children, in compressed rows: child lists of every visit.
	start := growInt32(b.start, n+1)
	clear(start)
	b.start = start
	for j := range b.visits {
		for _, p := range b.visits[j].parents {
			b.steps++
			start[p+1]++
		}
	}
	for j := 0; j < n; j++ {
		start[j+1] += start[j]
	}
	children := growInt32(b.children, int(start[n]))
	b.children = children
	fill := append(b.fill[:0], start[:n]...)
	b.fill = fill
	queue := b.queue[:0]
	for j := range b.visits {
		b.steps++
		v := &b.visits[j]
		for _, p := range v.parents {
			children[fill[p]] = int32(j)
			fill[p]++
		}
		v.depth = inf
		if len(v.parents) == 0 || v.Role == RoleSubmission {
			v.depth = 0
			queue = append(queue, int32(j))
		}
	}
	defer func() { b.queue = queue[:0] }()
	for q := 0; q < len(queue); q++ {
		p := queue[q]
		d := b.visits[p].depth + 1
		for _, c := range children[start[p]:start[p+1]] {
			b.steps++
			if b.visits[c].depth == inf {
				b.visits[c].depth = d
				queue = append(queue, c)
			}
		}
	}
	for j := range b.visits {
		b.steps++
		v := &b.visits[j]
		if v.Events == 0 {
			continue
		}
		if v.depth == inf {
			v.depth = 0
			b.out.Anomalies = append(b.out.Anomalies, Anomaly{AnomalyLoop, fmt.Sprintf("no first hop leads to %s (%s)", v.Server, v.Role)})
		}
		v.Depth = v.depth
		if v.Latency < 0 {
			v.Latency = 0
		}
	}
}

// buildHops merges the visits of one server in one role at one depth into
// one hop, then orders the hops causally: by depth, then first time (server
// and role, unique with the depth, break ties). Merging comes first, so
// that each hop is placed by the earliest time of all its visits.
func (b *builder) buildHops() {
	b.byHop = resetMap(b.byHop)
	b.merged = b.merged[:0]
	for j := range b.visits {
		b.steps++
		v := &b.visits[j]
		if v.Events == 0 {
			continue
		}
		k := hopKey{v.Server, v.Role, v.Depth}
		m, ok := b.byHop[k]
		if !ok {
			m = int32(len(b.merged))
			b.byHop[k] = m
			h := v.Hop
			h.From = nil
			b.merged = append(b.merged, h)
		} else {
			b.merged[m].absorb(&v.Hop)
		}
		v.hop = m
	}
	order := growInt32(b.order, len(b.merged))
	b.order = order
	for k := range order {
		order[k] = int32(k)
	}
	merged := b.merged
	slices.SortFunc(order, func(a, c int32) int {
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
	rank := growInt32(b.rank, len(merged))
	b.rank = rank
	b.out.Hops = b.hopsOut(len(merged))
	for k, m := range order {
		b.out.Hops[k] = merged[m]
		rank[m] = int32(k)
	}
	b.from = resetMap(b.from)
	from := b.from
	for j := range b.visits {
		v := &b.visits[j]
		if v.Events == 0 {
			continue
		}
		v.hop = rank[v.hop]
		b.steps++
	}
	// The hand-overs into each hop, (hop, parent hop) without repeats,
	// then every hop's From cut from one slice.
	links := b.hopLinks[:0]
	for j := range b.visits {
		v := &b.visits[j]
		if v.Events == 0 {
			continue
		}
		for _, p := range v.parents {
			b.steps++
			// (A hand-over between two copies merged into one hop is
			// not a hop of its own.)
			pv := &b.visits[p]
			if pv.Events == 0 || pv.hop == v.hop {
				continue
			}
			k := [2]int32{v.hop, pv.hop}
			if _, dup := from[k]; dup {
				continue
			}
			from[k] = struct{}{}
			links = append(links, k)
		}
	}
	b.hopLinks = links
	if len(links) == 0 {
		return
	}
	slices.SortFunc(links, func(x, y [2]int32) int {
		if c := cmp.Compare(x[0], y[0]); c != 0 {
			return c
		}
		return cmp.Compare(x[1], y[1])
	})
	all := b.ints.take(len(links), intBlockSize)
	for i, l := range links {
		all[i] = int(l[1])
	}
	for i := 0; i < len(links); {
		j := i
		for j < len(links) && links[j][0] == links[i][0] {
			j++
		}
		b.out.Hops[links[i][0]].From = all[i:j:j]
		i = j
	}
}

// buildEventOrder puts the rows in causal order: by the depth of their
// hop, then time (then the canonical order). Shadow and duplicate rows come
// after the hops of their server, or after every hop when their server has
// none.
func (b *builder) buildEventOrder() {
	n := len(b.events)
	b.evDepth = growInt(b.evDepth, n)
	b.evOrder = growInt32(b.evOrder, n)
	deepest := 0
	var byServer map[string]int
	for j := range b.visits {
		b.steps++
		v := &b.visits[j]
		if v.Events == 0 {
			continue
		}
		deepest = max(deepest, v.depth)
		if byServer == nil {
			b.byServer = resetMap(b.byServer)
			byServer = b.byServer
		}
		if d, ok := byServer[v.short]; !ok || v.depth > d {
			byServer[v.short] = v.depth
		}
	}
	for i := range b.events {
		b.steps++
		b.evOrder[i] = int32(i)
		if h := b.hopOf[i]; h >= 0 {
			b.evDepth[i] = b.visits[h].depth
			continue
		}
		d, ok := byServer[b.events[i].short]
		if !ok {
			d = deepest
		}
		b.evDepth[i] = d
	}
	slices.SortStableFunc(b.evOrder, func(i, j int32) int {
		if b.evDepth[i] != b.evDepth[j] {
			return cmp.Compare(b.evDepth[i], b.evDepth[j])
		}
		return cmp.Compare(b.events[i].time, b.events[j].time)
	})
}

// buildOrigin fills the size and the origin. Every origin field comes from
// one row, the one that created the message: a DSN row (the organisation
// made the message), else the STOREDRIVER RECEIVE of a store submission,
// else a 2007/2010 Mailbox role's SUBMIT, else the first RECEIVE in causal
// order.
func (b *builder) buildOrigin() {
	tr, out := b.tr, b.out
	// Size: the first total-bytes in causal order (later hops add headers).
	for _, i := range b.evOrder {
		b.steps++
		if n := b.events[i].size; n > 0 && !b.events[i].shadow {
			out.Size = n
			break
		}
	}
	dsn, store, first, dsnAny, mailbox := int32(-1), int32(-1), int32(-1), int32(-1), int32(-1)
	for _, i := range b.evOrder {
		b.steps++
		e := &b.events[i]
		if e.shadow {
			continue
		}
		if e.source == msgtrk.SourceDSN {
			if e.etype == msgtrk.EventDSN && dsn < 0 {
				dsn = i
			}
			if dsnAny < 0 {
				dsnAny = i
			}
		}
		if e.etype == msgtrk.EventSubmit && e.kind == msgtrk.LogMailbox && mailbox < 0 {
			mailbox = i
		}
		if e.etype != msgtrk.EventReceive || e.recv < 0 {
			continue
		}
		if first < 0 {
			first = i
		}
		if e.source == msgtrk.SourceStoreDriver && store < 0 {
			store = i
		}
	}
	if dsn < 0 {
		dsn = dsnAny
	}
	o := &out.Origin
	b.entryFrom, b.entryLost = -1, -1
	switch {
	case dsn >= 0:
		e := &b.events[dsn]
		o.Server, o.Source, o.Protocol = e.server, e.source, ProtocolDSN
		return
	case store >= 0:
		first = store
	case mailbox >= 0:
		// 2007/2010: the Mailbox role's SUBMIT in its MSGTRKM, the
		// transport's pickup not in the input (§1.1): a store
		// submission on the server that wrote the file.
		e := &b.events[mailbox]
		o.Server, o.Source, o.Protocol = e.server, e.source, ProtocolStore
		return
	case first < 0:
		return
	case b.senderRowsMissing(first) && b.receivedFromMissing(first, false):
		// Handed over by an Exchange server whose logs of that time are
		// not in the input: it entered there, or before.
		b.entryFrom = first
		return
	default:
		if v := b.enteredUnseen(first); v >= 0 {
			// Handed over by a copy whose entry is not in the input
			// (older logs deleted, format.md §1.2): the first RECEIVE
			// left is not where the message entered.
			b.entryLost = v
			return
		}
	}
	e := &b.events[first]
	ri := &b.receives[e.recv]
	o.Server = e.server
	o.Source = e.source
	o.Connector = b.intern(tr.bytesOf(ri.connector))
	o.Protocol = originProtocol(e.source)
	switch o.Protocol {
	case ProtocolStore:
		o.ClientType = b.intern(tr.bytesOf(ri.clientType))
		// The mailbox server is the row's client (format.md §4): the
		// server itself in its submission log, the Mailbox server a
		// 2007/2010 transport picked the message up from.
		if e.local != "" && !looksLikeIP(e.local) {
			o.Server = b.org.nameFor(e.local)
		}
	case ProtocolSMTP:
		// SMTP clients talk to a front end, which logs no tracking rows
		// and proxies to a hub, maybe on another server; the hub names
		// the front end in S:FirstForestHop.
		if ri.firstHop.n > 0 {
			o.Server = b.org.nameFor(string(shortHost(nil, tr.bytesOf(ri.firstHop))))
		}
	}
	if ri.auth.IsValid() {
		const hexdigits = "0123456789abcdef"
		o.Auth = b.text.of([]byte{hexdigits[ri.auth.Number>>4], hexdigits[ri.auth.Number&15], ri.auth.Letter})
		o.Anonymous = ri.auth.Category() == messageinfo.CategoryAnonymous
	}
	o.ClientIP = ri.clientIP
	o.OriginalClientIP = ri.origIP
	o.ProxiedClientIP = ri.proxiedIP
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
	remote        *remoteHop // the host a SEND or SENDEXTERNAL handed the recipient to, for sent_external and handed_off
	group         bool       // expanded: not a recipient
	alias         bool       // resolved to another address: not a recipient
	redirectOnly  bool       // created by a REDIRECT: its outcome belongs to the original
	duplicateSeen bool
	fromSummary   bool // the outcome is a summary row's: its time is not the outcome's
}

// statusRank orders outcomes: a success outranks a failure, which outranks
// a drop, a duplicate and no outcome.
func statusRank(s Status) int {
	switch s {
	case StatusDelivered, StatusSentExternal:
		return 5
	case StatusFailed:
		return 4
	case StatusDropped:
		return 3
	case StatusHandedOff:
		return 2
	case StatusDuplicate:
		return 1
	}
	return 0
}

// better reports whether outcome (status s at depth d, time tm) should
// replace the recorded one.
func better(r *recipientState, s Status, d int, tm int64) bool {
	if rs, rr := statusRank(s), statusRank(r.status); rs != rr {
		return rs > rr
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

// recipients is the working state of buildRecipients. The builder keeps
// one and reuses it from trace to trace: its map, its order and the
// records of its states (in chunks, so that a state's address stays put
// while the trace is built). Nothing of it reaches the Trace but copies
// of its fields.
type recipients struct {
	tr     *trace
	text   *textBlock // where the strings of the trace built go
	states map[string]*recipientState
	order  []string
	chunks [][]recipientState // the states' records, recipientChunk each
	used   int                // records handed out for this trace
}

// recipientChunk is how many state records are allocated at once.
const recipientChunk = 32

// recipientsKept is how many recipients' worth of working state is kept
// from one trace to the next: after a trace with more, the map and the
// records are let go (clearing a map costs its size, which a few huge
// traces must not impose on every later one).
const recipientsKept = 8 * recipientChunk

// reset readies rs for the trace tr, whose strings go to text.
func (rs *recipients) reset(tr *trace, text *textBlock) {
	rs.tr, rs.text = tr, text
	if rs.states == nil || len(rs.order) > recipientsKept {
		rs.states = make(map[string]*recipientState, 16)
		rs.order = nil
		k := min(len(rs.chunks), recipientsKept/recipientChunk)
		clear(rs.chunks[k:])
		rs.chunks = rs.chunks[:k]
	}
	clear(rs.states)
	clear(rs.order)
	rs.order = rs.order[:0]
	rs.used = 0
}

func (rs *recipients) get(addr string) *recipientState {
	if r, ok := rs.states[addr]; ok {
		return r
	}
	c, k := rs.used/recipientChunk, rs.used%recipientChunk
	if c == len(rs.chunks) {
		rs.chunks = append(rs.chunks, make([]recipientState, recipientChunk))
	}
	rs.used++
	r := &rs.chunks[c][k]
	*r = recipientState{addr: addr}
	rs.states[addr] = r
	rs.order = append(rs.order, addr)
	return r
}

// getRef is get for an arena string: the lookup does not allocate, only a
// new address does. created reports a new address.
func (rs *recipients) getRef(r ref) (st *recipientState, created bool) {
	if st, ok := rs.states[string(rs.tr.bytesOf(r))]; ok {
		return st, false
	}
	return rs.get(rs.text.of(rs.tr.bytesOf(r))), true
}

// buildRecipients follows every recipient through alias resolution, group
// expansion and forwarding to its final outcome, and collects the
// expansions, forks, DSN links and the shadow and duplicate rows.
func (b *builder) buildRecipients() {
	tr, out := b.tr, b.out
	rs := &b.rs
	rs.reset(tr, b.text)
	var shadows, dups, summaries []int32
	var dsns map[string]bool
	dsnRow := false
	for _, i := range b.evOrder {
		b.steps++
		e := &b.events[i]
		if e.kind == msgtrk.LogSummary {
			summaries = append(summaries, i)
			continue
		}
		if e.shadow {
			shadows = append(shadows, i)
			continue
		}
		switch e.etype {
		case msgtrk.EventDuplicateDeliver, msgtrk.EventDuplicateExpand, msgtrk.EventDuplicateRedirect:
			dups = append(dups, i)
		}
		if reportsOnMessage(e) && out.DSNForMessageID == "" {
			if refs := tr.list(e.refs); len(refs) > 0 {
				out.DSNForMessageID = b.strOf(tr, refs[0])
			}
		}
		if isDSNRow(e) && !dsnRow {
			// The first DSN row's types; none when its source-context is
			// not understood whole (nothing is guessed).
			dsnRow = true
			if f, err := sourcecontext.ParseDSN(tr.bytesOf(e.context)); err == nil {
				out.DSNFlags = f
			}
		}
		if namesDSNs(e) {
			for _, r := range tr.list(e.refs) {
				b.steps++
				if mid := b.strOf(tr, r); mid != "" && !dsns[mid] {
					if dsns == nil {
						dsns = map[string]bool{}
					}
					dsns[mid] = true
					out.DSNs = append(out.DSNs, mid)
				}
			}
		}
		if e.etype == msgtrk.EventNotifyMAPI || e.etype == msgtrk.EventHARedirect || isApproval(e) {
			continue // (no recipient of theirs is the message's)
		}
		if b.routingRow(rs, e) {
			continue
		}
		b.outcomeRow(rs, i, b.evDepth[i])
	}
	if out.DSNForMessageID != "" {
		out.DSNFor = b.org.keyOfMessageID(out.DSNForMessageID)
	}
	b.summaryRows(rs, summaries)
	b.finalRecipients(rs)
	addr := func(r ref) string {
		if st, ok := rs.states[string(tr.bytesOf(r))]; ok {
			return st.addr
		}
		return b.strOf(tr, r)
	}
	out.ShadowEvents = b.refs(shadows, addr, 0)
	out.Duplicates = b.refs(dups, addr, 1)
}

// routingRow applies a RESOLVE, EXPAND, DUPLICATEEXPAND, REDIRECT,
// DUPLICATEREDIRECT or TRANSFER row; it reports false for other rows.
func (b *builder) routingRow(rs *recipients, e *event) bool {
	tr, out := b.tr, b.out
	rcpts := tr.list(e.rcpts)
	related := b.strOf(tr, e.related)
	switch e.etype {
	case msgtrk.EventResolve:
		for _, r := range rcpts {
			b.steps++
			p, _ := rs.getRef(r)
			if related != "" && related != p.addr {
				a := rs.get(related)
				a.alias = true
				if p.resolvedFrom == "" {
					p.resolvedFrom = related
				}
				if len(p.expandedFrom) == 0 {
					p.expandedFrom = a.expandedFrom
				}
			}
		}
	case msgtrk.EventDuplicateExpand:
		// A member reached a second time. If so far it was only a
		// forwarding target, the group makes it a recipient of its own.
		g := rs.get(related)
		for _, r := range rcpts {
			b.steps++
			m, _ := rs.getRef(r)
			if m.redirectOnly {
				m.redirectOnly = false
				if len(m.expandedFrom) == 0 && related != "" {
					m.expandedFrom = append(append([]string(nil), g.expandedFrom...), related)
				}
			}
		}
	case msgtrk.EventExpand:
		g := rs.get(related)
		g.group = true
		x := Expansion{Group: related, Server: e.server, Time: time.Unix(0, e.time).UTC(),
			Members: b.stringsFor(len(rcpts))}
		// The members' chain of groups, made once for the row and shared:
		// a chain is never changed in place, only copied to be extended.
		var chain []string
		chainOf := func() []string {
			if chain == nil {
				chain = append(append(b.stringsFor(len(g.expandedFrom)+1), g.expandedFrom...), related)
			}
			return chain
		}
		for _, r := range rcpts {
			b.steps++
			m, created := rs.getRef(r)
			x.Members = append(x.Members, m.addr)
			if created && m.addr != related {
				m.expandedFrom = chainOf()
			} else if m.group && len(m.expandedFrom) == 0 && m.addr != related {
				b.innerGroupFirst(rs, m, chainOf())
			}
		}
		slices.Sort(x.Members)
		if out.Expansions == nil {
			out.Expansions, b.spareExpansions = b.spareExpansions, nil
		}
		out.Expansions = append(out.Expansions, x)
	case msgtrk.EventRedirect, msgtrk.EventDuplicateRedirect:
		// recipient-address is the original recipient, related-recipient-
		// address the target (format.md §4): the original keeps its entry
		// and takes the target's outcome; the target is not a recipient
		// of its own unless reached otherwise. (DUPLICATEREDIRECT: the
		// target was a recipient already.)
		if related == "" {
			break
		}
		_, known := rs.states[related]
		target := rs.get(related)
		if !known && e.etype == msgtrk.EventRedirect {
			target.redirectOnly = true
		}
		for _, r := range rcpts {
			b.steps++
			if o, _ := rs.getRef(r); o.addr != related {
				o.redirectedTo = related
			}
		}
	case msgtrk.EventTransfer:
		f := Fork{Server: e.server, Time: time.Unix(0, e.time).UTC(), InternalMessageID: b.strOf(tr, e.internal), Reason: b.strOf(tr, e.context)}
		if refs := tr.list(e.refs); len(refs) > 0 {
			f.From = b.strOf(tr, refs[0])
		}
		if len(rcpts) > 0 {
			f.Recipients = b.stringsFor(len(rcpts))
		}
		for _, r := range rcpts {
			b.steps++
			f.Recipients = append(f.Recipients, b.strOf(tr, r))
		}
		if out.Forks == nil {
			out.Forks, b.spareForks = b.spareForks, nil
		}
		out.Forks = append(out.Forks, f)
	default:
		return false
	}
	return true
}

// outcomeRow records what row i says of its recipients' outcomes.
func (b *builder) outcomeRow(rs *recipients, i int32, d int) {
	tr := b.tr
	e := &b.events[i]
	statuses := tr.list(e.status)
	for k, r := range tr.list(e.rcpts) {
		b.steps++
		st, _ := rs.getRef(r)
		var s Status
		server := e.server
		switch e.etype {
		case msgtrk.EventDeliver:
			s = StatusDelivered
		case msgtrk.EventSendExternal:
			s = StatusSentExternal
		case msgtrk.EventSend:
			switch {
			case e.peer == "":
				continue
			case b.toMissing[i]:
				// To a service of a server whose logs of it are
				// missing (classifyHandOvers).
				s, server = StatusHandedOff, b.org.nameFor(e.peer)
			case b.org.hasLogs(e.peer):
				continue // the next server's logs tell
			default:
				if s = b.sendOutcome(e, st.addr); s == StatusHandedOff {
					server = b.org.nameFor(e.peer)
					b.missing[missingKey{e.peer, msgtrk.LogUnknown}] = true
				}
			}
		case msgtrk.EventSubmit:
			// The submission service handed the message to a transport
			// server whose logs are missing.
			switch {
			case e.source != msgtrk.SourceStoreDriver || e.peer == "":
				continue
			case b.toMissing[i]:
				s, server = StatusHandedOff, b.org.nameFor(e.peer)
			case b.org.hasLogs(e.peer):
				continue
			default:
				s, server = StatusHandedOff, b.org.nameFor(e.peer)
				b.missing[missingKey{e.peer, msgtrk.LogUnknown}] = true
			}
		case msgtrk.EventFail, msgtrk.EventDeliverFail:
			s = StatusFailed
		case msgtrk.EventDrop:
			if k < len(statuses) && isGroupDrop(tr.bytesOf(statuses[k])) {
				// An expanded group's address, dropped once expanded
				// (flows.md), even when its EXPAND row is not here.
				st.group = true
				continue
			}
			s = StatusDropped
		case msgtrk.EventDefer:
			s = StatusPending
		case msgtrk.EventDuplicateDeliver:
			st.duplicateSeen = true
			continue
		default:
			var ok bool
			if s, ok = specialOutcome(e.etype); !ok {
				continue
			}
		}
		if !better(st, s, d, e.time) {
			continue
		}
		st.status, st.server, st.time, st.depth = s, server, e.time, d
		st.detail, st.fromSummary = "", false
		if (s == StatusFailed || s == StatusDropped || s == StatusPending) && k < len(statuses) {
			st.detail = b.strOf(tr, statuses[k])
		}
		if _, special := specialOutcome(e.etype); special && st.detail == "" {
			st.detail = e.etype.String()
		}
		st.remote = nil
		if e.etype == msgtrk.EventSend || e.etype == msgtrk.EventSendExternal {
			var member ref
			if k < len(statuses) {
				member = statuses[k]
			}
			st.remote = b.remoteHopOf(e, member)
		}
		st.originNS = e.originNS
	}
}

// remoteHop is the host a SEND or SENDEXTERNAL row handed a recipient to,
// and what it answered.
type remoteHop struct {
	host  string
	ip    netip.Addr
	reply string
}

// remoteHopOf reads the next hop of a SEND or SENDEXTERNAL row: its
// server-hostname and server-ip, and its reply: the reply to the message
// in source-context ("250 2.0.0 Ok: queued as …", the proof of hand-off;
// format.md §8), else the recipient's own reply in recipient-status
// (member; "250 2.1.5 Recipient OK", format.md §6).
func (b *builder) remoteHopOf(e *event, member ref) *remoteHop {
	tr := b.tr
	if len(b.remotes) == cap(b.remotes) {
		// A new array: the hops taken from the old one stay where they are.
		b.remotes = make([]remoteHop, 0, max(8, 2*cap(b.remotes)))
	}
	b.remotes = append(b.remotes, remoteHop{host: b.strOf(tr, e.remote)})
	h := &b.remotes[len(b.remotes)-1]
	h.ip, _ = msgtrk.ParseAddr(tr.bytesOf(e.remoteIP))
	if sc, err := sourcecontext.ParseSend(tr.bytesOf(e.context)); len(sc.Reply.Response.Raw) > 0 && (err == nil || sc.Reply.Response.Code != 0) {
		h.reply = b.text.of(bytes.TrimSpace(sc.Reply.Response.Raw))
	} else if member.n > 0 {
		h.reply = b.text.of(bytes.TrimSpace(tr.bytesOf(member)))
	}
	if h.host == "" && !h.ip.IsValid() && h.reply == "" {
		b.remotes = b.remotes[:len(b.remotes)-1]
		return nil
	}
	return h
}

// Send connectors and replies that tell where a SEND went.
var (
	intraOrgConnector = []byte("Intra-Organization SMTP Send Connector")
	edgeSyncPrefix    = []byte("EdgeSync - ")
	internetWord      = []byte("internet")
	storeDriverError  = []byte("STOREDRV.")
)

// sendOutcome tells what a SEND to a host without logs did for recipient
// addr: it handed the message to another Exchange server of the
// organisation (StatusHandedOff: that server's logs would tell the rest),
// or the message left the organisation (StatusSentExternal). It is sent
// outside only on evidence: a domain the organisation does not receive
// for, a reply no Exchange server gives, a send connector named for the
// Internet, a next hop at a public address; a hand-over inside the
// organisation is evidence too, and weighs first (the Intra-Organization
// connector, an EdgeSync connector used by a server that is not an Edge or
// into the organisation, a domain the organisation receives for). With no
// evidence either way the recipient is handed off: the tool does not claim
// what the logs do not show. (2007 to 2013 log a send to the Internet as a
// SEND, format.md §9.1: these rules are what tells it from a hand-over.)
func (b *builder) sendOutcome(e *event, addr string) Status {
	if b.insideOrg(e) {
		return StatusHandedOff
	}
	if acc, known := b.org.accepted(addr); acc {
		return StatusHandedOff
	} else if known {
		return StatusSentExternal
	}
	if b.nonExchangeReply(e) || containsFold(b.tr.bytesOf(e.conn), internetWord) {
		return StatusSentExternal
	}
	if ip, ok := msgtrk.ParseAddr(b.tr.bytesOf(e.remoteIP)); ok && publicAddr(ip) {
		return StatusSentExternal
	}
	return StatusHandedOff
}

// nonExchangeReply reports whether a SEND's source-context holds a
// success reply no Exchange server gives: a 250 without the
// "[InternalId=…, Hostname=…]" of a transport or the "[Hostname=…]" of a
// delivery service (format.md §8).
func (b *builder) nonExchangeReply(e *event) bool {
	reply := b.tr.bytesOf(e.context)
	return bytes.Contains(reply, []byte("250 ")) && !bytes.Contains(reply, []byte("[InternalId=")) && !bytes.Contains(reply, []byte("[Hostname="))
}

// containsFold reports whether s contains the lower-case word w in any
// case.
func containsFold(s, w []byte) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if bytes.EqualFold(s[i:i+len(w)], w) {
			return true
		}
	}
	return false
}

// publicAddr reports whether ip is a public address: not private (RFC
// 1918, fc00::/7), loopback, link-local, shared (100.64.0.0/10) or
// unspecified. Servers of one organisation talk over private addresses.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsUnspecified() || ip.IsMulticast() {
		return false
	}
	return !sharedSpace.Contains(ip)
}

var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

// insideOrg reports whether a SEND or FAIL row's connector says it handed
// the message to another server of the organisation: the
// Intra-Organization connector, an Edge's "EdgeSync - Inbound to …", or
// an "EdgeSync - …" connector used by a server that is not an Edge (a
// mailbox server's transport routing to the Edge) unless the reply is one
// no Exchange server gives (then the server is an Edge the rows have not
// shown yet, sending out).
func (b *builder) insideOrg(e *event) bool {
	conn := b.tr.bytesOf(e.conn)
	return bytes.EqualFold(conn, intraOrgConnector) || bytes.HasPrefix(conn, edgeSyncInbound) ||
		bytes.HasPrefix(conn, edgeSyncPrefix) && !b.org.isEdge(e.short) && !b.nonExchangeReply(e)
}

// pickupSlack is how long before a 2007/2010 transport's pickup the
// Mailbox role may have logged the SUBMIT, clock skew included: when that
// server's MSGTRKM begins later than the pickup less this, the SUBMIT may
// be in the older, deleted files.
const pickupSlack = 2 * time.Minute

// buildMissingLogs finds the servers (or services of a server) the
// message was handed to or received from whose logs are not in the input:
// those of handed-off recipients (above), an Exchange server that handed
// the message over (an SMTP RECEIVE authenticated as another Exchange
// server, not through a front end; see receivedFromMissing), a hub that
// delivered it. The trace names them and is not complete.
func (b *builder) buildMissingLogs() {
	tr, out := b.tr, b.out
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		if p := b.pickupFrom(int32(i)); p != "" && !b.hasRole(p, msgtrk.LogSubmission, -1) {
			// (Its SUBMIT is in the Mailbox server's MSGTRKM.)
			if !b.org.hasLogs(p) {
				b.missing[missingKey{p, msgtrk.LogUnknown}] = true
			} else {
				// (The SUBMIT was logged before the pickup, on another
				// clock: logs beginning a little before it still miss it.)
				b.logsWanted(p, msgtrk.LogSubmission, e.time-int64(pickupSlack))
			}
			continue
		}
		if e.peer == "" || looksLikeIP(e.peer) {
			continue
		}
		switch {
		case b.senderRowsMissing(int32(i)):
			b.receivedFromMissing(int32(i), true)
		case (e.etype == msgtrk.EventDeliver || e.etype == msgtrk.EventDeliverFail) && e.peer != e.short && !b.org.hasLogs(e.peer):
			b.missing[missingKey{e.peer, msgtrk.LogUnknown}] = true
		case e.etype == msgtrk.EventSubmit && e.kind == msgtrk.LogMailbox && !b.hasRole(e.peer, msgtrk.LogTransport, -1):
			// 2007/2010: the Mailbox role submitted it to the transport
			// it names (server-hostname, §4), whose pickup is not in
			// the trace.
			if !b.org.hasLogs(e.peer) {
				b.missing[missingKey{e.peer, msgtrk.LogUnknown}] = true
			} else {
				b.logsWanted(e.peer, msgtrk.LogTransport, e.time)
			}
		}
	}
	// A FAIL of a hand-over inside the organisation names, in its
	// LastError, the server that refused: it was crossed.
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		if e.etype != msgtrk.EventFail || e.status.n == 0 {
			continue
		}
		if !b.insideOrg(e) {
			continue
		}
		l, _ := recipstatus.ParseLastError(tr.bytesOf(tr.list(e.status)[0]))
		if len(l.FQDN) == 0 || looksLikeIP(l.FQDN) {
			continue
		}
		short := string(shortHost(nil, l.FQDN))
		switch {
		case !b.org.hasLogs(short):
			if short != e.short {
				b.missing[missingKey{short, msgtrk.LogUnknown}] = true
			}
		case bytes.Contains(l.LED.Raw, storeDriverError) && !b.hasRole(short, msgtrk.LogDelivery, -1):
			// The store refused the delivery: the server's delivery
			// service logged a DELIVERFAIL (format.md §4,
			// recipient-status), which is not in the trace.
			b.logsWanted(short, msgtrk.LogDelivery, e.time)
		}
	}
	if len(b.missing) == 0 {
		return
	}
	for k := range b.missing {
		out.MissingLogs = append(out.MissingLogs, b.missingName(k))
	}
	slices.Sort(out.MissingLogs)
	out.Anomalies = append(out.Anomalies, Anomaly{AnomalyMissingLogs, fmt.Sprintf("the message crossed %s, whose logs are not in the input",
		strings.Join(out.MissingLogs, ", "))})
	slices.SortStableFunc(b.gaps, func(x, y Anomaly) int { return strings.Compare(x.Message, y.Message) })
	out.Anomalies = append(out.Anomalies, slices.CompactFunc(b.gaps, func(x, y Anomaly) bool { return x == y })...)
}

// reusedMessageID adds a message_id_reused anomaly to a trace of 2007 or
// 2010 logs, keyed by message-id and sender (Keys.Primary), whose rows show
// two messages: two entries into the organisation on one server (an SMTP
// RECEIVE from a host without logs, or a store submission) with different
// internal-message-ids and different sizes. Senders reuse message-ids
// (format.md §6) and nothing else in those logs tells two messages apart,
// so the trace holds both and its outcomes may mix them: it says so, and
// is not complete. One pass over the rows; each entry is compared with
// the first entry of its server.
func (b *builder) reusedMessageID() {
	if !strings.HasPrefix(b.out.Key, legacyKeyPrefix) {
		return
	}
	tr := b.tr
	firsts := b.queue[:0] // the first entry of each server, by event index
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		if e.etype != msgtrk.EventReceive || e.shadow || e.internal.n == 0 || e.size <= 0 ||
			!(e.source == msgtrk.SourceStoreDriver || e.source == msgtrk.SourceSMTP && e.peer != "" && !b.org.hasLogs(e.peer)) {
			continue
		}
		k := slices.IndexFunc(firsts, func(j int32) bool { return b.events[j].short == e.short })
		if k < 0 {
			firsts = append(firsts, int32(i))
			continue
		}
		f := &b.events[firsts[k]]
		if f.size != e.size && !bytes.Equal(tr.bytesOf(f.internal), tr.bytesOf(e.internal)) {
			b.out.Anomalies = append(b.out.Anomalies, Anomaly{AnomalyMessageIDReused, fmt.Sprintf(
				"%s received two messages with this message-id from this sender (internal ids %s and %s, %d and %d bytes): 2007 and 2010 logs key a message by message-id and sender only, so this trace holds both",
				e.server, tr.bytesOf(f.internal), tr.bytesOf(e.internal), f.size, e.size)})
			break
		}
	}
	b.queue = firsts[:0]
}

// recipientsUnknown adds a recipients_unknown anomaly when rows of the
// message came from an input without a recipient-address column: an
// export that lost its lists (Export-Csv writes "System.String[]" for
// them; the export package leaves such columns out). The recipients,
// deliveries and failures of those rows are unknown, not none, and the
// trace is not complete (see Tracker's emit).
func (b *builder) recipientsUnknown() {
	var servers []string
	for i := range b.events {
		b.steps++
		if e := &b.events[i]; e.noRcpts && !slices.Contains(servers, e.server) {
			servers = append(servers, e.server)
		}
	}
	if len(servers) == 0 {
		return
	}
	slices.Sort(servers)
	b.out.Anomalies = append(b.out.Anomalies, Anomaly{AnomalyRecipientsUnknown, fmt.Sprintf(
		"the rows of %s came without their recipients (an export that lost the recipient-address column, such as Export-Csv writing System.String[]): recipients, deliveries and failures of those rows are unknown",
		strings.Join(servers, ", "))})
}

// finalRecipients turns the working states into the trace's recipients:
// not the groups, aliases and forwarding targets, each with its outcome
// (a forwarded recipient's is its target's).
func (b *builder) finalRecipients(rs *recipients) {
	tr, out := b.tr, b.out
	var originNS int64
	for i := range b.events {
		b.steps++
		if b.events[i].originNS != 0 {
			originNS = b.events[i].originNS
			break
		}
	}
	if originNS == 0 {
		originNS = tr.first
	}
	out.Recipients = b.recipientsOut(len(rs.order))
	for _, addr := range rs.order {
		b.steps++
		st := rs.states[addr]
		if st.group || st.alias || st.redirectOnly || addr == "" {
			continue
		}
		outcome := st
		if st.redirectedTo != "" {
			if tgt, ok := rs.states[st.redirectedTo]; ok {
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
		if h := outcome.remote; h != nil && (rc.Status == StatusSentExternal || rc.Status == StatusHandedOff) {
			rc.RemoteHost, rc.RemoteIP, rc.RemoteReply = h.host, h.ip, h.reply
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
			if rc.Status != StatusPending && !outcome.fromSummary && o != 0 && outcome.time >= o {
				rc.Latency = time.Duration(outcome.time - o)
			}
		}
		out.Recipients = append(out.Recipients, rc)
	}
	slices.SortFunc(out.Recipients, func(a, b Recipient) int { return strings.Compare(a.Address, b.Address) })
}

// stringsFor returns an empty slice with room for n strings, carved from
// b.names: for the lists of a trace that are never written again once
// built.
func (b *builder) stringsFor(n int) []string {
	if n == 0 {
		return []string{}
	}
	return b.names.take(n, nameBlockSize)[:0]
}

// refs makes EventRefs of rows (shadow or duplicate), in time order, in
// the array a released trace left for them (spare: 0 for ShadowEvents, 1
// for Duplicates) when large enough; their addresses reuse the recipients'
// strings.
func (b *builder) refs(idx []int32, addr func(ref) string, spare int) []EventRef {
	if len(idx) == 0 {
		return nil
	}
	tr := b.tr
	out := b.spareRefs[spare]
	b.spareRefs[spare] = nil
	if cap(out) >= len(idx) {
		out = out[:len(idx)]
	} else {
		out = make([]EventRef, len(idx))
	}
	for k, i := range idx {
		b.steps++
		e := &b.events[i]
		name := e.etype.String()
		if e.etype == msgtrk.EventUnknown {
			name = b.strOf(tr, e.etypeRaw)
		}
		r := EventRef{Server: e.server, Event: name, Time: time.Unix(0, e.time).UTC()}
		if l := tr.list(e.rcpts); len(l) > 0 {
			r.Recipients = b.names.take(len(l), nameBlockSize)
			for j, x := range l {
				r.Recipients[j] = addr(x)
			}
		}
		out[k] = r
	}
	slices.SortStableFunc(out, func(a, b EventRef) int { return a.Time.Compare(b.Time) })
	return out
}

// buildAnomalies reports hand-overs to servers with logs but no row of the
// message, clocks that disagree, and a message without origin, id or all
// its rows.
func (b *builder) buildAnomalies() {
	const tolerance = int64(time.Second)
	tr, out := b.tr, b.out
	type pair = [2]string // from, to
	b.pairs, b.hasVisit = resetMap(b.pairs), resetMap(b.hasVisit)
	hasVisit := b.hasVisit
	for j := range b.visits {
		b.steps++
		hasVisit[b.visits[j].short] = true
	}
	// The hand-overs from one server to another are paired in time order,
	// the k-th send with the k-th receive: a retry or a resubmission sends
	// again, and its receive must not be compared with an earlier one.
	// (The rows are in canonical order: by time already.) rank[i] is k
	// for the send i.
	rank := growInt(b.sendRank, len(b.events))
	b.sendRank = rank
	ho := &b.handOvers
	ho.reset()
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		if sendsHandOver(e) && e.peer != "" && e.short != e.peer && b.org.hasLogs(e.peer) {
			rank[i] = ho.send(b.pairOf(pair{e.short, e.peer}))
		}
		if logsHandOver(e.etype) && e.peer != "" {
			ho.receive(b.pairOf(pair{e.peer, e.short}), int32(i))
		}
	}
	ho.index()
	for i := range b.events {
		b.steps++
		e := &b.events[i]
		if !sendsHandOver(e) || e.peer == "" || !b.org.hasLogs(e.peer) {
			continue
		}
		if e.etype == msgtrk.EventSend && !b.toMissing[i] && !b.sendFollowed(int32(i), hasVisit) {
			out.Anomalies = append(out.Anomalies, Anomaly{AnomalyMissingHop, fmt.Sprintf("%s sent to %s at %s, no row of %s for this message",
				e.server, e.peer, time.Unix(0, e.time).UTC().Format(time.RFC3339Nano), serviceOf(b.org.nameFor(e.peer), b.sendKind[i]))})
			continue
		}
		if e.short == e.peer {
			continue // one server, one clock
		}
		// The clocks differ when a hand-over's receive is logged before its
		// send (the send is logged once the far end has taken the message,
		// so a receive up to a second earlier is normal).
		k := rank[i]
		var recv []int32
		if id, ok := b.pairs[pair{e.short, e.peer}]; ok {
			recv = ho.received(id)
		}
		if k >= len(recv) {
			continue
		}
		if r := &b.events[recv[k]]; r.time+tolerance < e.time {
			// (What fmt.Sprintf("%s logged %s %.3fs before %s logged the %s")
			// writes, without its five allocations: many traces of an
			// organisation with a skewed clock have one.)
			m := append(append(append(b.msgBuf[:0], r.server...), " logged "...), r.etype.String()...)
			m = strconv.AppendFloat(append(m, ' '), time.Duration(e.time-r.time).Seconds(), 'f', 3, 64)
			m = append(append(append(append(m, "s before "...), e.server...), " logged the "...), e.etype.String()...)
			b.msgBuf = m
			out.Anomalies = append(out.Anomalies, Anomaly{AnomalySkew, b.text.of(m)})
		}
	}
	if out.Origin.Protocol == ProtocolUnknown && tr.primary != "" && !(out.Summary && len(b.visits) == 0) {
		if b.entryFrom >= 0 {
			e := &b.events[b.entryFrom]
			out.Anomalies = append(out.Anomalies, Anomaly{AnomalyNoOrigin, fmt.Sprintf("%s received it from %s, an Exchange server whose logs of that time are not in the input: it entered there or before",
				e.server, b.org.nameFor(e.peer))})
		} else if b.entryLost >= 0 {
			v := &b.visits[b.entryLost]
			out.Anomalies = append(out.Anomalies, Anomaly{AnomalyNoOrigin, fmt.Sprintf("the rows of %s (%s) show it handing the message on, not receiving it: its entry is not in the input",
				v.Server, v.Role)})
			b.entryGap()
		} else {
			out.Anomalies = append(out.Anomalies, Anomaly{AnomalyNoOrigin, "no RECEIVE row for this message"})
			b.entryGap()
		}
	}
	if tr.primary == "" {
		out.Orphan = true
		msg := "no message id ties these rows to a message"
		if out.MessageID != "" {
			// A 2013+ row with a message-id and an empty network-message-id
			// (the key there): moderation rows are written so (format.md
			// §6), with the approval request's message-id (§4).
			msg = "these rows have message-id " + out.MessageID + " but no network-message-id, which keys a message in Exchange 2013 and later logs (moderation rows are written without one): nothing else ties them to a message"
		}
		out.Anomalies = append(out.Anomalies, Anomaly{AnomalyOrphan, msg})
	}
	if n := tr.dropped(); n > 0 {
		out.Anomalies = append(out.Anomalies, Anomaly{AnomalyTruncated, fmt.Sprintf("%d rows beyond MaxEventsPerTrace not kept", n)})
	}
}

// pairOf numbers the hand-over pair p (from, to) for handOvers.
func (b *builder) pairOf(p [2]string) int32 {
	id, ok := b.pairs[p]
	if !ok {
		id = int32(len(b.pairs))
		b.pairs[p] = id
	}
	return id
}

// handOvers holds, per pair of servers (numbered by builder.pairOf), the
// sends counted so far and the receives in time order, in flat slices
// reused from trace to trace: a count per pair, then the receives grouped
// by pair with a counting sort (linear, and no slice per pair).
type handOvers struct {
	sends    []int   // per pair: sends seen so far
	recvPair []int32 // per receive, in order: its pair
	recvIdx  []int32 // per receive, in order: its event
	start    []int32 // per pair: where its receives begin in byPair (after index)
	byPair   []int32 // the receives' events, grouped by pair
}

func (h *handOvers) reset() {
	h.sends, h.recvPair, h.recvIdx = h.sends[:0], h.recvPair[:0], h.recvIdx[:0]
}

// grow makes room for pair id.
func (h *handOvers) grow(id int32) {
	for int(id) >= len(h.sends) {
		h.sends = append(h.sends, 0)
	}
}

// send counts a send of pair id and returns how many came before it.
func (h *handOvers) send(id int32) int {
	h.grow(id)
	k := h.sends[id]
	h.sends[id]++
	return k
}

// receive records the receive of event i for pair id.
func (h *handOvers) receive(id int32, i int32) {
	h.grow(id)
	h.recvPair = append(h.recvPair, id)
	h.recvIdx = append(h.recvIdx, i)
}

// index groups the receives by pair, keeping their order within a pair.
func (h *handOvers) index() {
	n := len(h.sends)
	h.start = growInt32(h.start, n+1)
	clear(h.start)
	for _, id := range h.recvPair {
		h.start[id+1]++
	}
	for id := 1; id <= n; id++ {
		h.start[id] += h.start[id-1]
	}
	h.byPair = growInt32(h.byPair, len(h.recvIdx))
	for k, id := range h.recvPair {
		h.byPair[h.start[id]] = h.recvIdx[k]
		h.start[id]++
	}
	// start[id] now ends pair id's group: shift back to beginnings.
	for id := n; id > 0; id-- {
		h.start[id] = h.start[id-1]
	}
	h.start[0] = 0
}

// received returns the receives of pair id, in time order.
func (h *handOvers) received(id int32) []int32 {
	if int(id) >= len(h.sends) {
		return nil
	}
	return h.byPair[h.start[id]:h.start[id+1]]
}

// enteredUnseen returns a visit that handed the message to the visit of
// event i although none of its rows shows the message entering it (a
// RECEIVE, a DSN that made it, a Safety Net RESUBMIT, a 2007/2010 Mailbox
// role's SUBMIT): that visit's first rows are not in the input, so its
// entry, and the message's, is unknown. -1 when every parent shows its
// entry.
func (b *builder) enteredUnseen(i int32) int32 {
	h := b.hopOf[i]
	if h < 0 || len(b.visits[h].parents) == 0 {
		return -1
	}
	if cap(b.entered) < len(b.visits) {
		b.entered = make([]bool, len(b.visits))
	}
	entered := b.entered[:len(b.visits)]
	clear(entered)
	for j := range b.events {
		b.steps++
		e := &b.events[j]
		if v := b.hopOf[j]; v >= 0 {
			switch {
			case e.etype == msgtrk.EventReceive, e.etype == msgtrk.EventDSN, e.etype == msgtrk.EventResubmit,
				e.etype == msgtrk.EventSubmit && e.kind == msgtrk.LogMailbox:
				entered[v] = true
			}
		}
	}
	for _, p := range b.visits[h].parents {
		b.steps++
		if !entered[p] && b.visits[p].Events > 0 {
			return p
		}
	}
	return -1
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
