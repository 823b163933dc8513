package correlate_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/internal/proptest"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
	"github.com/mailtrace/mailtrace/smtplog"
)

// indexFS reads the protocol and connectivity logs of fsys into an Index
// that keeps every session.
func indexFS(t testing.TB, fsys fs.FS) (*smtplog.Index, []*msgtrk.ParseError) {
	t.Helper()
	inputs, err := smtplog.FindFiles(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	var errs []*msgtrk.ParseError
	m := msgtrk.NewMerger(inputs)
	m.ErrorHandler = func(e *msgtrk.ParseError) { errs = append(errs, e) }
	sc := smtplog.NewScanner(m)
	sc.ErrorHandler = func(e *msgtrk.ParseError) { errs = append(errs, e) }
	x := &smtplog.Index{Keep: 1 << 62}
	a, err := smtplog.NewAssembler(smtplog.Options{OnSession: x.Add})
	if err != nil {
		t.Fatal(err)
	}
	for sc.Next() {
		a.Add(sc.Row())
	}
	a.Flush()
	return x, errs
}

// linkKey is a joined session as the truth names one: its row's hop, its
// side and where it is.
func linkKey(hop msgtrktest.Hop, event, side, server, service, kind, id string, msg int) string {
	return fmt.Sprintf("%s/%s/%d %s %s %s/%s/%s/%s msg %d", hop.Server, hop.Role, hop.Depth, event, side, server, service, kind, id, msg)
}

// joinedOf renders the sessions JoinSessions joined to tr as the truth's
// keys.
func joinedOf(tr *correlate.Trace) []string {
	var out []string
	for _, l := range tr.Sessions {
		row := tr.SMTPRows[l.Row]
		hop := msgtrktest.Hop{}
		if l.Hop >= 0 {
			h := tr.Hops[l.Hop]
			hop = msgtrktest.Hop{Server: h.Server, Role: h.Role.String(), Depth: h.Depth}
		} else {
			hop.Server = row.Server
		}
		s := l.Session
		msg := l.Message
		if s.Key.Kind == msgtrk.LogConnectivity {
			msg = 0
		}
		out = append(out, linkKey(hop, row.Event.String(), l.Side, s.Key.Server, s.Key.Service, s.Key.Kind.Prefix(), s.Key.IDString(), msg))
	}
	sort.Strings(out)
	return out
}

// joinedTruth renders a message's SessionTruth the same way.
func joinedTruth(mt msgtrktest.MessageTruth) []string {
	var out []string
	for _, s := range mt.Sessions {
		out = append(out, linkKey(s.Hop, s.Event, s.Side, s.Server, s.Service, s.Kind, s.ID, s.Message))
	}
	sort.Strings(out)
	return out
}

// crossesSMTP reports whether a message must have crossed an SMTP session:
// all do but a 2007/2010 store submission whose recipients were all
// delivered, which the transport picks up from the store and delivers
// itself (format.md §1.1).
func crossesSMTP(mt msgtrktest.MessageTruth) bool {
	if mt.Origin.Protocol != "store" || mt.NetworkMessageID != "" {
		return true
	}
	return slices.ContainsFunc(mt.Recipients, func(r msgtrktest.RecipientTruth) bool { return r.Status != msgtrktest.StatusDelivered })
}

// compareJoin checks that every session the truth says carried a message
// is joined to the right row and hop of its trace, and nothing else is.
func compareJoin(truth *msgtrktest.Truth, traces []*correlate.Trace, x *smtplog.Index) string {
	byKey := map[string]*correlate.Trace{}
	for _, tr := range traces {
		if byKey[tr.Key] == nil {
			byKey[tr.Key] = tr
		}
	}
	sessions := 0
	for _, mt := range truth.Messages {
		tr := byKey[mt.Key]
		if tr == nil {
			return "no trace for " + mt.Key
		}
		correlate.JoinSessions(tr, x)
		want, got := joinedTruth(mt), joinedOf(tr)
		sessions += len(want)
		if strings.Join(want, "\n") != strings.Join(got, "\n") {
			return fmt.Sprintf("message %s (%v): joined sessions differ\nwant:\n  %s\ngot:\n  %s", mt.Key, mt.Kind, strings.Join(want, "\n  "), strings.Join(got, "\n  "))
		}
	}
	if sessions == 0 && slices.ContainsFunc(truth.Messages, crossesSMTP) {
		return "no session in the truth"
	}
	return ""
}

// TestPropertyJoinSessions: on any simulated organisation with protocol
// logs — Exchange 2010 to 2019, clock skew up to ±2 minutes, files (of
// both kinds) collected twice — every session that carried a message is
// joined to the right row and hop of its trace: the receive session of
// each SMTP RECEIVE (and the front end's two for a proxied client), the
// send session and connectivity record of each SEND, SENDEXTERNAL,
// DEFER, external FAIL and HAREDIRECT, the delivery service's session of
// each DELIVER; and no session is joined that did not carry it. Resolving
// each row as it is read (SMTPRowOf, ResolveSessions, JoinSessionsWith)
// joins the same.
func TestPropertyJoinSessions(t *testing.T) {
	params := proptest.Parameters(t, 40)
	props := gopter.NewProperties(params)
	versions := []msgtrktest.Version{msgtrktest.V2010, msgtrktest.V2013, msgtrktest.V2016, msgtrktest.V2019}
	props.Property("every session is joined to its hop", prop.ForAll(
		func(seed uint64, mbx, edges, msgs, vi int, skewMs int64, dups int) string {
			cfg := msgtrktest.Config{Seed: seed, MailboxServers: mbx, EdgeServers: edges, Messages: msgs,
				Version: versions[vi], MaxSkew: time.Duration(skewMs) * time.Millisecond, DuplicateFiles: dups, ProtocolLogs: true}
			if edges == 0 {
				cfg.EdgeServers = msgtrktest.NoEdge
			}
			sim, err := msgtrktest.New(cfg)
			if err != nil {
				return "New: " + err.Error()
			}
			fsys, truth, err := sim.WriteFS()
			if err != nil {
				return "WriteFS: " + err.Error()
			}
			run := correlateFS(t, fsys, 1, correlate.Options{KeepSMTP: true})
			x, errs := indexFS(t, fsys)
			if len(errs) > 0 {
				return fmt.Sprintf("config %+v: protocol logs: %v", cfg, errs[0])
			}
			if msg := compareJoin(truth, run.traces, x); msg != "" {
				return fmt.Sprintf("config %+v: %s", cfg, msg)
			}
			// Resolved as each row is read (the CLI's way), the same.
			_, resolved := resolveAsRead(t, fsys, x)
			for _, tr := range run.traces {
				if msg := joinsAgree(tr, x, resolved); msg != "" {
					return fmt.Sprintf("config %+v: %s", cfg, msg)
				}
			}
			return ""
		},
		gen.UInt64(), gen.IntRange(1, 4), gen.IntRange(0, 2), gen.IntRange(1, 40), gen.IntRange(0, len(versions)-1),
		gen.Int64Range(0, 120000), gen.IntRange(0, 2),
	))
	props.TestingRun(t)
}

// TestJoinSessionsAttempts: a deferred recipient carries the 4xx of each
// attempt, one sent outside the remote end and its final reply.
func TestJoinSessionsAttempts(t *testing.T) {
	mix := msgtrktest.Mix{}
	mix.SetWeight(msgtrktest.KindDefer, 1)
	mix.SetWeight(msgtrktest.KindOutbound, 1)
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 3, Messages: 40, Mix: mix, ProtocolLogs: true})
	if err != nil {
		t.Fatal(err)
	}
	fsys, _, err := sim.WriteFS()
	if err != nil {
		t.Fatal(err)
	}
	run := correlateFS(t, fsys, 1, correlate.Options{KeepSMTP: true})
	x, _ := indexFS(t, fsys)
	var deferred, external int
	for _, tr := range run.traces {
		correlate.JoinSessions(tr, x)
		for _, r := range tr.Recipients {
			for _, a := range r.Attempts {
				switch {
				case strings.HasPrefix(a.RcptReply, "4"):
					deferred++
					if a.Reply != "" {
						t.Errorf("%s: a deferred attempt has a final reply %q", r.Address, a.Reply)
					}
				case r.Status == correlate.StatusSentExternal && a.Server == r.Server && strings.HasPrefix(a.Reply, "250"):
					external++
					if !a.Remote.IsValid() || a.Remote.Addr() != r.RemoteIP {
						t.Errorf("%s: attempt to %v, the trace says %v", r.Address, a.Remote, r.RemoteIP)
					}
				}
			}
		}
	}
	if deferred == 0 || external == 0 {
		t.Errorf("%d deferred and %d external attempts joined; want some of each", deferred, external)
	}
}

