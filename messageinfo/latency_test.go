package messageinfo

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mailtrace/mailtrace/internal/fielderr"
)

// sp returns the span of the n-th (0-based) occurrence of sub in s.
func sp(s, sub string, n int) Span {
	off := 0
	for {
		i := strings.Index(s[off:], sub)
		if i < 0 {
			panic("sp: " + sub + " not in " + s)
		}
		if n == 0 {
			return Span{int32(off + i), int32(off + i + len(sub))}
		}
		n--
		off += i + 1
	}
}

func TestAppendLatencyExact(t *testing.T) {
	const small = "2024-01-07T00:00:05.535Z;LSRV=h.example:TOTAL-HUB=1.921|SMR=0.127(X-SMRCR=0.125)|CATSM-Malware Agent-INC=0.017"
	const twoHops = "2025-01-14T09:28:50.814Z;SRV=fe:TOTAL-FE=0.074|SMS=0.002;SRV=hub:TOTAL=0"
	tests := []struct {
		name  string
		in    string
		nodes []Node
		hops  []Hop
		unit  Unit
	}{
		{
			name: "one hop with nesting, agent and flags",
			in:   small,
			nodes: []Node{
				{Name: sp(small, "TOTAL-HUB", 0), Code: sp(small, "TOTAL", 0), Value: sp(small, "1.921", 0), Duration: 1921 * time.Millisecond, Parent: -1, Flags: FlagTotal},
				{Name: sp(small, "SMR", 0), Code: sp(small, "SMR", 0), Value: sp(small, "0.127", 0), Duration: 127 * time.Millisecond, Parent: 0, Depth: 1},
				{Name: sp(small, "X-SMRCR", 0), Code: sp(small, "SMRCR", 0), Value: sp(small, "0.125", 0), Duration: 125 * time.Millisecond, Parent: 1, Depth: 2, Flags: FlagExtended},
				{Name: sp(small, "CATSM-Malware Agent-INC", 0), Code: sp(small, "CATSM", 0), Agent: sp(small, "Malware Agent", 0), Value: sp(small, "0.017", 0), Duration: 17 * time.Millisecond, Parent: 0, Depth: 1, Flags: FlagIncomplete},
			},
			hops: []Hop{{Server: sp(small, "h.example", 0), LSRV: true, Role: RoleHub, RoleText: sp(small, "HUB", 0), Total: 1921 * time.Millisecond, Root: 0, First: 0, End: 4}},
			unit: UnitSeconds,
		},
		{
			name: "two hops, plain 2010 TOTAL",
			in:   twoHops,
			nodes: []Node{
				{Name: sp(twoHops, "TOTAL-FE", 0), Code: sp(twoHops, "TOTAL", 0), Value: sp(twoHops, "0.074", 0), Duration: 74 * time.Millisecond, Parent: -1, Flags: FlagTotal},
				{Name: sp(twoHops, "SMS", 0), Code: sp(twoHops, "SMS", 0), Value: sp(twoHops, "0.002", 0), Duration: 2 * time.Millisecond, Parent: 0, Depth: 1},
				{Name: sp(twoHops, "TOTAL", 1), Code: sp(twoHops, "TOTAL", 1), Value: Span{int32(len(twoHops) - 1), int32(len(twoHops))}, Parent: -1, Hop: 1, Flags: FlagTotal},
			},
			hops: []Hop{
				{Server: sp(twoHops, "fe", 0), Role: RoleFrontEnd, RoleText: sp(twoHops, "FE", 0), Total: 74 * time.Millisecond, Root: 0, First: 0, End: 2},
				{Server: sp(twoHops, "hub", 0), Role: RoleNone, Root: 2, First: 2, End: 3},
			},
			unit: UnitSeconds,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes, lat, err := checkLatency(t, []byte(tt.in))
			if err != nil {
				t.Fatalf("AppendLatency(%q) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.nodes, nodes); diff != "" {
				t.Errorf("AppendLatency(%q) nodes mismatch (-want +got):\n%s", tt.in, diff)
			}
			var hops []Hop
			for i := range lat.NumHops() {
				hops = append(hops, lat.Hop(i))
			}
			if diff := cmp.Diff(tt.hops, hops); diff != "" {
				t.Errorf("AppendLatency(%q) hops mismatch (-want +got):\n%s", tt.in, diff)
			}
			if lat.Unit != tt.unit {
				t.Errorf("AppendLatency(%q) unit %v, want %v", tt.in, lat.Unit, tt.unit)
			}
		})
	}
}

