package smtplog

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/recipstatus"
)

// Key identifies a session: session ids count per transport process, so
// they are unique only within one service of one server (format.md §14.2),
// and a send log and a connectivity log of one service share the counter.
type Key struct {
	Server  string         // the logging server (msgtrk.Origin.Server), "" when unknown
	Service string         // the transport service (msgtrk.Origin.Service), "" when unknown
	Kind    msgtrk.LogKind // LogSmtpReceive, LogSmtpSend, LogConnectivity, or LogUnknown
	ID      uint64         // the session id
}

// IDString returns the id as Exchange writes it: 16 upper-case hexadecimal
// digits.
func (k Key) IDString() string { return HexID(k.ID) }

// HexID writes a session id as 16 upper-case hexadecimal digits. It
// allocates the string.
func HexID(id uint64) string {
	var b [16]byte
	const digits = "0123456789ABCDEF"
	for i := 15; i >= 0; i-- {
		b[i] = digits[id&0xF]
		id >>= 4
	}
	return string(b[:])
}

// Termination says how a session's rows ended.
type Termination uint8

// The terminations. Only TermClosed saw the session's "-" row; the others
// are reported by the Assembler, which never keeps a session forever.
const (
	TermUnknown Termination = iota
	TermClosed              // the "-" row was read
	TermOpen                // the input ended first (Flush): the session may go on in a file not read
	TermIdle                // no row for Options.Idle of log time: its end was not logged, or is in a file not read
	TermEvicted             // closed early to keep Options.MaxOpen sessions in memory
	numTerms
)

var termNames = [numTerms]string{"unknown", "closed", "open", "idle", "evicted"}

// String returns "closed", "open", "idle", "evicted", "unknown", or
// "Termination(n)".
func (t Termination) String() string {
	if t < numTerms {
		return termNames[t]
	}
	return "Termination(" + strconv.Itoa(int(t)) + ")"
}

// Reply is an SMTP reply as a session keeps it: its code, enhanced code and
// text (the lines of a multi-line reply joined with " ").
type Reply struct {
	Code     uint16
	Enhanced recipstatus.EnhancedCode
	Text     string
}

// IsZero reports whether r holds no reply.
func (r Reply) IsZero() bool { return r.Code == 0 && r.Text == "" }

// String returns "code enhanced text" (or "" for the zero Reply).
func (r Reply) String() string {
	if r.IsZero() {
		return ""
	}
	b := strconv.AppendUint(nil, uint64(r.Code), 10)
	if r.Enhanced.IsValid() {
		b = append(b, ' ')
		b = r.Enhanced.AppendTo(b)
	}
	if r.Text != "" {
		b = append(b, ' ')
		b = append(b, r.Text...)
	}
	return string(b)
}

// Recipient is one RCPT TO of a message and the reply it got.
type Recipient struct {
	Address string
	Reply   Reply
}

// Message is one MAIL FROM … transaction of a session.
type Message struct {
	// Time is the time of its MAIL FROM row.
	Time time.Time
	// From is the reverse-path ("" for the null path <>); Size its SIZE=
	// parameter, -1 when not given.
	From string
	Size int64
	// FromReply is the reply to MAIL FROM.
	FromReply Reply
	// Recipients are the RCPT TO commands in order, at most
	// MaxRecipients; Dropped counts the others.
	Recipients []Recipient
	Dropped    int
	// DataReply is the final reply to the message's content (after DATA
	// or the last BDAT): the receiver's verdict. Zero when the session
	// ended before it.
	DataReply Reply
	// BDATBytes is the sum of the BDAT chunk sizes, -1 when DATA was used
	// or nothing was sent.
	BDATBytes int64
	// RecordID is the sending server's internal-message-id and MessageID
	// the message-id, from the send log's "sending message with RecordId"
	// row; RecordID is -1 and MessageID "" when not logged.
	RecordID  int64
	MessageID string
	// ReceiveContext is the receive log's "receiving message" text,
	// "{session-id};{start};{n}", equal to the SMTP RECEIVE tracking row's
	// source-context (format.md §8); "" when not logged.
	ReceiveContext string
	// Queued is what the final reply tells of the receiving server:
	// "250 2.6.0 <id> [InternalId=n, Hostname=host] Queued mail for
	// delivery" gives its internal-message-id and name (un-swapped when a
	// redundancy reply swaps them, format.md §6). QueuedID is -1 when the
	// reply does not say.
	QueuedID        int64
	QueuedHost      string
	QueuedMessageID string
	// Proxy is the XPROXYFROM a front end sent before this message (the
	// client it proxies); zero when none.
	Proxy Proxy
}

// Bytes returns the message's size as the session tells it: the SIZE=
// parameter, else the BDAT chunks' sum, else -1.
func (m *Message) Bytes() int64 {
	if m.Size >= 0 {
		return m.Size
	}
	return m.BDATBytes
}

// Accepted reports whether the receiver accepted the message: a 2xx final
// reply.
func (m *Message) Accepted() bool { return m.DataReply.Code >= 200 && m.DataReply.Code < 300 }

// Proxy is an XPROXYFROM argument, kept: the front end's session id and the
// original client.
type Proxy struct {
	SID     uint64
	IP      netip.Addr
	Port    uint16
	Domain  string
	AuthSrc string
}

// IsZero reports whether p holds nothing.
func (p Proxy) IsZero() bool { return p == Proxy{} }

// TLSInfo is the TLS handshake of a session, kept.
type TLSInfo struct {
	Version                              TLSVersion
	Protocol                             string
	Cipher, MAC, KeyExchange             string
	CipherBits, MACBits, KeyExchangeBits int
}

