package sourcecontext

import "time"

// parseISO reads the UTC timestamps Exchange writes in source-context,
// yyyy-MM-ddTHH:mm:ss[.f…]Z with 1 to 9 fraction digits, without allocating.
// The date must exist.
func parseISO(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[len(b)-1] != 'Z' {
		return time.Time{}, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for k := i; k < i+n; k++ {
			if !isDigit(b[k]) {
				return 0, false
			}
			v = v*10 + int(b[k]-'0')
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	h, ok4 := num(11, 2)
	mi, ok5 := num(14, 2)
	s, ok6 := num(17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) || h > 23 || mi > 59 || s > 59 {
		return time.Time{}, false
	}
	ns := 0
	switch rest := b[19 : len(b)-1]; {
	case len(rest) == 0:
	case len(rest) >= 2 && len(rest) <= 10 && rest[0] == '.':
		f, ok := num(20, len(rest)-1)
		if !ok {
			return time.Time{}, false
		}
		for k := len(rest) - 1; k < 9; k++ {
			f *= 10
		}
		ns = f
	default:
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC), true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// appendISO appends t in UTC as yyyy-MM-ddTHH:mm:ss.fffZ, the form
// Exchange writes (millisecond precision; finer digits are dropped).
func appendISO(dst []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(dst, "2006-01-02T15:04:05.000Z")
}
