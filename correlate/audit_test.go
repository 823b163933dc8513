package correlate_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// The event audit: for each event and source of format.md §9.1 and §9.3,
// rows laid out as the spec says (and as the real lines of testdata/real
// show), and what the trace must say: the truth, or that it does not know.
// Every case also checks the invariants of every trace (auditInvariants).

const fields2007 = "#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info\r\n"

// auditLayouts are the header lines of each release's files: its #Version
// (2007's is a guess, format.md §13: "probably 8.x") and #Fields.
var auditLayouts = map[string][2]string{
	"2007": {"8.1.240.6", fields2007},
	"2010": {"14.0.0.0", fields2010},
	"2016": {"15.01.2507.039", fields2016},
}

// kv makes a row from "field=value" pairs.
func kv(pairs ...string) map[string]string {
	m := map[string]string{}
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		m[k] = v
	}
	return m
}

// auditLog renders rows as a log file of a release; each row's date-time
// is "t" seconds after 2024-03-04T08:00:00Z ("t=1.5").
func auditLog(layout string, rows ...map[string]string) []byte {
	l := auditLayouts[layout]
	b := []byte("\ufeff#Software: Microsoft Exchange Server\r\n#Version: " + l[0] + "\r\n#Log-type: Message Tracking Log\r\n#Date: 2024-03-04T08:00:00.000Z\r\n" + l[1])
	for _, r := range rows {
		vals := map[string]string{}
		for k, v := range r {
			vals[k] = v
		}
		var sec float64
		fmt.Sscan(vals["t"], &sec)
		ms := int(sec * 1000)
		vals["date-time"] = fmt.Sprintf("2024-03-04T08:%02d:%02d.%03dZ", ms/60000, ms/1000%60, ms%1000)
		row := csvRow(l[1], vals)
		b = append(b, vals["date-time"]...)
		b = append(b, row[len("2024-03-04T08:00:00.000Z"):]...)
	}
	return b
}

// auditFile is one log of a case: its path (folder and name tell the
// server and the service) and rows.
type auditFile struct {
	path, layout string
	rows         []map[string]string
}

// auditCase is one situation and what its trace must say.
type auditCase struct {
	name  string
	files []auditFile
	// key of the trace to check ("" for the one trace with an origin or,
	// failing that, the first).
	key    string
	traces int      // traces expected (0: not checked)
	origin string   // "protocol SERVER", "" for unknown
	hops   []string // "SERVER role depth"
	rcpts  []string // "address status SERVER [detail substring]"
	// complete: the trace must be complete; otherwise it must not be.
	complete  bool
	anomalies []correlate.AnomalyKind // kinds the trace must have
	missing   []string                // Trace.MissingLogs
}

// Rows shared by the cases: a store submission on EX01 (2016).
const (
	auditNMID  = "2fd37dca-1234-5bfb-175d-08dc1db88f52"
	auditMID   = "<a1@contoso.com>"
	auditStore = "MDB:61914740-3f1b-4ddb-94e0-557196870cfa, Mailbox:279f077c-216f-4323-a9ee-48e50ffd3cad, Event:1440, MessageClass:IPM.Note, CreationTime:2024-03-04T07:59:59.000Z, ClientType:MOMT"
)

// msg adds the ids of the audit message to a row.
func msg(r map[string]string) map[string]string {
	for k, v := range map[string]string{"message-id": auditMID, "network-message-id": auditNMID, "sender-address": "ann@contoso.com", "return-path": "ann@contoso.com"} {
		if _, ok := r[k]; !ok {
			r[k] = v
		}
	}
	return r
}

func m(pairs ...string) map[string]string { return msg(kv(pairs...)) }

// auditSubmission is EX01's MSGTRKMS for a store submission to bob.
func auditSubmission() auditFile {
	return auditFile{"EX01/MSGTRKMS2024030408-1.LOG", "2016", []map[string]string{
		m("t=0", "source=STOREDRIVER", "event-id=NOTIFYMAPI", "client-hostname=EX01", "source-context="+auditStore, "message-id=", "network-message-id=", "sender-address=", "return-path="),
		m("t=0.1", "source=STOREDRIVER", "event-id=RECEIVE", "client-hostname=ex01.contoso.com", "server-hostname=EX01", "source-context="+auditStore,
			"internal-message-id=438", "recipient-address=bob@contoso.com", "recipient-status=To", "message-info=04I: "),
		m("t=0.2", "source=STOREDRIVER", "event-id=SUBMIT", "client-hostname=ex01.contoso.com", "server-hostname=ex01.contoso.com", "source-context="+auditStore,
			"internal-message-id=438", "recipient-address=bob@contoso.com"),
	}}
}

// auditHubReceive is EX01's transport taking the submission.
func auditHubReceive(t string) map[string]string {
	return m("t="+t, "source=SMTP", "event-id=RECEIVE", "client-hostname=ex01.contoso.com", "server-hostname=EX01", "source-context=08DC1DB12C345BE5;2024-03-04T08:00:00.100Z;0",
		"connector-id=EX01\\Default EX01", "internal-message-id=10", "recipient-address=bob@contoso.com", "message-info=0cI: ")
}

// auditSendTo is a SEND of copy imid on EX01 to server's delivery service.
func auditSendTo(t, imid, server string) map[string]string {
	return m("t="+t, "source=SMTP", "event-id=SEND", "client-hostname=EX01", "server-hostname="+server+".contoso.com",
		"source-context=;250 2.0.0 OK "+auditMID+" [Hostname="+server+".contoso.com];ClientSubmitTime:", "connector-id=Intra-Organization SMTP Send Connector",
		"internal-message-id="+imid, "recipient-address=bob@contoso.com", "recipient-status=250 2.1.5 Recipient OK")
}

