// Package msgtrk reads and writes Microsoft Exchange message tracking logs
// (MSGTRK*.LOG files): the syntax only, fast and without allocation.
//
// # The format
//
// A log file is UTF-8 text (with a byte order mark) of CRLF-terminated lines.
// It opens with a header block of '#' directives; the #Fields: directive
// names the columns of every row that follows:
//
//	#Software: Microsoft Exchange Server
//	#Version: 15.01.2507.039
//	#Log-type: Message Tracking Log
//	#Date: 2025-01-14T09:28:39.334Z
//	#Fields: date-time,client-ip,…,schema-version
//	2025-01-14T09:28:39.334Z,2a02:cf40::1,HELLOWORLD,,,"MDB:f4ad…, Mailbox:84dd…",,STOREDRIVER,NOTIFYMAPI,…
//
// Each row is one event. Fields are separated by ','; a field containing ','
// or '"' is enclosed in double quotes, with '"' doubled inside; a line break
// inside a value is written as the two characters \r or \n so that a row
// never spans lines; nothing else is escaped, a backslash stays as written
// (format.md §3.1):
//
//	row     = field { "," field } [ CR ] LF .
//	field   = plain | quoted .
//	plain   = { any character but "," "\"" LF NUL } .
//	quoted  = "\"" { any character but "\"" LF NUL | "\"\"" } "\"" .
//
// (testdata/msgtrk.ebnf holds the full grammar; TestGrammar checks that it
// derives every line the Reader accepts and no line it rejects for its
// quoting.)
//
// Four fields are lists of members separated by ';': recipient-address,
// recipient-status (paired with the addresses by position), reference and
// custom-data. A member containing ';' is enclosed in apostrophes, with an
// apostrophe doubled inside; see [ListScanner] and [RecipientScanner].
//
// The columns differ by Exchange version: 21 in 2007, 26 in 2010 (adding
// directionality … custom-data), 27 in 2013 (adding network-message-id) and
// 30 from 2016 on (adding transport-traffic-type, log-id, schema-version).
// A [Reader] never assumes positions: it maps the [Field] constants through
// the #Fields: header in force, keeps unknown columns reachable by name
// ([Record.Lookup]), follows a new header that appears mid-stream (as in
// concatenated files), and reads files that lost their header with a field
// list from the caller ([Config.Fields], [Layout.FieldNames]).
//
// # Reading
//
// [Reader] has the shape of bufio.Scanner: Next, Record, Err. A malformed
// line (wrong field count, stray quote, invalid UTF-8, NUL byte, a line over
// [Config.MaxLineBytes], a final line without line ending) is reported as a
// [*ParseError] with file, line, column and byte offset, wrapping a sentinel
// such as [ErrFieldCount] or [ErrTruncated]; the reader goes on with the next
// line, so every good line is still returned. [Reader.Stats] accounts for
// every line. An over-long line is skipped without being held in memory, so
// memory stays bounded whatever the input.
//
// [Merger] reads the files of many servers at once and yields their rows in
// date-time order; [FindFiles] and [OpenPaths] find MSGTRK, MSGTRKMS,
// MSGTRKMD and MSGTRKMA files (daily or hourly, gzipped or not) and tell
// each file's server from its path ([ServerFromPath]).
//
// # Lifetimes and cost
//
// A [Record] and every slice obtained from it are valid only until the next
// call to Next; they must not be modified. [Record.Clone] gives a copy that
// stays valid; [Record.Event] gives an owned [Event] of strings. Reading a
// row, accessing its fields, iterating its lists and parsing its time,
// enums, integers, addresses and GUIDs do no allocation (TestNoAllocs proves
// it). Readers, Records, Mergers and Writers are not safe for concurrent use.
//
// # Writing
//
// [Writer] writes header blocks and rows with exactly the escaping above,
// as Exchange does; a row written from an [Event] reads back unchanged
// through [Record.Unescaped] (but for a backslash right before r, n or a
// line break, which the format cannot tell from an escape), and a [Record]
// written with [Writer.WriteRecord] has
// the same field values; a row of an Exchange file (which quotes a field
// only when it must) comes out byte for byte as it was read
// (TestWriteRecordBytes).
package msgtrk
