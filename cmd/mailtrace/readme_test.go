package main

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"
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
