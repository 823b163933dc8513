package smtplog_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/recipstatus"
	"github.com/mailtrace/mailtrace/smtplog"
)

// b turns a string into the []byte the decoders take.
func b(s string) []byte { return []byte(s) }

// strs renders byte slices for comparison.
func strs(bs ...[]byte) []string {
	out := make([]string, len(bs))
	for i, v := range bs {
		out[i] = string(v)
	}
	return out
}

func TestParseEvent(t *testing.T) {
	for in, want := range map[string]smtplog.Event{
		"+": smtplog.EventConnect, "-": smtplog.EventDisconnect, ">": smtplog.EventSent,
		"<": smtplog.EventReceived, "*": smtplog.EventInfo, " * ": smtplog.EventInfo,
		"": smtplog.EventUnknown, "**": smtplog.EventUnknown, "x": smtplog.EventUnknown,
	} {
		if got := smtplog.ParseEvent(b(in)); got != want {
			t.Errorf("ParseEvent(%q) = %v, want %v", in, got, want)
		}
	}
	for e := smtplog.EventUnknown; e <= smtplog.EventInfo+1; e++ {
		if e.String() == "" {
			t.Errorf("Event(%d).String() is empty", e)
		}
		if got := smtplog.ParseEvent([]byte{e.Char()}); e >= smtplog.EventConnect && e <= smtplog.EventInfo && got != e {
			t.Errorf("ParseEvent(Char(%v)) = %v", e, got)
		}
	}
}

func TestParseEndpoint(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // AddrPort.String(), or "" for invalid
	}{
		{"10.10.10.10:25", "10.10.10.10:25"},
		{"95.10.20.33:56026", "95.10.20.33:56026"},
		{"[2001:db8::1]:25", "[2001:db8::1]:25"},
		{"[fe80::1%3]:2525", "[fe80::1%3]:2525"},
		{"", ""},
		{"InternalIPOfMyMailServer:10437", ""},
		{"10.**.**.31:37964", ""},
		{"10.0.0.1", ""},
		{"10.0.0.1:65536", ""},
		{"fe80::1:25", ""}, // bare IPv6: ambiguous
		{"[2001:db8::1]", ""},
	} {
		e := smtplog.ParseEndpoint(b(tc.in))
		got := ""
		if e.AddrPort.IsValid() {
			got = e.AddrPort.String()
		}
		if got != tc.want || string(e.Raw) != tc.in {
			t.Errorf("ParseEndpoint(%q) = %q (raw %q), want %q", tc.in, got, e.Raw, tc.want)
		}
	}
}

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct {
		in        string
		verb      smtplog.Verb
		verbRaw   string
		arg       string
		wantError error
	}{
		{"EHLO mgt.my.domain.tld", smtplog.VerbEHLO, "EHLO", "mgt.my.domain.tld", nil},
		{"helo [95.10.20.33]", smtplog.VerbHELO, "helo", "[95.10.20.33]", nil},
		{"STARTTLS", smtplog.VerbSTARTTLS, "STARTTLS", "", nil},
		{"AUTH LOGIN", smtplog.VerbAUTH, "AUTH", "LOGIN", nil},
		{"X-EXPS GSSAPI", smtplog.VerbXEXPS, "X-EXPS", "GSSAPI", nil},
		{"MAIL FROM:<> SIZE=18019", smtplog.VerbMAIL, "MAIL", "<> SIZE=18019", nil},
		{"mail from: <a@b.c>", smtplog.VerbMAIL, "mail", "<a@b.c>", nil},
		{"RCPT TO:<****@hispanicliving.shop**>", smtplog.VerbRCPT, "RCPT", "<****@hispanicliving.shop**>", nil},
		{"BDAT 2048 LAST", smtplog.VerbBDAT, "BDAT", "2048 LAST", nil},
		{"XPROXYFROM SID=08DC1DB8591B229A IP=1.2.3.4", smtplog.VerbXPROXYFROM, "XPROXYFROM", "SID=08DC1DB8591B229A IP=1.2.3.4", nil},
		{"XSHADOWREQUEST x", smtplog.VerbXSHADOW, "XSHADOWREQUEST", "x", nil},
		{"VRFY x", smtplog.VerbUnknown, "VRFY", "x", nil},
		{"QUIT", smtplog.VerbQUIT, "QUIT", "", nil},
		{"MAIL <a@b>", smtplog.VerbMAIL, "MAIL", "<a@b>", smtplog.ErrCommand},
		{"", smtplog.VerbUnknown, "", "", smtplog.ErrCommand},
		{"250 2.1.0 Ok", smtplog.VerbUnknown, "", "250 2.1.0 Ok", smtplog.ErrCommand},
	} {
		c, err := smtplog.ParseCommand(b(tc.in))
		if c.Verb != tc.verb || string(c.VerbRaw) != tc.verbRaw || string(c.Arg) != tc.arg || !errors.Is(err, tc.wantError) || (tc.wantError == nil) != (err == nil) {
			t.Errorf("ParseCommand(%q) = %v %q %q, %v; want %v %q %q, %v", tc.in, c.Verb, c.VerbRaw, c.Arg, err, tc.verb, tc.verbRaw, tc.arg, tc.wantError)
		}
	}
}

