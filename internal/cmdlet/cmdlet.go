// Package cmdlet reads PowerShell Format-List output, the form in which
// administrators publish Get-MessageTrackingLog results, and undoes the
// console's line wrapping. It is test support: the field packages use it to
// read the samples in testdata/real/cmdlet_output; the library itself reads
// log files, not console output.
//
// Format-List writes one property per line, the names padded to a common
// column:
//
//	SourceContext : 08D8648A8359CDFE;2020-10-07T16:27:19.546Z
//	EventId       : DELIVERFAIL
//
// and the console breaks a value longer than the window into lines of at
// most W characters, W being the window width minus the name column. The
// samples show two ways of doing so, both undone by one rule:
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
// skipped. The functions are safe for concurrent use.
package cmdlet

import "strings"

// Unwrap returns one map per record of Format-List output (property name →
// value with the wrapping undone, names as written) and the wrap width W it
// inferred. It never fails: text that is not Format-List output gives
// records of whatever property lines it holds, or none.
func Unwrap(text string) (records []map[string]string, width int) {
	type vline struct {
		key   string // property name on its first line, "" on continuations
		text  string
		start bool // a "<#" line: the next property starts a new record
	}
	var lines []vline
	col := 0
	for raw := range strings.SplitSeq(text, "\n") {
		line := strings.TrimRight(raw, " \r")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || trimmed == "#>":
			continue
		case strings.HasPrefix(trimmed, "<#"):
			lines = append(lines, vline{start: true})
			continue
		}
		if key, val, c, ok := CutProperty(line); ok {
			lines = append(lines, vline{key: key, text: val})
			col = c
			continue
		}
		if len(lines) == 0 || lines[len(lines)-1].start {
			continue // text before the first property of a record
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		lines = append(lines, vline{text: line[min(indent, col):]})
	}
	for _, l := range lines {
		width = max(width, len(l.text))
	}
	var cur map[string]string
	var key string
	var b strings.Builder
	prevLen := 0
	flush := func() {
		if key != "" {
			cur[key] = b.String()
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
			key = l.key
			if _, dup := cur[key]; cur == nil || dup {
				cur = map[string]string{}
				records = append(records, cur)
			}
			b.WriteString(l.text)
			prevLen = len(l.text)
		case key != "":
			if prevLen < width {
				b.WriteByte(' ')
			}
			b.WriteString(l.text)
			prevLen = len(l.text)
		}
	}
	flush()
	return records, width
}

// CutProperty splits a Format-List property line, "Name   : value",
// optionally indented: name is made of ASCII letters and '_', at least one
// blank stands before the ':', and one blank after it is dropped. c is the
// byte column (0-based) where the value starts.
func CutProperty(line string) (name, value string, c int, ok bool) {
	trimmed := strings.TrimLeft(line, " ")
	lead := len(line) - len(trimmed)
	i := 0
	for i < len(trimmed) && (trimmed[i] == '_' || trimmed[i] >= 'a' && trimmed[i] <= 'z' || trimmed[i] >= 'A' && trimmed[i] <= 'Z') {
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

// Unbrace removes the braces PowerShell puts around an array value:
// "{a}" → "a". A value without both braces is returned as it is.
func Unbrace(s string) string {
	if len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}' {
		return s[1 : len(s)-1]
	}
	return s
}
