// Package msgtrktest simulates an Exchange organisation and writes the
// message tracking logs its servers would write (MSGTRK, MSGTRKMS,
// MSGTRKMD), together with the ground truth of every message: the test bed
// of the correlator and the source of the bundled sample logs and of
// benchmark inputs.
//
//	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 1, Messages: 300})
//	fsys, truth, err := sim.WriteFS()      // or sim.WriteDir(dir), sim.Stream(w)
//
// # The organisation
//
// Mailbox servers EX01… (ex01.corp.contoso.com, 10.0.0.11…) in one DAG,
// each with one mailbox database; Edge servers EDGE01… (edge01.contoso.com,
// 172.16.10.11…) in a perimeter network; users first.last@contoso.com homed
// round-robin on the Mailbox servers, some with an alias
// (jsmith@old.contoso.com, RESOLVEd to the primary address) and a few with
// forwarding (REDIRECT to another user); two application accounts for SMTP
// AUTH; scanners and monitors that relay anonymously; distribution groups,
// one nesting another and also listing one of its members (a member reached
// twice: DUPLICATEEXPAND), one with an external member; external domains
// (fabrikam.net, adatum.com behind Office 365, …). [Sim.Org] returns it.
//
// # Messages
//
// Each message follows one [Kind] drawn from [Config.Mix]: store
// submission, SMTP AUTH, anonymous SMTP, Internet inbound, outbound,
// groups, bifurcation, alias and forwarding, failure with NDR, DEFER,
// agent DROP, shadow redundancy, Safety Net resubmission. Shadow redundancy
// (HAREDIRECT on the hub, HARECEIVE then HADISCARD on another DAG member,
// or HAREDIRECTFAIL without one) also happens to about a third of the
// other messages from Exchange 2013 on. The rows of a message follow the
// flows published by administrators (see flows.md in the shared docs); in
// event order per server, with the log file in brackets:
//
//	store submission   sender's server [MS]: NOTIFYMAPI, RECEIVE (STOREDRIVER, "04I: "), SUBMIT
//	                   hub [TRK]: RECEIVE (SMTP, "0cI: ", client = sender's server)
//	SMTP client        hub [TRK]: RECEIVE ("07I: " AUTH or "0cA: " anonymous, proxied by a front end:
//	                   S:ProxyHop1, S:FirstForestHop, S:ProxiedClientIPAddress)
//	Internet, Edge     Edge [TRK]: RECEIVE ("00A: "), AGENTINFO, SEND;  hub [TRK]: RECEIVE ("02A: ")
//	Internet, no Edge  hub [TRK]: RECEIVE ("0cA: ", S:FromEntity=Internet, proxied by a front end)
//	hub                [TRK]: [HAREDIRECT | HAREDIRECTFAIL] {RESOLVE} {EXPAND [DUPLICATEEXPAND]}
//	                   {REDIRECT | DUPLICATEREDIRECT} {TRANSFER} AGENTINFO {DROP of groups}
//	                   {AGENT DROP} then per next hop: SEND | FAIL | DEFER… | SENDEXTERNAL (SEND before 2016)
//	delivery server    [MD]: DELIVER | DELIVERFAIL (then FAIL on the hub) | DUPLICATEDELIVER
//	outbound via Edge  Edge [TRK]: RECEIVE ("02I: "), AGENTINFO, SENDEXTERNAL (SEND before 2016) | FAIL | DEFER…
//	shadow server      [TRK]: HARECEIVE … HADISCARD [HADISCARD]  (not a hop)
//	Safety Net         hub [TRK]: RESUBMIT (SAFETYNET), SEND;  delivery [MD]: DUPLICATEDELIVER
//	NDR                failing server [TRK]: DSN (source-context Failure, reference = original message-id), then as above
//	meeting request    delivery server [MD]: DELIVER, PROCESSMEETINGMESSAGE (Config.Meetings, 2013+)
//	transport restart  any server [TRK]: DEFER, LOAD (BOOTLOADER), DEFER… (Config.Restarts, 2010+)
//
// The grammar of these sequences, per copy of a message (the rows of one
// server that share an internal-message-id), is kept in
// testdata/flows.ebnf; a test checks every generated message against it,
// and another compares the rows with the real rows of testdata/real (same
// columns filled, same custom-data keys):
//
//	HubCopy   = HubEntry [ ShadowRedirect ] Categorize [ AgentInfo ] { GroupDrop } { AgentDrop } Handoffs .
//	HubEntry  = "SMTP RECEIVE" | "DSN DSN" | [ "STOREDRIVER NOTIFYMAPI" ] "STOREDRIVER RECEIVE" .
//	Handoff   = "SMTP SEND" | "SMTP SENDEXTERNAL" | "SMTP FAIL" | Deferral | LegacyHandoff .
//	ForkCopy  = "ROUTING TRANSFER" { AgentDrop } Handoffs .
//	Delivery  = "STOREDRIVER DELIVER" | "STOREDRIVER DELIVERFAIL" | "STOREDRIVER DUPLICATEDELIVER" .
//
// Exchange 2007 and 2010 have no network-message-id column, no MSGTRKMS
// and MSGTRKMD files, no shadow redundancy and no Safety Net events. The
// Mailbox role logs the SUBMIT in its MSGTRKM (both hosts by short name,
// as the real 2007 row); the transport that picks the item up logs a
// STOREDRIVER RECEIVE naming the mailbox server as client (after a
// NOTIFYMAPI with no host and no id in 2010, as the real 2010 rows), and
// its own store driver delivers (DELIVER in its MSGTRK, the mailbox server
// in server-hostname, no SMTP session), defers and fails (STOREDRIVER
// DEFER and FAIL, ROUTING FAIL for a recipient not found). Exchange 2007
// writes 21 columns and only the 2007 events of §9.1: no AGENTINFO, DROP,
// DUPLICATEEXPAND, DUPLICATEREDIRECT (a REDIRECT instead), NOTIFYMAPI or
// LOAD. The simulator otherwise keeps the 2013+ topology (each Mailbox
// server runs a transport).

