package main

import (
	"bufio"
	"bytes"
	"strconv"
	"time"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/internal/textenc"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// eventsJSONVersion is the version of the events object, written as "v".
const eventsJSONVersion = 1

// eventWriter writes the rows of "mailtrace events" in one format.
type eventWriter interface {
	write(*msgtrk.Record) error
	close() error
}

// fieldKeys are the names of the known fields in every output: the
// #Fields: names in snake_case (client-ip → client_ip).
var fieldKeys = func() (keys [msgtrk.NumFields]string) {
	for f := range msgtrk.NumFields {
		b := []byte(msgtrk.Field(f).String())
		for i, c := range b {
			if c == '-' {
				b[i] = '_'
			}
		}
		keys[f] = string(b)
	}
	return keys
}()

// fieldPrefix is what the events object writes before each field's value:
// `,"client_ip":`.
var fieldPrefix = func() (p [msgtrk.NumFields]string) {
	for f := range msgtrk.NumFields {
		p[f] = `,"` + fieldKeys[f] + `":`
	}
	return p
}()

// emptyField is what the events object writes for an empty string field:
// `,"tenant_id":""` in one piece, as logs leave many fields empty.
var emptyField = func() (p [msgtrk.NumFields]string) {
	for f := range msgtrk.NumFields {
		p[f] = fieldPrefix[f] + `""`
	}
	return p
}()

// eventFields are the known fields in the order every output lists them
// (the 2016 header's order, which holds every field).
var eventFields = msgtrk.Layout2016.Fields()

// numericFields are the fields written as numbers in JSON (and Parquet).
var numericFields = [...]msgtrk.Field{msgtrk.TotalBytes, msgtrk.RecipientCount}

// isNumeric marks numericFields, for numericField, which writers ask of
// every field of every row.
var isNumeric = func() (m [msgtrk.NumFields]bool) {
	for _, f := range numericFields {
		m[f] = true
	}
	return m
}()

// numericField reports whether f is one of numericFields.
func numericField(f msgtrk.Field) bool { return int(f) < len(isNumeric) && isNumeric[f] }

// serverOf names the server that logged rec.
func serverOf(rec *msgtrk.Record) []byte {
	if s := rec.Origin().Server; s != "" {
		return []byte(s)
	}
	return msgtrk.LoggingServer(rec)
}

// originCells keeps the encoded cells of the file names (and servers,
// when the input has one) of the last few inputs, which every row of an
// input repeats: they are encoded once per input, not once per row. The
// rows of a merge alternate between the files of every server being read,
// so one entry would be encoded again at almost every row.
type originCells struct {
	slots [originSlots]originCell
	next  int // the slot to reuse next
}

// originSlots is how many inputs originCells remembers: more than the
// files a merge of a few servers reads at a time (one per server and kind).
const originSlots = 16

// originCell holds the cells of one input.
type originCell struct {
	origin *msgtrk.Origin
	file   []byte
	server []byte // nil when the rows name their server
	sbuf   []byte // holds server
}

// get returns the cells of rec's input, encoded by enc.
func (o *originCells) get(rec *msgtrk.Record, enc func([]byte, string) []byte) *originCell {
	org := rec.Origin()
	for i := range o.slots {
		if o.slots[i].origin == org {
			return &o.slots[i]
		}
	}
	c := &o.slots[o.next]
	o.next = (o.next + 1) % originSlots
	c.origin = org
	c.file = enc(c.file[:0], org.File)
	c.server = nil
	if org.Server != "" {
		c.sbuf = enc(c.sbuf[:0], org.Server)
		c.server = c.sbuf
	}
	return c
}

// extraColumns calls f with each column of rec that is not a known field
// (only rows under a header that is none of Exchange's layouts have any).
func extraColumns(rec *msgtrk.Record, f func(name string, v []byte)) {
	if rec.Layout() != msgtrk.LayoutCustom {
		return
	}
	for i := range rec.NumColumns() {
		name := rec.ColumnName(i)
		if _, ok := msgtrk.LookupField([]byte(name)); !ok {
			f(name, rec.Column(i))
		}
	}
}

// jsonSeq writes JSON values as lines (jsonl) or as the elements of one
// array (json). Values are appended to one buffer (next, then done),
// which goes to w in blocks of jsonBlock bytes: no copy per value.
type jsonSeq struct {
	w     *bufio.Writer
	array bool
	n     int
	buf   []byte
}

// jsonBlock is how many bytes of values jsonSeq holds before writing them.
const jsonBlock = 64 << 10

// next returns the buffer to append the next value to, the separator
// already in it; done takes it back.
func (s *jsonSeq) next() []byte {
	b := s.buf
	if s.array {
		if s.n == 0 {
			b = append(b, "[\n"...)
		} else {
			b = append(b, ",\n"...)
		}
	}
	s.n++
	return b
}

// done ends the value appended to the buffer next returned.
func (s *jsonSeq) done(b []byte) error {
	if !s.array {
		b = append(b, '\n')
	}
	s.buf = b
	if len(b) < jsonBlock {
		return nil
	}
	_, err := s.w.Write(b)
	s.buf = b[:0]
	return err
}

// write writes one value, without its line end.
func (s *jsonSeq) write(v []byte) error {
	return s.done(append(s.next(), v...))
}

// close writes what is held and ends the array.
func (s *jsonSeq) close() error {
	b := s.buf
	if s.array {
		if s.n == 0 {
			b = append(b, "[]\n"...)
		} else {
			b = append(b, "\n]\n"...)
		}
	}
	s.buf = b[:0]
	_, err := s.w.Write(b)
	return err
}

// eventJSON writes the events object, version 1 (see the package doc).
type eventJSON struct {
	seq    jsonSeq
	ls     msgtrk.ListScanner
	origin originCells
}

func (j *eventJSON) write(rec *msgtrk.Record) error {
	return j.seq.done(j.appendRow(j.seq.next(), rec))
}

// appendRow appends the events object of rec to b, without a separator or
// line end.
func (j *eventJSON) appendRow(b []byte, rec *msgtrk.Record) []byte {
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, eventsJSONVersion, 10)
	b = append(b, `,"timestamp":`...)
	t, err := rec.Time()
	b = appendJSONRecordTime(b, rec.Field(msgtrk.DateTime), t, err == nil)
	b = append(b, `,"server":`...)
	oc := j.origin.get(rec, textenc.AppendJSONString[string])
	if oc.server != nil {
		b = append(b, oc.server...)
	} else {
		b = textenc.AppendJSONString(b, msgtrk.LoggingServer(rec))
	}
	b = append(b, `,"file":`...)
	b = append(b, oc.file...)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, rec.LineNumber(), 10)
	for _, f := range eventFields {
		v := rec.Field(f)
		if len(v) == 0 && !numericField(f) {
			if f.IsList() {
				b = append(b, fieldPrefix[f]...)
				b = append(b, '[', ']')
			} else {
				b = append(b, emptyField[f]...)
			}
			continue
		}
		b = append(b, fieldPrefix[f]...)
		switch {
		case f.IsList():
			b = appendJSONList(b, v, &j.ls)
		case numericField(f):
			if n, ok := ascii.ParseInt64(v); ok {
				b = strconv.AppendInt(b, n, 10)
			} else {
				b = append(b, "null"...)
			}
		case f.FreeText():
			b = textenc.AppendJSONLogField(b, v)
		default:
			// Identifiers and names as written (format.md §12 step 5
			// decodes \r and \n in free text only).
			b = textenc.AppendJSONString(b, v)
		}
	}
	b = append(b, `,"extra":{`...)
	n := 0
	extraColumns(rec, func(name string, v []byte) {
		if n++; n > 1 {
			b = append(b, ',')
		}
		b = textenc.AppendJSONString(b, name)
		b = append(b, ':')
		b = textenc.AppendJSONString(b, v)
	})
	return append(b, '}', '}')
}

