package correlate_test

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// A DEFER row's message-info is the next retry time (format.md §7.4,
// §9.3): the message is quiet until then, so its trace must stay open
// until that time plus the window, on every path (Tracker, facts read
// ahead, building ahead, Sharded), within the memory bounds; and a row
// that still comes after its trace was emitted is counted as late.

// retryReceive is alice's message to partner@fabrikam.net, submitted over
// SMTP to EX01 at 08:00:01.020 (the audit's ids).
func retryReceive() map[string]string {
	return m("t=1.02", "client-ip=10.0.0.21", "client-hostname=client.corp.contoso.com", "server-ip=10.0.0.11", "server-hostname=EX01",
		"source-context=08DC33BB81F00A30;2024-03-04T08:00:00.900Z;0", "connector-id=EX01\\Client Proxy EX01", "source=SMTP", "event-id=RECEIVE",
		"internal-message-id=5001", "recipient-address=partner@fabrikam.net", "message-info=07I: ", "original-client-ip=10.0.0.21")
}

// retryDefer is its DEFER at 08:00:05 whose message-info is info (the
// next retry time).
func retryDefer(info string) map[string]string {
	return m("t=5", "client-hostname=EX01", "source=SMTP", "event-id=DEFER", "internal-message-id=5001", "recipient-address=partner@fabrikam.net",
		"recipient-status='451 4.4.0 Primary target IP address responded with: 421 4.4.2 Connection dropped due to SocketError'",
		"message-info="+info, "custom-data=S:RecipientsAlreadySmtpDeferLogged=true;S:DeliveryPriority=Normal")
}

// retrySend is its SENDEXTERNAL at t seconds after 08:00.
func retrySend(t string) map[string]string {
	return m("t="+t, "client-ip=10.0.0.11", "client-hostname=EX01", "server-ip=198.51.100.7", "server-hostname=mx.fabrikam.net",
		"source-context=;250 2.0.0 OK queued;ClientSubmitTime:", "connector-id=Internet", "source=SMTP", "event-id=SENDEXTERNAL",
		"internal-message-id=5001", "recipient-address=partner@fabrikam.net", "recipient-status=250 2.1.5 Ok",
		"message-info=2024-03-04T08:00:00.900Z;SRV=ex01.corp.contoso.com:TOTAL-HUB=1205")
}

// retryOther is another message's RECEIVE on EX01 at t seconds after
// 08:00: the traffic that moves event time on.
func retryOther(i int, t string) map[string]string {
	return kv("t="+t, "client-ip=10.0.0.21", "client-hostname=client.corp.contoso.com", "server-ip=10.0.0.11", "server-hostname=EX01",
		fmt.Sprintf("source-context=08DC33BB81F0%04d;2024-03-04T08:00:00.000Z;0", i), "connector-id=EX01\\Client Proxy EX01", "source=SMTP", "event-id=RECEIVE",
		fmt.Sprintf("internal-message-id=%d", 7000+i), fmt.Sprintf("message-id=<o%d@x>", i),
		fmt.Sprintf("network-message-id=25252525-2222-3333-4444-08dc%08d", i), "recipient-address=bob@contoso.com",
		"sender-address=alice@contoso.com", "return-path=alice@contoso.com", "message-info=07I: ")
}

// retryFS is EX01's log of rows.
func retryFS(rows ...map[string]string) fstest.MapFS {
	return fstest.MapFS{"logs/EX01/MSGTRK2024030408-1.LOG": &fstest.MapFile{Data: auditLog("2016", rows...)}}
}

