package export

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mailtrace/mailtrace/filekind"
	"github.com/mailtrace/mailtrace/internal/exportgen"
	"github.com/mailtrace/mailtrace/msgtrk"
)

var update = flag.Bool("update", false, "rewrite the fixtures and golden files")

const realDir = "../testdata/real"

// realEvents returns the rows of the real 2013-2019 samples (provenance in
// testdata/real/SOURCES.md).
func realEvents(t testing.TB) []msgtrk.Event {
	t.Helper()
	var evs []msgtrk.Event
	for _, name := range []string{
		"awslabs_kinesis-agent-windows_Amazon.KinesisTap.FileSystem.Test_ExchangeLogParserTest.log",
		"elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log",
		"Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_MSGTRKMS.log",
	} {
		data, err := os.ReadFile(filepath.Join(realDir, name))
		if err != nil {
			t.Fatal(err)
		}
		r := msgtrk.NewReaderBytes(data)
		r.GuessFields = true
		for r.Next() {
			evs = append(evs, r.Record().Event())
		}
	}
	return evs
}

// summaryFixture is a small Exchange Online view: a message to a group and
// a direct recipient, an outbound message, a failure, a quarantine and one
// still pending.
var summaryFixture = []exportgen.Message{
	{Received: time.Date(2024, 3, 4, 8, 0, 1, 0, time.UTC), Sender: "alex@contoso.com", Subject: "Budget, 2024", Size: 52431,
		MessageID: "<a1@contoso.com>", NetworkMessageID: "8f2b4f4e-1c2d-4e5f-a6b7-08dc3c1a2b3c", ClientIP: "10.0.20.55",
		Outcomes: []exportgen.Outcome{{Address: "dana@contoso.com", Status: "delivered"}, {Address: "sales@contoso.com", Status: "group"},
			{Address: "lee@contoso.com", Status: "delivered", Group: "sales@contoso.com"}, {Address: "kim@contoso.com", Status: "failed", Group: "sales@contoso.com"}}},
	{Received: time.Date(2024, 3, 4, 8, 0, 2, 0, time.UTC), Sender: "dana@contoso.com", Subject: "Re: offer", Size: 7312,
		MessageID: "<b2@contoso.com>", NetworkMessageID: "0b7c9d1e-2f3a-4b5c-d6e7-08dc3c1a2b3d",
		Outcomes: []exportgen.Outcome{{Address: "buyer@fabrikam.net", Status: "sent_external"}}},
	{Received: time.Date(2024, 3, 4, 8, 0, 3, 0, time.UTC), Sender: "spam@tailspintoys.com", Subject: "You won", Size: 1200,
		MessageID: "<c3@tailspintoys.com>", NetworkMessageID: "1c8d0e2f-3a4b-4c5d-e6f7-08dc3c1a2b3e", ClientIP: "198.51.100.7", Inbound: true,
		Outcomes: []exportgen.Outcome{{Address: "lee@contoso.com", Status: "dropped"}, {Address: "kim@contoso.com", Status: "pending"}}},
}

// fixtures are the small committed exports: what each tool writes, built
// from the real samples by exportgen. TestFixtures keeps them in step with
// the generator.
var fixtures = []struct {
	name  string
	write func(io.Writer, []msgtrk.Event) error
}{
	{"cmdlet-ps51-en-US.csv", func(w io.Writer, evs []msgtrk.Event) error {
		la, _ := time.LoadLocation("America/Los_Angeles")
		return exportgen.CmdletCSV(w, evs, exportgen.CSV{Culture: exportgen.EnUS, Zone: la, Lists: exportgen.Joined})
	}},
	{"cmdlet-ps7-de-DE-lists-lost.csv", func(w io.Writer, evs []msgtrk.Event) error {
		berlin, _ := time.LoadLocation("Europe/Berlin")
		return exportgen.CmdletCSV(w, evs, exportgen.CSV{PS7: true, Culture: exportgen.DeDE, Zone: berlin, Lists: exportgen.TypeName})
	}},
	{"format-list-out-file-utf16.txt", func(w io.Writer, evs []msgtrk.Event) error {
		var b bytes.Buffer
		if err := exportgen.FormatList(&b, evs, exportgen.List{Culture: exportgen.EnGB, Zone: time.UTC, Width: 120, EnumerationLimit: 4}); err != nil {
			return err
		}
		return exportgen.WriteUTF16LE(w, b.String())
	}},
	{"extended-report.csv", func(w io.Writer, evs []msgtrk.Event) error {
		evs = append([]msgtrk.Event(nil), evs...)
		rand.New(rand.NewPCG(7, 7)).Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
		return exportgen.ExtendedReport(w, evs)
	}},
	{"message-trace-ps51.csv", func(w io.Writer, _ []msgtrk.Event) error {
		return exportgen.MessageTraceCSV(w, summaryFixture, exportgen.EnUS, false, false)
	}},
	{"message-trace-v2-utf16.csv", func(w io.Writer, _ []msgtrk.Event) error {
		return exportgen.MessageTraceCSV(w, summaryFixture, exportgen.DeDE, true, true)
	}},
	{"summary-report.csv", func(w io.Writer, _ []msgtrk.Event) error {
		return exportgen.SummaryReport(w, summaryFixture)
	}},
}

