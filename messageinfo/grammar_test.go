package messageinfo

import (
	"testing"

	"github.com/mailtrace/mailtrace/internal/grammar"
)

// TestGrammar checks that testdata/messageinfo.ebnf is well-formed and that
// every production is defined and reachable from MessageInfo.
func TestGrammar(t *testing.T) {
	g := grammar.Load(t, "testdata/messageinfo.ebnf", "MessageInfo")
	for _, name := range []string{"AuthCode", "Latency", "Hop", "Record", "Name", "Value", "Timestamp"} {
		if g[name] == nil {
			t.Errorf("grammar lacks production %s", name)
		}
	}
}
