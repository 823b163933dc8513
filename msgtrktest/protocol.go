package msgtrktest

import (
	"bufio"
	"bytes"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/recipstatus"
)

// The protocol and connectivity logs (Config.ProtocolLogs; format.md §14)
// are transcribed from the SMTP rows of the tracking logs as they are
// committed: every SMTP RECEIVE, SEND, SENDEXTERNAL, DEFER, FAIL (of an
// external reply), HAREDIRECT and HARECEIVE row, and the DELIVER rows of
// 2013 and later (the hub's SMTP session to the mailbox delivery service),
// gets the session that carried it, at Verbose level, on the server and
// service that would log it; a send session also gets its connectivity log
// record; a client proxied by a front end gets the front end's receive and
// send sessions. The transcription draws from a random source of its own,
// so the tracking logs are the same bytes with and without it.

// Sides of a session in a message's path (SessionTruth.Side).
const (
	SideReceive         = "receive"          // the receiving server's session (RECV)
	SideSend            = "send"             // the sending server's session (SEND)
	SideConnectivity    = "connectivity"     // the connectivity log's record of that send session
	SideFrontEndReceive = "frontend_receive" // a front end's session with the client (RECV)
	SideFrontEndSend    = "frontend_send"    // the front end's proxy session to the hub (SEND)
	SideDelivery        = "delivery"         // the mailbox delivery service's receive session (RECV)
)

// Transport services, as the folders of the logs name them (msgtrk.Service*).
const (
	serviceFrontEnd = msgtrk.ServiceFrontEnd
	serviceHub      = msgtrk.ServiceHub
	serviceEdge     = msgtrk.ServiceEdge
	serviceDelivery = msgtrk.ServiceMailboxDelivery
)

// SessionTruth is one protocol or connectivity log session that carried a
// message (Config.ProtocolLogs): where it is and which row of the tracking
// logs it stands behind.
type SessionTruth struct {
	// Hop is the hop of the tracking row (the front end's sessions belong
	// to the hub's receiving hop: the front end keeps no tracking log).
	Hop Hop `json:"hop"`
	// Event is that row's event-id.
	Event string `json:"event"`
	// Side says which end of which conversation the session is.
	Side    string `json:"side"`
	Server  string `json:"server"`
	Service string `json:"service"` // FrontEnd, Hub, Edge, MailboxDelivery
	Kind    string `json:"kind"`    // RECV, SEND or CONNECTLOG
	ID      string `json:"session_id"`
	// Message is the index of the message in the session (0: every
	// transcribed session carries one message).
	Message int `json:"message"`
}

// plog writes the protocol and connectivity logs.
type plog struct {
	g       *gen
	rng     *rand.Rand
	sink    sink
	streams map[pkey]*pstream
	list    []*pstream // in creation order, for deterministic flushing
	counter map[pcounter]uint64
	dupLeft int
	files   []FileTruth
	seq     uint64
	err     error

	deliveredSet  map[string]struct{}
	deliveredFIFO []string
}

// pkey identifies one log series.
type pkey struct {
	srv     *Server
	service string
	kind    msgtrk.LogKind
}

// pcounter is one transport process: its session ids count up.
type pcounter struct {
	srv     *Server
	service string
}

type pstream struct {
	key      pkey
	h        itemHeap
	f        *pfile
	lastHour int64
	seq      int
}

type pfile struct {
	hour  int64
	wc    io.WriteCloser
	bw    *bufio.Writer
	size  int64
	rows  int
	truth int
	dup   int
}

// protocolLag is how far behind the generator's clock the protocol logs are
// written: a session's rows come before the tracking row it is
// transcribed from, by a few seconds at most.
const protocolLag = 20_000

func newPlog(g *gen, snk sink) *plog {
	return &plog{g: g, rng: rand.New(rand.NewPCG(g.cfg.Seed, 0x736d7470)), sink: snk, // "smtp"
		streams: map[pkey]*pstream{}, counter: map[pcounter]uint64{}, dupLeft: g.cfg.DuplicateFiles}
}

func (p *plog) setErr(err error) {
	if p.err == nil && err != nil {
		p.err = err
	}
}

// sessionID returns the next session id of a process: they count up from a
// time-derived base, as Exchange's do (format.md §14.2).
func (p *plog) sessionID(srv *Server, service string) string {
	k := pcounter{srv, service}
	v, ok := p.counter[k]
	if !ok {
		v = 0x08DC1DB800000000 | p.rng.Uint64N(1<<32)
	}
	v++
	p.counter[k] = v
	return hex16(v)
}

