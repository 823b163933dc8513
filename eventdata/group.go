package eventdata

import (
	"bytes"
	"strconv"
	"time"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// GroupScanner reads the second level of an AGENTINFO member value, a
// group: a kind followed by '|'-separated parts, each a key and an
// optional '=' value:
//
//	SUM|v=0|action=|error=|atch=2         kind "SUM", parts v=0, action=, error=, atch=2
//	ETRP|ruleId=ff11…|ExecW=4|Conditions=GTOEP,M.MAS,1
//	|ETR=0                                kind "" (S:CompCost=|ETR=0)
//
// A value may contain ',', '.', ':' and '='; only the first '=' of a part
// splits it. A part without '=' is a key with an empty value; a part "=v"
// has an empty key. Keys may
// repeat (SFS=…|SFS=…). Any member value can be read this way; one without
// '|' is a kind alone.
//
// Lenient: it yields every non-empty part and keeps the
// first error. An empty part in the middle ("a||b") is skipped with
// [ErrEmptyPart]; an empty last part (the value ends with '|') is skipped
// with [ErrTruncated], the mark a value cut off mid-member leaves, as in
// the learn.microsoft.com AGENTINFO sample. Error offsets count bytes of
// the value given to Init.
//
// The zero GroupScanner has no kind and no parts. Kind, Key and Value are
// subslices of the value, valid while it is unchanged; they must not be
// modified. A GroupScanner keeps O(1) state, does no allocation and is not
// safe for concurrent use.
type GroupScanner struct {
	src   []byte
	kind  []byte
	pos   int // start of the next part
	more  bool
	key   []byte
	value []byte
	off   int
	err   error
}

// Init resets g to scan the group value. value is not copied.
func (g *GroupScanner) Init(value []byte) {
	*g = GroupScanner{src: value}
	i := bytes.IndexByte(value, '|')
	if i < 0 {
		g.kind = value
		return
	}
	g.kind = value[:i:i]
	g.pos = i + 1
	g.more = true
}

// Kind returns the group kind: the text before the first '|' ("SUM",
// "EV", "ETRP", …; see [ParseGroupKind]).
func (g *GroupScanner) Kind() []byte { return g.kind }

// Next advances to the next non-empty part and reports whether there is one.
func (g *GroupScanner) Next() bool {
	src := g.src
	for g.more {
		start := g.pos
		end := len(src)
		if k := bytes.IndexByte(src[start:], '|'); k >= 0 {
			end = start + k
		} else {
			g.more = false
		}
		g.pos = end + 1
		part := src[start:end:end]
		if len(part) == 0 {
			if end == len(src) {
				g.setErr(start, ErrTruncated)
			} else {
				g.setErr(start, ErrEmptyPart)
			}
			continue
		}
		g.off = start
		if eq := bytes.IndexByte(part, '='); eq >= 0 {
			g.key, g.value = part[:eq:eq], part[eq+1:]
		} else {
			g.key, g.value = part, part[len(part):]
		}
		return true
	}
	g.key, g.value = nil, nil
	return false
}

func (g *GroupScanner) setErr(off int, err error) {
	if g.err == nil {
		g.err = newSyntaxError(g.src, off, nil, err)
	}
}

// Key returns the current part's key.
func (g *GroupScanner) Key() []byte { return g.key }

// Value returns the current part's value (empty when the part has no '=').
func (g *GroupScanner) Value() []byte { return g.value }

// Offset returns the byte offset of the current part in the value.
func (g *GroupScanner) Offset() int { return g.off }

// Err returns the first error met (a *[SyntaxError]), or nil.
func (g *GroupScanner) Err() error { return g.err }

// GroupKind names a known AGENTINFO group kind.
type GroupKind uint8

const (
	GroupUnknown GroupKind = iota // any other kind; see GroupScanner.Kind
	GroupSUM                      // SUM: summary (S:AMA=SUM, S:SFA=SUM)
	GroupEV                       // EV: one anti-malware engine's verdict
	GroupETR                      // ETR: a transport rule applied
	GroupETRP                     // ETRP: transport rule processing cost
	GroupDC                       // DC: a data classification found
	GroupCI                       // CI: classification info from the client
)

// String returns the kind's spelling ("SUM", "EV", "ETR", "ETRP", "DC",
// "CI"), "Unknown", or "GroupKind(n)".
func (k GroupKind) String() string {
	switch k {
	case GroupUnknown:
		return "Unknown"
	case GroupSUM:
		return "SUM"
	case GroupEV:
		return "EV"
	case GroupETR:
		return "ETR"
	case GroupETRP:
		return "ETRP"
	case GroupDC:
		return "DC"
	case GroupCI:
		return "CI"
	}
	return "GroupKind(" + strconv.Itoa(int(k)) + ")"
}

// ParseGroupKind returns the GroupKind spelled by b (case-sensitive), or
// GroupUnknown. It does no allocation and is safe for concurrent use.
func ParseGroupKind(b []byte) GroupKind {
	switch string(b) {
	case "SUM":
		return GroupSUM
	case "EV":
		return GroupEV
	case "ETR":
		return GroupETR
	case "ETRP":
		return GroupETRP
	case "DC":
		return GroupDC
	case "CI":
		return GroupCI
	}
	return GroupUnknown
}

// RuleHit is a transport rule agent group, S:TRA=ETR (a rule applied) or
// S:TRA=ETRP (a rule's processing cost):
//
//	ETRP|ruleId=ff116ef4-…|st=2023-05-12T07:55:40.0000000Z|ExecW=4|ExecC=0|Conditions=GTOEP,M.MAS,1
//	ETR|ruleId=19a25eb2-…|st=7/17/2013 12:31:25 AM|action=ApplyHtmlDisclaimer|sev=1|mode=Enforce
//
// Part keys are matched ignoring ASCII case (the documentation writes
// execW and dlpId, logs write ExecW and dlpid). Byte slices alias the
// value. Durations are zero when their part is absent.
type RuleHit struct {
	Kind       GroupKind   // GroupETR, GroupETRP, or another kind as written
	RuleID     msgtrk.GUID // ruleId (8-4-4-4-12 or 32 digits); zero when absent or not a GUID
	RuleIDRaw  []byte
	DLPID      []byte    // dlpId: the DLP policy, when the rule belongs to one
	Time       time.Time // st: the rule's last modification, in UTC; zero when not RFC 3339 (msgtrk.ParseTime)
	TimeRaw    []byte
	Action     []byte // the first action=
	NumActions int    // how many action= parts there were
	Severity   int    // sev: 1 low, 2 medium, 3 high; 0 when absent
	Mode       []byte // mode: Enforce, Audit, AuditAndNotify, …
	ExecWall   time.Duration
	ExecCPU    time.Duration
	LoadWall   time.Duration
	LoadCPU    time.Duration
	Conditions []byte
}

// ParseRuleHit decodes a TRA group value (the text after "S:TRA=").
// Lenient: every part it understands is filled in and the first error is
// returned, from the [GroupScanner] (such as [ErrTruncated] for a value cut
// off after '|') or from a part whose value has not the expected syntax
// ([ErrValue]: a ruleId that is not a GUID, an st that is not RFC 3339,
// a non-numeric sev or cost). Raw fields keep such values.
//
// ParseRuleHit does no allocation on success and is safe for concurrent
// use.
func ParseRuleHit(value []byte) (RuleHit, error) {
	var h RuleHit
	var g GroupScanner
	g.Init(value)
	h.Kind = ParseGroupKind(g.Kind())
	var verr error
	verrOff := -1
	for g.Next() {
		k, v := g.Key(), g.Value()
		ok := true
		switch {
		case ascii.EqualFold(k, "ruleId"):
			if h.RuleIDRaw == nil {
				h.RuleIDRaw = v
				h.RuleID, ok = msgtrk.ParseGUID(v)
			}
		case ascii.EqualFold(k, "dlpId"):
			h.DLPID = v
		case ascii.EqualFold(k, "st"):
			if h.TimeRaw == nil {
				h.TimeRaw = v
				h.Time, ok = msgtrk.ParseTime(v)
			}
		case ascii.EqualFold(k, "action"):
			if h.NumActions == 0 {
				h.Action = v
			}
			h.NumActions++
		case ascii.EqualFold(k, "sev"):
			h.Severity, ok = parseCount(v)
		case ascii.EqualFold(k, "mode"):
			h.Mode = v
		case ascii.EqualFold(k, "ExecW"):
			h.ExecWall, ok = parseMillis(v)
		case ascii.EqualFold(k, "ExecC"):
			h.ExecCPU, ok = parseMillis(v)
		case ascii.EqualFold(k, "LoadW"):
			h.LoadWall, ok = parseMillis(v)
		case ascii.EqualFold(k, "LoadC"):
			h.LoadCPU, ok = parseMillis(v)
		case ascii.EqualFold(k, "Conditions"):
			h.Conditions = v
		}
		if !ok && verr == nil {
			verrOff = g.Offset()
			verr = newSyntaxError(value, verrOff, k, ErrValue)
		}
	}
	return h, firstError(g.Err(), verr, verrOff)
}

// parseMillis parses a whole number of milliseconds.
func parseMillis(b []byte) (time.Duration, bool) {
	n, ok := parseCount(b)
	if !ok || n > int(maxSeconds) {
		return 0, false
	}
	return time.Duration(n) * time.Millisecond, true
}

// MalwareResult is an anti-malware agent group, S:AMA=SUM (the summary) or
// S:AMA=EV (one engine's verdict):
//
//	SUM|v=0|action=|error=|atch=2
//	EV|engine=M|v=0|sig=1.413.283.0|name=|file=
//
// Part keys are matched ignoring ASCII case. Byte slices alias the value;
// empty means absent or empty.
type MalwareResult struct {
	Kind        GroupKind // GroupSUM, GroupEV, or another kind as written
	Version     []byte    // v: 0 clean, 1 malware found
	Action      []byte    // action (SUM): r replaced, p bypassed, b blocked, …
	Error       []byte    // error (SUM)
	Attachments int       // atch (SUM): attachments scanned
	Engine      []byte    // engine (EV)
	Signature   []byte    // sig (EV): signature version
	Name        []byte    // name (EV): the malware found
	File        []byte    // file (EV): the file it was found in
}

// ParseMalwareResult decodes an AMA group value (the text after "S:AMA=").
// Lenient, like [ParseRuleHit]: a non-numeric atch gives [ErrValue].
// It does no allocation on success and is safe for concurrent use.
func ParseMalwareResult(value []byte) (MalwareResult, error) {
	var r MalwareResult
	var g GroupScanner
	g.Init(value)
	r.Kind = ParseGroupKind(g.Kind())
	var verr error
	verrOff := -1
	for g.Next() {
		k, v := g.Key(), g.Value()
		ok := true
		switch {
		case ascii.EqualFold(k, "v"):
			r.Version = v
		case ascii.EqualFold(k, "action"):
			r.Action = v
		case ascii.EqualFold(k, "error"):
			r.Error = v
		case ascii.EqualFold(k, "atch"):
			r.Attachments, ok = parseCount(v)
		case ascii.EqualFold(k, "engine"):
			r.Engine = v
		case ascii.EqualFold(k, "sig"):
			r.Signature = v
		case ascii.EqualFold(k, "name"):
			r.Name = v
		case ascii.EqualFold(k, "file"):
			r.File = v
		}
		if !ok && verr == nil {
			verrOff = g.Offset()
			verr = newSyntaxError(value, verrOff, k, ErrValue)
		}
	}
	return r, firstError(g.Err(), verr, verrOff)
}
