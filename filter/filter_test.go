package filter_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/filter"
	"github.com/mailtrace/mailtrace/msgtrk"
)

const log = "#Fields: date-time,client-ip,client-hostname,server-hostname,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,total-bytes,related-recipient-address,message-subject,sender-address,return-path,original-client-ip,connector-id\r\n" +
	"2024-01-25T15:16:09.949Z,192.0.2.7,ext.example,EX01,SMTP,RECEIVE,101,<a@x>,6a638d20-1e63-493a-80a2-08da9a4ff8da,dl@contoso.com,5000,,Заседание Budget,Ann@Contoso.com,ann@contoso.com,10.1.2.3,EX01\\Default EX01\r\n" +
	"2024-01-25T15:16:10.000Z,fe80::1%3,EX01,HUB2.contoso.com,SMTP,SEND,102,<a@x>,6a638d20-1e63-493a-80a2-08da9a4ff8da,bob@contoso.com;carl@contoso.com,5100,,Заседание Budget,ann@contoso.com,ann@contoso.com,,Intra-Organization SMTP Send Connector\r\n" +
	"2024-01-25T15:16:11.000Z,,,EX01,ROUTING,EXPAND,103,<b@x>,,bob@contoso.com,900,dl@contoso.com,other,zed@contoso.com,zed@contoso.com,,\r\n" +
	"2024-01-25T15:16:12.000Z,,EX01,,STOREDRIVER,BRANDNEW,104,<c@x>,,x@y,10,,,q@r,q@r,,\r\n"

