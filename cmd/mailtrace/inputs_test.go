package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mailtrace/mailtrace/export"
	"github.com/mailtrace/mailtrace/internal/exportgen"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
	"github.com/mailtrace/mailtrace/report"
)

const sampleOrg = "../../testdata/sample-org"

// readEvents returns the rows of the tracking logs under path, by server,
// each server's in the order of its files.
func readEvents(t *testing.T, path string) (byServer map[string][]msgtrk.Event, servers []string) {
	t.Helper()
	inputs, err := msgtrk.OpenPaths(path)
	if err != nil {
		t.Fatal(err)
	}
	byServer = map[string][]msgtrk.Event{}
	for _, in := range inputs {
		rc, err := in.Open()
		if err != nil {
			t.Fatal(err)
		}
		r := msgtrk.NewReader(rc)
		for r.Next() {
			if _, ok := byServer[in.Server]; !ok {
				servers = append(servers, in.Server)
			}
			byServer[in.Server] = append(byServer[in.Server], r.Record().Event())
		}
		rc.Close()
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(servers)
	return byServer, servers
}

// sampleEvents returns the rows of the sample organisation server after
// server (as Get-ExchangeServer | Get-MessageTrackingLog gives them: each
// server's rows in time order, the servers one after the other).
func sampleEvents(t *testing.T) []msgtrk.Event {
	t.Helper()
	byServer, servers := readEvents(t, sampleOrg)
	var all []msgtrk.Event
	for _, s := range servers {
		evs := byServer[s]
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].Get(msgtrk.DateTime) < evs[j].Get(msgtrk.DateTime) })
		all = append(all, evs...)
	}
	return all
}

// readTruthFile reads a simulator's truth.jsonl.
func readTruthFile(t *testing.T, path string) *msgtrktest.Truth {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	truth, err := msgtrktest.ReadTruth(f)
	if err != nil {
		t.Fatal(err)
	}
	return truth
}

// statsJSON runs mailtrace stats -json with args and returns the summary.
func statsJSON(t *testing.T, args ...string) (report.Summary, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(append([]string{"stats", "-json"}, args...), &stdout, &stderr); code != 0 {
		t.Fatalf("mailtrace stats %v: exit %d\n%s", args, code, stderr.String())
	}
	var s report.Summary
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	return s, stderr.String()
}

