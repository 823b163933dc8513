package smtplog_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/internal/check"
	"github.com/mailtrace/mailtrace/internal/fielderr"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/smtplog"
)

// realLines returns the data rows of the real samples, one string each.
func realLines(t testing.TB) []string {
	var out []string
	for _, f := range realFiles {
		data, err := os.ReadFile(filepath.Join(realDir, f.name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			if l := sc.Text(); len(l) > 0 && l[0] != '#' {
				out = append(out, l)
			}
		}
	}
	return out
}

// checkSyntaxError fails t unless err is nil or a *SyntaxError whose
// offset and excerpt lie in in.
func checkSyntaxError(t *testing.T, name string, in []byte, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var se *smtplog.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("%s: error %T %v is not a *SyntaxError", name, err, err)
	}
	if se.Offset < 0 || se.Offset > len(in) || se.Excerpt != string(in[se.Offset:min(se.Offset+fielderr.ExcerptLen, len(in))]) {
		t.Fatalf("%s: error offset %d / excerpt %q do not match an input of %d bytes", name, se.Offset, se.Excerpt, len(in))
	}
}

// FuzzDecoders runs every line decoder on one input: no panic, every
// returned slice inside the input, errors with a position in it.
func FuzzDecoders(f *testing.F) {
	for _, l := range realLines(f) {
		f.Add(l)
	}
	for _, s := range []string{
		"MAIL FROM:<> SIZE=18019", "RCPT TO:<a@b> NOTIFY=NEVER", "BDAT 2048 LAST", "250-SIZE 1", "354 go",
		"SID=08DC1DB8591B229A IP=[::1] PORT=25 DOMAIN=x", "sending message with RecordId 1 and InternetMessageId <a@b>",
		"Proxying inbound session with session id 08DC1DB8591B229A", "Messages: 1 Bytes: 2 (Retry : x)",
		"host[10.0.0.1]", "Established connection to ::1", "[fe80::1%eth0]:25",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := []byte(s)
		inside := func(name string, spans ...[]byte) {
			for i, sp := range spans {
				if !check.Inside(in, sp) {
					t.Fatalf("%s: span %d %q not inside the input", name, i, sp)
				}
			}
		}
		smtplog.ParseEvent(in)
		e := smtplog.ParseEndpoint(in)
		inside("ParseEndpoint", e.Raw)
		c, err := smtplog.ParseCommand(in)
		checkSyntaxError(t, "ParseCommand", in, err)
		inside("ParseCommand", c.VerbRaw, c.Arg)
		if smtplog.IsReply(in) {
			r, err := smtplog.ParseReplyLine(in)
			checkSyntaxError(t, "ParseReplyLine", in, err)
			inside("ParseReplyLine", r.Text)
			if r.Code > 999 {
				t.Fatalf("reply code %d", r.Code)
			}
		}
		p, err := smtplog.ParsePath(in)
		checkSyntaxError(t, "ParsePath", in, err)
		inside("ParsePath", p.Address, p.Params)
		if p.Size < -1 {
			t.Fatalf("size %d", p.Size)
		}
		_, err = smtplog.ParseBDAT(in)
		checkSyntaxError(t, "ParseBDAT", in, err)
		x, err := smtplog.ParseXProxyFrom(in)
		checkSyntaxError(t, "ParseXProxyFrom", in, err)
		inside("ParseXProxyFrom", x.SIDRaw, x.Domain, x.SeqNum, x.Perms, x.AuthSrc)
		smtplog.ClassifyInfo(in)
		tl, err := smtplog.ParseTLS(in)
		checkSyntaxError(t, "ParseTLS", in, err)
		inside("ParseTLS", tl.Protocol, tl.Cipher, tl.MAC, tl.KeyExchange)
		m, err := smtplog.ParseSendingMessage(in)
		checkSyntaxError(t, "ParseSendingMessage", in, err)
		inside("ParseSendingMessage", m.RecordIDRaw, m.MessageID)
		if r, ok, _ := smtplog.ParseReceivingMessage(in, in); ok {
			inside("ParseReceivingMessage", r.Session.IDRaw, r.Session.StartRaw, r.OrdinalRaw)
		}
		smtplog.ParseProxying(in)
		smtplog.ParseReason(in)
		sum, err := smtplog.ParseSummary(in)
		checkSyntaxError(t, "ParseSummary", in, err)
		inside("ParseSummary", sum.Failure, sum.Reason)
		ce := smtplog.ParseConnectEvent(in)
		inside("ParseConnectEvent", ce.Host)
	})
}

