package smtplog_test

import (
	"fmt"
	"strings"

	"github.com/mailtrace/mailtrace/smtplog"
)

// A send session from a public sample (testdata/real/protocol, SOURCES.md
// row 14), read and assembled: the message the server sent, the remote
// server's verdict and why the session ended.
func ExampleAssembler() {
	const log = `#Software: Microsoft Exchange Server
#Version: 15.0.0.0
#Log-type: SMTP Send Protocol Log
#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context
2022-10-19T08:44:32.784Z,Outbound,08DAB13335961996,0,,50.7.176.26:25,*,SendRoutingHeaders,Set Session Permissions
2022-10-19T08:44:32.910Z,Outbound,08DAB13335961996,2,10.0.0.5:10437,50.7.176.26:25,+,,
2022-10-19T08:44:33.035Z,Outbound,08DAB13335961996,3,10.0.0.5:10437,50.7.176.26:25,<,220 mx.example.net ESMTP Postfix,
2022-10-19T08:44:33.036Z,Outbound,08DAB13335961996,4,10.0.0.5:10437,50.7.176.26:25,>,EHLO mail.contoso.com,
2022-10-19T08:44:33.159Z,Outbound,08DAB13335961996,5,10.0.0.5:10437,50.7.176.26:25,<,250 mx.example.net Hello,
2022-10-19T08:44:33.159Z,Outbound,08DAB13335961996,6,10.0.0.5:10437,50.7.176.26:25,*,,sending message with RecordId 167503004549 and InternetMessageId <fed061de@contoso.com>
2022-10-19T08:44:33.159Z,Outbound,08DAB13335961996,7,10.0.0.5:10437,50.7.176.26:25,>,MAIL FROM:<> SIZE=18019,
2022-10-19T08:44:33.281Z,Outbound,08DAB13335961996,8,10.0.0.5:10437,50.7.176.26:25,<,250 2.1.0 Ok,
2022-10-19T08:44:33.281Z,Outbound,08DAB13335961996,9,10.0.0.5:10437,50.7.176.26:25,>,RCPT TO:<bob@example.net>,
2022-10-19T08:44:33.421Z,Outbound,08DAB13335961996,10,10.0.0.5:10437,50.7.176.26:25,<,250 2.1.5 Ok,
2022-10-19T08:44:33.421Z,Outbound,08DAB13335961996,11,10.0.0.5:10437,50.7.176.26:25,>,DATA,
2022-10-19T08:44:33.544Z,Outbound,08DAB13335961996,12,10.0.0.5:10437,50.7.176.26:25,<,354 End data with <CR><LF>.<CR><LF>,
2022-10-19T08:44:33.720Z,Outbound,08DAB13335961996,13,10.0.0.5:10437,50.7.176.26:25,<,250 ok 1666169082 30910,
2022-10-19T08:44:33.722Z,Outbound,08DAB13335961996,14,10.0.0.5:10437,50.7.176.26:25,>,QUIT,
2022-10-19T08:44:33.722Z,Outbound,08DAB13335961996,15,10.0.0.5:10437,50.7.176.26:25,-,,Remote
`
	a, _ := smtplog.NewAssembler(smtplog.Options{OnSession: func(s *smtplog.Session) {
		fmt.Println(s.Key.IDString(), s.Key.Kind, "to", s.Remote, "TLS:", s.UsedTLS(), "ended:", s.Termination, s.Reason)
		for _, m := range s.Messages {
			fmt.Printf("  RecordId %d %s from <%s>, %d bytes\n", m.RecordID, m.MessageID, m.From, m.Bytes())
			for _, r := range m.Recipients {
				fmt.Printf("  RCPT %s: %v\n", r.Address, r.Reply)
			}
			fmt.Printf("  final reply: %v\n", m.DataReply)
		}
	}})
	s := smtplog.NewReader(strings.NewReader(log))
	for s.Next() {
		a.Add(s.Row())
	}
	if err := s.Err(); err != nil {
		fmt.Println(err)
	}
	a.Flush()
	// Output:
	// 08DAB13335961996 SEND to 50.7.176.26:25 TLS: false ended: closed Remote
	//   RecordId 167503004549 <fed061de@contoso.com> from <>, 18019 bytes
	//   RCPT bob@example.net: 250 2.1.5 Ok
	//   final reply: 250 ok 1666169082 30910
}

// Decoding the TLS line of a receive session.
func ExampleParseTLS() {
	t, err := smtplog.ParseTLS([]byte("TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_128 with strength 128 bits, MAC hash algorithm CALG_SHA_256 with strength 0 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 256 bits"))
	fmt.Println(t.Version, t.Server, string(t.Cipher), t.CipherBits, string(t.KeyExchange), t.KeyExchangeBits, err)
	// Output:
	// TLS 1.2 true CALG_AES_128 128 CALG_ECDH_EPHEM 256 <nil>
}
