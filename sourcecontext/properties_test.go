package sourcecontext

import (
	"fmt"
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
	"github.com/mailtrace/mailtrace/recipstatus"
)

// genTime generates UTC instants with millisecond precision, the precision
// Exchange writes.
func genTime() gopter.Gen {
	lo := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	hi := time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC).UnixMilli()
	return gen.Int64Range(lo, hi).Map(func(ms int64) time.Time { return time.UnixMilli(ms).UTC() })
}

func iso(t time.Time) string { return string(msgtrk.AppendTime(nil, t)) }

func genSession() gopter.Gen {
	return gopter.CombineGens(gen.UInt64(), genTime()).Map(func(v []any) Session {
		id, start := v[0].(uint64), v[1].(time.Time)
		return Session{IDRaw: []byte(fmt.Sprintf("%016X", id)), ID: id, StartRaw: []byte(iso(start)), Start: start}
	})
}

func TestPropertyReceiveRoundTrip(t *testing.T) {
	props := gopter.NewProperties(proptest.Parameters(t, 1000))
	props.Property("ParseReceive(AppendTo(r)) == r", prop.ForAll(
		func(s Session, ord int) string {
			r := Receive{Session: s, OrdinalRaw: []byte(strconv.Itoa(ord)), Ordinal: ord}
			got, err := ParseReceive(r.AppendTo(nil))
			if err != nil {
				return err.Error()
			}
			return cmp.Diff(r, got)
		}, genSession(), gen.IntRange(0, 100000)))
	props.Property("the typed value alone renders the same text", prop.ForAll(
		func(s Session, ord int) string {
			typed := Receive{Session: Session{ID: s.ID, Start: s.Start}, Ordinal: ord}
			raw := Receive{Session: s, OrdinalRaw: []byte(strconv.Itoa(ord))}
			return cmp.Diff(string(raw.AppendTo(nil)), string(typed.AppendTo(nil)))
		}, genSession(), gen.IntRange(0, 100000)))
	props.TestingRun(t)
}

// storeCase is a generated STOREDRIVER list: the typed value and its
// entries as text in Exchange's order.
type storeCase struct {
	want    Store
	entries []string
}

func genGUID() gopter.Gen {
	return gen.SliceOfN(16, gen.UInt8()).Map(func(b []uint8) GUIDValue {
		g := msgtrk.GUID(b)
		return GUIDValue{Raw: g.AppendTo(nil), GUID: g, Valid: true}
	})
}

func genStore() gopter.Gen {
	return gopter.CombineGens(
		gen.UInt8(), // which of the 8 keys are present
		genGUID(), genGUID(),
		gen.Int64Range(0, 1<<62),
		gen.OneConstOf("IPM.Note", "IPM.Note.StorageQuotaWarning.Warning", "IPM.Schedule.Meeting.Request", "IPM.Note, with comma"),
		genTime(),
		gen.OneConstOf("User", "RPCHTTP", "MOMT", "OWA", "EWS", "EAS", "ActiveSync", "Assistants", "Transport", "System", "Hub", "Pop3"),
		gen.RegexMatch(`[A-Z][A-Za-z]{0,40}`),
		gen.UInt64(),
	).Map(func(v []any) storeCase {
		has := v[0].(uint8)
		var s Store
		var e []string
		add := func(bit uint8, k, val string) bool {
			if has&(1<<bit) == 0 {
				return false
			}
			e = append(e, k+":"+val)
			return true
		}
		if g := v[1].(GUIDValue); add(0, "MDB", string(g.Raw)) {
			s.MDB = g
		}
		if g := v[2].(GUIDValue); add(1, "Mailbox", string(g.Raw)) {
			s.Mailbox = g
		}
		if n := v[3].(int64); add(2, "Event", strconv.FormatInt(n, 10)) {
			s.EventRaw, s.Event = []byte(strconv.FormatInt(n, 10)), n
		}
		if mc := v[4].(string); add(3, "MessageClass", mc) {
			s.MessageClass = []byte(mc)
		}
		if ct := v[5].(time.Time); add(4, "CreationTime", iso(ct)) {
			s.CreationTimeRaw, s.CreationTime = []byte(iso(ct)), ct
		}
		if c := v[6].(string); add(5, "ClientType", c) {
			s.ClientTypeRaw, s.ClientType = []byte(c), ParseClientType([]byte(c))
		}
		if sa := v[7].(string); add(6, "SubmissionAssistant", sa) {
			s.SubmissionAssistant = []byte(sa)
		}
		if id := v[8].(uint64); add(7, "ServerMdbConnectionId", fmt.Sprintf("%016X", id)) {
			s.ServerMdbConnectionIDRaw, s.ServerMdbConnectionID = []byte(fmt.Sprintf("%016X", id)), id
		}
		s.Pairs = len(e)
		return storeCase{want: s, entries: e}
	}).SuchThat(func(c storeCase) bool { return len(c.entries) > 0 })
}

