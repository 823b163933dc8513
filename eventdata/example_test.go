package eventdata_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mailtrace/mailtrace/eventdata"
	"github.com/mailtrace/mailtrace/msgtrk"
)

func ExampleScanner() {
	customData := []byte("S:ProxyHop1=exchange-mail.my.domain.com(10.11.12.14);S:FromEntity=Internet;'S:Note=a;b';S:Oops;S:ProxiedClientIPAddress=10.11.12.13")
	var s eventdata.Scanner
	s.Init(customData) // lenient: skips the malformed member, keeps the error
	for s.Next() {
		fmt.Printf("%s %s = %s\n", s.Tag(), s.Key(), s.Value())
	}
	if err := s.Err(); err != nil {
		fmt.Println("error:", err)
	}
	// Output:
	// S ProxyHop1 = exchange-mail.my.domain.com(10.11.12.14)
	// S FromEntity = Internet
	// S Note = a;b
	// S ProxiedClientIPAddress = 10.11.12.13
	// error: eventdata: member has no '=' at offset 88 near "S:Oops;S:ProxiedClientIPAddress=10.11.12"
}

func ExampleScanner_strict() {
	var s eventdata.Scanner
	s.InitMode([]byte("S:A=1;B=2;S:C=3"), msgtrk.Strict)
	for s.Next() {
		fmt.Printf("%s=%s\n", s.Key(), s.Value())
	}
	fmt.Println(errors.Is(s.Err(), eventdata.ErrNoTag))
	// Output:
	// A=1
	// true
}

func ExampleScanner_Find() {
	// Visit every member of a repeated key.
	src := []byte("S:AMA=SUM|v=0|action=|error=|atch=2;S:AMA=EV|engine=M|v=0|sig=1.413.283.0|name=|file=;S:DeliveryPriority=Normal")
	var s eventdata.Scanner
	s.Init(src)
	for s.Find("AMA") {
		fmt.Println(string(s.Value()))
	}
	// Output:
	// SUM|v=0|action=|error=|atch=2
	// EV|engine=M|v=0|sig=1.413.283.0|name=|file=
}

func ExampleLookup() {
	src := []byte("S:E2ELatency=1.928;S:MsgRecipCount=1;S:AccountForest=example.com")
	if v, ok := eventdata.Lookup(src, "AccountForest"); ok {
		fmt.Println(string(v))
	}
	_, ok := eventdata.Lookup(src, "ProxyHop1")
	fmt.Println(ok)
	// Output:
	// example.com
	// false
}

func ExampleAppendPairs() {
	pairs, err := eventdata.AppendPairs(nil, []byte("S:CompCost=|ETR=0;S:OriginalFromAddress=<>"))
	for _, p := range pairs {
		fmt.Printf("%d %q=%q\n", p.Offset, p.Key, p.Value)
	}
	fmt.Println(err)
	// Output:
	// 0 "CompCost"="|ETR=0"
	// 18 "OriginalFromAddress"="<>"
	// <nil>
}

func ExampleData_Decode() {
	src := []byte("S:ProxyHop1=exchange-mail.my.domain.com(10.11.12.14);S:FirstForestHop=exchange-mail.my.domain.com;S:FromEntity=Internet;S:ProxiedClientIPAddress=10.11.12.13;S:ProxiedClientHostname=host01.my.domain.com;S:E2ELatency=1.928;S:DeliveryPriority=Normal;S:MailboxDatabaseGuid=12345678-3232-2323-1111-12345679666")
	var d eventdata.Data
	err := d.Decode(src)
	fmt.Println("client:", d.ProxiedClientIPAddress, string(d.ProxiedClientHostname))
	fmt.Println("hops:", d.NumProxyHops, string(d.ProxyHops[0].Host), d.ProxyHops[0].Addr)
	fmt.Println("from:", d.FromEntity, "priority:", d.DeliveryPriority, "latency:", d.E2ELatency)
	// The anonymised GUID is invalid: kept raw and reported.
	fmt.Println("mdb:", d.MailboxDatabaseGuid.IsZero(), string(d.MailboxDatabaseGuidRaw))
	fmt.Println(err)
	// Output:
	// client: 10.11.12.13 host01.my.domain.com
	// hops: 1 exchange-mail.my.domain.com 10.11.12.14
	// from: Internet priority: Normal latency: 1.928s
	// mdb: true 12345678-3232-2323-1111-12345679666
	// eventdata: invalid value at offset 269 near "12345678-3232-2323-1111-12345679666" (key "MailboxDatabaseGuid")
}

