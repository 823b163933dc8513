package fuzz

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/eventdata"
	"github.com/mailtrace/mailtrace/filter"
	"github.com/mailtrace/mailtrace/internal/check"
	"github.com/mailtrace/mailtrace/messageinfo"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/recipstatus"
	"github.com/mailtrace/mailtrace/report"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// This file holds the end-to-end pipeline that FuzzPipeline, the
// adversarial tests and the regression tests run: bytes → msgtrk.Reader →
// every field decoder → correlate.Tracker, checking invariants at each
// layer. A violated invariant is a t.Fatalf naming the layer.

// pipeConfig is the configuration of one pipeline run.
type pipeConfig struct {
	maxLine   int           // Reader.MaxLineBytes (0: default)
	window    time.Duration // Options.Window
	maxOpen   int           // Options.MaxOpenTraces
	maxEvents int           // Options.MaxEventsPerTrace
	recent    int           // Options.RecentKeys
	stream    bool          // also read through a streaming Reader and compare
	sharded   bool          // also run a Sharded tracker (goroutines: slow on a busy machine)
}

// smallPipe keeps every bound of the correlator small, so that a fuzzer's
// short inputs reach eviction, expiry, late rows and truncated traces.
var smallPipe = pipeConfig{maxLine: 0, window: time.Minute, maxOpen: 3, maxEvents: 5, recent: 4, stream: true}

// pipeResult is what a pipeline run saw.
type pipeResult struct {
	stats  msgtrk.Stats
	rows   []rowSummary
	errs   []*msgtrk.ParseError
	traces []*correlate.Trace
	late   int
	ts     correlate.Stats
	// jsonBytes is the length of the traces' JSON forms.
	jsonBytes int
}

// rowSummary is what is compared between the in-memory and the streaming
// Reader.
type rowSummary struct {
	Line   string
	Number int64
	Offset int64
}

// errSummary is the comparable part of a ParseError.
type errSummary struct {
	Line, Offset int64
	Column       int
	Sentinel     string
}

func summarizeErr(e *msgtrk.ParseError) errSummary {
	return errSummary{Line: e.Line, Offset: e.Offset, Column: e.Column, Sentinel: sentinelName(e.Err)}
}

var msgtrkSentinels = []error{msgtrk.ErrFieldCount, msgtrk.ErrQuote, msgtrk.ErrBareQuote, msgtrk.ErrInvalidUTF8,
	msgtrk.ErrNUL, msgtrk.ErrLineTooLong, msgtrk.ErrTruncated, msgtrk.ErrNoFields, msgtrk.ErrHeader,
	msgtrk.ErrTooManyFields, msgtrk.ErrSyntax, msgtrk.ErrRange}

