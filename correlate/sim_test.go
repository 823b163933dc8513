package correlate_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/internal/proptest"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// simRun correlates the logs of a simulated organisation.
type simRun struct {
	traces   []*correlate.Trace
	stats    correlate.Stats
	readErrs []*msgtrk.ParseError
	skew     []correlate.ServerSkew
	inputs   map[string]string // input name → server, as the rows decided
	logs     []correlate.ServerLogs
}

// correlateFS reads every log of fsys with a Merger and correlates them,
// single or sharded. The traces go to run.traces, or to opts.OnTrace when
// it is set.
func correlateFS(t testing.TB, fsys fs.FS, shards int, opts correlate.Options) simRun {
	t.Helper()
	inputs, err := msgtrk.FindFiles(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	var run simRun
	if opts.OnTrace == nil {
		opts.OnTrace = func(tr *correlate.Trace) { run.traces = append(run.traces, tr) }
	}
	var tracker correlate.Correlator
	if shards > 1 {
		s, err := correlate.NewSharded(shards, opts)
		if err != nil {
			t.Fatal(err)
		}
		s.SetBatchRows(97) // many rounds, to exercise them
		defer s.Close()
		tracker = s
	} else {
		tr, err := correlate.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		tracker = tr
	}
	for _, in := range inputs {
		tracker.MarkServer(in.Server)
	}
	m := msgtrk.NewMerger(inputs)
	m.ErrorHandler = func(e *msgtrk.ParseError) { run.readErrs = append(run.readErrs, e) }
	var last time.Time
	for m.Next() {
		rec := m.Record()
		tracker.Add(rec)
		if tm, err := rec.Time(); err == nil {
			tracker.Advance(tm)
			if tm.After(last) {
				last = tm
			}
		}
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	window := opts.Window
	if window == 0 {
		window = correlate.DefaultWindow
	}
	tracker.Advance(last.Add(window + time.Millisecond))
	tracker.Flush()
	run.stats = tracker.Stats()
	run.skew = tracker.Skew()
	if tk, ok := tracker.(*correlate.Tracker); ok {
		run.inputs = tk.InputServers()
		run.logs = tk.Logs()
	}
	return run
}

// truthOf renders a Trace in the simulator's truth form, for comparison.
func truthOf(tr *correlate.Trace) msgtrktest.MessageTruth {
	m := msgtrktest.MessageTruth{
		Key: tr.Key, NetworkMessageID: tr.NetworkMessageID, MessageID: tr.MessageID, Sender: tr.Sender,
		Subject: tr.Subject, Size: tr.Size, DSNFor: tr.DSNFor,
		ShadowEvents: len(tr.ShadowEvents), Duplicates: len(tr.Duplicates), Rows: tr.Events,
		Origin: msgtrktest.Origin{Server: tr.Origin.Server, Protocol: protocolOf(tr.Origin.Protocol), ClientType: tr.Origin.ClientType,
			Auth: tr.Origin.Auth, Anonymous: tr.Origin.Anonymous},
	}
	if tr.Origin.ClientIP.IsValid() {
		m.Origin.ClientIP = tr.Origin.ClientIP.String()
	}
	if tr.Origin.OriginalClientIP.IsValid() {
		m.Origin.OriginalClientIP = tr.Origin.OriginalClientIP.String()
	}
	for _, h := range tr.Hops {
		m.Hops = append(m.Hops, msgtrktest.Hop{Server: h.Server, Role: h.Role.String(), Depth: h.Depth})
	}
	msgtrktest.SortHops(m.Hops)
	for _, r := range tr.Recipients {
		m.Recipients = append(m.Recipients, msgtrktest.RecipientTruth{Address: r.Address, Status: r.Status.String(), Server: r.Server,
			ExpandedFrom: r.ExpandedFrom, ResolvedFrom: r.ResolvedFrom, RedirectedTo: r.RedirectedTo, Detail: r.Detail})
	}
	for _, x := range tr.Expansions {
		m.Expansions = append(m.Expansions, msgtrktest.Expansion{Group: x.Group, Members: x.Members})
	}
	return m
}

// protocolOf is p as the JSON form writes it ("" when unknown).
func protocolOf(p correlate.Protocol) string {
	if p == correlate.ProtocolUnknown {
		return ""
	}
	return p.String()
}

// compareTruth checks the traces against the truth: one trace per message
// with exactly the truth's content, no other trace, every row accounted
// for, and the cut rows reported by the reader.
func compareTruth(truth *msgtrktest.Truth, run simRun) string {
	byKey := map[string]*correlate.Trace{}
	for _, tr := range run.traces {
		if prev := byKey[tr.Key]; prev != nil {
			return fmt.Sprintf("two traces for %s (reasons %s, %s)", tr.Key, prev.Reason, tr.Reason)
		}
		byKey[tr.Key] = tr
	}
	ignore := cmp.Options{
		// Kind is the simulator's own label; the correlator cannot know it.
		cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Kind" }, cmp.Ignore()),
	}
	for i := range truth.Messages {
		want := truth.Messages[i]
		tr := byKey[want.Key]
		if tr == nil {
			return fmt.Sprintf("no trace for message %s (%v)", want.Key, want.Kind)
		}
		delete(byKey, want.Key)
		if !slices.IsSortedFunc(tr.Hops, func(a, b correlate.Hop) int {
			if a.Depth != b.Depth {
				return a.Depth - b.Depth
			}
			return a.First.Compare(b.First)
		}) {
			return fmt.Sprintf("message %s: hops not in causal order (depth, then first time): %+v", want.Key, tr.Hops)
		}
		got := truthOf(tr)
		if diff := cmp.Diff(want, got, ignore, cmpEmptySlices); diff != "" {
			return fmt.Sprintf("message %s (%v) mismatch (-truth +trace):\n%s", want.Key, want.Kind, diff)
		}
		if tr.Reason != correlate.ReasonComplete && tr.Reason != correlate.ReasonExpired {
			return fmt.Sprintf("message %s emitted %s", want.Key, tr.Reason)
		}
		// The simulator's DSNs are its NDRs (their DSN rows say Failure).
		if ndr := want.Kind == msgtrktest.KindDSN; tr.IsDSN() != ndr || tr.IsNDR() != ndr {
			return fmt.Sprintf("message %s (%v): IsDSN %v, IsNDR %v, DSNFlags %v", want.Key, want.Kind, tr.IsDSN(), tr.IsNDR(), tr.DSNFlags)
		}
	}
	for k, tr := range byKey {
		return fmt.Sprintf("trace %s (%d rows, anomalies %v) matches no message", k, tr.Events, tr.Anomalies)
	}
	// Every complete row is in exactly one trace, counted once.
	rows := 0
	for _, tr := range run.traces {
		rows += tr.Events
	}
	if rows != truth.Events || run.stats.Late != 0 || run.stats.Dropped != 0 {
		return fmt.Sprintf("traces hold %d rows, truth %d; late %d, dropped %d, duplicate rows %d",
			rows, truth.Events, run.stats.Late, run.stats.Dropped, run.stats.DuplicateRows)
	}
	// The reader reports exactly the cut rows.
	var cut []string
	for _, f := range truth.Files {
		if f.TruncatedLine > 0 {
			cut = append(cut, fmt.Sprintf("%s:%d", f.Path, f.TruncatedLine))
		}
	}
	var reported []string
	for _, e := range run.readErrs {
		if !errors.Is(e, msgtrk.ErrTruncated) {
			return "unexpected read error: " + e.Error()
		}
		reported = append(reported, fmt.Sprintf("%s:%d", strings.TrimPrefix(e.File, "./"), e.Line))
	}
	slices.Sort(cut)
	slices.Sort(reported)
	if !slices.Equal(cut, reported) {
		return fmt.Sprintf("cut rows %v, reported %v", cut, reported)
	}
	return ""
}

var cmpEmptySlices = cmp.Transformer("emptyNil", func(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
})

// TestPropertySimulatedOrganisations: for any simulated organisation and
// message mix — Exchange 2007 to 2019, clock skew up to ±2 minutes, files
// collected twice, files cut while being written, meeting requests,
// transports restarting while copies wait (LOAD) — correlating the logs
// (read in whatever order the files are found) recovers the ground truth
// exactly: one trace per message with its key, origin, hops, every
// recipient's outcome, group chain and server; no shadow or duplicate row
// counted as a hop or delivery; every row in exactly one trace.
func TestPropertySimulatedOrganisations(t *testing.T) {
	params := proptest.Parameters(t, 200)
	props := gopter.NewProperties(params)
	versions := []msgtrktest.Version{msgtrktest.V2007, msgtrktest.V2010, msgtrktest.V2013, msgtrktest.V2016, msgtrktest.V2019}
	props.Property("correlation recovers the simulator's truth", prop.ForAll(
		func(seed uint64, mbx, edges, msgs, vi int, skewMs int64, dups, cuts int, shards int, meetings, restarts float64) string {
			cfg := msgtrktest.Config{Seed: seed, MailboxServers: mbx, EdgeServers: edges, Messages: msgs,
				Version: versions[vi], MaxSkew: time.Duration(skewMs) * time.Millisecond, DuplicateFiles: dups, TruncateFiles: cuts,
				Meetings: meetings, Restarts: restarts}
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
			run := correlateFS(t, fsys, shards, correlate.Options{})
			if msg := compareTruth(truth, run); msg != "" {
				return fmt.Sprintf("config %+v: %s", cfg, msg)
			}
			return ""
		},
		gen.UInt64(), gen.IntRange(1, 4), gen.IntRange(0, 2), gen.IntRange(1, 60), gen.IntRange(0, len(versions)-1),
		gen.Int64Range(0, 120000), gen.IntRange(0, 2), gen.IntRange(0, 2), gen.OneConstOf(1, 1, 2, 3),
		gen.OneConstOf(0.0, 0.0, 0.3, 1.0), gen.OneConstOf(0.0, 0.0, 0.5, 1.0),
	))
	props.TestingRun(t)
}

// TestShardedOrderDeterministic: a Sharded tracker emits the same traces in
// the same order on every run, whatever the goroutine scheduling (shards
// are chosen by a fixed hash, not a per-process seed), and the same traces
// as one Tracker. The organisation has clock skew, NDRs whose message may
// live in another shard, and many rounds.
func TestShardedOrderDeterministic(t *testing.T) {
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 7, MailboxServers: 3, EdgeServers: 1, Messages: 300, MaxSkew: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	fsys, truth, err := sim.WriteFS()
	if err != nil {
		t.Fatal(err)
	}
	ndrs := 0
	for _, m := range truth.Messages {
		if m.DSNFor != "" {
			ndrs++
		}
	}
	if ndrs == 0 {
		t.Fatal("the organisation has no NDR: the test would not exercise the DSN hold-back")
	}
	render := func(run simRun) []string {
		var out []string
		for _, tr := range run.traces {
			b, err := tr.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(b))
		}
		return out
	}
	single := render(correlateFS(t, fsys, 1, correlate.Options{}))
	for _, shards := range []int{2, 3} {
		first := render(correlateFS(t, fsys, shards, correlate.Options{}))
		for run := 0; run < 3; run++ {
			again := render(correlateFS(t, fsys, shards, correlate.Options{}))
			if diff := cmp.Diff(first, again); diff != "" {
				t.Fatalf("%d shards: run %d emitted another sequence (-first +again):\n%s", shards, run+2, diff)
			}
		}
		sorted := slices.Clone(first)
		slices.Sort(sorted)
		want := slices.Clone(single)
		slices.Sort(want)
		if diff := cmp.Diff(want, sorted); diff != "" {
			t.Errorf("%d shards: traces differ from one Tracker's (-single +sharded):\n%s", shards, diff)
		}
	}
}

// TestHeapBoundedByWindow: the live heap is bounded by the messages of one
// window and the RecentKeys remembered, not by the input: once both are
// full (a one-minute window and 4096 keys, after a few thousand rows), four
// times the rows leave the peak heap about where it was.
// BenchmarkBoundedHeap shows the same at 10^6 and 10^7 rows with the
// defaults.
func TestHeapBoundedByWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: streams 500,000 rows")
	}
	opts := correlate.Options{Window: time.Minute, RecentKeys: 1 << 12}
	small := streamPeakHeap(t, 100_000, opts)
	large := streamPeakHeap(t, 400_000, opts)
	t.Logf("100k rows: peak heap %.1f MiB, %d open at most; 400k rows: %.1f MiB, %d open at most",
		float64(small.peak)/(1<<20), small.maxOpen, float64(large.peak)/(1<<20), large.maxOpen)
	if large.traces < 3*small.traces {
		t.Fatalf("%d and %d traces: the larger run is not larger", small.traces, large.traces)
	}
	if limit := small.peak + small.peak/4 + 8<<20; large.peak > limit {
		t.Errorf("peak heap %d bytes for 4× the rows, over %d (1.25× the smaller run's %d + 8 MiB)", large.peak, limit, small.peak)
	}
}

