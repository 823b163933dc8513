package correlate

import (
	"bytes"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// What each event and source means to a trace, beyond the plain way of a
// message (format.md §9.1, §9.3; the decisions where the spec is silent are
// in the package doc, "Events").

// isApproval reports whether e is a row of the moderation framework:
// MODERATORAPPROVE, MODERATORREJECT, MODERATORSALLNDR, INITMESSAGECREATED,
// MODERATIONEXPIRE, any row of source APPROVAL or of an MSGTRKMA file. Such
// rows carry internal-message-id 0 and the initiation message's id, the
// moderated message's in reference (§4, §6): they are no hop and no outcome.
func isApproval(e *event) bool {
	switch e.etype {
	case msgtrk.EventModeratorApprove, msgtrk.EventModeratorReject, msgtrk.EventModeratorsAllNDR,
		msgtrk.EventInitMessageCreated, msgtrk.EventModerationExpire:
		return true
	}
	return e.source == msgtrk.SourceApproval || e.kind == msgtrk.LogApproval
}

// visitRole is the role of the visit a row belongs to, RoleUnknown for rows
// that make no visit: shadow, duplicate and Safety Net rows, summary rows
// (summary.go) and approval rows.
func (b *builder) visitRole(e *event) Role {
	switch {
	case e.shadow || isDuplicate(e.etype) || e.kind == msgtrk.LogSummary || isApproval(e):
		return RoleUnknown
	case e.etype == msgtrk.EventProcessMeetingMessage:
		// The delivery service's meeting processor, whatever the file
		// (its internal-message-id holds the message-id, §4).
		return RoleDelivery
	case e.source == msgtrk.SourceStoreDriver && (e.etype == msgtrk.EventReceive || e.etype == msgtrk.EventNotifyMAPI) && e.kind == msgtrk.LogTransport:
		// 2007/2010: the transport's store driver picks the submission up
		// from the Mailbox server, which logs SUBMIT in its MSGTRKM
		// (§1.1; the STOREDRIVER RECEIVE is logged by the transport and
		// names the mailbox server as its client, §4; a 2010 transport
		// logs NOTIFYMAPI too, as the real 2010 MSGTRK sample shows).
		if b.org.isEdge(e.short) {
			return RoleEdge
		}
		return RoleHub
	}
	return roleOf(e.kind, e.source, e.etype, b.org.isEdge(e.short))
}

// pickupFrom returns the Mailbox server a transport's STOREDRIVER RECEIVE
// (event i, in a hub visit: 2007/2010) picked the message up from: its
// client-hostname, which the row names as its local host (e.local), its
// own server when the roles share it; "" when it names none.
func (b *builder) pickupFrom(i int32) string {
	e := &b.events[i]
	h := b.hopOf[i]
	if h < 0 || e.etype != msgtrk.EventReceive || e.source != msgtrk.SourceStoreDriver || !transportRole(b.visits[h].Role) ||
		e.local == "" || looksLikeIP(e.local) {
		return ""
	}
	// (Its own name: the Mailbox role beside the transport, whose MSGTRKM
	// may be missing from the input, which the trace must then say.)
	return e.local
}

// originProtocol is how a message whose first row is a RECEIVE of source
// src entered the organisation.
func originProtocol(src msgtrk.SourceType) Protocol {
	switch src {
	case msgtrk.SourceStoreDriver:
		return ProtocolStore
	case msgtrk.SourceSMTP:
		return ProtocolSMTP
	case msgtrk.SourcePickup, msgtrk.SourceGateway:
		return ProtocolPickup
	case msgtrk.SourceAgent:
		return ProtocolAgent
	}
	return ProtocolOther
}

// groupExpanded is in the status of the DROP of a group address once the
// group is expanded (flows.md: "DROP of the group address is not a failed
// delivery").
var groupExpanded = []byte("RESOLVER.GRP.Expanded")

// specialOutcome is what a row of an event other than the plain way's
// (DELIVER, SEND, FAIL, DROP, DEFER …) says of its recipients: BADMAIL
// and SUBMITFAIL fail them (the message can be neither delivered nor
// returned; the submission service could not hand it over), SUPPRESSED
// drops them (its transmission was suppressed on purpose), POISONMESSAGE
// and SUBMITDEFER leave them pending (in the poison queue until an
// administrator acts; submission retried). ok is false for other events.
func specialOutcome(et msgtrk.EventType) (s Status, ok bool) {
	switch et {
	case msgtrk.EventBadMail, msgtrk.EventSubmitFail:
		return StatusFailed, true
	case msgtrk.EventSuppressed:
		return StatusDropped, true
	case msgtrk.EventPoisonMessage, msgtrk.EventSubmitDefer:
		return StatusPending, true
	}
	return StatusPending, false
}

// isGroupDrop reports whether a DROP row's status for one recipient says
// the address was a group, expanded.
func isGroupDrop(status []byte) bool { return bytes.Contains(status, groupExpanded) }
