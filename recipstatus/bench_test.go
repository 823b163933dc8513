package recipstatus

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

var benchInputs = []struct {
	name string
	in   string
}{
	{"shape=response", "250 2.1.5 Recipient OK"},
	{"shape=lasterror", "[{LED=501 5.1.4 Recipient address reserved by RFC 2606};{MSG=};{FQDN=server.mylab.test};{IP=192.168.159.133};{LRT=12/22/2020 2:28:06 AM}]"},
	{"shape=diagnostic", "STOREDRV.Deliver.Exception:MessageSubmissionExceededException.MapiExceptionMaxSubmissionExceeded; Failed to process message due to a permanent exception with message Cannot save changes made to an item to store. 16.55847:E9000000 [Stage: OnCreatedEvent][Agent: Meeting Message Processing Agent][DestinationFolder: ][DestinationFolderId: LgAAAACXVORnK2sDSKu+4/7o5d1oAQCgq0ueOiyzRbx7Xopzj0T3AAAAAAEMAAAB]"},
	{"shape=type", "To"},
}

// naiveStatus is the baseline: what a straightforward implementation with
// strings.Split, a map and time.Parse would do for the same information.
type naiveStatus struct {
	code     int
	enhanced []string
	text     string
	items    map[string]string
	lrt      time.Time
	trailer  map[string]string
}

func naiveParse(s string) naiveStatus {
	var n naiveStatus
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "[{"):
		n.items = map[string]string{}
		for _, it := range strings.Split(strings.TrimSuffix(strings.TrimPrefix(s, "[{"), "}]"), "};{") {
			k, v, _ := strings.Cut(it, "=")
			n.items[k] = v
		}
		if led := n.items["LED"]; led != "" {
			n.code, n.enhanced, n.text = naiveResponse(led)
		}
		for _, layout := range []string{"1/2/2006 3:04:05 PM", "02.01.2006 15:04:05"} {
			if t, err := time.Parse(layout, n.items["LRT"]); err == nil {
				n.lrt = t
				break
			}
		}
	case len(s) >= 3 && s[0] >= '0' && s[0] <= '9':
		n.code, n.enhanced, n.text = naiveResponse(s)
	case strings.HasPrefix(s, "STOREDRV."):
		n.trailer = map[string]string{}
		if i := strings.Index(s, " ["); i >= 0 {
			for _, g := range strings.Split(strings.Trim(s[i+1:], "[]"), "][") {
				k, v, _ := strings.Cut(g, ": ")
				n.trailer[k] = v
			}
			s = s[:i]
		}
		code, rest, _ := strings.Cut(s, ";")
		n.text = strings.TrimSpace(rest)
		n.enhanced = strings.SplitN(code, ":", 2)
	default:
		n.text = s
	}
	return n
}

func naiveResponse(s string) (int, []string, string) {
	f := strings.SplitN(s, " ", 3)
	code, _ := strconv.Atoi(f[0])
	if len(f) < 2 {
		return code, nil, ""
	}
	enh := strings.Split(f[1], ".")
	if len(f) < 3 {
		return code, enh, ""
	}
	return code, enh, f[2]
}

func BenchmarkParse(b *testing.B) {
	for _, in := range benchInputs {
		src := []byte(in.in)
		b.Run(in.name+"/impl=recipstatus", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			n := 0
			for b.Loop() {
				st, err := Parse(src)
				if err != nil || st.Kind == KindUnknown {
					b.Fatal(st.Kind, err)
				}
				n += len(st.Raw)
			}
			if n == 0 {
				b.Fatal("nothing parsed")
			}
		})
		b.Run(in.name+"/impl=naive", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			n := 0
			for b.Loop() {
				st := naiveParse(string(src))
				n += st.code + len(st.text)
			}
			if n == 0 {
				b.Fatal("nothing parsed")
			}
		})
	}
}

func BenchmarkParseLocalTime(b *testing.B) {
	src := []byte("12/22/2020 2:28:06 AM")
	b.Run("impl=recipstatus", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if lt, err := ParseLocalTime(src); err != nil || lt.Time.IsZero() {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=time.Parse", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, err := time.Parse("1/2/2006 3:04:05 PM", string(src)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
