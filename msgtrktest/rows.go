package msgtrktest

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// gen is the state of one generation run.
type gen struct {
	s      *Sim
	cfg    Config
	org    *Org
	rng    *rand.Rand
	o      *out
	p      *plog // the protocol and connectivity logs (Config.ProtocolLogs), or nil
	layout []msgtrk.Field
	ge13   bool // Exchange 2013 or later
	ge16   bool // Exchange 2016 or later
	legacy bool // Exchange 2007 or 2010: the Mailbox role's MSGTRKM, the transport's store driver picks up and delivers
	v2007  bool
	extra  *rand.Rand // draws of Config.Meetings and Config.Restarts, apart from rng
	build  string

	ev       msgtrk.Event
	scratch  []byte
	list     []byte
	lastList string
	lat      []byte // latency string being built
	lat2     []byte // the last hop's records, appended to lat
	seq      uint64
	rows     int
	nextIdx  int

	imid       [][3]int64 // per server: transport, submission, delivery counters
	storeEvent []int64    // per server: mailbox event counter
}

// msgState is a message being generated, and its truth.
type msgState struct {
	idx       int
	truth     MessageTruth
	pending   int  // rows not yet written
	generated bool // every row has been generated

	mid, nmid, subject, sender, returnPath, direction string
	size                                              int64
	origMs                                            int64  // true origination time
	origText                                          string // as stamped by the origin's clock
	cst                                               string // ClientSubmitTime value, or ""
	prior                                             string // latency parts of the hops before the hub ("SRV=…;SRV=…"), or ""
	origClientIP                                      string
	hubIn                                             int64  // when the hub received it
	meeting                                           bool   // a meeting request (Config.Meetings)
	storeCtx                                          string // 2007/2010 store submissions: the source-context the hub's pickup repeats
	sizeText                                          string
	sizeOf                                            int64
}

// Field shorthands.
const (
	fDateTime    = msgtrk.DateTime
	fClientIP    = msgtrk.ClientIP
	fClientHost  = msgtrk.ClientHostname
	fServerIP    = msgtrk.ServerIP
	fServerHost  = msgtrk.ServerHostname
	fContext     = msgtrk.SourceContext
	fConnector   = msgtrk.ConnectorID
	fSource      = msgtrk.Source
	fEvent       = msgtrk.EventID
	fIMID        = msgtrk.InternalMessageID
	fMID         = msgtrk.MessageID
	fNMID        = msgtrk.NetworkMessageID
	fRcpt        = msgtrk.RecipientAddress
	fStatus      = msgtrk.RecipientStatus
	fBytes       = msgtrk.TotalBytes
	fCount       = msgtrk.RecipientCount
	fRelated     = msgtrk.RelatedRecipientAddress
	fReference   = msgtrk.Reference
	fSubject     = msgtrk.MessageSubject
	fSender      = msgtrk.SenderAddress
	fReturnPath  = msgtrk.ReturnPath
	fInfo        = msgtrk.MessageInfo
	fDirection   = msgtrk.Directionality
	fOrigClient  = msgtrk.OriginalClientIP
	fOrigServer  = msgtrk.OriginalServerIP
	fCustom      = msgtrk.CustomData
	fTrafficType = msgtrk.TransportTrafficType
	fLogID       = msgtrk.LogID
	fSchema      = msgtrk.SchemaVersion
)

// begin starts a row of message m logged by srv at true time t (Unix ms)
// in the scratch event, with the fields every row of a message shares.
func (g *gen) begin(m *msgState, srv *Server, t int64, source, event string) *msgtrk.Event {
	e := &g.ev
	e.Fields = [msgtrk.NumFields]string{}
	e.Fields[fDateTime] = g.ts(srv, t)
	e.Fields[fSource] = source
	e.Fields[fEvent] = event
	e.Fields[fMID] = m.mid
	if g.ge13 {
		e.Fields[fNMID] = m.nmid
	}
	e.Fields[fSubject] = m.subject
	e.Fields[fSender] = m.sender
	e.Fields[fReturnPath] = m.returnPath
	e.Fields[fDirection] = m.direction
	if m.sizeText == "" || m.sizeOf != m.size {
		m.sizeText, m.sizeOf = strconv.FormatInt(m.size, 10), m.size
	}
	e.Fields[fBytes] = m.sizeText
	if g.ge16 {
		e.Fields[fTrafficType] = "Email"
		e.Fields[fLogID] = g.guid()
		e.Fields[fSchema] = g.build
	}
	return e
}

