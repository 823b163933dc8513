// Package realdata reads the project's real samples (testdata/real, whose
// provenance is in testdata/real/SOURCES.md) for the golden tests, fuzz
// seeds and grammar checks of the field packages. It is test support, not
// library code: it uses encoding/csv and the testing package, and reads
// every file whole.
//
// Raw logs (*.log) are read line by line: a "#Fields:" line gives the
// column names of the rows after it; a file without one is read with the
// Exchange 2007 names when its row has 21 fields, and with the 30 names of
// Exchange 2016/2019 otherwise. Rows are split by encoding/csv with
// LazyQuotes. The AGENTINFO sample (SOURCES.md row 7) carries the poster's
// outer double quotes: the first one is dropped, so that the row reads as
// the truncated row it is (its custom-data then ends where the paste ends).
//
// Cmdlet output (cmdlet_output/*.txt, Format-List) is unwrapped by package
// formatlist; its property names are mapped to log field names
// (SourceContext and source_context → source-context).
package realdata

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrace/mailtrace/formatlist"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// Dir is the directory of the real samples as seen from a package
// directory of the module, where tests run.
const Dir = "../testdata/real"

// dir is the directory read; its own tests, one level deeper, change it.
var dir = Dir

// Style says where a Row comes from.
type Style uint8

const (
	// Log: a row of a raw MSGTRK file.
	Log Style = iota
	// Cmdlet: a Get-MessageTrackingLog record (CamelCase property names;
	// arrays such as RecipientStatus are printed in braces, one member per
	// recipient).
	Cmdlet
	// EXO: an Exchange Online historical-search record (underscore names;
	// list fields as in a log).
	EXO
)

// Row is one data row of a raw log or one record of cmdlet output, with the
// columns the field packages read taken out.
type Row struct {
	File          string // base name under Dir, or "cmdlet_output/<base name>"
	Line          int    // 1-based line (raw logs) or record number (cmdlet output)
	Style         Style
	Source, Event string   // source and event-id
	SourceContext string   // source-context
	RawStatus     string   // the whole recipient-status field
	RecipStatus   []string // its members: SplitList for logs and EXO, the unbraced array for Cmdlet

	fields map[string]string // by log field name
}

// Get returns the value of the field named as in a #Fields: header, and
// whether the row has it (a truncated row or an older layout may not).
func (r Row) Get(field string) (string, bool) {
	v, ok := r.fields[field]
	return v, ok
}

// Logs returns the rows of every *.log file under Dir, in file name order.
func Logs(t testing.TB) []Row {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil || len(files) == 0 {
		t.Fatalf("realdata: no samples in %s: %v", dir, err)
	}
	var rows []Row
	for _, f := range files {
		rows = append(rows, ReadLog(t, filepath.Base(f))...)
	}
	return rows
}

// Cmdlets returns the records of every cmdlet_output/*.txt file under Dir,
// in file name order.
func Cmdlets(t testing.TB) []Row {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "cmdlet_output", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("realdata: no cmdlet samples in %s: %v", dir, err)
	}
	var rows []Row
	for _, f := range files {
		rows = append(rows, ReadCmdlet(t, filepath.Join("cmdlet_output", filepath.Base(f)))...)
	}
	return rows
}

// All returns Logs followed by Cmdlets.
func All(t testing.TB) []Row {
	t.Helper()
	return append(Logs(t), Cmdlets(t)...)
}

