// Command mailtrace answers questions about Exchange message tracking logs
// (MSGTRK*.LOG files) copied from any number of servers.
//
//	mailtrace events [filters] PATH...      events, like Get-MessageTrackingLog
//	mailtrace trace [filters] PATH...       one correlated trace per message
//	mailtrace stats PATH...                 counts, top talkers, latency percentiles
//	mailtrace submitters PATH...            who submits mail, how, from where
//	mailtrace sessions [filters] PATH...    SMTP sessions from protocol and connectivity logs
//
// PATH is a file (any name, gzipped or not), a directory searched for
// MSGTRK, MSGTRKMS, MSGTRKMD, MSGTRKMA and MSGTRKM files (laid out as
// DIR/<server>/…; the rows, not the folders, say which server wrote them),
// or - for standard input. A file is told by its content (package filekind):
// a tracking log in UTF-8 or UTF-16, or an export (Get-MessageTrackingLog
// through Export-Csv or Format-List, an Exchange Online message trace or
// historical search report; package export), which a directory may hold too.
// Run "mailtrace COMMAND -h" for a command's flags.
//
// Exit status: 0 on success (malformed lines are warned about on standard
// error), 1 when the work failed (a file named on the command line that is
// not tracking data, no row read at all, unreadable input, or a malformed
// line with -strict), 2 for a usage error (unknown command, bad flag value,
// missing path).
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
