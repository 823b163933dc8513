package main

import "github.com/mailtrace/mailtrace/correlate"

// traceQueueBatch is how many traces the correlator hands over at a time,
// and traceQueueDepth how many such batches may wait: together they bound
// the traces built but not yet written.
const (
	traceQueueBatch = 256
	traceQueueDepth = 4
)

// traceQueue runs a command's handling of each trace (formatting it,
// counting it) on a goroutine of its own, in the order the correlator
// emitted the traces, so that building the next traces and writing the
// last ones use both cores. The traces are the correlator's to give away:
// nothing of them is reused after OnTrace returns.
type traceQueue struct {
	handle func(*correlate.Trace)
	cur    []*correlate.Trace
	full   chan []*correlate.Trace
	free   chan []*correlate.Trace
	done   chan struct{}
}

// newTraceQueue starts the goroutine that calls handle.
func newTraceQueue(handle func(*correlate.Trace)) *traceQueue {
	q := &traceQueue{handle: handle,
		full: make(chan []*correlate.Trace, traceQueueDepth),
		free: make(chan []*correlate.Trace, traceQueueDepth+2),
		done: make(chan struct{})}
	for range traceQueueDepth + 1 {
		q.free <- make([]*correlate.Trace, 0, traceQueueBatch)
	}
	q.cur = <-q.free
	go q.run()
	return q
}

func (q *traceQueue) run() {
	defer close(q.done)
	for b := range q.full {
		for i, t := range b {
			q.handle(t)
			b[i] = nil
		}
		q.free <- b[:0]
	}
}

// add queues t; it is the correlator's OnTrace.
func (q *traceQueue) add(t *correlate.Trace) {
	q.cur = append(q.cur, t)
	if len(q.cur) == traceQueueBatch {
		q.full <- q.cur
		q.cur = <-q.free
	}
}

// close hands over the traces still queued and waits until every one has
// been handled; a second call does nothing.
func (q *traceQueue) close() {
	if q.cur == nil {
		return // closed already
	}
	if len(q.cur) > 0 {
		q.full <- q.cur
	}
	q.cur = nil
	close(q.full)
	<-q.done
}
