package sourcecontext_test

import (
	"fmt"
	"strings"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

func ExampleParse() {
	rows := []struct{ source, event, context string }{
		{"SMTP", "RECEIVE", "08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;0"},
		{"SMTP", "SENDEXTERNAL", ";250 2.6.0 <1736846922.907742.2942@foo.bar.local> [InternalId=5450313518243, Hostname=mbx.prod.outlook.com] Queued mail for delivery;ClientSubmitTime:"},
		{"STOREDRIVER", "DELIVERFAIL", "08D8648A8359CDFE;2020-10-07T16:27:19.546Z"},
		{"STOREDRIVER", "NOTIFYMAPI", "MDB:61914740-3f1b-4ddb-94e0-557196870cfa, Mailbox:279f077c-216f-4323-a9ee-48e50ffd3cad, Event:269492708, MessageClass:IPM.Note, CreationTime:2016-04-05T00:00:01.022Z, ClientType:System"},
		{"ROUTING", "RESOLVE", "/o=TEST/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=usere339c092"},
		{"DSN", "DSN", "Delivery, Relay"},
		{"AGENT", "AGENTINFO", ""},
	}
	for _, r := range rows {
		c, err := sourcecontext.Parse([]byte(r.source), []byte(r.event), []byte(r.context))
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		switch c.Kind {
		case sourcecontext.KindReceive:
			s := c.Receive.Session
			fmt.Printf("%v session %016X started %v, message %d\n", c.Kind, s.ID, s.Start, c.Receive.Ordinal)
		case sourcecontext.KindSend:
			rp := c.Send.Reply
			fmt.Printf("%v %d %v, next hop %s has it as %d\n", c.Kind, rp.Response.Code, rp.Response.Enhanced, rp.Next.Host, rp.Next.InternalID)
		case sourcecontext.KindDelivery:
			fmt.Printf("%v session started %v\n", c.Kind, c.Send.Session.Start)
		case sourcecontext.KindStore:
			st := c.Store
			fmt.Printf("%v mailbox %v event %d client %v\n", c.Kind, st.Mailbox.GUID, st.Event, st.ClientType)
		case sourcecontext.KindDSN:
			fmt.Printf("%v %v, a non-delivery report: %v\n", c.Kind, c.DSN, c.DSN.Has(sourcecontext.DSNFailure))
		default:
			fmt.Printf("%v %q\n", c.Kind, c.Raw)
		}
	}
	// Output:
	// Receive session 08DC1DB12C345BE5 started 2024-01-25 15:16:09.544 +0000 UTC, message 0
	// Send 250 2.6.0, next hop mbx.prod.outlook.com has it as 5450313518243
	// Delivery session started 2020-10-07 16:27:19.546 +0000 UTC
	// Store mailbox 279f077c-216f-4323-a9ee-48e50ffd3cad event 269492708 client System
	// RecipientDN "/o=TEST/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=usere339c092"
	// DSN Delivery, Relay, a non-delivery report: false
	// Empty ""
}

func ExampleParseShadow() {
	// Exchange 2013 swaps the values of InternalId and Hostname; the pair is
	// normalised by shape.
	s, err := sourcecontext.ParseShadow([]byte("EX2.example.com=250 2.6.0 <m@x> [InternalId=EX2.example.com, Hostname=64712272257897] Queued mail for redundancy"))
	fmt.Printf("%s %s %d %v %v\n", s.Host, s.Reply.MessageID, s.Reply.Next.InternalID, s.Reply.Next.Swapped, err)
	// Output:
	// EX2.example.com m@x 64712272257897 true <nil>
}

func ExampleParseStore() {
	s, err := sourcecontext.ParseStore([]byte("MDB:12345678-3232-2323-1111-12345679666, Event:63779422, ClientType:MOMT, Flavour:new"))
	fmt.Println(string(s.MDB.Raw), s.MDB.Valid, s.Event, s.ClientType, s.Pairs, s.Unknown, err)
	v, _ := s.Lookup("Flavour")
	fmt.Println(string(v))
	fmt.Println(string(s.AppendTo(nil)))
	// Output:
	// 12345678-3232-2323-1111-12345679666 false 63779422 MOMT 4 1 <nil>
	// new
	// MDB:12345678-3232-2323-1111-12345679666, Event:63779422, ClientType:MOMT
}

func ExampleParseReceive() {
	r, err := sourcecontext.ParseReceive([]byte("08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;x"))
	fmt.Println(r.Session.Start, string(r.OrdinalRaw))
	fmt.Println(err)
	// Output:
	// 2024-01-25 15:16:09.544 +0000 UTC x
	// sourcecontext: malformed message ordinal at offset 42 near "x"
}

func ExampleSend_AppendTo() {
	s, _ := sourcecontext.ParseSend([]byte(";250 2.0.0OK[Hostname=exchange.example.com];ClientSubmitTime:"))
	fmt.Println(string(s.Reply.Next.Host), s.HasClientSubmitTime)
	fmt.Println(string(s.AppendTo(nil)))
	// Output:
	// exchange.example.com true
	// ;250 2.0.0 OK[Hostname=exchange.example.com];ClientSubmitTime:
}

func ExamplePairScanner() {
	var ps sourcecontext.PairScanner
	ps.Init([]byte("MessageClass:IPM.Note, ClientType:OWA, Comment:a, b"))
	for ps.Next() {
		fmt.Printf("%s=%q\n", ps.Key(), ps.Value())
	}
	fmt.Println(ps.Err())
	// Output:
	// MessageClass="IPM.Note"
	// ClientType="OWA"
	// Comment="a, b"
	// <nil>
}

func ExampleParseRecord() {
	log := "#Fields: date-time,source-context,source,event-id\r\n" +
		"2024-01-25T15:16:09.949Z,08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;0,SMTP,RECEIVE\r\n" +
		"2024-01-25T15:16:10.003Z,08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;x,SMTP,RECEIVE\r\n"
	r := msgtrk.NewReader(strings.NewReader(log))
	r.Name = "MSGTRK2024012515-1.LOG"
	for r.Next() {
		c, err := sourcecontext.ParseRecord(r.Record())
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(c.Kind, string(c.Receive.Session.IDRaw), c.Receive.Ordinal)
	}
	// Output:
	// Receive 08DC1DB12C345BE5 0
	// msgtrk: MSGTRK2024012515-1.LOG:3:68: field source-context: sourcecontext: malformed message ordinal at offset 42 near "x"
}
