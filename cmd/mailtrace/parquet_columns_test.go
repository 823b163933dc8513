package main

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/internal/proptest"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// TestParquetColumnsSameFile: the columns written by goroutines make the
// file GenericWriter.Write makes of the same rows, byte for byte, for the
// rows of the sample organisation and for random rows of both schemas:
// more than two row groups, calls of random sizes, empty and long lists,
// absent and present optional values, strings from a few (dictionaries)
// and from many (a dictionary that outgrows its bound, pages cut early).
func TestParquetColumnsSameFile(t *testing.T) {
	rng := rand.New(rand.NewPCG(uint64(proptest.Seed(t)), 1))
	// Row groups of the real size, or (-short, as under the race
	// detector) of 3,000 rows.
	rowGroup := parquetRowGroup
	if testing.Short() {
		rowGroup = 3000
	}
	t.Run("events, sample organisation", func(t *testing.T) {
		sameParquetFile(t, rng, sampleEventRows(t), rowGroup, []int{parquetBatch})
	})
	t.Run("events, random", func(t *testing.T) {
		sameParquetFile(t, rng, randomRows[eventRow](rng, 2*rowGroup+3000), rowGroup, []int{parquetBatch, 1, 63, 64, 65, 1000, 5000})
	})
	t.Run("deliveries, random", func(t *testing.T) {
		sameParquetFile(t, rng, randomRows[deliveryRow](rng, rowGroup+100), rowGroup, []int{parquetBatch, 777})
	})
}

// sameParquetFile writes rows with one goroutine (GenericWriter.Write)
// and with 2 and 3, in row groups of rowGroup rows and calls of each size
// of sizes in turn (shuffled), and compares the files.
func sameParquetFile[T any](t *testing.T, rng *rand.Rand, rows []T, rowGroup int, sizes []int) {
	t.Helper()
	write := func(workers int, calls []int) []byte {
		var buf bytes.Buffer
		p := newParquetColumnsSized[T](&buf, workers, rowGroup)
		rest := rows
		for k := 0; len(rest) > 0; k++ {
			n := min(calls[k%len(calls)], len(rest))
			if err := p.write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if err := p.close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	calls := append([]int(nil), sizes...)
	rng.Shuffle(len(calls), func(i, j int) { calls[i], calls[j] = calls[j], calls[i] })
	want := write(1, calls)
	for _, workers := range []int{2, 3} {
		if got := write(workers, calls); !bytes.Equal(got, want) {
			t.Errorf("%d goroutines, calls of %v rows: a file of %d bytes, not the %d bytes of GenericWriter.Write", workers, calls, len(got), len(want))
		}
	}
	if len(want) == 0 {
		t.Fatal("no file")
	}
}

// sampleEventRows returns the rows of testdata/sample-org as "events"
// converts them.
func sampleEventRows(t *testing.T) []eventRow {
	t.Helper()
	inputs, err := msgtrk.OpenPaths("../../testdata/sample-org")
	if err != nil {
		t.Fatal(err)
	}
	m := msgtrk.NewMerger(inputs)
	var c parquetRows
	var rows []eventRow
	for m.Next() {
		c.add(m.Record())
		if len(c.rows) == parquetBatch {
			rows = append(rows, c.done()...)
			c = parquetRows{}
		}
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	rows = append(rows, c.done()...)
	if len(rows) < 1000 {
		t.Fatalf("%d rows in the sample organisation", len(rows))
	}
	return rows
}

// randomRows returns n rows of T with each field filled at random.
func randomRows[T any](rng *rand.Rand, n int) []T {
	few := []string{"", "EX01", "EX02", "SMTP", "STOREDRIVER", "RECEIVE", "DELIVER"}
	str := func() string {
		switch k := rng.IntN(64); {
		case k < 32:
			return few[rng.IntN(len(few))]
		case k < 62:
			return "msg-" + strconv.Itoa(rng.IntN(1<<30)) + "@contoso.com"
		case k < 63:
			return strings.Repeat(string(rune('a'+rng.IntN(26))), rng.IntN(2000))
		}
		return ""
	}
	rows := make([]T, n)
	for i := range rows {
		v := reflect.ValueOf(&rows[i]).Elem()
		for f := range v.NumField() {
			switch x := v.Field(f).Addr().Interface().(type) {
			case *int32:
				*x = rng.Int32N(3)
			case *int64:
				*x = rng.Int64()
			case *string:
				*x = str()
			case *[]string:
				*x = []string{}
				for range rng.IntN(4) {
					*x = append(*x, str())
				}
			case **int64:
				if rng.IntN(3) > 0 {
					n := rng.Int64N(1 << 40)
					*x = &n
				}
			case **float64:
				if rng.IntN(3) > 0 {
					s := rng.Float64() * 1000
					*x = &s
				}
			case **time.Time:
				if rng.IntN(3) > 0 {
					tm := time.UnixMilli(rng.Int64N(1<<42) + 1<<40).UTC()
					*x = &tm
				}
			default:
				panic("randomRows: a field of type " + v.Field(f).Type().String())
			}
		}
	}
	return rows
}

// failingWriter fails once more than n bytes were written to it.
type failingWriter struct{ n int }

var errDiskFull = errors.New("disk full")

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, errDiskFull
	}
	return len(p), nil
}

// TestParquetColumnsWriteError: when the output fails (a full disk, a
// closed pipe), the goroutines of the columns stop and the error comes
// back as it does from GenericWriter.Write, whatever the point it fails
// at: the first bytes, a dictionary page, the pages of a later row group.
func TestParquetColumnsWriteError(t *testing.T) {
	rng := rand.New(rand.NewPCG(uint64(proptest.Seed(t)), 2))
	rows := randomRows[eventRow](rng, 12000)
	write := func(limit, workers int) error {
		p := newParquetColumnsSized[eventRow](&failingWriter{limit}, workers, 3000)
		for i := 0; i < len(rows); i += parquetBatch {
			if err := p.write(rows[i:min(len(rows), i+parquetBatch)]); err != nil {
				return err
			}
		}
		return p.close()
	}
	for _, limit := range []int{0, 100, 100_000, 1 << 20} {
		want := write(limit, 1)
		if !errors.Is(want, errDiskFull) {
			t.Fatalf("failing after %d bytes, GenericWriter.Write: %v", limit, want)
		}
		for _, workers := range []int{2, 3} {
			if got := write(limit, workers); got == nil || got.Error() != want.Error() {
				t.Errorf("failing after %d bytes, %d goroutines: %v, want %v", limit, workers, got, want)
			}
		}
	}
}
