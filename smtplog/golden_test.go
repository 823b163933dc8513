package smtplog_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/smtplog"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// realDir holds the real protocol and connectivity log rows
// (testdata/real/SOURCES.md rows 12-17).
const realDir = "../testdata/real/protocol"

// protocolFields and connectivityFields are the #Fields: lists of the two
// layouts (format.md §14.2, §14.4), for the samples published without
// their header.
var (
	protocolFields     = []string{"date-time", "connector-id", "session-id", "sequence-number", "local-endpoint", "remote-endpoint", "event", "data", "context"}
	connectivityFields = []string{"date-time", "session", "source", "destination", "direction", "description"}
)

// realFile is one sample and how to read it: the kind the name or the
// source tells, and the columns of a headerless one.
type realFile struct {
	name   string
	kind   msgtrk.LogKind
	fields []string
}

var realFiles = []realFile{
	{"Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_RECV.log", msgtrk.LogSmtpReceive, nil},
	{"elastic_integrations_microsoft_exchange_server_smtp_test-smtp_RECV.log", msgtrk.LogSmtpReceive, protocolFields},
	{"elastic_integrations_microsoft_exchange_server_smtp_test-smtp_SEND.log", msgtrk.LogSmtpSend, protocolFields},
	{"learn.microsoft.com_answers_1054876_zombie-mail-server_SEND.log", msgtrk.LogSmtpSend, nil},
	{"blog_zh_ad-trust-kerberos-454_SEND_excerpt.log", msgtrk.LogSmtpSend, protocolFields},
	{"support.microsoft.com_kb2866822_event-7009_CONNECTLOG.log", msgtrk.LogConnectivity, connectivityFields},
	{"smtp-review-script_rmilne_2010_RECV.log", msgtrk.LogSmtpReceive, nil},
}

// readReal reads one sample: its rows, their errors and its sessions.
func readReal(t testing.TB, f realFile, transcript bool) (rows []smtplog.Row, errs []*msgtrk.ParseError, sessions []*smtplog.Session) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(realDir, f.name))
	if err != nil {
		t.Fatal(err)
	}
	r := msgtrk.NewReaderBytes(data)
	r.Name, r.Kind, r.Fields = f.name, f.kind, f.fields
	s := smtplog.NewScanner(r)
	s.ErrorHandler = func(e *msgtrk.ParseError) { errs = append(errs, e) }
	a, err := smtplog.NewAssembler(smtplog.Options{Transcript: transcript, OnSession: func(s *smtplog.Session) { sessions = append(sessions, s) }})
	if err != nil {
		t.Fatal(err)
	}
	for s.Next() {
		rows = append(rows, *s.Row())
		a.Add(s.Row())
	}
	if err := s.Err(); err != nil {
		t.Fatalf("%s: %v", f.name, err)
	}
	a.Flush()
	return rows, errs, sessions
}

// describe renders sessions for a golden file: every field a reader would
// look at, one per line.
func describe(rows int, errs []*msgtrk.ParseError, sessions []*smtplog.Session) string {
	var b strings.Builder
	fmt.Fprintf(&b, "rows %d\n", rows)
	for _, e := range errs {
		fmt.Fprintf(&b, "error %v\n", e)
	}
	for _, s := range sessions {
		fmt.Fprintf(&b, "\nsession %s kind=%v server=%q service=%q term=%v rows=%d dup=%d\n", s.Key.IDString(), s.Key.Kind, s.Key.Server, s.Key.Service, s.Termination, s.Rows, s.Duplicates)
		fmt.Fprintf(&b, "  connector %q local %q (%v) remote %q (%v)\n", s.Connector, s.LocalRaw, s.Local, s.RemoteRaw, s.Remote)
		fmt.Fprintf(&b, "  time %s .. %s (%v)\n", s.Start.Format("2006-01-02T15:04:05.000Z"), s.End.Format("2006-01-02T15:04:05.000Z"), s.Duration())
		if s.Key.Kind == msgtrk.LogConnectivity {
			fmt.Fprintf(&b, "  source %q destination %q opening %q\n  dns %q connected %v\n  summary %+v connect-error %q\n", s.Source, s.Destination, s.Opening, s.DNS, s.Connected, s.Summary, s.ConnectError)
			continue
		}
		fmt.Fprintf(&b, "  permissions %q banner %q\n", s.Permissions, s.Banner.String())
		fmt.Fprintf(&b, "  helo %v %q starttls=%v tls=%+v\n", s.HeloVerb, s.Helo, s.StartTLS, s.TLS)
		fmt.Fprintf(&b, "  auth %+v\n", s.Auth)
		fmt.Fprintf(&b, "  proxied-session %d proxy %+v connect-error %q\n", s.ProxiedSession, s.Proxy, s.ConnectError)
		fmt.Fprintf(&b, "  replies 4xx=%d 5xx=%d last-error %q reason %v %q\n", s.Replies4xx, s.Replies5xx, s.LastError.String(), s.Reason, s.ReasonText)
		for i, m := range s.Messages {
			fmt.Fprintf(&b, "  message %d from %q size %d from-reply %q record %d message-id %q receive %q\n", i, m.From, m.Size, m.FromReply.String(), m.RecordID, m.MessageID, m.ReceiveContext)
			for _, r := range m.Recipients {
				fmt.Fprintf(&b, "    rcpt %q %q\n", r.Address, r.Reply.String())
			}
			fmt.Fprintf(&b, "    data %q queued %d %q %q bdat %d\n", m.DataReply.String(), m.QueuedID, m.QueuedHost, m.QueuedMessageID, m.BDATBytes)
		}
	}
	return b.String()
}

// TestGoldenReal reads every real sample and compares what it decodes with
// testdata/<sample>.golden (go test -update rewrites them; review the
// diff). TestRealPinned checks the values that matter by hand.
func TestGoldenReal(t *testing.T) {
	for _, f := range realFiles {
		t.Run(f.name, func(t *testing.T) {
			rows, errs, sessions := readReal(t, f, false)
			got := describe(len(rows), errs, sessions)
			path := filepath.Join("testdata", strings.TrimSuffix(f.name, ".log")+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
			}
		})
	}
}

var _ = bytes.Equal
