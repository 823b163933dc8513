// Package sourcecontext decodes the source-context field of Exchange
// message tracking logs.
//
// What source-context holds depends on the row's source and event-id.
// [Parse] takes both and dispatches to the right decoder; each decoder is
// also exported. Results are typed views over the field: every slice is a
// subslice of the input and nothing is allocated.
//
//	c, err := sourcecontext.Parse([]byte("SMTP"), []byte("RECEIVE"),
//		[]byte("08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;0"))
//	// c.Kind == KindReceive, c.Receive.Session.ID == 0x08DC1DB12C345BE5,
//	// c.Receive.Session.Start == 2024-01-25 15:16:09.544 UTC, c.Receive.Ordinal == 0
//
// # Shapes
//
// SMTP RECEIVE ([Receive]): session id (16 hex digits), session start,
// ordinal of the message in the session:
//
//	08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;0
//
// SMTP SEND and SENDEXTERNAL ([Send]): optional session, the remote SMTP
// reply, ClientSubmitTime (the key may have no value). The reply's
// "[InternalId=…, Hostname=…]" names the next hop's internal-message-id and
// host ([NextHop]), the key to stitching hops; the Exchange 2013 writer
// swaps the two values, which is undone by shape:
//
//	;250 2.6.0 <id@host> [InternalId=5450313518243, Hostname=next.example.com] Queued mail for delivery;ClientSubmitTime:
//	  → Reply.Response 250 2.6.0, Reply.MessageID "id@host",
//	    Reply.Next {InternalID 5450313518243, Host "next.example.com"}
//
// STOREDRIVER DELIVER and DELIVERFAIL (MSGTRKMD; [Send] without reply):
//
//	08D8648A8359CDFE;2020-10-07T16:27:19.546Z
//	08D9AE1AA4FEA27C;2021-11-23T19:49:37.215Z;ClientSubmitTime:2021-11-23T19:49:36.380Z
//
// Other STOREDRIVER events (NOTIFYMAPI, RECEIVE, SUBMIT, …; [Store]):
//
//	MDB:61914740-3f1b-4ddb-94e0-557196870cfa, Mailbox:279f077c-216f-4323-a9ee-48e50ffd3cad, Event:269492708, MessageClass:IPM.Note, CreationTime:2016-04-05T00:00:01.022Z, ClientType:System
//	  → MDB and Mailbox GUIDs (raw kept; invalid ones, as in anonymised
//	    samples, are not errors), Event 269492708, ClientType ClientSystem, …
//
// SMTP HAREDIRECT ([Shadow]): the shadow server and its reply.
//
//	EX13.example.com = 250 2.6.0 <id@host> [InternalId=…, Hostname=…] Queued mail for redundancy
//
// DSN DSN ([DSNFlags], [KindDSN]): the types of the notification
// (format.md §8), one name or a list; only Failure makes it a non-delivery
// report:
//
//	Failure
//	Delivery, Relay
//
// Free text, kept in [Context.Raw]: HAREDIRECTFAIL ("No suitable shadow
// servers", [KindShadowFail]), ROUTING RESOLVE and REDIRECT (the
// legacyExchangeDN "/o=…/ou=…/cn=Recipients/cn=…", [KindRecipientDN]),
// ROUTING TRANSFER (a reason word, [KindTransferReason]), AGENT AGENTINFO
// (an agent or stage name such as "CatContentConversion", [KindAgent]).
// Everything else, including HARECEIVE and HADISCARD, is [KindUnknown]
// with the value in Raw: no public description of those values was found
// to decode them by.
//
// # Grammar
//
// The grammar is kept, and checked, in testdata/sourcecontext.ebnf:
//
//	receive  = sessionid ";" isotime ";" ordinal .
//	send     = ( sessionid ";" isotime [ ";" reply ] | ";" [ reply ] | reply ) [ ";" "ClientSubmitTime:" [ isotime ] ] .
//	reply    = code [ blanks ] [ enhanced [ blanks ] ] [ "<" messageid ">" ] text [ "[" hopitem { "," hopitem } "]" text ] .
//	hopitem  = ( "InternalId" | "Hostname" ) "=" value .
//	store    = key ":" value { "," [ blanks ] key ":" value } .
//	shadow   = host "=" reply .
//	dsn      = dsntype { "," [ blanks ] dsntype } .
//	dsntype  = "Delivery" | "Delay" | "Failure" | "Relay" | "Expansion" | "Quarantine" .
//	isotime  = yyyy "-" MM "-" dd "T" HH ":" mm ":" ss [ "." fraction ] "Z" .
//
// isotime is the form Exchange writes; the times are read by
// msgtrk.ParseTime, which also takes a ±hh:mm offset.
//
// # Errors and leniency
//
// Every decoder is lenient: it keeps each part raw, decodes what is
// well-formed and returns the error nearest the start of the input, a
// [*SyntaxError] with the byte offset wrapping a sentinel ([ErrSessionID],
// [ErrTime], [ErrOrdinal], [ErrPair], [ErrEvent], [ErrNextHop], [ErrSyntax],
// [ErrTooMany], [ErrDSNType], or recipstatus.ErrCode for the reply). Nothing panics on bad
// input, and [MaxPairs] bounds the STOREDRIVER list.
//
// # Records
//
// [ParseRecord] decodes the source-context of a *msgtrk.Record, choosing
// the decoder by the row's source and event-id; its errors are
// *msgtrk.ParseError values that give the file, line and byte column of
// the problem in the log line and wrap this package's [SyntaxError].
//
// # Cost and concurrency
//
// All decoders and scanners do no allocation unless they return an error
// (see the package's TestNoAllocs). The functions are safe for concurrent
// use, except that [ParseRecord] must not run beside other users of its
// record (a Record's accessors share a scratch buffer); results are plain
// values, safe to share between goroutines; a [PairScanner] is not safe for
// concurrent use.
package sourcecontext
