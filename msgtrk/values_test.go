package msgtrk_test

// Tests of the value parsers every field decoder shares: ParseTime,
// AppendTime, ParseAddr and ParseGUID. The tables gather what the field
// packages (eventdata, messageinfo, sourcecontext, recipstatus) tested of
// their own copies before they switched to these.

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/mailtrace/mailtrace/internal/proptest"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// TestParseTimeForms pins which forms ParseTime accepts, the instant it
// returns (in UTC), and which forms take the allocation-free path. From
// messageinfo's TestParseTime.
func TestParseTimeForms(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // RFC 3339 in UTC; "" for failure
		fast bool   // decoded by the allocation-free path
	}{
		{"Exchange form", "2024-01-07T00:00:05.535Z", "2024-01-07T00:00:05.535Z", true},
		{"EXO seven digits", "2021-03-23T10:00:09.3284899Z", "2021-03-23T10:00:09.3284899Z", true},
		{"no fraction", "2021-03-23T10:00:09Z", "2021-03-23T10:00:09Z", true},
		{"nine digits", "2021-03-23T10:00:09.123456789Z", "2021-03-23T10:00:09.123456789Z", true},
		{"negative offset", "2021-03-23T10:00:09.5-07:30", "2021-03-23T17:30:09.5Z", true},
		{"positive offset", "2020-10-07T19:27:20.5+03:00", "2020-10-07T16:27:20.5Z", true},
		{"offset, no fraction", "2024-01-07T00:00:05+01:00", "2024-01-06T23:00:05Z", true},
		{"zero offset", "2024-01-07T00:00:05.535+00:00", "2024-01-07T00:00:05.535Z", true},
		{"leap day", "2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z", true},
		{"year 0000 moved back by its offset", "0000-01-01T00:00:00+00:01", "-0001-12-31T23:59:00Z", true},
		{"comma fraction via time.Parse", "2024-01-07T00:00:05,535Z", "2024-01-07T00:00:05.535Z", false},
		{"ten digits via time.Parse", "2024-01-07T00:00:05.1234567891Z", "2024-01-07T00:00:05.123456789Z", false},
		{"one-digit hour via time.Parse", "2024-01-07T1:00:05Z", "2024-01-07T01:00:05Z", false},
		{"offset of 24 hours via time.Parse", "2024-01-07T00:00:05+24:00", "2024-01-06T00:00:05Z", false},
		{"not a leap year", "2023-02-29T00:00:00Z", "", false},
		{"hour 24", "2024-01-07T24:00:00Z", "", false},
		{"second 60", "2024-01-07T00:00:60Z", "", false},
		{"empty fraction", "2024-01-07T00:00:05.Z", "", false},
		{"lower-case t", "2024-01-07t00:00:05Z", "", false},
		{"lower-case z", "2024-01-07T00:00:05z", "", false},
		{"no zone", "2024-01-07T00:00:05.535", "", false},
		{"offset without colon", "2024-01-07T00:00:05+0100", "", false},
		{"trailing space", "2024-01-07T00:00:05.535Z ", "", false},
		{"cmdlet local form", "07.10.2020 16:27:19", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, generic := range []struct {
				kind string
				got  func() (time.Time, bool)
			}{
				{"string", func() (time.Time, bool) { return msgtrk.ParseTime(tt.in) }},
				{"[]byte", func() (time.Time, bool) { return msgtrk.ParseTime([]byte(tt.in)) }},
			} {
				got, ok := generic.got()
				if ok != (tt.want != "") {
					t.Fatalf("ParseTime(%s %q) ok = %v, want %v", generic.kind, tt.in, ok, tt.want != "")
				}
				if ok && (got.Format(time.RFC3339Nano) != tt.want || got.Location() != time.UTC) {
					t.Errorf("ParseTime(%s %q) = %s (%v), want %s in UTC", generic.kind, tt.in, got.Format(time.RFC3339Nano), got.Location(), tt.want)
				}
			}
			if _, fast := msgtrk.ParseTimeFast(tt.in); fast != tt.fast {
				t.Errorf("parseTimeFast(%q) ok = %v, want %v", tt.in, fast, tt.fast)
			}
		})
	}
}

