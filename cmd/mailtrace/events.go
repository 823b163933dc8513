package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

func runEvents(args []string, stdout, stderr io.Writer) error {
	c := newCommon("events", stderr, true)
	format := c.fs.String("format", "table", "output format: table, jsonl or csv")
	c.fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: mailtrace events [flags] PATH...\n\nList events in time order across all files, like Get-MessageTrackingLog.\n\nflags:\n")
		c.fs.PrintDefaults()
	}
	paths, err := c.parse(args)
	if err != nil {
		return err
	}
	var out eventWriter
	bw := bufio.NewWriterSize(stdout, 64<<10)
	defer bw.Flush()
	switch *format {
	case "table":
		out = newTableWriter(bw, c.loc)
	case "jsonl":
		out = &jsonWriter{enc: json.NewEncoder(bw), loc: c.loc}
	case "csv":
		out = newCSVWriter(bw, c.loc)
	default:
		return usagef("-format: %q is not table, jsonl or csv", *format)
	}
	inputs, err := c.openInputs(paths)
	if err != nil {
		return err
	}
	src := c.newSource(inputs, stderr)
	for src.Next() {
		rec := src.Record()
		if !c.filter.Match(rec) {
			continue
		}
		if err := out.write(rec); err != nil {
			return err
		}
	}
	if err := out.close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return src.finish()
}

type eventWriter interface {
	write(*msgtrk.Record) error
	close() error
}

// serverOf names the server that logged rec.
func serverOf(rec *msgtrk.Record) string {
	if s := rec.Origin().Server; s != "" {
		return s
	}
	return string(msgtrk.LoggingServer(rec))
}

func formatTime(rec *msgtrk.Record, loc *time.Location) string {
	t, err := rec.Time()
	if err != nil {
		return string(rec.Field(msgtrk.DateTime))
	}
	if loc == time.UTC {
		return t.Format("2006-01-02T15:04:05.000Z")
	}
	return t.In(loc).Format("2006-01-02T15:04:05.000-07:00")
}

func members(rec *msgtrk.Record, f msgtrk.Field) []string {
	var s msgtrk.ListScanner
	rec.List(f, &s)
	var out []string
	for s.Next() {
		out = append(out, string(s.Bytes()))
	}
	return out
}

// tableWriter prints aligned columns, flushing every block of rows so that
// memory stays bounded on large outputs.
type tableWriter struct {
	tw  *tabwriter.Writer
	loc *time.Location
	n   int
}

func newTableWriter(w io.Writer, loc *time.Location) *tableWriter {
	t := &tableWriter{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0), loc: loc}
	fmt.Fprintln(t.tw, "TIME\tSERVER\tSOURCE\tEVENT\tSENDER\tRECIPIENTS\tSUBJECT\tMESSAGE-ID")
	return t
}

func (t *tableWriter) write(rec *msgtrk.Record) error {
	subject := string(rec.Unescaped(msgtrk.MessageSubject))
	subject = strings.NewReplacer("\t", " ", "\r", " ", "\n", " ").Replace(subject)
	if r := []rune(subject); len(r) > 40 {
		subject = string(r[:39]) + "…"
	}
	rcpts := strings.Join(members(rec, msgtrk.RecipientAddress), ",")
	if r := []rune(rcpts); len(r) > 60 {
		rcpts = string(r[:59]) + "…"
	}
	_, err := fmt.Fprintf(t.tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", formatTime(rec, t.loc), serverOf(rec),
		rec.Field(msgtrk.Source), rec.Field(msgtrk.EventID), rec.Field(msgtrk.SenderAddress), rcpts, subject, rec.Field(msgtrk.MessageID))
	if t.n++; t.n%500 == 0 {
		return t.tw.Flush()
	}
	return err
}

func (t *tableWriter) close() error { return t.tw.Flush() }

// jsonWriter writes one object per event: every column by its #Fields:
// name (list fields as arrays), the time in the chosen zone, and where the
// event comes from.
type jsonWriter struct {
	enc *json.Encoder
	loc *time.Location
}

func (j *jsonWriter) write(rec *msgtrk.Record) error {
	obj := map[string]any{
		"timestamp": formatTime(rec, j.loc),
		"server":    serverOf(rec),
		"file":      rec.Origin().File,
		"line":      rec.LineNumber(),
	}
	for i := 0; i < rec.NumColumns(); i++ {
		name := rec.ColumnName(i)
		if f, ok := msgtrk.LookupField([]byte(name)); ok && f.IsList() {
			obj[name] = members(rec, f)
			continue
		}
		if f, ok := msgtrk.LookupField([]byte(name)); ok {
			obj[name] = string(rec.Unescaped(f))
			continue
		}
		obj[name] = string(rec.Column(i))
	}
	return j.enc.Encode(obj)
}

func (j *jsonWriter) close() error { return nil }

// csvWriter writes the 2016 columns plus timestamp, server and file, with
// list fields joined by "; " so that spreadsheets show every member.
type csvWriter struct {
	w   *csv.Writer
	loc *time.Location
	row []string
}

func newCSVWriter(w io.Writer, loc *time.Location) *csvWriter {
	c := &csvWriter{w: csv.NewWriter(w), loc: loc}
	header := []string{"timestamp", "server", "file", "line"}
	for _, f := range msgtrk.Layout2016.Fields() {
		header = append(header, f.String())
	}
	c.w.Write(header)
	return c
}

func (c *csvWriter) write(rec *msgtrk.Record) error {
	c.row = append(c.row[:0], formatTime(rec, c.loc), serverOf(rec), rec.Origin().File, fmt.Sprint(rec.LineNumber()))
	for _, f := range msgtrk.Layout2016.Fields() {
		if f.IsList() {
			c.row = append(c.row, strings.Join(members(rec, f), "; "))
			continue
		}
		c.row = append(c.row, string(rec.Unescaped(f)))
	}
	return c.w.Write(c.row)
}

func (c *csvWriter) close() error {
	c.w.Flush()
	return c.w.Error()
}
