package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/mailtrace/mailtrace/internal/proptest"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// protocolOrg writes a simulated organisation with its protocol and
// connectivity logs (deferrals, mail sent outside, front-end proxying, an
// Edge, files collected twice, clock skew) and returns its directory.
func protocolOrg(t testing.TB) string {
	t.Helper()
	dir, _ := protocolOrgSeed(t, 7, 60)
	return dir
}

func protocolOrgSeed(t testing.TB, seed uint64, messages int) (string, *msgtrktest.Truth) {
	t.Helper()
	mix := msgtrktest.DefaultMix
	mix.SetWeight(msgtrktest.KindDefer, 2)
	mix.SetWeight(msgtrktest.KindOutbound, 2)
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: seed, Messages: messages, Mix: mix, ProtocolLogs: true, DuplicateFiles: 1, MaxSkew: 90e9})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	truth, err := sim.WriteDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, truth
}

// traceSessions is the part of a trace object -smtp adds.
type traceSessions struct {
	Key        string `json:"key"`
	Recipients []struct {
		Attempts *[]struct {
			SessionID string `json:"session_id"`
			RcptReply string `json:"rcpt_reply"`
		} `json:"smtp_attempts"`
	} `json:"recipients"`
	Sessions *[]struct {
		Event   string `json:"event"`
		Hop     *int   `json:"hop"`
		Side    string `json:"side"`
		Session struct {
			Server     string `json:"server"`
			Service    string `json:"service"`
			Kind       string `json:"kind"`
			SessionID  string `json:"session_id"`
			Transcript []struct {
				Event string `json:"event"`
			} `json:"transcript"`
		} `json:"session"`
	} `json:"sessions"`
}

func decodeTraces(t *testing.T, out []byte) []traceSessions {
	t.Helper()
	var trs []traceSessions
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var tr traceSessions
		if err := json.Unmarshal(line, &tr); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		trs = append(trs, tr)
	}
	return trs
}

// TestTraceSMTP: trace -smtp joins every session the simulator says
// carried a message to its trace (the same with -workers), with its
// transcript; without -smtp the JSON has no "sessions".
func TestTraceSMTP(t *testing.T) {
	dir, truth := protocolOrgSeed(t, 7, 60)
	plain := runInProcess(t, "trace", "-format", "jsonl", dir)
	if bytes.Contains(plain, []byte(`"sessions"`)) || bytes.Contains(plain, []byte(`"smtp_attempts"`)) {
		t.Error("trace without -smtp writes sessions")
	}
	out := runInProcess(t, "trace", "-smtp", "-format", "jsonl", dir)
	// The shards emit in another order: the same traces, joined the same.
	sorted := func(b []byte) string {
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		sort.Strings(lines)
		return strings.Join(lines, "\n")
	}
	if out2 := runInProcess(t, "trace", "-smtp", "-workers", "3", "-format", "jsonl", dir); sorted(out) != sorted(out2) {
		t.Error("trace -smtp -workers 3 differs from -workers 1")
	}
	joined, deferred, msg := compareTraceSMTP(t, truth, out)
	if msg != "" {
		t.Error(msg)
	}
	if joined == 0 || deferred == 0 {
		t.Errorf("%d sessions joined, %d deferred attempts; want some", joined, deferred)
	}

	text := string(runInProcess(t, "trace", "-smtp", dir))
	for _, s := range []string{"  SMTP:\n", " RECEIVE receive: receive session ", " DEFER send: send session ", "> 250 2.1.0 Sender OK", "(sending message with RecordId "} {
		if !strings.Contains(text, s) {
			t.Errorf("trace -smtp text has no %q", s)
		}
	}
}

