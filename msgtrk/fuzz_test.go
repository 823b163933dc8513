package msgtrk_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mailtrace/mailtrace/msgtrk"
)

func addRealSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "real", "*.log"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(hdr3 + "t,m1,s\r\nbad\r\n\"t,m2,s\r\nt,m\x003,s\r\nt,m4,s"))
	f.Add([]byte("\uFEFF" + hdr3 + "t,\"a,\"\"b\"\"\",s\r\n\uFEFF#Fields: date-time\r\nx\r\n"))
}

// FuzzReader feeds arbitrary bytes to the Reader. It must not panic or
// hang; every line must land in exactly one of rows, directives, blank lines
// and errors; every row's columns must lie inside its line in order; rows
// must come in increasing offset order; and a small MaxLineBytes must hold.
func FuzzReader(f *testing.F) {
	addRealSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, max := range []int{0, 64} {
			r := msgtrk.NewReader(bytes.NewReader(data))
			r.MaxLineBytes = max
			r.Fields = msgtrk.Layout2016.FieldNames()
			nerr := 0
			r.ErrorHandler = func(e *msgtrk.ParseError) {
				nerr++
				if e.Line < 1 || e.Column < 1 || e.Offset < 0 || e.Offset > int64(len(data)) {
					t.Fatalf("bad error position %+v", e)
				}
			}
			lastOff := int64(-1)
			for r.Next() {
				rec := r.Record()
				if rec.InputOffset() <= lastOff {
					t.Fatalf("row offset %d after %d", rec.InputOffset(), lastOff)
				}
				lastOff = rec.InputOffset()
				line := rec.Line()
				if max > 0 && len(line) > max {
					t.Fatalf("row of %d bytes with MaxLineBytes %d", len(line), max)
				}
				if !utf8.Valid(line) || bytes.IndexByte(line, 0) >= 0 {
					t.Fatalf("row with invalid UTF-8 or NUL: %q", line)
				}
				for i := 0; i < rec.NumColumns(); i++ {
					v := rec.Column(i)
					if len(v) > len(line) {
						t.Fatalf("column %d longer than its line", i)
					}
				}
				rec.Time()
				rec.Addr(msgtrk.ClientIP)
				var s msgtrk.RecipientScanner
				s.Init(rec)
				for s.Next() {
				}
			}
			if err := r.Err(); err != nil {
				t.Fatalf("Err() = %v with an ErrorHandler set", err)
			}
			st := r.Stats()
			if st.Lines != st.Records+st.Directives+st.Blank+st.Errors || int(st.Errors) != nerr {
				t.Fatalf("lines not accounted for: %+v, handler saw %d", st, nerr)
			}
			if st.Bytes != int64(len(data)) {
				t.Fatalf("consumed %d bytes of %d", st.Bytes, len(data))
			}
			if want := int64(bytes.Count(data, []byte{'\n'})); st.Lines != want && st.Lines != want+1 {
				t.Fatalf("%d lines counted, input has %d line endings", st.Lines, want)
			}
		}
	})
}

// FuzzFieldRoundTrip: any valid UTF-8 text without NUL, written as a field
// by the Writer, reads back through Field as format.md §3.1 escapes it
// (logEscape), and unchanged through Unescaped when the format can tell
// (readsBack).
func FuzzFieldRoundTrip(f *testing.F) {
	for _, s := range []string{"", "a,b", `say "hi"`, "two\r\nlines", `C:\new\path`, `\\server\share`, `back\`, "#hash", "\uFEFFbom", "x;y'z"} {
		f.Add(s, "other")
	}
	f.Fuzz(func(t *testing.T, first, second string) {
		if !utf8.ValidString(first) || !utf8.ValidString(second) || strings.IndexByte(first, 0) >= 0 || strings.IndexByte(second, 0) >= 0 {
			return
		}
		var buf bytes.Buffer
		w := msgtrk.NewWriter(&buf)
		w.WriteHeader(msgtrk.Header{Fields: []string{"message-subject", "source-context"}})
		var e msgtrk.Event
		e.Set(msgtrk.MessageSubject, first)
		e.Set(msgtrk.SourceContext, second)
		if err := w.WriteEvent(&e); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		r := msgtrk.NewReader(&buf)
		if !r.Next() {
			t.Fatalf("row of %q, %q not read back: %v", first, second, r.Err())
		}
		rec := r.Record()
		for _, c := range []struct {
			f msgtrk.Field
			v string
		}{{msgtrk.MessageSubject, first}, {msgtrk.SourceContext, second}} {
			if got := string(rec.Field(c.f)); got != logEscape(c.v) {
				t.Fatalf("%v: wrote %q, read %q, want %q", c.f, c.v, got, logEscape(c.v))
			}
			if got := string(rec.Unescaped(c.f)); readsBack(c.v) && got != c.v {
				t.Fatalf("%v: wrote %q, unescaped %q", c.f, c.v, got)
			}
		}
		if r.Next() || r.Err() != nil {
			t.Fatalf("extra row or error: %v", r.Err())
		}
	})
}
