package eventdata

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/internal/realdata"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// realSample is one custom-data value found in testdata/real.
type realSample struct {
	name  string // file:line
	value []byte
}

// realCustomData returns the custom-data of every row of every raw log in
// testdata/real that has the column, read by internal/realdata. The
// learn.microsoft.com AGENTINFO rows, which the poster wrapped in an extra
// pair of double quotes, come out as the truncated rows they are: their
// custom-data ends where the paste ends, cut off inside a member. The
// Exchange 2007 row has no custom-data column.
func realCustomData(t testing.TB) []realSample {
	t.Helper()
	var out []realSample
	for _, r := range realdata.Logs(t) {
		if v, ok := r.Get("custom-data"); ok {
			out = append(out, realSample{r.File + ":" + strconv.Itoa(r.Line), []byte(v)})
		}
	}
	return out
}

// cmdletField returns the text of a Format-List property, from after
// "name : " up to the line where the property next starts, still wrapped.
func cmdletField(t testing.TB, file, name, next string, nth int) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(realdata.Dir, "cmdlet_output", file))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for n := 0; ; n++ {
		i := strings.Index(text, name)
		if i < 0 {
			t.Fatalf("%s: property %s #%d not found", file, name, nth)
		}
		text = text[i+len(name):]
		rest := strings.TrimLeft(text, " ")
		if !strings.HasPrefix(rest, ":") {
			continue
		}
		if n < nth {
			continue
		}
		rest = strings.TrimPrefix(rest, ":")
		end := strings.Index(rest, next)
		if end < 0 {
			t.Fatalf("%s: end of property %s not found", file, name)
		}
		return []byte(rest[:end])
	}
}

// naivePairs splits custom-data the obvious way. None of the real rows
// uses apostrophe quoting, so it must agree with the Scanner on them.
func naivePairs(s string) []sp {
	var out []sp
	off := 0
	for _, m := range strings.Split(s, ";") {
		if m != "" {
			tag, rest, _ := strings.Cut(m, ":")
			k, v, _ := strings.Cut(rest, "=")
			out = append(out, sp{ParseTag([]byte(tag)), tag, k, v, off})
		}
		off += len(m) + 1
	}
	return out
}

func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

