package correlate

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strconv"
	"time"

	"github.com/mailtrace/mailtrace/internal/textenc"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// JSONVersion is the version of the JSON form, written as "v".
const JSONVersion = 1

// seconds is a duration in seconds, with milliseconds.
func seconds(d time.Duration) float64 { return float64(d.Milliseconds()) / 1000 }

// MarshalJSON writes the stable JSON form of a trace (version JSONVersion):
// one object whose names and meanings are listed in the package
// documentation. Times are RFC 3339 in UTC with milliseconds; latencies are
// seconds. Every list is written, as [] when empty, so consumers need no
// null checks. It is AppendJSON to a new buffer.
func (t *Trace) MarshalJSON() ([]byte, error) { return t.AppendJSON(nil) }

// AppendJSON appends the JSON form of t (MarshalJSON's) to dst, writing it
// directly: no reflection, and no allocation when dst has room (a trace
// joined to protocol logs, with its sessions' transcripts, excepted). The
// bytes are those encoding/json writes for the form's structs, without
// HTML escaping (TestAppendJSONIsEncodingJSON).
func (t *Trace) AppendJSON(dst []byte) ([]byte, error) {
	w := jsonWriter{b: dst, first: true}
	w.open('{')
	w.int("v", JSONVersion)
	w.str("key", t.Key)
	w.strOmit("network_message_id", t.NetworkMessageID)
	w.strOmit("message_id", t.MessageID)
	w.strOmit("sender", t.Sender)
	w.strOmit("return_path", t.ReturnPath)
	w.strOmit("subject", t.Subject)
	if t.Size != 0 {
		w.int("size", t.Size)
	}
	w.timeOmit("first_seen", t.FirstSeen)
	w.timeOmit("last_seen", t.LastSeen)

	w.name("origin")
	w.open('{')
	o := &t.Origin
	w.strOmit("server", o.Server)
	if o.Source != msgtrk.SourceUnknown {
		w.strOmit("source", o.Source.String())
	}
	w.strOmit("connector", o.Connector)
	w.strOmit("client_type", o.ClientType)
	w.strOmit("auth", o.Auth)
	w.bool("anonymous", o.Anonymous)
	w.addrOmit("client_ip", o.ClientIP)
	w.addrOmit("original_client_ip", o.OriginalClientIP)
	w.addrOmit("proxied_client_ip", o.ProxiedClientIP)
	if o.Protocol != ProtocolUnknown {
		w.strOmit("protocol", o.Protocol.String())
	}
	w.close('}')

	w.name("hops")
	w.open('[')
	for i := range t.Hops {
		h := &t.Hops[i]
		w.open('{')
		w.str("server", h.Server)
		w.str("role", h.Role.String())
		w.int("depth", int64(h.Depth))
		w.time("first", h.First)
		w.time("last", h.Last)
		w.secondsOmit("latency_seconds", h.Latency)
		w.int("events", int64(h.Events))
		w.name("from")
		w.open('[')
		for _, f := range h.From {
			w.sep()
			w.b = strconv.AppendInt(w.b, int64(f), 10)
		}
		w.close(']')
		w.close('}')
	}
	w.close(']')

	w.name("recipients")
	w.open('[')
	for i := range t.Recipients {
		r := &t.Recipients[i]
		w.open('{')
		w.str("address", r.Address)
		w.str("status", r.Status.String())
		w.strOmit("server", r.Server)
		w.timeOmit("time", r.Time)
		w.strOmit("detail", r.Detail)
		w.strs("expanded_from", r.ExpandedFrom)
		w.strOmit("resolved_from", r.ResolvedFrom)
		w.strOmit("redirected_to", r.RedirectedTo)
		w.secondsOmit("latency_seconds", r.Latency)
		w.strOmit("remote_host", r.RemoteHost)
		w.addrOmit("remote_ip", r.RemoteIP)
		w.strOmit("remote_reply", r.RemoteReply)
		if t.Sessions != nil {
			w.name("smtp_attempts")
			w.open('[')
			for j := range r.Attempts {
				a := &r.Attempts[j]
				w.open('{')
				w.timeOmit("time", a.Time)
				w.str("server", a.Server)
				w.str("session_id", a.SessionID)
				if a.Remote.IsValid() {
					w.str("remote", a.Remote.String())
				} else {
					w.strOmit("remote", a.RemoteRaw)
				}
				w.strOmit("rcpt_reply", a.RcptReply)
				w.strOmit("reply", a.Reply)
				w.close('}')
			}
			w.close(']')
		}
		w.close('}')
	}
	w.close(']')

	w.name("expansions")
	w.open('[')
	for i := range t.Expansions {
		x := &t.Expansions[i]
		w.open('{')
		w.str("group", x.Group)
		w.strs("members", x.Members)
		w.strOmit("server", x.Server)
		w.timeOmit("time", x.Time)
		w.close('}')
	}
	w.close(']')

	w.name("forks")
	w.open('[')
	for i := range t.Forks {
		f := &t.Forks[i]
		w.open('{')
		w.str("server", f.Server)
		w.time("time", f.Time)
		w.strOmit("internal_message_id", f.InternalMessageID)
		w.str("from", f.From)
		w.strs("recipients", f.Recipients)
		w.strOmit("reason", f.Reason)
		w.close('}')
	}
	w.close(']')

	w.strOmit("dsn_for", t.DSNFor)
	w.strOmit("dsn_for_message_id", t.DSNForMessageID)
	if t.DSNFlags != 0 {
		// DSNFlags.String() without building it; its names, ", " and
		// "DSNFlags(0x…)" need no escaping.
		w.name("dsn_flags")
		w.b = append(t.DSNFlags.AppendTo(append(w.b, '"')), '"')
		w.first = false
	}
	w.strs("dsns", t.DSNs)
	w.strs("missing_logs", t.MissingLogs)
	w.refs("shadow_events", t.ShadowEvents)
	w.refs("duplicates", t.Duplicates)
	if t.Summary {
		w.bool("summary", true)
	}
	w.int("events", int64(t.Events))
	if t.Orphan {
		w.bool("orphan", true)
	}
	w.str("reason", t.Reason.String())
	w.name("anomalies")
	w.open('[')
	for _, a := range t.Anomalies {
		// a.String(), "kind: message", without building it.
		w.sep()
		w.b = append(w.b, '"')
		w.b = textenc.AppendJSONChars(w.b, a.Kind.String())
		w.b = append(w.b, ':', ' ')
		w.b = textenc.AppendJSONChars(w.b, a.Message)
		w.b = append(w.b, '"')
	}
	w.close(']')
	if t.Sessions != nil {
		if err := w.sessions(t); err != nil {
			return dst, err
		}
	}
	w.close('}')
	return w.b, nil
}

