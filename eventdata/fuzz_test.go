package eventdata

import (
	"bytes"
	"errors"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/internal/check"
	"github.com/mailtrace/mailtrace/internal/fielderr"
)

func checkSyntaxError(t *testing.T, what string, err error, n int) {
	t.Helper()
	if err == nil {
		return
	}
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("%s: error %T %v is not a *SyntaxError", what, err, err)
	}
	if se.Offset < 0 || se.Offset > n {
		t.Fatalf("%s: error offset %d outside [0, %d]", what, se.Offset, n)
	}
	if len(se.Excerpt) > fielderr.ExcerptLen || len(se.Key) > fielderr.ExcerptLen {
		t.Fatalf("%s: error excerpt not bounded: %q", what, se.Excerpt)
	}
}

func addMemberSeeds(f *testing.F) {
	for _, tt := range scanTests {
		f.Add([]byte(tt.in))
	}
	for _, tt := range scanErrorTests {
		f.Add([]byte(tt.in))
	}
	for _, s := range realCustomData(f) {
		f.Add(s.value)
	}
	for _, in := range [][]byte{benchReceive, benchSendExt, benchAgentInfo, benchIPv6, benchQuoted} {
		f.Add(in)
	}
}

// FuzzScanner checks the member scanner on any input: no panic, spans
// inside the input, offsets increasing, bounded output, Strict a prefix of
// Lenient, and a render/scan round trip of what was scanned.
func FuzzScanner(f *testing.F) {
	addMemberSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		var s Scanner
		s.Init(src)
		var lenient []Pair
		last := -1
		for s.Next() {
			off := s.Offset()
			if off <= last || off >= len(src) {
				t.Fatalf("offset %d after %d, input length %d", off, last, len(src))
			}
			last = off
			raw := s.Raw()
			if !bytes.Equal(raw, src[off:off+len(raw)]) {
				t.Fatalf("Raw() %q is not the input at %d", raw, off)
			}
			if s.InSource() {
				if !check.Inside(raw, s.TagRaw()) || !check.Inside(raw, s.Key()) || !check.Inside(raw, s.Value()) {
					t.Fatalf("tag/key/value %q %q %q not inside member %q", s.TagRaw(), s.Key(), s.Value(), raw)
				}
				vo := s.ValueOffset()
				if !bytes.Equal(src[vo:vo+len(s.Value())], s.Value()) {
					t.Fatalf("ValueOffset %d does not locate %q", vo, s.Value())
				}
			}
			if !isTag(s.TagRaw()) || ParseTag(s.TagRaw()) != s.Tag() || len(s.Key()) == 0 || bytes.IndexByte(s.Key(), '=') >= 0 {
				t.Fatalf("ill-formed member yielded: tag %q key %q", s.TagRaw(), s.Key())
			}
			lenient = append(lenient, Pair{Tag: s.Tag(), TagRaw: bytes.Clone(s.TagRaw()), Key: bytes.Clone(s.Key()), Value: bytes.Clone(s.Value()), Offset: off})
		}
		if len(lenient) > MaxMembers {
			t.Fatalf("%d members, more than MaxMembers", len(lenient))
		}
		checkSyntaxError(t, "Scanner", s.Err(), len(src))

		strict, serr := AppendPairsStrict(nil, src)
		checkSyntaxError(t, "AppendPairsStrict", serr, len(src))
		if len(strict) > len(lenient) || (serr == nil) != (s.Err() == nil) {
			t.Fatalf("strict: %d pairs, err %v; lenient: %d pairs, err %v", len(strict), serr, len(lenient), s.Err())
		}
		for i := range strict {
			if !pairEqual(strict[i], lenient[i]) {
				t.Fatalf("strict pair %d %q differs from lenient %q", i, strict[i].Key, lenient[i].Key)
			}
		}
		appended, aerr := AppendPairs(nil, src)
		if len(appended) != len(lenient) || !errors.Is(aerr, errors.Unwrap(s.Err())) {
			t.Fatalf("AppendPairs: %d pairs, err %v; Scanner: %d, %v", len(appended), aerr, len(lenient), s.Err())
		}
		noEscapes := !bytes.Contains(src, []byte("''"))
		for i := range appended {
			if !pairEqual(appended[i], lenient[i]) || appended[i].Offset != lenient[i].Offset {
				t.Fatalf("AppendPairs pair %d differs", i)
			}
			if noEscapes && !(check.Inside(src, appended[i].Key) && check.Inside(src, appended[i].Value)) {
				t.Fatalf("AppendPairs pair %d does not alias the input", i)
			}
		}
		if len(lenient) > 0 {
			v, ok := Lookup(src, string(lenient[0].Key))
			if !ok || !bytes.Equal(v, lenient[0].Value) {
				t.Fatalf("Lookup(%q) = %q, %v; want %q", lenient[0].Key, v, ok, lenient[0].Value)
			}
		}

		// Round trip: render what was scanned, scan it back strictly.
		var out []byte
		for i, p := range lenient {
			if i > 0 {
				out = append(out, ';')
			}
			out = AppendMember(out, p)
		}
		back, berr := AppendPairsStrict(nil, out)
		if berr != nil || len(back) != len(lenient) {
			t.Fatalf("rendered %q: %d pairs, err %v; want %d pairs", out, len(back), berr, len(lenient))
		}
		for i := range back {
			if !pairEqual(back[i], lenient[i]) {
				t.Fatalf("round trip pair %d: %q=%q, want %q=%q", i, back[i].Key, back[i].Value, lenient[i].Key, lenient[i].Value)
			}
		}

		var d Data
		derr := d.Decode(src)
		checkSyntaxError(t, "Decode", derr, len(src))
		if d.Members != len(lenient) || d.Other > d.Members || d.NumResubmit > d.Members {
			t.Fatalf("Decode: Members %d Other %d for %d pairs", d.Members, d.Other, len(lenient))
		}
		if s.Err() != nil && derr == nil {
			t.Fatalf("Decode hid the scan error %v", s.Err())
		}
		if noEscapes {
			for _, h := range d.ProxyHops {
				if !check.Inside(src, h.Host) {
					t.Fatalf("ProxyHop host %q not inside the input", h.Host)
				}
			}
			if !check.Inside(src, d.AccountForest) || !check.Inside(src, d.MailboxDatabaseGuidRaw) {
				t.Fatal("Data slices not inside the input")
			}
		}
	})
}

