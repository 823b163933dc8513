package report

import (
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/internal/proptest"
)

// histCase is one generated input of TestPropertyHistogram: the values, in
// microseconds (or bytes), and the percentile asked for.
type histCase struct {
	Values []int64
	P      float64
}

// histCaseGen generates the cases that matter: a single value, a few, or
// hundreds; values all below 1000 (exact buckets: 1 ms, or 1000 bytes), all
// anywhere up to 10^10, or a mix; and p0 and p100 as often as any other
// percentile (TestHistogramGeneratorCoverage shows each is reached).
func histCaseGen() gopter.Gen {
	// gen.Weighted, not gen.Frequency: Frequency keys its generators by
	// weight and does not draw them in proportion to it.
	n := gen.Weighted([]gen.WeightedGen{{Weight: 1, Gen: gen.Const(1)}, {Weight: 3, Gen: gen.IntRange(2, 20)}, {Weight: 2, Gen: gen.IntRange(21, 400)}})
	values := n.FlatMap(func(v any) gopter.Gen {
		n := v.(int)
		return gen.OneGenOf(
			gen.SliceOfN(n, gen.Int64Range(0, 999)),
			gen.SliceOfN(n, gen.Int64Range(0, 1e10)),
			// (Map drops each range's sieve, which SliceOfN would
			// otherwise apply to the other range's values.)
			gen.SliceOfN(n, gen.OneGenOf(gen.Int64Range(0, 999).Map(same), gen.Int64Range(1000, 1e10).Map(same))),
		)
	}, reflect.TypeOf([]int64(nil)))
	p := gen.Weighted([]gen.WeightedGen{{Weight: 1, Gen: gen.Const(0.0)}, {Weight: 1, Gen: gen.Const(100.0)}, {Weight: 4, Gen: gen.Float64Range(0, 100)}})
	return gopter.CombineGens(values, p).Map(func(v []any) histCase {
		return histCase{Values: v[0].([]int64), P: v[1].(float64)}
	})
}

func same(v int64) int64 { return v }

// exactPercentile is the value of rank ⌈p/100·n⌉ (at least 1) of the sorted
// values: what the histograms approximate.
func exactPercentile(values []int64, p float64) int64 {
	sorted := slices.Sorted(slices.Values(values))
	rank := max(int(math.Ceil(p/100*float64(len(sorted)))), 1)
	return sorted[rank-1]
}

// TestPropertyHistogram: every percentile is exact below 1000 (1 ms, or 1000
// bytes) and within 1% of the exact one above, computed by sorting; p0 is
// the smallest value and p100 the largest, so rounded; a duration histogram
// and a size histogram fed the same numbers agree.
func TestPropertyHistogram(t *testing.T) {
	props := gopter.NewProperties(proptest.Parameters(t, 500))
	props.Property("percentiles exact below 1000, within 1% above", prop.ForAll(func(c histCase) string {
		var h Histogram
		var sh SizeHistogram
		for _, v := range c.Values {
			h.Add(time.Duration(v) * time.Microsecond)
			sh.Add(v)
		}
		want := exactPercentile(c.Values, c.P)
		got := h.Percentiles(c.P)[0].Microseconds()
		switch {
		case want < 1000 && got != want:
			return fmt.Sprintf("p%v = %dµs, exact %dµs (below 1 ms: must be exact)", c.P, got, want)
		case got > want || want-got > want/100:
			return fmt.Sprintf("p%v = %dµs, exact %dµs", c.P, got, want)
		case sh.Percentiles(c.P)[0] != got:
			return fmt.Sprintf("p%v: size histogram %d, duration histogram %dµs", c.P, sh.Percentiles(c.P)[0], got)
		case h.Count() != int64(len(c.Values)) || sh.Count() != h.Count():
			return fmt.Sprintf("counts %d, %d for %d values", h.Count(), sh.Count(), len(c.Values))
		case sh.Max() != slices.Max(c.Values) || h.Max() != time.Duration(sh.Max())*time.Microsecond:
			return fmt.Sprintf("max %d, %v; want %d", sh.Max(), h.Max(), slices.Max(c.Values))
		}
		ends := h.Percentiles(0, 100)
		if lo, hi := ends[0].Microseconds(), ends[1].Microseconds(); lo != round(slices.Min(c.Values)) || hi != round(slices.Max(c.Values)) {
			return fmt.Sprintf("p0, p100 = %d, %d; want the rounded min and max %d, %d", lo, hi, round(slices.Min(c.Values)), round(slices.Max(c.Values)))
		}
		return ""
	}, histCaseGen()))
	props.TestingRun(t)
}

// TestHistogramGeneratorCoverage samples histCaseGen and checks that it
// reaches every case TestPropertyHistogram claims: one value, the exact
// path below 1 ms, p0 and p100, and hundreds of values.
func TestHistogramGeneratorCoverage(t *testing.T) {
	params := gopter.DefaultGenParameters().WithSize(100)
	params.Rng.Seed(proptest.Seed(t))
	g := histCaseGen()
	var one, exact, p0, p100, many int
	const samples = 1000
	for range samples {
		v, ok := g(params).Retrieve()
		if !ok {
			t.Fatal("the generator gave no value: a case the property would silently discard")
		}
		c := v.(histCase)
		switch {
		case len(c.Values) == 1:
			one++
		case len(c.Values) > 100:
			many++
		}
		if exactPercentile(c.Values, c.P) < 1000 {
			exact++
		}
		switch c.P {
		case 0:
			p0++
		case 100:
			p100++
		}
	}
	t.Logf("of %d cases: %d with one value, %d with over 100, %d on the exact path, %d at p0, %d at p100", samples, one, many, exact, p0, p100)
	for name, n := range map[string]int{"one value": one, "over 100 values": many, "exact path below 1 ms": exact, "p0": p0, "p100": p100} {
		if n < samples/50 {
			t.Errorf("%s: %d of %d cases, want at least %d", name, n, samples, samples/50)
		}
	}
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
	}, gen.SliceOf(gen.Weighted([]gen.WeightedGen{{Weight: 3, Gen: gen.IntRange(0, 5)}, {Weight: 1, Gen: gen.IntRange(0, 500)}})), gen.IntRange(1, 20)))
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
	for v := range h.b.counts {
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
