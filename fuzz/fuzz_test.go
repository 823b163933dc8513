package fuzz

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mailtrace/mailtrace/internal/fuzzgen"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// realDir holds the real samples (testdata/real/SOURCES.md says where each
// comes from); casesDir the correlator's cases.
const (
	realDir  = "../testdata/real"
	casesDir = "../correlate/testdata/cases"
)

// seedFiles returns the seed inputs shared by the fuzzers: every real log
// sample, every correlator case file, every case's files concatenated (two
// header blocks in one stream), generated logs and the table inputs of the
// adversarial suite.
func seedFiles(tb testing.TB) [][]byte {
	tb.Helper()
	var seeds [][]byte
	real, _ := filepath.Glob(filepath.Join(realDir, "*.log"))
	if len(real) == 0 {
		tb.Fatalf("no real samples in %s", realDir)
	}
	for _, name := range real {
		seeds = append(seeds, readFile(tb, name))
	}
	cases, _ := filepath.Glob(filepath.Join(casesDir, "*"))
	for _, dir := range cases {
		var files []string
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".LOG") {
				files = append(files, path)
			}
			return nil
		})
		slices.Sort(files)
		var all []byte
		for _, f := range files {
			data := readFile(tb, f)
			seeds = append(seeds, data)
			all = append(all, data...)
		}
		if len(files) > 1 {
			seeds = append(seeds, all)
		}
	}
	for seed := int64(1); seed <= 8; seed++ {
		l := fuzzgen.GenLog(rand.New(rand.NewSource(seed)), fuzzgen.LogOptions{Lines: 30, Noise: int(seed % 3 * 5)})
		seeds = append(seeds, l.AppendTo(nil))
	}
	for _, in := range tableInputs {
		seeds = append(seeds, []byte(in))
	}
	return seeds
}

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// hdr2016 is the header of a 2016 log.
var hdr2016 = "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.039\r\n#Log-type: Message Tracking Log\r\n#Fields: " +
	strings.Join(msgtrk.Layout2016.FieldNames(), ",") + "\r\n"

// row2016 is a well-formed SMTP SEND row of the 2016 layout.
const row2016 = `2024-01-07T00:00:07.463Z,192.168.0.1,exchange,192.168.0.2,exchange.example.com,;250 2.0.0 OK <id@host> [InternalId=29519319995411, Hostname=next.example.com] Queued mail for delivery;ClientSubmitTime:,Intra-Organization SMTP Send Connector,SMTP,SEND,29519319995411,<id@host>,0b7099ea-cb95-1234-328e-08dc5f139ac8,'a;b'@example.com;o'brien@example.com,250 2.1.5 Recipient OK;'[{LED=550 5.1.1 x;y};{MSG=}]',38663,2,,,"ein ""Titel"", mit Komma",support@example.com,support@example.com,2024-01-07T00:00:05.535Z;LSRV=exchange.example.com:TOTAL-HUB=1.921|SMR=0.127(SMRDE=0.002|SMRC=0.125)|QDM=0.010,Originating,,,,S:E2ELatency=1.928;'S:X=a;b';S:AMA=SUM|v=0|action=|error=|atch=2;S:TRA=ETRP|ruleId=ff116ef4-0000-0000-0000-000000000000|st=2023-05-12T07:55:40.0000000Z|ExecW=4|ExecC=0|Conditions=GTOEP,Email,dc69df25-1234-564c-41c4-08dc1db88f7f,15.02.0330.005`

