package sourcecontext

import (
	"testing"

	"github.com/mailtrace/mailtrace/internal/check"
)

// TestNoAllocs backs every "does no allocation" claim of the package.
func TestNoAllocs(t *testing.T) {
	smtp, storedriver, receive, send, haredirect := b("SMTP"), b("STOREDRIVER"), b("RECEIVE"), b("SENDEXTERNAL"), b("HAREDIRECT")
	rcv := b("08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;0")
	snd := b(";250 2.6.0 <1736846922.907742.2942@foo.bar.local> [InternalId=5450313518243, Hostname=AAAAAAAAAAAAA.bbbbbbbb.prod.outlook.com] 141301 bytes in 0.101, 1361.827 KB/sec Queued mail for delivery;ClientSubmitTime:")
	dlv := b("08D9AE1AA4FEA27C;2021-11-23T19:49:37.215Z;ClientSubmitTime:2021-11-23T19:49:36.380Z")
	sto := b("MDB:12345678-3232-2323-1111-12345679987, Mailbox:33345678-3232-2323-1111-08da9fd00918, Event:63779422, MessageClass:IPM.Note, CreationTime:2022-09-19T15:02:29.211Z, ClientType:MOMT, SubmissionAssistant:MailboxTransportSubmissionEmailAssistant, ServerMdbConnectionId:08DA9806C5B670C1")
	sha := b("EX13D13UWB004.ant.amazon.com = 250 2.6.0 < 1028007174.22872@apollo - adaws.amazon.com > [InternalId = EX13D13UWB004.ant.amazon.com, Hostname = 64712272257897] Queued mail for redundancy")
	agent, agentinfo, stage, deliver, momt := b("AGENT"), b("AGENTINFO"), b("CatContentConversion"), b("DELIVER"), b("MOMT")
	dsnSrc, dsnEv, dsnCtx := b("DSN"), b("DSN"), b("Delivery, Relay")
	r, _ := ParseReceive(rcv)
	s, _ := ParseSend(snd)
	st, _ := ParseStore(sto)
	dst := make([]byte, 0, 1024)
	var sink int
	tests := []struct {
		name string
		f    func()
	}{
		{"Parse/receive", func() { c, _ := Parse(smtp, receive, rcv); sink += c.Receive.Ordinal }},
		{"Parse/send", func() { c, _ := Parse(smtp, send, snd); sink += int(c.Send.Reply.Next.InternalID) }},
		{"Parse/delivery", func() { c, _ := Parse(storedriver, deliver, dlv); sink += c.Send.ClientSubmitTime.Second() }},
		{"Parse/store", func() { c, _ := Parse(storedriver, receive, sto); sink += c.Store.Pairs }},
		{"Parse/shadow", func() { c, _ := Parse(smtp, haredirect, sha); sink += len(c.Shadow.Host) }},
		{"Parse/text", func() { c, _ := Parse(agent, agentinfo, stage); sink += int(c.Kind) }},
		{"Parse/dsn", func() { c, _ := Parse(dsnSrc, dsnEv, dsnCtx); sink += int(c.DSN) }},
		{"ParseDSN", func() { f, _ := ParseDSN(dsnCtx); sink += int(f) }},
		{"ParseDSNType", func() { sink += int(ParseDSNType(dsnCtx[:8])) }},
		{"DSNFlags.AppendTo", func() { sink += len((DSNDelivery | DSNRelay).AppendTo(dst[:0])) }},
		{"KindOf", func() { sink += int(KindOf(smtp, send)) }},
		{"ParseReceive", func() { r, _ := ParseReceive(rcv); sink += r.Ordinal }},
		{"ParseSend", func() { s, _ := ParseSend(snd); sink += len(s.Reply.MessageID) }},
		{"ParseDelivery", func() { s, _ := ParseDelivery(dlv); sink += len(s.Session.IDRaw) }},
		{"ParseStore", func() { s, _ := ParseStore(sto); sink += s.Pairs }},
		{"ParseShadow", func() { s, _ := ParseShadow(sha); sink += len(s.Host) }},
		{"ParseReply", func() { r, _ := ParseReply(sha[31:]); sink += len(r.MessageID) }},
		{"ParseClientType", func() { sink += int(ParseClientType(momt)) }},
		{"Receive.AppendTo", func() { sink += len(r.AppendTo(dst[:0])) }},
		{"Send.AppendTo", func() { sink += len(s.AppendTo(dst[:0])) }},
		{"Store.AppendTo", func() { sink += len(st.AppendTo(dst[:0])) }},
		{"Store.Lookup", func() { v, _ := st.Lookup("SubmissionAssistant"); sink += len(v) }},
		{"PairScanner", func() {
			var ps PairScanner
			ps.Init(sto)
			for ps.Next() {
				sink += len(ps.Key()) + len(ps.Value())
			}
			if ps.Err() != nil {
				sink++
			}
		}},
	}
	for _, tt := range tests {
		check.NoAllocs(t, tt.name, tt.f)
	}
	if sink == 0 {
		t.Error("nothing was decoded")
	}
}
