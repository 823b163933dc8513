package msgtrk_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/msgtrk"
)

func logFile(t *testing.T, rows ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("#Software: Microsoft Exchange Server\r\n#Fields: date-time,event-id,message-id\r\n")
	for _, r := range rows {
		b.WriteString(r + "\r\n")
	}
	return b.Bytes()
}

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func TestFindFilesAndMerge(t *testing.T) {
	fsys := fstest.MapFS{
		"org/EX01/MSGTRK20240101-1.LOG":   {Data: logFile(t, "2024-01-01T10:00:00.000Z,RECEIVE,a", "2024-01-01T10:00:03.000Z,SEND,a")},
		"org/EX01/MSGTRK20240101-2.LOG":   {Data: logFile(t, "2024-01-01T10:00:05.000Z,RECEIVE,b")},
		"org/EX01/MSGTRKMS20240101-1.LOG": {Data: logFile(t, "2024-01-01T09:59:59.000Z,SUBMIT,a")},
		"org/EX02/c$/Program Files/Microsoft/Exchange Server/V15/TransportRoles/Logs/MessageTracking/MSGTRKMD2024010110-1.LOG.gz": {
			Data: gz(t, logFile(t, "2024-01-01T10:00:04.000Z,DELIVER,a", "2024-01-01T10:00:06.000Z,DELIVER,b"))},
		"org/EX02/readme.txt": {Data: []byte("not a log")},
	}
	inputs, err := msgtrk.FindFiles(fsys, "org")
	if err != nil {
		t.Fatal(err)
	}
	type in struct {
		Name, Server string
		Kind         msgtrk.LogKind
		Seq          int
	}
	var got []in
	for _, i := range inputs {
		got = append(got, in{i.Name, i.Server, i.FileName.Kind, i.FileName.Seq})
	}
	want := []in{
		{"org/EX01/MSGTRK20240101-1.LOG", "EX01", msgtrk.LogTransport, 1},
		{"org/EX01/MSGTRK20240101-2.LOG", "EX01", msgtrk.LogTransport, 2},
		{"org/EX01/MSGTRKMS20240101-1.LOG", "EX01", msgtrk.LogSubmission, 1},
		{"org/EX02/c$/Program Files/Microsoft/Exchange Server/V15/TransportRoles/Logs/MessageTracking/MSGTRKMD2024010110-1.LOG.gz", "EX02", msgtrk.LogDelivery, 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("FindFiles mismatch (-want +got):\n%s", diff)
	}

	m := msgtrk.NewMerger(inputs)
	var rows []string
	maxOpen := 0
	for m.Next() {
		rec := m.Record()
		rows = append(rows, fmt.Sprintf("%s %s %s %s", rec.Field(msgtrk.DateTime)[11:19], rec.Origin().Server, rec.Field(msgtrk.EventID), rec.Field(msgtrk.MessageID)))
		maxOpen = max(maxOpen, m.OpenFiles())
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	wantRows := []string{
		"09:59:59 EX01 SUBMIT a",
		"10:00:00 EX01 RECEIVE a",
		"10:00:03 EX01 SEND a",
		"10:00:04 EX02 DELIVER a",
		"10:00:05 EX01 RECEIVE b",
		"10:00:06 EX02 DELIVER b",
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("merged rows mismatch (-want +got):\n%s", diff)
	}
	// Three chains (EX01 transport, EX01 submission, EX02 delivery): the
	// two EX01 transport files are read one after the other.
	if maxOpen > 3 {
		t.Errorf("%d files open at once, want at most 3", maxOpen)
	}
	if st := m.Stats(); st.Records != 6 || st.Errors != 0 {
		t.Errorf("Stats = %+v", st)
	}
}

func TestMergerReportsUnreadableInput(t *testing.T) {
	boom := errors.New("permission denied")
	inputs := []msgtrk.Input{
		{Name: "bad", Open: func() (io.ReadCloser, error) { return nil, boom }},
		{Name: "good", Open: func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(logFile(t, "2024-01-01T10:00:00.000Z,RECEIVE,a", "oops"))), nil
		}},
	}
	m := msgtrk.NewMerger(inputs)
	n := 0
	for m.Next() {
		n++
	}
	err := m.Err()
	var pe *msgtrk.ParseError
	if n != 1 || !errors.Is(err, boom) || !errors.Is(err, msgtrk.ErrFieldCount) || !errors.As(err, &pe) || pe.File != "bad" {
		t.Errorf("rows %d, Err %v", n, err)
	}
}

