package smtplog_test

import (
	"testing"

	"github.com/mailtrace/mailtrace/internal/check"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/smtplog"
)

// TestNoAllocs: reading and decoding a row, and every line decoder, do no
// allocation once the buffers have grown.
func TestNoAllocs(t *testing.T) {
	data := genLog(1000, 1) // ~33,000 rows: more than the measured calls
	s := smtplog.NewScanner(msgtrk.NewReaderBytes(data))
	var sink int
	check.NoAllocs(t, "Scanner.Next", func() {
		if !s.Next() {
			t.Fatal("generated log too short")
		}
		r := s.Row()
		sink += int(r.Seq) + len(r.Data) + int(r.Remote.AddrPort.Port())
	})

	var d smtplog.Decoder
	var row smtplog.Row
	rd := msgtrk.NewReaderBytes(data)
	check.NoAllocs(t, "Decoder.Decode", func() {
		rd.Next()
		if err := d.Decode(rd.Record(), &row); err != nil {
			t.Fatal(err)
		}
	})

	for _, tc := range []struct {
		name, in string
		fn       func([]byte)
	}{
		{"ParseEvent", "*", func(in []byte) { smtplog.ParseEvent(in) }},
		{"ParseEndpoint", "95.10.20.33:56026", func(in []byte) { smtplog.ParseEndpoint(in) }},
		{"ParseEndpoint6", "[fe80::1%3]:25", func(in []byte) { smtplog.ParseEndpoint(in) }},
		{"ParseCommand", "MAIL FROM:<a@b.c> SIZE=10", func(in []byte) { smtplog.ParseCommand(in) }},
		{"ParsePath", "<a@b.c> SIZE=10 BODY=8BITMIME", func(in []byte) { smtplog.ParsePath(in) }},
		{"ParseBDAT", "2048 LAST", func(in []byte) { smtplog.ParseBDAT(in) }},
		{"ParseReplyLine", "250 2.1.5 Recipient OK", func(in []byte) { smtplog.ParseReplyLine(in) }},
		{"ParseReplyLine more", "250-SIZE 37748736", func(in []byte) { smtplog.ParseReplyLine(in) }},
		{"ParseXProxyFrom", "SID=08DC1DB8591B229A IP=198.51.100.7 PORT=53228 DOMAIN=x SEQNUM=1 PERMS=0 AUTHSRC=Anonymous", func(in []byte) { smtplog.ParseXProxyFrom(in) }},
		{"ClassifyInfo", "Proxying inbound session with session id 08DC1DB8591B229A", func(in []byte) { smtplog.ClassifyInfo(in) }},
		{"ParseTLS", "TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_128 with strength 128 bits, MAC hash algorithm CALG_SHA_256 with strength 0 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 256 bits", func(in []byte) { smtplog.ParseTLS(in) }},
		{"ParseSendingMessage", "sending message with RecordId 167503004549 and InternetMessageId <a@b>", func(in []byte) { smtplog.ParseSendingMessage(in) }},
		{"ParseReceivingMessage", "08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;0", func(in []byte) { smtplog.ParseReceivingMessage(in, nil) }},
		{"ParseProxying", "Proxying inbound session with session id 08DC1DB8591B229A", func(in []byte) { smtplog.ParseProxying(in) }},
		{"ParseReason", "Remote(SocketError)", func(in []byte) { smtplog.ParseReason(in) }},
		{"ParseSummary", "Messages: 0 Bytes: 0 (Retry : Service not active)", func(in []byte) { smtplog.ParseSummary(in) }},
		{"ParseConnectEvent", "Exchange-Server.contoso[192.168.0.12]", func(in []byte) { smtplog.ParseConnectEvent(in) }},
		{"ParseConnectEvent established", "Established connection to 192.168.0.12", func(in []byte) { smtplog.ParseConnectEvent(in) }},
	} {
		in := []byte(tc.in)
		check.NoAllocs(t, tc.name, func() { tc.fn(in) })
	}
	_ = sink
}
