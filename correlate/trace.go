package correlate

import (
	"net/netip"
	"strconv"
	"time"
)

// Reason says why a trace was emitted.
type Reason uint8

// The reasons.
const (
	// ReasonComplete: the quiet window passed and every recipient had a
	// final outcome (delivered, sent outside, failed, dropped, duplicate).
	ReasonComplete Reason = iota + 1
	// ReasonExpired: the quiet window passed with some recipient still
	// pending (deferred, in transit, or its last hop's logs missing).
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
	StatusSentExternal               // handed to a host outside the organisation (SENDEXTERNAL, or SEND to a host with no logs)
	StatusFailed                     // FAIL or DELIVERFAIL
	StatusDropped                    // DROP of a recipient that is not an expanded group
	StatusDuplicate                  // its only outcome was a duplicate (DUPLICATEDELIVER …)
)

var statusNames = [...]string{"pending", "delivered", "sent_external", "failed", "dropped", "duplicate"}

// String returns the status as in the JSON form: "pending", "delivered",
// "sent_external", "failed", "dropped", "duplicate".
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// Final reports whether s is an outcome after which nothing more is
// expected.
func (s Status) Final() bool { return s != StatusPending }

// Role is what a server did for a message at one hop.
type Role uint8

// The roles.
const (
	RoleHub        Role = iota // the Transport service of a mailbox (or 2010 hub) server: categorisation, routing
	RoleSubmission             // the message entered from a mailbox (MSGTRKMS, or STOREDRIVER NOTIFYMAPI/RECEIVE/SUBMIT)
	RoleEdge                   // an Edge Transport server
	RoleDelivery               // delivery to mailboxes (MSGTRKMD, or STOREDRIVER DELIVER/DELIVERFAIL)
)

var roleNames = [...]string{"hub", "submission", "edge", "delivery"}

// String returns "hub", "submission", "edge" or "delivery".
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// Trace is everything the logs say about one message, across all servers.
// A Trace handed to OnTrace belongs to the callee.
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
	DSNFor     string      // for a delivery status notification: the Key (or message-id) of the message it reports on
	DSNs       []string    // message-ids of DSNs generated for this message (reference of FAIL rows)

	ShadowEvents []EventRef // HAREDIRECT, HARECEIVE, HADISCARD, HAREDIRECTFAIL: never hops or deliveries
	Duplicates   []EventRef // DUPLICATEDELIVER, DUPLICATEEXPAND, DUPLICATEREDIRECT, RESUBMIT: never deliveries

	Events    int  // rows in this trace (duplicate copies of a row not counted)
	Marked    bool // some row satisfied Options.Mark
	Orphan    bool // made only of rows that no message id ties to a message
	Reason    Reason
	Anomalies []string
}

// Origin says where and how a message entered the organisation.
type Origin struct {
	Server           string     // server of the first RECEIVE
	Source           string     // source of that row: STOREDRIVER or SMTP
	Connector        string     // connector-id of the first SMTP RECEIVE (the Receive connector)
	ClientType       string     // store submissions: MOMT, OWA, ActiveSync, EWS, … (source-context ClientType)
	Auth             string     // message-info auth code of that row without colon, e.g. "04I", "07I", "0cA"
	Anonymous        bool       // the auth code's category is Anonymous
	ClientIP         netip.Addr // client-ip of that row
	OriginalClientIP netip.Addr // original-client-ip of that row
	ProxiedClientIP  netip.Addr // custom-data ProxiedClientIPAddress of the first SMTP RECEIVE, if any
	Protocol         string     // "store" when a STOREDRIVER RECEIVE exists, "smtp" otherwise, "" when no RECEIVE was logged
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
