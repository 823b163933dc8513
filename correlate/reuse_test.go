package correlate_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// TestDuplicatesAcrossReusedBuffers: the same log collected twice, with a
// message that opens only after an earlier one was emitted (so its trace
// gets that trace's buffers). Every row of the second copy is a duplicate,
// the first row of the later message included; no trace counts a row twice.
func TestDuplicatesAcrossReusedBuffers(t *testing.T) {
	const log = "#Fields: date-time,server-hostname,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,log-id\r\n" +
		"2024-05-06T10:00:00.000Z,EX1,SMTP,RECEIVE,1,<a@contoso.com>,11111111-2b3c-4d5e-8f90-08dc6d5f0b02,bob@contoso.com,00000000-0000-0000-0000-000000000001\r\n" +
		"2024-05-06T10:00:01.000Z,EX1,STOREDRIVER,DELIVER,1,<a@contoso.com>,11111111-2b3c-4d5e-8f90-08dc6d5f0b02,bob@contoso.com,00000000-0000-0000-0000-000000000002\r\n" +
		// A row of another message: by its time the first trace is emitted.
		"2024-05-06T10:05:00.000Z,EX1,SMTP,RECEIVE,3,<c@contoso.com>,33333333-2b3c-4d5e-8f90-08dc6d5f0b02,bob@contoso.com,00000000-0000-0000-0000-000000000005\r\n" +
		"2024-05-06T10:10:00.000Z,EX1,SMTP,RECEIVE,2,<b@contoso.com>,22222222-2b3c-4d5e-8f90-08dc6d5f0b02,bob@contoso.com,00000000-0000-0000-0000-000000000003\r\n" +
		"2024-05-06T10:10:01.000Z,EX1,STOREDRIVER,DELIVER,2,<b@contoso.com>,22222222-2b3c-4d5e-8f90-08dc6d5f0b02,bob@contoso.com,00000000-0000-0000-0000-000000000004\r\n"
	input := func(name string) msgtrk.Input {
		return msgtrk.Input{Name: name, Server: "EX1", Open: func() (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader(log)), nil
		}}
	}
	var traces []*correlate.Trace
	tk, err := correlate.New(correlate.Options{Window: time.Minute, OnTrace: func(tr *correlate.Trace) { traces = append(traces, tr) }})
	if err != nil {
		t.Fatal(err)
	}
	m := msgtrk.NewMerger([]msgtrk.Input{input("first/MSGTRK20240506-1.LOG"), input("second/MSGTRK20240506-1.LOG")})
	for m.Next() {
		rec := m.Record()
		tk.Add(rec)
		if tm, err := rec.Time(); err == nil {
			tk.Advance(tm)
		}
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	tk.Flush()
	want := map[string]int{ // rows of each message
		"11111111-2b3c-4d5e-8f90-08dc6d5f0b02": 2,
		"33333333-2b3c-4d5e-8f90-08dc6d5f0b02": 1,
		"22222222-2b3c-4d5e-8f90-08dc6d5f0b02": 2,
	}
	if len(traces) != len(want) {
		t.Fatalf("%d traces, want %d", len(traces), len(want))
	}
	for _, tr := range traces {
		if tr.Events != want[tr.Key] {
			t.Errorf("trace %s: %d events, want %d (each row once)", tr.Key, tr.Events, want[tr.Key])
		}
	}
	if st := tk.Stats(); st.DuplicateRows != 5 {
		t.Errorf("%d duplicate rows, want 5 (the second copy)", st.DuplicateRows)
	}
}
