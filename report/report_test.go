package report

import (
	"fmt"
	"math"
	"net/netip"
	"sort"
	"testing"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/internal/proptest"
)

// TestPropertyHistogram: every percentile is within 1% (or 1µs) of the exact
// one, computed by sorting.
func TestPropertyHistogram(t *testing.T) {
	props := gopter.NewProperties(proptest.Parameters(t, 500))
	props.Property("percentiles within 1%", prop.ForAll(func(us []int64, p float64) string {
		var h Histogram
		ds := make([]time.Duration, len(us))
		for i, u := range us {
			ds[i] = time.Duration(u) * time.Microsecond
			h.Add(ds[i])
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		got := h.Percentiles(p)[0]
		rank := int(math.Ceil(p / 100 * float64(len(ds))))
		rank = max(rank, 1)
		want := ds[rank-1]
		if diff := math.Abs(float64(got - want)); diff > float64(want)/100+float64(time.Microsecond) {
			return fmt.Sprintf("p%v = %v, exact %v", p, got, want)
		}
		return ""
	}, gen.SliceOfN(200, gen.Int64Range(0, 1e10)).SuchThat(func(v []int64) bool { return len(v) > 0 }), gen.Float64Range(0, 100)))
	props.TestingRun(t)
}

// TestPropertyTopK: Space-Saving's guarantees against exact counting.
func TestPropertyTopK(t *testing.T) {
	props := gopter.NewProperties(proptest.Parameters(t, 300))
	props.Property("heavy keys kept, counts bounded", prop.ForAll(func(stream []int, capacity int) string {
		tk := NewTopK(capacity)
		exact := map[string]int64{}
		for _, x := range stream {
			k := fmt.Sprint("k", x)
			tk.Add(k)
			exact[k]++
		}
		got := map[string]Entry{}
		for _, e := range tk.Top(capacity) {
			got[e.Key] = e
		}
		n := int64(len(stream))
		for k, c := range exact {
			e, ok := got[k]
			if c > n/int64(capacity) && !ok {
				return fmt.Sprintf("key %s with %d of %d missing at capacity %d", k, c, n, capacity)
			}
			if ok && (e.Count < c || e.Count-e.Error > c) {
				return fmt.Sprintf("key %s: count %d error %d, exact %d", k, e.Count, e.Error, c)
			}
		}
		return ""
	}, gen.SliceOf(gen.Frequency(map[int]gopter.Gen{3: gen.IntRange(0, 5), 1: gen.IntRange(0, 500)})), gen.IntRange(1, 20)))
	props.TestingRun(t)
}

func TestSubmittersOrder(t *testing.T) {
	var s Submitters
	mk := func(ip, auth string, proto correlate.Protocol, sender string) *correlate.Trace {
		return &correlate.Trace{Sender: sender, FirstSeen: time.Unix(1700000000, 0), Origin: correlate.Origin{
			Server: "EX1", Auth: auth, Protocol: proto, Connector: "EX1\\Default EX1", OriginalClientIP: netip.MustParseAddr(ip)}}
	}
	for i := 0; i < 5; i++ {
		s.Add(mk("10.0.0.5", "07I", correlate.ProtocolSMTP, fmt.Sprintf("app%d@contoso.com", i)))
	}
	s.Add(mk("10.0.0.9", "0cA", correlate.ProtocolSMTP, "printer@contoso.com"))
	s.Add(mk("10.0.0.9", "0cA", correlate.ProtocolSMTP, "printer@contoso.com"))
	s.Add(mk("192.0.2.1", "04I", correlate.ProtocolStore, "ann@contoso.com"))
	s.Add(&correlate.Trace{Orphan: true})
	got := s.Sorted()
	if len(got) != 3 {
		t.Fatalf("%d submitters: %+v", len(got), got)
	}
	if got[0].IP.String() != "10.0.0.9" || got[0].Category != "Anonymous" || got[0].Count != 2 || len(got[0].Senders) != 1 {
		t.Errorf("first submitter = %+v, want the anonymous printer", got[0])
	}
	if got[1].Count != 5 || len(got[1].Senders) != MaxSamples || got[1].Category != "Internal" || len(got[1].Connectors) != 1 {
		t.Errorf("second submitter = %+v", got[1])
	}
	if got[2].Protocol != "store" || len(got[2].Connectors) != 0 || got[2].Servers[0] != "EX1" {
		t.Errorf("store submitter = %+v", got[2])
	}
}

// TestSubmittersTies: submitters with as many messages are ordered by
// address, then protocol, then category.
func TestSubmittersTies(t *testing.T) {
	var s Submitters
	for _, o := range []correlate.Origin{
		{Auth: "07I", Protocol: correlate.ProtocolSMTP, OriginalClientIP: netip.MustParseAddr("10.0.0.20")},
		{Auth: "04I", Protocol: correlate.ProtocolStore, OriginalClientIP: netip.MustParseAddr("10.0.0.3")},
		{Auth: "07I", Protocol: correlate.ProtocolSMTP, OriginalClientIP: netip.MustParseAddr("10.0.0.3")},
		{Auth: "07E", Protocol: correlate.ProtocolSMTP, OriginalClientIP: netip.MustParseAddr("10.0.0.3")},
	} {
		s.Add(&correlate.Trace{Sender: "a@contoso.com", Origin: o})
	}
	var got []string
	for _, x := range s.Sorted() {
		got = append(got, x.IP.String()+" "+x.Protocol+" "+x.Category)
	}
	want := []string{"10.0.0.3 smtp External", "10.0.0.3 smtp Internal", "10.0.0.3 store Internal", "10.0.0.20 smtp Internal"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("order %q, want %q", got, want)
	}
}

// TestSubmittersLimit: beyond Limit distinct submitters, messages are
// counted in Overflow, and those kept go on counting.
func TestSubmittersLimit(t *testing.T) {
	s := Submitters{Limit: 2}
	add := func(ip string) {
		s.Add(&correlate.Trace{Origin: correlate.Origin{Auth: "0cA", Protocol: correlate.ProtocolSMTP, OriginalClientIP: netip.MustParseAddr(ip)}})
	}
	for _, ip := range []string{"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.1", "10.0.0.4", "10.0.0.3"} {
		add(ip)
	}
	got := s.Sorted()
	if len(got) != 2 || s.Overflow != 3 {
		t.Fatalf("%d submitters, overflow %d; want 2 and 3", len(got), s.Overflow)
	}
	if got[0].IP.String() != "10.0.0.1" || got[0].Count != 2 || got[1].Count != 1 {
		t.Errorf("kept %+v", got)
	}
}

// TestHistogramBuckets: whatever the number of values, a decade of
// microseconds from 1 ms up holds at most 900 buckets, and below 1 ms at
// most one per microsecond.
func TestHistogramBuckets(t *testing.T) {
	var h Histogram
	// Every value from 0 to 10 s in steps of 7 µs, and a few larger ones.
	for us := int64(0); us < 10_000_000; us += 7 {
		h.Add(time.Duration(us) * time.Microsecond)
	}
	for us := int64(10_000_000); us < 1e12; us = us*3 + 1 {
		h.Add(time.Duration(us) * time.Microsecond)
	}
	perDecade := map[int]int{}
	for v := range h.buckets {
		d := 0
		for x := v; x >= 1000; x /= 10 {
			d++
		}
		perDecade[d]++
	}
	if perDecade[0] > 1000 {
		t.Errorf("%d buckets below 1 ms", perDecade[0])
	}
	for d, n := range perDecade {
		if d > 0 && n > 900 {
			t.Errorf("decade %d: %d buckets, want at most 900", d, n)
		}
	}
	for d := 1; d <= 4; d++ { // 1 ms to 10 s, swept densely: every bucket used
		if perDecade[d] != 900 {
			t.Errorf("decade %d: %d buckets, want all 900", d, perDecade[d])
		}
	}
}
