package correlate

import (
	"cmp"
	"errors"
	"slices"
	"strings"
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
// traces come out in rounds (every BatchRows rows, and at Flush), ordered
// within a round by the watermark they were emitted at, then by the end of
// their window, then by key, whatever the goroutine scheduling.
//
// Differences from one Tracker: MaxOpenTraces applies per shard (divided by
// the shard count); rows without a message id that the store ties to a
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
	storeShard map[string]int       // store key → shard, from rows holding both keys
	pending    map[string][]pendRow // store key → rows waiting for their shard
	pendOrder  []string
	org        *orgState // the shards read it between rounds
	scratch2   []byte
	msgIDs     recentKeys // message-id → key of emitted traces, for DSN links
	dsnWait    []*Trace   // DSNs waiting for the message they report on
	dsnWaitBy  map[string][]int
	scratch    []byte
}

type pendRow struct {
	rec *msgtrk.Record
	wm  time.Time
	at  time.Time
}

type shard struct {
	tk       *Tracker
	flushing bool
	in       chan *shardJob
	done     chan struct{}
	job      *shardJob
	out      []emittedTrace
}

type shardJob struct {
	batch   msgtrk.Batch
	wms     []time.Time // watermark before each row
	advance time.Time   // watermark at the end of the round
	flush   bool
}