func TestParseFileNameRejects(t *testing.T) {
	for _, name := range []string{"MSGTRK2024010-1.LOG", "MSGTRK20241301-1.LOG", "MSGTRK20240101-.LOG", "MSGTRK20240101-1.TXT", "SMTPSEND20240101-1.LOG", "MSGTRK2024010125-1.LOG"} {
		if fn, ok := msgtrk.ParseFileName(name); ok {
			t.Errorf("ParseFileName(%q) = %+v, true", name, fn)
		}
	}
	for _, name := range []string{"EX01MSGTRK20240101-1.LOG", "_MSGTRK20240101-1.LOG", "EX01_MSGTRKX20240101-1.LOG"} {
		if fn, ok := msgtrk.ParseFileName(name); ok {
			t.Errorf("ParseFileName(%q) = %+v, true", name, fn)
		}
	}
	fn, ok := msgtrk.ParseFileName(`C:\logs\MSGTRKMA2024022923-7.log`)
	if !ok || fn.Kind != msgtrk.LogApproval || !fn.Start.Equal(time.Date(2024, 2, 29, 23, 0, 0, 0, time.UTC)) || fn.Seq != 7 {
		t.Errorf("ParseFileName(MSGTRKMA…) = %+v, %v", fn, ok)
	}
}

func TestFindFilesSingleFile(t *testing.T) {
	fsys := fstest.MapFS{"any-name.csv": {Data: logFile(t, "2024-01-01T10:00:00.000Z,RECEIVE,a")}}
	inputs, err := msgtrk.FindFiles(fsys, "any-name.csv")
	if err != nil || len(inputs) != 1 {
		t.Fatalf("FindFiles = %v, %v", inputs, err)
	}
	if _, err := msgtrk.FindFiles(fsys, "missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing path: %v", err)
	}
}

func TestLoggingServer(t *testing.T) {
	fields := "date-time,client-hostname,server-hostname,source,event-id"
	tests := []struct{ row, want string }{
		{"t,remote.example,EX01,SMTP,RECEIVE", "EX01"},
		{"t,EX01,remote.example,SMTP,SEND", "EX01"},
		{"t,EX01,,STOREDRIVER,NOTIFYMAPI", "EX01"},
		{"t,EX01,EX02,STOREDRIVER,DELIVER", "EX01"},
		{"t,EX01,,STOREDRIVER,DELIVERFAIL", "EX01"},
		{"t,,EX01,ROUTING,RESOLVE", "EX01"},
		{"t,EX01,,AGENT,AGENTINFO", "EX01"},
	}
	for _, tt := range tests {
		rec := oneRecord(t, fields, tt.row)
		if got := string(msgtrk.LoggingServer(rec)); got != tt.want {
			t.Errorf("LoggingServer(%q) = %q, want %q", tt.row, got, tt.want)
		}
	}
}

