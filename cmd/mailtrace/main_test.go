package main

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// binary is the mailtrace command built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	if fuzzing() {
		os.Exit(m.Run()) // the fuzzers need no binary, and each fuzz worker would build one
	}
	dir, err := os.MkdirTemp("", "mailtrace-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "mailtrace")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		panic("go build: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fuzzing reports whether the test binary runs a fuzzer (-fuzz), as the
// coordinator or as one of its workers.
func fuzzing() bool {
	for _, name := range []string{"test.fuzz", "test.fuzzworker"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" && f.Value.String() != "false" {
			return true
		}
	}
	return false
}

// runCmd runs the built binary from the repository root.
func runCmd(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/mailtrace -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

func TestGoldenOutputs(t *testing.T) {
	cases := "correlate/testdata/cases"
	tests := []struct {
		golden string
		args   []string
	}{
		{"events-table.txt", []string{"events", cases}},
		{"events-jsonl.txt", []string{"events", "-format", "jsonl", cases + "/dl-two-members"}},
		{"events-csv.txt", []string{"events", "-format", "csv", cases + "/deliverfail"}},
		{"events-filtered.txt", []string{"events", "-event-id", "deliver,send", "-recipient", "user1@contoso.com", cases}},
		{"events-tz.txt", []string{"events", "-tz", "Europe/Berlin", "-start", "2024-05-06T12:00", "-end", "2024-05-06 13:00", cases}},
		{"trace-text.txt", []string{"trace", cases}},
		{"trace-json.txt", []string{"trace", "-json", cases}},
		{"trace-subject.txt", []string{"trace", "-subject", "LUNCH", cases}},
		{"trace-dot.txt", []string{"trace", "-dot", cases + "/dl-two-members"}},
		{"trace-mermaid.txt", []string{"trace", "-mermaid", cases + "/inbound"}},
		{"stats.txt", []string{"stats", cases}},
		{"stats-json.txt", []string{"stats", "-format", "json", cases}},
		{"stats-csv.txt", []string{"stats", "-format", "csv", cases}},
		{"trace-csv.txt", []string{"trace", "-format", "csv", cases}},
		{"trace-recipients.txt", []string{"trace", "-recipients", cases}},
		{"trace-recipients-jsonl.txt", []string{"trace", "-recipients", "-format", "jsonl", cases}},
		{"events-json.txt", []string{"events", "-format", "json", "-event-id", "deliver", cases}},
		{"submitters.txt", []string{"submitters", cases}},
		{"submitters-csv.txt", []string{"submitters", "-csv", cases}},
		{"submitters-json.txt", []string{"submitters", "-json", cases}},
		{"sample-trace-group.txt", []string{"trace", "-recipient", "partners@contoso.com", "testdata/sample-org"}},
		{"sample-trace-ndr.txt", []string{"trace", "-sender", "microsoftexchange329e71ec88ae4615bbc36ab6ce41109e@contoso.com", "-start", "2024-03-04T08:00", "-end", "2024-03-04T08:01", "testdata/sample-org"}},
		{"sample-stats.txt", []string{"stats", "testdata/sample-org"}},
		{"sample-stats-json.txt", []string{"stats", "-format", "json", "-top", "3", "testdata/sample-org"}},
		{"sample-submitters.txt", []string{"submitters", "testdata/sample-org"}},
		{"sample-events-message.txt", []string{"events", "-message-id", "<72a6de01cfbe810b9d7a@out.litwareinc.com>", "testdata/sample-org"}},
		{"sample-trace-sharded.txt", []string{"trace", "-json", "-workers", "2", "-recipient", "partners@contoso.com", "testdata/sample-org"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			out, errOut, code := runCmd(t, "", tt.args...)
			if code != 0 {
				t.Fatalf("mailtrace %v: exit %d, stderr %s", tt.args, code, errOut)
			}
			golden(t, tt.golden, out)
		})
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		inStderr string
	}{
		{"no command", "", nil, 2, "usage"},
		{"unknown command", "", []string{"frobnicate"}, 2, "unknown command"},
		{"missing path", "", []string{"events", "no/such/dir"}, 2, "no such file"},
		{"no path", "", []string{"trace"}, 2, "no PATH"},
		{"bad flag", "", []string{"events", "-format", "xml", "testdata"}, 2, "-format"},
		{"bad time", "", []string{"events", "-start", "last tuesday", "testdata"}, 2, "-start"},
		{"bad tz", "", []string{"events", "-tz", "Mars/Olympus", "testdata"}, 2, "-tz"},
		{"bad source", "", []string{"events", "-source", "PIGEON", "testdata"}, 2, "unknown source"},
		{"dir without logs", "", []string{"stats", "internal/ascii"}, 1, "no message tracking logs"}, // no row read at all: exit 1, as the README says
		{"malformed warned", "#Fields: date-time,event-id\r\n2024-01-01T00:00:00.000Z,SEND\r\nbad,row,x\r\n", []string{"events", "-"}, 0, "1 malformed"},
		{"malformed strict", "#Fields: date-time,event-id\r\n2024-01-01T00:00:00.000Z,SEND\r\nbad,row,x\r\n", []string{"events", "-strict", "-"}, 1, "wrong number of fields"},
		{"help", "", []string{"trace", "-h"}, 0, "usage: mailtrace trace"},
		{"unknown event id", "", []string{"events", "-event-id", "RECIEVE", "testdata"}, 2, "did you mean RECEIVE?"},
		{"flag after the path", "", []string{"events", "correlate/testdata/cases", "-event-id", "RECIEVE"}, 2, "did you mean RECEIVE?"},
		{"start after end", "", []string{"events", "-start", "2024-03-05", "-end", "2024-03-04", "testdata"}, 2, "is after -end"},
		{"empty window", "", []string{"events", "-start", "2024-03-04 08:00", "-end", "2024-03-04T08:00:00Z", "testdata"}, 2, "the window is empty"},
		{"workers below 1", "", []string{"stats", "-workers", "0", "testdata"}, 2, "-workers must be at least 1"},
		{"bad size", "", []string{"events", "-min-size", "5TB", "testdata"}, 2, "-min-size"},
		{"bad prefix", "", []string{"events", "-client-ip", "10.0.0.0/33", "testdata"}, 2, "-client-ip"},
		{"bad status", "", []string{"trace", "-status", "lost", "testdata"}, 2, "unknown outcome"},
		{"excel without csv", "", []string{"events", "-excel", "testdata"}, 2, "-excel applies to -format csv"},
		{"json and csv", "", []string{"events", "-json", "-csv", "testdata"}, 2, "choose one of -json, -csv"},
		{"alias contradicts format", "", []string{"events", "-json", "-format", "csv", "testdata"}, 2, "contradicts -format csv"},
		{"no parquet for stats", "", []string{"stats", "-format", "parquet", "testdata"}, 2, "is not one of table, csv, jsonl, json"},
		{"filter matched nothing", "", []string{"events", "-subject", "no such subject", "correlate/testdata/cases"}, 1, "no event matched"},
		{"trace matched nothing", "", []string{"trace", "-sender", "*@nowhere.example", "correlate/testdata/cases"}, 1, "no message matched"},
		{"unknown server", "", []string{"events", "-server", "EX9", "correlate/testdata/cases"}, 1, "  -server EX9\n  (the inputs were found under EX1, EX2, EXCH003, server)\n"},
		{"two readers of stdin", "a@x\n", []string{"events", "-message-id-file", "-", "-"}, 2, "standard input is already read by PATH -"},
		{"empty id file", "# nothing\n", []string{"events", "-message-id-file", "-", "correlate/testdata/cases"}, 2, "no values in the file"},
		{"help command", "", []string{"help", "nosuch"}, 2, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runCmd(t, tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("mailtrace %v: exit %d, stderr %q; want exit %d and %q", tt.args, code, stderr, tt.code, tt.inStderr)
			}
		})
	}
}

