package messageinfo

import "time"

// ParseTime decodes an RFC 3339 timestamp as written in message-info, e.g.
// the origination time 2024-01-07T00:00:05.535Z, or Exchange Online's
// 2021-03-23T10:00:09.3284899Z (seven fractional digits).
//
// The fast path accepts yyyy-MM-ddTHH:mm:ss, an optional fraction of one to
// nine digits, and 'Z' or a ±hh:mm offset; it does no allocation and returns
// the instant in UTC (an offset is applied, not kept as a zone). Anything
// else is handed to time.Parse(time.RFC3339Nano, ...), which may allocate
// (for a []byte argument it always does) and keeps the zone it parsed.
// ok is false when neither accepts s.
//
// ParseTime is safe for concurrent use.
func ParseTime[T []byte | string](s T) (t time.Time, ok bool) {
	if t, ok := parseTimeFast(s); ok {
		return t, true
	}
	t, err := time.Parse(time.RFC3339Nano, string(s))
	return t, err == nil
}

// parseTimeFast is the allocation-free part of ParseTime.
func parseTimeFast[T []byte | string](s T) (time.Time, bool) {
	// 2006-01-02T15:04:05
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits4(s[0], s[1], s[2], s[3])
	month, ok2 := digits2(s[5], s[6])
	day, ok3 := digits2(s[8], s[9])
	hour, ok4 := digits2(s[11], s[12])
	minute, ok5 := digits2(s[14], s[15])
	sec, ok6 := digits2(s[17], s[18])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) ||
		month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	i := 19
	nsec := 0
	if s[i] == '.' {
		i++
		n := 0
		scale := 100000000
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if n == 9 {
				return time.Time{}, false
			}
			nsec += int(s[i]-'0') * scale
			scale /= 10
			n++
			i++
		}
		if n == 0 {
			return time.Time{}, false
		}
	}
	if i >= len(s) {
		return time.Time{}, false
	}
	offset := 0
	switch s[i] {
	case 'Z':
		i++
	case '+', '-':
		if len(s)-i != 6 || s[i+3] != ':' {
			return time.Time{}, false
		}
		oh, okh := digits2(s[i+1], s[i+2])
		om, okm := digits2(s[i+4], s[i+5])
		if !okh || !okm || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if s[i] == '-' {
			offset = -offset
		}
		i += 6
	default:
		return time.Time{}, false
	}
	if i != len(s) {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if offset != 0 {
		t = t.Add(-time.Duration(offset) * time.Second)
	}
	return t, true
}

func digits2(a, b byte) (int, bool) {
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return 0, false
	}
	return int(a-'0')*10 + int(b-'0'), true
}

func digits4(a, b, c, d byte) (int, bool) {
	hi, ok1 := digits2(a, b)
	lo, ok2 := digits2(c, d)
	return hi*100 + lo, ok1 && ok2
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

// AppendTime appends t in the form Exchange writes in message-info and in
// date-time columns: UTC, millisecond precision, 'Z' suffix
// (2024-01-07T00:00:05.535Z). Finer precision is truncated. ParseTime reads
// the result back for years 0000 to 9999; other years (which RFC 3339 cannot
// express) are written by time.Time.AppendFormat with the same layout and do
// not parse back. AppendTime does no allocation when dst has room for 24
// more bytes.
func AppendTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	ms := t.Nanosecond() / int(time.Millisecond)
	if year < 0 || year > 9999 {
		// Outside the 4-digit form; fall back to the standard layout.
		return t.AppendFormat(dst, "2006-01-02T15:04:05.000Z07:00")
	}
	dst = append(dst,
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+int(month)/10), byte('0'+int(month)%10), '-',
		byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':',
		byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.',
		byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
	return dst
}