func hex16(v uint64) string {
	const digits = "0123456789ABCDEF"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[v&0xF]
		v >>= 4
	}
	return string(b[:])
}

func (p *plog) between(lo, hi int64) int64 { return lo + p.rng.Int64N(hi-lo+1) }

// session is a session being written.
type session struct {
	p                *plog
	s                *pstream
	srv              *Server
	id, conn         string
	local, remote    string
	seq              int
	t                int64 // true time of the next row
	destination, src string
}

func (p *plog) stream(srv *Server, service string, kind msgtrk.LogKind) *pstream {
	k := pkey{srv, service, kind}
	s := p.streams[k]
	if s == nil {
		s = &pstream{key: k}
		p.streams[k] = s
		p.list = append(p.list, s)
	}
	return s
}

func (p *plog) open(srv *Server, service string, kind msgtrk.LogKind, id, conn, local, remote string, t int64) *session {
	return &session{p: p, s: p.stream(srv, service, kind), srv: srv, id: id, conn: conn, local: local, remote: remote, t: t}
}

// row writes one protocol log row at the session's time and moves it on.
func (s *session) row(ev, data, ctx string) {
	p := s.p
	var b []byte
	b = appendMS(b, s.t+s.srv.Skew.Milliseconds())
	b = append(b, ',')
	b = msgtrk.AppendField(b, s.conn)
	b = append(b, ',')
	b = append(b, s.id...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(s.seq), 10)
	b = append(b, ',')
	b = append(b, s.local...)
	b = append(b, ',')
	b = append(b, s.remote...)
	b = append(b, ',')
	b = append(b, ev...)
	b = append(b, ',')
	b = msgtrk.AppendField(b, data)
	b = append(b, ',')
	b = msgtrk.AppendField(b, ctx)
	b = append(b, '\r', '\n')
	s.push(b)
	s.seq++
	s.t += p.between(0, 40)
}

// crow writes one connectivity log row.
func (s *session) crow(dir, desc string) {
	var b []byte
	b = appendMS(b, s.t+s.srv.Skew.Milliseconds())
	b = append(b, ',')
	b = append(b, s.id...)
	b = append(b, ',')
	b = msgtrk.AppendField(b, s.src)
	b = append(b, ',')
	b = msgtrk.AppendField(b, s.destination)
	b = append(b, ',')
	b = append(b, dir...)
	b = append(b, ',')
	b = msgtrk.AppendField(b, desc)
	b = append(b, '\r', '\n')
	s.push(b)
	s.t += s.p.between(0, 20)
}

func (s *session) push(line []byte) {
	p := s.p
	s.s.h.push(&item{t: s.t, w: s.t + s.srv.Skew.Milliseconds(), seq: p.seq, line: line})
	p.seq++
}

// flush writes the rows older than t - protocolLag.
func (p *plog) flush(t int64) {
	for _, s := range p.list {
		for len(s.h.a) > 0 && s.h.top().t < t-protocolLag {
			p.write(s, s.h.pop())
		}
	}
}

func (p *plog) finish() []FileTruth {
	p.flush(1 << 62)
	for _, s := range p.list {
		if s.f != nil {
			p.closeFile(s)
		}
	}
	return p.files
}

func (p *plog) write(s *pstream, it *item) {
	hour := floorDiv(it.w, 3600000)
	if f := s.f; f != nil && (hour != f.hour || f.size+int64(len(it.line)) > int64(p.g.cfg.MaxFileBytes)) {
		p.closeFile(s)
	}
	if s.f == nil {
		p.openFile(s, it, hour)
	}
	_, err := s.f.bw.Write(it.line)
	p.setErr(err)
	s.f.size += int64(len(it.line))
	s.f.rows++
}

// pathOf is where a log of srv's service goes: the Exchange folders under
// the server's collection folder (format.md §14.1).
func (p *plog) pathOf(k pkey, name string, copy bool) string {
	dir := p.g.o.folder(k.srv)
	if copy {
		dir += "/c$/Program Files/Microsoft/Exchange Server/V15"
	}
	dir += "/TransportRoles/Logs/"
	switch k.service {
	case serviceDelivery:
		dir += "Mailbox"
	default:
		dir += k.service
	}
	switch k.kind {
	case msgtrk.LogSmtpReceive:
		dir += "/ProtocolLog/SmtpReceive"
	case msgtrk.LogSmtpSend:
		dir += "/ProtocolLog/SmtpSend"
	default:
		dir += "/Connectivity"
	}
	if k.service == serviceDelivery {
		dir += "/Delivery"
	}
	if p.g.cfg.Folders == FoldersFlat {
		name = k.srv.Name + "_" + name
	}
	return dir + "/" + name
}

