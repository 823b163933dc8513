package correlate_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

const (
	fields2010 = "#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data\r\n"
	fields2016 = "#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,schema-version\r\n"
)

// TestKeyOf pins the message-identity rule: network-message-id in lower
// case; 2007/2010 logs, message-id and sender; store submissions, mailbox
// and event (no server: the same whatever folder or host spelling).
func TestKeyOf(t *testing.T) {
	ctx := `MDB:61914740-3f1b-4ddb-94e0-557196870cfa, Mailbox:279F077C-216f-4323-a9ee-48e50ffd3cad, Event:269492708, MessageClass:IPM.Note, CreationTime:2016-04-05T00:00:01.022Z, ClientType:MOMT`
	tests := []struct {
		name, fields string
		row          map[string]string
		want         correlate.Keys
	}{
		{"2016 RECEIVE", fields2016,
			map[string]string{"event-id": "RECEIVE", "source": "SMTP", "message-id": "<a@b>", "network-message-id": "6A638D20-1e63-493a-80a2-08da9a4ff8da", "sender-address": "Sender@Contoso.com"},
			correlate.Keys{Primary: "6a638d20-1e63-493a-80a2-08da9a4ff8da"}},
		{"2016 FAIL without network-message-id", fields2016,
			map[string]string{"event-id": "FAIL", "source": "SMTP", "message-id": "<a@b>", "sender-address": "s@contoso.com"},
			correlate.Keys{}},
		{"2010 RECEIVE", fields2010,
			map[string]string{"event-id": "RECEIVE", "source": "SMTP", "message-id": "<A@b>", "sender-address": "Sender@Contoso.com"},
			correlate.Keys{Primary: "mid:<A@b>|sender@contoso.com"}},
		{"2016 NOTIFYMAPI", fields2016,
			map[string]string{"event-id": "NOTIFYMAPI", "source": "STOREDRIVER", "client-hostname": "EX01", "source-context": ctx},
			correlate.Keys{Store: "store:279f077c-216f-4323-a9ee-48e50ffd3cad/269492708"}},
		{"2010 SUBMIT", fields2010,
			map[string]string{"event-id": "SUBMIT", "source": "STOREDRIVER", "client-hostname": "mbx1.corp.contoso.com", "server-hostname": "HUB2",
				"source-context": ctx, "message-id": "<A@b>", "sender-address": "s@contoso.com"},
			correlate.Keys{Primary: "mid:<A@b>|s@contoso.com", Store: "store:279f077c-216f-4323-a9ee-48e50ffd3cad/269492708"}},
	}
	for _, tc := range tests {
		rd := msgtrk.NewReader(strings.NewReader("#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.039\r\n#Log-type: Message Tracking Log\r\n#Date: 2024-03-04T08:00:00.000Z\r\n" + tc.fields + csvRow(tc.fields, tc.row)))
		rd.Mode = msgtrk.Strict
		if !rd.Next() {
			t.Fatalf("%s: %v", tc.name, rd.Err())
		}
		if diff := cmp.Diff(tc.want, correlate.KeyOf(rd.Record())); diff != "" {
			t.Errorf("KeyOf(%s) mismatch (-want +got):\n%s", tc.name, diff)
		}
	}
}

// csvRow renders a row for the #Fields line fields from field names to
// values (the others empty), with msgtrk's escaping.
func csvRow(fields string, vals map[string]string) string {
	names := strings.Split(strings.TrimSpace(strings.TrimPrefix(fields, "#Fields: ")), ",")
	var b []byte
	b = append(b, "2024-03-04T08:00:00.000Z"...)
	for _, n := range names[1:] {
		b = append(b, ',')
		b = msgtrk.AppendField(b, vals[n])
	}
	return string(append(b, '\r', '\n'))
}
