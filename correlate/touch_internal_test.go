package correlate

import (
	"testing"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// TestBatchFactsGroups: BatchFacts.Read hands the Tracker its rows in
// groups of touchRows (the last one shorter), each on its first row and
// starting there, every row in exactly one, also when the batch is read
// again with fewer rows.
func TestBatchFactsGroups(t *testing.T) {
	in, err := msgtrk.OpenPaths("../testdata/sample-org")
	if err != nil {
		t.Fatal(err)
	}
	m := msgtrk.NewMerger(in)
	var b msgtrk.Batch
	var fs BatchFacts
	for _, n := range []int{2*touchRows + 3, touchRows, 1} {
		b.Reset()
		for b.Len() < n && m.Next() {
			b.Append(m.Record())
		}
		if b.Len() < n {
			t.Fatalf("%d rows in the sample, want %d", b.Len(), n)
		}
		fs.Read(&b)
		covered := 0
		for i := range n {
			g := fs.Row(i).group
			if i%touchRows != 0 {
				if g != nil {
					t.Errorf("%d rows: row %d holds a group", n, i)
				}
				continue
			}
			if want := min(touchRows, n-i); len(g) != want || &g[0] != fs.Row(i) {
				t.Errorf("%d rows: row %d holds a group of %d rows (from itself: %v), want %d", n, i, len(g), len(g) > 0 && &g[0] == fs.Row(i), want)
			}
			covered += len(g)
		}
		if covered != n {
			t.Errorf("%d rows: the groups cover %d", n, covered)
		}
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
}
