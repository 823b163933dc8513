package eventdata

import (
	"time"

	"github.com/mailtrace/mailtrace/internal/ascii"
)

// maxSeconds is the largest whole number of seconds a time.Duration holds.
const maxSeconds = int64(1<<63-1) / int64(time.Second)

// parseSeconds parses decimal seconds as Exchange writes latencies
// ("1.928", "0.402", "14", "-0.010") into a Duration without going through
// a float: 1.928 is exactly 1928ms. Digits beyond nanoseconds are
// truncated. ok is false for anything else (no digits, a ',' decimal
// separator, an exponent, overflow).
func parseSeconds(b []byte) (time.Duration, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	i := 0
	var sec int64
	for i < len(b) && ascii.IsDigit(b[i]) {
		if sec > maxSeconds/10 {
			return 0, false
		}
		sec = sec*10 + int64(b[i]-'0')
		i++
	}
	if i == 0 || sec > maxSeconds {
		return 0, false
	}
	var ns int64
	if i < len(b) {
		if b[i] != '.' || i+1 == len(b) {
			return 0, false
		}
		i++
		scale := int64(time.Second)
		for ; i < len(b); i++ {
			if !ascii.IsDigit(b[i]) {
				return 0, false
			}
			if scale > 1 {
				scale /= 10
				ns += int64(b[i]-'0') * scale
			}
		}
	}
	if sec == maxSeconds && ns > int64(1<<63-1)-sec*int64(time.Second) {
		return 0, false
	}
	d := time.Duration(sec)*time.Second + time.Duration(ns)
	if neg {
		d = -d
	}
	return d, true
}

// parseCount parses a non-negative decimal integer of at most 18 digits.
func parseCount(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if !ascii.IsDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
