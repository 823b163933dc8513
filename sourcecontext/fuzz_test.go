package sourcecontext

import (
	"bytes"
	"errors"
	"testing"

	"github.com/mailtrace/mailtrace/internal/check"
	"github.com/mailtrace/mailtrace/internal/fielderr"
	"github.com/mailtrace/mailtrace/internal/realdata"
	"github.com/mailtrace/mailtrace/recipstatus"
)

// fuzzSources are the source/event pairs a fuzz input is parsed under,
// selected by the input's first byte.
var fuzzSources = [][2]string{
	{"SMTP", "RECEIVE"}, {"SMTP", "SEND"}, {"SMTP", "SENDEXTERNAL"}, {"STOREDRIVER", "DELIVER"},
	{"STOREDRIVER", "RECEIVE"}, {"SMTP", "HAREDIRECT"}, {"SMTP", "HAREDIRECTFAIL"}, {"ROUTING", "RESOLVE"},
	{"ROUTING", "TRANSFER"}, {"AGENT", "AGENTINFO"}, {"DSN", "DSN"}, {"SMTP", "HADISCARD"},
}

func sourceIndex(source, event string) uint8 {
	for i, p := range fuzzSources {
		if p[0] == source && p[1] == event {
			return uint8(i)
		}
	}
	return uint8(len(fuzzSources) - 1)
}

func spansOf(c Context) [][]byte {
	r := func(rp Reply) [][]byte {
		return [][]byte{rp.Response.Raw, rp.Response.Text, rp.MessageID, rp.Next.InternalIDRaw, rp.Next.Host}
	}
	out := [][]byte{c.Raw,
		c.Receive.Session.IDRaw, c.Receive.Session.StartRaw, c.Receive.OrdinalRaw,
		c.Send.Session.IDRaw, c.Send.Session.StartRaw, c.Send.ClientSubmitTimeRaw,
		c.Store.Raw, c.Store.MDB.Raw, c.Store.Mailbox.Raw, c.Store.EventRaw, c.Store.MessageClass,
		c.Store.CreationTimeRaw, c.Store.ClientTypeRaw, c.Store.SubmissionAssistant, c.Store.ServerMdbConnectionIDRaw,
		c.Shadow.Host,
	}
	out = append(out, r(c.Send.Reply)...)
	return append(out, r(c.Shadow.Reply)...)
}

func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(sourceIndex(tt.source, tt.event), tt.in)
	}
	for _, in := range benchInputs {
		f.Add(sourceIndex(in.source, in.event), in.in)
	}
	for _, row := range realdata.All(f) {
		f.Add(sourceIndex(row.Source, row.Event), row.SourceContext)
	}
	f.Fuzz(func(t *testing.T, sel uint8, s string) {
		p := fuzzSources[int(sel)%len(fuzzSources)]
		in := []byte(s)
		c, err := Parse([]byte(p[0]), []byte(p[1]), in)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not a *SyntaxError", err, err)
			}
			if se.Offset < 0 || se.Offset > len(in) {
				t.Fatalf("error offset %d outside input of %d bytes", se.Offset, len(in))
			}
			if se.Excerpt != s[se.Offset:min(se.Offset+fielderr.ExcerptLen, len(s))] {
				t.Fatalf("excerpt %q does not match offset %d", se.Excerpt, se.Offset)
			}
		}
		for i, sp := range spansOf(c) {
			if !check.Inside(in, sp) {
				t.Fatalf("span %d %q is not inside the input", i, sp)
			}
		}
		if c.Store.Pairs > MaxPairs || c.Store.Unknown > c.Store.Pairs {
			t.Fatalf("bounds exceeded: %d pairs, %d unknown", c.Store.Pairs, c.Store.Unknown)
		}
		if len(bytes.Trim(in, " \t\r\n")) == 0 != (c.Kind == KindEmpty) {
			t.Fatalf("Kind %v for %q", c.Kind, in)
		}
		if err != nil {
			return
		}
		// Round trip: render the typed value, parse it back, compare the
		// decoded values.
		switch c.Kind {
		case KindReceive:
			out := c.Receive.AppendTo(nil)
			r2, err := ParseReceive(out)
			if err != nil || r2.Session.ID != c.Receive.Session.ID || !r2.Session.Start.Equal(c.Receive.Session.Start) || r2.Ordinal != c.Receive.Ordinal {
				t.Fatalf("round trip %q → %q → %+v, %v", in, out, r2, err)
			}
		case KindSend, KindDelivery:
			out := c.Send.AppendTo(nil)
			s2, err := ParseSend(out)
			a, b := c.Send, s2
			if err != nil || a.Session.ID != b.Session.ID || !a.Session.Start.Equal(b.Session.Start) ||
				!sameReply(a.Reply, b.Reply) || a.HasClientSubmitTime != b.HasClientSubmitTime ||
				!a.ClientSubmitTime.Equal(b.ClientSubmitTime) {
				t.Fatalf("round trip %q → %q → %+v, %v", in, out, b, err)
			}
		case KindDSN:
			out := c.DSN.AppendTo(nil)
			f2, err := ParseDSN(out)
			if err != nil || f2 != c.DSN || c.DSN == 0 {
				t.Fatalf("round trip %q → %q → %v, %v", in, out, f2, err)
			}
		case KindStore:
			out := c.Store.AppendTo(nil)
			s2, err := ParseStore(out)
			a, b := c.Store, s2
			if err != nil || !bytes.Equal(a.MDB.Raw, b.MDB.Raw) || a.MDB.GUID != b.MDB.GUID || a.Mailbox.GUID != b.Mailbox.GUID ||
				a.Event != b.Event || !bytes.Equal(a.MessageClass, b.MessageClass) || !a.CreationTime.Equal(b.CreationTime) ||
				a.ClientType != b.ClientType || !bytes.Equal(a.ClientTypeRaw, b.ClientTypeRaw) ||
				!bytes.Equal(a.SubmissionAssistant, b.SubmissionAssistant) || a.ServerMdbConnectionID != b.ServerMdbConnectionID {
				t.Fatalf("round trip %q → %q → %+v, %v", in, out, b, err)
			}
		}
	})
}