// TestParseTimeUTCStamps pins the forms of the st= stamp of transport-rule
// groups and of the times in source-context. From eventdata's
// TestParseTimeUTC; two of its rejections (an offset, ten fraction digits)
// are accepted now that one parser serves every field, and are pinned
// above.
func TestParseTimeUTCStamps(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2023-05-12T07:55:40.0000000Z", time.Date(2023, 5, 12, 7, 55, 40, 0, time.UTC)},
		{"2025-02-07T14:54:33.1234567Z", time.Date(2025, 2, 7, 14, 54, 33, 123456700, time.UTC)},
		{"2024-02-29T00:00:00Z", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"2024-01-25T15:16:09.843Z", time.Date(2024, 1, 25, 15, 16, 9, 843000000, time.UTC)},
		{"2024-01-25T15:16:09.123456789Z", time.Date(2024, 1, 25, 15, 16, 9, 123456789, time.UTC)},
	}
	for _, tt := range tests {
		got, ok := msgtrk.ParseTime([]byte(tt.in))
		if !ok || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tt.in, got, ok, tt.want)
		}
		if _, fast := msgtrk.ParseTimeFast(tt.in); !fast {
			t.Errorf("ParseTime(%q) did not take the fast path", tt.in)
		}
	}
	for _, in := range []string{
		"", "7/17/2013 12:31:25 AM", "2010-11-03 15:30T", "2023-02-29T00:00:00Z", "2023-13-01T00:00:00Z",
		"2023-01-01T24:00:00Z", "2023-01-01T00:00:00", "2023-01-01T00:00:00.Z", "2023-0a-01T00:00:00Z",
		"2100-02-29T00:00:00Z",
	} {
		if got, ok := msgtrk.ParseTime([]byte(in)); ok {
			t.Errorf("ParseTime(%q) = %v, true; want failure", in, got)
		}
	}
}

