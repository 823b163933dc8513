package msgtrk_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// The protocol and connectivity logs (format.md §14) sit beside the
// tracking logs: this file tests what msgtrk offers their reader (package
// smtplog): file names, discovery by kind and service, the Columns handle
// and ColumnError.

func TestParseFileNameSiblingLogs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		kind   msgtrk.LogKind
		hourly bool
		seq    int
		server string
	}{
		{"RECV2023011116-1.LOG", msgtrk.LogSmtpReceive, true, 1, ""},
		{"SEND20221019-3.LOG", msgtrk.LogSmtpSend, false, 3, ""},
		{"connectlog20130627-12.log", msgtrk.LogConnectivity, false, 12, ""},
		{"EX01_RECV2024030408-1.LOG.gz", msgtrk.LogSmtpReceive, true, 1, "EX01"},
		{"SENDHOST-SEND2024030408-1.LOG", msgtrk.LogSmtpSend, true, 1, "SENDHOST"},
		{"RECVHOST_SEND2024030408-1.LOG", msgtrk.LogSmtpSend, true, 1, "RECVHOST"},
	} {
		fn, ok := msgtrk.ParseFileName(tc.name)
		if !ok || fn.Kind != tc.kind || fn.Hourly != tc.hourly || fn.Seq != tc.seq || fn.Server != tc.server {
			t.Errorf("ParseFileName(%q) = %+v, %v; want kind %v hourly %v seq %d server %q", tc.name, fn, ok, tc.kind, tc.hourly, tc.seq, tc.server)
		}
		if fn.Kind.IsTracking() {
			t.Errorf("%v.IsTracking() = true", fn.Kind)
		}
	}
	for _, bad := range []string{"RECV2023-1.LOG", "SENDER20240304-1.LOG", "XRECV20240304-1.LOG", "RECV20241304-1.LOG"} {
		if fn, ok := msgtrk.ParseFileName(bad); ok {
			t.Errorf("ParseFileName(%q) = %+v, true; want false", bad, fn)
		}
	}
	for k := msgtrk.LogUnknown; k <= msgtrk.LogConnectivity; k++ {
		want := k >= msgtrk.LogTransport && k <= msgtrk.LogMailbox
		if k.IsTracking() != want {
			t.Errorf("%v.IsTracking() = %v", k, !want)
		}
	}
}

