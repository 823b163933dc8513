package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dsnLog is EX01's log of alice's message to partner@fabrikam.net and of
// the DSN about it (source-context ctx, format.md §8): first the rows
// of the message (mid), then the DSN row and its SEND to alice's mailbox.
func dsnLog(mid, ctx string) string {
	const head = "\ufeff#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.039\r\n#Log-type: Message Tracking Log\r\n#Date: 2024-03-04T08:00:01.020Z\r\n" +
		"#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,schema-version\r\n"
	msg := "<m1@ex01.corp.contoso.com>,88888888-2222-3333-4444-08dc00000008"
	dsn := "<d1@ex01.corp.contoso.com>,99999999-2222-3333-4444-08dc00000009"
	return head +
		"2024-03-04T08:00:01.020Z,10.0.0.21,client.corp.contoso.com,10.0.0.11,EX01,08DC33BB81F00A30;2024-03-04T08:00:00.900Z;0,EX01\\Client Proxy EX01,SMTP,RECEIVE,5001," + msg + ",partner@fabrikam.net,,5000,1,,,hello,alice@contoso.com,alice@contoso.com,07I: ,Originating,,10.0.0.21,,,Email,,15.01.2507.039\r\n" +
		mid +
		"2024-03-04T08:04:00.000Z,,,,EX01," + ctx + ",,DSN,DSN,5002," + dsn + ",alice@contoso.com,,5000,1,,<m1@ex01.corp.contoso.com>,About: hello,postmaster@contoso.com,<>,,Originating,,,,,Email,,15.01.2507.039\r\n" +
		"2024-03-04T08:04:00.500Z,10.0.0.11,EX01,10.0.0.11,ex01.corp.contoso.com,;250 2.0.0 OK <d1@ex01.corp.contoso.com> [Hostname=ex01.corp.contoso.com];ClientSubmitTime:,Intra-Organization SMTP Send Connector,SMTP,SEND,5002," + dsn + ",alice@contoso.com,250 2.1.5 Recipient OK,5000,1,,,About: hello,postmaster@contoso.com,<>,,Originating,,,,,Email,,15.01.2507.039\r\n"
}

// TestStatsDSNTypes: mailtrace stats counts only Failure DSNs as NDRs
// (format.md §8) and says the others apart; trace names each DSN's type
// and, on the message, the DSNs its SENDEXTERNAL or FAIL named (§6).
func TestStatsDSNTypes(t *testing.T) {
	const (
		deferRow = "2024-03-04T08:00:05.000Z,,EX01,,,,,SMTP,DEFER,5001,<m1@ex01.corp.contoso.com>,88888888-2222-3333-4444-08dc00000008,partner@fabrikam.net,'451 4.4.0 DNS query failed',5000,1,,,hello,alice@contoso.com,alice@contoso.com,2024-03-04T08:01:05.000Z,Originating,,,,,Email,,15.01.2507.039\r\n"
		sendLate = "2024-03-04T08:05:00.000Z,10.0.0.11,EX01,198.51.100.7,mx.fabrikam.net,;250 2.0.0 OK queued;ClientSubmitTime:,Internet,SMTP,SENDEXTERNAL,5001,<m1@ex01.corp.contoso.com>,88888888-2222-3333-4444-08dc00000008,partner@fabrikam.net,250 2.1.5 Ok,5000,1,,,hello,alice@contoso.com,alice@contoso.com,,Originating,,,,,Email,,15.01.2507.039\r\n"
		sendRef  = "2024-03-04T08:00:02.000Z,10.0.0.11,EX01,198.51.100.7,mx.fabrikam.net,;250 2.0.0 OK queued;ClientSubmitTime:,Internet,SMTP,SENDEXTERNAL,5001,<m1@ex01.corp.contoso.com>,88888888-2222-3333-4444-08dc00000008,partner@fabrikam.net,250 2.1.5 Ok,5000,1,,<d1@ex01.corp.contoso.com>,hello,alice@contoso.com,alice@contoso.com,,Originating,,,,,Email,,15.01.2507.039\r\n"
		failRef  = "2024-03-04T08:00:02.000Z,10.0.0.11,EX01,198.51.100.7,mx.fabrikam.net,,Internet,SMTP,FAIL,5001,<m1@ex01.corp.contoso.com>,88888888-2222-3333-4444-08dc00000008,partner@fabrikam.net,550 5.1.1 User unknown,5000,1,,<d1@ex01.corp.contoso.com>,hello,alice@contoso.com,alice@contoso.com,,Originating,,,,,Email,,15.01.2507.039\r\n"
	)
	tests := []struct {
		name, log       string
		line            string // stats' Unique messages line, after the count
		ndrs, dsns, unk int64
		trace           []string // in the trace view
	}{
		{"Delay", dsnLog(deferRow, "Delay") + sendLate, "(each message once; 0 of them NDRs, 1 other DSNs)", 0, 1, 0,
			[]string{"DSN for:    88888888-2222-3333-4444-08dc00000008  (type Delay)", "partner@fabrikam.net             sent_external"}},
		{"Relay", dsnLog(sendRef, "Relay"), "(each message once; 0 of them NDRs, 1 other DSNs)", 0, 1, 0,
			[]string{"DSN for:    88888888-2222-3333-4444-08dc00000008  (type Relay)", "DSNs:       <d1@ex01.corp.contoso.com>"}},
		{"Failure", dsnLog(failRef, "Failure"), "(each message once; 1 of them NDRs)", 1, 1, 0,
			[]string{"NDR for:    88888888-2222-3333-4444-08dc00000008", "DSNs:       <d1@ex01.corp.contoso.com>"}},
		{"unknown", dsnLog(failRef, ""), "(each message once; 0 of them NDRs, 1 other DSNs (1 of unknown type))", 0, 1, 1,
			[]string{"DSN for:    88888888-2222-3333-4444-08dc00000008  (type unknown)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "EX01")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "MSGTRK2024030408-1.LOG"), []byte(tt.log), 0o644); err != nil {
				t.Fatal(err)
			}
			out, stderr, code := runCmd(t, "", "stats", dir)
			if code != 0 || !strings.Contains(out, "Unique messages             2              "+tt.line+"\n") {
				t.Errorf("stats: exit %d, stderr %q, want the line %q in:\n%s", code, stderr, tt.line, out)
			}
			out, stderr, code = runCmd(t, "", "stats", "-format", "json", dir)
			var s struct {
				Counts struct {
					NDRs    int64 `json:"ndrs"`
					DSNs    int64 `json:"dsns"`
					Unknown int64 `json:"dsns_unknown_type"`
				} `json:"counts"`
			}
			if err := json.Unmarshal([]byte(out), &s); err != nil || code != 0 {
				t.Fatalf("stats -format json: exit %d, %v, stderr %q", code, err, stderr)
			}
			if c := s.Counts; c.NDRs != tt.ndrs || c.DSNs != tt.dsns || c.Unknown != tt.unk {
				t.Errorf("stats -format json: ndrs %d, dsns %d, dsns_unknown_type %d; want %d, %d, %d", c.NDRs, c.DSNs, c.Unknown, tt.ndrs, tt.dsns, tt.unk)
			}
			out, stderr, code = runCmd(t, "", "trace", dir)
			for _, want := range tt.trace {
				if code != 0 || !strings.Contains(out, want) {
					t.Errorf("trace: exit %d, stderr %q, want %q in:\n%s", code, stderr, want, out)
				}
			}
		})
	}
}