func (j *eventJSON) close() error { return j.seq.close() }

// appendJSONList appends a list field, not empty (the caller writes [] for
// that), as a JSON array of its members; ls is scratch. A list with nothing to escape and no quoting for
// ListScanner to undo (no apostrophe, no "[{" blob) is split on its ';'
// and copied, which is what ListScanner would read (TestAppendJSONList).
func appendJSONList(b, v []byte, ls *msgtrk.ListScanner) []byte {
	if bytes.IndexByte(v, '\'') < 0 && bytes.IndexByte(v, '[') < 0 && textenc.JSONPlainAll(v) {
		b = append(b, '[', '"')
		for {
			k := bytes.IndexByte(v, ';')
			if k < 0 {
				break
			}
			b = append(b, v[:k]...)
			b = append(b, '"', ',', '"')
			v = v[k+1:]
		}
		b = append(b, v...)
		return append(b, '"', ']')
	}
	b = append(b, '[')
	ls.Init(v)
	for k := 0; ls.Next(); k++ {
		if k > 0 {
			b = append(b, ',')
		}
		b = textenc.AppendJSONString(b, ls.Bytes())
	}
	return append(b, ']')
}

// eventCSV writes the known fields with timestamp, server, file and line
// first; list members are joined with "; ".
type eventCSV struct {
	w       *bufio.Writer
	loc     *time.Location
	buf     []byte
	ls      msgtrk.ListScanner
	mem     []byte
	scratch []byte
	origin  originCells
}

func newEventCSV(w *bufio.Writer, loc *time.Location) *eventCSV {
	c := &eventCSV{w: w, loc: loc}
	b := append(c.buf, "timestamp,server,file,line"...)
	for _, f := range eventFields {
		b = append(b, ',')
		b = append(b, fieldKeys[f]...)
	}
	c.w.Write(append(b, '\n'))
	return c
}

