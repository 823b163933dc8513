package export

import (
	"testing"
	"time"
)

func TestParseStamp(t *testing.T) {
	tests := []struct {
		in        string
		ok        bool
		yearFirst bool
		a, b, y   int
		h, m, s   int
		nsec      int
	}{
		{"12/22/2020 9:28:06 AM", true, false, 12, 22, 2020, 9, 28, 6, 0},
		{"12/22/2020 12:28:06 AM", true, false, 12, 22, 2020, 0, 28, 6, 0},
		{"12/22/2020 12:28:06 PM", true, false, 12, 22, 2020, 12, 28, 6, 0},
		{"3/4/2024 1:05:00 pm", true, false, 3, 4, 2024, 13, 5, 0, 0},
		{"07.10.2020 19:27:20", true, false, 7, 10, 2020, 19, 27, 20, 0},
		{"22/12/2020 09:28:06", true, false, 22, 12, 2020, 9, 28, 6, 0},
		{"22-12-2020 9:28:06", true, false, 22, 12, 2020, 9, 28, 6, 0},
		{"2020-12-22 09:28:06", true, true, 12, 22, 2020, 9, 28, 6, 0},
		{"2020/12/22 9:28:06", true, true, 12, 22, 2020, 9, 28, 6, 0},
		{"2020. 12. 22. 9:28:06", true, true, 12, 22, 2020, 9, 28, 6, 0},
		{"2020-12-22 오후 9:28:06", true, true, 12, 22, 2020, 21, 28, 6, 0},
		{"2020/12/22 午前 9:28:06", true, true, 12, 22, 2020, 9, 28, 6, 0},
		{"7.10.2020 19.27.20", true, false, 7, 10, 2020, 19, 27, 20, 0},
		{"07.10.2020 19:27", true, false, 7, 10, 2020, 19, 27, 0, 0},
		{"2020-12-22T09:28:06.1234567", true, true, 12, 22, 2020, 9, 28, 6, 123456700},
		{"22/12/20 09:28:06", true, false, 22, 12, 2020, 9, 28, 6, 0},
		{"", false, false, 0, 0, 0, 0, 0, 0, 0},
		{"yesterday", false, false, 0, 0, 0, 0, 0, 0, 0},
		{"Mon, 04 Mar 2024 08:00:00", false, false, 0, 0, 0, 0, 0, 0, 0},
		{"13/13/2020 10:00:00", false, false, 0, 0, 0, 0, 0, 0, 0},
		{"12/22/2020 13:28:06 PM", false, false, 0, 0, 0, 0, 0, 0, 0},
		{"12/22/2020 25:28:06", false, false, 0, 0, 0, 0, 0, 0, 0},
		{"12/22/2020 9:28:06 AM PM", false, false, 0, 0, 0, 0, 0, 0, 0},
		{"2020-02-30 10:00:00", false, false, 0, 0, 0, 0, 0, 0, 0},
		{"1 2 3 4 5 6 7 8", false, false, 0, 0, 0, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		st, ok := parseStamp(tt.in)
		if ok != tt.ok {
			t.Errorf("parseStamp(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if st.yearFirst != tt.yearFirst || st.a != tt.a || st.b != tt.b || st.year != tt.y || st.hour != tt.h || st.min != tt.m || st.sec != tt.s || st.nsec != tt.nsec {
			t.Errorf("parseStamp(%q) = %+v", tt.in, st)
		}
	}
	st, ok := parseStamp("2024-03-04T08:00:01.1060000Z")
	if !ok || !st.absolute || !st.abs.Equal(time.Date(2024, 3, 4, 8, 0, 1, 106e6, time.UTC)) {
		t.Errorf("RFC 3339: %+v, %v", st, ok)
	}
}

func stamps(t *testing.T, ins ...string) []sample {
	t.Helper()
	var out []sample
	for _, in := range ins {
		st, ok := parseStamp(in)
		if !ok {
			t.Fatalf("parseStamp(%q) failed", in)
		}
		out = append(out, sample{st: st})
	}
	return out
}

func TestDecideOrder(t *testing.T) {
	tests := []struct {
		name    string
		samples []sample
		want    dateOrder
		assumed bool
	}{
		{"a day over 12 first", stamps(t, "03/04/2024 10:00:00", "13/04/2024 10:00:00"), orderDMY, false},
		{"a day over 12 second", stamps(t, "03/04/2024 10:00:00 AM", "03/14/2024 10:00:00 AM"), orderMDY, false},
		{"dots are day first", stamps(t, "03.04.2024 10:00:00"), orderDMY, false},
		{"dashes are day first", stamps(t, "03-04-2024 10:00:00"), orderDMY, false},
		{"slashes with AM/PM: assumed en-US", stamps(t, "03/04/2024 10:00:00 AM"), orderMDY, true},
		{"slashes, 24 hours: assumed day first", stamps(t, "03/04/2024 10:00:00"), orderDMY, true},
		{"same day and month: no doubt", stamps(t, "04/04/2024 10:00:00"), orderDMY, false},
		{"year first: no doubt", stamps(t, "2024/03/04 10:00:00"), orderDMY, false},
		{"both orders seen", stamps(t, "13/04/2024 10:00:00", "14/04/2024 10:00:00", "04/13/2024 10:00:00"), orderDMY, true},
	}
	for _, tt := range tests {
		got, why := decideOrder(tt.samples)
		if got != tt.want || (why != "") != tt.assumed {
			t.Errorf("%s: %v, %q; want %v, assumed %v", tt.name, got, why, tt.want, tt.assumed)
		}
	}
	// The UTC times inside the rows decide between 03/04 and 04/03.
	s := stamps(t, "03/04/2024 10:00:00 AM")
	s[0].ref = time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)
	if got, why := decideOrder(s); got != orderMDY || why != "" {
		t.Errorf("with a reference in March: %v, %q", got, why)
	}
	s[0].ref = time.Date(2024, 4, 3, 9, 0, 0, 0, time.UTC)
	if got, why := decideOrder(s); got != orderDMY || why != "" {
		t.Errorf("with a reference in April: %v, %q", got, why)
	}
}

func TestEstimateOffset(t *testing.T) {
	s := stamps(t, "07.10.2020 19:27:20", "07.10.2020 19:28:00", "07.10.2020 19:30:00")
	s[0].ref = time.Date(2020, 10, 7, 16, 27, 19, 546e6, time.UTC) // source-context, 0.5 s before
	s[1].ref = time.Date(2020, 10, 7, 16, 27, 5, 0, time.UTC)      // message-info origin, a minute before
	// s[2] has no UTC time.
	off, n, ok := estimateOffset(s, orderDMY)
	if !ok || n != 2 || off != 3*time.Hour {
		t.Errorf("estimateOffset = %v, %d, %v; want 3h from 2 rows", off, n, ok)
	}
	if _, _, ok := estimateOffset(stamps(t, "07.10.2020 19:27:20"), orderDMY); ok {
		t.Errorf("an offset without any UTC time")
	}
	if got := offsetName(-5*time.Hour - 30*time.Minute); got != "UTC-05:30" {
		t.Errorf("offsetName = %q", got)
	}
}

func TestFindISO(t *testing.T) {
	for in, want := range map[string]string{
		"08D8648A8359CDFE;2020-10-07T16:27:19.546Z":                     "2020-10-07T16:27:19.546Z",
		"2020-10-07T16:27:05.907Z;SRV=exch-14.domain.local:TOTAL-SUB=0": "2020-10-07T16:27:05.907Z",
		"ClientSubmitTime:2021-11-23T19:49:36.380Z":                     "2021-11-23T19:49:36.38Z",
		"no time here T":             "",
		"2020-13-07T16:27:05.907Z":   "",
		"x2020-10-07T16:27:05Z y":    "2020-10-07T16:27:05Z",
		"2020-10-07T16:27:05.907+03": "",
	} {
		got, ok := findISO(in)
		if (want == "") == ok || ok && got.Format(time.RFC3339Nano) != want {
			t.Errorf("findISO(%q) = %v, %v; want %q", in, got, ok, want)
		}
	}
}

// FuzzParseStamp: parseStamp never panics, and what it accepts is a valid
// date in at least one order.
func FuzzParseStamp(f *testing.F) {
	for _, s := range []string{"12/22/2020 9:28:06 AM", "07.10.2020 19:27:20", "2020-12-22 오후 9:28:06", "2024-03-04T08:00:01.1060000Z", "1/1/1 1:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, ok := parseStamp(s)
		if !ok || st.absolute {
			return
		}
		_, ok1 := st.in(orderDMY, time.UTC)
		_, ok2 := st.in(orderMDY, time.UTC)
		if !ok1 && !ok2 {
			t.Fatalf("parseStamp(%q) accepted %+v, valid in no order", s, st)
		}
		if st.hour > 23 || st.min > 59 || st.sec > 59 {
			t.Fatalf("parseStamp(%q): time out of range %+v", s, st)
		}
	})
}
