// Package ebnfmatch matches strings against the EBNF grammars the packages
// keep in testdata/*.ebnf, so that a grammar test can check that the
// grammar derives every input the parser accepts (and rejects shapes it
// must not). It is test support.
package ebnfmatch

import (
	"slices"

	"golang.org/x/exp/ebnf"
)

// Matcher decides whether a string is derivable from a production of a
// lexical EBNF grammar (golang.org/x/exp/ebnf: tokens are literal strings,
// ranges single bytes). Each expression maps a start offset to the set of
// offsets where a match can end; production results are memoized per call.
// It is meant for the short inputs of tests: the cost grows with the input
// length times the grammar size, and a left-recursive production matches
// nothing. A Matcher is not safe for concurrent use.
type Matcher struct {
	g    ebnf.Grammar
	in   string
	memo map[string]map[int][]int
}

// New returns a Matcher for g, which should have been verified
// (internal/grammar.Load does it).
func New(g ebnf.Grammar) *Matcher { return &Matcher{g: g} }

// Matches reports whether the production prod derives the whole of in. An
// undefined production derives nothing.
func (m *Matcher) Matches(prod, in string) bool {
	if m.g[prod] == nil {
		return false
	}
	m.in = in
	m.memo = map[string]map[int][]int{}
	for _, e := range m.name(prod, 0) {
		if e == len(in) {
			return true
		}
	}
	return false
}

func (m *Matcher) name(n string, pos int) []int {
	if r, ok := m.memo[n][pos]; ok {
		return r
	}
	if m.memo[n] == nil {
		m.memo[n] = map[int][]int{}
	}
	m.memo[n][pos] = nil // left recursion guard: none in our grammars
	var r []int
	if p := m.g[n]; p != nil {
		r = m.expr(p.Expr, pos)
	}
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
	slices.Sort(out)
	return out
}

func (m *Matcher) expr(x ebnf.Expression, pos int) []int {
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
		slices.Sort(out)
		return out
	}
	panic("unexpected ebnf node")
}