func writeFile(t *testing.T, dir, name string, write func(*bytes.Buffer) error) string {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// summaryMessages builds the Exchange Online view of the sample
// organisation from its truth: each message with the time of its first row
// and, in the service's order, its direct recipients, then each group
// expanded followed by the members it brought (the innermost group).
func summaryMessages(t *testing.T, evs []msgtrk.Event) []exportgen.Message {
	t.Helper()
	truth := readTruthFile(t, filepath.Join(sampleOrg, "truth.jsonl"))
	first := map[string]time.Time{}
	for i := range evs {
		id := strings.ToLower(evs[i].Get(msgtrk.NetworkMessageID))
		tm, ok := msgtrk.ParseTime(evs[i].Get(msgtrk.DateTime))
		if id == "" || !ok {
			continue
		}
		if f, seen := first[id]; !seen || tm.Before(f) {
			first[id] = tm
		}
	}
	var msgs []exportgen.Message
	for _, m := range truth.Messages {
		msg := exportgen.Message{Received: first[m.Key], Sender: m.Sender, Subject: m.Subject, Size: m.Size,
			MessageID: m.MessageID, NetworkMessageID: m.NetworkMessageID, ClientIP: m.Origin.OriginalClientIP,
			Inbound: m.Kind.String() == "inbound"}
		if msg.Received.IsZero() {
			t.Fatalf("message %s has no row", m.Key)
		}
		byGroup := map[string][]exportgen.Outcome{}
		for _, r := range m.Recipients {
			o := exportgen.Outcome{Address: r.Address, Status: r.Status}
			if n := len(r.ExpandedFrom); n > 0 {
				o.Group = r.ExpandedFrom[n-1]
				byGroup[o.Group] = append(byGroup[o.Group], o)
				continue
			}
			msg.Outcomes = append(msg.Outcomes, o)
		}
		for _, x := range m.Expansions {
			msg.Outcomes = append(msg.Outcomes, exportgen.Outcome{Address: x.Group, Status: "group"})
			msg.Outcomes = append(msg.Outcomes, byGroup[x.Group]...)
			delete(byGroup, x.Group)
		}
		if len(byGroup) > 0 {
			t.Fatalf("message %s: recipients of groups never expanded: %v", m.Key, byGroup)
		}
		msgs = append(msgs, msg)
	}
	// The service lists the newest message first.
	slices.Reverse(msgs)
	return msgs
}

// TestExportRoundTrip exports the sample organisation in each form an
// administrator may have, as the tools write them, and requires stats -json
// on the export to give the counts of the raw logs for every count the form
// carries; the others are named, with why the form cannot carry them.
func TestExportRoundTrip(t *testing.T) {
	evs := sampleEvents(t)
	raw, _ := statsJSON(t, sampleOrg)
	msgs := summaryMessages(t, evs)
	dir := t.TempDir()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	newYork, _ := time.LoadLocation("America/New_York")
	shuffled := slices.Clone(evs)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })

	// Every count of report.Counts, by its JSON name.
	all := []string{"unique_messages", "ndrs", "orphan_traces", "recipients", "deliveries", "delivered", "sent_external",
		"failed", "dropped", "duplicate", "pending", "group_expansions", "recipients_from_groups", "duplicate_rows", "shadow_rows"}
	except := func(names ...string) []string {
		return slices.DeleteFunc(slices.Clone(all), func(n string) bool { return slices.Contains(names, n) })
	}
	// What the summary forms cannot carry: NDRs are not told apart from
	// other messages; shadow and duplicate rows are a server's events;
	// Get-MessageTrace lists a group and then its members, so a member
	// reached twice (through two groups) is listed once, under one group.
	summaryLacks := []string{"ndrs", "duplicate_rows", "shadow_rows"}
	tests := []struct {
		name    string
		args    []string
		write   func(*bytes.Buffer) error
		carries []string
		notice  string // a notice the run must give, if any
	}{
		{"cmdlet-ps51-de-DE.csv", []string{"-tz", "Europe/Berlin"}, func(b *bytes.Buffer) error {
			return exportgen.CmdletCSV(b, evs, exportgen.CSV{Culture: exportgen.DeDE, Zone: berlin, Lists: exportgen.Joined})
		}, all, "sorted by time"},
		{"cmdlet-ps7-en-US-no-tz.csv", nil, func(b *bytes.Buffer) error {
			return exportgen.CmdletCSV(b, evs, exportgen.CSV{PS7: true, Culture: exportgen.EnUS, Zone: newYork, Lists: exportgen.Joined})
		}, all, "read as UTC-05:00"},
		{"cmdlet-ps7-en-GB.csv", []string{"-tz", "UTC"}, func(b *bytes.Buffer) error {
			return exportgen.CmdletCSV(b, evs, exportgen.CSV{PS7: true, Culture: exportgen.EnGB, Zone: time.UTC, Lists: exportgen.Joined})
		}, all, ""},
		{"cmdlet-readme-command.csv", nil, func(b *bytes.Buffer) error {
			return exportgen.CmdletCSV(b, evs, exportgen.CSV{PS7: true, Culture: exportgen.ISO, Lists: exportgen.Joined})
		}, all, ""},
		// Export-Csv without the README's command loses every list: the
		// recipients (so recipients, deliveries and every outcome), the
		// references that tie an NDR to its message, and EventData.
		{"cmdlet-ps51-lists-lost.csv", []string{"-tz", "UTC"}, func(b *bytes.Buffer) error {
			return exportgen.CmdletCSV(b, evs, exportgen.CSV{Culture: exportgen.SvSE, Zone: time.UTC, Lists: exportgen.TypeName})
		}, []string{"unique_messages", "orphan_traces", "group_expansions", "duplicate_rows", "shadow_rows"}, "the recipients in them were lost"},
		{"format-list-ja-JP.txt", []string{"-tz", "Asia/Tokyo"}, func(b *bytes.Buffer) error {
			tokyo, _ := time.LoadLocation("Asia/Tokyo")
			return exportgen.FormatList(b, evs, exportgen.List{Culture: exportgen.JaJP, Zone: tokyo, Width: 160})
		}, all, ""},
		// Format-List with the default $FormatEnumerationLimit (4) shows
		// the first four members of a list: recipients beyond them, and
		// their outcomes, are lost.
		{"format-list-limit-4.txt", []string{"-tz", "Europe/Berlin"}, func(b *bytes.Buffer) error {
			return exportgen.FormatList(b, evs, exportgen.List{Culture: exportgen.DeDE, Zone: berlin, Width: 120, EnumerationLimit: 4})
		}, []string{"unique_messages", "ndrs", "orphan_traces", "sent_external", "failed", "dropped", "duplicate", "group_expansions", "duplicate_rows", "shadow_rows"}, "$FormatEnumerationLimit"},
		{"extended-report.csv", nil, func(b *bytes.Buffer) error {
			return exportgen.ExtendedReport(b, shuffled)
		}, all, "sorted by time"},
		{"message-trace-v1-ps51.csv", nil, func(b *bytes.Buffer) error {
			return exportgen.MessageTraceCSV(b, msgs, exportgen.EnUS, false, false)
		}, except(append(summaryLacks, "recipients_from_groups", "recipients")...), ""},
		{"message-trace-v2-utf16.csv", nil, func(b *bytes.Buffer) error {
			return exportgen.MessageTraceCSV(b, msgs, exportgen.DeDE, true, true)
		}, except(append(summaryLacks, "recipients_from_groups", "recipients")...), ""},
		{"historical-summary.csv", nil, func(b *bytes.Buffer) error {
			return exportgen.SummaryReport(b, msgs)
		}, except(append(summaryLacks, "recipients_from_groups")...), ""},
	}
	rawCounts := countsByName(t, raw.Counts)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, dir, tt.name, tt.write)
			got, stderr := statsJSON(t, append(tt.args, p)...)
			if tt.notice != "" && !strings.Contains(stderr, tt.notice) {
				t.Errorf("stderr lacks %q:\n%s", tt.notice, stderr)
			}
			gotCounts := countsByName(t, got.Counts)
			for _, name := range tt.carries {
				if gotCounts[name] != rawCounts[name] {
					t.Errorf("%s = %d, raw logs %d", name, gotCounts[name], rawCounts[name])
				}
			}
			for _, name := range all {
				if !slices.Contains(tt.carries, name) {
					t.Logf("%s = %d (raw logs %d): not carried by this form", name, gotCounts[name], rawCounts[name])
				}
			}
		})
	}
}

