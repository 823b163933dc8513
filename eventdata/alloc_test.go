package eventdata

import (
	"testing"

	"github.com/mailtrace/mailtrace/internal/check"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// Inputs shared by TestNoAllocs and the benchmarks: real rows of
// testdata/real plus a synthetic anonymous submission with an IPv6 zone.
var (
	benchReceive   = []byte("S:ProxyHop1=exchange-mail.my.domain.com(10.11.12.14);S:MessageValue=MediumHigh;S:Replication=Failed;S:FirstForestHop=exchange-mail.my.domain.com;S:FromEntity=Internet;S:ProxiedClientIPAddress=10.11.12.13;S:ProxiedClientHostname=host01.my.domain.com;S:DeliveryPriority=Normal;S:AccountForest=my.domain.com")
	benchSendExt   = []byte("S:E2ELatency=14.513;S:ExternalSendLatency=0.402;S:ToEntity=Internet;S:FromEntity=Internet;S:MsgRecipCount=1;S:IncludeInSla=True;S:Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel=DomainValidation;S:Microsoft.Exchange.Transport.MailRecipient.EffectiveTlsAuthLevel=DomainValidation;S:IsSmtpResponseFromExternalServer=True;S:DeliveryPriority=Normal;S:OriginalFromAddress=<>;S:AccountForest=wgs.wuerth.com")
	benchAgentInfo = []byte("S:AMA=SUM|v=0|action=|error=|atch=2;S:AMA=EV|engine=M|v=0|sig=1.413.283.0|name=|file=;S:TRA=ETRP|ruleId=ff116ef4-402d-4dff-90cb-c3d772b3179a|st=2023-05-12T07:55:40.0000000Z|ExecW=4|ExecC=0|Conditions=GTOEP,M.MAS,1;S:TRA=ETRP|ruleId=f94242a7-ebe6-46f4-9612-ec4745b26353|st=2025-02-07T14:54:33.0000000Z|ExecW=1|ExecC=0|Conditions=ISUP,M.F,1")
	benchIPv6      = []byte("S:ProxyHop1=fe(fe80::1234:5678:4321:1010%3);S:ProxiedClientIPAddress=2a02:cf40::1234:5678:9abc;S:MailboxDatabaseGuid=4ba0d02d-8b59-4bab-80e0-73f70ce64d61;S:E2ELatency=1.211")
	benchPS        = []byte("{[E2ELatency, 14.588], [ToEntity, Unknown], [FromEntity, Hosted], [MsgRecipCount, 43], [IncludeInSla, False], [SlaExclusionReason, AccMsgSizeThresholdExceeded], [Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel, Opportunistic], [IsSmtpResponseFromExternalServer, False], [DeliveryPriority, Low], [PrioritizationReason, AMS:12689884/1048576|ARC:83/500], [AccountForest, domain.local]}")
	benchWrapped   = []byte("{[E2ELatency, 0.701], [ToEntity, Unknown], [FromEntity, Hosted], [MsgRecipCount, 1],    \n\n                          [IncludeInSla, True], [Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel,  \n\n                          Opportunistic], [IsSmtpResponseFromExt  \n\nernalServer, False]}")
	benchQuoted    = []byte("S:A=1;'S:B=it''s;here';S:C=3")
)

var (
	sinkInt   int
	sinkBytes []byte
	sinkBool  bool
	sinkData  Data
	sinkHit   RuleHit
	sinkMal   MalwareResult
	sinkHop   ProxyHop
	sinkPairs []Pair
)

// TestNoAllocs backs every "does no allocation" claim of the package.
func TestNoAllocs(t *testing.T) {
	pairs := make([]Pair, 0, 64)
	buf := make([]byte, 0, 1024)
	var s Scanner
	var ps PSScanner
	var g GroupScanner
	var d Data
	guidText, ok1 := Lookup(benchIPv6, "MailboxDatabaseGuid")
	traText, ok2 := Lookup(benchAgentInfo, "TRA")
	amaText, ok3 := Lookup(benchAgentInfo, "AMA")
	hopText, ok4 := Lookup(benchReceive, "ProxyHop1")
	if !ok1 || !ok2 || !ok3 || !ok4 {
		t.Fatal("bench inputs lack the keys the test uses")
	}
	tests := []struct {
		name string
		fn   func()
	}{
		{"Scanner", func() {
			for _, src := range [][]byte{benchReceive, benchSendExt, benchAgentInfo} {
				s.Init(src)
				for s.Next() {
					sinkInt += len(s.Key()) + len(s.Value()) + len(s.TagRaw()) + int(s.Tag()) + s.Offset() + s.ValueOffset()
				}
			}
		}},
		{"Scanner/strict", func() {
			s.InitMode(benchSendExt, msgtrk.Strict)
			for s.Next() {
				sinkInt += len(s.Value())
			}
		}},
		{"Scanner/quoted after warm-up", func() {
			s.Init(benchQuoted)
			for s.Next() {
				sinkInt += len(s.Value())
			}
		}},
		{"Scanner.Find", func() {
			s.Init(benchAgentInfo)
			for s.Find("TRA") {
				sinkInt += len(s.Value())
			}
		}},
		{"Lookup", func() {
			v, ok := Lookup(benchSendExt, "AccountForest")
			sinkBytes, sinkBool = v, ok
		}},
		{"Lookup/missing", func() {
			_, sinkBool = Lookup(benchReceive, "Nope")
		}},
		{"ProxyHopIndex", func() {
			sinkBool = ProxyHopIndex([]byte("ProxyHop12")) == 12
		}},
		{"AppendPairs", func() {
			sinkPairs, _ = AppendPairs(pairs[:0], benchSendExt)
		}},
		{"AppendPairsStrict", func() {
			sinkPairs, _ = AppendPairsStrict(pairs[:0], benchAgentInfo)
		}},
		{"AppendPSPairs", func() {
			sinkPairs, _ = AppendPSPairs(pairs[:0], benchPS)
		}},
		{"Data.Decode/receive", func() {
			_ = d.Decode(benchReceive)
			sinkData = d
		}},
		{"Data.Decode/sendexternal", func() {
			_ = d.Decode(benchSendExt)
			sinkData = d
		}},
		{"Data.Decode/ipv6 zone", func() {
			_ = d.Decode(benchIPv6)
			sinkData = d
		}},
		{"Data.Decode/agentinfo", func() {
			_ = d.Decode(benchAgentInfo)
			sinkData = d
		}},
		{"Data.DecodePowerShell", func() {
			_ = d.DecodePowerShell(benchPS)
			sinkData = d
		}},
		{"PSScanner", func() {
			ps.Init(benchPS)
			for ps.Next() {
				sinkInt += len(ps.Key()) + len(ps.Value()) + ps.Offset() + ps.ValueOffset()
			}
		}},
		{"AppendUnwrapped", func() {
			sinkBytes = AppendUnwrapped(buf[:0], benchWrapped)
		}},
		{"GroupScanner", func() {
			g.Init(amaText)
			sinkInt += len(g.Kind())
			for g.Next() {
				sinkInt += len(g.Key()) + len(g.Value()) + g.Offset()
			}
		}},
		{"ParseRuleHit", func() {
			sinkHit, _ = ParseRuleHit(traText)
		}},
		{"ParseMalwareResult", func() {
			sinkMal, _ = ParseMalwareResult(amaText)
		}},
		{"ParseProxyHop", func() {
			sinkHop, _ = ParseProxyHop(hopText)
		}},
		{"ParseKey/ParseTag/ParseEntity/ParsePriority/ParseGroupKind", func() {
			sinkInt += int(ParseKey(benchReceive[2:11])) + int(ParseTag(benchReceive[:1])) +
				int(ParseEntity([]byte("Internet"))) + int(ParsePriority([]byte("Normal"))) + int(ParseGroupKind([]byte("ETRP")))
		}},
		{"AppendMember", func() {
			sinkBytes = AppendMember(buf[:0], Pair{Tag: TagString, Key: benchReceive[2:11], Value: benchQuoted})
		}},
	}
	for _, tt := range tests {
		check.NoAllocs(t, tt.name, tt.fn) // warms up scratch buffers and interned zones first
	}
	// The inputs must really exercise the success paths the names say.
	if _, err := ParseRuleHit(traText); err != nil {
		t.Errorf("ParseRuleHit(%q): %v", traText, err)
	}
	if _, ok := msgtrk.ParseGUID(guidText); !ok {
		t.Errorf("ParseGUID(%q) failed", guidText)
	}
	if h, ok := ParseProxyHop(hopText); !ok || !h.Addr.IsValid() {
		t.Errorf("ParseProxyHop(%q) = %v, %v", hopText, h, ok)
	}
	if err := d.Decode(benchIPv6); err != nil || d.ProxyHops[0].Addr.Zone() != "3" {
		t.Errorf("benchIPv6 decode: %v, zone %q", err, d.ProxyHops[0].Addr.Zone())
	}
}
