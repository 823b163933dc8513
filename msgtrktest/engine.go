package msgtrktest

import (
	"strconv"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
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

// hubCtx is the state of a message on its hub.
type hubCtx struct {
	m         *msgState
	p         *plan
	H         *Server
	depth     int
	t         int64 // running time on the hub
	imids     []string
	finals    []*final
	byAddr    map[string]*final
	rtByAddr  map[string]int
	groups    []string // expanded groups, in order
	szOut     int64
	szOutText string
	ndr       map[*Server]*ndrState
	done      int64 // last hand-off on the hub
	pending   bool  // something stays queued on the hub
	edge      *Server
	edgeIn    int64 // when the Edge received the current copy
}

type ndrState struct {
	m      *msgState
	t      int64 // time of the (first) FAIL row
	failed []string
}

func (hc *hubCtx) setSzOut(n int64) {
	hc.szOut, hc.szOutText = n, strconv.FormatInt(n, 10)
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
	if g.cfg.Version == V2010 {
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

// message generates every row of one message of kind k starting at t0.
func (g *gen) message(k Kind, t0 int64) {
	p := g.plan(k)
	m := g.newMsg(k)
	m.subject = subjects[g.rng.IntN(len(subjects))]
	m.size = 2048 + int64(float64(int64(1)<<g.rng.IntN(12))*(1+g.rng.Float64())*700)
	m.nmid = g.nmid()
	m.direction = "Originating"

	var H *Server
	var dh int
	var tHub int64
	var imid0 string
	var auth, connector, custom, origClient, hubClientIP, hubClientHost string
	hubSize := m.size
	o := &m.truth.Origin
	o.Protocol = "smtp"

	switch p.entry {
	case entryStore:
		S := g.homeOf(p.sender)
		m.sender = p.sender.Address
		m.returnPath = m.sender
		m.mid = "<" + g.hexLower(32) + "@" + S.FQDN + ">"
		created := t0 - g.between(40, 400)
		m.origMs = created
		m.origText = g.ts(S, created)
		m.cst = m.origText
		H = S
		if g.chance(0.5) {
			H = g.mailboxServer()
		}
		tR := t0 + g.between(20, 150)
		tHub = tR + g.between(30, 250)
		tSub := tR + g.between(40, 400)
		g.storeRows(m, p, S, H, t0, tR, tSub, created)
		dh = 1
		hubSize = m.size + g.between(200, 3000)
		auth, connector = "0cI: ", H.Name+`\Default `+H.Name
		hubClientIP, hubClientHost = S.IP, S.FQDN
		custom = "S:FirstForestHop=" + S.FQDN + ";S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		sub := appendSRV(nil, S.FQDN)
		m.prior = string(g.subRecords(sub, tHub-created))
	case entryAuth, entryAnon:
		F, hub, fe := g.viaFrontEnd(m, t0)
		H, tHub = hub, t0
		m.sender = p.client.Sender
		m.returnPath = m.sender
		m.mid = "<" + strconv.FormatInt(t0, 10) + "." + g.hexUpper(10) + "@" + p.client.Host + ">"
		hubClientIP, hubClientHost = F.IP, F.FQDN
		origClient = p.client.IP
		proxy := "S:ProxyHop1=" + F.FQDN + "(" + F.IP + ");S:FirstForestHop=" + F.FQDN + ";S:ProxiedClientIPAddress=" + p.client.IP + ";S:ProxiedClientHostname=" + p.client.Host
		if p.entry == entryAuth {
			auth, connector = "07I: ", H.Name+`\Client Proxy `+H.Name
			custom = proxy + ";S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		} else {
			auth, connector = "0cA: ", H.Name+`\Default `+H.Name
			m.direction = "Incoming"
			custom = proxy + ";S:FromEntity=Internet;S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		}
		o.Server = F.Name
		b := appendSRV(nil, F.FQDN)
		m.prior = string(g.feRecords(b, fe))
	case entryInbound:
		m.sender = p.extSender
		m.returnPath = m.sender
		m.direction = "Incoming"
		if p.peer.Office365 {
			m.mid = "<" + g.hexUpper(4) + "PR0" + strconv.Itoa(1+g.rng.IntN(9)) + "MB" + g.hexUpper(28) + "@" + g.hexUpper(4) + "PR01MB" + g.hexUpper(4) + ".eurprd01.prod.exchangelabs.com>"
		} else {
			m.mid = "<" + g.hexLower(20) + "@" + p.peer.Out + ">"
		}
		if len(g.s.edges) > 0 {
			E := &g.org.Servers[g.s.edges[g.rng.IntN(len(g.s.edges))]]
			H = g.mailboxServer()
			m.origMs = t0
			m.origText = g.ts(E, t0)
			tHub = t0 + g.between(100, 900)
			tSend := tHub + g.between(5, 40)
			imid0 = g.nextIMID(H, msgtrk.LogTransport)
			g.edgeInboundRows(m, p, E, H, imid0, t0, tHub, tSend)
			dh = 1
			hubSize = m.size + g.between(300, 1500)
			auth, connector = "02A: ", H.Name+`\Default `+H.Name
			hubClientIP, hubClientHost = E.IP, E.FQDN
			custom = "S:FromEntity=Internet;S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
			b := appendSRV(nil, E.FQDN)
			m.prior = string(g.edgeRecords(b, tSend-t0))
		} else {
			F, hub, fe := g.viaFrontEnd(m, t0)
			H, tHub = hub, t0
			hubClientIP, hubClientHost = F.IP, F.FQDN
			origClient = p.peer.OutIP
			auth, connector = "0cA: ", H.Name+`\Default `+H.Name
			custom = "S:ProxyHop1=" + F.FQDN + "(" + F.IP + ");S:FirstForestHop=" + F.FQDN + ";S:FromEntity=Internet;S:ProxiedClientIPAddress=" + p.peer.OutIP +
				";S:ProxiedClientHostname=" + p.peer.Out + ";S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
			o.Server = F.Name
			b := appendSRV(nil, F.FQDN)
			m.prior = string(g.feRecords(b, fe))
		}
	}
	m.origClientIP = origClient
	if g.ge13 {
		m.truth.Key = m.nmid
		m.truth.NetworkMessageID = m.nmid
	} else {
		m.truth.Key = "mid:" + m.mid + "|" + lower(m.sender)
	}
	m.truth.MessageID = m.mid
	m.truth.Sender = m.sender
	m.truth.Subject = m.subject
	m.truth.Size = m.size

	// The hub's SMTP RECEIVE.
	hc := &hubCtx{m: m, p: p, H: H, depth: dh, byAddr: map[string]*final{}, rtByAddr: map[string]int{}}
	if imid0 == "" {
		imid0 = g.nextIMID(H, msgtrk.LogTransport)
	}
	hc.imids = []string{imid0}
	m.hubIn = tHub
	{
		e := g.begin(m, H, tHub, "SMTP", "RECEIVE")
		e.Fields[fClientIP] = hubClientIP
		e.Fields[fClientHost] = hubClientHost
		e.Fields[fServerIP] = H.IP
		e.Fields[fServerHost] = H.Name
		e.Fields[fContext] = g.session() + ";" + g.ts(H, tHub-g.between(50, 3000)) + ";0"
		e.Fields[fConnector] = connector
		e.Fields[fIMID] = imid0
		g.setRcpts(e, envAddrs(p), nil)
		e.Fields[fBytes] = strconv.FormatInt(hubSize, 10)
		e.Fields[fInfo] = auth
		e.Fields[fOrigClient] = origClient
		e.Fields[fOrigServer] = H.IP
		e.Fields[fCustom] = custom
		g.commit(m, H, msgtrk.LogTransport, tHub, msgtrk.EventReceive, RoleHub, dh)
	}
	if p.entry != entryStore && !(p.entry == entryInbound && len(g.s.edges) > 0) {
		// The hub's RECEIVE is the first.
		o.Auth = strings.TrimRight(auth, ": ")
		o.Anonymous = auth[2] == 'A'
		o.ClientIP = hubClientIP
		o.OriginalClientIP = origClient
	}
	m.size = hubSize
	hc.t = tHub
	hc.setSzOut(hubSize + g.between(300, 2500))
	g.hub(hc)
	g.finish(m)
	for _, srv := range sortedServers(hc.ndr) {
		g.ndrMessage(m, hc.ndr[srv], srv)
	}
}

func sortedServers(m map[*Server]*ndrState) []*Server {
	var out []*Server
	for s := range m {
		out = append(out, s)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Name < out[j-1].Name; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func (g *gen) finish(m *msgState) {
	m.generated = true
	if m.pending == 0 {
		g.o.complete(m)
	}
}

func envAddrs(p *plan) []string {
	out := make([]string, len(p.rcpts))
	for i, r := range p.rcpts {
		out[i] = r.addr
	}
	return out
}

func (g *gen) storeContext(m *msgState, p *plan, S *Server, mbx string, event int64, created int64, conn string) string {
	var b strings.Builder
	b.WriteString("MDB:")
	b.WriteString(S.Database)
	b.WriteString(", Mailbox:")
	b.WriteString(mbx)
	b.WriteString(", Event:")
	b.WriteString(strconv.FormatInt(event, 10))
	b.WriteString(", MessageClass:IPM.Note, CreationTime:")
	b.WriteString(g.ts(S, created))
	b.WriteString(", ClientType:")
	b.WriteString(p.clientType)
	if g.ge13 {
		b.WriteString(", SubmissionAssistant:MailboxTransportSubmissionEmailAssistant")
	}
	if conn != "" {
		b.WriteString(", ServerMdbConnectionId:")
		b.WriteString(conn)
	}
	return b.String()
}

func (g *gen) itemEntryID() string {
	b := make([]byte, 0, 3*46)
	b = append(b, "00-00-00-00"...)
	for i := 0; i < 42; i++ {
		x := g.rng.IntN(256)
		b = append(b, '-', "0123456789ABCDEF"[x>>4], "0123456789ABCDEF"[x&15])
	}
	return string(b)
}

// storeRows writes the submission rows: NOTIFYMAPI, STOREDRIVER RECEIVE and
// SUBMIT on the sender's mailbox server S (MSGTRKMS).
func (g *gen) storeRows(m *msgState, p *plan, S, H *Server, tN, tR, tSub, created int64) {
	si := g.s.serverIdx[S.Name]
	g.storeEvent[si] += 1 + g.rng.Int64N(40)
	event := g.storeEvent[si]
	entry := g.itemEntryID()
	zone := "%" + strconv.Itoa(3+si)
	conn := g.hexUpper(16)
	o := &m.truth.Origin
	o.Server = S.Name
	o.Protocol = "store"
	o.ClientType = p.clientType
	o.Auth = "04I"
	o.ClientIP = S.IPv6
	if p.clientType != "ActiveSync" && p.clientType != "EAS" {
		o.OriginalClientIP = p.sender.ClientIP
	}

	e := g.begin(m, S, tN, "STOREDRIVER", "NOTIFYMAPI")
	e.Fields[fMID], e.Fields[fNMID], e.Fields[fSubject], e.Fields[fReturnPath], e.Fields[fDirection], e.Fields[fBytes] = "", "", "", "", "", ""
	e.Fields[fTrafficType] = "" // as in the real NOTIFYMAPI rows
	e.Fields[fClientIP] = S.IPv6 + zone
	e.Fields[fClientHost] = S.Name
	e.Fields[fContext] = g.storeContext(m, p, S, p.sender.Mailbox, event, created, "")
	var b []byte
	b = append(b, m.origText...)
	b = append(b, ";LSRV="...)
	b = append(b, S.FQDN...)
	b = append(b, ":TOTAL-SUB="...)
	b = appendSec(b, tN-created)
	b = append(b, "|SA="...)
	b = appendSec(b, tN-created)
	b = append(b, "|MTSS-PEN=0.000"...)
	e.Fields[fInfo] = string(b)
	e.Fields[fCustom] = "S:ItemEntryId=" + entry
	g.commit(m, S, msgtrk.LogSubmission, tN, msgtrk.EventNotifyMAPI, RoleSubmission, 0)

	msImid := g.nextIMID(S, msgtrk.LogSubmission)
	addrs := envAddrs(p)
	types := make([]string, len(p.rcpts))
	for i, r := range p.rcpts {
		types[i] = r.typ
	}
	custom := "S:MailboxDatabaseGuid=" + S.Database + ";S:ItemEntryId=" + entry + ";S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
	e = g.begin(m, S, tR, "STOREDRIVER", "RECEIVE")
	e.Fields[fClientIP] = S.IPv6
	e.Fields[fClientHost] = S.FQDN
	e.Fields[fServerIP] = S.IPv6 + zone
	e.Fields[fServerHost] = S.Name
	e.Fields[fContext] = g.storeContext(m, p, S, p.sender.Mailbox, event, created, conn)
	e.Fields[fIMID] = msImid
	g.setRcpts(e, addrs, types)
	e.Fields[fInfo] = "04I: "
	e.Fields[fOrigClient] = o.OriginalClientIP
	e.Fields[fOrigServer] = S.IPv6 + zone
	e.Fields[fCustom] = custom
	g.commit(m, S, msgtrk.LogSubmission, tR, msgtrk.EventReceive, RoleSubmission, 0)

	e = g.begin(m, S, tSub, "STOREDRIVER", "SUBMIT")
	e.Fields[fClientIP] = S.IPv6
	e.Fields[fClientHost] = S.FQDN
	e.Fields[fServerIP] = H.IP
	e.Fields[fServerHost] = H.FQDN
	e.Fields[fContext] = g.storeContext(m, p, S, p.sender.Mailbox, event, created, conn)
	e.Fields[fIMID] = msImid
	g.setRcpts(e, addrs, nil)
	b = b[:0]
	b = append(b, m.origText...)
	b = append(b, ";LSRV="...)
	b = append(b, S.FQDN...)
	b = append(b, ':')
	e.Fields[fInfo] = string(g.subRecords(b, tSub-created))
	e.Fields[fOrigClient] = o.OriginalClientIP
	e.Fields[fCustom] = custom
	g.commit(m, S, msgtrk.LogSubmission, tSub, msgtrk.EventSubmit, RoleSubmission, 0)
}

// edgeInboundRows writes the Edge's RECEIVE from the Internet, AGENTINFO and
// SEND to the hub H.
func (g *gen) edgeInboundRows(m *msgState, p *plan, E, H *Server, himid string, t0, tHub, tSend int64) {
	eimid := g.nextIMID(E, msgtrk.LogTransport)
	addrs := envAddrs(p)
	o := &m.truth.Origin
	o.Server = E.Name
	o.Auth = "00A"
	o.Anonymous = true
	o.ClientIP = p.peer.OutIP

	e := g.begin(m, E, t0, "SMTP", "RECEIVE")
	e.Fields[fClientIP] = p.peer.OutIP
	e.Fields[fClientHost] = p.peer.Out
	e.Fields[fServerIP] = E.IP
	e.Fields[fServerHost] = E.Name
	e.Fields[fContext] = g.session() + ";" + g.ts(E, t0-g.between(100, 4000)) + ";0"
	e.Fields[fConnector] = E.Name + `\Default internal receive connector ` + E.Name
	e.Fields[fIMID] = eimid
	g.setRcpts(e, addrs, nil)
	e.Fields[fInfo] = "00A: "
	e.Fields[fOrigServer] = E.IP
	e.Fields[fCustom] = "S:FromEntity=Internet;S:DeliveryPriority=Normal"
	g.commit(m, E, msgtrk.LogTransport, t0, msgtrk.EventReceive, RoleEdgeHop, 0)

	tA := t0 + (tHub-t0)/2
	e = g.begin(m, E, tA, "AGENT", "AGENTINFO")
	e.Fields[fClientHost] = E.Name
	e.Fields[fIMID] = eimid
	g.setRcpts(e, addrs, nil)
	e.Fields[fOrigClient] = p.peer.OutIP
	e.Fields[fOrigServer] = E.IP
	e.Fields[fCustom] = "S:CompCost=|ICF=0;S:DeliveryPriority=Normal"
	g.commit(m, E, msgtrk.LogTransport, tA, msgtrk.EventAgentInfo, RoleEdgeHop, 0)

	e = g.begin(m, E, tSend, "SMTP", "SEND")
	e.Fields[fClientIP] = E.IP
	e.Fields[fClientHost] = E.Name
	e.Fields[fServerIP] = H.IP
	e.Fields[fServerHost] = H.FQDN
	e.Fields[fContext] = ";250 2.6.0 " + m.mid + " [InternalId=" + himid + ", Hostname=" + H.FQDN + "] " +
		strconv.FormatInt(m.size, 10) + " bytes in " + sec(g.between(20, 400)) + ", " + strconv.Itoa(100+g.rng.IntN(9000)) + ".512 KB/sec Queued mail for delivery;ClientSubmitTime:"
	e.Fields[fConnector] = "EdgeSync - Inbound to Default-First-Site-Name"
	e.Fields[fIMID] = eimid
	g.setRcpts(e, addrs, []string{"250 2.1.5 Recipient OK"})
	var b []byte
	b = append(b, m.origText...)
	b = append(b, ";LSRV="...)
	b = append(b, E.FQDN...)
	b = append(b, ':')
	e.Fields[fInfo] = string(g.edgeRecords(b, tSend-t0))
	e.Fields[fCustom] = "S:E2ELatency=" + sec(tSend-m.origMs) + ";S:MsgRecipCount=" + strconv.Itoa(len(addrs)) + ";S:IncludeInSla=True;S:IsSmtpResponseFromExternalServer=False;S:DeliveryPriority=Normal"
	g.commit(m, E, msgtrk.LogTransport, tSend, msgtrk.EventSend, RoleEdgeHop, 0)
}

// hub simulates the categorizer and routing on the hub.
func (g *gen) hub(hc *hubCtx) {
	m, p, H := hc.m, hc.p, hc.H
	env := envAddrs(p)
	var X *Server // shadow server
	var ximid string
	switch p.shadow {
	case 1:
		for X == nil || X == H {
			X = g.mailboxServer()
		}
		ximid = g.nextIMID(X, msgtrk.LogTransport)
		tX := hc.t + g.between(8, 40)
		e := g.begin(m, X, tX, "SMTP", "HARECEIVE")
		e.Fields[fClientIP] = H.IP
		e.Fields[fClientHost] = H.FQDN
		e.Fields[fServerIP] = X.IP
		e.Fields[fServerHost] = X.Name
		e.Fields[fContext] = g.session() + ";" + g.ts(X, tX-g.between(10, 2000)) + ";0"
		e.Fields[fConnector] = X.Name + `\Default ` + X.Name
		e.Fields[fIMID] = ximid
		g.setRcpts(e, env, nil)
		e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		g.commit(m, X, msgtrk.LogTransport, tX, msgtrk.EventHAReceive, "", 0)
		hc.t = tX + g.between(2, 30)
		e = g.begin(m, H, hc.t, "SMTP", "HAREDIRECT")
		e.Fields[fServerHost] = H.Name
		id, host := ximid, X.FQDN
		if g.cfg.Version == V2013 {
			id, host = host, id // the 2013 writer swaps them
		}
		e.Fields[fContext] = X.FQDN + "=250 2.6.0 " + m.mid + " [InternalId=" + id + ", Hostname=" + host + "] Queued mail for redundancy"
		e.Fields[fIMID] = hc.imids[0]
		g.setRcpts(e, env, nil)
		e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		g.commit(m, H, msgtrk.LogTransport, hc.t, msgtrk.EventHARedirect, RoleHub, hc.depth)
	case 2:
		hc.t += g.between(3, 30)
		e := g.begin(m, H, hc.t, "SMTP", "HAREDIRECTFAIL")
		e.Fields[fServerHost] = H.Name
		e.Fields[fContext] = "No suitable shadow servers"
		e.Fields[fIMID] = hc.imids[0]
		g.setRcpts(e, env, nil)
		e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		g.commit(m, H, msgtrk.LogTransport, hc.t, msgtrk.EventHARedirectFail, RoleHub, hc.depth)
	}

	g.categorize(hc)
	g.forks(hc)

	// AGENTINFO lists the groups and the final recipients together.
	hc.t += g.between(20, 300)
	var agentRcpts []string
	agentRcpts = append(agentRcpts, hc.groups...)
	for _, f := range hc.finals {
		agentRcpts = append(agentRcpts, f.addr)
	}
	nagent := 1
	if g.chance(0.05) {
		nagent = 2 // identical AGENTINFO rows have been seen
	}
	custom := "S:AMA=SUM|v=0|action=|error=|atch=" + strconv.Itoa(g.rng.IntN(3)) + ";S:CompCost=|ETR=0;S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
	ctx := ""
	if g.chance(0.3) {
		ctx = "CatContentConversion"
	}
	for i := 0; i < nagent; i++ {
		e := g.begin(m, H, hc.t, "AGENT", "AGENTINFO")
		e.Fields[fClientHost] = H.Name
		e.Fields[fContext] = ctx
		e.Fields[fIMID] = hc.imids[0]
		g.setRcpts(e, agentRcpts, nil)
		e.Fields[fOrigClient] = m.origClientIP
		e.Fields[fOrigServer] = H.IP
		e.Fields[fCustom] = custom
		g.commit(m, H, msgtrk.LogTransport, hc.t, msgtrk.EventAgentInfo, RoleHub, hc.depth)
	}
	// The group addresses are dropped once expanded.
	for _, grp := range hc.groups {
		hc.t += g.between(1, 10)
		e := g.begin(m, H, hc.t, "ROUTING", "DROP")
		e.Fields[fServerHost] = H.Name
		e.Fields[fIMID] = hc.imids[0]
		g.setRcpts(e, []string{grp}, []string{"250 2.1.5 RESOLVER.GRP.Expanded; distribution list expanded"})
		g.commit(m, H, msgtrk.LogTransport, hc.t, msgtrk.EventDrop, RoleHub, hc.depth)
	}
	g.outcomes(hc)
	for _, f := range hc.finals {
		if f.out != outDropped {
			continue
		}
		hc.t += g.between(1, 20)
		st := "550 4.3.2 QUEUE.TransportAgent; message deleted by transport agent"
		e := g.begin(m, H, hc.t, "AGENT", "DROP")
		e.Fields[fServerHost] = H.Name
		e.Fields[fIMID] = hc.imids[f.copy]
		g.setRcpts(e, []string{f.addr}, []string{st})
		e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		g.commit(m, H, msgtrk.LogTransport, hc.t, msgtrk.EventDrop, RoleHub, hc.depth)
		g.setOutcome(hc, f, StatusDropped, H.Name, st)
	}
	hc.done = hc.t
	g.route(hc)

	if p.shadow == 1 && !hc.pending {
		n := 1
		if len(hc.imids) > 1 || g.chance(0.3) {
			n = 2
		}
		t := hc.done
		for i := 0; i < n; i++ {
			t += g.between(5_000, 90_000)
			e := g.begin(m, X, t, "SMTP", "HADISCARD")
			e.Fields[fServerHost] = X.Name
			e.Fields[fIMID] = ximid
			g.setRcpts(e, env, nil)
			e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
			g.commit(m, X, msgtrk.LogTransport, t, msgtrk.EventHADiscard, "", 0)
		}
	}
}

// categorize resolves aliases, expands groups and applies forwarding,
// writing RESOLVE, EXPAND, DUPLICATEEXPAND, REDIRECT and DUPLICATEREDIRECT
// rows, and builds the final recipients and their truth.
func (g *gen) categorize(hc *hubCtx) {
	m := hc.m
	hc.t += g.between(10, 150)
	type expansion struct {
		group string
		chain []string
	}
	var queue []expansion
	queued := map[string]bool{}
	for _, r := range hc.p.rcpts {
		a := lower(r.addr)
		resolvedFrom := ""
		if i, ok := g.s.aliasUser[a]; ok {
			u := &g.org.Users[i]
			hc.t += g.between(1, 15)
			e := g.begin(m, hc.H, hc.t, "ROUTING", "RESOLVE")
			e.Fields[fServerHost] = hc.H.Name
			e.Fields[fContext] = u.LegacyDN
			e.Fields[fIMID] = hc.imids[0]
			g.setRcpts(e, []string{u.Address}, nil)
			e.Fields[fRelated] = a
			e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
			g.commit(m, hc.H, msgtrk.LogTransport, hc.t, msgtrk.EventResolve, RoleHub, hc.depth)
			resolvedFrom = a
			a = u.Address
		}
		if _, ok := g.s.groupByAddr[a]; ok {
			if !queued[a] {
				queued[a] = true
				queue = append(queue, expansion{group: a})
			}
			continue
		}
		g.reach(hc, a, nil, resolvedFrom, false)
	}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		grp := &g.org.Groups[g.s.groupByAddr[x.group]]
		chain := append(append([]string(nil), x.chain...), x.group)
		var fresh, dups []string
		for _, mem := range grp.Members {
			if _, ok := g.s.groupByAddr[mem]; ok {
				if queued[mem] {
					dups = append(dups, mem)
				} else {
					queued[mem] = true
					fresh = append(fresh, mem)
					queue = append(queue, expansion{group: mem, chain: chain})
				}
				continue
			}
			if _, seen := hc.rtByAddr[mem]; seen || hc.byAddr[mem] != nil {
				dups = append(dups, mem)
			} else {
				fresh = append(fresh, mem)
			}
		}
		hc.groups = append(hc.groups, x.group)
		// expandRow logs the group's expansion into members.
		expandRow := func(event string, etype msgtrk.EventType, members []string) {
			e := g.begin(m, hc.H, hc.t, "ROUTING", event)
			e.Fields[fServerHost] = hc.H.Name
			e.Fields[fIMID] = hc.imids[0]
			g.setRcpts(e, members, nil)
			e.Fields[fRelated] = x.group
			e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
			g.commit(m, hc.H, msgtrk.LogTransport, hc.t, etype, RoleHub, hc.depth)
		}
		hc.t += g.between(2, 30)
		expandRow("EXPAND", msgtrk.EventExpand, fresh)
		sorted := append([]string{}, fresh...)
		sortStrings(sorted)
		m.truth.Expansions = append(m.truth.Expansions, Expansion{Group: x.group, Members: sorted})
		if len(dups) > 0 {
			hc.t += g.between(1, 5)
			expandRow("DUPLICATEEXPAND", msgtrk.EventDuplicateExpand, dups)
			for _, d := range dups {
				// A member reached again through a forwarding target that
				// is not a recipient yet becomes one.
				if _, isGroup := g.s.groupByAddr[d]; !isGroup {
					if _, ok := hc.rtByAddr[d]; !ok {
						g.reach(hc, d, chain, "", true)
					}
				}
			}
		}
		for _, mem := range fresh {
			if _, ok := g.s.groupByAddr[mem]; !ok {
				g.reach(hc, mem, chain, "", true)
			}
		}
	}
}

func sortStrings(a []string) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// reach makes a the recipient of the message (after RESOLVE), applying
// forwarding.
func (g *gen) reach(hc *hubCtx, a string, chain []string, resolvedFrom string, viaGroup bool) {
	m := hc.m
	if _, ok := hc.rtByAddr[a]; ok {
		return
	}
	rt := RecipientTruth{Address: a, ResolvedFrom: resolvedFrom}
	if len(chain) > 0 {
		rt.ExpandedFrom = append([]string(nil), chain...)
	}
	idx := len(m.truth.Recipients)
	hc.rtByAddr[a] = idx
	u := g.user(a)
	if u != nil && u.ForwardTo != "" {
		target := u.ForwardTo
		rt.RedirectedTo = target
		m.truth.Recipients = append(m.truth.Recipients, rt)
		ev, et := "REDIRECT", msgtrk.EventRedirect
		if hc.byAddr[target] != nil {
			ev, et = "DUPLICATEREDIRECT", msgtrk.EventDuplicateRedirect
		}
		hc.t += g.between(1, 15)
		e := g.begin(m, hc.H, hc.t, "ROUTING", ev)
		e.Fields[fServerHost] = hc.H.Name
		e.Fields[fContext] = g.user(target).LegacyDN
		e.Fields[fIMID] = hc.imids[0]
		// The original recipient in recipient-address, the target in
		// related-recipient-address (format.md §4).
		g.setRcpts(e, []string{a}, nil)
		e.Fields[fRelated] = target
		e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		g.commit(m, hc.H, msgtrk.LogTransport, hc.t, et, RoleHub, hc.depth)
		f := hc.byAddr[target]
		if f == nil {
			f = &final{addr: target, user: g.user(target), viaG: viaGroup}
			hc.byAddr[target] = f
			hc.finals = append(hc.finals, f)
		}
		f.rts = append(f.rts, idx)
		return
	}
	m.truth.Recipients = append(m.truth.Recipients, rt)
	f := hc.byAddr[a]
	if f == nil {
		f = &final{addr: a, user: u, viaG: viaGroup}
		if u == nil {
			f.peer = g.peerOf(a)
		}
		hc.byAddr[a] = f
		hc.finals = append(hc.finals, f)
	}
	f.rts = append(f.rts, idx)
}

// forks moves recipients to forked copies (TRANSFER): the members reached
// through groups, and the external recipients when the message asks for it
// (or, sometimes, anyway).
func (g *gen) forks(hc *hubCtx) {
	fork := func(sel func(*final) bool, reason string) {
		var moved []string
		for _, f := range hc.finals {
			if f.copy == 0 && sel(f) {
				moved = append(moved, f.addr)
			}
		}
		if len(moved) == 0 {
			return
		}
		c := len(hc.imids)
		imid := g.nextIMID(hc.H, msgtrk.LogTransport)
		hc.imids = append(hc.imids, imid)
		for _, f := range hc.finals {
			if f.copy == 0 && sel(f) {
				f.copy = c
			}
		}
		hc.t += g.between(2, 40)
		e := g.begin(hc.m, hc.H, hc.t, "ROUTING", "TRANSFER")
		e.Fields[fServerHost] = hc.H.Name
		e.Fields[fContext] = reason
		e.Fields[fIMID] = imid
		g.setRcpts(e, moved, nil)
		e.Fields[fReference] = hc.imids[0]
		e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		g.commit(hc.m, hc.H, msgtrk.LogTransport, hc.t, msgtrk.EventTransfer, RoleHub, hc.depth)
	}
	if len(hc.groups) > 0 {
		fork(func(f *final) bool { return f.viaG }, "Expansion")
	}
	ext := func(f *final) bool { return f.user == nil }
	if hc.p.forkExternal || g.chance(0.3) {
		fork(ext, "ContentConversion")
	}
}

// outcomes assigns the plan's special outcome to one final recipient.
func (g *gen) outcomes(hc *hubCtx) {
	p := hc.p
	pick := func(internal bool) *final {
		var cand []*final
		for _, f := range hc.finals {
			if (f.user != nil) == internal && f.out == outOK {
				cand = append(cand, f)
			}
		}
		if len(cand) == 0 {
			return nil
		}
		return cand[g.rng.IntN(len(cand))]
	}
	if p.failMode != 0 {
		if f := pick(p.failMode != outFailExt); f != nil {
			f.out = p.failMode
		}
	}
	if p.deferMode != 0 {
		if f := pick(!p.deferExt); f != nil {
			f.out = p.deferMode
		}
	}
	if p.drop {
		if f := pick(true); f != nil {
			f.out = outDropped
		}
	}
}

func (g *gen) setOutcome(hc *hubCtx, f *final, status, server, detail string) {
	for _, i := range f.rts {
		r := &hc.m.truth.Recipients[i]
		r.Status, r.Server = status, server
		if status == StatusFailed || status == StatusDropped || status == StatusPending {
			r.Detail = detail
		} else {
			r.Detail = ""
		}
	}
}

// batch is the recipients of one copy going to one next hop.
type batch struct {
	copy   int
	D      *Server // internal: the delivery server
	peer   *Peer   // external without Edge: the domain
	edge   bool    // external through the Edge
	finals []*final
}

// route sends every copy to its next hops.
func (g *gen) route(hc *hubCtx) {
	var batches []*batch
	find := func(c int, D *Server, peer *Peer, edge bool) *batch {
		for _, b := range batches {
			if b.copy == c && b.D == D && b.peer == peer && b.edge == edge {
				return b
			}
		}
		b := &batch{copy: c, D: D, peer: peer, edge: edge}
		batches = append(batches, b)
		return b
	}
	if len(g.s.edges) > 0 {
		hc.edge = &g.org.Servers[g.s.edges[g.rng.IntN(len(g.s.edges))]]
	}
	for _, f := range hc.finals {
		if f.out == outDropped {
			continue
		}
		switch {
		case f.user != nil:
			b := find(f.copy, g.homeOf(f.user), nil, false)
			b.finals = append(b.finals, f)
		case hc.edge != nil:
			b := find(f.copy, nil, nil, true)
			b.finals = append(b.finals, f)
		default:
			b := find(f.copy, nil, f.peer, false)
			b.finals = append(b.finals, f)
		}
	}
	t := hc.t
	resubmitted := false
	for _, b := range batches {
		t += g.between(5, 120)
		switch {
		case b.D != nil:
			g.deliverBatch(hc, b, t, hc.p.resubmit && !resubmitted)
			if hc.p.resubmit {
				resubmitted = true
			}
		case b.edge:
			g.edgeBatch(hc, b, t)
		default:
			g.externalSend(hc, hc.H, hc.imids[b.copy], b.finals, t, hc.depth, RoleHub, "Outbound to Internet")
		}
	}
}

func (g *gen) lastError(srv *Server, t int64, led, fqdn, ip string) string {
	lt := time.UnixMilli(t + srv.Skew.Milliseconds()).UTC()
	return "[{LED=" + led + "};{MSG=};{FQDN=" + fqdn + "};{IP=" + ip + "};{LRT=" + lt.Format("1/2/2006 3:04:05 PM") + "}]"
}

// failRow writes a FAIL row on srv and registers the NDR it causes.
func (g *gen) failRow(hc *hubCtx, srv *Server, imid string, fs []*final, statuses []string, t int64, role string, depth int, connector string, external bool) {
	m := hc.m
	if hc.ndr == nil {
		hc.ndr = map[*Server]*ndrState{}
	}
	nd := hc.ndr[srv]
	if nd == nil {
		nd = &ndrState{m: g.newMsg(KindDSN), t: t}
		nd.m.mid = "<" + g.guid() + "@" + srv.FQDN + ">"
		hc.ndr[srv] = nd
	}
	addrs := make([]string, len(fs))
	for i, f := range fs {
		addrs[i] = f.addr
		nd.failed = append(nd.failed, f.addr)
	}
	e := g.begin(m, srv, t, "SMTP", "FAIL")
	e.Fields[fClientIP] = srv.IP
	e.Fields[fClientHost] = srv.Name
	e.Fields[fServerIP] = srv.IP
	e.Fields[fServerHost] = srv.FQDN
	e.Fields[fConnector] = connector
	e.Fields[fIMID] = imid
	g.setRcpts(e, addrs, statuses)
	e.Fields[fBytes] = hc.szOutText
	e.Fields[fReference] = nd.m.mid
	e.Fields[fInfo] = g.latencyLocal(hc, srv, t, external)
	e.Fields[fCustom] = "S:E2ELatency=" + sec(t-m.origMs) + ";S:ToEntity=Unknown;S:FromEntity=Hosted;S:MsgRecipCount=" + strconv.Itoa(len(addrs)) +
		";S:IncludeInSla=False;S:IsSmtpResponseFromExternalServer=" + boolText(external) + ";S:DeliveryPriority=Normal" + g.forest(srv)
	g.commit(m, srv, msgtrk.LogTransport, t, msgtrk.EventFail, role, depth)
}

// forest is the S:AccountForest member a server writes: Edge servers are
// outside the Active Directory forest and write none.
func (g *gen) forest(srv *Server) string {
	if srv.Role == RoleEdge {
		return ""
	}
	return ";S:AccountForest=" + g.org.AccountForest
}

func boolText(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// latencyLocal is the message-info of a SEND or FAIL: the origination time
// and the local server's records.
func (g *gen) latencyLocal(hc *hubCtx, srv *Server, t int64, external bool) string {
	b := g.lat[:0]
	b = append(b, hc.m.origText...)
	b = append(b, ";LSRV="...)
	b = append(b, srv.FQDN...)
	b = append(b, ':')
	if srv.Role == RoleEdge {
		b = g.edgeRecords(b, t-hc.edgeIn)
	} else {
		b = g.hubRecords(b, t-hc.m.hubIn, external)
	}
	g.lat = b
	return string(b)
}

// chain is the message-info of a DELIVER, DELIVERFAIL or SENDEXTERNAL: the
// origination time, the hops before the hub, the hub and the logging
// server's records (last is "" for SENDEXTERNAL on the hub).
func (g *gen) chain(hc *hubCtx, hubOut int64, external bool, last []byte) string {
	b := g.lat[:0]
	b = append(b, hc.m.origText...)
	b = append(b, ';')
	if hc.m.prior != "" {
		b = append(b, hc.m.prior...)
		b = append(b, ';')
	}
	b = appendSRV(b, hc.H.FQDN)
	b = g.hubRecords(b, hubOut-hc.m.hubIn, external)
	if len(last) > 0 {
		b = append(b, ';')
		b = append(b, last...)
	}
	g.lat = b
	return string(b)
}

var storeFailures = []struct{ diag, code string }{
	{"STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded; Failed to process message due to a permanent exception with message The mailbox is full. [Stage: CreateMessage]", "554 5.2.2 mailbox full; "},
	{"STOREDRV.Deliver.Exception:MessageSubmissionExceededException.MapiExceptionMaxSubmissionExceeded; Failed to process message due to a permanent exception with message Cannot save changes made to an item to store. [Stage: OnCreatedEvent][Agent: Meeting Message Processing Agent]", "554 5.2.0 "},
}

// deliverBatch sends one copy's recipients on one delivery server D.
func (g *gen) deliverBatch(hc *hubCtx, b *batch, t int64, resubmit bool) {
	m, H, D := hc.m, hc.H, b.D
	imid := hc.imids[b.copy]
	var ok, failStore, failRcpt, deferred []*final
	for _, f := range b.finals {
		switch f.out {
		case outOK:
			ok = append(ok, f)
		case outFailStore:
			failStore = append(failStore, f)
		case outFailRcpt:
			failRcpt = append(failRcpt, f)
		case outDeferOK, outDeferPending:
			deferred = append(deferred, f)
		}
	}
	if len(failRcpt) > 0 {
		led := "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
		t += g.between(5, 60)
		st := g.lastError(H, t, led, D.FQDN, D.IP)
		g.failRow(hc, H, imid, failRcpt, []string{st}, t, RoleHub, hc.depth, "Intra-Organization SMTP Send Connector", false)
		for _, f := range failRcpt {
			g.setOutcome(hc, f, StatusFailed, H.Name, st)
		}
		hc.done = max(hc.done, t)
	}
	if len(ok) > 0 || len(failStore) > 0 {
		tIn := t + g.between(10, 100)
		tD := tIn + g.between(20, 250)
		sess := g.session()
		sessStart := g.ts(D, tIn-g.between(0, 500))
		tSend := g.deliverRows(hc, D, ok, tD, tIn, sess, sessStart, msgtrk.EventDeliver)
		fails := make([]string, 0, len(failStore))
		for i, f := range failStore {
			sf := storeFailures[g.rng.IntN(len(storeFailures))]
			tF := tD + int64(i+1)*g.between(1, 30)
			e := g.begin(m, D, tF, "STOREDRIVER", "DELIVERFAIL")
			e.Fields[fClientHost] = D.Name
			e.Fields[fContext] = sess + ";" + sessStart
			e.Fields[fIMID] = g.nextIMID(D, msgtrk.LogDelivery)
			g.setRcpts(e, []string{f.addr}, []string{sf.diag})
			e.Fields[fBytes] = hc.szOutText
			lb := appendSRV(g.lat2[:0], D.FQDN)
			lb = g.delRecords(lb, tF-tIn)
			e.Fields[fInfo] = g.chain(hc, tIn, false, lb)
			e.Fields[fCustom] = "S:E2ELatency=" + sec(tF-m.origMs) + ";S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
			g.commit(m, D, msgtrk.LogDelivery, tF, msgtrk.EventDeliverFail, RoleDelivery, hc.depth+1)
			g.setOutcome(hc, f, StatusFailed, D.Name, sf.diag)
			fails = append(fails, g.lastError(H, tF+5, sf.code+sf.diag, D.FQDN, D.IP))
			tSend = max(tSend, tF+g.between(2, 40))
		}
		if len(ok) > 0 {
			g.sendRow(hc, H, D, imid, ok, tSend, "Intra-Organization SMTP Send Connector",
				";250 2.0.0 OK "+m.mid+" [Hostname="+D.FQDN+"];ClientSubmitTime:"+m.cst, false)
			for _, f := range ok {
				g.setOutcome(hc, f, StatusDelivered, D.Name, "")
			}
		}
		if len(failStore) > 0 {
			g.failRow(hc, H, imid, failStore, fails, tSend+1, RoleHub, hc.depth, "Intra-Organization SMTP Send Connector", false)
		}
		hc.done = max(hc.done, tSend+1)
		if resubmit && len(ok) > 0 {
			g.resubmit(hc, D, ok, tD)
		}
	}
	if len(deferred) > 0 {
		pending := deferred[0].out == outDeferPending
		st := "432 4.3.2 STOREDRV.Deliver; mailbox database thread limit exceeded"
		tLast, tOK := g.deferRows(hc, H, D.IP, D.FQDN, imid, deferred, t+g.between(20, 200), pending, st, "Intra-Organization SMTP Send Connector")
		if pending {
			for _, f := range deferred {
				g.setOutcome(hc, f, StatusPending, H.Name, st)
			}
			hc.pending = true
			_ = tLast
			return
		}
		tIn := tOK + g.between(10, 100)
		tD := tIn + g.between(20, 250)
		tSend := g.deliverRows(hc, D, deferred, tD, tIn, g.session(), g.ts(D, tIn), msgtrk.EventDeliver)
		g.sendRow(hc, H, D, imid, deferred, tSend, "Intra-Organization SMTP Send Connector",
			";250 2.0.0 OK "+m.mid+" [Hostname="+D.FQDN+"];ClientSubmitTime:"+m.cst, false)
		for _, f := range deferred {
			g.setOutcome(hc, f, StatusDelivered, D.Name, "")
		}
		hc.done = max(hc.done, tSend)
	}
}

// deliverRows writes one DELIVER (or DUPLICATEDELIVER) row on D for fs and
// returns when the hub may log its SEND.
func (g *gen) deliverRows(hc *hubCtx, D *Server, fs []*final, tD, tIn int64, sess, sessStart string, et msgtrk.EventType) int64 {
	if len(fs) == 0 {
		return tD + g.between(2, 40)
	}
	m := hc.m
	addrs := make([]string, len(fs))
	var mbx []string
	for i, f := range fs {
		addrs[i] = f.addr
		mbx = append(mbx, f.user.Mailbox)
	}
	// DELIVER-type rows name the local host in client-hostname and the
	// target in server-hostname (format.md §4).
	e := g.begin(m, D, tD, "STOREDRIVER", et.String())
	e.Fields[fClientIP] = D.IP
	e.Fields[fClientHost] = D.Name
	e.Fields[fServerIP] = D.IP
	e.Fields[fServerHost] = D.FQDN
	e.Fields[fContext] = sess + ";" + sessStart + ";ClientSubmitTime:" + m.cst
	e.Fields[fIMID] = g.nextIMID(D, msgtrk.LogDelivery)
	g.setRcpts(e, addrs, nil)
	e.Fields[fBytes] = strconv.FormatInt(hc.szOut+g.between(100, 900), 10)
	lb := appendSRV(g.lat2[:0], D.FQDN)
	lb = g.delRecords(lb, tD-tIn)
	e.Fields[fInfo] = g.chain(hc, tIn, false, lb)
	e.Fields[fCustom] = "S:MailboxDatabaseGuid=" + D.Database + ";S:Mailboxes=" + strings.Join(mbx, ",") + ";S:DeliveryLatency=" + sec(tD-tIn) +
		";S:E2ELatency=" + sec(tD-m.origMs) + ";S:MsgRecipCount=" + strconv.Itoa(len(hc.finals)) + ";S:SubRecipCount=" + strconv.Itoa(len(fs)) +
		";S:FromEntity=Hosted;S:ToEntity=Hosted;S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
	g.commit(m, D, msgtrk.LogDelivery, tD, et, RoleDelivery, hc.depth+1)
	return tD + g.between(2, 40)
}

// sendRow writes an SMTP SEND from srv to the next server.
func (g *gen) sendRow(hc *hubCtx, srv, next *Server, imid string, fs []*final, t int64, connector, ctx string, external bool) {
	m := hc.m
	addrs := make([]string, len(fs))
	for i, f := range fs {
		addrs[i] = f.addr
	}
	role, depth := RoleHub, hc.depth
	if srv.Role == RoleEdge {
		role, depth = RoleEdgeHop, hc.depth+1
	}
	e := g.begin(m, srv, t, "SMTP", "SEND")
	e.Fields[fClientIP] = srv.IP
	e.Fields[fClientHost] = srv.Name
	e.Fields[fServerIP] = next.IP
	e.Fields[fServerHost] = next.FQDN
	e.Fields[fContext] = ctx
	e.Fields[fConnector] = connector
	e.Fields[fIMID] = imid
	g.setRcpts(e, addrs, []string{"250 2.1.5 Recipient OK"})
	e.Fields[fBytes] = hc.szOutText
	e.Fields[fInfo] = g.latencyLocal(hc, srv, t, external)
	e.Fields[fCustom] = "S:E2ELatency=" + sec(t-m.origMs) + ";S:MsgRecipCount=" + strconv.Itoa(len(addrs)) +
		";S:IncludeInSla=True;S:Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel=Opportunistic;S:IsSmtpResponseFromExternalServer=False;S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
	g.commit(m, srv, msgtrk.LogTransport, t, msgtrk.EventSend, role, depth)
}

// resubmit writes a Safety Net resubmission of a delivered batch: RESUBMIT
// on the hub, a SEND and a DUPLICATEDELIVER on D, which drops the copy.
func (g *gen) resubmit(hc *hubCtx, D *Server, fs []*final, tDelivered int64) {
	m, H := hc.m, hc.H
	t := tDelivered + g.between(60_000, 240_000)
	imid := g.nextIMID(H, msgtrk.LogTransport)
	addrs := make([]string, len(fs))
	for i, f := range fs {
		addrs[i] = f.addr
	}
	e := g.begin(m, H, t, "SAFETYNET", "RESUBMIT")
	e.Fields[fClientHost] = H.Name
	e.Fields[fServerHost] = H.Name
	e.Fields[fIMID] = imid
	g.setRcpts(e, addrs, nil)
	e.Fields[fBytes] = hc.szOutText
	e.Fields[fReference] = hc.imids[0]
	e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
	g.commit(m, H, msgtrk.LogTransport, t, msgtrk.EventResubmit, RoleHub, hc.depth)
	tIn := t + g.between(10, 100)
	tD := tIn + g.between(20, 250)
	tSend := g.deliverRows(hc, D, fs, tD, tIn, g.session(), g.ts(D, tIn), msgtrk.EventDuplicateDeliver)
	g.sendRow(hc, H, D, imid, fs, tSend, "Intra-Organization SMTP Send Connector",
		";250 2.0.0 OK "+m.mid+" [Hostname="+D.FQDN+"];ClientSubmitTime:"+m.cst, false)
}

// deferRows writes DEFER rows for fs on srv from t: retries every one to
// three minutes. For a pending batch they go on until nine minutes after
// the first; otherwise one to three of them, and the success time (under
// ten minutes after the first) is returned.
func (g *gen) deferRows(hc *hubCtx, srv *Server, ip, host, imid string, fs []*final, t int64, pending bool, status, connector string) (last, ok int64) {
	m := hc.m
	addrs := make([]string, len(fs))
	for i, f := range fs {
		addrs[i] = f.addr
	}
	role, depth := RoleHub, hc.depth
	if srv.Role == RoleEdge {
		role, depth = RoleEdgeHop, hc.depth+1
	}
	first := t
	n := 1 + g.rng.IntN(3)
	for i := 0; ; i++ {
		next := t + g.between(60_000, 180_000)
		e := g.begin(m, srv, t, "SMTP", "DEFER")
		e.Fields[fClientIP] = srv.IP
		e.Fields[fClientHost] = srv.Name
		e.Fields[fServerIP] = ip
		e.Fields[fServerHost] = host
		e.Fields[fConnector] = connector
		e.Fields[fIMID] = imid
		g.setRcpts(e, addrs, []string{status})
		e.Fields[fBytes] = hc.szOutText
		e.Fields[fInfo] = g.ts(srv, next)
		e.Fields[fCustom] = "S:DeliveryPriority=Normal" + g.forest(srv)
		g.commit(m, srv, msgtrk.LogTransport, t, msgtrk.EventDefer, role, depth)
		last = t
		if pending {
			if next-first > 9*60_000 {
				return last, 0
			}
		} else if i+1 >= n || next-first > 8*60_000 {
			ok = min(next, first+9*60_000+g.between(0, 30_000))
			return last, ok
		}
		t = next
	}
}

// edgeBatch sends a copy's external recipients to the Edge, which sends
// them on.
func (g *gen) edgeBatch(hc *hubCtx, b *batch, t int64) {
	m, H, E := hc.m, hc.H, hc.edge
	eimid := g.nextIMID(E, msgtrk.LogTransport)
	addrs := make([]string, len(b.finals))
	for i, f := range b.finals {
		addrs[i] = f.addr
	}
	tR := t + g.between(20, 300)
	e := g.begin(m, E, tR, "SMTP", "RECEIVE")
	e.Fields[fClientIP] = H.IP
	e.Fields[fClientHost] = H.FQDN
	e.Fields[fServerIP] = E.IP
	e.Fields[fServerHost] = E.Name
	e.Fields[fContext] = g.session() + ";" + g.ts(E, tR-g.between(50, 2000)) + ";0"
	e.Fields[fConnector] = E.Name + `\Default internal receive connector ` + E.Name
	e.Fields[fIMID] = eimid
	g.setRcpts(e, addrs, nil)
	e.Fields[fBytes] = hc.szOutText
	e.Fields[fInfo] = "02I: "
	e.Fields[fOrigServer] = E.IP
	e.Fields[fCustom] = "S:DeliveryPriority=Normal"
	g.commit(m, E, msgtrk.LogTransport, tR, msgtrk.EventReceive, RoleEdgeHop, hc.depth+1)
	tS := tR + g.between(3, 30)
	// Routing on the hub may name the send connector the Edge
	// subscription created (its source server is the Edge): a hub's SEND
	// through an "EdgeSync - …" connector does not make the hub an Edge.
	connector := "Intra-Organization SMTP Send Connector"
	if m.idx%2 == 1 {
		connector = "EdgeSync - Default-First-Site-Name to Internet"
	}
	g.sendRow(hc, H, E, hc.imids[b.copy], b.finals, tS, connector,
		";250 2.6.0 "+m.mid+" [InternalId="+eimid+", Hostname="+E.FQDN+"] "+hc.szOutText+" bytes in "+sec(g.between(5, 200))+", "+
			strconv.Itoa(200+g.rng.IntN(20000))+".125 KB/sec Queued mail for delivery;ClientSubmitTime:"+m.cst, true)
	hc.done = max(hc.done, tS)
	hc.edgeIn = tR
	tA := tR + g.between(30, 400)
	e = g.begin(m, E, tA, "AGENT", "AGENTINFO")
	e.Fields[fClientHost] = E.Name
	e.Fields[fIMID] = eimid
	g.setRcpts(e, addrs, nil)
	e.Fields[fOrigServer] = E.IP
	e.Fields[fCustom] = "S:CompCost=|ICF=0;S:DeliveryPriority=Normal"
	g.commit(m, E, msgtrk.LogTransport, tA, msgtrk.EventAgentInfo, RoleEdgeHop, hc.depth+1)
	g.externalSend(hc, E, eimid, b.finals, tA, hc.depth+1, RoleEdgeHop, "EdgeSync - Default-First-Site-Name to Internet")
}

// externalSend sends external recipients from srv (the Edge, or the hub
// without Edge) to their domains: SENDEXTERNAL, FAIL or DEFER.
func (g *gen) externalSend(hc *hubCtx, srv *Server, imid string, fs []*final, t int64, depth int, role, connector string) {
	var domains []*Peer
	for _, f := range fs {
		seen := false
		for _, d := range domains {
			seen = seen || d == f.peer
		}
		if !seen {
			domains = append(domains, f.peer)
		}
	}
	for _, peer := range domains {
		t += g.between(200, 2500)
		var ok, fail, deferred []*final
		for _, f := range fs {
			if f.peer != peer {
				continue
			}
			switch f.out {
			case outFailExt:
				fail = append(fail, f)
			case outDeferOK, outDeferPending:
				deferred = append(deferred, f)
			default:
				ok = append(ok, f)
			}
		}
		if len(ok) > 0 {
			g.sendExternal(hc, srv, imid, peer, ok, t, depth, role, connector)
		}
		if len(fail) > 0 {
			tf := t + g.between(1, 50)
			led := "550 5.1.1 <" + fail[0].addr + ">: Recipient address rejected: User unknown in virtual mailbox table"
			if peer.Office365 {
				led = "550 5.4.1 Recipient address rejected: Access denied. [" + g.hexUpper(4) + "EUR05FT012.eop-eur05.prod.protection.outlook.com]"
			}
			st := g.lastError(srv, tf, led, peer.MX, peer.MXIP)
			g.failRow(hc, srv, imid, fail, []string{st}, tf, role, depth, connector, true)
			for _, f := range fail {
				g.setOutcome(hc, f, StatusFailed, srv.Name, st)
			}
			if srv == hc.H {
				hc.done = max(hc.done, tf)
			}
		}
		if len(deferred) > 0 {
			pending := deferred[0].out == outDeferPending
			st := `451 4.4.0 Primary target IP address responded with: "421 4.4.2 Connection dropped due to SocketError." Attempted failover to alternate host, but that did not succeed. Either there are no alternate hosts, or delivery failed to all alternate hosts. The last endpoint attempted was ` + peer.MXIP + ":25"
			_, tOK := g.deferRows(hc, srv, peer.MXIP, peer.MX, imid, deferred, t+g.between(1, 50), pending, st, connector)
			if pending {
				for _, f := range deferred {
					g.setOutcome(hc, f, StatusPending, srv.Name, st)
				}
				if srv == hc.H {
					hc.pending = true
				}
				continue
			}
			g.sendExternal(hc, srv, imid, peer, deferred, tOK, depth, role, connector)
		}
	}
}

func (g *gen) sendExternal(hc *hubCtx, srv *Server, imid string, peer *Peer, fs []*final, t int64, depth int, role, connector string) {
	m := hc.m
	addrs := make([]string, len(fs))
	for i, f := range fs {
		addrs[i] = f.addr
	}
	var reply string
	if peer.Office365 {
		reply = "250 2.6.0 " + m.mid + " [InternalId=" + strconv.FormatInt(1_000_000_000_000+g.rng.Int64N(8_000_000_000_000), 10) +
			", Hostname=" + g.hexUpper(4) + "PR0" + strconv.Itoa(1+g.rng.IntN(9)) + "MB" + strconv.Itoa(1000+g.rng.IntN(9000)) + ".eurprd0" + strconv.Itoa(1+g.rng.IntN(7)) + ".prod.outlook.com] " +
			hc.szOutText + " bytes in " + sec(g.between(20, 900)) + ", " + strconv.Itoa(50+g.rng.IntN(5000)) + ".275 KB/sec Queued mail for delivery"
	} else {
		reply = "250 2.0.0 Ok: queued as " + g.hexUpper(10)
	}
	sendLat := g.between(80, 1500)
	e := g.begin(m, srv, t, "SMTP", "SENDEXTERNAL")
	e.Fields[fClientIP] = srv.IP
	e.Fields[fClientHost] = srv.Name
	e.Fields[fServerIP] = peer.MXIP
	e.Fields[fServerHost] = peer.MX
	e.Fields[fContext] = ";" + reply + ";ClientSubmitTime:" + m.cst
	e.Fields[fConnector] = connector
	e.Fields[fIMID] = imid
	st := "250 2.1.5 Recipient OK"
	if !peer.Office365 {
		st = "250 2.1.5 Ok"
	}
	g.setRcpts(e, addrs, []string{st})
	e.Fields[fBytes] = hc.szOutText
	last := g.lat2[:0]
	hubOut := t
	if srv.Role == RoleEdge {
		last = appendSRV(last, srv.FQDN)
		last = g.edgeRecords(last, t-hc.edgeIn)
		hubOut = hc.edgeIn
	}
	e.Fields[fInfo] = g.chain(hc, hubOut, true, last)
	e.Fields[fCustom] = "S:E2ELatency=" + sec(t-m.origMs) + ";S:ExternalSendLatency=" + sec(sendLat) + ";S:ToEntity=Internet;S:FromEntity=Hosted;S:MsgRecipCount=" + strconv.Itoa(len(addrs)) +
		";S:IncludeInSla=True;S:Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel=Opportunistic;S:Microsoft.Exchange.Transport.MailRecipient.EffectiveTlsAuthLevel=EncryptionOnly;S:IsSmtpResponseFromExternalServer=True;S:DeliveryPriority=Normal"
	if srv.Role == RoleMailbox {
		e.Fields[fCustom] += ";S:AccountForest=" + g.org.AccountForest
	}
	g.commit(m, srv, msgtrk.LogTransport, t, msgtrk.EventSendExternal, role, depth)
	for _, f := range fs {
		g.setOutcome(hc, f, StatusSentExternal, srv.Name, "")
	}
	if srv == hc.H {
		hc.done = max(hc.done, t)
	}
}

// ndrMessage generates the NDR that server X sends to the original sender
// of m: a DSN row on X, then the usual way to the sender's mailbox.
func (g *gen) ndrMessage(orig *msgState, nd *ndrState, X *Server) {
	m := nd.m
	m.nmid = g.nmid()
	m.subject = "Undeliverable: " + orig.subject
	m.sender = g.org.Postmaster
	if X.Role == RoleEdge {
		m.sender = "postmaster@" + g.org.Domain
	}
	m.returnPath = "<>"
	m.direction = "Originating"
	m.size = orig.size + 6000 + g.between(0, 4000)
	t := nd.t + g.between(5, 60)
	m.origMs = t
	m.origText = g.ts(X, t)
	if g.ge13 {
		m.truth.Key, m.truth.NetworkMessageID = m.nmid, m.nmid
	} else {
		m.truth.Key = "mid:" + m.mid + "|" + lower(m.sender)
	}
	m.truth.MessageID, m.truth.Sender, m.truth.Subject, m.truth.Size = m.mid, m.sender, m.subject, m.size
	m.truth.DSNFor = orig.truth.Key
	// The NDR is born in its DSN row (format.md §6, reference): every
	// origin fact comes from that row, none from later hand-overs.
	m.truth.Origin = Origin{Server: X.Name, Protocol: "dsn"}
	to := lower(orig.sender)
	u := g.user(to)

	role := RoleHub
	if X.Role == RoleEdge {
		role = RoleEdgeHop
	}
	ximid := g.nextIMID(X, msgtrk.LogTransport)
	e := g.begin(m, X, t, "DSN", "DSN")
	e.Fields[fServerHost] = X.Name
	e.Fields[fIMID] = ximid
	g.setRcpts(e, []string{to}, nil)
	e.Fields[fReference] = orig.mid
	e.Fields[fCustom] = "S:DeliveryPriority=Normal" + g.forest(X)
	g.commit(m, X, msgtrk.LogTransport, t, msgtrk.EventDSN, role, 0)

	hc := &hubCtx{m: m, H: X, depth: 0, byAddr: map[string]*final{}, rtByAddr: map[string]int{}, imids: []string{ximid}}
	m.hubIn = t
	hc.setSzOut(m.size)
	if X.Role == RoleEdge {
		// The Edge sends the NDR in to a hub.
		H := g.mailboxServer()
		tR := t + g.between(100, 800)
		tS := tR + g.between(5, 40)
		himid := g.nextIMID(H, msgtrk.LogTransport)
		e = g.begin(m, X, tS, "SMTP", "SEND")
		e.Fields[fClientIP] = X.IP
		e.Fields[fClientHost] = X.Name
		e.Fields[fServerIP] = H.IP
		e.Fields[fServerHost] = H.FQDN
		e.Fields[fContext] = ";250 2.6.0 " + m.mid + " [InternalId=" + himid + ", Hostname=" + H.FQDN + "] Queued mail for delivery;ClientSubmitTime:"
		e.Fields[fConnector] = "EdgeSync - Inbound to Default-First-Site-Name"
		e.Fields[fIMID] = ximid
		g.setRcpts(e, []string{to}, []string{"250 2.1.5 Recipient OK"})
		var b []byte
		b = append(b, m.origText...)
		b = append(b, ";LSRV="...)
		b = append(b, X.FQDN...)
		b = append(b, ':')
		e.Fields[fInfo] = string(g.edgeRecords(b, tS-t))
		g.commit(m, X, msgtrk.LogTransport, tS, msgtrk.EventSend, RoleEdgeHop, 0)
		e = g.begin(m, H, tR, "SMTP", "RECEIVE")
		e.Fields[fClientIP] = X.IP
		e.Fields[fClientHost] = X.FQDN
		e.Fields[fServerIP] = H.IP
		e.Fields[fServerHost] = H.Name
		e.Fields[fContext] = g.session() + ";" + g.ts(H, tR-g.between(20, 900)) + ";0"
		e.Fields[fConnector] = H.Name + `\Default ` + H.Name
		e.Fields[fIMID] = himid
		g.setRcpts(e, []string{to}, nil)
		e.Fields[fInfo] = "02I: "
		e.Fields[fOrigServer] = H.IP
		e.Fields[fCustom] = "S:DeliveryPriority=Normal;S:AccountForest=" + g.org.AccountForest
		g.commit(m, H, msgtrk.LogTransport, tR, msgtrk.EventReceive, RoleHub, 1)
		pb := appendSRV(nil, X.FQDN)
		m.prior = string(g.edgeRecords(pb, tS-t))
		hc = &hubCtx{m: m, H: H, depth: 1, byAddr: map[string]*final{}, rtByAddr: map[string]int{}, imids: []string{himid}}
		m.hubIn = tR
		hc.setSzOut(m.size)
		t = tS
	}
	hc.p = &plan{}
	hc.t = t
	g.reach(hc, to, nil, "", false)
	f := hc.finals[0]
	if u != nil && f.user != nil {
		g.deliverBatch(hc, &batch{D: g.homeOf(f.user), finals: hc.finals}, hc.t+g.between(50, 400), false)
	} else {
		g.externalSend(hc, hc.H, hc.imids[0], hc.finals, hc.t, hc.depth, RoleHub, "Outbound to Internet")
	}
	g.finish(m)
}

// appendSRV appends the start of a server's part of a latency string,
// "SRV=<fqdn>:", to which the server's component records are appended.
func appendSRV(dst []byte, fqdn string) []byte {
	dst = append(dst, "SRV="...)
	dst = append(dst, fqdn...)
	return append(dst, ':')
}

// viaFrontEnd picks the mailbox server F whose front end takes an SMTP
// client's message and the server H whose transport service it proxies to
// (F itself half the time), and sets the message's origination time fe
// milliseconds before t0, when the front end received it.
func (g *gen) viaFrontEnd(m *msgState, t0 int64) (F, H *Server, fe int64) {
	F = g.mailboxServer()
	H = F
	if g.chance(0.5) {
		H = g.mailboxServer()
	}
	fe = g.between(20, 200)
	m.origMs = t0 - fe
	m.origText = g.ts(F, t0-fe)
	return F, H, fe
}
