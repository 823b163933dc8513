// Package grammar checks the EBNF grammars kept under testdata/ with
// golang.org/x/exp/ebnf, so that the grammars printed in package comments
// stay well-formed and complete.
package grammar

import (
	"os"
	"testing"

	"golang.org/x/exp/ebnf"
)

// Load parses the EBNF file at path and verifies that every production used is
// defined and reachable from start. It fails t on any error.
func Load(t testing.TB, path, start string) ebnf.Grammar {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("grammar: %v", err)
	}
	defer f.Close()
	g, err := ebnf.Parse(path, f)
	if err != nil {
		t.Fatalf("grammar: parse %s: %v", path, err)
	}
	if err := ebnf.Verify(g, start); err != nil {
		t.Fatalf("grammar: verify %s from %q: %v", path, start, err)
	}
	return g
}