// correlateStream correlates one merged stream of every server's rows (no
// folders, so the rows alone name their servers), single or sharded.
func correlateStream(t testing.TB, data []byte, shards int) []string {
	t.Helper()
	var out []string
	opts := correlate.Options{OnTrace: func(tr *correlate.Trace) {
		b, err := tr.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}}
	var tk correlate.Correlator
	if shards > 1 {
		s, err := correlate.NewSharded(shards, opts)
		if err != nil {
			t.Fatal(err)
		}
		s.SetBatchRows(101)
		defer s.Close()
		tk = s
	} else {
		tr, err := correlate.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		tk = tr
	}
	rd := msgtrk.NewReaderBytes(data)
	for rd.Next() {
		rec := rd.Record()
		tk.Add(rec)
		if tm, err := rec.Time(); err == nil {
			tk.Advance(tm)
		}
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	tk.Flush()
	slices.Sort(out)
	return out
}

// TestShardedKeysAsTracker: a Sharded tracker keys rows by the same rule as
// a Tracker (KeyOf), so that both give the same traces even where the rows
// name a server in different spellings (NOTIFYMAPI names the mailbox server
// by its short name, the STOREDRIVER RECEIVE by its FQDN, and no folder
// says which server wrote them). Before the rule was written once, the
// router keyed store submissions by the raw host name and the Tracker by
// its upper-case short form: in the router a NOTIFYMAPI never met its
// RECEIVE and became an orphan trace of its own.
func TestShardedKeysAsTracker(t *testing.T) {
	for _, v := range []msgtrktest.Version{msgtrktest.V2013, msgtrktest.V2016} { // (a 2010 stream has an empty network-message-id column: no keys)
		sim, err := msgtrktest.New(msgtrktest.Config{Seed: 11, Messages: 120, Version: v, Mix: msgtrktest.Mix{Store: 1}})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := sim.Stream(&buf); err != nil {
			t.Fatal(err)
		}
		single := correlateStream(t, buf.Bytes(), 1)
		sharded := correlateStream(t, buf.Bytes(), 2)
		if diff := cmp.Diff(single, sharded); diff != "" {
			t.Errorf("%v: Sharded traces differ from the Tracker's (-single +sharded):\n%s", v, diff)
		}
		for _, tr := range sharded {
			if strings.Contains(tr, `"orphan":true`) {
				t.Errorf("%v: orphan trace %s", v, tr)
				break
			}
		}
	}
}
