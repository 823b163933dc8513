package msgtrk_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/msgtrk"
)

const hdr3 = "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2375.007\r\n#Log-type: Message Tracking Log\r\n#Date: 2022-09-19T15:02:29.339Z\r\n#Fields: date-time,message-id,message-subject\r\n"

// readAll reads every row of in as its column values (CSV-unquoted), and
// returns the errors reported.
func readAll(t *testing.T, r *msgtrk.Reader) ([][]string, []*msgtrk.ParseError) {
	t.Helper()
	var errs []*msgtrk.ParseError
	r.ErrorHandler = func(e *msgtrk.ParseError) { errs = append(errs, e) }
	var rows [][]string
	for r.Next() {
		rec := r.Record()
		var row []string
		for i := 0; i < rec.NumColumns(); i++ {
			row = append(row, string(rec.Column(i)))
		}
		rows = append(rows, row)
	}
	if err := r.Err(); err != nil {
		t.Fatalf("Err() = %v", err)
	}
	st := r.Stats()
	if st.Lines != st.Records+st.Directives+st.Blank+st.Errors {
		t.Errorf("Stats %+v: lines != records+directives+blank+errors", st)
	}
	if int(st.Errors) != len(errs) {
		t.Errorf("Stats.Errors = %d, handler saw %d", st.Errors, len(errs))
	}
	return rows, errs
}

func TestReaderRows(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want [][]string
	}{
		{"crlf", hdr3 + "2022-09-19T15:02:29.339Z,<a@b>,hello\r\n", [][]string{{"2022-09-19T15:02:29.339Z", "<a@b>", "hello"}}},
		{"lf", strings.ReplaceAll(hdr3, "\r\n", "\n") + "2022-09-19T15:02:29.339Z,<a@b>,hello\n", [][]string{{"2022-09-19T15:02:29.339Z", "<a@b>", "hello"}}},
		{"bom", "\uFEFF" + hdr3 + "t,<a@b>,x\r\n", [][]string{{"t", "<a@b>", "x"}}},
		{"empty fields", hdr3 + ",,\r\n", [][]string{{"", "", ""}}},
		{"quoted comma", hdr3 + `t,<a@b>,"a, b"` + "\r\n", [][]string{{"t", "<a@b>", "a, b"}}},
		{"doubled quotes", hdr3 + `t,<a@b>,"say ""hi"", ok"` + "\r\n", [][]string{{"t", "<a@b>", `say "hi", ok`}}},
		{"quoted first and empty", hdr3 + `"t,1",,""` + "\r\n", [][]string{{"t,1", "", ""}}},
		{"non-ASCII", hdr3 + "t,<a@b>,Заседание + Материалы\r\n", [][]string{{"t", "<a@b>", "Заседание + Материалы"}}},
		{"blank lines skipped", hdr3 + "\r\nt,m,s\r\n\r\n", [][]string{{"t", "m", "s"}}},
		{"two rows", hdr3 + "t1,m1,s1\r\nt2,m2,s2\r\n", [][]string{{"t1", "m1", "s1"}, {"t2", "m2", "s2"}}},
		{"header changes mid-stream", hdr3 + "t1,m1,s1\r\n#Software: Microsoft Exchange Server\r\n#Fields: date-time,event-id\r\nt2,SEND\r\n", [][]string{{"t1", "m1", "s1"}, {"t2", "SEND"}}},
		{"bom mid-stream", hdr3 + "t1,m1,s1\r\n\uFEFF#Fields: date-time,event-id\r\nt2,SEND\r\n", [][]string{{"t1", "m1", "s1"}, {"t2", "SEND"}}},
		{"long line grows buffer", hdr3 + "t," + strings.Repeat("m", 200000) + ",s\r\n", [][]string{{"t", strings.Repeat("m", 200000), "s"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, mode := range []string{"stream", "bytes", "one-byte"} {
				var r *msgtrk.Reader
				switch mode {
				case "stream":
					r = msgtrk.NewReader(strings.NewReader(tt.in))
				case "bytes":
					r = msgtrk.NewReaderBytes([]byte(tt.in))
				case "one-byte":
					r = msgtrk.NewReader(iotest.OneByteReader(strings.NewReader(tt.in)))
				}
				got, errs := readAll(t, r)
				if len(errs) > 0 {
					t.Errorf("%s: unexpected errors %v", mode, errs)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%s: rows of %q mismatch (-want +got):\n%s", mode, tt.in, diff)
				}
			}
		})
	}
}

