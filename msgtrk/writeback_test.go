package msgtrk_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// TestWriteRecordBytes: every row of the real logs in testdata/real and of
// the sample organisation, written back with WriteRecord under its own
// header, comes out byte for byte as it was read (Exchange quotes a field
// only when it must, and so does the Writer).
func TestWriteRecordBytes(t *testing.T) {
	var files []string
	real, err := filepath.Glob("../testdata/real/*.log")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, real...)
	err = filepath.WalkDir("../testdata/sample-org", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".LOG") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(real) < 5 || len(files) < len(real)+4 {
		t.Fatalf("found %d real logs and %d files in all", len(real), len(files))
	}
	rows := 0
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		r := msgtrk.NewReaderBytes(data)
		r.ErrorHandler = func(*msgtrk.ParseError) {} // damaged lines are other tests' business
		var out bytes.Buffer
		w := msgtrk.NewWriter(&out)
		var fields []string
		for r.Next() {
			rec := r.Record()
			if h := r.Header(); !slices.Equal(h.Fields, fields) {
				fields = h.Fields
				if err := w.WriteHeader(h); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			out.Reset()
			if err := w.WriteRecord(rec); err != nil {
				t.Fatalf("%s:%d: %v", name, rec.LineNumber(), err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			got := bytes.TrimRight(out.Bytes(), "\r\n")
			if want := bytes.TrimRight(rec.Line(), "\r\n"); !bytes.Equal(got, want) {
				t.Errorf("%s:%d written back as\n%q\nwant\n%q", name, rec.LineNumber(), got, want)
			}
			rows++
		}
	}
	t.Logf("%d rows of %d files written back", rows, len(files))
}

// TestTimePerRow: Record.Time parses each row's date-time once and never
// returns another row's, through a Reader and through a Batch's reused view.
func TestTimePerRow(t *testing.T) {
	in := "#Fields: date-time,event-id\r\n" +
		"2024-01-25T15:16:09.949Z,RECEIVE\r\n" +
		"not a time,SEND\r\n" +
		"2024-01-25T15:16:11.000Z,DELIVER\r\n"
	want := []string{"2024-01-25T15:16:09.949Z", "error", "2024-01-25T15:16:11Z"}
	show := func(rec *msgtrk.Record) string {
		tm, err := rec.Time()
		if err != nil {
			return "error"
		}
		return tm.Format(time.RFC3339Nano)
	}
	r := msgtrk.NewReaderBytes([]byte(in))
	var b, unparsed msgtrk.Batch
	var clones []*msgtrk.Record
	for i := 0; r.Next(); i++ {
		rec := r.Record()
		unparsed.Append(rec) // before Time: the copy parses it itself
		if got := show(rec); got != want[i] {
			t.Errorf("row %d: Time %s, want %s", i, got, want[i])
		}
		if got := show(rec); got != want[i] {
			t.Errorf("row %d, second call: Time %s, want %s", i, got, want[i])
		}
		b.Append(rec) // after Time: the copy keeps the parsed time
		clones = append(clones, rec.Clone())
	}
	for _, i := range []int{2, 0, 1, 2, 1, 0} {
		if got := show(b.Record(i)); got != want[i] {
			t.Errorf("batch row %d: Time %s, want %s", i, got, want[i])
		}
		if got := show(unparsed.Record(i)); got != want[i] {
			t.Errorf("batch row %d appended before Time: Time %s, want %s", i, got, want[i])
		}
		if got := show(clones[i]); got != want[i] {
			t.Errorf("clone of row %d: Time %s, want %s", i, got, want[i])
		}
	}
}

// TestAppendRowMatchesWriter: AppendRow escapes a row exactly as WriteEvent
// does, including the first value that would read as a directive, a byte
// order mark or a blank line, and the row reads back with its values.
func TestAppendRowMatchesWriter(t *testing.T) {
	for _, vals := range [][]string{
		{"2024-01-01T00:00:00.000Z", "a,b", `say "hi"`, "line1\nline2", `C:\new`},
		{"2024-01-01T00:00:00.000Z", `\\fs01\scans`, `C:\temp\`, "", ""},
		{"#not a directive", "x", "", "", ""},
		{"\uFEFFbom", "x", "", "", ""},
		{""},
		{"#"},
	} {
		names := []string{"date-time", "message-id", "message-subject", "source-context", "custom-data"}[:len(vals)]
		var b bytes.Buffer
		w := msgtrk.NewWriter(&b)
		w.OmitBOM = true
		if err := w.WriteHeader(msgtrk.Header{Fields: names}); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		hdr := b.Len()
		var e msgtrk.Event
		for i, name := range names {
			e.Set(mustField(t, name), vals[i])
		}
		if err := w.WriteEvent(&e); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		want := strings.TrimSuffix(b.String()[hdr:], "\r\n")
		if got := string(msgtrk.AppendRow(nil, vals)); got != want {
			t.Errorf("AppendRow(%q) = %q, WriteEvent wrote %q", vals, got, want)
		}
		r := msgtrk.NewReaderBytes(b.Bytes())
		if !r.Next() {
			t.Fatalf("AppendRow(%q): row not read back: %v", vals, r.Err())
		}
		for i := range vals {
			f := mustField(t, names[i])
			if got := string(r.Record().Field(f)); got != logEscape(vals[i]) {
				t.Errorf("AppendRow(%q): column %d reads back as %q, want %q", vals, i, got, logEscape(vals[i]))
			}
			if got := string(r.Record().Unescaped(f)); readsBack(vals[i]) && got != vals[i] {
				t.Errorf("AppendRow(%q): column %d unescapes to %q", vals, i, got)
			}
		}
	}
}

func mustField(t *testing.T, name string) msgtrk.Field {
	t.Helper()
	f, ok := msgtrk.LookupField([]byte(name))
	if !ok {
		t.Fatalf("no field %q", name)
	}
	return f
}

// TestWriterEscapesAsExchange: the Writer writes what Exchange writes
// (format.md §3.1, §3.2): a list member holding an apostrophe, a ';' or a
// line break is apostrophe-quoted with its apostrophes doubled, line breaks
// become \r and \n, and a backslash is written as it is.
func TestWriterEscapesAsExchange(t *testing.T) {
	var b bytes.Buffer
	w := msgtrk.NewWriter(&b)
	w.OmitBOM = true
	names := []string{"recipient-address", "recipient-status", "message-subject"}
	if err := w.WriteHeader(msgtrk.Header{Fields: names}); err != nil {
		t.Fatal(err)
	}
	var e msgtrk.Event
	e.SetList(msgtrk.RecipientAddress, []string{"o'brien@x.test", "b@x.test"})
	e.SetList(msgtrk.RecipientStatus, []string{"line1\r\nline2", "250 OK"})
	e.Set(msgtrk.MessageSubject, `C:\new folder \\fs01\scans`)
	if err := w.WriteEvent(&e); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	_, row, _ := strings.Cut(b.String(), "message-subject\r\n")
	if want := `'o''brien@x.test';b@x.test,'line1\r\nline2';250 OK,C:\new folder \\fs01\scans` + "\r\n"; row != want {
		t.Errorf("row %q, want %q", row, want)
	}
}
