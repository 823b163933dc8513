package correlate

import (
	"slices"
	"testing"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// TestSizeClass: capacities 1, 2, 3, 4, 6, 8, 12, 16, …, each the least of
// its form that holds c.
func TestSizeClass(t *testing.T) {
	var sizes []int
	last := -1
	for c := 1; c <= 1<<12; c++ {
		j, size := sizeClass(c)
		if size < c || (c > 1 && j == last && size != sizes[len(sizes)-1]) {
			t.Fatalf("sizeClass(%d) = %d, %d", c, j, size)
		}
		if j != last {
			if j < last {
				t.Fatalf("sizeClass(%d): class %d after %d", c, j, last)
			}
			sizes = append(sizes, size)
			last = j
		}
	}
	if want := []int{1, 2, 3, 4, 6, 8, 12, 16, 24, 32}; !slices.Equal(sizes[:10], want) {
		t.Errorf("capacities %v, want %v", sizes[:10], want)
	}
	for i := 1; i < len(sizes); i++ {
		if r := float64(sizes[i]) / float64(sizes[i-1]); r > 2 {
			t.Errorf("capacity %d after %d", sizes[i], sizes[i-1])
		}
	}
}

// TestPoolReuse: a buffer that grows keeps its elements; once the pool
// holds what a trace's growth needs, growing allocates nothing; a buffer
// put back keeps nothing alive.
func TestPoolReuse(t *testing.T) {
	var p bufPool[fpEntry]
	from := &msgtrk.Origin{File: "MSGTRK2024050601-1.LOG"}
	s := p.grow(nil, 5, 1)
	for i := range 5 {
		s = append(s, fpEntry{fp: uint64(i), from: from})
	}
	s = p.grow(s, 3, 1)
	if len(s) != 5 || cap(s) != 8 || s[4].fp != 4 || s[4].from != from {
		t.Fatalf("grown: len %d cap %d, %+v", len(s), cap(s), s[4])
	}
	p.put(s)
	for _, b := range p.free {
		for _, f := range b {
			if f = f[:cap(f)]; slices.ContainsFunc(f, func(e fpEntry) bool { return e.from != nil }) {
				t.Fatal("a buffer in the pool still points to an origin")
			}
		}
	}
	if n := testing.AllocsPerRun(100, func() {
		s := p.grow(nil, 5, 1)[:5]
		p.put(p.grow(s, 3, 1))
	}); n != 0 {
		t.Errorf("growing from the pool: %v allocations, want 0", n)
	}
}