func ExampleGroupScanner() {
	value, _ := eventdata.Lookup([]byte("S:AMA=SUM|v=0|action=|error=|atch=2;S:CompCost=|ETR=0"), "AMA")
	var g eventdata.GroupScanner
	g.Init(value)
	fmt.Printf("kind %s\n", g.Kind())
	for g.Next() {
		fmt.Printf("  %s=%q\n", g.Key(), g.Value())
	}
	// Output:
	// kind SUM
	//   v="0"
	//   action=""
	//   error=""
	//   atch="2"
}

func ExampleParseRuleHit() {
	// The last TRA member of this AGENTINFO row was cut off by the log line.
	src := []byte("S:TRA=ETRP|ruleId=ff116ef4-402d-4dff-90cb-c3d772b3179a|st=2023-05-12T07:55:40.0000000Z|ExecW=4|ExecC=0|Conditions=GTOEP,M.MAS,1;S:TRA=ETRP|ruleId=7366001e-f754-4330-9211-1bb412b6b159|")
	var s eventdata.Scanner
	s.Init(src)
	for s.Find("TRA") {
		h, err := eventdata.ParseRuleHit(s.Value())
		fmt.Println(h.Kind, h.RuleID, h.Time.Format("2006-01-02"), h.ExecWall, string(h.Conditions), errors.Is(err, eventdata.ErrTruncated))
	}
	// Output:
	// ETRP ff116ef4-402d-4dff-90cb-c3d772b3179a 2023-05-12 4ms GTOEP,M.MAS,1 false
	// ETRP 7366001e-f754-4330-9211-1bb412b6b159 0001-01-01 0s  true
}

func ExamplePSScanner() {
	// EventData as Get-MessageTrackingLog | Format-List printed it, wrapped
	// by the console in the middle of a key.
	wrapped := []byte("{[E2ELatency, 14.588], [ToEntity, Unknown], [IsSmtpResponseFromExt  \n\nernalServer, False], [PrioritizationReason, AMS:12689884/1048576|ARC:83/500]}")
	src := eventdata.AppendUnwrapped(nil, wrapped)
	var s eventdata.PSScanner
	s.Init(src)
	for s.Next() {
		fmt.Printf("%s = %s\n", s.Key(), s.Value())
	}
	fmt.Println(s.Err())
	// Output:
	// E2ELatency = 14.588
	// ToEntity = Unknown
	// IsSmtpResponseFromExternalServer = False
	// PrioritizationReason = AMS:12689884/1048576|ARC:83/500
	// <nil>
}

func ExampleData_DecodePowerShell() {
	src := []byte("{[E2ELatency, 0.701], [ToEntity, Unknown], [FromEntity, Hosted], [MsgRecipCount, 1], [IncludeInSla, True]}")
	var d eventdata.Data
	if err := d.DecodePowerShell(src); err != nil {
		fmt.Println(err)
	}
	fmt.Println(d.E2ELatency, d.FromEntity, d.ToEntity, string(d.ToEntityRaw), d.MsgRecipCount, d.IncludeInSla)
	// Output:
	// 701ms Hosted Unclassified Unknown 1 True
}

func ExampleAppendUnwrapped() {
	// Format-List output: continuation lines indented, a break after ','.
	wrapped := []byte("{[MsgRecipCount, 1],    \n                          [RequiredTlsAuthLevel,\n                          Opportunistic]}")
	fmt.Printf("%s\n", eventdata.AppendUnwrapped(nil, wrapped))
	// Output:
	// {[MsgRecipCount, 1], [RequiredTlsAuthLevel, Opportunistic]}
}

func ExampleAppendMember() {
	var out []byte
	out = eventdata.AppendMember(out, eventdata.Pair{Tag: eventdata.TagString, Key: []byte("E2ELatency"), Value: []byte("1.928")})
	out = append(out, ';')
	out = eventdata.AppendMember(out, eventdata.Pair{Tag: eventdata.TagString, Key: []byte("Note"), Value: []byte("it's;quoted")})
	fmt.Println(string(out))
	// Output:
	// S:E2ELatency=1.928;'S:Note=it''s;quoted'
}

func ExampleData_DecodeRecord() {
	log := "#Fields: date-time,event-id,custom-data\r\n" +
		"2024-01-07T00:00:07.463Z,SEND,S:E2ELatency=1.928;S:DeliveryPriority=Normal\r\n" +
		"2024-01-07T00:00:08.100Z,SEND,\"S:A=x,y;S:E2ELatency=1,5\"\r\n"
	r := msgtrk.NewReader(strings.NewReader(log))
	r.Name = "MSGTRK2024010700-1.LOG"
	var d eventdata.Data
	for r.Next() {
		if err := d.DecodeRecord(r.Record()); err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(d.E2ELatency, d.DeliveryPriority)
	}
	// Output:
	// 1.928s Normal
	// msgtrk: MSGTRK2024010700-1.LOG:3:53: field custom-data: eventdata: invalid value at offset 21 near "1,5" (key "E2ELatency")
}
