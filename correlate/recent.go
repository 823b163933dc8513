package correlate

// fifoMap remembers the last n keys added (FIFO), mapping each to a value.
type fifoMap[V any] struct {
	m    map[string]V
	ring []string
	next int
}

// recentKeys maps the last keys of emitted traces to their traces' primary
// keys.
type recentKeys = fifoMap[string]

func newRecentKeys(n int) recentKeys { return newFIFOMap[string](n) }

// newFIFOMap returns a fifoMap of n keys (at least 1).
func newFIFOMap[V any](n int) fifoMap[V] {
	return fifoMap[V]{m: make(map[string]V), ring: make([]string, max(n, 1))}
}

func (r *fifoMap[V]) has(k string) bool { _, ok := r.m[k]; return ok }

func (r *fifoMap[V]) get(k string) (V, bool) { v, ok := r.m[k]; return v, ok }

// add remembers k with v; a key already remembered takes the new value
// and keeps its place.
func (r *fifoMap[V]) add(k string, v V) {
	n := len(r.m)
	r.m[k] = v
	if len(r.m) == n {
		return // (k was remembered)
	}
	// k is new: the oldest key, another one, is forgotten.
	if old := r.ring[r.next]; old != "" {
		delete(r.m, old)
	}
	r.ring[r.next] = k
	r.next = (r.next + 1) % len(r.ring)
}