// commit renders the scratch event and hands it to the output. lk is the
// logical log (in 2010 MSGTRKMS rows go to MSGTRKM, MSGTRKMD rows to
// MSGTRK). role is
// the hop the row belongs to, "" for a shadow server's rows.
func (g *gen) commit(m *msgState, srv *Server, lk msgtrk.LogKind, t int64, et msgtrk.EventType, role string, depth int) {
	m.truth.Rows++
	switch et {
	case msgtrk.EventHARedirect, msgtrk.EventHAReceive, msgtrk.EventHADiscard, msgtrk.EventHARedirectFail:
		m.truth.ShadowEvents++
	case msgtrk.EventDuplicateDeliver, msgtrk.EventDuplicateExpand, msgtrk.EventDuplicateRedirect:
		m.truth.Duplicates++
	}
	if role != "" {
		addHop(&m.truth, Hop{Server: srv.Name, Role: role, Depth: depth})
	}
	if g.p != nil {
		g.p.transcribe(m, srv, t, et, role, depth)
	}
	g.scratch = appendRow(g.scratch[:0], &g.ev, g.layout)
	line := make([]byte, len(g.scratch))
	copy(line, g.scratch)
	it := &item{t: t, w: t + srv.Skew.Milliseconds(), seq: g.seq, line: line, msg: m, event: et}
	g.seq++
	m.pending++
	g.rows++
	if g.legacy {
		// 2007/2010: the Mailbox role logs submissions in MSGTRKM; the
		// store driver of the transport service logs deliveries in MSGTRK.
		switch lk {
		case msgtrk.LogSubmission:
			lk = msgtrk.LogMailbox
		case msgtrk.LogDelivery:
			lk = msgtrk.LogTransport
		}
	}
	g.o.add(it, g.s.serverIdx[srv.Name], lk)
}

func isShadowEvent(et msgtrk.EventType) bool {
	switch et {
	case msgtrk.EventHARedirect, msgtrk.EventHAReceive, msgtrk.EventHADiscard, msgtrk.EventHARedirectFail:
		return true
	}
	return false
}

func addHop(t *MessageTruth, h Hop) {
	for _, x := range t.Hops {
		if x == h {
			return
		}
	}
	t.Hops = append(t.Hops, h)
}

// setRcpts sets recipient-address, recipient-status (when statuses is not
// nil: one per address, or one for all when it has length 1) and
// recipient-count. A status that is a LastError blob is written as is;
// other members are apostrophe-quoted when needed (msgtrk.ListScanner).
func (g *gen) setRcpts(e *msgtrk.Event, addrs []string, statuses []string) {
	e.Fields[fRcpt] = g.joinList(addrs, nil)
	e.Fields[fCount] = strconv.Itoa(len(addrs))
	if statuses != nil {
		e.Fields[fStatus] = g.joinList(addrs, statuses)
	}
}

// joinList joins addrs, or (when statuses is not nil) one status per
// address, as a list field. A single member that needs no quoting, or the
// same list as the previous call, costs no allocation.
func (g *gen) joinList(addrs, statuses []string) string {
	if statuses == nil && len(addrs) == 1 && !needsListQuote(addrs[0]) {
		return addrs[0]
	}
	if statuses != nil && len(addrs) == 1 && !needsListQuote(statuses[0]) {
		return statuses[0]
	}
	b := g.list[:0]
	for i := range addrs {
		if i > 0 {
			b = append(b, ';')
		}
		if statuses == nil {
			b = msgtrk.AppendListMember(b, []byte(addrs[i]))
			continue
		}
		st := statuses[0]
		if len(statuses) > 1 {
			st = statuses[i]
		}
		// A LastError blob holds ';': apostrophe-quoted like any such
		// member (format.md §3.2).
		b = msgtrk.AppendListMember(b, []byte(st))
	}
	g.list = b
	if string(b) == g.lastList {
		return g.lastList
	}
	g.lastList = string(b)
	return g.lastList
}

func isBlob(s string) bool { return len(s) > 1 && s[0] == '[' && s[1] == '{' }

// needsListQuote mirrors msgtrk.AppendListMember's rule.
func needsListQuote(s string) bool {
	return strings.ContainsAny(s, ";'\r\n") || isBlob(s)
}

// ts formats true time t as written by srv's clock.
func (g *gen) ts(srv *Server, t int64) string {
	var b [24]byte
	return string(appendMS(b[:0], t+srv.Skew.Milliseconds()))
}