// shape is a compact view of a tree for table tests: "depth:name=duration"
// per node, hops separated by " ; ".
func shape(src []byte, nodes []Node, lat *Latency) string {
	var parts []string
	for i := range lat.NumHops() {
		h := lat.Hop(i)
		var b strings.Builder
		b.WriteString(h.Server.Text(src) + "/" + h.Role.String() + ":")
		for k := h.First; k < h.End; k++ {
			n := nodes[k]
			b.WriteString(" " + string(rune('0'+n.Depth)) + ":" + n.Name.Text(src) + "=" + n.Duration.String())
		}
		parts = append(parts, b.String())
	}
	return strings.Join(parts, " ; ")
}

var latencyTests = []struct {
	name   string
	in     string
	shape  string
	unit   Unit
	origin string
}{
	{"bare origination time", "2022-09-19T15:02:29.211Z", "", UnitUnknown, "2022-09-19T15:02:29.211Z"},
	{"no origination time", "LSRV=h:TOTAL-HUB=1.5|SMR=0.5", "h/Hub: 0:TOTAL-HUB=1.5s 1:SMR=500ms", UnitSeconds, ""},
	{"2010 TOTAL=0 is unit-less", "2013-01-01T00:00:00.000Z;SRV=HUB12.GMS.local:TOTAL=0", "HUB12.GMS.local/None: 0:TOTAL=0s", UnitUnknown, "2013-01-01T00:00:00.000Z"},
	{"integer milliseconds", "2024-01-07T00:00:05.535Z;LSRV=h:TOTAL-HUB=1921|SMR=127(SMRC=125)|QDM=0",
		"h/Hub: 0:TOTAL-HUB=1.921s 1:SMR=127ms 2:SMRC=125ms 1:QDM=0s", UnitMilliseconds, "2024-01-07T00:00:05.535Z"},
	{"one dot makes all seconds", "LSRV=h:TOTAL-HUB=2|SMR=1.5", "h/Hub: 0:TOTAL-HUB=2s 1:SMR=1.5s", UnitSeconds, ""},
	{"hop without TOTAL", "LSRV=h:SMR=0.1(SMRC=0.05)|CAT=0.2", "h/Unknown: 0:SMR=100ms 1:SMRC=50ms 0:CAT=200ms", UnitSeconds, ""},
	{"TOTAL not first is not the root", "LSRV=h:SMR=0.1|TOTAL-HUB=0.2", "h/Unknown: 0:SMR=100ms 0:TOTAL-HUB=200ms", UnitSeconds, ""},
	{"TOTAL with its own parentheses", "LSRV=h:TOTAL-HUB=1.0(A=0.5)|B=0.5", "h/Hub: 0:TOTAL-HUB=1s 1:A=500ms 1:B=500ms", UnitSeconds, ""},
	{"unknown role kept", "LSRV=h:TOTAL-XYZ=1.0", "h/Unknown: 0:TOTAL-XYZ=1s", UnitSeconds, ""},
	{"fold spaces before ( and )", "LSRV=h:TOTAL-SUB=1.0|A=0.5 (B=0.25 (C=0.125 ) )|D=0.5 ", "h/Submission: 0:TOTAL-SUB=1s 1:A=500ms 2:B=250ms 3:C=125ms 1:D=500ms", UnitSeconds, ""},
	{"spaces around names trimmed", "LSRV=h:TOTAL=0.1| SMR =0.1", "h/None: 0:TOTAL=100ms 1:SMR=100ms", UnitSeconds, ""},
	{"deep closing run", "LSRV=h:TOTAL=1.0|A=1.0(B=1.0(C=1.0(D=1.0)))|E=0.0", "h/None: 0:TOTAL=1s 1:A=1s 2:B=1s 3:C=1s 4:D=1s 1:E=0s", UnitSeconds, ""},
	{"negative value", "LSRV=h:TOTAL=-0.001", "h/None: 0:TOTAL=-1ms", UnitSeconds, ""},
	{"nine fractional digits", "LSRV=h:TOTAL=0.000000001", "h/None: 0:TOTAL=1ns", UnitSeconds, ""},
	{"server name with colon-free punctuation", "SRV=ex-1.a_b:TOTAL=0.5;LSRV=c:TOTAL=0.5", "ex-1.a_b/None: 0:TOTAL=500ms ; c/None: 0:TOTAL=500ms", UnitSeconds, ""},
	// §7.2: "Parsers must tolerate whitespace between tokens", a fold
	// space after a hop's ';' too (the previous hop's TOTAL was taken for
	// the local one when this failed).
	{"fold space after ;", "2024-01-01T00:00:00.900Z;SRV=EX00.contoso.com:TOTAL-FE=0.500|SMRPI=0.400; SRV=EX01.contoso.com:TOTAL-HUB=4.100|SMR=0.100",
		"EX00.contoso.com/FrontEnd: 0:TOTAL-FE=500ms 1:SMRPI=400ms ; EX01.contoso.com/Hub: 0:TOTAL-HUB=4.1s 1:SMR=100ms", UnitSeconds, "2024-01-01T00:00:00.900Z"},
}

