package correlate_test

import (
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// The DSN audit (format.md §6, §8, §9.3): a DSN row names the types of the
// notification in source-context, and only a Failure DSN is a
// non-delivery report; SEND and SENDEXTERNAL rows, as FAIL rows, name in
// reference the DSNs generated for their recipients.

const (
	dsnNMID = "5ab37dca-1234-5bfb-175d-08dc1db8aaaa"
	dsnMID  = "<dsn1@contoso.com>"
)

// dsnOut is ann's message to x@fabrikam.net, received on EX01 by SMTP
// AUTH, with the rows of the hand-over that follow.
func dsnOut(rows ...map[string]string) []map[string]string {
	return append([]map[string]string{
		m("t=0", "source=SMTP", "event-id=RECEIVE", "client-hostname=app01.contoso.com", "server-hostname=EX01",
			"source-context=08DC1DB12C345BE5;2024-03-04T07:59:59.900Z;0", "connector-id=EX01\\Client Proxy EX01",
			"internal-message-id=10", "recipient-address=x@fabrikam.net", "message-info=07I: "),
	}, rows...)
}

// dsnSendExternal is EX01's SENDEXTERNAL of ann's message at t, naming in
// reference the DSN it caused (ref, "" for none).
func dsnSendExternal(t, ref string) map[string]string {
	return m("t="+t, "source=SMTP", "event-id=SENDEXTERNAL", "client-hostname=EX01", "server-hostname=mx.fabrikam.net", "server-ip=198.51.100.7",
		"source-context=;250 2.0.0 OK queued;ClientSubmitTime:", "connector-id=Internet", "internal-message-id=10",
		"recipient-address=x@fabrikam.net", "recipient-status=250 2.1.5 Ok", "reference="+ref)
}

// dsnRow is the DSN row of the notification EX01 sends ann about her
// message, with source-context ctx, at t.
func dsnRow(t, ctx string) map[string]string {
	return kv("t="+t, "source=DSN", "event-id=DSN", "server-hostname=EX01", "source-context="+ctx, "internal-message-id=20",
		"message-id="+dsnMID, "network-message-id="+dsnNMID, "recipient-address=ann@contoso.com", "reference="+auditMID,
		"sender-address=postmaster@contoso.com", "return-path=<>", "message-subject=About your message")
}

// dsnDelivered is the rest of the DSN's way to ann's mailbox on EX01,
// starting at t seconds.
func dsnDelivered(t float64) (hub, delivery map[string]string) {
	at := func(d float64) string { return fmt.Sprintf("t=%g", t+d) }
	ids := []string{"message-id=" + dsnMID, "network-message-id=" + dsnNMID, "sender-address=postmaster@contoso.com", "return-path=<>",
		"recipient-address=ann@contoso.com", "message-subject=About your message"}
	hub = kv(append([]string{at(0.5), "source=SMTP", "event-id=SEND", "client-hostname=EX01", "server-hostname=ex01.contoso.com",
		"source-context=;250 2.0.0 OK " + dsnMID + " [Hostname=ex01.contoso.com];ClientSubmitTime:", "connector-id=Intra-Organization SMTP Send Connector",
		"internal-message-id=20", "recipient-status=250 2.1.5 Recipient OK"}, ids...)...)
	delivery = kv(append([]string{at(0.6), "source=STOREDRIVER", "event-id=DELIVER", "client-hostname=EX01", "server-hostname=ex01.contoso.com",
		"source-context=08DCF94B238B6D3D;2024-03-04T08:04:00.550Z", "internal-message-id=77"}, ids...)...)
	return hub, delivery
}

// dsnCase lays out EX01's hub rows (with the DSN's SEND) and its delivery
// log (the DSN's DELIVER).
func dsnCase(dsnAt float64, rows ...map[string]string) []auditFile {
	send, deliver := dsnDelivered(dsnAt)
	return []auditFile{
		{"EX01/MSGTRK2024030408-1.LOG", "2016", append(rows, send)},
		{"EX01/MSGTRKMD2024030408-1.LOG", "2016", []map[string]string{deliver}},
	}
}

func TestDSNTypes(t *testing.T) {
	tests := []struct {
		name  string
		files []auditFile
		// the original message: its recipient and the DSNs it lists
		rcpt string
		dsns []string
		// the DSN
		flags    sourcecontext.DSNFlags
		ndr      bool
		reportOn string // DSNForMessageID
	}{
		// A delay notice after a DEFER (§8 Delay, §9.1 DEFER), then the
		// message goes out: delivered, and no NDR. No row of the message
		// names a delay notice (DEFER has no reference, §9.3).
		{name: "Delay DSN, then delivered", files: dsnCase(240, dsnOut(
			m("t=5", "source=SMTP", "event-id=DEFER", "client-hostname=EX01", "internal-message-id=10", "recipient-address=x@fabrikam.net",
				"recipient-status='451 4.4.0 DNS query failed'", "message-info=2024-03-04T08:01:05.000Z"),
			dsnRow("240", "Delay"),
			dsnSendExternal("300", ""))...),
			rcpt: "x@fabrikam.net sent_external", dsns: nil, flags: sourcecontext.DSNDelay, reportOn: auditMID},

		// A relay report: the SENDEXTERNAL names it in reference (§6,
		// §9.3), and the original lists it as the DSN's trace names the
		// original.
		{name: "Relay DSN named by a SENDEXTERNAL", files: dsnCase(2.1, dsnOut(
			dsnSendExternal("2", dsnMID),
			dsnRow("2.1", "Relay"))...),
			rcpt: "x@fabrikam.net sent_external", dsns: []string{dsnMID}, flags: sourcecontext.DSNRelay, reportOn: auditMID},
		{name: "Delivery, Relay DSN named by a SENDEXTERNAL", files: dsnCase(2.1, dsnOut(
			dsnSendExternal("2", dsnMID),
			dsnRow("2.1", "Delivery, Relay"))...),
			rcpt: "x@fabrikam.net sent_external", dsns: []string{dsnMID}, flags: sourcecontext.DSNDelivery | sourcecontext.DSNRelay, reportOn: auditMID},

		// A non-delivery report: FAIL names it, it is an NDR.
		{name: "Failure DSN named by a FAIL", files: dsnCase(2.1, dsnOut(
			m("t=2", "source=SMTP", "event-id=FAIL", "client-hostname=EX01", "server-hostname=mx.fabrikam.net", "connector-id=Internet", "internal-message-id=10",
				"recipient-address=x@fabrikam.net", "recipient-status=550 5.1.1 User unknown", "reference="+dsnMID),
			dsnRow("2.1", "Failure"))...),
			rcpt: "x@fabrikam.net failed", dsns: []string{dsnMID}, flags: sourcecontext.DSNFailure, ndr: true, reportOn: auditMID},

		// A type not understood, or none, is unknown: not an NDR, whatever
		// else the value names (nothing is guessed).
		{name: "DSN without its type", files: dsnCase(2.1, dsnOut(
			dsnSendExternal("2", ""),
			dsnRow("2.1", ""))...),
			rcpt: "x@fabrikam.net sent_external", reportOn: auditMID},
		{name: "DSN of an unknown type", files: dsnCase(2.1, dsnOut(
			dsnSendExternal("2", ""),
			dsnRow("2.1", "Failure, Bounce"))...),
			rcpt: "x@fabrikam.net sent_external", reportOn: auditMID},
	}
	for _, tt := range tests {
		for _, shards := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/shards=%d", tt.name, shards), func(t *testing.T) {
				fsys := fstest.MapFS{}
				rows := 0
				for _, f := range tt.files {
					fsys["logs/"+f.path] = &fstest.MapFile{Data: auditLog(f.layout, f.rows...)}
					rows += len(f.rows)
				}
				run := correlateFS(t, fsys, shards, correlate.Options{})
				if msg := auditInvariants(run.traces, rows); msg != "" {
					t.Fatal(msg)
				}
				orig, dsn := pickTrace(run.traces, auditNMID), pickTrace(run.traces, dsnNMID)
				if orig == nil || dsn == nil || len(run.traces) != 2 {
					t.Fatalf("traces %v, want the message's and the DSN's", keysOf(run.traces))
				}

				var got []string
				for _, r := range orig.Recipients {
					got = append(got, r.Address+" "+r.Status.String())
				}
				if diff := cmp.Diff([]string{tt.rcpt}, got); diff != "" {
					t.Errorf("message's recipients (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tt.dsns, orig.DSNs, cmpEmptySlices); diff != "" {
					t.Errorf("message's DSNs (-want +got):\n%s", diff)
				}
				if orig.IsDSN() || orig.IsNDR() || orig.DSNFlags != 0 {
					t.Errorf("the message is taken for a DSN: IsDSN %v, IsNDR %v, DSNFlags %v", orig.IsDSN(), orig.IsNDR(), orig.DSNFlags)
				}

				if dsn.DSNForMessageID != tt.reportOn || dsn.DSNFor != auditNMID {
					t.Errorf("DSN reports on %q (key %q), want %q (key %q)", dsn.DSNForMessageID, dsn.DSNFor, tt.reportOn, auditNMID)
				}
				if dsn.DSNFlags != tt.flags {
					t.Errorf("DSNFlags %v, want %v", dsn.DSNFlags, tt.flags)
				}
				if !dsn.IsDSN() || dsn.IsNDR() != tt.ndr {
					t.Errorf("IsDSN %v, IsNDR %v; want true, %v", dsn.IsDSN(), dsn.IsNDR(), tt.ndr)
				}
				if dsn.Origin.Protocol != correlate.ProtocolDSN {
					t.Errorf("DSN's origin %v, want dsn", dsn.Origin.Protocol)
				}
			})
		}
	}
}