// appendMS appends Unix milliseconds ms as yyyy-MM-ddTHH:mm:ss.fffZ, as
// msgtrk.AppendTime does (TestAppendMS checks it), without the time
// package's general formatter.
func appendMS(dst []byte, ms int64) []byte {
	days := floorDiv(ms, 86400000)
	rem := ms - days*86400000
	y, m, d := civil(days)
	dst = append4(dst, y)
	dst = append(dst, '-')
	dst = append2(dst, m)
	dst = append(dst, '-')
	dst = append2(dst, d)
	dst = append(dst, 'T')
	dst = append2(dst, int(rem/3600000))
	dst = append(dst, ':')
	dst = append2(dst, int(rem/60000%60))
	dst = append(dst, ':')
	dst = append2(dst, int(rem/1000%60))
	dst = append(dst, '.')
	f := int(rem % 1000)
	dst = append(dst, byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
	return append(dst, 'Z')
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (H. Hinnant's algorithm).
func civil(z int64) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	yy := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		yy++
	}
	return int(yy), m, d
}

func append2(dst []byte, n int) []byte { return append(dst, byte('0'+n/10), byte('0'+n%10)) }

func append4(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/1000%10), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}

// appendSec appends ms milliseconds as decimal seconds with three digits.
func appendSec(dst []byte, ms int64) []byte {
	if ms < 0 {
		ms = 0
	}
	dst = strconv.AppendInt(dst, ms/1000, 10)
	f := ms % 1000
	return append(dst, '.', byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
}

func sec(ms int64) string { return string(appendSec(nil, ms)) }

// guid returns a fresh random GUID (log-id, network-message-id, …).
func (g *gen) guid() string {
	var b [36]byte
	return string(appendGUID(b[:0], g.rng.Uint64(), g.rng.Uint64()))
}

// nmid returns a network-message-id in Exchange's shape: random, with a
// last group that starts "08dc" as the real ones of 2024 do.
func (g *gen) nmid() string {
	var b [36]byte
	s := appendGUID(b[:0], g.rng.Uint64(), g.rng.Uint64())
	copy(s[24:28], "08dc")
	return string(s)
}

// hexUpper returns n random upper-case hexadecimal digits.
func (g *gen) hexUpper(n int) string { return g.hex(n, "0123456789ABCDEF") }

// hexLower returns n random lower-case hexadecimal digits.
func (g *gen) hexLower(n int) string { return g.hex(n, hexdigits) }

// hex returns n random digits of the table digits, four random bits each.
func (g *gen) hex(n int, digits string) string {
	b := make([]byte, n)
	x := g.rng.Uint64()
	for i := range b {
		if i%16 == 15 {
			x = g.rng.Uint64()
		}
		b[i] = digits[x&15]
		x >>= 4
	}
	return string(b)
}

// session returns an SMTP or delivery session id, as Exchange writes it:
// 16 upper-case hexadecimal digits starting 08DC.
func (g *gen) session() string { return "08DC" + g.hexUpper(12) }

// between returns a uniform integer in [lo, hi].
func (g *gen) between(lo, hi int64) int64 { return lo + g.rng.Int64N(hi-lo+1) }

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// nextIMID returns the next internal-message-id of srv for log kind k.
func (g *gen) nextIMID(srv *Server, k msgtrk.LogKind) string {
	i := g.s.serverIdx[srv.Name]
	slot := kindSlot(k)
	g.imid[i][slot] += 1 + g.rng.Int64N(3)
	return strconv.FormatInt(g.imid[i][slot], 10)
}

// latency record builders. Each returns the records of one hop, values
// adding up to the total.

func (g *gen) split(total int64, parts ...int) [6]int64 {
	var out [6]int64
	total = max(total, 0)
	sum := 0
	for _, p := range parts {
		sum += p
	}
	left := total
	for i, p := range parts {
		v := total * int64(p) / int64(sum)
		if i == len(parts)-1 {
			v = left
		}
		if v > left {
			v = left
		}
		out[i] = v
		left -= v
	}
	return out
}

func (g *gen) subRecords(dst []byte, total int64) []byte {
	p := g.split(total, 1+g.rng.IntN(3), 4+g.rng.IntN(6))
	q := g.split(p[1], 1, 5, 2)
	dst = append(dst, "TOTAL-SUB="...)
	dst = appendSec(dst, total)
	dst = append(dst, "|SA="...)
	dst = appendSec(dst, p[0])
	dst = append(dst, "|MTSS="...)
	dst = appendSec(dst, p[1])
	dst = append(dst, "(MTSSD="...)
	dst = appendSec(dst, p[1])
	dst = append(dst, "(MTSSDA="...)
	dst = appendSec(dst, q[0])
	dst = append(dst, "|MTSSDC="...)
	dst = appendSec(dst, q[1])
	dst = append(dst, "|SDSSO="...)
	dst = appendSec(dst, q[2])
	return append(dst, "))"...)
}

func (g *gen) feRecords(dst []byte, total int64) []byte {
	p := g.split(total, 8+g.rng.IntN(4), 1)
	dst = append(dst, "TOTAL-FE="...)
	dst = appendSec(dst, total)
	dst = append(dst, "|SMR="...)
	dst = appendSec(dst, p[0])
	dst = append(dst, "(SMRPI="...)
	dst = appendSec(dst, p[0]/20)
	dst = append(dst, "(SMRPI-FrontendProxyAgent="...)
	dst = appendSec(dst, p[0]/20)
	dst = append(dst, "))|SMS="...)
	return appendSec(dst, p[1])
}

func (g *gen) hubRecords(dst []byte, total int64, external bool) []byte {
	p := g.split(total, 2+g.rng.IntN(3), 4+g.rng.IntN(8), 1+g.rng.IntN(10), 1, 2+g.rng.IntN(4))
	smr := g.split(p[0], 1, 6)
	cat := g.split(p[1], 1, 12, 2)
	dst = append(dst, "TOTAL-HUB="...)
	dst = appendSec(dst, total)
	dst = append(dst, "|SMR="...)
	dst = appendSec(dst, p[0])
	dst = append(dst, "(SMRDE="...)
	dst = appendSec(dst, smr[0])
	dst = append(dst, "|SMRC="...)
	dst = appendSec(dst, smr[1])
	dst = append(dst, "(SMRCL="...)
	dst = appendSec(dst, smr[1])
	dst = append(dst, "|X-SMRCR="...)
	dst = appendSec(dst, smr[1])
	dst = append(dst, "))|CAT="...)
	dst = appendSec(dst, p[1])
	dst = append(dst, "(CATRESL="...)
	dst = appendSec(dst, cat[0])
	dst = append(dst, "|CATORES="...)
	dst = appendSec(dst, cat[1])
	dst = append(dst, "(CATRS="...)
	dst = appendSec(dst, cat[1])
	dst = append(dst, "(CATRS-Index Routing Agent="...)
	dst = appendSec(dst, cat[1])
	dst = append(dst, "))|CATORT="...)
	dst = appendSec(dst, cat[2])
	dst = append(dst, "(CATRT="...)
	dst = appendSec(dst, cat[2])
	dst = append(dst, "(CATRT-Journal Agent="...)
	dst = appendSec(dst, cat[2])
	dst = append(dst, ")))"...)
	if external {
		dst = append(dst, "|QDE="...)
	} else {
		dst = append(dst, "|QDM="...)
	}
	dst = appendSec(dst, p[2])
	dst = append(dst, "|SMSC="...)
	dst = appendSec(dst, p[3])
	dst = append(dst, "(X-SMSDR="...)
	dst = appendSec(dst, p[3])
	dst = append(dst, ")|SMS="...)
	dst = appendSec(dst, p[4])
	if !external {
		dst = append(dst, "(SMSMBXD="...)
		dst = appendSec(dst, p[4]*9/10)
		dst = append(dst, ')')
	}
	return dst
}

func (g *gen) edgeRecords(dst []byte, total int64) []byte {
	p := g.split(total, 2, 5+g.rng.IntN(5), 1+g.rng.IntN(6), 2)
	dst = append(dst, "TOTAL-EDGE="...)
	dst = appendSec(dst, total)
	dst = append(dst, "|SMR="...)
	dst = appendSec(dst, p[0])
	dst = append(dst, "(SMRDE="...)
	dst = appendSec(dst, p[0])
	dst = append(dst, ")|CAT="...)
	dst = appendSec(dst, p[1])
	dst = append(dst, "(CATRESL="...)
	dst = appendSec(dst, p[1]/4)
	dst = append(dst, ")|QDE="...)
	dst = appendSec(dst, p[2])
	dst = append(dst, "|SMS="...)
	return appendSec(dst, p[3])
}

func (g *gen) delRecords(dst []byte, total int64) []byte {
	p := g.split(total, 1+g.rng.IntN(3), 6+g.rng.IntN(6))
	q := g.split(p[1], 1, 4, 6)
	dst = append(dst, "TOTAL-DEL="...)
	dst = appendSec(dst, total)
	dst = append(dst, "|SMR="...)
	dst = appendSec(dst, p[0])
	dst = append(dst, "(SMRDI="...)
	dst = appendSec(dst, p[0])
	dst = append(dst, ")|SDD="...)
	dst = appendSec(dst, p[1])
	dst = append(dst, "(SDDSINI="...)
	dst = appendSec(dst, q[0])
	dst = append(dst, "|SDDPM="...)
	dst = appendSec(dst, q[1])
	dst = append(dst, "(SDDPM-Conversations Processing Agent="...)
	dst = appendSec(dst, q[1]/2)
	dst = append(dst, "|SDDPM-Mailbox Rules Agent="...)
	dst = appendSec(dst, q[1]/4)
	dst = append(dst, ")|SDDSCMG="...)
	dst = appendSec(dst, q[2])
	return append(dst, ')')
}
