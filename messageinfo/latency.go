package messageinfo

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// Limits on latency strings. Input beyond a limit is an error, never a crash
// or unbounded work.
const (
	// MaxDepth is the deepest Node.Depth accepted. A hop's TOTAL record is
	// depth 0, the records beside it depth 1, and so on; the deepest real
	// sample reaches depth 5 (TOTAL-HUB > CAT > CATORES > CATRS >
	// CATRS-Transport Rule Agent > X-ETREX).
	MaxDepth = 32
	// MaxNodes is the most records one latency string may hold. Real samples
	// hold 3 to 44.
	MaxNodes = 2048
	// MaxHops is the most servers ("SRV=" / "LSRV=" parts) one latency string
	// may hold. Real samples hold 1 to 3.
	MaxHops = 16
	// MaxInputBytes is the longest message-info value the parsers accept.
	MaxInputBytes = 1 << 20
)

// Flags are facts about one latency record read from its name.
type Flags uint8

// Flag bits.
const (
	// FlagTotal marks a hop's TOTAL record (TOTAL, TOTAL-HUB, ...): the root
	// of that hop's tree.
	FlagTotal Flags = 1 << iota
	// FlagPending marks a "-PEN" suffix (MTSS-PEN, D-PEN), read as
	// "pending": the component had not finished when the time was taken.
	FlagPending
	// FlagIncomplete marks an "-INC" suffix (SDDCM-Meeting Message
	// Processing Agent-INC), read as "incomplete" measurement.
	FlagIncomplete
	// FlagExtended marks an "X-" prefix (X-SMRCR, X-ETREX): an extended
	// measurement that is not counted in its parent's time.
	FlagExtended
)

var flagNames = [...]string{"Total", "Pending", "Incomplete", "Extended"}

// String returns the set flags joined by '|' ("Total|Pending"), or "0".
// It allocates.
func (f Flags) String() string {
	if f == 0 {
		return "0"
	}
	var b strings.Builder
	for i, name := range flagNames {
		if f&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(name)
		}
	}
	if rest := f &^ (1<<len(flagNames) - 1); rest != 0 {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString("0x" + strconv.FormatUint(uint64(rest), 16))
	}
	return b.String()
}

// Role is the role a server played for the message, read from the suffix of
// its TOTAL record.
type Role uint8

// Roles.
const (
	// RoleUnknown: the hop has no TOTAL record, or its suffix is not one
	// listed here (the suffix stays available in Hop.RoleText).
	RoleUnknown Role = iota
	// RoleNone: plain "TOTAL" without suffix, as Exchange 2010/2013 write.
	RoleNone
	RoleHub        // TOTAL-HUB: transport service (hub)
	RoleFrontEnd   // TOTAL-FE: front-end transport (proxy)
	RoleSubmission // TOTAL-SUB: mailbox transport submission
	RoleDelivery   // TOTAL-DEL: mailbox transport delivery
	RoleEdge       // TOTAL-EDGE: edge transport (not in the samples)
)

var roleNames = [...]string{"Unknown", "None", "Hub", "FrontEnd", "Submission", "Delivery", "Edge"}

// String returns the role's name, or "Role(n)" out of range.
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

func roleOf(suffix []byte) Role {
	switch string(suffix) {
	case "HUB":
		return RoleHub
	case "FE":
		return RoleFrontEnd
	case "SUB":
		return RoleSubmission
	case "DEL":
		return RoleDelivery
	case "EDGE":
		return RoleEdge
	}
	return RoleUnknown
}

// Unit tells how a latency string's values were written.
type Unit uint8

// Units.
const (
	// UnitUnknown: no value has a decimal point and every value is zero
	// (e.g. Exchange 2010's "TOTAL=0"), so the unit cannot be told; the
	// durations are zero either way.
	UnitUnknown Unit = iota
	// UnitSeconds: decimal seconds ("1.921"), as Exchange 2013+ write them
	// (three fractional digits). Chosen when any value has a '.'.
	UnitSeconds
	// UnitMilliseconds: integer milliseconds ("1921"). Chosen when no value
	// in the whole string has a '.' and some value is not zero.
	UnitMilliseconds
)

var unitNames = [...]string{"Unknown", "Seconds", "Milliseconds"}

// String returns the unit's name, or "Unit(n)" out of range.
func (u Unit) String() string {
	if int(u) < len(unitNames) {
		return unitNames[u]
	}
	return "Unit(" + strconv.Itoa(int(u)) + ")"
}

