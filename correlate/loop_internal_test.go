package correlate

import (
	"fmt"
	"testing"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// buildLoop correlates a loop of n rows and returns the trace and the work
// its building took (builder steps).
func buildLoop(tb testing.TB, log []byte) (*Trace, int) {
	var out *Trace
	tk, err := New(Options{OnTrace: func(t *Trace) { out = t }})
	if err != nil {
		tb.Fatal(err)
	}
	rd := msgtrk.NewReaderBytes(log)
	for rd.Next() {
		tk.Add(rd.Record())
	}
	if err := rd.Err(); err != nil {
		tb.Fatal(err)
	}
	tk.em.b.steps = 0
	tk.Flush()
	return out, tk.em.b.steps
}

// TestBuildLinearInLoop: one message of 10^4 rows alternating between two
// servers (a mail loop: each hand-over makes a new copy, 5,000 visits) takes
// ten times the work of 10^3 rows, not a hundred or a thousand times:
// building a trace is linear in its rows and hand-overs (the counted
// phases; sorting adds a log factor, and allocations are compared too).
// The builder before this test took 118 s for 4,000 such rows.
func TestBuildLinearInLoop(t *testing.T) {
	for _, receivesOnly := range []bool{false, true} {
		small, large := msgtrktest.MailLoop(1000, receivesOnly), msgtrktest.MailLoop(10000, receivesOnly)
		trS, stepsS := buildLoop(t, small)
		trL, stepsL := buildLoop(t, large)
		if trS.Events != 1000 || trL.Events != 10000 || len(trL.Hops) < 2 {
			t.Fatalf("loop traces: %d and %d rows, %d hops", trS.Events, trL.Events, len(trL.Hops))
		}
		allocs := func(log []byte) float64 {
			return testing.AllocsPerRun(1, func() { buildLoop(t, log) })
		}
		allocS, allocL := allocs(small), allocs(large)
		t.Logf("receives only %v: 10^3 rows: %d steps, %.0f allocs; 10^4 rows: %d steps, %.0f allocs", receivesOnly, stepsS, allocS, stepsL, allocL)
		if r := float64(stepsL) / float64(stepsS); r > 12 {
			t.Errorf("receives only %v: 10x the rows took %.1fx the steps (%d, %d): not linear", receivesOnly, r, stepsS, stepsL)
		}
		if r := allocL / allocS; r > 12 {
			t.Errorf("receives only %v: 10x the rows took %.1fx the allocations (%.0f, %.0f): not linear", receivesOnly, r, allocS, allocL)
		}
	}
}

// BenchmarkBuildLoop: correlating one message caught in a mail loop
// (RECEIVE rows only, the worst case), 10^3 and 10^4 rows; ns/row stays
// about the same when building is linear.
func BenchmarkBuildLoop(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		log := msgtrktest.MailLoop(n, true)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(log)))
			for b.Loop() {
				buildLoop(b, log)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/row")
		})
	}
}

// TestLoopDepths: in a mail loop whose SEND replies name the copy the next
// server made (InternalId, format.md §6, §8), each copy is linked to the
// copy that sent it, so the k-th copy is k hand-overs deep: the hops go
// EX1 0, EX2 1, EX1 2, …, each from the one before. (Without the reply's
// id every copy was linked to the first copy of the other server that
// sent anything, and the depths stayed at 0 and 1.)
func TestLoopDepths(t *testing.T) {
	const n = 200
	tr, _ := buildLoop(t, msgtrktest.MailLoop(n, false))
	if len(tr.Hops) != n/2 {
		t.Fatalf("%d hops, want %d: %+v", len(tr.Hops), n/2, tr.Hops[:min(len(tr.Hops), 6)])
	}
	for k, h := range tr.Hops {
		want := []string{"EX1", "EX2"}[k%2]
		if h.Server != want || h.Depth != k || h.Role != RoleHub || k > 0 && (len(h.From) != 1 || h.From[0] != k-1) {
			t.Fatalf("hop %d: %s %s depth %d from %v, want %s hub depth %d from [%d]", k, h.Server, h.Role, h.Depth, h.From, want, k, k-1)
		}
	}
	if tr.HasAnomaly(AnomalyLoop) {
		t.Errorf("anomalies %v", tr.Anomalies)
	}
}
