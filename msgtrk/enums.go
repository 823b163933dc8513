package msgtrk

import "strconv"

// EventType is the value of the event-id field. Every spelling documented for
// Exchange 2007 to SE has a constant; any other spelling is EventUnknown and
// stays readable raw through [Record.Field](EventID).
type EventType uint8

// The event types, named after their spelling in the log.
const (
	EventUnknown               EventType = iota // a spelling not listed here
	EventAgentInfo                              // AGENTINFO: a transport agent logged custom data
	EventBadMail                                // BADMAIL: a Pickup/Replay message could not be delivered or returned
	EventClientSubmission                       // CLIENTSUBMISSION: submitted from the Outbox of a mailbox
	EventDefer                                  // DEFER: delivery was delayed
	EventDeliver                                // DELIVER: delivered to a local mailbox
	EventDeliverFail                            // DELIVERFAIL: delivery to a mailbox (folder) failed
	EventDrop                                   // DROP: dropped without a DSN
	EventDSN                                    // DSN: a delivery status notification was generated
	EventDuplicateDeliver                       // DUPLICATEDELIVER: a duplicate was delivered (and removed by the store)
	EventDuplicateExpand                        // DUPLICATEEXPAND: a duplicate recipient found during group expansion
	EventDuplicateRedirect                      // DUPLICATEREDIRECT: an alternate recipient was already a recipient
	EventExpand                                 // EXPAND: a distribution group was expanded
	EventFail                                   // FAIL: delivery failed
	EventHADiscard                              // HADISCARD: a shadow copy was discarded
	EventHAReceive                              // HARECEIVE: a shadow copy was received
	EventHARedirect                             // HAREDIRECT: a shadow copy was created
	EventHARedirectFail                         // HAREDIRECTFAIL: a shadow copy could not be created
	EventInitMessageCreated                     // INITMESSAGECREATED: sent to the arbitration mailbox for moderation
	EventLoad                                   // LOAD: loaded at boot
	EventModerationExpire                       // MODERATIONEXPIRE: moderation expired
	EventModeratorApprove                       // MODERATORAPPROVE: a moderator approved
	EventModeratorReject                        // MODERATORREJECT: a moderator rejected
	EventModeratorsAllNDR                       // MODERATORSALLNDR: all approval requests were undeliverable
	EventNotifyMAPI                             // NOTIFYMAPI: a message was detected in an Outbox
	EventNotifyShadow                           // NOTIFYSHADOW: detected in an Outbox, a shadow copy is needed
	EventPoisonMessage                          // POISONMESSAGE: put in or removed from the poison queue
	EventProcess                                // PROCESS: processed
	EventProcessMeetingMessage                  // PROCESSMEETINGMESSAGE: a meeting message was processed
	EventReceive                                // RECEIVE: received by SMTP, Pickup/Replay or the store driver
	EventRedirect                               // REDIRECT: redirected to an alternative recipient
	EventResolve                                // RESOLVE: a recipient was resolved to another address
	EventResubmit                               // RESUBMIT: resubmitted from Safety Net
	EventResubmitDefer                          // RESUBMITDEFER: a Safety Net resubmission was deferred
	EventResubmitFail                           // RESUBMITFAIL: a Safety Net resubmission failed
	EventSend                                   // SEND: sent by SMTP between transport services
	EventSendExternal                           // SENDEXTERNAL: sent by SMTP outside the organisation
	EventSubmit                                 // SUBMIT: handed from mailbox submission to transport
	EventSubmitDefer                            // SUBMITDEFER: that hand-over was deferred
	EventSubmitFail                             // SUBMITFAIL: that hand-over failed
	EventSuppressed                             // SUPPRESSED: transmission was suppressed
	EventThrottle                               // THROTTLE: the message was throttled
	EventTransfer                               // TRANSFER: recipients moved to a forked copy (bifurcation)

	numEventTypes
)

