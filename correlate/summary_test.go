package correlate_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/report"
)

// summaryRows reads rows as package export writes them for an Exchange
// Online message trace (one row per recipient) or summary report (one row
// per message), as msgtrk.LogSummary rows.
func summaryRows(t *testing.T, text string) []*msgtrk.Record {
	t.Helper()
	r := msgtrk.NewReader(strings.NewReader(text))
	r.Name, r.Kind = "trace.csv", msgtrk.LogSummary
	var rows []*msgtrk.Record
	for r.Next() {
		rows = append(rows, r.Record().Clone())
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestSummaryRows: outcomes from the last event of each status member,
// a group (Expand) with its members (related-recipient-address), no hop,
// no origin anomaly, no latency, and the trace marked as a summary.
func TestSummaryRows(t *testing.T) {
	const id = "8f2b4f4e-1c2d-4e5f-a6b7-08dc3c1a2b3c"
	text := "#Fields: date-time,network-message-id,message-id,sender-address,recipient-address,recipient-status,related-recipient-address,server-ip,total-bytes\r\n" +
		"2024-03-04T08:00:01.000Z," + id + ",<a1@contoso.com>,alex@contoso.com,dana@contoso.com,\"Delivered, Deliver\",,,52431\r\n" +
		"2024-03-04T08:00:01.000Z," + id + ",<a1@contoso.com>,alex@contoso.com,sales@contoso.com,\"Expanded, Expand\",,,52431\r\n" +
		"2024-03-04T08:00:01.000Z," + id + ",<a1@contoso.com>,alex@contoso.com,lee@contoso.com,\"Delivered, Deliver\",sales@contoso.com,,52431\r\n" +
		"2024-03-04T08:00:01.000Z," + id + ",<a1@contoso.com>,alex@contoso.com,kim@contoso.com,\"Failed, Fail\",sales@contoso.com,,52431\r\n" +
		"2024-03-04T08:00:01.000Z," + id + ",<a1@contoso.com>,alex@contoso.com,ext@fabrikam.net,\"Delivered, Send\",,203.0.113.25,52431\r\n" +
		"2024-03-04T08:00:01.000Z," + id + ",<a1@contoso.com>,alex@contoso.com,q@contoso.com,\"Quarantined, Drop\",,,52431\r\n" +
		"2024-03-04T08:00:01.000Z," + id + ",<a1@contoso.com>,alex@contoso.com,p@contoso.com,GettingStatus,,,52431\r\n"
	tr, err := correlate.BuildTrace(summaryRows(t, text), correlate.Context{})
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Summary || len(tr.Hops) != 0 || tr.Origin.Protocol != correlate.ProtocolUnknown || len(tr.Anomalies) != 0 {
		t.Errorf("summary %v, %d hops, origin %+v, anomalies %v", tr.Summary, len(tr.Hops), tr.Origin, tr.Anomalies)
	}
	type rcpt struct {
		Address, Status, Detail string
		From                    []string
	}
	var got []rcpt
	for _, r := range tr.Recipients {
		if r.Latency != 0 {
			t.Errorf("%s has a latency, %v", r.Address, r.Latency)
		}
		got = append(got, rcpt{r.Address, r.Status.String(), r.Detail, r.ExpandedFrom})
	}
	want := []rcpt{
		{"dana@contoso.com", "delivered", "", nil},
		{"ext@fabrikam.net", "sent_external", "", nil},
		{"kim@contoso.com", "failed", "Failed, Fail", []string{"sales@contoso.com"}},
		{"lee@contoso.com", "delivered", "", []string{"sales@contoso.com"}},
		{"p@contoso.com", "pending", "GettingStatus", nil},
		{"q@contoso.com", "dropped", "Quarantined, Drop", nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recipients (-want +got):\n%s", diff)
	}
	if len(tr.Expansions) != 1 || tr.Expansions[0].Group != "sales@contoso.com" ||
		!cmp.Equal(tr.Expansions[0].Members, []string{"kim@contoso.com", "lee@contoso.com"}) {
		t.Errorf("expansions %+v", tr.Expansions)
	}
	if tr.Reason != correlate.ReasonExpired {
		t.Errorf("reason %v: p@contoso.com is pending", tr.Reason)
	}
	b, err := tr.MarshalJSON()
	if err != nil || !strings.Contains(string(b), `"summary":true`) || !strings.Contains(string(b), `"hops":[]`) {
		t.Errorf("JSON: %s, %v", b, err)
	}
	var c report.Counts
	c.Add(tr)
	if c.Messages != 1 || c.Recipients != 6 || c.Delivered != 2 || c.SentExternal != 1 || c.Failed != 1 || c.Dropped != 1 ||
		c.Pending != 1 || c.Expansions != 1 || c.Expanded != 2 {
		t.Errorf("counts %+v", c)
	}
}

// TestSummaryReportRow: one row of the historical summary report gives
// every recipient's outcome from its event list.
func TestSummaryReportRow(t *testing.T) {
	text := "#Fields: date-time,network-message-id,sender-address,recipient-address,recipient-status\r\n" +
		"2021-03-23T10:00:09.328Z,81945af2-cab7-45ad-ba23-08d8ede2715d,a@domain.com,\"a@domain.com;\"\"Fname LName<fname.lname\"\"@domain.com;c@x.com;g@domain.com\",\"Receive, Deliver;Receive, Fail;Receive, Send;Receive, Expand\"\r\n"
	tr, err := correlate.BuildTrace(summaryRows(t, text), correlate.Context{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range tr.Recipients {
		got = append(got, r.Address+" "+r.Status.String())
	}
	want := []string{"\"fname lname<fname.lname\"@domain.com failed", "a@domain.com delivered", "c@x.com sent_external"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recipients (-want +got):\n%s", diff)
	}
	if len(tr.Expansions) != 1 || tr.Expansions[0].Group != "g@domain.com" {
		t.Errorf("expansions %+v", tr.Expansions)
	}
	if tr.Reason != correlate.ReasonComplete {
		t.Errorf("reason %v: every outcome is final", tr.Reason)
	}
}

// TestSummaryWithLogs: a summary row and the logs of the same message make
// one trace: the hops of the logs, and a success from either wins.
func TestSummaryWithLogs(t *testing.T) {
	const id = "0b7c9d1e-2f3a-4b5c-d6e7-08dc3c1a2b3d"
	logs := "#Fields: date-time,client-hostname,server-hostname,source,event-id,network-message-id,message-id,sender-address,recipient-address,recipient-status\r\n" +
		"2024-03-04T08:00:02.100Z,client,ex01.contoso.com,SMTP,RECEIVE," + id + ",<b2@x>,dana@contoso.com,lee@contoso.com,\r\n" +
		"2024-03-04T08:00:02.300Z,ex01.contoso.com,,SMTP,DEFER," + id + ",<b2@x>,dana@contoso.com,lee@contoso.com,451 4.4.0 try later\r\n"
	r := msgtrk.NewReader(strings.NewReader(logs))
	r.Server = "EX01"
	var rows []*msgtrk.Record
	for r.Next() {
		rows = append(rows, r.Record().Clone())
	}
	rows = append(rows, summaryRows(t, "#Fields: date-time,network-message-id,recipient-address,recipient-status\r\n"+
		"2024-03-04T08:00:02.000Z,"+id+",lee@contoso.com,\"Delivered, Deliver\"\r\n")...)
	tr, err := correlate.BuildTrace(rows, correlate.Context{Servers: []string{"EX01"}})
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Summary || len(tr.Hops) != 1 || len(tr.Recipients) != 1 || tr.Recipients[0].Status != correlate.StatusDelivered {
		t.Errorf("summary %v, hops %+v, recipients %+v", tr.Summary, tr.Hops, tr.Recipients)
	}
}
