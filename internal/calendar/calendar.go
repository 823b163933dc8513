// Package calendar holds the proleptic Gregorian arithmetic that the date
// parsers of mailtrace share (msgtrk.ParseTime for RFC 3339 timestamps,
// recipstatus.ParseLocalTime for culture-formatted ones). The functions do
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
