package correlate_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// readRows reads a 2016 log made of the given rows (field name → value).
func readRows(t *testing.T, rows ...map[string]string) []*msgtrk.Record {
	t.Helper()
	log := "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.039\r\n#Log-type: Message Tracking Log\r\n#Date: 2024-03-04T08:00:00.000Z\r\n" + fields2016
	for _, r := range rows {
		row := csvRow(fields2016, r)
		if tm, ok := r["date-time"]; ok {
			row = tm + row[len("2024-03-04T08:00:00.000Z"):]
		}
		log += row
	}
	rd := msgtrk.NewReader(strings.NewReader(log))
	rd.Mode = msgtrk.Strict
	var out []*msgtrk.Record
	for rd.Next() {
		out = append(out, rd.Record().Clone())
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// traceRows runs rows through a Tracker with the default options, the rows
// alone telling the servers, and returns the traces it emits, in order.
func traceRows(t *testing.T, rows []*msgtrk.Record) []*correlate.Trace {
	t.Helper()
	var got []*correlate.Trace
	tk, err := correlate.New(correlate.Options{OnTrace: func(tr *correlate.Trace) { got = append(got, tr) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		tk.Add(r)
	}
	tk.Flush()
	return got
}

// TestRedirectOriginalKeepsEntry: on a REDIRECT row recipient-address is
// the original recipient and related-recipient-address the target
// (format.md §4). The original keeps its entry, forwarded to the target,
// with the target's outcome; the target is not a second recipient. (The
// correlator used to read the row backwards: the original stayed pending
// and the target became a recipient "redirected to" the original.)
func TestRedirectOriginalKeepsEntry(t *testing.T) {
	const nmid = "6a638d20-1e63-493a-80a2-08da9a4ff8da"
	base := func(m map[string]string) map[string]string {
		m["message-id"], m["network-message-id"], m["sender-address"] = "<r@contoso.com>", nmid, "ann@contoso.com"
		return m
	}
	rows := readRows(t,
		base(map[string]string{"date-time": "2024-03-04T08:00:00.000Z", "source": "SMTP", "event-id": "RECEIVE", "server-hostname": "EX1",
			"client-hostname": "client.contoso.com", "recipient-address": "alice@contoso.com", "internal-message-id": "1", "message-info": "07I: "}),
		base(map[string]string{"date-time": "2024-03-04T08:00:01.000Z", "source": "ROUTING", "event-id": "REDIRECT", "server-hostname": "EX1",
			"recipient-address": "alice@contoso.com", "related-recipient-address": "bob@contoso.com", "internal-message-id": "1"}),
		base(map[string]string{"date-time": "2024-03-04T08:00:02.000Z", "source": "STOREDRIVER", "event-id": "DELIVER", "server-hostname": "EX1",
			"client-hostname": "EX1", "recipient-address": "bob@contoso.com", "internal-message-id": "7"}),
	)
	tr, err := correlate.BuildTrace(rows, correlate.Context{Servers: []string{"EX1"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range tr.Recipients {
		got = append(got, r.Address+" "+r.Status.String()+" "+r.Server+" redirected to "+r.RedirectedTo)
	}
	if diff := cmp.Diff([]string{"alice@contoso.com delivered EX1 redirected to bob@contoso.com"}, got); diff != "" {
		t.Errorf("recipients (-want +got):\n%s", diff)
	}
}

// TestOrphanSaysWhy: rows of a 2013+ log with a message-id but an empty
// network-message-id (moderation rows, format.md §4, §6) are orphans, and
// the anomaly says which message-id they have and why it ties nothing;
// rows with neither keep the general text.
func TestOrphanSaysWhy(t *testing.T) {
	rows := readRows(t,
		map[string]string{"date-time": "2024-03-04T08:00:00.000Z", "source": "APPROVAL", "event-id": "MODERATORREJECT", "server-hostname": "EX1",
			"message-id": "<init1@contoso.com>", "network-message-id": "", "reference": "<orig1@contoso.com>", "recipient-address": "moderated@contoso.com"},
		map[string]string{"date-time": "2024-03-04T08:00:01.000Z", "source": "STOREDRIVER", "event-id": "NOTIFYMAPI", "server-hostname": "EX1",
			"message-id": "", "network-message-id": ""},
	)
	var texts []string
	for _, tr := range traceRows(t, rows) {
		for _, a := range tr.Anomalies {
			if a.Kind == correlate.AnomalyOrphan {
				texts = append(texts, a.Message)
			}
		}
	}
	if len(texts) != 2 || !strings.Contains(texts[0], "message-id <init1@contoso.com> but no network-message-id") || texts[1] != "no message id ties these rows to a message" {
		t.Errorf("orphan anomalies %q", texts)
	}
}
