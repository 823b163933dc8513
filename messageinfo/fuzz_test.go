package messageinfo

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// fuzzSeeds are the table inputs and the real samples shared by the fuzzers.
func fuzzSeeds(f *testing.F) []string {
	f.Helper()
	seeds := []string{
		"", " ", "04I: ", "0cA: ", "07I: NTS: None", "00A: NTS: ", "11a", "0cP: contoso.com",
		"2022-09-19T15:02:29.211Z", "2021-03-23T10:00:09.3284899Z", "2021-03-23T10:00:09+02:00",
		"2024-01-07T00:00:05,535Z",
		"LSRV=h:TOTAL-HUB=1921|SMR=127(SMRC=125)|QDM=0",
		"LSRV=h:TOTAL-SUB=1.0|A=0.5 (B=0.25 (C=0.125 ) )|D=0.5 ",
		"LSRV=h:TOTAL=1.0(A=0.5)|B=0.5",
		"SRV=a:X=1(Y=2(Z=3))|W=4;SRV=b:TOTAL=0",
		"2013-01-01T00:00:00.000Z;SRV=HUB12.GMS.local:TOTAL=0",
		"LSRV=h:TOTAL=1|A=1(B=1",
		"LSRV=h:TOTAL=1|A=1)",
		"LSRV=h:TOTAL=0.1234567891",
		"LSRV=h:X-ABC-PEN-INC=1|R-CMSG-Some Agent=2",
		"LSRV=h:TOTAL=1|" + strings.Repeat("A=1(", 40) + strings.Repeat(")", 40),
		// Closed by the current time (format.md §7.2).
		"2024-01-07T00:00:05.535Z;LSRV=h:TOTAL-HUB=1.921|SMR=0.127;2024-01-07T00:00:07.456Z",
		"2024-01-07T00:00:05.535Z;2024-01-07T00:00:07.456Z",
		"SRV=a:TOTAL=1;2024-01-07T00:00:07.456Z;SRV=b:TOTAL=1",
	}
	for _, v := range realValues(f) {
		seeds = append(seeds, v.Value)
	}
	return seeds
}

// FuzzClassify: Classify never panics, agrees with Parse, and each kind's
// claim holds (auth codes parse, timestamps parse and agree with time.Parse,
// latency prefixes are what AppendLatency expects).
func FuzzClassify(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		k := Classify(src)
		info := Parse(src)
		if info.Kind != k {
			t.Fatalf("Classify(%q) = %v, Parse says %v", src, k, info.Kind)
		}
		switch k {
		case KindAuthCode:
			a, err := ParseAuthCode(src)
			if err != nil || a != info.Auth {
				t.Fatalf("Classify(%q) = AuthCode, ParseAuthCode = %+v, %v", src, a, err)
			}
		case KindTimestamp:
			tm, ok := msgtrk.ParseTime(src)
			if !ok || !tm.Equal(info.Time) {
				t.Fatalf("Classify(%q) = Timestamp %v, ParseTime = %v, %v", src, info.Time, tm, ok)
			}
		case KindLatency:
			_, lat, err := AppendLatency(nil, src)
			if !lat.Origin.Equal(info.Time) {
				t.Fatalf("Parse(%q).Time = %v, AppendLatency origin %v (err %v)", src, info.Time, lat.Origin, err)
			}
		case KindEmpty:
			if len(bytes.TrimLeft(src, " ")) != 0 {
				t.Fatalf("Classify(%q) = Empty", src)
			}
		}
	})
}

// FuzzParseAuthCode: no panic; the detail span lies inside the input; a
// parsed code renders and parses back to the same code.
func FuzzParseAuthCode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		a, err := ParseAuthCode(src)
		if l, ok := LookupAuthCode(src); ok != (err == nil) || l != a {
			t.Fatalf("LookupAuthCode(%q) = %+v, %v; ParseAuthCode: %+v, %v", src, l, ok, a, err)
		}
		if err != nil {
			if a != (AuthCode{}) {
				t.Fatalf("ParseAuthCode(%q) = %+v with error %v", src, a, err)
			}
			return
		}
		if a.Detail.Start < 0 || a.Detail.Start > a.Detail.End || int(a.Detail.End) > len(src) || !a.IsValid() {
			t.Fatalf("ParseAuthCode(%q) = %+v: detail outside input", src, a)
		}
		out := a.AppendTo(nil, src)
		b, err := ParseAuthCode(out)
		if err != nil {
			t.Fatalf("ParseAuthCode(%q) → %q does not parse: %v", src, out, err)
		}
		if b.Number != a.Number || b.Letter != a.Letter || !bytes.Equal(b.Detail.Bytes(out), a.Detail.Bytes(src)) {
			t.Fatalf("round trip %q → %q: %+v vs %+v", src, out, a, b)
		}
	})
}

