package messageinfo

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/mailtrace/mailtrace/internal/proptest"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// mAuth is a generated auth code.
type mAuth struct {
	Number uint8
	Letter rune
	Detail string
}

func TestPropertyAuthCodeRoundTrip(t *testing.T) {
	props := gopter.NewProperties(proptest.Parameters(t, 2000))
	g := gen.Struct(reflect.TypeOf(mAuth{}), map[string]gopter.Gen{
		"Number": gen.UInt8(),
		"Letter": gen.AlphaChar(),
		"Detail": gen.OneGenOf(gen.Const(""), gen.Const("NTS: None"), gen.Const("NTS:"),
			gen.RegexMatch(`[!-~]([ -~]{0,30}[!-~])?`)),
	})
	props.Property("rendered auth code parses back", prop.ForAll(func(m mAuth) string {
		text := fmt.Sprintf("%02x%c: %s", m.Number, m.Letter, m.Detail)
		if m.Detail == "" && m.Number%2 == 0 {
			text = strings.TrimSuffix(text, " ") // both spellings occur
		}
		src := []byte(text)
		a, err := ParseAuthCode(src)
		if err != nil {
			return fmt.Sprintf("ParseAuthCode(%q): %v", text, err)
		}
		got := mAuth{Number: a.Number, Letter: rune(a.Letter), Detail: a.Detail.Text(src)}
		if diff := cmp.Diff(m, got); diff != "" {
			return fmt.Sprintf("ParseAuthCode(%q) mismatch (-want +got):\n%s", text, diff)
		}
		if Classify(src) != KindAuthCode {
			return fmt.Sprintf("Classify(%q) = %v", text, Classify(src))
		}
		if a.Category() != CategoryOf(byte(m.Letter)) || a.Mechanism() != MechanismOf(m.Number) {
			return "enum mismatch"
		}
		return ""
	}, g))
	props.TestingRun(t)
}

// Generated latency strings. A record's Step says where it goes relative to
// the previous one: 0 one level deeper, 1 beside it, 2 one level up, 3 back
// to the top level.
type mRecord struct {
	Extended bool
	Code     string
	Agent    string
	Suffix   string
	Millis   int64
	Step     int
}

type mHop struct {
	LSRV    bool
	Server  string
	Total   string // "none", "plain" or a role suffix
	Millis  int64
	Records []mRecord
}

type mLatency struct {
	HasOrigin bool
	Origin    int64 // ms since 2000
	IntMillis bool  // write values as integer milliseconds
	Fold      bool  // fold spaces before parentheses
	Hops      []mHop
	// HasCurrent closes the string with the current time (format.md
	// §7.2), Current ms after the origin.
	HasCurrent bool
	Current    int64
}

func latencyGen() gopter.Gen {
	code := gen.OneGenOf(
		gen.OneConstOf("SMR", "SMRC", "CAT", "CATRS", "QDM", "D", "SDDPM", "HSDSP", "R-CMSG", "R-HSRR", "SA", "MTSS"),
		// Map, not SuchThat: a filtered record fails its whole string,
		// and the many-hop strings would be the ones discarded.
		gen.RegexMatch(`[A-Z]{1,6}`).Map(func(s string) string {
			if s == "TOTAL" || s == "X" {
				return s + "Z"
			}
			return s
		}),
	)
	agent := gen.OneGenOf(gen.Const(""), gen.Const("Malware Agent"), gen.Const("FrontendProxyAgent"),
		gen.Const("DC Pre Content Filter Agent"),
		gen.RegexMatch(`[A-Z][a-z]{1,8}([- ][A-Za-z][a-z]{0,8}){0,3}( Agent)?`))
	record := gen.Struct(reflect.TypeOf(mRecord{}), map[string]gopter.Gen{
		"Extended": gen.Weighted([]gen.WeightedGen{{Weight: 1, Gen: gen.Const(true)}, {Weight: 6, Gen: gen.Const(false)}}),
		"Code":     code,
		"Agent":    agent,
		"Suffix":   gen.OneConstOf("", "", "", "-PEN", "-INC", "-PEN-INC"),
		"Millis":   gen.Int64Range(0, 99999),
		"Step":     gen.IntRange(0, 3),
	}).Map(func(r mRecord) mRecord { return r }) // no sieve: SliceOfN would apply one record's to all
	hop := gen.Struct(reflect.TypeOf(mHop{}), map[string]gopter.Gen{
		"LSRV":   gen.Bool(),
		"Server": gen.RegexMatch(`[A-Za-z0-9][A-Za-z0-9.-]{0,24}`),
		"Total":  gen.OneConstOf("HUB", "FE", "SUB", "DEL", "EDGE", "XYZ", "plain", "none"),
		"Millis": gen.Int64Range(0, 999999),
		// 0 to 12 records: a hop of its TOTAL alone is the zero case.
		"Records": gen.IntRange(0, 12).FlatMap(func(n any) gopter.Gen {
			return gen.SliceOfN(n.(int), record)
		}, reflect.TypeOf([]mRecord(nil))),
	}).Map(func(h mHop) mHop {
		if h.Total == "none" && len(h.Records) == 0 {
			h.Records = []mRecord{{Code: "SMR", Millis: 1}}
		}
		return h
	})
	return gen.Struct(reflect.TypeOf(mLatency{}), map[string]gopter.Gen{
		"HasOrigin": gen.Weighted([]gen.WeightedGen{{Weight: 5, Gen: gen.Const(true)}, {Weight: 1, Gen: gen.Const(false)}}),
		"Origin":    gen.Int64Range(0, 40*365*24*3600*1000),
		"IntMillis": gen.Weighted([]gen.WeightedGen{{Weight: 1, Gen: gen.Const(true)}, {Weight: 4, Gen: gen.Const(false)}}),
		"Fold":      gen.Bool(),
		"Hops":      latencyHops(hop),
		// Not one real sample has it: rare, as in the logs.
		"HasCurrent": gen.Weighted([]gen.WeightedGen{{Weight: 1, Gen: gen.Const(true)}, {Weight: 5, Gen: gen.Const(false)}}),
		"Current":    gen.Int64Range(0, 24*3600*1000),
	})
}