// TestFixtures: the committed fixtures are what exportgen writes (-update
// rewrites them).
func TestFixtures(t *testing.T) {
	evs := realEvents(t)
	for _, fx := range fixtures {
		var b bytes.Buffer
		if err := fx.write(&b, evs); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "fixtures", fx.name)
		if *update {
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test ./export -run TestFixtures -update)", err)
		}
		if !bytes.Equal(got, b.Bytes()) {
			t.Errorf("%s is not what exportgen writes (go test ./export -run TestFixtures -update)", fx.name)
		}
	}
}

// convertFile converts the file at path as Prepare would (by its kind),
// and returns the tracking log text, the notices and the errors.
func convertFile(t *testing.T, path string, opts Options) (text string, notices, errs []string, res filekind.Result) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, r, err := filekind.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	opts.Notice = func(file, msg string) { notices = append(notices, msg) }
	opts.Error = func(e *msgtrk.ParseError) { errs = append(errs, strings.TrimPrefix(e.Error(), "msgtrk: ")) }
	out, err := io.ReadAll(NewReader(filepath.Base(path), res, r, opts))
	if err != nil {
		t.Fatal(err)
	}
	return string(out), notices, errs, res
}

// TestGolden converts each fixture and each real Format-List sample, and
// compares the tracking log text, the notices and the errors with the
// golden files; every output must read back through msgtrk.Reader without
// a malformed line.
func TestGolden(t *testing.T) {
	var paths []string
	for _, fx := range fixtures {
		paths = append(paths, filepath.Join("testdata", "fixtures", fx.name))
	}
	real, _ := filepath.Glob(filepath.Join(realDir, "cmdlet_output", "*.txt"))
	paths = append(paths, real...)
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			text, notices, errs, res := convertFile(t, p, Options{})
			var b strings.Builder
			fmt.Fprintf(&b, "# kind %v, %v, vocabulary %d\n", res.Kind, res.Encoding, res.Vocabulary)
			b.WriteString(strings.ReplaceAll(text, "\r\n", "\n"))
			for _, n := range notices {
				fmt.Fprintf(&b, "# notice: %s\n", n)
			}
			for _, e := range errs {
				fmt.Fprintf(&b, "# error: %s\n", e)
			}
			golden(t, filepath.Base(p)+".golden", b.String())
			r := msgtrk.NewReader(strings.NewReader(text))
			rows := 0
			for r.Next() {
				rows++
			}
			if err := r.Err(); err != nil {
				t.Errorf("the converted text does not read back: %v", err)
			}
			if rows == 0 {
				t.Errorf("no row")
			}
		})
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./export -run TestGolden -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

