package correlate

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// The JSON form of a trace as structs for encoding/json: the oracle
// TestAppendJSONIsEncodingJSON holds Trace.AppendJSON to.

type jsonTrace struct {
	V                int             `json:"v"`
	Key              string          `json:"key"`
	NetworkMessageID string          `json:"network_message_id,omitempty"`
	MessageID        string          `json:"message_id,omitempty"`
	Sender           string          `json:"sender,omitempty"`
	ReturnPath       string          `json:"return_path,omitempty"`
	Subject          string          `json:"subject,omitempty"`
	Size             int64           `json:"size,omitempty"`
	FirstSeen        string          `json:"first_seen,omitempty"`
	LastSeen         string          `json:"last_seen,omitempty"`
	Origin           jsonOrigin      `json:"origin"`
	Hops             []jsonHop       `json:"hops"`
	Recipients       []jsonRecipient `json:"recipients"`
	Expansions       []jsonExpansion `json:"expansions"`
	Forks            []jsonFork      `json:"forks"`
	DSNFor           string          `json:"dsn_for,omitempty"`
	DSNForMessageID  string          `json:"dsn_for_message_id,omitempty"`
	DSNFlags         string          `json:"dsn_flags,omitempty"`
	DSNs             []string        `json:"dsns"`
	MissingLogs      []string        `json:"missing_logs"`
	ShadowEvents     []jsonEventRef  `json:"shadow_events"`
	Duplicates       []jsonEventRef  `json:"duplicates"`
	Summary          bool            `json:"summary,omitempty"`
	Events           int             `json:"events"`
	Orphan           bool            `json:"orphan,omitempty"`
	Reason           string          `json:"reason"`
	Anomalies        []string        `json:"anomalies"`
	// Sessions is written only for a trace joined to protocol logs
	// (JoinSessions), [] when none of its rows found a session.
	Sessions *[]jsonSessionLink `json:"sessions,omitempty"`
}

type jsonSessionLink struct {
	Event   string          `json:"event"`
	Server  string          `json:"server"`
	Time    string          `json:"time,omitempty"`
	Hop     *int            `json:"hop,omitempty"`
	Side    string          `json:"side"`
	Message *int            `json:"message,omitempty"`
	Session json.RawMessage `json:"session"`
}

type jsonAttempt struct {
	Time      string `json:"time,omitempty"`
	Server    string `json:"server"`
	SessionID string `json:"session_id"`
	Remote    string `json:"remote,omitempty"`
	RcptReply string `json:"rcpt_reply,omitempty"`
	Reply     string `json:"reply,omitempty"`
}

type jsonOrigin struct {
	Server           string `json:"server,omitempty"`
	Source           string `json:"source,omitempty"`
	Connector        string `json:"connector,omitempty"`
	ClientType       string `json:"client_type,omitempty"`
	Auth             string `json:"auth,omitempty"`
	Anonymous        bool   `json:"anonymous"`
	ClientIP         string `json:"client_ip,omitempty"`
	OriginalClientIP string `json:"original_client_ip,omitempty"`
	ProxiedClientIP  string `json:"proxied_client_ip,omitempty"`
	Protocol         string `json:"protocol,omitempty"`
}

type jsonHop struct {
	Server         string  `json:"server"`
	Role           string  `json:"role"`
	Depth          int     `json:"depth"`
	First          string  `json:"first"`
	Last           string  `json:"last"`
	LatencySeconds float64 `json:"latency_seconds,omitempty"`
	Events         int     `json:"events"`
	From           []int   `json:"from"`
}

type jsonRecipient struct {
	Address        string   `json:"address"`
	Status         string   `json:"status"`
	Server         string   `json:"server,omitempty"`
	Time           string   `json:"time,omitempty"`
	Detail         string   `json:"detail,omitempty"`
	ExpandedFrom   []string `json:"expanded_from"`
	ResolvedFrom   string   `json:"resolved_from,omitempty"`
	RedirectedTo   string   `json:"redirected_to,omitempty"`
	LatencySeconds float64  `json:"latency_seconds,omitempty"`
	RemoteHost     string   `json:"remote_host,omitempty"`
	RemoteIP       string   `json:"remote_ip,omitempty"`
	RemoteReply    string   `json:"remote_reply,omitempty"`
	// SMTPAttempts is written with "sessions".
	SMTPAttempts *[]jsonAttempt `json:"smtp_attempts,omitempty"`
}

type jsonExpansion struct {
	Group   string   `json:"group"`
	Members []string `json:"members"`
	Server  string   `json:"server,omitempty"`
	Time    string   `json:"time,omitempty"`
}

type jsonFork struct {
	Server            string   `json:"server"`
	Time              string   `json:"time"`
	InternalMessageID string   `json:"internal_message_id,omitempty"`
	From              string   `json:"from"`
	Recipients        []string `json:"recipients"`
	Reason            string   `json:"reason,omitempty"`
}

type jsonEventRef struct {
	Server     string   `json:"server"`
	Event      string   `json:"event"`
	Time       string   `json:"time"`
	Recipients []string `json:"recipients"`
}