// TestGoldenReal pins the decoded values of every custom-data in the raw
// logs of testdata/real.
func TestGoldenReal(t *testing.T) {
	const (
		qazeer  = "Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_MSGTRKMS.log"
		aws     = "awslabs_kinesis-agent-windows_Amazon.KinesisTap.FileSystem.Test_ExchangeLogParserTest.log"
		bom8    = "elastic_beats_filebeat_tests_files_logs_bom8.log"
		elastic = "elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log"
		agent   = "learn.microsoft.com_answers_2152821_auditing-transport-rules-2_AGENTINFO_truncated.log"
		lewea   = "leweafan_filebeat-modules_exchange_README_RESOLVE.log"
	)
	type golden struct {
		want    Data
		has     []Key
		errKey  string // the key of the expected ErrValue, or ""
		errOff  int
		members int // members the scanner yields
	}
	agentinfo := golden{want: Data{Members: 5, Other: 5}, has: []Key{KeyAMA, KeyTRA}, members: 5}
	want := map[string]golden{
		qazeer + ":6": {want: Data{ItemEntryID: b("00-XXX-00"), Members: 1}, has: []Key{KeyItemEntryID}, members: 1},
		qazeer + ":7": {
			want: Data{
				MailboxDatabaseGuidRaw: b("12345678-3232-2323-1111-12345679987"), // anonymised: 11-digit last group
				ItemEntryID:            b("00-00-XXX-00"),
				DeliveryPriority:       PriorityNormal, DeliveryPriorityRaw: b("Normal"),
				AccountForest: b("DOMAIN.TEST"), Members: 4,
			},
			has:    []Key{KeyDeliveryPriority, KeyMailboxDatabaseGuid, KeyAccountForest, KeyItemEntryID},
			errKey: "MailboxDatabaseGuid", errOff: len("S:MailboxDatabaseGuid="), members: 4,
		},
		aws + ":6": {
			want: Data{
				DeliveryPriority: PriorityNormal, DeliveryPriorityRaw: b("Normal"),
				OriginalFromAddress: b("jlb-approval@amazon.com"), AccountForest: b("ant.amazon.com"), Members: 5, Other: 2,
			},
			has:     []Key{KeyDeliveryPriority, KeyOriginalFromAddress, KeyAccountForest, KeyAMA, KeyCompCost},
			members: 5,
		},
		aws + ":7": {
			want: Data{
				DeliveryPriority: PriorityNormal, DeliveryPriorityRaw: b("Normal"),
				OriginalFromAddress: b("jlb-approval@amazon.com"), AccountForest: b("ant.amazon.com"), Members: 3,
			},
			has:     []Key{KeyDeliveryPriority, KeyOriginalFromAddress, KeyAccountForest},
			members: 3,
		},
		bom8 + ":6": {
			want:    Data{ItemEntryID: b("00-00-00-00-37-DB-F9-F9-B5-F2-42-4F-86-62-E6-5D-FC-0C-A1-41-07-00-0E-D6-03-16-80-DC-8C-44-9D-30-07-23-ED-71-B7-F7-00-00-1F-D4-B5-0E-00-00-2E-EF-F2-59-0E-E8-2D-46-BC-31-02-85-0D-67-98-43-00-00-37-4A-A3-B3-00-00"), Members: 1},
			has:     []Key{KeyItemEntryID},
			members: 1,
		},
		bom8 + ":7": {
			want:    Data{ItemEntryID: b("00-00-00-00-97-8F-07-43-51-44-61-4A-AD-BD-29-D4-97-4E-20-A0-07-00-0E-D6-03-16-80-DC-8C-44-9D-30-07-23-ED-71-B7-F7-00-8E-8F-BD-EB-57-00-00-3D-FB-CE-26-A4-8D-46-4C-A4-35-0F-A7-9B-FA-D7-B9-00-00-37-44-2F-CA-00-00"), Members: 1},
			has:     []Key{KeyItemEntryID},
			members: 1,
		},
		elastic + ":1": {
			want: Data{
				DeliveryPriority: PriorityNormal, DeliveryPriorityRaw: b("Normal"),
				OriginalFromAddress: b("root@host01.my.domain.com"), AccountForest: b("my.domain.com"), Members: 3,
			},
			has:     []Key{KeyDeliveryPriority, KeyOriginalFromAddress, KeyAccountForest},
			members: 3,
		},
		elastic + ":2": {
			want: Data{
				ProxyHops:      [MaxProxyHops]ProxyHop{{Host: b("exchange-mail.my.domain.com"), Addr: netip.MustParseAddr("10.11.12.14")}},
				NumProxyHops:   1,
				MessageValue:   b("MediumHigh"),
				Replication:    b("Failed"),
				FirstForestHop: b("exchange-mail.my.domain.com"),
				FromEntity:     EntityInternet, FromEntityRaw: b("Internet"),
				ProxiedClientIPAddress: netip.MustParseAddr("10.11.12.13"),
				ProxiedClientHostname:  b("host01.my.domain.com"),
				DeliveryPriority:       PriorityNormal, DeliveryPriorityRaw: b("Normal"),
				AccountForest: b("my.domain.com"),
				Members:       9,
			},
			has: []Key{KeyProxiedClientIPAddress, KeyProxiedClientHostname, KeyProxyHop, KeyFirstForestHop, KeyFromEntity,
				KeyDeliveryPriority, KeyAccountForest, KeyMessageValue, KeyReplication},
			members: 9,
		},
		elastic + ":3": {
			want: Data{
				ProxyHops:      [MaxProxyHops]ProxyHop{{Host: b("exchange-mail.my.domain.com"), Addr: netip.MustParseAddr("10.11.12.14")}},
				NumProxyHops:   1,
				MessageValue:   b("MediumHigh"),
				Replication:    b("Failed"),
				FirstForestHop: b("exchange-mail.my.domain.com"),
				FromEntity:     EntityInternet, FromEntityRaw: b("Internet"),
				ProxiedClientIPAddress: netip.MustParseAddr("10.11.12.15"),
				ProxiedClientHostname:  b("pve-vhost01.my.domain.com"),
				DeliveryPriority:       PriorityNormal, DeliveryPriorityRaw: b("Normal"),
				AccountForest: b("my.domain.com"),
				Members:       9,
			},
			has: []Key{KeyProxiedClientIPAddress, KeyProxiedClientHostname, KeyProxyHop, KeyFirstForestHop, KeyFromEntity,
				KeyDeliveryPriority, KeyAccountForest, KeyMessageValue, KeyReplication},
			members: 9,
		},
		elastic + ":4": {
			want: Data{
				E2ELatency: ms(1928), MsgRecipCount: 1, IncludeInSla: BoolTrue,
				RequiredTLSAuthLevel:             b("Opportunistic"),
				IsSmtpResponseFromExternalServer: BoolFalse,
				DeliveryPriority:                 PriorityNormal, DeliveryPriorityRaw: b("Normal"),
				AccountForest: b("example.com"), Members: 7,
			},
			has: []Key{KeyE2ELatency, KeyMsgRecipCount, KeyDeliveryPriority, KeyIncludeInSla, KeyIsSmtpResponseFromExternalServer,
				KeyAccountForest, KeyRequiredTLSAuthLevel},
			members: 7,
		},
		elastic + ":5": {
			want: Data{
				E2ELatency: ms(14513), ExternalSendLatency: ms(402),
				ToEntity: EntityInternet, ToEntityRaw: b("Internet"), FromEntity: EntityInternet, FromEntityRaw: b("Internet"),
				MsgRecipCount: 1, IncludeInSla: BoolTrue,
				RequiredTLSAuthLevel:             b("DomainValidation"),
				EffectiveTLSAuthLevel:            b("DomainValidation"),
				IsSmtpResponseFromExternalServer: BoolTrue,
				DeliveryPriority:                 PriorityNormal, DeliveryPriorityRaw: b("Normal"),
				OriginalFromAddress: b("<>"), AccountForest: b("wgs.wuerth.com"), Members: 12,
			},
			has: []Key{KeyE2ELatency, KeyExternalSendLatency, KeyMsgRecipCount, KeyFromEntity, KeyToEntity, KeyDeliveryPriority,
				KeyIncludeInSla, KeyIsSmtpResponseFromExternalServer, KeyOriginalFromAddress, KeyAccountForest,
				KeyRequiredTLSAuthLevel, KeyEffectiveTLSAuthLevel},
			members: 12,
		},
		elastic + ":6": {
			want:    Data{ItemEntryID: b("00-00-00-00-39-E7-E4-05-8C-C2-08-4C-AC-96-9A-D0-DE-C4-85-EE-07-00-D8-00-A6-A0-EC-B2-39-4D-BD-2F-31-4C-F7-4F-3F-4C-00-00-00-14-1A-99-00-00-46-7D-7B-CD-1B-EA-FC-40-9C-37-A9-7E-B0-DD-4C-16-00-08-65-53-76-46-00-00"), Members: 1},
			has:     []Key{KeyItemEntryID},
			members: 1,
		},
		agent + ":1": agentinfo,
		agent + ":2": agentinfo,
		lewea + ":1": {
			want: Data{DeliveryPriority: PriorityNormal, DeliveryPriorityRaw: b("Normal"), AccountForest: b("test.com"), Members: 2},
			has:  []Key{KeyDeliveryPriority, KeyAccountForest}, members: 2,
		},
	}
	samples := realCustomData(t)
	seen := map[string]bool{}
	for _, s := range samples {
		seen[s.name] = true
		g, ok := want[s.name]
		if !ok {
			t.Errorf("%s: custom-data %q has no golden entry", s.name, s.value)
			continue
		}
		var d Data
		err := d.Decode(s.value)
		if diff := cmp.Diff(g.want, d, dataOpts); diff != "" {
			t.Errorf("%s: Decode(%q) mismatch (-want +got):\n%s", s.name, s.value, diff)
		}
		if diff := cmp.Diff(g.has, hasKeys(&d)); diff != "" {
			t.Errorf("%s: Has mismatch (-want +got):\n%s", s.name, diff)
		}
		var se *SyntaxError
		switch {
		case g.errKey == "" && err != nil:
			t.Errorf("%s: Decode error %v", s.name, err)
		case g.errKey != "" && (!errors.As(err, &se) || !errors.Is(err, ErrValue) || se.Key != g.errKey || se.Offset != g.errOff):
			t.Errorf("%s: Decode error %#v, want ErrValue for %s at %d", s.name, err, g.errKey, g.errOff)
		}
		// Member level: strict scanning succeeds and agrees with a naive split.
		pairs, err := AppendPairsStrict(nil, s.value)
		if err != nil {
			t.Errorf("%s: AppendPairsStrict error %v", s.name, err)
		}
		if len(pairs) != g.members {
			t.Errorf("%s: %d members, want %d", s.name, len(pairs), g.members)
		}
		if diff := cmp.Diff(naivePairs(string(s.value)), toSP(pairs)); diff != "" {
			t.Errorf("%s: pairs differ from a naive split (-naive +got):\n%s", s.name, diff)
		}
	}
	var missing []string
	for name := range want {
		if !seen[name] {
			missing = append(missing, name)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("golden entries without a sample (file changed?): %v", missing)
	}
}

// TestGoldenAgentInfo pins the groups of the two AGENTINFO rows, cut off
// inside their last member: every complete member decodes and the cut one
// is reported as truncated.
func TestGoldenAgentInfo(t *testing.T) {
	var rows []realSample
	for _, s := range realCustomData(t) {
		if strings.HasPrefix(s.name, "learn.microsoft.com_answers_2152821") ||
			strings.HasPrefix(s.name, "awslabs_kinesis") && bytes.Contains(s.value, []byte("AMA")) {
			rows = append(rows, s)
		}
	}
	if len(rows) != 3 {
		t.Fatalf("found %d AGENTINFO rows, want 3", len(rows))
	}
	type result struct {
		Malware []MalwareResult
		Rules   []RuleHit
		Errs    []error
	}
	rule := func(id, st string, execW int64, cond string) RuleHit {
		tm, _ := time.Parse(time.RFC3339Nano, st)
		return RuleHit{Kind: GroupETRP, RuleID: msgtrk.MustParseGUID(id), RuleIDRaw: b(id), Time: tm, TimeRaw: b(st), ExecWall: ms(execW), Conditions: b(cond)}
	}
	learn := result{
		Malware: []MalwareResult{
			{Kind: GroupSUM, Version: b("0"), Attachments: 2},
			{Kind: GroupEV, Engine: b("M"), Version: b("0"), Signature: b("1.413.283.0")},
		},
		Rules: []RuleHit{
			rule("ff116ef4-402d-4dff-90cb-c3d772b3179a", "2023-05-12T07:55:40.0000000Z", 4, "GTOEP,M.MAS,1"),
			rule("f94242a7-ebe6-46f4-9612-ec4745b26353", "2025-02-07T14:54:33.0000000Z", 1, "ISUP,M.F,1"),
			{Kind: GroupETRP, RuleID: msgtrk.MustParseGUID("7366001e-f754-4330-9211-1bb412b6b159"), RuleIDRaw: b("7366001e-f754-4330-9211-1bb412b6b159")},
		},
		Errs: []error{nil, nil, nil, nil, ErrTruncated},
	}
	want := []result{
		{Malware: []MalwareResult{{Kind: GroupSUM, Action: b("p")}}, Errs: []error{nil}},
		learn,
		learn,
	}
	slices.SortFunc(rows, func(a, b realSample) int { return strings.Compare(a.name, b.name) })
	for i, s := range rows {
		var got result
		var sc Scanner
		sc.InitMode(s.value, msgtrk.Strict)
		for sc.Next() {
			switch string(sc.Key()) {
			case "AMA":
				r, err := ParseMalwareResult(sc.Value())
				got.Malware = append(got.Malware, r)
				got.Errs = append(got.Errs, err)
			case "TRA":
				h, err := ParseRuleHit(sc.Value())
				got.Rules = append(got.Rules, h)
				got.Errs = append(got.Errs, err)
			}
		}
		if sc.Err() != nil {
			t.Errorf("%s: scan error %v", s.name, sc.Err())
		}
		if diff := cmp.Diff(want[i], got, dataOpts, cmp.Comparer(func(a, b error) bool { return errors.Is(a, b) || errors.Is(b, a) })); diff != "" {
			t.Errorf("%s: groups mismatch (-want +got):\n%s", s.name, diff)
		}
	}
}

// TestGoldenCmdlet pins the EventData of the Get-MessageTrackingLog output
// in testdata/real/cmdlet_output, read through AppendUnwrapped and the
// PowerShell scanner, and the console-wrapped raw custom_data of the
// Exchange Online report.
func TestGoldenCmdlet(t *testing.T) {
	const (
		f134852 = "learn.microsoft.com_answers_134852_Get-MessageTrackingLog_DELIVERFAIL_FAIL_fl.txt"
		f208018 = "learn.microsoft.com_answers_208018_Get-MessageTrackingLog_FAIL_fl.txt"
		tostka  = "tostka_verb-EXO_Public_convert-HistoricalSearchCSV_EXO_extended_report_fl.txt"
	)
	tests := []struct {
		name      string
		text      []byte
		raw       bool // raw custom-data rather than a PowerShell rendering
		wantPairs int
		want      Data
	}{
		{
			name: f134852 + " DELIVERFAIL", text: cmdletField(t, f134852, "EventData", "TransportTrafficType", 0), wantPairs: 4,
			want: Data{
				E2ELatency: ms(14578), DeliveryPriority: PriorityLow, DeliveryPriorityRaw: b("Low"),
				PrioritizationReason: b("AMS:12689884/1048576|ARC:83/500"), AccountForest: b("domain.local"), Members: 4,
			},
		},
		{
			name: f134852 + " FAIL", text: cmdletField(t, f134852, "EventData", "TransportTrafficType", 1), wantPairs: 11,
			want: Data{
				E2ELatency: ms(14588), ToEntity: EntityUnclassified, ToEntityRaw: b("Unknown"), FromEntity: EntityHosted, FromEntityRaw: b("Hosted"),
				MsgRecipCount: 43, IncludeInSla: BoolFalse, SlaExclusionReason: b("AccMsgSizeThresholdExceeded"),
				RequiredTLSAuthLevel: b("Opportunistic"), IsSmtpResponseFromExternalServer: BoolFalse, // key wrapped mid-word
				DeliveryPriority: PriorityLow, DeliveryPriorityRaw: b("Low"),
				PrioritizationReason: b("AMS:12689884/1048576|ARC:83/500"), AccountForest: b("domain.local"), Members: 11,
			},
		},
		{
			name: f208018, text: cmdletField(t, f208018, "EventData", "TransportTrafficType", 0), wantPairs: 9,
			want: Data{
				E2ELatency: ms(701), ToEntity: EntityUnclassified, ToEntityRaw: b("Unknown"), FromEntity: EntityHosted, FromEntityRaw: b("Hosted"),
				MsgRecipCount: 1, IncludeInSla: BoolTrue,
				RequiredTLSAuthLevel:             b("Opportunistic"), // wrapped after the key's ','
				IsSmtpResponseFromExternalServer: BoolFalse,
				DeliveryPriority:                 PriorityNormal, DeliveryPriorityRaw: b("Normal"),
				AccountForest: b("mylab.test"), Members: 9,
			},
		},
		{
			name: tostka + " custom_data", text: cmdletField(t, tostka, "custom_data", "#>", 0), raw: true, wantPairs: 20,
			want: Data{
				IncludeInSla:           BoolTrue,
				MailboxDatabaseGuid:    msgtrk.MustParseGUID("4ba0d02d-8b59-4bab-80e0-73f70ce64d61"),
				MailboxDatabaseGuidRaw: b("4ba0d02d-8b59-4bab-80e0-73f70ce64d61"),
				ActivityID:             b("77d7390c-af4d-4e43-99c5-aea5e353c61a"),
				BCL:                    0,
				Mailboxes:              b("f5436253-dbf4-428f-bb5c-08944e5f30e9"),
				StoreObjectIDs:         b("AAAAAN4COUMvw7VMjllHB1/AorIHANlpuQRlrZxKlXO5Qqnh9vMAAAClXpkAAL34su7JVyNBoQgZmMcaJOoAAu1n1K8AAA=="),
				FromEntity:             EntityHosted, FromEntityRaw: b("Hosted"), ToEntity: EntityHosted, ToEntityRaw: b("Hosted"),
				P2RecipStat:   b("0.008/9"),
				MsgRecipCount: 9, SubRecipCount: 9,
				HTTPRequestID:     b("9cfd3bb0-f5cb-446d-b57e-a73440081811"),
				DeliveredViaHttps: BoolTrue,
				MapiMessageClass:  b("IPM.Note"),
				DeliveryLatency:   ms(1207), AttachCount: 1, E2ELatency: ms(1211),
				DeliveryPriority: PriorityNormal, DeliveryPriorityRaw: b("Normal"),
				PrioritizationReason: b("EnvelopePriority"),
				AccountForest:        b("NAMPR04A008.PROD.OUTLOOK.COM"),
				Members:              20,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := AppendUnwrapped(nil, bytes.TrimSpace(tt.text))
			var d Data
			var err error
			var pairs []Pair
			var perr error
			if tt.raw {
				err = d.Decode(text)
				pairs, perr = AppendPairsStrict(nil, text)
			} else {
				err = d.DecodePowerShell(text)
				pairs, perr = AppendPSPairs(nil, text)
			}
			if err != nil || perr != nil {
				t.Errorf("decoding %q: %v / %v", text, err, perr)
			}
			if len(pairs) != tt.wantPairs {
				t.Errorf("%d pairs in %q, want %d", len(pairs), text, tt.wantPairs)
			}
			for _, p := range pairs {
				if bytes.ContainsAny(p.Key, " \r\n") || bytes.ContainsAny(p.Value, "\r\n") {
					t.Errorf("wrapping left in pair %q=%q", p.Key, p.Value)
				}
			}
			if diff := cmp.Diff(tt.want, d, dataOpts); diff != "" {
				t.Errorf("decode of %q mismatch (-want +got):\n%s", text, diff)
			}
		})
	}
}
