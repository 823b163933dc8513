package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mailtrace/mailtrace/internal/check"
	"github.com/mailtrace/mailtrace/internal/textenc"
	"github.com/mailtrace/mailtrace/msgtrk"
)

var encodeSamples = []string{
	"", "plain ascii text of some length, longer than a word", `quote " and \ backslash`, "tab\there\r\nline",
	"\x00\x01\x1b[31mred\x1b[0m\x7f", "\b\f\v", "Заседание + Материалы во вложении.", "bad \xff\xfe utf-8 \xc3", "sep\u2028and\u2029",
	"bidi \u202eevil\u202c and \u2066iso\u2069", "c1 \u0085 \u009b31m", "<html>&amp;</html>", "emoji 🙂 end",
	"=1+2", "+33 1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\tTAB", "\rCR", "-0.25", "+12", "-", "=", " lead", "a,b", "1\n2",
}

// jsonRef is encoding/json's spelling of s, without HTML escaping.
func jsonRef(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range encodeSamples {
		if got, want := string(textenc.AppendJSONString(nil, s)), jsonRef(s); got != want {
			t.Errorf("textenc.AppendJSONString(%q) = %s, encoding/json writes %s", s, got, want)
		}
		if got, want := string(textenc.AppendJSONString(nil, []byte(s))), jsonRef(s); got != want {
			t.Errorf("textenc.AppendJSONString([]byte %q) = %s, encoding/json writes %s", s, got, want)
		}
	}
}

// safeRef escapes as appendSafe promises, rune by rune.
func safeRef(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x` + string(textenc.HexDigits[s[i]>>4]) + string(textenc.HexDigits[s[i]&0xf]))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x` + string(textenc.HexDigits[r>>4]) + string(textenc.HexDigits[r&0xf]))
		case r >= 0x80 && r <= 0x9f || r == 0x2028 || r == 0x2029 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
			b.WriteString(`\u` + string(textenc.HexDigits[r>>12&0xf]) + string(textenc.HexDigits[r>>8&0xf]) + string(textenc.HexDigits[r>>4&0xf]) + string(textenc.HexDigits[r&0xf]))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func TestAppendSafe(t *testing.T) {
	for _, s := range encodeSamples {
		got := string(appendSafe(nil, s))
		if want := safeRef(s); got != want {
			t.Errorf("appendSafe(%q) = %q, want %q", s, got, want)
		}
		if got != safe(s) {
			t.Errorf("safe(%q) = %q, appendSafe %q", s, safe(s), got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || r == '\u202e' || r == '\u2028' {
				t.Errorf("appendSafe(%q) = %q keeps %U", s, got, r)
			}
		}
	}
}

// TestAppendCSVCell: every cell reads back with encoding/csv; a cell that
// could start a formula reads back with an apostrophe in front, a number
// as it is.
func TestAppendCSVCell(t *testing.T) {
	for _, s := range encodeSamples {
		line := appendCSVCell(nil, s)
		line = append(line, ",x\n"...)
		rec, err := csv.NewReader(bytes.NewReader(line)).Read()
		if err != nil {
			t.Errorf("appendCSVCell(%q) = %q: %v", s, line, err)
			continue
		}
		want := s
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) && !isNumber(s) {
			want = "'" + s
		}
		want = strings.ReplaceAll(want, "\r\n", "\n") // encoding/csv reads a quoted \r\n as \n
		if len(rec) != 2 || rec[0] != want {
			t.Errorf("appendCSVCell(%q) = %q, reads back as %q, want %q", s, line, rec, want)
		}
	}
	for s, want := range map[string]string{"=1+2": `"'=1+2"`, "-0.25": "-0.25", "+12": "+12", "@x": `"'@x"`, "-": `"'-"`, "a,b": `"a,b"`} {
		if got := string(appendCSVCell(nil, s)); got != want {
			t.Errorf("appendCSVCell(%q) = %s, want %s", s, got, want)
		}
	}
}