// Node is one record of a latency tree ("SMRC=0.125"), stored flat in
// preorder: a node's children follow it, and Parent points back. Spans refer
// to the latency string that was parsed.
//
// The name is split as  ["X-"] Code ["-" Agent] {"-PEN" | "-INC"}:
//
//	TOTAL-HUB                                  Code "TOTAL" (role HUB, on the Hop), FlagTotal
//	X-SMRCR                                    Code "SMRCR", FlagExtended
//	MTSS-PEN                                   Code "MTSS", FlagPending
//	CATSM-Malware Agent                        Code "CATSM", Agent "Malware Agent"
//	SDDCM-Meeting Message Processing Agent-INC Code "SDDCM", Agent "Meeting Message Processing Agent", FlagIncomplete
//	R-CMSG                                     Code "R-CMSG" (no agent)
//
// The agent starts at the first '-' whose following word (up to the next
// '-') holds a lower-case letter or a space: agent names are display names
// ("Malware Agent", "FrontendProxyAgent"), component codes are upper case
// ("R-CMSG", "R-HSRR"). An all-capitals agent name would therefore stay part
// of Code; nothing is lost, Name always holds the whole name.
type Node struct {
	Name  Span // the whole name as written, surrounding spaces trimmed
	Code  Span // component code without "X-", agent and suffixes
	Agent Span // agent display name; empty if none
	Value Span // the value as written ("0.125")
	// Duration is Value in the string's Unit.
	Duration time.Duration
	// Parent is the index of the parent node in the slice returned by
	// AppendLatency, or -1 for a root (a hop's TOTAL record, or every
	// top-level record of a hop that has no TOTAL).
	Parent int32
	Hop    uint8 // index of the hop (server) in Latency
	Depth  uint8 // 0 for roots, parent's Depth + 1 otherwise
	Flags  Flags
}

// Hop is one server's part of a latency string:
// "SRV=exch-14.domain.local:TOTAL-SUB=0.524|SA=0.048|...".
type Hop struct {
	// Server is the server's name as written.
	Server Span
	// LSRV is true for the "LSRV=" form, which carries only the local
	// server's records; "SRV=" parts list previous hops first and, as the
	// samples show, the logging server last.
	LSRV bool
	// Role is read from the TOTAL record's suffix.
	Role Role
	// RoleText is the suffix as written ("HUB" in "TOTAL-HUB"); empty for
	// plain TOTAL or a hop without TOTAL.
	RoleText Span
	// Total is the TOTAL record's duration; zero without a TOTAL record.
	Total time.Duration
	// Root is the index of the TOTAL node, or -1 if the hop has none.
	Root int32
	// First and End delimit the hop's nodes: nodes[First:End].
	First, End int32
}

// Latency describes one parsed latency string; its records are the nodes
// nodes[First:End] of the slice AppendLatency returned. Latency is a
// comparable value of fixed size (856 bytes: it holds up to MaxHops
// hops inline, so that parsing needs no allocation); the zero value means
// absent. Its methods do no allocation and are safe for concurrent use; the
// spans in it refer to the parsed string.
type Latency struct {
	// Origin is the origination time that opens the string, the zero Time
	// if the string starts directly with a hop.
	Origin time.Time
	// OriginText is the origination time as written.
	OriginText Span
	// Current is the time that may close the string after its last hop:
	// format.md §7.2's current-time, when the row was written. The zero
	// Time when the string has none.
	Current time.Time
	// CurrentText is that time as written.
	CurrentText Span
	// Unit is how the values were written.
	Unit Unit
	// First and End delimit this string's nodes in the returned slice.
	First, End int32

	hops  [MaxHops]Hop
	nhops uint8
}

// NumHops returns the number of hops (servers).
func (l *Latency) NumHops() int { return int(l.nhops) }

// Hop returns hop i, 0 ≤ i < NumHops(); it panics otherwise.
func (l *Latency) Hop(i int) Hop {
	if i < 0 || i >= int(l.nhops) {
		panic("messageinfo: Latency.Hop index out of range")
	}
	return l.hops[i]
}

// Local returns the hop of the logging server: the last hop. ok is false
// when there are no hops.
func (l *Latency) Local() (h Hop, ok bool) {
	if l.nhops == 0 {
		return Hop{}, false
	}
	return l.hops[l.nhops-1], true
}

