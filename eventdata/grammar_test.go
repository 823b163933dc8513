package eventdata

import (
	"testing"

	"github.com/mailtrace/mailtrace/internal/grammar"
)

// TestGrammar checks that testdata/eventdata.ebnf is well-formed and that
// every production is defined and reachable.
func TestGrammar(t *testing.T) {
	g := grammar.Load(t, "testdata/eventdata.ebnf", "Formats")
	for _, name := range []string{"CustomData", "Member", "Group", "Part", "PowerShell", "Pair"} {
		if g[name] == nil {
			t.Errorf("grammar has no production %s", name)
		}
	}
}
