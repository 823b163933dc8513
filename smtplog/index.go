package smtplog

import (
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// DefaultKeep is Index.Keep's default: how long after its end a session
// stays findable. It covers the correlation window of a trace (its last
// row comes at most that long after the session that carried the message
// ended) and clock skew between servers.
const DefaultKeep = 30 * time.Minute

// DefaultMaxIndexed is Index.MaxSessions's default.
const DefaultMaxIndexed = 1 << 20

// Ref is one message of one session: Session.Messages[Msg], or the session
// alone when Msg is -1.
type Ref struct {
	Session *Session
	Msg     int
}

// Message returns the referenced message, or nil.
func (r Ref) Message() *Message {
	if r.Session == nil || r.Msg < 0 || r.Msg >= len(r.Session.Messages) {
		return nil
	}
	return &r.Session.Messages[r.Msg]
}

// Index keeps ended sessions for a while, so that the rows of the message
// tracking log can find the conversation behind them (format.md §8,
// §14.3):
//
//   - an SMTP RECEIVE row's source-context "{session-id};{start};{n}" names
//     the receive session and its n-th message ([Index.Receiving]);
//   - on the sending server, the row's internal-message-id is the RecordId
//     of the send session's "sending message" row ([Index.Sending]: every
//     attempt, retries included);
//   - a hub's receive session that starts with XPROXYFROM SID=X was handed
//     over by the front end whose receive session X the client opened
//     ([Index.ProxySource]), through the front end's send session that
//     logged "Proxying inbound session with session id X"
//     ([Index.ProxiedBy]).
//
// Servers are matched by name without case and by their first label, so
// that "EX01" finds "ex01.contoso.com". Memory is bounded: sessions that
// ended more than Keep before the latest time given to Advance are
// forgotten, and at most MaxSessions are kept (the oldest go first). The
// zero Index is ready to use with the defaults; it is not safe for
// concurrent use.
type Index struct {
	// Keep is how long after its end a session stays findable; zero means
	// DefaultKeep.
	Keep time.Duration
	// MaxSessions bounds the sessions kept; zero means DefaultMaxIndexed.
	MaxSessions int

	byID     map[idKey][]*Session  // (server, session id)
	byRecvID map[uint64][]*Session // receive sessions by id alone (XPROXYFROM names no server)
	byRecord map[recordKey][]Ref   // (server, RecordId)
	byProxy  map[idKey]*Session    // send sessions by (server, the receive session they proxy)
	order    []*Session            // kept sessions, in the order added
	head     int                   // order[head:] are live
	now      time.Time
	dropped  int64
}

type idKey struct {
	server string
	id     uint64
}

type recordKey struct {
	server string
	record int64
}

// serverKey is the form servers are matched by.
func serverKey(s string) string {
	s = strings.ToLower(s)
	if i := strings.IndexByte(s, '.'); i > 0 {
		s = s[:i]
	}
	return s
}

func (x *Index) keep() time.Duration {
	if x.Keep <= 0 {
		return DefaultKeep
	}
	return x.Keep
}

func (x *Index) max() int {
	if x.MaxSessions <= 0 {
		return DefaultMaxIndexed
	}
	return x.MaxSessions
}

// Add keeps s (typically from Options.OnSession). Sessions of a
// connectivity log and sessions without a message are kept too: a send
// attempt that failed before MAIL FROM is what a deferral's reason is
// about.
func (x *Index) Add(s *Session) {
	if x.byID == nil {
		x.byID = map[idKey][]*Session{}
		x.byRecvID = map[uint64][]*Session{}
		x.byRecord = map[recordKey][]Ref{}
		x.byProxy = map[idKey]*Session{}
	}
	srv := serverKey(s.Key.Server)
	k := idKey{srv, s.Key.ID}
	x.byID[k] = append(x.byID[k], s)
	if s.Key.Kind == msgtrk.LogSmtpReceive {
		x.byRecvID[s.Key.ID] = append(x.byRecvID[s.Key.ID], s)
	}
	if s.ProxiedSession != 0 {
		x.byProxy[idKey{srv, s.ProxiedSession}] = s
	}
	for i := range s.Messages {
		if id := s.Messages[i].RecordID; id >= 0 && s.Key.Kind == msgtrk.LogSmtpSend {
			rk := recordKey{srv, id}
			x.byRecord[rk] = append(x.byRecord[rk], Ref{s, i})
		}
	}
	x.order = append(x.order, s)
	if s.End.After(x.now) {
		x.now = s.End
	}
	x.expire()
}

// Advance moves the clock to t (when later) and forgets the sessions that
// ended more than Keep before it.
func (x *Index) Advance(t time.Time) {
	if t.After(x.now) {
		x.now = t
	}
	x.expire()
}

// Len returns the number of sessions kept.
func (x *Index) Len() int { return len(x.order) - x.head }

// Forgotten returns the number of sessions forgotten for the MaxSessions
// bound before Keep had passed: lookups may miss them.
func (x *Index) Forgotten() int64 { return x.dropped }

func (x *Index) expire() {
	limit := x.now.Add(-x.keep())
	for x.head < len(x.order) {
		s := x.order[x.head]
		over := len(x.order)-x.head > x.max()
		if !over && !s.End.Before(limit) {
			break
		}
		if over && !s.End.Before(limit) {
			x.dropped++
		}
		x.forget(s)
		x.order[x.head] = nil
		x.head++
	}
	// Compact the order slice once its dead prefix dominates.
	if x.head > 1024 && x.head*2 > len(x.order) {
		x.order = append(x.order[:0], x.order[x.head:]...)
		x.head = 0
	}
}

func (x *Index) forget(s *Session) {
	srv := serverKey(s.Key.Server)
	k := idKey{srv, s.Key.ID}
	x.byID[k] = removeSession(x.byID[k], s)
	if len(x.byID[k]) == 0 {
		delete(x.byID, k)
	}
	if pk := (idKey{srv, s.ProxiedSession}); s.ProxiedSession != 0 && x.byProxy[pk] == s {
		delete(x.byProxy, pk)
	}
	if s.Key.Kind == msgtrk.LogSmtpReceive {
		x.byRecvID[s.Key.ID] = removeSession(x.byRecvID[s.Key.ID], s)
		if len(x.byRecvID[s.Key.ID]) == 0 {
			delete(x.byRecvID, s.Key.ID)
		}
	}
	for i := range s.Messages {
		if id := s.Messages[i].RecordID; id >= 0 {
			rk := recordKey{srv, id}
			refs := x.byRecord[rk][:0]
			for _, r := range x.byRecord[rk] {
				if r.Session != s {
					refs = append(refs, r)
				}
			}
			if len(refs) == 0 {
				delete(x.byRecord, rk)
			} else {
				x.byRecord[rk] = refs
			}
		}
	}
}

func removeSession(list []*Session, s *Session) []*Session {
	out := list[:0]
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}

// Receiving returns the receive session on server and the message that an
// SMTP RECEIVE row's source-context names (sourcecontext.ParseReceive):
// the session with that id whose start is nearest the context's start,
// and its message logged with the same context ("receiving message"), else
// its ctx.Ordinal-th MAIL FROM. ok is false when no such session is kept.
func (x *Index) Receiving(server string, ctx sourcecontext.Receive) (Ref, bool) {
	var best *Session
	var bestD time.Duration
	for _, s := range x.byID[idKey{serverKey(server), ctx.Session.ID}] {
		if s.Key.Kind != msgtrk.LogSmtpReceive && s.Key.Kind != msgtrk.LogUnknown {
			continue
		}
		d := absDuration(s.Start.Sub(ctx.Session.Start))
		if best == nil || d < bestD {
			best, bestD = s, d
		}
	}
	if best == nil {
		return Ref{}, false
	}
	want := string(ctx.AppendTo(nil))
	for i := range best.Messages {
		if best.Messages[i].ReceiveContext == want {
			return Ref{best, i}, true
		}
	}
	if ctx.Ordinal >= 0 && ctx.Ordinal < len(best.Messages) {
		return Ref{best, ctx.Ordinal}, true
	}
	return Ref{best, -1}, true
}

// Sending returns the send attempts on server that carried the message
// with internal-message-id recordID, oldest first: several when the first
// got a 4xx and the message was retried.
func (x *Index) Sending(server string, recordID int64) []Ref {
	return x.byRecord[recordKey{serverKey(server), recordID}]
}

// Sessions returns the kept sessions on server with id (of any kind: a
// send log and a connectivity log of one service share their ids).
func (x *Index) Sessions(server string, id uint64) []*Session {
	return x.byID[idKey{serverKey(server), id}]
}

// ProxySource returns, for a receive session that began with a front
// end's XPROXYFROM, the front end's receive session that the client
// opened: a receive session with the SID, on any server, whose remote
// address is the proxied client's and which started before s ended (or at
// most 10 minutes after, for clock skew between the two servers); nil
// when none is kept. Session ids are unique per process, not per
// organisation, so the client's address decides between front ends.
func (x *Index) ProxySource(s *Session) *Session {
	if s.Proxy.IsZero() || s.Proxy.SID == 0 {
		return nil
	}
	var best *Session
	for _, fe := range x.byRecvID[s.Proxy.SID] {
		if fe == s || fe.Start.After(s.End.Add(proxySkew)) {
			continue
		}
		if s.Proxy.IP.IsValid() && (!fe.Remote.IsValid() || fe.Remote.Addr().Unmap() != s.Proxy.IP.Unmap()) {
			continue
		}
		if best == nil || absDuration(fe.Start.Sub(s.Start)) < absDuration(best.Start.Sub(s.Start)) {
			best = fe
		}
	}
	return best
}

// ProxiedBy returns the front end's send session that proxied receive
// session fe to a hub ("Proxying inbound session with session id …",
// logged by the same service of the same server), or nil.
func (x *Index) ProxiedBy(fe *Session) *Session {
	return x.byProxy[idKey{serverKey(fe.Key.Server), fe.Key.ID}]
}

// proxySkew is how much later than the hub's session a front end's may
// seem to start: the two servers' clocks disagree (format.md §10).
const proxySkew = 10 * time.Minute

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
