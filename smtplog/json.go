package smtplog

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// JSONVersion is the version of a Session's JSON form, written as "v".
const JSONVersion = 1

// KindName names a session's log in the JSON form and the CLI's output:
// "receive", "send", "connectivity" or "unknown".
func KindName(k msgtrk.LogKind) string {
	switch k {
	case msgtrk.LogSmtpReceive:
		return "receive"
	case msgtrk.LogSmtpSend:
		return "send"
	case msgtrk.LogConnectivity:
		return "connectivity"
	}
	return "unknown"
}

// EndReason is the session's end as written: the disconnect row's context,
// or a connectivity summary's failure and its reason.
func (s *Session) EndReason() string {
	if s.Key.Kind == msgtrk.LogConnectivity && s.Summary.Failure != "" {
		return s.Summary.Failure + ": " + s.Summary.Reason
	}
	return s.ReasonText
}

type jsonReply struct {
	Code     int    `json:"code"`
	Enhanced string `json:"enhanced,omitempty"`
	Text     string `json:"text,omitempty"`
}

func replyJSON(r Reply) *jsonReply {
	if r.IsZero() {
		return nil
	}
	j := &jsonReply{Code: int(r.Code), Text: r.Text}
	if r.Enhanced.IsValid() {
		j.Enhanced = r.Enhanced.String()
	}
	return j
}

type jsonRecipient struct {
	Address string     `json:"address"`
	Reply   *jsonReply `json:"reply,omitempty"`
}

type jsonTransaction struct {
	Time           string          `json:"time,omitempty"`
	From           string          `json:"from"`
	Size           *int64          `json:"size,omitempty"`
	FromReply      *jsonReply      `json:"from_reply,omitempty"`
	Recipients     []jsonRecipient `json:"recipients"`
	Reply          *jsonReply      `json:"reply,omitempty"`
	RecordID       *int64          `json:"record_id,omitempty"`
	MessageID      string          `json:"message_id,omitempty"`
	ReceiveContext string          `json:"receive_context,omitempty"`
	QueuedID       *int64          `json:"queued_internal_id,omitempty"`
	QueuedHost     string          `json:"queued_host,omitempty"`
	ProxiedClient  string          `json:"proxied_client,omitempty"`
}

type jsonTLS struct {
	Used            bool   `json:"used"`
	Version         string `json:"version,omitempty"`
	Protocol        string `json:"protocol,omitempty"`
	Cipher          string `json:"cipher,omitempty"`
	CipherBits      int    `json:"cipher_bits,omitempty"`
	KeyExchange     string `json:"key_exchange,omitempty"`
	KeyExchangeBits int    `json:"key_exchange_bits,omitempty"`
}

type jsonAuth struct {
	Mechanism string `json:"mechanism,omitempty"`
	Result    string `json:"result"`
	Identity  string `json:"identity,omitempty"`
	Detail    string `json:"detail,omitempty"`
}

type jsonLine struct {
	Time    string `json:"time,omitempty"`
	Seq     int64  `json:"seq"`
	Event   string `json:"event"`
	Data    string `json:"data,omitempty"`
	Context string `json:"context,omitempty"`
}

type jsonSession struct {
	V              int               `json:"v"`
	Server         string            `json:"server"`
	Service        string            `json:"service,omitempty"`
	Kind           string            `json:"kind"`
	SessionID      string            `json:"session_id"`
	Start          string            `json:"start"`
	End            string            `json:"end"`
	DurationMS     int64             `json:"duration_ms"`
	Local          string            `json:"local,omitempty"`
	Remote         string            `json:"remote,omitempty"`
	Connector      string            `json:"connector,omitempty"`
	Helo           string            `json:"helo,omitempty"`
	TLS            jsonTLS           `json:"tls"`
	Auth           jsonAuth          `json:"auth"`
	Messages       int64             `json:"messages"`
	Bytes          int64             `json:"bytes"`
	Transactions   []jsonTransaction `json:"transactions"`
	ProxiedSession string            `json:"proxied_session_id,omitempty"`
	Termination    string            `json:"termination"`
	EndReason      string            `json:"end_reason,omitempty"`
	LastError      *jsonReply        `json:"last_error,omitempty"`
	ConnectError   string            `json:"connect_error,omitempty"`
	Destination    string            `json:"destination,omitempty"`
	Source         string            `json:"source,omitempty"`
	DNS            []string          `json:"dns"`
	Connected      []string          `json:"connected"`
	File           string            `json:"file"`
	Rows           int               `json:"rows"`
	Duplicates     int               `json:"duplicate_rows,omitempty"`
	Transcript     []jsonLine        `json:"transcript,omitempty"`
	DroppedLines   int               `json:"dropped_lines,omitempty"`
}

