package correlate

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// Context is what building one message's trace needs to know of the whole
// organisation beyond the message's own rows. A Tracker learns it from
// every row it sees; BuildTrace is told.
type Context struct {
	// Servers are the servers whose logs are in the input (short names or
	// FQDNs, any case): a hand-over to one of them is followed in its
	// logs, a hand-over to any other host leaves the logs.
	Servers []string
	// EdgeServers are the Edge Transport servers, as Options.EdgeServers.
	EdgeServers []string
	// AcceptedDomains are the domains the organisation receives mail for,
	// as Options.AcceptedDomains (here the whole list: BuildTrace learns
	// none from the rows of one message).
	AcceptedDomains []string
	// Files maps an input's name (Record.Origin().File) to the server
	// that wrote it, as decided over the whole input (FileVote,
	// Tracker.InputServers). Rows of inputs not listed go by what they
	// name themselves, and the input's location. When files spell one
	// server differently (EX01, ex01.contoso.com), the spelling of the
	// first file by name is the server's name, unless Logs spelt it first.
	Files map[string]string
	// Logs says which services' logs of each server are in the input, and
	// from when (Tracker.Logs over the whole input): a hand-over to a
	// service whose logs are missing, or begin after the hand-over, makes
	// its recipients handed_off and names it in Trace.MissingLogs. A server
	// named in Servers or Files but not here counts as having the logs of
	// every service; BuildTrace never learns this from the rows of one
	// message.
	Logs []ServerLogs
	// DSNLinks maps a message-id to the Key of the message that has it,
	// for the messages an NDR among the rows may report on (see
	// Trace.DSNFor); nil when not known.
	DSNLinks map[string]string
}

// BuildTrace builds the Trace of one message from all of its rows, with the
// same rules and code as a Tracker, independently of the order of rows:
// the pure entry point for programs that group rows themselves (by KeyOf)
// and build each message on its own, such as the Beam pipeline. The rows
// are not retained or modified. It returns an error when the rows are not
// of exactly one message (KeyOf ties them into several, or a row has no
// key). The trace's Reason is ReasonComplete or ReasonExpired (every
// recipient's outcome final, or not).
func BuildTrace(rows []*msgtrk.Record, ctx Context) (*Trace, error) {
	sorted := slices.Clone(rows)
	slices.SortFunc(sorted, compareRows)
	var out []*Trace
	t, err := New(Options{EdgeServers: ctx.EdgeServers, AcceptedDomains: ctx.AcceptedDomains, OnTrace: func(tr *Trace) { out = append(out, tr) }})
	if err != nil {
		return nil, err
	}
	for _, s := range ctx.Servers {
		t.MarkServer(s)
	}
	t.dsnLinks = ctx.DSNLinks
	t.org.tellLogs(ctx.Logs)
	if len(ctx.Files) > 0 {
		t.org.fixed = make(map[string]string, len(ctx.Files))
		// In order of name, not of the map: the first spelling of a
		// server is its display name, and a trace must not depend on
		// the map's order when files spell one server differently.
		for _, name := range slices.Sorted(maps.Keys(ctx.Files)) {
			server := ctx.Files[name]
			short := t.org.intern(shortHost(nil, []byte(server)))
			t.org.fixed[name] = short
			t.org.spelling(short, []byte(server))
			t.org.markLogs(short)
		}
	}
	for _, rec := range sorted {
		t.Add(rec)
	}
	t.emitAll(0)
	if len(out) != 1 {
		return nil, fmt.Errorf("correlate: BuildTrace: the %d rows make %d traces, not one message", len(rows), len(out))
	}
	return out[0], nil
}

// compareRows orders rows by time, then input, line and content.
func compareRows(a, b *msgtrk.Record) int {
	ta, errA := a.Time()
	tb, errB := b.Time()
	switch {
	case errA != nil && errB == nil:
		return -1
	case errA == nil && errB != nil:
		return 1
	case errA == nil:
		if c := ta.Compare(tb); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(a.Origin().File, b.Origin().File); c != 0 {
		return c
	}
	if c := cmp.Compare(a.LineNumber(), b.LineNumber()); c != 0 {
		return c
	}
	return bytes.Compare(a.Line(), b.Line())
}
