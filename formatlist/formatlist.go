// Package formatlist reads PowerShell Format-List output, the form in which
// administrators publish Get-MessageTrackingLog results (and paste Exchange
// Online records), and undoes the console's line wrapping.
//
// Format-List output, as administrators paste it or save it with Out-File:
// one property per line, the names padded to a common column,
//
//	SourceContext : 08D8648A8359CDFE;2020-10-07T16:27:19.546Z
//	EventId       : DELIVERFAIL
//
// and values longer than the console window broken into lines of at most W
// characters, W being the window width minus the name column. The samples
// in testdata/real/cmdlet_output show two ways of doing so, both undone by
// one rule:
//
//   - a line shorter than W was broken at a blank, which the break
//     consumed: it is joined to the next with one blank;
//   - a line of exactly W characters was cut inside a word: it is joined
//     with nothing.
//
// W is the longest value line of the text. Continuation lines may be
// indented to the value column (word-wrapping consoles) or not (one poster's
// page); the indentation is dropped either way. Trailing blanks, which a Q&A
// page added to every line, and blank lines are dropped.
//
// A new record starts at a repeated property name or at a "<#" line (the
// PowerShell comment blocks of the Exchange Online sample); "#>" lines are
// skipped.
//
// The functions are safe for concurrent use.
package formatlist

import (
	"strings"

	"github.com/mailtrace/mailtrace/internal/ascii"
)

// Record is one record of Format-List output.
type Record struct {
	Line  int64      // 1-based line of its first property
	Last  int64      // line of its last value line
	Props []Property // in the order written
}

// Property is one property of a Record, its value with the console
// wrapping undone.
type Property struct {
	Name, Value string
	Line        int64 // 1-based line of its name
	Column      int   // 1-based byte column where its value starts on that line
}

// Get returns the value of the property named name (exactly as written) and
// whether the record has it.
func (r *Record) Get(name string) (string, bool) {
	for _, p := range r.Props {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// Parse returns the records of Format-List output (names as
// written, values with the wrapping undone) and the wrap width W it
// inferred. It never fails: text that is not Format-List output gives
// records of whatever property lines it holds, or none.
func Parse(text string) (records []Record, width int) {
	type vline struct {
		key   string // property name on its first line, "" on continuations
		text  string
		start bool // a "<#" line: the next property starts a new record
		line  int64
		col   int // value column of a property line
	}
	var lines []vline
	col := 0
	var n int64
	for raw := range strings.SplitSeq(text, "\n") {
		n++
		line := strings.TrimRight(raw, " \r")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || trimmed == "#>":
			continue
		case strings.HasPrefix(trimmed, "<#"):
			lines = append(lines, vline{start: true, line: n})
			continue
		}
		if key, val, c, ok := CutProperty(line); ok {
			lines = append(lines, vline{key: key, text: val, line: n, col: c + 1})
			col = c
			continue
		}
		if len(lines) == 0 || lines[len(lines)-1].start {
			continue // text before the first property of a record
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		lines = append(lines, vline{text: line[min(indent, col):], line: n})
	}
	for _, l := range lines {
		width = max(width, len(l.text))
	}
	var cur *Record
	var key string
	var keyLine int64
	var keyCol int
	var b strings.Builder
	prevLen := 0
	flush := func() {
		if key != "" {
			cur.Props = append(cur.Props, Property{Name: key, Value: b.String(), Line: keyLine, Column: keyCol})
		}
		key = ""
		b.Reset()
	}
	for _, l := range lines {
		switch {
		case l.start:
			flush()
			cur = nil
		case l.key != "":
			flush()
			key, keyLine, keyCol = l.key, l.line, l.col
			if _, dup := cur.get(key); cur == nil || dup {
				records = append(records, Record{Line: l.line})
				cur = &records[len(records)-1]
			}
			b.WriteString(l.text)
			prevLen = len(l.text)
			cur.Last = l.line
		case key != "":
			if prevLen < width {
				b.WriteByte(' ')
			}
			b.WriteString(l.text)
			prevLen = len(l.text)
			cur.Last = l.line
		}
	}
	flush()
	return records, width
}

// get is Get on a record that may be nil.
func (r *Record) get(name string) (string, bool) {
	if r == nil {
		return "", false
	}
	return r.Get(name)
}

// Unbrace removes the braces PowerShell puts around an array value:
// "{a}" → "a". A value without both braces is returned as it is.
func Unbrace(s string) string {
	if len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}' {
		return s[1 : len(s)-1]
	}
	return s
}

// CutProperty splits a Format-List property line, "Name   : value",
// optionally indented: name is made of ASCII letters, digits and '_'
// (starting with a letter or '_'), at least one blank stands before the ':',
// and one blank after it is dropped. c is the byte column (0-based) where the
// value starts.
func CutProperty(line string) (name, value string, c int, ok bool) {
	trimmed := strings.TrimLeft(line, " ")
	lead := len(line) - len(trimmed)
	i := 0
	for i < len(trimmed) && (trimmed[i] == '_' || ascii.IsLetter(trimmed[i]) || i > 0 && ascii.IsDigit(trimmed[i])) {
		i++
	}
	if i == 0 {
		return "", "", 0, false
	}
	j := i
	for j < len(trimmed) && trimmed[j] == ' ' {
		j++
	}
	if j == i || j >= len(trimmed) || trimmed[j] != ':' {
		return "", "", 0, false
	}
	k := j + 1
	if k < len(trimmed) && trimmed[k] == ' ' {
		k++
	}
	return trimmed[:i], trimmed[k:], lead + k, true
}
