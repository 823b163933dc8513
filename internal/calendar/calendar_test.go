package calendar

import (
	"testing"
	"time"
)

// TestAgainstTime compares the functions with package time over four
// centuries around the epoch, every 400-year cycle boundary included, and
// a few far years, at the first and last day of every month.
func TestAgainstTime(t *testing.T) {
	check := func(y, m int) {
		first := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
		want := first.AddDate(0, 1, 0).Sub(first).Hours() / 24
		if got := DaysIn(m, y); got != int(want) {
			t.Errorf("DaysIn(%d, %d) = %d, want %v", m, y, got, want)
		}
		for _, d := range []int{1, DaysIn(m, y)} {
			day := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
			if got, want := DaysFromCivil(y, m, d), day.Unix()/86400; got != want {
				t.Errorf("DaysFromCivil(%d, %d, %d) = %d, want %d", y, m, d, got, want)
			}
			if gy, gm, gd := CivilFromDays(day.Unix() / 86400); gy != y || gm != m || gd != d {
				t.Errorf("CivilFromDays(%d) = %d-%d-%d, want %d-%d-%d", day.Unix()/86400, gy, gm, gd, y, m, d)
			}
		}
	}
	for y := 1800; y <= 2200; y++ {
		for m := 1; m <= 12; m++ {
			check(y, m)
		}
	}
	for _, y := range []int{-401, -400, -1, 0, 1, 1600, 2000, 2100, 9999} {
		for m := 1; m <= 12; m++ {
			check(y, m)
		}
	}
}

func TestNoAllocs(t *testing.T) {
	sink := int64(0)
	if n := testing.AllocsPerRun(100, func() {
		for y := 1999; y < 2003; y++ {
			_, _, d := CivilFromDays(DaysFromCivil(y, 3, 1))
			sink += int64(DaysIn(2, y)) + DaysFromCivil(y, 3, 1) + int64(d)
		}
	}); n != 0 {
		t.Errorf("%v allocs per run, want 0", n)
	}
	if sink == 0 {
		t.Error("nothing computed")
	}
}
