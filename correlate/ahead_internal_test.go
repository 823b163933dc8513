package correlate

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// TestAheadBatchBytes: a batch of traces handed to the building goroutine
// is closed once its traces hold aheadBatchBytes, not only at
// aheadBatchTraces traces or aheadBatchRows rows: 200 one-row messages of
// 16 KiB each (a long subject) go in batches of at most 65 traces, where
// the counts of traces and rows alone would have let one batch hold them
// all.
func TestAheadBatchBytes(t *testing.T) {
	var b bytes.Buffer
	w := msgtrk.NewWriter(&b)
	w.WriteHeader(msgtrk.Header{Version: "15.02.1544.004"})
	subject := strings.Repeat("x", 16<<10)
	for i := range 200 {
		var e msgtrk.Event
		e.SetTime(msgtrktest.BurstStart.Add(time.Duration(i) * time.Second))
		e.Set(msgtrk.ServerHostname, "EX01")
		e.Set(msgtrk.Source, "SMTP")
		e.Set(msgtrk.EventID, "RECEIVE")
		e.Set(msgtrk.NetworkMessageID, fmt.Sprintf("%08d-4d5e-4f60-8a7b-08dc6d5f0b02", i))
		e.Set(msgtrk.MessageID, fmt.Sprintf("<%d@contoso.com>", i))
		e.Set(msgtrk.MessageSubject, subject)
		e.Set(msgtrk.RecipientAddress, "bob@contoso.com")
		w.WriteEvent(&e)
	}
	w.Flush()
	handed := 0
	tk, err := New(Options{BuildAhead: true, MaxOpenTraces: 1, OnTrace: func(*Trace) { handed++ }})
	if err != nil {
		t.Fatal(err)
	}
	most := 0
	rd := msgtrk.NewReaderBytes(b.Bytes())
	for rd.Next() {
		tk.Add(rd.Record())
		if c := tk.ahead.cur; c != nil {
			most = max(most, len(c.jobs))
		}
	}
	tk.Flush()
	if handed != 200 {
		t.Errorf("%d traces handed over, want 200", handed)
	}
	if want := aheadBatchBytes/(16<<10) + 1; most > want || most < want/2 {
		t.Errorf("a batch held up to %d traces of 16 KiB; want about %d (closed at %d bytes)", most, want, aheadBatchBytes)
	}
}
