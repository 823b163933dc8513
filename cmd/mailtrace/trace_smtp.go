package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/filekind"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/smtplog"
)

// smtpLead is how far past an SMTP row the protocol logs are read before
// the row's sessions are looked up: the receiving end logs its row at the
// end of DATA and the session ends a little later (at QUIT, or at the
// connector's inactivity timeout, 5 minutes by default), and servers'
// clocks differ.
const smtpLead = 5 * time.Minute

// smtpIndexKeep is how long a session stays in the index after it ended
// (log time): the rows that name it come before its end, or seconds after
// it (a SEND, a DEFER), give or take the servers' clock skew. A session a
// row found is then held with the row until its trace is written.
const smtpIndexKeep = smtpLead + 5*time.Minute

// defaultSMTPKeep is -smtp-keep's default.
const defaultSMTPKeep = 6 * time.Hour

// smtpFlags are trace's -smtp settings.
type smtpFlags struct {
	on   bool
	keep time.Duration
}

func (c *common) addSMTPFlags() *smtpFlags {
	f := &smtpFlags{}
	c.fs.BoolVar(&f.on, "smtp", false, "join each SMTP hop to its sessions in the protocol and connectivity logs (RECV*.LOG, SEND*.LOG, CONNECTLOG*.LOG) found under the PATHs, and show their transcripts (JSON: \"sessions\" and \"smtp_attempts\")")
	c.fs.DurationVar(&f.keep, "smtp-keep", defaultSMTPKeep, "with -smtp: how long (log time) the sessions a row found are held for its trace; a message whose trace takes longer to complete loses its earliest sessions")
	c.checks = append(c.checks, func() error {
		if f.keep <= 0 {
			return usagef("-smtp-keep must be positive")
		}
		return nil
	})
	return f
}

// splitSMTPPaths takes out of paths the files named on the command line
// that are protocol or connectivity logs by content (filekind.Sniff): with
// -smtp they are read as such, not refused as tracking data. Directories
// are searched for both.
func splitSMTPPaths(paths []string) (tracking, protocol []string, err error) {
	for _, p := range paths {
		if p != "-" {
			st, err := os.Stat(p)
			if err == nil && !st.IsDir() && isProtocolFile(p) {
				protocol = append(protocol, p)
				continue
			}
			if err == nil && st.IsDir() {
				protocol = append(protocol, p)
			}
		}
		tracking = append(tracking, p)
	}
	if len(tracking) == 0 {
		return nil, nil, usagef("-smtp: no message tracking logs among %s: the protocol logs are joined to traces", strings.Join(paths, ", "))
	}
	return tracking, protocol, nil
}

// isProtocolFile tells a protocol or connectivity log by its first bytes.
func isProtocolFile(p string) bool {
	in, err := msgtrk.OpenPaths(p)
	if err != nil || len(in) != 1 {
		return false
	}
	r, err := in[0].Open()
	if err != nil {
		return false
	}
	defer r.Close()
	head := make([]byte, filekind.SniffBytes)
	n, _ := io.ReadFull(r, head)
	switch filekind.Sniff(head[:n]).Kind {
	case filekind.SMTPReceiveLog, filekind.SMTPSendLog, filekind.ConnectivityLog:
		return true
	}
	return false
}

// smtpJoin reads the protocol and connectivity logs alongside the tracking
// logs, a few minutes ahead of them, into a short time-bounded index: each
// SMTP row is resolved to its sessions as it is read
// (correlate.ResolveSessions), and the sessions are held with the row's
// key until its trace is emitted and joined (correlate.JoinSessionsWith).
// Memory is the last smtpIndexKeep of protocol logs plus the sessions of
// the rows of traces not yet complete, at most -smtp-keep old.
type smtpJoin struct {
	c       *common
	stderr  io.Writer
	src     *source
	sc      *smtplog.Scanner
	a       *smtplog.Assembler
	x       smtplog.Index
	read    time.Time // the latest row time read
	eof     bool
	files   int
	rs      sessionRead
	keep    time.Duration
	held    map[rowKey][]correlate.SessionLink
	queue   []heldRow // held rows in the order read
	head    int
	last    time.Time // the latest tracking row time
	rows    int       // SMTP rows of the traces joined
	found   int       // of them, joined to a session
	expired int       // rows whose sessions were let go before their trace came
}

// rowKey identifies an SMTP row in the tracking logs and in Trace.SMTPRows
// alike; its server is left out, since the two may name it differently.
type rowKey struct {
	event    msgtrk.EventType
	time     int64
	internal string
	context  string
}

type heldRow struct {
	key  rowKey
	time time.Time
}

func keyOf(r *correlate.SMTPRow) rowKey {
	return rowKey{r.Event, r.Time.UnixNano(), r.InternalID, r.Context}
}