type emittedTrace struct {
	wm    int64
	order int64
	t     *Trace
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
	budget, err := o.openBudget(n)
	if err != nil {
		return nil, err
	}
	s := &Sharded{opts: o, batchRows: DefaultBatchRows,
		storeShard: map[string]int{}, pending: map[string][]pendRow{},
		org: newOrgState(), msgIDs: newRecentKeys(o.RecentKeys)}
	s.org.configure(o)
	for i := 0; i < n; i++ {
		sh := &shard{in: make(chan *shardJob), done: make(chan struct{}), job: &shardJob{}}
		so := o
		so.MaxOpenTraces = max(1, o.MaxOpenTraces/n)
		so.MaxMemory = 0 // (its share is set below)
		so.OnLate = nil
		so.OnTrace = func(t *Trace) {
			wm := sh.tk.watermark
			if sh.flushing {
				wm = 1<<63 - 1
			}
			sh.out = append(sh.out, emittedTrace{wm: wm, order: t.LastSeen.UnixNano(), t: t})
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
	return s, nil
}

// SetBatchRows sets how many rows are collected before a round; call it
// before the first Add.
func (s *Sharded) SetBatchRows(n int) {
	if n > 0 {
		s.batchRows = n
	}
}

func (s *Sharded) run(sh *shard) {
	defer s.wg.Done()
	for job := range sh.in {
		for i := 0; i < job.batch.Len(); i++ {
			sh.tk.Advance(job.wms[i])
			sh.tk.Add(job.batch.Record(i))
		}
		sh.tk.Advance(job.advance)
		if job.flush {
			sh.flushing = true
			sh.tk.Flush()
			sh.flushing = false
		}
		sh.done <- struct{}{}
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

// InputServers is Tracker.InputServers. Call it after Flush.
func (s *Sharded) InputServers() map[string]string { return s.org.inputServers() }

// Add routes a row to its shard. rec is copied.
func (s *Sharded) Add(rec *msgtrk.Record) {
	if s.closed {
		panic("correlate: Add after Close")
	}
	// The router observes every row, in the order a Tracker would, before
	// the shards read what the rows told (between rounds).
	_, _, s.scratch2 = s.org.observe(rec, rec.EventType(), rec.SourceType(), true, s.scratch2)
	primary := s.primaryKey(rec)
	store := s.storeKey(rec)
	switch {
	case primary != nil:
		i := s.shardOf(primary)
		if store != "" {
			if _, ok := s.storeShard[store]; !ok {
				s.storeShard[store] = i
			}
			if p := s.pending[store]; p != nil {
				delete(s.pending, store)
				for _, pr := range p {
					s.enqueue(i, pr.rec, pr.wm)
				}
			}
		}
		s.enqueue(i, rec, s.watermark)
	case store != "":
		if i, ok := s.storeShard[store]; ok {
			s.enqueue(i, rec, s.watermark)
			break
		}
		at, _ := rec.Time()
		if _, ok := s.pending[store]; !ok {
			s.pendOrder = append(s.pendOrder, store)
		}
		s.pending[store] = append(s.pending[store], pendRow{rec: rec.Clone(), wm: s.watermark, at: at})
	default:
		// No key at all: any shard will make it a trace of its own.
		s.enqueue(int(uint(rec.LineNumber())%uint(len(s.shards))), rec, s.watermark)
	}
	s.rows++
	if s.rows >= s.batchRows {
		s.round(false)
	}
}

func (s *Sharded) enqueue(i int, rec *msgtrk.Record, wm time.Time) {
	j := s.shards[i].job
	j.batch.Append(rec)
	j.wms = append(j.wms, wm)
}

// primaryKey returns the bytes the shard is chosen by: the row's primary
// key (KeyOf's rule), nil for none.
func (s *Sharded) primaryKey(rec *msgtrk.Record) []byte {
	s.scratch = appendPrimaryKey(s.scratch[:0], rec)
	if len(s.scratch) == 0 {
		return nil
	}
	return s.scratch
}

// storeKey returns the row's store key (KeyOf's rule), "" for none.
func (s *Sharded) storeKey(rec *msgtrk.Record) string {
	b, _, _ := appendStoreKey(nil, rec)
	return string(b)
}

// shardOf chooses the shard of a key with FNV-1a: a fixed hash, so that a
// message lands in the same shard on every run and the output order is
// the same (a per-process seed, as hash/maphash has, would change it).
func (s *Sharded) shardOf(key []byte) int {
	h := uint64(14695981039346656037)
	for _, c := range key {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return int(h % uint64(len(s.shards)))
}

// Advance moves event time forward; traces whose window passed are
// emitted at the end of the current round.
func (s *Sharded) Advance(watermark time.Time) {
	if !watermark.After(s.watermark) {
		return
	}
	s.watermark = watermark
	// Rows waiting for their message longer than a window go to a shard of
	// their own store key: they will be orphans there.
	for len(s.pendOrder) > 0 {
		k := s.pendOrder[0]
		p, ok := s.pending[k]
		if ok && p[0].at.Add(s.opts.Window).After(watermark) {
			break
		}
		s.pendOrder = s.pendOrder[1:]
		if !ok {
			continue
		}
		delete(s.pending, k)
		i := s.shardOf([]byte(k))
		for _, pr := range p {
			s.enqueue(i, pr.rec, pr.wm)
		}
	}
}

// Flush emits every open trace and waits for the shards.
func (s *Sharded) Flush() {
	for _, k := range s.pendOrder {
		if p, ok := s.pending[k]; ok {
			i := s.shardOf([]byte(k))
			for _, pr := range p {
				s.enqueue(i, pr.rec, pr.wm)
			}
			delete(s.pending, k)
		}
	}
	s.pendOrder = nil
	s.round(true)
}

// round hands every shard its rows, waits for all, and emits what they
// emitted in a deterministic order.
func (s *Sharded) round(flush bool) {
	for _, sh := range s.shards {
		sh.job.advance = s.watermark
		sh.job.flush = flush
		sh.in <- sh.job
	}
	var all []emittedTrace
	for _, sh := range s.shards {
		<-sh.done
		all = append(all, sh.out...)
		sh.out = sh.out[:0]
		sh.job.batch.Reset()
		sh.job.wms = sh.job.wms[:0]
	}
	s.rows = 0
	slices.SortStableFunc(all, func(a, b emittedTrace) int {
		return cmp.Or(cmp.Compare(a.wm, b.wm), cmp.Compare(a.order, b.order), strings.Compare(a.t.Key, b.t.Key))
	})
	for _, e := range all {
		s.emit(e.t)
	}
	if flush {
		// Whatever still waits for the message it reports on is emitted
		// without its key (DSNForMessageID says which message it was).
		for _, t := range s.dsnWait {
			s.opts.OnTrace(t)
		}
		s.dsnWait = nil
		s.dsnWaitBy = nil
	}
}

// emit hands a trace to OnTrace, linking DSNs to the message they report
// on: that message may live in another shard, so a DSN whose message has
// not been emitted yet waits for it (at most RecentKeys DSNs wait).
func (s *Sharded) emit(t *Trace) {
	if mid := t.DSNForMessageID; mid != "" && t.DSNFor == "" {
		if k, ok := s.msgIDs.get(mid); ok {
			t.DSNFor = k
		} else if len(s.dsnWait) < s.opts.RecentKeys {
			if s.dsnWaitBy == nil {
				s.dsnWaitBy = map[string][]int{}
			}
			s.dsnWaitBy[mid] = append(s.dsnWaitBy[mid], len(s.dsnWait))
			s.dsnWait = append(s.dsnWait, t)
			return
		}
	}
	s.opts.OnTrace(t)
	if t.MessageID == "" {
		return
	}
	s.msgIDs.add(t.MessageID, t.Key)
	if idx, ok := s.dsnWaitBy[t.MessageID]; ok {
		delete(s.dsnWaitBy, t.MessageID)
		for _, i := range idx {
			d := s.dsnWait[i]
			s.dsnWait[i] = nil
			d.DSNFor = t.Key
			s.opts.OnTrace(d)
		}
		s.compactDSNWait()
	}
}

// compactDSNWait drops the released entries of dsnWait.
func (s *Sharded) compactDSNWait() {
	kept := s.dsnWait[:0]
	s.dsnWaitBy = map[string][]int{}
	for _, d := range s.dsnWait {
		if d == nil {
			continue
		}
		s.dsnWaitBy[d.DSNForMessageID] = append(s.dsnWaitBy[d.DSNForMessageID], len(kept))
		kept = append(kept, d)
	}
	s.dsnWait = kept
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
		for k, p := range sh.tk.skew {
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
