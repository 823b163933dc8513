package fuzz

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/eventdata"
	"github.com/mailtrace/mailtrace/internal/fuzzgen"
	"github.com/mailtrace/mailtrace/messageinfo"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// The adversarial suite: one named subtest per trap. Each asserts a clear
// error with its position, or a documented lenient result, and that the
// good lines before and after the bad one are still read.

// repeatReader streams n bytes made of block repeated, without ever
// holding more than block: it copies the block into the caller's buffer,
// which runs at memory speed.
type repeatReader struct {
	block []byte
	off   int
	left  int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && r.left > 0 {
		m := len(p) - n
		if int64(m) > r.left {
			m = int(r.left)
		}
		k := copy(p[n:n+m], r.block[r.off:])
		r.off = (r.off + k) % len(r.block)
		n += k
		r.left -= int64(k)
	}
	return n, nil
}

// heapDelta runs fn and returns how much the bytes allocated (TotalAlloc)
// and the heap in use after a GC (HeapInuse, with whatever fn's result
// keeps alive) grew.
func heapDelta(fn func()) (allocated, inUse int64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc), int64(after.HeapInuse) - int64(before.HeapInuse)
}

// readResult is what readAll saw.
type readResult struct {
	rows  []string // the lines of the rows returned
	errs  []*msgtrk.ParseError
	stats msgtrk.Stats
}

// readAll reads r to its end, collecting row lines and errors.
func readAll(t *testing.T, r *msgtrk.Reader) readResult {
	t.Helper()
	var res readResult
	r.ErrorHandler = func(e *msgtrk.ParseError) { res.errs = append(res.errs, e) }
	for r.Next() {
		res.rows = append(res.rows, string(r.Record().Line()))
	}
	if err := r.Err(); err != nil {
		t.Fatalf("Err() = %v with an ErrorHandler set", err)
	}
	res.stats = r.Stats()
	if s := res.stats; s.Lines != s.Records+s.Directives+s.Blank+s.Errors {
		t.Fatalf("lines not accounted for: %+v", s)
	}
	return res
}

// wantErr checks that e wraps sentinel at line:col.
func wantErr(t *testing.T, e *msgtrk.ParseError, sentinel error, line int64, col int) {
	t.Helper()
	if !errors.Is(e, sentinel) || e.Line != line || e.Column != col {
		t.Errorf("error %v (line %d, column %d), want %v at %d:%d", e, e.Line, e.Column, sentinel, line, col)
	}
}

// smallHeader is a three-column header; rowA and rowB are rows of it.
const (
	smallHeader = "#Fields: date-time,event-id,message-id\r\n"
	rowA        = "2024-05-06T08:00:00.000Z,RECEIVE,<a@x>"
	rowB        = "2024-05-06T08:00:01.000Z,SEND,<b@x>"
)

