package msgtrktest

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// TestRenderMatchesWriter checks that appendRow writes every row exactly
// as msgtrk.Writer.WriteEvent does, in every layout the simulator writes.
func TestRenderMatchesWriter(t *testing.T) {
	for _, v := range []Version{V2007, V2010, V2013, V2016} {
		fsys, _, _ := mustRun(t, Config{Seed: 21, Messages: 80, Version: v})
		rows := readRows(t, fsys, nil, false)
		var want bytes.Buffer
		w := msgtrk.NewWriter(&want)
		w.OmitBOM = true
		w.WriteHeader(msgtrk.Header{Fields: v.Layout().FieldNames()})
		w.Flush()
		hdr := want.Len()
		var got []byte
		for i := range rows {
			w.WriteEvent(&rows[i].Ev)
			got = appendRow(got, &rows[i].Ev, v.Layout().Fields())
		}
		w.Flush()
		if !bytes.Equal(want.Bytes()[hdr:], got) {
			t.Errorf("%v: appendRow and msgtrk.Writer differ", v)
		}
		// And the files hold exactly those bytes after their header.
		for p, f := range fsys {
			if !bytes.HasPrefix(f.Data, []byte("\uFEFF#Software: Microsoft Exchange Server\r\n#Version: "+v.Build()+"\r\n#Log-type: Message Tracking Log\r\n#Date: ")) {
				t.Errorf("%s: header %q", p, f.Data[:min(len(f.Data), 120)])
			}
		}
	}
	// Values that need quoting and escaping.
	var e msgtrk.Event
	e.Fields[msgtrk.MessageSubject] = "a, \"b\"\r\nc\\n"
	e.Fields[msgtrk.SourceContext] = `x\y`
	var want bytes.Buffer
	w := msgtrk.NewWriter(&want)
	w.OmitBOM = true
	w.WriteHeader(msgtrk.Header{})
	w.Flush()
	hdr := want.Len()
	w.WriteEvent(&e)
	w.Flush()
	if got := appendRow(nil, &e, msgtrk.Layout2016.Fields()); !bytes.Equal(got, want.Bytes()[hdr:]) {
		t.Errorf("appendRow = %q, Writer = %q", got, want.Bytes()[hdr:])
	}
}

func TestAppendMS(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []int64{0, -1, 86400000 - 1, 951782400000, 4102444799999, -62135596800000, 253402300799999}
	for i := 0; i < 10000; i++ {
		cases = append(cases, rng.Int64N(253402300799999+62135596800000)-62135596800000)
	}
	for _, ms := range cases {
		want := string(msgtrk.AppendTime(nil, time.UnixMilli(ms)))
		if got := string(appendMS(nil, ms)); got != want {
			t.Fatalf("appendMS(%d) = %s, msgtrk.AppendTime = %s", ms, got, want)
		}
	}
}

func TestNoAllocs(t *testing.T) {
	var e msgtrk.Event
	for f := range e.Fields {
		e.Fields[f] = "value, with \"quotes\""
	}
	cols := msgtrk.Layout2016.Fields()
	buf := make([]byte, 0, 4096)
	tests := map[string]func(){
		"appendRow": func() { buf = appendRow(buf[:0], &e, cols) },
		"appendMS":  func() { buf = appendMS(buf[:0], 1709539200123) },
		"appendSec": func() { buf = appendSec(buf[:0], 123456) },
	}
	for name, f := range tests {
		if n := testing.AllocsPerRun(1000, f); n != 0 {
			t.Errorf("%s: %v allocations, want 0", name, n)
		}
	}
}