// retryPaths correlates fsys on every path a Tracker's deadlines are
// kept on: rows added one by one, their facts read ahead (Run), traces
// built ahead, and two shards.
func retryPaths(t *testing.T, fsys fstest.MapFS, opts correlate.Options) map[string]simRun {
	t.Helper()
	out := map[string]simRun{"single": correlateFS(t, fsys, 1, opts), "sharded-2": correlateFS(t, fsys, 2, opts)}
	ahead := opts
	ahead.BuildAhead = true
	out["built ahead"] = correlateFS(t, fsys, 1, ahead)

	inputs, err := msgtrk.FindFiles(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	var run simRun
	facts := opts
	facts.OnTrace = func(tr *correlate.Trace) { run.traces = append(run.traces, tr) }
	if run.stats, err = correlate.Run(context.Background(), inputs, facts); err != nil {
		t.Fatal(err)
	}
	out["facts ahead (Run)"] = run
	return out
}

func TestDeferHeldUntilRetry(t *testing.T) {
	cases := []struct {
		name   string
		rows   []map[string]string
		events int // rows in the message's trace
		status correlate.Status
		reason correlate.Reason
		late   int64
	}{
		// The audit's late2: retry at 08:20:05, sent at 08:20:06, more
		// than a window after the DEFER; other messages move time on.
		{"sent a second after the retry time", []map[string]string{retryReceive(), retryDefer("2024-03-04T08:20:05.000Z"),
			retryOther(1, "600"), retryOther(2, "960"), retrySend("1206"), retryOther(3, "3500")},
			3, correlate.StatusSentExternal, correlate.ReasonComplete, 0},
		// The audit's late: retry at 08:10:05, sent at 08:50:00, long
		// after the retry time plus the window (a retry that failed again
		// was not logged): the logs cannot tell when it will go, the trace
		// is emitted pending and the send is late.
		{"sent 40 minutes after the retry time", []map[string]string{retryReceive(), retryDefer("2024-03-04T08:10:05.000Z"),
			retryOther(1, "1200"), retryOther(2, "2400"), retrySend("3000"), retryOther(3, "3500")},
			2, correlate.StatusPending, correlate.ReasonExpired, 1},
		// A retry time before the row holds nothing: the window counts
		// from the DEFER.
		{"retry time before the deferral", []map[string]string{retryReceive(), retryDefer("2024-03-04T07:00:00.000Z"),
			retryOther(1, "600"), retryOther(2, "960"), retrySend("1206"), retryOther(3, "3500")},
			2, correlate.StatusPending, correlate.ReasonExpired, 1},
		{"no retry time", []map[string]string{retryReceive(), retryDefer(""),
			retryOther(1, "600"), retryOther(2, "960"), retrySend("1206"), retryOther(3, "3500")},
			2, correlate.StatusPending, correlate.ReasonExpired, 1},
		// The logs end before the retry: the window after the last row
		// passed, so the trace says what its recipients say (not
		// "flushed").
		{"logs end before the retry", []map[string]string{retryReceive(), retryDefer("2024-03-04T08:20:05.000Z"), retryOther(1, "60")},
			2, correlate.StatusPending, correlate.ReasonExpired, 0},
		{"sent early, logs end before the retry", []map[string]string{retryReceive(), retryDefer("2024-03-04T08:20:05.000Z"), retrySend("60")},
			3, correlate.StatusSentExternal, correlate.ReasonComplete, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for path, run := range retryPaths(t, retryFS(tc.rows...), correlate.Options{}) {
				var mine []*correlate.Trace
				for _, tr := range run.traces {
					if tr.Key == auditNMID {
						mine = append(mine, tr)
					}
				}
				if len(mine) != 1 {
					t.Errorf("%s: %d traces of the message, want 1", path, len(mine))
					continue
				}
				tr := mine[0]
				if len(tr.Recipients) != 1 || tr.Recipients[0].Status != tc.status || tr.Reason != tc.reason || tr.Events != tc.events {
					t.Errorf("%s: %s, %d rows, recipients %+v; want %s, %d rows, partner@fabrikam.net %s", path, tr.Reason, tr.Events, tr.Recipients, tc.reason, tc.events, tc.status)
				}
				if run.stats.Late != tc.late {
					t.Errorf("%s: %d late rows, want %d", path, run.stats.Late, tc.late)
				}
			}
		})
	}
}

