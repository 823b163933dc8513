// The shards of a Sharded tracker: each runs a Tracker on its goroutine,
// a round of rows at a time, and the traces of a round are put in a
// deterministic order.

package correlate

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// shard is one worker: its Tracker, the job it is given each round and the
// traces it emitted in it.
type shard struct {
	tk         *Tracker
	flushing   bool
	in         chan *shardJob
	done       chan struct{} // the shard finished its job, or paused
	resume     chan struct{}
	paused     bool // (when done says so) out is full: the shard waits for resume
	maxOutRows int  // the rows the traces in out may hold before the shard pauses
	outRows    int  // the rows of the traces in out (at least one a trace)
	job        *shardJob
	out        []emittedTrace
}

// pause hands what the shard emitted so far to the router, in the middle
// of a round, and waits until the router has emitted it: a round that
// expires or flushes many traces (a time jump after a burst) holds the
// traces of no more than maxOutRows rows in each shard at once.
func (sh *shard) pause() {
	sh.paused = true
	sh.done <- struct{}{}
	<-sh.resume
}

// setMaxOut sets how many rows the traces a shard holds may have before it
// pauses: as many in all as the rows of a round, for which the budget
// counts a row's copy and its part of the built trace (roundRowBytes: a
// built trace takes less per row than a one-row trace does).
func (s *Sharded) setMaxOut() {
	for _, sh := range s.shards {
		sh.maxOutRows = max(1, s.batchRows/len(s.shards))
	}
}

// takeOut empties what the shard emitted (the router has it).
func (sh *shard) takeOut() {
	clear(sh.out)
	sh.out = sh.out[:0]
	sh.outRows = 0
}

// shardJob is a round's work for one shard.
type shardJob struct {
	batch   msgtrk.Batch
	wms     []time.Time // watermark before each row
	advance time.Time   // watermark at the end of the round
	flush   bool        // then flush the shard's Tracker
}

// emittedTrace is a trace a shard emitted, with what orders it in its round:
// the watermark it was emitted at, then the time of its last row.
type emittedTrace struct {
	wm    int64
	order int64
	t     *Trace
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

// round hands every shard its rows, waits for all, and emits what they
// emitted in a deterministic order. With flush, each shard then flushes
// its Tracker.
//
// A shard whose traces fill its out pauses (shard.pause); the router then
// waits until every shard has finished or paused, emits what they hold in
// order, and resumes those that paused. Where a shard pauses depends on
// its own rows only, so the parts of a round, and the order of the
// traces, are the same on every run.
func (s *Sharded) round(flush bool) {
	for _, sh := range s.shards {
		sh.job.advance = s.watermark
		sh.job.flush = flush
		sh.in <- sh.job
	}
	busy := s.busy[:0]
	busy = append(busy, s.shards...)
	var held []*shard // paused shards, while their traces are emitted
	defer func() {
		// OnTrace panicked (or called runtime.Goexit): let the paused
		// shards finish their jobs, dropping what they emit, so that
		// Close can end them.
		for _, sh := range held {
			for sh.paused {
				sh.paused = false
				sh.takeOut()
				sh.resume <- struct{}{}
				<-sh.done
			}
			sh.takeOut()
		}
	}()
	for len(busy) > 0 {
		all := s.roundOut[:0]
		paused := busy[:0]
		for _, sh := range busy {
			<-sh.done
			all = append(all, sh.out...)
			sh.takeOut()
			if sh.paused {
				paused = append(paused, sh)
			}
		}
		slices.SortStableFunc(all, func(a, b emittedTrace) int {
			return cmp.Or(cmp.Compare(a.wm, b.wm), cmp.Compare(a.order, b.order), strings.Compare(a.t.Key, b.t.Key))
		})
		held = paused
		for _, e := range all {
			s.emit(e.t)
		}
		held = nil
		clear(all)
		s.roundOut = all[:0]
		for _, sh := range paused {
			sh.paused = false
			sh.resume <- struct{}{}
		}
		busy = paused
	}
	s.busy = busy[:0]
	for _, sh := range s.shards {
		sh.job.batch.Reset()
		sh.job.wms = sh.job.wms[:0]
	}
	s.rows = 0
}