func TestIsReplyAndParseReplyLine(t *testing.T) {
	for _, tc := range []struct {
		in       string
		isReply  bool
		code     uint16
		enhanced string
		text     string
		more     bool
	}{
		{"250-M10-SD-MLCH04.sd.cnc.intra Hello [10.**.**.31]", true, 250, "", "M10-SD-MLCH04.sd.cnc.intra Hello [10.**.**.31]", true},
		{"250 XSHADOW", true, 250, "", "XSHADOW", false},
		{"250  SERVER-HOSTNAME.DOMAIN.TEST Hello [95.10.20.33] SIZE 37748736", true, 250, "", "SERVER-HOSTNAME.DOMAIN.TEST Hello [95.10.20.33] SIZE 37748736", false},
		{"250 2.1.5 Ok", true, 250, "2.1.5", "Ok", false},
		{"334 <authentication response>", true, 334, "", "<authentication response>", false},
		{"550-5.7.1 first", true, 550, "", "5.7.1 first", true},
		{"220", true, 220, "", "", false},
		{"EHLO x", false, 0, "", "", false},
		{"2500 x", false, 0, "", "", false},
	} {
		if got := smtplog.IsReply(b(tc.in)); got != tc.isReply {
			t.Errorf("IsReply(%q) = %v", tc.in, got)
		}
		if !tc.isReply {
			continue
		}
		r, err := smtplog.ParseReplyLine(b(tc.in))
		enh := ""
		if r.Enhanced.IsValid() {
			enh = r.Enhanced.String()
		}
		if err != nil || r.Code != tc.code || enh != tc.enhanced || string(r.Text) != tc.text || r.More != tc.more {
			t.Errorf("ParseReplyLine(%q) = %d %q %q more=%v, %v; want %d %q %q more=%v", tc.in, r.Code, enh, r.Text, r.More, err, tc.code, tc.enhanced, tc.text, tc.more)
		}
	}
	if _, err := smtplog.ParseReplyLine(b("Ok")); !errors.Is(err, recipstatus.ErrCode) {
		t.Errorf("ParseReplyLine(\"Ok\") error = %v, want recipstatus.ErrCode", err)
	}
}

