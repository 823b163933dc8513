package msgtrktest

import (
	"strings"
)

type entryKind uint8

const (
	entryStore   entryKind = iota // from a mailbox: MSGTRKMS NOTIFYMAPI, RECEIVE, SUBMIT
	entryAuth                     // SMTP AUTH client through a front end
	entryAnon                     // anonymous SMTP client through a front end
	entryInbound                  // Internet mail: through the Edge, or a front end without Edge
)

type envRcpt struct {
	addr string // as addressed (may be an alias or a group)
	typ  string // To, Cc or Bcc (store submissions)
}

// plan is what a message of a kind will go through.
type plan struct {
	kind       Kind
	entry      entryKind
	sender     *User
	client     *Client
	peer       *Peer
	extSender  string
	clientType string
	rcpts      []envRcpt

	shadow       int // 0 none, 1 HAREDIRECT/HARECEIVE/HADISCARD, 2 HAREDIRECTFAIL
	failMode     int // outcome for one recipient (see outcome constants), 0 none
	deferMode    int // outDeferOK or outDeferPending, 0 none
	deferExt     bool
	drop         bool
	resubmit     bool
	forkExternal bool
}

// Recipient outcomes in the model.
const (
	outOK           = iota // delivered or sent
	outFailStore           // DELIVERFAIL on the delivery server, then FAIL on the hub
	outFailRcpt            // FAIL on the hub: the delivery server refused the recipient
	outFailExt             // FAIL on the sending server: the remote server refused
	outDeferOK             // DEFER rows, then success
	outDeferPending        // DEFER rows only
	outDropped             // AGENT DROP on the hub
)

// final is one address the hub routes a copy to.
type final struct {
	addr string
	user *User // nil for an external address
	peer *Peer // external: the domain
	copy int   // 0 the original copy, 1… forks
	rts  []int // recipients (indexes in truth.Recipients) whose outcome this is
	out  int
	viaG bool // created by a group expansion
}

func (g *gen) newMsg(kind Kind) *msgState {
	m := &msgState{idx: g.nextIdx}
	g.nextIdx++
	m.truth.Kind = kind
	return m
}

func (g *gen) randUser() *User { return &g.org.Users[g.s.regular[g.rng.IntN(len(g.s.regular))]] }

func (g *gen) mailboxServer() *Server {
	return &g.org.Servers[g.s.mailbox[g.rng.IntN(len(g.s.mailbox))]]
}

func (g *gen) user(addr string) *User {
	if i, ok := g.s.userByAddr[addr]; ok {
		return &g.org.Users[i]
	}
	return nil
}

func (g *gen) homeOf(u *User) *Server { return &g.org.Servers[g.s.serverIdx[u.Server]] }

func (g *gen) peerOf(addr string) *Peer {
	d := addr[strings.IndexByte(addr, '@')+1:]
	for i := range g.org.Peers {
		if g.org.Peers[i].Domain == d {
			return &g.org.Peers[i]
		}
	}
	return &g.org.Peers[0]
}

func (g *gen) extAddr() string {
	p := &g.org.Peers[g.rng.IntN(len(g.org.Peers))]
	return firstNames[g.rng.IntN(len(firstNames))] + "." + lastNames[g.rng.IntN(len(lastNames))] + "@" + p.Domain
}

// addUser adds u to the envelope unless it is there already (by address
// or alias), is the sender, or is the forwarding source or target of
// someone there (so that DUPLICATEREDIRECT comes from group expansions).
func (g *gen) addUser(p *plan, u *User, typ string) bool {
	if p.sender != nil && p.sender.Address == u.Address {
		return false
	}
	for _, r := range p.rcpts {
		if r.addr == u.Address || (u.Alias != "" && r.addr == u.Alias) || (u.ForwardTo != "" && r.addr == u.ForwardTo) {
			return false
		}
		v := g.user(r.addr)
		if i, ok := g.s.aliasUser[r.addr]; ok {
			v = &g.org.Users[i]
		}
		if v != nil && v.ForwardTo == u.Address {
			return false
		}
		if v != nil && v.Address == u.Address {
			return false
		}
	}
	p.rcpts = append(p.rcpts, envRcpt{addr: u.Address, typ: typ})
	return true
}

