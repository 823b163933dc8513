package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/filter"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/smtplog"
)

// sessionFilter selects sessions for the sessions command.
type sessionFilter struct {
	prefixes    []netip.Prefix // remote address (or proxied client) inside one of them
	connectors  []string       // connector-id (or connectivity source/destination) containing one, lower case
	servers     []string       // key server equal to one, lower case
	kinds       []msgtrk.LogKind
	tls         string // "", "yes", "no"
	auth        string // "", "none", "any", "ok", "failed", or a mechanism (upper case)
	start, end  time.Time
	minMessages int64
}

// match reports whether s passes every filter given.
func (f *sessionFilter) match(s *smtplog.Session) bool {
	if len(f.prefixes) > 0 {
		ok := false
		for _, p := range f.prefixes {
			if (s.Remote.IsValid() && p.Contains(s.Remote.Addr().Unmap())) || (s.Proxy.IP.IsValid() && p.Contains(s.Proxy.IP.Unmap())) || anyConnected(p, s.Connected) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(f.connectors) > 0 && !containsAny(strings.ToLower(s.Connector+"\x00"+s.Source+"\x00"+s.Destination), f.connectors) {
		return false
	}
	if len(f.servers) > 0 && !equalsAny(strings.ToLower(s.Key.Server), f.servers) {
		return false
	}
	if len(f.kinds) > 0 {
		ok := false
		for _, k := range f.kinds {
			ok = ok || s.Key.Kind == k
		}
		if !ok {
			return false
		}
	}
	switch f.tls {
	case "yes":
		if !s.UsedTLS() {
			return false
		}
	case "no":
		if s.UsedTLS() {
			return false
		}
	}
	switch f.auth {
	case "":
	case "none":
		if s.Auth.Result != smtplog.AuthNone {
			return false
		}
	case "any":
		if s.Auth.Result == smtplog.AuthNone {
			return false
		}
	case "ok":
		if s.Auth.Result != smtplog.AuthOK {
			return false
		}
	case "failed":
		if s.Auth.Result != smtplog.AuthFailed {
			return false
		}
	default:
		if !strings.EqualFold(s.Auth.Mechanism, f.auth) && !strings.EqualFold(strings.TrimPrefix(s.Auth.Mechanism, "X-EXPS "), f.auth) {
			return false
		}
	}
	// A session overlaps [start, end).
	if !f.start.IsZero() && s.End.Before(f.start) {
		return false
	}
	if !f.end.IsZero() && !s.Start.Before(f.end) {
		return false
	}
	return s.MessageCount() >= f.minMessages
}

func anyConnected(p netip.Prefix, addrs []netip.Addr) bool {
	for _, a := range addrs {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func equalsAny(s string, list []string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

const sessionsUsage = `usage: mailtrace sessions [flags] PATH...

SMTP sessions from Exchange protocol logs (RECV*.LOG, SEND*.LOG) and outbound
connections from connectivity logs (CONNECTLOG*.LOG): one line per session
with the remote address, connector, TLS, authentication, messages, bytes,
duration and how it ended. Sessions are listed as they end; one whose end is
not in the logs read is listed with "open" (the input ended) or "idle" (no
row for -idle). PATH is a log file, a directory of logs (searched for those
names, the server and transport service taken from the folders), or -.

Protocol logging is off by default on most connectors; see the README for how
to turn it on.

flags:
`

func runSessions(args []string, stdout, stderr io.Writer) error {
	c := newCommon("sessions", stderr, false)
	out := c.addOutputFlags(formatTable, formatCSV, formatJSONL, formatJSON)
	var remotes, connectors, servers, kinds listFlag
	c.fs.Var(&remotes, "remote", "only sessions with this remote address, or a client proxied from it (IP or CIDR; repeatable)")
	c.fs.Var(&connectors, "connector", "only sessions whose connector (or connectivity source or destination) contains this text, any case")
	c.fs.Var(&servers, "server", "only sessions logged by this server")
	c.fs.Var(&kinds, "kind", "only these logs: receive, send, connectivity")
	tlsFlag := c.fs.String("tls", "", "only sessions with TLS (yes) or without (no)")
	authFlag := c.fs.String("auth", "", "only sessions that did not authenticate (none), did (any), succeeded (ok), failed (failed), or used this mechanism (LOGIN, NTLM, GSSAPI…)")
	start := c.fs.String("start", "", "only sessions active at or after this time (2024-01-25, 2024-01-25T15:04, or RFC 3339)")
	end := c.fs.String("end", "", "only sessions that began before this time")
	minMessages := c.fs.Int64("min-messages", 0, "only sessions that carried at least this many messages")
	idle := c.fs.Duration("idle", smtplog.DefaultIdle, "end a session with no row for this long (log time)")
	c.fs.Usage = func() {
		fmt.Fprint(stderr, sessionsUsage)
		c.fs.PrintDefaults()
	}
	paths, err := c.parse(args)
	if err != nil {
		return err
	}
	var f sessionFilter
	for _, r := range remotes {
		p, err := filter.ParsePrefix(r)
		if err != nil {
			return usagef("-remote: %v", unprefixed(err))
		}
		f.prefixes = append(f.prefixes, p)
	}
	for _, s := range connectors {
		f.connectors = append(f.connectors, strings.ToLower(s))
	}
	for _, s := range servers {
		f.servers = append(f.servers, strings.ToLower(s))
	}
	for _, k := range kinds {
		switch strings.ToLower(k) {
		case "receive", "recv":
			f.kinds = append(f.kinds, msgtrk.LogSmtpReceive)
		case "send":
			f.kinds = append(f.kinds, msgtrk.LogSmtpSend)
		case "connectivity", "connect", "connectlog":
			f.kinds = append(f.kinds, msgtrk.LogConnectivity)
		default:
			return usagef("-kind: %q is not receive, send or connectivity", k)
		}
	}
	switch f.tls = strings.ToLower(*tlsFlag); f.tls {
	case "", "yes", "no":
	default:
		return usagef("-tls: %q is not yes or no", *tlsFlag)
	}
	f.auth = strings.ToLower(*authFlag)
	if f.auth != "" && f.auth != "none" && f.auth != "any" && f.auth != "ok" && f.auth != "failed" {
		f.auth = strings.ToUpper(*authFlag)
	}
	if f.start, err = filter.ParseTime(*start, c.now, c.loc); err != nil {
		return usagef("-start: %v", unprefixed(err))
	}
	if f.end, err = filter.ParseTime(*end, c.now, c.loc); err != nil {
		return usagef("-end: %v", unprefixed(err))
	}
	f.minMessages = *minMessages
	if *idle <= 0 {
		return usagef("-idle must be positive")
	}
	bw := out.writer(stdout)
	defer bw.Flush()
	var w sessionWriter
	switch out.format {
	case formatCSV:
		w = newSessionCSV(bw)
	case formatJSONL, formatJSON:
		w = &sessionJSON{seq: jsonSeq{w: bw, array: out.format == formatJSON}}
	default:
		w = &sessionTable{t: newTable(bw, sessionTableHeader...), loc: c.loc}
	}
	inputs, err := openSessionInputs(paths)
	if err != nil {
		return err
	}
	var writeErr error
	a, err := smtplog.NewAssembler(smtplog.Options{Idle: *idle, OnSession: func(s *smtplog.Session) {
		if writeErr == nil && f.match(s) {
			writeErr = w.write(s)
		}
	}})
	if err != nil {
		return err
	}
	rs, err := c.readSessions(inputs, stderr, a)
	if err != nil {
		return err
	}
	if writeErr != nil {
		return writeErr
	}
	if err := w.close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return rs.err()
}

// openSessionInputs finds the protocol and connectivity logs behind paths.
func openSessionInputs(paths []string) ([]msgtrk.Input, error) {
	inputs, err := smtplog.OpenPaths(paths...)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usagef("%v", err)
		}
		return nil, err
	}
	if len(inputs) == 0 {
		return nil, usagef("no SMTP protocol logs or connectivity logs (RECV*.LOG, SEND*.LOG, CONNECTLOG*.LOG) under %s", strings.Join(paths, ", "))
	}
	return inputs, nil
}

// sessionRead is the outcome of reading protocol logs: the inputs refused
// as not being protocol or connectivity logs.
type sessionRead struct {
	refused []*msgtrk.ParseError
}

// err refuses the run when an input was not a protocol or connectivity
// log: its sessions were not read, and the caller must know.
func (r sessionRead) err() error {
	if len(r.refused) == 0 {
		return nil
	}
	var names []string
	seen := map[string]bool{}
	for _, e := range r.refused {
		if !seen[e.File] {
			seen[e.File] = true
			names = append(names, e.File)
		}
	}
	more := ""
	if len(names) > maxShownWarnings {
		more = fmt.Sprintf(" and %d more", len(names)-maxShownWarnings)
		names = names[:maxShownWarnings]
	}
	return fmt.Errorf("%d input(s) refused, not SMTP protocol logs or connectivity logs: %s%s", len(seen), strings.Join(names, ", "), more)
}

// readSessions reads inputs in date-time order into a. Malformed lines and
// rows are warned about like the tracking-log commands do.
func (c *common) readSessions(inputs []msgtrk.Input, stderr io.Writer, a *smtplog.Assembler) (sessionRead, error) {
	var r sessionRead
	src := c.newSource(inputs, stderr)
	src.GuessFields = false
	sc := smtplog.NewScanner(src)
	if c.strict {
		sc.Mode = msgtrk.Strict
	}
	sc.ErrorHandler = func(e *msgtrk.ParseError) {
		if errors.Is(e, smtplog.ErrNotProtocolLog) {
			r.refused = append(r.refused, e)
			return
		}
		src.ErrorHandler(e)
	}
	for sc.Next() {
		a.Add(sc.Row())
	}
	if err := sc.Err(); err != nil {
		return r, err
	}
	a.Flush()
	return r, src.finish()
}

// remoteOf is the session's peer as the output shows it: the remote
// endpoint (as written when it is not an address), or a connectivity
// session's destination.
func remoteOf(s *smtplog.Session) string {
	if s.Key.Kind == msgtrk.LogConnectivity {
		if len(s.Connected) > 0 {
			return s.Destination + " [" + s.Connected[len(s.Connected)-1].String() + "]"
		}
		return s.Destination
	}
	if s.Remote.IsValid() {
		return s.Remote.String()
	}
	return s.RemoteRaw
}

func tlsOf(s *smtplog.Session) string {
	switch {
	case s.TLS.Version != smtplog.TLSUnknown:
		return s.TLS.Version.String()
	case s.UsedTLS():
		return "yes"
	}
	return "no"
}

func authOf(s *smtplog.Session) string {
	if s.Auth.Result == smtplog.AuthNone {
		return "none"
	}
	a := strings.TrimSpace(s.Auth.Mechanism + " " + s.Auth.Result.String())
	if s.Auth.Identity != "" {
		a += " (" + s.Auth.Identity + ")"
	}
	return a
}

// endOf says how the session ended.
func endOf(s *smtplog.Session) string {
	switch s.Termination {
	case smtplog.TermClosed:
		if s.Key.Kind == msgtrk.LogConnectivity && s.Summary.Failure != "" {
			return s.Summary.Failure + ": " + s.Summary.Reason
		}
		if s.ReasonText == "" {
			return "closed"
		}
		return s.ReasonText
	case smtplog.TermOpen:
		return "open (end not in the logs read)"
	case smtplog.TermIdle:
		return "idle (no end logged)"
	}
	return s.Termination.String()
}

// problemOf is the session's last 4xx/5xx reply or connection failure.
func problemOf(s *smtplog.Session) string {
	switch {
	case !s.LastError.IsZero():
		return s.LastError.String()
	case s.ConnectError != "":
		return s.ConnectError
	}
	return ""
}

type sessionWriter interface {
	write(*smtplog.Session) error
	close() error
}

var sessionTableHeader = []string{"START", "DURATION", "SERVER", "SERVICE", "KIND", "SESSION", "REMOTE", "CONNECTOR", "HELO", "TLS", "AUTH", "MESSAGES", "BYTES", "END", "LAST ERROR"}

// sessionTable writes the sessions as aligned columns (cells escaped for
// the terminal by the shared table).
type sessionTable struct {
	t   *table
	loc *time.Location
	n   int
}

func (w *sessionTable) write(s *smtplog.Session) error {
	w.n++
	t := w.t
	t.cellString(clock(s.Start, w.loc))
	t.cellString(secs(s.Duration()))
	t.cellString(dash(s.Key.Server))
	t.cellString(dash(s.Key.Service))
	t.cellString(smtplog.KindName(s.Key.Kind))
	t.cellString(s.Key.IDString())
	t.cellString(dash(remoteOf(s)))
	t.cellString(dash(connectorOf(s)))
	t.cellString(dash(s.Helo))
	t.cellString(tlsOf(s))
	t.cellString(authOf(s))
	t.cellAppend(func(b []byte) []byte { return strconv.AppendInt(b, s.MessageCount(), 10) })
	t.cellAppend(func(b []byte) []byte { return strconv.AppendInt(b, s.ByteCount(), 10) })
	t.cellString(endOf(s))
	t.cellString(dash(problemOf(s)))
	return t.endRow()
}

// close writes the rows held; a run without sessions prints nothing.
func (w *sessionTable) close() error {
	if w.n == 0 {
		return nil
	}
	return w.t.flush()
}

func connectorOf(s *smtplog.Session) string {
	if s.Key.Kind == msgtrk.LogConnectivity {
		return s.Source
	}
	return s.Connector
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

var sessionColumns = []string{"start", "end", "duration_ms", "server", "service", "kind", "session_id", "remote", "remote_ip", "local",
	"connector", "helo", "tls", "tls_protocol", "cipher", "auth_mechanism", "auth_result", "auth_identity", "messages", "bytes",
	"termination", "end_reason", "last_error", "file"}

// sessionCSV writes the sessions for spreadsheets (formula-safe cells).
type sessionCSV struct {
	w      *bufio.Writer
	buf    []byte
	header bool
}

func newSessionCSV(w *bufio.Writer) *sessionCSV { return &sessionCSV{w: w} }

func (c *sessionCSV) write(s *smtplog.Session) error {
	b := c.buf[:0]
	if !c.header {
		for i, col := range sessionColumns {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, col...)
		}
		b = append(b, '\n')
		c.header = true
	}
	tlsUsed := "no"
	if s.UsedTLS() {
		tlsUsed = "yes"
	}
	for i, v := range []string{utc(s.Start), utc(s.End), strconv.FormatInt(s.Duration().Milliseconds(), 10), s.Key.Server, s.Key.Service,
		smtplog.KindName(s.Key.Kind), s.Key.IDString(), remoteOf(s), addrOf(s), localOf(s), connectorOf(s), s.Helo, tlsUsed, s.TLS.Protocol, s.TLS.Cipher,
		s.Auth.Mechanism, s.Auth.Result.String(), s.Auth.Identity, strconv.FormatInt(s.MessageCount(), 10), strconv.FormatInt(s.ByteCount(), 10),
		s.Termination.String(), s.EndReason(), problemOf(s), s.File} {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSVCell(b, v)
	}
	b = append(b, '\n')
	c.buf = b
	_, err := c.w.Write(b)
	return err
}

func (c *sessionCSV) close() error { return nil }

// utc formats a time as RFC 3339 with milliseconds, in UTC; "" for zero.
func utc(t time.Time) string { return msgtrk.FormatTime(t) }

func addrOf(s *smtplog.Session) string {
	if s.Remote.IsValid() {
		return s.Remote.Addr().String()
	}
	if len(s.Connected) > 0 {
		return s.Connected[len(s.Connected)-1].String()
	}
	return ""
}

func localOf(s *smtplog.Session) string {
	if s.Local.IsValid() {
		return s.Local.String()
	}
	return s.LocalRaw
}

// sessionJSON writes the session object (smtplog.Session.MarshalJSON): one
// per line (jsonl) or in one array (json).
type sessionJSON struct{ seq jsonSeq }

func (w *sessionJSON) write(s *smtplog.Session) error {
	b, err := s.MarshalJSON()
	if err != nil {
		return err
	}
	return w.seq.write(b)
}

func (w *sessionJSON) close() error { return w.seq.close() }