func TestAppendLatency(t *testing.T) {
	tests := latencyTests
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := []byte(tt.in)
			nodes, lat, err := checkLatency(t, src)
			if err != nil {
				t.Fatalf("AppendLatency(%q) error: %v", tt.in, err)
			}
			if got := shape(src, nodes, &lat); got != tt.shape {
				t.Errorf("AppendLatency(%q) =\n  %s\nwant\n  %s", tt.in, got, tt.shape)
			}
			if lat.Unit != tt.unit {
				t.Errorf("AppendLatency(%q) unit %v, want %v", tt.in, lat.Unit, tt.unit)
			}
			if got := lat.OriginText.Text(src); got != tt.origin {
				t.Errorf("AppendLatency(%q) origin %q, want %q", tt.in, got, tt.origin)
			}
		})
	}
}

// latencyErrorTest is a malformed latency string and what AppendLatency
// makes of it.
type latencyErrorTest struct {
	name   string
	in     string
	err    error
	offset int
	nodes  int // nodes returned with the error
	hops   int
}

// latencyErrorTests returns the malformed latency strings of
// TestAppendLatencyErrors (TestGrammar reads them too).
func latencyErrorTests() []latencyErrorTest {
	deep := "LSRV=h:TOTAL=1|" + strings.Repeat("A=1(", 10000) + "B=1" + strings.Repeat(")", 10000)
	wide := "LSRV=h:TOTAL=1" + strings.Repeat("|A=1", MaxNodes)
	var manyHops strings.Builder
	manyHops.WriteString("2024-01-07T00:00:05.535Z")
	for range MaxHops + 1 {
		manyHops.WriteString(";SRV=h:TOTAL=1")
	}
	return []latencyErrorTest{
		{"empty", "", ErrTime, 0, 0, 0},
		{"bad origin", "2024-13-07T00:00:05.535Z;LSRV=h:TOTAL=1", ErrTime, 0, 0, 0},
		{"no hop prefix", "2024-01-07T00:00:05.535Z;XSRV=h:TOTAL=1", ErrLatency, 25, 0, 0},
		{"trailing semicolon", "LSRV=h:TOTAL=1;", ErrLatency, 15, 1, 1},
		{"no server", "LSRV=:TOTAL=1", ErrLatency, 5, 0, 0},
		{"no colon after server", "LSRV=h;TOTAL=1", ErrLatency, 6, 0, 0},
		{"no records", "LSRV=h:", ErrLatency, 7, 0, 1},
		{"record without =", "LSRV=h:TOTAL=1|SMR", ErrLatency, 18, 1, 1},
		{"empty name", "LSRV=h:TOTAL=1|=1", ErrLatency, 15, 1, 1},
		{"empty parentheses", "LSRV=h:TOTAL=1|A=1()", ErrLatency, 19, 2, 1},
		{"unclosed parenthesis", "LSRV=h:TOTAL=1|A=1(B=1", ErrLatency, 22, 3, 1},
		{"unclosed before next hop", "SRV=h:TOTAL=1|A=1(B=1;SRV=i:TOTAL=1", ErrLatency, 21, 3, 1},
		{"stray )", "LSRV=h:TOTAL=1|A=1)", ErrLatency, 18, 2, 1},
		{"junk after value", "LSRV=h:TOTAL=1x", ErrLatency, 14, 1, 1},
		{"value missing", "LSRV=h:TOTAL=", ErrValue, 13, 0, 1},
		{"value not a number", "LSRV=h:TOTAL=abc", ErrValue, 13, 0, 1},
		{"dot without digits", "LSRV=h:TOTAL=1.", ErrValue, 15, 0, 1},
		{"ten fractional digits", "LSRV=h:TOTAL=0.1234567891", ErrValue, 24, 0, 1},
		{"too many seconds", "LSRV=h:TOTAL=99999999999", ErrValue, 22, 0, 1},
		{"nested 10^4 deep", deep, ErrTooDeep, 15 + 4*MaxDepth, MaxDepth + 1, 1},
		{"too many records", wide, ErrTooManyNodes, 15 + 4*(MaxNodes-1), MaxNodes, 1},
		{"too many hops", manyHops.String(), ErrTooManyHops, 24 + 14*MaxHops + 1, MaxHops, MaxHops},
		{"too long", strings.Repeat("x", MaxInputBytes+1), ErrTooLong, 0, 0, 0},
		// The current time (format.md §7.2) may only close the string.
		{"current time before a hop", "LSRV=h:TOTAL=1;2024-01-07T00:00:06.000Z;LSRV=i:TOTAL=1", ErrLatency, 15, 1, 1},
		{"junk after the current time", "LSRV=h:TOTAL=1;2024-01-07T00:00:06.000Zx", ErrLatency, 15, 1, 1},
		{"two current times", "LSRV=h:TOTAL=1;2024-01-07T00:00:06.000Z;2024-01-07T00:00:07.000Z", ErrLatency, 15, 1, 1},
		{"bad current time", "LSRV=h:TOTAL=1;2024-01-32T00:00:06.000Z", ErrLatency, 15, 1, 1},
	}
}

