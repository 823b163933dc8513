package correlate_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/internal/check"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// BenchmarkJoinSessions measures the join alone: JoinSessions over every
// trace of a simulated organisation (protocol logs at Verbose level on every
// connector, 2 min skew, deferrals and mail sent outside), its sessions
// already in an Index that keeps them all. The traces and the index are
// built once per size, outside the timer. It reports the cost per SMTP
// row joined; the organisation is 10 times bigger from one size to the next,
// so a join whose work per row grew with the index would show it as a ratio
// between the sizes (compare them within one run: the machine is shared).
//
//	go test ./correlate -run '^$' -bench BenchmarkJoinSessions -benchtime 20x
func BenchmarkJoinSessions(b *testing.B) {
	for _, msgs := range []int{300, 3000} {
		mix := msgtrktest.DefaultMix
		mix.SetWeight(msgtrktest.KindDefer, 2)
		mix.SetWeight(msgtrktest.KindOutbound, 2)
		sim, err := msgtrktest.New(msgtrktest.Config{Seed: 3, Messages: msgs, Mix: mix, ProtocolLogs: true, MaxSkew: 2 * time.Minute})
		if err != nil {
			b.Fatal(err)
		}
		fsys, _, err := sim.WriteFS()
		if err != nil {
			b.Fatal(err)
		}
		x, _ := indexFS(b, fsys)
		run := correlateFS(b, fsys, 1, correlate.Options{KeepSMTP: true})
		rows, joined := 0, 0
		for _, tr := range run.traces {
			rows += len(tr.SMTPRows)
			correlate.JoinSessions(tr, x)
			joined += len(tr.Sessions)
		}
		if joined == 0 {
			b.Fatalf("%d messages: no session joined", msgs)
		}
		b.Run(fmt.Sprintf("messages=%d", msgs), func(b *testing.B) {
			b.ReportAllocs()
			cpu := check.StartCPU()
			for b.Loop() {
				for _, tr := range run.traces {
					correlate.JoinSessions(tr, x)
				}
			}
			cpu.Report(b)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
			b.ReportMetric(float64(rows), "rows/op")
			b.ReportMetric(float64(joined)/float64(rows), "sessions/row")
		})
	}
}
