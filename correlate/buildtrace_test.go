package correlate_test

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// groupRows groups rows into messages by KeyOf, as a program that builds
// each message on its own must: rows sharing a primary or a store key are
// one message (union-find over the keys). Rows without either are left out.
func groupRows(rows []*msgtrk.Record) [][]*msgtrk.Record {
	parent := map[string]string{}
	var find func(string) string
	find = func(k string) string {
		p, ok := parent[k]
		if !ok || p == k {
			parent[k] = k
			return k
		}
		r := find(p)
		parent[k] = r
		return r
	}
	keys := make([]correlate.Keys, len(rows))
	for i, rec := range rows {
		k := correlate.KeyOf(rec)
		keys[i] = k
		if k.Primary != "" && k.Store != "" {
			parent[find(k.Store)] = find(k.Primary)
		}
	}
	groups := map[string][]*msgtrk.Record{}
	var order []string
	for i, rec := range rows {
		k := keys[i].Primary
		if k == "" {
			k = keys[i].Store
		}
		if k == "" {
			continue
		}
		r := find(k)
		if _, ok := groups[r]; !ok {
			order = append(order, r)
		}
		groups[r] = append(groups[r], rec)
	}
	out := make([][]*msgtrk.Record, 0, len(order))
	for _, r := range order {
		out = append(out, groups[r])
	}
	return out
}

// TestBuildTraceMatchesTracker: building each message on its own from its
// rows (grouped by KeyOf, in a shuffled order) gives the Tracker's trace,
// for every version the simulator writes, with clock skew.
func TestBuildTraceMatchesTracker(t *testing.T) {
	for _, v := range []msgtrktest.Version{msgtrktest.V2007, msgtrktest.V2010, msgtrktest.V2013, msgtrktest.V2016, msgtrktest.V2019} {
		sim, err := msgtrktest.New(msgtrktest.Config{Seed: 21, Messages: 80, Version: v, MaxSkew: 90 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		fsys, truth, err := sim.WriteFS()
		if err != nil {
			t.Fatal(err)
		}
		run := correlateFS(t, fsys, 1, correlate.Options{})
		files := run.inputs
		tracked := map[string]string{}
		for _, tr := range run.traces {
			tracked[tr.Key] = traceJSON(t, tr)
		}
		inputs, err := msgtrk.FindFiles(fsys, ".")
		if err != nil {
			t.Fatal(err)
		}
		rows := mergedRows(t, inputs)
		ctx := correlate.Context{DSNLinks: map[string]string{}, Files: files, Logs: run.logs}
		for _, s := range sim.Org().Servers {
			ctx.Servers = append(ctx.Servers, s.Name)
		}
		for _, msg := range truth.Messages {
			ctx.DSNLinks[msg.MessageID] = msg.Key
		}
		rng := rand.New(rand.NewPCG(uint64(v), 1))
		n := 0
		for _, g := range groupRows(rows) {
			rng.Shuffle(len(g), func(i, j int) { g[i], g[j] = g[j], g[i] })
			tr, err := correlate.BuildTrace(g, ctx)
			if err != nil {
				t.Fatalf("%v: %v", v, err)
			}
			want, ok := tracked[tr.Key]
			if !ok {
				t.Fatalf("%v: BuildTrace made %s, the Tracker did not", v, tr.Key)
			}
			if diff := cmp.Diff(want, traceJSON(t, tr)); diff != "" {
				t.Fatalf("%v: trace %s differs (-tracker +BuildTrace):\n%s", v, tr.Key, diff)
			}
			n++
		}
		if n != len(truth.Messages) {
			t.Errorf("%v: %d messages built, truth has %d", v, n, len(truth.Messages))
		}
	}
}

func traceJSON(t testing.TB, tr *correlate.Trace) string {
	b, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBuildTraceOneMessage: rows of two messages are refused.
func TestBuildTraceOneMessage(t *testing.T) {
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 3, Messages: 2})
	if err != nil {
		t.Fatal(err)
	}
	fsys, _, err := sim.WriteFS()
	if err != nil {
		t.Fatal(err)
	}
	inputs, _ := msgtrk.FindFiles(fsys, ".")
	rows := mergedRows(t, inputs)
	if _, err := correlate.BuildTrace(rows, correlate.Context{}); err == nil {
		t.Error("BuildTrace of two messages' rows: no error")
	}
}

// TestBuildTraceFilesOrder: when Context.Files spells one server two ways,
// the trace does not depend on the map's iteration order (which Go
// randomises): building the same message again and again, from a map made
// afresh each time, gives the same JSON, with the spelling of the first
// file by name.
func TestBuildTraceFilesOrder(t *testing.T) {
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 5, Messages: 10, Version: msgtrktest.V2019})
	if err != nil {
		t.Fatal(err)
	}
	fsys, _, err := sim.WriteFS()
	if err != nil {
		t.Fatal(err)
	}
	run := correlateFS(t, fsys, 1, correlate.Options{})
	inputs, err := msgtrk.FindFiles(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	rows := mergedRows(t, inputs)
	// Every server spelt in capitals for the files whose names sort first
	// and in lower case for the others.
	names := slices.Sorted(maps.Keys(run.inputs))
	spelt := func() map[string]string {
		files := map[string]string{}
		for i, name := range names {
			s := strings.ToUpper(run.inputs[name])
			if i >= len(names)/2 {
				s = strings.ToLower(s)
			}
			files[name] = s
		}
		return files
	}
	groups := groupRows(rows)
	if len(groups) == 0 {
		t.Fatal("no message")
	}
	g := groups[0]
	want := map[string]string{} // server → its spelling in its first file by name
	for name, s := range spelt() {
		k := strings.ToLower(s)
		if _, ok := want[k]; !ok || name < want[k+"\x00file"] {
			want[k], want[k+"\x00file"] = s, name
		}
	}
	tr := mustBuild(t, g, correlate.Context{Files: spelt()})
	mixed := 0
	for _, h := range tr.Hops {
		if w := want[strings.ToLower(h.Server)]; h.Server != w {
			t.Errorf("hop on %s: want the spelling of its first file by name, %s", h.Server, w)
		}
		if h.Server != strings.ToUpper(h.Server) {
			mixed++
		}
	}
	if mixed == 0 || mixed == len(tr.Hops) {
		t.Fatalf("the hops do not show both spellings (%d of %d in lower case): the test proves nothing", mixed, len(tr.Hops))
	}
	first := traceJSON(t, tr)
	for range 30 {
		if got := traceJSON(t, mustBuild(t, g, correlate.Context{Files: spelt()})); got != first {
			t.Fatalf("BuildTrace differs from one map to the next:\n%s\n%s", first, got)
		}
	}
}

func mustBuild(t *testing.T, rows []*msgtrk.Record, ctx correlate.Context) *correlate.Trace {
	t.Helper()
	tr, err := correlate.BuildTrace(rows, ctx)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}
