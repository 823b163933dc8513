package msgtrk_test

import (
	"bytes"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrace/mailtrace/internal/ebnfmatch"
	"github.com/mailtrace/mailtrace/internal/fuzzgen"
	"github.com/mailtrace/mailtrace/internal/grammar"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// grammarLogs are the inputs TestGrammar reads: generated logs (rows of
// every layout with every escaping, directives, blank lines, byte order
// marks, malformed lines of every kind), the real logs, and lines that pin
// the corners: a CR or a NUL inside a directive, a CR inside a field, and
// each quoting error.
func grammarLogs(t *testing.T) [][]byte {
	var logs [][]byte
	for seed := int64(1); seed <= 40; seed++ {
		l := fuzzgen.GenLog(rand.New(rand.NewSource(seed)), fuzzgen.LogOptions{Lines: 40, MaxLineBytes: 4096, Noise: int(seed % 20)})
		logs = append(logs, l.AppendTo(nil))
	}
	logs = append(logs, []byte("#Fields: a,b\r\n#any \x00 text\r here\r\n"+
		"a\rb,c\r\n\"x\ry\",\"\"\"\"\r\n,\r\n"+
		"a\"b,c\r\n\"ab\"c,d\r\n\"abc,d\r\na\x00,b\r\n\"a\x00\",b\r\n"+
		"\xef\xbb\xbfa,b\r\n\r\n\xef\xbb\xbf\r\n"))
	return append(logs, realRows(t)...)
}

// realRows returns the real log files of testdata/real, whole.
func realRows(t *testing.T) [][]byte {
	files, err := filepath.Glob("../testdata/real/*.log")
	if err != nil || len(files) == 0 {
		t.Fatalf("no real logs: %v", err)
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestGrammar checks testdata/msgtrk.ebnf against the Reader: every line
// the Reader returns as a row is a Row, every line it takes as a directive
// a Directive, every blank line a Blank, each with its line ending a Line;
// and no line it rejects for its quoting (ErrQuote, ErrBareQuote) or a NUL
// byte (ErrNUL) is a Row. Errors the grammar does not describe (field
// count, UTF-8, length, header values) are left out. List members are
// checked in TestGrammarList.
func TestGrammar(t *testing.T) {
	g := grammar.Load(t, "testdata/msgtrk.ebnf", "Syntax")
	m := ebnfmatch.New(g)
	counts := map[string]int{}
	for _, data := range grammarLogs(t) {
		errs := map[int64]error{}
		r := msgtrk.NewReaderBytes(data)
		r.MaxLineBytes = 4096
		r.ErrorHandler = func(e *msgtrk.ParseError) { errs[e.Line] = e.Err }
		rows := map[int64]bool{}
		for r.Next() {
			rows[r.Record().LineNumber()] = true
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		lines := bytes.SplitAfter(data, []byte("\n"))
		for i, raw := range lines {
			n := int64(i + 1)
			if !bytes.HasSuffix(raw, []byte("\n")) {
				continue // a truncated last line: the Reader rejects it, the grammar has no EOL for it
			}
			if !m.Matches("Line", string(raw)) && errs[n] == nil {
				t.Errorf("the Reader accepts line %d, the grammar does not derive it as a Line: %.100q", n, raw)
			}
			text := strings.TrimSuffix(strings.TrimSuffix(string(raw), "\n"), "\r")
			if i == 0 {
				text = strings.TrimPrefix(text, "\uFEFF") // the file's BOM
			}
			text = strings.TrimPrefix(text, "\uFEFF")
			err := errs[n]
			switch {
			case rows[n]:
				counts["Row"]++
				if !m.Matches("Row", text) {
					t.Errorf("line %d is a row to the Reader, not a Row to the grammar: %.100q", n, text)
				}
			case err == nil && text == "":
				counts["Blank"]++
				if !m.Matches("Blank", text) {
					t.Errorf("line %d is blank to the Reader, not to the grammar: %q", n, text)
				}
			case err == nil || errors.Is(err, msgtrk.ErrHeader) || errors.Is(err, msgtrk.ErrTooManyFields) && strings.HasPrefix(text, "#"):
				counts["Directive"]++
				if !m.Matches("Directive", text) {
					t.Errorf("line %d is a directive to the Reader, not a Directive to the grammar: %.100q", n, text)
				}
			case errors.Is(err, msgtrk.ErrQuote) || errors.Is(err, msgtrk.ErrBareQuote) || errors.Is(err, msgtrk.ErrNUL):
				counts["rejected"]++
				if m.Matches("Row", text) {
					t.Errorf("line %d is rejected by the Reader (%v), a Row to the grammar: %.100q", n, err, text)
				}
			default:
				counts["not checked"]++ // field count, UTF-8, length: not syntax the grammar spells
			}
		}
	}
	t.Logf("lines checked: %v", counts)
	for _, k := range []string{"Row", "Directive", "Blank", "rejected"} {
		if counts[k] < 10 {
			t.Errorf("only %d lines of kind %s checked", counts[k], k)
		}
	}
}

// TestGrammarList checks the List production against msgtrk.ListScanner:
// every list written with AppendListMember, every recipient list of
// fuzzgen.RecipientList and every list field of the real logs that scans
// without error is a List, and an unterminated quoted member is not.
func TestGrammarList(t *testing.T) {
	g := grammar.Load(t, "testdata/msgtrk.ebnf", "Syntax")
	m := ebnfmatch.New(g)
	var lists []string
	field, _ := fuzzgen.RecipientList(40)
	lists = append(lists, string(field), "", "a", "a;;b", "'a;b';c", "'it''s'", ";")
	for _, data := range realRows(t) {
		r := msgtrk.NewReaderBytes(data)
		r.GuessFields = true
		r.ErrorHandler = func(*msgtrk.ParseError) {}
		for r.Next() {
			rec := r.Record()
			for _, f := range []msgtrk.Field{msgtrk.RecipientAddress, msgtrk.Reference} {
				lists = append(lists, string(rec.Field(f)))
			}
		}
	}
	checked := 0
	for _, l := range lists {
		var s msgtrk.ListScanner
		s.Init([]byte(l))
		for s.Next() {
		}
		if s.Err() != nil {
			continue
		}
		checked++
		if !m.Matches("List", l) {
			t.Errorf("ListScanner reads %q, the grammar does not derive it as a List", l)
		}
	}
	if checked < 20 {
		t.Errorf("only %d lists checked", checked)
	}
	for _, bad := range []string{"'abc", "'a'b;c", "'it's'"} {
		var s msgtrk.ListScanner
		s.Init([]byte(bad))
		for s.Next() {
		}
		if s.Err() == nil || m.Matches("List", bad) {
			t.Errorf("%q: ListScanner error %v, List derives it %v; want an error and no List", bad, s.Err(), m.Matches("List", bad))
		}
	}
}