// AppendLatency parses a latency string and appends its records to dst in
// preorder:
//
//	<origination time>;LSRV=<server>:<records>
//	<origination time>;SRV=<server>:<records>;SRV=<server>:<records>...
//	<origination time>;LSRV=<server>:<records>;<current time>
//
// where <records> is "NAME=value" records separated by '|', each optionally
// followed by its children in parentheses. A bare origination time is
// accepted and yields no hops. A time after the last hop (or after the
// origination time) is the current time (Latency.Current), which the
// format allows to close the string (format.md §7.2); nothing may follow
// it. Spaces are tolerated after a value and after
// ')' (Exchange Online and console output fold long strings there:
// "SDSSO-PEN=0.045 (SMSC=0.008|...)", "R-HSRR=0.023 )))") and around names.
//
// Values are decimal seconds when any value in the string has a '.', and
// integer milliseconds when none has; see Unit.
//
// The input must be the field's value itself. Console output of
// Get-MessageTrackingLog wraps long values; undoing that wrapping is the
// caller's job (see the package documentation).
//
// Strict, with a partial result: parsing stops at the first error, which is a
// *SyntaxError wrapping one of ErrTime, ErrLatency, ErrValue, ErrTooDeep,
// ErrTooManyNodes, ErrTooManyHops or ErrTooLong. The nodes and hops decoded
// before it are still returned (a node's later children may be missing), and
// their invariants hold; the unit is not settled on error (UnitUnknown, and
// durations as if in seconds).
//
// The returned nodes' spans refer to src, which must stay unchanged while
// they are used. AppendLatency does no allocation when dst has room for the
// records (at most MaxNodes); it is safe for concurrent use on distinct dst.
func AppendLatency(dst []Node, src []byte) ([]Node, Latency, error) {
	p := latencyParser{src: src, dst: dst, first: len(dst)}
	lat, err := p.parse()
	return p.dst, lat, err
}

// LocalTotal reads of a latency string only what a trace needs of a
// message-info field: the origination time (zero if the string starts with
// a hop) and the TOTAL of the logging server's hop (the last), in the
// string's unit; hasTotal is false when that hop has no TOTAL record or
// the string no hop. It checks the whole string as AppendLatency does and
// agrees with it on every string AppendLatency parses without error;
// otherwise ok is false and the caller wants AppendLatency's partial
// result. It builds no Node, does no allocation on a string it accepts,
// and is safe for concurrent use.
func LocalTotal(src []byte) (origin time.Time, total time.Duration, hasTotal, ok bool) {
	if origin, total, hasTotal, sure := localTotalFast(src); sure {
		return origin, total, hasTotal, true
	}
	return localTotalParse(src)
}

// LocalServer returns the server of the last hop of a latency string: the
// logging server, as it names itself ("LSRV=ex01.contoso.com:…" or the
// last "SRV=" part), skipping a closing current time. It reads only that
// hop's header (';' ends every part: no record or server name holds one),
// not the records: ok is false when that header is malformed or the string
// has no hop. It does no allocation; the result is a subslice of src.
func LocalServer(src []byte) (server []byte, ok bool) {
	// The starts of the last two parts, found forwards (IndexByte is
	// vectorised, LastIndexByte is not; a string has a few parts).
	prev, last := -1, 0
	for i := 0; ; {
		k := bytes.IndexByte(src[i:], ';')
		if k < 0 {
			break
		}
		i += k + 1
		prev, last = last, i
	}
	start, end := skipSpaces(src, last), len(src)
	if !hasHopPrefix(src[start:]) {
		if _, isTime := readCurrent(src, start); !isTime || prev < 0 {
			return nil, false
		}
		start, end = skipSpaces(src, prev), last-1
	}
	s, _, _, hok := hopHeader(src[:end], start)
	if !hok {
		return nil, false
	}
	return s.Bytes(src), true
}

// localTotalParse is LocalTotal by the general parser, in its count mode:
// what LocalTotal falls back to when localTotalFast is not sure.
func localTotalParse(src []byte) (origin time.Time, total time.Duration, hasTotal, ok bool) {
	p := latencyParser{src: src, count: true}
	lat, err := p.parse()
	if err != nil {
		return time.Time{}, 0, false, false
	}
	if h, hok := lat.Local(); hok && h.Root >= 0 {
		return lat.Origin, h.Total, true, true
	}
	return lat.Origin, 0, false, true
}

