package msgtrk_test

import (
	"testing"

	"github.com/mailtrace/mailtrace/internal/grammar"
)

func TestGrammar(t *testing.T) {
	g := grammar.Load(t, "testdata/msgtrk.ebnf", "Syntax")
	if g["List"] == nil {
		t.Error("grammar has no List production")
	}
}