func (p *plog) openFile(s *pstream, it *item, hour int64) {
	if hour == s.lastHour && s.seq > 0 {
		s.seq++
	} else {
		s.lastHour, s.seq = hour, 1
	}
	name := s.key.kind.Prefix() + time.UnixMilli(it.w).UTC().Format("2006010215") + "-" + strconv.Itoa(s.seq) + ".LOG"
	path := p.pathOf(s.key, name, false)
	f := &pfile{hour: hour, truth: len(p.files), dup: -1}
	p.files = append(p.files, FileTruth{Path: path, Server: s.key.srv.Name, Kind: s.key.kind.Prefix()})
	wc, err := p.sink.create(path)
	if err != nil {
		p.setErr(err)
		wc = nopCloser{io.Discard}
	}
	if p.dupLeft > 0 {
		p.dupLeft--
		cp := p.pathOf(s.key, name, true)
		f.dup = len(p.files)
		p.files = append(p.files, FileTruth{Path: cp, Server: s.key.srv.Name, Kind: s.key.kind.Prefix(), DuplicateOf: path})
		wc2, err := p.sink.create(cp)
		if err != nil {
			p.setErr(err)
			wc2 = nopCloser{io.Discard}
		}
		wc = teeFile{wc, wc2}
	}
	f.wc = wc
	f.bw = bufio.NewWriterSize(wc, 32<<10)
	var hb bytes.Buffer
	mw := msgtrk.NewWriter(&hb)
	fields := []string{"date-time", "connector-id", "session-id", "sequence-number", "local-endpoint", "remote-endpoint", "event", "data", "context"}
	logType := "SMTP Receive Protocol Log"
	switch s.key.kind {
	case msgtrk.LogSmtpSend:
		logType = "SMTP Send Protocol Log"
	case msgtrk.LogConnectivity:
		logType = "Transport Connectivity Log"
		fields = []string{"date-time", "session", "source", "Destination", "direction", "description"}
	}
	p.setErr(mw.WriteHeader(msgtrk.Header{Version: "15.0.0.0", LogType: logType, Date: time.UnixMilli(it.w).UTC(), Fields: fields}))
	p.setErr(mw.Flush())
	f.bw.Write(hb.Bytes())
	f.size = int64(hb.Len())
	s.f = f
}

func (p *plog) closeFile(s *pstream) {
	f := s.f
	s.f = nil
	p.setErr(f.bw.Flush())
	p.setErr(f.wc.Close())
	ft := &p.files[f.truth]
	ft.Rows, ft.Bytes = f.rows, f.size
	if f.dup >= 0 {
		p.files[f.dup].Rows, p.files[f.dup].Bytes = f.rows, f.size
	}
}

// serverByIP finds the organisation's server with address ip.
func (p *plog) serverByIP(ip string) *Server {
	for i := range p.g.org.Servers {
		if s := &p.g.org.Servers[i]; s.IP == ip {
			return s
		}
	}
	return nil
}

func (p *plog) port() string { return strconv.FormatInt(p.between(1025, 65000), 10) }

// customValue returns the value of key in custom-data cd ("S:Key=value").
func customValue(cd, key string) string {
	for _, m := range strings.Split(cd, ";") {
		if v, ok := strings.CutPrefix(m, "S:"+key+"="); ok {
			return v
		}
	}
	return ""
}

// sessionSeen is a protocol-log session to record in the message's truth:
// the session id of server at's service in a log of the given kind, on the
// given side of the row of srv's hop (role, depth) whose event it carries.
type sessionSeen struct {
	role                 string
	depth                int
	srv, at              *Server
	event, side, service string
	kind                 msgtrk.LogKind
	id                   string
}

// record adds the session s to the message's truth.
func (p *plog) record(m *msgState, s sessionSeen) {
	m.truth.Sessions = append(m.truth.Sessions, SessionTruth{Hop: Hop{Server: s.srv.Name, Role: s.role, Depth: s.depth}, Event: s.event, Side: s.side,
		Server: s.at.Name, Service: s.service, Kind: s.kind.Prefix(), ID: s.id})
}