// TestJoinSessionsJSON: a joined trace's JSON form has "sessions" (each
// with its row, hop, side and the session object) and every recipient
// "smtp_attempts"; one not joined has neither.
func TestJoinSessionsJSON(t *testing.T) {
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 5, Messages: 30, ProtocolLogs: true})
	if err != nil {
		t.Fatal(err)
	}
	fsys, _, err := sim.WriteFS()
	if err != nil {
		t.Fatal(err)
	}
	run := correlateFS(t, fsys, 1, correlate.Options{KeepSMTP: true})
	x, _ := indexFS(t, fsys)
	joined := 0
	for _, tr := range run.traces {
		b, err := json.Marshal(tr)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(`"sessions"`)) || bytes.Contains(b, []byte(`"smtp_attempts"`)) {
			t.Fatalf("%s: not joined, yet: %s", tr.Key, b)
		}
		correlate.JoinSessions(tr, x)
		b, err = json.Marshal(tr)
		if err != nil {
			t.Fatal(err)
		}
		var j struct {
			V          int `json:"v"`
			Recipients []struct {
				Attempts *[]struct {
					SessionID string `json:"session_id"`
				} `json:"smtp_attempts"`
			} `json:"recipients"`
			Sessions *[]struct {
				Event   string `json:"event"`
				Hop     *int   `json:"hop"`
				Side    string `json:"side"`
				Message *int   `json:"message"`
				Session struct {
					V         int    `json:"v"`
					Kind      string `json:"kind"`
					SessionID string `json:"session_id"`
				} `json:"session"`
			} `json:"sessions"`
		}
		if err := json.Unmarshal(b, &j); err != nil {
			t.Fatal(err)
		}
		if j.V != correlate.JSONVersion || j.Sessions == nil {
			t.Fatalf("%s: v %d, sessions %v: %s", tr.Key, j.V, j.Sessions, b)
		}
		for _, r := range j.Recipients {
			if r.Attempts == nil {
				t.Fatalf("%s: a recipient without smtp_attempts: %s", tr.Key, b)
			}
		}
		for i, l := range *j.Sessions {
			want := tr.Sessions[i]
			if l.Side != want.Side || l.Session.SessionID != want.Session.Key.IDString() || l.Session.V != smtplog.JSONVersion ||
				l.Session.Kind != smtplog.KindName(want.Session.Key.Kind) || (l.Hop == nil) != (want.Hop < 0) || (l.Message == nil) != (want.Message < 0) {
				t.Errorf("%s: session %d is %+v, want %+v", tr.Key, i, l, want)
			}
			joined++
		}
	}
	if joined == 0 {
		t.Error("no session joined")
	}
}

