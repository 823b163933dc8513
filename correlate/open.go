package correlate

import (
	"bytes"
	"strings"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// trace is an open trace: the compact events of one message so far.
type trace struct {
	key      string   // the key it was opened under
	primary  string   // network-message-id or fallback key, once seen
	keys     []string // every other key that leads here
	seq      uint64
	heapIdx  int
	first    int64
	last     int64
	deadline int64
	cost     int64 // its footprint when last counted in Tracker.held

	// Its buffers, from pools (pool.go), nil until needed.
	pools    *bufPools
	rows     []stored
	events   []event // rows as events, while the trace is built (Tracker.unpack)
	receives []receiveInfo
	arena    []byte
	refs     []ref
	fp0      fpEntry   // the first row's fingerprint (when hasFP0)
	fps      []fpEntry // the next ones', until there are too many
	fpSet    map[uint64]*msgtrk.Origin

	// Message attributes, from the first row that has each.
	netID, msgID, sender, returnPath, subject string
	droppedEvents                             int
	marked                                    bool
	hasFP0                                    bool
}

func (tr *trace) primaryKey() string {
	if tr.primary != "" {
		return tr.primary
	}
	return tr.key
}

// seenElsewhere records that a row with fingerprint fp came from input
// from, and reports whether the same row was already seen from another
// input: the same log collected twice. A row repeated within one input is
// not a duplicate (Exchange writes some rows twice, AGENTINFO among them).
func (tr *trace) seenElsewhere(fp uint64, from *msgtrk.Origin) bool {
	if !tr.hasFP0 {
		tr.fp0, tr.hasFP0 = fpEntry{fp, from}, true
		return false
	}
	if tr.fp0.fp == fp {
		return !sameInput(tr.fp0.from, from)
	}
	if tr.fpSet != nil {
		if o, ok := tr.fpSet[fp]; ok {
			return !sameInput(o, from)
		}
		tr.fpSet[fp] = from
		return false
	}
	for _, f := range tr.fps {
		if f.fp == fp {
			return !sameInput(f.from, from)
		}
	}
	if len(tr.fps) == 32 {
		tr.fpSet = make(map[uint64]*msgtrk.Origin, 64)
		for _, f := range tr.fps {
			tr.fpSet[f.fp] = f.from
		}
		tr.fpSet[fp] = from
		tr.pools.fps.put(tr.fps)
		tr.fps = nil
		return false
	}
	tr.fps = append(tr.pools.fps.grow(tr.fps, 1, minFPs), fpEntry{fp, from})
	return false
}

// sameInput reports whether two rows' origins are one input: the same
// reader, or inputs of the same name (rows handed over one by one, as
// BuildTrace gets them, may each carry an Origin of their own).
func sameInput(a, b *msgtrk.Origin) bool { return a == b || a.File == b.File }

// fpEntry is a row fingerprint and the input it was first seen in.
type fpEntry struct {
	fp   uint64
	from *msgtrk.Origin
}

func (tr *trace) addString(b []byte) ref {
	r := ref{off: uint32(len(tr.arena)), n: uint32(len(b))}
	tr.arena = append(tr.pools.arena.grow(tr.arena, len(b), minArena), b...)
	return r
}

func (tr *trace) addLower(b []byte) ref {
	r := ref{off: uint32(len(tr.arena)), n: uint32(len(b))}
	tr.arena = ascii.AppendLower(tr.pools.arena.grow(tr.arena, len(b), minArena), b)
	return r
}

// addRef appends r to tr's refs.
func (tr *trace) addRef(r ref) {
	tr.refs = append(tr.pools.refs.grow(tr.refs, 1, minRefs), r)
}

// addReceive appends ri to tr's receive records and returns its index.
func (tr *trace) addReceive(ri receiveInfo) int32 {
	tr.receives = append(tr.pools.receives.grow(tr.receives, 1, minReceives), ri)
	return int32(len(tr.receives) - 1)
}

// addRow appends a zero row to tr's rows and returns it.
func (tr *trace) addRow() *stored {
	tr.rows = append(tr.pools.rows.grow(tr.rows, 1, minRows), stored{})
	return &tr.rows[len(tr.rows)-1]
}

func (tr *trace) str(r ref) string {
	if r.n == 0 {
		return ""
	}
	return string(tr.arena[r.off : r.off+r.n])
}

func (tr *trace) bytesOf(r ref) []byte { return tr.arena[r.off : r.off+r.n] }

// addList stores the members of list field f, lower-cased when lower.
func (tr *trace) addList(rec *msgtrk.Record, f msgtrk.Field, lower bool) span {
	v := rec.Field(f)
	if len(v) == 0 {
		return span{first: int32(len(tr.refs))}
	}
	var s msgtrk.ListScanner
	s.Init(v)
	sp := span{first: int32(len(tr.refs))}
	for s.Next() {
		var r ref
		if lower {
			r = tr.addLower(s.Bytes())
		} else {
			r = tr.addString(s.Bytes())
		}
		tr.addRef(r)
		sp.n++
	}
	return sp
}

func (tr *trace) list(sp span) []ref { return tr.refs[sp.first : sp.first+sp.n] }

// noteMessage records the message attributes rec brings, when not yet
// known; those of one row share one string.
func (tr *trace) noteMessage(rec *msgtrk.Record, t *Tracker, primary string) {
	if tr.netID == "" && primary != "" && rec.Has(msgtrk.NetworkMessageID) {
		// The primary key is the lower-case network-message-id.
		tr.netID = primary
	}
	var mid, sender, rpath, subject []byte
	if tr.msgID == "" {
		mid = rec.Field(msgtrk.MessageID)
	}
	if tr.sender == "" {
		sender = rec.Field(msgtrk.SenderAddress)
	}
	sameAsSender := false // the return-path is the sender's string
	if tr.returnPath == "" {
		rpath = rec.Field(msgtrk.ReturnPath)
		if len(sender) > 0 && bytes.Equal(rpath, sender) {
			rpath, sameAsSender = nil, true
		}
	}
	if tr.subject == "" {
		subject = rec.Unescaped(msgtrk.MessageSubject)
	}
	n := len(mid) + len(sender) + len(rpath) + len(subject)
	if n == 0 {
		return
	}
	var sb strings.Builder
	sb.Grow(n)
	sb.Write(mid)
	sb.Write(sender)
	sb.Write(rpath)
	sb.Write(subject)
	all := sb.String()
	cut := func(b []byte) string {
		s := all[:len(b)]
		all = all[len(b):]
		return s
	}
	if len(mid) > 0 {
		tr.msgID = cut(mid)
		if h := hashOf(spaceMsgID, tr.msgID); t.byMsgID.get(h) == nil {
			t.byMsgID.set(h, tr)
		}
	}
	if len(sender) > 0 {
		tr.sender = cut(sender)
		if sameAsSender {
			tr.returnPath = tr.sender
		}
	}
	if len(rpath) > 0 {
		tr.returnPath = cut(rpath)
	}
	if len(subject) > 0 {
		tr.subject = cut(subject)
	}
}

// absorb moves o's events into tr.
func (tr *trace) absorb(o *trace) {
	offA := uint32(len(tr.arena))
	tr.arena = append(tr.pools.arena.grow(tr.arena, len(o.arena), minArena), o.arena...)
	refBase := int32(len(tr.refs))
	tr.refs = tr.pools.refs.grow(tr.refs, len(o.refs), minRefs)
	for _, r := range o.refs {
		tr.refs = append(tr.refs, ref{off: r.off + offA, n: r.n})
	}
	shift := func(r ref) ref {
		if r.n == 0 {
			return ref{}
		}
		return ref{off: r.off + offA, n: r.n}
	}
	for _, e := range o.rows {
		e.rcpts.first += refBase
		e.status.first += refBase
		e.refs.first += refBase
		e.related = shift(e.related)
		e.internal = shift(e.internal)
		e.context = shift(e.context)
		e.conn = shift(e.conn)
		e.remote = shift(e.remote)
		e.remoteIP = shift(e.remoteIP)
		e.etypeRaw = shift(e.etypeRaw)
		if e.recv >= 0 {
			ri := o.receives[e.recv]
			ri.clientType = shift(ri.clientType)
			ri.connector = shift(ri.connector)
			ri.firstHop = shift(ri.firstHop)
			e.recv = tr.addReceive(ri)
		}
		*tr.addRow() = e
	}
	if o.hasFP0 {
		tr.seenElsewhere(o.fp0.fp, o.fp0.from)
	}
	for _, f := range o.fps {
		tr.seenElsewhere(f.fp, f.from)
	}
	for f, from := range o.fpSet {
		tr.seenElsewhere(f, from)
	}
	if tr.first == 0 || (o.first != 0 && o.first < tr.first) {
		tr.first = o.first
	}
	if o.last > tr.last {
		tr.last = o.last
	}
	if tr.netID == "" {
		tr.netID = o.netID
	}
	if tr.msgID == "" {
		tr.msgID = o.msgID
	}
	if tr.sender == "" {
		tr.sender = o.sender
	}
	if tr.returnPath == "" {
		tr.returnPath = o.returnPath
	}
	if tr.subject == "" {
		tr.subject = o.subject
	}
	tr.droppedEvents += o.droppedEvents
	tr.marked = tr.marked || o.marked
	if tr.primary == "" {
		tr.primary = o.primary
	}
}