// tableInputs are small hostile inputs, one per trap.
var tableInputs = []string{
	"",
	"\uFEFF",
	"\uFEFF\r\n",
	"\r\n\r\n\n",
	hdr2016,
	hdr2016 + row2016 + "\r\n",
	hdr2016 + row2016, // truncated last line
	hdr2016 + "\"" + row2016 + "\r\n" + row2016 + "\r\n", // unterminated quote, then a good row
	hdr2016 + row2016[:40] + "\x00" + row2016[40:] + "\r\n" + row2016 + "\r\n",
	hdr2016 + row2016[:40] + "\xff" + row2016[40:] + "\r\n" + row2016 + "\r\n",
	hdr2016 + "\uFEFF" + row2016 + "\r\n\uFEFF" + hdr2016 + row2016 + "\r\n",
	hdr2016 + row2016 + "\r\n#Fields: date-time,event-id,message-id\r\n2024-01-07T00:00:08Z,RECEIVE,<id@host>\r\n",
	"#Fields: date-time,message-info\r\n2024-01-07T00:00:08Z,\"2024-01-07T00:00:05.535Z;LSRV=a:TOTAL=1(" + strings.Repeat("X=1(", 40) + "\"\r\n",
	"#Fields: custom-data\r\n" + strings.Repeat("S:A=1;", 200) + "\r\n",
	"#Fields: recipient-address,recipient-status\r\n'a;b;'c;'',\"'[{LED=1};{x\"\r\n",
	"#Fields:\r\n#Date: never\r\n#\r\nrow before fields\r\n",
	row2016 + "\r\n", // no header: the 30 columns are guessed
}

// FuzzPipeline runs arbitrary bytes, and the log GenLog makes of them,
// through the whole library: the Reader
// (GuessFields on), every field decoder on every row (custom-data,
// message-info, source-context, each recipient-status member, and the
// record-level helpers that position their errors), and a Tracker with
// small bounds, advanced by each row's time and flushed at the end. See
// runPipeline for the invariants: no panic, slices and error positions
// inside the input, every line accounted for, the streaming Reader agreeing
// with the in-memory one, every row in exactly one trace or counted, the
// open-trace bound held, and every trace's JSON parsing back.
func FuzzPipeline(f *testing.F) {
	for _, s := range seedFiles(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		runPipeline(t, data, smallPipe)
		// The same bytes as the choices of the log generator: realistic
		// rows of a few messages, so that the correlator stitches,
		// expires, evicts and truncates real traces.
		l := fuzzgen.GenLog(fuzzgen.NewBytes(data), fuzzgen.LogOptions{Lines: 60, Noise: 3, MaxLineBytes: 4096})
		c := smallPipe
		c.maxLine = l.MaxLineBytes
		c.stream = false
		c.sharded = true
		runPipeline(t, l.AppendTo(nil), c)
		if len(data) > 64 {
			// The same bytes under a limit they exceed.
			c := smallPipe
			c.maxLine = 64
			runPipeline(t, data, c)
		}
	})
}