// FuzzEncoders checks the encoders against their references on any bytes.
func FuzzEncoders(f *testing.F) {
	for _, s := range encodeSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(textenc.AppendJSONString(nil, []byte(s))), jsonRef(s); got != want {
			t.Fatalf("textenc.AppendJSONString(%q) = %s, encoding/json writes %s", s, got, want)
		}
		var ls msgtrk.ListScanner
		if got, want := string(appendJSONList(nil, []byte(s), &ls)), jsonListRef(s, &ls); s != "" && got != want {
			t.Fatalf("appendJSONList(%q) = %s, want %s", s, got, want)
		}
		if utf8.ValidString(s) {
			if got, want := runeCount([]byte(s)), utf8.RuneCountInString(s); got != want {
				t.Fatalf("runeCount(%q) = %d, want %d", s, got, want)
			}
		}
		if got, want := string(appendSafe(nil, s)), safeRef(s); got != want {
			t.Fatalf("appendSafe(%q) = %q, want %q", s, got, want)
		}
		if got, want := string(textenc.AppendJSONLogField(nil, []byte(s))), jsonRef(string(msgtrk.AppendUnescaped(nil, []byte(s)))); got != want {
			t.Fatalf("textenc.AppendJSONLogField(%q) = %s, want %s", s, got, want)
		}
		var scratch []byte
		if got, want := string(appendCSVField(nil, []byte(s), &scratch)), string(appendCSVCell(nil, msgtrk.AppendUnescaped(nil, []byte(s)))); got != want {
			t.Fatalf("appendCSVField(%q) = %s, want %s", s, got, want)
		}
		line := append(appendCSVCell(nil, []byte(s)), '\n')
		rec, err := csv.NewReader(bytes.NewReader(line)).Read()
		if s != "" && (err != nil || len(rec) != 1) {
			t.Fatalf("appendCSVCell(%q) = %q: %q, %v", s, line, rec, err)
		}
	})
}

// TestTableLikeTabwriter: the table writer aligns as text/tabwriter with
// padding 2 does, across a block boundary.
func TestTableLikeTabwriter(t *testing.T) {
	var want, got bytes.Buffer
	tw := tabwriter.NewWriter(&want, 0, 0, 2, ' ', 0)
	tb := newTable(&got, "A", "BEE", "C")
	tw.Write([]byte("A\tBEE\tC\n"))
	for i := range tableBlock + 20 {
		cells := []string{strings.Repeat("x", i%7), strings.Repeat("é", i%13), strings.Repeat("z", i%5)}
		tw.Write([]byte(strings.Join(cells, "\t") + "\n"))
		for _, c := range cells {
			tb.cellString(c)
		}
		tb.endRow()
		if (i+1)%tableBlock == 0 {
			tw.Flush()
		}
	}
	tw.Flush()
	tb.flush()
	if want.String() != got.String() {
		t.Errorf("table differs from tabwriter:\n%s\nvs\n%s", got.String(), want.String())
	}
}

// TestEventWritersNoAllocs: once their buffers have grown, the table, CSV
// and JSON writers of "events" allocate nothing per row.
func TestEventWritersNoAllocs(t *testing.T) {
	data := simRows(t, 200)
	r := msgtrk.NewReaderBytes(data)
	var rows msgtrk.Batch
	for r.Next() {
		rows.Append(r.Record())
	}
	for _, f := range []format{formatTable, formatCSV, formatJSONL, formatJSON} {
		bw := bufio.NewWriter(io.Discard)
		w := newEventWriter(f, bw, time.UTC)
		i := 0
		write := func() {
			if err := w.write(rows.Record(i % rows.Len())); err != nil {
				t.Fatal(err)
			}
			i++
		}
		for range 2 * tableBlock {
			write() // grow the buffers
		}
		check.NoAllocs(t, "events -format "+string(f), write)
	}
}