// countsByName returns the counts by their JSON names.
func countsByName(t *testing.T, c any) map[string]int64 {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]int64
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRefused: each kind of file that is not tracking data exits 1 with
// one line naming the file and what it is.
func TestRefused(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content string
		reason        string
	}{
		{"RECV2024030408-1.LOG", "#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: SMTP Receive Protocol Log\r\n#Date: 2024-03-04T08:00:00.125Z\r\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n2024-03-04T08:00:00.125Z,EX01\\Default EX01,08DC3C1A2B3C4D5E,0,10.0.0.11:25,10.0.30.12:51234,+,,\r\n",
			"an SMTP Receive protocol log, not a message tracking log"},
		{"SEND2024030408-1.LOG", "#Software: Microsoft Exchange Server\r\n#Log-type: SMTP Send Protocol Log\r\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n",
			"an SMTP Send protocol log, not a message tracking log"},
		{"CONNECTLOG20240304-1.LOG", "#Software: Microsoft Exchange Server\r\n#Log-type: Transport Connectivity Log\r\n#Fields: date-time,session,source,Destination,direction,description\r\n",
			"a transport connectivity log, not a message tracking log"},
		{"u_ex240304.log", "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2024-03-04 08:00:00\r\n#Fields: date time s-ip cs-method cs-uri-stem s-port c-ip sc-status\r\n",
			"a W3C extended log (Microsoft Internet Information Services 10.0), not a message tracking log"},
		{"users.csv", "Name,Department,Phone\r\nAlex,Sales,555-0100\r\n",
			`a CSV file of other columns ("Name", "Department", "Phone"), not a message tracking log or a known export`},
		{"notes-utf16.txt", string(utf16LE("Meeting notes\r\nnothing here\r\n")),
			`UTF-16LE text that is neither a message tracking log nor a known export (it starts with "Meeting notes")`},
		{"MSGTRK20240304-1.LOG", "\x00\x00\x00\x00\x00\x00\x00\x00garbage",
			"binary data (a NUL byte at offset 0), not a message tracking log"},
		{"logs.zip", "PK\x03\x04\x14\x00\x00\x00\x08\x00",
			"a ZIP archive (extract it first), not a message tracking log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name)
			if err := os.WriteFile(p, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, cmd := range []string{"events", "trace", "stats", "submitters"} {
				var stdout, stderr bytes.Buffer
				code := run([]string{cmd, p}, &stdout, &stderr)
				want := "mailtrace: " + p + ": " + tt.reason + "\n"
				if code != 1 || !strings.Contains(stderr.String(), want) {
					t.Errorf("mailtrace %s: exit %d, stderr:\n%s\nwant exit 1 and %q", cmd, code, stderr.String(), want)
				}
				if stdout.Len() != 0 {
					t.Errorf("mailtrace %s wrote output: %q", cmd, stdout.String())
				}
			}
		})
	}
}

