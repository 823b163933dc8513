package correlate

import (
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// TestNoAllocsInternal checks the "does not allocate" claims of the
// Tracker's internal lookups: a key of an open trace (lookupKey), a row of
// an input and server already seen (observe), a server name already seen
// (short); and that reading a row's facts (RowFacts.Read) into a
// RowFacts already used does not allocate.
func TestNoAllocsInternal(t *testing.T) {
	const log = "#Fields: date-time,server-hostname,source,event-id,message-id,network-message-id,recipient-address\r\n" +
		"2024-05-06T10:00:00.000Z,EX1.contoso.com,SMTP,RECEIVE,<a@contoso.com>,0d6a4f1e-2b3c-4d5e-8f90-08dc6d5f0b02,bob@contoso.com\r\n"
	tk, err := New(Options{OnTrace: func(*Trace) {}})
	if err != nil {
		t.Fatal(err)
	}
	r := msgtrk.NewReaderBytes([]byte(log))
	if !r.Next() {
		t.Fatal(r.Err())
	}
	tk.Add(r.Record())
	if tk.byKey.n == 0 {
		t.Fatal("the row opened no trace")
	}
	var keys []string
	for _, s := range tk.byKey.slots {
		if s.tr != nil {
			keys = append(keys, s.tr.key)
			keys = append(keys, s.tr.otherKeys()...)
		}
	}
	for _, k := range keys {
		b := []byte(k) // not the trace's string: lookupKey must find it
		h := hashBytes(spaceKey, b)
		if tk.lookupKey(b, h).tr == nil {
			t.Fatalf("lookupKey(%q) found no trace", b)
		}
		if n := testing.AllocsPerRun(100, func() { tk.lookupKey(b, h) }); n != 0 {
			t.Errorf("lookupKey of an open trace's key %q: %v allocs, want 0", b, n)
		}
	}
	rec := r.Record()
	var facts RowFacts
	facts.Read(rec)
	if n := testing.AllocsPerRun(100, func() { facts.Read(rec) }); n != 0 {
		t.Errorf("RowFacts.Read of a RECEIVE: %v allocs, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() {
		tk.org.observe(rec, facts.etype, facts.source, facts.localShort(), facts.speltHost(), true)
	}); n != 0 {
		t.Errorf("observe of a row of a known input and server: %v allocs, want 0", n)
	}
	if f, local := tk.org.observe(rec, facts.etype, facts.source, facts.localShort(), facts.speltHost(), false); f < 0 || local != "ex1" || tk.org.shortOf(f, local) != "ex1" {
		t.Errorf("observe: file %d, local %q", f, local)
	}
	tk.short("EX1.contoso.com")
	if n := testing.AllocsPerRun(100, func() { tk.short("EX1.contoso.com") }); n != 0 {
		t.Errorf("short of a known server: %v allocs, want 0", n)
	}

	// A DEFER's facts hold its retry time (format.md §7.4), read without
	// allocating.
	const deferLog = "#Fields: date-time,client-hostname,source,event-id,message-id,network-message-id,recipient-address,message-info\r\n" +
		"2024-05-06T10:00:05.000Z,EX1,SMTP,DEFER,<a@contoso.com>,0d6a4f1e-2b3c-4d5e-8f90-08dc6d5f0b02,bob@fabrikam.net,2024-05-06T10:20:05.000Z\r\n"
	r = msgtrk.NewReaderBytes([]byte(deferLog))
	if !r.Next() {
		t.Fatal(r.Err())
	}
	rec = r.Record()
	facts.Read(rec)
	if facts.retryAfter != 20*time.Minute {
		t.Errorf("RowFacts.Read of a DEFER: retryAfter %v, want 20m", facts.retryAfter)
	}
	if n := testing.AllocsPerRun(100, func() { facts.Read(rec) }); n != 0 {
		t.Errorf("RowFacts.Read of a DEFER: %v allocs, want 0", n)
	}
}