// rowKey keys an SMTP row the same in the tracking logs and in a trace.
type rowKey struct {
	event    msgtrk.EventType
	time     time.Time
	internal string
	context  string
}

// resolveAsRead resolves every SMTP row of the tracking logs of fsys as it
// is read, as the CLI does.
func resolveAsRead(t testing.TB, fsys fs.FS, x *smtplog.Index) (map[rowKey]correlate.SMTPRow, map[rowKey][]correlate.SessionLink) {
	inputs, err := msgtrk.FindFiles(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[rowKey]correlate.SMTPRow{}
	resolved := map[rowKey][]correlate.SessionLink{}
	m := msgtrk.NewMerger(inputs)
	for m.Next() {
		r, ok := correlate.SMTPRowOf(m.Record())
		if !ok {
			continue
		}
		if r.Hop != -1 || r.Server == "" {
			t.Fatalf("SMTPRowOf: %+v", r)
		}
		k := rowKey{r.Event, r.Time, r.InternalID, r.Context}
		rows[k] = r
		resolved[k] = correlate.ResolveSessions(x, &r, string(m.Record().Field(msgtrk.MessageID)))
	}
	return rows, resolved
}

// joinsAgree checks that JoinSessionsWith over the sessions resolved as
// read joins tr as JoinSessions does.
func joinsAgree(tr *correlate.Trace, x *smtplog.Index, resolved map[rowKey][]correlate.SessionLink) string {
	correlate.JoinSessions(tr, x)
	want := fmt.Sprint(tr.Sessions, tr.Recipients)
	correlate.JoinSessionsWith(tr, func(r *correlate.SMTPRow) []correlate.SessionLink {
		return resolved[rowKey{r.Event, r.Time, r.InternalID, r.Context}]
	})
	if got := fmt.Sprint(tr.Sessions, tr.Recipients); got != want {
		return fmt.Sprintf("%s: resolved as read:\n  %s\nJoinSessions:\n  %s", tr.Key, got, want)
	}
	return ""
}

// TestSMTPRowOf: SMTPRowOf makes of a tracking row the SMTP row its trace
// holds (what a caller resolving sessions as it reads keys them by), and
// JoinSessionsWith over sessions resolved that way joins what
// JoinSessions joins.
func TestSMTPRowOf(t *testing.T) {
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 11, Messages: 80, ProtocolLogs: true, MaxSkew: time.Minute, DuplicateFiles: 1})
	if err != nil {
		t.Fatal(err)
	}
	fsys, _, err := sim.WriteFS()
	if err != nil {
		t.Fatal(err)
	}
	x, _ := indexFS(t, fsys)
	rows, resolved := resolveAsRead(t, fsys, x)
	run := correlateFS(t, fsys, 1, correlate.Options{KeepSMTP: true})
	n := 0
	for _, tr := range run.traces {
		for _, r := range tr.SMTPRows {
			got, ok := rows[rowKey{r.Event, r.Time, r.InternalID, r.Context}]
			if !ok {
				t.Fatalf("%s: no SMTPRowOf for %+v", tr.Key, r)
			}
			got.Hop, got.Server = r.Hop, r.Server
			if fmt.Sprint(got) != fmt.Sprint(r) {
				t.Errorf("%s: SMTPRowOf\n  %+v\nthe trace's\n  %+v", tr.Key, got, r)
			}
			n++
		}
		if msg := joinsAgree(tr, x, resolved); msg != "" {
			t.Error(msg)
		}
	}
	if n == 0 {
		t.Fatal("no SMTP row")
	}
}
