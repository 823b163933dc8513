//go:build !unix

package main

import "time"

// cpuTime is not measured here; the benchmarks report no CPU figure.
func cpuTime() time.Duration { return 0 }

func threadCPUTime() time.Duration { return 0 }