var eventNames = [numEventTypes]string{
	"", "AGENTINFO", "BADMAIL", "CLIENTSUBMISSION", "DEFER", "DELIVER", "DELIVERFAIL",
	"DROP", "DSN", "DUPLICATEDELIVER", "DUPLICATEEXPAND", "DUPLICATEREDIRECT", "EXPAND",
	"FAIL", "HADISCARD", "HARECEIVE", "HAREDIRECT", "HAREDIRECTFAIL",
	"INITMESSAGECREATED", "LOAD", "MODERATIONEXPIRE", "MODERATORAPPROVE",
	"MODERATORREJECT", "MODERATORSALLNDR", "NOTIFYMAPI", "NOTIFYSHADOW",
	"POISONMESSAGE", "PROCESS", "PROCESSMEETINGMESSAGE", "RECEIVE", "REDIRECT",
	"RESOLVE", "RESUBMIT", "RESUBMITDEFER", "RESUBMITFAIL", "SEND", "SENDEXTERNAL",
	"SUBMIT", "SUBMITDEFER", "SUBMITFAIL", "SUPPRESSED", "THROTTLE", "TRANSFER",
}

// String returns the log spelling of e ("RECEIVE"), "UNKNOWN" for
// EventUnknown, or "EventType(n)" for a value out of range.
func (e EventType) String() string {
	if e == EventUnknown {
		return "UNKNOWN"
	}
	if e < numEventTypes {
		return eventNames[e]
	}
	return "EventType(" + strconv.Itoa(int(e)) + ")"
}

// ParseEventType returns the EventType spelled b, or EventUnknown. The match
// is exact (Exchange writes upper case). It does no allocation.
func ParseEventType(b []byte) EventType {
	switch string(b) {
	case "AGENTINFO":
		return EventAgentInfo
	case "BADMAIL":
		return EventBadMail
	case "CLIENTSUBMISSION":
		return EventClientSubmission
	case "DEFER":
		return EventDefer
	case "DELIVER":
		return EventDeliver
	case "DELIVERFAIL":
		return EventDeliverFail
	case "DROP":
		return EventDrop
	case "DSN":
		return EventDSN
	case "DUPLICATEDELIVER":
		return EventDuplicateDeliver
	case "DUPLICATEEXPAND":
		return EventDuplicateExpand
	case "DUPLICATEREDIRECT":
		return EventDuplicateRedirect
	case "EXPAND":
		return EventExpand
	case "FAIL":
		return EventFail
	case "HADISCARD":
		return EventHADiscard
	case "HARECEIVE":
		return EventHAReceive
	case "HAREDIRECT":
		return EventHARedirect
	case "HAREDIRECTFAIL":
		return EventHARedirectFail
	case "INITMESSAGECREATED":
		return EventInitMessageCreated
	case "LOAD":
		return EventLoad
	case "MODERATIONEXPIRE":
		return EventModerationExpire
	case "MODERATORAPPROVE":
		return EventModeratorApprove
	case "MODERATORREJECT":
		return EventModeratorReject
	case "MODERATORSALLNDR":
		return EventModeratorsAllNDR
	case "NOTIFYMAPI":
		return EventNotifyMAPI
	case "NOTIFYSHADOW":
		return EventNotifyShadow
	case "POISONMESSAGE":
		return EventPoisonMessage
	case "PROCESS":
		return EventProcess
	case "PROCESSMEETINGMESSAGE":
		return EventProcessMeetingMessage
	case "RECEIVE":
		return EventReceive
	case "REDIRECT":
		return EventRedirect
	case "RESOLVE":
		return EventResolve
	case "RESUBMIT":
		return EventResubmit
	case "RESUBMITDEFER":
		return EventResubmitDefer
	case "RESUBMITFAIL":
		return EventResubmitFail
	case "SEND":
		return EventSend
	case "SENDEXTERNAL":
		return EventSendExternal
	case "SUBMIT":
		return EventSubmit
	case "SUBMITDEFER":
		return EventSubmitDefer
	case "SUBMITFAIL":
		return EventSubmitFail
	case "SUPPRESSED":
		return EventSuppressed
	case "THROTTLE":
		return EventThrottle
	case "TRANSFER":
		return EventTransfer
	}
	return EventUnknown
}

// SourceType is the value of the source field: the transport component that
// logged the event. Unknown spellings are SourceUnknown and stay readable raw
// through [Record.Field](Source).
type SourceType uint8

