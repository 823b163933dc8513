package correlate_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

var update = flag.Bool("update", false, "rewrite golden files")

// correlateDir reads every log under dir and returns the traces.
func correlateDir(t *testing.T, dir string, opts correlate.Options) ([]*correlate.Trace, correlate.Stats) {
	t.Helper()
	inputs, err := msgtrk.OpenPaths(dir)
	if err != nil {
		t.Fatal(err)
	}
	var traces []*correlate.Trace
	opts.OnTrace = func(tr *correlate.Trace) { traces = append(traces, tr) }
	tk, err := correlate.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range inputs {
		tk.MarkServer(in.Server)
	}
	m := msgtrk.NewMerger(inputs)
	var last time.Time
	for m.Next() {
		rec := m.Record()
		tk.Add(rec)
		if tm, err := rec.Time(); err == nil {
			tk.Advance(tm)
			if tm.After(last) {
				last = tm
			}
		}
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	// Let every window pass, so that reasons say complete or expired.
	tk.Advance(last.Add(24 * time.Hour))
	tk.Flush()
	return traces, tk.Stats()
}

// minGoldenCases is the number of case directories testdata/cases holds
// (six when this was written); fewer means the glob or the tree broke.
const minGoldenCases = 6

func TestGoldenCases(t *testing.T) {
	dirs, err := filepath.Glob("testdata/cases/*")
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	defer func() {
		// A glob that finds nothing must not pass as "every case matches".
		if cases < minGoldenCases {
			t.Errorf("%d case directories under testdata/cases, want at least %d", cases, minGoldenCases)
		}
	}()
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		cases++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			traces, _ := correlateDir(t, dir, correlate.Options{})
			var buf bytes.Buffer
			for _, tr := range traces {
				b, err := json.MarshalIndent(tr, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				buf.Write(b)
				buf.WriteByte('\n')
			}
			golden := dir + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("traces of %s mismatch (-want +got):\n%s", dir, diff)
			}
		})
	}
}

func TestSkewEstimate(t *testing.T) {
	// EX2's clock runs 40 s ahead of EX1's; mail goes both ways.
	var buf bytes.Buffer
	w := msgtrk.NewWriter(&buf)
	w.WriteHeader(msgtrk.Header{})
	t0 := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	skew := map[string]time.Duration{"EX1": 0, "EX2": 40 * time.Second}
	row := func(at time.Time, server, client, srvHost, src, ev, nid string) {
		var e msgtrk.Event
		e.SetTime(at.Add(skew[server]))
		e.Set(msgtrk.ClientHostname, client)
		e.Set(msgtrk.ServerHostname, srvHost)
		e.Set(msgtrk.Source, src)
		e.Set(msgtrk.EventID, ev)
		e.Set(msgtrk.NetworkMessageID, nid)
		e.Set(msgtrk.RecipientAddress, "r@contoso.com")
		w.WriteEvent(&e)
	}
	for i := 0; i < 50; i++ {
		at := t0.Add(time.Duration(i) * time.Second)
		a, b := "EX1", "EX2"
		if i%2 == 1 {
			a, b = b, a
		}
		nid := fmt.Sprintf("%08x-0000-4000-8000-000000000000", i)
		row(at, a, a, b, "SMTP", "SEND", nid)
		row(at.Add(30*time.Millisecond), b, a, b, "SMTP", "RECEIVE", nid)
	}
	w.Flush()
	tk, _ := correlate.New(correlate.Options{OnTrace: func(*correlate.Trace) {}})
	r := msgtrk.NewReader(&buf)
	for r.Next() {
		tk.Add(r.Record())
	}
	tk.Flush()
	got := tk.Skew()
	if len(got) != 2 {
		t.Fatalf("Skew() = %+v", got)
	}
	off := map[string]time.Duration{}
	for _, s := range got {
		off[s.Server] = s.Offset
	}
	if d := off["EX2"] - off["EX1"]; d < 39*time.Second || d > 41*time.Second {
		t.Errorf("EX2 - EX1 estimated %v, want about 40s (%+v)", d, got)
	}
}