func utf16LE(s string) []byte {
	var b bytes.Buffer
	if err := exportgen.WriteUTF16LE(&b, s); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// TestRefusedAmongGood: a file named on the command line that is refused
// ends the run before anything is read, even beside good inputs; under a
// directory, a file with a tracking log's name that is not one is skipped
// with a warning, and other files are ignored with a note.
func TestRefusedAmongGood(t *testing.T) {
	dir := t.TempDir()
	recv := filepath.Join(dir, "RECV2024030408-1.LOG")
	if err := os.WriteFile(recv, []byte("#Log-type: SMTP Receive Protocol Log\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"stats", "-json", sampleOrg, recv}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), recv+": an SMTP Receive protocol log") || stdout.Len() != 0 {
		t.Errorf("named: exit %d, stdout %d bytes, stderr %s", code, stdout.Len(), stderr.String())
	}
	if err := os.CopyFS(filepath.Join(dir, "org"), os.DirFS(sampleOrg)); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "org", "EX01", "MSGTRK20240304-2.LOG")
	if err := os.WriteFile(bad, []byte("#Log-type: Transport Connectivity Log\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "org", "notes.txt"), []byte("collected on monday\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "org", "EX01", "users.csv"), []byte("Name,Phone\r\nAlex,555-0100\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	code = run([]string{"stats", "-json", filepath.Join(dir, "org")}, &stdout, &stderr)
	if code != 0 || !strings.Contains(stderr.String(), "warning: skipped "+bad+": a transport connectivity log") ||
		!strings.Contains(stderr.String(), "1 file(s) ignored that look like logs or exports") {
		t.Errorf("in a directory: exit %d, stderr %s", code, stderr.String())
	}
	var s report.Summary
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil || s.Counts.Messages != 314 {
		t.Errorf("the good inputs were not read: %v, %+v", err, s.Counts)
	}
}

// TestNoRows: a run in which no input gives a row exits 1; malformed
// lines beside good rows keep exit 0.
func TestNoRows(t *testing.T) {
	hdr := "#Fields: date-time,event-id,message-id\r\n"
	for _, tt := range []struct {
		name, stdin string
		code        int
		stderr      string
	}{
		{"empty", "", 1, "no message tracking rows were read"},
		{"header only", hdr, 1, "no message tracking rows were read"},
		{"only malformed", hdr + "a,b\r\n", 1, "no message tracking rows were read"},
		{"good and malformed", hdr + "2024-03-04T08:00:00.000Z,RECEIVE,<m@x>\r\na,b\r\n", 0, "1 malformed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runCmd(t, tt.stdin, "events", "-")
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
}

// TestNoRowsInDirectory: a directory that holds no tracking log (only the
// protocol logs collected beside them, say) is a run with no good row, exit
// 1 like an empty file (issue #10: "a run in which no input yields a single
// good row exits 1"), not a usage error: the path was typed right.
func TestNoRowsInDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "EX01")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	recv, err := os.ReadFile(filepath.Join("..", "..", "testdata", "real", "protocol", "Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_RECV.log"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "RECV2024030408-1.LOG"), recv, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"events", "trace", "stats", "submitters"} {
		_, stderr, code := runCmd(t, "", cmd, dir)
		if code != 1 || !strings.Contains(stderr, "no message tracking logs (MSGTRK*.LOG) or exports under") {
			t.Errorf("%s on a directory without tracking logs: exit %d, stderr %q; want 1", cmd, code, stderr)
		}
	}
}

// TestUTF16Log: a tracking log saved as UTF-16 (LE or BE, with its byte
// order mark) reads as the original.
func TestUTF16Log(t *testing.T) {
	orig := filepath.Join(sampleOrg, "EX01", "MSGTRK20240304-1.LOG")
	data, err := os.ReadFile(orig)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.TrimPrefix(string(data), "\uFEFF")
	dir := t.TempDir()
	le := filepath.Join(dir, "MSGTRK20240304-1.LOG")
	if err := os.WriteFile(le, utf16LE(text), 0o644); err != nil {
		t.Fatal(err)
	}
	be := filepath.Join(dir, "be.log")
	var b []byte
	b = append(b, 0xFE, 0xFF)
	b = append(b, utf16LE(text)[2:]...)
	for i := 2; i+1 < len(b); i += 2 {
		b[i], b[i+1] = b[i+1], b[i]
	}
	if err := os.WriteFile(be, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var want, got bytes.Buffer
	if code := run([]string{"events", "-format", "csv", orig}, &want, io.Discard); code != 0 {
		t.Fatal("original: exit", code)
	}
	for _, p := range []string{le, be} {
		got.Reset()
		if code := run([]string{"events", "-format", "csv", p}, &got, io.Discard); code != 0 {
			t.Fatalf("%s: exit %d", p, code)
		}
		if diff := cmp.Diff(dropFileColumn(want.String()), dropFileColumn(got.String())); diff != "" {
			t.Errorf("%s differs (-original +UTF-16):\n%s", p, diff)
		}
	}
}

// dropFileColumn removes the file column (the third) of events -format csv.
func dropFileColumn(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		parts := strings.SplitN(line, ",", 4)
		if len(parts) == 4 {
			parts = append(parts[:2], parts[3])
		}
		b.WriteString(strings.Join(parts, ",") + "\n")
	}
	return b.String()
}

// TestMixedInputs: raw logs of some servers and an export of the others
// in one run give the traces of the raw logs, for every command; exports in
// a directory are found by content.
func TestMixedInputs(t *testing.T) {
	dir := t.TempDir()
	var ex03 []msgtrk.Event
	// EX03's logs become an export (with the README's command); the other
	// servers stay raw logs.
	for _, name := range []string{"EDGE01", "EX01", "EX02"} {
		if err := os.CopyFS(filepath.Join(dir, name), os.DirFS(filepath.Join(sampleOrg, name))); err != nil {
			t.Fatal(err)
		}
	}
	byServer, _ := readEvents(t, filepath.Join(sampleOrg, "EX03"))
	for _, evs := range byServer {
		ex03 = append(ex03, evs...)
	}
	writeFile(t, dir, "ex03-export.csv", func(b *bytes.Buffer) error {
		return exportgen.CmdletCSV(b, ex03, exportgen.CSV{PS7: true, Culture: exportgen.ISO, Lists: exportgen.Joined})
	})
	raw, _ := statsJSON(t, sampleOrg)
	mixed, stderr := statsJSON(t, dir)
	if diff := cmp.Diff(raw.Counts, mixed.Counts); diff != "" {
		t.Errorf("counts differ (-raw +mixed):\n%s\n%s", diff, stderr)
	}
	for _, cmd := range []string{"events", "trace", "submitters"} {
		var stdout, stderr bytes.Buffer
		if code := run([]string{cmd, dir}, &stdout, &stderr); code != 0 || stdout.Len() == 0 {
			t.Errorf("mailtrace %s: exit %d, %d bytes\n%s", cmd, code, stdout.Len(), stderr.String())
		}
	}
	var stdout bytes.Buffer
	run([]string{"events", "-format", "csv", dir}, &stdout, io.Discard)
	if n := strings.Count(stdout.String(), "ex03-export.csv"); n != len(ex03) {
		t.Errorf("%d rows from the export, want %d", n, len(ex03))
	}
}

// traceFacts is what a trace says that an export of the logs (whole
// seconds, rows of all servers in one file) must say too: the hops as a
// set (two hops at one depth are ordered by their times, which an export
// keeps to the second only), and everything else as it is.
type traceFacts struct {
	Hops       []string
	Recipients []json.RawMessage
	Expansions []string
	Origin     json.RawMessage
	Forks      []json.RawMessage
	DSNFor     string
	DSNs       []string
	Anomalies  []string
	Reason     string
}

func traceFactsOf(t *testing.T, args ...string) map[string]traceFacts {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(append([]string{"trace", "-json", "-quiet"}, args...), &stdout, &stderr); code != 0 {
		t.Fatalf("trace %v: exit %d: %s", args, code, stderr.String())
	}
	out := map[string]traceFacts{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var j struct {
			Key  string
			Hops []struct {
				Server, Role string
				Depth        int
			}
			Recipients []json.RawMessage
			Expansions []struct {
				Group, Server string
				Members       []string
			}
			Origin    json.RawMessage
			Forks     []json.RawMessage
			DSNFor    string `json:"dsn_for"`
			DSNs      []string
			Anomalies []string
			Reason    string
		}
		if err := json.Unmarshal([]byte(line), &j); err != nil {
			t.Fatal(err)
		}
		f := traceFacts{Recipients: j.Recipients, Origin: j.Origin, Forks: j.Forks, DSNFor: j.DSNFor, DSNs: j.DSNs, Anomalies: j.Anomalies, Reason: j.Reason}
		for _, h := range j.Hops {
			f.Hops = append(f.Hops, fmt.Sprintf("%d %s %s", h.Depth, h.Server, h.Role))
		}
		for _, x := range j.Expansions {
			f.Expansions = append(f.Expansions, x.Group+" "+x.Server+" "+strings.Join(x.Members, ","))
		}
		sort.Strings(f.Hops)
		sort.Strings(f.Expansions)
		out[j.Key] = f
	}
	return out
}

// TestExportTraces: exported with the README's command, with Export-Csv in
// a culture's format, as Format-List or as an extended report, the sample
// organisation gives the raw logs' traces: every hop, every recipient's
// outcome, server, group chain, alias and forwarding, the expansions, the
// origin, forks, NDR links, anomalies and reasons (the recipients'
// latencies and the times differ: the exports keep whole seconds; the
// extended report has milliseconds, and is compared the same way).
func TestExportTraces(t *testing.T) {
	evs := sampleEvents(t)
	dir := t.TempDir()
	raw := traceFactsOf(t, sampleOrg)
	shuffled := slices.Clone(evs)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for _, tt := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"readme.csv", func(b *bytes.Buffer) error {
			return exportgen.CmdletCSV(b, evs, exportgen.CSV{PS7: true, Culture: exportgen.ISO, Lists: exportgen.Joined})
		}},
		{"en-GB.csv", func(b *bytes.Buffer) error {
			return exportgen.CmdletCSV(b, evs, exportgen.CSV{Culture: exportgen.EnGB, Zone: time.UTC, Lists: exportgen.Joined})
		}},
		{"list.txt", func(b *bytes.Buffer) error {
			return exportgen.FormatList(b, evs, exportgen.List{Culture: exportgen.SvSE, Zone: time.UTC, Width: 150})
		}},
		{"extended.csv", func(b *bytes.Buffer) error { return exportgen.ExtendedReport(b, shuffled) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := traceFactsOf(t, "-tz", "UTC", writeFile(t, dir, tt.name, tt.write))
			if len(got) != len(raw) {
				t.Errorf("%d traces, raw logs %d", len(got), len(raw))
			}
			n := 0
			for k, want := range raw {
				f, g := want, got[k]
				for _, l := range [][]json.RawMessage{f.Recipients, g.Recipients, f.Forks, g.Forks} {
					for i := range l {
						l[i] = dropTimes(t, l[i])
					}
				}
				if diff := cmp.Diff(f, g); diff != "" {
					if n++; n <= 3 {
						t.Errorf("trace %s differs (-raw +export):\n%s", k, diff)
					}
				}
			}
			if n > 0 {
				t.Errorf("%d of %d traces differ", n, len(raw))
			}
		})
	}
}

// dropTimes removes the time and latency of a recipient or fork (an
// export keeps whole seconds).
func dropTimes(t *testing.T, r json.RawMessage) json.RawMessage {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "latency_seconds")
	delete(m, "time")
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestREADMEKeepsLists: the export command of the README is the one the
// notice about lost lists gives.
func TestREADMEKeepsLists(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sel, _ := strings.Cut(export.KeepListsCommand, "| Select-Object ")
	sel, _, _ = strings.Cut(sel, " | Export-Csv")
	if !strings.Contains(string(readme), "Select-Object "+sel+" |") {
		t.Errorf("the README does not show export.KeepListsCommand's Select-Object")
	}
}

// TestExportErrors: a record of an export that cannot be converted is a
// malformed line like any other: warned about with its file, line and
// column, counted by stats, fatal with -strict.
func TestExportErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "tracking.csv")
	csv := `"Timestamp","EventId","MessageId","NetworkMessageId","Recipients"` + "\r\n" +
		`"2024-03-04T08:00:01.0000000Z","RECEIVE","<m@x>","8f2b4f4e-1c2d-4e5f-a6b7-08dc3c1a2b3c","a@x"` + "\r\n" +
		`"not a time","SEND","<m@x>","8f2b4f4e-1c2d-4e5f-a6b7-08dc3c1a2b3c","a@x"` + "\r\n"
	if err := os.WriteFile(p, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	s, stderr := statsJSON(t, p)
	if s.Malformed != 1 || !strings.Contains(stderr, p+":3:1: field Timestamp: export: time not understood") {
		t.Errorf("malformed %d, stderr %s", s.Malformed, stderr)
	}
	var stdout, errb bytes.Buffer
	if code := run([]string{"stats", "-strict", p}, &stdout, &errb); code != 1 || !strings.Contains(errb.String(), p+":3:1: field Timestamp") {
		t.Errorf("-strict: exit %d, %s", code, errb.String())
	}
}