func (c *eventCSV) write(rec *msgtrk.Record) error {
	b := c.appendRow(c.buf, rec) // rows go to w in blocks, as jsonSeq's
	c.buf = b
	if len(b) < jsonBlock {
		return nil
	}
	_, err := c.w.Write(b)
	c.buf = b[:0]
	return err
}

// appendRow appends the CSV row of rec to b, with its line end.
func (c *eventCSV) appendRow(b []byte, rec *msgtrk.Record) []byte {
	if t, err := rec.Time(); err == nil {
		if raw := rec.Field(msgtrk.DateTime); c.loc == time.UTC && canonicalTime(raw) {
			b = append(b, raw...) // already the form appendTime would write
		} else {
			b = appendTime(b, t, c.loc, 'T')
		}
	} else {
		b = appendCSVCell(b, rec.Field(msgtrk.DateTime))
	}
	b = append(b, ',')
	oc := c.origin.get(rec, appendCSVCell[string])
	if oc.server != nil {
		b = append(b, oc.server...)
	} else {
		b = appendCSVCell(b, msgtrk.LoggingServer(rec))
	}
	b = append(b, ',')
	b = append(b, oc.file...)
	b = append(b, ',')
	b = strconv.AppendInt(b, rec.LineNumber(), 10)
	for _, f := range eventFields {
		b = append(b, ',')
		if !f.IsList() {
			if f.FreeText() {
				b = appendCSVField(b, rec.Field(f), &c.scratch)
			} else {
				b = appendCSVCell(b, rec.Field(f))
			}
			continue
		}
		b = appendCSVList(b, rec.Field(f), &c.ls, &c.mem)
	}
	return append(b, '\n')
}

func (c *eventCSV) close() error {
	_, err := c.w.Write(c.buf)
	c.buf = c.buf[:0]
	return err
}

// appendCSVList appends a list field as one CSV cell, its members joined
// with "; "; ls and mem are scratch.
func appendCSVList(b, v []byte, ls *msgtrk.ListScanner, mem *[]byte) []byte {
	if len(v) > 0 && v[0] != ' ' && !startsFormula(v[0]) && csvPlain(v) && bytes.IndexByte(v, '\'') < 0 && bytes.IndexByte(v, '[') < 0 {
		// No quoting for ListScanner to undo and none to add: the members
		// are what lies between the ';'.
		for {
			k := bytes.IndexByte(v, ';')
			if k < 0 {
				break
			}
			b = append(b, v[:k+1]...)
			b = append(b, ' ')
			v = v[k+1:]
		}
		return append(b, v...)
	}
	m := (*mem)[:0]
	ls.Init(v)
	for k := 0; ls.Next(); k++ {
		if k > 0 {
			m = append(m, ';', ' ')
		}
		m = append(m, ls.Bytes()...)
	}
	*mem = m
	return appendCSVCell(b, m)
}

// eventTable writes the columns Get-MessageTrackingLog shows by default,
// with the recipients and subject cut to fit a terminal.
type eventTable struct {
	t   *table
	loc *time.Location
	ls  msgtrk.ListScanner
	mem []byte
}

// eventTableHeader names the columns of the events table.
var eventTableHeader = []string{"TIME", "SERVER", "SOURCE", "EVENT", "SENDER", "RECIPIENTS", "SUBJECT", "MESSAGE-ID"}

func newEventTable(w *bufio.Writer, loc *time.Location) *eventTable {
	return &eventTable{t: newTable(w, eventTableHeader...), loc: loc}
}

func (e *eventTable) write(rec *msgtrk.Record) error {
	e.addCells(e.t, rec)
	return e.t.endRow()
}

// addCells adds the cells of rec's row to t, without ending the row.
func (e *eventTable) addCells(t *table, rec *msgtrk.Record) {
	if tm, err := rec.Time(); err == nil {
		if raw := rec.Field(msgtrk.DateTime); e.loc == time.UTC && canonicalTime(raw) {
			// Already the form appendTime would write, as for CSV.
			t.cellAppend(func(b []byte) []byte { return append(b, raw...) })
		} else {
			t.cellAppend(func(b []byte) []byte { return appendTime(b, tm, e.loc, 'T') })
		}
	} else {
		t.cell(rec.Field(msgtrk.DateTime))
	}
	t.cell(serverOf(rec))
	t.cell(rec.Field(msgtrk.Source))
	t.cell(rec.Field(msgtrk.EventID))
	t.cell(rec.Field(msgtrk.SenderAddress))
	m := e.mem[:0]
	rec.List(msgtrk.RecipientAddress, &e.ls)
	for k := 0; e.ls.Next(); k++ {
		if k > 0 {
			m = append(m, ',')
		}
		m = append(m, e.ls.Bytes()...)
	}
	e.mem = m
	t.cellTrunc(m, 60)
	t.cellTrunc(rec.Unescaped(msgtrk.MessageSubject), 40)
	t.cell(rec.Field(msgtrk.MessageID))
}

func (e *eventTable) close() error { return e.t.flush() }
