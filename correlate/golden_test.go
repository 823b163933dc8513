package correlate_test

import (
	"bytes"
	"encoding/json"
	"flag"
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

func TestGoldenCases(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/cases/*")
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
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
