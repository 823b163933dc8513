package eventdata

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mailtrace/mailtrace/internal/fielderr"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// b turns a string into a byte slice for table literals.
func b(s string) []byte { return []byte(s) }

// sp is a Pair written with strings, for readable tables.
type sp struct {
	Tag    Tag
	TagRaw string
	Key    string
	Value  string
	Offset int
}

func toSP(ps []Pair) []sp {
	out := make([]sp, 0, len(ps))
	for _, p := range ps {
		out = append(out, sp{p.Tag, string(p.TagRaw), string(p.Key), string(p.Value), p.Offset})
	}
	return out
}

// scanAll runs a Scanner in the given mode and collects what it yields.
func scanAll(src string, mode msgtrk.Mode) ([]sp, error) {
	var s Scanner
	s.InitMode([]byte(src), mode)
	var out []sp
	for s.Next() {
		out = append(out, sp{s.Tag(), string(s.TagRaw()), string(s.Key()), string(s.Value()), s.Offset()})
	}
	return out, s.Err()
}

// scanTests and the other tables below also seed the fuzzers.
var scanTests = []struct {
	name string
	in   string
	want []sp
}{
	{"empty", "", nil},
	{"one", "S:E2ELatency=1.928", []sp{{TagString, "S", "E2ELatency", "1.928", 0}}},
	{"two", "S:E2ELatency=1.928;S:MsgRecipCount=1", []sp{
		{TagString, "S", "E2ELatency", "1.928", 0},
		{TagString, "S", "MsgRecipCount", "1", 19},
	}},
	{"dotted key", "S:Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel=Opportunistic", []sp{
		{TagString, "S", "Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel", "Opportunistic", 0},
	}},
	{"value with equals and bars", "S:CompCost=|ETR=0", []sp{{TagString, "S", "CompCost", "|ETR=0", 0}}},
	{"value with parens", "S:ProxyHop1=exchange-mail.my.domain.com(10.11.12.14)", []sp{
		{TagString, "S", "ProxyHop1", "exchange-mail.my.domain.com(10.11.12.14)", 0},
	}},
	{"value with colon and slash", "S:PrioritizationReason=AMS:12689884/1048576|ARC:83/500", []sp{
		{TagString, "S", "PrioritizationReason", "AMS:12689884/1048576|ARC:83/500", 0},
	}},
	{"empty value", "S:OriginalFromAddress=;S:A=b", []sp{
		{TagString, "S", "OriginalFromAddress", "", 0},
		{TagString, "S", "A", "b", 23},
	}},
	{"null path", "S:OriginalFromAddress=<>", []sp{{TagString, "S", "OriginalFromAddress", "<>", 0}}},
	{"key with colon", "S:a:b=c", []sp{{TagString, "S", "a:b", "c", 0}}},
	{"repeated key", "S:AMA=SUM|v=0;S:AMA=EV|engine=M", []sp{
		{TagString, "S", "AMA", "SUM|v=0", 0},
		{TagString, "S", "AMA", "EV|engine=M", 14},
	}},
	{"other tags", "I32:N=5;Dt:T=2024-01-01T00:00:00Z;F:X=1.5;Dbl:Y=2.5;Zz9:Q=1", []sp{
		{TagInt32, "I32", "N", "5", 0},
		{TagDateTime, "Dt", "T", "2024-01-01T00:00:00Z", 8},
		{TagFloat, "F", "X", "1.5", 34},
		{TagDouble, "Dbl", "Y", "2.5", 42},
		{TagUnknown, "Zz9", "Q", "1", 52},
	}},
	{"quoted with semicolon", "'S:X=a;b';S:Y=z", []sp{
		{TagString, "S", "X", "a;b", 0},
		{TagString, "S", "Y", "z", 10},
	}},
	{"quoted with doubled apostrophe", "'S:X=it''s;'", []sp{{TagString, "S", "X", "it's;", 0}}},
	{"inner apostrophe unquoted", "S:Y=it's", []sp{{TagString, "S", "Y", "it's", 0}}},
	{"trailing semicolon", "S:SFA=SUM|LAT=18;", []sp{{TagString, "S", "SFA", "SUM|LAT=18", 0}}},
	{"empty members", ";;S:A=1;;", []sp{{TagString, "S", "A", "1", 2}}},
	{"non-ASCII", "S:Betreff=Grüße=ok", []sp{{TagString, "S", "Betreff", "Grüße=ok", 0}}},
}

