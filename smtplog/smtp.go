package smtplog

import (
	"bytes"
	"net/netip"
	"strconv"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/recipstatus"
)

// Verb is the verb of an SMTP command line.
type Verb uint8

// The verbs decoded. Any other verb is VerbUnknown, its spelling kept in
// Command.VerbRaw.
const (
	VerbUnknown    Verb = iota
	VerbHELO            // HELO name
	VerbEHLO            // EHLO name
	VerbSTARTTLS        // STARTTLS
	VerbAUTH            // AUTH mechanism [initial response]
	VerbXEXPS           // X-EXPS mechanism: Exchange server-to-server authentication
	VerbMAIL            // MAIL FROM:<path> [params]
	VerbRCPT            // RCPT TO:<path> [params]
	VerbDATA            // DATA
	VerbBDAT            // BDAT size [LAST]
	VerbRSET            // RSET
	VerbQUIT            // QUIT
	VerbNOOP            // NOOP
	VerbXPROXYFROM      // XPROXYFROM SID=… IP=… PORT=… …: a front end handing its client over (format.md §14.3)
	VerbXSHADOW         // XSHADOW and XSHADOWREQUEST: shadow redundancy
	numVerbs
)

var verbNames = [numVerbs]string{"", "HELO", "EHLO", "STARTTLS", "AUTH", "X-EXPS", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "QUIT", "NOOP", "XPROXYFROM", "XSHADOW"}

// String returns the verb as written in SMTP ("EHLO", "X-EXPS", …),
// "unknown", or "Verb(n)".
func (v Verb) String() string {
	switch {
	case v == VerbUnknown:
		return "unknown"
	case v < numVerbs:
		return verbNames[v]
	}
	return "Verb(" + strconv.Itoa(int(v)) + ")"
}

// Command is an SMTP command line as a protocol log writes it in the data
// column (a "<" row of a receive log, a ">" row of a send log):
//
//	EHLO mgt.my.domain.tld          → VerbEHLO, Arg "mgt.my.domain.tld"
//	MAIL FROM:<> SIZE=18019         → VerbMAIL, Arg "<> SIZE=18019"
//	RCPT TO:<bob@contoso.com>       → VerbRCPT, Arg "<bob@contoso.com>"
//	X-EXPS GSSAPI                   → VerbXEXPS, Arg "GSSAPI"
//
// For MAIL and RCPT, Arg starts after "FROM:" or "TO:". The slices are
// subslices of the input.
type Command struct {
	Verb    Verb
	VerbRaw []byte
	Arg     []byte
}

// ParseCommand parses an SMTP command line. The verb is the first word,
// matched without case; "MAIL FROM:" and "RCPT TO:" are taken as one verb
// each, with or without a blank after the colon.
//
// It is lenient: an unknown verb is VerbUnknown with VerbRaw kept, not an
// error; the error, wrapping [ErrCommand], is for an empty line and for a
// line that starts with a reply code (use [IsReply] first), and for MAIL or
// RCPT without "FROM:" or "TO:" (the argument then holds the rest). It does
// no allocation unless it returns an error.
func ParseCommand(b []byte) (Command, error) {
	var es errState
	t := ascii.TrimSpace(b)
	base := cap(b) - cap(t)
	if len(t) == 0 || IsReply(t) {
		es.Set(base, ErrCommand)
		return Command{Arg: t}, es.err(b)
	}
	end := bytes.IndexByte(t, ' ')
	if end < 0 {
		end = len(t)
	}
	c := Command{VerbRaw: t[:end], Arg: ascii.TrimSpace(t[end:])}
	for v := VerbHELO; v < numVerbs; v++ {
		if ascii.EqualFold(c.VerbRaw, verbNames[v]) {
			c.Verb = v
			break
		}
	}
	if c.Verb == VerbUnknown && ascii.EqualFold(c.VerbRaw, "XSHADOWREQUEST") {
		c.Verb = VerbXSHADOW
	}
	var key string
	switch c.Verb {
	case VerbMAIL:
		key = "FROM:"
	case VerbRCPT:
		key = "TO:"
	default:
		return c, nil
	}
	if len(c.Arg) >= len(key) && ascii.EqualFold(c.Arg[:len(key)], key) {
		c.Arg = ascii.TrimSpace(c.Arg[len(key):])
	} else {
		es.Set(cap(b)-cap(c.Arg), ErrCommand)
	}
	return c, es.err(b)
}

