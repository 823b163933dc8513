package correlate_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// streamInputs returns one input holding log.
func streamInput(log string) []msgtrk.Input {
	return []msgtrk.Input{{Name: "stream", Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(log)), nil }}}
}

// TestRunSameAsLoop: Run emits the traces a hand-written merge, add, advance
// and flush loop emits, in the same order with the same reasons.
func TestRunSameAsLoop(t *testing.T) {
	inputs, err := msgtrk.OpenPaths("testdata/cases")
	if err != nil {
		t.Fatal(err)
	}
	var byRun, byLoop []string
	key := func(tr *correlate.Trace) string { return tr.Key + " " + tr.Reason.String() }
	if _, err := correlate.Run(context.Background(), inputs, correlate.Options{OnTrace: func(tr *correlate.Trace) { byRun = append(byRun, key(tr)) }}); err != nil {
		t.Fatal(err)
	}
	tk, err := correlate.New(correlate.Options{OnTrace: func(tr *correlate.Trace) { byLoop = append(byLoop, key(tr)) }})
	if err != nil {
		t.Fatal(err)
	}
	m := msgtrk.NewMerger(inputs)
	var last time.Time
	for m.Next() {
		tk.Add(m.Record())
		if ts, err := m.Record().Time(); err == nil {
			tk.Advance(ts)
			last = ts
		}
	}
	tk.Advance(last.Add(correlate.DefaultWindow + time.Millisecond))
	tk.Flush()
	if diff := cmp.Diff(byLoop, byRun); diff != "" {
		t.Errorf("Run mismatch (-loop +run):\n%s", diff)
	}
	if len(byRun) < 6 {
		t.Errorf("%d traces, want the 6 of testdata/cases", len(byRun))
	}
}

// TestRunMalformedLines: a malformed line is returned as an ErrorList at the
// end, and the good rows around it still make their trace.
func TestRunMalformedLines(t *testing.T) {
	log := "#Fields: date-time,event-id,network-message-id,recipient-address,source\r\n" +
		"2024-01-01T00:00:00.000Z,RECEIVE,6a638d20-1e63-493a-80a2-08da9a4ff8da,a@x,SMTP\r\n" +
		"bad,row\r\n" +
		"2024-01-01T00:00:01.000Z,SENDEXTERNAL,6a638d20-1e63-493a-80a2-08da9a4ff8da,a@x,SMTP\r\n"
	var traces []*correlate.Trace
	st, err := correlate.Run(context.Background(), streamInput(log), correlate.Options{OnTrace: func(tr *correlate.Trace) { traces = append(traces, tr) }})
	var list msgtrk.ErrorList
	if !errors.As(err, &list) || len(list) != 1 || list[0].Line != 3 {
		t.Errorf("Run error = %v, want one malformed line at line 3", err)
	}
	if len(traces) != 1 || traces[0].Events != 2 || st.Events != 2 {
		t.Errorf("%d traces (events %v), stats %+v; want one trace of the 2 good rows", len(traces), traces, st)
	}
}

// TestRunCancelled: a cancelled context stops Run with its error and
// nothing is flushed.
func TestRunCancelled(t *testing.T) {
	inputs, err := msgtrk.OpenPaths("testdata/cases")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	_, err = correlate.Run(ctx, inputs, correlate.Options{OnTrace: func(*correlate.Trace) { n++ }})
	if !errors.Is(err, context.Canceled) || n != 0 {
		t.Errorf("Run with a cancelled context: %d traces, error %v; want none and context.Canceled", n, err)
	}
}

// TestTracesStopEarly: breaking out of the loop stops the reading, and
// every trace seen before is the same as Run's.
func TestTracesStopEarly(t *testing.T) {
	inputs, err := msgtrk.OpenPaths("testdata/cases")
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for tr, err := range correlate.Traces(context.Background(), inputs, correlate.Options{}) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, tr.Key)
	}
	var two []string
	for tr, err := range correlate.Traces(context.Background(), inputs, correlate.Options{}) {
		if err != nil {
			t.Fatal(err)
		}
		if two = append(two, tr.Key); len(two) == 2 {
			break
		}
	}
	if len(all) < 3 || !slices.Equal(two, all[:2]) {
		t.Errorf("first two traces %q, all %q", two, all)
	}
	for _, err := range correlate.Traces(context.Background(), inputs, correlate.Options{OnTrace: func(*correlate.Trace) {}}) {
		if err == nil {
			t.Error("Traces with OnTrace set: no error")
		}
	}
}
