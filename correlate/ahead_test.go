package correlate_test

import (
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"
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

// correlation is what a Tracker hands over and reports: every trace as
// JSON, in order, its Stats and its clock skew estimates.
type correlation struct {
	Traces []string
	Stats  correlate.Stats
	Skew   []correlate.ServerSkew
}

// correlateWhole correlates the inputs of fsys with one Tracker.
func correlateWhole(t testing.TB, fsys fs.FS, opts correlate.Options) correlation {
	t.Helper()
	in, err := msgtrk.FindFiles(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	var c correlation
	opts.OnTrace = appendJSON(t, &c.Traces)
	tk, err := correlate.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	src := correlate.ReadAhead(msgtrk.NewMerger(in))
	defer src.Close()
	correlate.Feed(t.Context(), src, tk, opts.Window) // (a cut file's error: the same either way)
	c.Stats, c.Skew = tk.Stats(), tk.Skew()
	return c
}

// aheadReached counts what TestBuildAheadSameTraces's organisations
// reached: traces that link to the message their notification reports on,
// traces emitted early (evicted), rows that came late.
var aheadReached struct{ dsnFor, evicted, late int64 }

// sameWithBuildAhead correlates fsys building on the Tracker's goroutine
// and building ahead, and returns how the two differ ("" when they do not)
// and the traces.
func sameWithBuildAhead(t testing.TB, fsys fs.FS, opts correlate.Options) (string, int) {
	opts.BuildAhead = false
	want := correlateWhole(t, fsys, opts)
	opts.BuildAhead = true
	got := correlateWhole(t, fsys, opts)
	for _, tr := range want.Traces {
		if strings.Contains(tr, `"dsn_for":`) {
			aheadReached.dsnFor++
		}
	}
	aheadReached.evicted += want.Stats.Evicted
	aheadReached.late += want.Stats.Late
	if diff := cmp.Diff(want, got); diff != "" {
		return "(-on its goroutine +ahead):\n" + diff, len(want.Traces)
	}
	return "", len(want.Traces)
}

// TestBuildAheadSameTraces: a Tracker that builds its traces on a
// goroutine of its own (Options.BuildAhead) hands over the same traces,
// byte for byte and in the same order, with the same Stats and skew
// estimates, as one that builds them on its own goroutine: on the test
// cases, the sample organisation, and simulated organisations of every
// version whose servers' clocks drift, whose files are collected twice or
// cut short, with notifications that link to the message they report on,
// traces emitted early for want of room and rows that come late. What
// the Tracker learns of the organisation as the rows come (which server
// wrote each file, display names, Edge servers, services' logs, accepted
// domains) must reach the building goroutine in step with the traces.
func TestBuildAheadSameTraces(t *testing.T) {
	for _, dir := range []string{"testdata/cases", "../testdata/sample-org"} {
		diff, n := sameWithBuildAhead(t, os.DirFS(dir), correlate.Options{})
		if diff != "" {
			t.Errorf("%s: %s", dir, diff)
		}
		if n < 6 {
			t.Errorf("%s: %d traces", dir, n)
		}
	}
	if diff, n := sameWithBuildAhead(t, quotedFieldsFS(t), correlate.Options{KeepSMTP: true}); diff != "" || n < 40 {
		t.Errorf("quoted fields: %d traces; %s", n, diff)
	}
	params := proptest.Parameters(t, 40)
	props := gopter.NewProperties(params)
	versions := []msgtrktest.Version{msgtrktest.V2007, msgtrktest.V2010, msgtrktest.V2013, msgtrktest.V2016, msgtrktest.V2019}
	props.Property("building ahead changes no trace", prop.ForAll(
		func(seed uint64, msgs, vi int, skewMs int64, dups, cuts int, keepSMTP bool, maxOpen, windowMin, folders int) string {
			cfg := msgtrktest.Config{Seed: seed, MailboxServers: 2, EdgeServers: 1, Messages: msgs,
				Version: versions[vi], MaxSkew: time.Duration(skewMs) * time.Millisecond, DuplicateFiles: dups, TruncateFiles: cuts,
				Folders: msgtrktest.Folders(folders), Restarts: 0.3}
			sim, err := msgtrktest.New(cfg)
			if err != nil {
				return "New: " + err.Error()
			}
			fsys, _, err := sim.WriteFS()
			if err != nil {
				return "WriteFS: " + err.Error()
			}
			opts := correlate.Options{KeepSMTP: keepSMTP, MaxOpenTraces: maxOpen, Window: time.Duration(windowMin) * time.Minute}
			if diff, _ := sameWithBuildAhead(t, fsys, opts); diff != "" {
				return fmt.Sprintf("config %+v, options %+v: %s", cfg, opts, diff)
			}
			return ""
		},
		gen.UInt64(), gen.IntRange(1, 300), gen.IntRange(0, len(versions)-1),
		gen.Int64Range(0, 120000), gen.IntRange(0, 2), gen.IntRange(0, 2), gen.Bool(),
		gen.IntRange(0, 6), gen.IntRange(0, 2), gen.IntRange(int(msgtrktest.FoldersServer), int(msgtrktest.FoldersFlat)),
	))
	props.TestingRun(t)
	if r := aheadReached; r.dsnFor == 0 || r.evicted == 0 || r.late == 0 {
		t.Errorf("reached %+v: each of notifications linked, traces evicted and late rows must be tried", r)
	}
}

// TestBuildAheadSync: a Tracker that builds ahead may hand a trace over
// after the Advance that emitted it has returned, but Sync and Flush
// return only once every trace emitted is handed over (and end its
// goroutine: the race detector and goleak-free runs of the suite watch
// it); Stats counts the traces handed over.
func TestBuildAheadSync(t *testing.T) {
	rowsOf := func(dir string) []*msgtrk.Record {
		in, err := msgtrk.OpenPaths(dir)
		if err != nil {
			t.Fatal(err)
		}
		return mergedRows(t, in)
	}
	rows := rowsOf("../testdata/sample-org")
	handed := 0
	tk, err := correlate.New(correlate.Options{BuildAhead: true, OnTrace: func(*correlate.Trace) { handed++ }})
	if err != nil {
		t.Fatal(err)
	}
	var last time.Time
	for _, rec := range rows {
		tk.Add(rec)
		if at, err := rec.Time(); err == nil {
			tk.Advance(at)
			last = at
		}
	}
	// Past every quiet window, and every retry time a deferral gave (a
	// deferred message is held until its retry, a day ahead at most).
	tk.Advance(last.Add(48*time.Hour + correlate.DefaultWindow))
	tk.Sync()
	emitted := handed
	if st := tk.Stats(); emitted == 0 || st.Traces != int64(emitted) || st.Open != 0 {
		t.Errorf("after Sync: %d handed over, Stats %+v", emitted, st)
	}
	tk.Flush()
	if handed != emitted {
		t.Errorf("Flush handed over %d more; every trace was emitted before it", handed-emitted)
	}
	// Rows of other messages after a Flush start the goroutine again.
	for _, rec := range rowsOf("testdata/cases") {
		tk.Add(rec)
	}
	tk.Flush()
	if st := tk.Stats(); st.Traces != int64(handed) || handed <= emitted {
		t.Errorf("after rows again and Flush: %d handed over, Stats %+v", handed, st)
	}
}

// TestBuildAheadWhileOrgChanges: what the Tracker learns of the
// organisation changes while traces are emitted (a one-second window),
// and building ahead still gives the same traces, Stats and skew: three
// files whose rows name hosts in turns (so their votes change, and some
// become merged streams), spelt in mixed case, with rows that show an
// Edge or a mailbox server, recipient domains learnt as they come (and
// sends to a host without logs, which they decide), and servers marked in
// the middle. Leaving out the change of a file's vote, of a server's Edge
// evidence or of the domains learnt fails it.
func TestBuildAheadWhileOrgChanges(t *testing.T) {
	hosts := []string{"EX01", "ex02", "Edge1", "EX03"}
	fsys := fstest.MapFS{}
	start := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
	for f := range 3 {
		log := "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.039\r\n#Log-type: Message Tracking Log\r\n#Date: 2024-03-04T08:00:00.000Z\r\n" + fields2016
		for i := range 400 {
			h := hosts[(i*(f+1)/7)%len(hosts)]
			row := map[string]string{"server-hostname": h, "client-hostname": h, "source": "SMTP", "event-id": "RECEIVE",
				"connector-id": h + `\Default Frontend ` + h, "message-id": fmt.Sprintf("<%d.%d@x>", f, i/2),
				"network-message-id": fmt.Sprintf("00000000-0000-0000-%04d-%012d", f, i/2),
				"recipient-address":  fmt.Sprintf("a%d@Contoso%d.com", i, i%7), "sender-address": "b@fabrikam.com"}
			switch i % 5 {
			case 1:
				row["connector-id"], row["event-id"] = "EdgeSync - Inbound to Site", "SEND"
			case 2:
				if h != "Edge1" { // (a mailbox server's delivery: no Edge does it)
					row["connector-id"], row["source"], row["event-id"] = "", "STOREDRIVER", "DELIVER"
				}
			case 3:
				row["connector-id"] = h + `\Default internal receive connector ` + h
			case 4:
				// To a host without logs: handed off when the domain is
				// one the organisation was seen delivering to.
				row["connector-id"], row["event-id"], row["server-hostname"] = "Outbound", "SEND", "relay.fabrikam.net"
			}
			r := csvRow(fields2016, row)
			log += start.Add(time.Duration(i)*time.Second).Format("2006-01-02T15:04:05.000Z") + r[len("2024-03-04T08:00:00.000Z"):]
		}
		fsys[fmt.Sprintf("%s/MSGTRK2024030%d-1.LOG", hosts[f], f+1)] = &fstest.MapFile{Data: []byte(log)}
	}
	// An Edge whose evidence comes after its first rows, and after traces
	// were emitted: nothing else of it changes then.
	log := "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.039\r\n#Log-type: Message Tracking Log\r\n#Date: 2024-03-04T08:00:00.000Z\r\n" + fields2016
	for i := range 80 {
		if i > 0 && i < 40 {
			continue
		}
		conn := `EDGE2\Default Frontend EDGE2`
		if i == 40 {
			conn = `EDGE2\Default internal receive connector EDGE2`
		}
		r := csvRow(fields2016, map[string]string{"server-hostname": "EDGE2", "client-hostname": "mx.fabrikam.com", "source": "SMTP",
			"event-id": "RECEIVE", "connector-id": conn, "message-id": fmt.Sprintf("<e%d@x>", i),
			"network-message-id": fmt.Sprintf("00000000-0000-0000-ffff-%012d", i), "recipient-address": "anna@contoso1.com",
			"sender-address": "b@fabrikam.com"})
		log += start.Add(time.Duration(i)*time.Second).Format("2006-01-02T15:04:05.000Z") + r[len("2024-03-04T08:00:00.000Z"):]
	}
	fsys["EDGE2/MSGTRK20240304-1.LOG"] = &fstest.MapFile{Data: []byte(log)}
	run := func(ahead bool) correlation {
		var c correlation
		tk, err := correlate.New(correlate.Options{BuildAhead: ahead, Window: time.Second, OnTrace: appendJSON(t, &c.Traces)})
		if err != nil {
			t.Fatal(err)
		}
		in, err := msgtrk.FindFiles(fsys, ".")
		if err != nil {
			t.Fatal(err)
		}
		m := msgtrk.NewMerger(in)
		for n := 1; m.Next(); n++ {
			rec := m.Record()
			tk.Add(rec)
			if n == 700 {
				tk.MarkServer("ghost01")
				tk.MarkEdgeServer("ex03")
			}
			if at, err := rec.Time(); err == nil {
				tk.Advance(at)
			}
		}
		tk.Flush()
		c.Stats, c.Skew = tk.Stats(), tk.Skew()
		return c
	}
	want, got := run(false), run(true)
	edge := 0
	for _, tr := range want.Traces {
		edge += strings.Count(tr, `"role":"edge"`)
	}
	t.Logf("%d traces, %d edge hops", len(want.Traces), edge)
	if len(want.Traces) < 500 {
		t.Fatalf("%d traces", len(want.Traces))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-on its goroutine +ahead):\n%s", diff)
	}
}