// transcribe writes the sessions behind the row in g.ev, committed by srv
// at true time t for the hop (role, depth) of message m.
func (p *plog) transcribe(m *msgState, srv *Server, t int64, et msgtrk.EventType, role string, depth int) {
	e := &p.g.ev
	switch e.Fields[fSource] {
	case "SMTP":
		switch et {
		case msgtrk.EventReceive, msgtrk.EventHAReceive:
			p.receive(m, srv, t, et, role, depth)
		case msgtrk.EventSend, msgtrk.EventSendExternal, msgtrk.EventDefer, msgtrk.EventHARedirect:
			p.send(m, srv, t, et, role, depth)
		case msgtrk.EventFail:
			if customValue(e.Fields[fCustom], "IsSmtpResponseFromExternalServer") == "True" {
				p.send(m, srv, t, et, role, depth)
			}
		}
	case "STOREDRIVER":
		if p.g.ge13 && (et == msgtrk.EventDeliver || et == msgtrk.EventDuplicateDeliver || et == msgtrk.EventDeliverFail) {
			p.delivery(m, srv, t, et, role, depth)
		}
	}
}

// ctxParts splits "id;start;…" into the id and the start's true time
// (the start is written by srv's clock).
func ctxParts(ctx string, srv *Server) (id string, start int64, ok bool) {
	parts := strings.SplitN(ctx, ";", 3)
	if len(parts) < 2 || len(parts[0]) != 16 {
		return "", 0, false
	}
	tm, ok := msgtrk.ParseTime([]byte(parts[1]))
	if !ok {
		return "", 0, false
	}
	return parts[0], tm.UnixMilli() - srv.Skew.Milliseconds(), true
}

// ehloReply is an Exchange server's EHLO reply, logged on one row
// (format.md §14.3).
func ehloReply(srv *Server, peerIP string, tls bool) string {
	r := "250  " + srv.FQDN + " Hello [" + peerIP + "] SIZE 37748736 PIPELINING DSN ENHANCEDSTATUSCODES"
	if !tls {
		r += " STARTTLS X-ANONYMOUSTLS"
	}
	return r + " AUTH NTLM LOGIN X-EXPS GSSAPI NTLM 8BITMIME BINARYMIME CHUNKING XRDST XEXCH50 XSHADOWREQUEST XPROXY XPROXYFROM"
}

const tlsServer = "TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 with strength 384 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 384 bits"
const tlsClient = "TLS protocol SP_PROT_TLS1_2_CLIENT negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 with strength 384 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 384 bits"

