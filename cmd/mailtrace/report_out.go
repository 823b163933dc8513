package main

import (
	"bufio"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/internal/textenc"
	"github.com/mailtrace/mailtrace/report"
)

// deliveryJSONVersion is the version of the delivery object, written as "v".
const deliveryJSONVersion = 1

// deliveryWriter writes the delivery report (trace -recipients) in one
// format.
type deliveryWriter interface {
	write(*report.Delivery) error
	close() error
}

// deliveryColumns are the columns of the delivery report in CSV, in
// Parquet and (with "v" first) the keys of its JSON object.
var deliveryColumns = []string{
	"time", "sender", "recipient", "subject", "status", "detail", "client_ip",
	"remote_host", "remote_ip", "remote_reply", "size", "message_id", "network_message_id",
	"latency_seconds", "groups", "server", "received", "resolved_from", "redirected_to", "key",
}

func newDeliveryWriter(f format, w *bufio.Writer, loc *time.Location) deliveryWriter {
	switch f {
	case formatCSV:
		return newDeliveryCSV(w, loc)
	case formatJSONL, formatJSON:
		return &deliveryJSON{seq: jsonSeq{w: w, array: f == formatJSON}}
	case formatParquet:
		return &deliveryParquet{w: newParquetColumns[deliveryRow](w, parquetWorkers())}
	}
	return &deliveryTable{t: newTable(w, "TIME", "SENDER", "RECIPIENT", "STATUS", "AT", "CLIENT IP", "SIZE", "SUBJECT", "DETAIL"), loc: loc}
}

