// Package recipstatus decodes the members of the recipient-status field of
// Exchange message tracking logs.
//
// recipient-status holds one member per recipient, paired by position with
// recipient-address; msgtrk.ListScanner splits the field into members. This
// package gives each member a [Kind] and a typed view, without allocating:
// every slice in a result is a subslice of the member.
//
//	st, err := recipstatus.Parse([]byte("250 2.1.5 Recipient OK"))
//	// st.Kind == KindSMTPResponse, st.Response.Code == 250,
//	// st.Response.Enhanced == {2 1 5}, string(st.Response.Text) == "Recipient OK"
//
// # Shapes
//
// Recipient types, on STOREDRIVER RECEIVE and SUBMIT rows:
//
//	To          → KindRecipientType, TypeTo
//	Bcc         → KindRecipientType, TypeBcc
//
// SMTP replies, on SEND, SENDEXTERNAL, DEFER and FAIL rows. Blanks may be
// missing in damaged samples; the enhanced code is optional:
//
//	250 2.1.5 Recipient OK          → 250, 2.1.5, "Recipient OK"
//	550 4.4.7 QUEUE.Expired;text    → 550, 4.4.7, "QUEUE.Expired;text"
//	250 2.1.5Recipient OK           → 250, 2.1.5, "Recipient OK"
//	421 Service not available       → 421, (none), "Service not available"
//
// LastError blobs, on FAIL rows of Exchange 2016 and later. Items are read by
// key in any order (an older writer puts LRT first); LED is an SMTP reply and
// LRT a culture-formatted time read by the rule documented at
// [ParseLocalTime]:
//
//	[{LED=501 5.1.4 Recipient address reserved by RFC 2606};{MSG=};{FQDN=server.mylab.test};{IP=192.168.159.133};{LRT=12/22/2020 2:28:06 AM}]
//	  → LED 501 5.1.4 "Recipient address reserved by RFC 2606",
//	    FQDN "server.mylab.test", IP 192.168.159.133,
//	    LRT 2020-12-22 02:28:06 UTC (month first: AM/PM form)
//
// Component diagnostics, on STOREDRIVER DELIVERFAIL rows (and inside the
// text of replies, see [Response.Diagnostic]):
//
//	STOREDRV.Deliver.Exception:MessageSubmissionExceededException.MapiExceptionMaxSubmissionExceeded; Failed to process message … [Stage: OnCreatedEvent][Agent: Meeting Message Processing Agent]
//	  → Code "STOREDRV.Deliver.Exception", Component "STOREDRV",
//	    Exception "MessageSubmissionExceededException.MapiExceptionMaxSubmissionExceeded",
//	    Message "Failed to process message …",
//	    trailer Stage = "OnCreatedEvent", Agent = "Meeting Message Processing Agent"
//
// # Grammar
//
// The grammar below is also kept, and checked, in testdata/recipstatus.ebnf.
// "text" is any run of bytes; the parsers are lenient where the comments say
// so.
//
//	member        = recipienttype | response | lasterror | diagnostic | text .
//	recipienttype = "To" | "Cc" | "Bcc" | "Redirect" .
//	response      = code [ blanks ] [ enhanced [ blanks ] ] text .
//	code          = digit digit digit .             (first digit 1-5)
//	enhanced      = class "." number "." number .   (numbers 1-3 digits)
//	class         = "2" | "4" | "5" .
//	lasterror     = "[{" item { "};{" item } "}]" .
//	item          = key "=" text .                  (LED, MSG, FQDN, IP, LRT, others kept)
//	diagnostic    = dottedcode [ ":" exception ] [ ";" text ] { "[" key ":" [ " " ] text "]" } .
//
// # Errors and leniency
//
// Every parser is lenient: it returns every part it could decode plus the
// error nearest to the start of the input, a [*SyntaxError] with the byte
// offset, wrapping [ErrCode], [ErrLastError], [ErrTime] or [ErrTooMany].
// Values that are identifiers (an IP that does not parse, as in anonymised
// samples) are kept raw and are not errors. Nothing panics on bad input, and
// the bounded loops ([MaxItems], [MaxTrailerPairs]) keep the work linear in
// the input.
//
// # Records
//
// [ParseRecord] decodes the status of the recipient a
// msgtrk.RecipientScanner is at (it pairs each address of a row with its
// status); its error is a *msgtrk.ParseError that gives the file, line
// and byte column of the problem in the log line (through the list's
// apostrophe quoting and the field's CSV quoting) and wraps this package's
// [SyntaxError].
//
// # Cost and concurrency
//
// All parsers and scanners do no allocation unless they return an error
// (see the package's TestNoAllocs). The functions are safe for concurrent
// use; results are plain values, safe to share between goroutines; a
// scanner is not safe for concurrent use.
package recipstatus
