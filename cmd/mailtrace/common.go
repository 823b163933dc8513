package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/filter"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// listFlag collects a repeatable, comma-separable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// fileFlag collects the names of files of values (repeatable).
type fileFlag []string

func (f *fileFlag) String() string     { return strings.Join(*f, ",") }
func (f *fileFlag) Set(v string) error { *f = append(*f, v); return nil }

// common holds the flags every command shares.
type common struct {
	name   string
	fs     *flag.FlagSet
	quiet  bool
	strict bool
	tzName string
	loc    *time.Location
	out    *output
	stdin  io.Reader
	now    time.Time

	// filters
	start, end                     string
	eventIDs, sources              listFlag
	senders, recipients            listFlag
	messageIDs, networkIDs, intIDs listFlag
	senderFiles, recipientFiles    fileFlag
	messageIDFiles, networkIDFiles fileFlag
	clientIPs, connectors          listFlag
	subject                        string
	servers                        listFlag
	minSize, maxSize               string
	resultSize                     int
	withFilters                    bool
	filter                         filter.Events
	coverage                       *filter.Coverage
	stdinUsed                      string // the flag that read standard input
	checks                         []func() error
	stopRun                        func()   // ends a correlation run early (-result-size)
	inputServers                   []string // the servers the inputs were found under
	inputs                         inputState
}

func newCommon(name string, stderr io.Writer, withFilters bool) *common {
	c := &common{name: name, fs: flag.NewFlagSet("mailtrace "+name, flag.ContinueOnError), withFilters: withFilters, stdin: os.Stdin, now: time.Now()}
	c.fs.SetOutput(stderr)
	c.fs.BoolVar(&c.quiet, "quiet", false, "no progress or warnings on standard error")
	c.fs.BoolVar(&c.strict, "strict", false, "stop at the first malformed line (exit status 1)")
	c.fs.StringVar(&c.tzName, "tz", "UTC", "time zone to show times in (tables and CSV; JSON is always UTC) and to read -start/-end in: UTC, Local, or an IANA name such as Europe/Berlin")
	c.fs.IntVar(&c.resultSize, "result-size", 0, "stop after this many results (rows, messages, recipients or submitters; 0: no limit)")
	if withFilters {
		c.fs.StringVar(&c.start, "start", "", "only events at or after this time: 2024-03-04, \"2024-03-04 08:00\", RFC 3339, today, yesterday, or -24h (before now)")
		c.fs.StringVar(&c.end, "end", "", "only events before this time (same forms as -start)")
		c.fs.Var(&c.eventIDs, "event-id", "only these event ids (RECEIVE,SEND,…; repeatable; raw:NAME for an id this version does not know)")
		c.fs.Var(&c.sources, "source", "only these sources (SMTP,STOREDRIVER,…)")
		c.fs.Var(&c.senders, "sender", "only events with this sender-address or return-path: an address, *@contoso.com or @contoso.com")
		c.fs.Var(&c.recipients, "recipient", "only events listing this recipient (or related recipient): an address, *@contoso.com or @contoso.com")
		c.fs.Var(&c.messageIDs, "message-id", "only this message-id (angle brackets optional)")
		c.fs.Var(&c.networkIDs, "network-message-id", "only this network-message-id")
		c.fs.Var(&c.intIDs, "internal-message-id", "only this internal-message-id")
		c.fs.Var(&c.senderFiles, "sender-file", "read -sender values from FILE, one per line (- for standard input; blank lines and # comments skipped)")
		c.fs.Var(&c.recipientFiles, "recipient-file", "read -recipient values from FILE, one per line")
		c.fs.Var(&c.messageIDFiles, "message-id-file", "read -message-id values from FILE, one per line")
		c.fs.Var(&c.networkIDFiles, "network-message-id-file", "read -network-message-id values from FILE, one per line")
		c.fs.StringVar(&c.subject, "subject", "", "only subjects containing this text (case-insensitive)")
		c.fs.Var(&c.servers, "server", "only events logged by this server")
		c.fs.Var(&c.clientIPs, "client-ip", "only events whose client-ip or original-client-ip is this address or in this CIDR prefix (10.0.0.0/8)")
		c.fs.Var(&c.connectors, "connector", "only events of this connector-id (\"Default EX01\" also matches \"EX01\\Default EX01\")")
		c.fs.StringVar(&c.minSize, "min-size", "", "only messages of at least this size: 5MB, 512KB, or bytes (KB, MB, GB count 1024s, as Exchange does)")
		c.fs.StringVar(&c.maxSize, "max-size", "", "only messages of at most this size")
	}
	return c
}