func TestPropertyStore(t *testing.T) {
	props := gopter.NewProperties(proptest.Parameters(t, 1000))
	props.Property("ParseStore(AppendTo(s)) == s", prop.ForAll(
		func(c storeCase) string {
			out := c.want.AppendTo(nil)
			if string(out) != strings.Join(c.entries, ", ") {
				return "AppendTo = " + string(out)
			}
			got, err := ParseStore(out)
			if err != nil {
				return err.Error()
			}
			want := c.want
			want.Raw = out
			return cmp.Diff(want, got)
		}, genStore()))
	props.Property("entry order and unknown entries do not change the typed result", prop.ForAll(
		func(c storeCase, rot int) string {
			e := append([]string{"XFuture:1, 2"}, c.entries...)
			k := rot % len(e)
			e = append(e[k:], e[:k]...)
			in := []byte(strings.Join(e, ", "))
			got, err := ParseStore(in)
			if err != nil {
				return err.Error()
			}
			want := c.want
			want.Raw = in
			want.Pairs++
			want.Unknown = 1
			return cmp.Diff(want, got)
		}, genStore(), gen.IntRange(0, 8)))
	props.TestingRun(t)
}

// replyCase is a generated remote reply and what Reply must decode.
type replyCase struct {
	text string
	want Reply
}

func genReply() gopter.Gen {
	return gopter.CombineGens(
		gen.UInt16Range(200, 599),
		gen.OneConstOf(uint8(2), uint8(4), uint8(5)), gen.UInt16Range(0, 9), gen.UInt16Range(0, 9),
		gen.OneGenOf(gen.Const(""), gen.RegexMatch(`[a-z0-9.]{1,20}@[a-z0-9.]{1,20}`)),
		gen.IntRange(0, 2), // hop: none, plain, swapped (2013)
		gen.Int64Range(1, 1<<53),
		gen.RegexMatch(`[a-z][a-z0-9-]{0,12}(\.[a-z][a-z0-9-]{0,12}){1,3}`),
		gen.OneGenOf(gen.Const(""), gen.RegexMatch(`[A-Za-z][A-Za-z0-9 ,./;]{0,30}[A-Za-z]`)),
		gen.Bool(), // blanks added around '<', '>', '=' (as in the awslabs sample)
	).Map(func(v []any) replyCase {
		code := v[0].(uint16)
		enh := recipstatus.EnhancedCode{Class: v[1].(uint8), Subject: v[2].(uint16), Detail: v[3].(uint16)}
		mid, hop, id, host, tail, loose := v[4].(string), v[5].(int), v[6].(int64), v[7].(string), v[8].(string), v[9].(bool)
		sp := ""
		if loose {
			sp = " "
		}
		var parts []string
		var r Reply
		if mid != "" {
			parts = append(parts, "<"+sp+mid+sp+">")
			r.MessageID = []byte(mid)
		}
		ids := strconv.FormatInt(id, 10)
		switch hop {
		case 1:
			parts = append(parts, "[InternalId"+sp+"="+sp+ids+", Hostname"+sp+"="+sp+host+"]")
			r.Next = NextHop{InternalIDRaw: []byte(ids), InternalID: id, Host: []byte(host)}
		case 2:
			parts = append(parts, "[InternalId"+sp+"="+sp+host+", Hostname"+sp+"="+sp+ids+"]")
			r.Next = NextHop{InternalIDRaw: []byte(ids), InternalID: id, Host: []byte(host), Swapped: true}
		}
		if tail != "" {
			parts = append(parts, tail)
		}
		text := strings.Join(parts, " ")
		r.Response = recipstatus.Response{Code: code, Enhanced: enh, Text: []byte(text)}
		r.Response.Raw = r.Response.AppendTo(nil)
		return replyCase{text: string(r.Response.Raw), want: r}
	})
}

func TestPropertySend(t *testing.T) {
	props := gopter.NewProperties(proptest.Parameters(t, 1000))
	props.Property("ParseSend(AppendTo(s)) == s", prop.ForAll(
		func(sess Session, hasSess bool, rc replyCase, hasReply bool, cst time.Time, cstMode int) string {
			var s Send
			if hasSess {
				s.Session = sess
			}
			if hasReply || !hasSess {
				s.Reply = rc.want
			}
			switch cstMode {
			case 1:
				s.HasClientSubmitTime, s.ClientSubmitTimeRaw = true, []byte{}
			case 2:
				s.HasClientSubmitTime, s.ClientSubmitTimeRaw, s.ClientSubmitTime = true, []byte(iso(cst)), cst
			}
			out := s.AppendTo(nil)
			got, err := ParseSend(out)
			if err != nil {
				return err.Error() + " in " + string(out)
			}
			return cmp.Diff(s, got)
		}, genSession(), gen.Bool(), genReply(), gen.Bool(), genTime(), gen.IntRange(0, 2)))
	props.Property("ParseShadow(host = reply) finds host and reply", prop.ForAll(
		func(host string, rc replyCase, loose bool) string {
			sep := "="
			if loose {
				sep = " = "
			}
			got, err := ParseShadow([]byte(host + sep + rc.text))
			if err != nil {
				return err.Error()
			}
			return cmp.Diff(Shadow{Host: []byte(host), Reply: rc.want}, got)
		}, gen.RegexMatch(`[A-Za-z][A-Za-z0-9-]{0,12}(\.[a-z]{1,8}){0,3}`), genReply(), gen.Bool()))
	props.TestingRun(t)
}
