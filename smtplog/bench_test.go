package smtplog_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"testing"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/smtplog"
)

// BenchmarkRead reads a generated receive log of 2,000 sessions (~66,000
// rows, ~8 MB) four ways in one run, so that their speeds compare as
// ratios: msgtrk's tokenizer alone (the rows split into columns), the
// Scanner (plus every column typed: time, session id, sequence number,
// endpoints, event), the Scanner feeding an Assembler (sessions built,
// every line decoded), and encoding/csv with ReuseRecord as the naive
// baseline.
//
//	go test ./smtplog -run '^$' -bench BenchmarkRead -benchtime 2s -count 3
func BenchmarkRead(b *testing.B) {
	data := genLog(2000, 42)
	rows := bytes.Count(data, []byte("\n")) - 5
	b.Logf("%d bytes, %d rows", len(data), rows)
	b.Run("msgtrk/tokenize", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			r := msgtrk.NewReaderBytes(data)
			n := 0
			for r.Next() {
				n++
			}
			if n != rows {
				b.Fatalf("%d rows, want %d", n, rows)
			}
		}
	})
	b.Run("smtplog/scan", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			s := smtplog.NewScanner(msgtrk.NewReaderBytes(data))
			n := 0
			for s.Next() {
				n += int(s.Row().Seq & 1)
			}
			if s.Stats().Rows != int64(rows) {
				b.Fatalf("%d rows, want %d", s.Stats().Rows, rows)
			}
		}
	})
	b.Run("smtplog/assemble", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			sessions := 0
			a, _ := smtplog.NewAssembler(smtplog.Options{OnSession: func(*smtplog.Session) { sessions++ }})
			s := smtplog.NewScanner(msgtrk.NewReaderBytes(data))
			for s.Next() {
				a.Add(s.Row())
			}
			a.Flush()
			if sessions != 2000 {
				b.Fatalf("%d sessions, want 2000", sessions)
			}
		}
	})
	b.Run("encoding-csv/reuse", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			r := csv.NewReader(bytes.NewReader(data))
			r.Comment = '#'
			r.ReuseRecord = true
			r.FieldsPerRecord = -1
			n := 0
			for {
				_, err := r.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != rows {
				b.Fatalf("%d rows, want %d", n, rows)
			}
		}
	})
}
