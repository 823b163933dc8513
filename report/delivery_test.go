package report_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/report"
)

func TestReason(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"lasterror", "[{LED=501 5.1.4 Recipient address reserved by RFC 2606};{MSG=};{FQDN=server.mylab.test};{IP=192.168.159.133};{LRT=12/22/2020 2:28:06 AM}]",
			"501 5.1.4 Recipient address reserved by RFC 2606"},
		{"lasterror with a store diagnostic", "[{LED=554 5.2.0 STOREDRV.Deliver.Exception:MessageSubmissionExceededException.MapiExceptionMaxSubmissionExceeded; Failed to process message due to a permanent exception with message Cannot save changes made to an item to store. 16.55847:E9000000, 17.43559:0000000 [Stage: OnCreatedEvent]};{MSG=};{FQDN=EXCH003.domain.local}]",
			"554 5.2.0 STOREDRV.Deliver.Exception:MessageSubmissionExceededException.MapiExceptionMaxSubmissionExceeded; Failed to process message due to a permanent exception with message Cannot save changes made to an item to store."},
		{"store diagnostic", "STOREDRV.Deliver.Exception:QuotaExceededException; Failed to process message due to a permanent exception 16.55847:E9000000 [Stage: OnCreatedEvent][Agent: Meeting Message Processing Agent]",
			"STOREDRV.Deliver.Exception:QuotaExceededException; Failed to process message due to a permanent exception"},
		{"smtp reply", " 550 5.1.1 User unknown ", "550 5.1.1 User unknown"},
		{"deferral", "451 4.4.0 Primary target IP address responded with: \"421 4.4.2 Connection dropped.\"", "451 4.4.0 Primary target IP address responded with: \"421 4.4.2 Connection dropped.\""},
		{"lasterror without LED", "[{MSG=x};{FQDN=y}]", "[{MSG=x};{FQDN=y}]"},
		{"text", " agent dropped it ", "agent dropped it"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		if got := report.Reason(tt.in); got != tt.want {
			t.Errorf("%s: Reason(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestDeliveries(t *testing.T) {
	t0 := time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC)
	tr := &correlate.Trace{
		Key: "k", NetworkMessageID: "k", MessageID: "<m@x>", Sender: "ann@contoso.com", Subject: "Lunch", Size: 1000, FirstSeen: t0,
		Origin: correlate.Origin{ClientIP: netip.MustParseAddr("10.0.0.1"), OriginalClientIP: netip.MustParseAddr("10.1.2.3")},
		Recipients: []correlate.Recipient{
			{Address: "bob@contoso.com", Status: correlate.StatusDelivered, Server: "EX1", Time: t0.Add(time.Second), Latency: time.Second, ExpandedFrom: []string{"dl@contoso.com"}},
			{Address: "carl@fabrikam.net", Status: correlate.StatusFailed, Server: "EX1", Time: t0.Add(2 * time.Second), Detail: "[{LED=550 5.1.1 User unknown};{MSG=}]"},
		},
	}
	want := []report.Delivery{
		{Received: t0, Time: t0.Add(time.Second), Sender: "ann@contoso.com", Recipient: "bob@contoso.com", Subject: "Lunch", Status: correlate.StatusDelivered,
			ClientIP: netip.MustParseAddr("10.1.2.3"), Server: "EX1", Size: 1000, MessageID: "<m@x>", NetworkMessageID: "k", Latency: time.Second,
			Groups: []string{"dl@contoso.com"}, Key: "k"},
		{Received: t0, Time: t0.Add(2 * time.Second), Sender: "ann@contoso.com", Recipient: "carl@fabrikam.net", Subject: "Lunch", Status: correlate.StatusFailed,
			Detail: "550 5.1.1 User unknown", ClientIP: netip.MustParseAddr("10.1.2.3"), Server: "EX1", Size: 1000, MessageID: "<m@x>", NetworkMessageID: "k", Key: "k"},
	}
	got := report.Deliveries(nil, tr)
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("Deliveries mismatch (-want +got):\n%s", diff)
	}

	sel := report.Selection{Statuses: []correlate.Status{correlate.StatusFailed}}
	if !sel.Trace(tr) || sel.Delivery(&got[0]) || !sel.Delivery(&got[1]) {
		t.Error("Selection by status: wrong choice")
	}
	sel = report.Selection{Address: func(a string) bool { return a == "dl@contoso.com" }}
	if !sel.Trace(tr) || !sel.Delivery(&got[0]) || sel.Delivery(&got[1]) {
		t.Error("Selection by group address: wrong choice")
	}
	if (&report.Selection{Statuses: []correlate.Status{correlate.StatusDropped}}).Trace(tr) {
		t.Error("a trace without dropped recipients chosen by -status dropped")
	}
}

func TestParseStatus(t *testing.T) {
	for in, want := range map[string]correlate.Status{
		"delivered": correlate.StatusDelivered, "FAILED": correlate.StatusFailed, "fail": correlate.StatusFailed,
		"sent-external": correlate.StatusSentExternal, "sent": correlate.StatusSentExternal, "pending": correlate.StatusPending,
	} {
		if got, ok := report.ParseStatus(in); !ok || got != want {
			t.Errorf("ParseStatus(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	if _, ok := report.ParseStatus("lost"); ok {
		t.Error("ParseStatus(lost) ok")
	}
	if n := len(report.Statuses()); n < 6 {
		t.Errorf("Statuses() has %d, want every correlate.Status", n)
	}
}