// IsReply reports whether b (blanks before it ignored) starts like an SMTP
// reply line: three digits followed by the end, a blank or '-'. No SMTP
// command starts with a digit, so this tells a protocol log's replies from
// its commands whatever the log's direction.
func IsReply(b []byte) bool {
	b = ascii.TrimSpace(b)
	if len(b) < 3 || !ascii.IsDigit(b[0]) || !ascii.IsDigit(b[1]) || !ascii.IsDigit(b[2]) {
		return false
	}
	return len(b) == 3 || b[3] == ' ' || b[3] == '-' || b[3] == '\t'
}

// ReplyLine is one line of an SMTP reply as a protocol log writes it: a
// reply of several lines is one row per line, "250-…" for each line but the
// last, "250 …" for the last (format.md §14.3). Response is the line
// decoded by recipstatus.ParseResponse; for a continuation line its Text is
// what follows "NNN-" (an enhanced code there is not split off). More is
// true for a continuation line.
type ReplyLine struct {
	recipstatus.Response
	More bool
}

// ParseReplyLine parses one reply line. Its errors are those of
// recipstatus.ParseResponse (recipstatus.ErrCode for a line without a
// three-digit code). It does no allocation unless it returns an error.
func ParseReplyLine(b []byte) (ReplyLine, error) {
	t := ascii.TrimSpace(b)
	if len(t) >= 4 && t[3] == '-' && IsReply(t) {
		code := uint16(t[0]-'0')*100 + uint16(t[1]-'0')*10 + uint16(t[2]-'0')
		return ReplyLine{Response: recipstatus.Response{Raw: b, Code: code, Text: ascii.TrimSpace(t[4:])}, More: true}, nil
	}
	r, err := recipstatus.ParseResponse(b)
	if err != nil {
		var es errState
		es.merge(0, err)
		return ReplyLine{Response: r}, es.err(b)
	}
	return ReplyLine{Response: r}, nil
}

// Path is the argument of MAIL FROM or RCPT TO: the address between '<'
// and '>' and the ESMTP parameters after it.
//
//	<> SIZE=18019                  → Address "", Null true, Size 18019
//	<bob@contoso.com> NOTIFY=NEVER → Address "bob@contoso.com", Params "NOTIFY=NEVER", Size -1
//
// The slices are subslices of the input.
type Path struct {
	// Address is the path without its brackets and blanks; empty for the
	// null reverse-path "<>".
	Address []byte
	// Null reports the null path "<>".
	Null bool
	// Params is the text after the path, without surrounding blanks.
	Params []byte
	// Size is the SIZE= parameter, -1 when absent or malformed.
	Size int64
}

// ParsePath parses a MAIL FROM or RCPT TO argument (Command.Arg). A path
// written without brackets (some clients) is read up to the first blank.
//
// It is lenient: a '<' without '>' gives the address up to the end and an
// error wrapping [ErrPath]; a SIZE= value that is not a decimal number
// leaves Size -1 and an error wrapping [ErrNumber]. It does no allocation
// unless it returns an error.
func ParsePath(b []byte) (Path, error) {
	var es errState
	p := Path{Size: -1}
	t := ascii.TrimSpace(b)
	base := cap(b) - cap(t)
	var rest []byte
	if len(t) > 0 && t[0] == '<' {
		k := bytes.IndexByte(t, '>')
		if k < 0 {
			es.Set(base+len(t), ErrPath)
			p.Address = ascii.TrimSpace(t[1:])
			return p, es.err(b)
		}
		p.Address = ascii.TrimSpace(t[1:k])
		p.Null = len(p.Address) == 0
		rest = t[k+1:]
	} else {
		k := bytes.IndexByte(t, ' ')
		if k < 0 {
			k = len(t)
		}
		p.Address, rest = t[:k], t[k:]
	}
	p.Params = ascii.TrimSpace(rest)
	for ps := p.Params; len(ps) > 0; {
		k := bytes.IndexByte(ps, ' ')
		if k < 0 {
			k = len(ps)
		}
		if kv := ps[:k]; len(kv) > 5 && ascii.EqualFold(kv[:5], "SIZE=") {
			if v, ok := ascii.ParseInt64(kv[5:]); ok {
				p.Size = v
			} else {
				es.Set(cap(b)-cap(kv)+5, ErrNumber)
			}
		}
		ps = ascii.TrimSpace(ps[k:])
	}
	return p, es.err(b)
}