func TestParsePath(t *testing.T) {
	for _, tc := range []struct {
		in, addr, params string
		null             bool
		size             int64
		err              error
	}{
		{"<> SIZE=18019", "", "SIZE=18019", true, 18019, nil},
		{"<bob@contoso.com>", "bob@contoso.com", "", false, -1, nil},
		{"< bob@contoso.com > NOTIFY=NEVER size=7", "bob@contoso.com", "NOTIFY=NEVER size=7", false, 7, nil},
		{"bob@contoso.com BODY=8BITMIME", "bob@contoso.com", "BODY=8BITMIME", false, -1, nil},
		{"<bob@contoso.com", "bob@contoso.com", "", false, -1, smtplog.ErrPath},
		{"<a@b> SIZE=x", "a@b", "SIZE=x", false, -1, smtplog.ErrNumber},
	} {
		p, err := smtplog.ParsePath(b(tc.in))
		if string(p.Address) != tc.addr || string(p.Params) != tc.params || p.Null != tc.null || p.Size != tc.size || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("ParsePath(%q) = %q %q null=%v size=%d, %v; want %q %q null=%v size=%d, %v", tc.in, p.Address, p.Params, p.Null, p.Size, err, tc.addr, tc.params, tc.null, tc.size, tc.err)
		}
	}
	for in, want := range map[string]smtplog.BDAT{"2048 LAST": {Size: 2048, Last: true}, "1024": {Size: 1024}, "x LAST": {Size: -1, Last: true}} {
		got, err := smtplog.ParseBDAT(b(in))
		if got != want || (want.Size < 0) != errors.Is(err, smtplog.ErrNumber) {
			t.Errorf("ParseBDAT(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
}

func TestParseXProxyFrom(t *testing.T) {
	x, err := smtplog.ParseXProxyFrom(b("SID=08DC1DB8591B229A IP=198.51.100.7 PORT=53228 DOMAIN=mail.example.com SEQNUM=1 PERMS=0 AUTHSRC=Anonymous FOO=bar"))
	if err != nil {
		t.Fatal(err)
	}
	if x.SID != 0x08DC1DB8591B229A || x.IP != netip.MustParseAddr("198.51.100.7") || x.Port != 53228 ||
		string(x.Domain) != "mail.example.com" || string(x.SeqNum) != "1" || string(x.Perms) != "0" || string(x.AuthSrc) != "Anonymous" {
		t.Errorf("ParseXProxyFrom = %+v", x)
	}
	x, err = smtplog.ParseXProxyFrom(b("SID=zz IP=[::1] PORT=99999 DOMAIN=d"))
	var se *smtplog.SyntaxError
	if !errors.As(err, &se) || !errors.Is(err, smtplog.ErrParam) || se.Offset != 4 || string(x.Domain) != "d" || x.IP.IsValid() {
		t.Errorf("ParseXProxyFrom(bad) = %+v, %v; want ErrParam at offset 4 and the domain kept", x, err)
	}
}

func TestParseTLS(t *testing.T) {
	in := "TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_128 with strength 128 bits, MAC hash algorithm CALG_SHA_256 with strength 0 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 256 bits"
	got, err := smtplog.ParseTLS(b(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"SP_PROT_TLS1_2_SERVER", "CALG_AES_128", "CALG_SHA_256", "CALG_ECDH_EPHEM"}
	if diff := cmp.Diff(want, strs(got.Protocol, got.Cipher, got.MAC, got.KeyExchange)); diff != "" || got.Version != smtplog.TLS12 || !got.Server ||
		got.CipherBits != 128 || got.MACBits != 0 || got.KeyExchangeBits != 256 {
		t.Errorf("ParseTLS = %+v (-want +got names):\n%s", got, diff)
	}
	for in, v := range map[string]smtplog.TLSVersion{"SP_PROT_TLS1_0_CLIENT": smtplog.TLS10, "SP_PROT-TLS1_0_CLIENT": smtplog.TLS10, "SP_PROT_TLS1_3_SERVER": smtplog.TLS13, "SP_PROT_TLS1_1_CLIENT": smtplog.TLS11, "SP_PROT_SSL3_SERVER": smtplog.SSL3, "X": smtplog.TLSUnknown} {
		got, _ := smtplog.ParseTLS(b("TLS protocol " + in + " negotiation succeeded"))
		if got.Version != v || got.Server != strings.HasSuffix(in, "SERVER") {
			t.Errorf("ParseTLS(%q).Version = %v, server %v; want %v", in, got.Version, got.Server, v)
		}
	}
	if _, err := smtplog.ParseTLS(b("TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded")); !errors.Is(err, smtplog.ErrPhrase) {
		t.Errorf("ParseTLS(no algorithms) error = %v, want ErrPhrase", err)
	}
	if got, err := smtplog.ParseTLS(b(strings.Replace(in, "strength 128", "strength x", 1))); !errors.Is(err, smtplog.ErrNumber) || got.CipherBits != -1 || got.KeyExchangeBits != 256 {
		t.Errorf("ParseTLS(bad strength) = %+v, %v", got, err)
	}
}

func TestInfoRows(t *testing.T) {
	for in, want := range map[string]smtplog.InfoKind{
		"Set Session Permissions":                                        smtplog.InfoPermissions,
		"attempting to connect":                                          smtplog.InfoConnecting,
		"Failed to connect. Winsock":                                     smtplog.InfoConnectFailed,
		"TLS protocol SP_PROT_TLS1_2":                                    smtplog.InfoTLS,
		"Received certificate":                                           smtplog.InfoCertificate,
		"Certificate thumbprint":                                         smtplog.InfoCertificate,
		"Sending certificate Subject Issuer name Serial number":          smtplog.InfoCertificate,
		"Client certificate chain validation status: 'EmptyCertificate'": smtplog.InfoCertificate,
		"TlsDomainCapabilities='None'; Status='NoRemoteCertificate'":     smtplog.InfoCertificate,
		"sending message with RecordId 1 and InternetMessageId <a@b>":    smtplog.InfoSendingMessage,
		"receiving message":                                              smtplog.InfoReceivingMessage,
		"Proxying inbound session with session id 08DC00000001A":         smtplog.InfoProxying,
		"Inbound AUTH LOGIN failed because of LogonDenied":               smtplog.InfoAuthFailed,
		"Outbound Authentication failed with LogonDenied":                smtplog.InfoAuthFailed,
		"User Name: username@domain.com":                                 smtplog.InfoUserName,
		"something else":                                                 smtplog.InfoUnknown,
		"":                                                               smtplog.InfoUnknown,
	} {
		if got := smtplog.ClassifyInfo(b(in)); got != want {
			t.Errorf("ClassifyInfo(%q) = %v, want %v", in, got, want)
		}
	}

	m, err := smtplog.ParseSendingMessage(b("sending message with RecordId 167503004549 and InternetMessageId <fed061de-3411-44fe-b5cb-d85762c10d2e@Testta  .MyDomain.com>"))
	if err != nil || m.RecordID != 167503004549 || string(m.MessageID) != "<fed061de-3411-44fe-b5cb-d85762c10d2e@Testta  .MyDomain.com>" {
		t.Errorf("ParseSendingMessage = %+v, %v", m, err)
	}
	if m, err := smtplog.ParseSendingMessage(b("sending message with RecordId x and InternetMessageId <a@b>")); !errors.Is(err, smtplog.ErrNumber) || m.RecordID != -1 || string(m.MessageID) != "<a@b>" {
		t.Errorf("ParseSendingMessage(bad id) = %+v, %v", m, err)
	}

	for _, tc := range [][2]string{
		{"08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;0", "receiving message"},
		{"", "receiving message 08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;0"},
	} {
		r, ok, err := smtplog.ParseReceivingMessage(b(tc[0]), b(tc[1]))
		if !ok || err != nil || r.Session.ID != 0x08DC1DB12C345BE5 || r.Ordinal != 0 || string(r.AppendTo(nil)) != "08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;0" {
			t.Errorf("ParseReceivingMessage(%q, %q) = %+v, %v, %v", tc[0], tc[1], r, ok, err)
		}
	}
	if _, ok, _ := smtplog.ParseReceivingMessage(nil, b("receiving message")); ok {
		t.Error("ParseReceivingMessage found a context in none")
	}

	if id, ok := smtplog.ParseProxying(b("Proxying inbound session with session id 08DC1DB8591B229A")); !ok || id != 0x08DC1DB8591B229A {
		t.Errorf("ParseProxying = %x, %v", id, ok)
	}
	if _, ok := smtplog.ParseProxying(b("Proxying inbound session with session id nothex")); ok {
		t.Error("ParseProxying accepted a malformed id")
	}

	for in, want := range map[string]smtplog.Reason{
		"Remote": smtplog.ReasonRemote, "Remote(SocketError)": smtplog.ReasonRemote, "local": smtplog.ReasonLocal,
		"QuitVerb": smtplog.ReasonQuitVerb, "Timeout": smtplog.ReasonTimeout, "SenderDisconnected": smtplog.ReasonSenderDisconnected,
		"TooManyErrors": smtplog.ReasonTooManyErrors, "DroppedSession": smtplog.ReasonDroppedSession, "": smtplog.ReasonNone, "Weird thing": smtplog.ReasonOther,
	} {
		if got := smtplog.ParseReason(b(in)); got != want {
			t.Errorf("ParseReason(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestConnectivityDecoders(t *testing.T) {
	s, err := smtplog.ParseSummary(b("Messages: 0 Bytes: 0 (Retry : Service not active)"))
	if err != nil || s.Messages != 0 || s.Bytes != 0 || string(s.Failure) != "Retry" || string(s.Reason) != "Service not active" {
		t.Errorf("ParseSummary = %+v, %v", s, err)
	}
	s, err = smtplog.ParseSummary(b("Messages: 12 Bytes: 345678"))
	if err != nil || s.Messages != 12 || s.Bytes != 345678 || len(s.Failure) != 0 {
		t.Errorf("ParseSummary(ok) = %+v, %v", s, err)
	}
	if s, err := smtplog.ParseSummary(b("Messages: x")); !errors.Is(err, smtplog.ErrNumber) || s.Messages != -1 || s.Bytes != -1 {
		t.Errorf("ParseSummary(bad) = %+v, %v", s, err)
	}
	for _, tc := range []struct {
		in   string
		kind smtplog.ConnectKind
		host string
		ip   string
	}{
		{"Exchange-Server.contoso[192.168.0.12]", smtplog.ConnectDNS, "Exchange-Server.contoso", "192.168.0.12"},
		{"Established connection to 192.168.0.12", smtplog.ConnectEstablished, "", "192.168.0.12"},
		{"Failed connection to 10.0.0.1 (TimedOut:…)", smtplog.ConnectFailed, "", ""},
		{"some text [not an ip]", smtplog.ConnectOther, "", ""},
	} {
		e := smtplog.ParseConnectEvent(b(tc.in))
		ip := ""
		if e.IP.IsValid() {
			ip = e.IP.String()
		}
		if e.Kind != tc.kind || string(e.Host) != tc.host || ip != tc.ip {
			t.Errorf("ParseConnectEvent(%q) = %v %q %q", tc.in, e.Kind, e.Host, ip)
		}
	}
}

// TestRealPinned checks by hand what the real samples say (SOURCES.md rows
// 12-17), beside their goldens.
func TestRealPinned(t *testing.T) {
	byName := map[string]realFile{}
	for _, f := range realFiles {
		byName[f.name] = f
	}
	_, errs, ss := readReal(t, byName["Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_RECV.log"], true)
	if len(errs) != 0 || len(ss) != 1 {
		t.Fatalf("Qazeer RECV: %d errors, %d sessions; want 0, 1", len(errs), len(ss))
	}
	s := ss[0]
	if s.Key.ID != 0x123453EC62278461 || s.Remote != netip.MustParseAddrPort("95.10.20.33:56026") || !s.UsedTLS() || s.TLS.Version != smtplog.TLS12 ||
		s.Auth.Mechanism != "LOGIN" || s.Auth.Result != smtplog.AuthFailed || s.Auth.Identity != "username@domain.com" || s.Duplicates != 1 || len(s.Transcript) != 15 {
		t.Errorf("Qazeer RECV session = %+v", s)
	}

	_, errs, ss = readReal(t, byName["learn.microsoft.com_answers_1054876_zombie-mail-server_SEND.log"], false)
	if len(errs) != 0 || len(ss) != 1 || len(ss[0].Messages) != 1 {
		t.Fatalf("Q&A SEND: %d errors, %d sessions", len(errs), len(ss))
	}
	s = ss[0]
	m := s.Messages[0]
	want := smtplog.Message{Time: m.Time, From: "", Size: 18019, FromReply: smtplog.Reply{Code: 250, Enhanced: recipstatus.EnhancedCode{Class: 2, Subject: 1, Detail: 0}, Text: "Ok"},
		Recipients: []smtplog.Recipient{{Address: "****@hispanicliving.shop**", Reply: smtplog.Reply{Code: 250, Enhanced: recipstatus.EnhancedCode{Class: 2, Subject: 1, Detail: 5}, Text: "Ok"}}},
		DataReply:  smtplog.Reply{Code: 250, Text: "ok 1666169082 30910"}, BDATBytes: -1, RecordID: 167503004549,
		MessageID: "<fed061de-3411-44fe-b5cb-d85762c10d2e@Testta  .MyDomain.com>", QueuedID: -1}
	if diff := cmp.Diff(want, m, cmpopts.EquateComparable(netip.Addr{})); diff != "" {
		t.Errorf("Q&A SEND message (-want +got):\n%s", diff)
	}
	if s.Termination != smtplog.TermClosed || s.Reason != smtplog.ReasonRemote || s.Remote.String() != "50.7.176.26:25" || s.LocalRaw != "InternalIPOfMyMailServer:10437" || s.Local.IsValid() ||
		s.MessageCount() != 1 || s.ByteCount() != 18019 || s.Banner.Code != 220 || s.Permissions != "SendRoutingHeaders" {
		t.Errorf("Q&A SEND session = %+v", s)
	}

	_, errs, ss = readReal(t, byName["support.microsoft.com_kb2866822_event-7009_CONNECTLOG.log"], false)
	if len(errs) != 0 || len(ss) != 2 {
		t.Fatalf("KB connectivity: %d errors, %d sessions", len(errs), len(ss))
	}
	c := ss[0]
	if c.Key.Kind != msgtrk.LogConnectivity || c.Key.ID != 0x08D03F2DE58E0D71 || c.Termination != smtplog.TermClosed || c.Summary.Failure != "Retry" ||
		c.Summary.Reason != "Service not active" || len(c.Connected) != 1 || c.Connected[0] != netip.MustParseAddr("192.168.0.12") || c.MessageCount() != 0 {
		t.Errorf("KB connectivity session = %+v", c)
	}
	if ss[1].Termination != smtplog.TermOpen || ss[1].Source != "MapiSubmission" || ss[1].Summary.Messages != -1 {
		t.Errorf("KB MapiSubmission session = %+v", ss[1])
	}

	rows, errs, ss := readReal(t, byName["blog_zh_ad-trust-kerberos-454_SEND_excerpt.log"], false)
	if len(errs) != 0 || len(ss) != 1 || rows[0].Local.AddrPort.IsValid() || string(rows[0].Local.Raw) != "10.**.**.31:37964" {
		t.Fatalf("zh SEND: %d errors, %d sessions, first local %q", len(errs), len(ss), rows[0].Local.Raw)
	}
	if s := ss[0]; s.Connector != "组织内 SMTP 发送连接器" || s.TLS.Version != smtplog.TLS10 || s.TLS.Cipher != "CALG_AES_256" || s.Auth.Result != smtplog.AuthFailed || s.Helo != "M10-HQ-MLCEN01.cnc.intra" {
		t.Errorf("zh SEND session = %+v", s)
	}
}

// TestDecodeErrors: a malformed column is reported with its position and
// the row is still returned; a tracking log is refused once per header.
func TestDecodeErrors(t *testing.T) {
	const hdr = "#Software: Microsoft Exchange Server\r\n#Log-type: SMTP Receive Protocol Log\r\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n"
	in := hdr +
		"2024-01-01T10:00:00.000Z,C,08DC0000000000G1,0,10.0.0.1:25,10.0.0.2:1000,+,,\r\n" +
		"2024-01-01T10:00:00.000Z,C,08DC000000000001,x,10.0.0.1:25,10.0.0.2:1000,<,EHLO a,\r\n" +
		"2024-01-01T10:00:00.000Z,C,08DC000000000001,2,10.0.0.1:25,10.0.0.2:1000,?,EHLO a,\r\n" +
		"2024-13-01T10:00:00.000Z,C,08DC000000000001,3,10.0.0.1:25,10.0.0.2:1000,<,QUIT,\r\n" +
		"#Log-type: Message Tracking Log\r\n#Fields: date-time,event-id,message-id\r\n" +
		"2024-01-01T10:00:00.000Z,RECEIVE,a\r\n2024-01-01T10:00:01.000Z,SEND,a\r\n"
	r := msgtrk.NewReader(strings.NewReader(in))
	r.Name = "x.log"
	s := smtplog.NewScanner(r)
	var errs []*msgtrk.ParseError
	s.ErrorHandler = func(e *msgtrk.ParseError) { errs = append(errs, e) }
	n := 0
	for s.Next() {
		n++
	}
	if n != 4 || len(errs) != 5 || s.Stats().Refused != 2 || s.Stats().Errors != 4 {
		t.Fatalf("rows %d, errors %d, stats %+v; want 4 rows, 5 errors, 2 refused", n, len(errs), s.Stats())
	}
	want := []struct {
		err       error
		line      int64
		col       int
		fieldName string
	}{
		{smtplog.ErrSessionID, 4, 28, "session-id"},
		{smtplog.ErrSequence, 5, 45, "sequence-number"},
		{smtplog.ErrEvent, 6, 73, "event"},
		{msgtrk.ErrSyntax, 7, 1, "date-time"},
		{smtplog.ErrNotProtocolLog, 10, 1, ""},
	}
	for i, w := range want {
		e := errs[i]
		if !errors.Is(e, w.err) || e.Line != w.line || e.Column != w.col || e.Field != w.fieldName || e.File != "x.log" {
			t.Errorf("error %d = %+v (%v); want %v at line %d column %d field %q", i, e, e, w.err, w.line, w.col, w.fieldName)
		}
	}

	r = msgtrk.NewReader(strings.NewReader(in))
	s = smtplog.NewScanner(r)
	s.Mode = msgtrk.Strict
	n = 0
	for s.Next() {
		n++
	}
	if n != 0 || !errors.Is(s.Err(), smtplog.ErrSessionID) {
		t.Errorf("Strict: %d rows, Err %v; want 0 and ErrSessionID", n, s.Err())
	}
}
