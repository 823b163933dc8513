// Package proptest holds the shared settings of the gopter property tests:
// the seed policy and the number of cases.
//
// The seed comes from the MAILTRACE_SEED environment variable: unset means the
// fixed default seed, "random" means a fresh seed from the clock, anything else
// is parsed as a decimal int64. Every test logs the seed it used, so a failure
// can be replayed with MAILTRACE_SEED=<seed>.
package proptest

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/leanovate/gopter"
)

// DefaultSeed is the seed used when MAILTRACE_SEED is unset.
const DefaultSeed int64 = 20261125

// Seed returns the seed selected by MAILTRACE_SEED and logs it on t.
func Seed(t testing.TB) int64 {
	t.Helper()
	seed := DefaultSeed
	switch v := os.Getenv("MAILTRACE_SEED"); v {
	case "":
	case "random":
		seed = time.Now().UnixNano()
	default:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("MAILTRACE_SEED=%q: %v", v, err)
		}
		seed = n
	}
	t.Logf("gopter seed %d (replay with MAILTRACE_SEED=%d)", seed, seed)
	return seed
}

// Parameters returns gopter test parameters with the selected seed and at
// least minSuccessful cases. Under -short the count is divided by ten (but is
// at least 100); MAILTRACE_CASES=N multiplies it by N, for long local runs.
func Parameters(t testing.TB, minSuccessful int) *gopter.TestParameters {
	t.Helper()
	p := gopter.DefaultTestParametersWithSeed(Seed(t))
	if testing.Short() {
		minSuccessful /= 10
		if minSuccessful < 100 {
			minSuccessful = 100
		}
	}
	if v := os.Getenv("MAILTRACE_CASES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("MAILTRACE_CASES=%q: want a positive integer", v)
		}
		minSuccessful *= n
		t.Logf("MAILTRACE_CASES=%d: %d cases", n, minSuccessful)
	}
	p.MinSuccessfulTests = minSuccessful
	return p
}