// FuzzAppendLatency: no panic, every invariant of latencyInvariants (spans
// inside the input, parent before child and within this parse, depth ≤
// MaxDepth, node count ≤ MaxNodes, hops contiguous), and on success
// LocalServer names the last hop's server and the canonical form parses
// to the same tree and is a fixed point.
func FuzzAppendLatency(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add([]byte(s))
	}
	prior := []Node{{Parent: -1}}
	f.Fuzz(func(t *testing.T, src []byte) {
		nodes, lat, err := AppendLatency(prior[:1:1], src)
		if nodes[0] != (Node{Parent: -1}) || lat.First != 1 {
			t.Fatalf("AppendLatency(%q) touched the caller's nodes", src)
		}
		if msg := latencyInvariants(src, nodes, &lat); msg != "" {
			t.Fatalf("AppendLatency(%q): %s", src, msg)
		}
		if err != nil {
			return
		}
		if h, ok := lat.Local(); ok {
			if got, lok := LocalServer(src); !lok || string(got) != h.Server.Text(src) {
				t.Fatalf("LocalServer(%q) = %q, %v; Latency.Local's server is %q", src, got, lok, h.Server.Text(src))
			}
		}
		canon := AppendCanonical(nil, src, nodes, &lat)
		nodes2, lat2, err := AppendLatency(nil, canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canon, src, err)
		}
		if diff := cmp.Diff(treeView(src, nodes, &lat), treeView(canon, nodes2, &lat2)); diff != "" {
			t.Fatalf("canonical form %q of %q decodes differently:\n%s", canon, src, diff)
		}
		if again := AppendCanonical(nil, canon, nodes2, &lat2); !bytes.Equal(again, canon) {
			t.Fatalf("canonical form not a fixed point: %q → %q", canon, again)
		}
	})
}

// checkLocalTotal holds LocalTotal to AppendLatency on src: where
// AppendLatency parses src without error, LocalTotal accepts it and gives
// the same origination time and the same TOTAL of the last hop; where it
// fails, LocalTotal refuses src.
func checkLocalTotal(t *testing.T, src []byte) {
	t.Helper()
	origin, total, hasTotal, ok := LocalTotal(src)
	_, lat, err := AppendLatency(nil, src)
	if err != nil {
		if ok {
			t.Fatalf("LocalTotal(%.80q) accepted a string AppendLatency refuses (%v)", src, err)
		}
		return
	}
	if !ok {
		t.Fatalf("LocalTotal(%.80q) refused a string AppendLatency parses", src)
	}
	var want time.Duration
	h, hok := lat.Local()
	wantTotal := hok && h.Root >= 0
	if wantTotal {
		want = h.Total
	}
	if !origin.Equal(lat.Origin) || total != want || hasTotal != wantTotal {
		t.Fatalf("LocalTotal(%.80q) = %v, %v, %v; AppendLatency says %v, %v, %v", src, origin, total, hasTotal, lat.Origin, want, wantTotal)
	}
}

// limitSeeds are latency strings at each limit of the parser and one past
// it (depth, records, hops), where LocalTotal's own count must agree with
// AppendLatency's nodes.
func limitSeeds() []string {
	nested := func(depth int) string {
		// TOTAL is depth 0, A depth 1, each "(" one deeper.
		return "LSRV=h:TOTAL=1|" + strings.Repeat("A=1(", depth-1) + "B=1" + strings.Repeat(")", depth-1)
	}
	hops := func(n int) string {
		return "2024-01-07T00:00:05.535Z" + strings.Repeat(";SRV=h:TOTAL=1|A=2", n)
	}
	return []string{
		nested(MaxDepth), nested(MaxDepth + 1),
		"LSRV=h:TOTAL=1" + strings.Repeat("|A=1", MaxNodes-1),
		"LSRV=h:TOTAL=1" + strings.Repeat("|A=1", MaxNodes),
		hops(MaxHops), hops(MaxHops + 1),
		// MaxDepth reached twice, closing a level between (the depth
		// goes back down).
		"LSRV=h:TOTAL=1|" + strings.Repeat("A=1(", MaxDepth-2) + "B=1(C=1)|D=1(E=1)" + strings.Repeat(")", MaxDepth-2),
		"LSRV=h:A=1(B=2)|TOTAL=3", "SRV=a:TOTAL=1(A=1)|B=2;SRV=b:C=0.5", "SRV=a:C=0.5;SRV=b:TOTAL-HUB=2000",
	}
}

// TestLocalTotalLimits: LocalTotal agrees with AppendLatency at every
// limit and one past it, on every malformed string of
// TestAppendLatencyErrors, and on every real value.
func TestLocalTotalLimits(t *testing.T) {
	for _, s := range limitSeeds() {
		checkLocalTotal(t, []byte(s))
	}
	for _, tt := range latencyErrorTests() {
		checkLocalTotal(t, []byte(tt.in))
	}
	for _, v := range realValues(t) {
		checkLocalTotal(t, []byte(v.Value))
	}
	// The limits are reached: one of each pair is accepted, the other not.
	for i, s := range limitSeeds()[:6] {
		_, _, _, ok := LocalTotal([]byte(s))
		if ok != (i%2 == 0) {
			t.Errorf("limit seed %d: LocalTotal ok = %v", i, ok)
		}
	}
}

// FuzzLocalTotal: LocalTotal agrees with AppendLatency on every input
// (checkLocalTotal).
func FuzzLocalTotal(f *testing.F) {
	for _, s := range append(fuzzSeeds(f), limitSeeds()...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) { checkLocalTotal(t, src) })
}
