// Package smtplog reads the SMTP protocol logs and the connectivity logs of
// Microsoft Exchange (RECV*.LOG, SEND*.LOG, CONNECTLOG*.LOG; format.md §14),
// and assembles their rows into sessions: who connected from where, whether
// TLS was used, how the client authenticated, what each command got back,
// which messages went through and why the session ended.
//
// # The format
//
// The files share the tracking logs' syntax (a '#' header, CSV rows with
// '"' quoting, one row per line): they are read with package msgtrk's
// tokenizer, through a *msgtrk.Reader or a *msgtrk.Merger, and decoded by
// column name. A protocol log has nine columns:
//
//	#Log-type: SMTP Receive Protocol Log
//	#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context
//	2023-01-11T15:59:53.909Z,EX01\Default Frontend EX01,123453EC62278461,2,10.10.10.10:25,95.10.20.33:56026,<,EHLO [95.10.20.33],
//	2023-01-11T16:00:01.010Z,EX01\Default Frontend EX01,123453EC62278461,7,10.10.10.10:25,95.10.20.33:56026,*,,"TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using …"
//
// The event is '+' (connect), '-' (disconnect, the context says why), '>'
// (a line the logging server sent), '<' (a line it received) or '*'
// (information, named by the context). A receive log's '<' rows are the
// client's commands; a send log's '>' rows are Exchange's. Replies are told
// from commands by their three-digit code ([IsReply]), so a log of unknown
// direction is read all the same. A connectivity log has six:
//
//	#Fields: date-time,session,source,destination,direction,description
//	2013-06-27T21:08:37.583Z,08D03F2DE58E0D71,SMTP,mailboxtransportsubmissioninternalproxy,-,Messages: 0 Bytes: 0 (Retry : Service not active)
//
// # Reading
//
// [Scanner] turns records into typed [Row]s (times, session ids, sequence
// numbers, endpoints as netip.AddrPort, events), refusing inputs whose
// header is another log's. [Decoder] does the same for one record. Both do
// no allocation per row (TestNoAllocs). [FindFiles] and [OpenPaths] find
// the files, with their server and transport service (FrontEnd, Hub, Edge,
// Mailbox delivery or submission) from their path: session ids are unique
// only within one service of one server.
//
// # Decoding lines
//
// Each line of a conversation has a decoder over []byte that returns views
// of its input and allocates only to report an error: [ParseCommand],
// [ParsePath] (MAIL FROM, RCPT TO), [ParseBDAT], [ParseReplyLine],
// [ParseXProxyFrom], [ClassifyInfo] for information rows and [ParseTLS],
// [ParseSendingMessage] ("sending message with RecordId n and
// InternetMessageId <id>"), [ParseReceivingMessage] (the SMTP RECEIVE
// tracking row's source-context), [ParseProxying], [ParseReason] for the
// disconnect; [ParseSummary] and [ParseConnectEvent] for connectivity
// rows. The receiver's "250 2.6.0 <id> [InternalId=…, Hostname=…] Queued
// mail for delivery" is read by sourcecontext.ParseReply, which undoes the
// swapped values of redundancy replies.
//
// # Sessions
//
// [Assembler] groups rows by [Key] (server, service, kind, session id),
// follows each command to its reply (pipelined commands queue; "NNN-"
// lines of a multi-line reply join its last line), and hands each finished
// [Session] to a callback. Memory is bounded: a session without its '-' row
// is ended after Options.Idle of log time or when Options.MaxOpen are
// open, and reported with its [Termination]; what one session keeps is
// bounded too (MaxMessages, MaxRecipients, MaxTranscript). A row repeated
// within a session (a file collected twice) is dropped and counted.
//
// # Errors and leniency
//
// Row errors are *msgtrk.ParseError values with file, line and column,
// wrapping [ErrSessionID], [ErrSequence], [ErrEvent], msgtrk.ErrSyntax
// (date-time) or [ErrNotProtocolLog]; a malformed column never drops its
// row. Line decoders are lenient: they return every part they could read
// and the first error as a [*SyntaxError] with its offset. Nothing panics
// on bad input.
//
// What no public raw row shows (the exact wording of the "receiving
// message" row, XPROXYFROM, successful AUTH, most disconnect reasons,
// IPv6 endpoints) is decoded as issue 13 and format.md §14 describe it and
// marked there as unverified.
package smtplog
