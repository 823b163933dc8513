// Package eventdata decodes the custom-data field of Exchange message
// tracking logs (the EventData property of Get-MessageTrackingLog), the
// AGENTINFO groups inside it, and the PowerShell rendering of EventData.
// It is syntax over []byte: no I/O, no state beyond a scanner, and no
// allocation on the success path.
//
// # Members
//
// custom-data is a ';'-separated list of members. Each member is a type
// tag, ':', a key, '=', and a value:
//
//	S:E2ELatency=1.928;S:MsgRecipCount=1     → (S, E2ELatency, 1.928), (S, MsgRecipCount, 1)
//	S:ProxyHop1=mail.example.com(10.1.2.3)   → (S, ProxyHop1, mail.example.com(10.1.2.3))
//	S:Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel=Opportunistic
//	                                         → the key may contain '.'
//	S:CompCost=|ETR=0                        → (S, CompCost, |ETR=0): the value is all after the first '='
//	S:OriginalFromAddress=                   → an empty value
//	'S:X=a;b';S:Y=it's                       → (S, X, a;b), (S, Y, it's)
//
// The tag runs to the first ':' and is made of letters and digits: S
// (string) in practice, also I32, Dt, F and Dbl; others are kept raw as
// TagUnknown. The key runs to the first '=' and is not empty; it may hold
// '.' and ':'. The value is everything after that '=' and may hold '=',
// '|', ':', '(', ')', ',', '/' and spaces. A member containing ';' is
// enclosed in apostrophes, an apostrophe inside being doubled (the quoting
// of [msgtrk.ListScanner]). Keys may repeat. Empty members are ignored.
//
// # AGENTINFO groups
//
// The members of AGENT AGENTINFO rows carry a second level, read with
// [GroupScanner]: a kind, then '|'-separated key=value parts.
//
//	S:AMA=SUM|v=0|action=|error=|atch=2                    anti-malware summary
//	S:AMA=EV|engine=M|v=0|sig=1.413.283.0|name=|file=       one engine's verdict
//	S:TRA=ETRP|ruleId=<guid>|st=2023-05-12T07:55:40.0000000Z|ExecW=4|ExecC=0|Conditions=GTOEP,M.MAS,1
//	S:TRA=ETR|ruleId=<guid>|st=…|action=…|sev=1|mode=Enforce transport rule applied
//	S:TRA=DC|dcid=…|count=10|conf=77                        data classification
//	S:SFA=SUM|SFV=SPM|SCL=9|SFS=470454002|SFS=349001|…       spam filter summary
//
// [ParseRuleHit] and [ParseMalwareResult] decode the TRA and AMA groups.
//
// # PowerShell rendering
//
// Get-MessageTrackingLog prints EventData as pairs without tags:
//
//	{[E2ELatency, 14.578], [DeliveryPriority, Low], [PrioritizationReason, AMS:12689884/1048576|ARC:83/500]}
//
// [PSScanner] reads it into the same (key, value) shape; console line
// wrapping is undone beforehand by [AppendUnwrapped], which documents what
// it can and cannot repair.
//
// # Grammar
//
// The grammar is kept in EBNF in testdata/eventdata.ebnf; TestGrammar
// checks that it derives every input the scanners read without error and
// none they reject for its syntax. Its main productions, with "any"
// meaning any character:
//
//	CustomData = [ Member ] { ";" [ Member ] } .
//	Member     = Plain | "'" Quoted "'" .
//	Plain      = Tag ":" Key "=" { plainchar } .   plainchar: any but ';'
//	Quoted     = Tag ":" QKey "=" { qchar } .      qchar: any, "'" written "''"
//	Tag        = alnum { alnum } .
//	Key        = keychar { keychar } .             keychar: any but ';' and '='
//	Group      = Kind { "|" Part } .               Kind: { any but '|' }
//	Part       = PartKey [ "=" { partchar } ] | "=" { partchar } .
//	PartKey    = pkeychar { pkeychar } .           partchar: any but '|'; pkeychar: nor '='
//	PowerShell = ws [ "{" ws [ Pairs ] ws "}" | Pairs ] ws .
//	Pairs      = Pair { ws "," ws Pair } .
//	Pair       = "[" PSKey "," ws PSValue "]" .    PSKey: { any but ',' }
//
// EBNF cannot say "up to the first": the tag ends at the member's first
// ':', the key at its first '='; a part's key ends at its first '='; a
// PowerShell value ends at the first ']' followed by ws and ", [" or '}'
// or the end.
//
// # Typed values
//
// [Data.Decode] fills a [Data] with the well-known members: latencies as
// time.Duration (decimal seconds, parsed without floating point), counts,
// the anonymous-submission client (ProxiedClientIPAddress as a
// netip.Addr, ProxyHopN as host and address), entities, priorities,
// booleans, the mailbox database GUID ([msgtrk.GUID]) and more, every byte slice
// aliasing the input. [ParseKey] names the well-known keys.
//
// # Errors, leniency and limits
//
// Errors are *[SyntaxError] values holding a byte offset and wrapping one
// of the sentinels ([ErrNoTag], [ErrNoEquals], [ErrNoKey], [ErrQuote],
// [ErrTooManyMembers], [ErrTruncated], [ErrEmptyPart], [ErrPowerShell],
// [ErrValue]). A function is either lenient (it returns every well-formed
// part plus the first error) or strict (it stops at the first error), and
// its documentation says which; [Scanner] takes a msgtrk.Mode. [MaxMembers] bounds the members read from one input.
//
// # Records
//
// [Data.DecodeRecord] decodes the custom-data of a *msgtrk.Record; its
// errors are *msgtrk.ParseError values that give the file, line and byte
// column of the bad member or value in the log line and wrap this
// package's [SyntaxError]:
//
//	msgtrk: MSGTRK2024010700-1.LOG:3:53: field custom-data: eventdata: invalid value at offset 21 near "1,5" (key "E2ELatency")
//
// # Lifetimes and concurrency
//
// Every slice returned aliases the input unless its doc says otherwise,
// stays valid while the input is unchanged, and must not be modified.
// Scanners are not safe for concurrent use; the functions are, except that
// [Data.DecodeRecord] must not run beside other users of its record (a
// Record's accessors share a scratch buffer).
package eventdata