// # What it models, and from where
//
// Where this package and the format specification (format.md in the
// shared docs) disagree, the specification wins; these are the points the
// correlator's truth tests rest on:
//
//	REDIRECT rows: recipient-address the original, related-recipient-address the target   §4
//	DELIVER-type rows name the local host in client-hostname                              §4
//	STOREDRIVER submission rows name the mailbox server as client, the hub as server      §4
//	2007/2010 Mailbox role rows in MSGTRKM files, SUBMIT naming another server's hub      §1.1, §4
//	2007/2010 transports pick store submissions up and deliver themselves (STOREDRIVER)   §1.1, §4
//	2007: 21 columns, the 2007 event set                                                  §2, §9.1
//	PROCESSMEETINGMESSAGE: internal-message-id holds the message-id                      §4, §9.3
//	LOAD (BOOTLOADER) after a transport restart, under the same or a new id               §9.1
//	NDRs born in a DSN row on the hub (a mailbox server) or on the Edge; origin that row  §6, §9.3
//	a hub routing to the Edge through an "EdgeSync - …" connector (half the messages)    §4 connector-id
//	server folders named otherwise (Config.Folders: FQDN, lower case, mbx-a, flat)        §4 (the rows name the server)
//	subsets of the servers' logs (drop FileTruth.Server's files; tests do)                §1.2 gaps
//	clock skew between servers (Config.MaxSkew)                                           §10
//	a mail loop of up to 10^4 rows of one message (MailLoop), SEND replies naming the copy  §6, §8, §10
//	Internet sends: SENDEXTERNAL from 2016, SEND before (Org.InternetConnector or EdgeSync)  §9.1
//	shadow redundancy, Safety Net, duplicates, files collected twice or cut               §6, §10
//
// # Files
//
// dir/<SERVER>/MSGTRK<yyyymmdd>-<n>.LOG (and MSGTRKMS…, MSGTRKMD… on
// Mailbox servers from 2013 on, MSGTRKM… in 2007 and 2010; the folder as
// [Config.Folders] says): UTF-8 with BOM, CRLF, a 5-line header
// (#Software, #Version of the release, #Log-type, #Date of the first row,
// #Fields of the release's layout), rows in the server's time order. A new
// file starts at each UTC day of the server's clock and before a row would
// take a file past [Config.MaxFileBytes]. Rows are rendered with
// msgtrk.AppendField (the escaping of msgtrk.Writer) and every row decodes
// with packages msgtrk, messageinfo, sourcecontext, recipstatus and
// eventdata (a test checks it). [Config.MaxSkew] shifts each server's
// clock; [Config.DuplicateFiles] writes copies under
// <SERVER>/MessageTracking/; [Config.TruncateFiles] cuts the last line of
// files that end with an AGENTINFO or HADISCARD row.
//
// # The truth
//
// [Truth] is computed from the simulator's model, not by reading the rows
// back: per message its key (network-message-id, or message-id and sender
// in 2010), origin, hops with their causal depth, every final recipient's
// outcome (delivered, sent_external, failed, dropped, pending) with the
// server that logged it, group expansions, the NDR link, and counts of
// rows, shadow rows and duplicate rows; per file its rows, copy and cut
// line. Tests check the truth against an independent reading of the rows.
// [TruthWriter] and [ReadTruth] store it as JSON Lines (cmd/mtsim's
// truth.jsonl).
//
// # Memory, speed, concurrency
//
// Messages are generated in time order; each file (or the merged stream)
// has a reorder buffer that holds only rows that a later message could
// still precede, so memory depends on Rate and the longest message (about
// ten minutes of DEFER), not on Messages. With [Config.OnMessage] the truth
// is handed out message by message as well. Generation runs at about
// 200,000 to 280,000 rows per second on one core (go test ./msgtrktest
// -run '^$' -bench BenchmarkGenerate, on a shared 2-core machine). A [Sim]
// is immutable and safe for concurrent use; each write call generates the
// traffic afresh.
package msgtrktest