func addrOrEmpty(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// deliveryTable writes the report for a terminal.
type deliveryTable struct {
	t   *table
	loc *time.Location
}

func (d *deliveryTable) write(r *report.Delivery) error {
	t := d.t
	t.cellAppend(func(b []byte) []byte { return appendTime(b, r.Time, d.loc, ' ') })
	t.cellString(r.Sender)
	t.cellString(r.Recipient)
	t.cellString(r.Status.String())
	at := r.Server
	if r.RemoteHost != "" {
		at = r.RemoteHost
	}
	t.cellString(at)
	t.cellString(addrOrEmpty(r.ClientIP))
	t.cellAppend(func(b []byte) []byte {
		if r.Size > 0 {
			b = strconv.AppendInt(b, r.Size, 10)
		}
		return b
	})
	t.cellTrunc([]byte(r.Subject), 40)
	t.cellTrunc([]byte(r.Detail), 80)
	return t.endRow()
}

func (d *deliveryTable) close() error { return d.t.flush() }

// deliveryCSV writes the report for spreadsheets.
type deliveryCSV struct {
	w   *bufio.Writer
	loc *time.Location
	buf []byte
}

func newDeliveryCSV(w *bufio.Writer, loc *time.Location) *deliveryCSV {
	c := &deliveryCSV{w: w, loc: loc}
	for i, col := range deliveryColumns {
		if i > 0 {
			c.buf = append(c.buf, ',')
		}
		c.buf = append(c.buf, col...)
	}
	c.buf = append(c.buf, '\n')
	w.Write(c.buf)
	return c
}

func (c *deliveryCSV) write(r *report.Delivery) error {
	b := c.buf[:0]
	cell := func(s string) { b = appendCSVCell(b, s); b = append(b, ',') }
	b = appendTime(b, r.Time, c.loc, 'T')
	b = append(b, ',')
	cell(r.Sender)
	cell(r.Recipient)
	cell(r.Subject)
	cell(r.Status.String())
	cell(r.Detail)
	cell(addrOrEmpty(r.ClientIP))
	cell(r.RemoteHost)
	cell(addrOrEmpty(r.RemoteIP))
	cell(r.RemoteReply)
	if r.Size > 0 {
		b = strconv.AppendInt(b, r.Size, 10)
	}
	b = append(b, ',')
	cell(r.MessageID)
	cell(r.NetworkMessageID)
	if r.Latency > 0 {
		b = appendSeconds(b, r.Latency)
	}
	b = append(b, ',')
	cell(strings.Join(r.Groups, "; "))
	cell(r.Server)
	b = appendTime(b, r.Received, c.loc, 'T')
	b = append(b, ',')
	cell(r.ResolvedFrom)
	cell(r.RedirectedTo)
	b = appendCSVCell(b, r.Key)
	b = append(b, '\n')
	c.buf = b
	_, err := c.w.Write(b)
	return err
}

func (c *deliveryCSV) close() error { return nil }

// deliveryJSON writes the delivery object, version 1 (see the package doc).
type deliveryJSON struct {
	seq jsonSeq
	buf []byte
}

func (j *deliveryJSON) write(r *report.Delivery) error {
	b := append(j.buf[:0], `{"v":`...)
	b = strconv.AppendInt(b, deliveryJSONVersion, 10)
	str := func(key, v string) {
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		b = textenc.AppendJSONString(b, v)
	}
	b = append(b, `,"time":`...)
	b = appendJSONTime(b, r.Time)
	str("sender", r.Sender)
	str("recipient", r.Recipient)
	str("subject", r.Subject)
	str("status", r.Status.String())
	str("detail", r.Detail)
	str("client_ip", addrOrEmpty(r.ClientIP))
	str("remote_host", r.RemoteHost)
	str("remote_ip", addrOrEmpty(r.RemoteIP))
	str("remote_reply", r.RemoteReply)
	b = append(b, `,"size":`...)
	if r.Size > 0 {
		b = strconv.AppendInt(b, r.Size, 10)
	} else {
		b = append(b, "null"...)
	}
	str("message_id", r.MessageID)
	str("network_message_id", r.NetworkMessageID)
	b = append(b, `,"latency_seconds":`...)
	if r.Latency > 0 {
		b = appendSeconds(b, r.Latency)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"groups":[`...)
	for i, g := range r.Groups {
		if i > 0 {
			b = append(b, ',')
		}
		b = textenc.AppendJSONString(b, g)
	}
	b = append(b, ']')
	str("server", r.Server)
	b = append(b, `,"received":`...)
	b = appendJSONTime(b, r.Received)
	str("resolved_from", r.ResolvedFrom)
	str("redirected_to", r.RedirectedTo)
	str("key", r.Key)
	b = append(b, '}')
	j.buf = b
	return j.seq.write(b)
}

func (j *deliveryJSON) close() error { return j.seq.close() }

// deliveryRow is the Parquet schema of the delivery report: the columns of
// the delivery object.
type deliveryRow struct {
	V                int32      `parquet:"v"`
	Time             *time.Time `parquet:"time,optional,timestamp(millisecond)"`
	Sender           string     `parquet:"sender,dict"`
	Recipient        string     `parquet:"recipient"`
	Subject          string     `parquet:"subject"`
	Status           string     `parquet:"status,dict"`
	Detail           string     `parquet:"detail,dict"`
	ClientIP         string     `parquet:"client_ip,dict"`
	RemoteHost       string     `parquet:"remote_host,dict"`
	RemoteIP         string     `parquet:"remote_ip,dict"`
	RemoteReply      string     `parquet:"remote_reply"`
	Size             *int64     `parquet:"size,optional"`
	MessageID        string     `parquet:"message_id"`
	NetworkMessageID string     `parquet:"network_message_id"`
	LatencySeconds   *float64   `parquet:"latency_seconds,optional"`
	Groups           []string   `parquet:"groups,list"`
	Server           string     `parquet:"server,dict"`
	Received         *time.Time `parquet:"received,optional,timestamp(millisecond)"`
	ResolvedFrom     string     `parquet:"resolved_from"`
	RedirectedTo     string     `parquet:"redirected_to"`
	Key              string     `parquet:"key"`
}

// deliveryParquet writes the report as Parquet, in batches.
type deliveryParquet struct {
	w    *parquetColumns[deliveryRow]
	rows []deliveryRow
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func (p *deliveryParquet) write(r *report.Delivery) error {
	row := deliveryRow{
		V: deliveryJSONVersion, Time: optTime(r.Time), Sender: r.Sender, Recipient: r.Recipient, Subject: r.Subject,
		Status: r.Status.String(), Detail: r.Detail, ClientIP: addrOrEmpty(r.ClientIP), RemoteHost: r.RemoteHost,
		RemoteIP: addrOrEmpty(r.RemoteIP), RemoteReply: r.RemoteReply, MessageID: r.MessageID,
		NetworkMessageID: r.NetworkMessageID, Groups: append([]string{}, r.Groups...), Server: r.Server,
		Received: optTime(r.Received), ResolvedFrom: r.ResolvedFrom, RedirectedTo: r.RedirectedTo, Key: r.Key,
	}
	if r.Size > 0 {
		size := r.Size // r is reused for the next row; the batch keeps a copy
		row.Size = &size
	}
	if r.Latency > 0 {
		s := float64(r.Latency.Milliseconds()) / 1000
		row.LatencySeconds = &s
	}
	p.rows = append(p.rows, row)
	if len(p.rows) == parquetBatch {
		return p.flush()
	}
	return nil
}

func (p *deliveryParquet) flush() error {
	if len(p.rows) == 0 {
		return nil
	}
	err := p.w.write(p.rows)
	p.rows = p.rows[:0]
	return err
}

func (p *deliveryParquet) close() error {
	if err := p.flush(); err != nil {
		return err
	}
	return p.w.close()
}
