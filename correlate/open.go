package correlate

import (
	"bytes"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// trace is an open trace: the compact events of one message so far.
type trace struct {
	key      string // the key it was opened under
	primary  string // network-message-id or fallback key, once seen
	more     *traceMore
	seq      uint64
	first    int64
	last     int64
	retry    int64 // the latest retry time its DEFER rows gave (unix ns), 0 for none
	deadline int64
	cost     int64 // its footprint when last counted in Tracker.held

	// Its buffers, from pools (pool.go), nil until needed. The arena holds
	// the rows' strings and the rows themselves, as records (rowcode.go).
	pools   *bufPools
	arena   []byte
	refs    []ref
	nrows   int32
	lastRow uint32    // where the last row's record starts, plus one; 0 for none
	fp0     fpEntry   // the first row's fingerprint (when hasFP0)
	fps     []fpEntry // the next ones', until there are too many

	// Message attributes, from the first row that has each: the
	// network-message-id (the primary key's string), the others in the
	// arena (a return-path equal to the sender is the sender's ref).
	netID                              string
	msgID, sender, returnPath, subject ref

	heapIdx int32
	marked  bool
	hasFP0  bool
	reports bool // some row of it reports on a message (reportsOnMessage)
}

// traceMore holds what few traces need, apart so that a trace of one row
// stays small.
type traceMore struct {
	keys          []string                  // every other key that leads here
	keys2         [2]string                 // room for the first two (most traces have at most one)
	fpSet         map[uint64]*msgtrk.Origin // the row fingerprints, beyond 32
	droppedEvents int                       // rows beyond Options.MaxEventsPerTrace
	msgIDs        []keyHash                 // message-ids of traces merged into it that lead here (byMsgID)
}

// extra returns tr.more, made when tr had none (from its pools when it has
// some: a trace built from rows alone, BuildTrace, may not).
func (tr *trace) extra() *traceMore {
	if tr.more == nil {
		if tr.pools != nil {
			tr.more = tr.pools.newMore()
		} else {
			tr.more = &traceMore{}
		}
	}
	return tr.more
}

// otherKeys returns the keys besides tr.key that lead to tr.
func (tr *trace) otherKeys() []string {
	if tr.more == nil {
		return nil
	}
	return tr.more.keys
}

// dropped returns how many rows tr did not keep (MaxEventsPerTrace).
func (tr *trace) dropped() int {
	if tr.more == nil {
		return 0
	}
	return tr.more.droppedEvents
}

// fingerprints returns the map of tr's row fingerprints, nil until it has
// too many for a slice.
func (tr *trace) fingerprints() map[uint64]*msgtrk.Origin {
	if tr.more == nil {
		return nil
	}
	return tr.more.fpSet
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
	if set := tr.fingerprints(); set != nil {
		if o, ok := set[fp]; ok {
			return !sameInput(o, from)
		}
		set[fp] = from
		return false
	}
	for _, f := range tr.fps {
		if f.fp == fp {
			return !sameInput(f.from, from)
		}
	}
	if len(tr.fps) == 32 {
		set := make(map[uint64]*msgtrk.Origin, 64)
		for _, f := range tr.fps {
			set[f.fp] = f.from
		}
		set[fp] = from
		tr.extra().fpSet = set
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

// addStr is addString for a string.
func (tr *trace) addStr(s string) ref {
	r := ref{off: uint32(len(tr.arena)), n: uint32(len(s))}
	tr.arena = append(tr.pools.arena.grow(tr.arena, len(s), minArena), s...)
	return r
}

// addRow appends the record of a row (rowcode.go) to tr. ri is the row's
// receive information, nil for none; buf is scratch space, returned.
func (tr *trace) addRow(e *event, txt rowText, ri *receiveInfo, buf []byte) []byte {
	buf = appendRow(buf[:0], e, txt, ri, tr.lastRow)
	start := len(tr.arena)
	tr.arena = append(tr.pools.arena.grow(tr.arena, len(buf), minArena), buf...)
	tr.lastRow = uint32(start) + 1
	tr.nrows++
	tr.reports = tr.reports || reportsOnMessage(e)
	return buf
}

// copyRef copies the string r locates in o's arena to tr's.
func (tr *trace) copyRef(o *trace, r ref) ref {
	if r.n == 0 {
		return ref{}
	}
	return tr.addString(o.bytesOf(r))
}

// copySpan copies the list sp locates in o to tr.
func (tr *trace) copySpan(o *trace, sp span) span {
	if sp.n == 0 {
		return span{}
	}
	out := span{first: int32(len(tr.refs))}
	for _, r := range o.list(sp) {
		tr.addRef(tr.addString(o.bytesOf(r)))
		out.n++
	}
	return out
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
// known, in tr's arena (build makes them strings).
func (tr *trace) noteMessage(rec *msgtrk.Record, f *RowFacts, t *Tracker, primary string) {
	if tr.netID == "" && primary != "" && rec.Has(msgtrk.NetworkMessageID) {
		// The primary key is the lower-case network-message-id.
		tr.netID = primary
	}
	if tr.msgID.n == 0 {
		if mid := rec.Field(msgtrk.MessageID); len(mid) > 0 {
			tr.msgID = tr.addString(mid)
			if t.byMsgID.get(f.msgIDH) == nil {
				t.byMsgID.set(f.msgIDH, tr)
			}
		}
	}
	var sender []byte
	if tr.sender.n == 0 {
		if sender = rec.Field(msgtrk.SenderAddress); len(sender) > 0 {
			tr.sender = tr.addString(sender)
		}
	}
	if tr.returnPath.n == 0 {
		if rpath := rec.Field(msgtrk.ReturnPath); len(rpath) > 0 {
			if len(sender) > 0 && bytes.Equal(rpath, sender) {
				tr.returnPath = tr.sender // (the same bytes)
			} else {
				tr.returnPath = tr.addString(rpath)
			}
		}
	}
	if tr.subject.n == 0 {
		if subject := rec.Unescaped(msgtrk.MessageSubject); len(subject) > 0 {
			tr.subject = tr.addString(subject)
		}
	}
}

// absorb moves o's rows into tr, after tr's own; offs and buf are scratch
// space, returned.
func (tr *trace) absorb(o *trace, offs []uint32, buf []byte) ([]uint32, []byte) {
	offs = offs[:0]
	for off := o.lastRow; off != 0; off = prevRow(o.arena, off-1) {
		offs = append(offs, off-1)
	}
	for k := len(offs) - 1; k >= 0; k-- {
		var e event
		var txt rowText
		var ri receiveInfo
		hasRecv, _ := readRow(o.arena, offs[k], &e, &txt, &ri)
		txt = rowText{local: tr.copyRef(o, txt.local), peer: tr.copyRef(o, txt.peer)}
		e.rcpts = tr.copySpan(o, e.rcpts)
		e.status = tr.copySpan(o, e.status)
		e.refs = tr.copySpan(o, e.refs)
		for _, p := range [...]*ref{&e.related, &e.internal, &e.context, &e.conn, &e.remote, &e.remoteIP, &e.etypeRaw} {
			*p = tr.copyRef(o, *p)
		}
		var rp *receiveInfo
		if hasRecv {
			for _, p := range [...]*ref{&ri.clientType, &ri.connector, &ri.firstHop} {
				*p = tr.copyRef(o, *p)
			}
			rp = &ri
		}
		buf = tr.addRow(&e, txt, rp, buf)
	}
	if o.hasFP0 {
		tr.seenElsewhere(o.fp0.fp, o.fp0.from)
	}
	for _, f := range o.fps {
		tr.seenElsewhere(f.fp, f.from)
	}
	for f, from := range o.fingerprints() {
		tr.seenElsewhere(f, from)
	}
	if tr.first == 0 || (o.first != 0 && o.first < tr.first) {
		tr.first = o.first
	}
	if o.last > tr.last {
		tr.last = o.last
	}
	tr.retry = max(tr.retry, o.retry)
	if tr.netID == "" {
		tr.netID = o.netID
	}
	if tr.msgID.n == 0 {
		tr.msgID = tr.copyRef(o, o.msgID)
	}
	if tr.sender.n == 0 && o.sender.n != 0 {
		tr.sender = tr.copyRef(o, o.sender)
		if o.returnPath == o.sender && tr.returnPath.n == 0 {
			tr.returnPath = tr.sender
		}
	}
	if tr.returnPath.n == 0 {
		tr.returnPath = tr.copyRef(o, o.returnPath)
	}
	if tr.subject.n == 0 {
		tr.subject = tr.copyRef(o, o.subject)
	}
	if n := o.dropped(); n > 0 {
		tr.extra().droppedEvents += n
	}
	tr.marked = tr.marked || o.marked
	if tr.primary == "" {
		tr.primary = o.primary
	}
	return offs, buf
}