// FuzzScanner reads arbitrary bytes as a receive log (after a header, or
// with the columns given, as for a headerless file) and assembles them
// with tight limits: no panic, every row accounted for, bounded sessions,
// nothing left open after Flush.
func FuzzScanner(f *testing.F) {
	for _, l := range realLines(f) {
		f.Add(true, []byte(l+"\r\n"))
	}
	f.Add(false, genLog(3, 7))
	f.Add(true, []byte("2024-01-01T00:00:00.000Z,C,1,0,1.2.3.4:5,6.7.8.9:10,-,,\r\n#Fields: date-time,session,source,destination,direction,description\r\nx,1,SMTP,d,-,Messages: 1 Bytes: 2\r\n"))
	f.Fuzz(func(t *testing.T, headerless bool, data []byte) {
		var in []byte
		if headerless {
			in = data
		} else {
			in = append([]byte(recvHeader), data...)
		}
		r := msgtrk.NewReaderBytes(in)
		r.MaxLineBytes = 1 << 16
		if headerless {
			r.Fields = protocolFields
		}
		s := smtplog.NewScanner(r)
		s.ErrorHandler = func(e *msgtrk.ParseError) {
			if e.Line < 1 || e.Offset < -1 || e.Offset > int64(len(in)) {
				t.Fatalf("error %v outside the input", e)
			}
		}
		opt := smtplog.Options{MaxOpen: 4, Idle: time.Minute, Transcript: true, MaxTranscript: 8, MaxMessages: 3, MaxRecipients: 3}
		checkAssembly(t, opt, s.Next, s.Row, func() int64 { return s.Stats().Rows })
	})
}

// checkAssembly feeds rows to an Assembler and checks its invariants.
func checkAssembly(t *testing.T, opt smtplog.Options, next func() bool, row func() *smtplog.Row, rows func() int64) {
	var ended []*smtplog.Session
	opt.OnSession = func(s *smtplog.Session) { ended = append(ended, s) }
	a, err := smtplog.NewAssembler(opt)
	if err != nil {
		t.Fatal(err)
	}
	for next() {
		a.Add(row())
		if a.Open() > opt.MaxOpen {
			t.Fatalf("%d sessions open, bound %d", a.Open(), opt.MaxOpen)
		}
	}
	a.Flush()
	st := a.Stats()
	var byTerm int64
	for _, n := range st.Sessions {
		byTerm += n
	}
	if a.Open() != 0 || byTerm != int64(len(ended)) || st.Rows != rows() {
		t.Fatalf("after Flush: %d open, %d sessions counted, %d handed over; %d rows added, %d read", a.Open(), byTerm, len(ended), st.Rows, rows())
	}
	var inSessions int64
	for _, s := range ended {
		inSessions += int64(s.Rows + s.Duplicates)
		if s.Rows < 1 || len(s.Messages) > opt.MaxMessages || len(s.Transcript) > opt.MaxTranscript || s.Termination == smtplog.TermUnknown {
			t.Fatalf("session %+v breaks a bound", s)
		}
		for _, m := range s.Messages {
			if len(m.Recipients) > opt.MaxRecipients {
				t.Fatalf("message with %d recipients, bound %d", len(m.Recipients), opt.MaxRecipients)
			}
		}
	}
	// Every row is in a session (kept or dropped as a repeat), was a
	// repeat of a closed session, or had no session id.
	if inSessions > st.Rows-st.NoSession || inSessions < st.Rows-st.NoSession-st.Duplicates {
		t.Fatalf("%d rows in sessions; %d added, %d without session, %d repeats", inSessions, st.Rows, st.NoSession, st.Duplicates)
	}
}

