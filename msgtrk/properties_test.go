package msgtrk_test

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/mailtrace/mailtrace/internal/proptest"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// nastyRunes are the characters that stress the escaping rules, mixed with
// ordinary ones.
var nastyRunes = []rune{',', '"', ';', '\'', '\r', '\n', '\\', 'r', 'n', ' ', '[', '{', '}', ']', '=', '|', ':',
	'a', 'Z', '0', '@', '.', '<', '>', 'é', 'Ж', '漢', '😀', '\t'}

func genText() gopter.Gen {
	return gen.Frequency(map[int]gopter.Gen{
		2: gen.Const(""),
		5: gen.SliceOf(gen.OneConstOf(toAny(nastyRunes)...)).Map(func(rs []rune) string {
			return string(rs)
		}),
		3: gen.AlphaString(),
		1: gen.UnicodeString(&rangeTable),
	})
}

func toAny(rs []rune) []any {
	out := make([]any, len(rs))
	for i, r := range rs {
		out[i] = r
	}
	return out
}

func genMembers() gopter.Gen {
	return gen.Frequency(map[int]gopter.Gen{
		600: gen.SliceOfN(3, genText()),
		399: gen.SliceOf(genText()),
		// A mass mailing: thousands of recipients in one row.
		1: gen.IntRange(1000, 3000).Map(func(n int) []string {
			m := make([]string, n)
			for i := range m {
				m[i] = fmt.Sprintf("user%d.lastname@contoso.com", i)
			}
			return m
		}),
	})
}

// genEvent generates an event: text for every plain field, members for every
// list field.
type genRow struct {
	Plain []string   // one per non-list field of the 2016 layout, in order
	Lists [][]string // recipient-address, recipient-status, reference, custom-data
}

var plainFields, listFields = func() (p, l []msgtrk.Field) {
	for _, f := range msgtrk.Layout2016.Fields() {
		if f.IsList() {
			l = append(l, f)
		} else {
			p = append(p, f)
		}
	}
	return
}()

func genRows() gopter.Gen {
	row := gopter.CombineGens(gen.SliceOfN(len(plainFields), genText()), gen.SliceOfN(len(listFields), genMembers())).
		Map(func(v []any) genRow {
			return genRow{Plain: v[0].([]string), Lists: v[1].([][]string)}
		})
	return gen.IntRange(0, 4).FlatMap(func(n any) gopter.Gen {
		return gen.SliceOfN(n.(int), row)
	}, reflect.TypeOf([]genRow(nil)))
}

func (g genRow) event() msgtrk.Event {
	var e msgtrk.Event
	for i, f := range plainFields {
		e.Set(f, g.Plain[i])
	}
	for i, f := range listFields {
		e.SetList(f, g.Lists[i])
	}
	return e
}

// TestPropertyWriterReaderRoundTrip: rows with every kind of nasty text,
// written by the Writer under each layout and read back, give back the same
// values: plain fields as format.md §3.1 escapes them (logEscape) through
// Field and unchanged through Unescaped where the format can tell
// (readsBack), list fields member by member.
func TestPropertyWriterReaderRoundTrip(t *testing.T) {
	params := proptest.Parameters(t, 10000)
	params.MaxSize = 40
	properties := gopter.NewProperties(params)
	layouts := []msgtrk.Layout{msgtrk.Layout2016, msgtrk.Layout2013, msgtrk.Layout2010, msgtrk.Layout2007}
	properties.Property("write then read gives the same values", prop.ForAll(
		func(rows []genRow, li int) string {
			layout := layouts[li]
			var buf bytes.Buffer
			w := msgtrk.NewWriter(&buf)
			w.WriteHeader(msgtrk.Header{Fields: layout.FieldNames()})
			for _, g := range rows {
				e := g.event()
				if err := w.WriteEvent(&e); err != nil {
					return "WriteEvent: " + err.Error()
				}
			}
			if err := w.Flush(); err != nil {
				return err.Error()
			}
			r := msgtrk.NewReader(&buf)
			i := 0
			var ls msgtrk.ListScanner
			for r.Next() {
				if i >= len(rows) {
					return "more rows read than written"
				}
				rec := r.Record()
				for k, f := range plainFields {
					want := rows[i].Plain[k]
					if !rec.Has(f) {
						continue
					}
					if got := string(rec.Field(f)); got != logEscape(want) {
						return fmt.Sprintf("row %d %v: got %q want %q", i, f, got, logEscape(want))
					}
					if got := string(rec.Unescaped(f)); readsBack(want) && got != want {
						return fmt.Sprintf("row %d %v: unescaped %q want %q", i, f, got, want)
					}
				}
				for k, f := range listFields {
					if !rec.Has(f) {
						continue
					}
					ls.Init(rec.Field(f))
					var got []string
					for ls.Next() {
						got = append(got, string(ls.Bytes()))
					}
					var want []string
					for _, m := range rows[i].Lists[k] {
						want = append(want, logEscape(m))
					}
					if diff := cmp.Diff(want, got, cmpEmpty); diff != "" || ls.Err() != nil {
						return fmt.Sprintf("row %d %v: err %v, mismatch (-want +got):\n%s", i, f, ls.Err(), diff)
					}
				}
				i++
			}
			if err := r.Err(); err != nil {
				return "Err: " + err.Error()
			}
			if i != len(rows) {
				return fmt.Sprintf("read %d rows, wrote %d", i, len(rows))
			}
			return ""
		},
		genRows(), gen.IntRange(0, len(layouts)-1),
	))
	properties.TestingRun(t)
}

var cmpEmpty = cmp.Comparer(func(a, b []string) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
})

var rangeTable = *unicodeLatinAndCyrillic()
