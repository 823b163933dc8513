package correlate_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// TestHopsCausalWithUntimedVisit: a row whose date-time does not parse
// makes a visit with no time, which sorts first. When a later visit of the
// same server, role and depth is merged into it, the hop takes that
// visit's time and must move behind the hops it now follows. (Found by
// FuzzPipeline: fuzz/testdata/fuzz/FuzzPipeline/ac68898f959a242d.)
func TestHopsCausalWithUntimedVisit(t *testing.T) {
	fields := msgtrk.Layout2016.FieldNames()
	row := func(set map[msgtrk.Field]string) string {
		cols := make([]string, len(fields))
		for f, v := range set {
			cols[slices.Index(fields, f.String())] = v
		}
		return strings.Join(cols, ",") + "\r\n"
	}
	const netID = "2174653a-2032-3032-342d-30352d303654"
	log := "#Fields: " + strings.Join(fields, ",") + "\r\n" +
		// EDGE1's first visit: no parsable time.
		row(map[msgtrk.Field]string{msgtrk.DateTime: "not a time", msgtrk.ClientHostname: "EDGE1", msgtrk.ServerHostname: "EDGE1.contoso.com",
			msgtrk.Source: "SMTP", msgtrk.EventID: "SENDEXTERNAL", msgtrk.InternalMessageID: "2", msgtrk.NetworkMessageID: netID,
			msgtrk.RecipientAddress: "bob@example.org"}) +
		row(map[msgtrk.Field]string{msgtrk.DateTime: "2024-05-06T09:03:02.595Z", msgtrk.ClientHostname: "EX1", msgtrk.ServerHostname: "EX1",
			msgtrk.Source: "AGENT", msgtrk.EventID: "AGENTINFO", msgtrk.InternalMessageID: "1", msgtrk.NetworkMessageID: netID}) +
		// EDGE1's second visit, an hour later.
		row(map[msgtrk.Field]string{msgtrk.DateTime: "2024-05-06T10:03:03.687Z", msgtrk.ClientHostname: "EDGE1.contoso.com", msgtrk.ServerHostname: "EX2",
			msgtrk.Source: "AGENT", msgtrk.EventID: "AGENTINFO", msgtrk.InternalMessageID: "3", msgtrk.NetworkMessageID: netID})

	var traces []*correlate.Trace
	tk, err := correlate.New(correlate.Options{Window: time.Minute, OnTrace: func(tr *correlate.Trace) { traces = append(traces, tr) }})
	if err != nil {
		t.Fatal(err)
	}
	r := msgtrk.NewReaderBytes([]byte(log))
	for r.Next() {
		tk.Add(r.Record())
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	tk.Flush()
	if len(traces) != 1 {
		t.Fatalf("%d traces, want 1", len(traces))
	}
	hops := traces[0].Hops
	var edge *correlate.Hop
	for i := range hops {
		if hops[i].Server == "EDGE1" {
			edge = &hops[i]
		}
	}
	if edge == nil || edge.Events != 2 {
		t.Fatalf("EDGE1's two visits are not one hop: %+v", hops)
	}
	if !slices.IsSortedFunc(hops, func(a, b correlate.Hop) int {
		if a.Depth != b.Depth {
			return a.Depth - b.Depth
		}
		return a.First.Compare(b.First)
	}) {
		for _, h := range hops {
			t.Logf("depth %d %s %v first %v", h.Depth, h.Server, h.Role, h.First)
		}
		t.Fatal("hops not in causal order (depth, then first time)")
	}
}