func TestServiceFromPath(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"EX01/TransportRoles/Logs/FrontEnd/ProtocolLog/SmtpReceive/RECV2023011116-1.LOG", msgtrk.ServiceFrontEnd},
		{`EX01\c$\Program Files\Microsoft\Exchange Server\V15\TransportRoles\Logs\Hub\ProtocolLog\SmtpSend\SEND2023011116-1.LOG`, msgtrk.ServiceHub},
		{"EDGE01/Logs/Edge/ProtocolLog/SmtpReceive/RECV2023011116-1.LOG", msgtrk.ServiceEdge},
		{"EX01/Logs/Mailbox/ProtocolLog/SmtpReceive/Delivery/RECV2023011116-1.LOG", msgtrk.ServiceMailboxDelivery},
		{"EX01/Logs/Mailbox/ProtocolLog/SmtpSend/Submission/SEND2023011116-1.LOG", msgtrk.ServiceMailboxSubmission},
		{"EX01/Logs/Mailbox/Connectivity/Delivery/CONNECTLOG20230111-1.LOG", msgtrk.ServiceMailboxDelivery},
		{"EX01/Logs/Hub/Connectivity/CONNECTLOG20230111-1.LOG", msgtrk.ServiceHub},
		{"EX01/V14/TransportRoles/Logs/ProtocolLog/SmtpReceive/RECV20190125-1.LOG", ""},
		{"RECV20190125-1.LOG", ""},
	} {
		if got := msgtrk.ServiceFromPath(tc.path); got != tc.want {
			t.Errorf("ServiceFromPath(%q) = %q, want %q", tc.path, got, tc.want)
		}
		if got := msgtrk.ServerFromPath(strings.ReplaceAll(tc.path, `\`, "/")); tc.path != "RECV20190125-1.LOG" && got != strings.SplitN(strings.ReplaceAll(tc.path, `\`, "/"), "/", 2)[0] {
			t.Errorf("ServerFromPath(%q) = %q: a service folder was taken for the server", tc.path, got)
		}
	}
}

// protoFile is a protocol log with one row per session id.
func protoFile(logType string, rows ...string) []byte {
	var b bytes.Buffer
	b.WriteString("#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: " + logType + "\r\n")
	b.WriteString("#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n")
	for _, r := range rows {
		b.WriteString(r + "\r\n")
	}
	return b.Bytes()
}

// TestFindLogsByKindAndService: FindFiles still lists only tracking logs; a
// FindLogs for the protocol logs lists them with their service, and the
// Merger chains each server, kind and service apart (the FrontEnd's and the
// Hub's RECV files of one hour are two series, read side by side).
func TestFindLogsByKindAndService(t *testing.T) {
	fe := "EX01/TransportRoles/Logs/FrontEnd/ProtocolLog/SmtpReceive/"
	hub := "EX01/TransportRoles/Logs/Hub/ProtocolLog/SmtpReceive/"
	fsys := fstest.MapFS{
		"EX01/TransportRoles/Logs/MessageTracking/MSGTRK2024010110-1.LOG": {Data: logFile(t, "2024-01-01T10:00:00.000Z,RECEIVE,a")},
		fe + "RECV2024010110-1.LOG":                                       {Data: protoFile("SMTP Receive Protocol Log", "2024-01-01T10:00:01.000Z,EX01\\Default Frontend EX01,08DC000000000001,0,10.0.0.1:25,10.0.0.9:5000,+,,")},
		fe + "RECV2024010110-2.LOG":                                       {Data: protoFile("SMTP Receive Protocol Log", "2024-01-01T10:00:04.000Z,EX01\\Default Frontend EX01,08DC000000000003,0,10.0.0.1:25,10.0.0.9:5001,+,,")},
		hub + "RECV2024010110-1.LOG":                                      {Data: protoFile("SMTP Receive Protocol Log", "2024-01-01T10:00:02.000Z,EX01\\Default EX01,08DC000000000001,0,10.0.0.1:2525,10.0.0.1:6000,+,,")},
		hub + "RECV2024010110-2.LOG":                                      {Data: protoFile("SMTP Receive Protocol Log", "2024-01-01T10:00:03.000Z,EX01\\Default EX01,08DC000000000002,0,10.0.0.1:2525,10.0.0.1:6001,+,,")},
	}
	tracking, err := msgtrk.FindFiles(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(tracking) != 1 || tracking[0].FileName.Kind != msgtrk.LogTransport {
		t.Fatalf("FindFiles listed %d inputs, want only the MSGTRK file: %+v", len(tracking), tracking)
	}
	inputs, err := msgtrk.FindLogs(fsys, ".", func(k msgtrk.LogKind) bool { return k == msgtrk.LogSmtpReceive })
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range inputs {
		got = append(got, in.Server+" "+in.Service+" "+in.FileName.Kind.String())
	}
	want := []string{"EX01 FrontEnd RECV", "EX01 FrontEnd RECV", "EX01 Hub RECV", "EX01 Hub RECV"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FindLogs (-want +got):\n%s", diff)
	}
	m := msgtrk.NewMerger(inputs)
	got = nil
	for m.Next() {
		rec := m.Record()
		v, _ := rec.Lookup("session-id")
		got = append(got, rec.Origin().Service+" "+string(v))
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	want = []string{"FrontEnd 08DC000000000001", "Hub 08DC000000000001", "Hub 08DC000000000002", "FrontEnd 08DC000000000003"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged rows (-want +got):\n%s", diff)
	}
}

func TestColumns(t *testing.T) {
	data := append(protoFile("SMTP Send Protocol Log", "2024-01-01T10:00:01.000Z,Out,08DC000000000001,0,,10.0.0.9:25,*,,attempting to connect",
		`2024-01-01T10:00:02.000Z,Out,08DC000000000001,1,,10.0.0.9:25,*,,"a ""quoted"", value"`),
		"#Log-type: Transport Connectivity Log\r\n#Fields: date-time,session,source,Destination,direction,description\r\n2024-01-01T10:00:03.000Z,08DC000000000002,SMTP,example.com,+,x\r\n"...)
	r := msgtrk.NewReaderBytes(data)
	var cols []msgtrk.Columns
	var recs []*msgtrk.Record
	for r.Next() {
		cols = append(cols, r.Record().Columns())
		recs = append(recs, r.Record().Clone())
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cols) != 3 {
		t.Fatalf("%d rows, want 3", len(cols))
	}
	if cols[0] != cols[1] || cols[1] == cols[2] {
		t.Errorf("Columns equality: same header %v, new header %v; want true, false", cols[0] == cols[1], cols[1] == cols[2])
	}
	if c := cols[0]; c.LogType() != "SMTP Send Protocol Log" || c.Len() != 9 || c.Index("Session-ID") != 2 || c.Index("destination") != -1 || c.Name(8) != "context" {
		t.Errorf("send log Columns: LogType %q Len %d Index(Session-ID) %d Index(destination) %d", c.LogType(), c.Len(), c.Index("Session-ID"), c.Index("destination"))
	}
	if c := cols[2]; c.LogType() != "Transport Connectivity Log" || c.Index("destination") != 3 {
		t.Errorf("connectivity Columns: LogType %q Index(destination) %d", c.LogType(), c.Index("destination"))
	}
	var zero msgtrk.Columns
	if zero.Len() != 0 || zero.Index("date-time") != -1 || zero.LogType() != "" {
		t.Error("zero Columns is not empty")
	}
	// ColumnError points at the byte through the quoting: "a ""quoted"", value"
	// has the q of quoted at offset 3 of the value, column 3 of the field's
	// raw text after the opening quote and the first doubled quote.
	rec := recs[1]
	i := rec.Columns().Index("context")
	e := rec.ColumnError(i, 3, msgtrk.ErrSyntax)
	line := string(rec.Line())
	if e.Line != 6 || e.Field != "context" || line[e.Column-1] != 'q' || !errors.Is(e, msgtrk.ErrSyntax) {
		t.Errorf("ColumnError = %+v (byte %q); want line 6, field context, pointing at 'q'", e, line[e.Column-1])
	}
}