// FuzzAssembler drives the Assembler with rows built from a byte program:
// few session ids, every event, commands and replies in any order, times
// that jump back and forth. The invariants are checkAssembly's.
func FuzzAssembler(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19})
	f.Add([]byte("\x00\x10\x21\x32\x43\x54\x65\x76\x87\x98\xa9\xba\xcb\xdc\xed\xfe"))
	texts := []string{
		"EHLO a", "MAIL FROM:<a@b> SIZE=5", "RCPT TO:<c@d>", "DATA", "BDAT 10", "BDAT 5 LAST", "AUTH LOGIN", "STARTTLS", "QUIT", "RSET",
		"XPROXYFROM SID=08DC000000000001 IP=1.2.3.4 PORT=5", "X-EXPS GSSAPI",
		"220 hi", "250 ok", "250-more", "354 go", "235 2.7.0 ok", "334 x", "421 4.4.2 bye", "550 5.1.1 no",
		"250 2.6.0 <m@x> [InternalId=12, Hostname=h] Queued mail for delivery",
		"250 2.6.0 <m@x> [InternalId=h, Hostname=12] Queued mail for redundancy",
	}
	infos := []string{
		"TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 with strength 384 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 384 bits",
		"sending message with RecordId 5 and InternetMessageId <m@x>", "receiving message",
		"Proxying inbound session with session id 08DC000000000002", "Inbound AUTH LOGIN failed because of LogonDenied",
		"User Name: u", "Set Session Permissions", "Failed to connect. x",
	}
	f.Fuzz(func(t *testing.T, prog []byte) {
		var sb bytes.Buffer
		sb.WriteString(recvHeader)
		base := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
		ms := 0
		seq := map[int]int{}
		for i := 0; i+1 < len(prog) && i < 2000; i += 2 {
			op, arg := prog[i], prog[i+1]
			id := int(op&3) + 1
			ms += int(arg&0x3f) * 1000
			if arg&0x40 != 0 {
				ms -= 30_000 // a clock that goes back
			}
			tm := base.Add(time.Duration(ms) * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
			ev, data, ctx := "<", "", ""
			switch (op >> 2) % 6 {
			case 0:
				ev = "+"
			case 1:
				ev = "-"
				ctx = "QuitVerb"
			case 2, 3:
				ev = "<"
				data = texts[int(arg)%len(texts)]
			case 4:
				ev = ">"
				data = texts[int(op>>4)%len(texts)]
			case 5:
				ev = "*"
				ctx = infos[int(arg)%len(infos)]
				if ctx == "receiving message" {
					data = fmt.Sprintf("%016X;2024-03-04T08:00:00.000Z;%d", id, arg&3)
				}
			}
			n := seq[id]
			if op&0x80 != 0 && n > 0 {
				n-- // a repeated sequence number
			} else {
				seq[id]++
			}
			fmt.Fprintf(&sb, "%s,C,%016X,%d,10.0.0.1:25,10.0.0.2:1,%s,%s,%s\r\n", tm, id, n, ev, csvField(data), csvField(ctx))
		}
		s := smtplog.NewScanner(msgtrk.NewReaderBytes(sb.Bytes()))
		opt := smtplog.Options{MaxOpen: 3, Idle: time.Minute, Transcript: true, MaxTranscript: 5, MaxMessages: 2, MaxRecipients: 2}
		checkAssembly(t, opt, s.Next, s.Row, func() int64 { return s.Stats().Rows })
		if err := s.Err(); err != nil {
			t.Fatalf("generated rows did not read: %v", err)
		}
	})
}