// parse parses p.src (see AppendLatency), appending its records to p.dst
// unless p.count.
func (p *latencyParser) parse() (Latency, error) {
	var lat Latency
	src, first := p.src, p.first
	lat.First, lat.End = int32(first), int32(first)
	if len(src) > MaxInputBytes {
		return lat, syntaxError(src, 0, ErrTooLong)
	}
	t, end, hasOrigin, ok := readOrigin(src)
	if !ok {
		return lat, syntaxError(src, 0, ErrTime)
	}
	i := 0
	if hasOrigin {
		lat.Origin, lat.OriginText = t, span(0, end)
		i = end
		if i == len(src) {
			return lat, nil
		}
		i++ // ';'
	}
	for {
		// A part may start with fold spaces, as a record may (§7.2:
		// whitespace between tokens).
		i = skipSpaces(src, i)
		if t, ok := readCurrent(src, i); ok {
			lat.Current, lat.CurrentText = t, span(i, len(src))
			break
		}
		if lat.nhops == MaxHops {
			lat.End = int32(len(p.dst))
			return lat, syntaxError(src, i, ErrTooManyHops)
		}
		h, next, header, err := p.hop(i, lat.nhops)
		if header {
			lat.hops[lat.nhops] = h
			lat.nhops++
		}
		if err != nil {
			lat.End = int32(len(p.dst))
			return lat, err
		}
		i = next
		if i == len(src) {
			break
		}
		i++ // ';'
	}
	lat.End = int32(len(p.dst))
	if lat.Unit = unitOf(p.sawDot, p.sawNonZero); lat.Unit == UnitMilliseconds {
		// The values were read as seconds.
		nodes := p.dst[first:]
		for k := range nodes {
			nodes[k].Duration /= 1000
		}
		for k := range lat.hops[:lat.nhops] {
			lat.hops[k].Total /= 1000
		}
	}
	return lat, nil
}

// readOrigin reads the origination time that opens a latency string,
// unless it starts with a hop (hasOrigin false): the time up to the first
// ';' (or the end), and that offset. ok is false when what stands there
// is not a time.
func readOrigin(src []byte) (t time.Time, end int, hasOrigin, ok bool) {
	if hasHopPrefix(src) {
		return time.Time{}, 0, false, true
	}
	end = bytes.IndexByte(src, ';')
	if end < 0 {
		end = len(src)
	}
	t, ok = msgtrk.ParseTime(src[:end])
	return t, end, true, ok
}

// readCurrent reads the current time that may close a latency string
// (format.md §7.2: [ ";" current-time ] after the hops) from the segment
// at i, which must be the last: ok is false when that segment is a hop,
// is followed by another, or is not a time.
func readCurrent(src []byte, i int) (t time.Time, ok bool) {
	rest := src[i:]
	if len(rest) == 0 || hasHopPrefix(rest) || bytes.IndexByte(rest, ';') >= 0 {
		return time.Time{}, false
	}
	return msgtrk.ParseTime(rest)
}

// unitOf settles the unit of a string's values: seconds if any had a
// '.' (dot), else milliseconds when some is not zero (nonZero), else
// unknown.
func unitOf(dot, nonZero bool) Unit {
	switch {
	case dot:
		return UnitSeconds
	case nonZero:
		return UnitMilliseconds
	}
	return UnitUnknown
}

// hopHeader reads the "SRV=server:" or "LSRV=server:" that opens a hop at
// i: the server and the offset of the hop's first record; when ok is
// false, next is where the header goes wrong.
func hopHeader(src []byte, i int) (server Span, lsrv bool, next int, ok bool) {
	switch {
	case hasPrefix(src[i:], "LSRV="):
		lsrv = true
		i += len("LSRV=")
	case hasPrefix(src[i:], "SRV="):
		i += len("SRV=")
	default:
		return Span{}, false, i, false
	}
	start := i
	for i < len(src) && src[i] != ':' && src[i] != ';' {
		i++
	}
	if i == len(src) || src[i] != ':' || i == start {
		return Span{}, false, i, false
	}
	return span(start, i), lsrv, i + 1, true
}

func hasHopPrefix(s []byte) bool {
	return hasPrefix(s, "SRV=") || hasPrefix(s, "LSRV=")
}

func hasPrefix(s []byte, p string) bool {
	return len(s) >= len(p) && string(s[:len(p)]) == p
}

type latencyParser struct {
	src        []byte
	dst        []Node
	first      int
	count      bool // only check and count the records: dst is not written (LocalTotal)
	n          int  // records seen
	sawDot     bool
	sawNonZero bool
}