func TestScanner(t *testing.T) {
	for _, tt := range scanTests {
		t.Run(tt.name, func(t *testing.T) {
			for _, mode := range []msgtrk.Mode{msgtrk.Lenient, msgtrk.Strict} {
				got, err := scanAll(tt.in, mode)
				if err != nil {
					t.Errorf("%v scan of %q: unexpected error %v", mode, tt.in, err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%v scan of %q mismatch (-want +got):\n%s", mode, tt.in, diff)
				}
			}
		})
	}
}

var scanErrorTests = []struct {
	name        string
	in          string
	wantLenient []sp // every well-formed member
	wantStrict  []sp // the members before the first error
	wantErr     error
	wantOffset  int
}{
	{"no tag", "S:A=1;A=1;S:B=2", []sp{{TagString, "S", "A", "1", 0}, {TagString, "S", "B", "2", 10}},
		[]sp{{TagString, "S", "A", "1", 0}}, ErrNoTag, 6},
	{"colon after equals", "K=a:b;S:B=2", []sp{{TagString, "S", "B", "2", 6}}, nil, ErrNoTag, 0},
	{"bad tag", "S x:K=1;S:B=2", []sp{{TagString, "S", "B", "2", 8}}, nil, ErrNoTag, 0},
	{"empty tag", ":K=1", nil, nil, ErrNoTag, 0},
	{"no equals", "S:A=1;S:Truncat", []sp{{TagString, "S", "A", "1", 0}},
		[]sp{{TagString, "S", "A", "1", 0}}, ErrNoEquals, 6},
	{"empty key", "S:=v;S:B=2", []sp{{TagString, "S", "B", "2", 5}}, nil, ErrNoKey, 0},
	{"first error kept", "x;S:=v;S:B=2", []sp{{TagString, "S", "B", "2", 7}}, nil, ErrNoTag, 0},
	{"unterminated quote", "S:A=1;'S:B=2;S:C=3", []sp{{TagString, "S", "A", "1", 0}},
		[]sp{{TagString, "S", "A", "1", 0}}, ErrQuote, 6},
	{"text after quote stops", "'S:B=2'x;S:C=3", nil, nil, ErrQuote, 0},
}

func TestScannerErrors(t *testing.T) {
	for _, tt := range scanErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				mode msgtrk.Mode
				want []sp
			}{{msgtrk.Lenient, tt.wantLenient}, {msgtrk.Strict, tt.wantStrict}} {
				got, err := scanAll(tt.in, c.mode)
				if diff := cmp.Diff(c.want, got); diff != "" {
					t.Errorf("%v scan of %q mismatch (-want +got):\n%s", c.mode, tt.in, diff)
				}
				var se *SyntaxError
				if !errors.As(err, &se) || !errors.Is(err, tt.wantErr) {
					t.Errorf("%v scan of %q: error %v, want a *SyntaxError wrapping %v", c.mode, tt.in, err, tt.wantErr)
					continue
				}
				if se.Offset != tt.wantOffset {
					t.Errorf("%v scan of %q: error offset %d, want %d", c.mode, tt.in, se.Offset, tt.wantOffset)
				}
			}
		})
	}
}

func TestAppendPairs(t *testing.T) {
	src := b("S:A=1;bad;'S:B=x''y;z';S:A=2")
	got, err := AppendPairs(nil, src)
	want := []sp{{TagString, "S", "A", "1", 0}, {TagString, "S", "B", "x'y;z", 10}, {TagString, "S", "A", "2", 23}}
	if diff := cmp.Diff(want, toSP(got)); diff != "" {
		t.Errorf("AppendPairs(%q) mismatch (-want +got):\n%s", src, diff)
	}
	if !errors.Is(err, ErrNoTag) {
		t.Errorf("AppendPairs(%q) error = %v, want ErrNoTag", src, err)
	}
	// The escaped member was copied: it survives later scans.
	if string(got[1].Value) != "x'y;z" || string(got[1].Key) != "B" {
		t.Errorf("AppendPairs(%q)[1] = %q=%q after copy", src, got[1].Key, got[1].Value)
	}
	got, err = AppendPairsStrict(got[:0], src)
	if diff := cmp.Diff(want[:1], toSP(got)); diff != "" {
		t.Errorf("AppendPairsStrict(%q) mismatch (-want +got):\n%s", src, diff)
	}
	if !errors.Is(err, ErrNoTag) {
		t.Errorf("AppendPairsStrict(%q) error = %v, want ErrNoTag", src, err)
	}
	// dst is appended to, not replaced.
	pre := []Pair{{Key: b("keep")}}
	got, _ = AppendPairs(pre, b("S:A=1"))
	if len(got) != 2 || string(got[0].Key) != "keep" {
		t.Errorf("AppendPairs did not append to dst: %v", toSP(got))
	}
}

func TestMaxMembers(t *testing.T) {
	var sb strings.Builder
	for i := 0; i < 100000; i++ {
		sb.WriteString("S:K=v;")
	}
	src := b(sb.String())
	for _, mode := range []msgtrk.Mode{msgtrk.Lenient, msgtrk.Strict} {
		var s Scanner
		s.InitMode(src, mode)
		n := 0
		for s.Next() {
			n++
		}
		if n != MaxMembers {
			t.Errorf("%v: scanned %d members of 100000, want MaxMembers=%d", mode, n, MaxMembers)
		}
		var se *SyntaxError
		if !errors.As(s.Err(), &se) || !errors.Is(se, ErrTooManyMembers) || se.Offset != MaxMembers*6 {
			t.Errorf("%v: Err() = %v, want ErrTooManyMembers at offset %d", mode, s.Err(), MaxMembers*6)
		}
	}
	got, err := AppendPairs(nil, src)
	if len(got) != MaxMembers || !errors.Is(err, ErrTooManyMembers) {
		t.Errorf("AppendPairs of 100000 members: %d pairs, error %v; want %d and ErrTooManyMembers", len(got), err, MaxMembers)
	}
	// Exactly MaxMembers is within the limit.
	got, err = AppendPairs(nil, src[:MaxMembers*6])
	if len(got) != MaxMembers || err != nil {
		t.Errorf("AppendPairs of MaxMembers members: %d pairs, error %v", len(got), err)
	}
}

func TestLookupFind(t *testing.T) {
	src := b("S:AMA=SUM|v=0;bad;S:TRA=ETRP|a;S:AMA=EV|engine=M;'S:Q=a''b'")
	tests := []struct {
		key    string
		want   string
		wantOK bool
	}{
		{"AMA", "SUM|v=0", true},
		{"TRA", "ETRP|a", true},
		{"Q", "a'b", true},
		{"ama", "", false},
		{"Missing", "", false},
	}
	for _, tt := range tests {
		got, ok := Lookup(src, tt.key)
		if string(got) != tt.want || ok != tt.wantOK {
			t.Errorf("Lookup(%q, %q) = %q, %v; want %q, %v", src, tt.key, got, ok, tt.want, tt.wantOK)
		}
	}
	var s Scanner
	s.Init(src)
	var all []string
	for s.Find("AMA") {
		all = append(all, string(s.Value()))
	}
	if diff := cmp.Diff([]string{"SUM|v=0", "EV|engine=M"}, all); diff != "" {
		t.Errorf("Find(AMA) loop mismatch (-want +got):\n%s", diff)
	}
	if !errors.Is(s.Err(), ErrNoTag) {
		t.Errorf("Find loop Err() = %v, want ErrNoTag", s.Err())
	}
}

