package correlate_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// TestReleaseSameTraces: handing every trace back with Release as soon as
// it comes changes no later trace, from a Tracker or from a Sharded one
// (whose DSNs wait for the message they report on, in another shard).
// Over simulated organisations of every version (groups, NDRs, clock
// skew), the traces' JSON with each trace released after it is read
// equals the JSON without; and what a released trace held outside its
// Hops and Recipients arrays (a recipient's ExpandedFrom, a hop's From)
// still holds what it did when later traces have reused those arrays.
func TestReleaseSameTraces(t *testing.T) {
	reusedArrays := []string{`"anomalies":["`, `"shadow_events":[{`, `"duplicates":[{`, `"expansions":[{`, `"forks":[{`}
	withArray := map[string]int{}
	defer func() {
		for _, field := range reusedArrays {
			if n := withArray[field]; n < 2 && !t.Failed() {
				t.Errorf("%d traces with %s: the test shows nothing of its array's reuse", n, field)
			}
		}
	}()
	for _, tc := range []struct {
		v       msgtrktest.Version
		workers int
	}{{msgtrktest.V2007, 1}, {msgtrktest.V2013, 1}, {msgtrktest.V2019, 1}, {msgtrktest.V2019, 3}} {
		v := tc.v
		sim, err := msgtrktest.New(msgtrktest.Config{Seed: 31, Messages: 300, Version: v, MaxSkew: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		fsys, _, err := sim.WriteFS()
		if err != nil {
			t.Fatal(err)
		}
		type kept struct {
			groups   []string // a recipient's ExpandedFrom, as handed over
			copy     []string // its contents then
			from     []int    // or a hop's From
			fromCopy []int
		}
		run := func(release bool) (out []string, held []kept) {
			var froms []kept
			correlateFS(t, fsys, tc.workers, correlate.Options{OnTrace: func(tr *correlate.Trace) {
				out = append(out, traceJSON(t, tr))
				for _, h := range tr.Hops {
					if len(h.From) > 0 {
						froms = append(froms, kept{from: h.From, fromCopy: slices.Clone(h.From)})
					}
				}
				// The lists Release's doc says stay valid.
				hold := func(l []string) {
					if len(l) > 0 {
						held = append(held, kept{groups: l, copy: slices.Clone(l)})
					}
				}
				for _, r := range tr.Recipients {
					hold(r.ExpandedFrom)
				}
				for _, e := range slices.Concat(tr.ShadowEvents, tr.Duplicates) {
					hold(e.Recipients)
				}
				for _, x := range tr.Expansions {
					hold(x.Members)
				}
				for _, f := range tr.Forks {
					hold(f.Recipients)
				}
				if release {
					tr.Release()
				}
			}})
			slices.Sort(out) // (the shards emit in their own order)
			return out, append(held, froms...)
		}
		want, _ := run(false)
		got, held := run(true)

		// Every other trace released: those kept must not change as later
		// traces are built in arrays the released ones handed on.
		type keptTrace struct {
			tr   *correlate.Trace
			json string
		}
		var keptTraces []keptTrace
		n := 0
		correlateFS(t, fsys, tc.workers, correlate.Options{OnTrace: func(tr *correlate.Trace) {
			if n++; n%2 == 0 {
				tr.Release()
				return
			}
			keptTraces = append(keptTraces, keptTrace{tr, traceJSON(t, tr)})
		}})
		for _, k := range keptTraces {
			if j := traceJSON(t, k.tr); j != k.json {
				t.Fatalf("%v, %d workers: a kept trace changed after later ones were built:\n%s", v, tc.workers, cmp.Diff(k.json, j))
			}
		}
		if !slices.ContainsFunc(want, func(j string) bool { return strings.Contains(j, `"dsn_for":`) }) {
			t.Fatalf("%v: no DSN linked to its message: the test shows nothing of Sharded's DSN hold-back", v)
		}
		// The arrays Release hands on besides Hops and Recipients (2007
		// has no shadow redundancy: counted over all versions).
		for _, field := range reusedArrays {
			for _, j := range want {
				if strings.Contains(j, field) {
					withArray[field]++
				}
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%v, %d workers: traces with Release differ (-without +with):\n%s", v, tc.workers, diff)
		}
		groups, froms := 0, 0
		for _, k := range held {
			if k.groups != nil {
				groups++
			} else {
				froms++
			}
			if !slices.Equal(k.groups, k.copy) {
				t.Fatalf("%v: a released trace's ExpandedFrom changed from %q to %q", v, k.copy, k.groups)
			}
			if !slices.Equal(k.from, k.fromCopy) {
				t.Fatalf("%v: a released trace's Hop.From changed from %v to %v", v, k.fromCopy, k.from)
			}
		}
		if groups == 0 || froms == 0 {
			t.Fatalf("%v: %d recipients came through a group, %d hops from another: the test shows nothing of what a released trace keeps", v, groups, froms)
		}
	}
}

// TestReleaseAllocs: on one-row messages (a burst), releasing each trace
// saves the allocations of its record, its Hops and its Recipients: three
// a trace.
func TestReleaseAllocs(t *testing.T) {
	const n = 2000
	var buf bytes.Buffer
	if err := msgtrktest.Burst(&buf, 3*n); err != nil {
		t.Fatal(err)
	}
	var rows msgtrk.Batch
	rd := msgtrk.NewReaderBytes(buf.Bytes())
	for rd.Next() {
		rows.Append(rd.Record())
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	perRow := func(release bool) float64 {
		tk, err := correlate.New(correlate.Options{MaxOpenTraces: 16, OnTrace: func(tr *correlate.Trace) {
			if release {
				tr.Release()
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		next := 0
		allocs := testing.AllocsPerRun(1, func() { // (twice: a warm-up, then the run measured)
			for range n {
				tk.Add(rows.Record(next))
				next++
			}
		})
		if tk.Stats().Traces < n {
			t.Fatalf("%d traces emitted, want at least %d: the messages were not one a row", tk.Stats().Traces, n)
		}
		return allocs / n
	}
	without, with := perRow(false), perRow(true)
	t.Logf("allocations per one-row message: %.2f without Release, %.2f with", without, with)
	if with > without-2.5 {
		t.Errorf("Release saves %.2f allocations a trace, want about 3 (the record, Hops, Recipients)", without-with)
	}
}