// TestAppendTime pins the written form: UTC, milliseconds truncated, and
// AppendFormat's spelling for years RFC 3339 cannot express. From
// messageinfo's TestAppendTime.
func TestAppendTime(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2024, 1, 7, 0, 0, 5, 535_000_000, time.UTC), "2024-01-07T00:00:05.535Z"},
		{time.Date(2021, 3, 23, 10, 0, 9, 328_489_900, time.UTC), "2021-03-23T10:00:09.328Z"},
		{time.Date(2021, 3, 23, 12, 0, 9, 0, time.FixedZone("", 2*3600)), "2021-03-23T10:00:09.000Z"},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "10000-01-01T00:00:00.000Z"},
		{time.Date(-1, 12, 31, 23, 59, 0, 0, time.UTC), "-0001-12-31T23:59:00.000Z"},
	}
	for _, tt := range tests {
		if got := string(msgtrk.AppendTime(nil, tt.in)); got != tt.want {
			t.Errorf("AppendTime(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestPropertyAppendTime: AppendTime writes what time.Time.AppendFormat
// writes with its layout, for any instant from a thousand days before the
// years it writes by arithmetic to a thousand days after (so the fallback
// on both sides too), in any zone, and at each edge of those years, of
// leap days, of centuries and of the Unix epoch.
func TestPropertyAppendTime(t *testing.T) {
	const (
		lo = -62167219200 - 1000*86400 // 1000 days before 0000-01-01
		hi = 253402300799 + 1000*86400 // 1000 days after 9999-12-31T23:59:59
	)
	want := func(tm time.Time) string { return tm.UTC().Format("2006-01-02T15:04:05.000Z") }
	var edges []time.Time
	for _, d := range []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(0, 2, 29, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(0, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1600, 2, 29, 12, 0, 0, 0, time.UTC), time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999_999_999, time.UTC), time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 0, 0, 0, 1_000_000, time.UTC), time.Date(2024, 12, 31, 23, 59, 59, 999_000_000, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		edges = append(edges, d, d.Add(-time.Nanosecond), d.Add(time.Second))
	}
	for _, tm := range edges {
		if got := string(msgtrk.AppendTime(nil, tm)); got != want(tm) {
			t.Errorf("AppendTime(%v) = %q, want %q", tm, got, want(tm))
		}
	}
	properties := gopter.NewProperties(proptest.Parameters(t, 20000))
	properties.Property("AppendTime writes what AppendFormat writes", prop.ForAll(
		func(sec int64, nsec int64, zone int) string {
			tm := time.Unix(sec, nsec).In(time.FixedZone("", zone*60))
			if got := string(msgtrk.AppendTime([]byte("x"), tm)); got != "x"+want(tm) {
				return fmt.Sprintf("AppendTime(%v) = %q, want x%q", tm, got, want(tm))
			}
			return ""
		},
		gen.Int64Range(lo, hi), gen.Int64Range(0, 999_999_999), gen.IntRange(-14*60, 14*60)))
	properties.TestingRun(t)
}

// addrOK and addrBad are the address tables of eventdata and recipstatus.
var (
	addrOK = []string{
		"10.11.12.13", "0.0.0.0", "255.255.255.255", "1.2.3.4",
		"::", "::1", "1::", "fe80::1234:5678:4321:1010", "fe80::1234:5678:4321:1010%3",
		"1234:5678:4321:1010::", "2603:10b6:610:f9::20", "2a02:cf40::0000:1234:5678:9abc", "2001:db8::8:800:200c:417a",
		"::ffff:1.2.3.4", "::1.2.3.4", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7::",
		"FE80::1%eth0", "fe80::1%03", "fe80::1%255", "fe80::1%a%b",
	}
	addrBad = []string{
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.1.1.1", "01.2.3.4", "1.2.3.4%3", "1..2.3", "::1%", ":1", "1:", ":", ":::",
		"1:::2", "1:2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", "1:2:3:4:5:6:7:8::", "::1.2.3",
		"1.2.3.4:5", "1.2.3.4:", "1:2:3:4:5:1.2.3.4", "%3", "host01", "g::", "1:2:3:4:5:6:7:1.2.3.4", "::ffff:1.2.3.4.5", "[::1]",
		"fe80::1234:4545:3214:1010e%3", // the anonymised sample address with a five-digit group
	}
)

// TestParseAddr compares ParseAddr with netip.ParseAddr on both tables.
func TestParseAddr(t *testing.T) {
	for _, in := range addrOK {
		want, err := netip.ParseAddr(in)
		if err != nil {
			t.Fatalf("netip.ParseAddr(%q): %v; fix the table", in, err)
		}
		if got, ok := msgtrk.ParseAddr([]byte(in)); !ok || got != want {
			t.Errorf("ParseAddr(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range addrBad {
		if _, err := netip.ParseAddr(in); err == nil {
			t.Fatalf("netip.ParseAddr(%q) accepted it; fix the table", in)
		}
		if got, ok := msgtrk.ParseAddr([]byte(in)); ok {
			t.Errorf("ParseAddr(%q) = %v, true; want failure", in, got)
		}
	}
}

// TestParseAddrZoneCopied checks the claim ParseAddr rests on: netip keeps
// no reference to its argument, not even through the zone, so reusing the
// buffer afterwards leaves the address intact.
func TestParseAddrZoneCopied(t *testing.T) {
	buf := []byte("fe80::1%eth7")
	a, ok := msgtrk.ParseAddr(buf)
	if !ok {
		t.Fatal("ParseAddr failed")
	}
	copy(buf, "ffff::f%XXXX")
	if a.String() != "fe80::1%eth7" || a.Zone() != "eth7" {
		t.Errorf("address changed with its buffer: %v (zone %q)", a, a.Zone())
	}
}

var guidWant = msgtrk.GUID{0xff, 0x11, 0x6e, 0xf4, 0x40, 0x2d, 0x4d, 0xff, 0x90, 0xcb, 0xc3, 0xd7, 0x72, 0xb3, 0x17, 0x9a}

// TestParseGUIDForms pins the accepted spellings, including the 32-digit
// form of rule ids, and the rejections. From eventdata's TestParseGUID.
func TestParseGUIDForms(t *testing.T) {
	for _, in := range []string{
		"ff116ef4-402d-4dff-90cb-c3d772b3179a",
		"FF116EF4-402D-4DFF-90CB-C3D772B3179A",
		"{ff116ef4-402d-4dff-90cb-c3d772b3179a}",
		"ff116ef4402d4dff90cbc3d772b3179a",
		"FF116EF4402D4DFF90CBC3D772B3179A",
	} {
		got, ok := msgtrk.ParseGUID([]byte(in))
		if !ok || got != guidWant {
			t.Errorf("ParseGUID(%q) = %v, %v; want %v", in, got, ok, guidWant)
		}
		if got2, ok2 := msgtrk.ParseGUID(in); !ok2 || got2 != got {
			t.Errorf("ParseGUID(string %q) = %v, %v", in, got2, ok2)
		}
	}
	if s := guidWant.String(); s != "ff116ef4-402d-4dff-90cb-c3d772b3179a" {
		t.Errorf("String() = %q", s)
	}
	if txt, _ := guidWant.MarshalText(); string(txt) != guidWant.String() {
		t.Errorf("MarshalText() = %q", txt)
	}
	var u msgtrk.GUID
	if err := u.UnmarshalText([]byte(guidWant.String())); err != nil || u != guidWant {
		t.Errorf("UnmarshalText = %v, %v", u, err)
	}
	if err := u.UnmarshalText(nil); err != nil || !u.IsZero() {
		t.Errorf("UnmarshalText(nil) = %v, %v; want zero", u, err)
	}
	for _, in := range []string{
		"",
		"12345678-3232-2323-1111-12345679666", // anonymised: short last group
		"12345678-3232-2323-1111-12345679987",
		"ff116ef4-402d-4dff-90cb-c3d772b3179", // 35
		"ff116ef4x402d-4dff-90cb-c3d772b3179a",
		"gf116ef4-402d-4dff-90cb-c3d772b3179a",
		"FC2AA60C9D811E0AFC076D34824019B", // 31 digits, from the DLP documentation
		"ff116ef4402d4dff90cbc3d772b3179g",
		"{ff116ef4402d4dff90cbc3d772b3179a}", // braces only around the hyphenated form
		"{ff116ef4-402d-4dff-90cb-c3d772b3179a",
	} {
		if g, ok := msgtrk.ParseGUID([]byte(in)); ok {
			t.Errorf("ParseGUID(%q) = %v, true; want failure", in, g)
		}
		err := u.UnmarshalText([]byte(in))
		var pe *msgtrk.ParseError
		if in != "" && (!errors.As(err, &pe) || !errors.Is(err, msgtrk.ErrSyntax)) {
			t.Errorf("UnmarshalText(%q) = %v, want a *ParseError wrapping ErrSyntax", in, err)
		}
	}
	if !(msgtrk.GUID{}).IsZero() || guidWant.IsZero() {
		t.Error("IsZero wrong")
	}
	if msgtrk.MustParseGUID(guidWant.String()) != guidWant {
		t.Error("MustParseGUID mismatch")
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParseGUID of an invalid GUID did not panic")
		}
	}()
	msgtrk.MustParseGUID("nope")
}

// TestValueNoAllocs proves the "does no allocation" claims of ParseTime
// (every fast form, both argument types), AppendTime, ParseAddr (IPv4,
// IPv6, and zones, once the zone has been seen: netip interns a zone with
// package unique, which copies it once and then finds it) and ParseGUID.
// Each run makes 100 calls, because AllocsPerRun rounds down.
func TestValueNoAllocs(t *testing.T) {
	times := []string{
		"2024-01-07T00:00:05.535Z", "2021-03-23T10:00:09.3284899Z", "2021-03-23T10:00:09Z",
		"2021-03-23T10:00:09.123456789Z", "2024-01-07T00:00:05.535+01:00", "2021-03-23T10:00:09.5-07:30",
	}
	timeBytes := make([][]byte, len(times))
	for i, s := range times {
		timeBytes[i] = []byte(s)
	}
	addrs := [][]byte{
		[]byte("10.11.12.13"), []byte("2603:10b6:610:f9::20"), []byte("::ffff:1.2.3.4"),
		[]byte("fe80::1234:5678:4321:1010%3"), []byte("fe80::1%eth0"), []byte("fe80::1%Ethernet 2"),
	}
	guids := [][]byte{[]byte("ff116ef4-402d-4dff-90cb-c3d772b3179a"), []byte("{FF116EF4-402D-4DFF-90CB-C3D772B3179A}"), []byte("C27D21EECA0311E0BCB896154924019B")}
	// Keep one address of each zone alive: a zone no live address holds
	// may be dropped by the garbage collector and interned again.
	var held []netip.Addr
	for _, a := range addrs {
		v, ok := msgtrk.ParseAddr(a)
		if !ok {
			t.Fatalf("ParseAddr(%q) failed", a)
		}
		held = append(held, v)
	}
	buf := make([]byte, 0, 64)
	sink := 0
	checks := []struct {
		name string
		fn   func(i int)
	}{
		{"ParseTime/[]byte", func(i int) {
			tm, ok := msgtrk.ParseTime(timeBytes[i%len(timeBytes)])
			if !ok {
				panic("ParseTime")
			}
			sink += tm.Nanosecond()
		}},
		{"ParseTime/string", func(i int) {
			tm, ok := msgtrk.ParseTime(times[i%len(times)])
			if !ok {
				panic("ParseTime")
			}
			sink += tm.Nanosecond()
		}},
		{"ParseTime/not a date", func(i int) {
			if _, ok := msgtrk.ParseTime([]byte("07.10.2020 16:27:19")); ok {
				panic("ParseTime")
			}
		}},
		{"AppendTime", func(i int) {
			tm, _ := msgtrk.ParseTime(timeBytes[0])
			buf = msgtrk.AppendTime(buf[:0], tm)
		}},
		{"ParseAddr", func(i int) {
			a, ok := msgtrk.ParseAddr(addrs[i%len(addrs)])
			if !ok {
				panic("ParseAddr")
			}
			sink += a.BitLen() + len(a.Zone())
		}},
		{"ParseGUID", func(i int) {
			g, ok := msgtrk.ParseGUID(guids[i%len(guids)])
			if !ok {
				panic("ParseGUID")
			}
			sink += int(g[i%16])
		}},
		{"GUID.AppendTo", func(i int) { buf = guidWant.AppendTo(buf[:0]) }},
	}
	for _, c := range checks {
		if n := testing.AllocsPerRun(50, func() {
			for i := 0; i < 100; i++ {
				c.fn(i)
			}
		}); n != 0 {
			t.Errorf("%s: %v allocs per 100 calls, want 0", c.name, n)
		}
	}
	if sink == 0 || len(held) != len(addrs) {
		t.Error("nothing was parsed")
	}
}

// FuzzParseTime checks ParseTime against time.Parse(time.RFC3339Nano):
// both accept the same inputs and give the same instant, the result is in
// UTC, the []byte and string forms agree, and AppendTime output parses back
// to the same instant at millisecond precision. From messageinfo's
// FuzzParseTime, which checked the fast path alone.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{
		"2022-09-19T15:02:29.211Z", "2021-03-23T10:00:09.3284899Z", "2021-03-23T10:00:09+02:00",
		"2024-01-07T00:00:05,535Z", "2024-01-07T00:00:05.1234567891Z", "2024-01-07T1:00:05Z", "2024-01-07T00:00:05+24:00",
		"0000-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01", "2023-02-29T00:00:00Z", "07.10.2020 16:27:19",
		"12/22/2020 2:28:06 AM", "2024-01-07T00:00:05.", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := msgtrk.ParseTime(s)
		ref, err := time.Parse(time.RFC3339Nano, s)
		if ok != (err == nil) {
			t.Fatalf("ParseTime(%q) ok = %v; time.Parse error %v", s, ok, err)
		}
		if !ok {
			return
		}
		if !got.Equal(ref) || got.Location() != time.UTC {
			t.Fatalf("ParseTime(%q) = %v, time.Parse = %v", s, got, ref)
		}
		if gb, okb := msgtrk.ParseTime([]byte(s)); !okb || !gb.Equal(got) {
			t.Fatalf("ParseTime([]byte %q) differs from the string form", s)
		}
		if fast, okf := msgtrk.ParseTimeFast(s); okf && !fast.Equal(got) {
			t.Fatalf("fast path gives %v for %q, ParseTime %v", fast, s, got)
		}
		// An offset can move year 0000 to -0001 or 9999 to 10000,
		// which AppendTime cannot write in RFC 3339 form (crasher
		// 19bb7e8f6d37b517).
		if y := got.Year(); y >= 0 && y <= 9999 {
			out := msgtrk.AppendTime(nil, got)
			back, ok := msgtrk.ParseTime(out)
			if !ok || !back.Equal(got.Truncate(time.Millisecond)) {
				t.Fatalf("AppendTime(%v) = %q parses to %v, %v", got, out, back, ok)
			}
		}
	})
}

