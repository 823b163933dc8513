package filter_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/filter"
	"github.com/mailtrace/mailtrace/msgtrk"
)

func TestParseTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 3, 4, 15, 30, 0, 0, time.UTC) // 16:30 in Berlin
	tests := []struct {
		in   string
		loc  *time.Location
		want time.Time
	}{
		{"", time.UTC, time.Time{}},
		{"2024-03-04", time.UTC, time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)},
		{"2024-03-04", berlin, time.Date(2024, 3, 3, 23, 0, 0, 0, time.UTC)},
		{"2024-03-04 08:00", berlin, time.Date(2024, 3, 4, 7, 0, 0, 0, time.UTC)},
		{"2024-03-04T08:00", time.UTC, time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)},
		{"2024-03-04 08:00:05.250", time.UTC, time.Date(2024, 3, 4, 8, 0, 5, 250e6, time.UTC)},
		{"2024-03-04T08:00:00+01:00", time.UTC, time.Date(2024, 3, 4, 7, 0, 0, 0, time.UTC)},
		{"2024-03-04T08:00:00Z", berlin, time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)},
		{"now", berlin, now},
		{"today", time.UTC, time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)},
		{"Today", berlin, time.Date(2024, 3, 3, 23, 0, 0, 0, time.UTC)},
		{"yesterday", time.UTC, time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC)},
		{"-24h", time.UTC, now.Add(-24 * time.Hour)},
		{"-90m", time.UTC, now.Add(-90 * time.Minute)},
		{"-7d", berlin, now.Add(-7 * 24 * time.Hour)},
		{"-2w", time.UTC, now.Add(-14 * 24 * time.Hour)},
		{"-1.5d", time.UTC, now.Add(-36 * time.Hour)},
	}
	for _, tt := range tests {
		got, err := filter.ParseTime(tt.in, now, tt.loc)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q, %s) = %v, %v; want %v", tt.in, tt.loc, got, err, tt.want)
		}
	}
	for _, in := range []string{"last tuesday", "2024-13-01", "-", "-24x", "--24h", "24h", "-1e400d"} {
		if got, err := filter.ParseTime(in, now, time.UTC); !errors.Is(err, filter.ErrValue) {
			t.Errorf("ParseTime(%q) = %v, %v; want an ErrValue", in, got, err)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"1234", 1234}, {"512KB", 512 << 10}, {"5MB", 5 << 20}, {"5 mb", 5 << 20}, {"1.5GB", 3 << 29},
		{"10MiB", 10 << 20}, {"100B", 100}, {"2k", 2048}, {"1g", 1 << 30},
	}
	for _, tt := range tests {
		if got, err := filter.ParseSize(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "MB", "-5MB", "5TB", "five", "1e30GB", "NaN"} {
		if got, err := filter.ParseSize(in); !errors.Is(err, filter.ErrValue) {
			t.Errorf("ParseSize(%q) = %d, %v; want an ErrValue", in, got, err)
		}
	}
}

func TestParsePrefix(t *testing.T) {
	tests := []struct{ in, want string }{
		{"10.0.0.5", "10.0.0.5/32"}, {"10.1.2.3/8", "10.0.0.0/8"}, {"2001:db8::1", "2001:db8::1/128"},
		{"2001:db8::/32", "2001:db8::/32"}, {"fe80::1%3", "fe80::1/128"}, {"::ffff:10.0.0.5", "10.0.0.5/32"},
	}
	for _, tt := range tests {
		if got, err := filter.ParsePrefix(tt.in); err != nil || got != netip.MustParsePrefix(tt.want) {
			t.Errorf("ParsePrefix(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "10.0.0", "10.0.0.0/33", "host.example"} {
		if _, err := filter.ParsePrefix(in); !errors.Is(err, filter.ErrValue) {
			t.Errorf("ParsePrefix(%q): %v, want an ErrValue", in, err)
		}
	}
}

func TestParseEventID(t *testing.T) {
	for _, in := range []string{"receive", "RECEIVE", " Send "} {
		if id, raw, err := filter.ParseEventID(in); err != nil || raw != "" || id == msgtrk.EventUnknown {
			t.Errorf("ParseEventID(%q) = %v, %q, %v", in, id, raw, err)
		}
	}
	if id, raw, err := filter.ParseEventID("raw:BRANDNEW"); err != nil || raw != "BRANDNEW" || id != msgtrk.EventUnknown {
		t.Errorf("ParseEventID(raw:BRANDNEW) = %v, %q, %v", id, raw, err)
	}
	tests := []struct{ in, suggestion string }{
		{"RECIEVE", "did you mean RECEIVE?"},
		{"delivr", "did you mean DELIVER?"},
		{"SENDEXTRNAL", "did you mean SENDEXTERNAL?"},
		{"pigeon", "known: "},
	}
	for _, tt := range tests {
		_, _, err := filter.ParseEventID(tt.in)
		if !errors.Is(err, filter.ErrValue) || !strings.Contains(err.Error(), tt.suggestion) {
			t.Errorf("ParseEventID(%q) error %v, want one with %q", tt.in, err, tt.suggestion)
		}
	}
	if _, err := filter.ParseSource("STOREDRIVR"); err == nil || !strings.Contains(err.Error(), "did you mean STOREDRIVER?") {
		t.Errorf("ParseSource(STOREDRIVR) error %v", err)
	}
	if st, err := filter.ParseSource("smtp"); err != nil || st != msgtrk.SourceSMTP {
		t.Errorf("ParseSource(smtp) = %v, %v", st, err)
	}
}

func TestReadValues(t *testing.T) {
	in := "\ufeff# ids from the purge job\r\n<a@x>\r\n\r\n  b@x  \r\n\"<c@x>\"\r\n#<d@x>\r\n\"\"\r\ne@x"
	got, err := filter.ReadValues(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"<a@x>", "b@x", "<c@x>", "e@x"}, got); diff != "" {
		t.Errorf("ReadValues mismatch (-want +got):\n%s", diff)
	}
}
