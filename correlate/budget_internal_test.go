package correlate

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// liveHeap returns the live heap after a collection.
func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// heldBy opens the traces of log in a Tracker that emits none and returns
// it, with the live heap its open traces take per trace (from a baseline
// taken after New) and what it counts for them per trace.
func heldBy(t *testing.T, log []byte) (heap, counted float64) {
	t.Helper()
	tk, err := New(Options{Window: time.Hour, OnTrace: func(*Trace) { t.Fatal("a trace was emitted") }})
	if err != nil {
		t.Fatal(err)
	}
	batch := new(msgtrk.Batch)
	rd := msgtrk.NewReaderBytes(log)
	for rd.Next() {
		batch.Append(rd.Record())
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	before := liveHeap()
	for i := range batch.Len() {
		tk.Add(batch.Record(i))
	}
	after := liveHeap()
	n := float64(tk.open.len())
	runtime.KeepAlive(batch)
	runtime.KeepAlive(tk)
	return (float64(after) - float64(before)) / n, float64(tk.held+tk.tableBytes()) / n
}

// multiRowLog writes messages of rows rows each (AGENTINFO rows of one
// hub, as a hub's hand-over rows are).
func multiRowLog(messages, rows int) []byte {
	var b bytes.Buffer
	w := msgtrk.NewWriter(&b)
	w.WriteHeader(msgtrk.Header{Version: "15.02.1544.004"})
	for i := range messages {
		for r := range rows {
			var e msgtrk.Event
			e.SetTime(msgtrktest.BurstStart.Add(time.Duration(i*rows+r) * time.Millisecond))
			e.Set(msgtrk.ServerHostname, "EX01")
			e.Set(msgtrk.ClientHostname, "EX01")
			e.Set(msgtrk.Source, "AGENT")
			e.Set(msgtrk.EventID, "AGENTINFO")
			e.Set(msgtrk.NetworkMessageID, fmt.Sprintf("%08d-4d5e-4f60-8a7b-08dc6d5f0b02", i))
			e.Set(msgtrk.MessageID, fmt.Sprintf("<%d@contoso.com>", i))
			e.Set(msgtrk.SenderAddress, fmt.Sprintf("user%d@contoso.com", i))
			e.Set(msgtrk.RecipientAddress, "bob@contoso.com")
			e.Set(msgtrk.LogID, fmt.Sprintf("%08d-0000-4000-8000-%012d", i, r))
			w.WriteEvent(&e)
		}
	}
	w.Flush()
	return b.Bytes()
}

// TestFootprint: what the Tracker counts against Options.MaxMemory for its
// open traces is what they take on the live heap, within 25%, for messages
// of one row (a burst) and of ten; and the costs Options.MaxMemory states
// hold within a factor of 1.25: OpenTraceBytes for a message of one row,
// RowBytes for each further row, recentKeyBytes for a remembered key.
func TestFootprint(t *testing.T) {
	var burst bytes.Buffer
	if err := msgtrktest.Burst(&burst, 20000); err != nil {
		t.Fatal(err)
	}
	heap1, counted1 := heldBy(t, burst.Bytes())
	t.Logf("one row: %.0f bytes on the heap per trace, %.0f counted (OpenTraceBytes %d)", heap1, counted1, OpenTraceBytes)
	if r := counted1 / heap1; r < 0.75 || r > 1.25 {
		t.Errorf("one row: %.0f bytes counted per trace, %.0f on the heap (ratio %.2f)", counted1, heap1, r)
	}
	if r := heap1 / OpenTraceBytes; r < 1/1.25 || r > 1.25 {
		t.Errorf("one row: %.0f bytes per trace, OpenTraceBytes says %d", heap1, OpenTraceBytes)
	}
	const rows = 10
	heap10, counted10 := heldBy(t, multiRowLog(2000, rows))
	t.Logf("%d rows: %.0f bytes on the heap per trace, %.0f counted", rows, heap10, counted10)
	if r := counted10 / heap10; r < 0.75 || r > 1.25 {
		t.Errorf("%d rows: %.0f bytes counted per trace, %.0f on the heap (ratio %.2f)", rows, counted10, heap10, r)
	}
	heap1m, _ := heldBy(t, multiRowLog(2000, 1))
	perRow := (heap10 - heap1m) / (rows - 1)
	t.Logf("each further row: %.0f bytes (RowBytes %d)", perRow, RowBytes)
	if r := perRow / RowBytes; r < 1/1.25 || r > 1.25 {
		t.Errorf("each further row: %.0f bytes, RowBytes says %d", perRow, RowBytes)
	}

	// Remembered keys: a network-message-id and a message-id per trace,
	// held as hashes; the value (the trace's key) is kept alive by the
	// table.
	const keys = 1 << 16
	before := liveHeap()
	r := newRecentKeys(keys)
	for i := range keys / 2 {
		nid := fmt.Sprintf("%08d-4d5e-4f60-8a7b-08dc6d5f0b02", i)
		r.add(hashOf(spaceKey, nid), nid)
		r.add(hashOf(spaceMsgID, fmt.Sprintf("<wave.%d@sender.example>", i)), nid)
	}
	perKey := (float64(liveHeap()) - float64(before)) / keys
	runtime.KeepAlive(&r)
	t.Logf("a remembered key: %.0f bytes (recentKeyBytes %d)", perKey, recentKeyBytes)
	if ratio := perKey / recentKeyBytes; ratio < 1/1.25 || ratio > 1.25 {
		t.Errorf("a remembered key: %.0f bytes, recentKeyBytes says %d", perKey, recentKeyBytes)
	}
}

// burstRun streams Burst(n) through a Tracker with opts, or a Sharded one
// when workers > 1 (from a generator on another goroutine: the input is
// never held), with jump moves event time a day past the burst before
// Flush (a mass expiry: every open trace's window ends at once), samples
// the live heap every n/50 rows added and every n/50 traces emitted (a
// Flush, or a mass expiry, emits many traces in one call) and returns the
// largest, the Stats and the rows the emitted traces hold.
func burstRun(t *testing.T, n, workers, batchRows int, jump bool, opts Options) (peak uint64, st Stats, rows int64) {
	t.Helper()
	return streamRun(t, func(w io.Writer) error { return msgtrktest.Burst(w, n) }, n, workers, batchRows, jump, opts)
}

// streamRun is burstRun over the n rows write writes.
func streamRun(t *testing.T, write func(io.Writer) error, n, workers, batchRows int, jump bool, opts Options) (peak uint64, st Stats, rows int64) {
	t.Helper()
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(write(pw)) }()
	every := max(1, n/50)
	var base uint64
	sample := func() {
		h := liveHeap() // (read once: a second reading may exceed base when the first does not)
		peak = max(peak, h-min(base, h))
	}
	traces := 0
	opts.OnTrace = func(tr *Trace) {
		rows += int64(tr.Events)
		if traces++; traces%every == 0 {
			sample()
		}
	}
	var tk Correlator
	if workers > 1 {
		s, err := NewSharded(workers, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if batchRows > 0 {
			s.SetBatchRows(batchRows)
		}
		tk = s
	} else {
		one, err := New(opts)
		if err != nil {
			t.Fatal(err)
		}
		tk = one
	}
	rd := msgtrk.NewReader(pr)
	i := 0
	base = liveHeap()
	for rd.Next() {
		rec := rd.Record()
		tk.Add(rec)
		if tm, err := rec.Time(); err == nil {
			tk.Advance(tm)
		}
		if i++; i%every == 0 {
			sample()
		}
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	if jump {
		tk.Advance(msgtrktest.BurstStart.Add(24 * time.Hour))
	}
	tk.Flush()
	return peak, tk.Stats(), rows
}

// TestBurstBudget: 10^5 and 10^6 messages of one row each within one
// minute of log time (a spam wave at an Edge) through a Tracker with
// MaxMemory 32 MiB: the live heap stays under the budget and reaches the
// same ceiling for both sizes; the traces cut early are counted as
// evicted, and every row is in an emitted trace or counted late. (-short:
// 10^5 and 3·10^5.)
func TestBurstBudget(t *testing.T) {
	sizes := []int{100_000, 1_000_000}
	if testing.Short() {
		sizes = []int{100_000, 300_000} // (both past the budget and the table of recent keys)
	}
	const budget = 32 << 20
	var peaks []uint64
	for _, n := range sizes {
		peak, st, rows := burstRun(t, n, 1, 0, false, Options{MaxMemory: budget})
		t.Logf("%d messages: peak live heap %.1f MiB, %d open at most, %d evicted", n, float64(peak)/(1<<20), st.MaxOpen, st.Evicted)
		if peak > budget {
			t.Errorf("%d messages: peak live heap %d, over MaxMemory %d", n, peak, budget)
		}
		if st.Evicted == 0 {
			t.Errorf("%d messages: no trace evicted: the budget was never reached", n)
		}
		if rows+st.Late != int64(n) {
			t.Errorf("%d messages: %d rows in traces + %d late, want %d", n, rows, st.Late, n)
		}
		peaks = append(peaks, peak)
	}
	if peaks[1] > peaks[0]+peaks[0]/4+2<<20 {
		t.Errorf("peak live heap %d for %d messages, %d for %d: not the same ceiling", peaks[1], sizes[1], peaks[0], sizes[0])
	}
}

// TestShardedBudget: a Sharded tracker shares MaxMemory among its shards
// (it does not give each the whole of it): the burst's live heap stays
// under the budget with 3 workers too, and no row is lost.
func TestShardedBudget(t *testing.T) {
	const n, budget = 100_000, 64 << 20
	for _, jump := range []bool{false, true} {
		// (jump: the open traces expire at once in one round, not in
		// Flush's steps.)
		peak, st, rows := burstRun(t, n, 3, 0, jump, Options{MaxMemory: budget})
		t.Logf("%d messages, 3 workers, jump %v: peak live heap %.1f MiB, %d evicted, %d expired", n, jump, float64(peak)/(1<<20), st.Evicted, st.Expired)
		if peak > budget {
			t.Errorf("jump %v: peak live heap %d, over MaxMemory %d", jump, peak, budget)
		}
		if st.Evicted == 0 {
			t.Errorf("jump %v: no trace evicted: the budget was never reached, the test shows nothing", jump)
		}
		if jump && st.Flushed != 0 {
			t.Errorf("jump: %d traces flushed, want every open trace expired before Flush", st.Flushed)
		}
		if rows+st.Late != n {
			t.Errorf("jump %v: %d rows in traces + %d late, want %d", jump, rows, st.Late, n)
		}
	}
	// What a round holds is counted: the same burst with rounds of 2,048
	// and 16,384 rows, under a budget the open traces never reach, differ
	// by about roundRowBytes a row.
	const small, large = 2048, 16384
	p1, st1, _ := burstRun(t, n/2, 3, small, false, Options{MaxMemory: 512 << 20})
	p2, st2, _ := burstRun(t, n/2, 3, large, false, Options{MaxMemory: 512 << 20})
	if st1.Evicted+st2.Evicted != 0 {
		t.Fatalf("%d and %d evicted under 512 MiB", st1.Evicted, st2.Evicted)
	}
	perRow := (float64(p2) - float64(p1)) / (large - small)
	t.Logf("a row in a round: %.0f bytes (roundRowBytes %d)", perRow, roundRowBytes)
	if perRow > roundRowBytes*1.5 || perRow < roundRowBytes/1.5 {
		t.Errorf("a row in a round takes %.0f bytes, roundRowBytes says %d: more than 1.5x apart", perRow, roundRowBytes)
	}
	// The keys remembered do not multiply with the workers either (the
	// router's tables add 3/4 of RecentKeys), nor the open traces' budget.
	one := Options{MaxMemory: 64 << 20, RecentKeys: DefaultRecentKeys}
	for _, n := range []int{2, 3, 8} {
		if k1, kn := one.keysHeld(0), one.keysHeld(n); kn > k1*7/4+int64(n) {
			t.Errorf("%d workers remember %d keys, one Tracker %d", n, kn, k1)
		}
		b1, _ := one.openBudget(0, 0)
		rows := one.batchRowsFor(DefaultBatchRows)
		bn, err := one.openBudget(n, rows)
		if err != nil {
			t.Fatalf("%d workers: %v", n, err)
		}
		// (The shards' open traces get no more in all than one Tracker's,
		// and a round no more than an eighth of MaxMemory.)
		if bn <= 0 || b1 <= 0 || bn*int64(n) > b1 {
			t.Errorf("%d workers: %d for the open traces of each shard, %d in all; one Tracker %d (MaxMemory %d)", n, bn, bn*int64(n), b1, one.MaxMemory)
		}
		if round := int64(rows) * roundRowBytes; round > one.MaxMemory/8 {
			t.Errorf("%d workers: a round of %d rows takes %d bytes, over an eighth of MaxMemory %d", n, rows, round, one.MaxMemory)
		}
	}
	if _, err := NewSharded(3, Options{MaxMemory: 8 << 20, OnTrace: func(*Trace) {}}); err == nil {
		t.Error("NewSharded(3) took a MaxMemory of 8 MiB, less than the keys it remembers take")
	}
	if _, err := New(Options{MaxMemory: 8 << 20, OnTrace: func(*Trace) {}}); err == nil {
		t.Error("New took a MaxMemory of 8 MiB, less than the keys it remembers take")
	}
}

// TestShardedMassExpiryBudget: messages of ten rows each, past the budget
// (some are evicted) and the rest open when event time jumps a day
// ahead, so that they expire in one round: the live heap of a Sharded
// tracker stays under MaxMemory. (It holds the bound for traces of many
// rows; it does not single out the rule that parts are cut by rows: with
// parts cut by traces it peaks at about the same 13.8 MiB here.)
func TestShardedMassExpiryBudget(t *testing.T) {
	const messages, rowsEach, budget = 20_000, 10, 16 << 20
	log := multiRowLog(messages, rowsEach)
	write := func(w io.Writer) error { _, err := w.Write(log); return err }
	opts := Options{MaxMemory: budget, RecentKeys: 4096, Window: 2 * time.Hour}
	peak, st, rows := streamRun(t, write, messages*rowsEach, 3, 0, true, opts)
	t.Logf("%d messages of %d rows, 3 workers: peak live heap %.1f MiB, %d evicted, %d expired at the jump", messages, rowsEach, float64(peak)/(1<<20), st.Evicted, st.Expired+st.Complete)
	if peak > budget {
		t.Errorf("peak live heap %d, over MaxMemory %d", peak, budget)
	}
	if st.Evicted == 0 || st.Expired+st.Complete < 1000 {
		t.Errorf("%d evicted, %d expired at the jump: the test wants both", st.Evicted, st.Expired+st.Complete)
	}
	if rows+st.Late != messages*rowsEach {
		t.Errorf("%d rows in traces + %d late, want %d", rows, st.Late, messages*rowsEach)
	}
}