// utc formats a time as RFC 3339 with milliseconds, in UTC; "" for zero.
func utc(t time.Time) string { return msgtrk.FormatTime(t) }

// MarshalJSON writes the session's JSON form (version JSONVersion), the
// object of `mailtrace sessions -format jsonl` and of a trace's
// "sessions" member:
//
//	v, server, service, kind ("receive" | "send" | "connectivity"), session_id
//	start, end          RFC 3339 UTC, milliseconds; duration_ms
//	local, remote       endpoints (as written when not an address)
//	connector, helo
//	tls                 {used, version, protocol, cipher, cipher_bits,
//	                     key_exchange, key_exchange_bits}
//	auth                {mechanism, result: "none" | "ok" | "failed" | "pending",
//	                     identity, detail}
//	messages, bytes     accepted messages and their bytes
//	transactions        [{time, from, size, from_reply, recipients: [{address,
//	                     reply}], reply, record_id, message_id, receive_context,
//	                     queued_internal_id, queued_host, proxied_client}];
//	                     a reply is {code, enhanced, text}
//	proxied_session_id  the front-end session a send session proxies
//	termination         "closed" | "open" | "idle" | "evicted"
//	end_reason, last_error, connect_error
//	destination, source, dns, connected   connectivity sessions
//	file, rows, duplicate_rows
//	transcript          [{time, seq, event, data, context}] when kept
//	                    (Options.Transcript); dropped_lines
//
// Every list is written, [] when empty; other members that are empty or
// zero are left out, but for the counts, tls.used and auth.result.
func (s *Session) MarshalJSON() ([]byte, error) {
	j := jsonSession{V: JSONVersion, Server: s.Key.Server, Service: s.Key.Service, Kind: KindName(s.Key.Kind), SessionID: s.Key.IDString(),
		Start: utc(s.Start), End: utc(s.End), DurationMS: s.Duration().Milliseconds(), Local: s.LocalRaw, Remote: s.RemoteRaw,
		Connector: s.Connector, Helo: s.Helo, Messages: s.MessageCount(), Bytes: s.ByteCount(), Termination: s.Termination.String(),
		EndReason: s.EndReason(), LastError: replyJSON(s.LastError), ConnectError: s.ConnectError, Destination: s.Destination,
		Source: s.Source, DNS: []string{}, Connected: []string{}, Transactions: []jsonTransaction{}, File: s.File, Rows: s.Rows, Duplicates: s.Duplicates, DroppedLines: s.DroppedLines}
	if s.Local.IsValid() {
		j.Local = s.Local.String()
	}
	if s.Remote.IsValid() {
		j.Remote = s.Remote.String()
	}
	j.TLS = jsonTLS{Used: s.UsedTLS(), Protocol: s.TLS.Protocol, Cipher: s.TLS.Cipher, CipherBits: s.TLS.CipherBits, KeyExchange: s.TLS.KeyExchange, KeyExchangeBits: s.TLS.KeyExchangeBits}
	if s.TLS.Version != TLSUnknown {
		j.TLS.Version = s.TLS.Version.String()
	}
	j.Auth = jsonAuth{Mechanism: s.Auth.Mechanism, Result: s.Auth.Result.String(), Identity: s.Auth.Identity, Detail: s.Auth.Detail}
	if s.ProxiedSession != 0 {
		j.ProxiedSession = HexID(s.ProxiedSession)
	}
	j.DNS = append(j.DNS, s.DNS...)
	for _, a := range s.Connected {
		j.Connected = append(j.Connected, a.String())
	}
	for i := range s.Messages {
		m := &s.Messages[i]
		t := jsonTransaction{Time: utc(m.Time), From: m.From, FromReply: replyJSON(m.FromReply), Reply: replyJSON(m.DataReply),
			MessageID: m.MessageID, ReceiveContext: m.ReceiveContext, QueuedHost: m.QueuedHost, Recipients: []jsonRecipient{}}
		if n := m.Bytes(); n >= 0 {
			t.Size = &n
		}
		if m.RecordID >= 0 {
			t.RecordID = &m.RecordID
		}
		if m.QueuedID >= 0 {
			t.QueuedID = &m.QueuedID
		}
		if m.Proxy.IP.IsValid() {
			t.ProxiedClient = netip.AddrPortFrom(m.Proxy.IP, m.Proxy.Port).String()
		}
		for _, r := range m.Recipients {
			t.Recipients = append(t.Recipients, jsonRecipient{Address: r.Address, Reply: replyJSON(r.Reply)})
		}
		j.Transactions = append(j.Transactions, t)
	}
	for _, l := range s.Transcript {
		j.Transcript = append(j.Transcript, jsonLine{Time: utc(l.Time), Seq: l.Seq, Event: l.Event.String(), Data: l.Data, Context: l.Context})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(j); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