// auditDeliver is a DELIVER on server's MSGTRKMD.
func auditDeliver(t, server string) map[string]string {
	return m("t="+t, "source=STOREDRIVER", "event-id=DELIVER", "client-hostname="+server, "server-hostname="+strings.ToLower(server)+".contoso.com",
		"source-context=08DC1DB12C345BE9;2024-03-04T08:00:01.000Z", "internal-message-id=77", "recipient-address=bob@contoso.com")
}

// auditStoreToEX02 is the usual way: submission on EX01, hub EX01, delivery on EX02.
func auditStoreToEX02(extraHub []map[string]string, extraDelivery []map[string]string) []auditFile {
	hub := append([]map[string]string{auditHubReceive("0.3")}, extraHub...)
	hub = append(hub, auditSendTo("2", "10", "EX02"))
	return []auditFile{auditSubmission(), {"EX01/MSGTRK2024030408-1.LOG", "2016", hub},
		{"EX02/MSGTRKMD2024030408-1.LOG", "2016", append([]map[string]string{auditDeliver("1.9", "EX02")}, extraDelivery...)}}
}

var auditUsual = []string{"EX01 submission 0", "EX01 hub 1", "EX02 delivery 2"}

func TestEventAudit(t *testing.T) {
	cases := []auditCase{
		{name: "usual way", files: auditStoreToEX02(nil, nil),
			origin: "store EX01", hops: auditUsual, rcpts: []string{"bob@contoso.com delivered EX02"}, complete: true},

		// PROCESSMEETINGMESSAGE (MSGTRKMD, source MEETINGMESSAGEPROCESSOR)
		// writes the Internet message-id in internal-message-id (§4, §9.3):
		// no hop of its own, no recipient.
		{name: "PROCESSMEETINGMESSAGE", files: auditStoreToEX02(nil, []map[string]string{
			m("t=2.1", "source=MEETINGMESSAGEPROCESSOR", "event-id=PROCESSMEETINGMESSAGE", "client-hostname=EX02", "internal-message-id="+auditMID)}),
			origin: "store EX01", hops: auditUsual, rcpts: []string{"bob@contoso.com delivered EX02"}, complete: true},
		{name: "PROCESSMEETINGMESSAGE in a transport's log", files: []auditFile{auditSubmission(),
			{"EX01/MSGTRK2024030408-1.LOG", "2016", []map[string]string{auditHubReceive("0.3"), auditSendTo("2", "10", "EX02")}},
			{"EX02/MSGTRK2024030408-1.LOG", "2016", []map[string]string{auditDeliver("1.9", "EX02"),
				m("t=2.1", "source=MEETINGMESSAGEPROCESSOR", "event-id=PROCESSMEETINGMESSAGE", "client-hostname=EX02", "internal-message-id="+auditMID)}}},
			origin: "store EX01", hops: auditUsual, rcpts: []string{"bob@contoso.com delivered EX02"}, complete: true},

		// LOAD (source BOOTLOADER): a queued item loaded again after the
		// transport restarted, its own internal id or a new one: the same
		// visit of the hub.
		{name: "LOAD same id", files: auditStoreToEX02([]map[string]string{
			m("t=1", "source=BOOTLOADER", "event-id=LOAD", "client-hostname=EX01", "server-hostname=EX01", "internal-message-id=10", "recipient-address=bob@contoso.com")}, nil),
			origin: "store EX01", hops: auditUsual, rcpts: []string{"bob@contoso.com delivered EX02"}, complete: true},
		{name: "LOAD new id", files: []auditFile{auditSubmission(), {"EX01/MSGTRK2024030408-1.LOG", "2016", []map[string]string{auditHubReceive("0.3"),
			m("t=1", "source=BOOTLOADER", "event-id=LOAD", "client-hostname=EX01", "server-hostname=EX01", "internal-message-id=12", "recipient-address=bob@contoso.com"),
			auditSendTo("2", "12", "EX02")}}, {"EX02/MSGTRKMD2024030408-1.LOG", "2016", []map[string]string{auditDeliver("1.9", "EX02")}}},
			origin: "store EX01", hops: auditUsual, rcpts: []string{"bob@contoso.com delivered EX02"}, complete: true},
		{name: "LOAD after the logs begin", files: []auditFile{{"EX01/MSGTRK2024030408-1.LOG", "2016", []map[string]string{
			m("t=1", "source=BOOTLOADER", "event-id=LOAD", "client-hostname=EX01", "server-hostname=EX01", "internal-message-id=12", "recipient-address=bob@contoso.com"),
			auditSendTo("2", "12", "EX02")}}, {"EX02/MSGTRKMD2024030408-1.LOG", "2016", []map[string]string{auditDeliver("1.9", "EX02")}}},
			hops: []string{"EX01 hub 0", "EX02 delivery 1"}, rcpts: []string{"bob@contoso.com delivered EX02"},
			anomalies: []correlate.AnomalyKind{correlate.AnomalyNoOrigin, correlate.AnomalyLogGap}},

		// THROTTLE: the reference is the reason (§6), not a DSN or a copy.
		{name: "THROTTLE", files: auditStoreToEX02([]map[string]string{
			m("t=1", "source=AGENT", "event-id=THROTTLE", "client-hostname=EX01", "internal-message-id=10", "recipient-address=bob@contoso.com", "reference=ThrottledBySubmissionQuota")}, nil),
			origin: "store EX01", hops: auditUsual, rcpts: []string{"bob@contoso.com delivered EX02"}, complete: true},

		// DEFER then a later delivery: delivered.
		{name: "DEFER then delivery", files: auditStoreToEX02([]map[string]string{
			m("t=1", "source=SMTP", "event-id=DEFER", "client-hostname=EX01", "server-hostname=ex02.contoso.com", "internal-message-id=10", "recipient-address=bob@contoso.com",
				"recipient-status='432 4.3.2 STOREDRV.Deliver; mailbox database thread limit exceeded'", "message-info=2024-03-04T08:01:00.000Z")}, nil),
			origin: "store EX01", hops: auditUsual, rcpts: []string{"bob@contoso.com delivered EX02"}, complete: true},
		{name: "DEFER only", files: []auditFile{auditSubmission(), {"EX01/MSGTRK2024030408-1.LOG", "2016", []map[string]string{auditHubReceive("0.3"),
			m("t=1", "source=SMTP", "event-id=DEFER", "client-hostname=EX01", "server-hostname=ex02.contoso.com", "internal-message-id=10", "recipient-address=bob@contoso.com",
				"recipient-status='432 4.3.2 STOREDRV.Deliver; mailbox database thread limit exceeded'", "message-info=2024-03-04T08:01:00.000Z")}}},
			origin: "store EX01", hops: []string{"EX01 submission 0", "EX01 hub 1"}, rcpts: []string{"bob@contoso.com pending EX01 thread limit"}},

		// BADMAIL: a message from the Pickup directory that can be neither
		// delivered nor returned: failed, and it came from the pickup
		// directory, not over SMTP.
		{name: "BADMAIL from the Pickup directory", files: []auditFile{{"EX01/MSGTRK2024030408-1.LOG", "2016", []map[string]string{
			m("t=0", "source=PICKUP", "event-id=RECEIVE", "server-hostname=EX01", "source-context=C:\\Pickup\\a1.eml", "internal-message-id=3", "recipient-address=bob@contoso.com"),
			m("t=0.5", "source=PICKUP", "event-id=BADMAIL", "client-hostname=EX01", "internal-message-id=3", "recipient-address=bob@contoso.com", "recipient-status=550 5.6.0 message content not valid")}}},
			origin: "pickup EX01", hops: []string{"EX01 hub 0"}, rcpts: []string{"bob@contoso.com failed EX01 not valid"}, complete: true},

		// POISONMESSAGE: in the poison queue until an administrator acts:
		// not an outcome.
		{name: "POISONMESSAGE", files: []auditFile{auditSubmission(), {"EX01/MSGTRK2024030408-1.LOG", "2016", []map[string]string{auditHubReceive("0.3"),
			m("t=1", "source=POISONMESSAGE", "event-id=POISONMESSAGE", "client-hostname=EX01", "internal-message-id=10", "recipient-address=bob@contoso.com")}}},
			origin: "store EX01", hops: []string{"EX01 submission 0", "EX01 hub 1"}, rcpts: []string{"bob@contoso.com pending EX01 POISONMESSAGE"}},

		// SUBMITFAIL / SUBMITDEFER: the submission service could not hand
		// the message to a transport.
		{name: "SUBMITFAIL", files: []auditFile{{"EX01/MSGTRKMS2024030408-1.LOG", "2016", append(auditSubmission().rows[:2:2],
			m("t=0.2", "source=STOREDRIVER", "event-id=SUBMITFAIL", "client-hostname=ex01.contoso.com", "server-hostname=ex01.contoso.com", "source-context="+auditStore,
				"internal-message-id=438", "recipient-address=bob@contoso.com", "recipient-status=550 5.6.0 submission failed"))}},
			origin: "store EX01", hops: []string{"EX01 submission 0"}, rcpts: []string{"bob@contoso.com failed EX01 submission failed"}, complete: true},
		{name: "SUBMITDEFER then the way", files: func() []auditFile {
			f := auditStoreToEX02(nil, nil)
			f[0].rows = append(f[0].rows[:2:2], m("t=0.15", "source=STOREDRIVER", "event-id=SUBMITDEFER", "client-hostname=ex01.contoso.com", "server-hostname=ex01.contoso.com",
				"source-context="+auditStore, "internal-message-id=438", "recipient-address=bob@contoso.com", "recipient-status=451 4.4.0 no transport"), f[0].rows[2])
			return f
		}(), origin: "store EX01", hops: auditUsual, rcpts: []string{"bob@contoso.com delivered EX02"}, complete: true},

		// Safety Net: RESUBMIT, RESUBMITDEFER, RESUBMITFAIL after the
		// delivery repeat nothing: one delivery, no hop.
		{name: "RESUBMIT*", files: auditStoreToEX02([]map[string]string{
			m("t=3", "source=SAFETYNET", "event-id=RESUBMIT", "client-hostname=EX01", "server-hostname=EX01", "internal-message-id=14", "reference=10", "recipient-address=bob@contoso.com"),
			m("t=4", "source=SAFETYNET", "event-id=RESUBMITDEFER", "client-hostname=EX01", "internal-message-id=14", "recipient-address=bob@contoso.com", "recipient-status=451 4.4.0 later"),
			m("t=5", "source=SAFETYNET", "event-id=RESUBMITFAIL", "client-hostname=EX01", "internal-message-id=14", "recipient-address=bob@contoso.com", "recipient-status=550 5.0.0 no")}, nil),
			origin: "store EX01", hops: auditUsual, rcpts: []string{"bob@contoso.com delivered EX02"}, complete: true},

		// SUPPRESSED: the transmission was suppressed (§9.1): not delivered,
		// on purpose.
		{name: "SUPPRESSED", files: []auditFile{auditSubmission(), {"EX01/MSGTRK2024030408-1.LOG", "2016", []map[string]string{auditHubReceive("0.3"),
			m("t=1", "source=ROUTING", "event-id=SUPPRESSED", "client-hostname=EX01", "internal-message-id=10", "recipient-address=bob@contoso.com", "source-context=250 2.1.5 suppressed")}}},
			origin: "store EX01", hops: []string{"EX01 submission 0", "EX01 hub 1"}, rcpts: []string{"bob@contoso.com dropped EX01 SUPPRESSED"}, complete: true},

		// CLIENTSUBMISSION and NOTIFYSHADOW: submission events (§9.1).
		{name: "CLIENTSUBMISSION and NOTIFYSHADOW", files: func() []auditFile {
			f := auditStoreToEX02(nil, nil)
			f[0].rows = append(f[0].rows,
				m("t=0.05", "source=STOREDRIVER", "event-id=NOTIFYSHADOW", "client-hostname=EX01", "source-context="+auditStore, "message-id=", "network-message-id=", "sender-address=", "return-path="),
				m("t=0.06", "source=STOREDRIVER", "event-id=CLIENTSUBMISSION", "client-hostname=ex01.contoso.com", "server-hostname=EX01", "internal-message-id=438", "recipient-address=bob@contoso.com"))
			return f
		}(), origin: "store EX01", hops: auditUsual, rcpts: []string{"bob@contoso.com delivered EX02"}, complete: true},

		// DROP of an expanded group is not a failure; DROP of a recipient
		// is; a group's DROP whose EXPAND row is not in the input is still
		// the group's (its status says so, flows.md), not a recipient's.
		{name: "DROP of a group and of a recipient", files: []auditFile{auditSubmission(), {"EX01/MSGTRK2024030408-1.LOG", "2016", []map[string]string{
			m("t=0.3", "source=SMTP", "event-id=RECEIVE", "client-hostname=ex01.contoso.com", "server-hostname=EX01", "internal-message-id=10", "recipient-address=dl@contoso.com", "message-info=0cI: "),
			m("t=0.4", "source=ROUTING", "event-id=EXPAND", "server-hostname=EX01", "internal-message-id=10", "recipient-address=bob@contoso.com;carl@contoso.com", "related-recipient-address=dl@contoso.com"),
			m("t=0.5", "source=ROUTING", "event-id=DROP", "server-hostname=EX01", "internal-message-id=10", "recipient-address=dl@contoso.com", "recipient-status=250 2.1.5 RESOLVER.GRP.Expanded; distribution list expanded"),
			m("t=0.6", "source=AGENT", "event-id=DROP", "server-hostname=EX01", "internal-message-id=10", "recipient-address=carl@contoso.com", "recipient-status=550 4.3.2 QUEUE.TransportAgent; message deleted by transport agent"),
			auditSendTo("2", "10", "EX02")}}, {"EX02/MSGTRKMD2024030408-1.LOG", "2016", []map[string]string{auditDeliver("1.9", "EX02")}}},
			origin: "store EX01", hops: auditUsual, rcpts: []string{"bob@contoso.com delivered EX02", "carl@contoso.com dropped EX01 QUEUE.TransportAgent"}, complete: true},
		{name: "DROP of a group without its EXPAND", files: []auditFile{auditSubmission(), {"EX01/MSGTRK2024030408-1.LOG", "2016", []map[string]string{
			m("t=0.3", "source=SMTP", "event-id=RECEIVE", "client-hostname=ex01.contoso.com", "server-hostname=EX01", "internal-message-id=10", "recipient-address=dl@contoso.com", "message-info=0cI: "),
			m("t=0.5", "source=ROUTING", "event-id=DROP", "server-hostname=EX01", "internal-message-id=10", "recipient-address=dl@contoso.com", "recipient-status=250 2.1.5 RESOLVER.GRP.Expanded; distribution list expanded"),
			auditSendTo("2", "10", "EX02")}}, {"EX02/MSGTRKMD2024030408-1.LOG", "2016", []map[string]string{auditDeliver("1.9", "EX02")}}},
			origin: "store EX01", hops: auditUsual, rcpts: []string{"bob@contoso.com delivered EX02"}, complete: true},

		// TRANSFER (§6): each reason makes a copy of the same hub visit; a
		// fork of a fork, and a TRANSFER naming itself, neither loops nor
		// adds a hop.
		{name: "TRANSFER reasons", files: auditStoreToEX02([]map[string]string{
			m("t=0.5", "source=ROUTING", "event-id=TRANSFER", "server-hostname=EX01", "internal-message-id=11", "reference=10", "source-context=Resolver", "recipient-address=bob@contoso.com"),
			m("t=0.6", "source=QUEUE", "event-id=TRANSFER", "server-hostname=EX01", "internal-message-id=12", "reference=11", "source-context=Forking for poison", "recipient-address=bob@contoso.com"),
			m("t=0.7", "source=AGENT", "event-id=TRANSFER", "server-hostname=EX01", "internal-message-id=13", "reference=13", "source-context=Transport Rule Agent", "recipient-address=bob@contoso.com"),
			auditSendTo("1.5", "12", "EX02")}, nil),
			origin: "store EX01", hops: auditUsual, rcpts: []string{"bob@contoso.com delivered EX02"}, complete: true},

		// Shadow redundancy: the shadow's rows are no hop; when the primary
		// fails and the shadow sends its copy on, the shadow's copy (the
		// InternalId of the HAREDIRECT reply, §6) comes after the primary.
		{name: "shadow copy sent on by the shadow", files: []auditFile{auditSubmission(),
			{"EX01/MSGTRK2024030408-1.LOG", "2016", []map[string]string{auditHubReceive("0.3"),
				m("t=0.4", "source=SMTP", "event-id=HAREDIRECT", "server-hostname=EX01", "internal-message-id=10", "recipient-address=bob@contoso.com",
					"source-context=ex03.contoso.com=250 2.6.0 "+auditMID+" [InternalId=44, Hostname=ex03.contoso.com] Queued mail for redundancy")}},
			{"EX03/MSGTRK2024030408-1.LOG", "2016", []map[string]string{
				m("t=0.35", "source=SMTP", "event-id=HARECEIVE", "client-hostname=ex01.contoso.com", "server-hostname=EX03", "internal-message-id=44", "recipient-address=bob@contoso.com"),
				m("t=60", "source=SMTP", "event-id=SEND", "client-hostname=EX03", "server-hostname=ex02.contoso.com", "source-context=;250 2.0.0 OK "+auditMID+" [Hostname=ex02.contoso.com];ClientSubmitTime:",
					"connector-id=Intra-Organization SMTP Send Connector", "internal-message-id=44", "recipient-address=bob@contoso.com", "custom-data=S:Resubmit=ShadowRedundancy")}},
			{"EX02/MSGTRKMD2024030408-1.LOG", "2016", []map[string]string{auditDeliver("59.9", "EX02")}}},
			origin: "store EX01", hops: []string{"EX01 submission 0", "EX01 hub 1", "EX03 hub 2", "EX02 delivery 3"}, rcpts: []string{"bob@contoso.com delivered EX02"}, complete: true},

		// Moderation (§4, §6, §9.3): the approval rows carry internal id 0,
		// the initiation message's id, the original's in reference, and
		// (on these) no network-message-id: they make no hop, no outcome
		// and no recipient of the moderated message, whose recipient waits.
		{name: "moderation", traces: 3, files: []auditFile{
			{"EX01/MSGTRK2024030408-1.LOG", "2016", []map[string]string{
				m("t=0", "source=SMTP", "event-id=RECEIVE", "client-hostname=client.contoso.com", "server-hostname=EX01", "internal-message-id=10", "recipient-address=dl@contoso.com",
					"message-info=07I: ", "custom-data=S:ProxyHop1=ex01.contoso.com(10.0.0.11);S:ProxiedClientIPAddress=10.0.20.5")}},
			{"EX01/MSGTRKMA2024030408-1.LOG", "2016", []map[string]string{
				m("t=1", "source=APPROVAL", "event-id=INITMESSAGECREATED", "client-hostname=EX01", "internal-message-id=0", "message-id=<init1@contoso.com>", "network-message-id=",
					"reference="+auditMID+";<init1@contoso.com>", "recipient-address=dl@contoso.com"),
				m("t=30", "source=APPROVAL", "event-id=MODERATORAPPROVE", "client-hostname=EX01", "internal-message-id=0", "message-id=<init1@contoso.com>", "network-message-id=",
					"reference="+auditMID+";<init1@contoso.com>", "recipient-address=dl@contoso.com")}}},
			key: auditNMID, origin: "smtp EX01", hops: []string{"EX01 hub 0"}, rcpts: []string{"dl@contoso.com pending "}},
		{name: "moderation 2010", traces: 2, files: []auditFile{
			{"EX01/MSGTRK20240304-1.LOG", "2010", []map[string]string{
				m("t=0", "source=SMTP", "event-id=RECEIVE", "client-hostname=client.contoso.com", "server-hostname=EX01", "internal-message-id=10", "recipient-address=dl@contoso.com",
					"message-info=07I: "),
				m("t=1", "source=APPROVAL", "event-id=INITMESSAGECREATED", "client-hostname=EX01", "internal-message-id=0", "message-id=<init1@contoso.com>",
					"reference="+auditMID+";<init1@contoso.com>", "recipient-address=dl@contoso.com"),
				m("t=30", "source=APPROVAL", "event-id=MODERATORREJECT", "client-hostname=EX01", "internal-message-id=0", "message-id=<init1@contoso.com>",
					"reference="+auditMID+";<init1@contoso.com>", "recipient-address=dl@contoso.com", "recipient-status=550 5.2.1 rejected")}}},
			key: "mid:<init1@contoso.com>|ann@contoso.com", rcpts: []string{}, anomalies: []correlate.AnomalyKind{correlate.AnomalyNoOrigin}},

		// Exchange 2007 (21 columns, no network-message-id, a Mailbox
		// server's MSGTRKM and a Hub's MSGTRK, §1.1, §2): the Mailbox
		// server's SUBMIT, the Hub's STOREDRIVER RECEIVE (the mailbox server
		// is its client, §4) and DELIVER: the message entered at MBX1
		// (named as its rows spell it).
		{name: "2007 hub and mailbox", files: []auditFile{
			{"MBX1/MSGTRKM20240304-1.LOG", "2007", []map[string]string{
				m("t=0.1", "source=STOREDRIVER", "event-id=SUBMIT", "client-hostname=mbx1.contoso.com", "server-hostname=hub1.contoso.com", "source-context="+auditStore)}},
			{"HUB1/MSGTRK20240304-1.LOG", "2007", []map[string]string{
				m("t=0.3", "source=STOREDRIVER", "event-id=RECEIVE", "client-hostname=mbx1.contoso.com", "server-hostname=hub1.contoso.com", "source-context="+auditStore,
					"internal-message-id=5", "recipient-address=bob@contoso.com", "recipient-status=To", "message-info=04I: "),
				m("t=0.8", "source=STOREDRIVER", "event-id=DELIVER", "client-hostname=HUB1", "server-hostname=mbx2.contoso.com", "internal-message-id=5", "recipient-address=bob@contoso.com",
					"recipient-status=250 2.1.5 Recipient OK")}}},
			key: "mid:" + auditMID + "|ann@contoso.com", origin: "store mbx1", hops: []string{"mbx1 submission 0", "HUB1 hub 1", "HUB1 delivery 2"},
			rcpts: []string{"bob@contoso.com delivered HUB1"}, complete: true},
		// Senders reuse message-ids (format.md §6); 2010 logs key a message
		// by message-id and sender only, so a scanner's two messages two
		// minutes apart are one trace: it says so and is not complete.
		{name: "2010 two messages with one message-id and sender", files: []auditFile{
			{"HUB1/MSGTRK20240304-1.LOG", "2010", []map[string]string{
				m("t=0", "source=SMTP", "event-id=RECEIVE", "client-hostname=scan01.contoso.com", "server-hostname=HUB1", "internal-message-id=100",
					"recipient-address=carol@contoso.com", "total-bytes=5000", "message-info=00A: "),
				m("t=0.5", "source=STOREDRIVER", "event-id=DELIVER", "client-hostname=HUB1", "server-hostname=hub1.contoso.com", "internal-message-id=100",
					"recipient-address=carol@contoso.com", "total-bytes=5000"),
				m("t=120", "source=SMTP", "event-id=RECEIVE", "client-hostname=scan01.contoso.com", "server-hostname=HUB1", "internal-message-id=101",
					"recipient-address=dave@contoso.com", "total-bytes=7200", "message-info=00A: "),
				m("t=120.5", "source=STOREDRIVER", "event-id=DELIVER", "client-hostname=HUB1", "server-hostname=hub1.contoso.com", "internal-message-id=101",
					"recipient-address=dave@contoso.com", "total-bytes=7200")}}},
			key: "mid:" + auditMID + "|ann@contoso.com", origin: "smtp HUB1",
			rcpts:     []string{"carol@contoso.com delivered HUB1", "dave@contoso.com delivered HUB1"},
			anomalies: []correlate.AnomalyKind{correlate.AnomalyMessageIDReused}},
		// A client's retry of one message (the same size) is not two
		// messages.
		{name: "2010 one message received twice (a client retry)", files: []auditFile{
			{"HUB1/MSGTRK20240304-1.LOG", "2010", []map[string]string{
				m("t=0", "source=SMTP", "event-id=RECEIVE", "client-hostname=scan01.contoso.com", "server-hostname=HUB1", "internal-message-id=100",
					"recipient-address=carol@contoso.com", "total-bytes=5000", "message-info=00A: "),
				m("t=30", "source=SMTP", "event-id=RECEIVE", "client-hostname=scan01.contoso.com", "server-hostname=HUB1", "internal-message-id=101",
					"recipient-address=carol@contoso.com", "total-bytes=5000", "message-info=00A: "),
				m("t=30.5", "source=STOREDRIVER", "event-id=DELIVER", "client-hostname=HUB1", "server-hostname=hub1.contoso.com", "internal-message-id=101",
					"recipient-address=carol@contoso.com", "total-bytes=5000")}}},
			key: "mid:" + auditMID + "|ann@contoso.com", origin: "smtp HUB1", complete: true,
			rcpts: []string{"carol@contoso.com delivered HUB1"}},
		{name: "2007 hub without the mailbox server's logs", files: []auditFile{
			{"HUB1/MSGTRK20240304-1.LOG", "2007", []map[string]string{
				m("t=0.3", "source=STOREDRIVER", "event-id=RECEIVE", "client-hostname=mbx1.contoso.com", "server-hostname=hub1.contoso.com", "source-context="+auditStore,
					"internal-message-id=5", "recipient-address=bob@contoso.com", "recipient-status=To", "message-info=04I: "),
				m("t=0.8", "source=STOREDRIVER", "event-id=DELIVER", "client-hostname=HUB1", "server-hostname=mbx2.contoso.com", "internal-message-id=5", "recipient-address=bob@contoso.com")}}},
			key: "mid:" + auditMID + "|ann@contoso.com", origin: "store MBX1", hops: []string{"HUB1 hub 0", "HUB1 delivery 1"},
			rcpts: []string{"bob@contoso.com delivered HUB1"}, missing: []string{"MBX1"}},

		// Sends out before 2016 are SENDs (§9.1): told from a hand-over by
		// evidence (issue 9), even in the first message (no domain learnt).
		{name: "2010 SEND out through a connector of any name, Exchange Online answering", files: []auditFile{
			{"EX01/MSGTRK20240304-1.LOG", "2010", []map[string]string{
				m("t=0", "source=SMTP", "event-id=RECEIVE", "client-hostname=app01.contoso.com", "server-hostname=EX01", "internal-message-id=10", "recipient-address=x@adatum.com", "message-info=07I: "),
				m("t=1", "source=SMTP", "event-id=SEND", "client-hostname=EX01", "server-hostname=adatum-com.mail.protection.outlook.com", "server-ip=40.107.22.57",
					"source-context=;250 2.6.0 "+auditMID+" [InternalId=1234567890123, Hostname=AM6PR01MB1234.eurprd01.prod.outlook.com] Queued mail for delivery;ClientSubmitTime:",
					"connector-id=SMTP Out", "internal-message-id=10", "recipient-address=x@adatum.com", "recipient-status=250 2.1.5 Recipient OK")}}},
			key: "mid:" + auditMID + "|ann@contoso.com", origin: "smtp EX01", hops: []string{"EX01 hub 0"}, rcpts: []string{"x@adatum.com sent_external EX01"}, complete: true},
		{name: "2010 SEND to an Exchange server without logs, private address", files: []auditFile{
			{"EX01/MSGTRK20240304-1.LOG", "2010", []map[string]string{
				m("t=0", "source=SMTP", "event-id=RECEIVE", "client-hostname=app01.contoso.com", "server-hostname=EX01", "internal-message-id=10", "recipient-address=x@adatum.com", "message-info=07I: "),
				m("t=1", "source=SMTP", "event-id=SEND", "client-hostname=EX01", "server-hostname=ex05.contoso.com", "server-ip=10.0.0.15",
					"source-context=;250 2.6.0 "+auditMID+" [InternalId=77, Hostname=ex05.contoso.com] Queued mail for delivery;ClientSubmitTime:",
					"connector-id=Site B", "internal-message-id=10", "recipient-address=x@adatum.com", "recipient-status=250 2.1.5 Recipient OK")}}},
			key: "mid:" + auditMID + "|ann@contoso.com", origin: "smtp EX01", hops: []string{"EX01 hub 0"}, rcpts: []string{"x@adatum.com handed_off EX05"}, missing: []string{"EX05"}},
		{name: "2013 Edge not yet known sending out through EdgeSync", files: []auditFile{
			{"EDGE1/MSGTRK2024030408-1.LOG", "2016", []map[string]string{
				m("t=0", "source=SMTP", "event-id=RECEIVE", "client-hostname=ex01.contoso.com", "server-hostname=EDGE1", "internal-message-id=10", "recipient-address=x@fabrikam.net", "message-info=02I: "),
				m("t=1", "source=SMTP", "event-id=SEND", "client-hostname=EDGE1", "server-hostname=mx.fabrikam.net", "server-ip=198.51.100.25",
					"source-context=;250 2.0.0 Ok: queued as 4B2C1D;ClientSubmitTime:", "connector-id=EdgeSync - Default-First-Site-Name to Internet",
					"internal-message-id=10", "recipient-address=x@fabrikam.net", "recipient-status=250 2.1.5 Ok")}}},
			key: auditNMID, hops: []string{"EDGE1 hub 0"}, rcpts: []string{"x@fabrikam.net sent_external EDGE1"}, missing: []string{"EX01"}},
		// "11a" is not an auth code as Exchange writes one (format.md §7.1:
		// the documentation calls it an authentication error; §12 step 8):
		// it does not make the client an Exchange server handing over.
		{name: "2016 RECEIVE whose message-info is 11a", files: []auditFile{
			{"EX01/MSGTRK2024030408-1.LOG", "2016", []map[string]string{
				m("t=0", "source=SMTP", "event-id=RECEIVE", "client-hostname=mx.example.org", "client-ip=203.0.113.5", "server-hostname=EX01",
					"internal-message-id=10", "recipient-address=x@fabrikam.net", "message-info=11a"),
				m("t=1", "source=SMTP", "event-id=SENDEXTERNAL", "client-hostname=EX01", "server-hostname=mx.fabrikam.net", "server-ip=198.51.100.25",
					"source-context=;250 2.0.0 Ok: queued as 4B2C1D;ClientSubmitTime:", "connector-id=Internet",
					"internal-message-id=10", "recipient-address=x@fabrikam.net", "recipient-status=250 2.1.5 Ok")}}},
			key: auditNMID, complete: true, origin: "smtp EX01", hops: []string{"EX01 hub 0"}, rcpts: []string{"x@fabrikam.net sent_external EX01"}},
		// An outside host whose first label is an organisation server's
		// short name: mail.fabrikam.net is not the hub MAIL, which names
		// itself mail.corp.contoso.com in its latency strings (format.md §4:
		// server-hostname of a SEND is the remote next hop). The Edge's
		// client of the same name is not MAIL either, though MAIL's rows
		// that tell its domain come after it.
		{name: "2016 SEND to an outside host named like an org server", files: []auditFile{
			{"MAIL/MSGTRK2024030408-1.LOG", "2016", []map[string]string{
				m("t=0", "source=SMTP", "event-id=RECEIVE", "client-hostname=client.corp.contoso.com", "server-hostname=MAIL", "internal-message-id=10",
					"recipient-address=x@fabrikam.net", "message-info=07I: "),
				m("t=1", "source=SMTP", "event-id=SEND", "client-hostname=MAIL", "server-hostname=mail.fabrikam.net", "server-ip=198.51.100.7",
					"source-context=;250 2.0.0 Ok: queued as 4Tq1x;ClientSubmitTime:", "connector-id=Internet", "internal-message-id=10",
					"recipient-address=x@fabrikam.net", "recipient-status=250 2.1.5 Ok",
					"message-info=2024-03-04T07:59:59.900Z;LSRV=mail.corp.contoso.com:TOTAL-HUB=1.100")}}},
			key: auditNMID, complete: true, origin: "smtp MAIL", hops: []string{"MAIL hub 0"}, rcpts: []string{"x@fabrikam.net sent_external MAIL"}},
		{name: "2016 Edge receiving from an outside host named like an org server", files: []auditFile{
			{"EDGE01/MSGTRK2024030408-1.LOG", "2016", []map[string]string{
				m("t=0", "source=SMTP", "event-id=RECEIVE", "client-hostname=mail.fabrikam.net", "client-ip=198.51.100.9", "server-hostname=EDGE01",
					"connector-id=EDGE01\\Default internal receive connector EDGE01", "internal-message-id=5", "recipient-address=bob@contoso.com", "message-info=00A: "),
				m("t=0.2", "source=SMTP", "event-id=SEND", "client-hostname=EDGE01", "server-hostname=mail.corp.contoso.com", "server-ip=10.0.0.11",
					"source-context=;250 2.6.0 "+auditMID+" [InternalId=10, Hostname=mail.corp.contoso.com] Queued mail for delivery;ClientSubmitTime:",
					"connector-id=EdgeSync - Inbound to Default-First-Site-Name", "internal-message-id=5", "recipient-address=bob@contoso.com",
					"recipient-status=250 2.1.5 Recipient OK", "message-info=2024-03-04T07:59:59.900Z;LSRV=edge01.contoso.com:TOTAL-EDGE=0.200")}},
			{"MAIL/MSGTRK2024030408-1.LOG", "2016", []map[string]string{
				m("t=0.3", "source=SMTP", "event-id=RECEIVE", "client-hostname=edge01.contoso.com", "client-ip=172.16.10.11", "server-hostname=MAIL",
					"connector-id=MAIL\\Default MAIL", "internal-message-id=10", "recipient-address=bob@contoso.com", "message-info=11A: "),
				m("t=0.45", "source=SMTP", "event-id=SEND", "client-hostname=MAIL", "server-hostname=mail.corp.contoso.com", "server-ip=10.0.0.11",
					"source-context=;250 2.0.0 OK "+auditMID+" [Hostname=mail.corp.contoso.com];ClientSubmitTime:", "connector-id=Intra-Organization SMTP Send Connector",
					"internal-message-id=10", "recipient-address=bob@contoso.com", "recipient-status=250 2.1.5 Recipient OK",
					"message-info=2024-03-04T07:59:59.900Z;LSRV=mail.corp.contoso.com:TOTAL-HUB=0.150")}},
			{"MAIL/MSGTRKMD2024030408-1.LOG", "2016", []map[string]string{
				m("t=0.5", "source=STOREDRIVER", "event-id=DELIVER", "client-hostname=MAIL", "server-hostname=mail.corp.contoso.com", "internal-message-id=10",
					"source-context=08DCF94B238B6D3D;2024-03-04T08:00:00.460Z", "recipient-address=bob@contoso.com", "recipient-status=250 2.0.0 OK",
					"message-info=2024-03-04T07:59:59.900Z;SRV=mail.corp.contoso.com:TOTAL-DEL=0.050")}}},
			key: auditNMID, complete: true, origin: "smtp EDGE01", hops: []string{"EDGE01 edge 0", "MAIL hub 1", "MAIL delivery 2"}, rcpts: []string{"bob@contoso.com delivered MAIL"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			rows := 0
			for _, f := range tc.files {
				fsys["logs/"+f.path] = &fstest.MapFile{Data: auditLog(f.layout, f.rows...)}
				rows += len(f.rows)
			}
			run := correlateFS(t, fsys, 1, correlate.Options{})
			if msg := auditInvariants(run.traces, rows); msg != "" {
				t.Fatal(msg)
			}
			if tc.traces > 0 && len(run.traces) != tc.traces {
				t.Errorf("%d traces, want %d: %v", len(run.traces), tc.traces, keysOf(run.traces))
			}
			tr := pickTrace(run.traces, tc.key)
			if tr == nil {
				t.Fatalf("no trace %q among %v", tc.key, keysOf(run.traces))
			}
			origin := ""
			if tr.Origin.Protocol != correlate.ProtocolUnknown {
				origin = tr.Origin.Protocol.String() + " " + tr.Origin.Server
			}
			if origin != tc.origin {
				t.Errorf("origin %q, want %q (anomalies %v)", origin, tc.origin, tr.Anomalies)
			}
			if tc.hops != nil {
				if diff := cmp.Diff(tc.hops, hopsOf(tr)); diff != "" {
					t.Errorf("hops (-want +got):\n%s", diff)
				}
			}
			if tc.rcpts != nil {
				var got []string
				for i, r := range tr.Recipients {
					s := r.Address + " " + r.Status.String() + " " + r.Server
					if i < len(tc.rcpts) {
						if w := strings.SplitN(tc.rcpts[i], " ", 4); len(w) == 4 && strings.Contains(r.Detail, w[3]) {
							s += " " + w[3]
						}
					}
					got = append(got, s)
				}
				if diff := cmp.Diff(tc.rcpts, got, cmpEmptySlices); diff != "" {
					t.Errorf("recipients (-want +got):\n%s\n%+v", diff, tr.Recipients)
				}
			}
			if (tr.Reason == correlate.ReasonComplete) != tc.complete {
				t.Errorf("reason %s, want complete %v (anomalies %v, missing %v)", tr.Reason, tc.complete, tr.Anomalies, tr.MissingLogs)
			}
			for _, k := range tc.anomalies {
				if !tr.HasAnomaly(k) {
					t.Errorf("no %s anomaly: %v", k, tr.Anomalies)
				}
			}
			if diff := cmp.Diff(tc.missing, tr.MissingLogs, cmpEmptySlices); diff != "" {
				t.Errorf("missing logs (-want +got):\n%s", diff)
			}
		})
	}
}

