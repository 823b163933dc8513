package recipstatus

import (
	"strings"
	"testing"

	"github.com/mailtrace/mailtrace/internal/ebnfmatch"
	"github.com/mailtrace/mailtrace/internal/grammar"
	"github.com/mailtrace/mailtrace/internal/realdata"
)

// TestGrammar verifies testdata/recipstatus.ebnf and checks that it derives
// every member of the table tests and of the real samples from the
// production of the member's kind: the grammar documents what the parser
// accepts.
func TestGrammar(t *testing.T) {
	g := grammar.Load(t, "testdata/recipstatus.ebnf", "member")
	m := ebnfmatch.New(g)
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
	for _, row := range realdata.All(t) {
		inputs = append(inputs, row.RecipStatus...)
	}
	for _, in := range inputs {
		in = strings.Trim(in, " \t") // Parse ignores surrounding blanks; the grammar does not spell them
		st, err := Parse([]byte(in))
		if err != nil {
			continue // the grammar describes well-formed members only
		}
		if !m.Matches(prodOf[st.Kind], in) {
			t.Errorf("grammar production %q does not derive %.80q (kind %v)", prodOf[st.Kind], in, st.Kind)
		}
		if !m.Matches("member", in) {
			t.Errorf("grammar does not derive member %.80q", in)
		}
	}
	for _, tt := range localTimeTests {
		if tt.want.Order == OrderUnknown {
			continue
		}
		if !m.Matches("localtime", tt.in) {
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
		if m.Matches(c.prod, c.in) {
			t.Errorf("grammar production %q derives %q, which is not of that shape", c.prod, c.in)
		}
	}
}
