package sourcecontext

import (
	"bytes"
	"time"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/recipstatus"
)

// NextHop is the "[InternalId=…, Hostname=…]" part of a remote SMTP reply
// from another Exchange server: the internal-message-id the next hop gave
// the message and that server's name. It links a SEND or HAREDIRECT row to
// the next server's rows for the same message.
//
// The Exchange 2013 writer swaps the two values ("[InternalId=<host>,
// Hostname=<number>]"); the pair is normalised by shape (the all-digits
// value is the id) and Swapped records that it was.
//
// The slices are subslices of the parsed input. The zero NextHop means
// "absent". NextHop is a plain value, safe to copy and to share.
type NextHop struct {
	// InternalIDRaw is the id as written (after un-swapping); InternalID
	// its value, 0 when it is not a decimal int64.
	InternalIDRaw []byte
	InternalID    int64
	// Host is the next hop's host name.
	Host []byte
	// Swapped reports that the values were written under each other's key.
	Swapped bool
}

// IsValid reports whether h holds an id or a host.
func (h NextHop) IsValid() bool { return len(h.InternalIDRaw) > 0 || len(h.Host) > 0 }

// Reply is a remote SMTP reply as written in source-context, with the parts
// that link hops:
//
//	250 2.6.0 <1736846922.907742.2942@foo.bar.local> [InternalId=5450313518243, Hostname=AAAA.bbbb.prod.outlook.com] 141301 bytes in 0.101, 1361.827 KB/sec Queued mail for delivery
//
// MessageID and Next are views into Response.Text. The slices are subslices
// of the parsed input. Reply is a plain value, safe to copy and to share.
type Reply struct {
	// Response is the reply, decoded by recipstatus.ParseResponse.
	Response recipstatus.Response
	// MessageID is the message id between '<' and '>' that starts the text,
	// without the brackets and the blanks inside them; empty when absent.
	MessageID []byte
	// Next is the first bracketed group of the text holding an InternalId
	// or Hostname key.
	Next NextHop
}

// ParseReply parses a remote SMTP reply and finds its message id and next
// hop. Blanks around '=', '<' and '>' are tolerated (a published sample has
// them added by an editor); keys are matched ignoring case.
//
// Lenient: it returns every part it found plus the error nearest the
// start (recipstatus.ErrCode for a reply without a code, [ErrNextHop] for an
// id that is not a decimal int64). It does no allocation unless it returns
// an error.
func ParseReply(b []byte) (Reply, error) {
	var es errState
	r := parseReply(b, 0, &es)
	return r, es.err(b)
}

func parseReply(b []byte, base int, es *errState) Reply {
	var r Reply
	resp, err := recipstatus.ParseResponse(b)
	if err != nil {
		es.merge(base, err)
	}
	r.Response = resp
	text := resp.Text
	tbase := base + offsetIn(b, text)
	if len(text) > 0 && text[0] == '<' {
		if k := ascii.IndexByteFrom(text, 1, '>'); k > 0 {
			r.MessageID = ascii.TrimSpace(text[1:k])
		}
	}
	r.Next = findNextHop(text, tbase, es)
	return r
}

// findNextHop scans the bracketed groups of text for the InternalId and
// Hostname keys.
func findNextHop(text []byte, base int, es *errState) NextHop {
	for i := 0; i < len(text); i++ {
		if text[i] != '[' {
			continue
		}
		end := ascii.IndexByteFrom(text, i+1, ']')
		if end < 0 {
			return NextHop{}
		}
		var id, host []byte
		var idOff int
		found := false
		g := text[i+1 : end]
		for start := 0; start <= len(g); {
			stop := ascii.IndexByteFrom(g, start, ',')
			if stop < 0 {
				stop = len(g)
			}
			part := g[start:stop]
			if eq := ascii.IndexByteFrom(part, 0, '='); eq >= 0 {
				k, v := ascii.TrimSpace(part[:eq]), ascii.TrimSpace(part[eq+1:])
				switch {
				case ascii.EqualFold(k, "InternalId"):
					id, idOff, found = v, base+i+1+offsetIn(g, v), true
				case ascii.EqualFold(k, "Hostname"):
					host, found = v, true
				}
			}
			start = stop + 1
		}
		if !found {
			i = end
			continue
		}
		h := NextHop{InternalIDRaw: id, Host: host}
		if len(id) > 0 && !allDigits(id) && allDigits(host) {
			h.InternalIDRaw, h.Host, h.Swapped = host, id, true
			idOff = base + i + 1 + offsetIn(g, host)
		}
		if len(h.InternalIDRaw) > 0 {
			if v, ok := parseInt64(h.InternalIDRaw); ok {
				h.InternalID = v
			} else {
				es.Set(idOff, ErrNextHop)
			}
		}
		return h
	}
	return NextHop{}
}

// Send is the source-context of SMTP SEND and SENDEXTERNAL rows, and (with
// no reply) of STOREDRIVER DELIVER and DELIVERFAIL rows:
//
//	;250 2.6.0 <id@host> [InternalId=5450313518243, Hostname=next.example.com] Queued mail for delivery;ClientSubmitTime:
//	08D9AE1AA4FEA27C;2021-11-23T19:49:37.215Z;ClientSubmitTime:2021-11-23T19:49:36.380Z
//	08D8648A8359CDFE;2020-10-07T16:27:19.546Z
//
// an optional session, the remote reply, and the client submit time, whose
// key may be written with an empty value. The slices are subslices of the
// parsed input; Send is a plain value, safe to copy and to share.
type Send struct {
	// Session is the sending (or delivery) session, zero when absent.
	Session Session
	// Reply is the remote server's reply, zero when absent.
	Reply Reply
	// HasClientSubmitTime reports that "ClientSubmitTime:" was written;
	// ClientSubmitTimeRaw is its value as written (possibly empty) and
	// ClientSubmitTime that value decoded (zero when empty or malformed).
	HasClientSubmitTime bool
	ClientSubmitTimeRaw []byte
	ClientSubmitTime    time.Time
}

