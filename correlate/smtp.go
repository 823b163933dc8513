package correlate

import (
	"net/netip"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/smtplog"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// SMTPRow is a row of a trace that an SMTP conversation stands behind, with
// the keys to that conversation in the protocol logs (format.md §8,
// §14.3): kept with Options.KeepSMTP, joined by JoinSessions.
type SMTPRow struct {
	// Hop is the row's hop (index in Trace.Hops); a shadow or duplicate
	// row takes the hop of its server in the matching role, -1 when there
	// is none.
	Hop    int
	Server string
	Event  msgtrk.EventType
	Time   time.Time
	// InternalID is the row's internal-message-id: on a sending row (SEND,
	// SENDEXTERNAL, DEFER, FAIL, HAREDIRECT) the RecordId its send
	// session logs before MAIL FROM.
	InternalID string
	// Context is the row's source-context: on an SMTP RECEIVE (and
	// HARECEIVE) "{session-id};{start};{n}", on a DELIVER "{session-id};
	// {start}…", the session of the receiving end.
	Context string
	// Remote and RemoteIP are a sending row's next hop (server-hostname,
	// server-ip).
	Remote   string
	RemoteIP netip.Addr
	// Recipients are the row's recipient-address members, lower case.
	Recipients []string
}

// Sides of a joined session (SessionLink.Side).
const (
	SideReceive         = "receive"          // the receiving end of the row's conversation
	SideSend            = "send"             // the sending end
	SideConnectivity    = "connectivity"     // the connectivity log's record of the send session
	SideFrontEndReceive = "frontend_receive" // the front end's session with the client a hub's receive session was proxied for
	SideFrontEndSend    = "frontend_send"    // the front end's session that proxied it to the hub
	SideDelivery        = "delivery"         // the mailbox delivery service's receive session of a DELIVER row
)

// SessionLink is a protocol or connectivity log session joined to a row of
// the trace.
type SessionLink struct {
	Row     int    // index in Trace.SMTPRows
	Hop     int    // that row's hop, -1 for none
	Side    string // see the Side constants
	Session *smtplog.Session
	// Message is the index in Session.Messages of the message, -1 when
	// the session carried none of it (a connectivity record, a session
	// that failed before MAIL FROM).
	Message int
}

// SMTPAttempt is one SMTP hand-over of a recipient as the send log tells
// it: a recipient sent outside carries the remote host, address and final
// reply; a deferred one, the 4xx each attempt got.
type SMTPAttempt struct {
	Time      time.Time      // the session's end
	Server    string         // the sending server
	SessionID string         // its send session
	Remote    netip.AddrPort // the remote end, invalid when not logged as an address
	RemoteRaw string         // the remote endpoint as written
	RcptReply string         // the reply to the recipient's RCPT TO
	Reply     string         // the final reply to the message ("" when the session did not get that far)
}

// keepsSMTP reports whether an SMTP conversation stands behind e.
func keepsSMTP(e *event) bool { return isSMTPRow(e.source, e.etype) }

// isSMTPRow reports whether an SMTP conversation stands behind a row of
// that source and event.
func isSMTPRow(src msgtrk.SourceType, et msgtrk.EventType) bool {
	switch src {
	case msgtrk.SourceSMTP:
		switch et {
		case msgtrk.EventReceive, msgtrk.EventHAReceive, msgtrk.EventSend, msgtrk.EventSendExternal,
			msgtrk.EventDefer, msgtrk.EventFail, msgtrk.EventHARedirect:
			return true
		}
	case msgtrk.SourceStoreDriver:
		switch et {
		case msgtrk.EventDeliver, msgtrk.EventDuplicateDeliver, msgtrk.EventDeliverFail:
			return true
		}
	}
	return false
}

// SMTPRowOf returns the SMTP row rec is, as Trace.SMTPRows would hold it,
// and whether an SMTP conversation stands behind it: for resolving its
// sessions as the row is read ([ResolveSessions]), before its trace is
// built. Hop is -1; Server is the server the row names as logging it
// (msgtrk.LoggingServer), which a caller may replace by the one its
// location says (msgtrk.Origin.Server).
func SMTPRowOf(rec *msgtrk.Record) (SMTPRow, bool) {
	et := rec.EventType()
	if !isSMTPRow(rec.SourceType(), et) {
		return SMTPRow{}, false
	}
	r := SMTPRow{Hop: -1, Server: string(msgtrk.LoggingServer(rec)), Event: et, InternalID: string(rec.Field(msgtrk.InternalMessageID)),
		Context: string(rec.Field(msgtrk.SourceContext)), Remote: string(rec.Field(msgtrk.ServerHostname))}
	if tm, err := rec.Time(); err == nil {
		r.Time = tm.UTC()
	}
	if ip, ok := msgtrk.ParseAddr(rec.Field(msgtrk.ServerIP)); ok {
		r.RemoteIP = ip
	}
	var ls msgtrk.ListScanner
	rec.List(msgtrk.RecipientAddress, &ls)
	for ls.Next() {
		r.Recipients = append(r.Recipients, strings.ToLower(string(ls.Bytes())))
	}
	return r, true
}

// buildSMTPRows lists the trace's SMTP rows in causal order.
func (b *builder) buildSMTPRows() {
	tr := b.tr
	for _, i := range b.evOrder {
		b.steps++
		e := &b.events[i]
		if !keepsSMTP(e) {
			continue
		}
		hop := -1
		if v := b.hopOf[i]; v >= 0 {
			hop = int(b.visits[v].hop)
		} else {
			want := RoleHub
			if e.etype == msgtrk.EventDuplicateDeliver {
				want = RoleDelivery
			}
			if e.etype != msgtrk.EventHAReceive {
				for k := range b.out.Hops {
					if h := &b.out.Hops[k]; h.Server == e.server && (h.Role == want || want == RoleHub && h.Role == RoleEdge) {
						hop = k
						break
					}
				}
			}
		}
		r := SMTPRow{Hop: hop, Server: e.server, Event: e.etype, InternalID: b.strOf(tr, e.internal), Context: b.strOf(tr, e.context), Remote: b.strOf(tr, e.remote)}
		if e.time != 0 {
			r.Time = time.Unix(0, e.time).UTC()
		}
		if ip, ok := msgtrk.ParseAddr(tr.bytesOf(e.remoteIP)); ok {
			r.RemoteIP = ip
		}
		for _, m := range tr.list(e.rcpts) {
			r.Recipients = append(r.Recipients, b.strOf(tr, m))
		}
		b.out.SMTPRows = append(b.out.SMTPRows, r)
	}
}

// JoinSessions joins the rows of t kept by Options.KeepSMTP to the
// protocol and connectivity log sessions x keeps ([ResolveSessions] for
// each row), filling t.Sessions and, for the recipients handed over by SMTP
// (sent outside, handed off, deferred, failed on a remote reply), their
// Attempts. Every join is optional: a row whose session is not in x
// (protocol logging off, a file not collected, a session forgotten) is
// left alone. Calling JoinSessions again on the same trace adds nothing
// twice. After it, t.Sessions is not nil: the trace's JSON form has the
// "sessions" and "smtp_attempts" members.
func JoinSessions(t *Trace, x *smtplog.Index) {
	JoinSessionsWith(t, func(r *SMTPRow) []SessionLink { return ResolveSessions(x, r, t.MessageID) })
}

// JoinSessionsWith is JoinSessions with the sessions of each row found by
// resolve (typically ResolveSessions, earlier: a caller that resolves each
// row as it is read needs to keep its sessions only until its trace is
// emitted). The links resolve returns need only Side, Session and Message.
func JoinSessionsWith(t *Trace, resolve func(r *SMTPRow) []SessionLink) {
	t.Sessions = t.Sessions[:0]
	if t.Sessions == nil {
		t.Sessions = []SessionLink{} // joined: the JSON form has "sessions"
	}
	for i := range t.Recipients {
		t.Recipients[i].Attempts = nil
	}
	var rcpts *recipientIndex // built at the first send session
	for i := range t.SMTPRows {
		r := &t.SMTPRows[i]
		for _, l := range resolve(r) {
			l.Row, l.Hop = i, r.Hop
			t.Sessions = append(t.Sessions, l)
			if l.Side == SideSend && r.Event != msgtrk.EventHARedirect { // a shadow copy is no hand-over
				if rcpts == nil {
					rcpts = newRecipientIndex(t.Recipients)
				}
				t.addAttempts(r, smtplog.Ref{Session: l.Session, Msg: l.Message}, rcpts)
			}
		}
	}
}

// recipientIndex finds a trace's recipients by address (any case), so that
// giving a session's recipients their attempts costs the session's
// recipients, not their product with the trace's: a message to a large
// group is sent in sessions of hundreds of RCPT TO.
type recipientIndex struct {
	at   map[string][]int // folded address → indexes in Trace.Recipients
	mark []int            // the last call of addAttempts that gave each one an attempt
	call int
}

func newRecipientIndex(rs []Recipient) *recipientIndex {
	x := &recipientIndex{at: make(map[string][]int, len(rs)), mark: make([]int, len(rs))}
	for i := range rs {
		k := strings.ToLower(rs[i].Address)
		x.at[k] = append(x.at[k], i)
	}
	return x
}

// NamesSession reports whether r carries a key to a session of the
// protocol logs, the key ResolveSessions looks up: a receive
// source-context, a delivery source-context naming its session, or an
// internal-message-id a send session logs as RecordId. A row without one
// (the DELIVER of a 2007 or 2010 store driver, which hands the message to
// the mailbox over MAPI, not SMTP) has no session to find.
func (r *SMTPRow) NamesSession() bool {
	switch r.Event {
	case msgtrk.EventReceive, msgtrk.EventHAReceive:
		_, err := sourcecontext.ParseReceive([]byte(r.Context))
		return err == nil
	case msgtrk.EventDeliver, msgtrk.EventDuplicateDeliver, msgtrk.EventDeliverFail:
		d, err := sourcecontext.ParseDelivery([]byte(r.Context))
		return err == nil && d.Session.ID != 0
	}
	_, ok := ascii.ParseInt64([]byte(r.InternalID))
	return r.InternalID != "" && ok
}

// ResolveSessions finds the sessions behind one SMTP row in x, with
// messageID the message's message-id:
//
//   - an SMTP RECEIVE (or HARECEIVE) row's receive session, named by its
//     source-context, and when a front end proxied the client, the front
//     end's session with the client and its proxy session;
//   - a SEND, SENDEXTERNAL, DEFER, FAIL or HAREDIRECT row's send session,
//     the one that logged its internal-message-id as RecordId (of several
//     attempts, the one whose replies agree with the row, that went to the
//     row's next hop and carried the most of its recipients, then that
//     ended nearest the row) and that session's connectivity record;
//   - a DELIVER row's mailbox delivery service session, named by its
//     source-context.
//
// Servers are matched as smtplog.Index matches them. The links' Row and
// Hop are left zero.
func ResolveSessions(x *smtplog.Index, r *SMTPRow, messageID string) []SessionLink {
	var out []SessionLink
	link := func(side string, s *smtplog.Session, msg int) {
		out = append(out, SessionLink{Side: side, Session: s, Message: msg})
	}
	switch r.Event {
	case msgtrk.EventReceive, msgtrk.EventHAReceive:
		ctx, err := sourcecontext.ParseReceive([]byte(r.Context))
		if err != nil {
			return nil
		}
		ref, ok := x.Receiving(r.Server, ctx)
		if !ok {
			return nil
		}
		link(SideReceive, ref.Session, ref.Msg)
		if fe := x.ProxySource(ref.Session); fe != nil {
			link(SideFrontEndReceive, fe, messageOf(fe, messageID))
			if fs := x.ProxiedBy(fe); fs != nil {
				link(SideFrontEndSend, fs, messageOf(fs, messageID))
			}
		}
	case msgtrk.EventDeliver, msgtrk.EventDuplicateDeliver, msgtrk.EventDeliverFail:
		d, err := sourcecontext.ParseDelivery([]byte(r.Context))
		if err != nil || d.Session.ID == 0 {
			return nil
		}
		for _, s := range x.Sessions(r.Server, d.Session.ID) {
			if s.Key.Kind == msgtrk.LogSmtpReceive {
				link(SideDelivery, s, messageOf(s, messageID))
				break
			}
		}
	default:
		ref, ok := sendingAttempt(x, r)
		if !ok {
			return nil
		}
		link(SideSend, ref.Session, ref.Msg)
		for _, c := range x.Sessions(r.Server, ref.Session.Key.ID) {
			if c.Key.Kind == msgtrk.LogConnectivity {
				link(SideConnectivity, c, -1)
				break
			}
		}
	}
	return out
}

// sendingAttempt picks, among the send sessions that logged r's
// internal-message-id, the one behind r: its replies agree with the row
// (a SEND got a 2xx final reply, a DEFER a 4xx, a FAIL a 5xx: a FAIL of
// the store driver or the categorizer has no session), it names the most
// of r's recipients, then it ended nearest r (a DEFER row is logged
// after its attempt).
func sendingAttempt(x *smtplog.Index, r *SMTPRow) (smtplog.Ref, bool) {
	if r.InternalID == "" {
		return smtplog.Ref{}, false
	}
	id, ok := ascii.ParseInt64([]byte(r.InternalID))
	if !ok {
		return smtplog.Ref{}, false
	}
	var best smtplog.Ref
	bestN, found := -1, false
	var bestD time.Duration
	refs := x.Sending(r.Server, id)
	var rowRcpts map[string]bool // r's recipients, folded, when there is a choice
	if len(refs) > 1 {
		rowRcpts = make(map[string]bool, len(r.Recipients))
		for _, a := range r.Recipients {
			rowRcpts[strings.ToLower(a)] = true
		}
	}
	for _, ref := range refs {
		m := ref.Message()
		if !agrees(r.Event, m) {
			continue
		}
		n := 0
		if r.RemoteIP.IsValid() && ref.Session.Remote.IsValid() && ref.Session.Remote.Addr().Unmap() == r.RemoteIP.Unmap() {
			n += 1 << 20 // the row's next hop is the session's remote end
		}
		if rowRcpts != nil {
			for _, rc := range m.Recipients {
				if rowRcpts[strings.ToLower(rc.Address)] {
					n++
				}
			}
		}
		d := r.Time.Sub(ref.Session.End)
		if d < 0 {
			d = -d // retries are minutes apart: the nearest end is the row's
		}
		if !found || n > bestN || n == bestN && d < bestD {
			best, bestN, bestD, found = ref, n, d, true
		}
	}
	return best, found
}

// agrees reports whether message m of a send session ended as a row of
// event et says: accepted (SEND, SENDEXTERNAL, HAREDIRECT), deferred by a
// 4xx (DEFER) or refused by a 5xx (FAIL).
func agrees(et msgtrk.EventType, m *smtplog.Message) bool {
	class := func(c uint16) uint16 { return c / 100 }
	has := func(want uint16) bool {
		if class(m.DataReply.Code) == want {
			return true
		}
		for _, r := range m.Recipients {
			if class(r.Reply.Code) == want {
				return true
			}
		}
		return false
	}
	shadow := strings.Contains(m.DataReply.Text, "Queued mail for redundancy")
	switch et {
	case msgtrk.EventDefer:
		return has(4)
	case msgtrk.EventFail:
		return has(5)
	case msgtrk.EventHARedirect:
		return shadow
	}
	return class(m.DataReply.Code) == 2 && !shadow
}

// messageOf finds the message with message-id mid in a session that does
// not log a RecordId or context for it (a front end's, a delivery
// service's): its only message, or -1.
func messageOf(s *smtplog.Session, mid string) int {
	for i := range s.Messages {
		if s.Messages[i].QueuedMessageID != "" && "<"+s.Messages[i].QueuedMessageID+">" == mid {
			return i
		}
	}
	if len(s.Messages) == 1 {
		return 0
	}
	return -1
}

// addAttempts adds the attempt of send session ref to the recipients of r
// it carried.
func (t *Trace) addAttempts(r *SMTPRow, ref smtplog.Ref, x *recipientIndex) {
	m := ref.Message()
	s := ref.Session
	x.call++
	for _, mr := range m.Recipients {
		for _, i := range x.at[strings.ToLower(mr.Address)] {
			if x.mark[i] == x.call {
				continue // the first RCPT TO of an address named twice
			}
			x.mark[i] = x.call
			rc := &t.Recipients[i]
			rc.Attempts = append(rc.Attempts, SMTPAttempt{Time: s.End, Server: r.Server, SessionID: s.Key.IDString(),
				Remote: s.Remote, RemoteRaw: s.RemoteRaw, RcptReply: mr.Reply.String(), Reply: m.DataReply.String()})
		}
	}
}
