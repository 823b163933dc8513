package fuzz

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"
	"github.com/mailtrace/mailtrace/internal/fuzzgen"
	"github.com/mailtrace/mailtrace/internal/proptest"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// genLogGen is GenLog as a gopter generator. It shrinks by dropping rows,
// blank and malformed lines and the truncated tail (never directives,
// whose #Fields: the later rows were generated for).
func genLogGen(o fuzzgen.LogOptions) gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		return gopter.NewGenResult(fuzzgen.GenLog(p.Rng, o), shrinkLog)
	}
}

func shrinkLog(v any) gopter.Shrink {
	l := v.(fuzzgen.Log)
	i := len(l.Lines)
	tail := l.Tail != ""
	return func() (any, bool) {
		if tail {
			tail = false
			c := l
			c.Tail = ""
			return c, true
		}
		for i > 0 {
			i--
			if l.Lines[i].Kind == fuzzgen.Directive {
				continue
			}
			c := l
			c.Lines = append(append([]fuzzgen.Line(nil), l.Lines[:i]...), l.Lines[i+1:]...)
			return c, true
		}
		return nil, false
	}
}

// checkNothingLost reads the file l describes, in memory and streamed in
// small chunks, and returns a description of every difference from what l
// says must come out, or "" when there is none: lines = rows + directives +
// blank lines + errors; the rows are exactly the generated rows, in order,
// with the same values (as the Writer escapes them: escapeLineBreaks);
// the errors are exactly the generated malformed lines,
// in order, with their sentinels.
func checkNothingLost(l *fuzzgen.Log) string {
	data := l.AppendTo(nil)
	var msgs []string
	for _, chunk := range []int{0, 3} {
		var r *msgtrk.Reader
		if chunk == 0 {
			r = msgtrk.NewReaderBytes(data)
		} else {
			r = msgtrk.NewReader(&chunkReader{data: data, n: chunk})
		}
		r.MaxLineBytes = l.MaxLineBytes
		var errs []string
		r.ErrorHandler = func(e *msgtrk.ParseError) { errs = append(errs, sentinelName(e.Err)) }
		var rows [][]string
		for r.Next() {
			rec := r.Record()
			vals := make([]string, rec.NumColumns())
			for i := range vals {
				vals[i] = string(rec.Column(i))
			}
			rows = append(rows, vals)
		}
		if err := r.Err(); err != nil {
			msgs = append(msgs, fmt.Sprintf("chunk %d: Err() = %v", chunk, err))
		}
		var wantErrs []string
		for _, e := range l.Errs() {
			wantErrs = append(wantErrs, sentinelName(e))
		}
		// cmp.Diff only to describe a difference: it is slow.
		// The Writer escapes CR and LF and nothing else (format.md §3.1);
		// that is what a row's columns read as.
		want := l.Rows()
		for k, row := range want {
			want[k] = nil
			for _, v := range row {
				want[k] = append(want[k], escapeLineBreaks.Replace(v))
			}
		}
		if !slices.EqualFunc(want, rows, slices.Equal) {
			msgs = append(msgs, fmt.Sprintf("chunk %d: rows mismatch (-want +got):\n%s", chunk, cmp.Diff(want, rows)))
		}
		if !slices.Equal(wantErrs, errs) {
			msgs = append(msgs, fmt.Sprintf("chunk %d: errors mismatch (-want +got):\n%s", chunk, cmp.Diff(wantErrs, errs)))
		}
		st := r.Stats()
		if st.Lines != st.Records+st.Directives+st.Blank+st.Errors {
			msgs = append(msgs, fmt.Sprintf("chunk %d: lines not accounted for: %+v", chunk, st))
		}
		if want := l.Want(); want != st {
			msgs = append(msgs, fmt.Sprintf("chunk %d: stats mismatch (-want +got):\n%s", chunk, cmp.Diff(want, st)))
		}
	}
	if len(msgs) > 0 {
		return fmt.Sprintf("input %q:\n%s", data, strings.Join(msgs, "\n"))
	}
	return ""
}

// TestPropertyNothingLost: for generated files mixing valid rows, malformed
// lines, header blocks (with changing columns), blank lines, byte order
// marks and truncation, nothing is lost and nothing is invented (see
// checkNothingLost).
func TestPropertyNothingLost(t *testing.T) {
	params := proptest.Parameters(t, 1000)
	props := gopter.NewProperties(params)
	for _, o := range []fuzzgen.LogOptions{{Lines: 30}, {Lines: 60, Noise: 20, MaxLineBytes: 2048}} {
		props.Property(fmt.Sprintf("nothing lost (%+v)", o), prop.ForAll(func(l fuzzgen.Log) (bool, error) {
			if msg := checkNothingLost(&l); msg != "" {
				return false, errors.New(msg)
			}
			return true, nil
		}, genLogGen(o)))
	}
	props.TestingRun(t)
}

// escapeLineBreaks is format.md §3.1's escaping of a field's text: CR
// becomes \r, LF \n, nothing else changes.
var escapeLineBreaks = strings.NewReplacer("\r", `\r`, "\n", `\n`)
