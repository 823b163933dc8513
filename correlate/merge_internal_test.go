package correlate

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// TestMergedMessageIDsForgotten: when two open traces of different
// message-ids are merged (as when a row ties them), both message-ids lead
// to the survivor, and both are forgotten from the open index when it is
// emitted (and remembered as recent): none is left pointing at a record
// that a later trace reuses.
func TestMergedMessageIDsForgotten(t *testing.T) {
	var log strings.Builder
	w := msgtrk.NewWriter(&log)
	w.WriteHeader(msgtrk.Header{Version: "15.02.1544.004"})
	for i, mid := range []string{"<a@contoso.com>", "<b@contoso.com>", "<c@contoso.com>"} {
		var e msgtrk.Event
		e.SetTime(time.Date(2024, 5, 6, 10, 0, i, 0, time.UTC))
		e.Set(msgtrk.ServerHostname, "EX01")
		e.Set(msgtrk.Source, "SMTP")
		e.Set(msgtrk.EventID, "RECEIVE")
		e.Set(msgtrk.NetworkMessageID, fmt.Sprintf("%08d-4d5e-4f60-8a7b-08dc6d5f0b02", i))
		e.Set(msgtrk.MessageID, mid)
		e.Set(msgtrk.RecipientAddress, "bob@contoso.com")
		w.WriteEvent(&e)
	}
	w.Flush()

	var keys []string
	tk, err := New(Options{Window: time.Hour, OnTrace: func(tr *Trace) { keys = append(keys, tr.Key) }})
	if err != nil {
		t.Fatal(err)
	}
	rd := msgtrk.NewReaderBytes([]byte(log.String()))
	var open []*trace
	for rd.Next() {
		tk.facts.Read(rd.Record())
		open = append(open, tk.add(rd.Record(), &tk.facts))
	}
	if len(open) != 3 || tk.byMsgID.n != 3 {
		t.Fatalf("%d traces, %d message-ids open, want 3 and 3", len(open), tk.byMsgID.n)
	}
	// c into b, then b into a: a chain of merges.
	bc := tk.merge(open[1], open[2])
	abc := tk.merge(open[0], bc)
	for _, mid := range []string{"<a@contoso.com>", "<b@contoso.com>", "<c@contoso.com>"} {
		if got := tk.byMsgID.get(hashOf(spaceMsgID, mid)); got != abc {
			t.Errorf("%s leads to %p, want the merged trace %p", mid, got, abc)
		}
	}
	tk.Flush()
	if len(keys) != 1 {
		t.Fatalf("%d traces emitted, want 1", len(keys))
	}
	if tk.byMsgID.n != 0 {
		t.Errorf("%d message-ids still lead to an open trace after the last was emitted", tk.byMsgID.n)
	}
	for _, mid := range []string{"<a@contoso.com>", "<b@contoso.com>", "<c@contoso.com>"} {
		if k := tk.keyOfMessageID(mid); k != keys[0] {
			t.Errorf("%s: key %q, want the emitted trace's %q", mid, k, keys[0])
		}
	}
}
