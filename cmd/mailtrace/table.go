package main

import (
	"io"
	"math/bits"
	"unicode/utf8"

	"github.com/mailtrace/mailtrace/internal/textenc"
)

// tableBlock is the number of rows aligned together: the widths of a
// block's columns are those of its widest cells, so memory stays bounded
// on outputs of any length.
const tableBlock = 500

// table writes aligned columns, two blanks apart, like a tabwriter with
// padding 2, but appending each cell once into one buffer and escaping it
// for the terminal (appendSafe) on the way. The last column is not padded.
//
// Use: cells of a row with cell, cellString, cellTrunc …, then endRow;
// flush at the end.
type table struct {
	w      io.Writer
	ncol   int
	buf    []byte // the cells of the held rows, one after another
	ends   []int  // end of each cell in buf
	width  []int  // of each cell, in runes
	widths []int  // of each column in the held rows
	rows   int
	out    []byte
	err    error
}

func newTable(w io.Writer, header ...string) *table {
	t := &table{w: w, ncol: len(header), widths: make([]int, len(header))}
	for _, h := range header {
		t.cellString(h)
	}
	t.endRow()
	return t
}

// runeCount counts the runes of valid UTF-8 (every cell is, once escaped)
// as the bytes that do not continue a sequence (10xxxxxx), eight bytes at
// a time. utf8.RuneCount (Go 1.26) converts what follows the first
// non-ASCII byte to a string, which allocates when that is longer than 32
// bytes (TestEventWritersNoAllocs).
func runeCount(b []byte) int {
	n, i := 0, 0
	for ; i+8 <= len(b); i += 8 {
		w := textenc.Load64(b, i)
		// A byte continues a sequence when its top bit is set and the
		// next one clear; w<<1 moves each byte's bit 6 to its bit 7.
		n += 8 - bits.OnesCount64(w&^(w<<1)&textenc.Hi8)
	}
	for ; i < len(b); i++ {
		if b[i]&0xc0 != 0x80 {
			n++
		}
	}
	return n
}

func (t *table) done(start int) {
	n := runeCount(t.buf[start:])
	t.ends = append(t.ends, len(t.buf))
	t.width = append(t.width, n)
	if col := len(t.ends) - 1 - t.rows*t.ncol; col < t.ncol-1 && n > t.widths[col] {
		t.widths[col] = n
	}
}

// cell adds a cell from the logs.
func (t *table) cell(b []byte) {
	start := len(t.buf)
	t.buf = appendSafe(t.buf, b)
	t.done(start)
}

// cellString adds a cell from a string.
func (t *table) cellString(s string) {
	start := len(t.buf)
	t.buf = appendSafe(t.buf, s)
	t.done(start)
}

// cellTrunc adds a cell cut to max runes, the last one an ellipsis.
func (t *table) cellTrunc(b []byte, max int) {
	start := len(t.buf)
	t.buf = appendSafe(t.buf, b)
	if n := runeCount(t.buf[start:]); n > max {
		cut := start
		for i := 0; i < max-1; i++ {
			_, size := utf8.DecodeRune(t.buf[cut:])
			cut += size
		}
		t.buf = append(t.buf[:cut], "…"...)
	}
	t.done(start)
}

// cellAppend adds a cell that f appends to the buffer (a time, a number:
// nothing that needs escaping).
func (t *table) cellAppend(f func([]byte) []byte) {
	start := len(t.buf)
	t.buf = f(t.buf)
	t.done(start)
}

// endRow ends a row and writes the block when it is full.
func (t *table) endRow() error {
	t.rows++
	if t.rows == tableBlock {
		return t.flush()
	}
	return t.err
}

// flush writes the held rows.
func (t *table) flush() error {
	if t.err != nil {
		return t.err
	}
	out := t.out[:0]
	start := 0
	for r := 0; r < t.rows; r++ {
		for c := 0; c < t.ncol; c++ {
			i := r*t.ncol + c
			out = append(out, t.buf[start:t.ends[i]]...)
			start = t.ends[i]
			if c < t.ncol-1 {
				for pad := t.widths[c] - t.width[i] + 2; pad > 0; pad-- {
					out = append(out, ' ')
				}
			}
		}
		out = append(out, '\n')
		if len(out) > 32<<10 {
			if _, t.err = t.w.Write(out); t.err != nil {
				return t.err
			}
			out = out[:0]
		}
	}
	if _, t.err = t.w.Write(out); t.err != nil {
		return t.err
	}
	t.out = out[:0]
	t.buf, t.ends, t.width, t.rows = t.buf[:0], t.ends[:0], t.width[:0], 0
	clear(t.widths)
	return nil
}

// newCells returns a table that only holds cells, in rows of ncol, for
// another table to take with addRow: a worker formats rows into it while
// the table that writes them aligns the rows before. It is never flushed.
func newCells(ncol int) *table {
	return &table{ncol: ncol, widths: make([]int, ncol)}
}

// holdRow ends a row of a table of cells (see newCells).
func (t *table) holdRow() { t.rows++ }

// reset empties a table of cells, keeping its buffers.
func (t *table) reset() {
	t.buf, t.ends, t.width, t.rows = t.buf[:0], t.ends[:0], t.width[:0], 0
	clear(t.widths)
}

// addRow adds row r of the table of cells src as the next row of t, and
// ends it as endRow does: what t writes is what it would have written had
// the cells been added to it one by one.
func (t *table) addRow(src *table, r int) error {
	first := r * src.ncol
	start := 0
	if first > 0 {
		start = src.ends[first-1]
	}
	end := src.ends[first+src.ncol-1]
	shift := len(t.buf) - start
	t.buf = append(t.buf, src.buf[start:end]...)
	for c := range t.ncol {
		i := first + c
		n := src.width[i]
		t.ends = append(t.ends, src.ends[i]+shift)
		t.width = append(t.width, n)
		if c < t.ncol-1 && n > t.widths[c] {
			t.widths[c] = n
		}
	}
	return t.endRow()
}
