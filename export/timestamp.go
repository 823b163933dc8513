package export

import (
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/internal/calendar"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// stamp is a date and time as PowerShell writes a DateTime in a culture's
// general format ("G"): numbers for the date and time, any separators, and
// maybe an AM/PM designator:
//
//	12/22/2020 9:28:06 AM    en-US (M/d/yyyy h:mm:ss tt)
//	07.10.2020 19:27:20      de-DE, ru-RU, pl-PL (dd.MM.yyyy HH:mm:ss)
//	22/12/2020 09:28:06      en-GB, fr-FR, es-ES, it-IT (dd/MM/yyyy)
//	22-12-2020 9:28:06       nl-NL, da-DK
//	2020-12-22 09:28:06      sv-SE, ISO
//	2020/12/22 9:28:06       ja-JP, zh-CN
//	2020. 12. 22. 9:28:06    hu-HU
//	2020-12-22 오전 9:28:06   ko-KR
//
// An RFC 3339 time with Z or an offset (what the README's export command
// writes) is an instant, not a wall-clock reading.
type stamp struct {
	// For a date with the year first, a is the month and b the day; for a
	// date with the year last, a and b are the day and month in an order the
	// file decides (see dateOrder).
	a, b, year  int
	yearFirst   bool
	sep         byte // the separator after the date's first number
	ampm        bool // a 12-hour clock with a designator
	hour, min   int
	sec, nsec   int
	abs         time.Time // the instant, for RFC 3339 input
	absolute    bool
	designators int
}

// dateOrder says how a date with the year last is read.
type dateOrder uint8

const (
	orderUnknown dateOrder = iota
	orderDMY               // day first: most cultures
	orderMDY               // month first: en-US and a few others
)

func (o dateOrder) String() string {
	switch o {
	case orderDMY:
		return "day/month/year"
	case orderMDY:
		return "month/day/year"
	}
	return "unknown"
}

// ampm maps the designators of the cultures above (upper-cased, dots
// removed) to whether they mean the afternoon.
var ampm = map[string]bool{
	"AM": false, "PM": true, "A": false, "P": true,
	"午前": false, "午後": true, "上午": false, "下午": true,
	"오전": false, "오후": true, "ΠΜ": false, "ΜΜ": true,
}

// parseStamp reads s. ok is false when s has neither an RFC 3339 form nor
// three date numbers and two or three time numbers (plus a fraction), or
// has a word that is not a designator.
func parseStamp(s string) (st stamp, ok bool) {
	s = strings.TrimSpace(s)
	if t, ok := msgtrk.ParseTime(s); ok {
		return stamp{abs: t, absolute: true}, true
	}
	var nums [7]int
	var digits [7]int
	n := 0
	sep := byte(0)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case ascii.IsDigit(c):
			j := i
			v := 0
			for j < len(s) && ascii.IsDigit(s[j]) {
				if j-i < 9 {
					v = v*10 + int(s[j]-'0')
				}
				j++
			}
			if n == len(nums) {
				return stamp{}, false
			}
			nums[n], digits[n] = v, j-i
			if n == 0 && j < len(s) {
				sep = s[j]
			}
			n++
			i = j
		case c == ' ' || c == '/' || c == '.' || c == '-' || c == ':' || c == ',' || c == 'T' && n == 3:
			i++
		default:
			// A word: only an AM/PM designator is allowed.
			j := i
			for j < len(s) && !ascii.IsDigit(s[j]) && s[j] != ' ' {
				_, size := utf8.DecodeRuneInString(s[j:])
				j += size
			}
			w := strings.ToUpper(strings.ReplaceAll(s[i:j], ".", ""))
			pm, known := ampm[w]
			if !known {
				return stamp{}, false
			}
			st.designators++
			st.ampm = true
			if pm {
				st.hour = 12 // added below
			}
			i = j
		}
	}
	if n < 5 || st.designators > 1 {
		return stamp{}, false
	}
	st.sep = sep
	switch {
	case digits[0] == 4:
		st.yearFirst = true
		st.year, st.a, st.b = nums[0], nums[1], nums[2]
	case digits[2] == 4:
		st.a, st.b, st.year = nums[0], nums[1], nums[2]
	case digits[2] == 2 && digits[0] <= 2 && digits[1] <= 2:
		st.a, st.b, st.year = nums[0], nums[1], 2000+nums[2]
	default:
		return stamp{}, false
	}
	if digits[0] > 4 || digits[1] > 2 || (st.yearFirst && digits[2] > 2) || (!st.yearFirst && digits[0] > 2) {
		return stamp{}, false
	}
	h, m := nums[3], nums[4]
	if digits[3] > 2 || digits[4] != 2 {
		return stamp{}, false
	}
	sec := 0
	if n >= 6 {
		if digits[5] != 2 {
			return stamp{}, false
		}
		sec = nums[5]
	}
	if n == 7 {
		d := min(digits[6], 9)
		ns := nums[6]
		for k := d; k < 9; k++ {
			ns *= 10
		}
		st.nsec = ns
	}
	if st.ampm {
		if h < 1 || h > 12 {
			return stamp{}, false
		}
		h %= 12
	}
	st.hour += h
	if st.hour > 23 || m > 59 || sec > 59 {
		return stamp{}, false
	}
	st.min, st.sec = m, sec
	if st.yearFirst && !validDate(st.year, st.a, st.b) {
		return stamp{}, false
	}
	if !st.yearFirst && !validDate(st.year, st.a, st.b) && !validDate(st.year, st.b, st.a) {
		return stamp{}, false
	}
	return st, true
}