// FuzzCSVDifferential checks the CSV layer of the public Reader against
// encoding/csv (LazyQuotes off: both reject bare and extraneous quotes) on
// one line, read under a #Fields: header of as many columns as the line
// has, so that every line that splits is a row. msgtrk's own
// FuzzSplitDifferential checks the splitter inside the package; this one
// goes through Reader.Next, Record.Column and the error reporting.
//
// Lines the Reader reads differently from a CSV file by design are
// checked against that design: a NUL byte (ErrNUL), invalid UTF-8
// (ErrInvalidUTF8), more than MaxFields fields (ErrTooManyFields), a
// leading '#' (a directive) and a leading byte order mark (dropped).
func FuzzCSVDifferential(f *testing.F) {
	for _, s := range []string{
		`a,b,c`, `"a,b",c`, `"say ""hi""",x`, `a"b,c`, `"a"b,c`, `"unterminated,x`, `,,`, `"",""`, `"a""`, `é,"ж,ж"`,
		row2016, `a,"b`, `"`, `""`, `"""`, "\uFEFFa,b", "#x,y", "a\x00b", "a,\xffb", strings.Repeat(",", 300), ` "a",b`, `a ,"b" `,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if line == "" || strings.ContainsAny(line, "\r\n") {
			return // one line, not blank
		}
		body := strings.TrimPrefix(line, "\uFEFF")
		if body == "" || body[0] == '#' {
			return // a blank line or a directive
		}
		cr := csv.NewReader(strings.NewReader(body))
		cr.FieldsPerRecord = -1
		want, werr := cr.Read()
		if werr == io.EOF {
			return
		}
		width := len(want)
		if werr != nil {
			width = strings.Count(body, ",") + 1
		}
		if width > msgtrk.MaxFields {
			width = msgtrk.MaxFields
		}
		names := make([]string, width)
		for i := range names {
			names[i] = fmt.Sprintf("c%d", i)
		}
		input := "#Fields: " + strings.Join(names, ",") + "\r\n" + line + "\r\n"
		r := msgtrk.NewReader(strings.NewReader(input))
		var errs []*msgtrk.ParseError
		r.ErrorHandler = func(e *msgtrk.ParseError) { errs = append(errs, e) }
		got := r.Next()
		if r.Next() {
			t.Fatalf("line %q read as two rows", line)
		}
		if st := r.Stats(); st.Lines != 2 || st.Directives != 1 || st.Records+st.Errors != 1 {
			t.Fatalf("line %q: stats %+v", line, st)
		}
		var wantErr error
		switch {
		case strings.IndexByte(body, 0) >= 0:
			wantErr = msgtrk.ErrNUL
		case !utf8.ValidString(body):
			wantErr = msgtrk.ErrInvalidUTF8
		case werr != nil:
			// csv says why; we say ErrQuote or ErrBareQuote.
		case len(want) > msgtrk.MaxFields:
			wantErr = msgtrk.ErrTooManyFields
		}
		if wantErr != nil || werr != nil {
			if got || len(errs) != 1 {
				t.Fatalf("line %q: want an error (%v / csv: %v), got row %v, errors %v", line, wantErr, werr, got, errs)
			}
			e := errs[0]
			if wantErr != nil && !errors.Is(e, wantErr) {
				t.Fatalf("line %q: error %v, want %v", line, e, wantErr)
			}
			// More than MaxFields separators: the Reader may stop counting
			// before it reaches the quote csv complains about.
			tooMany := errors.Is(e, msgtrk.ErrTooManyFields) && strings.Count(body, ",")+1 > msgtrk.MaxFields
			if wantErr == nil && !errors.Is(e, msgtrk.ErrQuote) && !errors.Is(e, msgtrk.ErrBareQuote) && !tooMany {
				t.Fatalf("line %q: csv says %v, Reader says %v", line, werr, e)
			}
			if e.Line != 2 || e.Column < 1 || e.Column > len(line)+1 {
				t.Fatalf("line %q: error at %d:%d", line, e.Line, e.Column)
			}
			return
		}
		if !got {
			t.Fatalf("line %q: csv reads %q, Reader reports %v", line, want, errs)
		}
		rec := r.Record()
		if rec.NumColumns() != len(want) {
			t.Fatalf("line %q: %d columns, csv %d", line, rec.NumColumns(), len(want))
		}
		for i := range want {
			if string(rec.Column(i)) != want[i] {
				t.Fatalf("line %q column %d: %q, csv %q", line, i, rec.Column(i), want[i])
			}
		}
	})
}

// mergeFile is one input of FuzzMergeOrder.
type mergeFile struct {
	name, server string
	data         []byte
}

// FuzzMergeOrder reads several small files through msgtrk.Merger and
// checks its output against a reference merge: each file is read alone by a
// Reader; files of one server and kind with recognised names form a chain
// (a second file of the same name, a log collected twice, a chain of its
// own); each row's key is its date-time, or its chain's previous key when
// the date-time does not parse; the output is then, at every step, the head
// of the chain with the smallest key, ties to the earlier chain. So every
// input row comes out exactly once, rows of a chain keep their order, and
// when every chain is in time order the output is in non-decreasing
// date-time order.
//
// The first byte chooses between files generated from the rest of the
// input (realistic, mostly ordered rows) and the rest split at 0xFE bytes
// (anything at all); the next bytes name each file.
func FuzzMergeOrder(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
	f.Add([]byte{2, 0x21, 0x21, 0x13, 0x10, 0x99, 7, 7, 7, 3, 200, 100, 50, 25})
	for _, s := range seedFiles(f) {
		if len(s) < 4096 {
			half := len(s) / 2
			f.Add(append(append(append([]byte{1, 0x10, 0x11}, s[:half]...), 0xFE), s[half:]...))
			f.Add(append(append(append([]byte{1, 0x00, 0x00}, s...), 0xFE), s...))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		files := mergeFiles(data)
		checkMerge(t, files)
	})
}