func TestMergerDuplicateFileSideBySide(t *testing.T) {
	data := logFile(t, "2024-01-01T10:00:00.000Z,RECEIVE,a", "2024-01-01T10:00:01.000Z,SEND,a", "2024-01-01T11:00:00.000Z,RECEIVE,b")
	fsys := fstest.MapFS{
		"org/EX01/MSGTRK20240101-1.LOG":                 {Data: data},
		"org/EX01/MessageTracking/MSGTRK20240101-1.LOG": {Data: data},
	}
	inputs, err := msgtrk.FindFiles(fsys, "org")
	if err != nil || len(inputs) != 2 || inputs[0].Server != "EX01" || inputs[1].Server != "EX01" {
		t.Fatalf("FindFiles = %+v, %v", inputs, err)
	}
	m := msgtrk.NewMerger(inputs)
	var got []string
	for m.Next() {
		got = append(got, string(m.Record().Field(msgtrk.MessageID))+string(m.Record().Field(msgtrk.EventID)))
	}
	// The copy is read beside the original, so each row meets its twin.
	want := []string{"aRECEIVE", "aRECEIVE", "aSEND", "aSEND", "bRECEIVE", "bRECEIVE"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
}

// TestParseFileNameServerAndMailbox: 2007/2010 Mailbox role files
// (MSGTRKM, format.md §1.1) are logs of their own kind, and a server name
// before the prefix is kept as a hint (found by FindFiles and OpenPaths).
func TestParseFileNameServerAndMailbox(t *testing.T) {
	for _, tc := range []struct {
		name   string
		kind   msgtrk.LogKind
		server string
	}{
		{"MSGTRKM20100419-1.LOG", msgtrk.LogMailbox, ""},
		{"msgtrkm2010041912-3.log", msgtrk.LogMailbox, ""},
		{"EX01_MSGTRK20240304-1.LOG", msgtrk.LogTransport, "EX01"},
		{"ex01.corp.contoso.com-MSGTRKMS2024030408-1.LOG.gz", msgtrk.LogSubmission, "ex01.corp.contoso.com"},
		{"MBX 2 MSGTRKM20100419-1.LOG", msgtrk.LogMailbox, "MBX 2"},
	} {
		fn, ok := msgtrk.ParseFileName(tc.name)
		if !ok || fn.Kind != tc.kind || fn.Server != tc.server || fn.Seq < 1 {
			t.Errorf("ParseFileName(%q) = %+v, %v; want kind %v, server %q", tc.name, fn, ok, tc.kind, tc.server)
		}
	}
	fsys := fstest.MapFS{
		"logs/EX01_MSGTRK20240101-1.LOG":  {Data: logFile(t, "2024-01-01T10:00:00.000Z,RECEIVE,a")},
		"logs/EX02_MSGTRKM20240101-1.LOG": {Data: logFile(t, "2024-01-01T10:00:01.000Z,SUBMIT,a")},
		"mbx-a/EX03_MSGTRK20240101-1.LOG": {Data: logFile(t, "2024-01-01T10:00:02.000Z,RECEIVE,b")},
	}
	inputs, err := msgtrk.FindFiles(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range inputs {
		got = append(got, in.Server+" "+in.FileName.Kind.String())
	}
	if diff := cmp.Diff([]string{"EX01 MSGTRK", "EX02 MSGTRKM", "EX03 MSGTRK"}, got); diff != "" {
		t.Errorf("FindFiles servers (-want +got):\n%s", diff)
	}
}

// TestMaybeGzip: gzip is told by its first bytes, not by a name; a plain,
// an empty and a one-byte input come back as they are; a stream with gzip's
// magic but no valid header is an error, and the input is closed.
func TestMaybeGzip(t *testing.T) {
	plain := logFile(t, "2024-01-01T10:00:00.000Z,RECEIVE,a")
	for _, tc := range []struct {
		name    string
		in      []byte
		want    []byte
		wantErr bool
	}{
		{"gzip", gz(t, plain), plain, false},
		{"plain", plain, plain, false},
		{"empty", nil, nil, false},
		{"one byte", []byte{0x1f}, []byte{0x1f}, false},
		{"magic only", []byte{0x1f, 0x8b}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &closeCounter{Reader: bytes.NewReader(tc.in)}
			rc, err := msgtrk.MaybeGzip(src)
			if tc.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				if src.closed != 1 {
					t.Errorf("input closed %d times on error, want 1", src.closed)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("read %q, want %q", got, tc.want)
			}
			rc.Close()
			if src.closed != 1 {
				t.Errorf("input closed %d times, want 1", src.closed)
			}
		})
	}
}

type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

// TestMergerStatsAfterClose: the rows read from inputs still open when a
// Merger is closed early (a result limit reached) stay counted in Stats;
// they were dropped, and "mailtrace events -result-size 3" said that no
// row had been read and exited 1.
func TestMergerStatsAfterClose(t *testing.T) {
	data := logFile(t, "2024-01-01T10:00:00.000Z,RECEIVE,a", "2024-01-01T10:00:01.000Z,SEND,a", "2024-01-01T10:00:02.000Z,SEND,b")
	m := msgtrk.NewMerger([]msgtrk.Input{{Name: "one", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}})
	for range 2 {
		if !m.Next() {
			t.Fatal(m.Err())
		}
	}
	before := m.Stats()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if m.Next() {
		t.Error("Next after Close reports a row")
	}
	if after := m.Stats(); after != before || after.Records < 2 {
		t.Errorf("Stats after Close = %+v, before %+v", after, before)
	}
}
