package messageinfo

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// realDir holds the project's real samples (see testdata/real/SOURCES.md).
const realDir = "../testdata/real"

// realValue is one message-info value found in the real samples.
type realValue struct {
	Name  string // file base name plus "#line" or "#record"
	Event string // "SMTP SEND", ...
	Value string
}

// realLogValues returns the message-info of every row of every .log file in
// testdata/real, empty ones included. Rows are split with encoding/csv (one
// line at a time: no sample has a line break inside a field). The column is
// found from the latest #Fields: header; files without one use the layout
// their field count implies (30 fields: 2016+, index 21; 21 fields: 2007,
// index 20). Rows that do not have enough fields are skipped: only the
// AGENTINFO sample whose whole row the poster wrapped in quotes.
func realLogValues(t *testing.T) []realValue { return realLogValuesTB(t) }

func realLogValuesTB(t testing.TB) []realValue {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(realDir, "*.log"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no real samples in %s: %v", realDir, err)
	}
	var out []realValue
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		data = bytes.TrimPrefix(data, []byte("\ufeff"))
		var fields []string
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<20)
		for line := 1; sc.Scan(); line++ {
			text := strings.TrimRight(sc.Text(), "\r")
			if rest, ok := strings.CutPrefix(text, "#Fields: "); ok {
				fields = strings.Split(rest, ",")
				continue
			}
			if text == "" || text[0] == '#' {
				continue
			}
			r := csv.NewReader(strings.NewReader(text))
			r.LazyQuotes = true
			r.FieldsPerRecord = -1
			rec, err := r.Read()
			if err != nil {
				t.Fatalf("%s:%d: %v", file, line, err)
			}
			col, src, ev := -1, -1, -1
			if fields != nil {
				for i, f := range fields {
					switch f {
					case "message-info":
						col = i
					case "source":
						src = i
					case "event-id":
						ev = i
					}
				}
			} else {
				switch len(rec) {
				case 30:
					col, src, ev = 21, 7, 8
				case 21:
					col, src, ev = 20, 7, 8
				}
			}
			if col < 0 || len(rec) <= col {
				continue
			}
			out = append(out, realValue{
				Name:  filepath.Base(file) + "#" + itoa(line),
				Event: rec[src] + " " + rec[ev],
				Value: rec[col],
			})
		}
	}
	return out
}

// realCmdletValues returns the message-info of every record in the
// PowerShell Format-List files of testdata/real/cmdlet_output, with the
// console wrapping undone by unwrapFormatList.
func realCmdletValues(t *testing.T) []realValue { return realCmdletValuesTB(t) }

func realCmdletValuesTB(t testing.TB) []realValue {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(realDir, "cmdlet_output", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cmdlet samples: %v", err)
	}
	var out []realValue
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		recs, _ := unwrapFormatList(string(data))
		for i, rec := range recs {
			v, ok := rec["MessageInfo"]
			if !ok {
				v, ok = rec["message_info"]
			}
			if !ok {
				continue
			}
			ev := rec["Source"] + " " + rec["EventId"]
			if ev == " " {
				ev = rec["source"] + " " + rec["event_id"]
			}
			out = append(out, realValue{
				Name:  filepath.Base(file) + "#record" + itoa(i+1),
				Event: ev,
				Value: v,
			})
		}
	}
	return out
}