// ReadLog reads the raw log name (relative to Dir).
func ReadLog(t testing.TB, name string) []Row {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var cols []string
	var rows []Row
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSuffix(sc.Text(), "\r")
		if h, ok := strings.CutPrefix(text, "#Fields: "); ok {
			cols = strings.Split(h, ",")
			continue
		}
		if text == "" || text[0] == '#' {
			continue
		}
		if text[0] == '"' && strings.Contains(name, "AGENTINFO") {
			text = text[1:]
		}
		r := csv.NewReader(strings.NewReader(text))
		r.LazyQuotes = true
		r.FieldsPerRecord = -1
		rec, err := r.Read()
		if err != nil {
			t.Fatalf("realdata: %s:%d: %v", name, line, err)
		}
		names := cols
		if names == nil {
			names = msgtrk.Layout2016.FieldNames()
			if len(rec) == len(msgtrk.Layout2007.FieldNames()) {
				names = msgtrk.Layout2007.FieldNames()
			}
		}
		row := Row{File: name, Line: line, Style: Log, fields: map[string]string{}}
		for i, v := range rec {
			if i < len(names) {
				row.fields[names[i]] = v
			}
		}
		rows = append(rows, row.fill())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// ReadCmdlet reads the Format-List output name (relative to Dir), one Row a
// record.
func ReadCmdlet(t testing.TB, name string) []Row {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := formatlist.Parse(string(data))
	var rows []Row
	for i, rec := range recs {
		row := Row{File: name, Line: i + 1, Style: EXO, fields: map[string]string{}}
		for _, p := range rec.Props {
			if p.Name != strings.ToLower(p.Name) {
				row.Style = Cmdlet
			}
			row.fields[FieldName(p.Name)] = p.Value
		}
		rows = append(rows, row.fill())
	}
	return rows
}

// fill copies the common columns out of fields.
func (r Row) fill() Row {
	r.Source = r.fields["source"]
	r.Event = r.fields["event-id"]
	r.SourceContext = r.fields["source-context"]
	r.RawStatus = r.fields["recipient-status"]
	if r.Style == Cmdlet {
		// The cmdlet has already split the field per recipient.
		if s := formatlist.Unbrace(r.RawStatus); s != "" {
			r.RecipStatus = []string{s}
		}
	} else {
		r.RecipStatus = SplitList(r.RawStatus)
	}
	return r
}

// FieldName maps a cmdlet property name to the log field name it shows:
// CamelCase and underscores become hyphenated lower case (SourceContext and
// source_context → source-context, EventId → event-id). Names without a
// log field keep the same mapping (RunspaceId → runspace-id).
func FieldName(property string) string {
	var b strings.Builder
	for i := 0; i < len(property); i++ {
		c := property[i]
		switch {
		case c == '_':
			b.WriteByte('-')
		case 'A' <= c && c <= 'Z':
			if i > 0 && property[i-1] != '_' {
				b.WriteByte('-')
			}
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// SplitList splits a list field into members as msgtrk.ListScanner does
// for unquoted members, keeping a "[{…}]" LastError blob whole. None of the
// samples apostrophe-quotes a member.
func SplitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for len(s) > 0 {
		if strings.HasPrefix(s, "[{") {
			if k := strings.Index(s, "}]"); k >= 0 && (k+2 == len(s) || s[k+2] == ';') {
				out = append(out, s[:k+2])
				s = s[min(k+3, len(s)):]
				continue
			}
		}
		k := strings.IndexByte(s, ';')
		if k < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:k])
		s = s[k+1:]
		if s == "" {
			out = append(out, "")
		}
	}
	return out
}

// Line returns line n (1-based) of the raw log name (relative to Dir) as
// written, without its line ending: a real row to damage in a test.
func Line(t testing.TB, name string, n int) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimPrefix(string(data), "\ufeff"), "\n")
	if n < 1 || n > len(lines) {
		t.Fatalf("realdata: %s has no line %d", name, n)
	}
	return strings.TrimSuffix(lines[n-1], "\r")
}

// Replace returns line with old replaced by new; old must occur exactly
// once in line.
func Replace(t testing.TB, line, old, new string) string {
	t.Helper()
	if n := strings.Count(line, old); n != 1 {
		t.Fatalf("realdata: %q occurs %d times in the row", old, n)
	}
	return strings.Replace(line, old, new, 1)
}

// RecordFile is the file name Record gives its rows.
const RecordFile = "MSGTRK2024012515-1.LOG"

// Record reads row, a line of the 30-field Exchange 2016/2019 layout, as
// line 2 of a file named RecordFile with a #Fields: header, and returns its
// record.
func Record(t testing.TB, row string) *msgtrk.Record {
	t.Helper()
	hdr := "#Fields: " + strings.Join(msgtrk.Layout2016.FieldNames(), ",") + "\r\n"
	r := msgtrk.NewReader(strings.NewReader(hdr + row + "\r\n"))
	r.Name = RecordFile
	if !r.Next() {
		t.Fatalf("realdata: row not read: %v", r.Err())
	}
	return r.Record()
}

// CheckPosition checks the error a field decoder returned for the record
// Record made of row: a *msgtrk.ParseError of RecordFile, line 2, field f,
// whose column and input offset point at the first byte of at (which must
// occur exactly once in row), and which wraps want.
func CheckPosition(t testing.TB, err error, row string, f msgtrk.Field, at string, want error) {
	t.Helper()
	var pe *msgtrk.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *msgtrk.ParseError", err, err)
	}
	if n := strings.Count(row, at); n != 1 {
		t.Fatalf("realdata: %q occurs %d times in the row", at, n)
	}
	col := strings.Index(row, at) + 1
	hdr := len("#Fields: " + strings.Join(msgtrk.Layout2016.FieldNames(), ",") + "\r\n")
	if pe.File != RecordFile || pe.Line != 2 || pe.Field != f.String() || pe.Column != col || pe.Offset != int64(hdr+col-1) {
		t.Errorf("error at %s:%d:%d (offset %d) in field %q, want %s:2:%d (offset %d) in %q, the %q of %.60q…\n%v",
			pe.File, pe.Line, pe.Column, pe.Offset, pe.Field, RecordFile, col, hdr+col-1, f, at, row[col-1:], err)
	}
	if !errors.Is(err, want) {
		t.Errorf("error %v does not wrap %v", err, want)
	}
}

// Records calls fn with every row msgtrk.Reader reads from the raw logs
// under Dir (headerless files with the Exchange 2016 names; rows msgtrk
// rejects, such as the AGENTINFO pastes, are skipped) and returns how many
// rows it saw. The record is valid during the call only.
func Records(t testing.TB, fn func(rec *msgtrk.Record)) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil || len(files) == 0 {
		t.Fatalf("realdata: no samples in %s: %v", dir, err)
	}
	n := 0
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		r := msgtrk.NewReaderBytes(data)
		r.Name = filepath.Base(name)
		r.Fields = msgtrk.Layout2016.FieldNames()
		r.ErrorHandler = func(*msgtrk.ParseError) {}
		for r.Next() {
			fn(r.Record())
			n++
		}
	}
	return n
}