type wantErr struct {
	Line   int64
	Column int
	Err    error
}

func TestReaderBadLines(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		max      int
		wantRows []string // message-id of the rows returned
		wantErrs []wantErr
	}{
		{"field count", hdr3 + "t,m1,s\r\nt,m2\r\nt,m3,s\r\n", 0, []string{"m1", "m3"}, []wantErr{{7, 1, msgtrk.ErrFieldCount}}},
		{"too many fields", hdr3 + "t,m1,s\r\n" + strings.Repeat(",", 300) + "\r\nt,m3,s\r\n", 0, []string{"m1", "m3"}, []wantErr{{7, 1, msgtrk.ErrTooManyFields}}},
		{"bare quote", hdr3 + "t,m1,s\r\nt,m\"2,s\r\nt,m3,s\r\n", 0, []string{"m1", "m3"}, []wantErr{{7, 4, msgtrk.ErrBareQuote}}},
		{"quote then text", hdr3 + "t,\"m2\"x,s\r\nt,m3,s\r\n", 0, []string{"m3"}, []wantErr{{6, 7, msgtrk.ErrQuote}}},
		{"unterminated quote resyncs at next line", hdr3 + "\"t,m1,s\r\nt,m2,s\r\nt,m3,s\r\n", 0, []string{"m2", "m3"}, []wantErr{{6, 1, msgtrk.ErrQuote}}},
		{"NUL", hdr3 + "t,m\x001,s\r\nt,m2,s\r\n", 0, []string{"m2"}, []wantErr{{6, 4, msgtrk.ErrNUL}}},
		{"invalid UTF-8", hdr3 + "t,m1,s\xff\xfe\r\nt,m2,s\r\n", 0, []string{"m2"}, []wantErr{{6, 7, msgtrk.ErrInvalidUTF8}}},
		{"truncated last line", hdr3 + "t,m1,s\r\nt,m2,s", 0, []string{"m1"}, []wantErr{{7, 7, msgtrk.ErrTruncated}}},
		{"row before header", "t,m0,s\r\n" + hdr3 + "t,m1,s\r\n", 0, []string{"m1"}, []wantErr{{1, 1, msgtrk.ErrNoFields}}},
		{"line too long", hdr3 + "t,m1,s\r\nt," + strings.Repeat("x", 5000) + ",s\r\nt,m3,s\r\n", 1000, []string{"m1", "m3"}, []wantErr{{7, 1001, msgtrk.ErrLineTooLong}}},
		{"last line too long", hdr3 + "t,m1,s\r\nt," + strings.Repeat("x", 5000), 1000, []string{"m1"}, []wantErr{{7, 1001, msgtrk.ErrLineTooLong}}},
		{"bad date directive", "#Date: yesterday\r\n#Fields: date-time,message-id,message-subject\r\nt,m1,s\r\n", 0, []string{"m1"}, []wantErr{{1, 1, msgtrk.ErrHeader}}},
		{"several", hdr3 + "x\r\nt,m1,s\r\n\"\r\nt,m2,s\r\n\x00\r\nt,m3,s\r\n", 0, []string{"m1", "m2", "m3"}, []wantErr{{6, 1, msgtrk.ErrFieldCount}, {8, 1, msgtrk.ErrQuote}, {10, 1, msgtrk.ErrNUL}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, mode := range []string{"stream", "bytes", "one-byte"} {
				var r *msgtrk.Reader
				switch mode {
				case "stream":
					r = msgtrk.NewReader(strings.NewReader(tt.in))
				case "bytes":
					r = msgtrk.NewReaderBytes([]byte(tt.in))
				case "one-byte":
					r = msgtrk.NewReader(iotest.OneByteReader(strings.NewReader(tt.in)))
				}
				r.MaxLineBytes = tt.max
				rows, errs := readAll(t, r)
				var ids []string
				for _, row := range rows {
					ids = append(ids, row[1])
				}
				if diff := cmp.Diff(tt.wantRows, ids); diff != "" {
					t.Errorf("%s: rows mismatch (-want +got):\n%s", mode, diff)
				}
				var got []wantErr
				for _, e := range errs {
					got = append(got, wantErr{e.Line, e.Column, e.Err})
				}
				if diff := cmp.Diff(tt.wantErrs, got, cmp.Comparer(func(a, b error) bool { return errors.Is(a, b) || errors.Is(b, a) })); diff != "" {
					t.Errorf("%s: errors mismatch (-want +got):\n%s", mode, diff)
				}
			}
		})
	}
}

