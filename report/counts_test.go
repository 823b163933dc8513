package report_test

import (
	"reflect"
	"testing"

	"github.com/mailtrace/mailtrace/report"
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
