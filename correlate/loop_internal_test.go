package correlate

import (
	"fmt"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// loopLog writes n rows of one message caught in a mail loop between EX1
// and EX2: each server receives it from the other and sends it back, as a
// new copy (internal-message-id) every time. With receivesOnly, only the
// RECEIVE rows are there (the SEND rows lost, or in logs not collected):
// nothing tells which copy sent to which, the worst case of the old
// builder's scans.
func loopLog(n int, receivesOnly bool) []byte {
	fields := msgtrk.Layout2016.FieldNames()
	b := []byte("#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.039\r\n#Log-type: Message Tracking Log\r\n#Date: 2024-05-06T10:00:00.000Z\r\n#Fields: ")
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, f...)
	}
	b = append(b, "\r\n"...)
	t0 := time.Date(2024, 5, 6, 10, 0, 0, 0, time.UTC)
	servers := [2]string{"EX1", "EX2"}
	for i := 0; i < n; i++ {
		hop := i / 2
		if receivesOnly {
			hop = i
		}
		local, other := servers[hop%2], servers[(hop+1)%2]
		var e msgtrk.Event
		e.Set(msgtrk.DateTime, t0.Add(time.Duration(i)*10*time.Millisecond).Format("2006-01-02T15:04:05.000Z"))
		e.Set(msgtrk.Source, "SMTP")
		e.Set(msgtrk.InternalMessageID, fmt.Sprint(1000+hop))
		e.Set(msgtrk.MessageID, "<loop@contoso.com>")
		e.Set(msgtrk.NetworkMessageID, "0d6a4f1e-2b3c-4d5e-8f90-08dc6d5f0b02")
		e.Set(msgtrk.RecipientAddress, "bob@contoso.com")
		e.Set(msgtrk.SenderAddress, "ann@contoso.com")
		if i%2 == 0 || receivesOnly {
			e.Set(msgtrk.EventID, "RECEIVE")
			e.Set(msgtrk.ClientHostname, other+".contoso.com")
			e.Set(msgtrk.ServerHostname, local)
			e.Set(msgtrk.MessageInfo, "0cI: ")
		} else {
			e.Set(msgtrk.EventID, "SEND")
			e.Set(msgtrk.ClientHostname, local)
			e.Set(msgtrk.ServerHostname, other+".contoso.com")
			e.Set(msgtrk.ConnectorID, "Intra-Organization SMTP Send Connector")
		}
		for j, f := range msgtrk.Layout2016.Fields() {
			if j > 0 {
				b = append(b, ',')
			}
			b = msgtrk.AppendField(b, e.Fields[f])
		}
		b = append(b, "\r\n"...)
	}
	return b
}

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
	tk.b.steps = 0
	tk.Flush()
	return out, tk.b.steps
}

// TestBuildLinearInLoop: one message of 10^4 rows alternating between two
// servers (a mail loop: each hand-over makes a new copy, 5,000 visits) takes
// ten times the work of 10^3 rows, not a hundred or a thousand times:
// building a trace is linear in its rows and hand-overs (the counted
// phases; sorting adds a log factor, and allocations are compared too).
// The builder before this test took 118 s for 4,000 such rows.
func TestBuildLinearInLoop(t *testing.T) {
	for _, receivesOnly := range []bool{false, true} {
		small, large := loopLog(1000, receivesOnly), loopLog(10000, receivesOnly)
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
		log := loopLog(n, true)
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