func validDate(year, month, day int) bool {
	return month >= 1 && month <= 12 && day >= 1 && day <= calendar.DaysIn(month, year)
}

// ambiguous reports whether the date reads differently day-first and
// month-first, both being valid.
func (st stamp) ambiguous() bool {
	return !st.absolute && !st.yearFirst && st.a != st.b && validDate(st.year, st.a, st.b) && validDate(st.year, st.b, st.a)
}

// evidence says which order the stamp alone allows: orderUnknown when both
// (or neither) do.
func (st stamp) evidence() dateOrder {
	if st.absolute || st.yearFirst {
		return orderUnknown
	}
	dmy, mdy := validDate(st.year, st.b, st.a), validDate(st.year, st.a, st.b)
	switch {
	case dmy && !mdy:
		return orderDMY
	case mdy && !dmy:
		return orderMDY
	}
	return orderUnknown
}

// ymd returns the date under order.
func (st stamp) ymd(order dateOrder) (y, m, d int, ok bool) {
	switch {
	case st.yearFirst:
		y, m, d = st.year, st.a, st.b
	case order == orderDMY:
		y, m, d = st.year, st.b, st.a
	default:
		y, m, d = st.year, st.a, st.b
	}
	return y, m, d, validDate(y, m, d)
}

// in returns the instant the stamp names, its wall-clock reading taken in
// loc and its date in order.
func (st stamp) in(order dateOrder, loc *time.Location) (time.Time, bool) {
	if st.absolute {
		return st.abs, true
	}
	y, m, d, ok := st.ymd(order)
	if !ok {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), d, st.hour, st.min, st.sec, st.nsec, loc).UTC(), true
}