func rfc3339(t time.Time) string { return msgtrk.FormatTime(t) }

func addr(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// list makes an empty list an empty array: no list field is ever null or
// left out.
func list[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func refs(rs []EventRef) []jsonEventRef {
	out := make([]jsonEventRef, 0, len(rs))
	for _, r := range rs {
		out = append(out, jsonEventRef{r.Server, r.Event, rfc3339(r.Time), list(r.Recipients)})
	}
	return out
}

// marshalJSONReflect is the JSON form as it was first written: structs
// with their tags, encoded by encoding/json. AppendJSON must write the
// same bytes.
func marshalJSONReflect(t *Trace) ([]byte, error) {
	j := jsonTrace{
		V: JSONVersion, Key: t.Key, NetworkMessageID: t.NetworkMessageID, MessageID: t.MessageID,
		Sender: t.Sender, ReturnPath: t.ReturnPath, Subject: t.Subject, Size: t.Size,
		FirstSeen: rfc3339(t.FirstSeen), LastSeen: rfc3339(t.LastSeen),
		Origin: jsonOrigin{
			Server: t.Origin.Server, Connector: t.Origin.Connector, ClientType: t.Origin.ClientType, Auth: t.Origin.Auth,
			Anonymous: t.Origin.Anonymous, ClientIP: addr(t.Origin.ClientIP), OriginalClientIP: addr(t.Origin.OriginalClientIP),
			ProxiedClientIP: addr(t.Origin.ProxiedClientIP),
		},
		Hops: []jsonHop{}, Recipients: []jsonRecipient{}, Expansions: []jsonExpansion{},
		DSNFor: t.DSNFor, DSNForMessageID: t.DSNForMessageID, DSNs: list(t.DSNs), MissingLogs: list(t.MissingLogs), Forks: []jsonFork{}, ShadowEvents: refs(t.ShadowEvents), Duplicates: refs(t.Duplicates),
		Summary: t.Summary, Events: t.Events, Orphan: t.Orphan, Reason: t.Reason.String(), Anomalies: make([]string, len(t.Anomalies)),
	}
	if t.Origin.Source != msgtrk.SourceUnknown {
		j.Origin.Source = t.Origin.Source.String()
	}
	if t.DSNFlags != 0 {
		j.DSNFlags = t.DSNFlags.String()
	}
	if t.Origin.Protocol != ProtocolUnknown {
		j.Origin.Protocol = t.Origin.Protocol.String()
	}
	for i, a := range t.Anomalies {
		j.Anomalies[i] = a.String()
	}
	for _, h := range t.Hops {
		j.Hops = append(j.Hops, jsonHop{h.Server, h.Role.String(), h.Depth, rfc3339(h.First), rfc3339(h.Last), seconds(h.Latency), h.Events, list(h.From)})
	}
	for _, r := range t.Recipients {
		jr := jsonRecipient{r.Address, r.Status.String(), r.Server, rfc3339(r.Time), r.Detail,
			list(r.ExpandedFrom), r.ResolvedFrom, r.RedirectedTo, seconds(r.Latency), r.RemoteHost, addr(r.RemoteIP), r.RemoteReply, nil}
		if t.Sessions != nil {
			as := make([]jsonAttempt, 0, len(r.Attempts))
			for _, a := range r.Attempts {
				ja := jsonAttempt{Time: rfc3339(a.Time), Server: a.Server, SessionID: a.SessionID, Remote: a.RemoteRaw, RcptReply: a.RcptReply, Reply: a.Reply}
				if a.Remote.IsValid() {
					ja.Remote = a.Remote.String()
				}
				as = append(as, ja)
			}
			jr.SMTPAttempts = &as
		}
		j.Recipients = append(j.Recipients, jr)
	}
	if t.Sessions != nil {
		ls := make([]jsonSessionLink, 0, len(t.Sessions))
		for _, l := range t.Sessions {
			row := &t.SMTPRows[l.Row]
			b, err := l.Session.MarshalJSON()
			if err != nil {
				return nil, err
			}
			jl := jsonSessionLink{Event: row.Event.String(), Server: row.Server, Time: rfc3339(row.Time), Side: l.Side, Session: b}
			if l.Hop >= 0 {
				jl.Hop = &l.Hop
			}
			if l.Message >= 0 {
				jl.Message = &l.Message
			}
			ls = append(ls, jl)
		}
		j.Sessions = &ls
	}
	for _, x := range t.Expansions {
		j.Expansions = append(j.Expansions, jsonExpansion{x.Group, list(x.Members), x.Server, rfc3339(x.Time)})
	}
	for _, f := range t.Forks {
		j.Forks = append(j.Forks, jsonFork{f.Server, rfc3339(f.Time), f.InternalMessageID, f.From, list(f.Recipients), f.Reason})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(j); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// MarshalJSONReflect is marshalJSONReflect for the external tests.
var MarshalJSONReflect = marshalJSONReflect
