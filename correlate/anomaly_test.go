package correlate_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// serverNamed finds a simulated server by its short name or FQDN.
func serverNamed(org *msgtrktest.Org, name string) *msgtrktest.Server {
	short, _, _ := strings.Cut(name, ".")
	for i := range org.Servers {
		if strings.EqualFold(org.Servers[i].Name, short) {
			return &org.Servers[i]
		}
	}
	return nil
}

// TestSkewAnomalies: a hand-over whose receive is logged before its send
// is reported as a "skew" anomaly only when the clocks disagree. With true
// clocks there is none; with skew, every one names a receiver whose clock
// runs behind the sender's by at least the gap it reports, less the
// second of tolerance (a SEND is logged just after the far end's row).
func TestSkewAnomalies(t *testing.T) {
	for _, maxSkew := range []time.Duration{0, 2 * time.Minute} {
		sim, err := msgtrktest.New(msgtrktest.Config{Seed: 11, MailboxServers: 3, Messages: 200, MaxSkew: maxSkew})
		if err != nil {
			t.Fatal(err)
		}
		fsys, _, err := sim.WriteFS()
		if err != nil {
			t.Fatal(err)
		}
		run := correlateFS(t, fsys, 1, correlate.Options{})
		n := 0
		for _, tr := range run.traces {
			for _, an := range tr.Anomalies {
				a := an.String()
				if an.Kind != correlate.AnomalySkew {
					continue
				}
				n++
				// "skew: R logged RECEIVE 1.234s before S logged the SEND"
				var recv, event, gapText, send, sendEvent string
				if _, err := fmt.Sscanf(a, "skew: %s logged %s %s before %s logged the %s", &recv, &event, &gapText, &send, &sendEvent); err != nil {
					t.Fatalf("trace %s: anomaly %q: %v", tr.Key, a, err)
				}
				gap, err := strconv.ParseFloat(strings.TrimSuffix(gapText, "s"), 64)
				if err != nil {
					t.Fatalf("trace %s: anomaly %q: %v", tr.Key, a, err)
				}
				r, s := serverNamed(sim.Org(), recv), serverNamed(sim.Org(), send)
				if r == nil || s == nil {
					t.Fatalf("trace %s: anomaly %q names an unknown server", tr.Key, a)
				}
				if behind := (s.Skew - r.Skew).Seconds(); behind < gap-1 {
					t.Errorf("trace %s: %q, but %s runs only %.3fs behind %s", tr.Key, a, r.Name, behind, s.Name)
				}
			}
		}
		switch {
		case maxSkew == 0 && n > 0:
			t.Errorf("true clocks: %d skew anomalies", n)
		case maxSkew > 0 && n == 0:
			t.Errorf("skew up to %v: no skew anomaly", maxSkew)
		}
		t.Logf("max skew %v: %d skew anomalies in %d traces", maxSkew, n, len(run.traces))
	}
}

// TestMissingHopAnomalies: when the logs of a known server are missing,
// every message sent to it says so, and no other message does.
func TestMissingHopAnomalies(t *testing.T) {
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 5, MailboxServers: 2, Messages: 150})
	if err != nil {
		t.Fatal(err)
	}
	fsys, truth, err := sim.WriteFS()
	if err != nil {
		t.Fatal(err)
	}
	var edge string
	for _, s := range sim.Org().Servers {
		if s.Role == msgtrktest.RoleEdge {
			edge = s.Name
		}
	}
	if edge == "" {
		t.Fatal("the organisation has no Edge server")
	}
	inputs, err := msgtrk.FindFiles(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	kept := inputs[:0]
	for _, in := range inputs {
		if in.Server != edge {
			kept = append(kept, in)
		}
	}
	got := map[string]bool{}
	tk, err := correlate.New(correlate.Options{OnTrace: func(tr *correlate.Trace) {
		for _, an := range tr.Anomalies {
			a := an.String()
			if an.Kind == correlate.AnomalyMissingHop && (strings.Contains(a, " to "+strings.ToLower(edge)) || strings.Contains(a, " to "+edge)) {
				got[tr.Key] = true
			}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sim.Org().Servers {
		tk.MarkServer(s.Name) // the Edge is known, its logs are not there
	}
	m := msgtrk.NewMerger(kept)
	var last time.Time
	for m.Next() {
		tk.Add(m.Record())
		if tm, err := m.Record().Time(); err == nil {
			tk.Advance(tm)
			last = tm
		}
	}
	tk.Advance(last.Add(correlate.DefaultWindow + time.Millisecond))
	tk.Flush()
	want := map[string]bool{}
	for _, msg := range truth.Messages {
		for _, h := range msg.Hops {
			if h.Server == edge && h.Depth > 0 { // sent out through the Edge
				want[msg.Key] = true
			}
		}
	}
	if len(want) == 0 {
		t.Fatal("no message went out through the Edge")
	}
	for k := range want {
		if !got[k] {
			t.Errorf("message %s was sent to %s: no missing_hop anomaly", k, edge)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("message %s names %s as a missing hop, but was not sent there", k, edge)
		}
	}
}
