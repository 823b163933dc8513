package smtplog_test

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/smtplog"
)

const (
	recvHeader = "#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: SMTP Receive Protocol Log\r\n#Date: 2024-03-04T08:00:00.000Z\r\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n"
	sendHeader = "#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: SMTP Send Protocol Log\r\n#Date: 2024-03-04T08:00:00.000Z\r\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n"
)

// logLines builds a protocol log: each line is "sec,session,seq,event,data,context"
// with the connector and endpoints filled in; data and context are
// CSV-quoted when they need it.
func logLines(header string, lines ...string) string {
	var sb strings.Builder
	sb.WriteString(header)
	for _, l := range lines {
		p := strings.SplitN(l, "|", 6)
		var sec int
		fmt.Sscan(p[0], &sec)
		t := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC).Add(time.Duration(sec) * time.Millisecond)
		fmt.Fprintf(&sb, "%s,EX01\\Default EX01,%s,%s,10.0.0.1:25,198.51.100.7:50000,%s,%s,%s\r\n",
			t.Format("2006-01-02T15:04:05.000Z"), p[1], p[2], p[3], csvField(p[4]), csvField(p[5]))
	}
	return sb.String()
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// assemble reads log (named name, on server srv) and returns its sessions.
func assemble(t testing.TB, opt smtplog.Options, inputs ...[3]string) ([]*smtplog.Session, *smtplog.Assembler) {
	t.Helper()
	var out []*smtplog.Session
	opt.OnSession = func(s *smtplog.Session) { out = append(out, s) }
	a, err := smtplog.NewAssembler(opt)
	if err != nil {
		t.Fatal(err)
	}
	var ins []msgtrk.Input
	for _, in := range inputs {
		data := in[2]
		ins = append(ins, msgtrk.Input{Name: in[0], Server: in[1], Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(data)), nil }})
	}
	s := smtplog.NewScanner(msgtrk.NewMerger(ins))
	for s.Next() {
		a.Add(s.Row())
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	a.Flush()
	if a.Open() != 0 {
		t.Errorf("%d sessions open after Flush", a.Open())
	}
	return out, a
}

