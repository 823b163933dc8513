// Package messageinfo decodes the message-info field of Exchange message
// tracking logs into typed values: the auth code of a submission, the
// per-hop latency tree of a message, and origination or retry timestamps.
//
// It works on the field's value as a []byte (package msgtrk finds the field)
// and does no allocation on the success path: results are small comparable
// values, flat slices appended to caller storage, and [Span] offsets into
// the value. (Components and Span.Text, which copy, are the exceptions.)
//
// # Shapes
//
// The same column holds different things depending on the row's event.
// [Classify] tells them apart and [Parse] decodes the cheap ones:
//
//	""                              KindEmpty      most events
//	"04I: "                         KindAuthCode   STOREDRIVER RECEIVE (store-submitted)
//	"0cA: "                         KindAuthCode   SMTP RECEIVE (anonymous client)
//	"07I: NTS: None"                KindAuthCode   SMTP RECEIVE (SMTP AUTH, Exchange 2013)
//	"2022-09-19T15:02:29.211Z"      KindTimestamp  arrival-only rows; DEFER retry time
//	"2024-01-07T…Z;LSRV=ex:TOTAL-HUB=1.921|…"
//	                                KindLatency    SEND, SENDEXTERNAL, DELIVER, DELIVERFAIL, FAIL, NOTIFYMAPI
//
// Anything else is [KindUnknown]: not an error, the caller keeps the raw
// value.
//
// # Auth codes
//
// Two hex digits (the authentication mechanism), one letter (the submit
// category), a colon, then optional free text:
//
//	04I:            mechanism 04 SecureMapiSubmit, category I Internal
//	0cA:            mechanism 0c MutualGSSAPI, category A Anonymous
//	07I: NTS: None  mechanism 07 Login, category I, Detail "NTS: None"
//	11a             documented by Microsoft for authentication errors
//
// [ParseAuthCode] returns an [AuthCode]; [Mechanism] and [Category] name the
// parts, and the number and letter as written are kept. What each mechanism
// number means, and what backs it, is in [Mechanism.Meaning]. As published
// by administrators, mail submitted from a mailbox (Outlook, OWA, EAS, EWS)
// shows "04I" on STOREDRIVER RECEIVE and "0cI" on the following SMTP
// RECEIVE; SMTP AUTH clients show "07I" on SMTP RECEIVE only; anonymous SMTP
// clients "0cA" (also in the real samples).
//
// # Latency strings
//
// An origination time, then one part per server, separated by ';':
//
//	2024-01-07T00:00:05.535Z;LSRV=ex.example.com:TOTAL-HUB=1.921|SMR=0.127(SMRDE=0.002|SMRC=0.125)|QDM=0.010
//	2025-01-14T09:28:50.814Z;SRV=fe:TOTAL-FE=0.074|SMS=0.002;SRV=hub:TOTAL-HUB=14.439|QDE=13.818
//
// "LSRV=" carries only the local server; "SRV=" parts list the previous hops
// and then the logging server. The format lets a time close the string
// after the last part, the time the row was written (format.md §7.2's
// current-time); [AppendLatency] returns it as Latency.Current. Each part is '|'-separated records
// NAME=value, a record's children following it in parentheses. The first
// record is the server's TOTAL, whose suffix gives its [Role] (HUB, FE, SUB,
// DEL, EDGE; Exchange 2010/2013 write a plain "TOTAL=0"). [AppendLatency]
// stores the records as a flat preorder tree of [Node] values in a caller
// slice: a hop's TOTAL is the root (Parent -1, Depth 0) and the records
// beside it are its children (Depth 1):
//
//	TOTAL-HUB=1.921                depth 0, parent -1
//	  SMR=0.127                    depth 1, parent 0
//	    SMRDE=0.002                depth 2, parent 1
//	    SMRC=0.125                 depth 2, parent 1
//	  QDM=0.010                    depth 1, parent 0
//
// Names are split into flags, a component code and an agent name:
// "X-SMRCR" is code SMRCR flagged Extended (not counted in its parent's
// time: X-SMSDR=0.011 sits under SMSC=0.006), "MTSS-PEN" is MTSS flagged
// Pending, "SDDCM-Meeting Message Processing Agent-INC" is code SDDCM, agent
// "Meeting Message Processing Agent", flagged Incomplete. [LookupComponent]
// says what a code stands for and whether the samples show it or the
// meaning is read from the letters ([Basis]). Unknown codes are kept, not
// errors.
//
// Values are decimal seconds with three fractional digits in Exchange 2013
// and later. A writer that uses integer milliseconds is told apart by the
// absence of '.' in every value of the string ([UnitMilliseconds]); a string
// whose values are all integer zero has [UnitUnknown] and zero durations.
//
// Spaces are tolerated after a value and after ')': Exchange Online and the
// console fold long strings there ("SDSSO-PEN=0.045 (SMSC=0.008|…)",
// "R-HSRR=0.023 )))"). [AppendCanonical] writes a tree back without them.
//
// # Console output
//
// Get-MessageTrackingLog | Format-List wraps long values at the window
// width. Undoing that is the caller's job: join the lines of the value,
// dropping the indentation; a line shorter than the wrap width was broken at
// a space (join with one space), a full-width line was cut inside a word
// (join with nothing). The package tests do this for the samples in
// testdata/real/cmdlet_output.
//
// # Timestamps
//
// Timestamps are read by msgtrk.ParseTime, the one RFC 3339 parser of the
// module: Exchange's yyyy-MM-ddTHH:mm:ss.fffZ, Exchange Online's seven
// fractional digits and ±hh:mm offsets take its allocation-free path; a
// value that starts like a date (yyyy-MM-ddT) but has another form is handed
// to time.Parse, which may allocate. msgtrk.AppendTime writes Exchange's
// form.
//
// # Grammar
//
// The grammar is kept in EBNF in testdata/messageinfo.ebnf; TestGrammar
// checks that it derives the values the parsers read and none they reject
// for their syntax. In short:
//
//	MessageInfo = [ AuthCode | Latency | Timestamp | Blank ] .
//	AuthCode    = hexDigit hexDigit letter ":" { " " } Detail
//	            | hexDigit hexDigit knownLetter { " " } .
//	Latency     = [ Timestamp ";" ] Hop { ";" Hop } .
//	Hop         = ( "LSRV=" | "SRV=" ) Server ":" Records .
//	Records     = Record { "|" Record } .
//	Record      = Name "=" Value fold [ "(" Records ")" fold ] .
//	Value       = [ "-" ] digits [ "." digits ] .
//
// # Records
//
// [AppendLatencyRecord] decodes the latency string of a *msgtrk.Record; its
// errors are *msgtrk.ParseError values that give the file, line and byte
// column of the problem in the log line and wrap this package's
// [SyntaxError].
//
// # Limits, errors, concurrency
//
// [MaxDepth], [MaxNodes], [MaxHops] and [MaxInputBytes] bound the work done
// on hostile input; exceeding one is an error, never a crash. Errors are
// *[SyntaxError] values with a byte offset, wrapping a sentinel such as
// [ErrLatency]; test them with errors.Is. Every function of a field's text
// is safe for concurrent use; the functions taking a *msgtrk.Record are
// not, with other users of that record (its accessors share a scratch
// buffer). Results alias the input and must not be modified.
package messageinfo