// BDAT is the argument of a BDAT command: the chunk's size and whether it
// is the last chunk.
type BDAT struct {
	Size int64 // -1 when malformed
	Last bool
}

// ParseBDAT parses "size [LAST]". A size that is not a decimal number
// leaves Size -1 and returns an error wrapping [ErrNumber]. It does no
// allocation unless it returns an error.
func ParseBDAT(b []byte) (BDAT, error) {
	t := ascii.TrimSpace(b)
	k := bytes.IndexByte(t, ' ')
	if k < 0 {
		k = len(t)
	}
	d := BDAT{Size: -1, Last: ascii.EqualFold(ascii.TrimSpace(t[k:]), "LAST")}
	if v, ok := ascii.ParseInt64(t[:k]); ok {
		d.Size = v
		return d, nil
	}
	var es errState
	es.Set(cap(b)-cap(t), ErrNumber)
	return d, es.err(b)
}

// XProxyFrom is the argument of XPROXYFROM, the command by which a front end
// tells the hub which client it proxies (format.md §14.3):
//
//	SID=08DC1DB8591B229A IP=198.51.100.7 PORT=53228 DOMAIN=mail.example.com SEQNUM=1 PERMS=0 AUTHSRC=Anonymous
//
// Unknown keys are ignored. The slices are subslices of the input.
type XProxyFrom struct {
	// SIDRaw is the front end's receive session id; SID its value.
	SIDRaw []byte
	SID    uint64
	// IP and Port are the original client's; invalid (0) when absent or
	// malformed.
	IP   netip.Addr
	Port uint16
	// Domain is the client's HELO name.
	Domain []byte
	// SeqNum, Perms and AuthSrc are kept as written.
	SeqNum, Perms, AuthSrc []byte
}

// ParseXProxyFrom parses an XPROXYFROM argument: blank-separated KEY=value
// pairs, keys matched without case. It is lenient: every pair is read, and
// the error (wrapping [ErrParam]) is for the first SID, IP or PORT whose
// value does not have its type. It does no allocation unless it returns an
// error.
func ParseXProxyFrom(b []byte) (XProxyFrom, error) {
	var es errState
	var x XProxyFrom
	for t := ascii.TrimSpace(b); len(t) > 0; {
		k := bytes.IndexByte(t, ' ')
		if k < 0 {
			k = len(t)
		}
		kv := t[:k]
		t = ascii.TrimSpace(t[k:])
		eq := bytes.IndexByte(kv, '=')
		if eq < 0 {
			continue
		}
		key, v := kv[:eq], kv[eq+1:]
		off := cap(b) - cap(v)
		switch {
		case ascii.EqualFold(key, "SID"):
			x.SIDRaw = v
			if id, ok := ascii.ParseHex64(v); ok {
				x.SID = id
			} else {
				es.Set(off, ErrParam)
			}
		case ascii.EqualFold(key, "IP"):
			if a, ok := msgtrk.ParseAddr(v); ok {
				x.IP = a
			} else {
				es.Set(off, ErrParam)
			}
		case ascii.EqualFold(key, "PORT"):
			if p, ok := ascii.ParseInt64(v); ok && p <= 65535 {
				x.Port = uint16(p)
			} else {
				es.Set(off, ErrParam)
			}
		case ascii.EqualFold(key, "DOMAIN"):
			x.Domain = v
		case ascii.EqualFold(key, "SEQNUM"):
			x.SeqNum = v
		case ascii.EqualFold(key, "PERMS"):
			x.Perms = v
		case ascii.EqualFold(key, "AUTHSRC"):
			x.AuthSrc = v
		}
	}
	return x, es.err(b)
}
