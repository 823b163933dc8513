package main

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestREADMEExamples runs every "$ go run ./cmd/mailtrace …" example of the
// README and checks that each line it shows is a line of the real output,
// in the same order. Lines holding "…" are abridged in the README and
// skipped.
func TestREADMEExamples(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir("../..")
	type example struct {
		args  []string
		shown []string
	}
	var examples []example
	sc := bufio.NewScanner(bytes.NewReader(readme))
	var cur *example
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "$ go run ./cmd/mailtrace "):
			examples = append(examples, example{args: shellWords(t, strings.TrimPrefix(line, "$ go run ./cmd/mailtrace "))})
			cur = &examples[len(examples)-1]
		case cur != nil && strings.HasPrefix(line, "```"):
			cur = nil
		case cur != nil && !strings.Contains(line, "…"):
			cur.shown = append(cur.shown, strings.TrimRight(line, " "))
		}
	}
	if len(examples) < 4 {
		t.Fatalf("found %d examples in the README, want one per command", len(examples))
	}
	for _, ex := range examples {
		var stdout, stderr bytes.Buffer
		if code := run(ex.args, &stdout, &stderr); code != 0 {
			t.Errorf("mailtrace %q: exit %d: %s", ex.args, code, stderr.String())
			continue
		}
		out := strings.Split(stdout.String(), "\n")
		k := 0
		for _, want := range ex.shown {
			for k < len(out) && strings.TrimRight(out[k], " ") != want {
				k++
			}
			if k == len(out) {
				t.Errorf("mailtrace %q: the README shows %q, which is not in the output (in order)", ex.args, want)
				break
			}
			k++
		}
	}
}

// shellWords splits a command line on blanks, honouring single quotes.
func shellWords(t *testing.T, s string) []string {
	var words []string
	var w strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unbalanced quote in %q", s)
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

// TestREADMELibraryExample: the README's library example is the body of
// correlate's ExampleRun, which go test compiles, runs and checks.
func TestREADMELibraryExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("../../correlate/run_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## The library")
	_, block, ok2 := strings.Cut(after, "```go\n")
	block, _, ok3 := strings.Cut(block, "```")
	_, body, ok4 := strings.Cut(string(example), "func ExampleRun() {\n")
	body, _, ok5 := strings.Cut(body, "\t// Output:")
	if !ok || !ok2 || !ok3 || !ok4 || !ok5 {
		t.Fatal("library example or ExampleRun not found")
	}
	norm := func(s string) string {
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
			lines = append(lines, strings.TrimSpace(l))
		}
		return strings.Join(lines, "\n")
	}
	if diff := cmp.Diff(norm(body), norm(block)); diff != "" {
		t.Errorf("the README's library example differs from ExampleRun (-example +readme):\n%s", diff)
	}
}