func matching(t *testing.T, f filter.Events) []string {
	t.Helper()
	f.Compile()
	r := msgtrk.NewReader(strings.NewReader(log))
	var got []string
	for r.Next() {
		if f.Match(r.Record()) {
			got = append(got, string(r.Record().Field(msgtrk.InternalMessageID)))
		}
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	return got
}

func TestEvents(t *testing.T) {
	at := func(s string) time.Time { tm, _ := msgtrk.ParseTime(s); return tm }
	tests := []struct {
		name string
		f    filter.Events
		want string
	}{
		{"all", filter.Events{}, "101 102 103 104"},
		{"start/end", filter.Events{Start: at("2024-01-25T15:16:10.000Z"), End: at("2024-01-25T15:16:12.000Z")}, "102 103"},
		{"event", filter.Events{EventIDs: []msgtrk.EventType{msgtrk.EventSend, msgtrk.EventExpand}}, "102 103"},
		{"raw event", filter.Events{EventIDRaw: []string{"brandnew"}}, "104"},
		{"source", filter.Events{Sources: []msgtrk.SourceType{msgtrk.SourceRouting}}, "103"},
		{"sender case-insensitive", filter.Events{Senders: []string{"ANN@contoso.com"}}, "101 102"},
		{"recipient in list", filter.Events{Recipients: []string{"carl@contoso.com"}}, "102"},
		{"recipient related", filter.Events{Recipients: []string{"dl@contoso.com"}}, "101 103"},
		{"message-id without brackets", filter.Events{MessageIDs: []string{"a@x"}}, "101 102"},
		{"network id", filter.Events{NetworkMessageIDs: []string{"6A638D20-1E63-493A-80A2-08DA9A4FF8DA"}}, "101 102"},
		{"internal id", filter.Events{InternalIDs: []string{"103"}}, "103"},
		{"subject Unicode fold", filter.Events{Subject: "засед"}, "101 102"},
		{"server from row, short name", filter.Events{Servers: []string{"ex01.contoso.com"}}, "101 102 103 104"},
		{"min size", filter.Events{MinSize: 5000}, "101 102"},
		{"conjunction", filter.Events{Senders: []string{"ann@contoso.com"}, EventIDs: []msgtrk.EventType{msgtrk.EventSend}}, "102"},
		{"sender domain pattern", filter.Events{Senders: []string{"*@CONTOSO.com"}}, "101 102 103"},
		{"sender domain short form", filter.Events{Senders: []string{"@contoso.com"}}, "101 102 103"},
		{"sender pattern inside", filter.Events{Senders: []string{"z*@*.com"}}, "103"},
		{"recipient pattern", filter.Events{Recipients: []string{"c*@contoso.com"}}, "102"},
		{"recipient pattern related", filter.Events{Recipients: []string{"dl@*"}}, "101 103"},
		{"many message ids (map)", filter.Events{MessageIDs: []string{"<q1@x>", "q2@x", "q3@x", "q4@x", "q5@x", "q6@x", "q7@x", "q8@x", "<c@x>", "b@x"}}, "103 104"},
		{"many recipients (map), any case", filter.Events{Recipients: []string{"q1@x", "q2@x", "q3@x", "q4@x", "q5@x", "q6@x", "q7@x", "q8@x", "X@Y", "CARL@contoso.com"}}, "102 104"},
		{"client ip CIDR", filter.Events{ClientIPs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, "101"},
		{"client ip zoned address", filter.Events{ClientIPs: []netip.Prefix{netip.MustParsePrefix("fe80::1/128")}}, "102"},
		{"connector after server prefix", filter.Events{Connectors: []string{"default ex01"}}, "101"},
		{"connector whole", filter.Events{Connectors: []string{"Intra-Organization SMTP Send Connector"}}, "102"},
		{"max size", filter.Events{MaxSize: 900}, "103 104"},
		{"size range", filter.Events{MinSize: 100, MaxSize: 5000}, "101 103"},
		{"nothing", filter.Events{Subject: "absent"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(matching(t, tt.f), " "); got != tt.want {
				t.Errorf("matched %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMatchNoAllocs(t *testing.T) {
	at := func(s string) time.Time { tm, _ := msgtrk.ParseTime(s); return tm }
	long := "CH0PR04MB8114.namprd04.prod.outlook.com" // longer than 32 bytes
	many := []string{"q1@x", "q2@x", "q3@x", "q4@x", "q5@x", "q6@x", "q7@x", "q8@x", "q9@x", "CARL@contoso.com"}
	for _, f := range []filter.Events{
		{Recipients: many, Senders: []string{"*@contoso.com"}, ClientIPs: []netip.Prefix{netip.MustParsePrefix("fe80::/10")},
			Connectors: []string{"x", "Intra-Organization SMTP Send Connector"}, MaxSize: 1 << 20},
		{MessageIDs: append([]string{"<a@x>"}, many...), NetworkMessageIDs: append(many[:9:9], "6A638D20-1E63-493A-80A2-08DA9A4FF8DA")},
		{Subject: "budget", Recipients: []string{"carl@contoso.com"}, Senders: []string{"ann@contoso.com"}, Servers: []string{"EX01"}, MinSize: 1},
		{Start: at("2024-01-25T15:16:00.000Z"), End: at("2024-01-25T15:17:00.000Z"), EventIDs: []msgtrk.EventType{msgtrk.EventSend},
			EventIDRaw: []string{"brandnew"}, Sources: []msgtrk.SourceType{msgtrk.SourceSMTP}, MessageIDs: []string{"a@x"},
			NetworkMessageIDs: []string{"6A638D20-1E63-493A-80A2-08DA9A4FF8DA"}, InternalIDs: []string{"102"}},
		{Servers: []string{long, "ex01.contoso.com"}},
		{Servers: []string{long}}, // no match: every name compared
	} {
		f.Compile()
		r := msgtrk.NewReader(strings.NewReader(log))
		r.Next()
		r.Next()
		rec := r.Record()
		want := len(f.Servers) != 1 || f.Servers[0] != long
		if got := f.Match(rec); got != want {
			t.Fatalf("%+v: Match = %v on row 2, want %v", f, got, want)
		}
		if n := testing.AllocsPerRun(100, func() {
			for i := 0; i < 100; i++ {
				f.Match(rec)
			}
		}); n != 0 {
			t.Errorf("%+v: Match: %v allocs per 100 calls", f, n)
		}
	}
}
