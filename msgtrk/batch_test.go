package msgtrk_test

import (
	"strings"
	"testing"

	"github.com/mailtrace/mailtrace/msgtrk"
)

func TestBatch(t *testing.T) {
	r := msgtrk.NewReader(strings.NewReader(hdr3 + "t1,m1,s1\r\nt2,m2,\"a, \"\"b\"\"\"\r\nt3,m3,s3\r\n"))
	r.Name = "f.log"
	var b msgtrk.Batch
	for r.Next() {
		b.Append(r.Record())
	}
	if b.Len() != 3 {
		t.Fatalf("Len = %d", b.Len())
	}
	want := []string{"s1", `a, "b"`, "s3"}
	for i, w := range want {
		rec := b.Record(i)
		if got := string(rec.Field(msgtrk.MessageSubject)); got != w {
			t.Errorf("row %d subject = %q, want %q", i, got, w)
		}
		if rec.LineNumber() != int64(6+i) || rec.Origin().File != "f.log" {
			t.Errorf("row %d at %s:%d", i, rec.Origin().File, rec.LineNumber())
		}
	}
	b.Reset()
	if b.Len() != 0 || b.Bytes() != 0 {
		t.Errorf("after Reset: %d rows, %d bytes", b.Len(), b.Bytes())
	}
	// Appending a warm batch allocates nothing.
	r = msgtrk.NewReader(&cycleReader{data: []byte("t,m,\"x,y\"\r\n")})
	r.Fields = []string{"date-time", "message-id", "message-subject"}
	for i := 0; i < 2000; i++ {
		r.Next()
		b.Append(r.Record())
	}
	b.Reset()
	if n := testing.AllocsPerRun(10, func() {
		for i := 0; i < 1000; i++ {
			r.Next()
			b.Append(r.Record())
		}
		for i := 0; i < b.Len(); i++ {
			_ = b.Record(i).Field(msgtrk.MessageSubject)
		}
		b.Reset()
	}); n != 0 {
		t.Errorf("Append/Record: %v allocs per 1000 rows", n)
	}
}

// TestOriginOutlivesReset: a row copied into a Batch (or cloned) keeps
// the Origin of the input it was read from after its Reader is Reset to
// read another input, as a Merger does with the reader of a finished
// file. The Reader used to overwrite one Origin in place, so that rows
// held in a batch named the next file.
func TestOriginOutlivesReset(t *testing.T) {
	r := msgtrk.NewReader(strings.NewReader(hdr3 + "t1,m1,s1\r\n"))
	r.Name, r.Server = "a.log", "EX1"
	var b msgtrk.Batch
	var clone *msgtrk.Record
	for r.Next() {
		b.Append(r.Record())
		clone = r.Record().Clone()
	}
	r.Name, r.Server = "b.log", "EX2"
	r.Reset(strings.NewReader(hdr3 + "t2,m2,s2\r\n"))
	for r.Next() {
		if o := r.Record().Origin(); o.File != "b.log" || o.Server != "EX2" {
			t.Errorf("new input's row: Origin %+v", *o)
		}
	}
	if o := b.Record(0).Origin(); o.File != "a.log" || o.Server != "EX1" {
		t.Errorf("batched row after Reset: Origin %+v, want a.log on EX1", *o)
	}
	if o := clone.Origin(); o.File != "a.log" || o.Server != "EX1" {
		t.Errorf("cloned row after Reset: Origin %+v, want a.log on EX1", *o)
	}
}
