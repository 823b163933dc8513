package msgtrk_test

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// rowView is what a test compares of a row: where it came from and its
// bytes, column by column.
type rowView struct {
	File   string
	Line   int64
	Time   string
	Fields []string
}

func viewOf(rec *msgtrk.Record) rowView {
	v := rowView{File: rec.Origin().File, Line: rec.LineNumber()}
	if t, err := rec.Time(); err == nil {
		v.Time = t.Format(time.RFC3339Nano)
	}
	for i := range rec.NumColumns() {
		v.Fields = append(v.Fields, rec.ColumnName(i)+"="+string(rec.Column(i)))
	}
	return v
}

func collect(src msgtrk.Rows) []rowView {
	var out []rowView
	for src.Next() {
		out = append(out, viewOf(src.Record()))
	}
	return out
}

// TestReadaheadSameRows: a Readahead yields the rows of its source, in
// order, with their origins, line numbers and times, whatever its batch
// size (1, a size that does not divide the row count, the default), and
// its source's error at the end.
func TestReadaheadSameRows(t *testing.T) {
	inputs := func(t *testing.T) []msgtrk.Input {
		in, err := msgtrk.OpenPaths("../testdata/sample-org")
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	want := collect(msgtrk.NewMerger(inputs(t)))
	if len(want) < 1000 {
		t.Fatalf("only %d rows in the sample organisation", len(want))
	}
	for _, rows := range []int{1, 7, 0} {
		t.Run(fmt.Sprint("rows=", rows), func(t *testing.T) {
			ra := msgtrk.NewReadahead(msgtrk.NewMerger(inputs(t)), rows)
			got := collect(ra)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rows differ (-merger +readahead):\n%s", diff)
			}
			if err := ra.Err(); err != nil {
				t.Errorf("Err = %v", err)
			}
			if ra.Next() {
				t.Error("Next after the end reported a row")
			}
		})
	}
}

// TestReadaheadError: the source's error comes through Err after the last
// row, and not before.
func TestReadaheadError(t *testing.T) {
	r := msgtrk.NewReader(strings.NewReader(hdr3 + "t1,m1,s1\r\nt2,m2,\"unterminated\r\n"))
	r.Mode = msgtrk.Strict
	ra := msgtrk.NewReadahead(r, 0)
	if ra.Err() != nil {
		t.Error("Err before the end is not nil")
	}
	n := 0
	for ra.Next() {
		n++
	}
	var pe *msgtrk.ParseError
	if !errors.As(ra.Err(), &pe) || pe.Line == 0 {
		t.Fatalf("Err = %v, want the reader's ParseError with its line", ra.Err())
	}
	if n != 1 {
		t.Errorf("%d rows before the error, want 1", n)
	}
}

// endless is a source that never ends and counts how often it was read.
type endless struct {
	r *msgtrk.Reader
}

func (e *endless) Next() bool             { return e.r.Next() }
func (e *endless) Record() *msgtrk.Record { return e.r.Record() }
func (e *endless) Err() error             { return nil }

// TestReadaheadClose: Close stops the reading goroutine of a source that
// would never end, and Next reports false after it.
func TestReadaheadClose(t *testing.T) {
	before := runtime.NumGoroutine()
	r := msgtrk.NewReader(&cycleReader{data: []byte("t,m,s\r\n")})
	r.Fields = []string{"date-time", "message-id", "message-subject"}
	ra := msgtrk.NewReadahead(&endless{r}, 16)
	for range 100 {
		if !ra.Next() {
			t.Fatal("an endless source ended")
		}
	}
	ra.Close()
	ra.Close() // twice is fine
	if ra.Next() {
		t.Error("Next after Close reported a row")
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close, %d before", n, before)
	}
}

// TestReadaheadAllocs: once its batches have grown, reading through a
// Readahead allocates nothing per row.
func TestReadaheadAllocs(t *testing.T) {
	r := msgtrk.NewReader(&cycleReader{data: []byte("2024-03-04T08:00:00.000Z,m,\"x,y\"\r\n")})
	r.Fields = []string{"date-time", "message-id", "message-subject"}
	ra := msgtrk.NewReadahead(&endless{r}, 256)
	defer ra.Close()
	read := func() {
		for range 10_000 {
			ra.Next()
			_, _ = ra.Record().Time()
			_ = ra.Record().Field(msgtrk.MessageSubject)
		}
	}
	read()
	if n := testing.AllocsPerRun(10, read); n != 0 {
		t.Errorf("%v allocations per 10,000 rows", n)
	}
}

// lineBatch is what TestReadaheadPrepared's prepare makes of a batch: the
// line numbers of its rows, read on the reading goroutine, and how many
// times the value was handed back to be reused.
type lineBatch struct {
	lines  []int64
	reused int
}

// TestReadaheadPrepared: NewReadaheadFunc's prepare sees every batch
// before the consumer, Prepared gives what it made of the current row's
// batch with the row's index in it, and each value comes back to prepare
// with its batch, to be reused; without prepare, Prepared gives nil.
func TestReadaheadPrepared(t *testing.T) {
	in, err := msgtrk.OpenPaths("../testdata/sample-org")
	if err != nil {
		t.Fatal(err)
	}
	made := 0
	prepare := func(b *msgtrk.Batch, prev any) any {
		lb, _ := prev.(*lineBatch)
		if lb == nil {
			lb = new(lineBatch)
			made++
		} else {
			lb.reused++
		}
		lb.lines = lb.lines[:0]
		for i := range b.Len() {
			lb.lines = append(lb.lines, b.Record(i).LineNumber())
		}
		return lb
	}
	ra := msgtrk.NewReadaheadFunc(msgtrk.NewMerger(in), 7, prepare)
	rows, reused := 0, 0
	for ra.Next() {
		p, i := ra.Prepared()
		lb, ok := p.(*lineBatch)
		if !ok {
			t.Fatalf("row %d: Prepared gave %T", rows, p)
		}
		if lb.lines[i] != ra.Record().LineNumber() {
			t.Fatalf("row %d: prepared line %d at index %d, the row's is %d", rows, lb.lines[i], i, ra.Record().LineNumber())
		}
		reused = max(reused, lb.reused)
		rows++
	}
	if rows < 1000 {
		t.Fatalf("only %d rows", rows)
	}
	if made > 3 || reused == 0 {
		t.Errorf("%d values made for %d batches, reused at most %d times: the values are not handed back", made, (rows+6)/7, reused)
	}
	plain := msgtrk.NewReadahead(msgtrk.NewReader(strings.NewReader(hdr3+"t1,m1,s1\r\n")), 0)
	if !plain.Next() {
		t.Fatal(plain.Err())
	}
	if p, _ := plain.Prepared(); p != nil {
		t.Errorf("Prepared without prepare = %v, want nil", p)
	}
}