// unwrapFormatList undoes the console wrapping of `Format-List` output and
// returns one map per record (property name → value), and the wrap width it
// inferred.
//
// The rule, checked against all three cmdlet samples: the console breaks a
// value into lines of at most W characters (W = window width minus the
// "Name : " column). A line shorter than W was broken at a space, which the
// break consumed, so it is joined to the next with one space; a line of
// exactly W characters was cut inside a word and is joined with nothing. W
// is the longest value line in the file. Continuation lines are indented to
// the value column (one poster dropped that indentation; both are
// accepted). Blank lines and trailing spaces (added when the output was
// pasted) are dropped. A new record starts at a repeated property name.
func unwrapFormatList(text string) ([]map[string]string, int) {
	type vline struct {
		key  string // property name on its first line, "" on continuations
		text string
	}
	var lines []vline
	col := 0
	for raw := range strings.SplitSeq(text, "\n") {
		line := strings.TrimRight(raw, " \r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if key, val, c, ok := cutProperty(line); ok {
			lines = append(lines, vline{key, val})
			col = c
			continue
		}
		if len(lines) == 0 {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		lines = append(lines, vline{"", line[min(indent, col):]})
	}
	width := 0
	for _, l := range lines {
		width = max(width, len(l.text))
	}
	var recs []map[string]string
	var cur map[string]string
	var key string
	var b strings.Builder
	prevLen := 0
	flush := func() {
		if key != "" {
			cur[key] = b.String()
		}
		b.Reset()
	}
	for _, l := range lines {
		if l.key != "" {
			flush()
			key = l.key
			if cur == nil || hasKey(cur, key) {
				cur = map[string]string{}
				recs = append(recs, cur)
			}
			b.WriteString(l.text)
			prevLen = len(l.text)
			continue
		}
		if prevLen < width {
			b.WriteByte(' ')
		}
		b.WriteString(l.text)
		prevLen = len(l.text)
	}
	flush()
	return recs, width
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// cutProperty splits "Name   : value" (optionally indented, as in a
// PowerShell comment block); c is the value's column.
func cutProperty(line string) (key, val string, c int, ok bool) {
	trimmed := strings.TrimLeft(line, " ")
	lead := len(line) - len(trimmed)
	i := 0
	for i < len(trimmed) && (trimmed[i] == '_' || trimmed[i] >= 'a' && trimmed[i] <= 'z' || trimmed[i] >= 'A' && trimmed[i] <= 'Z') {
		i++
	}
	if i == 0 {
		return "", "", 0, false
	}
	j := i
	for j < len(trimmed) && trimmed[j] == ' ' {
		j++
	}
	if j == i || j >= len(trimmed) || trimmed[j] != ':' {
		return "", "", 0, false
	}
	k := j + 1
	if k < len(trimmed) && trimmed[k] == ' ' {
		k++
	}
	return trimmed[:i], trimmed[k:], lead + k, true
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestUnwrapFormatList pins the unwrapping rule on the cmdlet samples: the
// inferred widths, and the joins it makes in the message-info values (a
// space where a word was wrapped, nothing where a long token was cut).
func TestUnwrapFormatList(t *testing.T) {
	tests := []struct {
		file     string
		width    int
		contains []string
	}{
		{"learn.microsoft.com_answers_208018_Get-MessageTrackingLog_FAIL_fl.txt", 92,
			[]string{"SMRC=0.103(", "CATSM-Malware Agent=0.117", "CATRS-DLP Policy Agent", "CATRT-RMS Encryption Agent", "CATRT-Journal Agent=0.002)))|UNK"}},
		{"learn.microsoft.com_answers_134852_Get-MessageTrackingLog_DELIVERFAIL_FAIL_fl.txt", 265,
			[]string{"D-PEN=0.938 (SDDSINI=0.023", "|SDDCM=0.383(SDDCM-Meeting Message Processing Agent-INC=0.383))"}},
		{"tostka_verb-EXO_Public_convert-HistoricalSearchCSV_EXO_extended_report_fl.txt", 209,
			[]string{"MTSSDSDM-Mailbox Submission Filter Agent=0.025", "R-HSRR=0.023 )))|CAT", "CATRS-DC Content Filter Agent", "HSDSP=0.052 (HSRR=0.051)", "SDDPM-Inference Classification Agent"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(realDir, "cmdlet_output", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			recs, width := unwrapFormatList(string(data))
			if width != tt.width {
				t.Errorf("unwrapFormatList(%s) width = %d, want %d", tt.file, width, tt.width)
			}
			var all strings.Builder
			for _, r := range recs {
				all.WriteString(r["MessageInfo"])
				all.WriteString(r["message_info"])
				all.WriteByte('\n')
			}
			for _, s := range tt.contains {
				if !strings.Contains(all.String(), s) {
					t.Errorf("unwrapped message-info of %s lacks %q; got:\n%s", tt.file, s, all.String())
				}
			}
		})
	}
}
