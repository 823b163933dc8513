package msgtrk

import "strconv"

// LogKind is the kind of log, told by the file name prefix: one of the
// message tracking logs, or one of the transport logs that sit beside them
// (the SMTP protocol logs and the connectivity log, read by package
// smtplog). Only the tracking kinds hold message tracking rows; see
// [LogKind.IsTracking]. LogSummary is told by the caller who converted the
// rows, never by a name.
type LogKind uint8

// The kinds of log file.
const (
	LogUnknown      LogKind = iota // not known (a stream, or an unrecognised name)
	LogTransport                   // MSGTRK: the Transport service (Mailbox and Edge servers)
	LogSubmission                  // MSGTRKMS: Mailbox Transport Submission
	LogDelivery                    // MSGTRKMD: Mailbox Transport Delivery
	LogApproval                    // MSGTRKMA: moderated transport approvals
	LogMailbox                     // MSGTRKM: the 2007/2010 Mailbox server role (mail submission, store driver)
	LogSmtpReceive                 // RECV: SMTP Receive protocol log (not a tracking log)
	LogSmtpSend                    // SEND: SMTP Send protocol log (not a tracking log)
	LogConnectivity                // CONNECTLOG: transport connectivity log (not a tracking log)
	// LogSummary: tracking rows converted from a per-message summary (an
	// Exchange Online message trace or historical summary report; package
	// export). Each row gives recipients and their final status, not one
	// server's event: a correlator makes outcomes of them, not hops. No
	// file name has this kind.
	LogSummary
)

// IsTracking reports whether k is a kind of message tracking log (MSGTRK,
// MSGTRKMS, MSGTRKMD, MSGTRKMA, MSGTRKM). LogUnknown is not.
func (k LogKind) IsTracking() bool { return k >= LogTransport && k <= LogMailbox }

// Prefix returns the file name prefix of k ("MSGTRK", "MSGTRKMS", …,
// "RECV", "SEND", "CONNECTLOG"), or "" for LogUnknown.
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
	case LogSmtpReceive:
		return "RECV"
	case LogSmtpSend:
		return "SEND"
	case LogConnectivity:
		return "CONNECTLOG"
	}
	return ""
}

// String returns the prefix, "unknown", "summary", or "LogKind(n)".
func (k LogKind) String() string {
	if p := k.Prefix(); p != "" {
		return p
	}
	switch k {
	case LogUnknown:
		return "unknown"
	case LogSummary:
		return "summary"
	}
	return "LogKind(" + strconv.Itoa(int(k)) + ")"
}