// TestReaderFirstLine: a part of a file read again under its header (a row
// copied out of its file) keeps its line numbers, in records and errors.
func TestReaderFirstLine(t *testing.T) {
	const part = "t,m1,s\r\nt,m2\r\nt,m3,s\r\n"
	for _, mode := range []string{"stream", "bytes"} {
		var r *msgtrk.Reader
		if mode == "stream" {
			r = msgtrk.NewReader(strings.NewReader(part))
		} else {
			r = msgtrk.NewReaderBytes([]byte(part))
		}
		r.Fields = []string{"date-time", "message-id", "message-subject"}
		r.FirstLine = 40
		var errLines []int64
		r.ErrorHandler = func(e *msgtrk.ParseError) { errLines = append(errLines, e.Line) }
		var lines []int64
		for r.Next() {
			lines = append(lines, r.Record().LineNumber())
		}
		if diff := cmp.Diff([]int64{40, 42}, lines); diff != "" {
			t.Errorf("%s: LineNumber mismatch (-want +got):\n%s", mode, diff)
		}
		if diff := cmp.Diff([]int64{41}, errLines); diff != "" {
			t.Errorf("%s: ParseError.Line mismatch (-want +got):\n%s", mode, diff)
		}
	}
}

func TestReaderErrWithoutHandler(t *testing.T) {
	in := hdr3 + "t,m1,s\r\nbad\r\nt,m2,s\r\nt,m3"
	r := msgtrk.NewReader(strings.NewReader(in))
	r.Name = "MSGTRK20220919-1.LOG"
	n := 0
	for r.Next() {
		n++
	}
	if n != 2 {
		t.Errorf("read %d rows, want 2", n)
	}
	err := r.Err()
	if !errors.Is(err, msgtrk.ErrFieldCount) || !errors.Is(err, msgtrk.ErrTruncated) {
		t.Fatalf("Err() = %v, want both ErrFieldCount and ErrTruncated", err)
	}
	var pe *msgtrk.ParseError
	if !errors.As(err, &pe) || pe.File != "MSGTRK20220919-1.LOG" || pe.Line != 7 {
		t.Errorf("first ParseError = %+v, want file name and line 7", pe)
	}
	if want := "msgtrk: MSGTRK20220919-1.LOG:7:1: wrong number of fields"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Err().Error() = %q, want prefix %q", err.Error(), want)
	}
}

func TestReaderStrict(t *testing.T) {
	r := msgtrk.NewReader(strings.NewReader(hdr3 + "t,m1,s\r\nbad\r\nt,m2,s\r\n"))
	r.Mode = msgtrk.Strict
	n := 0
	for r.Next() {
		n++
	}
	if n != 1 || !errors.Is(r.Err(), msgtrk.ErrFieldCount) {
		t.Errorf("strict: %d rows, Err %v; want 1 row and ErrFieldCount", n, r.Err())
	}
}

