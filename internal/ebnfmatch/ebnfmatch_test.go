package ebnfmatch

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/exp/ebnf"
)

const testGrammar = `
Start   = Reply | Pair | Opt | Empty .
Reply   = code [ " " text ] .
code    = digit digit digit .
text    = { char } .
char    = "a" … "z" | " " .
digit   = "0" … "9" .
Pair    = key "=" ( value | "(" Pair ")" ) .
key     = letter { letter } .
letter  = "a" … "z" | "A" … "Z" .
value   = digit { digit } .
Opt     = "x" [ "y" ] "z" .
Empty   = .
Left    = Left "a" | "b" .
`

func load(t *testing.T) *Matcher {
	t.Helper()
	g, err := ebnf.Parse("test.ebnf", strings.NewReader(testGrammar))
	if err != nil {
		t.Fatal(err)
	}
	return New(g)
}

func TestMatches(t *testing.T) {
	m := load(t)
	tests := []struct {
		prod, in string
		want     bool
	}{
		{"Reply", "250", true},
		{"Reply", "250 ok", true},
		{"Reply", "250 recipient ok", true},
		{"Reply", "25", false},
		{"Reply", "2500", false},
		{"Reply", "250 OK", false}, // upper case is not a char
		{"Pair", "a=1", true},
		{"Pair", "Key=(b=(c=42))", true},
		{"Pair", "Key=(b=(c=42)", false},
		{"Pair", "=1", false},
		{"Opt", "xz", true},
		{"Opt", "xyz", true},
		{"Opt", "xyyz", false},
		{"Empty", "", true},
		{"Empty", "a", false},
		{"Start", "", true},
		{"Start", "404 not found", true},
		{"Start", "nope", false},
		{"Missing", "", false},
		{"Left", "b", true}, // left recursion: only the base case
		{"Left", "ba", false},
	}
	for _, tt := range tests {
		if got := m.Matches(tt.prod, tt.in); got != tt.want {
			t.Errorf("Matches(%q, %q) = %v, want %v", tt.prod, tt.in, got, tt.want)
		}
	}
}

// FuzzMatches compares the Pair production with an equivalent regular
// expression of bounded nesting.
func FuzzMatches(f *testing.F) {
	for _, s := range []string{"a=1", "Key=(b=(c=42))", "a=", "a=(b=1", "x=(y=(z=(w=9)))"} {
		f.Add(s)
	}
	re := regexp.MustCompile(`^[a-zA-Z]+=(?:[0-9]+|\([a-zA-Z]+=(?:[0-9]+|\([a-zA-Z]+=(?:[0-9]+|\([a-zA-Z]+=[0-9]+\))\))\))$`)
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 64 || strings.Count(s, "(") > 3 {
			return
		}
		m := New(mustParse())
		if got, want := m.Matches("Pair", s), re.MatchString(s); got != want {
			t.Fatalf("Matches(Pair, %q) = %v, regexp says %v", s, got, want)
		}
	})
}

func mustParse() ebnf.Grammar {
	g, err := ebnf.Parse("test.ebnf", strings.NewReader(testGrammar))
	if err != nil {
		panic(err)
	}
	return g
}