// parseArgs parses args, flags before and after the paths alike
// ("mailtrace events DIR -event-id RECEIVE"); "--" ends the flags.
func (c *common) parseArgs(args []string) ([]string, error) {
	var paths []string
	for {
		if err := c.fs.Parse(args); err != nil {
			return nil, err
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			return paths, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(paths, rest...), nil
		}
		paths = append(paths, rest[0])
		args = rest[1:]
	}
}

// parse parses args and checks them; it returns the paths.
func (c *common) parse(args []string) ([]string, error) {
	paths, err := c.parseArgs(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usagef("%v", err)
	}
	if c.out != nil {
		if err := c.out.resolve(c); err != nil {
			return nil, err
		}
	}
	loc, err := loadLocation(c.tzName)
	if err != nil {
		return nil, usagef("-tz: %v", err)
	}
	c.loc = loc
	if c.resultSize < 0 {
		return nil, usagef("-result-size must not be negative")
	}
	for _, p := range paths {
		if p == "-" {
			c.stdinUsed = "PATH -"
		}
	}
	if c.withFilters {
		if err := c.compileFilter(); err != nil {
			return nil, err
		}
	}
	for _, check := range c.checks {
		if err := check(); err != nil {
			return nil, err
		}
	}
	if len(paths) == 0 {
		return nil, usagef("no PATH given (a log file, a directory of logs, or -)")
	}
	return paths, nil
}

// compileFilter turns the filter flags into c.filter.
func (c *common) compileFilter() error {
	f := &c.filter
	var err error
	if f.Start, err = filter.ParseTime(c.start, c.now, c.loc); err != nil {
		return usagef("-start: %v", unprefixed(err))
	}
	if f.End, err = filter.ParseTime(c.end, c.now, c.loc); err != nil {
		return usagef("-end: %v", unprefixed(err))
	}
	if !f.Start.IsZero() && !f.End.IsZero() && !f.Start.Before(f.End) {
		if f.Start.Equal(f.End) {
			return usagef("-start and -end are the same time (%s): the window is empty", f.Start.In(c.loc).Format(time.RFC3339))
		}
		return usagef("-start (%s) is after -end (%s)", f.Start.In(c.loc).Format(time.RFC3339), f.End.In(c.loc).Format(time.RFC3339))
	}
	for _, e := range c.eventIDs {
		id, raw, err := filter.ParseEventID(e)
		if err != nil {
			return usagef("-event-id: %v", unprefixed(err))
		}
		if raw != "" {
			f.EventIDRaw = append(f.EventIDRaw, raw)
		} else {
			f.EventIDs = append(f.EventIDs, id)
		}
	}
	for _, s := range c.sources {
		st, err := filter.ParseSource(s)
		if err != nil {
			return usagef("-source: %v", unprefixed(err))
		}
		f.Sources = append(f.Sources, st)
	}
	for _, l := range []struct {
		flag  string
		files fileFlag
		dst   *listFlag
	}{
		{"-sender-file", c.senderFiles, &c.senders},
		{"-recipient-file", c.recipientFiles, &c.recipients},
		{"-message-id-file", c.messageIDFiles, &c.messageIDs},
		{"-network-message-id-file", c.networkIDFiles, &c.networkIDs},
	} {
		for _, name := range l.files {
			vals, err := c.readValues(l.flag, name)
			if err != nil {
				return err
			}
			*l.dst = append(*l.dst, vals...)
		}
	}
	for _, p := range c.clientIPs {
		pr, err := filter.ParsePrefix(p)
		if err != nil {
			return usagef("-client-ip: %v", unprefixed(err))
		}
		f.ClientIPs = append(f.ClientIPs, pr)
	}
	if f.MinSize, err = parseSizeFlag("-min-size", c.minSize); err != nil {
		return err
	}
	if f.MaxSize, err = parseSizeFlag("-max-size", c.maxSize); err != nil {
		return err
	}
	if f.MaxSize > 0 && f.MinSize > f.MaxSize {
		return usagef("-min-size (%d bytes) is above -max-size (%d bytes)", f.MinSize, f.MaxSize)
	}
	f.Senders, f.Recipients = c.senders, c.recipients
	f.MessageIDs, f.NetworkMessageIDs, f.InternalIDs = c.messageIDs, c.networkIDs, c.intIDs
	f.Subject, f.Servers, f.Connectors = c.subject, c.servers, c.connectors
	f.Compile()
	c.coverage = filter.NewCoverage(f)
	return nil
}

