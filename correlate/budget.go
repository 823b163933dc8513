package correlate

import (
	"fmt"
	"unsafe"
)

// What the Tracker counts against Options.MaxMemory. The sizes of its own
// records and tables come from the compiler; the cost of a fingerprint's
// map entry and of a remembered key are measured (TestFootprint keeps the
// whole count within 25% of the live heap the open traces take, and
// recentKeyBytes within 1.25x of a remembered key's).
const (
	traceFixedBytes = int64(unsafe.Sizeof(trace{})) // the trace's record
	refBytes        = int64(unsafe.Sizeof(ref{}))
	fpBytes         = int64(unsafe.Sizeof(fpEntry{}))
	traceMoreBytes  = int64(unsafe.Sizeof(traceMore{}))
	slotBytes       = int64(unsafe.Sizeof(traceSlot{}))
	heapEntryBytes  = int64(unsafe.Sizeof(heapEntry{}))
	mapEntryBytes   = 48 // a fingerprint's map entry, with the table's slack
	recentKeyBytes  = 80
	minOpenBudget   = 1 << 20 // the least left to the open traces of one tracker

	// reserveShare is the share of MaxMemory (1/reserveShare) left aside
	// for what the Tracker does not count: its pools of buffers, the
	// scratch of the trace being built, the Trace handed to OnTrace.
	reserveShare = 16

	// roundRowBytes is about what a row takes while a round of a Sharded
	// tracker holds it: its copy in the batch, and the trace it may end
	// in, waiting for the round's end to be handed on in order (measured
	// on a burst of one-row messages by TestShardedBudget: 1,492 – 1,502
	// bytes).
	roundRowBytes = 1536
	minBatchRows  = 256
)

// footprint is what tr takes on the heap, as counted against the budget:
// its record, the capacity of its buffers, its strings and its
// fingerprints' entries. Its entries in the Tracker's indexes and heap are
// counted with the tables themselves (tableBytes).
func (tr *trace) footprint() int64 {
	n := traceFixedBytes +
		int64(cap(tr.arena)) + int64(cap(tr.refs))*refBytes +
		int64(cap(tr.fps))*fpBytes
	n += int64(len(tr.key))
	for _, k := range tr.otherKeys() {
		n += int64(len(k))
	}
	n += int64(len(tr.fingerprints())) * mapEntryBytes
	if tr.more != nil {
		n += traceMoreBytes
		if c := cap(tr.more.keys); c > len(tr.more.keys2) {
			n += int64(c) * 16 // (else they are in keys2)
		}
		n += int64(cap(tr.more.msgIDs)) * int64(unsafe.Sizeof(keyHash{}))
	}
	return n
}

// tableBytes is what the Tracker's indexes of the open traces and its
// heap take, at their size: a table holds its slots whether they are used
// or not, and it never shrinks.
func (t *Tracker) tableBytes() int64 {
	return int64(len(t.byKey.slots)+len(t.byMsgID.slots))*slotBytes +
		int64(cap(t.open.e))*heapEntryBytes
}

// account brings the Tracker's count of held bytes up to date with what
// tr takes now.
func (t *Tracker) account(tr *trace) {
	c := tr.footprint()
	t.held += c - tr.cost
	tr.cost = c
}

// keepBudget emits, early (ReasonEvicted), the traces whose windows end
// first until the open traces fit in their budget again.
func (t *Tracker) keepBudget() {
	for t.openBudget > 0 && t.held+t.tableBytes() > t.openBudget && t.open.len() > 0 {
		t.emit(t.popFirst(), ReasonEvicted)
	}
}

// The keys a Tracker of a Sharded tracker of n shards remembers (its share
// of RecentKeys), and those its router remembers: the message-ids of the
// traces it emitted, for DSN links across shards (as many as the traces a
// single Tracker's table covers, two keys each), and which shard each
// store key went to.
func shardKeys(recent, n int) int    { return max(1, (recent+n-1)/n) }
func routerMsgIDs(recent int) int    { return max(1, recent/2) }
func routerStoreKeys(recent int) int { return max(1, recent/4) }

// keysHeld is how many keys a tracker of n shards remembers in all (n = 0
// for a single Tracker).
func (o *Options) keysHeld(n int) int64 {
	if n == 0 {
		return int64(o.RecentKeys)
	}
	return int64(n*shardKeys(o.RecentKeys, n) + routerMsgIDs(o.RecentKeys) + routerStoreKeys(o.RecentKeys))
}

// openBudget is what MaxMemory leaves for the open traces of each shard of
// a tracker of n shards (n = 0 for a single Tracker), after the keys it
// remembers (keysHeld), the share it reserves for what it does not count
// (reserveShare) and, for a Sharded tracker, the rows and traces of a
// round of batchRows rows: 0 for no bound.
func (o *Options) openBudget(n, batchRows int) (int64, error) {
	if o.MaxMemory == 0 {
		return 0, nil
	}
	fixed := o.keysHeld(n)*recentKeyBytes + o.MaxMemory/reserveShare
	if n > 0 {
		fixed += int64(batchRows) * roundRowBytes
	}
	left := (o.MaxMemory - fixed) / int64(max(n, 1))
	if left < minOpenBudget {
		return 0, fmt.Errorf("correlate: MaxMemory %d leaves too little for open traces: remembering RecentKeys (%d) and the rows of a round take about %d bytes (with a sixteenth of MaxMemory kept in reserve); give more or remember fewer keys", o.MaxMemory, o.RecentKeys, fixed)
	}
	return left, nil
}

// batchRowsFor returns the rows of a Sharded tracker's round, want or
// fewer, so that a round takes at most an eighth of MaxMemory.
func (o *Options) batchRowsFor(want int) int {
	if o.MaxMemory == 0 {
		return want
	}
	return max(min(want, int(o.MaxMemory/8/roundRowBytes)), minBatchRows)
}

// Measured costs (TestFootprint keeps them within 1.25x of the live
// heap), stated in Options.MaxMemory.
const (
	// OpenTraceBytes is about what an open trace of one row takes (a
	// burst's RECEIVE: its record, row, strings, and its share of the
	// tables that index it: 600 – 690 bytes as they fill).
	OpenTraceBytes = 650
	// RowBytes is about what each further row of an open trace takes.
	RowBytes = 80
)
