package smtplog

import (
	"bytes"
	"net/netip"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// Summary is the description of a connectivity log's "-" row: what the
// session carried and, after a failure, why it stopped (format.md §14.4):
//
//	Messages: 0 Bytes: 0 (Retry : Service not active)
//	  → Messages 0, Bytes 0, Failure "Retry", Reason "Service not active"
//
// The slices are subslices of the input.
type Summary struct {
	Messages, Bytes int64 // -1 when absent or malformed
	// Failure and Reason are the two halves of the parenthesised part,
	// empty when there is none.
	Failure, Reason []byte
}

// ParseSummary parses a "Messages: N Bytes: M [(kind : reason)]"
// description. It is lenient: a missing or malformed count is -1 and the
// error wraps [ErrPhrase] (missing) or [ErrNumber]. It does no allocation
// unless it returns an error.
func ParseSummary(b []byte) (Summary, error) {
	var es errState
	s := Summary{Messages: -1, Bytes: -1}
	s.Messages = count(b, "Messages:", &es)
	s.Bytes = count(b, "Bytes:", &es)
	if i := bytes.IndexByte(b, '('); i >= 0 {
		in := b[i+1:]
		if j := bytes.LastIndexByte(in, ')'); j >= 0 {
			in = in[:j]
		}
		if k := bytes.IndexByte(in, ':'); k >= 0 {
			s.Failure, s.Reason = ascii.TrimSpace(in[:k]), ascii.TrimSpace(in[k+1:])
		} else {
			s.Reason = ascii.TrimSpace(in)
		}
	}
	return s, es.err(b)
}

func count(b []byte, key string, es *errState) int64 {
	i, ok := after(b, 0, key)
	if !ok {
		es.Set(len(b), ErrPhrase)
		return -1
	}
	w := word(b[i:])
	v, ok := ascii.ParseInt64(w)
	if !ok {
		es.Set(i, ErrNumber)
		return -1
	}
	return v
}

// ConnectKind says what a connectivity log's ">" row reports.
type ConnectKind uint8

// The ">" rows recognised (format.md §14.4).
const (
	ConnectOther       ConnectKind = iota // any other text (kept raw)
	ConnectDNS                            // "host[ip]": a DNS result
	ConnectEstablished                    // "Established connection to ip"
	ConnectFailed                         // "Failed connection to …", "Failed to connect …"
)

// ConnectEvent is the decoded description of a connectivity ">" row.
type ConnectEvent struct {
	Kind ConnectKind
	// Host is the DNS result's host name; empty otherwise.
	Host []byte
	// IP is the address of a DNS result or of an established connection;
	// invalid otherwise.
	IP netip.Addr
}

// ParseConnectEvent decodes a connectivity ">" description:
//
//	Exchange-Server.contoso[192.168.0.12]    → ConnectDNS, Host, IP
//	Established connection to 192.168.0.12   → ConnectEstablished, IP
//
// Anything else is ConnectOther (or ConnectFailed by its first words). It
// does no allocation.
func ParseConnectEvent(b []byte) ConnectEvent {
	t := ascii.TrimSpace(b)
	if i, ok := after(t, 0, "Established connection to "); ok && i == len("Established connection to ") {
		e := ConnectEvent{Kind: ConnectEstablished}
		e.IP, _ = msgtrk.ParseAddr(word(t[i:]))
		return e
	}
	if i, ok := after(t, 0, "Failed "); ok && i == len("Failed ") {
		return ConnectEvent{Kind: ConnectFailed}
	}
	if n := len(t); n > 2 && t[n-1] == ']' {
		if k := bytes.LastIndexByte(t, '['); k > 0 && bytes.IndexByte(t[:k], ' ') < 0 {
			if a, ok := msgtrk.ParseAddr(t[k+1 : n-1]); ok {
				return ConnectEvent{Kind: ConnectDNS, Host: t[:k], IP: a}
			}
		}
	}
	return ConnectEvent{}
}
