package smtplog_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/smtplog"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

var t0 = time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)

func sess(server string, kind msgtrk.LogKind, id uint64, start time.Duration, msgs ...smtplog.Message) *smtplog.Session {
	s := &smtplog.Session{Key: smtplog.Key{Server: server, Kind: kind, ID: id}, Start: t0.Add(start), End: t0.Add(start + time.Second), Messages: msgs}
	return s
}

func TestIndexJoins(t *testing.T) {
	var x smtplog.Index
	// Two receive sessions with one id on EX01 (the FrontEnd's and the

	hub := sess("EX01", msgtrk.LogSmtpReceive, 0x08DC000000000001, 0,
		smtplog.Message{RecordID: -1, ReceiveContext: "08DC000000000001;2024-03-04T08:00:00.000Z;0"},
		smtplog.Message{RecordID: -1, ReceiveContext: "08DC000000000001;2024-03-04T08:00:00.000Z;1"})
	other := sess("EX01", msgtrk.LogSmtpReceive, 0x08DC000000000001, 10*time.Minute)
	// Two send attempts of record 7 on EX01: a 4xx, then accepted.
	try1 := sess("ex01.contoso.com", msgtrk.LogSmtpSend, 0x08DC0000000000A1, 2*time.Second,
		smtplog.Message{RecordID: 7, DataReply: smtplog.Reply{Code: 451, Text: "4.4.0 try later"}})
	try2 := sess("ex01.contoso.com", msgtrk.LogSmtpSend, 0x08DC0000000000A2, 5*time.Second,
		smtplog.Message{RecordID: 7, DataReply: smtplog.Reply{Code: 250}}, smtplog.Message{RecordID: 8})
	client := netip.MustParseAddr("198.51.100.7")
	fe := sess("EX02", msgtrk.LogSmtpReceive, 0x08DC0000000000F1, 0)
	fe.Remote = netip.AddrPortFrom(client, 50000)
	decoy := sess("EX03", msgtrk.LogSmtpReceive, 0x08DC0000000000F1, 0)
	decoy.Remote = netip.MustParseAddrPort("203.0.113.9:1000")
	proxied := sess("EX01", msgtrk.LogSmtpReceive, 0x08DC0000000000B1, time.Second)
	proxied.Proxy = smtplog.Proxy{SID: 0x08DC0000000000F1, IP: client, Port: 50000}
	for _, s := range []*smtplog.Session{hub, other, try1, try2, fe, decoy, proxied} {
		x.Add(s)
	}

	ctx, err := sourcecontext.ParseReceive([]byte("08DC000000000001;2024-03-04T08:00:00.000Z;1"))
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := x.Receiving("ex01.contoso.com", ctx); !ok || r.Session != hub || r.Msg != 1 || r.Message() != &hub.Messages[1] {
		t.Errorf("Receiving = %+v, %v; want the hub session, message 1", r, ok)
	}
	// Without a "receiving message" row, the ordinal decides.
	hub.Messages[1].ReceiveContext = ""
	if r, ok := x.Receiving("EX01", ctx); !ok || r.Msg != 1 {
		t.Errorf("Receiving by ordinal = %+v, %v", r, ok)
	}
	if _, ok := x.Receiving("EX09", ctx); ok {
		t.Error("Receiving found a session on another server")
	}

	refs := x.Sending("EX01", 7)
	if len(refs) != 2 || refs[0].Session != try1 || refs[1].Session != try2 || refs[0].Message().DataReply.Code != 451 {
		t.Errorf("Sending(EX01, 7) = %+v; want both attempts, the 4xx first", refs)
	}
	if refs := x.Sending("EX01", 8); len(refs) != 1 || refs[0].Msg != 1 {
		t.Errorf("Sending(EX01, 8) = %+v", refs)
	}
	if got := x.Sessions("EX01", 0x08DC0000000000A2); len(got) != 1 || got[0] != try2 {
		t.Errorf("Sessions = %v", got)
	}
	if got := x.ProxySource(proxied); got != fe {
		t.Errorf("ProxySource = %+v; want the front end's session from the client's address", got)
	}
	if got := x.ProxySource(hub); got != nil {
		t.Errorf("ProxySource of an unproxied session = %+v", got)
	}
}

// TestIndexBounded: sessions are forgotten Keep after their end, and never
// more than MaxSessions are kept, whether 10^3 or 10^4 go through.
func TestIndexBounded(t *testing.T) {
	for _, n := range []int{1000, 10000} {
		x := smtplog.Index{Keep: time.Minute, MaxSessions: 100}
		most := 0
		for i := 0; i < n; i++ {
			s := sess("EX01", msgtrk.LogSmtpSend, uint64(i+1), time.Duration(i)*100*time.Millisecond, smtplog.Message{RecordID: int64(i)})
			x.Add(s)
			most = max(most, x.Len())
		}
		if most > 100 || x.Forgotten() != int64(n-100) {
			t.Errorf("n=%d: most kept %d, forgotten early %d; want at most 100, %d", n, most, x.Forgotten(), n-100)
		}
		if refs := x.Sending("EX01", int64(n-1)); len(refs) != 1 {
			t.Errorf("n=%d: the last session is not findable", n)
		}
		if refs := x.Sending("EX01", 0); len(refs) != 0 {
			t.Errorf("n=%d: the first session is still findable", n)
		}
		x.Advance(t0.Add(time.Duration(n)*100*time.Millisecond + 2*time.Minute))
		if x.Len() != 0 || len(x.Sending("EX01", int64(n-1))) != 0 {
			t.Errorf("n=%d: %d sessions kept past Keep", n, x.Len())
		}
	}
}