// TestAppendLatencyCurrent reads strings closed by the current time
// (format.md §7.2: [ ";" current-time ] after the hops): the hops as
// without it, the time in Latency.Current, the same LocalTotal, and
// AppendCanonical writes it back.
func TestAppendLatencyCurrent(t *testing.T) {
	const now = "2024-01-07T00:00:06.000Z"
	var maxHops strings.Builder
	for range MaxHops {
		maxHops.WriteString("SRV=h:TOTAL=1;")
	}
	tests := []struct {
		name, in, shape, origin string
	}{
		{"after one hop", "2024-01-07T00:00:05.535Z;LSRV=h:TOTAL-HUB=1.921|SMR=0.127;" + now, "h/Hub: 0:TOTAL-HUB=1.921s 1:SMR=127ms", "2024-01-07T00:00:05.535Z"},
		{"after hops, no origin", "SRV=a:TOTAL-FE=0.074;SRV=b:TOTAL-HUB=1.5(SMR=0.5);" + now, "a/FrontEnd: 0:TOTAL-FE=74ms ; b/Hub: 0:TOTAL-HUB=1.5s 1:SMR=500ms", ""},
		{"after a fold space and a closing parenthesis", "LSRV=h:TOTAL=1.0|A=0.5 (B=0.5 ) ;" + now, "h/None: 0:TOTAL=1s 1:A=500ms 2:B=500ms", ""},
		{"after the origin alone", "2024-01-07T00:00:05.535Z;" + now, "", "2024-01-07T00:00:05.535Z"},
		{"after MaxHops hops", maxHops.String() + now, strings.TrimSuffix(strings.Repeat("h/None: 0:TOTAL=1ms ; ", MaxHops), " ; "), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := []byte(tt.in)
			if k := Classify(src); k != KindLatency {
				t.Errorf("Classify = %v, want Latency", k)
			}
			nodes, lat, err := checkLatency(t, src)
			if err != nil {
				t.Fatalf("AppendLatency(%q): %v", tt.in, err)
			}
			if got := shape(src, nodes, &lat); got != tt.shape {
				t.Errorf("AppendLatency(%q) =\n  %s\nwant\n  %s", tt.in, got, tt.shape)
			}
			if got := lat.OriginText.Text(src); got != tt.origin {
				t.Errorf("origin %q, want %q", got, tt.origin)
			}
			want, _ := time.Parse(time.RFC3339Nano, now)
			if got := lat.CurrentText.Text(src); got != now || !lat.Current.Equal(want) {
				t.Errorf("current %q (%v), want %q", got, lat.Current, now)
			}
			// Without the current time the string reads the same.
			bare := strings.TrimSuffix(strings.TrimSuffix(tt.in, now), ";")
			bnodes, blat, err := AppendLatency(nil, []byte(bare))
			if err != nil {
				t.Fatalf("AppendLatency(%q): %v", bare, err)
			}
			if diff := cmp.Diff(treeView([]byte(bare), bnodes, &blat), treeView(src, nodes, &lat), cmpopts.IgnoreFields(viewTree{}, "Current")); diff != "" {
				t.Errorf("the tree changes with the current time (-without +with):\n%s", diff)
			}
			o1, tot1, has1, ok1 := LocalTotal(src)
			o2, tot2, has2, ok2 := LocalTotal([]byte(bare))
			if !ok1 || !ok2 || !o1.Equal(o2) || tot1 != tot2 || has1 != has2 {
				t.Errorf("LocalTotal with the current time = %v %v %v %v, without = %v %v %v %v", o1, tot1, has1, ok1, o2, tot2, has2, ok2)
			}
			if _, _, _, sure := localTotalFast(src); !sure {
				t.Errorf("localTotalFast is not sure of %q", tt.in)
			}
			if canon := string(AppendCanonical(nil, src, nodes, &lat)); !strings.HasSuffix(canon, ";"+now) {
				t.Errorf("AppendCanonical = %q: the current time is lost", canon)
			}
		})
	}
}