// AuthResult says how an authentication ended.
type AuthResult uint8

// The results.
const (
	AuthNone    AuthResult = iota // no AUTH (or X-EXPS) command
	AuthOK                        // a 235 reply
	AuthFailed                    // a 4xx/5xx reply, or an "… failed" information row
	AuthPending                   // a command with no final reply in the log
)

var authNames = [...]string{"none", "ok", "failed", "pending"}

// String returns "none", "ok", "failed", "pending", or "AuthResult(n)".
func (a AuthResult) String() string {
	if int(a) < len(authNames) {
		return authNames[a]
	}
	return "AuthResult(" + strconv.Itoa(int(a)) + ")"
}

// Auth is the authentication of a session.
type Auth struct {
	// Mechanism is the AUTH argument's first word ("LOGIN", "NTLM",
	// "GSSAPI"), or "X-EXPS <mechanism>" for Exchange's server-to-server
	// command.
	Mechanism string
	Result    AuthResult
	// Identity is the user an information row names ("User Name: …",
	// logged after a failure); "" when the log does not say. The protocol
	// log never shows the credentials themselves.
	Identity string
	// Detail is the text of the failure row ("Inbound AUTH LOGIN failed
	// because of LogonDenied"), or the failing reply.
	Detail string
}

// Line is one row of a session's transcript.
type Line struct {
	Time    time.Time
	Seq     int64
	Event   Event
	Data    string
	Context string
}

// Session is one SMTP conversation (or, for a connectivity log, one
// outbound connection) assembled from its rows. A Session given to
// Options.OnSession is the callee's to keep.
type Session struct {
	Key Key
	// File is the input of the session's first row; Connector its
	// connector-id (protocol logs).
	File      string
	Connector string
	// Local and Remote are the endpoints as written and their values
	// (invalid when not an address).
	LocalRaw, RemoteRaw string
	Local, Remote       netip.AddrPort
	// Start and End are the times of the first and last rows.
	Start, End time.Time
	// Rows counts the rows read; Duplicates the rows dropped as repeats
	// of a row of the session (a file collected twice); Errors the rows
	// with a malformed column.
	Rows, Duplicates, Errors int

	// Permissions is the "Set Session Permissions" data.
	Permissions string
	// HeloVerb and Helo are the last HELO or EHLO and its argument.
	HeloVerb Verb
	Helo     string
	// StartTLS reports a STARTTLS command answered 220; TLS the handshake
	// line, zero when none was logged.
	StartTLS bool
	TLS      TLSInfo
	Auth     Auth
	// Banner is the greeting (220) reply.
	Banner Reply
	// Messages are the MAIL FROM transactions, at most MaxMessages;
	// DroppedMessages counts the others.
	Messages        []Message
	DroppedMessages int
	// ProxiedSession is the front-end receive session a send session
	// carries ("Proxying inbound session with session id …"), 0 when none.
	ProxiedSession uint64
	// Proxy is the first XPROXYFROM of a receive session: the client the
	// front end proxies.
	Proxy Proxy
	// ConnectError is a send session's "Failed to connect" text.
	ConnectError string
	// Replies4xx and Replies5xx count the final replies of those classes;
	// LastError is the last of them.
	Replies4xx, Replies5xx int
	LastError              Reply
	// Reason is the "-" row's context, typed, and ReasonText as written.
	Reason     Reason
	ReasonText string
	// Termination says how the rows ended.
	Termination Termination

	// Connectivity logs: Source (SMTP, MapiDelivery, MapiSubmission),
	// Destination, the "+" description (Opening), the DNS results and the
	// established connections' addresses, and the "-" summary.
	Source, Destination, Opening string
	DNS                          []string
	Connected                    []netip.Addr
	Summary                      SummaryInfo

	// Transcript holds the rows, when Options.Transcript is set: at most
	// MaxTranscript; DroppedLines counts the others.
	Transcript   []Line
	DroppedLines int
}

// SummaryInfo is a connectivity session's closing summary, kept.
type SummaryInfo struct {
	Messages, Bytes int64 // -1 when not logged
	Failure, Reason string
}

// MessageCount returns the number of messages the session carried: the
// connectivity summary's count, or the MAIL FROM transactions with a 2xx
// final reply.
func (s *Session) MessageCount() int64 {
	if s.Key.Kind == msgtrk.LogConnectivity {
		return max(s.Summary.Messages, 0)
	}
	n := int64(0)
	for i := range s.Messages {
		if s.Messages[i].Accepted() {
			n++
		}
	}
	return n
}

// ByteCount returns the bytes the session carried: the connectivity
// summary's count, or the sum of the accepted messages' sizes (those whose
// size is known).
func (s *Session) ByteCount() int64 {
	if s.Key.Kind == msgtrk.LogConnectivity {
		return max(s.Summary.Bytes, 0)
	}
	n := int64(0)
	for i := range s.Messages {
		if m := &s.Messages[i]; m.Accepted() && m.Bytes() > 0 {
			n += m.Bytes()
		}
	}
	return n
}

// Duration returns End - Start.
func (s *Session) Duration() time.Duration { return s.End.Sub(s.Start) }

// UsedTLS reports whether the session ran over TLS: a STARTTLS answered 220
// or a TLS handshake line.
func (s *Session) UsedTLS() bool {
	return s.StartTLS || s.TLS.Version != TLSUnknown || s.TLS.Protocol != ""
}
