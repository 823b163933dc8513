package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// simOrg writes a simulated organisation of about n rows, in small files
// (so that each server's logs are a chain of several), to a temporary
// directory.
func simOrg(tb testing.TB, n int) string {
	tb.Helper()
	dir := tb.TempDir()
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 7, Events: n, Rate: 20, MaxSkew: time.Minute, MaxFileBytes: 256 << 10,
		OnMessage: func(msgtrktest.MessageTruth) {}})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := sim.WriteDir(dir); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// eventsSequential is "mailtrace events" as it was written before the
// pipeline, row after row on one goroutine: read, filter, write with the
// writer of the format. It is the reference the pipeline must equal.
func eventsSequential(args []string, stdout, stderr io.Writer) error {
	c := newCommon("events", stderr, true)
	out := c.addOutputFlags(formatTable, formatCSV, formatJSONL, formatJSON, formatParquet)
	paths, err := c.parse(args)
	if err != nil {
		return err
	}
	inputs, err := c.openInputs(paths)
	if err != nil {
		return err
	}
	bw := out.writer(stdout)
	w := newEventWriter(out.format, bw, c.loc)
	src := c.newSource(inputs, stderr)
	n := 0
	for !c.limit(n) && src.Next() {
		rec := src.Record()
		if !c.filter.Match(rec) {
			continue
		}
		c.coverage.AddRecord(rec)
		if err := w.write(rec); err != nil {
			return err
		}
		n++
	}
	if c.limit(n) {
		src.Close()
	}
	if err := w.close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := src.finish(); err != nil {
		return err
	}
	c.limited(stderr, n, "events")
	return c.noMatchError(stderr, n, "event")
}

