package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// protocolCollection lays the real protocol and connectivity log samples
// (testdata/real/protocol, SOURCES.md rows 12-17) out as logs collected
// from servers are, under their Exchange names, beside a tracking log that
// the sessions command must not read.
func protocolCollection(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	real := filepath.Join("..", "..", "testdata", "real", "protocol")
	put := func(rel string, header string, src string) {
		data, err := os.ReadFile(filepath.Join(real, src))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, append([]byte(header), data...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put("EX01/TransportRoles/Logs/FrontEnd/ProtocolLog/SmtpReceive/RECV2023011116-1.LOG", "", "Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_RECV.log")
	put("EX01/TransportRoles/Logs/Hub/ProtocolLog/SmtpSend/SEND2022101908-1.LOG", "", "learn.microsoft.com_answers_1054876_zombie-mail-server_SEND.log")
	put("TAIL-EXCH-1/V14/TransportRoles/Logs/ProtocolLog/SmtpReceive/RECV20190125-1.LOG", "", "smtp-review-script_rmilne_2010_RECV.log")
	put("EX01/TransportRoles/Logs/Mailbox/Connectivity/Submission/CONNECTLOG20130627-1.LOG",
		"#Software: Microsoft Exchange Server\n#Version: 15.0.0.0\n#Log-type: Transport Connectivity Log\n#Fields: date-time,session,source,Destination,direction,description\n",
		"support.microsoft.com_kb2866822_event-7009_CONNECTLOG.log")
	tracking, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sample-org", "EX01", "MSGTRK20240304-1.LOG"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, "EX01", "TransportRoles", "Logs", "MessageTracking", "MSGTRK20240304-1.LOG")
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, tracking, 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestSessionsTable(t *testing.T) {
	root := protocolCollection(t)
	out, errOut, code := runCmd(t, "", "sessions", root)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	golden(t, "sessions_table.txt", strings.ReplaceAll(out, root, "ROOT"))
}

func TestSessionsFilters(t *testing.T) {
	root := protocolCollection(t)
	for _, tc := range []struct {
		args []string
		want []string // session ids listed
	}{
		{nil, []string{"08D03F2DE58E0D71", "08D03F2DE58E0D70", "08D675E58CA1DA38", "08DAB13335961996", "123453EC62278461"}},
		{[]string{"-remote", "95.10.20.0/24"}, []string{"123453EC62278461"}},
		{[]string{"-remote", "50.7.176.26"}, []string{"08DAB13335961996"}},
		{[]string{"-remote", "192.168.0.12"}, []string{"08D03F2DE58E0D71"}},
		{[]string{"-tls", "no", "-kind", "receive"}, []string{"08D675E58CA1DA38"}},
		{[]string{"-tls", "yes"}, []string{"123453EC62278461"}},
		{[]string{"-auth", "failed"}, []string{"123453EC62278461"}},
		{[]string{"-auth", "LOGIN"}, []string{"123453EC62278461"}},
		{[]string{"-auth", "none", "-kind", "receive,send"}, []string{"08D675E58CA1DA38", "08DAB13335961996"}},
		{[]string{"-kind", "connectivity"}, []string{"08D03F2DE58E0D71", "08D03F2DE58E0D70"}},
		{[]string{"-server", "tail-exch-1"}, []string{"08D675E58CA1DA38"}},
		{[]string{"-connector", "default frontend"}, []string{"123453EC62278461"}},
		{[]string{"-min-messages", "1"}, []string{"08DAB13335961996"}},
		{[]string{"-start", "2022-10-19T08:44:33", "-end", "2022-10-20"}, []string{"08DAB13335961996"}},
	} {
		args := append(append([]string{"sessions", "-format", "jsonl"}, tc.args...), root)
		out, errOut, code := runCmd(t, "", args...)
		if code != 0 {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errOut)
			continue
		}
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if line == "" {
				continue
			}
			var s struct {
				SessionID string `json:"session_id"`
			}
			if err := json.Unmarshal([]byte(line), &s); err != nil {
				t.Fatalf("%v: line %q: %v", tc.args, line, err)
			}
			got = append(got, s.SessionID)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("sessions %v (-want +got):\n%s", tc.args, diff)
		}
	}
}

// TestSessionsJSON checks the typed JSON of the outbound session that
// carried a message (SOURCES.md row 14) and the CSV header.
func TestSessionsJSON(t *testing.T) {
	root := protocolCollection(t)
	out, _, code := runCmd(t, "", "sessions", "-format", "jsonl", "-kind", "send", root)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	tx := s["transactions"].([]any)[0].(map[string]any)
	checks := map[string]any{
		"server": "EX01", "service": "Hub", "kind": "send", "start": "2022-10-19T08:44:32.784Z", "duration_ms": 938.0,
		"remote": "50.7.176.26:25", "messages": 1.0, "bytes": 18019.0, "termination": "closed", "end_reason": "Remote",
	}
	for k, want := range checks {
		if s[k] != want {
			t.Errorf("%s = %v, want %v", k, s[k], want)
		}
	}
	if tx["record_id"] != 167503004549.0 || tx["from"] != "" || tx["reply"].(map[string]any)["code"] != 250.0 {
		t.Errorf("transaction = %v", tx)
	}
	out, _, code = runCmd(t, "", "sessions", "-format", "csv", root)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 6 {
		t.Fatalf("csv: exit %d, %v, %d rows", code, err, len(rows))
	}
	if diff := cmp.Diff(sessionColumns, rows[0]); diff != "" {
		t.Errorf("csv header (-want +got):\n%s", diff)
	}
}

// TestSessionsRefusesOtherLogs: a tracking log named on the command line
// is refused with its name and exit status 1; a folder with no protocol log
// is a usage error.
func TestSessionsRefusesOtherLogs(t *testing.T) {
	root := protocolCollection(t)
	trk := filepath.Join(root, "EX01", "TransportRoles", "Logs", "MessageTracking", "MSGTRK20240304-1.LOG")
	out, errOut, code := runCmd(t, "", "sessions", filepath.Join(root, "EX01", "TransportRoles", "Logs", "Hub"), trk)
	if code != 1 || !strings.Contains(errOut, "refused") || !strings.Contains(errOut, "MSGTRK20240304-1.LOG") || !strings.Contains(out, "08DAB13335961996") {
		t.Errorf("exit %d, stderr %q, stdout %q; want 1, the refusal named, the send session listed", code, errOut, out)
	}
	_, errOut, code = runCmd(t, "", "sessions", "testdata/sample-org")
	if code != 2 || !strings.Contains(errOut, "no SMTP protocol logs") {
		t.Errorf("sample-org: exit %d, stderr %q; want 2 and the reason", code, errOut)
	}
	if _, _, code := runCmd(t, "", "sessions", "-tls", "maybe", root); code != 2 {
		t.Errorf("-tls maybe: exit %d, want 2", code)
	}
	// -remote reads addresses as -client-ip does (filter.ParsePrefix).
	if _, errOut, code := runCmd(t, "", "sessions", "-remote", "10.0.0.0/99", root); code != 2 || !strings.Contains(errOut, `-remote: cannot read "10.0.0.0/99" as an address or CIDR prefix`) {
		t.Errorf("-remote bad: exit %d, stderr %q; want 2 and filter.ParsePrefix's reason", code, errOut)
	}
}

// TestSessionsFormats: -format json is one array of the jsonl objects,
// each with "v": 1; -csv is -format csv.
func TestSessionsFormats(t *testing.T) {
	root := protocolCollection(t)
	out, _, code := runCmd(t, "", "sessions", "-format", "json", root)
	var all []map[string]any
	if err := json.Unmarshal([]byte(out), &all); code != 0 || err != nil || len(all) != 5 {
		t.Fatalf("json: exit %d, %v, %d objects", code, err, len(all))
	}
	for _, o := range all {
		if o["v"] != 1.0 {
			t.Errorf("object without \"v\": 1: %v", o)
		}
	}
	a, _, _ := runCmd(t, "", "sessions", "-csv", root)
	b, _, _ := runCmd(t, "", "sessions", "-format", "csv", root)
	if a != b || !strings.HasPrefix(a, "start,end,") {
		t.Errorf("-csv and -format csv differ or lack the header")
	}
}
