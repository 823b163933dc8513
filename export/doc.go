// Package export reads the forms in which administrators actually have
// message tracking data, when they do not have the MSGTRK*.LOG files, and
// turns each into the text of a message tracking log, so that the rows go
// through msgtrk.Reader and everything after it (filters, correlation,
// reports) exactly as raw logs do. The header written (#Fields:) names only
// the columns the export carries: a column it lacks is absent from every
// row (msgtrk.Record.Has is false), never an empty value that looks like
// data.
//
// Prepare tells a file's kind by content (package filekind), refuses what is
// not tracking data with a reason (*RefusedError), and wraps the rest;
// NewReader converts one export.
//
// # Get-MessageTrackingLog | Export-Csv (filekind.CmdletCSV)
//
// Windows PowerShell 5.1 writes a #TYPE line first, PowerShell 7 does not;
// both quote every field. Columns are the cmdlet's property names, in any
// order, any of them absent: Timestamp (date-time), ClientIp, ClientHostname,
// ServerIp, ServerHostname, SourceContext, ConnectorId, Source, EventId,
// InternalMessageId, MessageId, NetworkMessageId, Recipients
// (recipient-address), RecipientStatus, TotalBytes, RecipientCount,
// RelatedRecipientAddress, Reference, MessageSubject, Sender
// (sender-address), ReturnPath, Directionality, TenantId, OriginalClientIp,
// OriginalServerIp, MessageInfo, EventData (custom-data),
// TransportTrafficType, SchemaVersion. Other columns (RunspaceId,
// MessageLatency, MessageLatencyType, …) are kept under their own names.
//
// What it cannot tell:
//   - Timestamp is the wall-clock time of the machine that ran the cmdlet,
//     in its culture's format ("12/22/2020 9:28:06 AM", "07.10.2020
//     19:27:20", …: see parseStamp), to the second. The zone comes from
//     Options.Zone; without it, it is estimated from the UTC times inside
//     the rows and a notice says so. The day/month order is decided for the
//     whole file (dates that only one order allows, else the rows' UTC times,
//     else the culture's separator, with a notice). Sub-second order across
//     servers is lost.
//   - Recipients, RecipientStatus, Reference and EventData are lists, which
//     Export-Csv writes as the type name "System.String[]": such columns are
//     left out, with a notice that gives KeepListsCommand. Lists joined by
//     the administrator (';', ", " or a tab) are split; a RecipientStatus of
//     a row with one recipient is one member whatever it holds.
//   - EventData pairs have no type tags: every member becomes S:Key=Value.
//   - The logging server is not a column: each row's server is told from its
//     host names (msgtrk.LoggingServer), and the file kind (MSGTRKMS,
//     MSGTRKMD) is not known.
//   - log-id is not there, so the same row exported twice is counted once
//     only when all its values agree.
//
// # Format-List text (filekind.FormatList)
//
// The same properties as "Name : value" lines, console wrapping undone
// (package formatlist). On top of the above, lists are shown in braces and
// cut after $FormatEnumerationLimit members ("{a, b, c, d...}"): the cut is
// counted and said; statuses are split on ", " only when that gives one per
// recipient. Records of Exchange Online extended reports in list form (the
// underscore names) are read too.
//
// # Get-MessageTrace, Get-MessageTraceV2 | Export-Csv (filekind.MessageTraceCSV)
//
// One row per recipient: Received (UTC, in the culture's format),
// SenderAddress, RecipientAddress, Subject, Status, ToIP (server-ip), FromIP
// (client-ip), Size (total-bytes), MessageId, MessageTraceId (the
// network-message-id). Status becomes the recipient-status member "Status,
// Event", the event being the tracking event it stands for (see traceEvent):
// "Delivered, Deliver", "Delivered, Send" (ToIP set: handed to another
// server), "Failed, Fail", "Expanded, Expand", "Pending, Defer",
// "Quarantined, Drop", "FilteredAsSpam, Drop", "GettingStatus" (no event).
// The service lists a distribution group (Expanded) and then its members:
// rows after an Expanded row of the same message get the group as
// related-recipient-address. The input's FileName.Kind is
// msgtrk.LogSummary: rows give outcomes, not a server's events; a
// correlator makes traces without hops of them. No event-id, source, hosts,
// latencies or message-info; no way to tell an NDR.
//
// # Historical search summary report (filekind.HistoricalSummary)
//
// One row per message: origin_timestamp_utc (or origin_timestamp), ISO
// 8601 UTC; sender_address; recipient_status, "a@x##Receive, Deliver;b@y##
// Receive, Fail", which becomes the recipient-address list and the
// recipient-status list of the events of each recipient ("Receive,
// Deliver"); message_subject; total_bytes; message_id; network_message_id;
// original_client_ip; directionality (1 inbound → Incoming, 2 outbound →
// Originating); connector_id; delivery_priority (custom-data
// S:DeliveryPriority). Kind msgtrk.LogSummary, as above. Which member came
// from which group is not carried.
//
// # Historical search extended report (filekind.HistoricalExtended)
//
// The tracking fields with underscores (date_time_utc with seven fraction
// digits, client_ip, …, custom_data), one row per event, in a UTF-16 file.
// The values are those of the log; rows come in no particular order, so
// they are sorted by time (the reports are small: at most 3,000 messages).
//
// # Order, lines and memory
//
// Rows are held, up to Options.MaxBuffer bytes, before the first is written:
// to decide what the times mean, to find columns lost in the export, and to
// sort rows that are out of time order (an export of several servers one
// after the other), which a notice reports. Rows past the buffer are
// converted one by one; those earlier than the row before them are counted
// and reported. A row keeps the line number of its record in the export
// (blank lines are written in between) unless rows were sorted.
//
// A record that cannot be converted (a wrong number of fields, an unclosed
// quote, a time that cannot be read, a NUL byte or invalid UTF-8) is
// reported through Options.Error as a *msgtrk.ParseError with its line and
// column in the export, and skipped.
package export
