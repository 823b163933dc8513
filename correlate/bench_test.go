package correlate_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// synthLog writes n messages of a store-submitted flow over three servers
// (NOTIFYMAPI, RECEIVE, SUBMIT on the submission service; RECEIVE,
// HAREDIRECT, AGENTINFO, SEND on the hub; DELIVER; HARECEIVE and HADISCARD on
// the shadow), one message starting every 50 ms, as one stream whose rows
// name their logging server.
func synthLog(n int) []byte {
	var b bytes.Buffer
	w := msgtrk.NewWriter(&b)
	w.WriteHeader(msgtrk.Header{Version: "15.01.2507.039"})
	t0 := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	srv := []string{"EX01", "EX02", "EX03"}
	for i := 0; i < n; i++ {
		at := t0.Add(time.Duration(i) * 50 * time.Millisecond)
		s, h, d := srv[i%3], srv[(i+1)%3], srv[(i+2)%3]
		nid := fmt.Sprintf("%08x-1e63-493a-80a2-08da9a4ff8da", i)
		mid := fmt.Sprintf("<%d.%d@%s.contoso.com>", i, i*7, s)
		store := fmt.Sprintf("MDB:12345678-3232-2323-1111-123456799870, Mailbox:33345678-3232-2323-1111-08da9fd%05d, Event:%d, MessageClass:IPM.Note, CreationTime:2024-03-01T08:00:00.000Z, ClientType:MOMT", i%100000, i)
		row := func(dt time.Duration, client, server, source, event, rcpt, info string) {
			var e msgtrk.Event
			e.SetTime(at.Add(dt))
			e.Set(msgtrk.ClientHostname, client)
			e.Set(msgtrk.ServerHostname, server)
			e.Set(msgtrk.Source, source)
			e.Set(msgtrk.EventID, event)
			if event != "NOTIFYMAPI" {
				e.Set(msgtrk.NetworkMessageID, nid)
				e.Set(msgtrk.MessageID, mid)
				e.Set(msgtrk.RecipientAddress, rcpt)
				e.Set(msgtrk.MessageSubject, "Status report "+fmt.Sprint(i))
				e.Set(msgtrk.TotalBytes, "20480")
			}
			if source == "STOREDRIVER" && event != "DELIVER" {
				e.Set(msgtrk.SourceContext, store)
			}
			e.Set(msgtrk.SenderAddress, fmt.Sprintf("user%d@contoso.com", i%500))
			e.Set(msgtrk.MessageInfo, info)
			e.Set(msgtrk.CustomData, "S:DeliveryPriority=Normal;S:AccountForest=contoso.com")
			e.Set(msgtrk.LogID, fmt.Sprintf("%08x-0000-4000-8000-%012x", i, int(dt)))
			w.WriteEvent(&e)
		}
		r := fmt.Sprintf("user%d@contoso.com", (i*7)%500)
		row(0, s, "", "STOREDRIVER", "NOTIFYMAPI", "", "")
		row(100*time.Millisecond, s, s, "STOREDRIVER", "RECEIVE", r, "04I: ")
		row(200*time.Millisecond, s, h, "STOREDRIVER", "SUBMIT", r, "")
		row(250*time.Millisecond, s, h, "SMTP", "RECEIVE", r, "0cI: ")
		row(260*time.Millisecond, "", h, "SMTP", "HAREDIRECT", r, "")
		row(270*time.Millisecond, d, "", "SMTP", "HARECEIVE", r, "")
		row(400*time.Millisecond, h, "", "AGENT", "AGENTINFO", r, "")
		row(600*time.Millisecond, h, d, "SMTP", "SEND", r, "2024-03-01T08:00:00.000Z;LSRV="+h+".contoso.com:TOTAL-HUB=0.350|SMR=0.100|CAT=0.150|SMS=0.100")
		row(700*time.Millisecond, h, d, "STOREDRIVER", "DELIVER", r, "2024-03-01T08:00:00.000Z;SRV="+h+":TOTAL-HUB=0.35;SRV="+d+":TOTAL-DEL=0.100")
		row(30*time.Second, "", d, "SMTP", "HADISCARD", r, "")
	}
	w.Flush()
	return b.Bytes()
}

func BenchmarkTracker(b *testing.B) {
	const messages = 20000
	data := synthLog(messages)
	var batch msgtrk.Batch
	r := msgtrk.NewReaderBytes(data)
	for r.Next() {
		batch.Append(r.Record())
	}
	rows := batch.Len()
	b.Logf("%d rows, %d bytes", rows, len(data))
	b.Run("add", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			n := 0
			tk, _ := correlate.New(correlate.Options{Window: time.Minute, OnTrace: func(*correlate.Trace) { n++ }})
			for i := 0; i < rows; i++ {
				rec := batch.Record(i)
				tk.Add(rec)
				if t, err := rec.Time(); err == nil {
					tk.Advance(t)
				}
			}
			tk.Flush()
			if n != messages {
				b.Fatalf("%d traces", n)
			}
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("end-to-end", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			n := 0
			tk, _ := correlate.New(correlate.Options{Window: time.Minute, OnTrace: func(*correlate.Trace) { n++ }})
			rd := msgtrk.NewReaderBytes(data)
			for rd.Next() {
				rec := rd.Record()
				tk.Add(rec)
				if t, err := rec.Time(); err == nil {
					tk.Advance(t)
				}
			}
			tk.Flush()
			if n != messages {
				b.Fatalf("%d traces", n)
			}
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}