// TestHabits: what admins type works, and says what it did.
func TestHabits(t *testing.T) {
	cases := "correlate/testdata/cases"
	tests := []struct {
		name        string
		stdin       string
		args        []string
		code        int
		inStdout    []string
		notInStdout []string
		inStderr    string
		stdoutLines int // when > 0
	}{
		{name: "help CMD prints the command's flags", args: []string{"help", "events"}, inStdout: []string{"usage: mailtrace events", "-message-id-file"}},
		{name: "version", args: []string{"version"}, inStdout: []string{"mailtrace ", "go1."}},
		{name: "message-id file: unmatched ids listed, exit 1", stdin: "# zapped\n<CAF3x9kQ=p1@mail.gmail.com>\n\nnot-in-the-logs@x\n",
			args: []string{"trace", "-format", "csv", "-message-id-file", "-", cases}, code: 1,
			inStdout: []string{"bob@contoso.com"}, inStderr: "1 value(s) matched nothing:\n  -message-id not-in-the-logs@x\n", stdoutLines: 2},
		{name: "message-id file: all matched, exit 0", stdin: "CAF3x9kQ=p1@mail.gmail.com\n",
			args: []string{"events", "-format", "csv", "-message-id-file", "-", cases}, inStdout: []string{"anna@fabrikam.net"}},
		{name: "domain pattern", args: []string{"trace", "-recipients", "-sender", "@fabrikam.net", cases}, inStdout: []string{"anna@fabrikam.net"}, notInStdout: []string{"scanner@"}},
		{name: "status", args: []string{"trace", "-format", "csv", "-status", "failed", cases}, inStdout: []string{"failed"}, notInStdout: []string{"delivered"}, stdoutLines: 3},
		{name: "client ip CIDR", args: []string{"trace", "-format", "csv", "-client-ip", "10.20.30.0/24", cases}, inStdout: []string{"scanner@contoso.com"}, stdoutLines: 2},
		{name: "anonymous submitters", args: []string{"submitters", "-anonymous", cases}, inStdout: []string{"Anonymous"}, notInStdout: []string{"Internal"}},
		{name: "result size", args: []string{"events", "-format", "csv", "-result-size", "3", cases}, stdoutLines: 4, inStderr: "stopped after 3 events (-result-size)"},
		{name: "result size, rows all from files still open", args: []string{"events", "-format", "csv", "-result-size", "3", "testdata/sample-org"}, stdoutLines: 4, inStderr: "stopped after 3 events (-result-size)"},
		{name: "result size, report", args: []string{"trace", "-format", "csv", "-result-size", "2", cases}, stdoutLines: 3, inStderr: "stopped after 2 recipients"},
		{name: "result size: ids beyond it are not called unmatched", stdin: "<CAF3x9kQ=p1@mail.gmail.com>\nnot-in-the-logs@x\n",
			args: []string{"events", "-format", "csv", "-result-size", "1", "-message-id-file", "-", cases}, stdoutLines: 2, inStderr: "stopped after 1 events"},
		{name: "min size", args: []string{"trace", "-format", "csv", "-min-size", "10MB", cases}, inStdout: []string{"user2019@"}, stdoutLines: 2},
		{name: "excel BOM", args: []string{"stats", "-format", "csv", "-excel", cases}, inStdout: []string{"\ufeffsection,key,value,error\n"}},
		{name: "today, with nothing today", args: []string{"events", "-start", "today", cases}, code: 1, inStderr: "no event matched"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runCmd(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Errorf("mailtrace %q: exit %d, want %d; stderr:\n%s", tt.args, code, tt.code, stderr)
			}
			for _, want := range tt.inStdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("mailtrace %q: %q not in stdout:\n%s", tt.args, want, stdout)
				}
			}
			for _, no := range tt.notInStdout {
				if strings.Contains(stdout, no) {
					t.Errorf("mailtrace %q: %q in stdout:\n%s", tt.args, no, stdout)
				}
			}
			if !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("mailtrace %q: %q not in stderr:\n%s", tt.args, tt.inStderr, stderr)
			}
			if n := strings.Count(stdout, "\n"); tt.stdoutLines > 0 && n != tt.stdoutLines {
				t.Errorf("mailtrace %q: %d lines, want %d:\n%s", tt.args, n, tt.stdoutLines, stdout)
			}
		})
	}
}

