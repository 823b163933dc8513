package correlate

import "unsafe"

// touchRows is how many rows' table slots Tracker.touch loads at once.
const touchRows = 8

// cacheLine is the size of a cache line on most amd64 and arm64
// processors: touch reads a byte of each. Where lines are longer (128
// bytes on Apple's), it reads some lines twice, which costs little.
const cacheLine = 64

// touch loads the slots where the keys of the rows in group are looked up
// (byKey, recent and byMsgID), before the rows are added. When there are
// many open traces (a burst) the tables are far larger than the caches,
// and a lookup waits on memory: loaded one by one, each row waits for
// each of its slots in turn; loaded here, in one loop of independent
// reads, the rows of a group wait about once, together. So are the
// rows' lines and facts, written by the reading goroutine on another
// core: a byte of each cache line. It changes nothing the Tracker holds.
func (t *Tracker) touch(group []RowFacts) {
	var sum uint64
	for i := range group {
		f := &group[i]
		if f.primary.n > 0 {
			sum += t.byKey.slotOf(f.primaryH) + t.recent.slotOf(f.primaryH)
		}
		if f.store.n > 0 {
			sum += t.byKey.slotOf(f.storeH)
		}
		if f.hasMsgID {
			sum += t.byMsgID.slotOf(f.msgIDH)
		}
		sum += touchBytes(f.text) + touchBytes(f.buf)
	}
	t.touched += sum
}

// touchBytes reads a byte of each cache line of b, and returns their sum.
func touchBytes(b []byte) uint64 {
	var sum uint64
	for k := 0; k < len(b); k += cacheLine {
		sum += uint64(b[k])
	}
	return sum
}

// slotOf reads the first slot of x where h is looked for.
func (x *traceIndex) slotOf(h keyHash) uint64 {
	if len(x.slots) == 0 {
		return 0
	}
	return x.slots[x.home(h)].h.b
}

// slotOf reads the first index slot of r where h is looked for.
func (r *fifoMap[V]) slotOf(h keyHash) uint64 {
	return r.index[r.home(h)]
}

// touchEmitted is touch for the trace tr being emitted, of key and
// message-id hashes key and msgID (hasMsgID: it has one): the slots they
// are forgotten from (byKey, byMsgID) and remembered in (recent), and
// those of the keys recent forgets to make room for every key of tr
// (its oldest; at most touchRows).
func (t *Tracker) touchEmitted(tr *trace, key, msgID keyHash, hasMsgID bool) {
	keys := 1 + len(tr.otherKeys())
	if hasMsgID {
		keys++
	}
	if tr.more != nil {
		keys += len(tr.more.msgIDs)
	}
	sum := t.byKey.slotOf(key) + t.recent.slotOf(key) + t.recent.oldestSlots(min(keys, touchRows))
	if hasMsgID {
		sum += t.byMsgID.slotOf(msgID) + t.recent.slotOf(msgID)
	}
	t.touched += sum
}

// oldestSlots reads the index slots of the n keys r would forget first.
func (r *fifoMap[V]) oldestSlots(n int) uint64 {
	var sum uint64
	for i := range min(n, len(r.ring)) {
		if e := &r.ring[(r.next+i)%len(r.ring)]; e.used {
			sum += r.index[r.home(e.h)]
		}
	}
	return sum
}

// touchTrace reads a byte of each cache line of tr's arena and refs, and
// returns their sum: the building goroutine touches the next trace of a
// batch before building one, so that the records the Tracker's goroutine
// wrote on another core come in together, not one by one as unpack reads
// them.
func touchTrace(tr *trace) uint64 {
	sum := touchBytes(tr.arena)
	for k := 0; k < len(tr.refs); k += cacheLine / int(unsafe.Sizeof(ref{})) {
		sum += uint64(tr.refs[k].off)
	}
	return sum
}
