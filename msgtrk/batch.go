package msgtrk

import "time"

// Batch holds copies of rows, so that they outlive the Reader that read them:
// for handing rows to another goroutine, or for holding a few rows back. It
// copies each row's bytes and column positions into a few shared buffers, so
// appending costs no allocation once the buffers have grown.
//
// A Batch is not safe for concurrent use; hand it over whole.
type Batch struct {
	lines []byte
	ends  []int32
	flags []uint8
	rows  []batchRow
	view  Record
}

type batchRow struct {
	lineOff, lineLen int
	endsOff, n       int
	flagsOff         int // -1 when the row has no quoted field
	c                *columns
	origin           *Origin
	lineNo, off      int64
	tm               time.Time // the row's parsed date-time, when tmOK
	tmOK             bool
}

// Append copies r into b.
func (b *Batch) Append(r *Record) {
	row := batchRow{
		lineOff: len(b.lines), lineLen: len(r.line),
		endsOff: len(b.ends), n: len(r.ends),
		flagsOff: -1,
		c:        r.c, origin: r.origin, lineNo: r.lineNo, off: r.off,
		tm: r.tm, tmOK: r.tmOK,
	}
	b.lines = append(b.lines, r.line...)
	b.ends = append(b.ends, r.ends...)
	if r.flags != nil {
		row.flagsOff = len(b.flags)
		b.flags = append(b.flags, r.flags...)
	}
	b.rows = append(b.rows, row)
}

// Len returns the number of rows in b.
func (b *Batch) Len() int { return len(b.rows) }

// Bytes returns the number of row bytes held.
func (b *Batch) Bytes() int { return len(b.lines) }

// Record returns row i as a Record. The Record is a view into b: it, and the
// slices obtained from it, are valid until the next call to Record, Append
// or Reset.
func (b *Batch) Record(i int) *Record {
	row := &b.rows[i]
	b.view.line = b.lines[row.lineOff : row.lineOff+row.lineLen : row.lineOff+row.lineLen]
	b.view.ends = b.ends[row.endsOff : row.endsOff+row.n : row.endsOff+row.n]
	if row.flagsOff >= 0 {
		b.view.flags = b.flags[row.flagsOff : row.flagsOff+row.n : row.flagsOff+row.n]
	} else {
		b.view.flags = nil
	}
	b.view.c = row.c
	b.view.origin = row.origin
	b.view.lineNo = row.lineNo
	b.view.off = row.off
	b.view.scratch = b.view.scratch[:0]
	b.view.tm, b.view.tmOK = row.tm, row.tmOK
	return &b.view
}

// Reset empties b, keeping its buffers.
func (b *Batch) Reset() {
	b.lines = b.lines[:0]
	b.ends = b.ends[:0]
	b.flags = b.flags[:0]
	for i := range b.rows {
		b.rows[i] = batchRow{}
	}
	b.rows = b.rows[:0]
}