// findISO finds the first RFC 3339 UTC time written inside s (the stamps of
// source-context and message-info: 2020-10-07T16:27:19.546Z).
func findISO(s string) (time.Time, bool) {
	for i := 0; i+20 <= len(s); i++ {
		j := strings.IndexByte(s[i:], 'T')
		if j < 0 {
			return time.Time{}, false
		}
		i += j
		if i < 10 {
			continue
		}
		start := i - 10
		end := i + 9
		if end > len(s) {
			return time.Time{}, false
		}
		k := end
		if k < len(s) && s[k] == '.' {
			k++
			for k < len(s) && ascii.IsDigit(s[k]) && k-end < 10 {
				k++
			}
		}
		if k < len(s) && s[k] == 'Z' {
			if t, ok := msgtrk.ParseTime(s[start : k+1]); ok {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// timeDecision is what a file's timestamps were found to mean.
type timeDecision struct {
	order    dateOrder
	orderWhy string // "" when the file leaves no doubt
	loc      *time.Location
	sorted   bool // the buffered rows had to be sorted
}

// sample is one row's stamp with the UTC time found inside the row, if any.
type sample struct {
	st  stamp
	ref time.Time // zero when the row holds no UTC stamp
}

// decideOrder chooses the date order of a file's stamps: from dates that
// only one order allows, else from the UTC stamps inside the rows, else from
// the culture's separator. why is "" when the stamps decide, else the
// assumption made.
func decideOrder(samples []sample) (order dateOrder, why string) {
	var dmy, mdy, refDMY, refMDY, ambiguous int
	var sep byte
	var designator bool
	for _, s := range samples {
		switch s.st.evidence() {
		case orderDMY:
			dmy++
		case orderMDY:
			mdy++
		}
		if !s.st.ambiguous() {
			continue
		}
		ambiguous++
		sep, designator = s.st.sep, s.st.ampm
		if s.ref.IsZero() {
			continue
		}
		// Which reading lies within a day and a half of the row's own UTC time?
		t1, ok1 := s.st.in(orderDMY, time.UTC)
		t2, ok2 := s.st.in(orderMDY, time.UTC)
		near1 := ok1 && absDur(t1.Sub(s.ref)) < 36*time.Hour
		near2 := ok2 && absDur(t2.Sub(s.ref)) < 36*time.Hour
		switch {
		case near1 && !near2:
			refDMY++
		case near2 && !near1:
			refMDY++
		}
	}
	switch {
	case dmy > 0 && mdy == 0:
		return orderDMY, ""
	case mdy > 0 && dmy == 0:
		return orderMDY, ""
	case dmy > 0 && mdy > 0:
		if dmy >= mdy {
			return orderDMY, "dates in both day/month and month/day order; read as day/month (" + strconv.Itoa(mdy) + " rows disagree)"
		}
		return orderMDY, "dates in both day/month and month/day order; read as month/day (" + strconv.Itoa(dmy) + " rows disagree)"
	case ambiguous == 0:
		return orderDMY, "" // no date where the order matters
	case refDMY > refMDY:
		return orderDMY, ""
	case refMDY > refDMY:
		return orderMDY, ""
	case sep == '.' || sep == '-':
		return orderDMY, "" // no culture writes month-first with '.' or '-'
	case designator:
		return orderMDY, "the day/month order of the dates cannot be told from the file; read as month/day (en-US, with AM/PM)"
	}
	return orderDMY, "the day/month order of the dates cannot be told from the file; read as day/month (as en-GB, fr-FR and most cultures with '/')"
}

// estimateOffset estimates the UTC offset of wall-clock stamps from the UTC
// times inside the same rows (which come a little before the event): the
// median difference, rounded to a quarter of an hour. n is the number of
// rows it rests on; ok is false when there are none.
func estimateOffset(samples []sample, order dateOrder) (offset time.Duration, n int, ok bool) {
	var diffs []time.Duration
	for _, s := range samples {
		if s.ref.IsZero() || s.st.absolute {
			continue
		}
		wall, ok := s.st.in(order, time.UTC)
		if !ok {
			continue
		}
		d := wall.Sub(s.ref)
		if absDur(d) > 15*time.Hour {
			continue
		}
		diffs = append(diffs, d)
	}
	if len(diffs) == 0 {
		return 0, 0, false
	}
	sort.Slice(diffs, func(i, j int) bool { return diffs[i] < diffs[j] })
	med := diffs[len(diffs)/2]
	return med.Round(15 * time.Minute), len(diffs), true
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// offsetName writes an offset as "UTC+03:00".
func offsetName(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	h := int(d / time.Hour)
	m := int(d%time.Hour) / int(time.Minute)
	return "UTC" + sign + twoDigits(h) + ":" + twoDigits(m)
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
