package messageinfo

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var authCodeTests = []struct {
	name string
	in   string
	want AuthCode
}{
	{"store submitted", "04I: ", AuthCode{Number: 0x04, Letter: 'I'}},
	{"anonymous SMTP", "0cA: ", AuthCode{Number: 0x0c, Letter: 'A'}},
	{"SMTP auth 2013 with NTS", "07I: NTS: None", AuthCode{Number: 0x07, Letter: 'I', Detail: Span{5, 14}}},
	{"Office 365 to 2010", "00A: NTS: ", AuthCode{Number: 0x00, Letter: 'A', Detail: Span{5, 9}}},
	{"no trailing space", "0cI:", AuthCode{Number: 0x0c, Letter: 'I'}},
	{"upper-case hex", "0CI: ", AuthCode{Number: 0x0c, Letter: 'I'}},
	{"documented error form", "11a", AuthCode{Number: 0x11, Letter: 'a'}},
	{"documented error form, trailing space", "11a ", AuthCode{Number: 0x11, Letter: 'a'}},
	{"partner with domain", "0cP: contoso.com", AuthCode{Number: 0x0c, Letter: 'P', Detail: Span{5, 16}}},
	{"unknown letter kept raw", "0cQ: ", AuthCode{Number: 0x0c, Letter: 'Q'}},
	{"unknown mechanism kept raw", "ffE: x", AuthCode{Number: 0xff, Letter: 'E', Detail: Span{5, 6}}},
	{"several spaces", "07I:   NTS: None \t ", AuthCode{Number: 0x07, Letter: 'I', Detail: Span{7, 16}}},
}

