package correlate_test

import (
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// fuzzedLog is where FuzzJoinSessions puts its protocol log: in the Hub
// folders of EX03 of testdata/sample-smtp, beside that server's own logs.
const fuzzedLog = "EX03/TransportRoles/Logs/Hub/ProtocolLog/SmtpReceive/RECV2024030409-1.LOG"

// FuzzJoinSessions joins the traces of testdata/sample-smtp to the sessions
// of its protocol logs plus one log of any bytes (seeded with its own
// receive, send and connectivity logs: the same session ids again, cut,
// reordered or garbled). Whatever that log holds, the join does not panic,
// every link points at a row of the trace and a message of its session,
// a receive session has the id its row's source-context names, a send
// session logged the row's internal-message-id as RecordId, a connectivity
// record has its send session's id, no recipient gets more attempts than
// there are send sessions joined, and joining again gives the same.
func FuzzJoinSessions(f *testing.F) {
	base := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS("../testdata/sample-smtp"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(os.DirFS("../testdata/sample-smtp"), p)
		base[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range []string{
		"EX03/TransportRoles/Logs/Hub/ProtocolLog/SmtpReceive/RECV2024030408-1.LOG",
		"EX03/TransportRoles/Logs/Hub/ProtocolLog/SmtpSend/SEND2024030408-1.LOG",
		"EX03/TransportRoles/Logs/Hub/Connectivity/CONNECTLOG2024030408-1.LOG",
	} {
		f.Add(base[p].Data)
	}
	f.Add([]byte("#Log-type: SMTP Send Protocol Log\r\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n"))
	run := correlateFS(f, base, 1, correlate.Options{KeepSMTP: true})
	if len(run.traces) == 0 {
		f.Fatal("no traces in testdata/sample-smtp")
	}
	// The checks have links to look at: sample-smtp alone joins sessions
	// of every side the checks know.
	x, _ := indexFS(f, base)
	sides := map[string]int{}
	for _, tr := range run.traces {
		correlate.JoinSessions(tr, x)
		if msg := checkLinks(tr); msg != "" {
			f.Fatalf("testdata/sample-smtp: %s: %s", tr.Key, msg)
		}
		for _, l := range tr.Sessions {
			sides[l.Side]++
		}
	}
	if sides[correlate.SideReceive] == 0 || sides[correlate.SideSend] == 0 || sides[correlate.SideConnectivity] == 0 {
		f.Fatalf("testdata/sample-smtp joins %v; want receive, send and connectivity sessions", sides)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{fuzzedLog: &fstest.MapFile{Data: data}}
		for p, file := range base {
			fsys[p] = file
		}
		x, _ := indexFS(t, fsys)
		for _, tr := range run.traces {
			correlate.JoinSessions(tr, x)
			if msg := checkLinks(tr); msg != "" {
				t.Fatalf("%s: %s", tr.Key, msg)
			}
			first := fmt.Sprint(tr.Sessions, tr.Recipients)
			correlate.JoinSessions(tr, x)
			if again := fmt.Sprint(tr.Sessions, tr.Recipients); again != first {
				t.Fatalf("%s: joined again:\n  %s\nfirst:\n  %s", tr.Key, again, first)
			}
		}
	})
}

// checkLinks says what is wrong with the sessions joined to tr, or "".
func checkLinks(tr *correlate.Trace) string {
	sends := 0
	for i, l := range tr.Sessions {
		if l.Row < 0 || l.Row >= len(tr.SMTPRows) || l.Session == nil {
			return fmt.Sprintf("link %d: row %d of %d, session %v", i, l.Row, len(tr.SMTPRows), l.Session)
		}
		r := &tr.SMTPRows[l.Row]
		if l.Hop != r.Hop || l.Message < -1 || l.Message >= len(l.Session.Messages) {
			return fmt.Sprintf("link %d: hop %d (row's %d), message %d of %d", i, l.Hop, r.Hop, l.Message, len(l.Session.Messages))
		}
		switch l.Side {
		case correlate.SideReceive:
			ctx, err := sourcecontext.ParseReceive([]byte(r.Context))
			if err != nil || ctx.Session.ID != l.Session.Key.ID {
				return fmt.Sprintf("link %d: receive session %s for source-context %q", i, l.Session.Key.IDString(), r.Context)
			}
		case correlate.SideSend:
			sends++
			id, err := strconv.ParseInt(r.InternalID, 10, 64)
			if err != nil || l.Message < 0 || l.Session.Messages[l.Message].RecordID != id {
				return fmt.Sprintf("link %d: send session %s message %d for internal-message-id %q", i, l.Session.Key.IDString(), l.Message, r.InternalID)
			}
		case correlate.SideConnectivity:
			if i == 0 || tr.Sessions[i-1].Side != correlate.SideSend || tr.Sessions[i-1].Session.Key.ID != l.Session.Key.ID {
				return fmt.Sprintf("link %d: connectivity record %s not after its send session", i, l.Session.Key.IDString())
			}
		case correlate.SideFrontEndReceive, correlate.SideFrontEndSend, correlate.SideDelivery:
		default:
			return fmt.Sprintf("link %d: side %q", i, l.Side)
		}
	}
	for _, rc := range tr.Recipients {
		if len(rc.Attempts) > sends {
			return fmt.Sprintf("%s: %d attempts, %d send sessions joined", rc.Address, len(rc.Attempts), sends)
		}
	}
	return ""
}