// hop parses "SRV=server:records" or "LSRV=server:records" at i and returns
// the offset of the ';' that ends it, or len(src). header reports whether
// the "SRV=server:" part was well-formed (the hop exists, maybe partially).
func (p *latencyParser) hop(i int, index uint8) (h Hop, next int, header bool, err error) {
	src := p.src
	h = Hop{Root: -1, First: int32(len(p.dst)), End: int32(len(p.dst))}
	server, lsrv, i, ok := hopHeader(src, i)
	if !ok {
		return h, i, false, syntaxError(src, i, ErrLatency)
	}
	h.Server, h.LSRV = server, lsrv

	// Records. cur is the parent of the next record (in count mode only
	// its sign is kept: -1 for none) and curDepth its depth; level counts
	// open parentheses. At level 0 the parent is the hop's TOTAL, if any.
	cur, curDepth := int32(-1), 0
	level, hopFirst, count := 0, p.n, p.count
	for {
		// Name.
		for i < len(src) && src[i] == ' ' {
			i++
		}
		nameStart := i
		for i < len(src) && !nameStop[src[i]] {
			i++
		}
		nameEnd := i
		for nameEnd > nameStart && src[nameEnd-1] == ' ' {
			nameEnd--
		}
		if i == len(src) || src[i] != '=' || nameEnd == nameStart {
			h.End = int32(len(p.dst))
			return h, i, true, syntaxError(src, i, ErrLatency)
		}
		i++ // '='
		valStart := i
		d, next, ok := p.value(i)
		if !ok {
			h.End = int32(len(p.dst))
			return h, next, true, syntaxError(src, next, ErrValue)
		}
		i = next

		if p.n >= MaxNodes {
			h.End = int32(len(p.dst))
			return h, nameStart, true, syntaxError(src, nameStart, ErrTooManyNodes)
		}
		depth := 0
		if cur >= 0 {
			if depth = curDepth + 1; depth > MaxDepth {
				h.End = int32(len(p.dst))
				return h, nameStart, true, syntaxError(src, nameStart, ErrTooDeep)
			}
		}
		idx := int32(len(p.dst))
		if count {
			idx = int32(p.n)
		}
		// In count mode only a hop's first record is split (is it its
		// TOTAL?), and none is kept.
		if maybeTotal := level == 0 && p.n == hopFirst; maybeTotal || !count {
			n := Node{
				Name:     span(nameStart, nameEnd),
				Value:    span(valStart, i),
				Duration: d,
				Parent:   cur,
				Hop:      index,
				Depth:    uint8(depth),
			}
			role, roleText, isTotal := splitName(src, &n, maybeTotal)
			if !count {
				p.dst = append(p.dst, n)
			}
			if isTotal {
				h.Root = idx
				h.Role = role
				h.RoleText = roleText
				h.Total = d
				cur, curDepth = idx, depth
			}
		}
		p.n++

		// After the value: fold spaces, then '(' ')' '|' ';' or the end.
		i = skipSpaces(src, i)
		if i < len(src) && src[i] == '(' {
			cur, curDepth = idx, depth
			level++
			i++
			continue
		}
		for i < len(src) && src[i] == ')' {
			if level == 0 {
				h.End = int32(len(p.dst))
				return h, i, true, syntaxError(src, i, ErrLatency)
			}
			level--
			switch {
			case level == 0:
				cur, curDepth = h.Root, 0
			case count:
				curDepth-- // (cur, an opener, stays ≥ 0)
			default:
				cur, curDepth = p.dst[cur].Parent, curDepth-1
			}
			i = skipSpaces(src, i+1)
		}
		if i < len(src) && src[i] == '|' {
			i++
			continue
		}
		if i == len(src) || src[i] == ';' {
			if level != 0 {
				h.End = int32(len(p.dst))
				return h, i, true, syntaxError(src, i, ErrLatency)
			}
			h.End = int32(len(p.dst))
			return h, i, true, nil
		}
		h.End = int32(len(p.dst))
		return h, i, true, syntaxError(src, i, ErrLatency)
	}
}

// nameStop marks the bytes that end a record name.
var nameStop = [256]bool{'=': true, '(': true, ')': true, '|': true, ';': true}

func skipSpaces(src []byte, i int) int {
	for i < len(src) && src[i] == ' ' {
		i++
	}
	return i
}