func TestParseAuthCode(t *testing.T) {
	tests := authCodeTests
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAuthCode([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParseAuthCode(%q) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseAuthCode(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

var authCodeErrorTests = []struct {
	name   string
	in     string
	offset int
	err    error
}{
	{"too long", "04I: " + strings.Repeat("x", MaxInputBytes), 0, ErrTooLong},
	{"empty", "", 0, ErrAuthCode},
	{"too short", "0c", 2, ErrAuthCode},
	{"not hex", "zcA: ", 0, ErrAuthCode},
	{"second not hex", "0zA: ", 1, ErrAuthCode},
	{"digit for letter", "0c1: ", 2, ErrAuthCode},
	{"colon-less with unknown letter", "0cQ", 2, ErrAuthCode},
	{"colon-less followed by text", "11a x", 4, ErrAuthCode},
	{"wrong separator", "0cA;", 3, ErrAuthCode},
	{"timestamp", "2024-01-07T00:00:05.535Z", 2, ErrAuthCode},
}

func TestParseAuthCodeErrors(t *testing.T) {
	tests := authCodeErrorTests
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAuthCode([]byte(tt.in))
			var se *SyntaxError
			if !errors.Is(err, tt.err) || !errors.As(err, &se) {
				t.Fatalf("ParseAuthCode(%q) = %+v, %v; want a *SyntaxError wrapping %v", tt.in, got, err, tt.err)
			}
			if se.Offset != tt.offset {
				t.Errorf("ParseAuthCode(%q) error offset %d, want %d", tt.in, se.Offset, tt.offset)
			}
			if got != (AuthCode{}) {
				t.Errorf("ParseAuthCode(%q) returned %+v with the error, want the zero AuthCode", tt.in, got)
			}
		})
	}
}

func TestAuthCodeMeaning(t *testing.T) {
	tests := []struct {
		in        string
		mechanism Mechanism
		category  Category
		anonymous bool
	}{
		{"04I: ", MechanismSecureMapiSubmit, CategoryInternal, false},
		{"0cI: ", MechanismMutualGSSAPI, CategoryInternal, false},
		{"0cA: ", MechanismMutualGSSAPI, CategoryAnonymous, true},
		{"07I: ", MechanismLogin, CategoryInternal, false},
		{"00A: NTS: ", MechanismNone, CategoryAnonymous, true},
		{"11a", MechanismDirectTrustTLS, CategoryAnonymous, true},
		{"09E: ", MechanismUnknown, CategoryExternal, false},
		{"12p: ", MechanismReplay, CategoryPartner, false},
		{"0do: ", MechanismCustom, CategoryOther, false},
	}
	for _, tt := range tests {
		a, err := ParseAuthCode([]byte(tt.in))
		if err != nil {
			t.Fatalf("ParseAuthCode(%q): %v", tt.in, err)
		}
		if a.Mechanism() != tt.mechanism || a.Category() != tt.category || a.Anonymous() != tt.anonymous {
			t.Errorf("ParseAuthCode(%q) = %v/%v/anonymous=%v, want %v/%v/%v",
				tt.in, a.Mechanism(), a.Category(), a.Anonymous(), tt.mechanism, tt.category, tt.anonymous)
		}
	}
}

func TestAuthCodeAppendTo(t *testing.T) {
	for _, in := range []string{"04I: ", "0cA: ", "07I: NTS: None", "0cP: contoso.com"} {
		a, err := ParseAuthCode([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if got := string(a.AppendTo(nil, []byte(in))); got != in {
			t.Errorf("ParseAuthCode(%q).AppendTo = %q, want the input back", in, got)
		}
	}
	// Normalising forms.
	for in, want := range map[string]string{"0CI:": "0cI: ", "11a": "11a: ", "00A: NTS: ": "00A: NTS:"} {
		a, err := ParseAuthCode([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if got := string(a.AppendTo(nil, []byte(in))); got != want {
			t.Errorf("ParseAuthCode(%q).AppendTo = %q, want %q", in, got, want)
		}
	}
}

func TestMechanismTable(t *testing.T) {
	names := map[string]bool{}
	for m := MechanismNone; m <= MechanismReplay; m++ {
		n, ok := m.Number()
		if !ok || MechanismOf(n) != m {
			t.Errorf("%v: Number() = %#x, %v; MechanismOf gives %v", m, n, ok, MechanismOf(n))
		}
		if m.Meaning() == "" || names[m.String()] || strings.HasPrefix(m.String(), "Mechanism(") {
			t.Errorf("%v: missing meaning or duplicate name", m)
		}
		names[m.String()] = true
	}
	if _, ok := MechanismUnknown.Number(); ok {
		t.Error("MechanismUnknown.Number() ok, want false")
	}
	// Numbers the table does not name.
	for _, n := range []uint8{0x09, 0x0e, 0x0f, 0x13, 0xff} {
		if m := MechanismOf(n); m != MechanismUnknown {
			t.Errorf("MechanismOf(%#x) = %v, want Unknown", n, m)
		}
	}
}

func TestEnumStrings(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{Mechanism(200).String(), "Mechanism(200)"},
		{Category(9).String(), "Category(9)"},
		{Role(9).String(), "Role(9)"},
		{Unit(9).String(), "Unit(9)"},
		{Kind(9).String(), "Kind(9)"},
		{Basis(9).String(), "Basis(9)"},
		{MechanismMutualGSSAPI.String(), "MutualGSSAPI"},
		{CategoryAnonymous.String(), "Anonymous"},
		{RoleFrontEnd.String(), "FrontEnd"},
		{UnitMilliseconds.String(), "Milliseconds"},
		{KindTimestamp.String(), "Timestamp"},
		{BasisSample.String(), "Sample"},
		{(FlagTotal | FlagExtended).String(), "Total|Extended"},
		{Flags(0).String(), "0"},
		{Flags(0x80 | 1).String(), "Total|0x80"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("String() = %q, want %q", tt.got, tt.want)
		}
	}
	// Every in-range constant has its own name.
	for _, n := range []struct {
		count int
		name  func(int) string
	}{
		{int(CategoryOther) + 1, func(i int) string { return Category(i).String() }},
		{int(RoleEdge) + 1, func(i int) string { return Role(i).String() }},
		{int(UnitMilliseconds) + 1, func(i int) string { return Unit(i).String() }},
		{int(KindTimestamp) + 1, func(i int) string { return Kind(i).String() }},
		{int(BasisName) + 1, func(i int) string { return Basis(i).String() }},
	} {
		seen := map[string]bool{}
		for i := range n.count {
			s := n.name(i)
			if seen[s] || strings.Contains(s, "(") {
				t.Errorf("constant %d has name %q (duplicate or fallback)", i, s)
			}
			seen[s] = true
		}
	}
}

var classifyTests = []struct {
	name string
	in   string
	want Kind
}{
	{"empty", "", KindEmpty},
	{"spaces", "   ", KindEmpty},
	{"auth", "04I: ", KindAuthCode},
	{"auth with NTS", "07I: NTS: None", KindAuthCode},
	{"auth error form", "11a", KindAuthCode},
	{"latency LSRV", "2024-01-07T00:00:05.535Z;LSRV=h:TOTAL-HUB=1.921", KindLatency},
	{"latency SRV", "2024-01-07T00:00:05.535Z;SRV=h:TOTAL=0", KindLatency},
	{"latency without origin", "LSRV=h:TOTAL-HUB=1.921", KindLatency},
	{"latency prefix only is enough", "2024-01-07T00:00:05.535Z;SRV=", KindLatency},
	{"arrival only", "2022-09-19T15:02:29.211Z", KindTimestamp},
	{"EXO precision", "2021-03-23T10:00:09.3284899Z", KindTimestamp},
	{"offset", "2021-03-23T10:00:09+02:00", KindTimestamp},
	{"timestamp then junk", "2022-09-19T15:02:29.211Z;foo", KindUnknown},
	{"bad timestamp before hop", "2022-19-19T15:02:29.211Z;LSRV=h:TOTAL=0", KindUnknown},
	// Was KindUnknown while messageinfo had its own fast-path-only
	// parser; msgtrk.ParseTime also reads what time.Parse reads.
	{"comma fraction (time.Parse only)", "2024-01-07T00:00:05,535Z", KindTimestamp},
	{"no zone", "2024-01-07T00:00:05.535", KindUnknown},
	{"free text", "Retry in 10 minutes", KindUnknown},
	{"leading space", " 04I: ", KindUnknown},
}

func TestClassify(t *testing.T) {
	tests := classifyTests
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify([]byte(tt.in)); got != tt.want {
				t.Errorf("Classify(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UTC()
	}
	tests := []struct {
		name string
		in   string
		want Info
	}{
		{"empty", "", Info{Kind: KindEmpty}},
		{"auth", "07I: NTS: None", Info{Kind: KindAuthCode, Auth: AuthCode{Number: 7, Letter: 'I', Detail: Span{5, 14}}}},
		{"latency origin", "2024-01-07T00:00:05.535Z;LSRV=h:TOTAL-HUB=1.921", Info{Kind: KindLatency, Time: utc("2024-01-07T00:00:05.535Z")}},
		{"latency without origin", "SRV=h:TOTAL=0", Info{Kind: KindLatency}},
		{"timestamp", "2022-09-19T15:02:29.211Z", Info{Kind: KindTimestamp, Time: utc("2022-09-19T15:02:29.211Z")}},
		{"offset is applied", "2022-09-19T17:02:29.211+02:00", Info{Kind: KindTimestamp, Time: utc("2022-09-19T15:02:29.211Z")}},
		{"unknown", "whatever", Info{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse([]byte(tt.in))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestIsExchangeAuthCode: only the form Exchange writes (format.md §7.1,
// §12 step 8), though ParseAuthCode reads the others.
func TestIsExchangeAuthCode(t *testing.T) {
	for in, want := range map[string]bool{
		"04I: ": true, "0cA: ": true, "00A: NTS: ": true, "02P:contoso.com": true, "12O:": true,
		"11a": false, "11a ": false, "0CA: ": false, "04i: ": false, "04X: ": false, "04I": false, "0g I: ": false, "": false,
	} {
		if got := IsExchangeAuthCode([]byte(in)); got != want {
			t.Errorf("IsExchangeAuthCode(%q) = %v, want %v", in, got, want)
		}
	}
	src := []byte("0cA: ")
	if n := testing.AllocsPerRun(100, func() { IsExchangeAuthCode(src) }); n != 0 {
		t.Errorf("IsExchangeAuthCode allocates %v times", n)
	}
}
