package msgtrk_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// repeatReader streams data again and again until n bytes were read, so a
// benchmark reads one long input through the io.Reader path.
type repeatReader struct {
	data []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.off == len(r.data) {
		return 0, io.EOF
	}
	n := copy(p, r.data[r.off:])
	r.off += n
	return n, nil
}

func BenchmarkRead(b *testing.B) {
	const rows = 10000
	data := msgtrk.GenLog(rows, 1)
	b.Logf("input: %d rows, %d bytes, %.0f bytes/row", rows, len(data), float64(len(data))/rows)
	body := data[bytes.Index(data, []byte("\n2024"))+1:]

	b.Run("msgtrk/tokenize", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		r := msgtrk.NewReader(nil)
		for b.Loop() {
			r.Reset(&repeatReader{data: data})
			n := 0
			for r.Next() {
				n++
			}
			if n != rows || r.Err() != nil {
				b.Fatalf("read %d rows, err %v", n, r.Err())
			}
		}
	})
	b.Run("msgtrk/bytes", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		r := msgtrk.NewReaderBytes(nil)
		for b.Loop() {
			r.ResetBytes(data)
			n := 0
			for r.Next() {
				n++
			}
			if n != rows || r.Err() != nil {
				b.Fatalf("read %d rows, err %v", n, r.Err())
			}
		}
	})
	b.Run("msgtrk/fields", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		r := msgtrk.NewReader(nil)
		var s msgtrk.ListScanner
		for b.Loop() {
			r.Reset(&repeatReader{data: data})
			n, total := 0, 0
			for r.Next() {
				rec := r.Record()
				t, err := rec.Time()
				if err != nil {
					b.Fatal(err)
				}
				total += t.Nanosecond() & 1
				total += len(rec.Field(msgtrk.MessageID)) + len(rec.Field(msgtrk.MessageSubject))
				if rec.EventType() == msgtrk.EventUnknown {
					b.Fatal("unknown event")
				}
				rec.List(msgtrk.RecipientAddress, &s)
				for s.Next() {
					total += len(s.Bytes())
				}
				if _, err := rec.Int(msgtrk.TotalBytes); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != rows || r.Err() != nil {
				b.Fatalf("read %d rows, err %v", n, r.Err())
			}
		}
	})
	b.Run("encoding-csv/reuse", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			cr := csv.NewReader(&repeatReader{data: body})
			cr.ReuseRecord = true
			cr.FieldsPerRecord = 30
			n := 0
			for {
				_, err := cr.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != rows {
				b.Fatalf("read %d rows", n)
			}
		}
	})
	b.Run("strings-split", func(b *testing.B) {
		// The naive approach of SIEM pipelines: split lines, split on ','.
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			n := 0
			for _, line := range strings.Split(string(body), "\r\n") {
				if line == "" {
					continue
				}
				n += len(strings.Split(line, ","))
			}
			if n < rows*30 {
				b.Fatalf("read %d fields", n)
			}
		}
	})
}

// BenchmarkWrite writes the rows of a generated log back out: WriteRecord
// (the redaction path: copy each row as read) and WriteEvent (from owned
// events), with encoding/csv's Writer over the same values for scale.
func BenchmarkWrite(b *testing.B) {
	const rows = 2000
	data := msgtrk.GenLog(rows, 1)
	r := msgtrk.NewReaderBytes(data)
	var recs []*msgtrk.Record
	var events []msgtrk.Event
	var cells [][]string
	for r.Next() {
		rec := r.Record().Clone()
		recs = append(recs, rec)
		events = append(events, rec.Event())
		row := make([]string, 0, len(r.Header().Fields))
		for _, name := range r.Header().Fields {
			v, _ := rec.Lookup(name)
			row = append(row, string(v))
		}
		cells = append(cells, row)
	}
	if r.Err() != nil || len(recs) != rows {
		b.Fatalf("read %d rows: %v", len(recs), r.Err())
	}
	h := r.Header()
	// writeFile writes the header, then the rows with writeRows.
	writeFile := func(b *testing.B, writeRows func(w *msgtrk.Writer) error) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			w := msgtrk.NewWriter(io.Discard)
			if err := w.WriteHeader(h); err != nil {
				b.Fatal(err)
			}
			if err := writeRows(w); err != nil {
				b.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("WriteRecord", func(b *testing.B) {
		writeFile(b, func(w *msgtrk.Writer) error {
			for _, rec := range recs {
				if err := w.WriteRecord(rec); err != nil {
					return err
				}
			}
			return nil
		})
	})
	b.Run("WriteEvent", func(b *testing.B) {
		writeFile(b, func(w *msgtrk.Writer) error {
			for i := range events {
				if err := w.WriteEvent(&events[i]); err != nil {
					return err
				}
			}
			return nil
		})
	})
	b.Run("encoding-csv", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			w := csv.NewWriter(io.Discard)
			for _, row := range cells {
				if err := w.Write(row); err != nil {
					b.Fatal(err)
				}
			}
			w.Flush()
		}
	})
}
