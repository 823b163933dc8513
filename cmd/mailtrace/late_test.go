package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
)

// A deferred message and the quiet window (format.md §7.4, §9.3: a DEFER
// row's message-info is the next retry time). lateLog is EX01's log: alice
// sends to partner@fabrikam.net at 08:00:01, the send is deferred at
// 08:00:05 until retry, other messages move time on (08:10, 08:16 or
// others), the SENDEXTERNAL comes at sent, and one more message at 09:10.
func lateLog(retry, sent string, others ...string) string {
	const id = ",5001,<late1@ex01.corp.contoso.com>,24242424-2222-3333-4444-08dc0000001c,partner@fabrikam.net,"
	var b strings.Builder
	b.WriteString("\ufeff#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.039\r\n#Log-type: Message Tracking Log\r\n#Date: 2024-03-04T08:00:01.020Z\r\n" +
		"#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,schema-version\r\n")
	b.WriteString("2024-03-04T08:00:01.020Z,10.0.0.21,client.corp.contoso.com,10.0.0.11,EX01,08DC33BB81F00A30;2024-03-04T08:00:00.900Z;0,EX01\\Client Proxy EX01,SMTP,RECEIVE" + id +
		",5000,1,,,slow remote,alice@contoso.com,alice@contoso.com,07I: ,Originating,,10.0.0.21,,S:DeliveryPriority=Normal,Email,,15.01.2507.039\r\n")
	b.WriteString("2024-03-04T08:00:05.000Z,,EX01,,,,,SMTP,DEFER" + id +
		"'451 4.4.0 Primary target IP address responded with: 421 4.4.2 Connection dropped due to SocketError',5000,1,,,slow remote,alice@contoso.com,alice@contoso.com," +
		retry + ",Originating,,,,S:RecipientsAlreadySmtpDeferLogged=true;S:DeliveryPriority=Normal,Email,,15.01.2507.039\r\n")
	other := func(i int, at string) {
		fmt.Fprintf(&b, "%s,10.0.0.21,client.corp.contoso.com,10.0.0.11,EX01,08DC33BB81F0%04d;%s;0,EX01\\Client Proxy EX01,SMTP,RECEIVE,%d,<o%d@x>,25252525-2222-3333-4444-08dc%08d,bob@contoso.com,,10,1,,,other,alice@contoso.com,alice@contoso.com,07I: ,,,,,,Email,,15.01.2507.039\r\n",
			at, i, at, 7000+i, i, i)
	}
	for i, at := range others {
		other(i+1, at)
	}
	b.WriteString(sent + ",10.0.0.11,EX01,198.51.100.7,mx.fabrikam.net,;250 2.0.0 OK queued;ClientSubmitTime:,Internet,SMTP,SENDEXTERNAL" + id +
		"250 2.1.5 Ok,5000,1,,,slow remote,alice@contoso.com,alice@contoso.com,2024-03-04T08:00:00.900Z;SRV=ex01.corp.contoso.com:TOTAL-HUB=1205,Originating,,,,S:DeliveryPriority=Normal,Email,,15.01.2507.039\r\n")
	other(len(others)+1, "2024-03-04T09:10:00.000Z")
	return b.String()
}

const lateKey = `"key":"24242424-2222-3333-4444-08dc0000001c"`

// lateTrace returns the JSON line of the deferred message's trace in a
// trace -json output, failing unless there is exactly one.
func lateTrace(t *testing.T, stdout string) string {
	t.Helper()
	var found []string
	for _, line := range strings.Split(stdout, "\n") {
		if strings.Contains(line, lateKey) {
			found = append(found, line)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d traces of the deferred message, want 1:\n%s", len(found), stdout)
	}
	return found[0]
}

// TestDeferredSentAfterWindow is the audit's late2: retry at 08:20:05,
// sent at 08:20:06, more than -window after the DEFER row. The trace is
// held until the retry time plus the window: one trace, sent outside,
// nothing late, nothing said on stderr.
func TestDeferredSentAfterWindow(t *testing.T) {
	in := lateLog("2024-03-04T08:20:05.000Z", "2024-03-04T08:20:06.000Z", "2024-03-04T08:10:00.000Z", "2024-03-04T08:16:00.000Z")
	for _, workers := range []string{"1", "2"} {
		stdout, stderr, code := runCmd(t, in, "trace", "-json", "-workers", workers, "-")
		if code != 0 {
			t.Fatalf("trace -workers %s: exit %d: %s", workers, code, stderr)
		}
		tr := lateTrace(t, stdout)
		for _, want := range []string{`"status":"sent_external"`, `"events":3`, `"reason":"complete"`} {
			if !strings.Contains(tr, want) {
				t.Errorf("trace -workers %s: the trace lacks %s:\n%s", workers, want, tr)
			}
		}
		if strings.Contains(stderr, "came after") {
			t.Errorf("trace -workers %s: stderr reports late rows:\n%s", workers, stderr)
		}
	}
	stdout, stderr, code := runCmd(t, in, "stats", "-json", "-")
	if code != 0 {
		t.Fatalf("stats: exit %d: %s", code, stderr)
	}
	for _, want := range []string{`"sent_external":1`, `"late_rows":0`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stats -json lacks %s:\n%s", want, stdout)
		}
	}
}

