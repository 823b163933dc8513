package fuzz

import (
	"bufio"
	"bytes"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/eventdata"
	"github.com/mailtrace/mailtrace/internal/fuzzgen"
	"github.com/mailtrace/mailtrace/messageinfo"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/recipstatus"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// benchLog is a realistic 2016-layout log of n rows from a Stream.
func benchLog(n int) []byte {
	r := rand.New(rand.NewSource(1))
	s := fuzzgen.Stream{}
	b := []byte(hdr2016)
	vals := make([]string, msgtrk.NumFields)
	for i := 0; i < n; i++ {
		e := s.Event(r)
		copy(vals, e.Fields[:])
		b = msgtrk.AppendRow(b, vals)
		b = append(b, "\r\n"...)
	}
	return b
}

// BenchmarkPipeline measures the layers of the pipeline FuzzPipeline
// checks, on 10^4 realistic rows, against a naive baseline (bufio.Scanner,
// strings.Split on ',' — wrong for quoted fields — and a map of rows by
// network-message-id).
func BenchmarkPipeline(b *testing.B) {
	data := benchLog(10000)
	b.Run("layer=naive", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, 1<<20)
			var cols []string
			byID := map[string][][]string{}
			for sc.Scan() {
				line := sc.Text()
				if h, ok := strings.CutPrefix(line, "#Fields: "); ok {
					cols = strings.Split(h, ",")
					continue
				}
				if line == "" || line[0] == '#' {
					continue
				}
				f := strings.Split(line, ",")
				if len(f) == len(cols) {
					byID[f[11]] = append(byID[f[11]], f)
				}
			}
		}
	})
	read := func(b *testing.B, each func(rec *msgtrk.Record)) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		r := msgtrk.NewReaderBytes(data)
		for b.Loop() {
			r.ResetBytes(data)
			for r.Next() {
				each(r.Record())
			}
		}
	}
	b.Run("layer=reader", func(b *testing.B) {
		read(b, func(*msgtrk.Record) {})
	})
	var d eventdata.Data
	var nodes []messageinfo.Node
	var rs msgtrk.RecipientScanner
	decode := func(rec *msgtrk.Record) {
		d.DecodeRecord(rec)
		if messageinfo.Classify(rec.Field(msgtrk.MessageInfo)) == messageinfo.KindLatency {
			nodes, _, _ = messageinfo.AppendLatencyRecord(nodes[:0], rec)
		}
		sourcecontext.ParseRecord(rec)
		rs.Init(rec)
		for rs.Next() {
			recipstatus.ParseRecord(&rs)
		}
	}
	b.Run("layer=decoders", func(b *testing.B) {
		read(b, decode)
	})
	b.Run("layer=correlate", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		r := msgtrk.NewReaderBytes(data)
		for b.Loop() {
			tk, _ := correlate.New(correlate.Options{OnTrace: func(*correlate.Trace) {}})
			r.ResetBytes(data)
			for r.Next() {
				rec := r.Record()
				decode(rec)
				tk.Add(rec)
				if tm, err := rec.Time(); err == nil {
					tk.Advance(tm)
				}
			}
			tk.Advance(time.Now())
			tk.Flush()
		}
	})
}
