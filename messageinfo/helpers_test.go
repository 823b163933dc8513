package messageinfo

import (
	"fmt"
	"strings"
	"testing"
)

// dumpLatency renders a parsed latency tree as indented text, one node per
// line, for golden files and failure messages.
func dumpLatency(src []byte, nodes []Node, lat *Latency) string {
	var b strings.Builder
	fmt.Fprintf(&b, "origin %q unit %v nodes [%d,%d)\n", lat.OriginText.Text(src), lat.Unit, lat.First, lat.End)
	if !lat.Origin.IsZero() {
		fmt.Fprintf(&b, "origin-time %s\n", lat.Origin.Format("2006-01-02T15:04:05.000000000Z07:00"))
	}
	for i := range lat.NumHops() {
		h := lat.Hop(i)
		form := "SRV"
		if h.LSRV {
			form = "LSRV"
		}
		fmt.Fprintf(&b, "hop %d %s %q role %v %q total %v root %d nodes [%d,%d)\n",
			i, form, h.Server.Text(src), h.Role, h.RoleText.Text(src), h.Total, h.Root, h.First, h.End)
		for k := h.First; k < h.End; k++ {
			n := nodes[k]
			fmt.Fprintf(&b, "%3d %s%s=%s  %v", k, strings.Repeat("  ", int(n.Depth)+1), n.Name.Text(src), n.Value.Text(src), n.Duration)
			if n.Flags != 0 {
				fmt.Fprintf(&b, "  [%v]", n.Flags)
			}
			if code := n.Code.Text(src); code != n.Name.Text(src) {
				fmt.Fprintf(&b, "  code=%q", code)
			}
			if !n.Agent.IsEmpty() {
				fmt.Fprintf(&b, "  agent=%q", n.Agent.Text(src))
			}
			fmt.Fprintf(&b, "  parent=%d\n", n.Parent)
		}
	}
	if !lat.CurrentText.IsEmpty() {
		fmt.Fprintf(&b, "current %q time %s\n", lat.CurrentText.Text(src), lat.Current.Format("2006-01-02T15:04:05.000000000Z07:00"))
	}
	return b.String()
}

// latencyInvariants returns a description of the first broken invariant of a
// parse result, or "". It holds for partial results too.
//   - every span lies inside src and is well-formed, and Code/Agent lie
//     inside Name;
//   - nodes[lat.First:lat.End] are this parse's, at most MaxNodes of them;
//   - Parent is -1 or an earlier node of this parse, Depth is the parent's
//     plus one (0 for roots), Depth ≤ MaxDepth, and the parent is the
//     nearest earlier node of lower depth (preorder);
//   - hops cover [First, End) contiguously in order, Node.Hop matches, and a
//     hop's Root is its first node, flagged Total, with Total its Duration.
func latencyInvariants(src []byte, nodes []Node, lat *Latency) string {
	okSpan := func(s Span) bool { return 0 <= s.Start && s.Start <= s.End && int(s.End) <= len(src) }
	if int(lat.End) != len(nodes) || lat.First > lat.End || lat.First < 0 {
		return fmt.Sprintf("latency range [%d,%d) vs %d nodes", lat.First, lat.End, len(nodes))
	}
	if lat.End-lat.First > MaxNodes {
		return fmt.Sprintf("%d nodes > MaxNodes", lat.End-lat.First)
	}
	if !okSpan(lat.OriginText) {
		return "origin span outside input"
	}
	if !okSpan(lat.CurrentText) {
		return "current-time span outside input"
	}
	if lat.CurrentText.IsEmpty() != lat.Current.IsZero() {
		return fmt.Sprintf("current time %v with its text %v", lat.Current, lat.CurrentText)
	}
	if !lat.CurrentText.IsEmpty() && int(lat.CurrentText.End) != len(src) {
		return fmt.Sprintf("current time %v does not end the string", lat.CurrentText)
	}
	for k := lat.First; k < lat.End; k++ {
		n := nodes[k]
		for _, s := range []Span{n.Name, n.Code, n.Agent, n.Value} {
			if !okSpan(s) {
				return fmt.Sprintf("node %d: span %v outside input of %d bytes", k, s, len(src))
			}
		}
		if n.Code.Start < n.Name.Start || n.Code.End > n.Name.End {
			return fmt.Sprintf("node %d: code %v outside name %v", k, n.Code, n.Name)
		}
		if !n.Agent.IsEmpty() && (n.Agent.Start < n.Name.Start || n.Agent.End > n.Name.End) {
			return fmt.Sprintf("node %d: agent %v outside name %v", k, n.Agent, n.Name)
		}
		if int(n.Depth) > MaxDepth {
			return fmt.Sprintf("node %d: depth %d > MaxDepth", k, n.Depth)
		}
		if n.Parent == -1 {
			if n.Depth != 0 {
				return fmt.Sprintf("node %d: root with depth %d", k, n.Depth)
			}
		} else {
			if n.Parent < lat.First || n.Parent >= k {
				return fmt.Sprintf("node %d: parent %d not an earlier node of this parse", k, n.Parent)
			}
			if nodes[n.Parent].Depth+1 != n.Depth {
				return fmt.Sprintf("node %d: depth %d, parent depth %d", k, n.Depth, nodes[n.Parent].Depth)
			}
			if nodes[n.Parent].Hop != n.Hop {
				return fmt.Sprintf("node %d: parent in another hop", k)
			}
			for j := n.Parent + 1; j < k; j++ {
				if nodes[j].Hop == n.Hop && nodes[j].Depth < n.Depth {
					return fmt.Sprintf("node %d: parent %d is not the nearest shallower node (%d)", k, n.Parent, j)
				}
			}
		}
	}
	next := lat.First
	for i := range lat.NumHops() {
		h := lat.Hop(i)
		if !okSpan(h.Server) || !okSpan(h.RoleText) {
			return fmt.Sprintf("hop %d: span outside input", i)
		}
		if h.First != next || h.End < h.First || h.End > lat.End {
			return fmt.Sprintf("hop %d: nodes [%d,%d), expected to start at %d", i, h.First, h.End, next)
		}
		next = h.End
		for k := h.First; k < h.End; k++ {
			if int(nodes[k].Hop) != i {
				return fmt.Sprintf("node %d: Hop %d, in hop %d", k, nodes[k].Hop, i)
			}
			if (nodes[k].Flags&FlagTotal != 0) != (k == h.Root) {
				return fmt.Sprintf("node %d: Total flag disagrees with hop root %d", k, h.Root)
			}
		}
		if h.Root >= 0 && (h.Root != h.First || nodes[h.Root].Duration != h.Total) {
			return fmt.Sprintf("hop %d: root %d, first %d, total %v", i, h.Root, h.First, h.Total)
		}
		if h.Root < 0 && (h.Total != 0 || h.Role != RoleUnknown) {
			return fmt.Sprintf("hop %d: no root but total %v role %v", i, h.Total, h.Role)
		}
	}
	if next != lat.End {
		return fmt.Sprintf("hops end at %d, nodes at %d", next, lat.End)
	}
	return ""
}

// checkLatency parses src, fails on a broken invariant, and returns the
// result.
func checkLatency(t testing.TB, src []byte) ([]Node, Latency, error) {
	t.Helper()
	nodes, lat, err := AppendLatency(nil, src)
	if msg := latencyInvariants(src, nodes, &lat); msg != "" {
		t.Fatalf("AppendLatency(%q): %s\n%s", src, msg, dumpLatency(src, nodes, &lat))
	}
	return nodes, lat, err
}