// receive writes the receive session behind an SMTP RECEIVE (or
// HARECEIVE) row, and for a client a front end proxied, the front end's
// two sessions.
func (p *plog) receive(m *msgState, srv *Server, t int64, et msgtrk.EventType, role string, depth int) {
	e := &p.g.ev
	id, start, ok := ctxParts(e.Fields[fContext], srv)
	if !ok {
		return
	}
	service := serviceHub
	if srv.Role == RoleEdge {
		service = serviceEdge
	}
	auth := e.Fields[fInfo]
	if len(auth) >= 3 {
		auth = auth[:3]
	}
	clientIP, clientHost := e.Fields[fClientIP], e.Fields[fClientHost]
	proxiedIP := customValue(e.Fields[fCustom], "ProxiedClientIPAddress")
	fe := p.serverByIP(clientIP)
	localPort := "25"
	var proxy string
	if proxiedIP != "" && fe != nil {
		// The front end on fe took the client's session and proxies it
		// to srv's transport service on port 2525.
		localPort = "2525"
		feID := p.sessionID(fe, serviceFrontEnd)
		clientHelo := proxiedIP
		for _, c := range p.g.org.Clients {
			if c.IP == proxiedIP {
				clientHelo = c.Host
			}
		}
		feStart := start - p.between(200, 1500)
		authSrc := "Anonymous"
		if auth == "07I" {
			authSrc = "Login"
		}
		proxy = "SID=" + feID + " IP=" + proxiedIP + " PORT=" + p.port() + " DOMAIN=" + clientHelo + " SEQNUM=1 PERMS=1 AUTHSRC=" + authSrc
		fr := p.open(fe, serviceFrontEnd, msgtrk.LogSmtpReceive, feID, fe.Name+`\Default Frontend `+fe.Name, fe.IP+":25", proxiedIP+":"+p.port(), feStart)
		fr.row("+", "", "")
		fr.row("*", "SMTPSubmit SMTPAcceptAnySender SMTPAcceptAuthoritativeDomainSender AcceptRoutingHeaders", "Set Session Permissions")
		fr.row(">", "220 "+fe.FQDN+" Microsoft ESMTP MAIL Service ready", "")
		fr.row("<", "EHLO "+clientHelo, "")
		fr.row(">", ehloReply(fe, proxiedIP, false), "")
		if auth == "07I" || p.rng.IntN(2) == 0 {
			fr.row("<", "STARTTLS", "")
			fr.row(">", "220 2.0.0 SMTP server ready", "")
			fr.row("*", "", tlsServer)
			fr.row("<", "EHLO "+clientHelo, "")
			fr.row(">", ehloReply(fe, proxiedIP, true), "")
		}
		if auth == "07I" {
			fr.row("<", "AUTH LOGIN", "")
			fr.row(">", "334 <authentication response>", "")
			fr.row(">", "235 2.7.0 Authentication successful", "")
		}
		p.transaction(fr, "<", ">", "", m, "")
		fr.row("<", "QUIT", "")
		fr.row(">", "221 2.0.0 Service closing transmission channel", "")
		fr.row("-", "", "QuitVerb")
		p.record(m, sessionSeen{role: role, depth: depth, srv: srv, at: fe, event: "RECEIVE", side: SideFrontEndReceive, service: serviceFrontEnd, kind: msgtrk.LogSmtpReceive, id: feID})

		sendID := p.sessionID(fe, serviceFrontEnd)
		fs := p.open(fe, serviceFrontEnd, msgtrk.LogSmtpSend, sendID, "Inbound Proxy Internal Send Connector", fe.IP+":"+p.port(), srv.IP+":2525", feStart+p.between(50, 200))
		fs.row("*", "None", "Set Session Permissions")
		fs.row("*", "", "attempting to connect")
		fs.row("+", "", "")
		fs.row("<", "220 "+srv.FQDN+" Microsoft ESMTP MAIL Service ready", "")
		fs.row(">", "EHLO "+fe.FQDN, "")
		fs.row("<", "250-"+srv.FQDN+" Hello ["+fe.IP+"]", "")
		fs.row("<", "250 XPROXYFROM", "")
		fs.row(">", "X-EXPS GSSAPI", "")
		fs.row("<", "235 <authentication response>", "")
		fs.row("*", "", "Proxying inbound session with session id "+feID)
		fs.row(">", "XPROXYFROM "+proxy, "")
		fs.row("<", "250 XProxyFrom accepted", "")
		p.transaction(fs, ">", "<", "", m, p.queued(m, e.Fields[fIMID], srv, et))
		fs.row(">", "QUIT", "")
		fs.row("<", "221 2.0.0 Service closing transmission channel", "")
		fs.row("-", "", "Local")
		p.record(m, sessionSeen{role: role, depth: depth, srv: srv, at: fe, event: "RECEIVE", side: SideFrontEndSend, service: serviceFrontEnd, kind: msgtrk.LogSmtpSend, id: sendID})
	}
	rs := p.open(srv, service, msgtrk.LogSmtpReceive, id, e.Fields[fConnector], srv.IP+":"+localPort, clientIP+":"+p.port(), start)
	rs.row("+", "", "")
	rs.row("*", "SMTPSubmit SMTPAcceptAnySender SMTPAcceptAuthoritativeDomainSender AcceptRoutingHeaders", "Set Session Permissions")
	rs.row(">", "220 "+srv.FQDN+" Microsoft ESMTP MAIL Service ready", "")
	helo := clientHost
	if helo == "" {
		helo = "[" + clientIP + "]"
	}
	rs.row("<", "EHLO "+helo, "")
	rs.row(">", ehloReply(srv, clientIP, false), "")
	internal := p.serverByIP(clientIP) != nil
	anonymousInternet := auth == "00A"
	if internal || !anonymousInternet || p.rng.IntN(10) < 6 {
		rs.row("<", "STARTTLS", "")
		rs.row(">", "220 2.0.0 SMTP server ready", "")
		rs.row("*", "", tlsServer)
		rs.row("<", "EHLO "+helo, "")
		rs.row(">", ehloReply(srv, clientIP, true), "")
	}
	switch {
	case auth == "07I":
		rs.row("<", "AUTH LOGIN", "")
		rs.row(">", "334 <authentication response>", "")
		rs.row(">", "235 2.7.0 Authentication successful", "")
	case internal:
		rs.row("<", "X-EXPS GSSAPI", "")
		rs.row(">", "235 <authentication response>", "")
	}
	if proxy != "" {
		rs.row("<", "XPROXYFROM "+proxy, "")
		rs.row(">", "250 XProxyFrom accepted", "")
	}
	p.transaction(rs, "<", ">", e.Fields[fContext], m, p.queued(m, e.Fields[fIMID], srv, et))
	rs.row("<", "QUIT", "")
	rs.row(">", "221 2.0.0 Service closing transmission channel", "")
	rs.row("-", "", "QuitVerb")
	p.record(m, sessionSeen{role: role, depth: depth, srv: srv, at: srv, event: et.String(), side: SideReceive, service: service, kind: msgtrk.LogSmtpReceive, id: id})
}

