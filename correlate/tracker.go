package correlate

import (
	"strconv"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// Tracker groups message tracking rows from any number of servers into one
// Trace per message, in bounded memory, driven by event time only.
//
// Feed it rows with Add, in any order across files but in order within a
// file (a Merger does this), and move event time forward with Advance; a
// trace is emitted to Options.OnTrace once no row of its message has come
// for Options.Window of event time, nor since the retry time of its
// deferral (see Options.Window). Flush emits the rest at the end.
//
// A Tracker never reads the clock, and starts no goroutine unless told to
// build its traces on one of its own (Options.BuildAhead). It is not safe
// for concurrent use; see Sharded for a parallel wrapper.
type Tracker struct {
	opts      Options
	org       *orgState  // which server wrote each input, and what the servers are
	ownOrg    bool       // the Tracker updates org (false in a Sharded tracker's shards)
	byKey     traceIndex // the open traces' keys (spaceKey hashes)
	byMsgID   traceIndex // their message-ids (spaceMsgID hashes), the first trace of each
	open      traceHeap
	seq       uint64
	watermark int64
	recent    recentKeys
	stats     Stats

	facts      RowFacts          // the row Add reads
	peerBuf    []byte            // the short name of a row's peer
	shorts     map[string]string // server → short lower-case name
	em         *emitter          // builds the traces emitted, on the Tracker's goroutine
	ahead      *buildAhead       // or on a goroutine of its own (Options.BuildAhead)
	pools      bufPools          // buffers for the open traces (pool.go)
	rowBuf     []byte            // a row's record, before it goes to its trace
	offs       []uint32          // the rows of a trace merged into another (merge)
	free       []*trace          // records of emitted traces, for newTrace
	held       int64             // what the open traces take (see footprint)
	openBudget int64             // bound on held, from Options.MaxMemory; 0 for none
	dsnLinks   map[string]string // BuildTrace's Context.DSNLinks
	touched    uint64            // what touch read (kept, so that the reads are done)
}

// New returns a Tracker with the given options.
func New(opts Options) (*Tracker, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	budget, err := o.openBudget(0, 0)
	if err != nil {
		return nil, err
	}
	t := &Tracker{
		openBudget: budget,
		opts:       o,
		org:        newOrgState(),
		ownOrg:     true,
		shorts:     map[string]string{},
		recent:     newRecentKeys(o.RecentKeys),
	}
	t.pools.arena.plain, t.pools.refs.plain = true, true
	t.em = newEmitter(t, o.OnTrace, o.KeepSMTP)
	if o.BuildAhead {
		t.ahead = newBuildAhead(t)
	}
	t.org.configure(o)
	return t, nil
}

// Stats returns the counters.
func (t *Tracker) Stats() Stats {
	s := t.stats
	s.add(t.builds().emitted())
	s.Open = t.open.len()
	return s
}

// Watermark returns the event time Advance was last called with.
func (t *Tracker) Watermark() time.Time {
	if t.watermark == 0 {
		return time.Time{}
	}
	return time.Unix(0, t.watermark).UTC()
}

// MarkServer tells the Tracker that server has logs in the input, even
// before any of its rows arrive, so that a hand-over to it is followed in
// its logs. The rows themselves say which server wrote each input; a
// caller that knows more (which servers' logs it collected) may say so.
func (t *Tracker) MarkServer(server string) {
	if server == "" {
		return
	}
	t.org.markLogs(t.org.intern(shortHost(nil, []byte(server))))
}

// MarkEdgeServer tells the Tracker that server is an Edge Transport
// server, in addition to Options.EdgeServers and to what the rows show.
func (t *Tracker) MarkEdgeServer(server string) { t.org.markEdge(server) }

// ServerHints lists the server names the inputs' locations gave (folders,
// names in file names) that the inputs' rows contradict; the rows were
// followed. Call it after Flush.
func (t *Tracker) ServerHints() []ServerHint { return t.org.hints() }

// InputServers returns, for every input seen, the server its rows say
// wrote it (inputs whose rows name several servers are left out): what
// Context.Files wants. Call it after Flush.
func (t *Tracker) InputServers() map[string]string { return t.org.inputServers() }

// isEdge reports whether the server of short name k is an Edge Transport
// server (see orgState.isEdge).
func (t *Tracker) isEdge(k string) bool { return t.org.isEdge(k) }

// keyRef is a key of a row: its text, its hash, and the open trace it
// leads to (nil for none).
type keyRef struct {
	s  string
	h  keyHash
	tr *trace
}

// keysOf returns the keys of the row f was read from (KeyOf's rule), with
// the open traces they lead to. Either may be empty.
func (t *Tracker) keysOf(f *RowFacts) (primary, store keyRef) {
	if b := f.primaryKey(); len(b) > 0 {
		primary = t.lookupKey(b, f.primaryH)
	}
	if b := f.storeKey(); len(b) > 0 {
		store = t.lookupKey(b, f.storeH)
	}
	return primary, store
}

// lookupKey returns the key b, of hash h, with the open trace it leads
// to, reusing the string of that trace's key, so that a hit does not
// allocate.
func (t *Tracker) lookupKey(b []byte, h keyHash) keyRef {
	if tr := t.byKey.get(h); tr != nil {
		if tr.key == string(b) {
			return keyRef{tr.key, h, tr}
		}
		for _, k := range tr.otherKeys() {
			if k == string(b) {
				return keyRef{k, h, tr}
			}
		}
	}
	return keyRef{string(b), h, nil}
}

// Add adds one row. rec is not retained: what the trace needs is copied.
// Rows for a message whose trace was already emitted count as late (and go
// to Options.OnLate). Add may emit a trace (when MaxOpenTraces is reached
// or the memory budget is).
func (t *Tracker) Add(rec *msgtrk.Record) {
	t.facts.Read(rec)
	t.addRead(rec, &t.facts)
}

// AddFacts is Add for a row whose facts were read ahead, f.Read(rec), on
// whatever goroutine (see RowFacts): the Tracker then does only what
// depends on its own state. The result is Add's. Facts of another row are
// not used: the Tracker reads rec's itself.
func (t *Tracker) AddFacts(rec *msgtrk.Record, f *RowFacts) {
	if f == nil || !f.of(rec) {
		t.Add(rec)
		return
	}
	if f.group != nil {
		t.touch(f.group)
	}
	t.addRead(rec, f)
}

// addRead is Add once rec's facts are read.
func (t *Tracker) addRead(rec *msgtrk.Record, f *RowFacts) {
	if tr := t.add(rec, f); tr != nil {
		t.account(tr)
		t.keepBudget()
	}
}

// add is addRead but for the budget: it returns the trace the row went to
// (nil when it came late).
func (t *Tracker) add(rec *msgtrk.Record, f *RowFacts) *trace {
	t.stats.Events++
	file, local := t.org.observe(rec, f.etype, f.source, f.localShort(), f.speltHost(), t.ownOrg)
	if t.ownOrg && f.fqdn.n > 0 {
		t.org.learnFQDN(file, local, f.bytes(f.fqdn))
	}
	pk, sk := t.keysOf(f)
	primary, tr := pk.s, pk.tr

	if sk.s != "" {
		if sk.tr != nil && sk.tr != tr {
			if tr == nil {
				tr = sk.tr
			} else {
				tr = t.merge(tr, sk.tr)
			}
		}
	}
	if tr == nil {
		key := pk
		if key.s == "" {
			key = sk
		}
		if key.s != "" && t.recent.has(key.h) {
			t.stats.Late++
			if t.opts.OnLate != nil {
				t.opts.OnLate(key.s, rec)
			}
			return nil
		}
		if key.s == "" {
			// No id at all: the row is a trace of its own.
			o := rec.Origin()
			key.s = "row:" + o.File + ":" + strconv.FormatInt(rec.LineNumber(), 10)
			key.h = hashOf(spaceKey, key.s)
		}
		tr = t.newTrace(key.s, key.h)
	}
	if primary != "" && tr.key != primary {
		if tr.primary == "" {
			tr.primary = primary
		}
		t.addKey(tr, primary, pk.h)
	}
	if sk.s != "" {
		t.addKey(tr, sk.s, sk.h)
	}
	if primary != "" && tr.primary == "" {
		tr.primary = primary
	}

	if tr.seenElsewhere(f.fp, rec.Origin()) {
		t.stats.DuplicateRows++
		return tr
	}
	if int(tr.nrows) >= t.opts.MaxEventsPerTrace {
		tr.extra().droppedEvents++
		t.stats.Dropped++
		return tr
	}
	tr.noteMessage(rec, f, t, primary)
	if t.opts.Mark != nil && !tr.marked && t.opts.Mark(rec) {
		tr.marked = true
	}
	var e event
	var recv receiveInfo
	txt, hasRecv := t.extract(&e, &recv, rec, f, tr, file, local)
	var rp *receiveInfo
	if hasRecv {
		rp = &recv
	}
	t.rowBuf = tr.addRow(&e, txt, rp, t.rowBuf)
	if ev := &e; ev.time != 0 {
		if tr.first == 0 || ev.time < tr.first {
			tr.first = ev.time
		}
		if ev.time > tr.last {
			tr.last = ev.time
		}
	}
	if f.retryAfter > 0 && e.time != 0 {
		tr.retry = max(tr.retry, e.time+int64(f.retryAfter))
	}
	tr.deadline = t.deadlineOf(tr)
	if tr.deadline < t.open.e[tr.heapIdx].hkey {
		// Only an earlier deadline must move the trace now; a later one
		// is picked up when the trace reaches the top (see popFirst).
		t.open.rekey(int(tr.heapIdx), tr.deadline)
	}
	return tr
}

// deadlineOf returns when tr's quiet window ends: Options.Window after
// its last row (after the watermark when no row of it has a time), or
// after the latest retry time its DEFER rows gave when that is later
// (RetryWait): a deferred message is quiet until its retry.
func (t *Tracker) deadlineOf(tr *trace) int64 {
	dl := max(tr.last, tr.retry)
	if dl == 0 {
		dl = t.watermark
	}
	return dl + int64(t.opts.Window)
}

func (t *Tracker) newTrace(key string, h keyHash) *trace {
	if t.open.len() >= t.opts.MaxOpenTraces {
		t.emit(t.popFirst(), ReasonEvicted)
	}
	t.seq++
	dl := t.watermark + int64(t.opts.Window)
	tr := t.newRecord()
	*tr = trace{key: key, seq: t.seq, deadline: dl, pools: &t.pools}
	t.byKey.set(h, tr)
	t.open.push(tr, dl)
	if t.open.len() > t.stats.MaxOpen {
		t.stats.MaxOpen = t.open.len()
	}
	return tr
}

// addKey makes key, of hash h, lead to tr (tr.key already does).
func (t *Tracker) addKey(tr *trace, key string, h keyHash) {
	if key == tr.key {
		return
	}
	for _, k := range tr.otherKeys() {
		if k == key {
			return
		}
	}
	m := tr.extra()
	if m.keys == nil {
		m.keys = m.keys2[:0]
	}
	m.keys = append(m.keys, key)
	t.byKey.set(h, tr)
}

// merge joins two open traces of one message and returns the survivor: the
// one holding a primary key, else the older.
func (t *Tracker) merge(a, b *trace) *trace {
	if b.primary != "" && a.primary == "" || (a.primary == "") == (b.primary == "") && b.seq < a.seq {
		a, b = b, a
	}
	t.stats.Merged++
	t.held -= b.cost // (a's count grows by b's rows at the end of Add)
	b.cost = 0
	t.offs, t.rowBuf = a.absorb(b, t.offs, t.rowBuf)
	t.addKey(a, b.key, hashOf(spaceKey, b.key))
	for _, k := range b.otherKeys() {
		t.addKey(a, k, hashOf(spaceKey, k))
	}
	// b's message-ids (its own, and those of traces merged into it) now
	// lead to a, which forgets them when emitted.
	moveMsgID := func(h keyHash) {
		if t.byMsgID.get(h) == b {
			t.byMsgID.set(h, a)
			m := a.extra()
			m.msgIDs = append(m.msgIDs, h)
		}
	}
	if b.msgID.n != 0 {
		moveMsgID(hashBytes(spaceMsgID, b.bytesOf(b.msgID)))
	}
	if b.more != nil {
		for _, h := range b.more.msgIDs {
			moveMsgID(h)
		}
	}
	t.open.remove(int(b.heapIdx))
	a.deadline = max(a.deadline, b.deadline) // later: no heap.Fix needed
	return a
}

// Advance moves event time to watermark and emits every trace whose quiet
// window has passed. A watermark earlier than the current one is ignored.
func (t *Tracker) Advance(watermark time.Time) {
	w := watermark.UnixNano()
	if w <= t.watermark {
		return
	}
	t.watermark = w
	// Every deadline is at least its hkey: nothing is due while the
	// smallest hkey is not.
	for t.open.len() > 0 && t.open.first().hkey < w {
		if e := t.open.first(); e.hkey != e.tr.deadline {
			t.open.rekey(0, e.tr.deadline)
			continue
		}
		t.emit(t.open.pop(), 0)
	}
}

// popFirst removes and returns the open trace whose window ends first.
func (t *Tracker) popFirst() *trace {
	for e := t.open.first(); e.hkey != e.tr.deadline; e = t.open.first() {
		t.open.rekey(0, e.tr.deadline)
	}
	return t.open.pop()
}

// Flush emits every open trace (ReasonFlushed), in the order their windows
// would have ended. A trace held open only by a deferral's retry time (see
// Options.Window), whose window after its last row the watermark has
// passed, is complete or expired by its recipients instead, as Advance
// would have made it without the retry: the input ended before the retry,
// and its recipients say what the logs decided.
func (t *Tracker) Flush() {
	for t.open.len() > 0 {
		tr := t.popFirst()
		r := ReasonFlushed
		if tr.retry != 0 && tr.last+int64(t.opts.Window) < t.watermark {
			r = 0
		}
		t.emit(tr, r)
	}
	t.Sync()
}

// emitAll emits every open trace with reason r (0: by the recipients), in
// the order their windows would have ended.
func (t *Tracker) emitAll(r Reason) {
	for t.open.len() > 0 {
		t.emit(t.popFirst(), r)
	}
}

// emit builds tr's Trace, forgets tr and hands the Trace to OnTrace. reason
// 0 means "complete or expired, by the recipients".
func (t *Tracker) emit(tr *trace, reason Reason) {
	cost := tr.cost // (its footprint, counted as it grew)
	t.held -= cost
	tr.cost = 0
	hk := hashOf(spaceKey, tr.key)
	var hm keyHash
	hasMsgID := tr.msgID.n != 0
	if hasMsgID {
		hm = hashBytes(spaceMsgID, tr.bytesOf(tr.msgID))
	}
	t.touchEmitted(tr, hk, hm, hasMsgID)
	t.forgetHash(tr, hk)
	for _, k := range tr.otherKeys() {
		t.forget(tr, k)
	}
	if hasMsgID && t.byMsgID.del(hm, tr) {
		t.recent.add(hm, tr.primaryKey())
	}
	if tr.more != nil {
		for _, h := range tr.more.msgIDs {
			if t.byMsgID.del(h, tr) {
				t.recent.add(h, tr.primaryKey())
			}
		}
	}
	if t.ahead != nil {
		t.ahead.push(t, tr, reason, cost)
		return
	}
	t.em.finish(tr, reason)
	t.recycle(tr)
	t.reuse(tr)
}

// maxFreeRecords bounds the records of emitted traces kept for reuse:
// traces are opened and emitted at about the same rate, so a few suffice,
// or a batch's when they come back a batch at a time (Options.BuildAhead).
const maxFreeRecords = 2 * aheadBatchTraces

// newRecord returns a record for a new open trace: one an emitted trace
// left, else a new one.
func (t *Tracker) newRecord() *trace {
	if n := len(t.free); n > 0 {
		tr := t.free[n-1]
		t.free = t.free[:n-1]
		return tr
	}
	return new(trace)
}

// reuse keeps the record of the emitted trace tr (nothing refers to it any
// more: its keys are forgotten, its buffers back in the pools and its Trace
// holds none of it) for newRecord, zeroed so that it holds nothing.
func (t *Tracker) reuse(tr *trace) {
	if len(t.free) < maxFreeRecords {
		*tr = trace{}
		t.free = append(t.free, tr)
	}
}

// forget drops key of the emitted trace tr from the open traces' keys and
// remembers it among the recent ones.
func (t *Tracker) forget(tr *trace, key string) { t.forgetHash(tr, hashOf(spaceKey, key)) }

// forgetHash is forget for the key of hash h.
func (t *Tracker) forgetHash(tr *trace, h keyHash) {
	t.byKey.del(h, tr)
	t.recent.add(h, tr.primaryKey())
}

// The Tracker answers what building a trace needs to know of the
// organisation (org) from what it has seen.

func (t *Tracker) hasLogs(short string) bool { return t.org.hasLogs(short) }

// keyOfMessageID finds the trace of a message-id among open and recent
// traces; "" when none is known.
func (t *Tracker) keyOfMessageID(mid string) string {
	if k, ok := t.dsnLinks[mid]; ok {
		return k
	}
	h := hashOf(spaceMsgID, mid)
	if o := t.byMsgID.get(h); o != nil {
		return o.primaryKey()
	}
	if k, ok := t.recent.get(h); ok {
		return k
	}
	return ""
}

// accepted reports whether the organisation receives mail for the domain
// of address (see orgState.accepted).
func (t *Tracker) accepted(address string) (bool, bool) { return t.org.accepted(address) }

// nameFor names a server given its short name (see orgState.display).
func (t *Tracker) nameFor(short string) string { return t.org.display(short) }

func (t *Tracker) peerKey(host string) string { return t.org.peerKey(host) }

// shortOf returns the short name of the server that wrote a row of file
// (see orgState.shortOf).
func (t *Tracker) shortOf(file int32, local string) string { return t.org.shortOf(file, local) }
