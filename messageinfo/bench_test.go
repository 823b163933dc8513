package messageinfo

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// naiveNode is the baseline's tree: what a first attempt with strings.Split
// and recursion builds (pointers, strings, a slice per node).
type naiveNode struct {
	Name     string
	Duration time.Duration
	Children []*naiveNode
}

type naiveHop struct {
	Server string
	Local  bool
	Roots  []*naiveNode
}

// naiveLatency is the baseline parser: strings.Split on ';', then a
// recursive split of the records at depth-0 '|'. It handles only the
// well-formed seconds form (no limits, folds trimmed with TrimSpace).
func naiveLatency(s string) (time.Time, []naiveHop, bool) {
	parts := strings.Split(s, ";")
	origin, err := time.Parse(time.RFC3339Nano, parts[0])
	if err != nil {
		return time.Time{}, nil, false
	}
	var hops []naiveHop
	for _, p := range parts[1:] {
		var h naiveHop
		switch {
		case strings.HasPrefix(p, "LSRV="):
			h.Local, p = true, p[5:]
		case strings.HasPrefix(p, "SRV="):
			p = p[4:]
		default:
			return time.Time{}, nil, false
		}
		server, recs, ok := strings.Cut(p, ":")
		if !ok {
			return time.Time{}, nil, false
		}
		h.Server = server
		roots, ok := naiveRecords(recs)
		if !ok {
			return time.Time{}, nil, false
		}
		h.Roots = roots
		hops = append(hops, h)
	}
	return origin, hops, true
}

func naiveRecords(s string) ([]*naiveNode, bool) {
	var out []*naiveNode
	for _, rec := range naiveSplitTop(s) {
		name, rest, ok := strings.Cut(rec, "=")
		if !ok {
			return nil, false
		}
		val, inner := rest, ""
		if i := strings.IndexByte(rest, '('); i >= 0 {
			if !strings.HasSuffix(strings.TrimSpace(rest), ")") {
				return nil, false
			}
			val, inner = rest[:i], strings.TrimSpace(rest)[i+1:len(strings.TrimSpace(rest))-1]
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return nil, false
		}
		n := &naiveNode{Name: strings.TrimSpace(name), Duration: time.Duration(f*1e3+0.5) * time.Millisecond}
		if inner != "" {
			kids, ok := naiveRecords(inner)
			if !ok {
				return nil, false
			}
			n.Children = kids
		}
		out = append(out, n)
	}
	return out, true
}

// naiveSplitTop splits at '|' outside parentheses.
func naiveSplitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case '|':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// TestNaiveBaselineAgrees makes the baseline an honest comparison: on every
// real latency string it finds the same names, durations and depths as
// AppendLatency (the TOTAL-as-root convention aside).
func TestNaiveBaselineAgrees(t *testing.T) {
	for _, v := range realValues(t) {
		src := []byte(v.Value)
		if Classify(src) != KindLatency {
			continue
		}
		nodes, lat, err := AppendLatency(nil, src)
		if err != nil {
			t.Fatal(err)
		}
		_, hops, ok := naiveLatency(v.Value)
		if !ok || len(hops) != lat.NumHops() {
			t.Fatalf("naive baseline failed on %q", v.Value)
		}
		var want, got []string
		for _, n := range nodes {
			d := int(n.Depth)
			if n.Flags&FlagTotal == 0 {
				d-- // the baseline keeps TOTAL's siblings at its level
			}
			want = append(want, strings.Repeat(".", max(d, 0))+n.Name.Text(src)+"="+n.Duration.String())
		}
		var walk func([]*naiveNode, int)
		walk = func(ns []*naiveNode, d int) {
			for _, n := range ns {
				got = append(got, strings.Repeat(".", d)+n.Name+"="+n.Duration.String())
				walk(n.Children, d+1)
			}
		}
		for _, h := range hops {
			walk(h.Roots, 0)
		}
		if strings.Join(want, " ") != strings.Join(got, " ") {
			t.Errorf("%s: baseline disagrees:\n%v\n%v", v.Name, want, got)
		}
	}
}

func BenchmarkAppendLatency(b *testing.B) {
	for _, in := range []struct{ name, src string }{
		{"send_1hop_25nodes", sampleSend},
		{"exo_3hops_44nodes", sampleEXO},
	} {
		src := []byte(in.src)
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			nodes := make([]Node, 0, 64)
			for b.Loop() {
				var err error
				nodes, _, err = AppendLatency(nodes[:0], src)
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(in.name+"/localtotal", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, _, _, ok := LocalTotal(src); !ok {
					b.Fatal("LocalTotal refused it")
				}
			}
		})
		b.Run(in.name+"/naive", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, _, ok := naiveLatency(string(src)); !ok {
					b.Fatal("naive failed")
				}
			}
		})
	}
}

func BenchmarkAppendCanonical(b *testing.B) {
	src := []byte(sampleEXO)
	nodes, lat, err := AppendLatency(nil, src)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, len(src))
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		buf = AppendCanonical(buf[:0], src, nodes, &lat)
	}
}

func BenchmarkClassify(b *testing.B) {
	for _, in := range []struct{ name, src string }{
		{"latency", sampleSend},
		{"auth", "0cA: "},
		{"timestamp", "2022-09-19T15:02:29.211Z"},
		{"empty", ""},
	} {
		src := []byte(in.src)
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				Classify(src)
			}
		})
	}
}

func BenchmarkParseAuthCode(b *testing.B) {
	src := []byte("07I: NTS: None")
	b.Run("ParseAuthCode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, err := ParseAuthCode(src); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("naive", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			code, detail, _ := strings.Cut(string(src), ":")
			n, err := strconv.ParseUint(code[:2], 16, 8)
			if err != nil || len(code) != 3 {
				b.Fatal(err)
			}
			_ = map[string]string{"mechanism": strconv.Itoa(int(n)), "category": code[2:], "detail": strings.TrimSpace(detail)}
		}
	})
}
