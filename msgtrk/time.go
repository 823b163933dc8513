package msgtrk

import (
	"time"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/internal/calendar"
)

// ParseTime parses an RFC 3339 date-time, the form of every timestamp in a
// message tracking log: date-time, the origination time of message-info,
// the times inside source-context and custom-data.
//
// Every form that occurs takes a fast path that does no allocation:
//
//	yyyy-MM-ddTHH:mm:ss[.f…]Z       Exchange on-premises (3 digits), Exchange Online (7)
//	yyyy-MM-ddTHH:mm:ss[.f…]±hh:mm  a numeric offset (applied, not kept)
//
// with 0 to 9 fraction digits. A value that starts with yyyy-MM-ddT but is
// none of these (a ',' before the fraction, more than nine fraction digits,
// a one-digit hour, an offset of 24 hours) is handed to
// time.Parse(time.RFC3339Nano, …), which may allocate; anything else is
// rejected without allocating. ParseTime accepts exactly what time.Parse
// accepts with that layout (a fuzzer checks it) and returns the same instant,
// always in UTC. ok is false when b is not such a date-time.
//
// ParseTime is safe for concurrent use.
func ParseTime[T []byte | string](b T) (t time.Time, ok bool) {
	if t, ok := parseTimeFast(b); ok {
		return t, true
	}
	if !datePrefix(b) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// datePrefix reports whether b starts with yyyy-MM-ddT, which
// time.Parse(time.RFC3339Nano, …) requires: its year, month and day are
// fixed-width and its separators literal.
func datePrefix[T []byte | string](b T) bool {
	return len(b) >= 11 && ascii.IsDigit(b[0]) && ascii.IsDigit(b[1]) && ascii.IsDigit(b[2]) && ascii.IsDigit(b[3]) &&
		b[4] == '-' && ascii.IsDigit(b[5]) && ascii.IsDigit(b[6]) && b[7] == '-' &&
		ascii.IsDigit(b[8]) && ascii.IsDigit(b[9]) && b[10] == 'T'
}

// parseTimeFast accepts exactly yyyy-MM-ddTHH:mm:ss[.f…](Z|±hh:mm) with 0
// to 9 fraction digits, an existing date, hours 0-23, minutes and seconds
// 0-59, offset hours 0-23 and offset minutes 0-59.
func parseTimeFast[T []byte | string](b T) (time.Time, bool) {
	n := len(b)
	if n < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
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
	if month < 1 || month > 12 || day < 1 || day > calendar.DaysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	i := 19
	nsec := 0
	if b[i] == '.' {
		i++
		scale := 100000000
		start := i
		for i < n && ascii.IsDigit(b[i]) {
			if i-start == 9 {
				return time.Time{}, false
			}
			nsec += int(b[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == start {
			return time.Time{}, false
		}
	}
	offset := 0
	switch {
	case i == n-1 && b[i] == 'Z':
	case i == n-6 && (b[i] == '+' || b[i] == '-') && b[i+3] == ':':
		oh, okh := digits2(b[i+1], b[i+2])
		om, okm := digits2(b[i+4], b[i+5])
		if !okh || !okm || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if b[i] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	secs := calendar.DaysFromCivil(year, month, day)*86400 + int64(hour*3600+minute*60+sec-offset)
	return time.Unix(secs, int64(nsec)).UTC(), true
}

func digits2(a, b byte) (int, bool) {
	if !ascii.IsDigit(a) || !ascii.IsDigit(b) {
		return 0, false
	}
	return int(a-'0')*10 + int(b-'0'), true
}

func digits4(a, b, c, d byte) (int, bool) {
	x, ok1 := digits2(a, b)
	y, ok2 := digits2(c, d)
	return x*100 + y, ok1 && ok2
}

// AppendTime appends t in the layout Exchange writes,
// yyyy-MM-ddTHH:mm:ss.fffZ: UTC, milliseconds, finer digits truncated.
// ParseTime reads the result back for the years 0000 to 9999; other years,
// which RFC 3339 cannot express, are written by time.Time.AppendFormat with
// the same layout ("10000-01-01T…", "-0001-12-31T…") and do not parse back.
// AppendTime does no allocation when dst has room for 24 more bytes. It is
// safe for concurrent use.
func AppendTime(dst []byte, t time.Time) []byte {
	sec := t.Unix()
	if sec < minTimeSec || sec > maxTimeSec {
		return t.UTC().AppendFormat(dst, timeLayout)
	}
	// The years 0000 to 9999 by arithmetic, as AppendFormat writes them but
	// several times faster: the JSON outputs write a time or more per event.
	days, rem := sec/86400, int(sec%86400)
	if rem < 0 {
		days, rem = days-1, rem+86400
	}
	year, month, day := calendar.CivilFromDays(days)
	ms := t.Nanosecond() / 1e6
	var b [24]byte
	put4(b[0:], year)
	b[4] = '-'
	put2(b[5:], month)
	b[7] = '-'
	put2(b[8:], day)
	b[10] = 'T'
	put2(b[11:], rem/3600)
	b[13] = ':'
	put2(b[14:], rem/60%60)
	b[16] = ':'
	put2(b[17:], rem%60)
	b[19] = '.'
	b[20] = byte('0' + ms/100)
	put2(b[21:], ms%100)
	b[23] = 'Z'
	return append(dst, b[:]...)
}

// timeLayout is AppendTime's layout for time.Time.AppendFormat.
const timeLayout = "2006-01-02T15:04:05.000Z"

// minTimeSec (0000-01-01T00:00:00Z) and maxTimeSec (9999-12-31T23:59:59Z)
// bound the times AppendTime writes by arithmetic, in Unix seconds: the
// years of four digits.
const (
	minTimeSec = -62167219200
	maxTimeSec = 253402300799
)

// put2 writes v, 0 ≤ v < 100, as two digits; put4 writes v, 0 ≤ v < 10000,
// as four.
func put2(b []byte, v int) { b[0], b[1] = byte('0'+v/10), byte('0'+v%10) }

func put4(b []byte, v int) { put2(b, v/100); put2(b[2:], v%100) }

// FormatTime returns t in AppendTime's form (RFC 3339 in UTC with
// milliseconds, the one form of a time in mailtrace's JSON outputs), or ""
// for the zero time, a time not known.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return string(AppendTime(make([]byte, 0, 24), t))
}