// compareTraceSMTP compares the sessions of trace -smtp -format jsonl's
// output with the simulator's truth, trace by trace, and counts the
// sessions joined and the deferred attempts; msg says the first difference.
func compareTraceSMTP(t *testing.T, truth *msgtrktest.Truth, out []byte) (joined, deferred int, msg string) {
	want := map[string][]string{}
	for _, m := range truth.Messages {
		for _, s := range m.Sessions {
			want[m.Key] = append(want[m.Key], fmt.Sprintf("%s %s %s/%s/%s/%s", s.Event, s.Side, s.Server, s.Service, s.Kind, s.ID))
		}
	}
	for _, tr := range decodeTraces(t, out) {
		if tr.Sessions == nil {
			return joined, deferred, tr.Key + ": no sessions member"
		}
		var got []string
		for _, l := range *tr.Sessions {
			s := l.Session
			kind := map[string]string{"receive": "RECV", "send": "SEND", "connectivity": "CONNECTLOG"}[s.Kind]
			got = append(got, fmt.Sprintf("%s %s %s/%s/%s/%s", l.Event, l.Side, s.Server, s.Service, kind, s.SessionID))
			if len(s.Transcript) == 0 {
				return joined, deferred, fmt.Sprintf("%s: session %s without its transcript", tr.Key, s.SessionID)
			}
		}
		w := want[tr.Key]
		sort.Strings(got)
		sort.Strings(w)
		if strings.Join(got, "\n") != strings.Join(w, "\n") {
			return joined, deferred, fmt.Sprintf("%s: sessions\n  %s\nwant\n  %s", tr.Key, strings.Join(got, "\n  "), strings.Join(w, "\n  "))
		}
		joined += len(got)
		for _, r := range tr.Recipients {
			if r.Attempts == nil {
				return joined, deferred, tr.Key + ": a recipient without smtp_attempts"
			}
			for _, a := range *r.Attempts {
				if strings.HasPrefix(a.RcptReply, "4") {
					deferred++
				}
			}
		}
	}
	return joined, deferred, ""
}

// TestPropertyTraceSMTP: on any simulated organisation (version, servers,
// Edge or none, deferrals and mail sent outside, clock skew up to 2
// minutes, a file collected twice), trace -smtp, which reads the protocol
// logs beside the tracking logs and holds only a window of them, joins
// every session the truth says carried a message to its trace and no other
// (correlate's TestPropertyJoinSessions holds the join over a whole index),
// and says no SMTP row found no session.
// Not in -short mode: each case runs the command on a generated organisation.
func TestPropertyTraceSMTP(t *testing.T) {
	if testing.Short() {
		t.Skip("each case generates an organisation and runs trace -smtp; TestTraceSMTP covers one")
	}
	props := gopter.NewProperties(proptest.Parameters(t, 10))
	versions := []msgtrktest.Version{msgtrktest.V2010, msgtrktest.V2013, msgtrktest.V2016, msgtrktest.V2019}
	props.Property("trace -smtp joins what the truth says", prop.ForAll(
		func(seed uint64, mbx, edges, vi int, skewMs int64, dups int) string {
			mix := msgtrktest.DefaultMix
			mix.SetWeight(msgtrktest.KindDefer, 2)
			mix.SetWeight(msgtrktest.KindOutbound, 2)
			if versions[vi] == msgtrktest.V2010 {
				mix.Shadow, mix.Resubmit = 0, 0 // not in 2010's logs
			}
			cfg := msgtrktest.Config{Seed: seed, MailboxServers: mbx, EdgeServers: edges, Messages: 40, Mix: mix, Version: versions[vi],
				MaxSkew: time.Duration(skewMs) * time.Millisecond, DuplicateFiles: dups, ProtocolLogs: true}
			if edges == 0 {
				cfg.EdgeServers = msgtrktest.NoEdge
			}
			sim, err := msgtrktest.New(cfg)
			if err != nil {
				return "New: " + err.Error()
			}
			dir := t.TempDir()
			truth, err := sim.WriteDir(dir)
			if err != nil {
				return "WriteDir: " + err.Error()
			}
			var stdout, stderr bytes.Buffer
			if code := run([]string{"trace", "-smtp", "-format", "jsonl", dir}, &stdout, &stderr); code != 0 {
				return fmt.Sprintf("config %+v: exit %d: %s", cfg, code, stderr.String())
			}
			if _, _, msg := compareTraceSMTP(t, truth, stdout.Bytes()); msg != "" {
				return fmt.Sprintf("config %+v: %s", cfg, msg)
			}
			// Every row that names a session found it: no note (a 2010
			// store driver's DELIVER names none, and is not counted).
			if strings.Contains(stderr.String(), "found no session") {
				return fmt.Sprintf("config %+v: %s", cfg, stderr.String())
			}
			return ""
		},
		gen.UInt64(), gen.IntRange(1, 3), gen.IntRange(0, 1), gen.IntRange(0, len(versions)-1), gen.Int64Range(0, 120_000), gen.IntRange(0, 1),
	))
	props.TestingRun(t)
}