func parseSizeFlag(name, v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := filter.ParseSize(v)
	if err != nil {
		return 0, usagef("%s: %v", name, unprefixed(err))
	}
	return n, nil
}

// unprefixed drops the "filter: bad value: " of a filter parse error: the
// flag name says enough.
func unprefixed(err error) string {
	return strings.TrimPrefix(err.Error(), filter.ErrValue.Error()+": ")
}

// readValues reads a file of values for flag; "-" is standard input, which
// only one flag or path may read.
func (c *common) readValues(flagName, name string) ([]string, error) {
	var r io.Reader
	if name == "-" {
		if c.stdinUsed != "" {
			return nil, usagef("%s -: standard input is already read by %s", flagName, c.stdinUsed)
		}
		c.stdinUsed = flagName + " -"
		r = c.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, usagef("%s: %v", flagName, err)
		}
		defer f.Close()
		r = f
	}
	vals, err := filter.ReadValues(r)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flagName, name, err)
	}
	if len(vals) == 0 {
		return nil, usagef("%s %s: no values in the file (one per line; blank lines and # comments are skipped)", flagName, name)
	}
	return vals, nil
}

// filtered reports whether any filter flag selects rows.
func (c *common) filtered() bool {
	f := &c.filter
	return c.withFilters && (!f.Start.IsZero() || !f.End.IsZero() || len(f.EventIDs)+len(f.EventIDRaw)+len(f.Sources)+len(f.Senders)+
		len(f.Recipients)+len(f.MessageIDs)+len(f.NetworkMessageIDs)+len(f.InternalIDs)+len(f.Servers)+len(f.ClientIPs)+len(f.Connectors) > 0 ||
		f.Subject != "" || f.MinSize > 0 || f.MaxSize > 0)
}

// errNoMatch ends a run whose filters selected nothing (exit status 1).
var errNoMatch = errors.New("nothing matched")

// noMatchError reports on standard error which listed values (message ids,
// recipients …) selected nothing, and returns errNoMatch when some did not
// or when nothing at all was selected (n == 0) by a filter.
func (c *common) noMatchError(stderr io.Writer, n int, what string) error {
	var unseen []filter.Unseen
	if c.coverage != nil && !c.limit(n) {
		// (Once -result-size stopped the run, the logs were not all read:
		// a value not seen may lie beyond.)
		unseen = c.coverage.Unseen()
	}
	if len(unseen) > 0 {
		fmt.Fprintf(stderr, "mailtrace: %d value(s) matched nothing:\n", len(unseen))
		servers := false
		for _, u := range unseen {
			fmt.Fprintf(stderr, "  -%s %s\n", u.List, safe(u.Value))
			servers = servers || u.List == filter.ListServers
		}
		if servers && len(c.inputServers) > 0 {
			known := slices.Compact(slices.Sorted(slices.Values(c.inputServers)))
			fmt.Fprintf(stderr, "  (the inputs were found under %s)\n", safe(strings.Join(known, ", ")))
		}
	}
	switch {
	case n == 0 && c.filtered():
		fmt.Fprintf(stderr, "mailtrace: no %s matched\n", what)
		return errNoMatch
	case n == 0 && !c.quiet:
		fmt.Fprintf(stderr, "mailtrace: no %s in the input\n", what)
	case len(unseen) > 0:
		return errNoMatch
	}
	return nil
}

