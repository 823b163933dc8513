package correlate_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
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
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// sameJSON returns how AppendJSON's bytes for tr differ from encoding/json's
// for the form's structs (MarshalJSONReflect), "" when they do not; it
// appends after bytes already in the buffer, as the CLI does.
func sameJSON(tr *correlate.Trace) string {
	want, err := correlate.MarshalJSONReflect(tr)
	if err != nil {
		return "encoding/json: " + err.Error()
	}
	got, err := tr.AppendJSON([]byte("[prev],"))
	if err != nil {
		return "AppendJSON: " + err.Error()
	}
	if !bytes.HasPrefix(got, []byte("[prev],")) || !bytes.Equal(got[7:], want) {
		return fmt.Sprintf("trace %s:\nAppendJSON    %s\nencoding/json %s", tr.Key, got, want)
	}
	return ""
}

// oddTrace has every field of the JSON form set, with strings that need
// escaping (quotes, backslashes, control characters, U+2028, invalid
// UTF-8, HTML), zero and set times, lists nil and empty, and numbers of
// every sign and size.
func oddTrace() *correlate.Trace {
	odd := "q\"b\\s\x00\x1f\b\f\n\r\t<>&\u2028\u2029\xff\xc3é€"
	at := time.Date(2024, 5, 6, 10, 0, 0, 123456789, time.UTC)
	return &correlate.Trace{
		Key: odd, NetworkMessageID: "0d6a4f1e-2b3c-4d5e-8f90-08dc6d5f0b02", MessageID: "<" + odd + "@x>",
		Sender: odd, ReturnPath: "", Subject: odd, Size: -12345,
		FirstSeen: at, LastSeen: time.Time{},
		Origin: correlate.Origin{Server: odd, Source: msgtrk.SourceSMTP, Connector: odd, ClientType: "", Auth: "04I",
			Anonymous: true, ClientIP: netip.MustParseAddr("2001:db8::1"), OriginalClientIP: netip.MustParseAddr("10.0.0.1"),
			ProxiedClientIP: netip.MustParseAddr("fe80::1").WithZone(odd),
			Protocol:        correlate.ProtocolSMTP},
		Hops: []correlate.Hop{
			{Server: odd, Role: correlate.RoleSubmission, Depth: 0, First: at, Last: at.Add(time.Second), Latency: 1500 * time.Millisecond, Events: 3},
			{Server: "EX2", Depth: 7, From: []int{0, 1, -2}, Latency: 2 * time.Microsecond},
			{Server: "EX3", Latency: 1e6 * time.Hour, From: []int{}},
		},
		Recipients: []correlate.Recipient{
			{Address: odd, Status: correlate.StatusDelivered, Server: "EX2", Time: at, Detail: odd, ExpandedFrom: []string{odd, ""},
				ResolvedFrom: odd, RedirectedTo: odd, Latency: -3 * time.Millisecond, RemoteHost: odd, RemoteIP: netip.MustParseAddr("192.0.2.7"), RemoteReply: odd},
			{Address: "c@x", RemoteIP: netip.MustParseAddr("fe80::2").WithZone("eth0")},
			{Address: "b@x", ExpandedFrom: []string{}},
		},
		Expansions:      []correlate.Expansion{{Group: odd, Members: []string{odd}, Server: "EX1", Time: at}, {Group: "g"}},
		Forks:           []correlate.Fork{{Server: odd, InternalMessageID: odd, From: odd, Recipients: []string{odd}, Reason: odd}, {}},
		DSNFor:          odd,
		DSNForMessageID: odd,
		DSNFlags:        sourcecontext.DSNDelivery | sourcecontext.DSNRelay | 0x80,
		DSNs:            []string{odd, ""},
		MissingLogs:     []string{},
		ShadowEvents:    []correlate.EventRef{{Server: odd, Event: odd, Time: at, Recipients: []string{odd}}, {}},
		Summary:         true, Events: 1 << 40, Orphan: true, Reason: correlate.ReasonEvicted,
		Anomalies: []correlate.Anomaly{{Kind: correlate.AnomalyRecipientsUnknown, Message: odd}, {}},
	}
}

