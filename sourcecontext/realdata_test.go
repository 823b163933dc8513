package sourcecontext

// Helpers that read the real samples in ../testdata/real: raw MSGTRK files
// (CSV with a #Fields header, or the 30-field layout when the header is
// missing) and PowerShell Format-List output (console-wrapped). They are test
// helpers only; the CSV layer proper belongs to msgtrk.

import (
	"bufio"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const realDir = "../testdata/real"

// fields2016 is the 30-field layout of Exchange 2016/2019, used for the
// samples published without their header (SOURCES.md rows 3 and 7).
var fields2016 = strings.Split("date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,schema-version", ",")

// realRow is one data row of a real sample, with the columns the golden
// tests need.
type realRow struct {
	File          string // base name under testdata/real (or cmdlet_output/…)
	Line          int    // 1-based line (raw logs) or record number (cmdlet output)
	Source, Event string
	SourceContext string
	RecipStatus   []string // members; for raw logs split with the list rules
	RawStatus     string   // the whole recipient-status field
}

// readRawLog reads a MSGTRK sample. The AGENTINFO sample carries the
// poster's outer double quotes (SOURCES.md row 7): the first one is removed
// and the row read with LazyQuotes; the columns used here come before the
// damaged part.
func readRawLog(t testing.TB, name string) []realRow {
	t.Helper()
	f, err := os.Open(filepath.Join(realDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cols := fields2016
	var rows []realRow
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimPrefix(sc.Text(), "\ufeff")
		text = strings.TrimSuffix(text, "\r")
		if strings.HasPrefix(text, "#Fields: ") {
			cols = strings.Split(strings.TrimPrefix(text, "#Fields: "), ",")
			continue
		}
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if strings.HasPrefix(text, "\"") && strings.Contains(name, "AGENTINFO") {
			text = text[1:]
		}
		r := csv.NewReader(strings.NewReader(text))
		r.LazyQuotes = true
		r.FieldsPerRecord = -1
		rec, err := r.Read()
		if err != nil {
			t.Fatalf("%s:%d: %v", name, line, err)
		}
		get := func(col string) string {
			for i, c := range cols {
				if c == col && i < len(rec) {
					return rec[i]
				}
			}
			return ""
		}
		row := realRow{File: name, Line: line, Source: get("source"), Event: get("event-id"),
			SourceContext: get("source-context"), RawStatus: get("recipient-status")}
		row.RecipStatus = splitList(row.RawStatus)
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// splitList splits a list field into members like msgtrk.ListScanner does
// for the unquoted case, keeping a "[{…}]" blob whole.
func splitList(s string) []string {
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

var (
	propLine = regexp.MustCompile(`^ {0,12}([A-Za-z_]+) *:(?: (.*))?$`)
	indented = regexp.MustCompile(`^ {13,}\S`)
)

// readFormatList reads PowerShell Format-List output and undoes the console
// wrapping. A property line is "Name : value" (indented by at most 12
// blanks); any other non-blank line continues the previous value. Two wrap
// styles occur in the samples, and the continuation's indentation tells them
// apart:
//
//   - not indented (SOURCES.md row 9): hard wrap at a fixed width (265
//     columns of value), so the pieces are joined as they are, after
//     removing the trailing blanks the Q&A page added to every line;
//   - indented (rows 8 and 10): word wrap, which consumed one blank, so the
//     pieces are joined with one blank.
//
// Records start when a property name repeats or at a "<#" comment block.
func readFormatList(t testing.TB, name string) []map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(realDir, name))
	if err != nil {
		t.Fatal(err)
	}
	var recs []map[string]string
	cur := map[string]string{}
	last := ""
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimRight(l, " \r")
		switch {
		case strings.HasPrefix(strings.TrimSpace(l), "<#"):
			// A comment block of the EXO sample: one record each.
			if len(cur) > 0 {
				recs = append(recs, cur)
				cur = map[string]string{}
			}
			last = ""
		case strings.TrimSpace(l) == "" || strings.TrimSpace(l) == "#>":
			continue
		case propLine.MatchString(l) && !indented.MatchString(l):
			m := propLine.FindStringSubmatch(l)
			if _, dup := cur[m[1]]; dup {
				recs = append(recs, cur)
				cur = map[string]string{}
			}
			cur[m[1]] = m[2]
			last = m[1]
		case last != "" && indented.MatchString(l):
			cur[last] += " " + strings.TrimSpace(l)
		case last != "":
			cur[last] += l
		}
	}
	if len(cur) > 0 {
		recs = append(recs, cur)
	}
	return recs
}

// unbrace removes the braces PowerShell puts around an array value:
// "{a}" → "a". The samples hold one recipient each.
func unbrace(s string) string {
	if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
		return s[1 : len(s)-1]
	}
	return s
}

// readCmdlet turns the Format-List samples into rows. Field names differ
// between Get-MessageTrackingLog (SourceContext, RecipientStatus) and the
// EXO historical search (source_context, recipient_status).
func readCmdlet(t testing.TB, name string) []realRow {
	t.Helper()
	var rows []realRow
	for i, rec := range readFormatList(t, name) {
		pick := func(a, b string) string {
			if v, ok := rec[a]; ok {
				return v
			}
			return rec[b]
		}
		row := realRow{File: name, Line: i + 1,
			Source: pick("Source", "source"), Event: pick("EventId", "event_id"),
			SourceContext: pick("SourceContext", "source_context"),
			RawStatus:     pick("RecipientStatus", "recipient_status")}
		if _, ok := rec["RecipientStatus"]; ok {
			// The cmdlet has already split the field per recipient.
			if s := unbrace(row.RawStatus); s != "" {
				row.RecipStatus = []string{s}
			}
		} else {
			row.RecipStatus = splitList(row.RawStatus)
		}
		rows = append(rows, row)
	}
	return rows
}

// allRealRows reads every sample under testdata/real.
func allRealRows(t testing.TB) []realRow {
	t.Helper()
	var rows []realRow
	logs, err := filepath.Glob(filepath.Join(realDir, "*.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range logs {
		rows = append(rows, readRawLog(t, filepath.Base(p))...)
	}
	txts, err := filepath.Glob(filepath.Join(realDir, "cmdlet_output", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range txts {
		rows = append(rows, readCmdlet(t, filepath.Join("cmdlet_output", filepath.Base(p)))...)
	}
	return rows
}
