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
type CPUTimer struct{ start, paused, pausedAt time.Duration }

// StartCPU returns a CPUTimer started now.
func StartCPU() CPUTimer { return CPUTimer{start: processCPU()} }

// Pause stops counting until Resume, as testing.B.StopTimer does for the
// clock: for work in the loop that is not the operation measured (a
// baseline timed in the same iterations).
func (c *CPUTimer) Pause() { c.pausedAt = processCPU() }

// Resume counts again after Pause.
func (c *CPUTimer) Resume() { c.paused += processCPU() - c.pausedAt }

// Report adds the CPU time per operation since StartCPU, less the paused
// time, to b's results, as "cpu-ns/op" (0 where the platform does not
// say).
func (c *CPUTimer) Report(b *testing.B) {
	b.ReportMetric(float64(processCPU()-c.start-c.paused)/float64(b.N), "cpu-ns/op")
}