// FuzzParseAddr checks ParseAddr against netip.ParseAddr (string
// conversion and all). From eventdata's and recipstatus's FuzzParseAddr.
func FuzzParseAddr(f *testing.F) {
	for _, s := range append(append([]string{}, addrOK...), addrBad...) {
		f.Add(s)
	}
	f.Add("123.456.789.012")
	f.Fuzz(func(t *testing.T, s string) {
		want, werr := netip.ParseAddr(s)
		b := []byte(s)
		got, ok := msgtrk.ParseAddr(b)
		if ok != (werr == nil) || got != want {
			t.Fatalf("ParseAddr(%q) = %v, %v; netip: %v, %v", s, got, ok, want, werr)
		}
		// Nothing of the result may alias the input.
		for i := range b {
			b[i] = 'x'
		}
		if ok && got.String() != want.String() {
			t.Fatalf("ParseAddr(%q) result changed with its buffer: %v", s, got)
		}
	})
}

var guidRE = regexp.MustCompile(`^(\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32})$`)

// FuzzParseGUID checks ParseGUID against a regular expression and its
// String round trip. From eventdata's FuzzParseGUID.
func FuzzParseGUID(f *testing.F) {
	for _, s := range []string{"ff116ef4-402d-4dff-90cb-c3d772b3179a", "{ff116ef4-402d-4dff-90cb-c3d772b3179a}", "C27D21EECA0311E0BCB896154924019B", "12345678-3232-2323-1111-12345679666"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, ok := msgtrk.ParseGUID([]byte(s))
		if ok != guidRE.MatchString(s) {
			t.Fatalf("ParseGUID(%q) ok = %v", s, ok)
		}
		if g2, ok2 := msgtrk.ParseGUID(s); ok2 != ok || g2 != g {
			t.Fatalf("ParseGUID(string %q) = %v, %v; []byte form %v, %v", s, g2, ok2, g, ok)
		}
		if !ok {
			return
		}
		hex := strings.ToLower(strings.NewReplacer("-", "", "{", "", "}", "").Replace(s))
		if got := strings.ReplaceAll(g.String(), "-", ""); got != hex {
			t.Fatalf("ParseGUID(%q).String() = %q", s, g.String())
		}
		if back, ok := msgtrk.ParseGUID([]byte(g.String())); !ok || back != g {
			t.Fatalf("round trip of %q: %v, %v", g.String(), back, ok)
		}
	})
}

