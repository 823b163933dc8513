package messageinfo

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"

	"github.com/mailtrace/mailtrace/internal/proptest"
)

// checkFast holds localTotalFast to the general parser on src: when it is
// sure, the general parser accepts src and reads the same origin and
// TOTAL. It returns whether the fast path was sure, and a failure message.
func checkFast(src []byte) (sure bool, msg string) {
	o, d, has, sure := localTotalFast(src)
	go2, gd, ghas, gok := localTotalParse(src)
	if !sure {
		return false, ""
	}
	if !gok {
		return true, fmt.Sprintf("localTotalFast(%.120q) accepted a string the parser refuses", src)
	}
	if !o.Equal(go2) || d != gd || has != ghas {
		return true, fmt.Sprintf("localTotalFast(%.120q) = %v, %v, %v; the parser says %v, %v, %v", src, o, d, has, go2, gd, ghas)
	}
	return true, ""
}

// fastOutside reports whether src holds what localTotalFast leaves to the
// parser: a negative value, a long run of digits, or a limit approached.
func fastOutside(src []byte) bool {
	run := 0
	for _, c := range src {
		if c >= '0' && c <= '9' {
			if run++; run > 9 {
				return true
			}
		} else {
			run = 0
		}
	}
	return bytes.Contains(src, []byte("=-")) || bytes.Count(src, []byte("(")) > maxFastLevel ||
		bytes.Count(src, []byte("=")) > maxFastRecords || bytes.Count(src, []byte("SRV=")) > MaxHops
}

// TestLocalTotalFastAgrees: on every real value, every malformed string of
// TestAppendLatencyErrors and the limit seeds, the fast path agrees with
// the parser where it is sure, and it is sure of every real value the
// parser reads (so the fast path is the one real logs take).
func TestLocalTotalFastAgrees(t *testing.T) {
	var inputs []string
	inputs = append(inputs, limitSeeds()...)
	for _, tt := range latencyErrorTests() {
		inputs = append(inputs, tt.in)
	}
	for _, tt := range latencyTests {
		inputs = append(inputs, tt.in)
	}
	realTaken, realRead := 0, 0
	for _, v := range realValues(t) {
		src := []byte(v.Value)
		if Classify(src) != KindLatency {
			continue
		}
		sure, msg := checkFast(src)
		if msg != "" {
			t.Errorf("%s: %s", v.Name, msg)
		}
		if _, _, _, ok := localTotalParse(src); ok && !fastOutside(src) {
			realRead++
			if !sure {
				t.Errorf("%s: the fast path is not sure of %.120q, which the parser reads", v.Name, src)
			} else {
				realTaken++
			}
		}
	}
	if realRead == 0 {
		t.Fatal("no real latency string: the corpus did not load")
	}
	t.Logf("fast path took %d of %d real latency strings the parser reads", realTaken, realRead)
	for _, s := range inputs {
		if _, msg := checkFast([]byte(s)); msg != "" {
			t.Error(msg)
		}
	}
}

// TestPropertyLocalTotalFast: on generated latency strings (every shape
// latencyGen draws: folded spaces, integer milliseconds, up to MaxHops
// hops) the fast path is sure and agrees with the parser; on each string
// with a byte changed, inserted or removed (the delimiters, a space, a
// digit, a sign), it agrees wherever it is sure.
func TestPropertyLocalTotalFast(t *testing.T) {
	props := gopter.NewProperties(proptest.Parameters(t, 1000))
	rng := rand.New(rand.NewSource(proptest.Seed(t)))
	const alphabet = "()|;:= .-0123456789AXT"
	props.Property("fast path agrees with the parser", prop.ForAll(func(m mLatency) string {
		text, _ := m.render()
		src := []byte(text)
		sure, msg := checkFast(src)
		if msg != "" {
			return msg
		}
		if !sure {
			return fmt.Sprintf("localTotalFast not sure of a well-formed generated string %.120q", src)
		}
		for range 20 {
			mut := bytes.Clone(src)
			k := rng.Intn(len(mut) + 1)
			c := alphabet[rng.Intn(len(alphabet))]
			switch rng.Intn(3) {
			case 0:
				if k < len(mut) {
					mut[k] = c
				}
			case 1:
				mut = append(mut[:k], append([]byte{c}, mut[k:]...)...)
			case 2:
				if k < len(mut) {
					mut = append(mut[:k], mut[k+1:]...)
				}
			}
			if _, msg := checkFast(mut); msg != "" {
				return msg
			}
		}
		return ""
	}, latencyGen()))
	props.TestingRun(t)
}

// TestLocalTotalFastRefuses: what the fast path leaves to the parser, and
// malformed strings, are not taken by it (LocalTotal still answers them
// through the parser: TestLocalTotalLimits).
func TestLocalTotalFastRefuses(t *testing.T) {
	for _, s := range []string{
		"LSRV=h:TOTAL=-1",                  // negative
		"LSRV=h:TOTAL=1234567890",          // 10 whole digits
		"LSRV=h:TOTAL=1.1234567890",        // 10 fraction digits
		"LSRV=h:TOTAL=1(",                  // unclosed
		"LSRV=h:TOTAL=1)",                  // unopened
		"LSRV=h:TOTAL=1;",                  // empty hop
		"LSRV=h:  =1",                      // empty name
		"LSRV=h:A=1()",                     // empty children
		"LSRV=h:A=1(B=2)(C=3)",             // '(' after ')'
		"LSRV=:A=1",                        // no server
		"2024-01-07T00:00:05.535Z;",        // nothing after ';'
		"2024-01-07T00:00:05.535Z;TOTAL=1", // no hop header
		"notatime;LSRV=h:TOTAL=1",
	} {
		if _, _, _, sure := localTotalFast([]byte(s)); sure {
			t.Errorf("localTotalFast took %q", s)
		}
	}
	// Folded spaces, agents with spaces and integer milliseconds are taken.
	for s, want := range map[string]time.Duration{
		"LSRV=h:TOTAL-HUB=1.5 (A=1 )| B-Malware Agent =0.2":       1500 * time.Millisecond,
		"2024-01-07T00:00:05.535Z;SRV=a:TOTAL=9;SRV=b:TOTAL=1500": 1500 * time.Millisecond,
		"SRV=a:TOTAL=1.000;SRV=b:X-TOTAL-PEN=2.25":                2250 * time.Millisecond,
	} {
		_, d, has, sure := localTotalFast([]byte(s))
		if !sure || !has || d != want {
			t.Errorf("localTotalFast(%q) = %v, %v, sure %v; want %v", s, d, has, sure, want)
		}
	}
}

// The fast path allocates nothing.
func TestLocalTotalFastNoAllocs(t *testing.T) {
	src := []byte(sampleEXO)
	if n := testing.AllocsPerRun(100, func() { localTotalFast(src) }); n != 0 {
		t.Errorf("localTotalFast: %v allocs per run", n)
	}
}