func TestStdinGzip(t *testing.T) {
	// A gzipped log on standard input is read like a file.
	data, err := os.ReadFile(filepath.Join("..", "..", "correlate", "testdata", "cases", "inbound", "EX1", "MSGTRK20240506-1.LOG"))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := newGzip(&gz)
	zw.Write(data)
	zw.Close()
	out, stderr, code := runCmd(t, gz.String(), "events", "-format", "csv", "-")
	if code != 0 || strings.Count(out, "\n") != 5 {
		t.Errorf("exit %d, %d lines, stderr %s:\n%s", code, strings.Count(out, "\n"), stderr, out)
	}
}

// TestWarningsShown: malformed lines are all counted, the first five are
// shown with their position, and every good line is still read.
func TestWarningsShown(t *testing.T) {
	in := "#Fields: date-time,event-id\r\n"
	for i := 0; i < 7; i++ {
		in += "2024-01-01T00:00:00.000Z,SEND\r\nbad,row,x\r\n"
	}
	stdout, stderr, code := runCmd(t, in, "events", "-format", "csv", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "7 malformed") {
		t.Errorf("stderr does not count 7 malformed lines:\n%s", stderr)
	}
	shown := 0
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, "wrong number of fields") {
			shown++
		}
	}
	if shown != 5 || !strings.Contains(stderr, ":3:") || strings.Contains(stderr, ":13:") {
		t.Errorf("%d warnings shown, want the first 5 (lines 3 to 11):\n%s", shown, stderr)
	}
	if n := strings.Count(stdout, "SEND"); n != 7 {
		t.Errorf("%d good rows written, want 7:\n%s", n, stdout)
	}
}