func pairEqual(a, b Pair) bool {
	return a.Tag == b.Tag && bytes.Equal(a.TagRaw, b.TagRaw) && bytes.Equal(a.Key, b.Key) && bytes.Equal(a.Value, b.Value)
}

// FuzzGroupScanner checks the AGENTINFO group scanner and its typed
// helpers: no panic, parts inside the value in order, and a render/scan
// round trip.
func FuzzGroupScanner(f *testing.F) {
	for _, tt := range groupTests {
		f.Add([]byte(tt.in))
	}
	for _, s := range realCustomData(f) {
		var sc Scanner
		sc.Init(s.value)
		for sc.Next() {
			f.Add(bytes.Clone(sc.Value()))
		}
	}
	f.Add([]byte("SUM|SFV=SPM|IPV=CAL|SRV=BULK|SFS=470454002|SFS=349001|SCL=9|SCORE=-1|LIST=0|DI=SN|RD=ftmail.inc.com|H=ftmail.inc.com|CIP=98.129.140.74|SFP=1501|ASF=1|CTRY=US|CLTCTRY=|LANG=en|LAT=287|LAT=260|LAT=18"))
	f.Add([]byte("ETR|ruleId=FC2AA60C9D811E0AFC076D34824019B|dlpid=1B81CC82C9DB11E09052C5D64824019B|st=2010-11-03 15:30T|action=PrependSubject|action=Encrypt|sev=2|mode=audit|dcid=41BFDBC6C9D811E0816A3CD34824019B|sndOverride=or"))
	f.Fuzz(func(t *testing.T, value []byte) {
		var g GroupScanner
		g.Init(value)
		kind := g.Kind()
		if !check.Inside(value, kind) || bytes.IndexByte(kind, '|') >= 0 {
			t.Fatalf("kind %q", kind)
		}
		type kv struct{ k, v []byte }
		var parts []kv
		last := len(kind)
		for g.Next() {
			k, v, off := g.Key(), g.Value(), g.Offset()
			// A part is never empty in the source ("|=" is a part with an
			// empty key and value; "||" holds no part).
			if off <= last || off >= len(value) || value[off] == '|' || !check.Inside(value, k) || !check.Inside(value, v) {
				t.Fatalf("part %q=%q at %d after %d", k, v, off, last)
			}
			if bytes.IndexByte(k, '|') >= 0 || bytes.IndexByte(k, '=') >= 0 || bytes.IndexByte(v, '|') >= 0 {
				t.Fatalf("separator inside part %q=%q", k, v)
			}
			last = off
			parts = append(parts, kv{k, v})
		}
		checkSyntaxError(t, "GroupScanner", g.Err(), len(value))
		if len(parts) > len(value) {
			t.Fatalf("%d parts from %d bytes", len(parts), len(value))
		}
		out := append([]byte(nil), kind...)
		for _, p := range parts {
			out = append(out, '|')
			out = append(out, p.k...)
			out = append(out, '=')
			out = append(out, p.v...)
		}
		g.Init(out)
		if !bytes.Equal(g.Kind(), kind) {
			t.Fatalf("round trip kind %q, want %q", g.Kind(), kind)
		}
		for i := 0; g.Next(); i++ {
			if i >= len(parts) || !bytes.Equal(g.Key(), parts[i].k) || !bytes.Equal(g.Value(), parts[i].v) {
				t.Fatalf("round trip of %q: part %d %q=%q", out, i, g.Key(), g.Value())
			}
		}
		if g.Err() != nil && len(parts) > 0 {
			t.Fatalf("round trip of %q: %v", out, g.Err())
		}
		h, err := ParseRuleHit(value)
		checkSyntaxError(t, "ParseRuleHit", err, len(value))
		if !check.Inside(value, h.RuleIDRaw) || !check.Inside(value, h.TimeRaw) || !check.Inside(value, h.Conditions) {
			t.Fatal("RuleHit slices outside the value")
		}
		if !h.Time.IsZero() && (h.Time.Location() != time.UTC || len(h.TimeRaw) == 0) {
			t.Fatalf("RuleHit time %v from %q", h.Time, h.TimeRaw)
		}
		_, err = ParseMalwareResult(value)
		checkSyntaxError(t, "ParseMalwareResult", err, len(value))
	})
}

