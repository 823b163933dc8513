package msgtrk_test

import (
	"testing"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// cycleReader returns data over and over, forever.
type cycleReader struct {
	data []byte
	off  int
}

func (c *cycleReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], c.data[c.off:])
		n += k
		c.off = (c.off + k) % len(c.data)
	}
	return n, nil
}

// TestNoAllocs proves that reading a row and using it costs no allocation
// once the reader has warmed up: Next, field access (plain and quoted with
// doubled quotes), list iteration, recipient pairing, and the typed
// accessors for time, enums, integers, addresses and GUIDs.
func TestNoAllocs(t *testing.T) {
	// Cycle over the rows only: a header block re-read on every cycle
	// would allocate its strings (as it should, once per header).
	data := msgtrk.GenLog(200, 3)
	body := data[indexOf(data, "\n2024")+1:]
	r := msgtrk.NewReader(&cycleReader{data: body})
	r.Fields = msgtrk.Layout2016.FieldNames()
	// Warm up: read past the header and a few hundred rows so the buffers
	// have their final size.
	for i := 0; i < 1000; i++ {
		if !r.Next() {
			t.Fatal(r.Err())
		}
	}
	var ls msgtrk.ListScanner
	var rs msgtrk.RecipientScanner
	nmidName := []byte("Network-Message-Id")
	sink := 0
	checks := []struct {
		name string
		fn   func()
	}{
		{"Next", func() {
			if !r.Next() {
				t.Fatal(r.Err())
			}
		}},
		{"Next+Field", func() {
			r.Next()
			rec := r.Record()
			sink += len(rec.Field(msgtrk.MessageID)) + len(rec.Field(msgtrk.MessageSubject)) + len(rec.Raw(msgtrk.SourceContext)) + len(rec.Unescaped(msgtrk.MessageSubject))
		}},
		{"Next+by name", func() {
			r.Next()
			rec := r.Record()
			v, _ := rec.Lookup("message-subject")
			f, _ := msgtrk.LookupField(nmidName)
			line, col := rec.FieldPos(f)
			sink += len(v) + int(f) + int(line) + col + len(rec.Column(3))
		}},
		{"Next+lists", func() {
			r.Next()
			rec := r.Record()
			rec.List(msgtrk.CustomData, &ls)
			for ls.Next() {
				sink += len(ls.Bytes()) + len(ls.Raw())
			}
			rs.Init(rec)
			for rs.Next() {
				sink += len(rs.Address()) + len(rs.Status())
			}
		}},
		{"Next+typed", func() {
			r.Next()
			rec := r.Record()
			tm, err := rec.Time()
			if err != nil {
				t.Fatal(err)
			}
			sink += tm.Second()
			sink += int(rec.EventType()) + int(rec.SourceType()) + int(rec.Direction())
			n, err := rec.Int(msgtrk.TotalBytes)
			if err != nil {
				t.Fatal(err)
			}
			sink += int(n)
			a, err := rec.Addr(msgtrk.ClientIP)
			if err != nil {
				t.Fatal(err)
			}
			sink += int(a.BitLen())
			g, err := rec.GUID(msgtrk.NetworkMessageID)
			if err != nil {
				t.Fatal(err)
			}
			sink += int(g[0])
		}},
	}
	for _, c := range checks {
		// AllocsPerRun rounds down, so measure 100 rows per run: a
		// single allocation in 100 rows shows.
		if n := testing.AllocsPerRun(50, func() {
			for i := 0; i < 100; i++ {
				c.fn()
			}
		}); n != 0 {
			t.Errorf("%s: %v allocs per 100 rows, want 0", c.name, n)
		}
	}
	// A quoted value with doubled quotes is unescaped into the record's
	// scratch buffer, also without allocating once it has grown.
	q := []byte("#Fields: date-time,message-subject\r\nt,\"say \"\"hi\"\", ok\"\r\n")
	qr := msgtrk.NewReader(&cycleReader{data: q[len("#Fields: date-time,message-subject\r\n"):]})
	qr.Fields = []string{"date-time", "message-subject"}
	qr.Next()
	if n := testing.AllocsPerRun(50, func() {
		for i := 0; i < 100; i++ {
			qr.Next()
			sink += len(qr.Record().Field(msgtrk.MessageSubject))
		}
	}); n != 0 {
		t.Errorf("quoted field: %v allocs per 100 rows, want 0", n)
	}
	if got := string(qr.Record().Field(msgtrk.MessageSubject)); got != `say "hi", ok` {
		t.Errorf("quoted field = %q", got)
	}
	// The range-over-func sugar costs nothing either.
	if n := testing.AllocsPerRun(50, func() { sink += rangeRows(r, 100) }); n != 0 {
		t.Errorf("All(): %v allocs per 100 rows, want 0", n)
	}
	if sink == 0 {
		t.Error("nothing was read")
	}
}

func indexOf(b []byte, s string) int {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return i
		}
	}
	return -1
}

// rangeRows ranges over r.All() for n rows.
func rangeRows(r *msgtrk.Reader, n int) int {
	i, total := 0, 0
	for rec := range r.All() {
		total += len(rec.Field(msgtrk.EventID))
		if i++; i == n {
			break
		}
	}
	return total
}
