package mtbeam

import (
	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/transforms/stats"
)

func init() {
	register.Function1x1[Row, int64](rowOne)
	register.Function1x1[Problem, int64](problemOne)
}

func rowOne(Row) int64         { return 1 }
func problemOne(Problem) int64 { return 1 }

// CountRows returns the number of rows as a single-element PCollection of
// int64 (0 for no rows).
func CountRows(s beam.Scope, rows beam.PCollection) beam.PCollection {
	s = s.Scope("mtbeam.CountRows")
	return stats.Sum(s, beam.ParDo(s, rowOne, rows))
}

// CountProblems returns the number of problems as a single-element
// PCollection of int64 (0 for none).
func CountProblems(s beam.Scope, problems beam.PCollection) beam.PCollection {
	s = s.Scope("mtbeam.CountProblems")
	return stats.Sum(s, beam.ParDo(s, problemOne, problems))
}