func (g *gen) rcptType(i int) string {
	if i == 0 {
		return "To"
	}
	switch g.rng.IntN(6) {
	case 0, 1:
		return "Cc"
	case 2:
		return "Bcc"
	}
	return "To"
}

func (g *gen) addUsers(p *plan, n int) {
	for tries := 0; len(p.rcpts) < n && tries < 50; tries++ {
		g.addUser(p, g.randUser(), g.rcptType(len(p.rcpts)))
	}
}

func (g *gen) addExternal(p *plan) {
	p.rcpts = append(p.rcpts, envRcpt{addr: g.extAddr(), typ: g.rcptType(len(p.rcpts))})
}

var clientTypes = []string{"MOMT", "MOMT", "MOMT", "OWA", "OWA", "ActiveSync", "EWS"}

var clientTypes2010 = []string{"User", "User", "User", "OWA", "OWA", "EAS", "EWS"}

func (g *gen) storeEntry(p *plan) {
	p.entry = entryStore
	p.sender = g.randUser()
	if g.legacy {
		p.clientType = clientTypes2010[g.rng.IntN(len(clientTypes2010))]
	} else {
		p.clientType = clientTypes[g.rng.IntN(len(clientTypes))]
	}
}

func (g *gen) authEntry(p *plan) {
	p.entry = entryAuth
	var cs []*Client
	for i := range g.org.Clients {
		if !g.org.Clients[i].Anonymous {
			cs = append(cs, &g.org.Clients[i])
		}
	}
	p.client = cs[g.rng.IntN(len(cs))]
	p.sender = g.user(p.client.Sender)
}

func (g *gen) inboundEntry(p *plan) {
	p.entry = entryInbound
	p.peer = &g.org.Peers[g.rng.IntN(len(g.org.Peers))]
	p.extSender = firstNames[g.rng.IntN(len(firstNames))] + "." + lastNames[g.rng.IntN(len(lastNames))] + "@" + p.peer.Domain
}