// auditInvariants checks what every trace must hold, whatever the rows:
// every row in exactly one trace, no recipient without an address, no
// complete trace without entry or across missing logs, hops from earlier
// hops only.
func auditInvariants(traces []*correlate.Trace, rows int) string {
	n := 0
	for _, tr := range traces {
		n += tr.Events
		for _, r := range tr.Recipients {
			if r.Address == "" {
				return fmt.Sprintf("trace %s: a recipient without address", tr.Key)
			}
		}
		if tr.Reason == correlate.ReasonComplete && (tr.Origin.Protocol == correlate.ProtocolUnknown || len(tr.MissingLogs) > 0 || tr.Orphan) {
			return fmt.Sprintf("trace %s complete without entry or across missing logs: %v", tr.Key, tr.Anomalies)
		}
		for k, h := range tr.Hops {
			for _, f := range h.From {
				if f < 0 || f >= len(tr.Hops) || tr.Hops[f].Depth >= h.Depth {
					return fmt.Sprintf("trace %s: hop %d (%s %s %d) from hop %d", tr.Key, k, h.Server, h.Role, h.Depth, f)
				}
			}
		}
	}
	if n != rows {
		return fmt.Sprintf("the traces hold %d rows, the input %d", n, rows)
	}
	return ""
}

func keysOf(traces []*correlate.Trace) []string {
	var out []string
	for _, tr := range traces {
		out = append(out, tr.Key)
	}
	return out
}

