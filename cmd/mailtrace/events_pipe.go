package main

import (
	"bufio"
	"runtime"
	"time"

	"github.com/mailtrace/mailtrace/filter"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// "mailtrace events" runs as a pipeline over batches of rows, so that on
// a machine of two cores or more reading, filtering and formatting overlap:
//
//   - one goroutine reads the merged rows, tests each against the filter
//     (the cheap fields first, see filter.Events.Match) and copies the rows
//     it selects into batches (msgtrk.Batch), in time order: a row the
//     filter drops is neither copied nor formatted, so that a filter that
//     selects nothing costs little more than reading;
//   - workers (one per core) take batches as they come and append the
//     output of each row to the batch's own buffer (a table's cells, for
//     the table);
//   - the command's goroutine takes the batches back in the order they
//     were read, counts the rows against -result-size, records them for
//     the coverage of the filter's values and writes the output in large
//     blocks (for a table, aligns each block of rows first).
//
// The output is the one the writers of events_out.go produce row by row
// (TestEventsPipelineSameOutput): each worker formats with writers of its
// own, and what depends on the rows before (the JSON array's separators,
// a table block's widths, -result-size) is decided in order. For Parquet,
// whose writer keeps state across rows, the workers convert the rows
// (parquetRows) and the command's goroutine hands them to the writer in
// order.

// eventBatchRows and eventBatchBytes bound a batch: it is handed over when
// it holds either many rows or many bytes of rows.
const (
	eventBatchRows  = 1024
	eventBatchBytes = 512 << 10
)

// eventBatch is a batch of rows and what a worker made of them.
type eventBatch struct {
	rows  msgtrk.Batch  // rows the filter selects
	out   []byte        // their output, one after another (not for table, parquet)
	ends  []int32       // the end in out of each row's output
	cells *table        // for the table: the cells of the rows
	pq    *parquetRows  // for Parquet: the rows converted
	done  chan struct{} // a worker is done with the batch
}

// rowFormatter is one worker's formatting of rows for the output format.
type rowFormatter struct {
	f     format
	json  eventJSON
	csv   *eventCSV
	table *eventTable
}

func newRowFormatter(f format, loc *time.Location) *rowFormatter {
	rf := &rowFormatter{f: f}
	switch f {
	case formatCSV:
		rf.csv = &eventCSV{loc: loc}
	case formatTable:
		rf.table = &eventTable{loc: loc}
	}
	return rf
}

// format appends the output of the rows of b to b's buffers.
func (rf *rowFormatter) format(b *eventBatch) {
	b.out, b.ends = b.out[:0], b.ends[:0]
	if rf.f == formatTable {
		if b.cells == nil {
			b.cells = newCells(len(eventTableHeader))
		}
		b.cells.reset()
	}
	if rf.f == formatParquet {
		if b.pq == nil {
			b.pq = new(parquetRows)
		}
		b.pq.reset()
		for i := range b.rows.Len() {
			b.pq.add(b.rows.Record(i))
		}
		b.pq.done()
		return
	}
	for i := range b.rows.Len() {
		rec := b.rows.Record(i)
		switch rf.f {
		case formatJSONL:
			b.out = append(rf.json.appendRow(b.out, rec), '\n')
		case formatJSON:
			b.out = rf.json.appendRow(append(b.out, ',', '\n'), rec)
		case formatCSV:
			b.out = rf.csv.appendRow(b.out, rec)
		case formatTable:
			rf.table.addCells(b.cells, rec)
			b.cells.holdRow()
		}
		b.ends = append(b.ends, int32(len(b.out)))
	}
}

// eventSink writes the formatted batches in order.
type eventSink struct {
	f     format
	bw    *bufio.Writer
	table *eventTable   // formatTable
	pq    *eventParquet // formatParquet
	csvw  *eventCSV     // formatCSV, for its header
	n     int           // rows written
}

func newEventSink(f format, bw *bufio.Writer, loc *time.Location) *eventSink {
	s := &eventSink{f: f, bw: bw}
	switch f {
	case formatTable:
		s.table = newEventTable(bw, loc)
	case formatCSV:
		s.csvw = newEventCSV(bw, loc)
	case formatParquet:
		s.pq = newEventParquet(bw)
	}
	return s
}

// write writes the first k rows of b.
func (s *eventSink) write(b *eventBatch, k int) error {
	if k == 0 {
		return nil
	}
	switch s.f {
	case formatTable:
		for r := range k {
			if err := s.table.t.addRow(b.cells, r); err != nil {
				return err
			}
		}
	case formatParquet:
		if err := s.pq.take(b.pq, k); err != nil {
			return err
		}
	default:
		out := b.out[:b.ends[k-1]]
		if s.f == formatJSON && s.n == 0 {
			// The array opens where the first value's separator was.
			if _, err := s.bw.WriteString("[\n"); err != nil {
				return err
			}
			out = out[2:]
		}
		if _, err := s.bw.Write(out); err != nil {
			return err
		}
	}
	s.n += k
	return nil
}

// close ends the output.
func (s *eventSink) close() error {
	switch s.f {
	case formatTable:
		return s.table.close()
	case formatParquet:
		return s.pq.close()
	case formatJSON:
		end := "\n]\n"
		if s.n == 0 {
			end = "[]\n"
		}
		_, err := s.bw.WriteString(end)
		return err
	}
	return nil
}

// eventPipeline runs the reader and the workers of one "events" run.
type eventPipeline struct {
	src   *source
	match *filter.Events
	free  chan *eventBatch
	work  chan *eventBatch
	order chan *eventBatch
	stop  chan struct{}
}

// startEventPipeline starts reading src and formatting its rows in f.
func startEventPipeline(src *source, match *filter.Events, f format, loc *time.Location) *eventPipeline {
	workers := min(max(runtime.GOMAXPROCS(0), 1), 8)
	batches := 2*workers + 2
	p := &eventPipeline{
		src: src, match: match,
		free:  make(chan *eventBatch, batches),
		work:  make(chan *eventBatch, batches),
		order: make(chan *eventBatch, batches),
		stop:  make(chan struct{}),
	}
	for range batches {
		p.free <- &eventBatch{done: make(chan struct{}, 1)}
	}
	go p.read()
	for range workers {
		go p.format(newRowFormatter(f, loc))
	}
	return p
}

// read fills batches with the rows of the source that the filter selects
// and hands each to the workers and, in order, to the writer.
func (p *eventPipeline) read() {
	defer close(p.order)
	defer close(p.work)
	for more := true; more; {
		var b *eventBatch
		select {
		case b = <-p.free:
		case <-p.stop:
			return
		}
		b.rows.Reset()
		for b.rows.Len() < eventBatchRows && b.rows.Bytes() < eventBatchBytes {
			if more = p.src.Next(); !more {
				break
			}
			if rec := p.src.Record(); p.match.Match(rec) {
				b.rows.Append(rec)
			}
		}
		if b.rows.Len() == 0 {
			p.free <- b // never blocks: it came from free
			return
		}
		p.order <- b // never blocks: order holds every batch
		p.work <- b  // nor does work
	}
}

// format is a worker: it formats batches until there are no more.
func (p *eventPipeline) format(rf *rowFormatter) {
	for b := range p.work {
		rf.format(b)
		b.done <- struct{}{}
	}
}

// next returns the next batch in the order read, once a worker is done
// with it; nil at the end. Give it back with release.
func (p *eventPipeline) next() *eventBatch {
	b, ok := <-p.order
	if !ok {
		return nil
	}
	<-b.done
	return b
}

// release gives a batch back to the reader.
func (p *eventPipeline) release(b *eventBatch) { p.free <- b }

// halt stops the reader at its next batch and waits for the reader and the
// workers to be done with the batches under way: after it the source is
// no longer touched.
func (p *eventPipeline) halt() {
	close(p.stop)
	for b := p.next(); b != nil; b = p.next() {
		p.release(b)
	}
}