const cstKey = "ClientSubmitTime:"

// ParseSend parses an SMTP SEND or SENDEXTERNAL context:
//
//	[ id ";" start ] ";" reply [ ";ClientSubmitTime:" [ time ] ]
//
// The session is recognised by shape (16 hexadecimal digits then ';'); the
// reply is what lies between the session (or the leading ';') and the last
// ";ClientSubmitTime:", and may itself contain ';'. A reply with no leading
// ';' (as in the documentation's "250 2.0.0 OK;ClientSubmitTime:<UTC>") is
// accepted.
//
// Lenient: every part is kept raw and decoded when well-formed; the
// error is the one nearest the start ([ErrSessionID], [ErrTime], the reply's
// errors, [ErrNextHop]). It does no allocation unless it returns an error.
func ParseSend(b []byte) (Send, error) {
	var es errState
	s := parseSend(b, 0, &es)
	return s, es.err(b)
}

// ParseDelivery parses a STOREDRIVER DELIVER or DELIVERFAIL context (from
// the MSGTRKMD log): a delivery session and, in Exchange Online, the client
// submit time. It is [ParseSend] under another name, documented apart
// because its input normally has no reply; one found is kept in Reply.
func ParseDelivery(b []byte) (Send, error) { return ParseSend(b) }

func parseSend(b []byte, base int, es *errState) Send {
	var s Send
	rest := b
	if k := bytes.LastIndex(b, []byte(cstKey)); k >= 0 && (k == 0 || b[k-1] == ';') {
		s.HasClientSubmitTime = true
		v := ascii.TrimSpace(b[k+len(cstKey):])
		s.ClientSubmitTimeRaw = v
		if len(v) > 0 {
			if t, ok := msgtrk.ParseTime(v); ok {
				s.ClientSubmitTime = t
			} else {
				es.Set(base+offsetIn(b, v), ErrTime)
			}
		}
		rest = b[:max(k-1, 0)]
	}
	if n := hexRun(rest); n == 16 && n < len(rest) && rest[n] == ';' {
		e := ascii.IndexByteFrom(rest, n+1, ';')
		if e < 0 {
			e = len(rest)
		}
		s.Session = parseSession(rest[:n], rest[n+1:e], base, base+n+1, es)
		rest = rest[min(e+1, len(rest)):]
	} else if len(rest) > 0 && rest[0] == ';' {
		rest = rest[1:]
	}
	if t := ascii.TrimSpace(rest); len(t) > 0 {
		s.Reply = parseReply(t, base+offsetIn(b, t), es)
	}
	return s
}

func hexRun(b []byte) int {
	n := 0
	for n < len(b) {
		if _, ok := ascii.Unhex(b[n]); !ok {
			break
		}
		n++
	}
	return n
}

// AppendTo appends the context as Exchange writes it: the session (or an
// empty first part), the reply in canonical form (recipstatus
// Response.AppendTo), and ";ClientSubmitTime:" when HasClientSubmitTime.
// Parts are written from their Raw spellings when not empty, from the typed
// values otherwise. It does no allocation when dst has room.
func (s Send) AppendTo(dst []byte) []byte {
	hasReply := s.Reply.Response.Code != 0 || len(s.Reply.Response.Raw) > 0
	if s.Session.IsValid() {
		dst = s.Session.appendTo(dst)
		if hasReply {
			dst = append(dst, ';')
		}
	} else {
		dst = append(dst, ';')
	}
	if hasReply {
		dst = s.Reply.Response.AppendTo(dst)
	}
	if s.HasClientSubmitTime {
		dst = append(dst, ';')
		dst = append(dst, cstKey...)
		if len(s.ClientSubmitTimeRaw) > 0 {
			dst = append(dst, s.ClientSubmitTimeRaw...)
		} else if !s.ClientSubmitTime.IsZero() {
			dst = msgtrk.AppendTime(dst, s.ClientSubmitTime)
		}
	}
	return dst
}

// Shadow is the source-context of SMTP HAREDIRECT rows: the shadow server
// and its reply.
//
//	EX13D13UWB004.ant.amazon.com = 250 2.6.0 <id@host> [InternalId=EX13D13UWB004.ant.amazon.com, Hostname=64712272257897] Queued mail for redundancy
//
// The slices are subslices of the parsed input. Shadow is a plain value,
// safe to copy and to share.
type Shadow struct {
	// Host is the shadow server, without blanks around it.
	Host []byte
	// Reply is its reply.
	Reply Reply
}

// ParseShadow parses an SMTP HAREDIRECT context, host "=" reply, tolerating
// blanks anywhere around the separators.
//
// Lenient: without '=' the whole input is read as the reply and the
// error wraps [ErrSyntax]; otherwise the errors are those of [ParseReply].
// It does no allocation unless it returns an error.
func ParseShadow(b []byte) (Shadow, error) {
	var es errState
	s := parseShadow(b, 0, &es)
	return s, es.err(b)
}

func parseShadow(b []byte, base int, es *errState) Shadow {
	var s Shadow
	eq := ascii.IndexByteFrom(b, 0, '=')
	rest := b
	if eq < 0 {
		es.Set(base, ErrSyntax)
	} else {
		s.Host = ascii.TrimSpace(b[:eq])
		rest = b[eq+1:]
	}
	if t := ascii.TrimSpace(rest); len(t) > 0 {
		s.Reply = parseReply(t, base+offsetIn(b, t), es)
	}
	return s
}