// latencyHops generates 1 to MaxHops hops: mostly 1 to 3, as in real
// strings, sometimes up to MaxHops-1, and MaxHops itself, the boundary
// (TestLatencyGenCoverage shows each count is drawn).
func latencyHops(hop gopter.Gen) gopter.Gen {
	return gen.Weighted([]gen.WeightedGen{
		{Weight: 6, Gen: gen.IntRange(1, 3)},
		{Weight: 3, Gen: gen.IntRange(4, MaxHops-1)},
		{Weight: 1, Gen: gen.Const(MaxHops)},
	}).FlatMap(func(n any) gopter.Gen {
		return gen.SliceOfN(n.(int), hop)
	}, reflect.TypeOf([]mHop(nil)))
}

// render writes m as Exchange would (plus the fold spaces when asked) and
// returns the tree a correct parser must find.
func (m mLatency) render() (string, viewTree) {
	var b strings.Builder
	want := viewTree{}
	value := func(ms int64) string {
		if m.IntMillis {
			return strconv.FormatInt(ms, 10)
		}
		return fmt.Sprintf("%d.%03d", ms/1000, ms%1000)
	}
	anyNonZero := false
	origin := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(m.Origin) * time.Millisecond)
	if m.HasOrigin {
		want.Origin = string(msgtrk.AppendTime(nil, origin))
		b.WriteString(want.Origin)
	}
	for hi, h := range m.Hops {
		if b.Len() > 0 {
			b.WriteByte(';')
			if m.Fold && hi > 0 {
				b.WriteByte(' ') // (as copied from a folded header)
			}
		}
		if h.LSRV {
			b.WriteString("LSRV=")
		} else {
			b.WriteString("SRV=")
		}
		b.WriteString(h.Server + ":")
		vh := viewHop{Server: h.Server, LSRV: h.LSRV, Root: -1, First: int32(len(want.Nodes)), Total: "0s"}
		base := 0 // depth of top-level records
		first := true
		if h.Total != "none" {
			name := "TOTAL"
			vh.Role = RoleNone
			if h.Total != "plain" {
				name += "-" + h.Total
				vh.RoleText = h.Total
				vh.Role = roleOf([]byte(h.Total))
			}
			v := value(h.Millis)
			b.WriteString(name + "=" + v)
			d := time.Duration(h.Millis) * time.Millisecond
			anyNonZero = anyNonZero || h.Millis != 0
			vh.Root = int32(len(want.Nodes))
			vh.Total = d.String()
			want.Nodes = append(want.Nodes, viewNode{Name: name, Code: "TOTAL", Value: v, Duration: d.String(), Parent: -1, Hop: uint8(hi), Flags: FlagTotal})
			base = 1
			first = false
		}
		depth := base
		var stack []int32 // open parents by depth - base
		if vh.Root >= 0 {
			stack = []int32{vh.Root}
		}
		for ri, r := range h.Records {
			if ri > 0 {
				switch r.Step {
				case 0:
					depth++
				case 2:
					depth = max(base, depth-1)
				case 3:
					depth = base
				}
				depth = min(depth, base+8)
			}
			// Close or open parentheses from the previous record's depth.
			prevDepth := base
			if ri > 0 {
				prevDepth = int(want.Nodes[len(want.Nodes)-1].Depth)
			}
			switch {
			case first:
			case ri > 0 && depth > prevDepth:
				if m.Fold {
					b.WriteByte(' ')
				}
				b.WriteByte('(')
			default:
				for d := prevDepth; ri > 0 && d > depth; d-- {
					if m.Fold {
						b.WriteByte(' ')
					}
					b.WriteByte(')')
				}
				b.WriteByte('|')
			}
			first = false
			name := ""
			var flags Flags
			if r.Extended {
				name = "X-"
				flags |= FlagExtended
			}
			name += r.Code
			if r.Agent != "" {
				name += "-" + r.Agent
			}
			name += r.Suffix
			if strings.Contains(r.Suffix, "PEN") {
				flags |= FlagPending
			}
			if strings.Contains(r.Suffix, "INC") {
				flags |= FlagIncomplete
			}
			v := value(r.Millis)
			b.WriteString(name + "=" + v)
			anyNonZero = anyNonZero || r.Millis != 0
			parent := int32(-1)
			stack = stack[:depth-base+min(base, 1)]
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			idx := int32(len(want.Nodes))
			want.Nodes = append(want.Nodes, viewNode{Name: name, Code: r.Code, Agent: r.Agent, Value: v,
				Duration: (time.Duration(r.Millis) * time.Millisecond).String(), Parent: parent, Hop: uint8(hi), Depth: uint8(depth), Flags: flags})
			stack = append(stack, idx)
		}
		last := base
		if n := len(want.Nodes); n > int(vh.First) {
			last = int(want.Nodes[n-1].Depth)
		}
		for d := last; d > base; d-- {
			if m.Fold {
				b.WriteByte(' ')
			}
			b.WriteByte(')')
		}
		vh.End = int32(len(want.Nodes))
		want.Hops = append(want.Hops, vh)
	}
	if m.HasCurrent {
		want.Current = string(msgtrk.AppendTime(nil, origin.Add(time.Duration(m.Current)*time.Millisecond)))
		b.WriteString(";" + want.Current)
	}
	switch {
	case !m.IntMillis:
		want.Unit = UnitSeconds
	case anyNonZero:
		want.Unit = UnitMilliseconds
	}
	return b.String(), want
}

