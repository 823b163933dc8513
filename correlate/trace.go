package correlate

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// Reason says why a trace was emitted.
type Reason uint8

// The reasons.
const (
	// ReasonComplete: the quiet window passed, every recipient had a final
	// outcome (delivered, sent outside, failed, dropped, duplicate), the
	// message's entry is known and it crossed no server whose logs are
	// missing: the logs show the whole way.
	ReasonComplete Reason = iota + 1
	// ReasonExpired: the quiet window passed and the trace is not complete:
	// some recipient is pending or handed off, the entry is unknown, or
	// the logs of a server it crossed are missing (Trace.MissingLogs).
	ReasonExpired
	// ReasonEvicted: MaxOpenTraces was reached and this was the trace whose
	// window would have ended first.
	ReasonEvicted
	// ReasonFlushed: emitted by Flush at the end of the input.
	ReasonFlushed
)

var reasonNames = [...]string{"", "complete", "expired", "evicted", "flushed"}

// String returns "complete", "expired", "evicted", "flushed", or
// "Reason(n)".
func (r Reason) String() string {
	if int(r) < len(reasonNames) && r != 0 {
		return reasonNames[r]
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

// Status is a recipient's outcome.
type Status uint8

// The outcomes.
const (
	StatusPending      Status = iota // no final outcome logged (deferred, in transit, or logs missing)
	StatusDelivered                  // delivered to a mailbox (STOREDRIVER DELIVER)
	StatusSentExternal               // left the organisation, on evidence (SENDEXTERNAL; see the package doc)
	StatusFailed                     // FAIL or DELIVERFAIL
	StatusDropped                    // DROP of a recipient that is not an expanded group
	StatusDuplicate                  // its only outcome was a duplicate (DUPLICATEDELIVER …)
	StatusHandedOff                  // handed to another Exchange server whose logs are not in the input (Server names it): not final
)

var statusNames = [...]string{"pending", "delivered", "sent_external", "failed", "dropped", "duplicate", "handed_off"}

// String returns the status as in the JSON form: "pending", "delivered",
// "sent_external", "failed", "dropped", "duplicate", "handed_off".
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// Final reports whether s is an outcome after which nothing more is
// expected in the logs: not pending, and not handed off to a server whose
// logs are missing (its logs would tell the rest).
func (s Status) Final() bool { return s != StatusPending && s != StatusHandedOff }

// Role is what a server did for a message at one hop.
type Role uint8

// The roles.
const (
	RoleUnknown    Role = iota // not known (the zero value; never on a hop)
	RoleHub                    // the Transport service of a mailbox (or 2010 hub) server: categorisation, routing
	RoleSubmission             // the message entered from a mailbox (MSGTRKMS, MSGTRKM, or STOREDRIVER NOTIFYMAPI/RECEIVE/SUBMIT)
	RoleEdge                   // an Edge Transport server
	RoleDelivery               // delivery to mailboxes (MSGTRKMD, or STOREDRIVER DELIVER/DELIVERFAIL)
)

var roleNames = [...]string{"unknown", "hub", "submission", "edge", "delivery"}

// String returns "hub", "submission", "edge", "delivery", "unknown" or
// "Role(n)".
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// Protocol is how a message entered the organisation.
type Protocol uint8

// The protocols.
const (
	ProtocolUnknown Protocol = iota // no row shows how it entered (no RECEIVE, no DSN row)
	ProtocolStore                   // submitted from a mailbox: a STOREDRIVER RECEIVE
	ProtocolSMTP                    // received over SMTP (a client, the Internet, another organisation)
	ProtocolDSN                     // a delivery status notification the organisation made itself: a DSN row
	ProtocolPickup                  // a file dropped in a directory: the Pickup or Replay directory, a Foreign connector's (a PICKUP or GATEWAY RECEIVE)
	ProtocolAgent                   // made inside the organisation by a transport agent (an AGENT RECEIVE: journal reports and the like)
	ProtocolOther                   // a RECEIVE of another source (Origin.Source says which)
)

var protocolNames = [...]string{"unknown", "store", "smtp", "dsn", "pickup", "agent", "other"}

// String returns "store", "smtp", "dsn", "pickup", "agent", "other",
// "unknown" or "Protocol(n)". The JSON form writes ProtocolUnknown as an
// absent member.
func (p Protocol) String() string {
	if int(p) < len(protocolNames) {
		return protocolNames[p]
	}
	return "Protocol(" + strconv.Itoa(int(p)) + ")"
}

// AnomalyKind says what is odd about a trace.
type AnomalyKind uint8

// The kinds of anomaly.
const (
	AnomalyUnknown           AnomalyKind = iota
	AnomalyMissingHop                    // a hand-over to a server with logs that has no row of the message
	AnomalySkew                          // a receive logged more than a second before the send that caused it
	AnomalyNoOrigin                      // no row shows where the message entered
	AnomalyOrphan                        // no message id ties the rows to a message
	AnomalyLoop                          // a hop no first hop leads to (the hand-overs form a cycle)
	AnomalyTruncated                     // rows beyond MaxEventsPerTrace were not kept
	AnomalyMissingLogs                   // the message crossed servers whose logs are not in the input
	AnomalyLogGap                        // the logs of a server it crossed begin after it got there (older files deleted, format.md §1.2)
	AnomalyRecipientsUnknown             // rows came from an input without recipient-address (an export that lost the recipients)
	AnomalyMessageIDReused               // 2007/2010 logs: two messages with one message-id and sender are in the trace
)

var anomalyNames = [...]string{"unknown", "missing_hop", "skew", "no_origin", "orphan", "loop", "truncated", "missing_logs", "log_gap", "recipients_unknown", "message_id_reused"}

// String returns the kind as in the JSON form ("missing_hop", "skew", …),
// "unknown" or "AnomalyKind(n)".
func (k AnomalyKind) String() string {
	if int(k) < len(anomalyNames) {
		return anomalyNames[k]
	}
	return "AnomalyKind(" + strconv.Itoa(int(k)) + ")"
}

// Anomaly is one odd thing about a trace: its kind and what exactly.
type Anomaly struct {
	Kind    AnomalyKind
	Message string
}

// String returns "kind: message", the JSON form.
func (a Anomaly) String() string { return a.Kind.String() + ": " + a.Message }

// HasAnomaly reports whether t has an anomaly of kind k.
func (t *Trace) HasAnomaly(k AnomalyKind) bool {
	for _, a := range t.Anomalies {
		if a.Kind == k {
			return true
		}
	}
	return false
}

// Trace is everything the logs say about one message, across all servers.
// A Trace handed to OnTrace belongs to the callee.
//
// Its short strings (recipient addresses, internal-message-ids, replies,
// message attributes), its Hops' From and its small lists of strings (an
// EventRef's or Fork's Recipients, an Expansion's Members, a Recipient's
// ExpandedFrom) share blocks (of 1 KB, 256 ints, 256 strings) with those
// of the traces built before and after it: one kept after the trace is
// dropped keeps its block alive, so a program that keeps many of them,
// from many traces, for long (rather than counting or printing them) may
// copy them (strings.Clone, slices.Clone).
type Trace struct {
	// Key identifies the message (see KeyOf): its network-message-id
	// (lower case) when the logs have one; for 2007/2010 logs "mid:" +
	// message-id + "|" + lower-case sender-address; for events that could
	// only be tied by the store (NOTIFYMAPI without a later RECEIVE)
	// "store:" + mailbox + "/" + event number.
	Key              string
	NetworkMessageID string
	MessageID        string
	Sender           string
	ReturnPath       string
	Subject          string
	Size             int64
	FirstSeen        time.Time // earliest event time as logged
	LastSeen         time.Time // latest event time as logged

	Origin     Origin
	Hops       []Hop       // in causal order: by Depth, then first time
	Recipients []Recipient // sorted by Address
	Expansions []Expansion // in the order the groups were expanded
	Forks      []Fork      // bifurcated copies (TRANSFER)
	// DSNForMessageID is, for a delivery status notification (DSN), the
	// message-id of the message it reports on (the reference of its DSN
	// row); DSNFor is that message's Key, or "" when that message is not
	// in the input (or no longer remembered, see Options.RecentKeys).
	DSNForMessageID string
	DSNFor          string
	// DSNFlags are, for a DSN, the types its DSN row names in
	// source-context (format.md §8): Failure for a non-delivery report,
	// Delay for a delay notice, Relay, Delivery, Expansion, Quarantine.
	// It is 0 when the DSN's type is unknown: no DSN row in the input, or
	// one whose source-context is empty or names a type not understood.
	// See IsDSN and IsNDR.
	DSNFlags sourcecontext.DSNFlags
	// DSNs are the message-ids of the DSNs generated for this message, of
	// any type, as the reference of its FAIL, DELIVERFAIL, SEND and
	// SENDEXTERNAL rows names them (format.md §6, §9.3); each DSN's own
	// trace has this message in DSNForMessageID.
	DSNs []string

	// MissingLogs names, sorted, the servers the message was handed to or
	// received from whose logs are not in the input: their logs would
	// complete the picture. A server whose other logs are in the input is
	// named with the service whose logs are missing: "EX01 (MSGTRKMD)"
	// (its Mailbox Transport Delivery service), "EX01 (MSGTRKMS)"
	// (Submission), "EX01 (MSGTRK)" (Transport), "EX01 (MSGTRKM)" (the
	// 2007/2010 Mailbox role); a server none of whose logs are in the input
	// is named alone. A trace with MissingLogs is never complete.
	MissingLogs []string

	ShadowEvents []EventRef // HAREDIRECT, HARECEIVE, HADISCARD, HAREDIRECTFAIL: never hops or deliveries
	Duplicates   []EventRef // DUPLICATEDELIVER, DUPLICATEEXPAND, DUPLICATEREDIRECT, RESUBMIT: never deliveries

	// SMTPRows are the rows an SMTP conversation stands behind, in causal
	// order, with the keys to their protocol log sessions: kept with
	// Options.KeepSMTP, nil otherwise.
	SMTPRows []SMTPRow
	// Sessions are the protocol and connectivity log sessions joined to
	// SMTPRows by JoinSessions: nil before it ran, empty when no row found
	// its session.
	Sessions []SessionLink

	// Summary is set when some rows are per-message summaries
	// (msgtrk.LogSummary: Exchange Online message traces and summary
	// reports): their recipients' outcomes come with no hop, no origin and
	// no latency; a trace of summaries alone has no Hops.
	Summary   bool
	Events    int  // rows in this trace (duplicate copies of a row not counted)
	Marked    bool // some row satisfied Options.Mark
	Orphan    bool // made only of rows that no message id ties to a message
	Reason    Reason
	Anomalies []Anomaly
}

// IsDSN reports whether t is a delivery status notification the
// organisation made, of any type: a DSN row reports on another message
// (DSNForMessageID) or names its types (DSNFlags).
func (t *Trace) IsDSN() bool { return t.DSNForMessageID != "" || t.DSNFlags != 0 }

// IsNDR reports whether t is a non-delivery report: a DSN whose DSN row
// names the Failure type (format.md §8). Only Failure DSNs are NDRs; delay
// notices (Delay), relay and delivery reports are not. A DSN whose type is
// unknown (DSNFlags 0) is not taken for an NDR either: §8 has Exchange
// write the type in every DSN row, so its absence says nothing of a
// failure; such DSNs are counted apart (report.Counts.DSNsUnknownType)
// rather than guessed at.
func (t *Trace) IsNDR() bool { return t.DSNFlags.Has(sourcecontext.DSNFailure) }

// Origin says where and how a message entered the organisation. Every
// field comes from one row, the row that created the message: a DSN row
// (a DSN the organisation made: an NDR, a delay notice …), else the STOREDRIVER RECEIVE of a store
// submission, else the first SMTP RECEIVE in causal order.
type Origin struct {
	Server           string            // server that logged that row (for an SMTP client proxied by a front end: the front end, S:FirstForestHop)
	Source           msgtrk.SourceType // source of that row: STOREDRIVER, SMTP or DSN
	Connector        string            // its connector-id (the Receive connector of an SMTP RECEIVE)
	ClientType       string            // store submissions: MOMT, OWA, ActiveSync, EWS, … (source-context ClientType)
	Auth             string            // its message-info auth code without colon, e.g. "04I", "07I", "0cA"
	Anonymous        bool              // the auth code's category is Anonymous
	ClientIP         netip.Addr        // its client-ip
	OriginalClientIP netip.Addr        // its original-client-ip
	ProxiedClientIP  netip.Addr        // its custom-data ProxiedClientIPAddress, if any
	Protocol         Protocol          // store, smtp or dsn; ProtocolUnknown when no such row was logged
}

// Hop is one server's part in a message's path.
type Hop struct {
	Server  string
	Role    Role
	Depth   int           // 0 for the first hop; +1 per hand-over
	First   time.Time     // first event of the hop, as logged
	Last    time.Time     // last event of the hop, as logged
	Latency time.Duration // the hop's TOTAL from message-info latency trees, when logged
	Events  int
	From    []int // indexes in Trace.Hops of the hops that handed the message to this one
}

// Recipient is one final recipient of a message (after alias resolution and
// group expansion) and what became of it.
type Recipient struct {
	Address      string // lower case
	Status       Status
	Server       string        // where the outcome was logged
	Time         time.Time     // when, as logged there
	Detail       string        // recipient-status of the failure, drop or deferral
	ExpandedFrom []string      // groups it was expanded from, outermost first
	ResolvedFrom string        // alias it was addressed as
	RedirectedTo string        // forwarding target; the outcome is the target's
	Latency      time.Duration // outcome time minus the message's origination time; 0 when unknown

	// The host a SEND or SENDEXTERNAL row handed the recipient to, for
	// StatusSentExternal and StatusHandedOff: its server-hostname and
	// server-ip, and its reply, the admin's proof of hand-off: the reply
	// to the message in source-context ("250 2.0.0 Ok: queued as …"), else
	// the recipient's own in recipient-status ("250 2.1.5 Recipient OK").
	RemoteHost  string
	RemoteIP    netip.Addr
	RemoteReply string

	// Attempts are the SMTP hand-overs of the recipient as the send logs
	// tell them (JoinSessions): each attempt's remote end, the reply to
	// its RCPT TO and the final reply; the 4xx of each deferral. Nil
	// without protocol logs.
	Attempts []SMTPAttempt
}

// Expansion is one distribution group expanded into its members.
type Expansion struct {
	Group   string
	Members []string
	Server  string
	Time    time.Time
}

// Fork is a bifurcated copy: recipients moved to a new internal message on
// a server (TRANSFER).
type Fork struct {
	Server            string
	Time              time.Time
	InternalMessageID string // of the new copy
	From              string // internal-message-id it was forked from (reference)
	Recipients        []string
	Reason            string // source-context of the TRANSFER row
}

// EventRef points at one event kept apart from hops and deliveries.
type EventRef struct {
	Server     string
	Event      string
	Time       time.Time
	Recipients []string
}
