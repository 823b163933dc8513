package recipstatus

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/internal/check"
	"github.com/mailtrace/mailtrace/internal/realdata"
)

func addSeeds(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	for _, tt := range localTimeTests {
		f.Add(tt.in)
	}
	for _, in := range benchInputs {
		f.Add(in.in)
	}
	for _, row := range realdata.All(f) {
		for _, m := range row.RecipStatus {
			f.Add(m)
		}
	}
}

func checkErr(t *testing.T, in []byte, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error %T %v is not a *SyntaxError", err, err)
	}
	if se.Offset < 0 || se.Offset > len(in) {
		t.Fatalf("error offset %d outside input of %d bytes", se.Offset, len(in))
	}
}

func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		in := []byte(s)
		st, err := Parse(in)
		checkErr(t, in, err)
		spans := [][]byte{st.Raw, st.Response.Raw, st.Response.Text,
			st.LastError.Raw, st.LastError.LED.Raw, st.LastError.LED.Text, st.LastError.MSG, st.LastError.FQDN,
			st.LastError.IPRaw, st.LastError.LRT.Raw,
			st.Diagnostic.Raw, st.Diagnostic.Code, st.Diagnostic.Component, st.Diagnostic.Exception,
			st.Diagnostic.Message, st.Diagnostic.Trailer}
		for i, sp := range spans {
			if !check.Inside(in, sp) {
				t.Fatalf("span %d %q is not inside the input", i, sp)
			}
		}
		if len(bytes.Trim(in, " \t\r\n")) == 0 != (st.Kind == KindEmpty) { // blanks as the package defines them
			t.Fatalf("Kind %v for %q", st.Kind, in)
		}
		if st.LastError.Items > MaxItems || st.LastError.Unknown > st.LastError.Items || st.Diagnostic.Pairs > MaxTrailerPairs {
			t.Fatalf("bounds exceeded: items %d unknown %d pairs %d", st.LastError.Items, st.LastError.Unknown, st.Diagnostic.Pairs)
		}
		if st.Kind == KindStoreDiagnostic {
			var ps PairScanner
			ps.Init(st.Diagnostic.Trailer)
			n := 0
			for ps.Next() {
				n++
			}
			if n != st.Diagnostic.Pairs || ps.Err() != nil {
				t.Fatalf("trailer %q scans to %d pairs (Err %v), Pairs = %d", st.Diagnostic.Trailer, n, ps.Err(), st.Diagnostic.Pairs)
			}
		}
		if err != nil {
			return
		}
		switch st.Kind {
		case KindSMTPResponse:
			out := st.Response.AppendTo(nil)
			r2, err := ParseResponse(out)
			if err != nil || r2.Code != st.Response.Code || r2.Enhanced != st.Response.Enhanced || !bytes.Equal(r2.Text, st.Response.Text) {
				t.Fatalf("round trip %q → %q → %+v, %v", in, out, r2, err)
			}
		case KindLastError:
			if st.LastError.Present == 0 {
				return // nothing to render: AppendTo gives "[]", not a blob
			}
			out := st.LastError.AppendTo(nil)
			l2, err := ParseLastError(out)
			a, b := st.LastError, l2
			if err != nil || a.Present != b.Present || a.LED.Code != b.LED.Code || a.LED.Enhanced != b.LED.Enhanced ||
				!bytes.Equal(a.LED.Text, b.LED.Text) || !bytes.Equal(a.MSG, b.MSG) || !bytes.Equal(a.FQDN, b.FQDN) ||
				!bytes.Equal(a.IPRaw, b.IPRaw) || a.IP != b.IP || !bytes.Equal(a.LRT.Raw, b.LRT.Raw) ||
				!a.LRT.Time.Equal(b.LRT.Time) || a.LRT.Order != b.LRT.Order {
				t.Fatalf("round trip %q → %q → %+v, %v", in, out, b, err)
			}
		}
	})
}

