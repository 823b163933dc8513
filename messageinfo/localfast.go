package messageinfo

import (
	"time"
)

// localTotalFast is LocalTotal for the latency strings Exchange writes:
// the full grammar (AppendLatency) less what it has never been seen to
// write there. It reads the string in one pass, keeping only the span of
// each hop's first record, and gives up (sure false) on anything outside
// that subset, where LocalTotal takes the general parser:
//
//   - a negative value, or one of more than 9 whole digits;
//   - more than maxFastLevel open parentheses, more than maxFastRecords
//     records or MaxHops hops, more than MaxInputBytes;
//   - and anything the general parser refuses.
//
// On what it accepts it agrees with the general parser: a string of the
// subset is well-formed for one exactly when it is for the other, and the
// origination time, unit and last hop's TOTAL are read by the same rules
// (TestLocalTotalFastAgrees, FuzzLocalTotal).
func localTotalFast(src []byte) (origin time.Time, total time.Duration, hasTotal, sure bool) {
	if len(src) > MaxInputBytes {
		return
	}
	t, end, hasOrigin, ok := readOrigin(src)
	if !ok {
		return
	}
	i := 0
	if hasOrigin {
		origin = t
		if end == len(src) {
			return origin, 0, false, true
		}
		i = end + 1
	}
	n := len(src)
	var (
		hops, records int
		// The last hop's first record: its name, and where its value starts.
		firstName  Span
		firstValue int
		// digits ORs every value digit's value: non-zero when some value
		// is not zero. dot: some value has a fraction.
		digits byte
		dot    bool
	)
	for {
		// Fold spaces, then the current time that may close the string.
		for i < n && src[i] == ' ' {
			i++
		}
		if _, ok := readCurrent(src, i); ok {
			break
		}
		// A hop: "SRV=" or "LSRV=", the server, ':'.
		var ok bool
		if _, _, i, ok = hopHeader(src, i); !ok {
			return
		}
		if hops++; hops > MaxHops {
			return
		}
		level := 0
		first := true
		for {
			// A record: a name up to '=', then the value.
			// Spaces around the name are not part of it.
			for i < n && src[i] == ' ' {
				i++
			}
			nameStart := i
			for i < n && !nameStop[src[i]] {
				i++
			}
			nameEnd := i
			for nameEnd > nameStart && src[nameEnd-1] == ' ' {
				nameEnd--
			}
			if i == n || src[i] != '=' || nameEnd == nameStart {
				return
			}
			i++
			valStart := i
			// The whole digits, then the fraction's: 1 to 9 each (the
			// parser takes at most 9 after a '.'; more whole digits are
			// left to it). The two loops are written out: as one inlined
			// function they cost 12 % more instructions a string.
			for i < n && src[i]-'0' < 10 {
				digits |= src[i] - '0'
				i++
			}
			if w := i - valStart; w == 0 || w > 9 {
				return
			}
			if i < n && src[i] == '.' {
				i++
				fracStart := i
				for i < n && src[i]-'0' < 10 {
					digits |= src[i] - '0'
					i++
				}
				if w := i - fracStart; w == 0 || w > 9 {
					return
				}
				dot = true
			}
			if records++; records > maxFastRecords {
				return
			}
			if first {
				firstName, firstValue = span(nameStart, nameEnd), valStart
				first = false
			}
			// After the value (and spaces): '(' opens its children; ')'s
			// close levels, spaces after each; then '|' (another record),
			// ';' (another hop) or the end.
			for i < n && src[i] == ' ' {
				i++
			}
			if i < n && src[i] == '(' {
				if level++; level > maxFastLevel {
					return
				}
				i++
				continue
			}
			for i < n && src[i] == ')' {
				if level == 0 {
					return
				}
				level--
				for i++; i < n && src[i] == ' '; i++ {
				}
			}
			if i < n && src[i] == '|' {
				i++
				continue
			}
			if level != 0 || (i < n && src[i] != ';') {
				return
			}
			break
		}
		if i == n {
			break
		}
		i++ // ';'
	}
	// The last hop's TOTAL, if its first record is one.
	node := Node{Name: firstName}
	if _, _, isTotal := splitName(src, &node, true); hops > 0 && isTotal {
		hasTotal = true
		// The parser's own reading of the value (which the loop above
		// checked), in seconds.
		vp := latencyParser{src: src}
		total, _, _ = vp.value(firstValue)
		if unitOf(dot, digits != 0) == UnitMilliseconds {
			total /= 1000 // (read as seconds)
		}
	}
	return origin, total, hasTotal, true
}

// Bounds of localTotalFast's subset, well inside the parser's limits: with
// at most maxFastLevel open parentheses no record is deeper than
// maxFastLevel+1 (≤ MaxDepth), and maxFastRecords < MaxNodes.
const (
	maxFastLevel   = MaxDepth - 2
	maxFastRecords = MaxNodes / 2
)
