package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/parquet-go/parquet-go"
)

// parquetColumns writes rows of a struct type T (eventRow, deliveryRow) to
// a Parquet file. With one goroutine it hands them to parquet-go's
// GenericWriter[T].Write; with more, it writes them a column at a time,
// the columns of each call shared out among the goroutines: the columns of
// a row group are encoded and compressed independently of each other, and
// parquet-go lets each column's writer be used by a goroutine of its own.
// Both ways make the same file, byte for byte (TestParquetColumnsSameFile):
// the same values reach each column in the same chunks of rows
// (parquetChunk rows of a call, or of its part in a row group), each
// column's page is cut after the same chunk, and a row group holds as many
// rows. Column by column costs about a fifth more CPU (each value is made
// a parquet.Value first), for a shorter wall time when a second core is
// free.
type parquetColumns[T any] struct {
	w        *parquet.GenericWriter[T]
	leaves   []parquetLeaf
	inGroup  int // rows in the row group being written
	rowGroup int // rows in a row group
	workers  int
	scratch  [][]parquet.Value // one per goroutine
	errs     []error           // one per column, of the last write
	weight   []int64           // per column: the bytes of its values in the last write
	order    []int             // the columns, heaviest first
	shares   [][]int           // per goroutine: the columns it writes
	load     []int64           // per goroutine: the weight of its columns
}

// parquetChunk is the number of rows GenericWriter.Write hands its column
// buffers at once, after which it checks whether a page is full.
const parquetChunk = 64

// parquetLeaf says how one column's values are read from a row.
type parquetLeaf struct {
	off    uintptr // of the struct field
	kind   leafKind
	maxDef int // the definition level of a present value
}

// leafKind is the Go type of the field a column comes from.
type leafKind uint8

const (
	leafInt32    leafKind = iota // int32
	leafInt64                    // int64
	leafString                   // string
	leafList                     // []string, a LIST of strings
	leafOptInt64                 // *int64, optional
	leafOptFloat                 // *float64, optional
	leafOptTime                  // *time.Time, optional, timestamp(millisecond)
)

// newParquetColumns returns a writer of rows of T to w, with the options
// of parquetOptions, that uses up to workers goroutines (at least 1). It
// panics if T has a field of a type it does not write (a programming
// error, which the tests would meet).
func newParquetColumns[T any](w io.Writer, workers int) *parquetColumns[T] {
	return newParquetColumnsSized[T](w, workers, parquetRowGroup)
}

// newParquetColumnsSized is newParquetColumns with row groups of at most
// rowGroup rows.
func newParquetColumnsSized[T any](w io.Writer, workers, rowGroup int) *parquetColumns[T] {
	p := &parquetColumns[T]{w: parquet.NewGenericWriter[T](w, parquetOptions(rowGroup)...), rowGroup: rowGroup}
	p.workers = max(workers, 1)
	p.scratch = make([][]parquet.Value, p.workers)
	schema := p.w.Schema()
	rt := reflect.TypeFor[T]()
	for _, path := range schema.Columns() {
		field, ok := fieldByTag(rt, path[0])
		if !ok {
			panic("parquet column " + strings.Join(path, ".") + " has no field in " + rt.Name())
		}
		leaf, _ := schema.Lookup(path...)
		p.leaves = append(p.leaves, parquetLeaf{off: field.Offset, kind: leafKindOf(field), maxDef: leaf.MaxDefinitionLevel})
	}
	p.errs = make([]error, len(p.leaves))
	p.weight = make([]int64, len(p.leaves))
	p.shares, p.load = make([][]int, p.workers), make([]int64, p.workers)
	return p
}

// fieldByTag returns the field of t whose parquet tag names column name.
func fieldByTag(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("parquet"), ","); tag == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// leafKindOf tells the kind of a field, and panics on a type
// parquetColumns does not write.
func leafKindOf(f reflect.StructField) leafKind {
	switch f.Type {
	case reflect.TypeFor[int32]():
		return leafInt32
	case reflect.TypeFor[int64]():
		return leafInt64
	case reflect.TypeFor[string]():
		return leafString
	case reflect.TypeFor[[]string]():
		if strings.Contains(f.Tag.Get("parquet"), ",list") {
			return leafList
		}
	case reflect.TypeFor[*int64]():
		return leafOptInt64
	case reflect.TypeFor[*float64]():
		return leafOptFloat
	case reflect.TypeFor[*time.Time]():
		if strings.Contains(f.Tag.Get("parquet"), "timestamp(millisecond)") {
			return leafOptTime
		}
	}
	panic(fmt.Sprintf("parquet field %s: type %v (tag %q) is not written by parquetColumns", f.Name, f.Type, f.Tag.Get("parquet")))
}

