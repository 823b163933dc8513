package check

import (
	"testing"
	"time"
)

// CPUTimer measures the CPU time the whole process spends (every
// goroutine, the garbage collector's included) while a benchmark runs: on
// a machine shared with other jobs the wall clock (ns/op) counts the time
// the process waited for a core, the CPU time does not. Start it after the
// setup, Report it after the loop.
type CPUTimer struct{ start time.Duration }

// StartCPU returns a CPUTimer started now.
func StartCPU() CPUTimer { return CPUTimer{processCPU()} }

// Report adds the CPU time per operation since StartCPU to b's results, as
// "cpu-ns/op" (0 where the platform does not say).
func (c CPUTimer) Report(b *testing.B) {
	b.ReportMetric(float64(processCPU()-c.start)/float64(b.N), "cpu-ns/op")
}