// TestTraceSMTPInputs: -smtp takes a protocol log named on the command line
// as one (without it, it is refused), says when there are none, and refuses
// the formats that have no place for sessions.
func TestTraceSMTPInputs(t *testing.T) {
	dir, _ := protocolOrgSeed(t, 3, 10)
	var recv []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), "RECV") && !strings.Contains(p, "c$") {
			recv = append(recv, p)
		}
		return nil
	})
	var tracking []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), "MSGTRK") && !strings.Contains(p, "c$") {
			tracking = append(tracking, p)
		}
		return nil
	})
	if len(recv) == 0 || len(tracking) == 0 {
		t.Fatal("no RECV or MSGTRK files")
	}
	run1 := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	args := append(append([]string{"trace", "-smtp", "-format", "jsonl"}, tracking...), recv...)
	code, out, errOut := run1(args...)
	if code != 0 || !strings.Contains(out, `"side":"receive"`) {
		t.Errorf("named RECV files with -smtp: exit %d, %s", code, errOut)
	}
	if code, _, _ := run1(append([]string{"trace"}, append(tracking, recv[0])...)...); code != 1 {
		t.Errorf("a named RECV file without -smtp: exit %d, want 1 (refused)", code)
	}
	code, out, errOut = run1(append([]string{"trace", "-smtp", "-format", "jsonl"}, tracking...)...)
	if code != 0 || !strings.Contains(errOut, "no SMTP protocol logs") || strings.Contains(out, `"sessions"`) {
		t.Errorf("-smtp without protocol logs: exit %d, stderr %q", code, errOut)
	}
	for _, bad := range [][]string{{"-format", "csv"}, {"-recipients"}, {"-dot"}, {"-smtp-keep", "0"}} {
		if code, _, _ := run1(append(append([]string{"trace", "-smtp"}, bad...), dir)...); code != 2 {
			t.Errorf("trace -smtp %v: exit %d, want 2", bad, code)
		}
	}
	if code, _, _ := run1("trace", "-smtp", recv[0]); code != 2 {
		t.Errorf("trace -smtp with protocol logs alone: exit %d, want 2", code)
	}
}

// BenchmarkTraceSMTP measures what -smtp costs "mailtrace trace": the same
// simulated organisation (about 10^5 tracking rows, 20 messages/s, ±2 min
// skew, with its protocol and connectivity logs) traced to JSON lines
// without -smtp, with it (reading the protocol logs, assembling their
// sessions with transcripts, joining each trace), and with -smtp but no
// trace selected (-sender nobody@: the reading alone). It reports tracking
// rows/s; compare the sub-benchmarks as ratios.
//
//	go test ./cmd/mailtrace -run '^$' -bench BenchmarkTraceSMTP -benchtime 3x
func BenchmarkTraceSMTP(b *testing.B) {
	const events = 100_000
	dir := b.TempDir()
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 1, Events: events, Messages: 1 << 30, Rate: 20, MaxSkew: 2 * time.Minute,
		ProtocolLogs: true, OnMessage: func(msgtrktest.MessageTruth) {}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sim.WriteDir(dir); err != nil {
		b.Fatal(err)
	}
	var trk, proto int64
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			if strings.HasPrefix(d.Name(), "MSGTRK") {
				trk += info.Size()
			} else if !strings.HasSuffix(d.Name(), ".jsonl") {
				proto += info.Size()
			}
		}
		return nil
	})
	b.Logf("tracking logs %.1f MB, protocol and connectivity logs %.1f MB", float64(trk)/1e6, float64(proto)/1e6)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"plain", []string{"trace", "-quiet", "-format", "jsonl", dir}},
		{"smtp", []string{"trace", "-quiet", "-smtp", "-format", "jsonl", dir}},
		{"smtp-none-shown", []string{"trace", "-quiet", "-smtp", "-sender", "nobody@nowhere.invalid", "-format", "jsonl", dir}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if code := run(tc.args, io.Discard, io.Discard); code > 1 {
					b.Fatalf("exit status %d", code)
				}
			}
			b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
