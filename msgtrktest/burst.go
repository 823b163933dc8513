package msgtrktest

import (
	"bufio"
	"io"
	"strconv"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// BurstStart is when the messages of Burst arrive.
var BurstStart = time.Date(2024, 5, 6, 10, 0, 0, 0, time.UTC)

// Burst writes the log of an Edge server receiving n distinct messages
// within one minute of log time (a spam wave, a mass mailing, a journaling
// storm): one Exchange 2019 tracking log, each message a single SMTP
// RECEIVE row from an Internet host, every message-id, network-message-id
// and sender its own. Its memory does not depend on n.
func Burst(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	fields := msgtrk.Layout2016.Fields()
	b := []byte("#Software: Microsoft Exchange Server\r\n#Version: 15.02.1544.004\r\n#Log-type: Message Tracking Log\r\n#Date: ")
	b = BurstStart.AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, "\r\n#Fields: "...)
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, f.String()...)
	}
	b = append(b, "\r\n"...)
	if _, err := bw.Write(b); err != nil {
		return err
	}
	step := time.Minute / time.Duration(max(n, 1))
	for i := range n {
		b = b[:0]
		at := BurstStart.Add(time.Duration(i) * step)
		for j, f := range fields {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendBurstField(b, f, i, at)
		}
		b = append(b, "\r\n"...)
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// appendBurstField appends field f of message i of Burst.
func appendBurstField(b []byte, f msgtrk.Field, i int, at time.Time) []byte {
	num := func(b []byte, n, width int) []byte {
		s := strconv.Itoa(n)
		for k := len(s); k < width; k++ {
			b = append(b, '0')
		}
		return append(b, s...)
	}
	switch f {
	case msgtrk.DateTime:
		return at.AppendFormat(b, "2006-01-02T15:04:05.000Z")
	case msgtrk.ClientIP:
		b = append(b, "203.0."...)
		b = strconv.AppendInt(b, int64(i>>8&255), 10)
		b = append(b, '.')
		return strconv.AppendInt(b, int64(i&255), 10)
	case msgtrk.ClientHostname:
		b = append(b, "mail"...)
		return append(strconv.AppendInt(b, int64(i%5000), 10), ".sender.example"...)
	case msgtrk.ServerIP:
		return append(b, "192.0.2.25"...)
	case msgtrk.ServerHostname:
		return append(b, "EDGE01"...)
	case msgtrk.SourceContext:
		b = append(b, "08DC6D5F"...)
		b = num(b, i%100000000, 8)
		return append(b, ";250 2.0.0 OK"...)
	case msgtrk.ConnectorID:
		return append(b, `EDGE01\Default internal receive connector EDGE01`...)
	case msgtrk.Source:
		return append(b, "SMTP"...)
	case msgtrk.EventID:
		return append(b, "RECEIVE"...)
	case msgtrk.InternalMessageID:
		return strconv.AppendInt(b, int64(100000+i), 10)
	case msgtrk.MessageID:
		b = append(b, "<wave."...)
		b = strconv.AppendInt(b, int64(i), 10)
		return append(b, "@sender.example>"...)
	case msgtrk.NetworkMessageID:
		b = num(b, i, 8)
		return append(b, "-4d5e-4f60-8a7b-08dc6d5f0b02"...)
	case msgtrk.RecipientAddress:
		b = append(b, "user"...)
		return append(strconv.AppendInt(b, int64(i%2000), 10), "@contoso.com"...)
	case msgtrk.TotalBytes:
		return strconv.AppendInt(b, int64(4000+i%20000), 10)
	case msgtrk.RecipientCount:
		return append(b, '1')
	case msgtrk.MessageSubject:
		b = append(b, "Offer "...)
		return strconv.AppendInt(b, int64(i%997), 10)
	case msgtrk.SenderAddress, msgtrk.ReturnPath:
		b = append(b, "news"...)
		return append(strconv.AppendInt(b, int64(i), 10), "@sender.example"...)
	case msgtrk.MessageInfo:
		return append(b, "00A: "...)
	case msgtrk.Directionality:
		return append(b, "Incoming"...)
	case msgtrk.CustomData:
		return append(b, "S:DeliveryPriority=Normal"...)
	case msgtrk.TransportTrafficType:
		return append(b, "Email"...)
	case msgtrk.LogID:
		b = num(b, i, 8)
		return append(b, "-0000-4000-8000-000000000001"...)
	case msgtrk.SchemaVersion:
		return append(b, "15.02.1544.004"...)
	}
	return b
}