// TestLateRowsSaid is the audit's late: retry at 08:10:05, sent at
// 08:50:00, long after the retry time plus the window. The logs cannot
// tell the send was coming: the trace is written pending, and the
// SENDEXTERNAL row, late, is said on stderr (even with -quiet) with the
// remedy, and counted in stats; with that remedy the message is whole.
func TestLateRowsSaid(t *testing.T) {
	in := lateLog("2024-03-04T08:10:05.000Z", "2024-03-04T08:50:00.000Z", "2024-03-04T08:20:00.000Z", "2024-03-04T08:40:00.000Z")
	const warning = "1 rows came after their message's trace was written"
	for _, args := range [][]string{{"stats"}, {"stats", "-quiet", "-json"}, {"trace", "-quiet", "-json"}, {"trace", "-json", "-workers", "2"}, {"submitters"}} {
		stdout, stderr, code := runCmd(t, in, append(args, "-")...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		if !strings.Contains(stderr, warning) || !strings.Contains(stderr, "raise -window (e.g. -window 1h)") {
			t.Errorf("%v: stderr does not say that a row came late and how to keep it:\n%s", args, stderr)
		}
		switch {
		case args[0] == "trace":
			if tr := lateTrace(t, stdout); !strings.Contains(tr, `"status":"pending"`) {
				t.Errorf("%v: the trace is not pending:\n%s", args, tr)
			}
		case len(args) > 2 && args[2] == "-json":
			if !strings.Contains(stdout, `"late_rows":1`) {
				t.Errorf("%v: stdout lacks \"late_rows\":1:\n%s", args, stdout)
			}
		case args[0] == "stats":
			if !strings.Contains(stdout, "Late rows ") {
				t.Errorf("%v: the summary does not count the late row:\n%s", args, stdout)
			}
		}
	}
	stdout, stderr, code := runCmd(t, in, "trace", "-json", "-window", "1h", "-")
	if code != 0 {
		t.Fatalf("trace -window 1h: exit %d: %s", code, stderr)
	}
	if tr := lateTrace(t, stdout); !strings.Contains(tr, `"status":"sent_external"`) || strings.Contains(stderr, "came after") {
		t.Errorf("trace -window 1h: not sent outside, or late rows said:\n%s\n%s", tr, stderr)
	}
}

// TestReportLate: the warning names the window as the flag takes it, a
// longer one, and memory as a cause when messages were cut short too.
func TestReportLate(t *testing.T) {
	for _, tc := range []struct {
		st     correlate.Stats
		window time.Duration
		want   []string // "" for no warning
	}{
		{correlate.Stats{}, 15 * time.Minute, nil},
		{correlate.Stats{Late: 3}, 15 * time.Minute, []string{"3 rows came after", "-window 15m after", "(e.g. -window 1h)"}},
		{correlate.Stats{Late: 2, Evicted: 5}, 90 * time.Minute, []string{"2 rows came after", "-window 1h30m after", "or was cut short for memory (above)", "(e.g. -window 6h)"}},
	} {
		var b bytes.Buffer
		reportLate(&b, tc.st, &corrFlags{window: tc.window})
		got := b.String()
		if tc.want == nil && got != "" {
			t.Errorf("%+v: %q, want nothing", tc.st, got)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%+v, -window %v: %q lacks %q", tc.st, tc.window, got, w)
			}
		}
	}
}