// TestConfigFrozen: the Reader and the Merger read their configuration when
// reading starts, so a change made afterwards has no effect (until Reset,
// for the Reader), as their documentation promises.
func TestConfigFrozen(t *testing.T) {
	in := hdr3 + "t,m1,s\r\nbad\r\nt,m2,s\r\n\xff,m3,s\r\nx,y\r\n"
	var handled []int64
	r := msgtrk.NewReader(strings.NewReader(in))
	r.Name = "first"
	r.ErrorHandler = func(e *msgtrk.ParseError) { handled = append(handled, e.Line) }
	if !r.Next() {
		t.Fatal(r.Err())
	}
	r.Name = "second"
	r.Mode = msgtrk.Strict
	r.ErrorHandler = func(*msgtrk.ParseError) { t.Error("a handler set after the first Next was called") }
	r.InvalidUTF8 = msgtrk.UTF8Accept
	r.GuessFields = true
	r.MaxErrors = 1
	n := 1
	for r.Next() {
		n++
	}
	if n != 2 || r.Err() != nil || fmt.Sprint(handled) != "[7 9 10]" {
		t.Errorf("after changes: %d rows, Err %v, handled lines %v; want 2 rows, nil, [7 9 10]", n, r.Err(), handled)
	}
	// Reset takes the new configuration.
	r.Reset(strings.NewReader(in))
	for r.Next() {
	}
	var pe *msgtrk.ParseError
	if !errors.As(r.Err(), &pe) || pe.Line != 7 || pe.File != "second" {
		t.Errorf("after Reset: Err %v, want the Strict stop at line 7 of \"second\"", r.Err())
	}

	m := msgtrk.NewMerger([]msgtrk.Input{{Name: "in", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(in)), nil
	}}})
	if !m.Next() {
		t.Fatal(m.Err())
	}
	m.Mode = msgtrk.Strict
	m.MaxErrors = 1
	n = 1
	for m.Next() {
		n++
	}
	var list msgtrk.ErrorList
	if n != 2 || !errors.As(m.Err(), &list) || len(list) != 3 {
		t.Errorf("Merger after changes: %d rows, Err %v; want 2 rows and 3 errors", n, m.Err())
	}
}

// TestErrorExcerpt: a ParseError's Excerpt is the input at the error (never
// a description), at most fielderr.ExcerptLen bytes; the field count error
// gives both counts in its message.
func TestErrorExcerpt(t *testing.T) {
	long := strings.Repeat("x", 100)
	r := msgtrk.NewReader(strings.NewReader(hdr3 + "t,m1\r\nt,\"m2,s\r\nt," + long + "\"q,s\r\n"))
	for r.Next() {
	}
	var list msgtrk.ErrorList
	if !errors.As(r.Err(), &list) || len(list) != 3 {
		t.Fatalf("Err() = %v, want 3 errors", r.Err())
	}
	want := []string{
		`msgtrk: 6:1: wrong number of fields (got 2, header has 3): "t,m1"`,
		`msgtrk: 7:3: field message-id: extraneous or missing " in quoted field: "\"m2,s"`,
		`msgtrk: 8:103: field message-id: bare " in non-quoted field: "\"q,s"`,
	}
	for i, e := range list {
		if e.Error() != want[i] {
			t.Errorf("error %d = %s\nwant %s", i, e, want[i])
		}
	}
	r = msgtrk.NewReader(strings.NewReader(hdr3 + long + long))
	for r.Next() {
	}
	if !errors.As(r.Err(), &list) || len(list[0].Excerpt) != 40 || !strings.HasSuffix(long+long, list[0].Excerpt) {
		t.Errorf("truncated line: Err() = %v, want the last 40 bytes", r.Err())
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[msgtrk.Mode]string{msgtrk.Lenient: "Lenient", msgtrk.Strict: "Strict", 7: "Mode(7)"} {
		if got := m.String(); got != want {
			t.Errorf("Mode(%d).String() = %q, want %q", m, got, want)
		}
	}
}

func TestReaderMaxErrors(t *testing.T) {
	r := msgtrk.NewReader(strings.NewReader(hdr3 + strings.Repeat("bad\r\n", 50) + "t,m,s\r\n"))
	r.MaxErrors = 3
	n := 0
	for r.Next() {
		n++
	}
	if n != 1 || len(r.Errors()) != 3 || r.Stats().Errors != 50 {
		t.Errorf("rows %d, kept %d errors, counted %d; want 1, 3, 50", n, len(r.Errors()), r.Stats().Errors)
	}
}

// zeroReader returns (0, nil) forever after its data.
type zeroReader struct{ data string }

func (z *zeroReader) Read(p []byte) (int, error) {
	n := copy(p, z.data)
	z.data = z.data[n:]
	return n, nil
}

func TestReaderNoProgress(t *testing.T) {
	r := msgtrk.NewReader(&zeroReader{data: hdr3 + "t,m1,s\r\n"})
	n := 0
	for r.Next() {
		n++
	}
	if n != 1 || !errors.Is(r.Err(), io.ErrNoProgress) {
		t.Errorf("rows %d, Err %v; want 1 and io.ErrNoProgress", n, r.Err())
	}
}

func TestReaderIOError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := msgtrk.NewReader(io.MultiReader(strings.NewReader(hdr3+"t,m1,s\r\n"), iotest.ErrReader(boom)))
	n := 0
	for r.Next() {
		n++
	}
	if n != 1 || !errors.Is(r.Err(), boom) {
		t.Errorf("rows %d, Err %v; want 1 and the I/O error", n, r.Err())
	}
}

