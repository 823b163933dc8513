package smtplog

import (
	"bytes"
	"strconv"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// InfoKind says what a "*" row of a protocol log reports, told by the
// fixed words its context starts with (format.md §14.3). The texts are
// English on every server seen, including one with localised connector
// names.
type InfoKind uint8

// The information rows recognised. Any other text is InfoUnknown, kept raw.
const (
	InfoUnknown          InfoKind = iota
	InfoPermissions               // "Set Session Permissions"; data: the permissions, blank-separated
	InfoConnecting                // "attempting to connect" (send logs)
	InfoConnectFailed             // "Failed to connect. Winsock error code: …" (send logs)
	InfoTLS                       // "TLS protocol … negotiation succeeded …": see ParseTLS
	InfoCertificate               // certificate rows: "Sending certificate…", "Received certificate", "Certificate thumbprint", "Client certificate chain validation status…", "TlsDomainCapabilities=…"
	InfoSendingMessage            // "sending message with RecordId n and InternetMessageId <id>": see ParseSendingMessage
	InfoReceivingMessage          // "receiving message": the tracking RECEIVE row's source-context, see ParseReceivingMessage
	InfoProxying                  // "Proxying inbound session with session id X": see ParseProxying
	InfoAuthFailed                // "Inbound AUTH LOGIN failed because of LogonDenied", "Outbound Authentication failed with LogonDenied"
	InfoUserName                  // "User Name: …" (after a failed AUTH)
	numInfoKinds
)

var infoNames = [numInfoKinds]string{"unknown", "permissions", "connecting", "connect-failed", "tls", "certificate", "sending-message", "receiving-message", "proxying", "auth-failed", "user-name"}

// String returns a short name ("tls", "sending-message", …), or "InfoKind(n)".
func (k InfoKind) String() string {
	if k < numInfoKinds {
		return infoNames[k]
	}
	return "InfoKind(" + strconv.Itoa(int(k)) + ")"
}

// infoPrefixes maps the first words of a context to its kind, matched
// without case.
var infoPrefixes = [...]struct {
	prefix string
	kind   InfoKind
}{
	{"Set Session Permissions", InfoPermissions},
	{"attempting to connect", InfoConnecting},
	{"Failed to connect", InfoConnectFailed},
	{"TLS protocol ", InfoTLS},
	{"Sending certificate", InfoCertificate},
	{"Received certificate", InfoCertificate},
	{"Remote certificate", InfoCertificate},
	{"Certificate ", InfoCertificate},
	{"Client certificate", InfoCertificate},
	{"TlsDomainCapabilities", InfoCertificate},
	{"sending message with RecordId ", InfoSendingMessage},
	{"receiving message", InfoReceivingMessage},
	{"Proxying inbound session with session id ", InfoProxying},
	{"Inbound AUTH ", InfoAuthFailed},
	{"Outbound Authentication failed", InfoAuthFailed},
	{"User Name:", InfoUserName},
}

// ClassifyInfo tells what an information row's context reports. It does no
// allocation.
func ClassifyInfo(context []byte) InfoKind {
	t := ascii.TrimSpace(context)
	for _, p := range infoPrefixes {
		if len(t) >= len(p.prefix) && ascii.EqualFold(t[:len(p.prefix)], p.prefix) {
			if p.kind == InfoAuthFailed && bytes.Contains(t, []byte("succeeded")) {
				return InfoUnknown
			}
			return p.kind
		}
	}
	return InfoUnknown
}

// TLSVersion is the protocol version of a TLS line.
type TLSVersion uint8

// The versions, from the Schannel SP_PROT_* names (format.md §14.3).
const (
	TLSUnknown TLSVersion = iota
	SSL2
	SSL3
	TLS10
	TLS11
	TLS12
	TLS13
)

var tlsNames = [...]string{"unknown", "SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}

// String returns "TLS 1.2" and the like, "unknown", or "TLSVersion(n)".
func (v TLSVersion) String() string {
	if int(v) < len(tlsNames) {
		return tlsNames[v]
	}
	return "TLSVersion(" + strconv.Itoa(int(v)) + ")"
}

// TLS is the information row logged when a TLS handshake succeeds:
//
//	TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_128 with strength 128 bits, MAC hash algorithm CALG_SHA_256 with strength 0 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 256 bits
//
// The slices are subslices of the input; a strength is -1 when absent or
// malformed.
type TLS struct {
	// Protocol is the Schannel protocol name ("SP_PROT_TLS1_2_SERVER");
	// Version its version and Server whether it names the server side (a
	// receive log) rather than the client side (a send log).
	Protocol []byte
	Version  TLSVersion
	Server   bool
	// Cipher, MAC and KeyExchange are the CryptoAPI algorithm names
	// ("CALG_AES_256", "CALG_SHA_384", "CALG_ECDHE"), with their strengths.
	Cipher, MAC, KeyExchange             []byte
	CipherBits, MACBits, KeyExchangeBits int
}

// ParseTLS parses a TLS success line. It is lenient: each part is found by
// its leading words wherever it is, and the error (wrapping [ErrPhrase])
// names the first part missing; a strength that is not a number is -1 and
// an error wrapping [ErrNumber]. It does no allocation unless it returns an
// error.
func ParseTLS(b []byte) (TLS, error) {
	var es errState
	t := TLS{CipherBits: -1, MACBits: -1, KeyExchangeBits: -1}
	rest, ok := after(b, 0, "TLS protocol ")
	if !ok {
		es.Set(0, ErrPhrase)
		return t, es.err(b)
	}
	t.Protocol = word(b[rest:])
	t.Version, t.Server = tlsVersion(t.Protocol)
	t.Cipher, t.CipherBits = tlsPart(b, rest, "bulk encryption algorithm ", &es)
	t.MAC, t.MACBits = tlsPart(b, rest, "MAC hash algorithm ", &es)
	t.KeyExchange, t.KeyExchangeBits = tlsPart(b, rest, "key exchange algorithm ", &es)
	return t, es.err(b)
}

// tlsPart reads "<key><NAME> with strength <n> bits" from b[from:].
func tlsPart(b []byte, from int, key string, es *errState) ([]byte, int) {
	i, ok := after(b, from, key)
	if !ok {
		es.Set(len(b), ErrPhrase)
		return nil, -1
	}
	name := word(b[i:])
	j, ok := after(b, i+len(name), " with strength ")
	if !ok || j != i+len(name)+len(" with strength ") {
		es.Set(i+len(name), ErrPhrase)
		return name, -1
	}
	digits := word(b[j:])
	n, ok := ascii.ParseInt64(digits)
	if !ok || n > 1<<20 {
		es.Set(j, ErrNumber)
		return name, -1
	}
	return name, int(n)
}

// tlsVersion reads SP_PROT_TLS1_2_SERVER and the like. A blog spells it
// SP_PROT-TLS1_0_CLIENT: '-' and '_' are taken alike.
func tlsVersion(p []byte) (TLSVersion, bool) {
	norm := func(i int) byte {
		switch c := p[i]; {
		case c == '-':
			return '_'
		case ascii.IsUpper(c):
			return c + 'a' - 'A'
		default:
			return c
		}
	}
	has := func(s string) bool {
		for i := 0; i+len(s) <= len(p); i++ {
			j := 0
			for j < len(s) && norm(i+j) == s[j] {
				j++
			}
			if j == len(s) {
				return true
			}
		}
		return false
	}
	server := has("_server")
	switch {
	case has("tls1_3"):
		return TLS13, server
	case has("tls1_2"):
		return TLS12, server
	case has("tls1_1"):
		return TLS11, server
	case has("tls1_0") || has("tls1_"):
		return TLS10, server
	case has("ssl3"):
		return SSL3, server
	case has("ssl2"):
		return SSL2, server
	}
	return TLSUnknown, server
}

// SendingMessage is the information row a send session logs before each
// MAIL FROM, naming the message it sends:
//
//	sending message with RecordId 167503004549 and InternetMessageId <fed061de-3411-44fe-b5cb-d85762c10d2e@Testta  .MyDomain.com>
//
// RecordID is the sending server's internal-message-id (format.md §4, the
// queue's RecordId). MessageID is the text after "InternetMessageId ",
// brackets included, as written. The slices are subslices of the input.
type SendingMessage struct {
	RecordIDRaw []byte
	RecordID    int64 // -1 when malformed
	MessageID   []byte
}

// ParseSendingMessage parses a "sending message with RecordId" line. It is
// lenient: a RecordId that is not a decimal number leaves RecordID -1 and
// returns an error wrapping [ErrNumber]; without " and InternetMessageId "
// the error wraps [ErrPhrase]. It does no allocation unless it returns an
// error.
func ParseSendingMessage(b []byte) (SendingMessage, error) {
	var es errState
	m := SendingMessage{RecordID: -1}
	i, ok := after(b, 0, "sending message with RecordId ")
	if !ok {
		es.Set(0, ErrPhrase)
		return m, es.err(b)
	}
	m.RecordIDRaw = word(b[i:])
	if v, ok := ascii.ParseInt64(m.RecordIDRaw); ok {
		m.RecordID = v
	} else {
		es.Set(i, ErrNumber)
	}
	j, ok := after(b, i, " and InternetMessageId ")
	if !ok {
		es.Set(i+len(m.RecordIDRaw), ErrPhrase)
		return m, es.err(b)
	}
	m.MessageID = ascii.TrimSpace(b[j:])
	return m, es.err(b)
}

// ParseReceivingMessage finds the message context of a receive session's
// "receiving message" row: "{session-id};{session start};{n}", the text
// the SMTP RECEIVE tracking row has as source-context (format.md §8,
// §14.3). No public raw row shows where it is written, so it is looked for
// in data, then in the context after the words "receiving message".
//
// ok is false when neither holds such a text. The result is
// sourcecontext.ParseReceive's, with its error (wrapped as it returns it).
// It does no allocation unless it returns an error.
func ParseReceivingMessage(data, context []byte) (r sourcecontext.Receive, ok bool, err error) {
	for _, b := range [2][]byte{data, context} {
		if k := receiveContextStart(b); k >= 0 {
			r, err = sourcecontext.ParseReceive(word(b[k:]))
			return r, true, err
		}
	}
	return r, false, nil
}

// receiveContextStart returns the index of the first run of 16 hexadecimal
// digits followed by ';' in b, or -1.
func receiveContextStart(b []byte) int {
	run := 0
	for i, c := range b {
		if _, ok := ascii.Unhex(c); ok {
			run++
			continue
		}
		if c == ';' && run == 16 && (i-17 < 0 || !isWordByte(b[i-17])) {
			return i - 16
		}
		run = 0
	}
	return -1
}

func isWordByte(c byte) bool { return ascii.IsAlnum(c) }

// ParseProxying reads the session id of "Proxying inbound session with
// session id X": the front end's receive session that a send session
// carries to the hub. ok is false when b is not such a line or the id is
// not 1 to 16 hexadecimal digits. It does no allocation.
func ParseProxying(b []byte) (id uint64, ok bool) {
	i, ok := after(b, 0, "Proxying inbound session with session id ")
	if !ok {
		return 0, false
	}
	return ascii.ParseHex64(word(b[i:]))
}

// Reason is the reason a protocol log gives for a session's end, in the
// context of its "-" row (format.md §14.3).
type Reason uint8

// The reasons. Only Remote is seen in public raw rows; the others are as
// reported (format.md §14.3, [I13]). Any other text is ReasonOther, kept
// raw by the caller.
const (
	ReasonNone               Reason = iota // no context
	ReasonOther                            // another text
	ReasonRemote                           // Remote: the peer closed the connection (also "Remote(SocketError)")
	ReasonLocal                            // Local: Exchange closed it
	ReasonQuitVerb                         // QuitVerb: after QUIT
	ReasonTimeout                          // Timeout
	ReasonSenderDisconnected               // SenderDisconnected
	ReasonTooManyErrors                    // TooManyErrors
	ReasonDroppedSession                   // DroppedSession
	numReasons
)

var reasonNames = [numReasons]string{"", "other", "Remote", "Local", "QuitVerb", "Timeout", "SenderDisconnected", "TooManyErrors", "DroppedSession"}

// String returns the reason as Exchange writes it ("QuitVerb", …), ""
// for ReasonNone, "other", or "Reason(n)".
func (r Reason) String() string {
	if r < numReasons {
		return reasonNames[r]
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

// ParseReason reads the context of a "-" row: its first word, up to a '('
// ("Remote(SocketError)" is ReasonRemote), matched without case. It does no
// allocation.
func ParseReason(b []byte) Reason {
	t := ascii.TrimSpace(b)
	if len(t) == 0 {
		return ReasonNone
	}
	if k := bytes.IndexAny(t, "( "); k >= 0 {
		t = t[:k]
	}
	for r := ReasonRemote; r < numReasons; r++ {
		if ascii.EqualFold(t, reasonNames[r]) {
			return r
		}
	}
	return ReasonOther
}

// after returns the index just past the first occurrence of key (matched
// without case) in b at or after from.
func after(b []byte, from int, key string) (int, bool) {
	for i := from; i+len(key) <= len(b); i++ {
		if ascii.EqualFold(b[i:i+len(key)], key) {
			return i + len(key), true
		}
	}
	return 0, false
}

// word returns b up to its first blank or ',', blanks before it skipped.
func word(b []byte) []byte {
	i := 0
	for i < len(b) && ascii.IsSpace(b[i]) {
		i++
	}
	j := i
	for j < len(b) && !ascii.IsSpace(b[j]) && b[j] != ',' {
		j++
	}
	return b[i:j]
}
