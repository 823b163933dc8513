package eventdata

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"
)

// naiveMap is the baseline every benchmark compares against: what one
// writes without this package, strings.Split plus a map.
func naiveMap(src []byte) map[string]string {
	m := make(map[string]string)
	for _, member := range strings.Split(string(src), ";") {
		_, rest, ok := strings.Cut(member, ":")
		if !ok {
			continue
		}
		k, v, ok := strings.Cut(rest, "=")
		if !ok {
			continue
		}
		if _, dup := m[k]; !dup {
			m[k] = v
		}
	}
	return m
}

// benchInputs are named by shape, as the style guide asks.
func benchInputs() []struct {
	name string
	src  []byte
} {
	var many strings.Builder
	for i := 0; i < 1000; i++ {
		if i > 0 {
			many.WriteByte(';')
		}
		many.WriteString("S:TRA=ETRP|ruleId=ff116ef4-402d-4dff-90cb-c3d772b3179a|ExecW=4|ExecC=" + strconv.Itoa(i))
	}
	return []struct {
		name string
		src  []byte
	}{
		{"members=9/receive", benchReceive},
		{"members=12/sendexternal", benchSendExt},
		{"members=4/agentinfo", benchAgentInfo},
		{"members=1000/agentinfo", []byte(many.String())},
	}
}

func BenchmarkScan(b *testing.B) {
	for _, in := range benchInputs() {
		b.Run(in.name+"/impl=scanner", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.src)))
			var s Scanner
			for b.Loop() {
				s.Init(in.src)
				for s.Next() {
					sinkInt += len(s.Value())
				}
			}
		})
		b.Run(in.name+"/impl=naive-split-map", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.src)))
			for b.Loop() {
				sinkInt += len(naiveMap(in.src))
			}
		})
	}
}

func BenchmarkLookup(b *testing.B) {
	src := benchSendExt
	b.Run("impl=Lookup", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			v, _ := Lookup(src, "AccountForest")
			sinkInt += len(v)
		}
	})
	b.Run("impl=naive-split-map", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			sinkInt += len(naiveMap(src)["AccountForest"])
		}
	})
}

// naiveDecode is the baseline for Decode: the map plus strconv and netip.
type naiveData struct {
	E2E, Ext    time.Duration
	Recips      int
	Client, Hop netip.Addr
	Priority    string
}

func naiveDecode(src []byte) naiveData {
	m := naiveMap(src)
	var d naiveData
	if f, err := strconv.ParseFloat(m["E2ELatency"], 64); err == nil {
		d.E2E = time.Duration(f * float64(time.Second))
	}
	if f, err := strconv.ParseFloat(m["ExternalSendLatency"], 64); err == nil {
		d.Ext = time.Duration(f * float64(time.Second))
	}
	d.Recips, _ = strconv.Atoi(m["MsgRecipCount"])
	d.Client, _ = netip.ParseAddr(m["ProxiedClientIPAddress"])
	if h := m["ProxyHop1"]; strings.HasSuffix(h, ")") {
		if i := strings.LastIndexByte(h, '('); i >= 0 {
			d.Hop, _ = netip.ParseAddr(h[i+1 : len(h)-1])
		}
	}
	d.Priority = m["DeliveryPriority"]
	return d
}

func BenchmarkDecode(b *testing.B) {
	for _, in := range benchInputs()[:3] {
		b.Run(in.name+"/impl=Data.Decode", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.src)))
			var d Data
			for b.Loop() {
				_ = d.Decode(in.src)
			}
			sinkData = d
		})
		b.Run(in.name+"/impl=naive-split-map-strconv", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in.src)))
			for b.Loop() {
				sinkInt += naiveDecode(in.src).Recips
			}
		})
	}
}

func BenchmarkGroupScanner(b *testing.B) {
	value, _ := Lookup(benchAgentInfo, "TRA")
	b.Run("impl=GroupScanner", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(value)))
		var g GroupScanner
		for b.Loop() {
			g.Init(value)
			for g.Next() {
				sinkInt += len(g.Value())
			}
		}
	})
	b.Run("impl=ParseRuleHit", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(value)))
		for b.Loop() {
			sinkHit, _ = ParseRuleHit(value)
		}
	})
	b.Run("impl=naive-split-map", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(value)))
		for b.Loop() {
			parts := strings.Split(string(value), "|")
			m := make(map[string]string, len(parts))
			for _, p := range parts[1:] {
				k, v, _ := strings.Cut(p, "=")
				m[k] = v
			}
			sinkInt += len(m)
		}
	})
}

func BenchmarkPowerShell(b *testing.B) {
	src := benchPS
	b.Run("impl=PSScanner", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		var s PSScanner
		for b.Loop() {
			s.Init(src)
			for s.Next() {
				sinkInt += len(s.Value())
			}
		}
	})
	b.Run("impl=naive-split-map", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			body := strings.TrimSuffix(strings.TrimPrefix(string(src), "{["), "]}")
			m := make(map[string]string)
			for _, p := range strings.Split(body, "], [") {
				k, v, _ := strings.Cut(p, ", ")
				m[k] = v
			}
			sinkInt += len(m)
		}
	})
	b.Run("impl=AppendUnwrapped", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchWrapped)))
		buf := make([]byte, 0, len(benchWrapped))
		for b.Loop() {
			sinkBytes = AppendUnwrapped(buf[:0], benchWrapped)
		}
	})
}
