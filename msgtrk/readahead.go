package msgtrk

import "sync"

// Rows is what a Readahead reads from: a *Merger, a *Reader, or a wrapper
// of either. Next advances, Record returns the current row (valid until
// the next Next), Err says why the rows ended.
type Rows interface {
	Next() bool
	Record() *Record
	Err() error
}

// DefaultReadaheadRows is the number of rows a Readahead hands over at a
// time when NewReadahead is given 0.
const DefaultReadaheadRows = 1024

// readaheadBatches is how many batches circulate between the two
// goroutines: one being filled, one being consumed, one waiting.
const readaheadBatches = 3

// Readahead reads the rows of a source on a goroutine of its own, a few
// batches ahead of its consumer, so that reading and tokenizing (or
// merging many files) overlap with what the consumer does with each row.
// It yields the same rows in the same order as the source, and is itself
// a Rows.
//
// Everything the source does while reading, its ErrorHandler among it,
// happens on the reading goroutine; once Next has returned false (or
// Close has returned) the source is no longer touched and may be read
// from again (its Stats, its errors). Rows are copied once, into batches
// that are reused: reading costs no allocation once they have grown.
//
// A Readahead is not safe for concurrent use; call Close when stopping
// before the end.
type Readahead struct {
	src     Rows
	rows    int
	prepare func(*Batch, any) any
	full    chan *aheadBatch
	free    chan *aheadBatch
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	cur     *aheadBatch
	i       int
	err     error // the source's Err, set by the reader before done is closed
	ended   bool
}

// aheadBatch is a batch of rows with what prepare made of it.
type aheadBatch struct {
	Batch
	prepared any
}

// NewReadahead starts reading src, rows rows at a time (0 for
// DefaultReadaheadRows).
func NewReadahead(src Rows, rows int) *Readahead { return NewReadaheadFunc(src, rows, nil) }

// NewReadaheadFunc is NewReadahead with more work moved to the reading
// goroutine: prepare, when not nil, runs there on each batch of rows once
// it is filled, before the consumer reads it, and what it returns is what
// Prepared gives for the batch's rows. prev is what it returned the last
// time the same batch was filled (nil the first time), to be reused: the
// batches are. prepare must only read the batch, and share nothing with
// the consumer but what it returns.
func NewReadaheadFunc(src Rows, rows int, prepare func(b *Batch, prev any) any) *Readahead {
	if rows <= 0 {
		rows = DefaultReadaheadRows
	}
	r := &Readahead{src: src, rows: rows, prepare: prepare,
		full: make(chan *aheadBatch, readaheadBatches),
		free: make(chan *aheadBatch, readaheadBatches),
		stop: make(chan struct{}), done: make(chan struct{})}
	for range readaheadBatches {
		r.free <- new(aheadBatch)
	}
	go r.read()
	return r
}

// read is the reading goroutine: it fills free batches and hands them over
// full, until the source ends or Close asks it to stop.
func (r *Readahead) read() {
	defer close(r.done)
	defer close(r.full)
	for {
		var b *aheadBatch
		select {
		case b = <-r.free:
		case <-r.stop:
			return
		}
		b.Reset()
		more := true
		for b.Len() < r.rows {
			if more = r.src.Next(); !more {
				break
			}
			b.Append(r.src.Record())
		}
		if !more {
			r.err = r.src.Err()
		}
		if b.Len() > 0 && r.prepare != nil {
			b.prepared = r.prepare(&b.Batch, b.prepared)
		}
		if b.Len() > 0 {
			select {
			case r.full <- b:
			case <-r.stop:
				return
			}
		}
		if !more {
			return
		}
	}
}

// Next advances to the next row and reports whether there is one.
func (r *Readahead) Next() bool {
	if r.cur != nil {
		r.i++
		if r.i < r.cur.Len() {
			return true
		}
		r.free <- r.cur // never blocks: at most readaheadBatches circulate
		r.cur = nil
	}
	if r.ended {
		return false
	}
	b, ok := <-r.full
	if !ok {
		<-r.done
		r.ended = true
		return false
	}
	r.cur, r.i = b, 0
	return true
}

// Record returns the current row; it is valid until the next call to Next.
func (r *Readahead) Record() *Record { return r.cur.Record(r.i) }

// Prepared returns what the prepare function (NewReadaheadFunc) returned
// for the current row's batch, and the row's index in that batch: nil
// without a prepare function. It is valid until the next call to Next.
func (r *Readahead) Prepared() (prepared any, i int) {
	if r.cur == nil {
		return nil, 0
	}
	return r.cur.prepared, r.i
}

// Err returns the source's Err once Next has returned false, nil before.
func (r *Readahead) Err() error {
	if !r.ended {
		return nil
	}
	return r.err
}

// Close stops the reading goroutine and waits for it, without reading the
// rest of the source: after it the source may be closed. Next then
// reports false. Close is safe to call more than once, and after the end.
func (r *Readahead) Close() {
	r.once.Do(func() { close(r.stop) })
	<-r.done
	r.ended = true
	r.cur = nil
}
