package correlate

import (
	"errors"
	"sync"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// DefaultBatchRows is the default number of rows a Sharded tracker collects
// before handing them to its shards.
const DefaultBatchRows = 16384

// Sharded spreads correlation over several Trackers running on their own
// goroutines, one per shard, each owning the messages whose key hashes to it.
// Its methods have the Tracker's meaning and must be called from one
// goroutine; Close ends the shard goroutines.
//
// Every row is handed to its shard together with the watermark in force when
// it was added, so each shard makes the same expiry decisions a single
// Tracker would, and the traces are the same. Output order is deterministic:
// traces come out in rounds (every BatchRows rows), ordered within a round
// by the watermark they were emitted at, then by the time of their last
// row, then by key, whatever the goroutine scheduling. A round in which a
// shard emits traces of more than BatchRows/n rows (a time jump after a burst, the
// end of the input) is handed on in parts, each so ordered, where that
// shard's share fills; so is the round of Flush, which emits the traces
// still open. So a round holds built traces of no more rows than the
// memory budget counts for it (Options.MaxMemory), and the parts depend on
// the rows alone.
//
// Differences from one Tracker: MaxOpenTraces, MaxMemory and RecentKeys
// are divided among the shards (a message's keys all go to its shard), and
// the router remembers RecentKeys/2 message-ids (for DSN links across
// shards) and RecentKeys/4 store keys besides, within MaxMemory: more
// workers do not take more memory; rows without a message id that the store ties to a
// message (NOTIFYMAPI) wait in the router until their message's first keyed
// row arrives (or their window passes); a DSN whose message lives in another
// shard is held back until that message's trace is emitted, and comes right
// after it.
type Sharded struct {
	opts      Options
	batchRows int
	shards    []*shard
	watermark time.Time
	rows      int
	wg        sync.WaitGroup
	closed    bool

	// Router state.
	storeShard fifoMap[int]          // store key → shard, from rows holding both keys
	pending    map[keyHash]*pendList // store key's hash → rows waiting for their shard
	pendOrder  []keyHash             // the keys of pending, oldest first, from pendHead on
	pendHead   int
	org        *orgState // the shards read it between rounds
	scratch2   []byte
	msgIDs     recentKeys // message-id → key of emitted traces, for DSN links
	dsnWait    []*Trace   // DSNs waiting for the message they report on
	dsnWaitBy  map[string][]int
	scratch    []byte
	storeBuf   []byte           // the store key of the row being routed (storeKey)
	freeRecs   []*msgtrk.Record // copies of rows that waited, for reuse (releasePending)
	freePend   []*pendList      // and lists of them
	busy       []*shard         // round's scratch: the shards not yet done
	roundOut   []emittedTrace   // and the traces of a part of a round
}

// NewSharded returns a Sharded tracker with n shards (n < 1 means 1).
// opts.OnTrace receives the traces, on the caller's goroutine.
func NewSharded(n int, opts Options) (*Sharded, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if n < 1 {
		n = 1
	}
	batchRows := o.batchRowsFor(DefaultBatchRows)
	budget, err := o.openBudget(n, batchRows)
	if err != nil {
		return nil, err
	}
	s := &Sharded{opts: o, batchRows: batchRows,
		storeShard: newFIFOMap[int](routerStoreKeys(o.RecentKeys)), pending: map[keyHash]*pendList{},
		org: newOrgState(), msgIDs: newRecentKeys(routerMsgIDs(o.RecentKeys))}
	s.org.configure(o)
	for i := 0; i < n; i++ {
		sh := &shard{in: make(chan *shardJob), done: make(chan struct{}), resume: make(chan struct{}), job: &shardJob{}}
		so := o
		so.MaxOpenTraces = max(1, o.MaxOpenTraces/n)
		so.RecentKeys = shardKeys(o.RecentKeys, n) // (a message's keys all go to its shard)
		so.MaxMemory = 0                           // (its share is set below)
		so.OnLate = nil
		so.BuildAhead = false // (a shard runs on a goroutine of its own)
		so.OnTrace = func(t *Trace) {
			wm := sh.tk.watermark
			if sh.flushing {
				wm = 1<<63 - 1
			}
			sh.out = append(sh.out, emittedTrace{wm: wm, order: t.LastSeen.UnixNano(), t: t})
			if sh.outRows += max(1, t.Events); sh.outRows >= sh.maxOutRows {
				sh.pause()
			}
		}
		tk, err := New(so)
		if err != nil {
			return nil, err
		}
		tk.org, tk.ownOrg = s.org, false
		tk.openBudget = budget
		sh.tk = tk
		s.shards = append(s.shards, sh)
		s.wg.Add(1)
		go s.run(sh)
	}
	s.setMaxOut()
	return s, nil
}

// SetBatchRows sets how many rows are collected before a round; call it
// before the first Add. Under Options.MaxMemory a round takes at most an
// eighth of it (about 1.5 KB a row): n is lowered to fit.
func (s *Sharded) SetBatchRows(n int) {
	if n <= 0 {
		return
	}
	n = s.opts.batchRowsFor(n)
	budget, err := s.opts.openBudget(len(s.shards), n)
	if err != nil {
		return // (a round this big leaves too little: keep the one set)
	}
	s.batchRows = n
	s.setMaxOut()
	for _, sh := range s.shards {
		sh.tk.openBudget = budget
	}
}

// MarkServer is Tracker.MarkServer for every shard.
func (s *Sharded) MarkServer(server string) {
	if server != "" {
		s.org.markLogs(s.org.intern(shortHost(nil, []byte(server))))
	}
}

// MarkEdgeServer is Tracker.MarkEdgeServer for every shard.
func (s *Sharded) MarkEdgeServer(server string) { s.org.markEdge(server) }

// ServerHints is Tracker.ServerHints. Call it after Flush.
func (s *Sharded) ServerHints() []ServerHint { return s.org.hints() }

// Generations is Tracker.Generations. Call it after Flush.
func (s *Sharded) Generations() (modern, legacy []string) { return s.org.generations() }

// InputServers is Tracker.InputServers. Call it after Flush.
func (s *Sharded) InputServers() map[string]string { return s.org.inputServers() }

// Advance moves event time forward; traces whose window passed are
// emitted at the end of the current round.
func (s *Sharded) Advance(watermark time.Time) {
	if !watermark.After(s.watermark) {
		return
	}
	s.watermark = watermark
	// Rows waiting for their message longer than a window go to a shard of
	// their own store key: they will be orphans there.
	for s.pendHead < len(s.pendOrder) {
		k := s.pendOrder[s.pendHead]
		p, ok := s.pending[k]
		if ok && p.rows[0].at.Add(s.opts.Window).After(watermark) {
			break
		}
		s.pendHead++
		if !ok {
			continue
		}
		delete(s.pending, k)
		s.releasePending(p.shard, p)
	}
}

// Flush emits every open trace and waits for the shards.
func (s *Sharded) Flush() {
	for _, k := range s.pendOrder[s.pendHead:] {
		if p, ok := s.pending[k]; ok {
			delete(s.pending, k)
			s.releasePending(p.shard, p)
		}
	}
	s.pendOrder, s.pendHead = nil, 0
	s.round(true)
	// Whatever still waits for the message it reports on is emitted
	// without its key (DSNForMessageID says which message it was).
	for _, t := range s.dsnWait {
		s.opts.OnTrace(t)
	}
	s.dsnWait = nil
	s.dsnWaitBy = nil
}

// Stats sums the shards' counters. Call it between rounds (after Flush).
func (s *Sharded) Stats() Stats {
	var st Stats
	for _, sh := range s.shards {
		st.add(sh.tk.Stats())
	}
	return st
}

// Skew is Tracker.Skew over the hand-overs seen by every shard. Call it
// between rounds (after Flush).
func (s *Sharded) Skew() []ServerSkew {
	all := map[[2]string]*skewPair{}
	for _, sh := range s.shards {
		for k, p := range sh.tk.em.skew {
			q := all[k]
			if q == nil {
				q = &skewPair{}
				all[k] = q
			}
			for _, d := range p.deltas {
				if len(q.deltas) < maxSkewSamples {
					q.deltas = append(q.deltas, d)
				}
			}
			q.n += p.n
		}
	}
	return skewReport(all)
}

// Close ends the shard goroutines. Flush first: rows not yet flushed are
// lost.
func (s *Sharded) Close() error {
	if s.closed {
		return errors.New("correlate: Sharded closed twice")
	}
	s.closed = true
	for _, sh := range s.shards {
		close(sh.in)
	}
	s.wg.Wait()
	return nil
}