// newSMTPJoin finds the protocol and connectivity logs under paths; nil
// (with a warning) when there are none.
func (c *common) newSMTPJoin(paths []string, f *smtpFlags, stderr io.Writer) (*smtpJoin, error) {
	inputs, err := smtplog.OpenPaths(paths...)
	if err != nil {
		return nil, err
	}
	if len(inputs) == 0 {
		if !c.quiet {
			fmt.Fprintf(stderr, "mailtrace: warning: -smtp: no SMTP protocol logs or connectivity logs (RECV*.LOG, SEND*.LOG, CONNECTLOG*.LOG) under %s; see the README for how to turn protocol logging on\n", strings.Join(paths, ", "))
		}
		return nil, nil
	}
	j := &smtpJoin{c: c, stderr: stderr, files: len(inputs), keep: f.keep, held: map[rowKey][]correlate.SessionLink{}}
	j.x.Keep = smtpIndexKeep
	// A source of its own, without the progress display and the export
	// errors hook of the tracking logs' source.
	s := &source{Merger: msgtrk.NewMerger(inputs), c: c, stderr: stderr}
	if c.strict {
		s.Mode = msgtrk.Strict
	}
	s.ErrorHandler = func(e *msgtrk.ParseError) {
		s.nwarn++
		if len(s.warnings) < maxShownWarnings {
			s.warnings = append(s.warnings, e)
		}
	}
	j.src = s
	j.sc = smtplog.NewScanner(s)
	j.sc.Mode = s.Mode
	j.sc.ErrorHandler = func(e *msgtrk.ParseError) {
		if errors.Is(e, smtplog.ErrNotProtocolLog) {
			j.rs.refused = append(j.rs.refused, e)
			return
		}
		s.ErrorHandler(e)
	}
	j.a, err = smtplog.NewAssembler(smtplog.Options{OnSession: j.x.Add, Transcript: true})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// upTo reads the protocol logs until a row later than t (or their end).
func (j *smtpJoin) upTo(t time.Time) {
	for !j.eof && !j.read.After(t) {
		if !j.sc.Next() {
			j.eof = true
			j.a.Flush() // sessions whose end is not in the logs are found too
			return
		}
		r := j.sc.Row()
		j.a.Add(r)
		if r.Time.After(j.read) {
			j.read = r.Time
		}
	}
}

// onRow resolves a tracking row's sessions as it is read and holds them
// for its trace.
func (j *smtpJoin) onRow(rec *msgtrk.Record) {
	r, ok := correlate.SMTPRowOf(rec)
	if !ok {
		return
	}
	k := keyOf(&r)
	if _, dup := j.held[k]; dup {
		return // the same row from a file collected twice
	}
	if r.Time.After(j.last) {
		j.last = r.Time
	}
	j.upTo(r.Time.Add(smtpLead))
	links := correlate.ResolveSessions(&j.x, &r, string(rec.Field(msgtrk.MessageID)))
	if folder := rec.Origin().Server; len(links) == 0 && folder != "" && !strings.EqualFold(folder, r.Server) {
		// The protocol logs' server comes from their folders: try the
		// name the tracking log's folder gives too.
		r.Server = folder
		links = correlate.ResolveSessions(&j.x, &r, string(rec.Field(msgtrk.MessageID)))
	}
	j.held[k] = links
	j.queue = append(j.queue, heldRow{k, r.Time})
	j.expire()
}

// expire lets go of the sessions of rows read more than keep ago whose
// trace has not come.
func (j *smtpJoin) expire() {
	for j.head < len(j.queue) && j.last.Sub(j.queue[j.head].time) > j.keep {
		k := j.queue[j.head].key
		if _, ok := j.held[k]; ok {
			delete(j.held, k)
			j.expired++
		}
		j.queue[j.head] = heldRow{}
		j.head++
	}
	if j.head > 1024 && j.head*2 > len(j.queue) {
		j.queue = append(j.queue[:0], j.queue[j.head:]...)
		j.head = 0
	}
}

// join joins t to the sessions its SMTP rows found.
func (j *smtpJoin) join(t *correlate.Trace) {
	if j == nil {
		return
	}
	correlate.JoinSessionsWith(t, func(r *correlate.SMTPRow) []correlate.SessionLink {
		k := keyOf(r)
		links := j.held[k]
		delete(j.held, k)
		return links
	})
	// A FAIL need not have a session (the categorizer's, the store
	// driver's), nor a row that names none (a 2007 or 2010 store driver's
	// DELIVER): the count is of the other rows.
	joined := make(map[int]bool, len(t.Sessions))
	for _, l := range t.Sessions {
		joined[l.Row] = true
	}
	for i := range t.SMTPRows {
		if t.SMTPRows[i].Event == msgtrk.EventFail || !t.SMTPRows[i].NamesSession() {
			continue
		}
		j.rows++
		if joined[i] {
			j.found++
		}
	}
}

// release lets go of the sessions held for a trace that is not shown.
func (j *smtpJoin) release(t *correlate.Trace) {
	if j == nil {
		return
	}
	for i := range t.SMTPRows {
		delete(j.held, keyOf(&t.SMTPRows[i]))
	}
}

// finish reports the protocol logs' malformed lines, the inputs refused,
// and how many SMTP rows found no session.
func (j *smtpJoin) finish() error {
	if j == nil {
		return nil
	}
	if err := j.sc.Err(); err != nil {
		return err
	}
	if err := j.src.Err(); err != nil {
		return err
	}
	j.src.warn()
	if j.c.quiet {
		return nil
	}
	if err := j.rs.err(); err != nil {
		fmt.Fprintf(j.stderr, "mailtrace: warning: -smtp: %v\n", err)
	}
	if miss := j.rows - j.found; miss > 0 {
		fmt.Fprintf(j.stderr, "mailtrace: note: -smtp: %d of %d SMTP rows of the traces shown found no session in the %d protocol and connectivity log(s) read (protocol logging off on a connector, a file not collected", miss, j.rows, j.files)
		if j.expired > 0 {
			fmt.Fprintf(j.stderr, ", or a message that took longer than -smtp-keep %v", j.keep)
		}
		fmt.Fprintln(j.stderr, ")")
	}
	return nil
}

// writeTraceSMTP prints the sessions joined to t, hop by hop, each with
// its transcript, and the SMTP attempts of its recipients. Nothing when t
// was not joined.
func writeTraceSMTP(w io.Writer, t *correlate.Trace, loc *time.Location) {
	if t.Sessions == nil {
		return
	}
	if len(t.Sessions) == 0 {
		fmt.Fprintln(w, "  SMTP:       no session of this message in the protocol logs read")
	} else {
		fmt.Fprintln(w, "  SMTP:")
	}
	for _, l := range t.Sessions {
		row := &t.SMTPRows[l.Row]
		hop := "-"
		if l.Hop >= 0 {
			h := &t.Hops[l.Hop]
			hop = fmt.Sprintf("%d %s %s", h.Depth, h.Server, h.Role)
		}
		fmt.Fprintf(w, "    [%s] %s %s: %s\n", safe(hop), row.Event, strings.ReplaceAll(l.Side, "_", " "), safe(sessionLine(l.Session, l.Message)))
		for _, x := range l.Session.Transcript {
			line := x.Data
			if x.Context != "" {
				if line != "" {
					line += "  "
				}
				line += "(" + x.Context + ")"
			}
			fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("      %s %c %s", clock(x.Time, loc), x.Event.Char(), safe(line)), " "))
		}
		if n := l.Session.DroppedLines; n > 0 {
			fmt.Fprintf(w, "      … %d more lines\n", n)
		}
	}
	attempts := false
	for _, r := range t.Recipients {
		for _, a := range r.Attempts {
			if !attempts {
				fmt.Fprintln(w, "  Attempts:   (the send logs' replies to each recipient)")
				attempts = true
			}
			line := fmt.Sprintf("    %s  %s from %s session %s to %s: RCPT %s", r.Address, clock(a.Time, loc), a.Server, a.SessionID, attemptRemote(a), orDash(a.RcptReply))
			if a.Reply != "" {
				line += "; DATA " + a.Reply
			}
			fmt.Fprintln(w, safe(line))
		}
	}
}

