package sourcecontext

import (
	"sort"
	"testing"

	"github.com/mailtrace/mailtrace/internal/grammar"
	"golang.org/x/exp/ebnf"
)

// ebnfMatcher decides whether a byte string is derivable from a production
// of a lexical EBNF grammar. Each expression maps a start offset to the set
// of offsets where a match can end; production results are memoized. It is
// meant for the short inputs of tests.
type ebnfMatcher struct {
	g    ebnf.Grammar
	in   string
	memo map[string]map[int][]int
}

func (m *ebnfMatcher) matches(prod, in string) bool {
	m.in = in
	m.memo = map[string]map[int][]int{}
	for _, e := range m.name(prod, 0) {
		if e == len(in) {
			return true
		}
	}
	return false
}

func (m *ebnfMatcher) name(n string, pos int) []int {
	if r, ok := m.memo[n][pos]; ok {
		return r
	}
	if m.memo[n] == nil {
		m.memo[n] = map[int][]int{}
	}
	m.memo[n][pos] = nil // left recursion guard: none in our grammars
	r := m.expr(m.g[n].Expr, pos)
	m.memo[n][pos] = r
	return r
}

func union(sets ...[]int) []int {
	seen := map[int]bool{}
	var out []int
	for _, s := range sets {
		for _, p := range s {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sort.Ints(out)
	return out
}

func (m *ebnfMatcher) expr(x ebnf.Expression, pos int) []int {
	switch x := x.(type) {
	case nil:
		return []int{pos}
	case ebnf.Alternative:
		var all [][]int
		for _, a := range x {
			all = append(all, m.expr(a, pos))
		}
		return union(all...)
	case ebnf.Sequence:
		cur := []int{pos}
		for _, e := range x {
			var next [][]int
			for _, p := range cur {
				next = append(next, m.expr(e, p))
			}
			cur = union(next...)
			if len(cur) == 0 {
				return nil
			}
		}
		return cur
	case *ebnf.Name:
		return m.name(x.String, pos)
	case *ebnf.Token:
		if len(m.in)-pos >= len(x.String) && m.in[pos:pos+len(x.String)] == x.String {
			return []int{pos + len(x.String)}
		}
		return nil
	case *ebnf.Range:
		if pos < len(m.in) && x.Begin.String[0] <= m.in[pos] && m.in[pos] <= x.End.String[0] {
			return []int{pos + 1}
		}
		return nil
	case *ebnf.Group:
		return m.expr(x.Body, pos)
	case *ebnf.Option:
		return union([]int{pos}, m.expr(x.Body, pos))
	case *ebnf.Repetition:
		seen := map[int]bool{pos: true}
		out := []int{pos}
		frontier := []int{pos}
		for len(frontier) > 0 {
			var next []int
			for _, p := range frontier {
				for _, e := range m.expr(x.Body, p) {
					if !seen[e] {
						seen[e] = true
						out = append(out, e)
						next = append(next, e)
					}
				}
			}
			frontier = next
		}
		sort.Ints(out)
		return out
	}
	panic("unexpected ebnf node")
}

// TestGrammar verifies testdata/sourcecontext.ebnf and checks that the
// production of each decoded kind derives every table input and real sample
// that decodes without error: the grammar documents what the parser accepts.
func TestGrammar(t *testing.T) {
	g := grammar.Load(t, "testdata/sourcecontext.ebnf", "context")
	m := &ebnfMatcher{g: g}
	prodOf := map[Kind]string{
		KindReceive:        "receive",
		KindSend:           "send",
		KindDelivery:       "send",
		KindStore:          "store",
		KindShadowRedirect: "shadow",
	}
	type input struct{ source, event, src string }
	var inputs []input
	for _, tt := range parseTests {
		inputs = append(inputs, input{tt.source, tt.event, tt.in})
	}
	for _, row := range allRealRows(t) {
		inputs = append(inputs, input{row.Source, row.Event, row.SourceContext})
	}
	checked := 0
	for _, in := range inputs {
		c, err := Parse([]byte(in.source), []byte(in.event), []byte(in.src))
		if err != nil {
			continue // the grammar describes well-formed values only
		}
		if !m.matches("context", in.src) {
			t.Errorf("grammar does not derive context %.80q", in.src)
		}
		prod, ok := prodOf[c.Kind]
		if !ok {
			continue
		}
		checked++
		if !m.matches(prod, in.src) {
			t.Errorf("grammar production %q does not derive %.80q (kind %v)", prod, in.src, c.Kind)
		}
	}
	if checked < 10 {
		t.Errorf("only %d inputs checked against a kind's production", checked)
	}
	for _, c := range []struct{ prod, in string }{
		{"receive", "08DC1DB12C345BE;2024-01-25T15:16:09.544Z;0"},
		{"receive", "08DC1DB12C345BE5;2024-01-25 15:16:09Z;0"},
		{"store", "MDB 1234"},
		{"shadow", "250 2.6.0 queued"},
		{"isotime", "2024-01-25T15:16:09.544"},
	} {
		if m.matches(c.prod, c.in) {
			t.Errorf("grammar production %q derives %q, which is not of that shape", c.prod, c.in)
		}
	}
}
