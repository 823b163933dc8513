package sourcecontext

import (
	"strconv"
	"time"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// Session identifies an SMTP session or a store-driver delivery session:
// a 16-digit hexadecimal id and the session's start time, written
// "08DC1DB12C345BE5;2024-01-25T15:16:09.544Z". The zero Session means
// "absent".
//
// The Raw slices are subslices of the parsed input: they stay valid as long
// as that input is unchanged and must not be modified. Session is a plain
// value, safe to copy and to read from several goroutines.
type Session struct {
	// IDRaw is the id as written; ID its value (0 when IDRaw is not 1 to 16
	// hexadecimal digits).
	IDRaw []byte
	ID    uint64
	// StartRaw is the start time as written; Start its value (zero when
	// StartRaw is malformed).
	StartRaw []byte
	Start    time.Time
}

// IsValid reports whether s holds a session: IDRaw is not empty or ID is
// not 0.
func (s Session) IsValid() bool { return len(s.IDRaw) > 0 || s.ID != 0 }

// appendTo writes "id;start", from the Raw spellings when present and the
// typed values otherwise.
func (s Session) appendTo(dst []byte) []byte {
	if len(s.IDRaw) > 0 {
		dst = append(dst, s.IDRaw...)
	} else {
		dst = appendHex16(dst, s.ID)
	}
	dst = append(dst, ';')
	if len(s.StartRaw) > 0 {
		return append(dst, s.StartRaw...)
	}
	if s.Start.IsZero() {
		return dst
	}
	return msgtrk.AppendTime(dst, s.Start)
}

func appendHex16(dst []byte, v uint64) []byte {
	const digits = "0123456789ABCDEF"
	for shift := 60; shift >= 0; shift -= 4 {
		dst = append(dst, digits[v>>uint(shift)&0xF])
	}
	return dst
}

// parseSession decodes the id and start parts of a session; base and
// startBase are their offsets in the input, for errors.
func parseSession(id, start []byte, base, startBase int, es *errState) Session {
	tid, tstart := ascii.TrimSpace(id), ascii.TrimSpace(start)
	base += offsetIn(id, tid)
	startBase += offsetIn(start, tstart)
	s := Session{IDRaw: tid, StartRaw: tstart}
	if v, ok := parseHex64(tid); ok && len(tid) == 16 {
		s.ID = v
	} else {
		if ok {
			s.ID = v
		}
		es.Set(base, ErrSessionID)
	}
	if t, ok := msgtrk.ParseTime(tstart); ok {
		s.Start = t
	} else {
		es.Set(startBase, ErrTime)
	}
	return s
}

// Receive is the source-context of SMTP RECEIVE rows:
//
//	08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;0
//
// the receiving session and the ordinal of the message within it (0 for the
// first). The Raw slices are subslices of the parsed input, without the
// blanks around each part; see [Session].
type Receive struct {
	Session Session
	// OrdinalRaw is the ordinal as written; Ordinal its value.
	OrdinalRaw []byte
	Ordinal    int
}

// ParseReceive parses an SMTP RECEIVE context, session id ';' start time ';'
// ordinal. The id must be 16 hexadecimal digits, the time an RFC 3339
// date-time as msgtrk.ParseTime reads it (Exchange writes
// yyyy-MM-ddTHH:mm:ss.fffZ) and the ordinal a decimal number.
//
// Lenient: every part is kept raw and decoded when well-formed; the
// error is the one nearest the start ([ErrSessionID], [ErrTime],
// [ErrOrdinal], or [ErrSyntax] for a missing or extra ';'). It does no
// allocation unless it returns an error.
func ParseReceive(b []byte) (Receive, error) {
	var es errState
	r := parseReceive(b, 0, &es)
	return r, es.err(b)
}

func parseReceive(b []byte, base int, es *errState) Receive {
	var r Receive
	i := ascii.IndexByteFrom(b, 0, ';')
	if i < 0 {
		es.Set(base+len(b), ErrSyntax)
		r.Session = parseSession(b, nil, base, base+len(b), es)
		return r
	}
	j := ascii.IndexByteFrom(b, i+1, ';')
	if j < 0 {
		es.Set(base+len(b), ErrSyntax)
		r.Session = parseSession(b[:i], b[i+1:], base, base+i+1, es)
		return r
	}
	r.Session = parseSession(b[:i], b[i+1:j], base, base+i+1, es)
	ord := b[j+1:]
	if k := ascii.IndexByteFrom(ord, 0, ';'); k >= 0 {
		es.Set(base+j+1+k, ErrSyntax)
		ord = ord[:k]
	}
	tord := ascii.TrimSpace(ord)
	r.OrdinalRaw = tord
	if v, ok := parseInt64(tord); ok && v <= 1<<31-1 {
		r.Ordinal = int(v)
	} else {
		es.Set(base+j+1+offsetIn(ord, tord), ErrOrdinal)
	}
	return r
}

// AppendTo appends the context as Exchange writes it. Each part is written
// from its Raw spelling when that is not empty, from the typed value
// otherwise (the id as 16 upper-case hex digits, the time with
// milliseconds). It does no allocation when dst has room.
func (r Receive) AppendTo(dst []byte) []byte {
	dst = r.Session.appendTo(dst)
	dst = append(dst, ';')
	if len(r.OrdinalRaw) > 0 {
		return append(dst, r.OrdinalRaw...)
	}
	return strconv.AppendInt(dst, int64(r.Ordinal), 10)
}