// sessionLine is the one-line description of a session: where, who, TLS,
// AUTH, messages and how it ended.
func sessionLine(s *smtplog.Session, msg int) string {
	var b strings.Builder
	b.WriteString(smtplog.KindName(s.Key.Kind) + " session " + s.Key.IDString() + " on " + s.Key.Server)
	if s.Key.Service != "" {
		b.WriteString(" (" + s.Key.Service + ")")
	}
	if r := remoteOf(s); r != "" {
		b.WriteString(", remote " + r)
	}
	if s.Connector != "" {
		b.WriteString(", connector " + s.Connector)
	}
	if s.Key.Kind != msgtrk.LogConnectivity {
		if s.UsedTLS() {
			tls := "TLS"
			if s.TLS.Version != smtplog.TLSUnknown {
				tls = s.TLS.Version.String()
			}
			b.WriteString(", " + tls)
		} else {
			b.WriteString(", no TLS")
		}
		if s.Auth.Result != smtplog.AuthNone {
			b.WriteString(", AUTH " + s.Auth.Mechanism + " " + s.Auth.Result.String())
		}
		if msg >= 0 {
			b.WriteString(", message " + strconv.Itoa(msg+1) + " of " + strconv.Itoa(len(s.Messages)))
		}
	}
	b.WriteString(", " + s.Termination.String())
	if r := s.EndReason(); r != "" {
		b.WriteString(": " + r)
	}
	return b.String()
}

func attemptRemote(a correlate.SMTPAttempt) string {
	if a.Remote.IsValid() {
		return a.Remote.String()
	}
	return orDash(a.RemoteRaw)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