// queued is the receiving server's reply to a message it took: its
// internal-message-id and name, swapped by the 2013 writer in a
// redundancy reply (format.md §6).
func (p *plog) queued(m *msgState, imid string, srv *Server, et msgtrk.EventType) string {
	if et == msgtrk.EventHAReceive {
		id, host := imid, srv.FQDN
		if p.g.cfg.Version == V2013 {
			id, host = host, id
		}
		return "250 2.6.0 " + m.mid + " [InternalId=" + id + ", Hostname=" + host + "] Queued mail for redundancy"
	}
	return "250 2.6.0 " + m.mid + " [InternalId=" + imid + ", Hostname=" + srv.FQDN + "] " + m.sizeText + " bytes in 0.041, 60.014 KB/sec Queued mail for delivery"
}

// transaction writes MAIL FROM, one RCPT TO per recipient of the row in
// g.ev, BDAT and the final reply: cmd is the event of the commands, rep of
// the replies. rcptReplies are the replies per recipient (nil: 250 each);
// final is the reply after the data, "" for none (every RCPT refused, or
// the session gave up). receiving is the receive log's message context.
func (p *plog) transaction(s *session, cmd, rep, receiving string, m *msgState, final string) {
	p.transactionReplies(s, cmd, rep, receiving, m, nil, final)
}

func (p *plog) transactionReplies(s *session, cmd, rep, receiving string, m *msgState, rcptReplies []string, final string) {
	e := &p.g.ev
	size := e.Fields[fBytes]
	if size == "" {
		size = m.sizeText
	}
	rp := m.returnPath
	if rp == "<>" {
		rp = ""
	}
	s.row(cmd, "MAIL FROM:<"+rp+"> SIZE="+size, "")
	if receiving != "" {
		s.row("*", receiving, "receiving message")
	}
	s.row(rep, "250 2.1.0 Sender OK", "")
	accepted := 0
	for i, a := range members(e.Fields[fRcpt]) {
		s.row(cmd, "RCPT TO:<"+a+">", "")
		r := "250 2.1.5 Recipient OK"
		if i < len(rcptReplies) {
			r = rcptReplies[i]
		} else if len(rcptReplies) == 1 {
			r = rcptReplies[0]
		}
		if strings.HasPrefix(r, "2") {
			accepted++
		}
		s.row(rep, r, "")
	}
	if accepted == 0 || final == "" {
		s.row(cmd, "RSET", "")
		s.row(rep, "250 2.0.0 Resetting", "")
		return
	}
	s.row(cmd, "BDAT "+size+" LAST", "")
	s.row(rep, final, "")
}

