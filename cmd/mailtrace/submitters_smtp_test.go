package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSubmittersTLSColumns: with receive protocol logs beside the tracking
// logs, submitters shows each SMTP client's sessions with TLS and its AUTH
// mechanisms; without them the table is as before. The receive log is
// written here for two submitters of the sample organisation: the scanner
// 10.0.30.12 (two sessions, neither with TLS nor AUTH) and 10.0.30.11 (one
// with STARTTLS and AUTH LOGIN, one without); a front end's hand-over
// (XPROXYFROM) from 10.0.30.11 is not the client's own session and must not
// count.
func TestSubmittersTLSColumns(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "EX03", "TransportRoles", "Logs", "FrontEnd", "ProtocolLog", "SmtpReceive", "RECV2024030408-1.LOG")
	os.MkdirAll(filepath.Dir(p), 0o755)
	var b strings.Builder
	b.WriteString("#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: SMTP Receive Protocol Log\r\n#Date: 2024-03-04T08:00:00.000Z\r\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n")
	row := func(ms int, id int, seq int, remote, ev, data, ctx string) {
		fmt.Fprintf(&b, "2024-03-04T08:00:%02d.%03dZ,EX03\\Default Frontend EX03,08DC1DB8591B%04X,%d,10.0.0.3:25,%s,%s,%s,%s\r\n", ms/1000, ms%1000, id, seq, remote, ev, data, ctx)
	}
	session := func(start, id int, remote string, lines ...[3]string) {
		row(start, id, 0, remote, "+", "", "")
		for i, l := range lines {
			row(start+i+1, id, i+1, remote, l[0], l[1], l[2])
		}
		row(start+len(lines)+1, id, len(lines)+1, remote, "-", "", "QuitVerb")
	}
	plain := [][3]string{{"<", "EHLO scanner", ""}, {">", "250 EX03 Hello", ""}, {"<", "MAIL FROM:<scanner@contoso.com>", ""}, {">", "250 2.1.0 Sender OK", ""}}
	session(100, 1, "10.0.30.12:50001", plain...)
	session(200, 2, "10.0.30.12:50002", plain...)
	session(300, 3, "10.0.30.11:50003",
		[3]string{"<", "STARTTLS", ""}, [3]string{">", "220 2.0.0 SMTP server ready", ""},
		[3]string{"*", "", `"TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 with strength 384 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 384 bits"`},
		[3]string{"<", "AUTH LOGIN", ""}, [3]string{">", "235 2.7.0 Authentication successful", ""})
	session(400, 4, "10.0.30.11:50004", plain...)
	session(500, 5, "10.0.30.11:50005", [3]string{"<", "XPROXYFROM SID=08DC1DB8591B0001 IP=10.0.30.11 PORT=1 DOMAIN=x", ""})
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	out, errOut, code := runCmd(t, "", "submitters", "testdata/sample-org", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(out, "\n")
	if !strings.HasSuffix(strings.TrimSpace(lines[0]), "TLS SESSIONS  AUTH MECHANISMS") {
		t.Fatalf("header %q lacks the SMTP columns", lines[0])
	}
	want := map[string]string{"10.0.30.12": "0/2 none", "10.0.30.11": "1/2 LOGIN", "198.51.100.26": "- -"}
	for ip, cols := range want {
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, ip+" ") {
				found = true
				f := strings.Fields(l)
				if got := strings.Join(f[len(f)-2:], " "); got != cols {
					t.Errorf("%s: last columns %q, want %q (line %q)", ip, got, cols, l)
				}
			}
		}
		if !found {
			t.Errorf("%s not listed", ip)
		}
	}
	out, _, _ = runCmd(t, "", "submitters", "-csv", "testdata/sample-org", dir)
	if !strings.HasPrefix(out, "client_ip,auth_category,auth,protocol,servers,connectors,messages,first_seen,last_seen,sample_senders,tls_sessions,auth_mechanisms\n") {
		t.Errorf("csv header: %q", strings.SplitN(out, "\n", 2)[0])
	}
	out, _, _ = runCmd(t, "", "submitters", "testdata/sample-org")
	if strings.Contains(strings.SplitN(out, "\n", 2)[0], "TLS") {
		t.Errorf("without protocol logs the table gained SMTP columns: %q", strings.SplitN(out, "\n", 2)[0])
	}
}
