package recipstatus

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/internal/proptest"
)

// genText generates reply or item text: empty, or starting with a letter or
// '<' and ending with a non-blank, so that the canonical form reads back
// unchanged. It may hold ';', '=', brackets and blanks.
func genText() gopter.Gen {
	return gen.OneGenOf(
		gen.Const(""),
		gen.RegexMatch(`[A-Za-z<][A-Za-z0-9 .;:=<>@\[\],-]{0,40}[A-Za-z0-9>\]]`),
	)
}

func genEnhanced() gopter.Gen {
	return gen.OneGenOf(
		gen.Const(EnhancedCode{}),
		gopter.CombineGens(gen.OneConstOf(uint8(2), uint8(4), uint8(5)), gen.UInt16Range(0, 999), gen.UInt16Range(0, 999)).
			Map(func(v []any) EnhancedCode {
				return EnhancedCode{Class: v[0].(uint8), Subject: v[1].(uint16), Detail: v[2].(uint16)}
			}),
	)
}

// genResponse generates a typed reply; Raw is its canonical rendering.
func genResponse() gopter.Gen {
	return gopter.CombineGens(gen.UInt16Range(100, 599), genEnhanced(), genText()).
		Map(func(v []any) Response {
			r := Response{Code: v[0].(uint16), Enhanced: v[1].(EnhancedCode), Text: []byte(v[2].(string))}
			r.Raw = r.AppendTo(nil)
			r.Text = r.Raw[len(r.Raw)-len(r.Text):]
			return r
		})
}

func TestPropertyResponseRoundTrip(t *testing.T) {
	props := gopter.NewProperties(proptest.Parameters(t, 1000))
	props.Property("ParseResponse(AppendTo(r)) == r", prop.ForAll(
		func(r Response) string {
			got, err := ParseResponse(r.AppendTo(nil))
			if err != nil {
				return err.Error()
			}
			return cmp.Diff(r, got)
		}, genResponse()))
	props.Property("Parse(AppendTo(r)) is an SMTP response", prop.ForAll(
		func(r Response) string {
			st, err := Parse(r.Raw)
			if err != nil {
				return err.Error()
			}
			return cmp.Diff(Status{Kind: KindSMTPResponse, Raw: r.Raw, Response: r}, st, cmpOpts)
		}, genResponse()))
	props.Property("a reply that lost its blanks reads the same (damaged samples)", prop.ForAll(
		func(r Response) string {
			if !r.Enhanced.IsValid() || len(r.Text) == 0 || !ascii.IsLetter(r.Text[0]) {
				return "" // only where dropping the blank keeps the text apart
			}
			squeezed := appendCode(nil, r.Code)
			squeezed = append(squeezed, ' ')
			squeezed = r.Enhanced.AppendTo(squeezed)
			squeezed = append(squeezed, r.Text...)
			got, err := ParseResponse(squeezed)
			if err != nil {
				return err.Error()
			}
			want := r
			want.Raw = squeezed
			return cmp.Diff(want, got)
		}, genResponse()))
	props.TestingRun(t)
}

// lrtCase is a generated LRT: the text in one culture and what the rule of
// ParseLocalTime must make of it.
type lrtCase struct {
	raw   string
	want  time.Time
	order DateOrder
}

func genLRT() gopter.Gen {
	return gopter.CombineGens(gen.Int64Range(time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC).Unix()),
		gen.IntRange(0, 3)).
		Map(func(v []any) lrtCase {
			ts := time.Unix(v[0].(int64), 0).UTC()
			switch v[1].(int) {
			case 0: // en-US
				return lrtCase{ts.Format("1/2/2006 3:04:05 PM"), ts, OrderMonthFirst}
			case 1: // de, ru
				return lrtCase{ts.Format("02.01.2006 15:04:05"), ts, OrderDayFirst}
			case 2: // sv, ISO
				return lrtCase{ts.Format("2006-01-02 15:04:05"), ts, OrderYearFirst}
			default: // en-GB, fr: readable only when the day is above 12
				if ts.Day() > 12 {
					return lrtCase{ts.Format("02/01/2006 15:04:05"), ts, OrderDayFirst}
				}
				return lrtCase{ts.Format("02/01/2006 15:04:05"), time.Time{}, OrderUnknown}
			}
		})
}