func sameReply(a, b Reply) bool {
	return a.Response.Code == b.Response.Code && a.Response.Enhanced == b.Response.Enhanced &&
		bytes.Equal(a.Response.Text, b.Response.Text) && bytes.Equal(a.MessageID, b.MessageID) &&
		a.Next.InternalID == b.Next.InternalID && bytes.Equal(a.Next.Host, b.Next.Host) && a.Next.Swapped == b.Next.Swapped
}

// FuzzParseReply checks the reply decoder on its own, with the reply
// rules of recipstatus as the reference for the response part.
func FuzzParseReply(f *testing.F) {
	for _, in := range []string{
		"250 2.6.0 <a@b> [InternalId=1, Hostname=h] ok",
		"250 2.6.0 < a@b > [InternalId = h, Hostname = 42] Queued mail for redundancy",
		"250 2.0.0OK x[Hostname=h]",
		"421 4.4.2 Connection dropped",
	} {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := []byte(s)
		r, err := ParseReply(in)
		want, werr := recipstatus.ParseResponse(in)
		if r.Response.Code != want.Code || r.Response.Enhanced != want.Enhanced || !bytes.Equal(r.Response.Text, want.Text) {
			t.Fatalf("response %+v differs from recipstatus %+v", r.Response, want)
		}
		if werr != nil && err == nil {
			t.Fatalf("recipstatus reports %v, ParseReply none", werr)
		}
		for _, sp := range [][]byte{r.MessageID, r.Next.InternalIDRaw, r.Next.Host} {
			if !check.Inside(r.Response.Text, sp) {
				t.Fatalf("span %q is not inside the text", sp)
			}
		}
		if r.Next.InternalID != 0 && !allDigits(r.Next.InternalIDRaw) {
			t.Fatalf("InternalID %d from %q", r.Next.InternalID, r.Next.InternalIDRaw)
		}
	})
}

// FuzzDecoders runs each exported decoder on arbitrary input, bypassing
// the dispatch of Parse.
func FuzzDecoders(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	for _, row := range realdata.All(f) {
		f.Add(row.SourceContext)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := []byte(s)
		checkErr := func(err error) {
			t.Helper()
			if err == nil {
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(in) {
				t.Fatalf("bad error %v", err)
			}
		}
		r, err := ParseReceive(in)
		checkErr(err)
		sd, err := ParseSend(in)
		checkErr(err)
		st, err := ParseStore(in)
		checkErr(err)
		sh, err := ParseShadow(in)
		checkErr(err)
		rp, err := ParseReply(in)
		checkErr(err)
		spans := spansOf(Context{Raw: in, Receive: r, Send: sd, Store: st, Shadow: sh})
		spans = append(spans, rp.Response.Raw, rp.Response.Text, rp.MessageID, rp.Next.InternalIDRaw, rp.Next.Host)
		for i, sp := range spans {
			if !check.Inside(in, sp) {
				t.Fatalf("span %d %q is not inside the input", i, sp)
			}
		}
		if st.Pairs > MaxPairs {
			t.Fatalf("%d pairs", st.Pairs)
		}
		var ps PairScanner
		ps.Init(in)
		n := 0
		for ps.Next() {
			if !check.Inside(in, ps.Key()) || !check.Inside(in, ps.Value()) {
				t.Fatalf("pair %q=%q is not inside the input", ps.Key(), ps.Value())
			}
			if !bytes.HasPrefix(in[ps.Offset():], ps.Key()) || !bytes.HasPrefix(in[ps.ValueOffset():], ps.Value()) || ps.Offset() > ps.ValueOffset() {
				t.Fatalf("pair %q=%q: offsets %d, %d do not point at it", ps.Key(), ps.Value(), ps.Offset(), ps.ValueOffset())
			}
			n++
		}
		checkErr(ps.Err())
		if n != st.Pairs {
			t.Fatalf("PairScanner read %d entries, ParseStore %d", n, st.Pairs)
		}
	})
}
