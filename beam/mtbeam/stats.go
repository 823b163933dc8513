package mtbeam

import (
	"encoding/json"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/mailtrace/mailtrace/report"
)

func init() {
	beam.RegisterType(reflect.TypeOf((*report.Counts)(nil)).Elem())
	register.Function1x1[Trace, report.Counts](traceCounts)
	register.Function2x1[report.Counts, report.Counts, report.Counts](mergeCounts)
	register.Function6x1[[]byte, func(*int64) bool, func(*int64) bool, func(*report.Counts) bool, func(*WindowCounts) bool, func(string), error](statsJSON)
	beam.RegisterType(reflect.TypeOf((*WindowCounts)(nil)).Elem())
	register.Function1x1[Trace, WindowCounts](traceWindow)
	register.Function2x1[WindowCounts, WindowCounts, WindowCounts](mergeWindow)
	register.Iter1[WindowCounts]()
	register.Iter1[int64]()
	register.Iter1[report.Counts]()
}

// Counts is the part of mailtrace stats -json the pipeline computes: the
// rows read, the malformed lines, and the counts of the traces
// (report.Counts, under the summary's JSON names), the total size of the
// messages among them.
type Counts struct {
	Rows      int64             `json:"rows"`
	Counts    report.CountsJSON `json:"counts"`
	Size      TotalSize         `json:"size"`
	Malformed int64             `json:"malformed_lines"`
	// BeyondWindow counts the messages the command would have split
	// (Options.Window) and the rows it would have counted late; absent
	// when none. mailtrace stats -json has no such field.
	BeyondWindow *WindowCounts `json:"beyond_window,omitempty"`
}

// WindowCounts counts messages whose rows spread beyond the window, and
// their rows after the first gap.
type WindowCounts struct {
	Messages int64 `json:"messages"`
	Rows     int64 `json:"rows"`
}

// TotalSize is the part of the summary's size the pipeline computes: the
// sum of the messages' sizes (report.Counts.Bytes), each counted once. The
// mean, the percentiles and the largest are not computed.
type TotalSize struct {
	Total int64 `json:"total_bytes"`
}

func traceCounts(t Trace) report.Counts { return t.Counts }

func mergeCounts(a, b report.Counts) report.Counts {
	a.Merge(b)
	return a
}

// Stats returns the counts of mailtrace stats -json over what Read and
// Traces produced, as a PCollection of one JSON string (a Counts): the
// traces' report.Counts are combined (summed) across workers, the rows
// and problems counted. The top lists, percentiles, mean and largest size
// and clock offsets of the command's summary are not computed.
func Stats(s beam.Scope, logs Logs, traces beam.PCollection) beam.PCollection {
	s = s.Scope("mtbeam.Stats")
	counts := beam.Combine(s, mergeCounts, beam.ParDo(s, traceCounts, traces))
	window := beam.Combine(s, mergeWindow, beam.ParDo(s, traceWindow, traces))
	return beam.ParDo(s, statsJSON, beam.Impulse(s),
		beam.SideInput{Input: CountRows(s, logs.Rows)},
		beam.SideInput{Input: CountProblems(s, logs.Problems)},
		beam.SideInput{Input: counts},
		beam.SideInput{Input: window})
}

func traceWindow(t Trace) WindowCounts {
	if t.BeyondWindow == 0 {
		return WindowCounts{}
	}
	return WindowCounts{Messages: 1, Rows: t.BeyondWindow}
}

func mergeWindow(a, b WindowCounts) WindowCounts {
	return WindowCounts{Messages: a.Messages + b.Messages, Rows: a.Rows + b.Rows}
}

// statsJSON writes the one Counts object; a collection left empty (no row,
// no problem, no trace) counts zero.
func statsJSON(_ []byte, rows, problems func(*int64) bool, counts func(*report.Counts) bool, window func(*WindowCounts) bool, emit func(string)) error {
	var out Counts
	var n int64
	for rows(&n) {
		out.Rows += n
	}
	for problems(&n) {
		out.Malformed += n
	}
	st := report.NewStats(0)
	var c report.Counts
	for counts(&c) {
		st.Counts.Merge(c)
	}
	sum := st.Summary(0, 0)
	out.Counts = sum.Counts
	out.Size.Total = sum.Size.Total
	var w, all WindowCounts
	for window(&w) {
		all = mergeWindow(all, w)
	}
	if all.Messages > 0 {
		out.BeyondWindow = &all
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	emit(string(b))
	return nil
}
