package report_test

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/report"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// TestCountsMerge: Merge sums every field (a field added to Counts and
// forgotten in Merge fails here).
func TestCountsMerge(t *testing.T) {
	var a, b, want report.Counts
	va, vb, vw := reflect.ValueOf(&a).Elem(), reflect.ValueOf(&b).Elem(), reflect.ValueOf(&want).Elem()
	for i := 0; i < va.NumField(); i++ {
		va.Field(i).SetInt(int64(i + 1))
		vb.Field(i).SetInt(int64(100 * (i + 1)))
		vw.Field(i).SetInt(int64(101 * (i + 1)))
	}
	a.Merge(b)
	if a != want {
		t.Errorf("Merge: got %+v, want %+v", a, want)
	}
}

// TestCountsDSNs: only Failure DSNs are NDRs (format.md §8); a delay
// notice or a relay report is a DSN and no NDR, and a DSN whose type is
// unknown is counted apart, not as an NDR.
func TestCountsDSNs(t *testing.T) {
	dsn := func(f sourcecontext.DSNFlags) *correlate.Trace {
		return &correlate.Trace{Key: "k", DSNForMessageID: "<m@x>", DSNFlags: f}
	}
	tests := []struct {
		name   string
		traces []*correlate.Trace
		want   report.Counts
	}{
		{"not a DSN", []*correlate.Trace{{Key: "k"}}, report.Counts{Messages: 1}},
		{"Failure", []*correlate.Trace{dsn(sourcecontext.DSNFailure)}, report.Counts{Messages: 1, DSNs: 1, NDRs: 1}},
		{"Failure in a list", []*correlate.Trace{dsn(sourcecontext.DSNFailure | sourcecontext.DSNExpansion)}, report.Counts{Messages: 1, DSNs: 1, NDRs: 1}},
		{"Delay", []*correlate.Trace{dsn(sourcecontext.DSNDelay)}, report.Counts{Messages: 1, DSNs: 1}},
		{"Relay", []*correlate.Trace{dsn(sourcecontext.DSNRelay)}, report.Counts{Messages: 1, DSNs: 1}},
		{"Delivery, Relay", []*correlate.Trace{dsn(sourcecontext.DSNDelivery | sourcecontext.DSNRelay)}, report.Counts{Messages: 1, DSNs: 1}},
		{"type unknown", []*correlate.Trace{dsn(0)}, report.Counts{Messages: 1, DSNs: 1, DSNsUnknownType: 1}},
		{"a DSN row without reference", []*correlate.Trace{{Key: "k", DSNFlags: sourcecontext.DSNFailure}}, report.Counts{Messages: 1, DSNs: 1, NDRs: 1}},
		{"orphan", []*correlate.Trace{{Key: "k", Orphan: true, DSNForMessageID: "<m@x>"}}, report.Counts{Orphans: 1}},
		{"mixed", []*correlate.Trace{{Key: "a"}, dsn(sourcecontext.DSNFailure), dsn(sourcecontext.DSNDelay), dsn(0), dsn(sourcecontext.DSNFailure)},
			report.Counts{Messages: 5, DSNs: 4, NDRs: 2, DSNsUnknownType: 1}},
	}
	for _, tt := range tests {
		var got report.Counts
		for _, tr := range tt.traces {
			got.Add(tr)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Counts mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}