func FuzzParseLocalTime(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		in := []byte(s)
		lt, err := ParseLocalTime(in)
		checkErr(t, in, err)
		if !check.Inside(in, lt.Raw) || len(lt.Raw) != len(in) {
			t.Fatalf("Raw %q is not the input", lt.Raw)
		}
		// Order tells whether Time was read (0001-01-01 00:00 is a valid reading).
		if lt.Order == OrderUnknown && !lt.Time.IsZero() {
			t.Fatalf("Order %v with Time %v", lt.Order, lt.Time)
		}
		if err != nil && lt.Order != OrderUnknown {
			t.Fatalf("error %v with Order %v", err, lt.Order)
		}
		if lt.Order == OrderUnknown {
			return
		}
		layout := map[DateOrder]string{
			OrderMonthFirst: "1/2/2006 3:04:05.000000000 PM",
			OrderDayFirst:   "02.01.2006 15:04:05.000000000",
			OrderYearFirst:  "2006-01-02 15:04:05.000000000",
		}[lt.Order]
		out := lt.Time.Format(layout)
		lt2, err := ParseLocalTime([]byte(out))
		if err != nil || !lt2.Time.Equal(lt.Time) || lt2.Order != lt.Order {
			t.Fatalf("round trip %q → %v → %q → %v %v, %v", in, lt.Time, out, lt2.Time, lt2.Order, err)
		}
		if lt.Time.Location() != time.UTC {
			t.Fatalf("time %v not in UTC", lt.Time)
		}
	})
}

// FuzzLastErrorIP checks the IP item of a LastError blob against
// netip.ParseAddr: a valid address without zone is decoded, anything else
// (a zoned address included) leaves IP zero and IPRaw as written.
func FuzzLastErrorIP(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "::1", "fe80::1234:5678:4321:1010", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8", "123.456.789.012", "1::2::3", "fe80::1%3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsAny(s, "}];") {
			return // would end the item
		}
		want, err := netip.ParseAddr(s)
		if err != nil || want.Zone() != "" {
			want = netip.Addr{}
		}
		l, _ := ParseLastError([]byte("[{IP=" + s + "}]"))
		if l.IP != want {
			t.Fatalf("IP=%q decoded as %v; netip.ParseAddr = %v, %v", s, l.IP, want, err)
		}
	})
}

// FuzzDecoders runs each exported decoder on arbitrary input, bypassing
// the shape dispatch of Parse.
func FuzzDecoders(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		in := []byte(s)
		r, err := ParseResponse(in)
		checkErr(t, in, err)
		l, err := ParseLastError(in)
		checkErr(t, in, err)
		d, err := ParseDiagnostic(in)
		checkErr(t, in, err)
		for i, sp := range [][]byte{r.Raw, r.Text, l.Raw, l.LED.Raw, l.LED.Text, l.MSG, l.FQDN, l.IPRaw, l.LRT.Raw,
			d.Raw, d.Code, d.Component, d.Exception, d.Message, d.Trailer} {
			if !check.Inside(in, sp) {
				t.Fatalf("span %d %q is not inside the input", i, sp)
			}
		}
		if l.Items > MaxItems || d.Pairs > MaxTrailerPairs {
			t.Fatalf("bounds exceeded: %d items, %d pairs", l.Items, d.Pairs)
		}
		var is ItemScanner
		is.Init(in)
		n := 0
		for is.Next() {
			if !check.Inside(in, is.Key()) || !check.Inside(in, is.Value()) {
				t.Fatalf("item %q=%q is not inside the input", is.Key(), is.Value())
			}
			n++
		}
		checkErr(t, in, is.Err())
		if n != l.Items {
			t.Fatalf("ItemScanner read %d items, ParseLastError %d", n, l.Items)
		}
		var ps PairScanner
		ps.Init(in)
		for k := 0; ps.Next(); k++ {
			if k > len(in) || !check.Inside(in, ps.Key()) || !check.Inside(in, ps.Value()) {
				t.Fatalf("pair %q=%q is not inside the input or too many", ps.Key(), ps.Value())
			}
			if in[ps.Offset()] != '[' || !bytes.HasPrefix(in[ps.ValueOffset():], ps.Value()) {
				t.Fatalf("pair %q=%q: offsets %d, %d do not point at it", ps.Key(), ps.Value(), ps.Offset(), ps.ValueOffset())
			}
		}
		checkErr(t, in, ps.Err())
	})
}
