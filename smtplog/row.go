package smtplog

import (
	"bytes"
	"net/netip"
	"strconv"
	"time"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// Event is the one-character event of a protocol log row, or the direction
// of a connectivity log row (format.md §14.2, §14.4). Directions are the
// logging server's: in a receive log Received is the client's command and
// Sent the server's reply; in a send log Sent is Exchange's command and
// Received the remote server's reply.
type Event uint8

// The events.
const (
	EventUnknown    Event = iota // anything else (the raw character is in Row.EventRaw)
	EventConnect                 // '+': the TCP connection was made (or, in a connectivity log, the session began)
	EventDisconnect              // '-': the session ended; the context (description) says why
	EventSent                    // '>': a line the logging server sent
	EventReceived                // '<': a line the logging server received
	EventInfo                    // '*': information; the context names it, the data may hold a value
)

var eventNames = [...]string{"unknown", "connect", "disconnect", "sent", "received", "info"}

// String returns "connect", "disconnect", "sent", "received", "info",
// "unknown", or "Event(n)".
func (e Event) String() string {
	if int(e) < len(eventNames) {
		return eventNames[e]
	}
	return "Event(" + strconv.Itoa(int(e)) + ")"
}

// Char returns the character Exchange writes for e ('+', '-', '>', '<',
// '*'), or '?' for EventUnknown and other values.
func (e Event) Char() byte {
	if e >= EventConnect && e <= EventInfo {
		return "?+-><*"[e]
	}
	return '?'
}

// ParseEvent reads an event column: one of + - > < *, blanks around it
// ignored. Anything else is EventUnknown.
func ParseEvent(b []byte) Event {
	b = ascii.TrimSpace(b)
	if len(b) != 1 {
		return EventUnknown
	}
	switch b[0] {
	case '+':
		return EventConnect
	case '-':
		return EventDisconnect
	case '>':
		return EventSent
	case '<':
		return EventReceived
	case '*':
		return EventInfo
	}
	return EventUnknown
}

// Endpoint is a local-endpoint or remote-endpoint column: "ip:port" for
// IPv4, "[ip]:port" for IPv6 (the .NET form; no real IPv6 endpoint was
// found, format.md §14.2). Raw is the column as written. AddrPort is its
// value, invalid when Raw is empty (a send session before it connects) or
// not an address and port (anonymised samples write
// "InternalIPOfMyMailServer:10437" or "10.**.**.31:37964"); the text then
// stays in Raw and nothing is lost.
type Endpoint struct {
	Raw      []byte
	AddrPort netip.AddrPort
}

// ParseEndpoint reads an endpoint column; see [Endpoint]. It does no
// allocation (an IPv6 zone is interned by package netip, as
// msgtrk.ParseAddr says).
func ParseEndpoint(b []byte) Endpoint {
	e := Endpoint{Raw: b}
	t := ascii.TrimSpace(b)
	var host, port []byte
	if len(t) > 0 && t[0] == '[' {
		k := bytes.IndexByte(t, ']')
		if k < 0 || k+1 >= len(t) || t[k+1] != ':' {
			return e
		}
		host, port = t[1:k], t[k+2:]
	} else {
		k := bytes.IndexByte(t, ':')
		if k < 0 || bytes.IndexByte(t[k+1:], ':') >= 0 {
			return e // no port, or a bare IPv6 address: ambiguous
		}
		host, port = t[:k], t[k+1:]
	}
	a, ok := msgtrk.ParseAddr(host)
	if !ok {
		return e
	}
	p, ok := ascii.ParseInt64(port)
	if !ok || p > 65535 {
		return e
	}
	e.AddrPort = netip.AddrPortFrom(a, uint16(p))
	return e
}

// The columns of the two layouts (format.md §14.2, §14.4), matched by name
// without regard to case.
const (
	colTime = iota
	colConnector
	colSession
	colSeq
	colLocal
	colRemote
	colEvent
	colData
	colContext
	colSource
	colDestination
	colDescription
	numCols
)

var protocolColumns = [...]struct {
	col  int
	name string
}{
	{colTime, "date-time"}, {colConnector, "connector-id"}, {colSession, "session-id"},
	{colSeq, "sequence-number"}, {colLocal, "local-endpoint"}, {colRemote, "remote-endpoint"},
	{colEvent, "event"}, {colData, "data"}, {colContext, "context"},
}

var connectivityColumns = [...]struct {
	col  int
	name string
}{
	{colTime, "date-time"}, {colSession, "session"}, {colSource, "source"},
	{colDestination, "destination"}, {colEvent, "direction"}, {colDescription, "description"},
}

// The #Log-type: values of the logs this package reads (format.md §14.1,
// §14.4).
const (
	LogTypeReceive      = "SMTP Receive Protocol Log"
	LogTypeSend         = "SMTP Send Protocol Log"
	LogTypeConnectivity = "Transport Connectivity Log"
)

// KindOfLogType returns the kind a #Log-type: value names: LogSmtpReceive,
// LogSmtpSend, LogConnectivity, or LogUnknown for any other value
// (message tracking logs included). Case does not matter.
func KindOfLogType(logType string) msgtrk.LogKind {
	switch {
	case ascii.EqualFold(logType, LogTypeReceive):
		return msgtrk.LogSmtpReceive
	case ascii.EqualFold(logType, LogTypeSend):
		return msgtrk.LogSmtpSend
	case ascii.EqualFold(logType, LogTypeConnectivity):
		return msgtrk.LogConnectivity
	}
	return msgtrk.LogUnknown
}

// Row is one row of an SMTP protocol log or of a connectivity log, its
// columns typed. Which columns are set depends on Kind:
//
//   - protocol logs (LogSmtpReceive, LogSmtpSend, or LogUnknown when neither
//     the header nor the file name tells receive from send): Connector,
//     Session, Seq, Local, Remote, Event, Data, Context;
//   - connectivity logs (LogConnectivity): Session, Source, Destination,
//     Event (the direction), Description; Seq is -1.
//
// Every slice is a view of the row as read: valid until the next call to
// the Scanner's Next (or to Decode with another row), and not to be
// modified. A value that does not parse leaves its typed field zero (Seq
// -1) and its text in the Raw field; Decode reports it.
type Row struct {
	Kind msgtrk.LogKind
	// Time is the date-time column; zero when malformed.
	Time time.Time
	// SessionRaw is the session-id (session) column; Session its value,
	// 0 when SessionRaw is not 1 to 16 hexadecimal digits.
	SessionRaw []byte
	Session    uint64
	// Seq is the sequence-number, -1 when absent or malformed.
	Seq int64
	// Connector is the connector-id (protocol logs).
	Connector []byte
	// Local and Remote are the endpoints (protocol logs).
	Local, Remote Endpoint
	// Event is the event (direction) column; EventRaw as written.
	Event    Event
	EventRaw []byte
	// Data and Context are the last two columns of a protocol log, with
	// CSV quoting removed and line-break escapes left as written.
	Data, Context []byte
	// Source, Destination and Description are the connectivity log's.
	Source, Destination, Description []byte

	rec *msgtrk.Record
}

// Record returns the tracking-log-syntax record the row was decoded from:
// its file, line and raw columns. It has the row's lifetime.
func (r *Row) Record() *msgtrk.Record { return r.rec }

// IsConnectivity reports whether the row is a connectivity log row.
func (r *Row) IsConnectivity() bool { return r.Kind == msgtrk.LogConnectivity }

// Decoder decodes the records of protocol and connectivity logs into Rows.
// It maps column names to indexes once per header (per [msgtrk.Columns]),
// so decoding a row does no allocation. The zero Decoder is ready to use;
// a Decoder is not safe for concurrent use.
type Decoder struct {
	cols msgtrk.Columns
	ok   bool // cols is one of the two layouts
	kind msgtrk.LogKind
	idx  [numCols]int16
	eps  endpointCache
}

// endpointCache remembers the last endpoints parsed: a server's local
// endpoint is the same on most rows, and a few sessions interleave, so
// most rows find both of theirs here.
type endpointCache struct {
	raw  [4][48]byte
	n    [4]uint8
	v    [4]netip.AddrPort
	next int
}

// parse returns ParseEndpoint(b), from the cache when b was seen lately.
func (c *endpointCache) parse(b []byte) Endpoint {
	if len(b) == 0 || len(b) > len(c.raw[0]) {
		return ParseEndpoint(b)
	}
	for i := range c.raw {
		if int(c.n[i]) == len(b) && string(c.raw[i][:len(b)]) == string(b) {
			return Endpoint{Raw: b, AddrPort: c.v[i]}
		}
	}
	e := ParseEndpoint(b)
	i := c.next
	c.next = (c.next + 1) % len(c.raw)
	c.n[i] = uint8(copy(c.raw[i][:], b))
	c.v[i] = e.AddrPort
	return e
}

// layout maps the record's columns, when they changed since the last
// record.
func (d *Decoder) layout(c msgtrk.Columns) {
	if c == d.cols {
		return
	}
	d.cols = c
	for i := range d.idx {
		d.idx[i] = -1
	}
	d.ok = false
	d.kind = KindOfLogType(c.LogType())
	switch {
	case c.Index("session-id") >= 0 && c.Index("event") >= 0:
		for _, pc := range protocolColumns {
			d.idx[pc.col] = int16(c.Index(pc.name))
		}
		d.ok = d.kind != msgtrk.LogConnectivity
	case c.Index("session") >= 0 && c.Index("direction") >= 0:
		for _, pc := range connectivityColumns {
			d.idx[pc.col] = int16(c.Index(pc.name))
		}
		d.ok = d.kind == msgtrk.LogConnectivity || d.kind == msgtrk.LogUnknown
		d.kind = msgtrk.LogConnectivity
	}
	if c.LogType() != "" && d.kind == msgtrk.LogUnknown {
		d.ok = false // a #Log-type: that names another log
	}
}

func (d *Decoder) col(rec *msgtrk.Record, c int) []byte {
	if i := d.idx[c]; i >= 0 {
		return rec.Column(int(i))
	}
	return nil
}

// Decode fills row from rec, a record of a protocol or connectivity log
// read by a msgtrk.Reader or Merger. The kind comes from the header's
// #Log-type:, else from the file name (rec.Origin().Kind), else is
// LogUnknown (a headerless protocol log from a stream).
//
// It is lenient: every column is kept, typed when well-formed, and the
// returned error is the first problem of the row as a *msgtrk.ParseError
// (file, line, exact column) wrapping msgtrk.ErrSyntax (date-time),
// [ErrSessionID], [ErrSequence] or [ErrEvent]. An endpoint that is not an
// address is not an error (see [Endpoint]). A record whose columns are not
// those of a protocol or connectivity log (a message tracking log) is not
// decoded: row is zeroed and the error wraps [ErrNotProtocolLog]. It does
// no allocation unless it returns an error.
func (d *Decoder) Decode(rec *msgtrk.Record, row *Row) error {
	d.layout(rec.Columns())
	*row = Row{rec: rec, Seq: -1}
	if !d.ok {
		return &msgtrk.ParseError{File: rec.Origin().File, Line: rec.LineNumber(), Column: 1, Offset: rec.InputOffset(), Err: ErrNotProtocolLog}
	}
	row.Kind = d.kind
	if row.Kind == msgtrk.LogUnknown {
		if k := rec.Origin().Kind; k == msgtrk.LogSmtpReceive || k == msgtrk.LogSmtpSend {
			row.Kind = k
		}
	}
	var first *msgtrk.ParseError
	fail := func(c, off int, err error) {
		if first == nil {
			first = rec.ColumnError(int(d.idx[c]), off, err)
		}
	}
	if t, err := rec.Time(); err == nil {
		row.Time = t
	} else if first == nil {
		first, _ = err.(*msgtrk.ParseError)
	}
	row.SessionRaw = d.col(rec, colSession)
	if v, ok := ascii.ParseHex64(ascii.TrimSpace(row.SessionRaw)); ok {
		row.Session = v
	} else if d.idx[colSession] >= 0 {
		fail(colSession, 0, ErrSessionID)
	}
	if d.idx[colSeq] >= 0 {
		if v, ok := ascii.ParseInt64(ascii.TrimSpace(d.col(rec, colSeq))); ok {
			row.Seq = v
		} else {
			fail(colSeq, 0, ErrSequence)
		}
	}
	row.EventRaw = d.col(rec, colEvent)
	if row.Event = ParseEvent(row.EventRaw); row.Event == EventUnknown && d.idx[colEvent] >= 0 {
		fail(colEvent, 0, ErrEvent)
	}
	if row.Kind == msgtrk.LogConnectivity {
		row.Source = d.col(rec, colSource)
		row.Destination = d.col(rec, colDestination)
		row.Description = d.col(rec, colDescription)
	} else {
		row.Connector = d.col(rec, colConnector)
		row.Local = d.eps.parse(d.col(rec, colLocal))
		row.Remote = d.eps.parse(d.col(rec, colRemote))
		row.Data = d.col(rec, colData)
		row.Context = d.col(rec, colContext)
	}
	if first != nil {
		return first
	}
	return nil
}
