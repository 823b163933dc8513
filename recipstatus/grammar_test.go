package recipstatus

import (
	"sort"
	"strings"
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

// TestGrammar verifies testdata/recipstatus.ebnf and checks that it derives
// every member of the table tests and of the real samples from the
// production of the member's kind: the grammar documents what the parser
// accepts.
func TestGrammar(t *testing.T) {
	g := grammar.Load(t, "testdata/recipstatus.ebnf", "member")
	m := &ebnfMatcher{g: g}
	prodOf := map[Kind]string{
		KindEmpty:           "other",
		KindUnknown:         "other",
		KindRecipientType:   "recipienttype",
		KindSMTPResponse:    "response",
		KindLastError:       "lasterror",
		KindStoreDiagnostic: "diagnostic",
	}
	var inputs []string
	for _, tt := range parseTests {
		inputs = append(inputs, tt.in)
	}
	for _, row := range allRealRows(t) {
		inputs = append(inputs, row.RecipStatus...)
	}
	for _, in := range inputs {
		in = strings.Trim(in, " \t") // Parse ignores surrounding blanks; the grammar does not spell them
		st, err := Parse([]byte(in))
		if err != nil {
			continue // the grammar describes well-formed members only
		}
		if !m.matches(prodOf[st.Kind], in) {
			t.Errorf("grammar production %q does not derive %.80q (kind %v)", prodOf[st.Kind], in, st.Kind)
		}
		if !m.matches("member", in) {
			t.Errorf("grammar does not derive member %.80q", in)
		}
	}
	for _, tt := range localTimeTests {
		if tt.want.Order == OrderUnknown {
			continue
		}
		if !m.matches("localtime", tt.in) {
			t.Errorf("grammar production localtime does not derive %q", tt.in)
		}
	}
	// The grammar must also reject: a reply code has three digits, and a
	// LastError blob is bracketed.
	for _, c := range []struct{ prod, in string }{
		{"response", "25 OK"},
		{"lasterror", "{LED=250 OK}"},
		{"recipienttype", "TO"},
		{"localtime", "22/12/2020"},
	} {
		if m.matches(c.prod, c.in) {
			t.Errorf("grammar production %q derives %q, which is not of that shape", c.prod, c.in)
		}
	}
}
