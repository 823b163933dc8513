package msgtrk

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// FuzzSplitDifferential compares the field splitter with encoding/csv on one
// line: both must accept or reject the same lines, and accepted lines must
// give the same fields. (encoding/csv is stricter about nothing here: with
// LazyQuotes off it rejects bare and extraneous quotes as we do.)
func FuzzSplitDifferential(f *testing.F) {
	for _, s := range []string{
		`a,b,c`, `"a,b",c`, `"say ""hi""",x`, `a"b,c`, `"a"b,c`, `"unterminated,x`, `,,`, ``,
		`2024-01-07T00:00:07.463Z,192.168.0.1,exchange,,"a, b",SMTP`, `"",""`, `"a""`, `é,"ж,ж"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		if bytes.ContainsAny(line, "\r\n") || len(line) == 0 {
			return // one line; csv skips empty lines
		}
		var ends [maxSpans + 8]int32
		var flags [maxSpans]uint8
		n, special := splitPlain(line, &ends)
		var err error
		var fl []uint8
		if special && bytes.IndexByte(line, '"') >= 0 {
			n, _, err = splitCareful(line, n, &ends, &flags) // (as the Reader does)
			fl = flags[:n]
		}
		if err == nil && n > MaxFields {
			err = ErrTooManyFields
		}
		cr := csv.NewReader(bytes.NewReader(line))
		cr.FieldsPerRecord = -1
		want, werr := cr.Read()
		if werr == io.EOF {
			return
		}
		if errors.Is(err, ErrTooManyFields) {
			return // csv has no field limit
		}
		if (err == nil) != (werr == nil) {
			t.Fatalf("line %q: our error %v, csv error %v", line, err, werr)
		}
		if err != nil {
			return
		}
		rec := Record{line: line, ends: ends[:n], flags: fl}
		if rec.NumColumns() != len(want) {
			t.Fatalf("line %q: %d fields, csv %d", line, rec.NumColumns(), len(want))
		}
		prev := int32(-1)
		for i := range want {
			s := rec.span(i)
			if s.start < 0 || s.end > int32(len(line)) || s.start > s.end || s.start <= prev {
				t.Fatalf("line %q: span %d = %+v out of order or outside the line", line, i, s)
			}
			prev = s.start
			if got := string(rec.Column(i)); got != want[i] {
				t.Fatalf("line %q field %d: %q, csv %q", line, i, got, want[i])
			}
		}
	})
}

// FuzzSplitReusing: splitReusing, which reuses the commas splitPlain found,
// splits every line as splitQuoted does (the same ends and flags), and
// gives up on every line splitQuoted refuses; it may give up on a line
// with more commas than ends holds (splitCareful then calls splitQuoted).
func FuzzSplitReusing(f *testing.F) {
	for _, s := range []string{
		`a,b,c`, `"a,b",c`, `"say ""hi""",x`, `a"b,c`, `"a"b,c`, `"unterminated,x`, `,,`, `,"",`, `"`, `""`, `"""`,
		`x,"a,b,c",,"d""e",f`, `"a",`, `a,"b"`, `a,"b" ,c`, `a,b"`, `"a""b""",""""`, `"a,b""`, `,"a,,,,b",`,
		`2024-01-07T00:00:07.463Z,,,,EX01,"ex02=250 2.6.0 <a@b> [InternalId=1, Hostname=ex02] Queued",,SMTP,HAREDIRECT`,
		strings.Repeat(`"a,",`, MaxFields+2), strings.Repeat(`a,`, MaxFields-1) + `"b"`, strings.Repeat(`a,`, MaxFields) + `"b"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var ends, want [maxSpans + 8]int32
		var flags, wantFlags [maxSpans]uint8
		nc, _ := splitPlain(line, &ends)
		wn, _, werr := splitQuoted(line, &want, &wantFlags)
		n, ok := splitReusing(line, nc, &ends, &flags)
		switch {
		case ok && werr != nil:
			t.Fatalf("line %q: splitReusing split it, splitQuoted: %v", line, werr)
		case !ok && werr == nil && nc <= maxSpans:
			t.Fatalf("line %q: splitReusing gave up, splitQuoted split it", line)
		case ok && (!slices.Equal(ends[:n], want[:wn]) || !slices.Equal(flags[:n], wantFlags[:wn])):
			t.Fatalf("line %q: splitReusing %d %v %v, splitQuoted %d %v %v", line, n, ends[:n], flags[:n], wn, want[:wn], wantFlags[:wn])
		}
	})
}

// FuzzSplitPlain compares the architecture's splitPlain (SSE2 on amd64) with
// the portable splitSWAR: same fields, same special flag, for any bytes.
func FuzzSplitPlain(f *testing.F) {
	f.Add([]byte(`a,b,c`))
	f.Add(bytes.Repeat([]byte("abc,"), 70))
	f.Add(append(bytes.Repeat([]byte(","), 300), '"'))
	f.Fuzz(func(t *testing.T, line []byte) {
		var a, b [maxSpans + 8]int32
		na, sa := splitPlain(line, &a)
		nb, sb := splitSWAR(line, &b)
		if na != nb || sa != sb {
			t.Fatalf("line %q: splitPlain (%d, %v), splitSWAR (%d, %v)", line, na, sa, nb, sb)
		}
		for i := 0; i < min(na, maxSpans); i++ {
			if a[i] != b[i] {
				t.Fatalf("line %q: end %d: %d vs %d", line, i, a[i], b[i])
			}
		}
	})
}

// TestSplitPlainEveryPosition puts each special byte and a comma at every
// position of lines around the 64-byte block size.
func TestSplitPlainEveryPosition(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 63, 64, 65, 127, 128, 129, 1023, 1024, 1100} {
		for pos := 0; pos < n; pos++ {
			for _, c := range []byte{',', '"', 0, 0x80, 0xff, 'x'} {
				line := bytes.Repeat([]byte("a"), n)
				line[pos] = c
				if pos%3 == 0 && pos+1 < n {
					line[pos+1] = ','
				}
				var a, b [maxSpans + 8]int32
				na, sa := splitPlain(line, &a)
				nb, sb := splitSWAR(line, &b)
				if na != nb || sa != sb || a != b {
					t.Fatalf("n=%d pos=%d c=%#x: splitPlain (%d, %v) splitSWAR (%d, %v)", n, pos, c, na, sa, nb, sb)
				}
			}
		}
	}
}
