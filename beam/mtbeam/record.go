package mtbeam

import (
	"fmt"
	"strings"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// recordReader turns Rows back into msgtrk records, with the line number,
// file, server and kind of log they had when first read. Rows of one file
// share one reader, hence one Origin: the correlator tells a file collected
// twice (the same row from two inputs, counted once) from a row Exchange
// wrote twice in one file (kept) by the rows' Origin. It is not safe for
// concurrent use.
type recordReader struct {
	readers map[string]*msgtrk.Reader
	fields  map[string][]string // Row.Fields → column names
	line    []byte              // the row with a line ending, as in its file
}

// record returns a copy of r as a record that stays valid.
func (d *recordReader) record(r *Row) (*msgtrk.Record, error) {
	if d.readers == nil {
		d.readers = map[string]*msgtrk.Reader{}
		d.fields = map[string][]string{}
	}
	rd := d.readers[r.File]
	if rd == nil {
		fname, _ := msgtrk.ParseFileName(r.File)
		rd = &msgtrk.Reader{Name: r.File, Server: r.Server, Kind: fname.Kind}
		d.readers[r.File] = rd
	}
	names, ok := d.fields[r.Fields]
	if !ok {
		names = strings.Split(r.Fields, ",")
		d.fields[r.Fields] = names
	}
	rd.Fields = names
	rd.FirstLine = r.Line
	var perr *msgtrk.ParseError
	rd.ErrorHandler = func(e *msgtrk.ParseError) { perr = e }
	d.line = append(append(d.line[:0], r.Text...), '\n')
	rd.ResetBytes(d.line)
	if !rd.Next() {
		if perr != nil {
			return nil, perr
		}
		return nil, fmt.Errorf("mtbeam: %s:%d: the row read before no longer reads", r.File, r.Line)
	}
	return rd.Record().Clone(), nil // a copy: d.line is reused
}
