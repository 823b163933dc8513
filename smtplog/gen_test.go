package smtplog_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// genLog writes a receive log of n sessions, interleaved by twos, shaped
// like the real rows (format.md §14.3): banner, EHLO and its one-row reply,
// STARTTLS and the TLS line, pipelined MAIL/RCPT/DATA with their replies,
// the queued reply, QUIT and the disconnect. It is deterministic for a
// seed. Benchmarks, allocation tests and fuzz seeds use it.
func genLog(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	var sb strings.Builder
	sb.WriteString(recvHeader)
	t := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
	type sess struct {
		id    uint64
		lines []string
	}
	var pending []sess
	flush := func(all bool) {
		for len(pending) > 0 && (all || len(pending) > 1) {
			// interleave: one line of each open session in turn
			for i := 0; i < len(pending); i++ {
				p := &pending[i]
				if len(p.lines) == 0 {
					pending = append(pending[:i], pending[i+1:]...)
					i--
					continue
				}
				t = t.Add(time.Duration(r.IntN(40)) * time.Millisecond)
				fmt.Fprintf(&sb, "%s,EX01\\Default Frontend EX01,%016X,%s\r\n", t.Format("2006-01-02T15:04:05.000Z"), p.id, p.lines[0])
				p.lines = p.lines[1:]
			}
		}
	}
	for i := 0; i < n; i++ {
		id := uint64(0x08DC1DB8591B0000) + uint64(i)
		ip := fmt.Sprintf("198.51.100.%d:%d", 1+r.IntN(250), 1024+r.IntN(60000))
		ep := "10.0.0.1:25," + ip
		seq := 0
		var ls []string
		add := func(ev, data, ctx string) {
			ls = append(ls, fmt.Sprintf("%d,%s,%s,%s,%s", seq, ep, ev, csvField(data), csvField(ctx)))
			seq++
		}
		add("+", "", "")
		add("*", "SMTPSubmit SMTPAcceptAnySender SMTPAcceptAuthoritativeDomainSender AcceptRoutingHeaders", "Set Session Permissions")
		add(">", "220 EX01.contoso.com Microsoft ESMTP MAIL Service ready at Mon, 4 Mar 2024 09:00:00 +0100", "")
		add("<", "EHLO mail"+fmt.Sprint(i%97)+".fabrikam.com", "")
		add(">", "250  EX01.contoso.com Hello ["+strings.Split(ip, ":")[0]+"] SIZE 37748736 PIPELINING DSN ENHANCEDSTATUSCODES STARTTLS X-ANONYMOUSTLS AUTH NTLM X-EXPS GSSAPI NTLM 8BITMIME BINARYMIME CHUNKING XRDST", "")
		if r.IntN(4) > 0 {
			add("<", "STARTTLS", "")
			add(">", "220 2.0.0 SMTP server ready", "")
			add("*", "", "TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 with strength 384 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 384 bits")
			add("<", "EHLO mail"+fmt.Sprint(i%97)+".fabrikam.com", "")
			add(">", "250  EX01.contoso.com Hello ["+strings.Split(ip, ":")[0]+"] SIZE 37748736 PIPELINING DSN ENHANCEDSTATUSCODES AUTH NTLM LOGIN 8BITMIME BINARYMIME CHUNKING XRDST", "")
		}
		for m := 0; m < 1+r.IntN(2); m++ {
			size := 2000 + r.IntN(200000)
			add("<", fmt.Sprintf("MAIL FROM:<user%d@fabrikam.com> SIZE=%d", r.IntN(1000), size), "")
			add("*", fmt.Sprintf("%016X;2024-03-04T08:00:00.000Z;%d", id, m), "receiving message")
			rc := 1 + r.IntN(3)
			for k := 0; k < rc; k++ {
				add("<", fmt.Sprintf("RCPT TO:<user%d@contoso.com>", r.IntN(2000)), "")
			}
			add("<", "DATA", "")
			add(">", "250 2.1.0 Sender OK", "")
			for k := 0; k < rc; k++ {
				add(">", "250 2.1.5 Recipient OK", "")
			}
			add(">", "354 Start mail input; end with <CRLF>.<CRLF>", "")
			add(">", fmt.Sprintf("250 2.6.0 <%016x@fabrikam.com> [InternalId=%d, Hostname=EX01.contoso.com] %d bytes in 0.041, 60.014 KB/sec Queued mail for delivery", r.Uint64(), 4802764734467+i, size), "")
		}
		add("<", "QUIT", "")
		add(">", "221 2.0.0 Service closing transmission channel", "")
		add("-", "", "QuitVerb")
		pending = append(pending, sess{id: id, lines: ls})
		flush(false)
	}
	flush(true)
	return []byte(sb.String())
}