// send writes the send session behind a SEND, SENDEXTERNAL, DEFER, FAIL or
// HAREDIRECT row, and its connectivity log record.
func (p *plog) send(m *msgState, srv *Server, t int64, et msgtrk.EventType, role string, depth int) {
	e := &p.g.ev
	service := serviceHub
	if srv.Role == RoleEdge {
		service = serviceEdge
	}
	host, ip := e.Fields[fServerHost], e.Fields[fServerIP]
	final := ""
	var rcptReplies []string
	switch et {
	case msgtrk.EventHARedirect:
		// "<shadow>=250 2.6.0 … Queued mail for redundancy"
		ctx := e.Fields[fContext]
		if k := strings.IndexByte(ctx, '='); k > 0 {
			host, final = ctx[:k], ctx[k+1:]
		}
		if x := p.serverByFQDN(host); x != nil {
			ip = x.IP
		}
	case msgtrk.EventDefer, msgtrk.EventFail:
		for _, st := range members(e.Fields[fStatus]) {
			rcptReplies = append(rcptReplies, replyOf(st))
			// A FAIL row names the logging server in server-hostname
			// and server-ip; its LastError blob names the remote end.
			if le, err := recipstatus.ParseLastError([]byte(st)); err == nil && le.IP.IsValid() && strings.HasPrefix(st, "[{") {
				host, ip = string(le.FQDN), le.IP.String()
			}
		}
	default:
		// SEND, SENDEXTERNAL: the reply the tracking row quotes, else a
		// receiving Exchange server's.
		ctx := e.Fields[fContext]
		if k := strings.Index(ctx, ";250 "); k >= 0 {
			final = ctx[k+1:]
			if j := strings.LastIndex(final, ";ClientSubmitTime:"); j >= 0 {
				final = final[:j]
			}
		} else {
			final = "250 2.6.0 " + m.mid + " Queued mail for delivery"
		}
		rcptReplies = members(e.Fields[fStatus])
	}
	if ip == "" {
		ip = "0.0.0.0"
	}
	id := p.sessionID(srv, service)
	dur := p.between(200, 2500)
	s := p.open(srv, service, msgtrk.LogSmtpSend, id, e.Fields[fConnector], "", ip+":25", t-dur)
	if et == msgtrk.EventHARedirect {
		s.conn = "Shadow Redundancy Send Connector"
	}
	if s.conn == "" {
		s.conn = "Intra-Organization SMTP Send Connector"
	}
	s.row("*", "SendRoutingHeaders", "Set Session Permissions")
	s.row("*", "", "attempting to connect")
	s.local = srv.IP + ":" + p.port()
	s.row("+", "", "")
	s.row("<", "220 "+host+" ESMTP ready", "")
	s.row(">", "EHLO "+srv.FQDN, "")
	s.row("<", "250-"+host+" Hello ["+srv.IP+"]", "")
	s.row("<", "250-SIZE 37748736", "")
	s.row("<", "250-PIPELINING", "")
	s.row("<", "250 CHUNKING", "")
	if p.serverByIP(ip) != nil || et == msgtrk.EventHARedirect {
		s.row(">", "X-EXPS GSSAPI", "")
		s.row("<", "235 <authentication response>", "")
	} else {
		s.row(">", "STARTTLS", "")
		s.row("<", "220 2.0.0 Ready to start TLS", "")
		s.row("*", "", tlsClient)
		s.row(">", "EHLO "+srv.FQDN, "")
		s.row("<", "250 "+host+" Hello", "")
	}
	s.row("*", "", "sending message with RecordId "+e.Fields[fIMID]+" and InternetMessageId "+m.mid)
	if et == msgtrk.EventHARedirect {
		s.row(">", "XSHADOWREQUEST "+srv.FQDN, "")
		s.row("<", "250 XSHADOWREQUEST accepted", "")
	}
	p.transactionReplies(s, ">", "<", "", m, rcptReplies, final)
	s.row(">", "QUIT", "")
	s.row("<", "221 2.0.0 Service closing transmission channel", "")
	s.row("-", "", "Local")
	p.record(m, sessionSeen{role: role, depth: depth, srv: srv, at: srv, event: et.String(), side: SideSend, service: service, kind: msgtrk.LogSmtpSend, id: id})

	// The connectivity log's record of the same session.
	c := p.open(srv, service, msgtrk.LogConnectivity, id, "", "", "", t-dur)
	c.src, c.destination = "SMTP", host
	var guid [36]byte
	c.crow("+", s.conn+" "+string(appendGUID(guid[:0], p.rng.Uint64(), p.rng.Uint64()))+";QueueLength=1")
	c.crow(">", host+"["+ip+"]")
	c.crow(">", "Established connection to "+ip)
	msgs, bytes := "1", e.Fields[fBytes]
	failure := ""
	if final == "" {
		msgs, bytes = "0", "0"
		if len(rcptReplies) > 0 {
			failure = " (Retry : " + rcptReplies[0] + ")"
			if et == msgtrk.EventFail {
				failure = " (Fail : " + rcptReplies[0] + ")"
			}
		}
	}
	if bytes == "" {
		bytes = "0"
	}
	if c.t < s.t {
		c.t = s.t // the summary comes when the send session is over
	}
	c.crow("-", "Messages: "+msgs+" Bytes: "+bytes+failure)
	p.record(m, sessionSeen{role: role, depth: depth, srv: srv, at: srv, event: et.String(), side: SideConnectivity, service: service, kind: msgtrk.LogConnectivity, id: id})
}

