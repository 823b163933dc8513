package msgtrk

import "strconv"

// LogKind is the kind of message tracking log, told by the file name prefix.
type LogKind uint8

// The kinds of log file.
const (
	LogUnknown    LogKind = iota // not known (a stream, or an unrecognised name)
	LogTransport                 // MSGTRK: the Transport service (Mailbox and Edge servers)
	LogSubmission                // MSGTRKMS: Mailbox Transport Submission
	LogDelivery                  // MSGTRKMD: Mailbox Transport Delivery
	LogApproval                  // MSGTRKMA: moderated transport approvals
	LogMailbox                   // MSGTRKM: the 2007/2010 Mailbox server role (mail submission, store driver)
)

// Prefix returns the file name prefix of k ("MSGTRK", "MSGTRKMS", …), or ""
// for LogUnknown.
func (k LogKind) Prefix() string {
	switch k {
	case LogTransport:
		return "MSGTRK"
	case LogSubmission:
		return "MSGTRKMS"
	case LogDelivery:
		return "MSGTRKMD"
	case LogApproval:
		return "MSGTRKMA"
	case LogMailbox:
		return "MSGTRKM"
	}
	return ""
}

// String returns the prefix, "unknown", or "LogKind(n)".
func (k LogKind) String() string {
	if p := k.Prefix(); p != "" {
		return p
	}
	if k == LogUnknown {
		return "unknown"
	}
	return "LogKind(" + strconv.Itoa(int(k)) + ")"
}