// plan draws what a message of kind k goes through.
func (g *gen) plan(k Kind) *plan {
	p := &plan{kind: k}
	switch k {
	case KindStore:
		g.storeEntry(p)
		g.addUsers(p, 1+g.rng.IntN(4))
		if g.chance(0.25) {
			g.addExternal(p)
		}
	case KindSMTPAuth:
		g.authEntry(p)
		g.addUsers(p, 1+g.rng.IntN(3))
		if g.chance(0.2) {
			g.addExternal(p)
		}
	case KindSMTPAnonymous:
		p.entry = entryAnon
		var cs []*Client
		for i := range g.org.Clients {
			if g.org.Clients[i].Anonymous {
				cs = append(cs, &g.org.Clients[i])
			}
		}
		p.client = cs[g.rng.IntN(len(cs))]
		g.addUsers(p, 1+g.rng.IntN(2))
	case KindInbound:
		g.inboundEntry(p)
		g.addUsers(p, 1+g.rng.IntN(3))
	case KindOutbound:
		if g.chance(0.8) {
			g.storeEntry(p)
		} else {
			g.authEntry(p)
		}
		n := 1 + g.rng.IntN(3)
		for i := 0; i < n; i++ {
			g.addExternal(p)
		}
	case KindGroup:
		if len(g.org.Groups) == 0 {
			return g.plan(KindStore)
		}
		if g.chance(0.7) {
			g.storeEntry(p)
		} else {
			g.inboundEntry(p)
		}
		gi := g.rng.IntN(len(g.org.Groups))
		switch x := g.rng.IntN(10); {
		case x < 4 && len(g.org.Groups) > 1:
			gi = 1
		case x < 6 && len(g.org.Groups) > 2:
			gi = 2
		}
		p.rcpts = append(p.rcpts, envRcpt{addr: g.org.Groups[gi].Address, typ: "To"})
		if g.chance(0.3) {
			g.addUsers(p, 2)
		}
	case KindBifurcation:
		g.storeEntry(p)
		g.addUsers(p, 1+g.rng.IntN(2))
		g.addExternal(p)
		if g.chance(0.4) {
			g.addExternal(p)
		}
		p.forkExternal = true
	case KindResolve:
		if g.chance(0.6) {
			g.storeEntry(p)
		} else {
			g.inboundEntry(p)
		}
		mode := g.rng.IntN(3) // 0 alias, 1 forward, 2 both
		if mode != 1 {
			for tries := 0; tries < 50; tries++ {
				u := g.randUser()
				if u.Alias != "" && (p.sender == nil || u.Address != p.sender.Address) {
					p.rcpts = append(p.rcpts, envRcpt{addr: u.Alias, typ: "To"})
					break
				}
			}
		}
		if mode != 0 {
			for tries := 0; tries < 50; tries++ {
				u := g.randUser()
				if u.ForwardTo != "" && g.addUser(p, u, g.rcptType(len(p.rcpts))) {
					break
				}
			}
		}
		if len(p.rcpts) == 0 || g.chance(0.4) {
			g.addUsers(p, len(p.rcpts)+1)
		}
	case KindFail:
		if g.chance(0.7) {
			g.storeEntry(p)
		} else {
			g.authEntry(p)
		}
		g.addUsers(p, 1+g.rng.IntN(3))
		switch x := g.rng.IntN(20); {
		case x < 9:
			p.failMode = outFailStore
		case x < 16:
			p.failMode = outFailRcpt
		default:
			p.failMode = outFailExt
			g.addExternal(p)
		}
	case KindDefer:
		g.storeEntry(p)
		g.addUsers(p, 1+g.rng.IntN(2))
		p.deferMode = outDeferOK
		if g.chance(0.25) {
			p.deferMode = outDeferPending
		}
		if g.chance(0.6) {
			p.deferExt = true
			g.addExternal(p)
		}
	case KindDrop:
		if g.chance(0.6) {
			g.storeEntry(p)
		} else {
			g.inboundEntry(p)
		}
		g.addUsers(p, 2+g.rng.IntN(2))
		p.drop = true
	case KindShadow:
		switch g.rng.IntN(3) {
		case 0:
			g.inboundEntry(p)
		default:
			g.storeEntry(p)
		}
		g.addUsers(p, 1+g.rng.IntN(2))
	case KindResubmit:
		g.storeEntry(p)
		g.addUsers(p, 1+g.rng.IntN(2))
		p.resubmit = true
	}
	if g.ge13 {
		switch {
		case k == KindShadow && len(g.s.mailbox) > 1:
			p.shadow = 1
			if g.chance(0.15) {
				p.shadow = 2
			}
		case k == KindShadow:
			p.shadow = 2
		case g.chance(0.35):
			p.shadow = 1
			if len(g.s.mailbox) == 1 {
				p.shadow = 2
			}
		}
	}
	return p
}

var subjects = []string{
	"Quarterly report", "Budget 2024", "Meeting notes", "Project X status",
	"Lunch on Friday?", "Invoice 4711", "Your order has shipped",
	"Übersicht Q1", "Заседание + Материалы во вложении.", "Reminder: timesheets",
	"Scanned document", "Server alert: disk space low", "Welcome aboard, Megan",
	"Contract \"final\" version", "Travel plans", "Holiday schedule",
	"Re: design review", "FW: customer feedback", "Weekly backup report",
	"Security update; please read",
}

func envAddrs(p *plan) []string {
	out := make([]string, len(p.rcpts))
	for i, r := range p.rcpts {
		out[i] = r.addr
	}
	return out
}
