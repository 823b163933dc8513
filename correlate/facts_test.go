package correlate_test

import (
	"encoding/json"
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

// decoyFacts is a FactSource that hands the Tracker facts of a row it is
// not adding, or none: the facts of the row before (same input, another
// line), of the last row of another input with the same line number, of a
// row of another source, or nil. The Tracker must read each row itself
// then. Each row's facts are read when the row is, into a RowFacts of its
// own (they hold copies of what they keep of the row).
type decoyFacts struct {
	*msgtrk.Merger
	prev   *correlate.RowFacts
	byLine map[int64]lineFacts
	other  *correlate.RowFacts
	n      int
	kinds  [4]int // how many decoys of each kind were handed over
}

// lineFacts are the facts of a row and the input they came from.
type lineFacts struct {
	from  *msgtrk.Origin
	facts *correlate.RowFacts
}

func (d *decoyFacts) Facts() *correlate.RowFacts {
	rec := d.Record()
	own := new(correlate.RowFacts)
	own.Read(rec)
	var decoy *correlate.RowFacts
	k := 3
	switch d.n % 4 {
	case 0:
		if l, ok := d.byLine[rec.LineNumber()]; ok && l.from != rec.Origin() {
			decoy, k = l.facts, 0
		}
	case 1:
		if d.prev != nil {
			decoy, k = d.prev, 1
		}
	case 2:
		decoy, k = d.other, 2
	}
	d.kinds[k]++
	d.n++
	d.prev = own
	d.byLine[rec.LineNumber()] = lineFacts{rec.Origin(), own}
	return decoy
}

// newDecoy reads the facts of a row of another source.
func newDecoy(t testing.TB) *correlate.RowFacts {
	r := msgtrk.NewReaderBytes([]byte("#Fields: date-time,server-hostname,source,event-id,network-message-id,recipient-address\r\n" +
		"2024-05-06T10:00:00.000Z,EX9.contoso.com,SMTP,RECEIVE,0d6a4f1e-2b3c-4d5e-8f90-08dc6d5f0b02,bob@contoso.com\r\n"))
	if !r.Next() {
		t.Fatal(r.Err())
	}
	f := new(correlate.RowFacts)
	f.Read(r.Record())
	return f
}

// tracesVia correlates the inputs from src, as Feed does, and returns the
// traces in JSON, in the order they were emitted.
func tracesVia(t testing.TB, src correlate.RowSource, opts correlate.Options) []string {
	t.Helper()
	var out []string
	opts.OnTrace = appendJSON(t, &out)
	tk, err := correlate.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	correlate.Feed(t.Context(), src, tk, opts.Window)
	return out
}

// appendJSON returns an OnTrace that appends each trace to *out as JSON
// (its Error, a test's, is safe on any goroutine: a Tracker that builds
// ahead calls OnTrace on its own).
func appendJSON(t testing.TB, out *[]string) func(*correlate.Trace) {
	return func(tr *correlate.Trace) {
		b, err := json.Marshal(tr)
		if err != nil {
			t.Error(err)
		}
		*out = append(*out, string(b))
	}
}

// mergedRows returns copies of the rows of inputs, merged in time order.
func mergedRows(t testing.TB, inputs []msgtrk.Input) []*msgtrk.Record {
	t.Helper()
	var rows []*msgtrk.Record
	m := msgtrk.NewMerger(inputs)
	for m.Next() {
		rows = append(rows, m.Record().Clone())
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// sameTracesWithFacts correlates the inputs of fsys three ways: each row
// read by the Tracker (Add), the rows' facts read ahead on another
// goroutine (ReadAhead, AddFacts), and facts of the wrong rows or none
// handed over; and returns how the traces differ ("" when they do not).
func sameTracesWithFacts(t testing.TB, fsys fs.FS, opts correlate.Options) (string, int) {
	inputs := func() []msgtrk.Input {
		in, err := msgtrk.FindFiles(fsys, ".")
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	byAdd := tracesVia(t, msgtrk.NewMerger(inputs()), opts)
	ahead := correlate.ReadAhead(msgtrk.NewMerger(inputs()))
	byFacts := tracesVia(t, ahead, opts)
	ahead.Close()
	decoys := &decoyFacts{Merger: msgtrk.NewMerger(inputs()), other: newDecoy(t), byLine: map[int64]lineFacts{}}
	byDecoys := tracesVia(t, decoys, opts)
	for k, n := range decoys.kinds {
		decoyKinds[k] += n
	}
	if diff := cmp.Diff(byAdd, byFacts); diff != "" {
		return "facts read ahead (-Add +AddFacts):\n" + diff, len(byAdd)
	}
	if diff := cmp.Diff(byAdd, byDecoys); diff != "" {
		return "facts of other rows (-Add +AddFacts):\n" + diff, len(byAdd)
	}
	return "", len(byAdd)
}

// quotedFieldsFS holds the logs of two servers whose rows quote the fields
// the facts keep bytes of (a field holding '"' is written quoted, its '"'
// doubled, and reading it decodes it into a buffer the row's next quoted
// field reuses): a store RECEIVE's ClientType in source-context, an SMTP
// RECEIVE's FirstForestHop in custom-data, the local host as spelt, each
// different from row to row.
func quotedFieldsFS(t testing.TB) fstest.MapFS {
	fsys := fstest.MapFS{}
	for srv, server := range []string{"EX1", "EX2"} {
		var b strings.Builder
		w := msgtrk.NewWriter(&b)
		w.WriteHeader(msgtrk.Header{Version: "15.02.1544.004"})
		at := time.Date(2024, 5, 6, 10, 0, 0, 0, time.UTC)
		for i := range 40 {
			var e msgtrk.Event
			e.SetTime(at.Add(time.Duration(i) * time.Second))
			id := fmt.Sprintf("%08d-4d5e-4f60-8a7b-08dc6d5f0b%02d", i, srv)
			e.Set(msgtrk.NetworkMessageID, id)
			e.Set(msgtrk.MessageID, fmt.Sprintf("<%d.%d@contoso.com>", i, srv))
			e.Set(msgtrk.SenderAddress, "anna@contoso.com")
			e.Set(msgtrk.RecipientAddress, fmt.Sprintf("bob%d@contoso.com", i))
			e.Set(msgtrk.EventID, "RECEIVE")
			if i%2 == 0 {
				e.Set(msgtrk.Source, "STOREDRIVER")
				e.Set(msgtrk.ServerHostname, strings.ToLower(server)+".contoso.com")
				e.Set(msgtrk.ClientHostname, server)
				e.Set(msgtrk.SourceContext, fmt.Sprintf(`MDB:6a203583-5020-8516-00bc-9f29968d6b75, Mailbox:12e58505-a4ed-be09-2750-4133c1a4ee%02d, Event:%d, MessageClass:IPM.Note, ClientType:"OWA%d"", SubmissionAssistant:x`, srv, 1000+i, i))
			} else {
				e.Set(msgtrk.Source, "SMTP")
				e.Set(msgtrk.ServerHostname, fmt.Sprintf(`%s.contoso.com"%d`, server, i))
				e.Set(msgtrk.ClientHostname, fmt.Sprintf(`client"%d.example`, i))
				e.Set(msgtrk.ConnectorID, server+`\Default "Frontend"`)
				e.Set(msgtrk.CustomData, fmt.Sprintf(`S:FirstForestHop=fe%d.contoso.com;S:X="%d"`, i, i))
			}
			if err := w.WriteEvent(&e); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		fsys[server+"/MSGTRK2024050610-1.LOG"] = &fstest.MapFile{Data: []byte(b.String())}
	}
	return fsys
}

// decoyKinds counts the decoys of each kind decoyFacts handed over, over a
// test.
var decoyKinds [4]int

// TestFactsAheadSameTraces: a Tracker given its rows' facts read ahead
// (ReadAhead, Feed, AddFacts) emits the same traces, byte for byte in
// JSON and in the same order, as one that reads every row itself (Add);
// so does one handed facts of other rows, or none, which it must not use.
// Over the test cases, the sample organisation, logs whose rows quote the
// fields the facts keep bytes of, and simulated organisations of every
// version, with clock skew, logs collected twice, cut files and KeepSMTP.
func TestFactsAheadSameTraces(t *testing.T) {
	for _, dir := range []string{"testdata/cases", "../testdata/sample-org"} {
		diff, n := sameTracesWithFacts(t, os.DirFS(dir), correlate.Options{})
		if diff != "" {
			t.Errorf("%s: %s", dir, diff)
		}
		if n < 6 {
			t.Errorf("%s: %d traces", dir, n)
		}
	}
	if diff, n := sameTracesWithFacts(t, quotedFieldsFS(t), correlate.Options{}); diff != "" || n < 40 {
		t.Errorf("quoted fields: %d traces; %s", n, diff)
	}
	defer func() {
		if decoyKinds[0] == 0 || decoyKinds[1] == 0 || decoyKinds[2] == 0 {
			t.Errorf("decoys handed over (same line of another input, row before, another source): %v; each kind must be tried", decoyKinds[:3])
		}
	}()
	params := proptest.Parameters(t, 40)
	props := gopter.NewProperties(params)
	versions := []msgtrktest.Version{msgtrktest.V2007, msgtrktest.V2010, msgtrktest.V2013, msgtrktest.V2016, msgtrktest.V2019}
	props.Property("facts read ahead change no trace", prop.ForAll(
		func(seed uint64, msgs, vi int, skewMs int64, dups, cuts int, keepSMTP bool) string {
			cfg := msgtrktest.Config{Seed: seed, MailboxServers: 2, EdgeServers: 1, Messages: msgs,
				Version: versions[vi], MaxSkew: time.Duration(skewMs) * time.Millisecond, DuplicateFiles: dups, TruncateFiles: cuts}
			sim, err := msgtrktest.New(cfg)
			if err != nil {
				return "New: " + err.Error()
			}
			fsys, _, err := sim.WriteFS()
			if err != nil {
				return "WriteFS: " + err.Error()
			}
			if diff, _ := sameTracesWithFacts(t, fsys, correlate.Options{KeepSMTP: keepSMTP}); diff != "" {
				return fmt.Sprintf("config %+v: %s", cfg, diff)
			}
			return ""
		},
		gen.UInt64(), gen.IntRange(1, 40), gen.IntRange(0, len(versions)-1),
		gen.Int64Range(0, 120000), gen.IntRange(0, 2), gen.IntRange(0, 2), gen.Bool(),
	))
	props.TestingRun(t)
}

// TestSubmissionHopLatency: a SUBMIT row carries the submission service's
// latency string (format.md §7.2), with its TOTAL complete, where the
// NOTIFYMAPI before it shows MTSS still pending: the submission hop's
// latency is the SUBMIT's (0.330 s in the sample organisation's
// message), not the NOTIFYMAPI's (0.087 s).
func TestSubmissionHopLatency(t *testing.T) {
	inputs, err := msgtrk.OpenPaths("../testdata/sample-org")
	if err != nil {
		t.Fatal(err)
	}
	var got []correlate.Hop
	_, err = correlate.Run(t.Context(), inputs, correlate.Options{OnTrace: func(tr *correlate.Trace) {
		if tr.MessageID == "<c6de46a5366d76056fbce162eb2dcd48@ex01.corp.contoso.com>" {
			got = tr.Hops
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[0].Role != correlate.RoleSubmission || got[0].Latency != 330*time.Millisecond {
		t.Errorf("hops %+v; want the submission hop first, with latency 330ms", got)
	}
}

// TestBatchFactsReuse: reading the facts of a batch again, into the same
// BatchFacts, allocates nothing, for every kind of row of the sample
// organisation (store and SMTP receives, sends with latency strings,
// deliveries, expansions…): the facts' buffers are made once and reused,
// as a Readahead reuses its batches.
func TestBatchFactsReuse(t *testing.T) {
	in, err := msgtrk.OpenPaths("../testdata/sample-org")
	if err != nil {
		t.Fatal(err)
	}
	m := msgtrk.NewMerger(in)
	var b msgtrk.Batch
	kinds := map[msgtrk.EventType]bool{}
	for b.Len() < 1024 && m.Next() {
		b.Append(m.Record())
		kinds[m.Record().EventType()] = true
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	if b.Len() < 1024 || len(kinds) < 8 {
		t.Fatalf("%d rows of %d events: too few to stand for the sample", b.Len(), len(kinds))
	}
	var fs correlate.BatchFacts
	fs.Read(&b)
	if n := testing.AllocsPerRun(10, func() { fs.Read(&b) }); n != 0 {
		t.Errorf("BatchFacts.Read of %d rows, again: %v allocs, want 0", b.Len(), n)
	}
}