var mergeServers = []string{"EX1", "EX2", ""}
var mergeKinds = []string{"MSGTRK", "MSGTRKMD", "MSGTRKMS"}

// mergeFiles builds the files of a FuzzMergeOrder input.
func mergeFiles(data []byte) []mergeFile {
	mode, rest := data[0], data[1:]
	var parts [][]byte
	var names []byte
	if mode%2 == 0 {
		r := fuzzgen.NewBytes(rest)
		n := 1 + r.Intn(5)
		for i := 0; i < n; i++ {
			names = append(names, byte(r.Intn(256)))
		}
		s := fuzzgen.Stream{Time: time.Date(2024, 5, 6, 8, 0, 0, 0, time.UTC)}
		for i := 0; i < n; i++ {
			var b []byte
			b = append(b, hdr2016...)
			for k := r.Intn(6); k > 0; k-- {
				e := s.Event(r)
				vals := make([]string, msgtrk.NumFields)
				for f := range vals {
					vals[f] = e.Fields[f]
				}
				b = msgtrk.AppendRow(b, vals)
				b = append(b, "\r\n"...)
			}
			parts = append(parts, b)
		}
	} else {
		parts = bytes.Split(rest, []byte{0xFE})
		if len(parts) > 6 {
			parts = append(parts[:5], bytes.Join(parts[5:], []byte{0xFE}))
		}
		// Names come from the first byte of each part.
		for i, p := range parts {
			if len(p) > 0 {
				names = append(names, p[0])
				parts[i] = p[1:]
			} else {
				names = append(names, 0)
			}
		}
	}
	files := make([]mergeFile, len(parts))
	for i, p := range parts {
		c := names[i]
		server := mergeServers[int(c&3)%len(mergeServers)]
		kind := mergeKinds[int(c>>2&3)%len(mergeKinds)]
		day, seq := 1+int(c>>4&1), 1+int(c>>5&3)
		name := fmt.Sprintf("%s2024050%d-%d.LOG", kind, day, seq)
		if c&0xC0 == 0xC0 {
			name = fmt.Sprintf("stream%d.txt", i) // not a tracking log name
		}
		files[i] = mergeFile{name: name, server: server, data: p}
	}
	return files
}

