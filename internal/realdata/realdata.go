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
// cmdlet; its property names are mapped to log field names
// (SourceContext and source_context → source-context).
package realdata

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrace/mailtrace/internal/cmdlet"
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
	recs, _ := cmdlet.Unwrap(string(data))
	var rows []Row
	for i, rec := range recs {
		row := Row{File: name, Line: i + 1, Style: EXO, fields: map[string]string{}}
		for k, v := range rec {
			if k != strings.ToLower(k) {
				row.Style = Cmdlet
			}
			row.fields[FieldName(k)] = v
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
		if s := cmdlet.Unbrace(r.RawStatus); s != "" {
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
