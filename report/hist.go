package report

import (
	"math"
	"sort"
	"time"
)

// Histogram records durations with three significant digits (so every
// percentile is within 1% of the exact value) in memory bounded by the range
// of values, not their number: at most 900 buckets per decade.
// The zero Histogram is ready to use. It is not safe for concurrent use.
type Histogram struct {
	buckets map[int64]int64 // rounded value in microseconds → count
	n       int64
	sum     time.Duration
	max     time.Duration
	min     time.Duration
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

// Add records d (negative durations are recorded as zero).
func (h *Histogram) Add(d time.Duration) {
	if d < 0 {
		d = 0
	}
	if h.buckets == nil {
		h.buckets = map[int64]int64{}
	}
	h.buckets[round(d.Microseconds())]++
	if h.n == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.n++
	h.sum += d
}

// Count returns the number of durations recorded.
func (h *Histogram) Count() int64 { return h.n }

// Percentiles returns the durations at the given percentiles (0–100), each
// within 1% of the exact value; zero when nothing was recorded.
func (h *Histogram) Percentiles(ps ...float64) []time.Duration {
	out := make([]time.Duration, len(ps))
	if h.n == 0 {
		return out
	}
	keys := make([]int64, 0, len(h.buckets))
	for k := range h.buckets {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for i, p := range ps {
		rank := int64(math.Ceil(p / 100 * float64(h.n)))
		if rank < 1 {
			rank = 1
		}
		var cum int64
		for _, k := range keys {
			cum += h.buckets[k]
			if cum >= rank {
				out[i] = time.Duration(k) * time.Microsecond
				break
			}
		}
	}
	return out
}

// Mean returns the average duration.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

// Max returns the largest duration recorded.
func (h *Histogram) Max() time.Duration { return h.max }