func TestPropertyLocalTimeRule(t *testing.T) {
	props := gopter.NewProperties(proptest.Parameters(t, 1000))
	props.Property("culture-formatted LRT reads back by the documented rule", prop.ForAll(
		func(c lrtCase) string {
			got, err := ParseLocalTime([]byte(c.raw))
			if err != nil {
				return err.Error()
			}
			return cmp.Diff(LocalTime{Raw: []byte(c.raw), Time: c.want, Order: c.order}, got)
		}, genLRT()))
	props.TestingRun(t)
}

// leCase is a generated LastError: the typed value and its items as text,
// in the 2019 order.
type leCase struct {
	want  LastError
	items []string
}

func genLastError() gopter.Gen {
	return gopter.CombineGens(
		gen.UInt8Range(1, 31),
		genResponse(),
		gen.RegexMatch(`[A-Za-z0-9 .:]{0,20}`),
		gen.RegexMatch(`[a-z][a-z0-9-]{0,10}(\.[a-z][a-z0-9-]{0,10}){0,3}`),
		gen.SliceOfN(16, gen.UInt8()),
		gen.Bool(),
		genLRT(),
	).Map(func(v []any) leCase {
		present := Field(v[0].(uint8))
		ipb := v[4].([]uint8)
		var ip netip.Addr
		if v[5].(bool) {
			ip = netip.AddrFrom4([4]byte(ipb[:4]))
		} else {
			ip = netip.AddrFrom16([16]byte(ipb))
		}
		lrt := v[6].(lrtCase)
		l := LastError{Present: present}
		var items []string
		if present&FieldLED != 0 {
			l.LED = v[1].(Response)
			items = append(items, "LED="+string(l.LED.Raw))
		}
		if present&FieldMSG != 0 {
			l.MSG = []byte(v[2].(string))
			items = append(items, "MSG="+string(l.MSG))
		}
		if present&FieldFQDN != 0 {
			l.FQDN = []byte(v[3].(string))
			items = append(items, "FQDN="+string(l.FQDN))
		}
		if present&FieldIP != 0 {
			l.IP = ip
			l.IPRaw = []byte(ip.String())
			items = append(items, "IP="+ip.String())
		}
		if present&FieldLRT != 0 {
			l.LRT = LocalTime{Raw: []byte(lrt.raw), Time: lrt.want, Order: lrt.order}
			items = append(items, "LRT="+lrt.raw)
		}
		l.Items = len(items)
		return leCase{want: l, items: items}
	})
}

func blob(items []string) string { return "[{" + strings.Join(items, "};{") + "}]" }

func TestPropertyLastError(t *testing.T) {
	props := gopter.NewProperties(proptest.Parameters(t, 1000))
	props.Property("ParseLastError(AppendTo(l)) == l", prop.ForAll(
		func(c leCase) string {
			out := c.want.AppendTo(nil)
			if string(out) != blob(c.items) {
				return "AppendTo = " + string(out) + ", want " + blob(c.items)
			}
			got, err := ParseLastError(out)
			if err != nil {
				return err.Error()
			}
			want := c.want
			want.Raw = out
			return cmp.Diff(want, got, cmpOpts)
		}, genLastError()))
	props.Property("item order and unknown items do not change the typed result", prop.ForAll(
		func(c leCase, rot int) string {
			items := append([]string{"X-Extra=a=b;c"}, c.items...)
			k := rot % len(items)
			items = append(items[k:], items[:k]...)
			in := blob(items)
			got, err := ParseLastError([]byte(in))
			if err != nil {
				return err.Error()
			}
			want := c.want
			want.Raw = []byte(in)
			want.Items++
			want.Unknown = 1
			return cmp.Diff(want, got, cmpOpts)
		}, genLastError(), gen.IntRange(0, 5)))
	props.TestingRun(t)
}