// TestEventsPipelineSameOutput: the pipelined command writes, byte for
// byte, what the row-by-row writers write, in every format, with and
// without filters (one that selects nothing among them) and -result-size
// (cutting inside a batch and inside a table block), with more workers
// than batches can keep busy so that they finish out of order. The same
// for the exit status and standard error.
func TestEventsPipelineSameOutput(t *testing.T) {
	dir := simOrg(t, 6000)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	filters := [][]string{
		nil,
		{"-event-id", "deliver,send"},
		{"-sender", "nobody@nowhere.invalid"},
		{"-result-size", "1777"},
		{"-result-size", "3", "-source", "smtp"},
		{"-recipient", "*@contoso.com", "-result-size", "900"},
		{"-subject", "e", "-tz", "Europe/Berlin", "-excel"},
	}
	rows := 0
	for _, f := range []format{formatTable, formatCSV, formatJSONL, formatJSON, formatParquet} {
		for _, extra := range filters {
			args := append([]string{"-quiet", "-format", string(f)}, extra...)
			args = append(args, dir)
			var wantOut, wantErr, gotOut, gotErr bytes.Buffer
			werr := eventsSequential(args, &wantOut, &wantErr)
			gerr := runEvents(args, &gotOut, &gotErr)
			name := fmt.Sprintf("events %s", strings.Join(args[:len(args)-1], " "))
			if fmt.Sprint(werr) != fmt.Sprint(gerr) {
				t.Errorf("%s: error %v, want %v", name, gerr, werr)
			}
			if !bytes.Equal(gotOut.Bytes(), wantOut.Bytes()) {
				t.Errorf("%s: %d bytes written, want %d (the row-by-row writers'); first difference at byte %d",
					name, gotOut.Len(), wantOut.Len(), firstDiff(gotOut.Bytes(), wantOut.Bytes()))
			}
			if gotErr.String() != wantErr.String() {
				t.Errorf("%s: stderr %q, want %q", name, gotErr.String(), wantErr.String())
			}
			if f == formatCSV && extra == nil {
				rows = bytes.Count(gotOut.Bytes(), []byte("\n")) - 1
			}
		}
	}
	// More than a few batches and table blocks, or the test proves little.
	if rows < 4*eventBatchRows {
		t.Errorf("%d rows: too few for the test", rows)
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestEventsPipelineStrict: a malformed line in the middle of a file
// ends the run under -strict after the rows before it, and is skipped
// with a warning without it, as row by row.
func TestEventsPipelineStrict(t *testing.T) {
	dir := simOrg(t, 3000)
	inputs, err := msgtrk.OpenPaths(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := inputs[0].Name
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	k := len(lines) / 2
	bad := slices.Concat(slices.Concat(lines[:k]...), []byte("garbage,\"unterminated\r\n"), slices.Concat(lines[k:]...))
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-strict", "-format", "jsonl"}, {"-strict"}, {"-format", "csv"}} {
		args = append(args, dir)
		var wantOut, wantErr, gotOut, gotErr bytes.Buffer
		werr := eventsSequential(args, &wantOut, &wantErr)
		gerr := runEvents(args, &gotOut, &gotErr)
		if fmt.Sprint(werr) != fmt.Sprint(gerr) || gotOut.String() != wantOut.String() || gotErr.String() != wantErr.String() {
			t.Errorf("events %q: error %v, %d bytes, stderr %q; row by row: %v, %d bytes, stderr %q",
				args, gerr, gotOut.Len(), gotErr.String(), werr, wantOut.Len(), wantErr.String())
		}
		if args[0] == "-strict" && werr == nil {
			t.Errorf("events %q: no error", args)
		}
	}
}

// TestEventsFileOfEachRow: each row names the file it was read from, the
// first row of each file of a chain too (the reader of a finished file is
// reused for the next one), in the pipelined JSON and CSV.
func TestEventsFileOfEachRow(t *testing.T) {
	dir := simOrg(t, 3000)
	inputs, err := msgtrk.OpenPaths(dir)
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string][][]byte{} // file → its lines
	for _, in := range inputs {
		rc, err := in.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		lines[in.Name] = bytes.Split(data, []byte("\n"))
	}
	var out, errOut bytes.Buffer
	if err := runEvents([]string{"-quiet", "-format", "csv", dir}, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	firsts := 0
	for i, row := range bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n"))[1:] {
		// timestamp,server,file,line,date_time,…: the file's line starts
		// with the row's date-time as written.
		cells := strings.SplitN(string(row), ",", 6)
		var line int
		fmt.Sscan(cells[3], &line)
		file := lines[cells[2]]
		if line < 1 || line > len(file) || !bytes.HasPrefix(file[line-1], []byte(cells[4]+",")) {
			t.Fatalf("row %d names %s line %s, which is not that row", i+1, cells[2], cells[3])
		}
		if line >= 2 && bytes.HasPrefix(file[line-2], []byte("#Fields:")) {
			firsts++
		}
	}
	if firsts <= len(lines)/2 {
		t.Errorf("only %d first rows of %d files checked", firsts, len(lines))
	}
}

// TestEventsPipelineNoAllocs: once their buffers have grown, a worker
// formats a batch, and the writer writes it, without an allocation (so
// none per row), in each format but Parquet (whose writer allocates).
// (Filtering and copying a row into a batch allocate nothing either:
// filter's and msgtrk.Batch's tests.)
func TestEventsPipelineNoAllocs(t *testing.T) {
	data := simRows(t, 3000)
	r := msgtrk.NewReaderBytes(data)
	b := &eventBatch{}
	for r.Next() && b.rows.Len() < eventBatchRows {
		b.rows.Append(r.Record())
	}
	for _, f := range []format{formatTable, formatCSV, formatJSONL, formatJSON} {
		rf := newRowFormatter(f, time.UTC)
		sink := newEventSink(f, bufio.NewWriter(io.Discard), time.UTC)
		batch := func() {
			rf.format(b)
			if err := sink.write(b, b.rows.Len()); err != nil {
				t.Fatal(err)
			}
		}
		for range 3 {
			batch() // grow the buffers
		}
		// Each run is a batch of 1024 rows: one allocation per row would
		// count 1024, one per batch 1.
		if n := testing.AllocsPerRun(20, batch); n != 0 {
			t.Errorf("events -format %s: %v allocations per batch of %d rows, want 0", f, n, b.rows.Len())
		}
	}
}