func BenchmarkParseTime(b *testing.B) {
	for _, in := range []string{"2024-01-07T00:00:05.535Z", "2021-03-23T10:00:09.3284899Z", "2024-01-07T00:00:05.535+01:00"} {
		src := []byte(in)
		b.Run(fmt.Sprintf("%dB/ParseTime", len(in)), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, ok := msgtrk.ParseTime(src); !ok {
					b.Fatal("ParseTime")
				}
			}
		})
		b.Run(fmt.Sprintf("%dB/time.Parse", len(in)), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, err := time.Parse(time.RFC3339Nano, string(src)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAppendTime writes one time as AppendTime does and, in the same
// run, as time.Time.AppendFormat with its layout does.
func BenchmarkAppendTime(b *testing.B) {
	tm := time.Date(2024, 3, 4, 8, 0, 16, 503_000_000, time.UTC)
	buf := make([]byte, 0, 32)
	b.Run("AppendTime", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = msgtrk.AppendTime(buf[:0], tm)
		}
	})
	b.Run("AppendFormat", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf = tm.UTC().AppendFormat(buf[:0], "2006-01-02T15:04:05.000Z")
		}
	})
}

func BenchmarkParseAddr(b *testing.B) {
	for _, in := range []string{"10.11.12.13", "2603:10b6:610:f9::20", "fe80::1234:5678:4321:1010%3"} {
		src := []byte(in)
		b.Run(fmt.Sprintf("%dB/ParseAddr", len(in)), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, ok := msgtrk.ParseAddr(src); !ok {
					b.Fatal("ParseAddr")
				}
			}
		})
		b.Run(fmt.Sprintf("%dB/netip.ParseAddr(string)", len(in)), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, err := netip.ParseAddr(string(src)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseGUID(b *testing.B) {
	src := []byte("ff116ef4-402d-4dff-90cb-c3d772b3179a")
	b.Run("ParseGUID", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, ok := msgtrk.ParseGUID(src); !ok {
				b.Fatal("ParseGUID")
			}
		}
	})
	b.Run("naive/hex.DecodeString", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, err := hexDecode(strings.ReplaceAll(string(src), "-", "")); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func ExampleParseTime() {
	for _, s := range []string{"2024-01-07T00:00:05.535Z", "2021-03-23T10:00:09.3284899Z", "2020-10-07T19:27:20.5+03:00", "07.10.2020 16:27:19"} {
		t, ok := msgtrk.ParseTime(s)
		fmt.Println(t, ok)
	}
	fmt.Println(string(msgtrk.AppendTime(nil, time.Date(2021, 3, 23, 10, 0, 9, 328489900, time.UTC))))
	// Output:
	// 2024-01-07 00:00:05.535 +0000 UTC true
	// 2021-03-23 10:00:09.3284899 +0000 UTC true
	// 2020-10-07 16:27:20.5 +0000 UTC true
	// 0001-01-01 00:00:00 +0000 UTC false
	// 2021-03-23T10:00:09.328Z
}

func ExampleParseGUID() {
	g, ok := msgtrk.ParseGUID([]byte("{4BA0D02D-8B59-4BAB-80E0-73F70CE64D61}"))
	fmt.Println(g, ok)
	g, ok = msgtrk.ParseGUID("C27D21EECA0311E0BCB896154924019B")
	fmt.Println(g, ok)
	_, ok = msgtrk.ParseGUID([]byte("12345678-3232-2323-1111-12345679666"))
	fmt.Println(ok)
	// Output:
	// 4ba0d02d-8b59-4bab-80e0-73f70ce64d61 true
	// c27d21ee-ca03-11e0-bcb8-96154924019b true
	// false
}

func ExampleParseAddr() {
	a, ok := msgtrk.ParseAddr([]byte("fe80::1234:5678:4321:1010%3"))
	fmt.Println(a, a.Zone(), ok)
	_, ok = msgtrk.ParseAddr([]byte("fe80::1234:4545:3214:1010e%3"))
	fmt.Println(ok)
	// Output:
	// fe80::1234:5678:4321:1010%3 3 true
	// false
}

// hexDecode is the naive baseline: encoding/hex on the digits.
func hexDecode(s string) ([]byte, error) { return hex.DecodeString(s) }

// TestFormatTime: the JSON outputs' time, AppendTime's form, "" when unknown.
func TestFormatTime(t *testing.T) {
	if got := msgtrk.FormatTime(time.Time{}); got != "" {
		t.Errorf("zero time: %q, want \"\"", got)
	}
	berlin := time.FixedZone("CET", 3600)
	at := time.Date(2024, 3, 4, 10, 0, 1, 106_999_999, berlin)
	if got, want := msgtrk.FormatTime(at), "2024-03-04T09:00:01.106Z"; got != want {
		t.Errorf("FormatTime(%v) = %q, want %q", at, got, want)
	}
}
