package sourcecontext

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

var benchInputs = []struct {
	name, source, event, in string
}{
	{"shape=receive", "SMTP", "RECEIVE", "08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;0"},
	{"shape=send", "SMTP", "SENDEXTERNAL", ";250 2.6.0 <1736846922.907742.2942@foo.bar.local> [InternalId=5450313518243, Hostname=AAAAAAAAAAAAA.bbbbbbbb.prod.outlook.com] 141301 bytes in 0.101, 1361.827 KB/sec Queued mail for delivery;ClientSubmitTime:"},
	{"shape=delivery", "STOREDRIVER", "DELIVER", "08D9AE1AA4FEA27C;2021-11-23T19:49:37.215Z;ClientSubmitTime:2021-11-23T19:49:36.380Z"},
	{"shape=store", "STOREDRIVER", "RECEIVE", "MDB:f4adaa08-ff49-4bca-ba70-68e9b80597b0, Mailbox:84dd42d9-8814-4758-a8bb-e8765d62ec90, Event:190620893, MessageClass:IPM.Note, CreationTime:2025-01-14T09:28:39.321Z, ClientType:MOMT, SubmissionAssistant:MailboxTransportSubmissionEmailAssistant, ServerMdbConnectionId:08DA9806C5B670C1"},
	{"shape=shadow", "SMTP", "HAREDIRECT", "EX13D13UWB004.ant.amazon.com = 250 2.6.0 <1028007174.22872.1495474412586.JavaMail.apollo@apollo-adaws-onebox.amazon.com> [InternalId=EX13D13UWB004.ant.amazon.com, Hostname=64712272257897] Queued mail for redundancy"},
}

// naiveContext is the baseline: strings.Split, a map for the STOREDRIVER
// list, time.Parse, strconv, as a straightforward implementation would.
type naiveContext struct {
	parts []string
	kv    map[string]string
	t     time.Time
	id    uint64
	n     int
	hop   map[string]string
}

func naiveParse(source, event, s string) naiveContext {
	var c naiveContext
	switch {
	case source == "STOREDRIVER" && strings.HasPrefix(s, "MDB:"):
		c.kv = map[string]string{}
		for _, e := range strings.Split(s, ", ") {
			k, v, _ := strings.Cut(e, ":")
			c.kv[k] = v
		}
		c.t, _ = time.Parse(time.RFC3339Nano, c.kv["CreationTime"])
		c.n, _ = strconv.Atoi(c.kv["Event"])
	case event == "HAREDIRECT":
		host, reply, _ := strings.Cut(s, "=")
		c.parts = []string{strings.TrimSpace(host), strings.TrimSpace(reply)}
		c.hop = naiveHop(reply)
	default:
		c.parts = strings.Split(s, ";")
		if len(c.parts) >= 2 && len(c.parts[0]) == 16 {
			c.id, _ = strconv.ParseUint(c.parts[0], 16, 64)
			c.t, _ = time.Parse(time.RFC3339Nano, c.parts[1])
		}
		if len(c.parts) == 3 {
			c.n, _ = strconv.Atoi(c.parts[2])
		}
		for _, p := range c.parts {
			if strings.Contains(p, "[") {
				c.hop = naiveHop(p)
			}
		}
	}
	return c
}

func naiveHop(s string) map[string]string {
	i, j := strings.Index(s, "["), strings.Index(s, "]")
	if i < 0 || j < i {
		return nil
	}
	m := map[string]string{}
	for _, p := range strings.Split(s[i+1:j], ",") {
		k, v, _ := strings.Cut(p, "=")
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m
}

func BenchmarkParse(b *testing.B) {
	for _, in := range benchInputs {
		src, source, event := []byte(in.in), []byte(in.source), []byte(in.event)
		b.Run(in.name+"/impl=sourcecontext", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				c, err := Parse(source, event, src)
				if err != nil || c.Kind == KindUnknown {
					b.Fatal(c.Kind, err)
				}
			}
		})
		b.Run(in.name+"/impl=decoder", func(b *testing.B) {
			// The kind's own decoder: what a caller that already knows the
			// kind pays, without Context's 900-byte union of views.
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			kind := KindOf(source, event)
			for b.Loop() {
				var err error
				switch kind {
				case KindReceive:
					_, err = ParseReceive(src)
				case KindSend, KindDelivery:
					_, err = ParseSend(src)
				case KindStore:
					_, err = ParseStore(src)
				case KindShadowRedirect:
					_, err = ParseShadow(src)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(in.name+"/impl=naive", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			n := 0
			for b.Loop() {
				c := naiveParse(string(source), string(event), string(src))
				n += len(c.parts) + len(c.kv)
			}
			if n == 0 {
				b.Fatal("nothing parsed")
			}
		})
	}
}
