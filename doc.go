// Package mailtrace turns Microsoft Exchange message tracking logs
// (MSGTRK*.LOG files, Exchange 2007 to SE) into facts: every event of every
// server decoded, one trace per message across servers, and the counts,
// latencies and submitters admins ask about.
//
// This root package holds no code; it documents the architecture.
//
// # Packages
//
// Syntax, then meaning, then state; imports flow from the later to the
// earlier:
//
//   - [github.com/mailtrace/mailtrace/msgtrk] reads and writes the files: the
//     CSV tokenizer (zero allocation per row), the #Fields: header and its
//     column map, typed field access, ';' lists, errors with file, line and
//     column, file discovery (MSGTRK, MSGTRKMS, MSGTRKMD, MSGTRKMA; daily and
//     hourly; gzip) and a time-ordered merge of many files.
//   - [github.com/mailtrace/mailtrace/eventdata] decodes custom-data
//     (EventData): S:Key=Value members, AGENTINFO groups, the PowerShell
//     rendering.
//   - [github.com/mailtrace/mailtrace/messageinfo] decodes message-info: auth
//     codes (04I, 0cA …), origination times and latency trees.
//   - [github.com/mailtrace/mailtrace/sourcecontext] decodes source-context:
//     SMTP sessions, SEND replies with the next hop's internal id, STOREDRIVER
//     key lists, shadow redundancy contexts.
//   - [github.com/mailtrace/mailtrace/recipstatus] decodes recipient-status
//     members: recipient types, SMTP replies, LastError blobs, store
//     diagnostics.
//   - [github.com/mailtrace/mailtrace/filter] selects rows the way
//     Get-MessageTrackingLog's parameters do.
//   - [github.com/mailtrace/mailtrace/correlate] stitches rows of all servers
//     into one Trace per message (hops in causal order, recipients after
//     group expansion, outcomes), in bounded memory, driven by event time.
//   - [github.com/mailtrace/mailtrace/report] sums traces: unique messages vs
//     deliveries, top talkers, latency percentiles, submitters.
//   - [github.com/mailtrace/mailtrace/msgtrktest] simulates an organisation
//     and writes the logs its servers would, with the ground truth beside
//     them: the test bed of the correlator and the source of the sample logs.
//   - [github.com/mailtrace/mailtrace/fuzz] holds the end-to-end fuzz targets
//     and the adversarial suite.
//   - cmd/mailtrace is the command line: events, trace, stats, submitters.
//
// # Lifetimes
//
// The syntax layers return views, not copies: a msgtrk.Record, and every
// []byte obtained from it or from a decoder fed with it, is valid only until
// the next call to Reader.Next (or Merger.Next) and must not be modified.
// Record.Clone, Record.Event and msgtrk.Batch make copies that stay valid.
// The correlator copies what it keeps at the moment it keeps it; a Trace
// handed to OnTrace belongs to the receiver.
//
// # Glossary
//
//   - field: one column of a row, named by the #Fields: header (date-time,
//     message-id, …); some fields are lists of ';'-separated members.
//   - record (row): one line of a log, one event on one server.
//   - header: the '#' directives at the top of a file (and again wherever
//     files were concatenated).
//   - hop: one server in one role (submission, hub, edge, delivery) on a
//     message's path.
//   - trace: everything the logs say about one message, across servers.
//   - key: what identifies a message across servers: its
//     network-message-id, or message-id and sender for 2007/2010 logs.
//   - watermark: the event time up to which the correlator has seen the
//     input; traces are emitted when the watermark passes the end of their
//     quiet window.
//   - window: the quiet time after a message's last row before its trace is
//     emitted.
package mailtrace