func TestAdversarial(t *testing.T) {
	t.Run("line of 1 GB streamed", func(t *testing.T) {
		// A header, a good row, one line of 1 GiB, a good row. The long
		// line is reported and skipped without being held: the
		// Reader's buffer stops growing at MaxLineBytes+1.
		const size = 1 << 30
		head := smallHeader + rowA + "\r\n"
		src := io.MultiReader(strings.NewReader(head),
			&repeatReader{block: bytes.Repeat([]byte("x,"), 1<<19), left: size},
			strings.NewReader("\r\n"+rowB+"\r\n"))
		var res readResult
		allocated, inUse := heapDelta(func() {
			res = readAll(t, msgtrk.NewReader(src))
		})
		if d := cmp.Diff([]string{rowA, rowB}, res.rows); d != "" {
			t.Errorf("rows mismatch (-want +got):\n%s", d)
		}
		if len(res.errs) != 1 {
			t.Fatalf("errors %v, want one", res.errs)
		}
		wantErr(t, res.errs[0], msgtrk.ErrLineTooLong, 3, msgtrk.DefaultMaxLineBytes+1)
		if want := int64(len(head) + msgtrk.DefaultMaxLineBytes); res.errs[0].Offset != want {
			t.Errorf("error offset %d, want %d", res.errs[0].Offset, want)
		}
		if want := int64(len(head) + size + 2 + len(rowB) + 2); res.stats.Bytes != want {
			t.Errorf("consumed %d bytes, want %d", res.stats.Bytes, want)
		}
		const ceiling = 64 << 20
		if allocated > ceiling || inUse > ceiling {
			t.Errorf("reading a 1 GiB line allocated %d MiB and holds %d MiB, ceiling %d MiB", allocated>>20, inUse>>20, ceiling>>20)
		}
		t.Logf("1 GiB line: %d MiB allocated, %+d MiB in use after", allocated>>20, inUse>>20)
	})

	t.Run("unterminated quote at the start of a large file", func(t *testing.T) {
		// A CSV reader that lets quoted fields span lines would swallow
		// the file into the first field; rows never span lines here.
		const n = 100000
		var b bytes.Buffer
		b.WriteString(smallHeader)
		b.WriteString(`"` + rowA + "\r\n")
		for i := 0; i < n; i++ {
			b.WriteString(rowB + "\r\n")
		}
		res := readAll(t, msgtrk.NewReader(&b))
		if len(res.rows) != n || len(res.errs) != 1 {
			t.Fatalf("%d rows and errors %v, want %d rows and one error", len(res.rows), res.errs, n)
		}
		wantErr(t, res.errs[0], msgtrk.ErrQuote, 2, 1)
		if res.errs[0].Field != "date-time" {
			t.Errorf("error field %q, want date-time", res.errs[0].Field)
		}
	})

	t.Run("NUL bytes", func(t *testing.T) {
		in := smallHeader + rowA + "\r\n" + rowA[:10] + "\x00" + rowA[10:] + "\r\n" +
			strings.Repeat("\x00", 4096) + "\r\n" + rowB + "\r\n" + strings.Repeat("\x00", 4096)
		res := readAll(t, msgtrk.NewReader(strings.NewReader(in)))
		if d := cmp.Diff([]string{rowA, rowB}, res.rows); d != "" {
			t.Errorf("rows mismatch (-want +got):\n%s", d)
		}
		if len(res.errs) != 3 {
			t.Fatalf("errors %v, want three", res.errs)
		}
		wantErr(t, res.errs[0], msgtrk.ErrNUL, 3, 11)
		wantErr(t, res.errs[1], msgtrk.ErrNUL, 4, 1)
		// A pre-allocated tail of NULs without line ending is what a
		// file still being written looks like: truncated.
		wantErr(t, res.errs[2], msgtrk.ErrTruncated, 6, 4097)
	})

	t.Run("invalid UTF-8", func(t *testing.T) {
		// A row re-encoded in Windows-1252 ("Grüße"), then good rows.
		bad := "2024-05-06T08:00:00.500Z,SEND,<Gr\xfc\xdfe@x>"
		in := smallHeader + rowA + "\r\n" + bad + "\r\n" + rowB + "\r\n"
		res := readAll(t, msgtrk.NewReader(strings.NewReader(in)))
		if d := cmp.Diff([]string{rowA, rowB}, res.rows); d != "" {
			t.Errorf("rows mismatch (-want +got):\n%s", d)
		}
		if len(res.errs) != 1 {
			t.Fatalf("errors %v, want one", res.errs)
		}
		wantErr(t, res.errs[0], msgtrk.ErrInvalidUTF8, 3, strings.IndexByte(bad, 0xfc)+1)
		// UTF8Accept reads the row as it is.
		r := msgtrk.NewReader(strings.NewReader(in))
		r.InvalidUTF8 = msgtrk.UTF8Accept
		res = readAll(t, r)
		if d := cmp.Diff([]string{rowA, bad, rowB}, res.rows); d != "" || len(res.errs) != 0 {
			t.Errorf("UTF8Accept: errors %v, rows mismatch (-want +got):\n%s", res.errs, d)
		}
	})

	t.Run("byte order mark in the middle", func(t *testing.T) {
		// At the start of a line (the junction of two concatenated files)
		// the mark is dropped, before a row as before a directive; inside
		// a value it is a character like any other.
		mid := "2024-05-06T08:00:00.500Z,SEND,<\uFEFF@x>"
		in := "\uFEFF" + smallHeader + rowA + "\r\n\uFEFF" + rowB + "\r\n\uFEFF" + smallHeader + mid + "\r\n\uFEFF\r\n"
		res := readAll(t, msgtrk.NewReader(strings.NewReader(in)))
		if d := cmp.Diff([]string{rowA, rowB, mid}, res.rows); d != "" || len(res.errs) != 0 {
			t.Errorf("errors %v, rows mismatch (-want +got):\n%s", res.errs, d)
		}
		if s := res.stats; s.Directives != 2 || s.Blank != 1 {
			t.Errorf("stats %+v, want 2 directives and 1 blank line", s)
		}
	})

	t.Run("header changes mid-file", func(t *testing.T) {
		in := smallHeader + rowA + "\r\n#Fields: message-id,event-id\r\n<c@x>,DELIVER\r\n" + rowB + "\r\n<d@x>,FAIL\r\n"
		r := msgtrk.NewReader(strings.NewReader(in))
		var got []string
		r.ErrorHandler = func(e *msgtrk.ParseError) {
			got = append(got, fmt.Sprintf("error %d:%d %s", e.Line, e.Column, sentinelName(e.Err)))
		}
		for r.Next() {
			rec := r.Record()
			got = append(got, string(rec.Field(msgtrk.MessageID))+" "+string(rec.Field(msgtrk.EventID))+" "+strconv.Itoa(rec.NumColumns()))
		}
		want := []string{"<a@x> RECEIVE 3", "<c@x> DELIVER 2",
			"error 5:1 " + msgtrk.ErrFieldCount.Error(), "<d@x> FAIL 2"}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("rows mismatch (-want +got):\n%s", d)
		}
	})

	t.Run("truncated last line", func(t *testing.T) {
		for _, tail := range []string{rowB[:17], `2024-05-06T08:00:01.000Z,SEND,"<b@`, "\r"} {
			in := smallHeader + rowA + "\r\n" + tail
			res := readAll(t, msgtrk.NewReader(strings.NewReader(in)))
			if d := cmp.Diff([]string{rowA}, res.rows); d != "" || len(res.errs) != 1 {
				t.Fatalf("tail %q: errors %v, rows mismatch (-want +got):\n%s", tail, res.errs, d)
			}
			wantErr(t, res.errs[0], msgtrk.ErrTruncated, 3, len(tail)+1)
			if e := res.errs[0]; e.Offset != int64(len(in)) {
				t.Errorf("tail %q: offset %d, want the end of the input %d", tail, e.Offset, len(in))
			}
		}
	})

	t.Run("empty files", func(t *testing.T) {
		for in, want := range map[string]msgtrk.Stats{
			"":               {},
			"\uFEFF":         {Bytes: 3},
			"\r\n":           {Lines: 1, Blank: 1, Bytes: 2},
			"\n\n\n":         {Lines: 3, Blank: 3, Bytes: 3},
			"\uFEFF\r\n\r\n": {Lines: 2, Blank: 2, Bytes: 7},
		} {
			for _, r := range []*msgtrk.Reader{msgtrk.NewReader(strings.NewReader(in)), msgtrk.NewReaderBytes([]byte(in))} {
				res := readAll(t, r)
				if len(res.rows) != 0 || len(res.errs) != 0 || res.stats != want {
					t.Errorf("%q: rows %q, errors %v, stats %+v, want %+v", in, res.rows, res.errs, res.stats, want)
				}
			}
		}
	})

	t.Run("only headers", func(t *testing.T) {
		in := hdr2016 + "\r\n" + hdr2016
		r := msgtrk.NewReader(strings.NewReader(in))
		res := readAll(t, r)
		if len(res.rows) != 0 || len(res.errs) != 0 || res.stats.Directives != 8 || res.stats.Blank != 1 {
			t.Errorf("rows %q, errors %v, stats %+v", res.rows, res.errs, res.stats)
		}
		if h := r.Header(); len(h.Fields) != 30 || h.Version != "15.01.2507.039" || h.Product() != "Exchange 2016" {
			t.Errorf("header %+v", h)
		}
	})

	t.Run("a header of 100000 columns", func(t *testing.T) {
		// Refused with ErrTooManyFields; the columns in force stay.
		wide := "#Fields: " + strings.Repeat("c,", 99999) + "c\r\n"
		in := smallHeader + wide + rowA + "\r\n"
		res := readAll(t, msgtrk.NewReader(strings.NewReader(in)))
		if d := cmp.Diff([]string{rowA}, res.rows); d != "" || len(res.errs) != 1 {
			t.Fatalf("errors %v, rows mismatch (-want +got):\n%s", res.errs, d)
		}
		wantErr(t, res.errs[0], msgtrk.ErrTooManyFields, 2, 1)
	})

	t.Run("row of a million recipients", func(t *testing.T) {
		const n = 1000000
		field, _ := fuzzgen.RecipientList(n)
		row := "2024-05-06T08:00:00.000Z,SEND,<m@x>,0b7099ea-cb95-1234-328e-08dc5f139ac8," + string(field)
		head := "#Fields: date-time,event-id,message-id,network-message-id,recipient-address\r\n"
		in := []byte(head + row + "\r\n" + "2024-05-06T08:00:01.000Z,SEND,<m@x>,0b7099ea-cb95-1234-328e-08dc5f139ac8,a@x\r\n")
		if len(row) <= msgtrk.DefaultMaxLineBytes {
			t.Fatalf("the row is %d bytes, not over the default limit", len(row))
		}

		// By default the row is too long: reported and skipped, the next
		// row read.
		res := readAll(t, msgtrk.NewReaderBytes(in))
		if len(res.rows) != 1 || len(res.errs) != 1 {
			t.Fatalf("default limit: %d rows, errors %v", len(res.rows), res.errs)
		}
		wantErr(t, res.errs[0], msgtrk.ErrLineTooLong, 2, msgtrk.DefaultMaxLineBytes+1)

		// With the limit raised, it is a row of a million recipients.
		r := msgtrk.NewReaderBytes(in)
		r.MaxLineBytes = 64 << 20
		if !r.Next() {
			t.Fatalf("raised limit: no row: %v", r.Err())
		}
		rec := r.Record()
		var rs msgtrk.RecipientScanner
		count := 0
		scan := func() {
			rs.Init(rec)
			for count = 0; rs.Next(); count++ {
			}
		}
		scan()
		if count != n || rs.Err() != nil {
			t.Fatalf("%d recipients, error %v", count, rs.Err())
		}
		if a := testing.AllocsPerRun(2, scan); a != 0 {
			t.Errorf("scanning a million recipients allocates %v times", a)
		}

		// The correlator takes it as one event: MaxEventsPerTrace counts
		// rows, not recipients, so the trace holds a million recipients.
		// Its cost is linear in the row; the ceilings below pin it.
		if testing.Short() {
			t.Skip("correlating a million recipients takes seconds")
		}
		var traces []*correlate.Trace
		tk, _ := correlate.New(correlate.Options{OnTrace: func(tc *correlate.Trace) { traces = append(traces, tc) }, MaxEventsPerTrace: 1})
		start := time.Now()
		allocated, inUse := heapDelta(func() {
			tk.Add(rec)
			for r.Next() {
				tk.Add(r.Record())
			}
			tk.Flush()
		})
		took := time.Since(start)
		if len(traces) != 1 || len(traces[0].Recipients) != n || traces[0].Events != 1 {
			t.Fatalf("%d traces, the first with %d recipients and %d events", len(traces), len(traces[0].Recipients), traces[0].Events)
		}
		if s := tk.Stats(); s.Dropped != 1 || !traces[0].HasAnomaly(correlate.AnomalyTruncated) {
			t.Errorf("the second row should be dropped and noted: stats %+v, anomalies %q", s, traces[0].Anomalies)
		}
		perAlloc, perHeld := allocated/n, inUse/n
		t.Logf("correlating a million recipients: %v, %d B allocated and %d B held per recipient", took, perAlloc, perHeld)
		if perAlloc > 4096 || perHeld > 512 {
			t.Errorf("%d B allocated and %d B held per recipient, ceilings 4096 and 512", perAlloc, perHeld)
		}
		runtime.KeepAlive(traces)
		runtime.KeepAlive(in)
	})

	t.Run("latency tree nested 10^4 deep", func(t *testing.T) {
		const depth = 10000
		prefix := "2024-01-07T00:00:05.535Z;LSRV=ex.example.com:TOTAL-HUB=1.000("
		mi := prefix + strings.Repeat("A=0.001(", depth-1) + "A=0.001" + strings.Repeat(")", depth)
		nodes, lat, err := messageinfo.AppendLatency(nil, []byte(mi))
		var se *messageinfo.SyntaxError
		if !errors.Is(err, messageinfo.ErrTooDeep) || !errors.As(err, &se) {
			t.Fatalf("error %v, want ErrTooDeep", err)
		}
		// The record at depth MaxDepth+1 is where it stops: the TOTAL
		// record is depth 0, the k-th "A=" depth k.
		if want := len(prefix) + messageinfo.MaxDepth*len("A=0.001("); se.Offset != want {
			t.Errorf("error at offset %d, want %d", se.Offset, want)
		}
		if len(nodes) != messageinfo.MaxDepth+1 {
			t.Errorf("%d nodes before the error, want the %d levels allowed", len(nodes), messageinfo.MaxDepth+1)
		}
		checkNodes(t, []byte(mi), nodes, &lat)

		// Through a row: a positioned error, the rows around still read.
		in := "#Fields: date-time,message-info\r\n" + rowA[:24] + ",\r\n" + rowA[:24] + "," + mi + "\r\n" + rowB[:24] + ",\r\n"
		r := msgtrk.NewReader(strings.NewReader(in))
		n := 0
		for r.Next() {
			n++
			_, _, err := messageinfo.AppendLatencyRecord(nil, r.Record())
			if n == 2 {
				var pe *msgtrk.ParseError
				if !errors.As(err, &pe) || !errors.Is(err, messageinfo.ErrTooDeep) || pe.Line != 3 || pe.Column != 26+se.Offset {
					t.Errorf("row error %v, want ErrTooDeep at 3:%d", err, 26+se.Offset)
				}
			}
		}
		if n != 3 || r.Err() != nil {
			t.Errorf("%d rows, error %v", n, r.Err())
		}
	})

	t.Run("custom-data of 10^5 members", func(t *testing.T) {
		const n = 100000
		var b bytes.Buffer
		offsets := make([]int, n)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(';')
			}
			offsets[i] = b.Len()
			b.WriteString("S:K" + strconv.Itoa(i) + "=v")
		}
		cd := b.Bytes()
		// Documented: scanning stops after MaxMembers members with
		// ErrTooManyMembers at the member past the limit, in every mode.
		pairs, err := eventdata.AppendPairs(nil, cd)
		var se *eventdata.SyntaxError
		if len(pairs) != eventdata.MaxMembers || !errors.Is(err, eventdata.ErrTooManyMembers) || !errors.As(err, &se) {
			t.Fatalf("%d pairs, error %v; want %d and ErrTooManyMembers", len(pairs), err, eventdata.MaxMembers)
		}
		if se.Offset != offsets[eventdata.MaxMembers] {
			t.Errorf("error at offset %d, want %d (member %d)", se.Offset, offsets[eventdata.MaxMembers], eventdata.MaxMembers)
		}
		if last := pairs[len(pairs)-1]; string(last.Key) != "K"+strconv.Itoa(eventdata.MaxMembers-1) {
			t.Errorf("last pair %q", last.Key)
		}
		var d eventdata.Data
		if err := d.Decode(cd); !errors.Is(err, eventdata.ErrTooManyMembers) || d.Members != eventdata.MaxMembers {
			t.Errorf("Decode: error %v, %d members", err, d.Members)
		}
		strict, err := eventdata.AppendPairsStrict(nil, cd)
		if len(strict) != eventdata.MaxMembers || !errors.Is(err, eventdata.ErrTooManyMembers) {
			t.Errorf("strict: %d pairs, error %v", len(strict), err)
		}
	})

	t.Run("recipient list of 10^5 members with apostrophe quoting", func(t *testing.T) {
		const n = 100000
		field, members := fuzzgen.RecipientList(n)
		statuses := make([]string, n)
		for i := range statuses {
			statuses[i] = "250 2.1.5 Recipient OK"
			if i%17 == 0 {
				statuses[i] = "550 5.1.1 'bad';unknown" // needs quoting
			}
		}
		var sf []byte
		for i, s := range statuses {
			if i > 0 {
				sf = append(sf, ';')
			}
			sf = msgtrk.AppendListMember(sf, []byte(s))
		}
		in := "#Fields: recipient-address,recipient-status\r\n" + rowA[:24] + ",\r\n" +
			string(msgtrk.AppendRow(nil, []string{string(field), string(sf)})) + "\r\n" + rowB[:24] + ",\r\n"
		r := msgtrk.NewReader(strings.NewReader(in))
		var rs msgtrk.RecipientScanner
		rows := 0
		for r.Next() {
			rows++
			if rows != 2 {
				continue
			}
			rs.Init(r.Record())
			i := 0
			for ; rs.Next(); i++ {
				if i < n && (string(rs.Address()) != members[i] || string(rs.Status()) != statuses[i]) {
					t.Fatalf("recipient %d: %q %q, want %q %q", i, rs.Address(), rs.Status(), members[i], statuses[i])
				}
			}
			if i != n || rs.Err() != nil || rs.Unpaired() != 0 {
				t.Errorf("%d recipients, error %v, %d unpaired", i, rs.Err(), rs.Unpaired())
			}
		}
		if rows != 3 || r.Err() != nil {
			t.Errorf("%d rows, error %v", rows, r.Err())
		}

		// A quote left open in the middle: the members before it are
		// intact, then the scan stops with ErrListQuote.
		const at = 50001 // a plain member
		broken := string(field[:bytes.Index(field, []byte(";"+members[at]))+1]) + "'" + members[at] + ";x'y;z@x"
		var ls msgtrk.ListScanner
		ls.Init([]byte(broken))
		i := 0
		for ; ls.Next(); i++ {
			if i < at && string(ls.Bytes()) != members[i] {
				t.Fatalf("member %d: %q, want %q", i, ls.Bytes(), members[i])
			}
		}
		if !errors.Is(ls.Err(), msgtrk.ErrListQuote) || i != at+1 {
			t.Errorf("%d members, error %v; want %d and ErrListQuote", i, ls.Err(), at+1)
		}
	})

	t.Run("concatenated files of two versions", func(t *testing.T) {
		file := func(l msgtrk.Layout, mid string) []byte {
			var b bytes.Buffer
			w := msgtrk.NewWriter(&b)
			w.WriteHeader(msgtrk.Header{Version: map[msgtrk.Layout]string{msgtrk.Layout2013: "15.00.1497.002", msgtrk.Layout2016: "15.01.2507.039"}[l], Fields: l.FieldNames()})
			for i := 0; i < 3; i++ {
				var e msgtrk.Event
				e.Set(msgtrk.DateTime, "2024-05-06T08:00:0"+strconv.Itoa(i)+".000Z")
				e.Set(msgtrk.MessageID, mid+strconv.Itoa(i))
				e.Set(msgtrk.MessageSubject, `a, "quoted" subject`)
				if err := w.WriteEvent(&e); err != nil {
					t.Fatal(err)
				}
			}
			w.Flush()
			return b.Bytes()
		}
		in := append(file(msgtrk.Layout2013, "<old"), file(msgtrk.Layout2016, "<new")...)
		r := msgtrk.NewReaderBytes(in)
		var got []string
		for r.Next() {
			rec := r.Record()
			h := r.Header()
			got = append(got, rec.Layout().String()+" "+string(rec.Field(msgtrk.MessageID))+" "+h.Product())
		}
		want := []string{"2013 <old0 Exchange 2013", "2013 <old1 Exchange 2013", "2013 <old2 Exchange 2013",
			"2016 <new0 Exchange 2016", "2016 <new1 Exchange 2016", "2016 <new2 Exchange 2016"}
		if d := cmp.Diff(want, got); d != "" || r.Err() != nil {
			t.Errorf("error %v, rows mismatch (-want +got):\n%s", r.Err(), d)
		}
	})
}