func sentinelName(err error) string {
	for _, s := range msgtrkSentinels {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return fmt.Sprintf("other: %v", err)
}

// runPipeline runs data through the whole pipeline and checks every
// invariant. It fails t on the first violation.
func runPipeline(t testing.TB, data []byte, c pipeConfig) pipeResult {
	t.Helper()
	var res pipeResult
	// The CLI's filter marks traces; report summarises rows and traces.
	sel := filter.Events{Subject: "re", Recipients: []string{"alice1@contoso.com"}, Servers: []string{"EX1"}, MinSize: 1}
	sel.Compile()
	matched := 0
	sum := report.NewStats(8)
	var subs report.Submitters
	tr, err := correlate.New(correlate.Options{
		OnTrace: func(tc *correlate.Trace) {
			res.traces = append(res.traces, tc)
			sum.AddTrace(tc)
			subs.Add(tc)
		},
		OnLate: func(string, *msgtrk.Record) { res.late++ },
		Mark: func(rec *msgtrk.Record) bool {
			if sel.Match(rec) {
				matched++
				return true
			}
			return false
		},
		Window:            c.window,
		MaxOpenTraces:     c.maxOpen,
		MaxEventsPerTrace: c.maxEvents,
		RecentKeys:        c.recent,
	})
	if err != nil {
		t.Fatal(err)
	}
	maxOpen := c.maxOpen
	if maxOpen == 0 {
		maxOpen = correlate.DefaultMaxOpenTraces
	}

	// The parallel wrapper sees the same rows; its accounting must hold
	// too.
	var shardTraces []*correlate.Trace
	var sh *correlate.Sharded
	if c.sharded {
		sh, err = correlate.NewSharded(2, correlate.Options{
			OnTrace:           func(tc *correlate.Trace) { shardTraces = append(shardTraces, tc) },
			Window:            c.window,
			MaxOpenTraces:     c.maxOpen,
			MaxEventsPerTrace: c.maxEvents,
			RecentKeys:        c.recent,
		})
		if err != nil {
			t.Fatal(err)
		}
		sh.SetBatchRows(16)
		defer sh.Close()
	}

	r := msgtrk.NewReaderBytes(data)
	r.GuessFields = true
	r.MaxLineBytes = c.maxLine
	r.ErrorHandler = func(e *msgtrk.ParseError) { res.errs = append(res.errs, e) }
	var rc rowChecker
	var batch msgtrk.Batch
	added := int64(0)
	for r.Next() {
		rec := r.Record()
		line := rec.Line()
		if !check.Inside(data, line) {
			t.Fatalf("reader: row %d is not a subslice of the input (NewReaderBytes copies nothing)", rec.LineNumber())
		}
		off := rec.InputOffset()
		if off < 0 || off+int64(len(line)) > int64(len(data)) || !bytes.Equal(data[off:off+int64(len(line))], line) {
			t.Fatalf("reader: row %d: InputOffset %d does not locate its %d bytes", rec.LineNumber(), off, len(line))
		}
		res.rows = append(res.rows, rowSummary{string(line), rec.LineNumber(), off})
		rc.check(t, rec)

		batch.Append(rec)
		if b := batch.Record(batch.Len() - 1); !bytes.Equal(b.Line(), line) || b.NumColumns() != rec.NumColumns() {
			t.Fatalf("batch: row %d copied as %q", rec.LineNumber(), b.Line())
		} else {
			for i := 0; i < b.NumColumns(); i++ {
				if !bytes.Equal(b.Column(i), rec.Column(i)) {
					t.Fatalf("batch: row %d column %d copied as %q, want %q", rec.LineNumber(), i, b.Column(i), rec.Column(i))
				}
			}
		}

		sum.AddRecord(rec)
		tr.Add(rec)
		if sh != nil {
			sh.Add(rec)
		}
		added++
		if tm, err := rec.Time(); err == nil {
			tr.Advance(tm)
			if sh != nil {
				sh.Advance(tm)
			}
		}
		if s := tr.Stats(); s.Open > maxOpen || s.MaxOpen > maxOpen {
			t.Fatalf("correlate: %d traces open (max seen %d), MaxOpenTraces %d", s.Open, s.MaxOpen, maxOpen)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatalf("reader: Err() = %v with an ErrorHandler set", err)
	}
	res.stats = r.Stats()
	st := res.stats
	if st.Lines != st.Records+st.Directives+st.Blank+st.Errors {
		t.Fatalf("reader: lines not accounted for: %+v", st)
	}
	if st.Records != int64(len(res.rows)) || st.Errors != int64(len(res.errs)) {
		t.Fatalf("reader: stats %+v, but %d rows and %d errors seen", st, len(res.rows), len(res.errs))
	}
	if st.Bytes != int64(len(data)) {
		t.Fatalf("reader: consumed %d bytes of %d", st.Bytes, len(data))
	}
	for _, e := range res.errs {
		if e.Line < 1 || e.Line > st.Lines || e.Column < 1 || e.Offset < 0 || e.Offset > int64(len(data)) {
			t.Fatalf("reader: error outside the input (%d lines, %d bytes): %+v", st.Lines, len(data), e)
		}
	}

	for i := 0; i < batch.Len(); i++ {
		b := batch.Record(i)
		if w := res.rows[i]; string(b.Line()) != w.Line || b.LineNumber() != w.Number || b.InputOffset() != w.Offset {
			t.Fatalf("batch: row %d reads back as line %d at %d %q; want line %d at %d %q", i, b.LineNumber(), b.InputOffset(), b.Line(), w.Number, w.Offset, w.Line)
		}
	}

	tr.Flush()
	res.ts = tr.Stats()
	checkTraces(t, &res, added, maxOpen)

	// Bounded output: the traces' JSON is at most a fixed multiple of the
	// input, plus a fixed cost per trace.
	if limit := 16*len(data) + 2048*len(res.traces); res.jsonBytes > limit {
		t.Fatalf("correlate: %d bytes of JSON for %d bytes of input in %d traces", res.jsonBytes, len(data), len(res.traces))
	}

	if sh != nil {
		sh.Flush()
		shard := pipeResult{traces: shardTraces, ts: sh.Stats()}
		shard.late = int(shard.ts.Late) // Sharded has no OnLate here
		checkTraces(t, &shard, added, maxOpen)
	}

	checkStrict(t, data, c, &res)
	if matched == 0 {
		for _, tc := range res.traces {
			if tc.Marked {
				t.Fatalf("correlate: trace %q marked, but Mark never returned true", tc.Key)
			}
		}
	}
	n := sum.Counts
	if n.Delivered+n.SentExternal+n.Failed+n.Dropped+n.Duplicate+n.Pending+n.HandedOff != n.Recipients {
		t.Fatalf("report: outcomes do not sum to Recipients: %+v", n)
	}
	s := sum.Summary(3, st.Errors)
	if s.Rows != added || s.Malformed != st.Errors {
		t.Fatalf("report: summary of %d rows, %d malformed; want %d and %d", s.Rows, s.Malformed, added, st.Errors)
	}
	if b, err := json.Marshal(s); err != nil || !json.Valid(b) {
		t.Fatalf("report: summary does not marshal: %v", err)
	}
	subs.Sorted()

	if c.stream {
		compareStreaming(t, data, c, &res)
	}
	return res
}

// checkStrict reads data again in Strict mode: the rows before the first
// malformed line come out, then Next stops and Err returns that line's
// error.
func checkStrict(t testing.TB, data []byte, c pipeConfig, res *pipeResult) {
	t.Helper()
	r := msgtrk.NewReaderBytes(data)
	r.GuessFields = true
	r.MaxLineBytes = c.maxLine
	r.Mode = msgtrk.Strict
	var rows []rowSummary
	for r.Next() {
		rec := r.Record()
		rows = append(rows, rowSummary{string(rec.Line()), rec.LineNumber(), rec.InputOffset()})
	}
	err := r.Err()
	if len(res.errs) == 0 {
		if err != nil || !slices.Equal(rows, res.rows) {
			t.Fatalf("strict reader: error %v, %d rows; the lenient one read %d rows without error", err, len(rows), len(res.rows))
		}
		return
	}
	first := res.errs[0]
	var pe *msgtrk.ParseError
	if !errors.As(err, &pe) || summarizeErr(pe) != summarizeErr(first) {
		t.Fatalf("strict reader: Err() = %v, want the first error %v", err, first)
	}
	n := 0
	for n < len(res.rows) && res.rows[n].Number < first.Line {
		n++
	}
	if !slices.Equal(rows, res.rows[:n]) {
		t.Fatalf("strict reader: %d rows before the first error, want %d", len(rows), n)
	}
}

// compareStreaming reads data again through streaming Readers fed in small
// and odd-sized chunks, and checks they see what the in-memory Reader saw.
func compareStreaming(t testing.TB, data []byte, c pipeConfig, res *pipeResult) {
	t.Helper()
	for _, chunk := range []int{1, 7, 4096} {
		r := msgtrk.NewReader(&chunkReader{data: data, n: chunk})
		r.GuessFields = true
		r.MaxLineBytes = c.maxLine
		var errs []errSummary
		r.ErrorHandler = func(e *msgtrk.ParseError) { errs = append(errs, summarizeErr(e)) }
		var rows []rowSummary
		for r.Next() {
			rec := r.Record()
			rows = append(rows, rowSummary{string(rec.Line()), rec.LineNumber(), rec.InputOffset()})
		}
		if err := r.Err(); err != nil {
			t.Fatalf("streaming reader (chunks of %d): %v", chunk, err)
		}
		if !slices.Equal(rows, res.rows) {
			t.Fatalf("streaming reader (chunks of %d) and NewReaderBytes disagree on rows:\nstream %+v\nbytes  %+v", chunk, rows, res.rows)
		}
		var want []errSummary
		for _, e := range res.errs {
			want = append(want, summarizeErr(e))
		}
		if !slices.Equal(errs, want) {
			t.Fatalf("streaming reader (chunks of %d) and NewReaderBytes disagree on errors:\nstream %+v\nbytes  %+v", chunk, errs, want)
		}
		if s := r.Stats(); s != res.stats {
			t.Fatalf("streaming reader (chunks of %d) stats %+v, NewReaderBytes %+v", chunk, s, res.stats)
		}
	}
}

// chunkReader returns at most n bytes per Read, and sometimes (0, nil), as
// pipes and network streams do.
type chunkReader struct {
	data  []byte
	n     int
	calls int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	c.calls++
	if c.calls%5 == 0 {
		return 0, nil
	}
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(c.n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// checkTraces checks the correlator's accounting and the emitted traces.
func checkTraces(t testing.TB, res *pipeResult, added int64, maxOpen int) {
	t.Helper()
	s := res.ts
	if s.Events != added {
		t.Fatalf("correlate: Stats.Events %d, rows added %d", s.Events, added)
	}
	if s.Open != 0 {
		t.Fatalf("correlate: %d traces open after Flush", s.Open)
	}
	if s.MaxOpen > maxOpen {
		t.Fatalf("correlate: MaxOpen %d > MaxOpenTraces %d", s.MaxOpen, maxOpen)
	}
	if s.Traces != int64(len(res.traces)) || s.Complete+s.Expired+s.Evicted+s.Flushed != s.Traces {
		t.Fatalf("correlate: %d traces handed to OnTrace, stats %+v", len(res.traces), s)
	}
	if int64(res.late) != s.Late {
		t.Fatalf("correlate: OnLate called %d times, Stats.Late %d", res.late, s.Late)
	}
	events := int64(0)
	for _, tc := range res.traces {
		events += int64(tc.Events)
		res.jsonBytes += checkTrace(t, tc)
	}
	if events+s.Late+s.DuplicateRows+s.Dropped != added {
		t.Fatalf("correlate: rows lost or counted twice: %d in traces + %d late + %d duplicate + %d dropped != %d added (stats %+v)",
			events, s.Late, s.DuplicateRows, s.Dropped, added, s)
	}
}

// checkTrace checks one trace's structure and its JSON form, and returns
// the length of the latter.
func checkTrace(t testing.TB, tc *correlate.Trace) int {
	t.Helper()
	if tc.Events < 1 {
		t.Fatalf("correlate: trace %q emitted with %d events", tc.Key, tc.Events)
	}
	if tc.Reason < correlate.ReasonComplete || tc.Reason > correlate.ReasonFlushed {
		t.Fatalf("correlate: trace %q has reason %v", tc.Key, tc.Reason)
	}
	if !tc.FirstSeen.IsZero() && tc.LastSeen.Before(tc.FirstSeen) {
		t.Fatalf("correlate: trace %q last seen %v before first seen %v", tc.Key, tc.LastSeen, tc.FirstSeen)
	}
	loop := tc.HasAnomaly(correlate.AnomalyLoop)
	for i, h := range tc.Hops {
		for _, f := range h.From {
			// A hop handed the message by itself is a loop, which the
			// trace must name among its anomalies.
			if f < 0 || f >= len(tc.Hops) || (f == i && !loop) {
				t.Fatalf("correlate: trace %q hop %d names hop %d of %d as its predecessor", tc.Key, i, f, len(tc.Hops))
			}
		}
	}
	if !slices.IsSortedFunc(tc.Hops, func(a, b correlate.Hop) int {
		if a.Depth != b.Depth {
			return a.Depth - b.Depth
		}
		return a.First.Compare(b.First)
	}) {
		t.Fatalf("correlate: trace %q hops not in causal order (depth, then first time)", tc.Key)
	}
	if !slices.IsSortedFunc(tc.Recipients, func(a, b correlate.Recipient) int { return compareStrings(a.Address, b.Address) }) {
		t.Fatalf("correlate: trace %q recipients not sorted by address", tc.Key)
	}
	b, err := tc.MarshalJSON()
	if err != nil {
		t.Fatalf("correlate: trace %q: MarshalJSON: %v", tc.Key, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("correlate: trace %q: JSON does not parse back: %v\n%s", tc.Key, err, b)
	}
	if m["v"] != float64(correlate.JSONVersion) || m["key"] != tc.Key || m["events"] != float64(tc.Events) || m["reason"] != tc.Reason.String() {
		t.Fatalf("correlate: trace %q: JSON v/key/events/reason = %v/%v/%v/%v, want %d/%q/%d/%q",
			tc.Key, m["v"], m["key"], m["events"], m["reason"], correlate.JSONVersion, tc.Key, tc.Events, tc.Reason)
	}
	for _, name := range []string{"hops", "recipients", "expansions", "shadow_events", "duplicates", "anomalies"} {
		if _, ok := m[name].([]any); !ok {
			t.Fatalf("correlate: trace %q: JSON %q is %T, want a list", tc.Key, name, m[name])
		}
	}
	return len(b)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// rowChecker runs every field decoder on a row and checks their results;
// its buffers are reused from row to row.
type rowChecker struct {
	nodes []messageinfo.Node
	pairs []eventdata.Pair
	buf   []byte
	data  eventdata.Data
	w     *msgtrk.Writer
	out   bytes.Buffer
}

func (rc *rowChecker) check(t testing.TB, rec *msgtrk.Record) {
	t.Helper()
	line := rec.Line()
	n := rec.NumColumns()
	if n < 1 || n > msgtrk.MaxFields {
		t.Fatalf("record: line %d has %d columns", rec.LineNumber(), n)
	}
	for i := 0; i < n; i++ {
		v := rec.Column(i)
		if len(v) > len(line) {
			t.Fatalf("record: line %d column %d is longer than its line", rec.LineNumber(), i)
		}
		if !check.Inside(line, v) && !bytes.Contains(line, []byte(`""`)) {
			t.Fatalf("record: line %d column %d is not inside its line, and the line has no doubled quote", rec.LineNumber(), i)
		}
	}
	for f := msgtrk.Field(0); int(f) < msgtrk.NumFields; f++ {
		raw := rec.Raw(f)
		if raw != nil && !check.Inside(line, raw) {
			t.Fatalf("record: line %d: Raw(%v) is not inside the line", rec.LineNumber(), f)
		}
		if l, col := rec.FieldPos(f); l != rec.LineNumber() || (rec.Has(f) && (col < 1 || col+len(raw) > len(line)+1)) {
			t.Fatalf("record: line %d: FieldPos(%v) = %d:%d outside the line of %d bytes", rec.LineNumber(), f, l, col, len(line))
		}
	}
	// Typed accessors: no panic, and values keep their bounds.
	rec.Time()
	for _, f := range []msgtrk.Field{msgtrk.ClientIP, msgtrk.ServerIP, msgtrk.OriginalClientIP, msgtrk.OriginalServerIP} {
		rec.Addr(f)
	}
	rec.GUID(msgtrk.NetworkMessageID)
	rec.Int(msgtrk.TotalBytes)
	_ = rec.EventType().String() + rec.SourceType().String() + rec.Direction().String()
	if s := msgtrk.LoggingServer(rec); len(s) > len(line) {
		t.Fatalf("record: LoggingServer longer than the line")
	}
	c := rec.Clone()
	if !bytes.Equal(c.Line(), line) || c.NumColumns() != n || c.LineNumber() != rec.LineNumber() || c.InputOffset() != rec.InputOffset() {
		t.Fatalf("record: Clone differs from the row at line %d", rec.LineNumber())
	}
	for i := 0; i < n; i++ {
		if !bytes.Equal(c.Column(i), rec.Column(i)) {
			t.Fatalf("record: Clone column %d = %q, row %q", i, c.Column(i), rec.Column(i))
		}
	}
	ev := rec.Event()
	for f := msgtrk.Field(0); int(f) < msgtrk.NumFields; f++ {
		if ev.Get(f) != string(rec.Field(f)) {
			t.Fatalf("record: Event().Get(%v) = %q, Field %q", f, ev.Get(f), rec.Field(f))
		}
	}
	rc.checkWriteRecord(t, rec)
	checkLists(t, rec)
	rc.checkCustomData(t, rec)
	rc.checkMessageInfo(t, rec)
	checkSourceContext(t, rec)
	checkRecipientStatus(t, rec)
}

// checkWriteRecord writes the row with msgtrk.Writer under its own columns
// and reads it back: every column must come back unchanged.
func (rc *rowChecker) checkWriteRecord(t testing.TB, rec *msgtrk.Record) {
	t.Helper()
	n := rec.NumColumns()
	names := make([]string, n)
	seen := map[string]bool{}
	for i := range names {
		names[i] = rec.ColumnName(i)
		k := string(bytes.ToLower([]byte(names[i])))
		if seen[k] {
			return // a column name given twice: the Writer writes the first one's value for both
		}
		seen[k] = true
	}
	if rc.w == nil {
		rc.w = msgtrk.NewWriter(&rc.out)
	}
	buf, w := &rc.out, rc.w
	buf.Reset()
	w.WriteHeader(msgtrk.Header{Fields: names})
	if err := w.WriteRecord(rec); err != nil {
		t.Fatalf("writer: WriteRecord of line %d: %v", rec.LineNumber(), err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r := msgtrk.NewReaderBytes(buf.Bytes())
	if !r.Next() {
		t.Fatalf("writer: row of line %d does not read back: %v\n%q", rec.LineNumber(), r.Err(), buf.Bytes())
	}
	back := r.Record()
	if back.NumColumns() != n {
		t.Fatalf("writer: row of line %d reads back with %d columns, want %d", rec.LineNumber(), back.NumColumns(), n)
	}
	for i := 0; i < n; i++ {
		if !bytes.Equal(back.Column(i), rec.Column(i)) {
			t.Fatalf("writer: line %d column %d (%s): wrote %q, read back %q", rec.LineNumber(), i, names[i], rec.Column(i), back.Column(i))
		}
	}
	if r.Next() || r.Err() != nil {
		t.Fatalf("writer: row of line %d reads back as more than one row: %v", rec.LineNumber(), r.Err())
	}
}

// checkLists iterates every list field: members lie inside the field, and
// AppendListMember inverts ListScanner.
func checkLists(t testing.TB, rec *msgtrk.Record) {
	t.Helper()
	var ls, back msgtrk.ListScanner
	for _, f := range []msgtrk.Field{msgtrk.RecipientAddress, msgtrk.RecipientStatus, msgtrk.Reference, msgtrk.CustomData} {
		v := rec.Field(f)
		ls.Init(v)
		count := 0
		for ls.Next() {
			count++
			if count > len(v)+1 {
				t.Fatalf("list: %v of line %d yields more members than it has bytes", f, rec.LineNumber())
			}
			raw := ls.Raw()
			if !check.Inside(v, raw) || ls.Offset() < 0 || ls.Offset() > len(v) {
				t.Fatalf("list: %v of line %d: member %q at %d is not inside the field", f, rec.LineNumber(), raw, ls.Offset())
			}
			m := ls.Bytes()
			if len(m) > len(raw) {
				t.Fatalf("list: %v of line %d: member %q longer than as written %q", f, rec.LineNumber(), m, raw)
			}
			if ls.Err() != nil {
				continue
			}
			// Written between two other members, m reads back as the
			// middle one. (Alone, an empty member would be an empty
			// field, which has no members.)
			enc := msgtrk.AppendListMember([]byte("x;"), m)
			enc = append(enc, ";y"...)
			back.Init(enc)
			members, middle := 0, false
			for back.Next() {
				if members++; members == 2 {
					middle = bytes.Equal(back.Bytes(), m)
				}
			}
			if members != 3 || !middle || back.Err() != nil {
				t.Fatalf("list: member %q written as %q does not read back", m, enc)
			}
		}
	}
	var rs msgtrk.RecipientScanner
	rs.Init(rec)
	for i := 0; rs.Next(); i++ {
		if rs.Index() != i || len(rs.Address()) > len(line0(rec)) {
			t.Fatalf("list: RecipientScanner index %d at recipient %d", rs.Index(), i)
		}
	}
	if rs.Unpaired() < 0 {
		t.Fatalf("list: Unpaired %d", rs.Unpaired())
	}
}

func line0(rec *msgtrk.Record) []byte { return rec.Line() }

// checkCustomData runs the eventdata decoders on custom-data.
func (rc *rowChecker) checkCustomData(t testing.TB, rec *msgtrk.Record) {
	t.Helper()
	cd := rec.Field(msgtrk.CustomData)
	doubled := bytes.Contains(cd, []byte("''"))
	inside := func(what string, b []byte) {
		if len(b) > 0 && !check.Inside(cd, b) && !doubled {
			t.Fatalf("eventdata: line %d: %s %q is not inside custom-data %q", rec.LineNumber(), what, b, cd)
		}
	}
	errD := rc.data.Decode(cd)
	walkBytes(reflect.ValueOf(rc.data), "Data", func(path string, b []byte) { inside(path, b) })
	checkOffset(t, "eventdata.Decode", errD, len(cd))
	errR := rc.data.DecodeRecord(rec)
	checkFieldError(t, rec, msgtrk.CustomData, "eventdata.DecodeRecord", errR)
	if (errD == nil) != (errR == nil) || !sameSentinel(errD, errR) {
		t.Fatalf("eventdata: line %d: Decode error %v, DecodeRecord error %v", rec.LineNumber(), errD, errR)
	}

	pairs, err := eventdata.AppendPairs(rc.pairs[:0], cd)
	rc.pairs = pairs
	checkOffset(t, "eventdata.AppendPairs", err, len(cd))
	if len(pairs) > eventdata.MaxMembers {
		t.Fatalf("eventdata: %d pairs, MaxMembers %d", len(pairs), eventdata.MaxMembers)
	}
	var g eventdata.GroupScanner
	for _, p := range pairs {
		inside("Key", p.Key)
		inside("Value", p.Value)
		if p.Offset < 0 || p.Offset >= len(cd) {
			t.Fatalf("eventdata: pair offset %d outside custom-data of %d bytes", p.Offset, len(cd))
		}
		g.Init(p.Value)
		for parts := 0; g.Next(); parts++ {
			if parts > len(p.Value) || !check.Inside(p.Value, g.Key()) || !check.Inside(p.Value, g.Value()) || g.Offset() < 0 || g.Offset() > len(p.Value) {
				t.Fatalf("eventdata: group part %q=%q at %d is not inside %q", g.Key(), g.Value(), g.Offset(), p.Value)
			}
		}
		checkOffset(t, "eventdata.GroupScanner", g.Err(), len(p.Value))
		// parsed checks that every byte slice in v, the result of
		// eventdata.ParseX, lies inside the value, and err's offset too.
		parsed := func(x string, v any, err error) {
			walkBytes(reflect.ValueOf(v), x, func(path string, b []byte) {
				if len(b) > 0 && !check.Inside(p.Value, b) {
					t.Fatalf("eventdata: %s.%s not inside the value", x, path)
				}
			})
			checkOffset(t, "eventdata.Parse"+x, err, len(p.Value))
		}
		switch string(p.Key) {
		case "TRA":
			h, err := eventdata.ParseRuleHit(p.Value)
			parsed("RuleHit", h, err)
		case "AMA":
			m, err := eventdata.ParseMalwareResult(p.Value)
			parsed("MalwareResult", m, err)
		}
	}
	// Round trip: the members written back with AppendMember scan to the
	// same pairs.
	rc.buf = rc.buf[:0]
	for i, p := range pairs {
		if i > 0 {
			rc.buf = append(rc.buf, ';')
		}
		rc.buf = eventdata.AppendMember(rc.buf, p)
	}
	again, err := eventdata.AppendPairs(nil, rc.buf)
	if err != nil || len(again) != len(pairs) {
		t.Fatalf("eventdata: %d pairs of %q written as %q read back as %d pairs, error %v", len(pairs), cd, rc.buf, len(again), err)
	}
	for i := range pairs {
		a, b := pairs[i], again[i]
		if a.Tag != b.Tag || !bytes.Equal(a.TagRaw, b.TagRaw) || !bytes.Equal(a.Key, b.Key) || !bytes.Equal(a.Value, b.Value) {
			t.Fatalf("eventdata: pair %d %q:%q=%q written as %q reads back as %q:%q=%q", i, a.TagRaw, a.Key, a.Value, rc.buf, b.TagRaw, b.Key, b.Value)
		}
	}
}

// checkMessageInfo runs the messageinfo decoders on message-info.
func (rc *rowChecker) checkMessageInfo(t testing.TB, rec *msgtrk.Record) {
	t.Helper()
	mi := rec.Field(msgtrk.MessageInfo)
	info := messageinfo.Parse(mi)
	if k := messageinfo.Classify(mi); k != info.Kind {
		t.Fatalf("messageinfo: Classify %v, Parse %v for %q", k, info.Kind, mi)
	}
	if info.Kind == messageinfo.KindAuthCode {
		checkSpan(t, "AuthCode.Detail", info.Auth.Detail, len(mi))
	}
	nodes, lat, err := messageinfo.AppendLatency(rc.nodes[:0], mi)
	rc.nodes = nodes
	checkOffset(t, "messageinfo.AppendLatency", err, len(mi))
	checkNodes(t, mi, nodes, &lat)

	nodes2, lat2, err2 := messageinfo.AppendLatencyRecord(nil, rec)
	checkFieldError(t, rec, msgtrk.MessageInfo, "messageinfo.AppendLatencyRecord", err2)
	if len(nodes2) != len(nodes) || lat2.NumHops() != lat.NumHops() || (err == nil) != (err2 == nil) || !sameSentinel(err, err2) {
		t.Fatalf("messageinfo: line %d: AppendLatency gave %d nodes, %d hops, error %v; AppendLatencyRecord %d nodes, %d hops, error %v",
			rec.LineNumber(), len(nodes), lat.NumHops(), err, len(nodes2), lat2.NumHops(), err2)
	}
	if err != nil || lat.NumHops() == 0 {
		return
	}
	// Round trip: the canonical form parses to the same tree and is a
	// fixed point.
	canon := messageinfo.AppendCanonical(nil, mi, nodes, &lat)
	cn, clat, err := messageinfo.AppendLatency(nil, canon)
	if err != nil {
		t.Fatalf("messageinfo: canonical form %q of %q does not parse: %v", canon, mi, err)
	}
	if len(cn) != len(nodes) || clat.NumHops() != lat.NumHops() {
		t.Fatalf("messageinfo: canonical form %q of %q: %d nodes %d hops, want %d and %d", canon, mi, len(cn), clat.NumHops(), len(nodes), lat.NumHops())
	}
	for i := range nodes {
		a, b := nodes[i], cn[i]
		if !bytes.Equal(a.Name.Bytes(mi), b.Name.Bytes(canon)) || a.Duration != b.Duration || a.Parent != b.Parent || a.Depth != b.Depth || a.Flags != b.Flags {
			t.Fatalf("messageinfo: node %d of %q is %+v, of its canonical form %q %+v", i, mi, a, canon, b)
		}
	}
	if again := messageinfo.AppendCanonical(nil, canon, cn, &clat); !bytes.Equal(again, canon) {
		t.Fatalf("messageinfo: canonical form is not a fixed point: %q → %q", canon, again)
	}
}

func checkNodes(t testing.TB, src []byte, nodes []messageinfo.Node, lat *messageinfo.Latency) {
	t.Helper()
	if len(nodes) > messageinfo.MaxNodes || lat.NumHops() > messageinfo.MaxHops {
		t.Fatalf("messageinfo: %d nodes, %d hops beyond the limits", len(nodes), lat.NumHops())
	}
	checkSpan(t, "Latency.OriginText", lat.OriginText, len(src))
	for i, nd := range nodes {
		for _, sp := range []messageinfo.Span{nd.Name, nd.Code, nd.Agent, nd.Value} {
			checkSpan(t, fmt.Sprintf("node %d", i), sp, len(src))
		}
		if nd.Parent >= int32(i) || nd.Parent < -1 || int(nd.Depth) > messageinfo.MaxDepth {
			t.Fatalf("messageinfo: node %d of %q: parent %d depth %d", i, src, nd.Parent, nd.Depth)
		}
		if nd.Parent >= 0 && nodes[nd.Parent].Depth+1 != nd.Depth {
			t.Fatalf("messageinfo: node %d of %q: depth %d under a parent of depth %d", i, src, nd.Depth, nodes[nd.Parent].Depth)
		}
		if nd.Parent < 0 && nd.Depth != 0 {
			t.Fatalf("messageinfo: root node %d of %q at depth %d", i, src, nd.Depth)
		}
	}
	for i := 0; i < lat.NumHops(); i++ {
		h := lat.Hop(i)
		checkSpan(t, "Hop.Server", h.Server, len(src))
		checkSpan(t, "Hop.RoleText", h.RoleText, len(src))
		if h.First < 0 || h.First > h.End || int(h.End) > len(nodes) || (h.Root >= 0 && (h.Root < h.First || h.Root >= h.End)) {
			t.Fatalf("messageinfo: hop %d of %q: nodes [%d,%d) root %d of %d", i, src, h.First, h.End, h.Root, len(nodes))
		}
	}
}

func checkSpan(t testing.TB, what string, s messageinfo.Span, n int) {
	t.Helper()
	if s.Start < 0 || s.Start > s.End || int(s.End) > n {
		t.Fatalf("messageinfo: %s span [%d,%d) outside an input of %d bytes", what, s.Start, s.End, n)
	}
}

// checkSourceContext runs the sourcecontext decoders on source-context.
func checkSourceContext(t testing.TB, rec *msgtrk.Record) {
	t.Helper()
	sc := rec.Field(msgtrk.SourceContext)
	c, err := sourcecontext.Parse(rec.Field(msgtrk.Source), rec.Field(msgtrk.EventID), sc)
	walkBytes(reflect.ValueOf(c), "Context", func(path string, b []byte) {
		if len(b) > 0 && !check.Inside(sc, b) {
			t.Fatalf("sourcecontext: line %d: %s %q is not inside %q", rec.LineNumber(), path, b, sc)
		}
	})
	checkOffset(t, "sourcecontext.Parse", err, len(sc))
	c2, err2 := sourcecontext.ParseRecord(rec)
	checkFieldError(t, rec, msgtrk.SourceContext, "sourcecontext.ParseRecord", err2)
	if c2.Kind != c.Kind || (err == nil) != (err2 == nil) || !sameSentinel(err, err2) {
		t.Fatalf("sourcecontext: line %d: Parse gave %v, %v; ParseRecord %v, %v", rec.LineNumber(), c.Kind, err, c2.Kind, err2)
	}
}

// checkRecipientStatus runs recipstatus on every recipient-status member,
// directly and through ParseRecord.
func checkRecipientStatus(t testing.TB, rec *msgtrk.Record) {
	t.Helper()
	var ls msgtrk.ListScanner
	rec.List(msgtrk.RecipientStatus, &ls)
	members := 0
	for ls.Next() {
		members++
		m := ls.Bytes()
		st, err := recipstatus.Parse(m)
		walkBytes(reflect.ValueOf(st), "Status", func(path string, b []byte) {
			if len(b) > 0 && !check.Inside(m, b) {
				t.Fatalf("recipstatus: line %d: %s %q is not inside the member %q", rec.LineNumber(), path, b, m)
			}
		})
		checkOffset(t, "recipstatus.Parse", err, len(m))
	}
	var rs msgtrk.RecipientScanner
	rs.Init(rec)
	for n := 0; rs.Next(); n++ {
		if rs.Index() != n {
			t.Fatalf("recipstatus: RecipientScanner index %d at recipient %d", rs.Index(), n)
		}
		if rs.Status() != nil && n >= members {
			t.Fatalf("recipstatus: recipient %d has a status, the field has %d members", n, members)
		}
		_, err := recipstatus.ParseRecord(&rs)
		checkFieldError(t, rec, msgtrk.RecipientStatus, "recipstatus.ParseRecord", err)
	}
}

// checkFieldError checks the position of an error a record-level helper
// returned for field f: a *msgtrk.ParseError on the row's line, inside the
// field's bytes (or just past them), with Offset and Column agreeing.
func checkFieldError(t testing.TB, rec *msgtrk.Record, f msgtrk.Field, who string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var pe *msgtrk.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("%s: error %v is not a *msgtrk.ParseError", who, err)
	}
	_, col := rec.FieldPos(f)
	raw := rec.Raw(f)
	if pe.Line != rec.LineNumber() || pe.Field != f.String() || pe.Column < col || pe.Column > col+len(raw) ||
		pe.Offset != rec.InputOffset()+int64(pe.Column-1) {
		t.Fatalf("%s: error %+v on line %d (row at offset %d): field %v spans columns %d to %d", who, pe, rec.LineNumber(), rec.InputOffset(), f, col, col+len(raw))
	}
}

// checkOffset checks that the Offset field of a decoder's *SyntaxError (any
// package) lies inside the input of n bytes.
func checkOffset(t testing.TB, who string, err error, n int) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		v := reflect.ValueOf(e)
		if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
			if o := v.Elem().FieldByName("Offset"); o.IsValid() && o.CanInt() {
				if off := o.Int(); off < 0 || off > int64(n) {
					t.Fatalf("%s: error offset %d outside an input of %d bytes: %v", who, off, n, err)
				}
				return
			}
		}
	}
}

// sameSentinel reports whether a and b wrap the same innermost error.
func sameSentinel(a, b error) bool {
	return innermost(a) == innermost(b)
}

func innermost(err error) error {
	for err != nil {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
	return nil
}

var bytesType = reflect.TypeOf([]byte(nil))

// walkBytes calls fn for every exported []byte reachable from v through
// structs and arrays.
func walkBytes(v reflect.Value, path string, fn func(path string, b []byte)) {
	switch v.Kind() {
	case reflect.Slice:
		if v.Type() == bytesType {
			fn(path, v.Bytes())
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walkBytes(v.Index(i), fmt.Sprintf("%s[%d]", path, i), fn)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				walkBytes(v.Field(i), path+"."+v.Type().Field(i).Name, fn)
			}
		}
	}
}