// The sources, named after their spelling in the log.
const (
	SourceUnknown                 SourceType = iota // a spelling not listed here
	SourceAdmin                                     // ADMIN: human intervention (Queue Viewer, Replay directory)
	SourceAgent                                     // AGENT: a transport agent
	SourceApproval                                  // APPROVAL: the moderation approval framework
	SourceBootLoader                                // BOOTLOADER: messages found at boot
	SourceDNS                                       // DNS
	SourceDSN                                       // DSN: a delivery status notification
	SourceGateway                                   // GATEWAY: a Foreign connector
	SourceMailboxRule                               // MAILBOXRULE: an Inbox rule
	SourceMeetingMessageProcessor                   // MEETINGMESSAGEPROCESSOR
	SourceORAR                                      // ORAR: originator requested alternate recipient
	SourcePickup                                    // PICKUP: the Pickup directory
	SourcePoisonMessage                             // POISONMESSAGE: the poison message identifier
	SourcePublicFolder                              // PUBLICFOLDER: a mail-enabled public folder
	SourceQueue                                     // QUEUE
	SourceRedundancy                                // REDUNDANCY: shadow redundancy
	SourceRouting                                   // ROUTING: the categorizer's routing resolution
	SourceSafetyNet                                 // SAFETYNET
	SourceSMTP                                      // SMTP: SMTP send or receive
	SourceStoreDriver                               // STOREDRIVER: the mailbox store driver

	numSourceTypes
)

var sourceNames = [numSourceTypes]string{
	"", "ADMIN", "AGENT", "APPROVAL", "BOOTLOADER", "DNS", "DSN", "GATEWAY",
	"MAILBOXRULE", "MEETINGMESSAGEPROCESSOR", "ORAR", "PICKUP", "POISONMESSAGE",
	"PUBLICFOLDER", "QUEUE", "REDUNDANCY", "ROUTING", "SAFETYNET", "SMTP", "STOREDRIVER",
}

// String returns the log spelling of s ("SMTP"), "UNKNOWN" for SourceUnknown,
// or "SourceType(n)" for a value out of range.
func (s SourceType) String() string {
	if s == SourceUnknown {
		return "UNKNOWN"
	}
	if s < numSourceTypes {
		return sourceNames[s]
	}
	return "SourceType(" + strconv.Itoa(int(s)) + ")"
}

// ParseSourceType returns the SourceType spelled b, or SourceUnknown. It does
// no allocation.
func ParseSourceType(b []byte) SourceType {
	switch string(b) {
	case "ADMIN":
		return SourceAdmin
	case "AGENT":
		return SourceAgent
	case "APPROVAL":
		return SourceApproval
	case "BOOTLOADER":
		return SourceBootLoader
	case "DNS":
		return SourceDNS
	case "DSN":
		return SourceDSN
	case "GATEWAY":
		return SourceGateway
	case "MAILBOXRULE":
		return SourceMailboxRule
	case "MEETINGMESSAGEPROCESSOR":
		return SourceMeetingMessageProcessor
	case "ORAR":
		return SourceORAR
	case "PICKUP":
		return SourcePickup
	case "POISONMESSAGE":
		return SourcePoisonMessage
	case "PUBLICFOLDER":
		return SourcePublicFolder
	case "QUEUE":
		return SourceQueue
	case "REDUNDANCY":
		return SourceRedundancy
	case "ROUTING":
		return SourceRouting
	case "SAFETYNET":
		return SourceSafetyNet
	case "SMTP":
		return SourceSMTP
	case "STOREDRIVER":
		return SourceStoreDriver
	}
	return SourceUnknown
}

// Direction is the value of the directionality field (Exchange 2010 and
// later).
type Direction uint8

// The directions Exchange writes.
const (
	DirectionUnknown     Direction = iota // empty or another spelling
	DirectionIncoming                     // Incoming
	DirectionOriginating                  // Originating: sent from inside the organisation
	DirectionUndefined                    // Undefined
)

// String returns "Incoming", "Originating", "Undefined", "" for
// DirectionUnknown, or "Direction(n)".
func (d Direction) String() string {
	switch d {
	case DirectionUnknown:
		return ""
	case DirectionIncoming:
		return "Incoming"
	case DirectionOriginating:
		return "Originating"
	case DirectionUndefined:
		return "Undefined"
	}
	return "Direction(" + strconv.Itoa(int(d)) + ")"
}

// ParseDirection returns the Direction spelled b, or DirectionUnknown. It
// does no allocation.
func ParseDirection(b []byte) Direction {
	switch string(b) {
	case "Incoming":
		return DirectionIncoming
	case "Originating":
		return DirectionOriginating
	case "Undefined":
		return DirectionUndefined
	}
	return DirectionUnknown
}
