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
	tk       *Tracker
	flushing bool
	in       chan *shardJob
	done     chan struct{}
	job      *shardJob
	out      []emittedTrace
}

// shardJob is a round's work for one shard.
type shardJob struct {
	batch   msgtrk.Batch
	wms     []time.Time // watermark before each row
	advance time.Time   // watermark at the end of the round
	flush   bool
}

// emittedTrace is a trace a shard emitted, with what orders it in its round:
// the watermark it was emitted at, then the end of its window.
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