func TestReaderFallbackFields(t *testing.T) {
	// A 2007 row without a header (testdata/real/wallix…), read with a
	// caller-supplied field list.
	line := "2010-04-19T12:29:07.390Z,10.10.14.73,WIN2K3DC,,WIN2K3DC,\"MDB:ada3d2c3-6f32-45db-b1ee-a68dbcc86664, Mailbox:68cf09c1-1344-4639-b013-3c6f8a588504, Event:1440, MessageClass:IPM.Note, CreationTime:2010-04-19T12:28:51.312Z, ClientType:User\",,STOREDRIVER,SUBMIT,,<C6539E897AEDFA469FE34D029FB708D43495@win2k3dc.qa.ifr.lan>,,,,,,,Coucou !,user7@qa.ifr.lan,,\n"
	r := msgtrk.NewReader(strings.NewReader(line))
	r.Fields = msgtrk.Layout2007.FieldNames()
	if !r.Next() {
		t.Fatalf("no row: %v", r.Err())
	}
	rec := r.Record()
	if got := rec.Layout(); got != msgtrk.Layout2007 {
		t.Errorf("Layout() = %v, want 2007", got)
	}
	if got := rec.String(msgtrk.MessageSubject); got != "Coucou !" {
		t.Errorf("subject = %q", got)
	}
	if rec.Has(msgtrk.NetworkMessageID) || rec.Field(msgtrk.NetworkMessageID) != nil {
		t.Errorf("2007 row has network-message-id")
	}
	if rec.EventType() != msgtrk.EventSubmit || rec.SourceType() != msgtrk.SourceStoreDriver {
		t.Errorf("event %v source %v", rec.EventType(), rec.SourceType())
	}
}

