package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

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

// common holds the flags every command shares.
type common struct {
	fs     *flag.FlagSet
	quiet  bool
	strict bool
	tzName string
	loc    *time.Location

	// filters
	start, end                     string
	eventIDs, sources              listFlag
	senders, recipients            listFlag
	messageIDs, networkIDs, intIDs listFlag
	subject                        string
	servers                        listFlag
	minSize                        int64
	withFilters                    bool
	filter                         filter.Events
}

func newCommon(name string, stderr io.Writer, withFilters bool) *common {
	c := &common{fs: flag.NewFlagSet("mailtrace "+name, flag.ContinueOnError), withFilters: withFilters}
	c.fs.SetOutput(stderr)
	c.fs.BoolVar(&c.quiet, "quiet", false, "no progress or warnings on standard error")
	c.fs.BoolVar(&c.strict, "strict", false, "stop at the first malformed line (exit status 1)")
	c.fs.StringVar(&c.tzName, "tz", "UTC", "time zone to show times in and to read -start/-end in (UTC, Local, or an IANA name such as Europe/Berlin)")
	if withFilters {
		c.fs.StringVar(&c.start, "start", "", "only events at or after this time (2024-01-25, 2024-01-25T15:04, or RFC 3339)")
		c.fs.StringVar(&c.end, "end", "", "only events before this time")
		c.fs.Var(&c.eventIDs, "event-id", "only these event ids (RECEIVE,SEND,…; repeatable)")
		c.fs.Var(&c.sources, "source", "only these sources (SMTP,STOREDRIVER,…)")
		c.fs.Var(&c.senders, "sender", "only events with this sender-address or return-path")
		c.fs.Var(&c.recipients, "recipient", "only events listing this recipient (or related recipient)")
		c.fs.Var(&c.messageIDs, "message-id", "only this message-id (angle brackets optional)")
		c.fs.Var(&c.networkIDs, "network-message-id", "only this network-message-id")
		c.fs.Var(&c.intIDs, "internal-message-id", "only this internal-message-id")
		c.fs.StringVar(&c.subject, "subject", "", "only subjects containing this text (case-insensitive)")
		c.fs.Var(&c.servers, "server", "only events logged by this server")
		c.fs.Int64Var(&c.minSize, "min-size", 0, "only messages of at least this many bytes")
	}
	return c
}

// parse parses args and checks them; it returns the paths.
func (c *common) parse(args []string) ([]string, error) {
	if err := c.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usagef("%v", err)
	}
	loc, err := loadLocation(c.tzName)
	if err != nil {
		return nil, usagef("-tz: %v", err)
	}
	c.loc = loc
	if c.withFilters {
		f := &c.filter
		if f.Start, err = parseWhen(c.start, loc); err != nil {
			return nil, usagef("-start: %v", err)
		}
		if f.End, err = parseWhen(c.end, loc); err != nil {
			return nil, usagef("-end: %v", err)
		}
		for _, e := range c.eventIDs {
			et := msgtrk.ParseEventType([]byte(strings.ToUpper(e)))
			if et == msgtrk.EventUnknown {
				f.EventIDRaw = append(f.EventIDRaw, e)
				continue
			}
			f.EventIDs = append(f.EventIDs, et)
		}
		for _, s := range c.sources {
			st := msgtrk.ParseSourceType([]byte(strings.ToUpper(s)))
			if st == msgtrk.SourceUnknown {
				return nil, usagef("-source: unknown source %q", s)
			}
			f.Sources = append(f.Sources, st)
		}
		f.Senders, f.Recipients = c.senders, c.recipients
		f.MessageIDs, f.NetworkMessageIDs, f.InternalIDs = c.messageIDs, c.networkIDs, c.intIDs
		f.Subject, f.Servers, f.MinSize = c.subject, c.servers, c.minSize
		if c.minSize < 0 {
			return nil, usagef("-min-size: must not be negative")
		}
		f.Compile()
	}
	paths := c.fs.Args()
	if len(paths) == 0 {
		return nil, usagef("no PATH given (a log file, a directory of logs, or -)")
	}
	return paths, nil
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

// parseWhen reads a time given on the command line, in loc unless it carries
// its own offset.
func parseWhen(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time (try 2024-01-25 or 2024-01-25T15:04:05)", s)
}

// openInputs finds the logs behind paths, with usage errors for paths that
// do not exist.
func (c *common) openInputs(paths []string) ([]msgtrk.Input, error) {
	inputs, err := msgtrk.OpenPaths(paths...)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usagef("%v", err)
		}
		return nil, err
	}
	if len(inputs) == 0 {
		return nil, usagef("no message tracking logs (MSGTRK*.LOG) under %s", strings.Join(paths, ", "))
	}
	return inputs, nil
}

// source wraps a Merger with the CLI's error reporting and progress.
type source struct {
	*msgtrk.Merger
	c        *common
	stderr   io.Writer
	warnings []*msgtrk.ParseError
	nwarn    int64
	prog     *progress
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
	if !c.quiet {
		var total int64
		for _, in := range inputs {
			total += in.Size
		}
		s.prog = newProgress(stderr, total)
	}
	return s
}

// Next advances and ticks the progress display.
func (s *source) Next() bool {
	ok := s.Merger.Next()
	if s.prog != nil {
		s.prog.tick(s.Merger)
	}
	return ok
}

// finish reports warnings and returns the error that should end the run.
func (s *source) finish() error {
	if s.prog != nil {
		s.prog.done()
	}
	if err := s.Err(); err != nil {
		return err
	}
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
	return nil
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