// TestLatencyGenCoverage samples latencyGen and checks that it draws what
// TestPropertyLatencyRoundTrip claims: every hop count from 1 to MaxHops,
// mostly 1 to 3, hops made of their TOTAL alone, and strings closed by the
// current time as well as strings without it.
func TestLatencyGenCoverage(t *testing.T) {
	params := gopter.DefaultGenParameters()
	params.Rng.Seed(proptest.Seed(t))
	g := latencyGen()
	const samples = 1000
	hops := make([]int, MaxHops+1)
	totalOnly, current := 0, 0
	for range samples {
		v, ok := g(params).Retrieve()
		if !ok {
			t.Fatal("the generator gave no value: a case the property would silently discard")
		}
		m := v.(mLatency)
		if len(m.Hops) < 1 || len(m.Hops) > MaxHops {
			t.Fatalf("%d hops", len(m.Hops))
		}
		hops[len(m.Hops)]++
		if m.HasCurrent {
			current++
		}
		for _, h := range m.Hops {
			if h.Total != "none" && len(h.Records) == 0 {
				totalOnly++
			}
		}
	}
	t.Logf("hop counts 1..%d over %d strings: %v; %d hops of their TOTAL alone; %d strings closed by the current time", MaxHops, samples, hops[1:], totalOnly, current)
	if current == 0 || current == samples {
		t.Errorf("%d of %d strings closed by the current time: want some, not all", current, samples)
	}
	for n := 1; n <= MaxHops; n++ {
		if hops[n] == 0 {
			t.Errorf("no string of %d hops", n)
		}
	}
	if few := hops[1] + hops[2] + hops[3]; few < samples/2 {
		t.Errorf("%d of %d strings have 1 to 3 hops, want most", few, samples)
	}
	if totalOnly == 0 {
		t.Error("no hop of its TOTAL alone")
	}
}

func TestPropertyLatencyRoundTrip(t *testing.T) {
	props := gopter.NewProperties(proptest.Parameters(t, 500))
	props.Property("rendered latency tree parses back identical", prop.ForAll(func(m mLatency) string {
		text, want := m.render()
		src := []byte(text)
		if k := Classify(src); k != KindLatency {
			return fmt.Sprintf("Classify(%q) = %v", text, k)
		}
		nodes, lat, err := AppendLatency(nil, src)
		if err != nil {
			return fmt.Sprintf("AppendLatency(%q): %v", text, err)
		}
		if msg := latencyInvariants(src, nodes, &lat); msg != "" {
			return fmt.Sprintf("AppendLatency(%q): %s", text, msg)
		}
		if diff := cmp.Diff(want, treeView(src, nodes, &lat)); diff != "" {
			return fmt.Sprintf("AppendLatency(%q) mismatch (-want +got):\n%s", text, diff)
		}
		if !m.Fold {
			if canon := string(AppendCanonical(nil, src, nodes, &lat)); canon != text {
				return fmt.Sprintf("AppendCanonical = %q, want the input %q", canon, text)
			}
		}
		return ""
	}, latencyGen()))
	props.TestingRun(t)
}
