package mtbeam

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/google/go-cmp/cmp"

	"github.com/mailtrace/mailtrace/report"
)

// TestStatsEveryCount: every field of report.Counts survives the
// pipeline's combine (traceCounts, mergeCounts across bundles) and its JSON
// (statsJSON): traces each carrying one field set, with a different value
// per field, come out as the summary report gives for their sum, and each
// field alone changes the output. A field added to Counts and forgotten by
// the pipeline fails here.
func TestStatsEveryCount(t *testing.T) {
	var traces []Trace
	var sum report.Counts
	n := reflect.TypeOf(report.Counts{}).NumField()
	for i := range n {
		for j := range 3 { // several traces per field, to be combined
			var c report.Counts
			reflect.ValueOf(&c).Elem().Field(i).SetInt(int64(10*(i+1) + j))
			traces = append(traces, Trace{Key: "k", Counts: c})
			sum.Merge(c)
		}
	}
	got := runStats(t, traces)
	st := report.NewStats(0)
	st.Counts = sum
	want := Counts{Counts: st.Summary(0, 0).Counts, Size: TotalSize{Total: sum.Bytes}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	// Each field alone must reach the JSON: the summary shows all of them.
	zero := countsJSON(t, report.Counts{})
	for i := range n {
		var c report.Counts
		reflect.ValueOf(&c).Elem().Field(i).SetInt(7)
		if countsJSON(t, c) == zero {
			t.Errorf("report.Counts.%s does not reach the stats JSON", reflect.TypeOf(c).Field(i).Name)
		}
	}
}

// countsJSON is the stats JSON of one trace's counts, through the
// functions the pipeline runs.
func countsJSON(t *testing.T, c report.Counts) string {
	t.Helper()
	merged := mergeCounts(report.Counts{}, traceCounts(Trace{Counts: c}))
	var out string
	err := statsJSON(nil, none[int64], none[int64], one(merged), none[WindowCounts], func(s string) { out = s })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func none[T any](*T) bool { return false }

func one[T any](v T) func(*T) bool {
	done := false
	return func(p *T) bool {
		if done {
			return false
		}
		*p, done = v, true
		return true
	}
}

// runStats runs Stats over traces (no rows, no problems) on prism.
func runStats(t *testing.T, traces []Trace) Counts {
	t.Helper()
	out := filepath.Join(t.TempDir(), "stats.json")
	p, s := beam.NewPipelineWithRoot()
	logs := Logs{Rows: beam.CreateList(s, []Row{}), Problems: beam.CreateList(s, []Problem{})}
	textio.Write(s, out, Stats(s, logs, beam.CreateList(s, traces)))
	if err := ptest.Run(p); err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var c Counts
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return c
}
