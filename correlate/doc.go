// Package correlate stitches message tracking rows from every server of an
// organisation into one [Trace] per message: where it entered, which servers
// it crossed in which order, who received it after group expansion, and
// what became of each recipient.
//
// # Identity
//
// A message is keyed by its network-message-id (Exchange 2013 and later),
// which every copy keeps across servers, bifurcation and group expansion.
// Logs without that column (2007, 2010) fall back to message-id plus
// sender-address, within the quiet window (message ids alone are not unique:
// copies share them and different messages have been seen with the same
// one). Rows without either (NOTIFYMAPI) are tied to their message through
// the store: the Mailbox and Event of their source-context match the
// STOREDRIVER RECEIVE of the same submission. internal-message-id is never
// used across servers (it is per server, and reused). [KeyOf] is this rule,
// for any program that must group rows as a Tracker does.
//
// # Hops
//
// A hop is a server in a role: "submission" (the Mailbox Transport
// Submission service: MSGTRKMS rows, or STOREDRIVER NOTIFYMAPI, RECEIVE and
// SUBMIT rows in older logs), "hub" (the Transport service), "edge" (an Edge
// Transport server) or "delivery" (the Mailbox Transport Delivery service:
// MSGTRKMD rows, or STOREDRIVER DELIVER and DELIVERFAIL rows). Hops are
// ordered causally, never by clock alone: an SMTP RECEIVE names the server
// that handed the message over (client-hostname), a SEND names the next one
// (server-hostname), a DELIVER names the transport that sent it; each
// hand-over adds one to Depth, so a server whose clock runs two minutes
// ahead cannot appear before its predecessor. When a SEND's reply names the
// copy the next server made ("250 2.6.0 <id> [InternalId=…, Hostname=…]
// Queued mail for delivery", format.md §6, §8; the 2013 writer's swapped
// pair is read by form), that copy is linked to the very copy that sent it,
// so the copies of a mail loop take their true depths (TestLoopDepths);
// between two servers whose replies name copies the receiver has, a copy no
// reply names was sent by no copy in the trace. The reply also tells which
// service took the message: a transport queues it under an InternalId, the
// Mailbox Transport Delivery service answers with its Hostname only. A
// hand-over whose receive is
// logged more than a second before its send (SEND, or the submission
// service's SUBMIT) is reported as a "skew" anomaly, the hand-overs between
// two servers being paired in time order (TestSkewAnomalies); a SEND to a
// known server without any row of that server for the message is a
// "missing_hop" (TestMissingHopAnomalies).
//
// Shadow redundancy rows (HAREDIRECT, HARECEIVE, HADISCARD,
// HAREDIRECTFAIL) are kept in ShadowEvents and duplicate rows
// (DUPLICATEDELIVER, DUPLICATEEXPAND, DUPLICATEREDIRECT) in Duplicates;
// neither ever makes a hop or a delivery. A row seen twice (a log file
// collected twice) is counted once (by log-id, or by content in logs
// without log-id).
//
// Rows of kind msgtrk.LogSummary (Exchange Online message traces and summary
// reports, converted by package export) never make a hop either: they give
// recipients and their outcomes, and the trace says so (Trace.Summary; the
// rules are in summary.go).
//
// # Recipients
//
// Recipients are the final ones: a group that was EXPANDed is not a
// recipient, its members are (ExpandedFrom holds the chain of groups,
// outermost first); an alias that was RESOLVEd is replaced by the address it
// resolved to (ResolvedFrom); a recipient that was REDIRECTed keeps its
// entry, with RedirectedTo and the target's outcome. Outcomes:
//
//	delivered      STOREDRIVER DELIVER: in a mailbox
//	sent_external  it left the organisation, on evidence: SENDEXTERNAL, or a SEND to a
//	               host without logs for a domain the organisation does not receive
//	               for, answered by a reply no Exchange server gives, or through an
//	               Internet send connector
//	handed_off     handed to another Exchange server whose logs are not in the input
//	               (Server names it: the Intra-Organization connector, an EdgeSync
//	               connector, a domain the organisation receives for, a SUBMIT to a
//	               transport server, or no evidence either way): not final
//	failed         FAIL or DELIVERFAIL (Detail: the recipient-status)
//	dropped        DROP of a recipient (the DROP of an expanded group is not one)
//	duplicate      the only outcome was a DUPLICATEDELIVER
//	pending        no outcome: deferred (Detail: the DEFER status), in transit, or the
//	               logs of the next server show nothing
//
// When several rows speak of one recipient, a success outranks a failure,
// which outranks a drop, then a hand-off; among equals the deepest hop wins
// (the delivery server's DELIVERFAIL explains more than the hub's FAIL).
//
// # Servers and missing logs
//
// A row belongs to the server that wrote its input. That is decided once
// per input, by a vote of the rows' local-host column (format.md §4, per
// event) over its first rows; the folder the logs were collected in (or a
// server name in the file name) is only a hint, used when no row says, and
// Tracker.ServerHints lists the hints the rows contradicted. So logs under
// mbx-a/, ex01.corp.contoso.com/ or EX01/ give the same traces. Servers
// are named as their rows spell them.
//
// A server is known by its short name (the first label), as rows write
// it both ways. The host at the other end of a SEND, RECEIVE or DELIVER
// is that server when its short name matches, unless the host is written
// with a domain the server is not known by: a server learns its domains
// from its own rows (the last hop of its latency strings, which names the
// logging server in full, and its local-host columns), so
// mail.fabrikam.net is not the organisation's MAIL (mail.corp.contoso.com).
// That is decided when the trace is built, once its rows are all in.
//
// A trace is complete (ReasonComplete) only when every recipient has a
// final outcome, the message's entry is known (Origin), it crossed no
// server whose logs are missing, and no row came from an input without a
// recipient-address column (an export that lost it: a recipients_unknown
// anomaly names those servers, and the trace's recipients are what the
// other rows show, not all of them). When it was handed to or received from
// such a server (a SEND or SUBMIT to it, an SMTP RECEIVE from it
// authenticated as an Exchange server, a DELIVER naming it, a FAIL whose
// LastError names it), Trace.MissingLogs names it, a missing_logs anomaly
// says so, and the trace is expired, not complete: its recipients are
// handed_off rather than sent_external.
//
// The same holds for one service of a server: its Transport (MSGTRK),
// Mailbox Transport Submission (MSGTRKMS) and Delivery (MSGTRKMD) logs,
// or the 2007/2010 Mailbox role's MSGTRKM, are rotated and collected apart
// (format.md §1.1, §1.2), which services a server's logs hold being told
// by the inputs' names (a stream, or an input not named MSGTRK…, counts as
// every service). A SEND to a delivery service whose logs are not in the
// input hands its recipients off to that server and names "EX01
// (MSGTRKMD)" in MissingLogs; a hub's RECEIVE from a mailbox server whose
// MSGTRKMS logs are missing names "EX01 (MSGTRKMS)", and the trace's
// origin is left unknown rather than taken from the hub's RECEIVE (the
// message entered in those logs); a submission to a transport whose MSGTRK
// logs are missing names "EX01 (MSGTRK)"; a store driver failure (a FAIL
// whose LastError is STOREDRV.…) names the delivery service that logged its
// DELIVERFAIL. When that service's logs are in the input but begin after
// the hand-over (circular logging deleted the older files, §1.2, §10
// "Gaps"), it is named the same way and a "log_gap" anomaly gives the time
// they begin; a trace without entry whose first row comes less than a
// quiet window after the logs of its server begin has a log_gap anomaly
// too: it entered before them. ServerLogs (Tracker.Logs, Context.Logs)
// says which services' logs are in the input.
//
// # Events
//
// What each event of format.md §9.1 and §9.3 means to a trace, where the
// spec is silent decided as an administrator who must defend the answer
// would (TestEventAudit has a case for each):
//
//   - STOREDRIVER NOTIFYMAPI, RECEIVE, SUBMIT, SUBMITDEFER, SUBMITFAIL,
//     CLIENTSUBMISSION, NOTIFYSHADOW: the submission, on the mailbox server
//     (the row's client, §4). On 2007 and 2010 the Mailbox role logs only
//     the SUBMIT (in MSGTRKM) and the transport that picks the message up
//     logs the STOREDRIVER RECEIVE in its MSGTRK: that row belongs to the
//     transport's hop, the origin is the Mailbox server it names as its
//     client, and that server's MSGTRKM (with its SUBMIT) precedes it;
//     when it is missing the trace names it. SUBMITFAIL fails the
//     recipients it lists (the message could not be handed to a
//     transport); SUBMITDEFER leaves them pending.
//   - The origin's protocol is that of the row the message was born in:
//     "store" (STOREDRIVER), "smtp", "dsn" (a DSN row), "pickup" (a file in
//     the Pickup or Replay directory, or a Foreign connector's: PICKUP,
//     GATEWAY), "agent" (made by a transport agent: AGENT), "other" (any
//     other source, which Origin.Source names). An SMTP RECEIVE from
//     another Exchange server whose logs of that time are missing is no
//     origin: the message entered there or before (no_origin says so).
//     Nor is a RECEIVE from a copy whose rows show it handing the message
//     on but not receiving it (its first rows were in files circular
//     logging deleted, §1.2): no_origin says so, and log_gap when the
//     logs begin shortly before. A 2007/2010 Mailbox role's SUBMIT is a
//     store submission's origin when the transport's pickup is missing.
//   - PROCESSMEETINGMESSAGE: the delivery service's meeting processor,
//     whatever file it is in; its internal-message-id holds the message-id
//     (§4), so it is nobody's copy; no recipient of its own.
//   - MODERATORAPPROVE, MODERATORREJECT, MODERATORSALLNDR,
//     INITMESSAGECREATED, MODERATIONEXPIRE, and any row of source APPROVAL
//     or of an MSGTRKMA file: internal-message-id 0, the initiation
//     message's id, the moderated message's in reference (§4, §6). They
//     are grouped by their own ids (without a network-message-id, as
//     orphans), never make a hop, an outcome or a recipient, and are never
//     complete; the moderated message's recipient stays pending: what the
//     moderator decided is not tied to it by any id the rows give it.
//   - LOAD (source BOOTLOADER): a queued copy loaded again after the
//     transport restarted, under its own internal id or a new one: the
//     same hop as the server's first copy. A trace whose first row comes
//     soon after its server's logs begin (a LOAD, a DEFER, a SEND whose
//     RECEIVE is in older files) has a log_gap anomaly.
//   - THROTTLE: no hop and no outcome; its reference is a reason, no id.
//   - BADMAIL: the recipients failed (the message can be neither delivered
//     nor returned). POISONMESSAGE: pending (in the poison queue until an
//     administrator acts; the trace is not complete). SUPPRESSED: dropped
//     (not sent, on purpose). Detail is the recipient-status, else the
//     event's name.
//   - RESUBMIT, RESUBMITDEFER, RESUBMITFAIL (Safety Net), DUPLICATEDELIVER,
//     DUPLICATEEXPAND, DUPLICATEREDIRECT: in Duplicates, never a hop or a
//     delivery; a resubmitted copy's SEND belongs to the copy it repeats.
//   - DROP: of an expanded group (its status says RESOLVER.GRP.Expanded,
//     flows.md) not a failure and not a recipient, even when its EXPAND row
//     is not in the input; of a recipient, dropped.
//   - TRANSFER (ROUTING, QUEUE, AGENT, any reason): a new copy of the same
//     hop, forked from the copy its reference names; a reference naming
//     the copy itself joins the server's first copy; chains are followed a
//     bounded number of times, so no cycle of references loops.
//   - HAREDIRECT, HARECEIVE, HADISCARD, HAREDIRECTFAIL: never a hop; when
//     the shadow server sends its copy on (the primary failed, §6), that
//     copy, named by the InternalId of the HAREDIRECT reply, comes after
//     the primary's hop.
//   - DEFER: pending, with the last deferral's status, until a later
//     outcome; FAIL, DELIVERFAIL, DELIVER, SEND, SENDEXTERNAL as under
//     Recipients. Its message-info, the next retry time (§7.4), keeps
//     the trace open until that time plus the window (see Time and
//     memory).
//
// # Time and memory
//
// A [Tracker] never reads the clock: it is driven by event time through
// [Tracker.Advance]. A trace is emitted when no row of its message has come
// for Options.Window of event time (ReasonComplete when it is complete, see
// above, else ReasonExpired), and not before the window has passed after
// the retry time its DEFER rows gave (a deferred message is quiet until
// it is retried); [Tracker.Flush] emits the rest (ReasonFlushed, but for
// a trace held only by a retry time after the end of the input: complete
// or expired). At most Options.MaxOpenTraces are held: past that, the
// trace whose window would end first is emitted early (ReasonEvicted).
// Memory is therefore bounded by the number of messages within one window,
// not by the size of the input; Options.MaxMemory bounds it in bytes. Rows
// for a message already emitted are late: counted in [Stats] and handed to
// Options.OnLate (the CLI says how many on standard error). A caller done with a trace may hand it back with
// [Trace.Release], so that later traces reuse its memory (the CLI's stats
// and trace do: on a burst of one-row messages that is three allocations a
// message fewer).
//
// What a Tracker reads of a row by itself alone (its keys and their
// hashes, its fingerprint, the host it names, its hop's latency: a
// [RowFacts]) can be read on another goroutine: [ReadAhead] reads and
// merges the inputs and reads each row's facts a few batches ahead, and
// [Feed] hands them to [Tracker.AddFacts], which does only what depends on
// the Tracker's state. [Run], [Traces] and the CLI read so; the traces are
// the same as [Tracker.Add]'s (TestFactsAheadSameTraces).
//
// Building the traces it emits is about half of a Tracker's work. With
// Options.BuildAhead a Tracker hands them, a batch at a time, to a
// goroutine of its own that builds them and calls OnTrace, in the order
// they were emitted, while the caller's goroutine goes on adding rows;
// [Tracker.Sync] and Flush wait for it. The builder there reads what the
// Tracker knew of the organisation when each trace was emitted (a copy,
// told what changed with each trace), so the traces are the same byte for
// byte (TestBuildAheadSameTraces). The CLI builds so with one worker.
//
// # SMTP sessions
//
// With Options.KeepSMTP, a trace keeps the rows an SMTP conversation stands
// behind (Trace.SMTPRows: RECEIVE, SEND, SENDEXTERNAL, DEFER, FAIL,
// HAREDIRECT, DELIVER …) with their keys to the protocol logs (format.md
// §14.3). [JoinSessions] joins them to the sessions of a smtplog.Index
// (Trace.Sessions) and gives each recipient handed over by SMTP its
// attempts (Recipient.Attempts: remote end, RCPT reply, final reply); a
// caller reading both kinds of logs side by side resolves each row as it
// reads it ([SMTPRowOf], [ResolveSessions]) and joins the trace when it is
// emitted ([JoinSessionsWith]), as `mailtrace trace -smtp` does.
//
// # JSON
//
// A Trace marshals to a stable JSON object (one per line in the CLI's
// output), version 1, which [Trace.AppendJSON] writes into a caller's
// buffer without allocating:
//
//	v                   1
//	key                 the trace's key (see Identity)
//	network_message_id, message_id, sender, return_path, subject, size
//	first_seen, last_seen   RFC 3339 UTC, milliseconds
//	origin              {server, source, connector, client_type, auth, anonymous,
//	                     client_ip, original_client_ip, proxied_client_ip,
//	                     protocol: "store" | "smtp" | "dsn" | "pickup" | "agent"
//	                     | "other"}, all from the row
//	                     that created the message (see Origin)
//	hops                [{server, role, depth, first, last, latency_seconds, events,
//	                     from: indexes of the hops that handed the message over}]
//	missing_logs        servers whose logs are missing and would complete the trace
//	recipients          [{address, status, server, time, detail, expanded_from,
//	                     resolved_from, redirected_to, latency_seconds,
//	                     remote_host, remote_ip, remote_reply: the host a SEND or
//	                     SENDEXTERNAL handed it to and its reply}]
//	expansions          [{group, members, server, time}]
//	forks               [{server, time, internal_message_id, from, recipients, reason}]
//	dsn_for             for a DSN (delivery status notification): the key of
//	                    the message it reports on, when that message is in the input
//	dsn_for_message_id  for a DSN: the message-id of the message it reports on
//	dsn_flags           for a DSN: its types as its DSN row names them (format.md
//	                    §8): "Failure" (a non-delivery report, NDR), "Delay",
//	                    "Relay", "Delivery", "Expansion", "Quarantine", or a list
//	                    such as "Delivery, Relay"; left out when unknown
//	dsns                message-ids of the DSNs, of any type, generated for this
//	                    message: the reference of its FAIL, DELIVERFAIL, SEND and
//	                    SENDEXTERNAL rows (format.md §6, §9.3)
//	shadow_events, duplicates   [{server, event, time, recipients}]
//	summary             true when some rows are per-message summaries (Exchange
//	                    Online message traces, see summary.go): outcomes without hops
//	events              rows in the trace
//	reason              "complete" | "expired" | "evicted" | "flushed"
//	anomalies           ["missing_hop: …", "skew: …", "no_origin: …", "orphan: …",
//	                     "loop: …", "truncated: …", "missing_logs: …", "log_gap: …",
//	                     "recipients_unknown: …", "message_id_reused: …"]
//
// A trace joined to protocol logs (JoinSessions; `mailtrace trace -smtp`)
// has two members more, still version 1: readers that do not know them
// are unaffected, and a trace not joined has neither:
//
//	sessions            [{event, server, time: the row behind the session,
//	                     hop: its index in hops (left out for none),
//	                     side: "receive" | "send" | "connectivity" |
//	                           "frontend_receive" | "frontend_send" | "delivery",
//	                     message: the index of the message in the session's
//	                              transactions (left out for none),
//	                     session: the session object of `mailtrace sessions
//	                              -format jsonl` (smtplog.Session.MarshalJSON),
//	                              with its transcript when kept}]
//	recipients[].smtp_attempts   [{time, server, session_id, remote,
//	                     rcpt_reply, reply}]: each SMTP hand-over of the
//	                     recipient its send log tells, a deferral's 4xx, a
//	                     remote end's final reply
//
// Every list is written, [] when empty, never null; a scalar that is
// empty or zero is left out (size, server, time, latency_seconds …).
// Fields may be added in later versions; none will change meaning without a
// new "v". dsn_flags was added to version 1 (readers that do not know it
// are unaffected); dsn_for was always set for a DSN of any type (this list
// said an NDR), and dsns, which took FAIL and DELIVERFAIL rows alone, now
// also lists the DSNs a SEND or SENDEXTERNAL row names, as format.md has
// it: a fix, not a new meaning.
package correlate
