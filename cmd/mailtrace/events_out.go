package main

import (
	"bufio"
	"strconv"
	"time"

	"github.com/mailtrace/mailtrace/internal/ascii"
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

// eventFields are the known fields in the order every output lists them
// (the 2016 header's order, which holds every field).
var eventFields = msgtrk.Layout2016.Fields()

// numericField reports whether f is written as a number in JSON.
func numericField(f msgtrk.Field) bool {
	return f == msgtrk.TotalBytes || f == msgtrk.RecipientCount
}

// serverOf names the server that logged rec.
func serverOf(rec *msgtrk.Record) []byte {
	if s := rec.Origin().Server; s != "" {
		return []byte(s)
	}
	return msgtrk.LoggingServer(rec)
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
// array (json).
type jsonSeq struct {
	w     *bufio.Writer
	array bool
	n     int
}

// write writes one value, without its line end.
func (s *jsonSeq) write(v []byte) error {
	if s.array {
		if s.n == 0 {
			s.w.WriteString("[\n")
		} else {
			s.w.WriteString(",\n")
		}
	}
	s.n++
	s.w.Write(v)
	if !s.array {
		return s.w.WriteByte('\n')
	}
	return nil
}

// close ends the array.
func (s *jsonSeq) close() error {
	if !s.array {
		return nil
	}
	if s.n == 0 {
		_, err := s.w.WriteString("[]\n")
		return err
	}
	_, err := s.w.WriteString("\n]\n")
	return err
}

// eventJSON writes the events object, version 1 (see the package doc).
type eventJSON struct {
	seq jsonSeq
	buf []byte
	ls  msgtrk.ListScanner
}

func (j *eventJSON) write(rec *msgtrk.Record) error {
	b := append(j.buf[:0], `{"v":`...)
	b = strconv.AppendInt(b, eventsJSONVersion, 10)
	b = append(b, `,"timestamp":`...)
	if t, err := rec.Time(); err == nil {
		b = appendJSONTime(b, t)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"server":`...)
	b = appendJSONString(b, serverOf(rec))
	b = append(b, `,"file":`...)
	b = appendJSONString(b, rec.Origin().File)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, rec.LineNumber(), 10)
	for _, f := range eventFields {
		b = append(b, ',', '"')
		b = append(b, fieldKeys[f]...)
		b = append(b, '"', ':')
		switch {
		case f.IsList():
			b = append(b, '[')
			rec.List(f, &j.ls)
			for k := 0; j.ls.Next(); k++ {
				if k > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, j.ls.Bytes())
			}
			b = append(b, ']')
		case numericField(f):
			if n, ok := ascii.ParseInt64(rec.Field(f)); ok {
				b = strconv.AppendInt(b, n, 10)
			} else {
				b = append(b, "null"...)
			}
		default:
			b = appendJSONString(b, rec.Unescaped(f))
		}
	}
	b = append(b, `,"extra":{`...)
	n := 0
	extraColumns(rec, func(name string, v []byte) {
		if n++; n > 1 {
			b = append(b, ',')
		}
		b = appendJSONString(b, name)
		b = append(b, ':')
		b = appendJSONString(b, v)
	})
	b = append(b, '}', '}')
	j.buf = b
	return j.seq.write(b)
}

func (j *eventJSON) close() error { return j.seq.close() }

// eventCSV writes the known fields with timestamp, server, file and line
// first; list members are joined with "; ".
type eventCSV struct {
	w   *bufio.Writer
	loc *time.Location
	buf []byte
	ls  msgtrk.ListScanner
	mem []byte
}

func newEventCSV(w *bufio.Writer, loc *time.Location) *eventCSV {
	c := &eventCSV{w: w, loc: loc}
	b := append(c.buf, "timestamp,server,file,line"...)
	for _, f := range eventFields {
		b = append(b, ',')
		b = append(b, fieldKeys[f]...)
	}
	c.buf = append(b, '\n')
	c.w.Write(c.buf)
	return c
}

func (c *eventCSV) write(rec *msgtrk.Record) error {
	b := c.buf[:0]
	if t, err := rec.Time(); err == nil {
		b = appendTime(b, t, c.loc, 'T')
	} else {
		b = appendCSVCell(b, rec.Field(msgtrk.DateTime))
	}
	b = append(b, ',')
	b = appendCSVCell(b, serverOf(rec))
	b = append(b, ',')
	b = appendCSVCell(b, rec.Origin().File)
	b = append(b, ',')
	b = strconv.AppendInt(b, rec.LineNumber(), 10)
	for _, f := range eventFields {
		b = append(b, ',')
		if !f.IsList() {
			b = appendCSVCell(b, rec.Unescaped(f))
			continue
		}
		m := c.mem[:0]
		rec.List(f, &c.ls)
		for k := 0; c.ls.Next(); k++ {
			if k > 0 {
				m = append(m, ';', ' ')
			}
			m = append(m, c.ls.Bytes()...)
		}
		c.mem = m
		b = appendCSVCell(b, m)
	}
	b = append(b, '\n')
	c.buf = b
	_, err := c.w.Write(b)
	return err
}

func (c *eventCSV) close() error { return nil }

// eventTable writes the columns Get-MessageTrackingLog shows by default,
// with the recipients and subject cut to fit a terminal.
type eventTable struct {
	t   *table
	loc *time.Location
	ls  msgtrk.ListScanner
	mem []byte
}

func newEventTable(w *bufio.Writer, loc *time.Location) *eventTable {
	return &eventTable{t: newTable(w, "TIME", "SERVER", "SOURCE", "EVENT", "SENDER", "RECIPIENTS", "SUBJECT", "MESSAGE-ID"), loc: loc}
}

func (e *eventTable) write(rec *msgtrk.Record) error {
	t := e.t
	if tm, err := rec.Time(); err == nil {
		t.cellAppend(func(b []byte) []byte { return appendTime(b, tm, e.loc, 'T') })
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
	return t.endRow()
}

func (e *eventTable) close() error { return e.t.flush() }
