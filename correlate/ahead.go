package correlate

import (
	"sync"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// With Options.BuildAhead a Tracker hands the traces it emits to a
// goroutine of its own, which builds them and calls OnTrace, in the order
// they were emitted: the Tracker's goroutine goes on correlating rows
// meanwhile. The traces go in batches (closed at aheadBatchTraces traces,
// aheadBatchRows rows or aheadBatchBytes of their buffers), aheadBatches
// of them in all, so that the traces being built, outside the open
// traces' count of MaxMemory, stay within a few MiB. Building reads what the Tracker knows of the
// organisation as it was at each trace's emission (orgcopy.go), and the
// keys of the messages a notification reports on as the Tracker resolved
// them then (aheadOrg.keyOfMessageID): the Traces are those the Tracker
// builds on its own goroutine, byte for byte.
const (
	aheadBatchTraces = 256
	aheadBatchRows   = 4096
	aheadBatchBytes  = 1 << 20
	aheadBatches     = 4
)

// buildAhead is the Tracker's side of its building goroutine.
type buildAhead struct {
	em      *emitter  // the building goroutine's
	org     *aheadOrg // what its builder reads of the organisation
	cur     *aheadBatch
	spare   []*aheadBatch
	todo    chan *aheadBatch // to the building goroutine
	done    chan *aheadBatch // built, back for their traces' buffers
	out     int              // batches sent and not back
	running bool
	mu      sync.Mutex // guards em's counts and skew samples
	touched uint64     // what touchTrace read (kept, so that it is read)
}

// aheadBatch is a batch of emitted traces.
type aheadBatch struct {
	jobs  []aheadJob
	rows  int
	bytes int64 // what its traces hold (their records and buffers)
	last  bool  // the goroutine ends after it (Sync)
}

// aheadJob is one emitted trace: its record, why it was emitted, what
// changed in the organisation since the trace before, and the keys of the
// messages its rows report on.
type aheadJob struct {
	tr      *trace
	reason  Reason
	changes *orgChanges
	reports []midKey
}

// midKey is a message-id and the Key of the message that has it ("" for
// none known).
type midKey struct{ mid, key string }

// newBuildAhead readies building t's traces on a goroutine of its own,
// which starts with the first batch.
func newBuildAhead(t *Tracker) *buildAhead {
	a := &buildAhead{
		org:  &aheadOrg{o: t.org.readCopy(), win: t.opts.Window},
		todo: make(chan *aheadBatch, aheadBatches),
		done: make(chan *aheadBatch, aheadBatches),
	}
	t.org.track = true
	a.em = newEmitter(a.org, t.opts.OnTrace, t.opts.KeepSMTP)
	a.em.mu = &a.mu
	return a
}

// push hands the emitted trace tr, which takes cost bytes (its
// footprint), to the building goroutine.
func (a *buildAhead) push(t *Tracker, tr *trace, reason Reason, cost int64) {
	if a.cur == nil {
		a.cur = a.batch(t)
	}
	j := aheadJob{tr: tr, reason: reason, changes: t.org.takeChanges()}
	if tr.reports {
		j.reports = t.reportedKeys(tr)
	}
	b := a.cur
	b.jobs = append(b.jobs, j)
	b.rows += int(tr.nrows)
	b.bytes += cost
	if len(b.jobs) >= aheadBatchTraces || b.rows >= aheadBatchRows || b.bytes >= aheadBatchBytes {
		a.send(false)
	}
}

// batch returns an empty batch: a spare one, or one the goroutine has
// built (waiting for it when every batch is out), or a new one.
func (a *buildAhead) batch(t *Tracker) *aheadBatch {
	for len(a.spare) == 0 {
		select {
		case b := <-a.done:
			a.reclaim(t, b)
			continue
		default:
		}
		if a.out+1 < aheadBatches {
			return &aheadBatch{jobs: make([]aheadJob, 0, aheadBatchTraces)}
		}
		a.reclaim(t, <-a.done)
	}
	b := a.spare[len(a.spare)-1]
	a.spare = a.spare[:len(a.spare)-1]
	return b
}

// send sends the current batch, starting the goroutine when it is not
// running; it ends after the batch when last is set.
func (a *buildAhead) send(last bool) {
	b := a.cur
	a.cur = nil
	b.last = last
	if !a.running {
		a.running = true
		go a.run()
	}
	a.out++
	a.todo <- b // (never blocks: the channel holds every batch)
}

// reclaim takes back a built batch: its traces' buffers go back to t's
// pools and their records to t's spares.
func (a *buildAhead) reclaim(t *Tracker, b *aheadBatch) {
	a.out--
	if b.last {
		a.running = false
	}
	for i := range b.jobs {
		t.recycle(b.jobs[i].tr)
		t.reuse(b.jobs[i].tr)
	}
	clear(b.jobs)
	b.jobs, b.rows, b.bytes, b.last = b.jobs[:0], 0, 0, false
	a.spare = append(a.spare, b)
}

// sync returns once every trace pushed has been handed to OnTrace, and
// the goroutine has ended.
func (a *buildAhead) sync(t *Tracker) {
	if !a.running && a.cur == nil {
		return
	}
	if a.cur == nil {
		a.cur = a.batch(t)
	}
	a.send(true)
	for a.out > 0 {
		a.reclaim(t, <-a.done)
	}
}

// run is the building goroutine: it builds each batch's traces in order,
// telling its copy of the organisation what changed before each, and
// hands the batch back.
func (a *buildAhead) run() {
	for b := range a.todo {
		for i := range b.jobs {
			j := &b.jobs[i]
			if i+1 < len(b.jobs) {
				a.touched += touchTrace(b.jobs[i+1].tr)
			}
			if j.changes != nil {
				a.org.o.apply(j.changes)
			}
			a.org.reports = j.reports
			a.em.finish(j.tr, j.reason)
		}
		a.org.reports = nil
		last := b.last
		a.done <- b
		if last {
			return
		}
	}
}

// reportedKeys returns the message-ids tr's rows report on (see
// reportsOnMessage) with the Keys they resolve to now: what building tr
// asks keyOfMessageID.
func (t *Tracker) reportedKeys(tr *trace) []midKey {
	var out []midKey
	for off := tr.lastRow; off != 0; {
		var e event
		var txt rowText
		var ri receiveInfo
		_, prev := readRow(tr.arena, off-1, &e, &txt, &ri)
		if refs := tr.list(e.refs); reportsOnMessage(&e) && len(refs) > 0 {
			mid := string(tr.bytesOf(refs[0]))
			out = append(out, midKey{mid, t.keyOfMessageID(mid)})
		}
		off = prev
	}
	return out
}

// Sync returns once every trace emitted so far has been handed to
// OnTrace. Only a Tracker that builds ahead (Options.BuildAhead) hands
// them over later than it emits them: Sync then also ends its building
// goroutine (the next trace emitted starts it again). Flush calls it.
func (t *Tracker) Sync() {
	if t.ahead != nil {
		t.ahead.sync(t)
	}
}

// aheadOrg is what the building goroutine's builder reads of the
// organisation: the copy of the Tracker's state, and the keys the
// Tracker resolved for the trace being built.
type aheadOrg struct {
	o       *orgState
	win     time.Duration
	reports []midKey
}

func (g *aheadOrg) hasLogs(short string) bool { return g.o.hasLogs(short) }
func (g *aheadOrg) serviceLogs(short string, kind msgtrk.LogKind) (msgtrk.LogKind, bool, int64) {
	return g.o.serviceLogs(short, kind)
}
func (g *aheadOrg) window() time.Duration                   { return g.win }
func (g *aheadOrg) isEdge(short string) bool                { return g.o.isEdge(short) }
func (g *aheadOrg) nameFor(short string) string             { return g.o.display(short) }
func (g *aheadOrg) peerKey(host string) string              { return g.o.peerKey(host) }
func (g *aheadOrg) shortOf(file int32, local string) string { return g.o.shortOf(file, local) }
func (g *aheadOrg) accepted(address string) (bool, bool)    { return g.o.accepted(address) }
func (g *aheadOrg) keyOfMessageID(mid string) string {
	for _, r := range g.reports {
		if r.mid == mid {
			return r.key
		}
	}
	return ""
}
