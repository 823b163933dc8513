package recipstatus

import (
	"strconv"
	"time"

	"github.com/mailtrace/mailtrace/internal/calendar"
)

// DateOrder says how the date of a [LocalTime] was read.
type DateOrder uint8

const (
	// OrderUnknown: not read, because the value is ambiguous or malformed.
	OrderUnknown DateOrder = iota
	// OrderMonthFirst: M/d/yyyy (en-US).
	OrderMonthFirst
	// OrderDayFirst: d.M.yyyy (de, ru, …) or d/M/yyyy with day > 12.
	OrderDayFirst
	// OrderYearFirst: yyyy-M-d or yyyy/M/d.
	OrderYearFirst
)

var orderNames = [...]string{"Unknown", "MonthFirst", "DayFirst", "YearFirst"}

// String returns the constant's name without the Order prefix, or
// "DateOrder(n)".
func (o DateOrder) String() string {
	if int(o) < len(orderNames) {
		return orderNames[o]
	}
	return "DateOrder(" + strconv.Itoa(int(o)) + ")"
}

// LocalTime is the LRT (last retry time) of a LastError blob. Exchange
// formats it with the server's culture, so its shape varies:
// "12/22/2020 2:28:06 AM" (en-US), "07.10.2020 16:27:19" (de/ru). In both
// published samples the clock reading is UTC (it matches the row's
// message-info time), so Time is in UTC.
//
// Raw is a subslice of the parsed input. LocalTime is a plain value, safe to
// copy and to read from several goroutines.
type LocalTime struct {
	// Raw is the value as written.
	Raw []byte
	// Time is the instant, zero when the value is ambiguous or malformed.
	Time time.Time
	// Order says how the date was read; OrderUnknown when it was not (test
	// Order, not Time.IsZero: 1.1.0001 0:00 is read as the zero Time).
	Order DateOrder
}

// ParseLocalTime reads a culture-formatted date and time:
//
//	date SP time [ SP ( "AM" | "PM" ) ]
//	date = n sep n sep n      (sep one of / . - used twice; one n has 4 digits, the year)
//	time = h ":" mm [ ":" ss [ "." fraction ] ]
//
// A 'T' may stand for the blank between date and time. The date order is
// decided by this rule, and only by it:
//
//  1. year first (yyyy-M-d, yyyy/M/d, yyyy.M.d): year, month, day.
//  2. year last with '.' (d.M.yyyy): day first. Every culture known to write
//     dotted dates (de, ru, pl, tr, nb, fi, …) puts the day first.
//  3. year last with '/' or '-': if exactly one of the two leading numbers
//     is above 12, it is the day. If both are 12 or less, the value is read
//     month first only when it ends in AM or PM and uses '/' (the en-US
//     pattern M/d/yyyy h:mm:ss tt that Exchange writes on en-US servers);
//     otherwise it is ambiguous.
//
// Hours are 1-12 with AM/PM (12 AM is midnight), 0-23 without. The day must
// exist in its month. The result is in UTC (see [LocalTime]).
//
// An ambiguous value is not an error: Time is zero and Order is
// OrderUnknown. A value that does not have the shape above, or has
// out-of-range numbers, returns an error wrapping [ErrTime]. Leading and
// trailing blanks are ignored. It does no allocation unless it returns an
// error.
func ParseLocalTime(b []byte) (LocalTime, error) {
	var es errState
	lt := parseLocalTime(b, &es)
	return lt, es.err(b)
}

func parseLocalTime(b []byte, es *errState) LocalTime {
	lt := LocalTime{Raw: b}
	t, off := trimSpace(b)
	fail := func(i int) LocalTime {
		es.Set(off+i, ErrTime)
		return lt
	}
	n1, l1 := digits(t, 0, 4)
	if l1 == 0 || l1 == 3 || l1 >= len(t) {
		return fail(0)
	}
	sep := t[l1]
	if sep != '/' && sep != '.' && sep != '-' {
		return fail(l1)
	}
	i := l1 + 1
	n2, l2 := digits(t, i, 2)
	if l2 == 0 || i+l2 >= len(t) || t[i+l2] != sep {
		return fail(i)
	}
	i += l2 + 1
	n3, l3 := digits(t, i, 4)
	if l3 == 0 || l3 == 3 {
		return fail(i)
	}
	i += l3

	var year, month, day int
	order := OrderUnknown
	switch {
	case l1 == 4 && l3 <= 2:
		year, month, day, order = n1, n2, n3, OrderYearFirst
	case l3 == 4 && l1 <= 2:
		year = n3
		switch {
		case sep == '.':
			month, day, order = n2, n1, OrderDayFirst
		case n1 > 12 && n2 <= 12:
			month, day, order = n2, n1, OrderDayFirst
		case n2 > 12 && n1 <= 12:
			month, day, order = n1, n2, OrderMonthFirst
		case n1 > 12 && n2 > 12:
			return fail(0)
		}
	default:
		return fail(0)
	}

	// Time of day.
	if i >= len(t) || t[i] != ' ' && t[i] != 'T' {
		return fail(i)
	}
	for i < len(t) && (t[i] == ' ' || t[i] == 'T') {
		i++
	}
	hour, lh := digits(t, i, 2)
	if lh == 0 {
		return fail(i)
	}
	i += lh
	var minute, sec, nsec int
	if i >= len(t) || t[i] != ':' {
		return fail(i)
	}
	var lm int
	if minute, lm = digits(t, i+1, 2); lm != 2 {
		return fail(i + 1)
	}
	i += 3
	if i < len(t) && t[i] == ':' {
		var ls int
		if sec, ls = digits(t, i+1, 2); ls != 2 {
			return fail(i + 1)
		}
		i += 3
		if i < len(t) && t[i] == '.' {
			f, lf := digits(t, i+1, 9)
			if lf == 0 {
				return fail(i + 1)
			}
			for k := lf; k < 9; k++ {
				f *= 10
			}
			nsec = f
			i += 1 + lf
		}
	}
	ampm := 0 // 0 none, 1 AM, 2 PM
	if i < len(t) && t[i] == ' ' {
		for i < len(t) && t[i] == ' ' {
			i++
		}
		if i+2 != len(t) || (t[i+1] != 'M' && t[i+1] != 'm') {
			return fail(i)
		}
		switch t[i] {
		case 'A', 'a':
			ampm = 1
		case 'P', 'p':
			ampm = 2
		default:
			return fail(i)
		}
		i += 2
	}
	if i != len(t) {
		return fail(i)
	}
	if ampm != 0 {
		if hour < 1 || hour > 12 {
			return fail(0)
		}
		hour %= 12
		if ampm == 2 {
			hour += 12
		}
	}
	if hour > 23 || minute > 59 || sec > 59 {
		return fail(0)
	}
	if order == OrderUnknown {
		if ampm == 0 || sep != '/' {
			if n1 < 1 || n2 < 1 || n1 > 12 || n2 > 12 {
				return fail(0)
			}
			return lt // ambiguous
		}
		month, day, order = n1, n2, OrderMonthFirst
	}
	if month < 1 || month > 12 || day < 1 || day > calendar.DaysIn(month, year) {
		return fail(0)
	}
	lt.Time = time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	lt.Order = order
	return lt
}