// TestSummaryNamesEmptyKeys: a row with no server (or sender, or event id)
// is counted under "(none)" in the text summary, not under a blank line.
func TestSummaryNamesEmptyKeys(t *testing.T) {
	var buf bytes.Buffer
	writeSummary(&buf, report.Summary{Servers: []report.Entry{{Key: "EX01", Count: 3}, {Key: "", Count: 2}}}, time.UTC)
	out := buf.String()
	if !strings.Contains(out, "2  (none)\n") || !strings.Contains(out, "3  EX01\n") {
		t.Errorf("summary:\n%s", out)
	}
}

// TestBackslashesAsWritten: Exchange escapes only line breaks (format.md
// §3.1), so every output keeps a value's backslashes as logged ("\\fs01"
// stays two backslashes), and decodes \r and \n in free text only (§12
// step 5): the subject's escaped line break becomes one, the connector's
// "\relay" does not.
func TestBackslashesAsWritten(t *testing.T) {
	in := "#Fields: date-time,connector-id,event-id,message-subject\r\n" +
		`2024-01-01T00:00:00.000Z,EX01\relay for scanners,RECEIVE,Scan saved to \\fs01\scans` + "\r\n" +
		`2024-01-01T00:00:01.000Z,EX01\newsletter,RECEIVE,line1\nline2` + "\r\n"
	stdout, stderr, code := runCmd(t, in, "events", "-format", "jsonl", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		`"connector_id":"EX01\\relay for scanners"`,
		`"message_subject":"Scan saved to \\\\fs01\\scans"`,
		`"connector_id":"EX01\\newsletter"`,
		`"message_subject":"line1\nline2"`,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("jsonl lacks %s:\n%s", want, stdout)
		}
	}
	stdout, stderr, code = runCmd(t, in, "events", "-format", "csv", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{`,EX01\relay for scanners,`, `,Scan saved to \\fs01\scans`, `,EX01\newsletter,`, "\"line1\nline2\""} {
		if !strings.Contains(stdout, want) {
			t.Errorf("csv lacks %q:\n%s", want, stdout)
		}
	}
	stdout, stderr, code = runCmd(t, in, "trace", "-json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := `"subject":"Scan saved to \\\\fs01\\scans"`; !strings.Contains(stdout, want) {
		t.Errorf("trace -json lacks %s:\n%s", want, stdout)
	}
}

// TestMixedGenerationsWarned: rows of Exchange 2013 and later are keyed by
// network-message-id, rows of 2007 and 2010 have none (format.md §6), so
// a message that crossed between them is two traces: the command says so,
// even with -quiet; with one generation only, it says nothing.
func TestMixedGenerationsWarned(t *testing.T) {
	dir := t.TempDir()
	write := func(server, name, version, fields, row string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, server), 0o755); err != nil {
			t.Fatal(err)
		}
		data := "#Software: Microsoft Exchange Server\r\n#Version: " + version + "\r\n#Log-type: Message Tracking Log\r\n#Date: 2024-03-04T08:00:00.000Z\r\n#Fields: " + fields + "\r\n" + row + "\r\n"
		if err := os.WriteFile(filepath.Join(dir, server, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("EX13", "MSGTRK2024030408-1.LOG", "15.00.1497.010", "date-time,server-hostname,client-hostname,source,event-id,message-id,network-message-id,sender-address,recipient-address",
		"2024-03-04T08:00:01.000Z,EX13,client.contoso.com,SMTP,RECEIVE,<m1@contoso.com>,19191919-2222-3333-4444-08dc00000017,ann@contoso.com,bob@contoso.com")
	const warning = "have no such column: a message that crossed between them is shown as two traces"
	_, stderr, code := runCmd(t, "", "trace", "-quiet", dir)
	if code != 0 || strings.Contains(stderr, warning) {
		t.Fatalf("one generation: exit %d, stderr:\n%s", code, stderr)
	}
	write("HUB10", "MSGTRK20240304-1.LOG", "14.03.123.004", "date-time,server-hostname,client-hostname,source,event-id,message-id,sender-address,recipient-address",
		"2024-03-04T08:00:02.000Z,HUB10,ex13.contoso.com,SMTP,RECEIVE,<m1@contoso.com>,ann@contoso.com,bob@contoso.com")
	for _, cmd := range []string{"trace", "stats"} {
		_, stderr, code = runCmd(t, "", cmd, "-quiet", dir)
		if code != 0 || !strings.Contains(stderr, warning) || !strings.Contains(stderr, "EX13") || !strings.Contains(stderr, "HUB10") {
			t.Errorf("%s of mixed generations: exit %d, stderr:\n%s", cmd, code, stderr)
		}
	}
}