// value parses [-]digits[.digits] at i as seconds.
func (p *latencyParser) value(i int) (time.Duration, int, bool) {
	src := p.src
	neg := false
	if i < len(src) && src[i] == '-' {
		neg = true
		i++
	}
	start := i
	var whole uint64
	for i < len(src) && src[i] >= '0' && src[i] <= '9' {
		whole = whole*10 + uint64(src[i]-'0')
		if whole > maxWholeSeconds {
			return 0, i, false
		}
		i++
	}
	if i == start {
		return 0, i, false
	}
	var frac uint64
	if i < len(src) && src[i] == '.' {
		i++
		fstart := i
		scale := uint64(100000000)
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			if i-fstart == 9 {
				return 0, i, false
			}
			frac += uint64(src[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == fstart {
			return 0, i, false
		}
		p.sawDot = true
	}
	d := time.Duration(whole*uint64(time.Second) + frac)
	if d != 0 {
		p.sawNonZero = true
	}
	if neg {
		d = -d
	}
	return d, i, true
}

// maxWholeSeconds keeps whole*1e9 + frac inside an int64.
const maxWholeSeconds = (1<<63-1)/uint64(time.Second) - 1

// splitName fills n.Code, n.Agent and n.Flags from n.Name. When maybeTotal is
// set (first record of a hop, outside parentheses) and the code is TOTAL,
// it reports the role.
func splitName(src []byte, n *Node, maybeTotal bool) (Role, Span, bool) {
	s, e := int(n.Name.Start), int(n.Name.End)
	if e-s > 2 && src[s] == 'X' && src[s+1] == '-' {
		n.Flags |= FlagExtended
		s += 2
	}
	for e-s > 4 && src[e-4] == '-' {
		switch string(src[e-3 : e]) {
		case "PEN":
			n.Flags |= FlagPending
		case "INC":
			n.Flags |= FlagIncomplete
		default:
			goto suffixesDone
		}
		e -= 4
	}
suffixesDone:
	if maybeTotal && e-s >= 5 && string(src[s:s+5]) == "TOTAL" && (e-s == 5 || src[s+5] == '-') {
		n.Flags |= FlagTotal
		n.Code = span(s, s+5)
		if e-s == 5 {
			return RoleNone, Span{}, true
		}
		rt := span(s+6, e)
		return roleOf(rt.Bytes(src)), rt, true
	}
	// Agent: first '-' whose following word has a lower-case letter or a
	// space.
	for k := s; k < e; k++ {
		if src[k] != '-' {
			continue
		}
		for j := k + 1; j < e && src[j] != '-'; j++ {
			if c := src[j]; c == ' ' || (c >= 'a' && c <= 'z') {
				n.Code = span(s, k)
				n.Agent = span(k+1, e)
				return RoleUnknown, Span{}, false
			}
		}
	}
	n.Code = span(s, e)
	return RoleUnknown, Span{}, false
}

// AppendCanonical appends the latency string that lat and nodes describe, in
// canonical form, and returns the extended buffer. src is the string they
// were parsed from (names, values, server names and the origination time
// are copied from it as written). The canonical form drops folding spaces
// and writes a hop's TOTAL record without parentheses, its children as the
// records beside it; parsing the result gives the same tree.
//
// nodes must be the slice AppendLatency returned with lat. AppendCanonical
// does no allocation when dst has room; it is safe for concurrent use.
func AppendCanonical(dst, src []byte, nodes []Node, lat *Latency) []byte {
	wrote := false
	if !lat.OriginText.IsEmpty() {
		dst = append(dst, lat.OriginText.Bytes(src)...)
		wrote = true
	}
	for hi := range int(lat.nhops) {
		h := &lat.hops[hi]
		if wrote {
			dst = append(dst, ';')
		}
		wrote = true
		if h.LSRV {
			dst = append(dst, "LSRV="...)
		} else {
			dst = append(dst, "SRV="...)
		}
		dst = append(dst, h.Server.Bytes(src)...)
		dst = append(dst, ':')
		prev := -1
		for k := h.First; k < h.End; k++ {
			n := &nodes[k]
			level := int(n.Depth)
			if h.Root >= 0 && k != h.Root {
				level--
			}
			switch {
			case prev < 0:
			case level > prev:
				dst = append(dst, '(')
			default:
				for ; prev > level; prev-- {
					dst = append(dst, ')')
				}
				dst = append(dst, '|')
			}
			prev = level
			dst = append(dst, n.Name.Bytes(src)...)
			dst = append(dst, '=')
			dst = append(dst, n.Value.Bytes(src)...)
		}
		for ; prev > 0; prev-- {
			dst = append(dst, ')')
		}
	}
	if !lat.CurrentText.IsEmpty() {
		if wrote {
			dst = append(dst, ';')
		}
		dst = append(dst, lat.CurrentText.Bytes(src)...)
	}
	return dst
}
