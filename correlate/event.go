package correlate

import (
	"bytes"
	"hash/maphash"
	"net/netip"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/messageinfo"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// ref locates a string in a trace's arena.
type ref struct{ off, n uint32 }

// span locates a run of refs in a trace's refs slice.
type span struct{ first, n int32 }

// event is the compact form of one row kept in an open trace: what building
// the trace needs, no more. Strings live in the trace's arena.
type event struct {
	time     int64  // unix nanoseconds, as logged
	server   string // the server that wrote the row (set when the trace is built)
	short    string // its short lower-case name (likewise)
	local    string // short lower-case name of the host the row names as local
	file     int32  // the row's input in the orgState, -1 for none
	peer     string // the other host (RECEIVE's client, SEND's server, DELIVER's client): as appendPeerHost keeps it, then, once the trace is built, the name it is known by (orgState.peerKey)
	etype    msgtrk.EventType
	source   msgtrk.SourceType
	kind     msgtrk.LogKind
	shadow   bool // a shadow-redundancy row
	noRcpts  bool // its input has no recipient-address column (an export lost it)
	rcpts    span // recipient-address members, lower case
	status   span // recipient-status members (outcome rows only)
	related  ref
	refs     span // reference members
	internal ref  // internal-message-id
	context  ref  // source-context: TRANSFER reasons, SEND and SENDEXTERNAL replies, HAREDIRECT's shadow and its reply, a DSN row's types
	conn     ref  // connector-id of SEND, SENDEXTERNAL and FAIL rows
	remote   ref  // SEND and SENDEXTERNAL: server-hostname, the next hop, as written
	remoteIP ref  // and its server-ip
	etypeRaw ref  // event-id as written, when unknown

	recv int32 // RECEIVE rows: index of their receiveInfo in the trace, else -1

	size int64 // total-bytes, 0 when empty

	// Latency: the logging server's TOTAL (ms, -1 when none) and the
	// origination time (unix ns, 0 when none).
	hopLatencyMS int32
	originNS     int64
}

var fpSeed = maphash.MakeSeed()

// fingerprint identifies a row for duplicate detection: its log-id when it
// has one (2016 and later), else a hash of the line (which names its time
// and hosts).
func fingerprint(rec *msgtrk.Record) uint64 {
	v := rec.Field(msgtrk.LogID)
	if len(v) == 0 {
		v = rec.Line()
	}
	return maphash.Bytes(fpSeed, v)
}

// receiveInfo holds what a RECEIVE row tells of the message's origin; kept
// apart from event so that the other rows stay small.
type receiveInfo struct {
	auth       messageinfo.AuthCode
	clientType ref
	connector  ref
	firstHop   ref  // custom-data S:FirstForestHop: the front end it came in through
	proxied    bool // custom-data S:ProxyHop1 or S:ProxiedClientIPAddress: a front end proxied it
	clientIP   netip.Addr
	origIP     netip.Addr
	proxiedIP  netip.Addr
}

// isShadow reports whether e is a shadow redundancy event.
func isShadow(e msgtrk.EventType) bool {
	switch e {
	case msgtrk.EventHARedirect, msgtrk.EventHARedirectFail, msgtrk.EventHAReceive, msgtrk.EventHADiscard:
		return true
	}
	return false
}

// isDuplicate reports whether e is a duplicate or resubmission event, kept
// apart from deliveries.
func isDuplicate(e msgtrk.EventType) bool {
	switch e {
	case msgtrk.EventDuplicateDeliver, msgtrk.EventDuplicateExpand, msgtrk.EventDuplicateRedirect,
		msgtrk.EventResubmit, msgtrk.EventResubmitDefer, msgtrk.EventResubmitFail:
		return true
	}
	return false
}

// roleOf tells what the logging server did, from the kind of log and the
// event: submission and delivery rows of the mailbox transport services
// (their own files from 2013 on, STOREDRIVER rows before), transport
// otherwise.
func roleOf(kind msgtrk.LogKind, src msgtrk.SourceType, et msgtrk.EventType, edge bool) Role {
	switch kind {
	case msgtrk.LogSubmission:
		return RoleSubmission
	case msgtrk.LogDelivery:
		return RoleDelivery
	}
	if src == msgtrk.SourceStoreDriver {
		switch et {
		case msgtrk.EventNotifyMAPI, msgtrk.EventReceive, msgtrk.EventSubmit, msgtrk.EventSubmitDefer,
			msgtrk.EventSubmitFail, msgtrk.EventClientSubmission, msgtrk.EventNotifyShadow:
			return RoleSubmission
		case msgtrk.EventDeliver, msgtrk.EventDeliverFail, msgtrk.EventDuplicateDeliver, msgtrk.EventProcessMeetingMessage:
			return RoleDelivery
		}
	}
	if edge {
		return RoleEdge
	}
	return RoleHub
}

// hasOutcomeStatus reports whether the recipient-status of rows of e is worth
// keeping (it explains an outcome).
func hasOutcomeStatus(e msgtrk.EventType) bool {
	switch e {
	case msgtrk.EventFail, msgtrk.EventDeliverFail, msgtrk.EventDrop, msgtrk.EventDefer,
		msgtrk.EventSubmitFail, msgtrk.EventSubmitDefer, msgtrk.EventResubmitFail, msgtrk.EventBadMail,
		msgtrk.EventPoisonMessage, msgtrk.EventModeratorReject, msgtrk.EventModerationExpire:
		return true
	}
	return false
}

// shortHost returns the lower-case first label of a host name, or the
// address itself for an IP literal.
func shortHost(dst []byte, h []byte) []byte {
	h = bytes.TrimSpace(h)
	if looksLikeIP(h) {
		if _, ok := msgtrk.ParseAddr(h); ok {
			return append(dst, h...)
		}
	}
	if i := bytes.IndexByte(h, '.'); i >= 0 {
		h = h[:i]
	}
	return ascii.AppendLower(dst, h)
}

// appendPeerHost appends a row's peer host as a trace keeps it until it is
// built (orgState.peerKey): the name in lower case without a final dot, or
// the address itself for an IP literal.
func appendPeerHost(dst []byte, h []byte) []byte {
	h = bytes.TrimSpace(h)
	if looksLikeIP(h) {
		if _, ok := msgtrk.ParseAddr(h); ok {
			return append(dst, h...)
		}
	}
	return ascii.AppendLower(dst, bytes.TrimSuffix(h, []byte(".")))
}

// looksLikeIP is a cheap test that avoids parsing host names as addresses
// (a failed parse allocates its error). It takes a string as it is (no
// conversion to bytes, which copies a long one).
func looksLikeIP[T ~string | ~[]byte](h T) bool {
	if len(h) == 0 {
		return false
	}
	for i := range len(h) {
		if h[i] == ':' {
			return true
		}
	}
	for i := range len(h) {
		if c := h[i]; (c < '0' || c > '9') && c != '.' {
			return false
		}
	}
	return true
}

// extract fills e from rec, and ri when it is a RECEIVE row (hasRecv). t
// is the trace that receives the strings; txt tells where the host names
// went.
func (tr *Tracker) extract(e *event, ri *receiveInfo, rec *msgtrk.Record, f *RowFacts, t *trace, file int32, local string) (txt rowText, hasRecv bool) {
	*e = event{file: file, recv: -1}
	if local != "" {
		txt.local = t.addStr(local)
	}
	if tm, err := rec.Time(); err == nil {
		e.time = tm.UnixNano()
	}
	e.etype = f.etype
	if e.etype == msgtrk.EventUnknown {
		e.etypeRaw = t.addString(rec.Field(msgtrk.EventID))
	}
	e.source = f.source
	e.kind = rec.Origin().Kind
	e.shadow = isShadow(e.etype)

	// The other host of the row.
	var peer []byte
	switch {
	case e.etype == msgtrk.EventReceive && e.source == msgtrk.SourceSMTP:
		peer = rec.Field(msgtrk.ClientHostname)
	case e.etype == msgtrk.EventSend || e.etype == msgtrk.EventSendExternal,
		e.etype == msgtrk.EventSubmit && e.source == msgtrk.SourceStoreDriver:
		peer = rec.Field(msgtrk.ServerHostname)
	case e.etype == msgtrk.EventDeliver || e.etype == msgtrk.EventDeliverFail:
		peer = rec.Field(msgtrk.ClientHostname)
	}
	if len(peer) > 0 {
		tr.peerBuf = appendPeerHost(tr.peerBuf[:0], peer)
		txt.peer = t.addString(tr.peerBuf)
	}

	e.rcpts = t.addList(rec, msgtrk.RecipientAddress, true)
	e.noRcpts = !rec.Has(msgtrk.RecipientAddress)
	if hasOutcomeStatus(e.etype) || e.kind == msgtrk.LogSummary {
		e.status = t.addList(rec, msgtrk.RecipientStatus, false)
	}
	if rel := rec.Field(msgtrk.RelatedRecipientAddress); len(rel) > 0 {
		e.related = t.addLower(rel)
	}
	e.refs = t.addList(rec, msgtrk.Reference, false)
	if n, err := rec.Int(msgtrk.TotalBytes); err == nil && n > 0 {
		e.size = n
	}
	if id := rec.Field(msgtrk.InternalMessageID); len(id) > 0 {
		e.internal = t.addString(id)
	}
	switch e.etype {
	case msgtrk.EventTransfer, msgtrk.EventHARedirect:
		e.context = t.addString(rec.Field(msgtrk.SourceContext))
	case msgtrk.EventSend, msgtrk.EventSendExternal:
		e.context = t.addString(rec.Field(msgtrk.SourceContext))
		e.conn = t.addString(rec.Field(msgtrk.ConnectorID))
		e.remote = t.addString(rec.Field(msgtrk.ServerHostname))
		e.remoteIP = t.addString(rec.Field(msgtrk.ServerIP))
	case msgtrk.EventFail:
		e.conn = t.addString(rec.Field(msgtrk.ConnectorID))
	case msgtrk.EventDSN:
		if isDSNRow(e) {
			e.context = t.addString(rec.Field(msgtrk.SourceContext))
		}
	}
	if tr.opts.KeepSMTP && isSMTPRow(e.source, e.etype) {
		// The keys to the protocol log sessions behind the row
		// (format.md §8, §14.3): RECEIVE and DELIVER name their session
		// in source-context; a sending row's internal-message-id is the
		// RecordId its session logs.
		if e.context.n == 0 {
			e.context = t.addString(rec.Field(msgtrk.SourceContext))
		}
		if e.remote.n == 0 {
			e.remote = t.addString(rec.Field(msgtrk.ServerHostname))
			e.remoteIP = t.addString(rec.Field(msgtrk.ServerIP))
		}
	}

	e.originNS, e.hopLatencyMS = f.originNS, f.hopLatencyMS
	if e.etype == msgtrk.EventReceive {
		hasRecv = true
		*ri = receiveInfo{auth: f.auth, clientIP: f.clientIP, origIP: f.origIP, proxiedIP: f.proxiedIP, proxied: f.proxied}
		ri.connector = t.addString(rec.Field(msgtrk.ConnectorID))
		if e.source == msgtrk.SourceStoreDriver {
			if f.storeOK {
				ri.clientType = t.addString(f.bytes(f.clientRaw))
			}
		} else if f.hasFirstHop {
			ri.firstHop = t.addString(f.bytes(f.firstHop))
		}
	}
	return txt, hasRecv
}