func TestHeader(t *testing.T) {
	r := msgtrk.NewReader(strings.NewReader(hdr3 + "#Comment: hi\r\nt,m,s\r\n"))
	if !r.Next() {
		t.Fatal(r.Err())
	}
	h := r.Header()
	if h.Software != "Microsoft Exchange Server" || h.Version != "15.01.2375.007" || h.LogType != "Message Tracking Log" ||
		h.Date.Format("2006-01-02T15:04:05.000Z") != "2022-09-19T15:02:29.339Z" || len(h.Fields) != 3 || h.Product() != "Exchange 2016" {
		t.Errorf("Header() = %+v", h)
	}
	if diff := cmp.Diff([]string{"Comment: hi"}, h.Other); diff != "" {
		t.Errorf("Other mismatch (-want +got):\n%s", diff)
	}
	for v, want := range map[string]string{
		"08.03.0083.006": "Exchange 2007", "14.0.0.0": "Exchange 2010", "15.00.1497.012": "Exchange 2013",
		"15.01.2507.039": "Exchange 2016", "15.02.1544.004": "Exchange 2019", "15.02.2562.017": "Exchange SE", "x": "",
	} {
		if got := msgtrk.ProductOfVersion(v); got != want {
			t.Errorf("ProductOfVersion(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestUnknownColumn(t *testing.T) {
	in := "#Fields: date-time,message-id,x-custom,event-id\r\nt,m,extra value,SEND\r\n"
	r := msgtrk.NewReader(strings.NewReader(in))
	if !r.Next() {
		t.Fatal(r.Err())
	}
	rec := r.Record()
	if v, ok := rec.Lookup("X-Custom"); !ok || string(v) != "extra value" {
		t.Errorf("Lookup(X-Custom) = %q, %v", v, ok)
	}
	if _, ok := rec.Lookup("nope"); ok {
		t.Error("Lookup(nope) found a column")
	}
	if rec.Layout() != msgtrk.LayoutCustom || rec.EventType() != msgtrk.EventSend {
		t.Errorf("layout %v event %v", rec.Layout(), rec.EventType())
	}
	ev := rec.Event()
	if diff := cmp.Diff([]msgtrk.Column{{Name: "x-custom", Value: "extra value"}}, ev.Extra); diff != "" {
		t.Errorf("Event().Extra mismatch (-want +got):\n%s", diff)
	}
}

func TestCloneOutlivesNext(t *testing.T) {
	r := msgtrk.NewReader(strings.NewReader(hdr3 + `t1,m1,"a ""b"""` + "\r\nt2,m2,s2\r\n"))
	r.Next()
	c := r.Record().Clone()
	r.Next()
	if got := string(c.Field(msgtrk.MessageSubject)); got != `a "b"` {
		t.Errorf("clone subject = %q", got)
	}
	if got := string(c.Field(msgtrk.MessageID)); got != "m1" {
		t.Errorf("clone message-id = %q", got)
	}
}

func TestFieldPosAndError(t *testing.T) {
	r := msgtrk.NewReader(strings.NewReader(hdr3 + `t,m,"x, y"` + "\r\n"))
	r.Name = "f.log"
	r.Next()
	rec := r.Record()
	if line, col := rec.FieldPos(msgtrk.MessageSubject); line != 6 || col != 5 {
		t.Errorf("FieldPos = %d:%d, want 6:5", line, col)
	}
	e := rec.FieldError(msgtrk.MessageSubject, 3, msgtrk.ErrSyntax)
	// The value starts after the quote, at column 6; offset 3 is column 9.
	if e.Line != 6 || e.Column != 9 || e.File != "f.log" || e.Field != "message-subject" {
		t.Errorf("FieldError = %+v", e)
	}
}

func TestReaderGuessFields(t *testing.T) {
	row30 := "2024-01-25T15:16:09.949Z,10.11.12.14,h,10.11.12.14,h,\"a,b\",c,SMTP,RECEIVE,1,<m@x>,6a638d20-1e63-493a-80a2-08da9a4ff8da,r@x,,1,1,,,s,f@x,f@x,0cA: ,Incoming,,,,,Email,6a638d20-1e63-493a-80a2-08da9a4ff8da,15.02.0330.005\r\n"
	r := msgtrk.NewReader(strings.NewReader(row30 + "1,2,3\r\n"))
	r.GuessFields = true
	var errs []*msgtrk.ParseError
	r.ErrorHandler = func(e *msgtrk.ParseError) { errs = append(errs, e) }
	if !r.Next() {
		t.Fatalf("no row: %v", r.Err())
	}
	rec := r.Record()
	if rec.Layout() != msgtrk.Layout2016 || string(rec.Field(msgtrk.MessageID)) != "<m@x>" || string(rec.Field(msgtrk.SourceContext)) != "a,b" {
		t.Errorf("guessed row: layout %v message-id %q", rec.Layout(), rec.Field(msgtrk.MessageID))
	}
	// Once guessed, the layout holds for the rest of the input: a row of
	// another width is a field count error.
	if r.Next() || len(errs) != 1 || !errors.Is(errs[0], msgtrk.ErrFieldCount) {
		t.Errorf("second row: errs %v", errs)
	}
}

// TestCloneInto: a row copied into a Record of another row reads as a
// Clone of it does (a quoted row into an unquoted one's copy and back),
// outlives the Reader's next row, and copying into a Record of enough
// capacity does not allocate.
func TestCloneInto(t *testing.T) {
	r := msgtrk.NewReader(strings.NewReader(hdr3 + `t1,m1,"a ""b"""` + "\r\nt2,m2,s2\r\n"))
	r.Next()
	quoted := r.Record().Clone()
	dst := r.Record().CloneInto(nil)
	r.Next()
	plain := r.Record().Clone()
	for _, want := range []*msgtrk.Record{quoted, plain, quoted} {
		got := want.CloneInto(dst)
		if got != dst {
			t.Fatal("CloneInto did not return dst")
		}
		for _, f := range []msgtrk.Field{msgtrk.DateTime, msgtrk.MessageID, msgtrk.MessageSubject} {
			if g, w := string(got.Unescaped(f)), string(want.Unescaped(f)); g != w {
				t.Errorf("%v: %q, want %q", f, g, w)
			}
		}
		if got.LineNumber() != want.LineNumber() || string(got.Line()) != string(want.Line()) {
			t.Errorf("line %d %q, want %d %q", got.LineNumber(), got.Line(), want.LineNumber(), want.Line())
		}
	}
	if n := testing.AllocsPerRun(100, func() { quoted.CloneInto(dst) }); n != 0 {
		t.Errorf("CloneInto a Record of enough capacity: %v allocations, want 0", n)
	}
}