// checkMerge runs a Merger over files and compares it with the reference
// merge.
func checkMerge(t testing.TB, files []mergeFile) {
	t.Helper()
	inputs := make([]msgtrk.Input, len(files))
	for i, f := range files {
		fn, _ := msgtrk.ParseFileName(f.name)
		inputs[i] = msgtrk.Input{
			Name:     fmt.Sprintf("%s/%s#%d", f.server, f.name, i),
			Server:   f.server,
			FileName: fn,
			Size:     int64(len(f.data)),
			Open:     func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(f.data)), nil },
		}
	}
	msgtrk.SortInputs(inputs)

	// The reference: chains built as documented, each file read alone.
	type row struct {
		file string
		line int64
		key  time.Time
	}
	type chainKey struct {
		server, kind, service string
		copy                  int
	}
	var chains [][]row
	byKey := map[chainKey]int{}
	lastName := map[int]msgtrk.FileName{}
	var want msgtrk.Stats
	for _, in := range inputs {
		ci := -1
		if in.FileName.Kind != msgtrk.LogUnknown {
			k := chainKey{in.Server, in.FileName.Kind.Prefix(), in.Service, 0}
			for {
				c, ok := byKey[k]
				if !ok {
					break
				}
				last := lastName[c]
				if last.Start.Equal(in.FileName.Start) && last.Seq == in.FileName.Seq && last.Hourly == in.FileName.Hourly {
					k.copy++
					continue
				}
				ci = c
				break
			}
			if ci < 0 {
				ci = len(chains)
				chains = append(chains, nil)
				byKey[k] = ci
			}
			lastName[ci] = in.FileName
		} else {
			ci = len(chains)
			chains = append(chains, nil)
		}
		rc, _ := in.Open()
		r := msgtrk.NewReader(rc)
		r.Name = in.Name
		r.GuessFields = true
		r.ErrorHandler = func(*msgtrk.ParseError) {}
		var key time.Time
		if n := len(chains[ci]); n > 0 {
			key = chains[ci][n-1].key
		}
		for r.Next() {
			rec := r.Record()
			if tm, ok := msgtrk.ParseTime(rec.Field(msgtrk.DateTime)); ok {
				key = tm
			}
			chains[ci] = append(chains[ci], row{in.Name, rec.LineNumber(), key})
		}
		s := r.Stats()
		want.Lines += s.Lines
		want.Records += s.Records
		want.Directives += s.Directives
		want.Blank += s.Blank
		want.Errors += s.Errors
		want.Bytes += s.Bytes
	}
	sorted := true
	for _, c := range chains {
		sorted = sorted && slices.IsSortedFunc(c, func(a, b row) int { return a.key.Compare(b.key) })
	}
	var expect []row
	heads := make([]int, len(chains))
	for {
		best := -1
		for ci, c := range chains {
			if heads[ci] < len(c) && (best < 0 || c[heads[ci]].key.Before(chains[best][heads[best]].key)) {
				best = ci
			}
		}
		if best < 0 {
			break
		}
		expect = append(expect, chains[best][heads[best]])
		heads[best]++
	}

	m := msgtrk.NewMerger(inputs)
	m.GuessFields = true
	m.ErrorHandler = func(*msgtrk.ParseError) {}
	var got []row
	for m.Next() {
		rec := m.Record()
		got = append(got, row{rec.Origin().File, rec.LineNumber(), time.Time{}})
		if len(got) > len(expect) {
			break
		}
	}
	if err := m.Err(); err != nil {
		t.Fatalf("Merger.Err() = %v with an ErrorHandler set", err)
	}
	if sorted {
		for i := 1; i < len(expect); i++ {
			if expect[i].key.Before(expect[i-1].key) {
				t.Fatalf("every chain is in time order, yet row %d (%v) comes out before row %d (%v)", i-1, expect[i-1].key, i, expect[i].key)
			}
		}
	}
	for i := range expect {
		expect[i].key = time.Time{}
	}
	if !slices.Equal(got, expect) {
		t.Fatalf("merge order (file, line):\ngot  %v\nwant %v", got, expect)
	}
	if s := m.Stats(); s != want {
		t.Fatalf("Merger.Stats %+v, sum of the files' %+v", s, want)
	}
	if m.OpenFiles() != 0 {
		t.Fatalf("%d files still open after the merge", m.OpenFiles())
	}
}

// FuzzNothingLost drives the log generator with the fuzzer's bytes: the
// generated file, read back, must give exactly the generated rows (values
// unchanged, in order) and report exactly the generated malformed lines,
// each with its sentinel; see checkNothingLost.
func FuzzNothingLost(f *testing.F) {
	for seed := int64(1); seed <= 16; seed++ {
		b := make([]byte, 256)
		rand.New(rand.NewSource(seed)).Read(b)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l := fuzzgen.GenLog(fuzzgen.NewBytes(data), fuzzgen.LogOptions{Lines: 40, Noise: 10})
		if msg := checkNothingLost(&l); msg != "" {
			t.Fatal(msg)
		}
	})
}
