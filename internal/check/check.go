// Package check holds small test helpers the field packages share: the
// allocation check behind every TestNoAllocs, and the "result lies inside
// the input" check of the fuzzers. It is test support.
package check

import (
	"testing"
	"unsafe"
)

// Calls is how many calls NoAllocs makes per measured run.
const Calls = 100

// NoAllocs fails t when fn allocates. testing.AllocsPerRun returns the
// integer part of the mean number of allocations per run, so a run of one
// call cannot show an allocation made once every few calls; each run here
// makes Calls calls, so that one allocation in Calls calls shows. fn is
// called once before measuring, to let buffers grow to their final size.
func NoAllocs(t testing.TB, name string, fn func()) {
	t.Helper()
	if n := AllocsPerCalls(fn); n != 0 {
		t.Errorf("%s: %v allocations per %d calls, want 0", name, n, Calls)
	}
}

// AllocsPerCalls returns testing.AllocsPerRun of Calls calls of fn, after
// one warm-up call.
func AllocsPerCalls(fn func()) float64 {
	fn()
	return testing.AllocsPerRun(50, func() {
		for range Calls {
			fn()
		}
	})
}

// Inside reports whether sub lies in the memory of src; an empty sub always
// does. Decoders that return subslices of their input are checked with it.
func Inside(src, sub []byte) bool {
	if len(sub) == 0 {
		return true
	}
	if len(src) == 0 {
		return false
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(src)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(sub)))
	return p >= base && p+uintptr(len(sub)) <= base+uintptr(len(src))
}
