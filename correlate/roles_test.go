package correlate_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
	"testing/fstest"
)

// hopsOf renders a trace's hops as "server role depth".
func hopsOf(tr *correlate.Trace) []string {
	var out []string
	for _, h := range tr.Hops {
		out = append(out, h.Server+" "+h.Role.String()+" "+string(rune('0'+h.Depth)))
	}
	return out
}

// TestEdgeSyncSendIsNotEdge: a mailbox server's transport hands a message
// to the Edge under the name of a send connector the Edge subscription
// created ("EdgeSync - … to Internet"): that does not make it an Edge. The
// Edge is the server that sends into the organisation through "EdgeSync -
// Inbound to …" and has no mailbox logs. (One "EdgeSync - " connector on a
// SEND used to label the hub an Edge.)
func TestEdgeSyncSendIsNotEdge(t *testing.T) {
	const nmid = "6a638d20-1e63-493a-80a2-08da9a4ff8db"
	base := func(m map[string]string) map[string]string {
		m["message-id"], m["network-message-id"], m["sender-address"] = "<e@contoso.com>", nmid, "ann@contoso.com"
		m["recipient-address"] = "bob@fabrikam.net"
		return m
	}
	rows := readRows(t,
		base(map[string]string{"date-time": "2024-03-04T08:00:00.000Z", "source": "SMTP", "event-id": "RECEIVE", "server-hostname": "EX1",
			"client-hostname": "client.contoso.com", "internal-message-id": "1", "message-info": "07I: "}),
		base(map[string]string{"date-time": "2024-03-04T08:00:01.000Z", "source": "SMTP", "event-id": "SEND", "client-hostname": "EX1",
			"server-hostname": "edge1.contoso.com", "connector-id": "EdgeSync - Default-First-Site-Name to Internet", "internal-message-id": "1",
			"source-context": ";250 2.6.0 <e@contoso.com> [InternalId=9, Hostname=edge1.contoso.com] Queued mail for delivery;ClientSubmitTime:"}),
		base(map[string]string{"date-time": "2024-03-04T08:00:01.500Z", "source": "SMTP", "event-id": "RECEIVE", "server-hostname": "EDGE1",
			"client-hostname": "ex1.corp.contoso.com", "connector-id": `EDGE1\Default internal receive connector EDGE1`, "internal-message-id": "9", "message-info": "02I: "}),
		base(map[string]string{"date-time": "2024-03-04T08:00:03.000Z", "source": "SMTP", "event-id": "SENDEXTERNAL", "client-hostname": "EDGE1",
			"server-hostname": "mx.fabrikam.net", "connector-id": "EdgeSync - Default-First-Site-Name to Internet", "internal-message-id": "9"}),
	)
	tr, err := correlate.BuildTrace(rows, correlate.Context{Servers: []string{"EX1", "EDGE1"}, EdgeServers: []string{"EDGE1"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"EX1 hub 0", "EDGE1 edge 1"}, hopsOf(tr)); diff != "" {
		t.Errorf("hops (-want +got):\n%s", diff)
	}
	// Without being told, the rows alone: the Edge is known by its own
	// receive connector; the hub stays a hub.
	got := traceRows(t, rows)
	if len(got) != 1 {
		t.Fatalf("%d traces", len(got))
	}
	if diff := cmp.Diff([]string{"EX1 hub 0", "EDGE1 edge 1"}, hopsOf(got[0])); diff != "" {
		t.Errorf("hops from the rows alone (-want +got):\n%s", diff)
	}
}

// TestMailboxRoleSubmitFromAnotherServer: a 2010 Mailbox server (MBX1)
// logs its SUBMIT in its MSGTRKM file, naming the hub it handed the
// message to (HUB2) in server-hostname (format.md §1.1, §4). The row
// belongs to MBX1, the first hop of the message; HUB2's RECEIVE follows.
// (MSGTRKM files used not to be found at all, and the trace began at the
// hub with the wrong origin server.)
func TestMailboxRoleSubmitFromAnotherServer(t *testing.T) {
	ctx := "MDB:61914740-3f1b-4ddb-94e0-557196870cfa, Mailbox:279f077c-216f-4323-a9ee-48e50ffd3cad, Event:1440, MessageClass:IPM.Note, CreationTime:2010-04-19T12:28:51.312Z, ClientType:User"
	base := func(m map[string]string) map[string]string {
		m["message-id"], m["sender-address"], m["recipient-address"] = "<s@contoso.com>", "user7@contoso.com", "ann@contoso.com"
		return m
	}
	head := "\ufeff#Software: Microsoft Exchange Server\r\n#Version: 14.0.0.0\r\n#Log-type: Message Tracking Log\r\n#Date: 2010-04-19T12:29:07.000Z\r\n" + fields2010
	mbx := head + csvRow2010(base(map[string]string{"date-time": "2010-04-19T12:29:07.390Z", "source": "STOREDRIVER", "event-id": "RECEIVE",
		"client-hostname": "MBX1", "server-hostname": "MBX1", "source-context": ctx, "message-info": "04I: "})) +
		csvRow2010(base(map[string]string{"date-time": "2010-04-19T12:29:07.500Z", "source": "STOREDRIVER", "event-id": "SUBMIT",
			"client-hostname": "mbx1.contoso.com", "server-hostname": "hub2.contoso.com", "source-context": ctx}))
	hub := head + csvRow2010(base(map[string]string{"date-time": "2010-04-19T12:29:07.800Z", "source": "SMTP", "event-id": "RECEIVE",
		"client-hostname": "mbx1.contoso.com", "server-hostname": "HUB2", "internal-message-id": "5", "message-info": "0cI: "})) +
		csvRow2010(base(map[string]string{"date-time": "2010-04-19T12:29:08.000Z", "source": "STOREDRIVER", "event-id": "DELIVER",
			"client-hostname": "HUB2", "server-hostname": "hub2.contoso.com", "internal-message-id": "5"}))
	fsys := fstest.MapFS{
		"logs/MBX1/MSGTRKM20100419-1.LOG": {Data: []byte(mbx)},
		"logs/HUB2/MSGTRK20100419-1.LOG":  {Data: []byte(hub)},
	}
	run := correlateFS(t, fsys, 1, correlate.Options{})
	if len(run.traces) != 1 {
		t.Fatalf("%d traces", len(run.traces))
	}
	tr := run.traces[0]
	if tr.Origin.Server != "MBX1" || tr.Origin.Protocol != correlate.ProtocolStore {
		t.Errorf("origin %+v, want MBX1 via store", tr.Origin)
	}
	if diff := cmp.Diff([]string{"MBX1 submission 0", "HUB2 hub 1", "HUB2 delivery 2"}, hopsOf(tr)); diff != "" {
		t.Errorf("hops (-want +got):\n%s", diff)
	}
	if tr.Reason != correlate.ReasonComplete {
		t.Errorf("reason %v, anomalies %v", tr.Reason, tr.Anomalies)
	}
	_ = msgtrk.LogMailbox
}

func csvRow2010(vals map[string]string) string {
	row := csvRow(fields2010, vals)
	if tm, ok := vals["date-time"]; ok {
		row = tm + row[len("2024-03-04T08:00:00.000Z"):]
	}
	return row
}