// sessions writes t's "sessions": each link with its session's JSON
// (smtplog.Session.MarshalJSON), compacted as encoding/json writes a raw
// message.
func (w *jsonWriter) sessions(t *Trace) error {
	w.name("sessions")
	w.open('[')
	for _, l := range t.Sessions {
		row := &t.SMTPRows[l.Row]
		b, err := l.Session.MarshalJSON()
		if err != nil {
			return err
		}
		w.open('{')
		w.str("event", row.Event.String())
		w.str("server", row.Server)
		w.timeOmit("time", row.Time)
		if l.Hop >= 0 {
			w.int("hop", int64(l.Hop))
		}
		w.str("side", l.Side)
		if l.Message >= 0 {
			w.int("message", int64(l.Message))
		}
		w.name("session")
		var c bytes.Buffer
		if err := json.Compact(&c, b); err != nil {
			return err
		}
		w.b = append(w.b, c.Bytes()...)
		w.close('}')
	}
	w.close(']')
	return nil
}

// jsonWriter appends JSON: first tells whether what comes next takes no
// comma before it (the first member or element of an object or array, or
// a member's value).
type jsonWriter struct {
	b     []byte
	first bool
}

// sep writes the comma before a member or element but the first.
func (w *jsonWriter) sep() {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
}

// open starts an object or array (c is '{' or '['): a member's value
// (after name) or the next element of an array.
func (w *jsonWriter) open(c byte) {
	w.sep()
	w.b = append(w.b, c)
	w.first = true
}

// close ends an object or array; what follows is not first.
func (w *jsonWriter) close(c byte) {
	w.b = append(w.b, c)
	w.first = false
}

// name writes a member's name; its value follows.
func (w *jsonWriter) name(n string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, n...)
	w.b = append(w.b, '"', ':')
	w.first = true // (its value takes no comma)
}

func (w *jsonWriter) str(n, v string) {
	w.name(n)
	w.b = textenc.AppendJSONString(w.b, v)
	w.first = false
}

// strOmit writes a string member unless it is empty (omitempty).
func (w *jsonWriter) strOmit(n, v string) {
	if v != "" {
		w.str(n, v)
	}
}

func (w *jsonWriter) int(n string, v int64) {
	w.name(n)
	w.b = strconv.AppendInt(w.b, v, 10)
	w.first = false
}

func (w *jsonWriter) bool(n string, v bool) {
	w.name(n)
	w.b = strconv.AppendBool(w.b, v)
	w.first = false
}

// time writes a time member: RFC 3339 in UTC with milliseconds, "" for the
// zero time.
func (w *jsonWriter) time(n string, t time.Time) {
	w.name(n)
	w.b = append(w.b, '"')
	if !t.IsZero() {
		w.b = msgtrk.AppendTime(w.b, t)
	}
	w.b = append(w.b, '"')
	w.first = false
}

// timeOmit writes a time member unless it is the zero time.
func (w *jsonWriter) timeOmit(n string, t time.Time) {
	if !t.IsZero() {
		w.time(n, t)
	}
}

// secondsOmit writes a duration in seconds with milliseconds (seconds),
// unless that is 0.
func (w *jsonWriter) secondsOmit(n string, d time.Duration) {
	if s := seconds(d); s != 0 {
		w.name(n)
		w.b = textenc.AppendJSONFloat(w.b, s)
		w.first = false
	}
}

// addrOmit writes an address member unless it is not valid. An IPv6
// zone may hold any bytes (the logs' are not checked), so an address with
// one is escaped as any string.
func (w *jsonWriter) addrOmit(n string, a netip.Addr) {
	if !a.IsValid() {
		return
	}
	w.name(n)
	if a.Zone() != "" {
		w.b = textenc.AppendJSONString(w.b, a.String())
	} else {
		w.b = append(w.b, '"')
		w.b = a.AppendTo(w.b)
		w.b = append(w.b, '"')
	}
	w.first = false
}

// strs writes a list of strings, [] when empty or nil.
func (w *jsonWriter) strs(n string, vs []string) {
	w.name(n)
	w.open('[')
	for _, v := range vs {
		w.sep()
		w.b = textenc.AppendJSONString(w.b, v)
	}
	w.close(']')
}

// refs writes a list of event references, [] when empty or nil.
func (w *jsonWriter) refs(n string, rs []EventRef) {
	w.name(n)
	w.open('[')
	for i := range rs {
		r := &rs[i]
		w.open('{')
		w.str("server", r.Server)
		w.str("event", r.Event)
		w.time("time", r.Time)
		w.strs("recipients", r.Recipients)
		w.close('}')
	}
	w.close(']')
}