// limit reports whether n results reach -result-size.
func (c *common) limit(n int) bool { return c.resultSize > 0 && n >= c.resultSize }

// stopEarly ends the correlation run under way: -result-size is reached.
func (c *common) stopEarly() {
	if c.stopRun != nil {
		c.stopRun()
	}
}

// limited warns that output stopped at -result-size.
func (c *common) limited(stderr io.Writer, n int, what string) {
	if c.limit(n) && !c.quiet {
		fmt.Fprintf(stderr, "mailtrace: stopped after %d %s (-result-size)\n", n, what)
	}
}

func loadLocation(name string) (*time.Location, error) {
	switch strings.ToLower(name) {
	case "", "utc", "z":
		return time.UTC, nil
	case "local":
		return time.Local, nil
	}
	return time.LoadLocation(name)
}

// openInputs finds the logs behind paths, with usage errors for paths that
// do not exist and an error (exit 1) when they hold no tracking data.
func (c *common) openInputs(paths []string) ([]msgtrk.Input, error) {
	inputs, err := msgtrk.OpenPaths(paths...)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usagef("%v", err)
		}
		return nil, err
	}
	if inputs, err = c.tellInputs(paths, inputs); err != nil {
		return nil, err
	}
	if len(inputs) == 0 {
		// The paths exist: no good row is a failure (exit 1), not a usage
		// error, as for an empty file.
		return nil, fmt.Errorf("no message tracking logs (MSGTRK*.LOG) or exports under %s", strings.Join(paths, ", "))
	}
	for _, in := range inputs {
		if in.Server != "" {
			c.inputServers = append(c.inputServers, in.Server)
		}
	}
	return inputs, nil
}

// source wraps a Merger with the CLI's error reporting and progress.
// With readAhead set before the first Next, the Merger (and with it the
// error handler and the progress display) runs on a goroutine of its own,
// a few thousand rows ahead of the consumer (msgtrk.Readahead); onRow
// runs on the consumer's goroutine, or, with rowAhead too, on the reading
// one (for an onRow that shares nothing with what the consumer does).
type source struct {
	*msgtrk.Merger
	readAhead  bool
	rowAhead   bool
	factsAhead bool // with readAhead: each row's correlate.RowFacts are read there too
	ra         *msgtrk.Readahead
	c          *common
	stderr     io.Writer
	warnings   []*msgtrk.ParseError
	nwarn      int64
	prog       *progress
	onRow      func(*msgtrk.Record)
}

const maxShownWarnings = 5

func (c *common) newSource(inputs []msgtrk.Input, stderr io.Writer) *source {
	s := &source{Merger: msgtrk.NewMerger(inputs), c: c, stderr: stderr}
	if c.strict {
		s.Mode = msgtrk.Strict
	}
	s.GuessFields = true
	s.ErrorHandler = func(e *msgtrk.ParseError) {
		s.nwarn++
		if len(s.warnings) < maxShownWarnings {
			s.warnings = append(s.warnings, e)
		}
	}
	c.inputs.onError = s.ErrorHandler
	if !c.quiet {
		var total int64
		for _, in := range inputs {
			total += in.Size
		}
		s.prog = newProgress(stderr, total)
	}
	return s
}

