package report

import (
	"bytes"
	"net/netip"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/recipstatus"
)

// Delivery is one final recipient of one message and what became of it: a
// row of the delivery report, the table admins know from Delivery Reports
// and the Exchange Online message trace.
type Delivery struct {
	Received         time.Time        // when the message was first logged (Trace.FirstSeen)
	Time             time.Time        // when the recipient's outcome was logged; zero when none was
	Sender           string           // sender-address
	Recipient        string           // the final recipient, lower case
	Subject          string           //
	Status           correlate.Status //
	Detail           string           // the reason, decoded from recipient-status (see Reason)
	ClientIP         netip.Addr       // the submitting client (see SubmitterIP)
	Server           string           // the server that logged the outcome
	RemoteHost       string           // the host the message was handed to, for a recipient sent on (correlate.Recipient.RemoteHost)
	RemoteIP         netip.Addr       // that host's address
	RemoteReply      string           // its SMTP reply ("250 2.0.0 Ok: queued as …"): the proof of hand-off
	Size             int64            // bytes
	MessageID        string           //
	NetworkMessageID string           //
	Latency          time.Duration    // outcome time minus the message's origination time; 0 when unknown
	Groups           []string         // distribution groups it came through, outermost first
	ResolvedFrom     string           // the alias it was addressed as
	RedirectedTo     string           // the forwarding target; the status is the target's
	Key              string           // the trace's key
}

// Deliveries appends one Delivery per final recipient of t to dst, in the
// order of t.Recipients (by address). A trace without recipients (an orphan,
// or a message whose recipients were never logged) adds nothing.
func Deliveries(dst []Delivery, t *correlate.Trace) []Delivery {
	client := SubmitterIP(t.Origin)
	for _, r := range t.Recipients {
		dst = append(dst, Delivery{
			Received: t.FirstSeen, Time: r.Time, Sender: t.Sender, Recipient: r.Address, Subject: t.Subject,
			Status: r.Status, Detail: Reason(r.Detail), ClientIP: client, Server: r.Server,
			Size: t.Size, MessageID: t.MessageID, NetworkMessageID: t.NetworkMessageID, Latency: r.Latency,
			Groups: r.ExpandedFrom, ResolvedFrom: r.ResolvedFrom, RedirectedTo: r.RedirectedTo, Key: t.Key,
			RemoteHost: r.RemoteHost, RemoteIP: r.RemoteIP, RemoteReply: r.RemoteReply,
		})
	}
	return dst
}

// SubmitterIP is the address of the client that submitted a message: the
// proxied client IP (behind a front end), else the original client IP, else
// the client IP of the first RECEIVE.
func SubmitterIP(o correlate.Origin) netip.Addr {
	switch {
	case o.ProxiedClientIP.IsValid():
		return o.ProxiedClientIP
	case o.OriginalClientIP.IsValid():
		return o.OriginalClientIP
	}
	return o.ClientIP
}

// Reason decodes a recipient-status member into the sentence an admin
// reads: the SMTP reply of a LastError blob instead of the blob, and of a
// store diagnostic its code, exception and first sentence, without the
// hexadecimal trace Exchange appends. A status it cannot decode is
// returned trimmed, as it is.
//
//	[{LED=550 5.1.1 User unknown};{MSG=};{FQDN=mx.fabrikam.net};…]   → 550 5.1.1 User unknown
//	554 5.2.0 STOREDRV.Deliver.Exception:QuotaExceeded; Failed … 16.55847:E9000000, …   → 554 5.2.0 STOREDRV.Deliver.Exception:QuotaExceeded; Failed …
func Reason(status string) string {
	st, _ := recipstatus.Parse([]byte(status))
	var b []byte
	switch st.Kind {
	case recipstatus.KindLastError:
		if st.LastError.Present&recipstatus.FieldLED == 0 {
			return strings.TrimSpace(status)
		}
		b = appendReply(b, st.LastError.LED)
	case recipstatus.KindSMTPResponse:
		b = appendReply(b, st.Response)
	case recipstatus.KindStoreDiagnostic:
		b = appendDiagnostic(b, st.Diagnostic)
	default:
		return strings.TrimSpace(status)
	}
	return string(b)
}

func appendReply(b []byte, r recipstatus.Response) []byte {
	d, ok := r.Diagnostic()
	if !ok || r.Code == 0 {
		return r.AppendTo(b)
	}
	b = appendCode(b, r)
	return appendDiagnostic(b, d)
}

func appendCode(b []byte, r recipstatus.Response) []byte {
	b = append(b, byte('0'+r.Code/100), byte('0'+r.Code/10%10), byte('0'+r.Code%10), ' ')
	if r.Enhanced.IsValid() {
		b = r.Enhanced.AppendTo(b)
		b = append(b, ' ')
	}
	return b
}

func appendDiagnostic(b []byte, d recipstatus.Diagnostic) []byte {
	b = append(b, d.Code...)
	if len(d.Exception) > 0 {
		b = append(b, ':')
		b = append(b, d.Exception...)
	}
	if msg := firstSentence(d.Message); len(msg) > 0 {
		b = append(b, ';', ' ')
		b = append(b, msg...)
	}
	return b
}

// firstSentence cuts a store diagnostic's message before the list of
// "16.55847:E9000000, 17.43559:…" codes that follows its text.
func firstSentence(m []byte) []byte {
	for i := 0; i < len(m); i++ {
		if m[i] == ' ' && diagCodeAt(m[i+1:]) {
			return bytes.TrimSpace(m[:i])
		}
	}
	return bytes.TrimSpace(m)
}

// diagCodeAt reports whether b starts with digits '.' digits ':'.
func diagCodeAt(b []byte) bool {
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == 0 || i >= len(b) || b[i] != '.' {
		return false
	}
	j := i + 1
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	return j > i+1 && j < len(b) && b[j] == ':'
}