func TestScannerOffsets(t *testing.T) {
	src := b("S:A=1;'S:B=x;y';'S:C=it''s'")
	var s Scanner
	s.Init(src)
	type pos struct {
		Off, ValOff int
		InSrc       bool
		Raw         string
	}
	var got []pos
	for s.Next() {
		got = append(got, pos{s.Offset(), s.ValueOffset(), s.InSource(), string(s.Raw())})
		if s.InSource() && string(src[s.ValueOffset():s.ValueOffset()+len(s.Value())]) != string(s.Value()) {
			t.Errorf("ValueOffset %d does not locate value %q", s.ValueOffset(), s.Value())
		}
	}
	want := []pos{{0, 4, true, "S:A=1"}, {6, 11, true, "'S:B=x;y'"}, {16, 16, false, "'S:C=it''s'"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("offsets of %q mismatch (-want +got):\n%s", src, diff)
	}
}

func TestAppendMember(t *testing.T) {
	tests := []struct {
		name string
		p    Pair
		want string
	}{
		{"plain", Pair{Tag: TagString, Key: b("E2ELatency"), Value: b("1.928")}, "S:E2ELatency=1.928"},
		{"raw tag wins", Pair{Tag: TagUnknown, TagRaw: b("Zz"), Key: b("K"), Value: b("v")}, "Zz:K=v"},
		{"unknown tag without raw", Pair{Key: b("K"), Value: b("v")}, "S:K=v"},
		{"int32", Pair{Tag: TagInt32, Key: b("N"), Value: b("5")}, "I32:N=5"},
		{"semicolon quotes", Pair{Tag: TagString, Key: b("K"), Value: b("a;it's")}, "'S:K=a;it''s'"},
		{"apostrophe alone does not quote", Pair{Tag: TagString, Key: b("K"), Value: b("it's")}, "S:K=it's"},
	}
	for _, tt := range tests {
		got := string(AppendMember(nil, tt.p))
		if got != tt.want {
			t.Errorf("%s: AppendMember = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestEnumsString(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{TagUnknown.String(), "Unknown"}, {TagString.String(), "S"}, {TagInt32.String(), "I32"},
		{TagDateTime.String(), "Dt"}, {TagFloat.String(), "F"}, {TagDouble.String(), "Dbl"}, {Tag(99).String(), "Tag(99)"},
		{EntityUnknown.String(), "Unknown"}, {EntityInternet.String(), "Internet"}, {EntityHosted.String(), "Hosted"},
		{EntityUnclassified.String(), "Unclassified"}, {Entity(9).String(), "Entity(9)"},
		{PriorityUnknown.String(), "Unknown"}, {PriorityNormal.String(), "Normal"}, {PriorityLow.String(), "Low"},
		{PriorityHigh.String(), "High"}, {Priority(9).String(), "Priority(9)"},
		{BoolUnknown.String(), "Unknown"}, {BoolFalse.String(), "False"}, {BoolTrue.String(), "True"}, {Bool(9).String(), "Bool(9)"},
		{GroupUnknown.String(), "Unknown"}, {GroupSUM.String(), "SUM"}, {GroupEV.String(), "EV"}, {GroupETR.String(), "ETR"},
		{GroupETRP.String(), "ETRP"}, {GroupDC.String(), "DC"}, {GroupCI.String(), "CI"}, {GroupKind(99).String(), "GroupKind(99)"},
		{KeyUnknown.String(), "Unknown"}, {KeyE2ELatency.String(), "E2ELatency"}, {Key(200).String(), "Key(200)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("String() = %q, want %q", tt.got, tt.want)
		}
	}
	// Every well-known key parses back from its spelling.
	for k := KeyUnknown + 1; k < numKeys; k++ {
		spelling := k.String()
		switch k {
		case KeyProxyHop:
			spelling += "12"
		case KeyResubmit:
			spelling += "Count"
		}
		if got := ParseKey(b(spelling)); got != k {
			t.Errorf("ParseKey(%q) = %v, want %v", spelling, got, k)
		}
	}
	// Spellings parse back.
	for tg := TagString; tg <= TagDouble; tg++ {
		if got := ParseTag(b(tg.String())); got != tg {
			t.Errorf("ParseTag(%q) = %v", tg.String(), got)
		}
	}
	for k := GroupSUM; k <= GroupCI; k++ {
		if got := ParseGroupKind(b(k.String())); got != k {
			t.Errorf("ParseGroupKind(%q) = %v", k.String(), got)
		}
	}
}

func TestParseKeyFamilies(t *testing.T) {
	tests := []struct {
		in      string
		want    Key
		wantHop int
	}{
		{"ProxyHop1", KeyProxyHop, 1},
		{"ProxyHop12", KeyProxyHop, 12},
		{"ProxyHop999999", KeyProxyHop, 999999},
		{"ProxyHop0", KeyUnknown, 0},
		{"ProxyHop01", KeyUnknown, 0},
		{"ProxyHop", KeyUnknown, 0},
		{"ProxyHopX", KeyUnknown, 0},
		{"ProxyHop1234567", KeyUnknown, 0},
		{"ResubmitRequestId", KeyResubmit, 0},
		{"Resubmit", KeyResubmit, 0},
		{"resubmit", KeyUnknown, 0},
		{"e2elatency", KeyUnknown, 0},
	}
	for _, tt := range tests {
		if got := ParseKey(b(tt.in)); got != tt.want {
			t.Errorf("ParseKey(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if got := ProxyHopIndex(b(tt.in)); got != tt.wantHop {
			t.Errorf("ProxyHopIndex(%q) = %d, want %d", tt.in, got, tt.wantHop)
		}
	}
}

func TestParseSeconds(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"1.928", 1928 * time.Millisecond},
		{"0.402", 402 * time.Millisecond},
		{"14.578", 14578 * time.Millisecond},
		{"14", 14 * time.Second},
		{"0", 0},
		{"0.000", 0},
		{"-0.010", -10 * time.Millisecond},
		{"+2.5", 2500 * time.Millisecond},
		{"0.1", 100 * time.Millisecond},
		{"1.123456789", 1123456789},
		{"1.1234567899", 1123456789}, // truncated beyond ns
		{"9223372036.854775807", time.Duration(1<<63 - 1)},
	}
	for _, tt := range tests {
		got, ok := parseSeconds(b(tt.in))
		if !ok || got != tt.want {
			t.Errorf("parseSeconds(%q) = %v, %v; want %v", tt.in, got, ok, tt.want)
		}
	}
	for _, in := range []string{"", "-", ".5", "1.", "1,5", "1e3", "abc", " 1", "1 ", "9223372037", "9223372036.854775808", "99999999999999999999"} {
		if got, ok := parseSeconds(b(in)); ok {
			t.Errorf("parseSeconds(%q) = %v, true; want failure", in, got)
		}
	}
}

func TestParseProxyHop(t *testing.T) {
	tests := []struct {
		in       string
		wantHost string
		wantAddr netip.Addr
		wantOK   bool
	}{
		{"exchange-mail.my.domain.com(10.11.12.14)", "exchange-mail.my.domain.com", netip.MustParseAddr("10.11.12.14"), true},
		{"EOP01.mail.protection.outlook.com(10.1.1.1)", "EOP01.mail.protection.outlook.com", netip.MustParseAddr("10.1.1.1"), true},
		{"fe(fe80::1%3)", "fe", netip.MustParseAddr("fe80::1%3"), true},
		{"h([2001:db8::1])", "h", netip.MustParseAddr("2001:db8::1"), true},
		{"EOP01", "EOP01", netip.Addr{}, true},
		{"", "", netip.Addr{}, true},
		{"a(b)c", "a(b)c", netip.Addr{}, true},
		{"host(not-an-ip)", "host", netip.Addr{}, false},
		{"(10.0.0.1)", "", netip.MustParseAddr("10.0.0.1"), true},
		{"a(b)(10.0.0.1)", "a(b)", netip.MustParseAddr("10.0.0.1"), true},
	}
	for _, tt := range tests {
		h, ok := ParseProxyHop(b(tt.in))
		if string(h.Host) != tt.wantHost || h.Addr != tt.wantAddr || ok != tt.wantOK {
			t.Errorf("ParseProxyHop(%q) = {%q, %v}, %v; want {%q, %v}, %v", tt.in, h.Host, h.Addr, ok, tt.wantHost, tt.wantAddr, tt.wantOK)
		}
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	src := b("S:A=1;S:E2ELatency=1,5;S:B=2")
	e := newSyntaxError(src, 19, b("E2ELatency"), ErrValue)
	if got, want := e.Error(), `eventdata: invalid value at offset 19 near "1,5;S:B=2" (key "E2ELatency")`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	long := newSyntaxError(b(strings.Repeat("x", 100)), 0, b(strings.Repeat("k", 100)), ErrNoTag)
	if len(long.Excerpt) != fielderr.ExcerptLen || len(long.Key) != fielderr.ExcerptLen {
		t.Errorf("excerpt not shortened: key %d bytes, excerpt %d bytes", len(long.Key), len(long.Excerpt))
	}
	if !errors.Is(long, ErrNoTag) {
		t.Error("Unwrap lost the sentinel")
	}
	if got := newSyntaxError(src, len(src), nil, ErrQuote).Error(); got != "eventdata: malformed apostrophe-quoted member at offset 28 (at end)" {
		t.Errorf("Error() = %q", got)
	}
}

// dataOpts compares Data values: unexported bookkeeping is checked through
// Has, empty and nil slices are equal (Has tells them apart), netip.Addr
// compares with ==.
var dataOpts = cmp.Options{
	cmpopts.IgnoreUnexported(Data{}),
	cmpopts.EquateEmpty(),
	cmpopts.EquateComparable(netip.Addr{}),
}

// hasKeys lists the keys d.Has reports.
func hasKeys(d *Data) []Key {
	var ks []Key
	for k := KeyUnknown; k < numKeys; k++ {
		if d.Has(k) {
			ks = append(ks, k)
		}
	}
	return ks
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Data
		wantHas []Key
	}{
		{"empty", "", Data{}, nil},
		{
			"anonymous submission",
			"S:ProxyHop1=exchange-mail.my.domain.com(10.11.12.14);S:ProxyHop2=edge(fe80::1%3);S:ProxiedClientIPAddress=10.11.12.13;S:ProxiedClientHostname=host01.my.domain.com;S:FirstForestHop=exchange-mail.my.domain.com",
			Data{
				ProxiedClientIPAddress: netip.MustParseAddr("10.11.12.13"),
				ProxiedClientHostname:  b("host01.my.domain.com"),
				ProxyHops: [MaxProxyHops]ProxyHop{
					{Host: b("exchange-mail.my.domain.com"), Addr: netip.MustParseAddr("10.11.12.14")},
					{Host: b("edge"), Addr: netip.MustParseAddr("fe80::1%3")},
				},
				NumProxyHops:   2,
				FirstForestHop: b("exchange-mail.my.domain.com"),
				Members:        5,
			},
			[]Key{KeyProxiedClientIPAddress, KeyProxiedClientHostname, KeyProxyHop, KeyFirstForestHop},
		},
		{
			"latencies and counts",
			"S:E2ELatency=1.928;S:ExternalSendLatency=0.402;S:DeliveryLatency=1.207;S:MsgRecipCount=43;S:SubRecipCount=9;S:AttachCount=1;S:BCL=0",
			Data{
				E2ELatency: 1928 * time.Millisecond, ExternalSendLatency: 402 * time.Millisecond, DeliveryLatency: 1207 * time.Millisecond,
				MsgRecipCount: 43, SubRecipCount: 9, AttachCount: 1, Members: 7,
			},
			[]Key{KeyE2ELatency, KeyExternalSendLatency, KeyDeliveryLatency, KeyMsgRecipCount, KeySubRecipCount, KeyAttachCount, KeyBCL},
		},
		{
			"enums and booleans",
			"S:FromEntity=Internet;S:ToEntity=Unknown;S:DeliveryPriority=High;S:IncludeInSla=True;S:IsSmtpResponseFromExternalServer=False;S:DeliveredViaHttps=true",
			Data{
				FromEntity: EntityInternet, FromEntityRaw: b("Internet"), ToEntity: EntityUnclassified, ToEntityRaw: b("Unknown"),
				DeliveryPriority: PriorityHigh, DeliveryPriorityRaw: b("High"),
				IncludeInSla: BoolTrue, IsSmtpResponseFromExternalServer: BoolFalse, DeliveredViaHttps: BoolTrue, Members: 6,
			},
			[]Key{KeyFromEntity, KeyToEntity, KeyDeliveryPriority, KeyIncludeInSla, KeyIsSmtpResponseFromExternalServer, KeyDeliveredViaHttps},
		},
		{
			"unknown spellings kept raw",
			"S:FromEntity=Partner;S:DeliveryPriority=Urgent",
			Data{FromEntityRaw: b("Partner"), DeliveryPriorityRaw: b("Urgent"), Members: 2},
			[]Key{KeyFromEntity, KeyDeliveryPriority},
		},
		{
			"first member wins",
			"S:E2ELatency=1;S:E2ELatency=2;S:ProxyHop1=a;S:ProxyHop1=b",
			Data{E2ELatency: time.Second, ProxyHops: [MaxProxyHops]ProxyHop{{Host: b("a")}}, NumProxyHops: 1, Members: 4},
			[]Key{KeyE2ELatency, KeyProxyHop},
		},
		{
			"hops beyond the array are counted",
			"S:ProxyHop10=far(10.0.0.10);S:ProxyHop3=c",
			Data{ProxyHops: [MaxProxyHops]ProxyHop{2: {Host: b("c")}}, NumProxyHops: 10, Members: 2},
			[]Key{KeyProxyHop},
		},
		{
			"resubmit family and others",
			"S:ResubmitA=1;S:ResubmitB=2;S:ResubmitC=3;S:ResubmitD=4;S:ResubmitE=5;S:Foo=bar;S:AMA=SUM|v=0",
			Data{
				Resubmit: [MaxResubmit]Pair{
					{Tag: TagString, Key: b("ResubmitA"), Value: b("1")}, {Tag: TagString, Key: b("ResubmitB"), Value: b("2"), Offset: 14},
					{Tag: TagString, Key: b("ResubmitC"), Value: b("3"), Offset: 28}, {Tag: TagString, Key: b("ResubmitD"), Value: b("4"), Offset: 42},
				},
				NumResubmit: 5, Members: 7, Other: 2,
			},
			[]Key{KeyResubmit, KeyAMA},
		},
		{
			"strings",
			"S:MailboxDatabaseGuid=4ba0d02d-8b59-4bab-80e0-73f70ce64d61;S:OriginalFromAddress=<>;S:AccountForest=a.b;S:MessageValue=MediumHigh;S:Replication=Failed;S:ItemEntryId=00-01;S:Mailboxes=m;S:StoreObjectIds=s;S:P2RecipStat=0.008/9;S:ActivityId=x;S:HttpRequestId=h;S:MapiMessageClass=IPM.Note;S:SlaExclusionReason=r;S:PrioritizationReason=p;S:InvalidRecipient=i;S:Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel=Opportunistic;S:Microsoft.Exchange.Transport.MailRecipient.EffectiveTlsAuthLevel=DomainValidation",
			Data{
				MailboxDatabaseGuid:    msgtrk.MustParseGUID("4ba0d02d-8b59-4bab-80e0-73f70ce64d61"),
				MailboxDatabaseGuidRaw: b("4ba0d02d-8b59-4bab-80e0-73f70ce64d61"),
				OriginalFromAddress:    b("<>"), AccountForest: b("a.b"), MessageValue: b("MediumHigh"), Replication: b("Failed"),
				ItemEntryID: b("00-01"), Mailboxes: b("m"), StoreObjectIDs: b("s"), P2RecipStat: b("0.008/9"), ActivityID: b("x"),
				HTTPRequestID: b("h"), MapiMessageClass: b("IPM.Note"), SlaExclusionReason: b("r"), PrioritizationReason: b("p"),
				InvalidRecipient: b("i"), RequiredTLSAuthLevel: b("Opportunistic"), EffectiveTLSAuthLevel: b("DomainValidation"),
				Members: 17,
			},
			[]Key{KeyPrioritizationReason, KeySlaExclusionReason, KeyMailboxDatabaseGuid, KeyOriginalFromAddress, KeyAccountForest, KeyMessageValue,
				KeyReplication, KeyItemEntryID, KeyMailboxes, KeyStoreObjectIDs, KeyP2RecipStat, KeyActivityID, KeyHTTPRequestID,
				KeyMapiMessageClass, KeyRequiredTLSAuthLevel, KeyEffectiveTLSAuthLevel, KeyInvalidRecipient},
		},
		{
			"quoted member is copied",
			"'S:AccountForest=a;b''c'",
			Data{AccountForest: b("a;b'c"), Members: 1},
			[]Key{KeyAccountForest},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Data
			d.E2ELatency = 99 // Decode must reset
			if err := d.Decode(b(tt.in)); err != nil {
				t.Errorf("Decode(%q) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, d, dataOpts); diff != "" {
				t.Errorf("Decode(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.wantHas, hasKeys(&d)); diff != "" {
				t.Errorf("Decode(%q) Has mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		want       Data
		wantErr    error
		wantOffset int
		wantKey    string
	}{
		{
			"anonymised GUID kept raw",
			"S:MailboxDatabaseGuid=12345678-3232-2323-1111-12345679666;S:AccountForest=x",
			Data{MailboxDatabaseGuidRaw: b("12345678-3232-2323-1111-12345679666"), AccountForest: b("x"), Members: 2},
			ErrValue, 22, "MailboxDatabaseGuid",
		},
		{
			"comma decimal",
			"S:A=1;S:E2ELatency=1,5;S:MsgRecipCount=x",
			Data{Members: 3, Other: 1},
			ErrValue, 19, "E2ELatency",
		},
		{
			"bad address still decodes the rest",
			"S:ProxiedClientIPAddress=10.0.0.256;S:ProxyHop1=h(nope);S:IncludeInSla=maybe",
			Data{ProxyHops: [MaxProxyHops]ProxyHop{{Host: b("h")}}, NumProxyHops: 1, Members: 3},
			ErrValue, 25, "ProxiedClientIPAddress",
		},
		{
			"syntax error before value error",
			"bad;S:E2ELatency=x",
			Data{Members: 1},
			ErrNoTag, 0, "",
		},
		{
			"value error before syntax error",
			"S:E2ELatency=x;bad",
			Data{Members: 1},
			ErrValue, 13, "E2ELatency",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Data
			err := d.Decode(b(tt.in))
			if diff := cmp.Diff(tt.want, d, dataOpts); diff != "" {
				t.Errorf("Decode(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, tt.wantErr) || se.Offset != tt.wantOffset || se.Key != tt.wantKey {
				t.Errorf("Decode(%q) error = %#v, want %v at offset %d key %q", tt.in, err, tt.wantErr, tt.wantOffset, tt.wantKey)
			}
		})
	}
}

type part struct {
	Key, Value string
	Offset     int
}

var groupTests = []struct {
	name     string
	in       string
	wantKind string
	want     []part
	wantErr  error
}{
	{"empty", "", "", nil, nil},
	{"kind only", "Normal", "Normal", nil, nil},
	{"ama sum", "SUM|v=0|action=|error=|atch=2", "SUM", []part{{"v", "0", 4}, {"action", "", 8}, {"error", "", 16}, {"atch", "2", 23}}, nil},
	{"empty kind", "|ETR=0", "", []part{{"ETR", "0", 1}}, nil},
	{"value with comma and equals", "ETRP|Conditions=GTOEP,M.MAS,1|x=a=b", "ETRP", []part{{"Conditions", "GTOEP,M.MAS,1", 5}, {"x", "a=b", 30}}, nil},
	{"part without equals", "AMS:12689884/1048576|ARC:83/500", "AMS:12689884/1048576", []part{{"ARC:83/500", "", 21}}, nil},
	{"repeated keys", "SUM|SFS=1|SFS=2", "SUM", []part{{"SFS", "1", 4}, {"SFS", "2", 10}}, nil},
	{"empty part", "SUM|a=1||b=2", "SUM", []part{{"a", "1", 4}, {"b", "2", 9}}, ErrEmptyPart},
	{"truncated", "ETRP|ruleId=7366001e-f754-4330-9211-1bb412b6b159|", "ETRP", []part{{"ruleId", "7366001e-f754-4330-9211-1bb412b6b159", 5}}, ErrTruncated},
	{"kind then bar", "SUM|", "SUM", nil, ErrTruncated},
}

func TestGroupScanner(t *testing.T) {
	for _, tt := range groupTests {
		t.Run(tt.name, func(t *testing.T) {
			var g GroupScanner
			g.Init(b(tt.in))
			if string(g.Kind()) != tt.wantKind {
				t.Errorf("Kind() of %q = %q, want %q", tt.in, g.Kind(), tt.wantKind)
			}
			var got []part
			for g.Next() {
				got = append(got, part{string(g.Key()), string(g.Value()), g.Offset()})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GroupScanner(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.wantErr, g.Err(), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("GroupScanner(%q) error mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
	var zero GroupScanner
	if zero.Next() || zero.Kind() != nil || zero.Err() != nil {
		t.Error("zero GroupScanner is not empty")
	}
}

func TestParseRuleHit(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    RuleHit
		wantErr error
	}{
		{
			"etrp from the learn.microsoft.com sample",
			"ETRP|ruleId=ff116ef4-402d-4dff-90cb-c3d772b3179a|st=2023-05-12T07:55:40.0000000Z|ExecW=4|ExecC=0|Conditions=GTOEP,M.MAS,1",
			RuleHit{
				Kind: GroupETRP, RuleID: msgtrk.MustParseGUID("ff116ef4-402d-4dff-90cb-c3d772b3179a"), RuleIDRaw: b("ff116ef4-402d-4dff-90cb-c3d772b3179a"),
				Time: time.Date(2023, 5, 12, 7, 55, 40, 0, time.UTC), TimeRaw: b("2023-05-12T07:55:40.0000000Z"),
				ExecWall: 4 * time.Millisecond, Conditions: b("GTOEP,M.MAS,1"),
			},
			nil,
		},
		{
			"etrp from the DLP documentation",
			"ETRP|ruleId=C27D21EECA0311E0BCB896154924019B|LoadW=200|LoadC=100|ExecW=5500|ExecC=200",
			RuleHit{
				Kind: GroupETRP, RuleID: msgtrk.MustParseGUID("C27D21EECA0311E0BCB896154924019B"), RuleIDRaw: b("C27D21EECA0311E0BCB896154924019B"),
				LoadWall: 200 * time.Millisecond, LoadCPU: 100 * time.Millisecond, ExecWall: 5500 * time.Millisecond, ExecCPU: 200 * time.Millisecond,
			},
			nil,
		},
		{
			"etr with culture time and two actions",
			"ETR|ruleId=19a25eb2-3e43-4896-ad9e-47b6c359779d|dlpid=1B81CC82C9DB11E09052C5D64824019B|st=7/17/2013 12:31:25 AM|action=PrependSubject|action=Encrypt|sev=2|mode=Enforce",
			RuleHit{
				Kind: GroupETR, RuleID: msgtrk.MustParseGUID("19a25eb2-3e43-4896-ad9e-47b6c359779d"), RuleIDRaw: b("19a25eb2-3e43-4896-ad9e-47b6c359779d"),
				DLPID: b("1B81CC82C9DB11E09052C5D64824019B"), TimeRaw: b("7/17/2013 12:31:25 AM"),
				Action: b("PrependSubject"), NumActions: 2, Severity: 2, Mode: b("Enforce"),
			},
			ErrValue,
		},
		{
			"truncated",
			"ETRP|ruleId=7366001e-f754-4330-9211-1bb412b6b159|",
			RuleHit{Kind: GroupETRP, RuleID: msgtrk.MustParseGUID("7366001e-f754-4330-9211-1bb412b6b159"), RuleIDRaw: b("7366001e-f754-4330-9211-1bb412b6b159")},
			ErrTruncated,
		},
		{
			"bad numbers",
			"ETRP|ExecW=x|sev=y",
			RuleHit{Kind: GroupETRP},
			ErrValue,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRuleHit(b(tt.in))
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ParseRuleHit(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("ParseRuleHit(%q) error mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseMalwareResult(t *testing.T) {
	tests := []struct {
		in      string
		want    MalwareResult
		wantErr error
	}{
		{"SUM|v=0|action=|error=|atch=2", MalwareResult{Kind: GroupSUM, Version: b("0"), Attachments: 2}, nil},
		{"SUM|action=p|error=|atch=0", MalwareResult{Kind: GroupSUM, Action: b("p")}, nil},
		{"EV|engine=M|v=0|sig=1.413.283.0|name=|file=", MalwareResult{Kind: GroupEV, Engine: b("M"), Version: b("0"), Signature: b("1.413.283.0")}, nil},
		{"EV|engine=M|v=1|sig=1.155.974.0|name=DOS/Test_File|file=filename", MalwareResult{
			Kind: GroupEV, Engine: b("M"), Version: b("1"), Signature: b("1.155.974.0"), Name: b("DOS/Test_File"), File: b("filename"),
		}, nil},
		{"SUM|atch=many", MalwareResult{Kind: GroupSUM}, ErrValue},
	}
	for _, tt := range tests {
		got, err := ParseMalwareResult(b(tt.in))
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("ParseMalwareResult(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
		if diff := cmp.Diff(tt.wantErr, err, cmpopts.EquateErrors()); diff != "" {
			t.Errorf("ParseMalwareResult(%q) error mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

type psPair struct{ Key, Value string }

func scanPS(in string) ([]psPair, error) {
	var s PSScanner
	s.Init(b(in))
	var out []psPair
	for s.Next() {
		out = append(out, psPair{string(s.Key()), string(s.Value())})
	}
	return out, s.Err()
}

var psTests = []struct {
	name string
	in   string
	want []psPair
}{
	{"empty", "", nil},
	{"blank", "  \n", nil},
	{"empty braces", "{}", nil},
	{"empty braces spaced", " { } ", nil},
	{"one", "{[E2ELatency, 14.578]}", []psPair{{"E2ELatency", "14.578"}}},
	{"cmdlet sample", "{[E2ELatency, 14.578], [DeliveryPriority, Low], [PrioritizationReason, AMS:12689884/1048576|ARC:83/500], [AccountForest, domain.local]}",
		[]psPair{{"E2ELatency", "14.578"}, {"DeliveryPriority", "Low"}, {"PrioritizationReason", "AMS:12689884/1048576|ARC:83/500"}, {"AccountForest", "domain.local"}}},
	{"value with comma space", "{[A, x, y], [B, z]}", []psPair{{"A", "x, y"}, {"B", "z"}}},
	{"value with bracket", "{[A, x]y], [B, [z]]}", []psPair{{"A", "x]y"}, {"B", "[z]"}}},
	{"value with bracket comma", "{[A, a], b], [B, c]}", []psPair{{"A", "a], b"}, {"B", "c"}}},
	{"empty value", "{[OriginalFromAddress, ], [B, c]}", []psPair{{"OriginalFromAddress", ""}, {"B", "c"}}},
	{"wrapped between pairs", "{[A, 1],    \n\n                          [B, 2]}  ", []psPair{{"A", "1"}, {"B", "2"}}},
	{"wrapped after key comma", "{[A,  \n   Opportunistic]}", []psPair{{"A", "Opportunistic"}}},
	{"no braces", "[A, 1], [B, 2]", []psPair{{"A", "1"}, {"B", "2"}}},
	{"key kept raw", "{[IsSmtpResponseFromExt  \n\nernalServer, False]}", []psPair{{"IsSmtpResponseFromExt  \n\nernalServer", "False"}}},
}

func TestPSScanner(t *testing.T) {
	for _, tt := range psTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := scanPS(tt.in)
			if err != nil {
				t.Errorf("PSScanner(%q) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("PSScanner(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

var psErrorTests = []struct {
	name       string
	in         string
	want       []psPair
	wantErr    error
	wantOffset int
}{
	{"no brace", "E2ELatency=1", nil, ErrPowerShell, 0},
	{"not a pair", "{x}", nil, ErrPowerShell, 1},
	{"truncated value", "{[A, 1], [B, 2", []psPair{{"A", "1"}}, ErrTruncated, 9},
	{"truncated key", "{[A, 1], [B", []psPair{{"A", "1"}}, ErrTruncated, 9},
	{"missing close brace", "{[A, 1], [B, 2]", []psPair{{"A", "1"}, {"B", "2"}}, ErrTruncated, 15},
	{"open brace only", "{", nil, ErrTruncated, 1},
	{"text after brace", "{[A, 1]} x", []psPair{{"A", "1"}}, ErrPowerShell, 9},
	{"close brace without open", "[A, 1]}", []psPair{{"A", "1"}}, ErrPowerShell, 6},
	{"garbage after comma", "{[A, 1], x}", nil, ErrTruncated, 1},
}

func TestPSScannerErrors(t *testing.T) {
	for _, tt := range psErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := scanPS(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("PSScanner(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, tt.wantErr) || se.Offset != tt.wantOffset {
				t.Errorf("PSScanner(%q) error = %#v, want %v at offset %d", tt.in, err, tt.wantErr, tt.wantOffset)
			}
		})
	}
}

func TestPSScannerMaxMembers(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("{")
	for i := 0; i < 100000; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("[K, v]")
	}
	sb.WriteString("}")
	got, err := AppendPSPairs(nil, b(sb.String()))
	if len(got) != MaxMembers || !errors.Is(err, ErrTooManyMembers) {
		t.Errorf("AppendPSPairs of 100000 pairs: %d pairs, error %v; want %d and ErrTooManyMembers", len(got), err, MaxMembers)
	}
}

func TestAppendUnwrapped(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"nothing to do", "{[A, 1]}", "{[A, 1]}"},
		{"mid-word break with blank line", "[IsSmtpResponseFromExt  \n\nernalServer, False]", "[IsSmtpResponseFromExternalServer, False]"},
		{"break after comma gets its space", "[MsgRecipCount, 1],    \n\n                          [IncludeInSla, True]", "[MsgRecipCount, 1], [IncludeInSla, True]"},
		{"key comma", "[RequiredTlsAuthLevel,  \n\n     Opportunistic]", "[RequiredTlsAuthLevel, Opportunistic]"},
		{"crlf", "AAAAAN\r\n     4COUM", "AAAAAN4COUM"},
		{"word break loses its space (documented)", "CATSM-Malware  \n\n  Agent=0.117", "CATSM-MalwareAgent=0.117"},
		{"trailing break", "domain.local]}  \n\n", "domain.local]}"},
		{"inner spaces kept", "a  b", "a  b"},
		{"leading break", "\n  x", "x"},
	}
	for _, tt := range tests {
		got := string(AppendUnwrapped(nil, b(tt.in)))
		if got != tt.want {
			t.Errorf("%s: AppendUnwrapped(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
	// The prefix already in dst is never trimmed.
	if got := string(AppendUnwrapped(b("x "), b("\ny"))); got != "x y" {
		t.Errorf("AppendUnwrapped with prefix = %q, want %q", got, "x y")
	}
}

func TestDecodePowerShell(t *testing.T) {
	in := "{[E2ELatency, 0.701], [ToEntity, Unknown], [FromEntity, Hosted], [MsgRecipCount, 1], [IncludeInSla, True], [X, y]}"
	var d Data
	if err := d.DecodePowerShell(b(in)); err != nil {
		t.Fatalf("DecodePowerShell(%q): %v", in, err)
	}
	want := Data{
		E2ELatency: 701 * time.Millisecond, ToEntity: EntityUnclassified, ToEntityRaw: b("Unknown"),
		FromEntity: EntityHosted, FromEntityRaw: b("Hosted"), MsgRecipCount: 1, IncludeInSla: BoolTrue, Members: 6, Other: 1,
	}
	if diff := cmp.Diff(want, d, dataOpts); diff != "" {
		t.Errorf("DecodePowerShell(%q) mismatch (-want +got):\n%s", in, diff)
	}
	bad := "{[E2ELatency, 0,701], [A, 1]"
	err := d.DecodePowerShell(b(bad))
	var se *SyntaxError
	if !errors.As(err, &se) || !errors.Is(err, ErrValue) || se.Offset != 14 || se.Key != "E2ELatency" {
		t.Errorf("DecodePowerShell(%q) error = %#v, want ErrValue at 14", bad, err)
	}
	if d.Members != 2 {
		t.Errorf("DecodePowerShell(%q) decoded %d members, want 2", bad, d.Members)
	}
}
