package correlate

// recentKeys remembers the last n emitted keys (FIFO), mapping each to the
// primary key of its trace.
type recentKeys struct {
	m    map[string]string
	ring []string
	next int
}

func newRecentKeys(n int) recentKeys {
	return recentKeys{m: make(map[string]string), ring: make([]string, n)}
}

func (r *recentKeys) has(k string) bool { _, ok := r.m[k]; return ok }

func (r *recentKeys) get(k string) (string, bool) { v, ok := r.m[k]; return v, ok }

func (r *recentKeys) add(k, v string) {
	if _, ok := r.m[k]; ok {
		r.m[k] = v
		return
	}
	if old := r.ring[r.next]; old != "" {
		delete(r.m, old)
	}
	r.ring[r.next] = k
	r.m[k] = v
	r.next = (r.next + 1) % len(r.ring)
}
