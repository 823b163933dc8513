package messageinfo

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.txt from the parser's output")

// describe renders everything the package decodes from one value.
func describe(v realValue) string {
	src := []byte(v.Value)
	var b strings.Builder
	fmt.Fprintf(&b, "== %s (%s)\n", v.Name, v.Event)
	fmt.Fprintf(&b, "value %q\n", v.Value)
	info := Parse(src)
	fmt.Fprintf(&b, "kind %v\n", info.Kind)
	switch info.Kind {
	case KindAuthCode:
		a := info.Auth
		fmt.Fprintf(&b, "auth number %#02x mechanism %v letter %q category %v detail %q anonymous %v\n",
			a.Number, a.Mechanism(), a.Letter, a.Category(), a.Detail.Text(src), a.Anonymous())
	case KindTimestamp:
		fmt.Fprintf(&b, "time %s\n", info.Time.Format("2006-01-02T15:04:05.000000000Z07:00"))
	case KindLatency:
		nodes, lat, err := AppendLatency(nil, src)
		fmt.Fprintf(&b, "err %v\n", err)
		b.WriteString(dumpLatency(src, nodes, &lat))
	}
	return b.String()
}

// TestGoldenReal pins the decoding of every real message-info value.
// Each golden file is named after its sample file; regenerate with
// `go test ./messageinfo -run TestGoldenReal -update` and review the diff.
func TestGoldenReal(t *testing.T) {
	byFile := map[string]*strings.Builder{}
	var order []string
	for _, v := range realValues(t) {
		file, _, _ := strings.Cut(v.Name, "#")
		if byFile[file] == nil {
			byFile[file] = &strings.Builder{}
			order = append(order, file)
		}
		byFile[file].WriteString(describe(v))
	}
	for _, file := range order {
		got := byFile[file].String()
		path := filepath.Join("testdata", "golden", strings.TrimSuffix(file, filepath.Ext(file))+".txt")
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v (run with -update to create)", file, err)
			continue
		}
		if diff := cmp.Diff(string(want), got); diff != "" {
			t.Errorf("decoding of %s mismatch (-want +got):\n%s", file, diff)
		}
	}
}

// TestRealKinds counts the shapes found in the real samples, so that a
// sample that silently stops being recognised fails here too.
func TestRealKinds(t *testing.T) {
	got := map[Kind]int{}
	for _, v := range realValues(t) {
		got[Classify([]byte(v.Value))]++
	}
	// Empty: 7 rows, plus the 2 truncated AGENTINFO rows internal/realdata reads.
	want := map[Kind]int{KindEmpty: 9, KindAuthCode: 3, KindLatency: 8}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kinds of real message-info (-want +got):\n%s", diff)
	}
}

// TestRealLatency checks what the golden files cannot show at a glance:
// every real latency string parses without error, keeps the invariants,
// renders canonically to a string that parses to the same tree, and its
// hop totals and component sums agree with the reading of the flags.
func TestRealLatency(t *testing.T) {
	for _, v := range realValues(t) {
		src := []byte(v.Value)
		if Classify(src) != KindLatency {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			nodes, lat, err := checkLatency(t, src)
			if err != nil {
				t.Fatalf("AppendLatency(%q) error: %v", src, err)
			}
			if lat.Unit != UnitSeconds {
				t.Errorf("unit %v, want Seconds", lat.Unit)
			}
			for i := range lat.NumHops() {
				if h := lat.Hop(i); h.Root < 0 || h.Role == RoleUnknown {
					t.Errorf("hop %d has no TOTAL with a known role: %+v", i, h)
				}
			}
			canon := AppendCanonical(nil, src, nodes, &lat)
			nodes2, lat2, err := checkLatency(t, canon)
			if err != nil {
				t.Fatalf("canonical %q: %v", canon, err)
			}
			if diff := cmp.Diff(treeView(src, nodes, &lat), treeView(canon, nodes2, &lat2)); diff != "" {
				t.Errorf("canonical form %q decodes differently (-orig +canonical):\n%s", canon, diff)
			}
			// Values are rounded to 1 ms, so a parent may fall short of the
			// sum of its children by up to 1 ms per child. Children flagged
			// Extended (X-) are not counted: X-SMRCR=0.125 exceeds its
			// parent SMRC=0.125's other child, X-SMSDR=0.011 its parent
			// SMSC=0.006. Neither are R- codes, which overlap their siblings
			// in the one sample that has them (SMRI=0.118 vs RENV+REOD+
			// CMSGC+R-CMSG=0.141).
			for p := lat.First; p < lat.End; p++ {
				var sum, slack int64
				for k := p + 1; k < lat.End && nodes[k].Depth > nodes[p].Depth; k++ {
					c := nodes[k]
					if c.Parent != p || c.Flags&FlagExtended != 0 || strings.HasPrefix(c.Code.Text(src), "R-") {
						continue
					}
					sum += int64(c.Duration)
					slack += 1e6
				}
				if sum > int64(nodes[p].Duration)+slack {
					t.Errorf("node %d %s: children sum to %v, more than %v", p, nodes[p].Name.Text(src), sum, nodes[p].Duration)
				}
			}
		})
	}
}

// TestComponentTable checks the component table against the samples in
// both directions: every code in the real latency trees is documented, and
// every documented code occurs in them (the table claims nothing unseen).
func TestComponentTable(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range realValues(t) {
		src := []byte(v.Value)
		if Classify(src) != KindLatency {
			continue
		}
		nodes, _, err := AppendLatency(nil, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range nodes {
			code := n.Code.Bytes(src)
			seen[string(code)] = true
			if _, ok := LookupComponent(code); !ok {
				t.Errorf("code %q (in %s) is not in the component table", code, n.Name.Text(src))
			}
		}
	}
	for _, c := range Components() {
		if !seen[c.Code] {
			t.Errorf("component table lists %q, which no real sample has", c.Code)
		}
		if c.Basis == BasisUnknown || c.Meaning == "" {
			t.Errorf("component %q lacks meaning or basis", c.Code)
		}
	}
}

// viewNode is a node with its spans resolved to text, for comparing trees
// parsed from different strings.
type viewNode struct {
	Name, Code, Agent, Value string
	Duration                 string
	Parent                   int32
	Hop, Depth               uint8
	Flags                    Flags
}

type viewHop struct {
	Server, RoleText string
	LSRV             bool
	Role             Role
	Total            string
	Root             int32
	First, End       int32
}

type viewTree struct {
	Origin  string
	Current string
	Unit    Unit
	Hops    []viewHop
	Nodes   []viewNode
}

// treeView resolves a parse result to text, with node indexes relative to
// lat.First.
func treeView(src []byte, nodes []Node, lat *Latency) viewTree {
	v := viewTree{Origin: lat.OriginText.Text(src), Current: lat.CurrentText.Text(src), Unit: lat.Unit}
	base := lat.First
	rel := func(i int32) int32 {
		if i < 0 {
			return i
		}
		return i - base
	}
	for i := range lat.NumHops() {
		h := lat.Hop(i)
		v.Hops = append(v.Hops, viewHop{h.Server.Text(src), h.RoleText.Text(src), h.LSRV, h.Role, h.Total.String(), rel(h.Root), rel(h.First), rel(h.End)})
	}
	for _, n := range nodes[lat.First:lat.End] {
		v.Nodes = append(v.Nodes, viewNode{n.Name.Text(src), n.Code.Text(src), n.Agent.Text(src), n.Value.Text(src), n.Duration.String(), rel(n.Parent), n.Hop, n.Depth, n.Flags})
	}
	return v
}
