// Package calendar holds the proleptic Gregorian arithmetic that the date
// parsers and writers of mailtrace share (msgtrk.ParseTime for RFC 3339
// timestamps, recipstatus.ParseLocalTime for culture-formatted ones,
// msgtrk.AppendTime). The functions do
// no allocation and are safe for concurrent use.
package calendar

// DaysIn returns the number of days of month (1-12) in year, with the
// Gregorian leap-year rule. Any other month counts 31 days; callers check
// the month's range first.
func DaysIn(month, year int) int {
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

// DaysFromCivil returns the number of days from 1970-01-01 to the given
// date (negative before it), for any year, after H. Hinnant's algorithm.
func DaysFromCivil(year, month, day int) int64 {
	if month <= 2 {
		year--
	}
	era := year / 400
	if year < 0 && year%400 != 0 {
		era--
	}
	yoe := year - era*400
	mp := (month + 9) % 12
	doy := (153*mp+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// CivilFromDays is the inverse of DaysFromCivil: the date days after
// 1970-01-01 (before it when negative), for any year, after H. Hinnant's
// algorithm (a 400-year era whose years start in March).
func CivilFromDays(days int64) (year, month, day int) {
	z := days + 719468 // days since 0000-03-01
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := int(z - era*146097)                             // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365], from March 1st
	mp := (5*doy + 2) / 153                                // [0, 11], March first
	day = doy - (153*mp+2)/5 + 1
	month = (mp+2)%12 + 1
	year = int(era)*400 + yoe
	if month <= 2 {
		year++
	}
	return year, month, day
}
