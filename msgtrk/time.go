package msgtrk

import "time"

// ParseTime parses a date-time value. The layout Exchange writes,
// yyyy-MM-ddTHH:mm:ss.fffZ, takes a fast path that does no allocation; any
// other RFC 3339 form (other fraction lengths such as Exchange Online's seven
// digits, a numeric zone offset) falls back to time.Parse. The result is in
// UTC. ok is false when b is neither.
func ParseTime[T []byte | string](b T) (t time.Time, ok bool) {
	if t, ok := parseTimeFast(b); ok {
		return t, true
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// parseTimeFast accepts exactly yyyy-MM-ddTHH:mm:ss[.f…]Z with 0 to 9
// fraction digits.
func parseTimeFast[T []byte | string](b T) (time.Time, bool) {
	n := len(b)
	if n < 20 || b[n-1] != 'Z' || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits4(b[0], b[1], b[2], b[3])
	month, ok2 := digits2(b[5], b[6])
	day, ok3 := digits2(b[8], b[9])
	hour, ok4 := digits2(b[11], b[12])
	minute, ok5 := digits2(b[14], b[15])
	sec, ok6 := digits2(b[17], b[18])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return time.Time{}, false
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	nsec := 0
	switch {
	case n == 20: // no fraction
	case b[19] == '.' && n >= 22 && n <= 30:
		scale := 100000000
		for i := 20; i < n-1; i++ {
			c := b[i]
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			nsec += int(c-'0') * scale
			scale /= 10
		}
	default:
		return time.Time{}, false
	}
	days := daysFromCivil(year, month, day)
	secs := days*86400 + int64(hour*3600+minute*60+sec)
	return time.Unix(secs, int64(nsec)).UTC(), true
}

func digits2(a, b byte) (int, bool) {
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return 0, false
	}
	return int(a-'0')*10 + int(b-'0'), true
}

func digits4(a, b, c, d byte) (int, bool) {
	x, ok1 := digits2(a, b)
	y, ok2 := digits2(c, d)
	return x*100 + y, ok1 && ok2
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

// daysFromCivil returns the number of days since 1970-01-01 of a proleptic
// Gregorian date (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// AppendTime appends t in the layout Exchange writes,
// yyyy-MM-ddTHH:mm:ss.fffZ (UTC, milliseconds).
func AppendTime(dst []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(dst, "2006-01-02T15:04:05.000Z")
}