// TestFoundBugs keeps, as regression tests, the bugs of other packages
// that this package's fuzzers and adversarial tests found (each fixed by
// its package's owner): the input, minimised, and the documented behaviour.
func TestFoundBugs(t *testing.T) {
	t.Run("CRLF line of exactly MaxLineBytes", func(t *testing.T) {
		// msgtrk: the limit excludes the line ending (was: ErrLineTooLong).
		const row = "abcdefghij,klmnopqrst,uv"
		in := "#Fields: a,b,c\r\n" + row + "\r\n"
		for _, r := range []*msgtrk.Reader{msgtrk.NewReader(strings.NewReader(in)), msgtrk.NewReaderBytes([]byte(in))} {
			r.MaxLineBytes = len(row)
			res := readAll(t, r)
			if len(res.errs) != 0 || len(res.rows) != 1 {
				t.Errorf("a %d-byte line with MaxLineBytes %d: rows %q, errors %v", len(row), len(row), res.rows, res.errs)
			}
		}
	})

	t.Run("WriteRecord escapes backslashes of a quoted first column", func(t *testing.T) {
		// msgtrk: a first column quoted because it starts with '#' went
		// through AppendField, which doubled a backslash before r, n or \\.
		in := "#Fields: a,b\r\n\"#C:\\new\",x\r\n"
		r := msgtrk.NewReaderBytes([]byte(in))
		if !r.Next() {
			t.Fatal(r.Err())
		}
		var buf bytes.Buffer
		w := msgtrk.NewWriter(&buf)
		w.WriteHeader(msgtrk.Header{Fields: []string{"a", "b"}})
		w.WriteRecord(r.Record())
		w.Flush()
		back := msgtrk.NewReaderBytes(buf.Bytes())
		if !back.Next() || string(back.Record().Column(0)) != `#C:\new` {
			t.Errorf("wrote %q, read back %q", r.Record().Column(0), back.Record().Column(0))
		}
	})

	t.Run("hop handed the message by itself", func(t *testing.T) {
		// correlate: a SEND without client-hostname (logging server taken
		// from server-hostname: it sends to itself) made its hop name
		// itself in From, with no loop anomaly.
		// Minimised by line and by field from a FuzzPipeline input.
		in := "#Fields: client-hostname,server-hostname,event-id,internal-message-id,network-message-id\r\n" +
			"EX1.contoso.com,,,\", 0.125\",2f667420-4578-6368-616e-676520536572\r\n" +
			",EX1.contoso.com,SEND,f4adaa08-ff49-4bca-ba70-68e9b80597b0I32:,2f667420-4578-6368-616e-676520536572\r\n" +
			"EX2,EX1.contoso.com,SEND,,2f667420-4578-6368-616e-676520536572\r\n"
		var traces []*correlate.Trace
		tk, _ := correlate.New(correlate.Options{OnTrace: func(tc *correlate.Trace) { traces = append(traces, tc) }})
		r := msgtrk.NewReaderBytes([]byte(in))
		for r.Next() {
			tk.Add(r.Record())
		}
		tk.Flush()
		for _, tc := range traces {
			loop := tc.HasAnomaly(correlate.AnomalyLoop)
			for i, h := range tc.Hops {
				for _, f := range h.From {
					if f == i && !loop {
						t.Errorf("hop %d (%s %v) names itself in From %v; anomalies %q", i, h.Server, h.Role, h.From, tc.Anomalies)
					}
				}
			}
		}
	})

	t.Run("directive flood", func(t *testing.T) {
		// msgtrk: Header.Other kept every unknown '#' line of a block.
		const lines = 2000000
		line := []byte("#comment line of a hostile file\r\n")
		var r *msgtrk.Reader
		var res readResult
		_, inUse := heapDelta(func() {
			r = msgtrk.NewReader(&repeatReader{block: bytes.Repeat(line, 1000), left: int64(len(line)) * lines})
			res = readAll(t, r)
		})
		if res.stats.Directives != lines || len(res.errs) != 0 {
			t.Errorf("stats %+v, errors %v; want %d directives", res.stats, res.errs, lines)
		}
		if h := r.Header(); len(h.Other) > msgtrk.MaxOtherDirectives {
			t.Errorf("Header.Other holds %d lines, MaxOtherDirectives %d", len(h.Other), msgtrk.MaxOtherDirectives)
		}
		if inUse > 16<<20 {
			t.Errorf("%d MiB of directives hold %d MiB after reading", len(line)*lines>>20, inUse>>20)
		}
		runtime.KeepAlive(r)
	})

	t.Run("correlator interns every host name", func(t *testing.T) {
		// correlate: the Tracker kept every host name ever seen, whatever
		// MaxOpenTraces.
		const n = 200000
		tk, _ := correlate.New(correlate.Options{OnTrace: func(*correlate.Trace) {}, MaxOpenTraces: 16, RecentKeys: 16})
		var b []byte
		b = append(b, "#Fields: date-time,client-hostname,server-hostname,source,event-id,network-message-id\r\n"...)
		for i := 0; i < n; i++ {
			b = append(b, "2024-05-06T08:00:00.000Z,host"...)
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, ".example.org,EX1,SMTP,RECEIVE,00000000-0000-0000-0000-"...)
			b = append(b, []byte(strconv.FormatInt(int64(i)+1e11, 10)+"0")...)
			b = append(b, "\r\n"...)
		}
		_, inUse := heapDelta(func() {
			r := msgtrk.NewReaderBytes(b)
			for r.Next() {
				tk.Add(r.Record())
			}
			tk.Flush()
		})
		if inUse > 4<<20 {
			t.Errorf("after %d messages from distinct hosts, with at most 16 open, the Tracker holds %d MiB", n, inUse>>20)
		}
		runtime.KeepAlive(tk)
		runtime.KeepAlive(b)
	})
}
