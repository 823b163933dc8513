package smtplog

import (
	"errors"
	"hash/maphash"
	"time"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// Defaults of Options.
const (
	// DefaultIdle is Options.Idle's default: 30 minutes of log time
	// without a row, three times the longest default SMTP connection
	// timeout of Exchange's receive connectors (10 minutes).
	DefaultIdle = 30 * time.Minute
	// DefaultMaxOpen is Options.MaxOpen's default.
	DefaultMaxOpen = 100_000
	// DefaultMaxMessages, DefaultMaxRecipients and DefaultMaxTranscript
	// bound what one session keeps.
	DefaultMaxMessages   = 1000
	DefaultMaxRecipients = 1000
	DefaultMaxTranscript = 1000
)

// maxPending bounds the commands waiting for their reply (pipelining
// sends a handful; a session whose replies are missing from the log does
// not grow the queue).
const maxPending = 64

// maxContinuation bounds the text of a multi-line reply kept for its final
// line.
const maxContinuation = 4096

// maxConnectivityItems bounds a connectivity session's DNS and connection
// lists.
const maxConnectivityItems = 32

// dupRing is how many recent rows of a session are remembered to recognise
// a repeated row (the same file collected twice, read side by side by the
// Merger).
const dupRing = 8

// Options configure an Assembler.
type Options struct {
	// OnSession receives each session once its rows have ended (see
	// Termination). Required. The Session is the callee's to keep.
	OnSession func(*Session)
	// Idle ends a session that has had no row for this long in log time
	// (the latest row time seen); zero means DefaultIdle.
	Idle time.Duration
	// MaxOpen bounds the sessions kept open at once; beyond it the least
	// recently active is ended (TermEvicted). Zero means DefaultMaxOpen.
	MaxOpen int
	// Transcript keeps every row of each session in Session.Transcript,
	// at most MaxTranscript (zero: DefaultMaxTranscript).
	Transcript    bool
	MaxTranscript int
	// MaxMessages and MaxRecipients bound what a session keeps of its
	// transactions; zero means the defaults.
	MaxMessages, MaxRecipients int
}

// AssemblerStats counts an Assembler's work.
type AssemblerStats struct {
	Rows       int64           // rows added
	NoSession  int64           // rows without a session id, not assembled
	Duplicates int64           // rows dropped as repeats
	Sessions   [numTerms]int64 // sessions ended, by Termination
	MaxOpen    int             // the most sessions open at once
	Lost       int64           // commands dropped unanswered from a full reply queue
}

// Assembler groups the rows of protocol and connectivity logs into
// sessions, in bounded memory: rows of many sessions interleave over hours
// and files, and a session whose end is not in the logs read is ended
// after Options.Idle of log time, or when more than Options.MaxOpen are
// open, and reported with its Termination, never kept forever.
//
// Feed it the rows of all inputs in date-time order (a msgtrk.Merger
// through a Scanner) with Add, then call Flush. It is not safe for
// concurrent use, and starts no goroutine.
type Assembler struct {
	opt      Options
	open     map[Key]*openSession
	tombs    map[Key]tomb
	tombRing []Key // tombs' keys, oldest at tombHead
	tombHead int
	tombN    int
	head     *openSession // least recently active
	tail     *openSession // most recently active
	free     *openSession
	now      time.Time
	seed     maphash.Seed
	stats    AssemblerStats
	lineBuf  []byte // scratch for a transcript line's texts
}

// transcriptCap is a transcript's first capacity: most sessions of a
// Verbose log have fewer rows.
const transcriptCap = 32

// openSession is a session being assembled, linked in activity order.
type openSession struct {
	s          *Session
	prev, next *openSession
	last       time.Time
	pend       [maxPending]pending
	phead, pn  int
	cont       []byte // text of a multi-line reply's continuation lines
	recent
	sending    SendingMessage
	sendingMID string
	hasSending bool
	receiving  string
	proxy      Proxy
	lastVerb   Verb
}

// pending is a command waiting for its reply.
type pending struct {
	verb Verb
	end  bool // the end of a message's data (after 354)
	last bool // BDAT LAST
	msg  int  // index in Messages, -1 when none
	rcpt int  // index in Recipients, -1 when none
}

// ErrNoCallback is returned by NewAssembler when Options.OnSession is nil.
var ErrNoCallback = errors.New("smtplog: Options.OnSession is nil")

// NewAssembler returns an Assembler with opt's limits (zero values take
// the defaults).
func NewAssembler(opt Options) (*Assembler, error) {
	if opt.OnSession == nil {
		return nil, ErrNoCallback
	}
	if opt.Idle <= 0 {
		opt.Idle = DefaultIdle
	}
	if opt.MaxOpen <= 0 {
		opt.MaxOpen = DefaultMaxOpen
	}
	if opt.MaxTranscript <= 0 {
		opt.MaxTranscript = DefaultMaxTranscript
	}
	if opt.MaxMessages <= 0 {
		opt.MaxMessages = DefaultMaxMessages
	}
	if opt.MaxRecipients <= 0 {
		opt.MaxRecipients = DefaultMaxRecipients
	}
	return &Assembler{opt: opt, open: map[Key]*openSession{}, tombs: map[Key]tomb{}, seed: maphash.MakeSeed()}, nil
}

// Open returns the number of sessions open.
func (a *Assembler) Open() int { return len(a.open) }

// Stats returns the counts so far.
func (a *Assembler) Stats() AssemblerStats { return a.stats }

// Add takes one row (valid only during the call: everything kept is
// copied). A row without a session id is counted and ignored. The row's
// time advances the Assembler's clock, which ends idle sessions.
func (a *Assembler) Add(row *Row) {
	a.stats.Rows++
	if len(ascii.TrimSpace(row.SessionRaw)) == 0 || (row.Session == 0 && !allZero(row.SessionRaw)) {
		a.stats.NoSession++
		return
	}
	var origin *msgtrk.Origin
	if rec := row.Record(); rec != nil {
		origin = rec.Origin()
	} else {
		origin = &msgtrk.Origin{}
	}
	k := Key{Server: origin.Server, Service: origin.Service, Kind: row.Kind, ID: row.Session}
	sum := a.rowHash(row)
	o := a.open[k]
	if o == nil {
		if t, ok := a.tombs[k]; ok {
			if t.seen(row.Seq, sum) {
				a.stats.Duplicates++
				return
			}
			delete(a.tombs, k)
		}
		o = a.begin(k, origin.File, row)
	}
	if o.seen(row.Seq, sum) {
		o.s.Duplicates++
		a.stats.Duplicates++
		return
	}
	o.remember(sum)
	if !row.Time.IsZero() {
		if row.Time.After(a.now) {
			a.now = row.Time
		}
		o.last = row.Time
		if o.s.Start.IsZero() || row.Time.Before(o.s.Start) {
			o.s.Start = row.Time
		}
		if row.Time.After(o.s.End) {
			o.s.End = row.Time
		}
	}
	a.touch(o)
	o.s.Rows++
	if row.Seq > o.maxSeq {
		o.maxSeq = row.Seq
	}
	if a.opt.Transcript {
		if len(o.s.Transcript) < a.opt.MaxTranscript {
			ctx := row.Context
			if row.IsConnectivity() {
				ctx = row.Description
			}
			// One allocation for both texts: transcripts are most of
			// what a caller that keeps sessions holds.
			text := string(append(append(a.lineBuf[:0], row.Data...), ctx...))
			a.lineBuf = a.lineBuf[:0]
			l := Line{Time: row.Time, Seq: row.Seq, Event: row.Event, Data: text[:len(row.Data)], Context: text[len(row.Data):]}
			if o.s.Transcript == nil {
				o.s.Transcript = make([]Line, 0, transcriptCap)
			}
			o.s.Transcript = append(o.s.Transcript, l)
		} else {
			o.s.DroppedLines++
		}
	}
	closed := false
	if row.IsConnectivity() {
		closed = a.connectivity(o, row)
	} else {
		closed = a.protocol(o, row)
	}
	if closed {
		a.end(o, TermClosed)
	}
	a.evict()
	if n := len(a.open); n > a.stats.MaxOpen {
		a.stats.MaxOpen = n
	}
}

func allZero(b []byte) bool {
	t := ascii.TrimSpace(b)
	for _, c := range t {
		if c != '0' {
			return false
		}
	}
	return len(t) > 0
}

// begin opens a session for k.
func (a *Assembler) begin(k Key, file string, row *Row) *openSession {
	o := a.free
	if o != nil {
		a.free = o.next
		*o = openSession{cont: o.cont[:0]}
	} else {
		o = &openSession{}
	}
	o.s = &Session{Key: k, File: file, Connector: string(row.Connector), Summary: SummaryInfo{Messages: -1, Bytes: -1}}
	o.maxSeq = -1
	a.open[k] = o
	a.link(o)
	return o
}

// recent is what a session remembers of its last rows, to recognise a
// repeated row: a hash of each and the highest sequence number.
type recent struct {
	ring   [dupRing]uint64
	nring  int
	maxSeq int64
}

// seen reports whether a row with sequence number seq and hash sum
// repeats one of the recent rows (a repeat never has a higher sequence
// number than the rows before it; connectivity rows have none).
func (r *recent) seen(seq int64, sum uint64) bool {
	if seq >= 0 && seq > r.maxSeq {
		return false
	}
	for i := 0; i < min(r.nring, dupRing); i++ {
		if r.ring[i] == sum {
			return true
		}
	}
	return false
}

func (r *recent) remember(sum uint64) {
	r.ring[r.nring%dupRing] = sum
	r.nring++
}

// rowHash hashes what makes a row itself: time, sequence number, event and
// text.
func (a *Assembler) rowHash(row *Row) uint64 {
	var h maphash.Hash
	h.SetSeed(a.seed)
	var b [17]byte
	t := row.Time.UnixNano()
	for i := 0; i < 8; i++ {
		b[i] = byte(t >> (8 * i))
		b[8+i] = byte(row.Seq >> (8 * i))
	}
	b[16] = row.Event.Char()
	h.Write(b[:])
	h.Write(row.Data)
	h.WriteByte(0)
	h.Write(row.Context)
	h.WriteByte(0)
	h.Write(row.Description)
	return h.Sum64()
}

// tomb is what is kept of a closed session for a while: its recent rows,
// so that the twin of its last rows (a file collected twice) is not taken
// for a new session with the same id.
type tomb struct {
	recent
	at time.Time
}

// maxTombs bounds the closed sessions remembered.
const maxTombs = 4096

// bury remembers closed session o, forgetting the oldest closed sessions
// beyond maxTombs and those closed more than Idle ago.
func (a *Assembler) bury(o *openSession) {
	if a.tombRing == nil {
		a.tombRing = make([]Key, maxTombs)
	}
	for a.tombN > 0 {
		oldest := a.tombRing[a.tombHead]
		if t, ok := a.tombs[oldest]; ok && a.tombN < maxTombs && a.now.Sub(t.at) <= a.opt.Idle {
			break
		}
		delete(a.tombs, oldest)
		a.tombHead = (a.tombHead + 1) % maxTombs
		a.tombN--
	}
	a.tombs[o.s.Key] = tomb{recent: o.recent, at: o.last}
	a.tombRing[(a.tombHead+a.tombN)%maxTombs] = o.s.Key
	a.tombN++
}

// link appends o at the tail of the activity list.
func (a *Assembler) link(o *openSession) {
	o.prev, o.next = a.tail, nil
	if a.tail != nil {
		a.tail.next = o
	} else {
		a.head = o
	}
	a.tail = o
}

func (a *Assembler) unlink(o *openSession) {
	if o.prev != nil {
		o.prev.next = o.next
	} else {
		a.head = o.next
	}
	if o.next != nil {
		o.next.prev = o.prev
	} else {
		a.tail = o.prev
	}
	o.prev, o.next = nil, nil
}

// touch moves o to the tail (most recently active).
func (a *Assembler) touch(o *openSession) {
	if a.tail == o {
		return
	}
	a.unlink(o)
	a.link(o)
}

// evict ends the sessions idle for longer than Idle, and the least
// recently active ones beyond MaxOpen.
func (a *Assembler) evict() {
	for a.head != nil {
		switch {
		case len(a.open) > a.opt.MaxOpen:
			a.end(a.head, TermEvicted)
		case !a.head.last.IsZero() && a.now.Sub(a.head.last) > a.opt.Idle:
			a.end(a.head, TermIdle)
		default:
			return
		}
	}
}

// Advance moves the clock to t (when later) and ends the sessions idle
// since before t - Idle. Add advances the clock by itself; call Advance to
// let time pass without rows (between inputs, or at a known end).
func (a *Assembler) Advance(t time.Time) {
	if t.After(a.now) {
		a.now = t
	}
	a.evict()
}

// Flush ends every open session (TermOpen), oldest activity first.
func (a *Assembler) Flush() {
	for a.head != nil {
		a.end(a.head, TermOpen)
	}
}

// end hands o's session to OnSession and frees o.
func (a *Assembler) end(o *openSession, how Termination) {
	s := o.s
	s.Termination = how
	if c := cap(s.Transcript); c-len(s.Transcript) > c/2 {
		s.Transcript = append([]Line(nil), s.Transcript...) // without append's slack
	}
	a.stats.Sessions[how]++
	if how == TermClosed {
		a.bury(o)
	}
	delete(a.open, s.Key)
	a.unlink(o)
	o.s = nil
	o.next = a.free
	a.free = o
	a.opt.OnSession(s)
}

// protocol applies a protocol log row; it reports whether the row ends the
// session.
func (a *Assembler) protocol(o *openSession, row *Row) bool {
	s := o.s
	if s.LocalRaw == "" && len(row.Local.Raw) > 0 {
		s.LocalRaw, s.Local = string(row.Local.Raw), row.Local.AddrPort
	}
	if s.RemoteRaw == "" && len(row.Remote.Raw) > 0 {
		s.RemoteRaw, s.Remote = string(row.Remote.Raw), row.Remote.AddrPort
	}
	if s.Connector == "" && len(row.Connector) > 0 {
		s.Connector = string(row.Connector)
	}
	switch row.Event {
	case EventDisconnect:
		s.Reason = ParseReason(row.Context)
		s.ReasonText = string(ascii.TrimSpace(row.Context))
		return true
	case EventSent, EventReceived:
		if IsReply(row.Data) {
			a.reply(o, row)
		} else if len(ascii.TrimSpace(row.Data)) > 0 {
			a.command(o, row)
		}
	case EventInfo:
		a.info(o, row)
	}
	return false
}

// current returns the index of the message the next RCPT, DATA or BDAT
// belongs to, or -1.
func (o *openSession) current() int { return len(o.s.Messages) - 1 }

func (a *Assembler) command(o *openSession, row *Row) {
	s := o.s
	c, _ := ParseCommand(row.Data)
	o.lastVerb = c.Verb
	p := pending{verb: c.Verb, msg: -1, rcpt: -1}
	switch c.Verb {
	case VerbHELO, VerbEHLO:
		s.HeloVerb, s.Helo = c.Verb, string(word(c.Arg))
	case VerbAUTH:
		s.Auth.Mechanism, s.Auth.Result = string(word(c.Arg)), AuthPending
	case VerbXEXPS:
		s.Auth.Mechanism, s.Auth.Result = "X-EXPS "+string(word(c.Arg)), AuthPending
	case VerbXPROXYFROM:
		x, _ := ParseXProxyFrom(c.Arg)
		o.proxy = Proxy{SID: x.SID, IP: x.IP, Port: x.Port, Domain: string(x.Domain), AuthSrc: string(x.AuthSrc)}
		if s.Proxy.IsZero() {
			s.Proxy = o.proxy
		}
	case VerbMAIL:
		if len(s.Messages) >= a.opt.MaxMessages {
			s.DroppedMessages++
			break
		}
		path, _ := ParsePath(c.Arg)
		m := Message{Time: row.Time, From: string(path.Address), Size: path.Size, RecordID: -1, QueuedID: -1, BDATBytes: -1, Proxy: o.proxy}
		if o.hasSending {
			m.RecordID, m.MessageID = o.sending.RecordID, o.sendingMID
			o.hasSending = false
		}
		if o.receiving != "" {
			m.ReceiveContext, o.receiving = o.receiving, ""
		}
		s.Messages = append(s.Messages, m)
		p.msg = len(s.Messages) - 1
	case VerbRCPT:
		p.msg = o.current()
		if p.msg < 0 {
			break
		}
		m := &s.Messages[p.msg]
		if len(m.Recipients) >= a.opt.MaxRecipients {
			m.Dropped++
			break
		}
		path, _ := ParsePath(c.Arg)
		m.Recipients = append(m.Recipients, Recipient{Address: string(path.Address)})
		p.rcpt = len(m.Recipients) - 1
	case VerbDATA:
		p.msg = o.current()
	case VerbBDAT:
		p.msg = o.current()
		d, _ := ParseBDAT(c.Arg)
		p.last = d.Last
		if p.msg >= 0 && d.Size >= 0 {
			m := &s.Messages[p.msg]
			m.BDATBytes = max(m.BDATBytes, 0) + d.Size
		}
	}
	o.push(p, a)
}

// push queues p for its reply; a full queue drops its oldest entry.
func (o *openSession) push(p pending, a *Assembler) {
	if o.pn == maxPending {
		o.phead = (o.phead + 1) % maxPending
		o.pn--
		a.stats.Lost++
	}
	o.pend[(o.phead+o.pn)%maxPending] = p
	o.pn++
}

// pushFront puts p back at the head of the queue (a reply that asks for
// more: 334 to AUTH, 354 to DATA).
func (o *openSession) pushFront(p pending, a *Assembler) {
	if o.pn == maxPending {
		o.pn--
		a.stats.Lost++
	}
	o.phead = (o.phead + maxPending - 1) % maxPending
	o.pend[o.phead] = p
	o.pn++
}

func (o *openSession) pop() (pending, bool) {
	if o.pn == 0 {
		return pending{}, false
	}
	p := o.pend[o.phead]
	o.phead = (o.phead + 1) % maxPending
	o.pn--
	return p, true
}

func (a *Assembler) reply(o *openSession, row *Row) {
	s := o.s
	rl, _ := ParseReplyLine(row.Data)
	if rl.More {
		if len(o.cont)+len(rl.Text)+1 <= maxContinuation {
			o.cont = append(o.cont, rl.Text...)
			o.cont = append(o.cont, ' ')
		}
		return
	}
	text := string(rl.Text)
	if len(o.cont) > 0 {
		text = string(o.cont) + text
		o.cont = o.cont[:0]
	}
	rep := Reply{Code: rl.Code, Enhanced: rl.Enhanced, Text: text}
	switch {
	case rep.Code >= 500 && rep.Code < 600:
		s.Replies5xx++
		s.LastError = rep
	case rep.Code >= 400 && rep.Code < 500:
		s.Replies4xx++
		s.LastError = rep
	}
	p, ok := o.pop()
	if !ok {
		if rep.Code == 220 && s.Banner.IsZero() {
			s.Banner = rep
		}
		return
	}
	var m *Message
	if p.msg >= 0 && p.msg < len(s.Messages) {
		m = &s.Messages[p.msg]
	}
	switch {
	case p.end:
		if m != nil {
			a.final(m, rep, row.Data)
		}
	case p.verb == VerbSTARTTLS:
		if rep.Code == 220 {
			s.StartTLS = true
		}
	case p.verb == VerbAUTH || p.verb == VerbXEXPS:
		switch {
		case rep.Code == 334:
			o.pushFront(p, a)
		case rep.Code == 235:
			s.Auth.Result = AuthOK
		case rep.Code >= 400:
			s.Auth.Result = AuthFailed
			s.Auth.Detail = rep.String()
		}
	case p.verb == VerbMAIL:
		if m != nil {
			m.FromReply = rep
		}
	case p.verb == VerbRCPT:
		if m != nil && p.rcpt >= 0 && p.rcpt < len(m.Recipients) {
			m.Recipients[p.rcpt].Reply = rep
		}
	case p.verb == VerbDATA:
		if rep.Code == 354 {
			p.end = true
			o.pushFront(p, a)
		} else if m != nil {
			m.DataReply = rep
		}
	case p.verb == VerbBDAT:
		if m != nil && (p.last || rep.Code >= 400) {
			a.final(m, rep, row.Data)
		}
	}
}

// final records a message's final reply and what it says of the receiver.
func (a *Assembler) final(m *Message, rep Reply, raw []byte) {
	m.DataReply = rep
	if rep.Code < 200 || rep.Code >= 300 {
		return
	}
	r, _ := sourcecontext.ParseReply(ascii.TrimSpace(raw))
	if len(r.MessageID) > 0 {
		m.QueuedMessageID = string(r.MessageID)
	}
	if r.Next.IsValid() {
		if len(r.Next.InternalIDRaw) > 0 && r.Next.InternalID > 0 {
			m.QueuedID = r.Next.InternalID
		}
		m.QueuedHost = string(r.Next.Host)
	}
}

func (a *Assembler) info(o *openSession, row *Row) {
	s := o.s
	ctx := ascii.TrimSpace(row.Context)
	switch ClassifyInfo(ctx) {
	case InfoPermissions:
		s.Permissions = string(ascii.TrimSpace(row.Data))
	case InfoConnectFailed:
		s.ConnectError = string(ctx)
	case InfoTLS:
		t, _ := ParseTLS(ctx)
		s.TLS = TLSInfo{Version: t.Version, Protocol: string(t.Protocol), Cipher: string(t.Cipher), MAC: string(t.MAC), KeyExchange: string(t.KeyExchange),
			CipherBits: t.CipherBits, MACBits: t.MACBits, KeyExchangeBits: t.KeyExchangeBits}
	case InfoSendingMessage:
		m, _ := ParseSendingMessage(ctx)
		o.sending, o.sendingMID, o.hasSending = m, string(m.MessageID), true
	case InfoReceivingMessage:
		r, ok, _ := ParseReceivingMessage(row.Data, ctx)
		if !ok {
			break
		}
		text := string(r.AppendTo(nil))
		// Logged at MAIL FROM: before or after the MAIL row.
		if i := o.current(); i >= 0 && o.lastVerb == VerbMAIL && s.Messages[i].ReceiveContext == "" {
			s.Messages[i].ReceiveContext = text
		} else {
			o.receiving = text
		}
	case InfoProxying:
		if id, ok := ParseProxying(ctx); ok {
			s.ProxiedSession = id
		}
	case InfoAuthFailed:
		s.Auth.Result = AuthFailed
		s.Auth.Detail = string(ctx)
		if s.Auth.Mechanism == "" {
			if i, ok := after(ctx, 0, "AUTH "); ok {
				s.Auth.Mechanism = string(word(ctx[i:]))
			}
		}
	case InfoUserName:
		if i, ok := after(ctx, 0, "User Name:"); ok {
			s.Auth.Identity = string(ascii.TrimSpace(ctx[i:]))
		}
	}
}

// connectivity applies a connectivity log row; it reports whether the row
// ends the session.
func (a *Assembler) connectivity(o *openSession, row *Row) bool {
	s := o.s
	if s.Source == "" {
		s.Source = string(row.Source)
	}
	if s.Destination == "" {
		s.Destination = string(row.Destination)
	}
	desc := ascii.TrimSpace(row.Description)
	switch row.Event {
	case EventConnect:
		s.Opening = string(desc)
	case EventSent:
		e := ParseConnectEvent(desc)
		switch e.Kind {
		case ConnectDNS:
			if len(s.DNS) < maxConnectivityItems {
				s.DNS = append(s.DNS, string(desc))
			}
		case ConnectEstablished:
			if len(s.Connected) < maxConnectivityItems && e.IP.IsValid() {
				s.Connected = append(s.Connected, e.IP)
			}
		case ConnectFailed:
			s.ConnectError = string(desc)
		}
	case EventDisconnect:
		sum, _ := ParseSummary(desc)
		s.Summary = SummaryInfo{Messages: sum.Messages, Bytes: sum.Bytes, Failure: string(sum.Failure), Reason: string(sum.Reason)}
		s.ReasonText = string(desc)
		return true
	}
	return false
}