// retryTracker adds the rows of log to a new Tracker, advancing event
// time to each, and returns it with the traces it emitted so far.
func retryTracker(t *testing.T, opts correlate.Options, log []byte) (*correlate.Tracker, *[]*correlate.Trace) {
	t.Helper()
	var out []*correlate.Trace
	opts.OnTrace = func(tr *correlate.Trace) { out = append(out, tr) }
	tk, err := correlate.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	r := msgtrk.NewReaderBytes(log)
	for r.Next() {
		rec := r.Record()
		tk.Add(rec)
		if at, err := rec.Time(); err == nil {
			tk.Advance(at)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return tk, &out
}

// TestDeferRetryBounded: a retry time far ahead holds the trace a day at
// most, and a held trace is still subject to the bounds on open traces.
func TestDeferRetryBounded(t *testing.T) {
	deferred := time.Date(2024, 3, 4, 8, 0, 5, 0, time.UTC)

	t.Run("retry years ahead", func(t *testing.T) {
		tk, out := retryTracker(t, correlate.Options{}, auditLog("2016", retryReceive(), retryDefer("2099-01-01T00:00:00.000Z")))
		tk.Advance(deferred.Add(23 * time.Hour))
		if len(*out) != 0 {
			t.Fatalf("emitted 23 hours after the DEFER, its retry years ahead: %s", (*out)[0].Reason)
		}
		tk.Advance(deferred.Add(24*time.Hour + correlate.DefaultWindow + time.Millisecond))
		if len(*out) != 1 || (*out)[0].Reason != correlate.ReasonExpired {
			t.Fatalf("a day and a window after the DEFER: %d traces emitted, want the message's, expired", len(*out))
		}
	})

	t.Run("held trace evicted at MaxOpenTraces", func(t *testing.T) {
		// The message waits for its retry at 08:20:05 (its window ends
		// at 08:35:05); two more arrive at 08:20:50 and 08:21, with room
		// for two open traces: the held one, whose window ends first, is
		// emitted early, said so, and its send is late.
		tk, out := retryTracker(t, correlate.Options{MaxOpenTraces: 2},
			auditLog("2016", retryReceive(), retryDefer("2024-03-04T08:20:05.000Z"), retryOther(1, "1250"), retryOther(2, "1260"), retrySend("1270")))
		tk.Flush()
		st := tk.Stats()
		if len(*out) == 0 || (*out)[0].Key != auditNMID || (*out)[0].Reason != correlate.ReasonEvicted {
			t.Fatalf("traces %v: want the deferred message first, evicted", keysOf(*out))
		}
		if st.Evicted != 1 || st.Late != 1 {
			t.Errorf("Stats %+v: want 1 evicted, 1 late", st)
		}
	})
}

func TestRetryWait(t *testing.T) {
	cases := []struct {
		name string
		row  map[string]string
		wait time.Duration
		ok   bool
	}{
		{"retry 20 minutes on", retryDefer("2024-03-04T08:20:05.000Z"), 20 * time.Minute, true},
		{"retry years on: a day", retryDefer("2099-01-01T00:00:00.000Z"), 24 * time.Hour, true},
		{"retry before the row", retryDefer("2024-03-04T07:00:00.000Z"), 0, true},
		{"no retry time", retryDefer(""), 0, false},
		{"not a time", retryDefer("RetryLater"), 0, false},
		{"not a DEFER", retrySend("60"), 0, false},
	}
	for _, tc := range cases {
		r := msgtrk.NewReaderBytes(auditLog("2016", tc.row))
		if !r.Next() {
			t.Fatalf("%s: %v", tc.name, r.Err())
		}
		if wait, ok := correlate.RetryWait(r.Record()); wait != tc.wait || ok != tc.ok {
			t.Errorf("RetryWait(%s) = %v, %v; want %v, %v", tc.name, wait, ok, tc.wait, tc.ok)
		}
	}
}