func TestAssembleReceive(t *testing.T) {
	log := logLines(recvHeader,
		"0|08DC000000000001|0|+||",
		"1|08DC000000000001|1|*|SMTPSubmit SMTPAcceptAnySender|Set Session Permissions",
		"2|08DC000000000001|2|>|220 EX01.contoso.com Microsoft ESMTP MAIL Service ready at Mon, 4 Mar 2024 09:00:00 +0100|",
		"3|08DC000000000001|3|<|EHLO app01.contoso.com|",
		"4|08DC000000000001|4|>|250  EX01.contoso.com Hello [198.51.100.7] SIZE 37748736 PIPELINING STARTTLS|",
		"5|08DC000000000001|5|<|STARTTLS|",
		"6|08DC000000000001|6|>|220 2.0.0 SMTP server ready|",
		"7|08DC000000000001|7|*||TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 with strength 384 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 384 bits",
		"8|08DC000000000001|8|<|EHLO app01.contoso.com|",
		"9|08DC000000000001|9|>|250  EX01.contoso.com Hello [198.51.100.7] SIZE 37748736 AUTH LOGIN|",
		"10|08DC000000000001|10|<|AUTH LOGIN|",
		"11|08DC000000000001|11|>|334 <authentication response>|",
		"12|08DC000000000001|12|>|235 2.7.0 Authentication successful|",
		// pipelined: MAIL, RCPT, RCPT, DATA, then the replies
		"13|08DC000000000001|13|<|MAIL FROM:<app@contoso.com> SIZE=2048|",
		"14|08DC000000000001|14|*|08DC000000000001;2024-03-04T08:00:00.000Z;0|receiving message",
		"15|08DC000000000001|15|<|RCPT TO:<bob@contoso.com>|",
		"16|08DC000000000001|16|<|RCPT TO:<nobody@contoso.com>|",
		"17|08DC000000000001|17|<|DATA|",
		"18|08DC000000000001|18|>|250 2.1.0 Sender OK|",
		"19|08DC000000000001|19|>|250 2.1.5 Recipient OK|",
		"20|08DC000000000001|20|>|550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup|",
		"21|08DC000000000001|21|>|354 Start mail input; end with <CRLF>.<CRLF>|",
		"22|08DC000000000001|22|>|250 2.6.0 <a1@contoso.com> [InternalId=4802764734467, Hostname=EX01.contoso.com] 2530 bytes in 0.041, 60.014 KB/sec Queued mail for delivery|",
		// a second message with BDAT, receiving message before MAIL
		"23|08DC000000000001|23|*|08DC000000000001;2024-03-04T08:00:00.000Z;1|receiving message",
		"24|08DC000000000001|24|<|MAIL FROM:<app@contoso.com>|",
		"25|08DC000000000001|25|>|250 2.1.0 Sender OK|",
		"26|08DC000000000001|26|<|RCPT TO:<carol@contoso.com>|",
		"27|08DC000000000001|27|>|250 2.1.5 Recipient OK|",
		"28|08DC000000000001|28|<|BDAT 1000|",
		"29|08DC000000000001|29|>|250 2.0.0 1000 bytes received|",
		"30|08DC000000000001|30|<|BDAT 500 LAST|",
		"31|08DC000000000001|31|>|250 2.6.0 <a2@contoso.com> [InternalId=EX01.contoso.com, Hostname=4802764734468] Queued mail for redundancy|",
		"32|08DC000000000001|32|<|QUIT|",
		"33|08DC000000000001|33|>|221 2.0.0 Service closing transmission channel|",
		"34|08DC000000000001|34|-||QuitVerb",
	)
	ss, a := assemble(t, smtplog.Options{Transcript: true}, [3]string{"RECV2024030408-1.LOG", "EX01", log})
	if len(ss) != 1 {
		t.Fatalf("%d sessions, want 1", len(ss))
	}
	s := ss[0]
	if s.Key != (smtplog.Key{Server: "EX01", Kind: msgtrk.LogSmtpReceive, ID: 0x08DC000000000001}) || s.Termination != smtplog.TermClosed || s.Reason != smtplog.ReasonQuitVerb {
		t.Errorf("key %+v, termination %v, reason %v", s.Key, s.Termination, s.Reason)
	}
	if !s.StartTLS || s.TLS.Version != smtplog.TLS12 || s.TLS.KeyExchangeBits != 384 || s.Helo != "app01.contoso.com" || s.Auth.Mechanism != "LOGIN" || s.Auth.Result != smtplog.AuthOK {
		t.Errorf("tls/helo/auth: %v %+v %q %+v", s.StartTLS, s.TLS, s.Helo, s.Auth)
	}
	if s.Remote != netip.MustParseAddrPort("198.51.100.7:50000") || s.Permissions != "SMTPSubmit SMTPAcceptAnySender" || s.Banner.Code != 220 || s.Rows != 35 || len(s.Transcript) != 35 {
		t.Errorf("remote %v permissions %q banner %v rows %d transcript %d", s.Remote, s.Permissions, s.Banner, s.Rows, len(s.Transcript))
	}
	if len(s.Messages) != 2 {
		t.Fatalf("%d messages, want 2", len(s.Messages))
	}
	m := s.Messages[0]
	if m.From != "app@contoso.com" || m.Size != 2048 || m.FromReply.Code != 250 || len(m.Recipients) != 2 ||
		m.Recipients[0].Reply.Code != 250 || m.Recipients[1].Reply.Code != 550 || m.Recipients[1].Address != "nobody@contoso.com" ||
		m.DataReply.Code != 250 || m.QueuedID != 4802764734467 || m.QueuedHost != "EX01.contoso.com" || m.QueuedMessageID != "a1@contoso.com" ||
		m.ReceiveContext != "08DC000000000001;2024-03-04T08:00:00.000Z;0" {
		t.Errorf("message 0 = %+v", m)
	}
	m = s.Messages[1]
	if m.BDATBytes != 1500 || m.Bytes() != 1500 || m.QueuedID != 4802764734468 || m.QueuedHost != "EX01.contoso.com" || m.ReceiveContext != "08DC000000000001;2024-03-04T08:00:00.000Z;1" || !m.Accepted() {
		t.Errorf("message 1 (BDAT, swapped redundancy reply) = %+v", m)
	}
	if s.Replies5xx != 1 || s.LastError.Code != 550 || s.MessageCount() != 2 || s.ByteCount() != 3548 {
		t.Errorf("5xx %d, last error %v, messages %d, bytes %d", s.Replies5xx, s.LastError, s.MessageCount(), s.ByteCount())
	}
	if st := a.Stats(); st.Sessions[smtplog.TermClosed] != 1 || st.Rows != 35 || st.Lost != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestAssembleSendAndProxy(t *testing.T) {
	log := logLines(sendHeader,
		"0|08DC0000000000A1|0|*|None|Set Session Permissions",
		"1|08DC0000000000A1|1|*||attempting to connect",
		"2|08DC0000000000A1|2|+||",
		"3|08DC0000000000A1|3|<|220 EX02.contoso.com Microsoft ESMTP MAIL Service ready|",
		"4|08DC0000000000A1|4|>|EHLO EX01.contoso.com|",
		"5|08DC0000000000A1|5|<|250-EX02.contoso.com Hello [10.0.0.1]|",
		"6|08DC0000000000A1|6|<|250-SIZE 37748736|",
		"7|08DC0000000000A1|7|<|250 XPROXYFROM|",
		"8|08DC0000000000A1|8|>|X-EXPS GSSAPI|",
		"9|08DC0000000000A1|9|<|235 <authentication response>|",
		"10|08DC0000000000A1|10|*||Proxying inbound session with session id 08DC000000000001",
		"11|08DC0000000000A1|11|*||sending message with RecordId 0 and InternetMessageId <a1@contoso.com>",
		"12|08DC0000000000A1|12|>|XPROXYFROM SID=08DC000000000001 IP=198.51.100.7 PORT=50000 DOMAIN=app01.contoso.com SEQNUM=1 PERMS=0 AUTHSRC=Anonymous|",
		"13|08DC0000000000A1|13|<|250 XProxyFrom accepted|",
		"14|08DC0000000000A1|14|>|MAIL FROM:<app@contoso.com> SIZE=2048|",
		"15|08DC0000000000A1|15|>|RCPT TO:<bob@fabrikam.com>|",
		"16|08DC0000000000A1|16|<|250 2.1.0 Sender OK|",
		"17|08DC0000000000A1|17|<|451 4.4.0 Primary target IP address responded with: 421 4.4.2 Connection dropped. Attempted failover to alternate host, but that did not succeed.|",
		"18|08DC0000000000A1|18|>|RSET|",
		"19|08DC0000000000A1|19|<|250 2.0.0 Resetting|",
		"20|08DC0000000000A1|20|>|QUIT|",
		"21|08DC0000000000A1|21|<|221 2.0.0 Service closing transmission channel|",
		"22|08DC0000000000A1|22|-||Local",
	)
	ss, _ := assemble(t, smtplog.Options{}, [3]string{"SEND2024030408-1.LOG", "EX01", log})
	if len(ss) != 1 {
		t.Fatalf("%d sessions", len(ss))
	}
	s := ss[0]
	if s.Key.Kind != msgtrk.LogSmtpSend || s.Auth.Mechanism != "X-EXPS GSSAPI" || s.Auth.Result != smtplog.AuthOK || s.ProxiedSession != 0x08DC000000000001 ||
		s.Helo != "EX01.contoso.com" || s.Banner.Code != 220 || s.Reason != smtplog.ReasonLocal || s.Replies4xx != 1 {
		t.Errorf("send session = %+v", s)
	}
	if len(s.Messages) != 1 {
		t.Fatalf("%d messages", len(s.Messages))
	}
	m := s.Messages[0]
	if m.RecordID != 0 || m.MessageID != "<a1@contoso.com>" || m.Proxy.SID != 0x08DC000000000001 || m.Proxy.IP != netip.MustParseAddr("198.51.100.7") ||
		m.Recipients[0].Reply.Code != 451 || !m.DataReply.IsZero() || m.Accepted() || s.MessageCount() != 0 {
		t.Errorf("send message = %+v", m)
	}
	if s.Proxy.SID != 0x08DC000000000001 {
		t.Errorf("session proxy = %+v", s.Proxy)
	}
}

// TestAssembleBounded: sessions that never end are ended by the idle
// window or the open bound, never kept: the number open stays under the
// bound whether 10^3 or 10^4 sessions go through.
func TestAssembleBounded(t *testing.T) {
	for _, n := range []int{1000, 10000} {
		var ended [8]int
		a, err := smtplog.NewAssembler(smtplog.Options{MaxOpen: 100, Idle: time.Minute, OnSession: func(s *smtplog.Session) { ended[s.Termination]++ }})
		if err != nil {
			t.Fatal(err)
		}
		maxOpen := 0
		var sb strings.Builder
		sb.WriteString(recvHeader)
		base := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
		for i := 0; i < n; i++ {
			// 2 rows per session, one session every 100 ms, no "-" row:
			// 100 open sessions span 10 s, inside the idle window, so the
			// open bound ends them.
			t0 := base.Add(time.Duration(i) * 100 * time.Millisecond)
			fmt.Fprintf(&sb, "%s,C,%016X,0,10.0.0.1:25,10.0.0.2:1,+,,\r\n", t0.Format("2006-01-02T15:04:05.000Z"), i+1)
			fmt.Fprintf(&sb, "%s,C,%016X,1,10.0.0.1:25,10.0.0.2:1,<,EHLO x,\r\n", t0.Format("2006-01-02T15:04:05.000Z"), i+1)
		}
		s := smtplog.NewReader(strings.NewReader(sb.String()))
		for s.Next() {
			a.Add(s.Row())
			maxOpen = max(maxOpen, a.Open())
		}
		a.Flush()
		total := ended[smtplog.TermIdle] + ended[smtplog.TermEvicted] + ended[smtplog.TermOpen]
		if total != n || maxOpen > 100 || a.Stats().MaxOpen > 100 {
			t.Errorf("n=%d: ended %v (total %d), most open %d; want all %d ended, at most 100 open", n, ended, total, maxOpen, n)
		}
		if ended[smtplog.TermEvicted] != n-100 || ended[smtplog.TermOpen] != 100 {
			t.Errorf("n=%d: ended %v; want %d evicted by the open bound and the last 100 open at the end", n, ended, n-100)
		}
	}
}

// TestAssembleIdle: a session without rows for longer than Idle is ended
// as TermIdle when the clock (other sessions' rows) passes it, and a later
// row of the same id starts a new session.
func TestAssembleIdle(t *testing.T) {
	log := logLines(recvHeader,
		"0|08DC000000000001|0|+||",
		"1000|08DC000000000002|0|+||",
		"61001|08DC000000000002|1|<|EHLO late|",
		"62000|08DC000000000001|1|<|EHLO again|",
	)
	ss, _ := assemble(t, smtplog.Options{Idle: time.Minute}, [3]string{"RECV2024030408-1.LOG", "EX01", log})
	var got []string
	for _, s := range ss {
		got = append(got, fmt.Sprintf("%d %v %d", s.Key.ID&0xF, s.Termination, s.Rows))
	}
	want := "1 idle 1|2 open 2|1 open 1"
	if strings.Join(got, "|") != want {
		t.Errorf("sessions %q, want %q", strings.Join(got, "|"), want)
	}
}

// TestAssembleTwinFiles: a file collected twice is read side by side; each
// repeated row is dropped once and counted, the session is as from one copy.
func TestAssembleTwinFiles(t *testing.T) {
	log := logLines(sendHeader,
		"0|08DC0000000000A1|0|+||",
		"1|08DC0000000000A1|1|>|EHLO EX01.contoso.com|",
		"1|08DC0000000000B2|0|+||",
		"2|08DC0000000000A1|2|<|250 EX02 Hello|",
		"3|08DC0000000000A1|3|*||sending message with RecordId 7 and InternetMessageId <a@b>",
		"3|08DC0000000000A1|4|>|MAIL FROM:<a@b>|",
		"4|08DC0000000000A1|5|<|250 2.1.0 Sender OK|",
		"5|08DC0000000000A1|6|-||Remote",
		"6|08DC0000000000B2|1|-||Remote",
	)
	ss, a := assemble(t, smtplog.Options{},
		[3]string{"c1/EX01/SEND2024030408-1.LOG", "EX01", log},
		[3]string{"c2/EX01/SEND2024030408-1.LOG", "EX01", log})
	if len(ss) != 2 || a.Stats().Duplicates != 9 {
		t.Fatalf("%d sessions, %d duplicates; want 2 and 9", len(ss), a.Stats().Duplicates)
	}
	s := ss[0]
	// Every row of each session came twice: A1's 7 (6 while open, its
	// last after it closed), B2's 2.
	if s.Rows != 7 || s.Duplicates != 6 || len(s.Messages) != 1 || s.Messages[0].RecordID != 7 || s.Messages[0].FromReply.Code != 250 {
		t.Errorf("twin session = rows %d dup %d messages %+v", s.Rows, s.Duplicates, s.Messages)
	}
}

func TestNewAssemblerNeedsCallback(t *testing.T) {
	if _, err := smtplog.NewAssembler(smtplog.Options{}); err != smtplog.ErrNoCallback {
		t.Errorf("NewAssembler without OnSession: %v", err)
	}
}

func TestKeyAndStrings(t *testing.T) {
	if got := (smtplog.Key{ID: 0x08DC1DB8591B229A}).IDString(); got != "08DC1DB8591B229A" {
		t.Errorf("IDString = %q", got)
	}
	for v := smtplog.Verb(0); v <= smtplog.VerbXSHADOW+1; v++ {
		if v.String() == "" {
			t.Errorf("Verb(%d).String() empty", v)
		}
	}
	for k := smtplog.InfoKind(0); k <= smtplog.InfoUserName+1; k++ {
		if k.String() == "" {
			t.Errorf("InfoKind(%d).String() empty", k)
		}
	}
	for v := smtplog.TLSVersion(0); v <= smtplog.TLS13+1; v++ {
		if v.String() == "" {
			t.Errorf("TLSVersion(%d).String() empty", v)
		}
	}
	for r := smtplog.Reason(1); r <= smtplog.ReasonDroppedSession+1; r++ {
		if r.String() == "" {
			t.Errorf("Reason(%d).String() empty", r)
		}
	}
	for x := smtplog.Termination(0); x <= smtplog.TermEvicted+1; x++ {
		if x.String() == "" {
			t.Errorf("Termination(%d).String() empty", x)
		}
	}
	for x := smtplog.AuthResult(0); x <= smtplog.AuthPending+1; x++ {
		if x.String() == "" {
			t.Errorf("AuthResult(%d).String() empty", x)
		}
	}
	r := smtplog.Reply{Code: 550, Text: "no"}
	if r.String() != "550 no" || (smtplog.Reply{}).String() != "" {
		t.Errorf("Reply.String = %q", r.String())
	}
}
