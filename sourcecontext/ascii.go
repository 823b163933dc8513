package sourcecontext

import "github.com/mailtrace/mailtrace/internal/ascii"

// parseHex64 and parseInt64 are the shared rules of package ascii.
var (
	parseHex64 = ascii.ParseHex64
	parseInt64 = ascii.ParseInt64
)

func allDigits(b []byte) bool {
	for _, c := range b {
		if !ascii.IsDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

// offsetIn returns the offset of s in b, s being a subslice of b obtained by
// slicing (so that the capacities tell the distance).
func offsetIn(b, s []byte) int { return cap(b) - cap(s) }
