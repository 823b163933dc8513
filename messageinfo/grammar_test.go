package messageinfo

import (
	"errors"
	"strings"
	"testing"

	"github.com/leanovate/gopter"

	"github.com/mailtrace/mailtrace/internal/ebnfmatch"
	"github.com/mailtrace/mailtrace/internal/grammar"
	"github.com/mailtrace/mailtrace/internal/proptest"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// TestGrammar verifies testdata/messageinfo.ebnf and checks it against the
// parsers, on the table inputs, the real values and 300 generated latency
// strings: a value Parse calls empty, an auth code, a latency string that
// AppendLatency decodes without error, or a timestamp in the RFC 3339 form
// Exchange writes is derived from its production and from MessageInfo; a
// value Parse cannot classify, an auth code ParseAuthCode rejects and a
// latency string AppendLatency rejects for its syntax (ErrLatency) are not.
// Left out: limits (MaxDepth, MaxNodes, MaxHops, MaxInputBytes), values
// out of range or with more than nine fractional digits (ErrValue), and the
// timestamps only time.Parse reads (a ',' before the fraction).
func TestGrammar(t *testing.T) {
	g := grammar.Load(t, "testdata/messageinfo.ebnf", "MessageInfo")
	m := ebnfmatch.New(g)
	var inputs []string
	for _, tt := range authCodeTests {
		inputs = append(inputs, tt.in)
	}
	for _, tt := range authCodeErrorTests {
		if len(tt.in) < 1000 {
			inputs = append(inputs, tt.in)
		}
	}
	for _, tt := range classifyTests {
		inputs = append(inputs, tt.in)
	}
	for _, tt := range latencyTests {
		inputs = append(inputs, tt.in)
	}
	for _, tt := range latencyErrorTests() {
		if tt.err == ErrLatency || tt.err == ErrTime {
			inputs = append(inputs, tt.in)
		}
	}
	for _, v := range realValues(t) {
		inputs = append(inputs, v.Value)
	}
	params := gopter.DefaultGenParameters()
	params.Rng.Seed(proptest.Seed(t))
	lg := latencyGen()
	n := 300
	if testing.Short() {
		n = 50
	}
	for range n {
		v, _ := lg(params).Retrieve()
		text, _ := v.(mLatency).render()
		inputs = append(inputs, text)
	}

	checked := map[string]int{}
	derives := func(prod, in string, want bool, why string) {
		t.Helper()
		checked[prod+map[bool]string{true: "", false: " rejected"}[want]]++
		if m.Matches(prod, in) != want {
			t.Errorf("%s: %s %.100q, yet the grammar's %s derives it: %v", why, map[bool]string{true: "reads", false: "rejects"}[want], in, prod, !want)
		}
	}
	for _, in := range inputs {
		src := []byte(in)
		info := Parse(src)
		switch info.Kind {
		case KindEmpty:
			derives("MessageInfo", in, true, "Parse (empty)")
		case KindAuthCode:
			derives("AuthCode", in, true, "Parse")
			derives("MessageInfo", in, true, "Parse")
		case KindTimestamp:
			if !strings.Contains(in, ",") {
				derives("Timestamp", in, true, "Parse")
			}
		case KindLatency:
			_, _, err := AppendLatency(nil, src)
			switch {
			case err == nil:
				derives("Latency", in, true, "AppendLatency")
				derives("MessageInfo", in, true, "AppendLatency")
			case errors.Is(err, ErrLatency):
				derives("Latency", in, false, "AppendLatency ("+err.Error()+")")
			}
		case KindUnknown:
			if _, ok := msgtrk.ParseTime(src); !ok && len(in) < MaxInputBytes {
				derives("MessageInfo", in, false, "Parse (unknown)")
			}
		}
		if _, err := ParseAuthCode(src); errors.Is(err, ErrAuthCode) {
			derives("AuthCode", in, false, "ParseAuthCode")
		}
	}
	t.Logf("inputs checked: %v", checked)
	for _, k := range []string{"AuthCode", "AuthCode rejected", "Latency", "Latency rejected", "Timestamp", "MessageInfo", "MessageInfo rejected"} {
		if checked[k] < 5 {
			t.Errorf("only %d inputs checked for %s", checked[k], k)
		}
	}
}