// Next advances, ticks the progress display and hands the row to onRow.
func (s *source) Next() bool {
	var ok bool
	if s.readAhead {
		if s.ra == nil {
			var prepare func(*msgtrk.Batch, any) any
			if s.factsAhead {
				prepare = correlate.ReadFacts
			}
			s.ra = msgtrk.NewReadaheadFunc(merged{s}, 0, prepare)
		}
		ok = s.ra.Next()
	} else {
		ok = merged{s}.Next()
	}
	if ok && s.onRow != nil && !(s.readAhead && s.rowAhead) {
		s.onRow(s.Record())
	}
	return ok
}

// Record returns the current row, valid until the next Next.
func (s *source) Record() *msgtrk.Record {
	if s.ra != nil {
		return s.ra.Record()
	}
	return s.Merger.Record()
}

// Facts returns the current row's facts when they were read ahead
// (factsAhead), else nil: a correlate.FactSource.
func (s *source) Facts() *correlate.RowFacts {
	if s.ra == nil {
		return nil
	}
	return correlate.PreparedFacts(s.ra)
}

// Close stops reading (the read-ahead first) and closes the inputs.
func (s *source) Close() error {
	if s.ra != nil {
		s.ra.Close()
	}
	return s.Merger.Close()
}

// merged is the source's Merger with the progress display: what is read,
// ahead or not.
type merged struct{ s *source }

func (m merged) Next() bool {
	ok := m.s.Merger.Next()
	if m.s.prog != nil {
		m.s.prog.tick(m.s.Merger)
	}
	if ok && m.s.onRow != nil && m.s.readAhead && m.s.rowAhead {
		m.s.onRow(m.s.Merger.Record())
	}
	return ok
}

func (m merged) Record() *msgtrk.Record { return m.s.Merger.Record() }
func (m merged) Err() error             { return m.s.Merger.Err() }

// finish reports warnings and returns the error that should end the run.
func (s *source) finish() error {
	if s.prog != nil {
		s.prog.done()
	}
	if err := s.Err(); err != nil {
		return err
	}
	s.warn()
	return rowsError(s.Stats().Records)
}

// warn reports the malformed and unreadable lines skipped.
func (s *source) warn() {
	if s.nwarn > 0 && !s.c.quiet {
		fmt.Fprintf(s.stderr, "mailtrace: warning: %d malformed or unreadable line(s) skipped", s.nwarn)
		if s.nwarn > int64(len(s.warnings)) {
			fmt.Fprintf(s.stderr, "; the first %d:", len(s.warnings))
		} else {
			fmt.Fprint(s.stderr, ":")
		}
		fmt.Fprintln(s.stderr)
		for _, w := range s.warnings {
			fmt.Fprintf(s.stderr, "  %s\n", strings.TrimPrefix(w.Error(), "msgtrk: "))
		}
	}
}

// progress shows bytes read and events per second on a terminal.
type progress struct {
	w       io.Writer
	total   int64
	start   time.Time
	last    time.Time
	calls   int
	shown   bool
	enabled bool
}

func newProgress(w io.Writer, total int64) *progress {
	p := &progress{w: w, total: total, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.enabled = true
		}
	}
	return p
}

func (p *progress) tick(m *msgtrk.Merger) {
	if !p.enabled {
		return
	}
	if p.calls++; p.calls%4096 != 0 {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < 500*time.Millisecond {
		return
	}
	p.last = now
	st := m.Stats()
	secs := now.Sub(p.start).Seconds()
	line := fmt.Sprintf("read %s", mb(st.Bytes))
	if p.total > 0 {
		line += fmt.Sprintf(" of %s (%d%%)", mb(p.total), 100*st.Bytes/max(p.total, 1))
	}
	line += fmt.Sprintf(", %s events, %s events/s", strconv.FormatInt(st.Records, 10), strconv.FormatInt(int64(float64(st.Records)/secs), 10))
	fmt.Fprintf(p.w, "\r%-79s", line)
	p.shown = true
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprintf(p.w, "\r%-79s\r", "")
	}
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
