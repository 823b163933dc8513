package report

import (
	"math"
	"slices"
	"time"
)

// buckets is what Histogram and SizeHistogram share: non-negative integers
// counted in buckets of three significant digits (so every percentile is
// within 1% of the exact value, and exact below 1000), in memory bounded by
// the range of the values, not their number: at most 900 buckets per
// decade. The zero buckets is empty and ready to use.
type buckets struct {
	counts map[int64]int64 // rounded value → count
	n      int64
}

// round keeps three significant digits of v.
func round(v int64) int64 {
	if v < 1000 {
		return v
	}
	scale := int64(1)
	for v >= 1000 {
		v /= 10
		scale *= 10
	}
	return v * scale
}

func (b *buckets) add(v int64) {
	if b.counts == nil {
		b.counts = map[int64]int64{}
	}
	b.counts[round(max(v, 0))]++
	b.n++
}

// percentiles returns the rounded values at the given percentiles (0–100):
// the value of rank ⌈p/100·n⌉ (at least 1) in sorted order. It returns
// zeros when nothing was added.
func (b *buckets) percentiles(ps []float64) []int64 {
	out := make([]int64, len(ps))
	if b.n == 0 {
		return out
	}
	keys := make([]int64, 0, len(b.counts))
	for k := range b.counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, p := range ps {
		rank := max(int64(math.Ceil(p/100*float64(b.n))), 1)
		var cum int64
		for _, k := range keys {
			cum += b.counts[k]
			if cum >= rank {
				out[i] = k
				break
			}
		}
	}
	return out
}

// Histogram records durations, at microsecond resolution, with three
// significant digits (see Percentiles). The zero Histogram is ready to use.
// It is not safe for concurrent use.
type Histogram struct {
	b   buckets // microseconds
	sum time.Duration
	max time.Duration
}

// Add records d (negative durations are recorded as zero).
func (h *Histogram) Add(d time.Duration) {
	d = max(d, 0)
	h.b.add(d.Microseconds())
	h.max = max(h.max, d)
	h.sum += d
}

// Count returns the number of durations recorded.
func (h *Histogram) Count() int64 { return h.b.n }

// Percentiles returns the durations at the given percentiles (0–100), each
// within 1% of the exact value truncated to the microsecond, and exact to
// the microsecond below 1 ms; zero when nothing was recorded.
func (h *Histogram) Percentiles(ps ...float64) []time.Duration {
	us := h.b.percentiles(ps)
	out := make([]time.Duration, len(us))
	for i, v := range us {
		out[i] = time.Duration(v) * time.Microsecond
	}
	return out
}

// Mean returns the average duration.
func (h *Histogram) Mean() time.Duration {
	if h.b.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.b.n)
}

// Max returns the largest duration recorded.
func (h *Histogram) Max() time.Duration { return h.max }

// SizeHistogram records sizes in bytes with three significant digits (see
// Percentiles). The zero SizeHistogram is ready to use. It is not safe for
// concurrent use.
type SizeHistogram struct {
	b   buckets
	max int64
}

// Add records a size of n bytes (negative sizes are recorded as zero).
func (h *SizeHistogram) Add(n int64) {
	n = max(n, 0)
	h.b.add(n)
	h.max = max(h.max, n)
}

// Count returns the number of sizes recorded.
func (h *SizeHistogram) Count() int64 { return h.b.n }

// Percentiles returns the sizes at the given percentiles (0–100), each
// within 1% of the exact value, and exact below 1000 bytes; zero when
// nothing was recorded.
func (h *SizeHistogram) Percentiles(ps ...float64) []int64 { return h.b.percentiles(ps) }

// Max returns the largest size recorded.
func (h *SizeHistogram) Max() int64 { return h.max }