// FuzzPowerShell checks the PowerShell scanner and AppendUnwrapped: no
// panic, spans inside the input, a render/scan round trip, and
// AppendUnwrapped removing every line break without growing the text.
func FuzzPowerShell(f *testing.F) {
	for _, tt := range psTests {
		f.Add([]byte(tt.in))
	}
	for _, tt := range psErrorTests {
		f.Add([]byte(tt.in))
	}
	f.Add(benchPS)
	f.Add(benchWrapped)
	for _, c := range []struct{ file, name, next string }{
		{"learn.microsoft.com_answers_134852_Get-MessageTrackingLog_DELIVERFAIL_FAIL_fl.txt", "EventData", "TransportTrafficType"},
		{"learn.microsoft.com_answers_208018_Get-MessageTrackingLog_FAIL_fl.txt", "EventData", "TransportTrafficType"},
		{"tostka_verb-EXO_Public_convert-HistoricalSearchCSV_EXO_extended_report_fl.txt", "custom_data", "#>"},
	} {
		f.Add(cmdletField(f, c.file, c.name, c.next, 0))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var s PSScanner
		s.Init(src)
		type kv struct{ k, v []byte }
		var pairs []kv
		last := -1
		for s.Next() {
			k, v := s.Key(), s.Value()
			if s.Offset() <= last || !check.Inside(src, k) || !check.Inside(src, v) || bytes.IndexByte(k, ',') >= 0 ||
				len(v) > 0 && ascii.IsSpace(v[0]) || s.ValueOffset() < s.Offset() || s.ValueOffset() > len(src) {
				t.Fatalf("pair %q=%q at %d after %d", k, v, s.Offset(), last)
			}
			last = s.Offset()
			pairs = append(pairs, kv{k, v})
		}
		checkSyntaxError(t, "PSScanner", s.Err(), len(src))
		if len(pairs) > MaxMembers {
			t.Fatalf("%d pairs", len(pairs))
		}
		out := []byte{'{'}
		for i, p := range pairs {
			if i > 0 {
				out = append(out, ", "...)
			}
			out = append(out, '[')
			out = append(out, p.k...)
			out = append(out, ", "...)
			out = append(out, p.v...)
			out = append(out, ']')
		}
		out = append(out, '}')
		s.Init(out)
		i := 0
		for ; s.Next(); i++ {
			if i >= len(pairs) || !bytes.Equal(s.Key(), pairs[i].k) || !bytes.Equal(s.Value(), pairs[i].v) {
				t.Fatalf("round trip of %q: pair %d %q=%q", out, i, s.Key(), s.Value())
			}
		}
		if i != len(pairs) || s.Err() != nil {
			t.Fatalf("round trip of %q: %d pairs of %d, err %v", out, i, len(pairs), s.Err())
		}

		un := AppendUnwrapped(nil, src)
		if bytes.ContainsAny(un, "\r\n") || len(un) > len(src) {
			t.Fatalf("AppendUnwrapped(%q) = %q", src, un)
		}
		if again := AppendUnwrapped(nil, un); !bytes.Equal(again, un) {
			t.Fatalf("AppendUnwrapped not idempotent: %q then %q", un, again)
		}
		var d Data
		err := d.DecodePowerShell(un)
		checkSyntaxError(t, "DecodePowerShell", err, len(un))
	})
}

var secondsRE = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// FuzzParseSeconds checks the decimal-seconds parser against exact
// rational arithmetic.
func FuzzParseSeconds(f *testing.F) {
	for _, s := range []string{"1.928", "0.402", "14", "-0.010", "9223372036.854775807", "9223372036.854775808", "1.", ".5", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseSeconds([]byte(s))
		wantOK := secondsRE.MatchString(s)
		var want *big.Int
		if wantOK {
			r, _ := new(big.Rat).SetString(strings.TrimPrefix(s, "+"))
			r.Mul(r, big.NewRat(int64(time.Second), 1))
			want = new(big.Int).Quo(r.Num(), r.Denom()) // truncates toward zero
			wantOK = want.IsInt64()
		}
		if ok != wantOK || ok && int64(got) != want.Int64() {
			t.Fatalf("parseSeconds(%q) = %d, %v; want %v, %v", s, got, ok, want, wantOK)
		}
	})
}