// pickTrace returns the trace of key k, or ("") the one with an origin,
// else the first.
func pickTrace(traces []*correlate.Trace, k string) *correlate.Trace {
	if k != "" {
		i := slices.IndexFunc(traces, func(tr *correlate.Trace) bool { return tr.Key == k })
		if i < 0 {
			return nil
		}
		return traces[i]
	}
	for _, tr := range traces {
		if tr.Origin.Protocol != correlate.ProtocolUnknown {
			return tr
		}
	}
	if len(traces) > 0 {
		return traces[0]
	}
	return nil
}

// TestRealLinesInvariants: the real rows of testdata/real (every
// tracking log there, several releases, damaged by anonymisation, some
// cut) each end in exactly one trace, and no trace breaks the invariants
// (auditInvariants): no complete trace without entry, no recipient
// without address, no hop from a later one.
func TestRealLinesInvariants(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "real", "*.log"))
	if err != nil || len(paths) < 5 {
		t.Fatalf("%d real logs: %v", len(paths), err)
	}
	var traces []*correlate.Trace
	tk, err := correlate.New(correlate.Options{OnTrace: func(tr *correlate.Trace) { traces = append(traces, tr) }})
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rd := msgtrk.NewReaderBytes(data)
		rd.Name = filepath.Base(p)
		rd.GuessFields = true
		n := 0
		for rd.Next() {
			tk.Add(rd.Record())
			n++
		}
		t.Logf("%s: %d rows, %v", rd.Name, n, rd.Err())
		rows += n
	}
	tk.Flush()
	if msg := auditInvariants(traces, rows); msg != "" {
		t.Error(msg)
	}
	t.Logf("%d real rows in %d traces", rows, len(traces))
}
