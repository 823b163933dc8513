// Command mailtrace answers questions about Exchange message tracking logs
// (MSGTRK*.LOG files) copied from any number of servers.
//
//	mailtrace events [filters] PATH...      events, like Get-MessageTrackingLog
//	mailtrace trace [filters] PATH...       one correlated trace per message, or the delivery report
//	mailtrace stats [filters] PATH...       counts, top talkers, latency percentiles
//	mailtrace submitters [filters] PATH...  who submits mail, how, from where
//	mailtrace sessions [filters] PATH...    SMTP sessions from protocol and connectivity logs
//	mailtrace help COMMAND                  a command's flags
//	mailtrace version                       module version and VCS revision
//
// PATH is a file (any name, gzipped or not), a directory searched for
// MSGTRK, MSGTRKMS, MSGTRKMD, MSGTRKMA and MSGTRKM files (laid out as
// DIR/<server>/…; the rows, not the folders, say which server wrote them),
// or - for standard input. A file is told by its content (package filekind):
// a tracking log in UTF-8 or UTF-16, or an export (Get-MessageTrackingLog
// through Export-Csv or Format-List, an Exchange Online message trace or
// historical search report; package export), which a directory may hold too.
// Flags may come before or after the paths.
//
// # Output
//
// Every command takes -format table (the default), csv, jsonl (one JSON
// object per line) or json (one array; for stats the one summary object);
// events and the delivery report also parquet (version 1 data pages, zstd),
// trace also dot and mermaid. -json is -format jsonl and -csv is -format
// csv. JSON keys are snake_case, numbers are numbers, lists are arrays
// ([] when empty, never null), times are RFC 3339 in UTC with
// milliseconds whatever -tz says, and every object carries "v": 1. CSV
// cells from the logs that a spreadsheet would read as a formula (starting
// with =, +, -, @, tab or carriage return, as OWASP's CSV Injection page
// lists them; plain numbers excepted) get an apostrophe in front; -excel
// starts the file with a UTF-8 byte order mark. Tables and the trace view
// print control characters from the logs as escapes (\r, \x1b, \u202e).
//
// The events object (events -format jsonl), version 1, field by field:
//
//	v                     1
//	timestamp             date-time as a time, null when it does not read as one
//	server                the server that logged the row
//	file, line            where the row was read
//	date_time             date-time as written
//	client_ip, client_hostname, server_ip, server_hostname, source_context,
//	connector_id, source, event_id, internal_message_id, message_id,
//	network_message_id, related_recipient_address, message_subject (its \r
//	and \n escapes decoded), sender_address, return_path, message_info,
//	directionality, tenant_id, original_client_ip, original_server_ip,
//	transport_traffic_type, log_id, schema_version
//	                      the column of that #Fields: name (dashes become
//	                      underscores), a string, "" when empty or absent
//	recipient_address, recipient_status, reference, custom_data
//	                      the list columns, arrays of their members
//	total_bytes, recipient_count
//	                      numbers, null when empty or not a number
//	extra                 {name: value} of the columns that are none of the above
//
// The trace object is described in package correlate; the delivery object
// (trace -recipients) has time, sender, recipient, subject, status, detail
// (the reason, decoded), client_ip, remote_host, remote_ip, remote_reply,
// size, message_id, network_message_id, latency_seconds, groups, server,
// received, resolved_from, redirected_to and key. trace -smtp adds to
// the trace object "sessions" (each with the session object of sessions
// -format jsonl, transcript included) and each recipient's
// "smtp_attempts". The README's "Output
// formats" section types every field of every object, and TestJSONSchemas
// holds the outputs to it.
//
// # Exit status
//
// 0 on success (malformed lines are warned about on standard error); 1 when
// the work failed (a file named on the command line that is not tracking
// data, no row read at all, unreadable input, or a malformed line with
// -strict) or when a filter matched nothing, or some values of a -message-id-file (or
// another list) matched nothing (named on standard error); 2 for a usage
// error (unknown command, bad flag value, a start after the end, missing
// path).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	_ "time/tzdata" // -tz works on machines without a zoneinfo database (Windows)
)

const usage = `usage: mailtrace COMMAND [flags] PATH...

commands:
  events      list events, filtered like Get-MessageTrackingLog
  trace       correlate events into one trace per message, or the delivery report
  stats       unique messages, deliveries, top senders, latency percentiles
  submitters  who submits mail: client IPs, auth, protocol (anonymous first)
  sessions    SMTP sessions from protocol logs (RECV/SEND) and connectivity logs
  help        help on a command: mailtrace help trace
  version     the module version and VCS revision of this binary

PATH is a log file, a directory of logs (DIR/<server>/MSGTRK*.LOG), or - for
standard input; flags may come before or after the paths. Every command takes
-format (table, csv, jsonl, json). "mailtrace help COMMAND" lists a command's
flags.
`

// errUsage marks errors that are the caller's mistake (exit status 2).
var errUsage = errors.New("usage")

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }
func (e *usageError) Unwrap() error { return errUsage }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// commands maps each command name to its function.
var commands = map[string]func(args []string, stdout, stderr io.Writer) error{
	"events":     runEvents,
	"trace":      runTrace,
	"stats":      runStats,
	"submitters": runSubmitters,
	"sessions":   runSessions,
}

// run executes one command line and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd := commands[args[0]]; {
	case cmd != nil:
		err = cmd(args[1:], stdout, stderr)
	case args[0] == "version" || args[0] == "-version" || args[0] == "--version":
		err = runVersion(args[1:], stdout)
	case args[0] == "help" && len(args) > 1:
		if commands[args[1]] == nil {
			fmt.Fprintf(stderr, "mailtrace help: unknown command %q\n\n%s", args[1], usage)
			return 2
		}
		// The command's -h prints its usage and flags to stderr; help asked
		// for is output.
		commands[args[1]]([]string{"-h"}, stdout, stdout)
		return 0
	case args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "mailtrace: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errNoMatch):
		return 1 // already explained on standard error
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "mailtrace %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(stderr, "mailtrace %s: %v\n", args[0], err)
		return 1
	}
}
