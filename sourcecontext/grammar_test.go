package sourcecontext

import (
	"testing"

	"github.com/mailtrace/mailtrace/internal/ebnfmatch"
	"github.com/mailtrace/mailtrace/internal/grammar"
	"github.com/mailtrace/mailtrace/internal/realdata"
)

// TestGrammar verifies testdata/sourcecontext.ebnf and checks that the
// production of each decoded kind derives every table input and real sample
// that decodes without error: the grammar documents what the parser accepts.
func TestGrammar(t *testing.T) {
	g := grammar.Load(t, "testdata/sourcecontext.ebnf", "context")
	m := ebnfmatch.New(g)
	prodOf := map[Kind]string{
		KindReceive:        "receive",
		KindSend:           "send",
		KindDelivery:       "send",
		KindStore:          "store",
		KindShadowRedirect: "shadow",
		KindDSN:            "dsn",
	}
	type input struct{ source, event, src string }
	var inputs []input
	for _, tt := range parseTests {
		inputs = append(inputs, input{tt.source, tt.event, tt.in})
	}
	for _, row := range realdata.All(t) {
		inputs = append(inputs, input{row.Source, row.Event, row.SourceContext})
	}
	checked := 0
	for _, in := range inputs {
		c, err := Parse([]byte(in.source), []byte(in.event), []byte(in.src))
		if err != nil {
			continue // the grammar describes well-formed values only
		}
		if !m.Matches("context", in.src) {
			t.Errorf("grammar does not derive context %.80q", in.src)
		}
		prod, ok := prodOf[c.Kind]
		if !ok {
			continue
		}
		checked++
		if !m.Matches(prod, in.src) {
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
		{"dsn", "failure"},
		{"dsn", "Failure,"},
		{"dsn", "Delivery Relay"},
		{"isotime", "2024-01-25T15:16:09.544"},
	} {
		if m.Matches(c.prod, c.in) {
			t.Errorf("grammar production %q derives %q, which is not of that shape", c.prod, c.in)
		}
	}
}