func TestAppendLatencyErrors(t *testing.T) {
	tests := latencyErrorTests()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := []byte(tt.in)
			nodes, lat, err := checkLatency(t, src)
			var se *SyntaxError
			if !errors.Is(err, tt.err) || !errors.As(err, &se) {
				t.Fatalf("AppendLatency(%.60q) error %v, want a *SyntaxError wrapping %v", tt.in, err, tt.err)
			}
			if se.Offset != tt.offset {
				t.Errorf("AppendLatency(%.60q) error offset %d, want %d (%v)", tt.in, se.Offset, tt.offset, err)
			}
			if len(nodes) != tt.nodes || lat.NumHops() != tt.hops {
				t.Errorf("AppendLatency(%.60q) returned %d nodes, %d hops with the error; want %d, %d", tt.in, len(nodes), lat.NumHops(), tt.nodes, tt.hops)
			}
			if want := tt.in[se.Offset:min(se.Offset+fielderr.ExcerptLen, len(tt.in))]; se.Excerpt != want {
				t.Errorf("error excerpt %q, want %q", se.Excerpt, want)
			}
		})
	}
}

// TestAppendLatencyPartial pins the partial result: records decoded before
// the error come back, in the caller's slice after what it held.
func TestAppendLatencyPartial(t *testing.T) {
	const in = "2024-01-07T00:00:05.535Z;SRV=a:TOTAL-FE=0.074|SMS=0.002;SRV=b:TOTAL-HUB=1.000|SMR=0.5(SMRC=oops)"
	prior := []Node{{Parent: -1}, {Parent: -1}}
	nodes, lat, err := AppendLatency(prior, []byte(in))
	if !errors.Is(err, ErrValue) {
		t.Fatalf("AppendLatency(%q) error %v, want ErrValue", in, err)
	}
	if msg := latencyInvariants([]byte(in), nodes, &lat); msg != "" {
		t.Fatal(msg)
	}
	if got, want := shape([]byte(in), nodes, &lat), "a/FrontEnd: 0:TOTAL-FE=74ms 1:SMS=2ms ; b/Hub: 0:TOTAL-HUB=1s 1:SMR=500ms"; got != want {
		t.Errorf("partial tree\n  %s\nwant\n  %s", got, want)
	}
	if lat.First != 2 || nodes[4].Parent != -1 || nodes[5].Parent != 4 {
		t.Errorf("partial result does not index the caller's slice: first %d, parents %d %d", lat.First, nodes[4].Parent, nodes[5].Parent)
	}
	if lat.Unit != UnitUnknown {
		t.Errorf("unit %v settled despite the error", lat.Unit)
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	_, _, err := AppendLatency(nil, []byte("LSRV=h:TOTAL=1|A=1)"))
	var got *SyntaxError
	if !errors.As(err, &got) {
		t.Fatalf("error %v is not a *SyntaxError", err)
	}
	want := SyntaxError{Offset: 18, Excerpt: ")", Err: ErrLatency}
	if diff := cmp.Diff(want, *got, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("error mismatch (-want +got):\n%s", diff)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "messageinfo: ") || !strings.Contains(msg, "offset 18") {
		t.Errorf("Error() = %q: want the package prefix and the offset", msg)
	}
}

func TestNameSplit(t *testing.T) {
	tests := []struct {
		name, code, agent string
		flags             Flags
	}{
		{"SMRC", "SMRC", "", 0},
		{"X-SMRCR", "SMRCR", "", FlagExtended},
		{"MTSS-PEN", "MTSS", "", FlagPending},
		{"SMSC-PEN", "SMSC", "", FlagPending},
		{"D-PEN", "D", "", FlagPending},
		{"CATSM-Malware Agent", "CATSM", "Malware Agent", 0},
		{"SMRPI-FrontendProxyAgent", "SMRPI", "FrontendProxyAgent", 0},
		{"SDDCM-Meeting Message Processing Agent-INC", "SDDCM", "Meeting Message Processing Agent", FlagIncomplete},
		{"CATRS-DLP Policy Agent", "CATRS", "DLP Policy Agent", 0},
		{"CATSM-Anti-Spam Agent", "CATSM", "Anti-Spam Agent", 0},
		{"R-CMSG", "R-CMSG", "", 0},
		{"R-HSRR", "R-HSRR", "", 0},
		{"R-CMSG-Some Agent", "R-CMSG", "Some Agent", 0},
		{"X-ABC-PEN-INC", "ABC", "", FlagExtended | FlagPending | FlagIncomplete},
		{"CATRS-ABC", "CATRS-ABC", "", 0},
		{"X-", "X-", "", 0},
		{"-PEN", "-PEN", "", 0},
		{"A-", "A-", "", 0},
	}
	for _, tt := range tests {
		src := []byte("LSRV=h:TOTAL=0.1|" + tt.name + "=0.1")
		nodes, _, err := checkLatency(t, src)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		n := nodes[1]
		if got := [3]string{n.Code.Text(src), n.Agent.Text(src), n.Flags.String()}; got != [3]string{tt.code, tt.agent, tt.flags.String()} {
			t.Errorf("name %q split as code %q agent %q flags %s; want %q %q %s", tt.name, got[0], got[1], got[2], tt.code, tt.agent, tt.flags)
		}
	}
}

func TestAppendCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2024-01-07T00:00:05.535Z;LSRV=h:TOTAL-HUB=1.921|SMR=0.127(SMRC=0.125)", "2024-01-07T00:00:05.535Z;LSRV=h:TOTAL-HUB=1.921|SMR=0.127(SMRC=0.125)"},
		{"LSRV=h:TOTAL-SUB=1.0|A=0.5 (B=0.25 (C=0.125 ) )|D=0.5 ", "LSRV=h:TOTAL-SUB=1.0|A=0.5(B=0.25(C=0.125))|D=0.5"},
		{"LSRV=h:TOTAL=1.0(A=0.5)|B=0.5", "LSRV=h:TOTAL=1.0|A=0.5|B=0.5"},
		{"SRV=a:X=1(Y=2(Z=3))|W=4;SRV=b:TOTAL=0", "SRV=a:X=1(Y=2(Z=3))|W=4;SRV=b:TOTAL=0"},
		{"2022-09-19T15:02:29.211Z", "2022-09-19T15:02:29.211Z"},
	}
	for _, tt := range tests {
		src := []byte(tt.in)
		nodes, lat, err := AppendLatency(nil, src)
		if err != nil {
			t.Fatalf("AppendLatency(%q): %v", tt.in, err)
		}
		if got := string(AppendCanonical(nil, src, nodes, &lat)); got != tt.want {
			t.Errorf("AppendCanonical(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLatencyHopAccessors(t *testing.T) {
	src := []byte("2025-01-14T09:28:50.814Z;SRV=fe:TOTAL-FE=0.074;SRV=hub:TOTAL-HUB=14.439")
	_, lat, err := AppendLatency(nil, src)
	if err != nil {
		t.Fatal(err)
	}
	local, ok := lat.Local()
	if !ok || local.Server.Text(src) != "hub" || local.Role != RoleHub || local.Total != 14439*time.Millisecond {
		t.Errorf("Local() = %+v, %v; want the hub hop", local, ok)
	}
	var empty Latency
	if _, ok := empty.Local(); ok || empty.NumHops() != 0 {
		t.Error("zero Latency has hops")
	}
	defer func() {
		if recover() == nil {
			t.Error("Hop(2) of a two-hop latency did not panic")
		}
	}()
	lat.Hop(2)
}

// TestLocalServer: the last hop's server, past a closing current time; no
// server for a string without a well-formed last hop. On every string
// AppendLatency parses it agrees with Latency.Local.
func TestLocalServer(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"2024-01-07T00:00:05.535Z;LSRV=ex01.contoso.com:TOTAL-HUB=1.921|SMR=0.127", "ex01.contoso.com"},
		{"2025-01-14T09:28:50.814Z;SRV=fe.x:TOTAL-FE=0.074;SRV=hub.x:TOTAL-HUB=14.439(QDE=13.818)", "hub.x"},
		{"LSRV=h:TOTAL=1;2024-01-07T00:00:06.000Z", "h"},
		{"SRV=a:TOTAL=1;  SRV=b:TOTAL=2; 2024-01-07T00:00:06.000Z", "b"},
		{"2024-01-07T00:00:05.535Z", ""},
		{"2024-01-07T00:00:05.535Z;2024-01-07T00:00:06.000Z", ""},
		{"SRV=a:TOTAL=1;junk", ""},
		{"SRV=a:TOTAL=1;LSRV=:TOTAL=1", ""},
		{"SRV=a:TOTAL=1;2024-01-07T00:00:06.000Z;x", ""},
		{"", ""},
	} {
		got, ok := LocalServer([]byte(tt.in))
		if string(got) != tt.want || ok != (tt.want != "") {
			t.Errorf("LocalServer(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, v := range realValues(t) {
		src := []byte(v.Value)
		if Classify(src) != KindLatency {
			continue
		}
		_, lat, err := AppendLatency(nil, src)
		h, hok := lat.Local()
		if err != nil || !hok {
			continue
		}
		if got, ok := LocalServer(src); !ok || string(got) != h.Server.Text(src) {
			t.Errorf("LocalServer(%q) = %q, %v; Local() says %q", src, got, ok, h.Server.Text(src))
		}
	}
	if n := testing.AllocsPerRun(100, func() { LocalServer([]byte("LSRV=h:TOTAL=1;2024-01-07T00:00:06.000Z")) }); n != 0 {
		t.Errorf("LocalServer allocates %v times", n)
	}
}