// TestAppendJSONIsEncodingJSON: Trace.AppendJSON writes the bytes
// encoding/json writes for the JSON form's structs (the form as first
// written, kept in the tests): for a trace with every field set to values
// that need escaping, for an empty trace, for the traces of the test cases
// and the sample organisation, and for simulated organisations of every
// version, with skew, logs collected twice, cut files and traces joined to
// protocol logs (sessions and SMTP attempts).
func TestAppendJSONIsEncodingJSON(t *testing.T) {
	for _, tr := range []*correlate.Trace{oddTrace(), {}} {
		if diff := sameJSON(tr); diff != "" {
			t.Error(diff)
		}
	}
	for _, dir := range []string{"testdata/cases", "../testdata/sample-org"} {
		run := correlateFS(t, os.DirFS(dir), 1, correlate.Options{})
		for _, tr := range run.traces {
			if diff := sameJSON(tr); diff != "" {
				t.Fatalf("%s: %s", dir, diff)
			}
		}
	}
	withSessions, withAttempts := 0, 0
	params := proptest.Parameters(t, 30)
	props := gopter.NewProperties(params)
	versions := []msgtrktest.Version{msgtrktest.V2007, msgtrktest.V2010, msgtrktest.V2013, msgtrktest.V2016, msgtrktest.V2019}
	props.Property("AppendJSON writes encoding/json's bytes", prop.ForAll(
		func(seed uint64, msgs, vi int, skewMs int64, dups, cuts int, smtp bool) string {
			cfg := msgtrktest.Config{Seed: seed, MailboxServers: 2, EdgeServers: 1, Messages: msgs, Version: versions[vi],
				MaxSkew: time.Duration(skewMs) * time.Millisecond, DuplicateFiles: dups, TruncateFiles: cuts,
				ProtocolLogs: smtp && versions[vi] >= msgtrktest.V2013}
			sim, err := msgtrktest.New(cfg)
			if err != nil {
				return "New: " + err.Error()
			}
			fsys, _, err := sim.WriteFS()
			if err != nil {
				return "WriteFS: " + err.Error()
			}
			run := correlateFS(t, fsys, 1, correlate.Options{KeepSMTP: cfg.ProtocolLogs})
			joined := cfg.ProtocolLogs
			var x *smtplog.Index
			if joined {
				x, _ = indexFS(t, fsys)
			}
			for _, tr := range run.traces {
				if joined {
					correlate.JoinSessions(tr, x)
					if len(tr.Sessions) > 0 {
						withSessions++
					}
					for _, r := range tr.Recipients {
						if len(r.Attempts) > 0 {
							withAttempts++
						}
					}
				}
				if diff := sameJSON(tr); diff != "" {
					return fmt.Sprintf("config %+v: %s", cfg, diff)
				}
			}
			return ""
		},
		gen.UInt64(), gen.IntRange(1, 40), gen.IntRange(0, len(versions)-1),
		gen.Int64Range(0, 120000), gen.IntRange(0, 2), gen.IntRange(0, 2), gen.Bool(),
	))
	props.TestingRun(t)
	if withSessions == 0 || withAttempts == 0 {
		t.Errorf("%d traces with sessions, %d recipients with SMTP attempts: the property did not reach them", withSessions, withAttempts)
	}
}

// TestAppendJSONNoAllocs: writing a trace's JSON into a buffer with room
// allocates nothing (an IPv6 address with a zone excepted).
func TestAppendJSONNoAllocs(t *testing.T) {
	tr := oddTrace()
	tr.Origin.ProxiedClientIP = netip.Addr{}
	for i := range tr.Recipients {
		if tr.Recipients[i].RemoteIP.Zone() != "" {
			tr.Recipients[i].RemoteIP = netip.Addr{}
		}
	}
	buf, err := tr.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { buf, _ = tr.AppendJSON(buf[:0]) }); n != 0 {
		t.Errorf("AppendJSON: %v allocs, want 0", n)
	}
}

// BenchmarkTraceJSON writes the JSON form of the traces of a simulated
// organisation: AppendJSON into one reused buffer, against encoding/json
// over the form's structs (as MarshalJSON was written before it), in the
// same run.
func BenchmarkTraceJSON(b *testing.B) {
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 1, Messages: 2000, Rate: 20})
	if err != nil {
		b.Fatal(err)
	}
	fsys, _, err := sim.WriteFS()
	if err != nil {
		b.Fatal(err)
	}
	traces := correlateFS(b, fsys, 1, correlate.Options{}).traces
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			for _, tr := range traces {
				buf, _ = tr.AppendJSON(buf[:0])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(traces)), "ns/trace")
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, tr := range traces {
				correlate.MarshalJSONReflect(tr)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(traces)), "ns/trace")
	})
}