// write writes rows. (How rows are cut into calls cuts the pages: the
// callers write parquetBatch rows at a time.)
func (p *parquetColumns[T]) write(rows []T) error {
	if p.workers == 1 {
		_, err := p.w.Write(rows)
		return err
	}
	for len(rows) > 0 {
		n := min(len(rows), p.rowGroup-p.inGroup)
		if err := p.writeColumns(rows[:n]); err != nil {
			return err
		}
		rows = rows[n:]
		if p.inGroup += n; p.inGroup == p.rowGroup {
			if err := p.w.Flush(); err != nil {
				return err
			}
			p.inGroup = 0
		}
	}
	return nil
}

// writeColumns writes rows, all in the current row group, to each column.
// Each goroutine writes a share of the columns (shareColumns), chunk after
// chunk: the rows of a chunk stay in the cache while it reads their fields
// for each of its columns.
func (p *parquetColumns[T]) writeColumns(rows []T) error {
	shares := p.shareColumns()
	columns := p.w.ColumnWriters()
	work := func(g int) {
		for i := 0; i < len(rows); {
			j := min(len(rows), i+parquetChunk)
			for _, c := range shares[g] {
				if p.errs[c] != nil {
					continue
				}
				p.scratch[g] = p.appendValues(p.scratch[g][:0], c, rows[i:j])
				_, p.errs[c] = columns[c].WriteRowValues(p.scratch[g])
			}
			i = j
		}
	}
	var wg sync.WaitGroup
	for g := 1; g < len(shares); g++ {
		wg.Go(func() { work(g) })
	}
	work(0)
	wg.Wait()
	return errors.Join(p.errs...)
}

// shareColumns shares the columns out among the goroutines, so that each
// has about as many bytes to write: the heaviest first, each to the
// goroutine with the least so far, as the previous call weighed them
// (weight; the first call has only the columns' kinds to go by, strings
// far outweighing numbers).
func (p *parquetColumns[T]) shareColumns() [][]int {
	order := p.order[:0]
	for c := range p.leaves {
		order = append(order, c)
		if p.weight[c] == 0 {
			p.weight[c] = 1
			if k := p.leaves[c].kind; k == leafString || k == leafList {
				p.weight[c] = 16
			}
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p.weight[b], p.weight[a]) })
	shares, load := p.shares, p.load
	for g := range shares {
		shares[g], load[g] = shares[g][:0], 0
	}
	for _, c := range order {
		g := 0
		for k := range load {
			if load[k] < load[g] {
				g = k
			}
		}
		shares[g] = append(shares[g], c)
		load[g] += p.weight[c]
		p.weight[c] = 0 // weighed again as it is written
	}
	p.order = order
	return shares
}

// appendValues appends the values of column c of rows to dst, with their
// repetition and definition levels. Strings are not copied: the values
// point into the rows, which the column writer copies.
func (p *parquetColumns[T]) appendValues(dst []parquet.Value, c int, rows []T) []parquet.Value {
	l := p.leaves[c]
	field := func(i int) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(&rows[i]), l.off) }
	null := parquet.Value{}.Level(0, 0, c)
	switch l.kind {
	case leafInt32:
		for i := range rows {
			dst = append(dst, parquet.Int32Value(*(*int32)(field(i))).Level(0, 0, c))
		}
	case leafInt64:
		for i := range rows {
			dst = append(dst, parquet.Int64Value(*(*int64)(field(i))).Level(0, 0, c))
		}
	case leafString:
		n := 0
		for i := range rows {
			s := *(*string)(field(i))
			n += len(s)
			dst = append(dst, stringValue(s).Level(0, 0, c))
		}
		p.weight[c] += int64(n)
	case leafList:
		n := 0
		for i := range rows {
			list := *(*[]string)(field(i))
			if len(list) == 0 {
				dst = append(dst, null)
			}
			for k, s := range list {
				n += len(s)
				rep := min(k, 1)
				dst = append(dst, stringValue(s).Level(rep, l.maxDef, c))
			}
		}
		p.weight[c] += int64(n)
	case leafOptInt64, leafOptFloat, leafOptTime:
		for i := range rows {
			if v := *(*unsafe.Pointer)(field(i)); v != nil {
				dst = append(dst, optionalValue(l.kind, v).Level(0, l.maxDef, c))
			} else {
				dst = append(dst, null)
			}
		}
	}
	if k := l.kind; k != leafString && k != leafList {
		p.weight[c] += int64(8 * len(rows))
	}
	return dst
}

// optionalValue is the value v points to, for a field of an optional kind:
// a timestamp in milliseconds, as the schema's timestamp(millisecond) has it.
func optionalValue(kind leafKind, v unsafe.Pointer) parquet.Value {
	switch kind {
	case leafOptFloat:
		return parquet.DoubleValue(*(*float64)(v))
	case leafOptTime:
		return parquet.Int64Value((*time.Time)(v).UnixMilli())
	}
	return parquet.Int64Value(*(*int64)(v))
}

// stringValue is the BYTE_ARRAY value of s, without copying it.
func stringValue(s string) parquet.Value {
	return parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// close flushes the last row group and writes the file's footer.
func (p *parquetColumns[T]) close() error { return p.w.Close() }