// TestAppendJSONField: a log value written as JSON in one pass is the JSON
// of its unescaped text.
func TestAppendJSONField(t *testing.T) {
	for _, s := range append(encodeSamples, `a\rb\nc\\d\xe\`, `\\r`, `\`, `\\\n`, "x\\\x00") {
		want := string(textenc.AppendJSONString(nil, msgtrk.AppendUnescaped(nil, []byte(s))))
		if got := string(textenc.AppendJSONLogField(nil, []byte(s))); got != want {
			t.Errorf("textenc.AppendJSONLogField(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestCanonicalTime(t *testing.T) {
	for s, want := range map[string]bool{
		"2024-03-04T08:00:01.106Z": true, "2024-03-04T08:00:01.106+00:00": false, "2024-03-04T08:00:01Z": false,
		"2024-03-04 08:00:01.106Z": false, "2024-03-04T08:00:01.1060Z": false, "": false,
	} {
		if got := canonicalTime([]byte(s)); got != want {
			t.Errorf("canonicalTime(%q) = %v", s, got)
		}
	}
}

// TestAppendCSVField: a log value written to CSV in one pass is the CSV of
// its unescaped text.
func TestAppendCSVField(t *testing.T) {
	var scratch []byte
	for _, s := range append(encodeSamples, `a\rb\nc\\d\xe\`, `EX1\Default EX1`, "plain value", "=cmd", "a,b", " x") {
		want := string(appendCSVCell(nil, msgtrk.AppendUnescaped(nil, []byte(s))))
		if got := string(appendCSVField(nil, []byte(s), &scratch)); got != want {
			t.Errorf("appendCSVField(%q) = %s, want %s", s, got, want)
		}
	}
}

// TestAppendCSVList: the list fast path writes what joining the members
// ListScanner reads writes.
func TestAppendCSVList(t *testing.T) {
	var ls msgtrk.ListScanner
	var mem []byte
	for _, v := range []string{"", "a@x", "a@x;b@x", "a;", ";a", "a;;b", " a;b", "=a;b", "a; b", "'x;y';z", "[{LED=550 5.1.1 a;b};{MSG=}];250 OK",
		"S:A=1;S:B=2", "a,b;c", "a\\rb;c", "-1;2"} {
		var want []byte
		ls.Init([]byte(v))
		for k := 0; ls.Next(); k++ {
			if k > 0 {
				want = append(want, ';', ' ')
			}
			want = append(want, ls.Bytes()...)
		}
		want = appendCSVCell(nil, want)
		if got := appendCSVList(nil, []byte(v), &ls, &mem); string(got) != string(want) {
			t.Errorf("appendCSVList(%q) = %s, want %s", v, got, want)
		}
	}
}

// TestAppendJSONList: the list fast path writes the members ListScanner
// reads.
func TestAppendJSONList(t *testing.T) {
	var ls msgtrk.ListScanner
	for _, v := range []string{"a@x", "a@x;b@x", "a;", ";a", "a;;b", " a;b", "'x;y';z", "[{LED=550 5.1.1 a;b};{MSG=}];250 OK",
		"S:A=1;S:B=2", "a\"b;c", "a\\rb;c", "é;x", "a\x01;b",
		// Long enough for the eight-byte test, the mark in either part.
		"S:FirstForestHop=ex01;S:X='a;b';c", "0123456789abcdef[{x};y]", "abcdefghijklmn;\"b;c", "abcdefgh;ijklmnop;qrstuvwx;yz",
		"S:ItemEntryId=00-00;S:Subject=\u00e9t\u00e9;é'"} {
		want := jsonListRef(v, &ls)
		if got := appendJSONList(nil, []byte(v), &ls); string(got) != want {
			t.Errorf("appendJSONList(%q) = %s, want %s", v, got, want)
		}
	}
}

// jsonListRef is appendJSONList the long way: each member ListScanner
// reads, as a JSON string.
func jsonListRef(v string, ls *msgtrk.ListScanner) string {
	want := []byte{'['}
	ls.Init([]byte(v))
	for k := 0; ls.Next(); k++ {
		if k > 0 {
			want = append(want, ',')
		}
		want = textenc.AppendJSONString(want, ls.Bytes())
	}
	return string(append(want, ']'))
}

// TestRuneCount: runeCount, eight bytes at a time, counts the runes of
// valid UTF-8 as utf8.RuneCount does, at every length and alignment.
func TestRuneCount(t *testing.T) {
	for _, s := range append(encodeSamples, "é", "aé€😀", strings.Repeat("é", 17), strings.Repeat("x", 23)+"€", "Заседание + Материалы во вложении.") {
		s = strings.ToValidUTF8(s, "?")
		for i := range len(s) + 1 {
			for j := i; j <= len(s); j++ {
				if !utf8.ValidString(s[i:j]) {
					continue
				}
				if got, want := runeCount([]byte(s[i:j])), utf8.RuneCountInString(s[i:j]); got != want {
					t.Fatalf("runeCount(%q) = %d, want %d", s[i:j], got, want)
				}
			}
		}
	}
}