// TestLines: a row keeps the line of its record in the export, through a
// #TYPE line, a value spanning lines, a malformed record and blank lines;
// the errors give the export's line and column.
func TestLines(t *testing.T) {
	in := "#TYPE Microsoft.Exchange.Management.TransportLogSearchTasks.MessageTrackingEvent\r\n" + // 1
		`"Timestamp","EventId","MessageSubject","Sender"` + "\r\n" + // 2
		`"2024-03-04T08:00:01.0000000Z","RECEIVE","two` + "\r\n" + // 3
		`lines","a@x"` + "\r\n" + // 4
		"\r\n" + // 5
		`"2024-03-04T08:00:02.0000000Z","SEND","short"` + "\r\n" + // 6: a field missing
		`"not a time","SEND","x","a@x"` + "\r\n" + // 7
		`"2024-03-04T08:00:03.0000000Z","DELIVER","ok","a@x"` + "\r\n" // 8
	res := filekind.Sniff([]byte(in))
	var errs []*msgtrk.ParseError
	out := NewReader("t.csv", res, strings.NewReader(in), Options{Error: func(e *msgtrk.ParseError) { errs = append(errs, e) }})
	r := msgtrk.NewReader(out)
	var lines []int64
	var subjects []string
	for r.Next() {
		lines = append(lines, r.Record().LineNumber())
		subjects = append(subjects, string(r.Record().Unescaped(msgtrk.MessageSubject)))
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{3, 8}, lines); diff != "" {
		t.Errorf("row lines (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"two\r\nlines", "ok"}, subjects); diff != "" {
		t.Errorf("subjects (-want +got):\n%s", diff)
	}
	type pos struct {
		line int64
		col  int
		err  error
	}
	var got []pos
	for _, e := range errs {
		got = append(got, pos{e.Line, e.Column, e.Err})
		if e.File != "t.csv" {
			t.Errorf("error file %q", e.File)
		}
	}
	want := []pos{{6, 1, ErrFieldCount}, {7, 1, ErrTime}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(pos{}), cmp.Comparer(func(a, b error) bool { return errors.Is(a, b) })); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// TestCSVScanner: quoting, values over lines, field positions, an
// unterminated quote and a record over the bound.
func TestCSVScanner(t *testing.T) {
	in := "a,\"b,\"\"c\"\"\",d\r\n" +
		"\"x\r\ny\",z\"q,\"w\"v\n" +
		"\n" +
		strings.Repeat("L", 100) + "\n" +
		"ok,1\n" +
		"\"open,2\n"
	s := newCSVScanner(strings.NewReader(in), ',', 64)
	type rec struct {
		fields []string
		start  int64
		bad    errKind
		pos    []fieldPos
	}
	var got []rec
	for {
		bad, ok := s.next()
		if !ok {
			break
		}
		got = append(got, rec{append([]string(nil), s.fields...), s.start, bad, append([]fieldPos(nil), s.pos...)})
	}
	want := []rec{
		{[]string{"a", `b,"c"`, "d"}, 1, errNone, []fieldPos{{1, 1}, {1, 3}, {1, 13}}},
		{[]string{"x\r\ny", `z"q`, "wv"}, 2, errNone, []fieldPos{{2, 1}, {3, 4}, {3, 8}}},
		{nil, 5, errTooLong, nil},
		{[]string{"ok", "1"}, 6, errNone, []fieldPos{{6, 1}, {6, 4}}},
		{[]string{"open,2\n"}, 7, errUnterminated, []fieldPos{{7, 1}}},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(rec{}, fieldPos{})); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

// TestZone: -tz given and agreeing says nothing; given and disagreeing
// with the UTC times inside the rows says so; not given, the offset is
// estimated (and said); no UTC time inside: UTC (said).
func TestZone(t *testing.T) {
	row := func(ts, ctx string) string {
		return `"` + ts + `","DELIVER","STOREDRIVER","` + ctx + `","<m@x>","a@x"` + "\r\n"
	}
	head := `"Timestamp","EventId","Source","SourceContext","MessageId","Recipients"` + "\r\n"
	withRef := head + row("07.10.2020 19:27:20", "08D8648A8359CDFE;2020-10-07T16:27:19.546Z")
	noRef := head + row("07.10.2020 19:27:20", "")
	moscow, _ := time.LoadLocation("Europe/Moscow")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, tt := range []struct {
		name   string
		in     string
		zone   *time.Location
		time   string
		notice string
	}{
		{"given, agrees", withRef, moscow, "2020-10-07T16:27:20.000Z", ""},
		{"given, disagrees", withRef, berlin, "2020-10-07T17:27:20.000Z", "put the exporting machine at UTC+03:00: check -tz"},
		{"estimated", withRef, nil, "2020-10-07T16:27:20.000Z", "read as UTC+03:00"},
		{"unknown", noRef, nil, "2020-10-07T19:27:20.000Z", "read as UTC"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var notices []string
			res := filekind.Sniff([]byte(tt.in))
			out := NewReader("z.csv", res, strings.NewReader(tt.in), Options{Zone: tt.zone, Notice: func(_, m string) { notices = append(notices, m) }})
			r := msgtrk.NewReader(out)
			if !r.Next() {
				t.Fatalf("no row: %v", r.Err())
			}
			if got := string(r.Record().Field(msgtrk.DateTime)); got != tt.time {
				t.Errorf("date-time %s, want %s", got, tt.time)
			}
			all := strings.Join(notices, "\n")
			if tt.notice == "" && all != "" || !strings.Contains(all, tt.notice) {
				t.Errorf("notices %q, want %q", all, tt.notice)
			}
		})
	}
}

// TestAbsentColumns: a column the export lacks is absent from the rows
// (Has false), not empty; a lost list column too.
func TestAbsentColumns(t *testing.T) {
	in := `"Timestamp","EventId","Recipients","MessageId"` + "\r\n" + `"2024-03-04T08:00:01Z","RECEIVE","System.String[]","<m@x>"` + "\r\n"
	var notices []string
	r := msgtrk.NewReader(NewReader("a.csv", filekind.Sniff([]byte(in)), strings.NewReader(in), Options{Notice: func(_, m string) { notices = append(notices, m) }}))
	if !r.Next() {
		t.Fatal(r.Err())
	}
	rec := r.Record()
	for f, want := range map[msgtrk.Field]bool{msgtrk.DateTime: true, msgtrk.EventID: true, msgtrk.MessageID: true,
		msgtrk.RecipientAddress: false, msgtrk.SenderAddress: false, msgtrk.NetworkMessageID: false} {
		if rec.Has(f) != want {
			t.Errorf("Has(%v) = %v", f, !want)
		}
	}
	if len(notices) != 1 || !strings.Contains(notices[0], "the recipients in them were lost") || !strings.Contains(notices[0], KeepListsCommand) {
		t.Errorf("notices %q", notices)
	}
}

// TestMaxBuffer: past the buffer, rows are converted one by one; rows out
// of order there are counted and said, none is lost.
func TestMaxBuffer(t *testing.T) {
	var b strings.Builder
	b.WriteString(`"Timestamp","EventId","MessageId"` + "\r\n")
	for i := 0; i < 200; i++ {
		sec := i
		if i%50 == 49 {
			sec = i - 40 // late
		}
		fmt.Fprintf(&b, `"2024-03-04T08:%02d:%02d.0000000Z","RECEIVE","<m%d@x>"`+"\r\n", sec/60, sec%60, i)
	}
	in := b.String()
	var notices []string
	r := msgtrk.NewReader(NewReader("m.csv", filekind.Sniff([]byte(in)), strings.NewReader(in),
		Options{MaxBuffer: 4 << 10, Notice: func(_, m string) { notices = append(notices, m) }}))
	n := 0
	for r.Next() {
		n++
	}
	if n != 200 || r.Err() != nil {
		t.Fatalf("%d rows, %v", n, r.Err())
	}
	all := strings.Join(notices, "\n")
	if !strings.Contains(all, "rows after the first") {
		t.Errorf("notices: %s", all)
	}
}

// TestPrepare: kinds, refusal, summary inputs, standard input opened once.
func TestPrepare(t *testing.T) {
	open := func(data []byte) func() (io.ReadCloser, error) {
		return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	recv := []byte("#Software: Microsoft Exchange Server\r\n#Log-type: SMTP Receive Protocol Log\r\n#Fields: date-time,connector-id\r\n")
	_, _, err := Prepare(msgtrk.Input{Name: "EX01/RECV2024030408-1.LOG", Open: open(recv)}, Options{})
	var refused *RefusedError
	if !errors.As(err, &refused) || err.Error() != "EX01/RECV2024030408-1.LOG: an SMTP Receive protocol log, not a message tracking log" {
		t.Errorf("Prepare(receive log) = %v", err)
	}
	summary, err := os.ReadFile(filepath.Join("testdata", "fixtures", "message-trace-v2-utf16.csv"))
	if err != nil {
		t.Fatal(err)
	}
	in, res, err := Prepare(msgtrk.Input{Name: "trace.csv", Server: "EX01", Open: open(summary)}, Options{})
	if err != nil || res.Kind != filekind.MessageTraceCSV || in.FileName.Kind != msgtrk.LogSummary || in.Server != "" {
		t.Errorf("Prepare(trace) = %+v, %v, %v", in, res.Kind, err)
	}
	stdin := &countingReader{r: bytes.NewReader(summary)}
	in, _, err = Prepare(msgtrk.Input{Name: "-", Open: func() (io.ReadCloser, error) { stdin.opens++; return io.NopCloser(stdin), nil }}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := in.Open()
	if err != nil {
		t.Fatal(err)
	}
	r := msgtrk.NewReader(rc)
	n := 0
	for r.Next() {
		n++
	}
	if n != 7 || stdin.opens != 1 {
		t.Errorf("standard input: %d rows, opened %d times", n, stdin.opens)
	}
	if _, err := in.Open(); err == nil {
		t.Errorf("standard input opened twice")
	}
}

type countingReader struct {
	r     io.Reader
	opens int
}

func (c *countingReader) Read(p []byte) (int, error) { return c.r.Read(p) }

// FuzzNewReader: whatever the bytes and the kind they are taken for, the
// conversion does not panic, ends, reports errors with a position, and
// writes text that msgtrk.Reader reads without a malformed line.
func FuzzNewReader(f *testing.F) {
	for _, fx := range fixtures {
		if data, err := os.ReadFile(filepath.Join("testdata", "fixtures", fx.name)); err == nil {
			f.Add(data, uint8(0))
		}
	}
	real, _ := filepath.Glob(filepath.Join(realDir, "cmdlet_output", "*.txt"))
	for _, p := range real {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data, uint8(0))
		}
	}
	f.Add([]byte("\"Timestamp\",\"EventId\"\r\n\"x\"\r\n\"1/2/3 4:05\",\"\"\"\r\n"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, forced uint8) {
		res := filekind.Sniff(data)
		if !res.Kind.Accepted() || res.Kind == filekind.TrackingLog {
			// Take the bytes for one of the exports anyway.
			res.Kind = filekind.CmdletCSV + filekind.Kind(forced%5)
			res.Vocabulary = filekind.Vocabulary(1 + forced%4)
		}
		_, text, err := filekind.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		opts := Options{MaxBuffer: 1 << 10, MaxRecordBytes: 256, Error: func(e *msgtrk.ParseError) {
			if e.Line < 1 || e.Column < 1 {
				t.Fatalf("error without a position: %+v", e)
			}
		}}
		r := msgtrk.NewReader(NewReader("fuzz", res, text, opts))
		for r.Next() {
		}
		if err := r.Err(); err != nil {
			var pe *msgtrk.ParseError
			if errors.As(err, &pe) && errors.Is(err, ErrTooBig) {
				return
			}
			t.Fatalf("converted text does not read: %v", err)
		}
	})
}

// TestStrict: the first record that cannot be converted ends the reading,
// after the rows before it; Error is not called.
func TestStrict(t *testing.T) {
	in := `"Timestamp","EventId"` + "\r\n" + `"2024-03-04T08:00:01Z","RECEIVE"` + "\r\n" + `"x","SEND"` + "\r\n" + `"2024-03-04T08:00:03Z","DELIVER"` + "\r\n"
	called := false
	r := msgtrk.NewReader(NewReader("s.csv", filekind.Sniff([]byte(in)), strings.NewReader(in), Options{Strict: true, Error: func(*msgtrk.ParseError) { called = true }}))
	n := 0
	for r.Next() {
		n++
	}
	var pe *msgtrk.ParseError
	if n != 1 || called || !errors.As(r.Err(), &pe) || pe.Line != 3 || !errors.Is(pe, ErrTime) {
		t.Errorf("%d rows, Error called %v, err %v", n, called, r.Err())
	}
}