// TestListsLostNotFacts exports the sample organisation as plain Export-Csv
// does (every list a "System.String[]") and requires the answers to say
// the recipients are unknown, on stdout, not only in a note: no trace is
// complete, each has a recipients_unknown anomaly, and stats counts those
// messages apart instead of stating zero deliveries as a fact.
func TestListsLostNotFacts(t *testing.T) {
	evs := sampleEvents(t)
	p := writeFile(t, t.TempDir(), "lists-lost.csv", func(b *bytes.Buffer) error {
		return exportgen.CmdletCSV(b, evs, exportgen.CSV{Culture: exportgen.SvSE, Zone: time.UTC, Lists: exportgen.TypeName})
	})
	var stdout, stderr bytes.Buffer
	if code := run([]string{"trace", "-format", "jsonl", "-quiet", p}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	traces, unknown := 0, 0
	for line := range strings.Lines(stdout.String()) {
		var tr struct {
			Reason    string   `json:"reason"`
			Orphan    bool     `json:"orphan"`
			Anomalies []string `json:"anomalies"`
		}
		if err := json.Unmarshal([]byte(line), &tr); err != nil {
			t.Fatal(err)
		}
		traces++
		if tr.Reason == "complete" {
			t.Errorf("a trace of rows without recipients is called complete: %s", line)
		}
		if slices.ContainsFunc(tr.Anomalies, func(a string) bool { return strings.HasPrefix(a, "recipients_unknown: ") }) {
			unknown++
		}
	}
	if traces == 0 || unknown != traces {
		t.Errorf("%d of %d traces have a recipients_unknown anomaly, want all", unknown, traces)
	}
	s, _ := statsJSON(t, "-quiet", p)
	if s.Counts.RecipientsUnknown != s.Counts.Messages || s.Counts.Messages == 0 {
		t.Errorf("stats: recipients_unknown %d of %d messages, want all", s.Counts.RecipientsUnknown, s.Counts.Messages)
	}
	// The raw logs: no message has unknown recipients.
	raw, _ := statsJSON(t, sampleOrg)
	if raw.Counts.RecipientsUnknown != 0 {
		t.Errorf("raw logs: recipients_unknown %d, want 0", raw.Counts.RecipientsUnknown)
	}
	stdout.Reset()
	if code := run([]string{"stats", "-quiet", p}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(stdout.String(), "Recipients unknown") {
		t.Errorf("the stats table does not say the recipients are unknown:\n%s", stdout.String())
	}
}