func (p *plog) serverByFQDN(fqdn string) *Server {
	for i := range p.g.org.Servers {
		if s := &p.g.org.Servers[i]; strings.EqualFold(s.FQDN, fqdn) {
			return s
		}
	}
	return nil
}

// members splits a list field (recipient-address, recipient-status) as
// msgtrk.ListScanner reads it: ';' outside apostrophe quotes.
func members(field string) []string {
	var out []string
	var ls msgtrk.ListScanner
	ls.Init([]byte(field))
	for ls.Next() {
		out = append(out, string(ls.Bytes()))
	}
	return out
}

// delivered reports whether the delivery session id of srv was written
// lately, and remembers it: the last maxDelivered are kept.
func (p *plog) delivered(srv *Server, id string) bool {
	k := srv.Name + "/" + id
	if _, ok := p.deliveredSet[k]; ok {
		return true
	}
	if p.deliveredSet == nil {
		p.deliveredSet = map[string]struct{}{}
	}
	p.deliveredSet[k] = struct{}{}
	p.deliveredFIFO = append(p.deliveredFIFO, k)
	if len(p.deliveredFIFO) > maxDelivered {
		delete(p.deliveredSet, p.deliveredFIFO[0])
		p.deliveredFIFO = p.deliveredFIFO[1:]
	}
	return false
}

// maxDelivered bounds the delivery sessions remembered.
const maxDelivered = 4096

// replyOf is the SMTP reply a recipient-status member quotes: itself, or
// the LED of a LastError blob.
func replyOf(st string) string {
	// Exchange's own text around the remote's reply (format.md §6):
	// 451 4.4.0 Primary target IP address responded with: "421 4.4.2 …."
	if _, q, ok := strings.Cut(st, `responded with: "`); ok {
		if inner, _, ok := strings.Cut(q, `"`); ok && inner != "" {
			return inner
		}
	}
	if strings.HasPrefix(st, "[{") {
		if le, err := recipstatus.ParseLastError([]byte(st)); err == nil && le.LED.Code != 0 {
			return string(le.LED.AppendTo(nil))
		}
	}
	return st
}

// delivery writes the mailbox delivery service's receive session behind a
// DELIVER row: its source-context names it ("{id};{start};…").
func (p *plog) delivery(m *msgState, srv *Server, t int64, et msgtrk.EventType, role string, depth int) {
	e := &p.g.ev
	id, start, ok := ctxParts(e.Fields[fContext], srv)
	if !ok {
		return
	}
	if p.delivered(srv, id) {
		// One session delivered the message to some recipients and
		// failed others: DELIVER and DELIVERFAIL name the same session.
		p.record(m, sessionSeen{role: role, depth: depth, srv: srv, at: srv, event: et.String(), side: SideDelivery, service: serviceDelivery, kind: msgtrk.LogSmtpReceive, id: id})
		return
	}
	hub := p.serverByIP(e.Fields[fClientIP])
	from := srv.IP
	if hub != nil {
		from = hub.IP
	}
	s := p.open(srv, serviceDelivery, msgtrk.LogSmtpReceive, id, srv.Name+`\Default Mailbox Delivery `+srv.Name, srv.IP+":475", from+":"+p.port(), start)
	s.row("+", "", "")
	s.row(">", "220 "+srv.FQDN+" Microsoft ESMTP MAIL Service ready", "")
	s.row("<", "EHLO "+from, "")
	s.row(">", "250  "+srv.FQDN+" Hello ["+from+"] SIZE PIPELINING DSN ENHANCEDSTATUSCODES X-EXPS GSSAPI NTLM 8BITMIME BINARYMIME CHUNKING XRDST", "")
	s.row("<", "X-EXPS GSSAPI", "")
	s.row(">", "235 <authentication response>", "")
	p.transaction(s, "<", ">", "", m, "250 2.6.0 "+m.mid+" Queued mail for delivery")
	s.row("<", "QUIT", "")
	s.row(">", "221 2.0.0 Service closing transmission channel", "")
	s.row("-", "", "QuitVerb")
	p.record(m, sessionSeen{role: role, depth: depth, srv: srv, at: srv, event: et.String(), side: SideDelivery, service: serviceDelivery, kind: msgtrk.LogSmtpReceive, id: id})
}
