package filter_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/filter"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// TestCoverage: of the listed values, those no selected row carries are
// named, each once, in the order given.
func TestCoverage(t *testing.T) {
	f := filter.Events{
		MessageIDs: []string{"<a@x>", "absent@x", "c@x", "absent@x"},
		Recipients: []string{"carl@contoso.com", "@fabrikam.net", "*@contoso.com"},
		Servers:    []string{"ex01.contoso.com", "EX9", "HUB2"},
	}
	f.Compile()
	cov := filter.NewCoverage(&f)
	r := msgtrk.NewReader(strings.NewReader(log))
	for r.Next() {
		if rec := r.Record(); f.Match(rec) {
			cov.AddRecord(rec)
		}
	}
	want := []filter.Unseen{
		{List: filter.ListRecipients, Value: "@fabrikam.net"},
		{List: filter.ListMessageIDs, Value: "absent@x"},
		{List: filter.ListMessageIDs, Value: "c@x"}, // its row lists no contoso.com recipient
		{List: filter.ListServers, Value: "EX9"},
		{List: filter.ListServers, Value: "HUB2"}, // a row's server-hostname, not its logging server
	}
	if diff := cmp.Diff(want, cov.Unseen()); diff != "" {
		t.Errorf("Unseen mismatch (-want +got):\n%s", diff)
	}
	if cov.Empty() {
		t.Error("Empty() with lists")
	}
	none := filter.Events{Subject: "x"}
	none.Compile()
	if !filter.NewCoverage(&none).Empty() {
		t.Error("Empty() false without lists")
	}
}
