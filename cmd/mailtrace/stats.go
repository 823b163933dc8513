package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/filter"
	"github.com/mailtrace/mailtrace/internal/textenc"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/report"
)

func runStats(args []string, stdout, stderr io.Writer) error {
	c := newCommon("stats", stderr, true)
	cf := c.addCorrFlags()
	out := c.addOutputFlags(formatTable, formatCSV, formatJSONL, formatJSON)
	top := c.fs.Int("top", 10, "length of the top lists")
	c.fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: mailtrace stats [flags] PATH...\n\nUnique messages, deliveries and recipients after group expansion, event counts,\ntop senders, recipients and domains, sizes, end-to-end and per-hop latency.\nThe filters select messages with at least one matching row.\n\nThe summary is one JSON object with -format json (indented) or jsonl (one line);\nwith -format csv, one row per figure: section, key, value, error.\n\nflags:\n")
		c.fs.PrintDefaults()
	}
	paths, err := c.parse(args)
	if err != nil {
		return err
	}
	if *top < 1 {
		return usagef("-top must be at least 1")
	}
	inputs, err := c.openInputs(paths)
	if err != nil {
		return err
	}
	st := report.NewStats(0)
	onRow := func(rec *msgtrk.Record) {
		if c.filter.Match(rec) {
			st.AddRecord(rec)
		}
	}
	onTrace := func(t *correlate.Trace) {
		if t.Marked {
			st.AddTrace(t)
		}
		t.Release() // (the report keeps only its strings and numbers)
	}
	cf.traceAhead = true // AddRecord and AddTrace keep apart
	res, err := c.correlateInputs(inputs, cf, stderr, onRow, onTrace)
	if err != nil {
		return err
	}
	st.InputServers = res.inputs
	sum := st.Summary(*top, res.src.Stats().Errors+c.inputs.exportErrors)
	sum.LateRows = res.stats.Late
	for _, sk := range res.skew {
		sum.ClockSkew = append(sum.ClockSkew, report.SkewJSON{Server: sk.Server, OffsetSeconds: sk.Offset.Seconds(), Reference: sk.Reference, Samples: sk.Samples})
	}
	bw := out.writer(stdout)
	defer bw.Flush()
	switch out.format {
	case formatJSON, formatJSONL:
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		if out.format == formatJSON {
			enc.SetIndent("", "  ")
		}
		if err := enc.Encode(sum); err != nil {
			return err
		}
	case formatCSV:
		writeSummaryCSV(bw, sum, c.loc)
	default:
		writeSummary(bw, sum, c.loc)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	n := int(sum.Counts.Messages + sum.Rows)
	return c.noMatchError(stderr, n, "message")
}

// writeSummaryCSV writes the summary as one row per figure: section, key,
// value and, for the top lists, the bound on a count's overestimate.
func writeSummaryCSV(w *bufio.Writer, s report.Summary, loc *time.Location) {
	var b []byte
	row := func(section, key string, value []byte, errBound int64) {
		b = appendCSVCell(b[:0], section)
		b = append(b, ',')
		b = appendCSVCell(b, key)
		b = append(b, ',')
		b = append(b, value...)
		b = append(b, ',')
		if errBound > 0 {
			b = strconv.AppendInt(b, errBound, 10)
		}
		b = append(b, '\n')
		w.Write(b)
	}
	var v []byte
	num := func(section, key string, n int64) { row(section, key, strconv.AppendInt(v[:0], n, 10), 0) }
	flt := func(section, key string, f float64) { row(section, key, strconv.AppendFloat(v[:0], f, 'f', -1, 64), 0) }
	w.WriteString("section,key,value,error\n")
	num("summary", "rows", s.Rows)
	row("summary", "first", appendTime(v[:0], summaryTime(s.First), loc, 'T'), 0)
	row("summary", "last", appendTime(v[:0], summaryTime(s.Last), loc, 'T'), 0)
	num("summary", "malformed_lines", s.Malformed)
	num("summary", "late_rows", s.LateRows)
	s.Counts.Each(func(key string, n int64) { num("counts", key, n) })
	for _, f := range []struct {
		key string
		n   int64
	}{{"total_bytes", s.Size.Total}, {"mean_bytes", s.Size.Mean}, {"p50_bytes", s.Size.P50}, {"p90_bytes", s.Size.P90}, {"p99_bytes", s.Size.P99}, {"max_bytes", s.Size.Max}} {
		num("size", f.key, f.n)
	}
	latency := func(section string, l report.LatencyJSON) {
		num(section, "count", l.Count)
		flt(section, "mean_seconds", l.Mean)
		flt(section, "p50_seconds", l.P50)
		flt(section, "p90_seconds", l.P90)
		flt(section, "p99_seconds", l.P99)
		flt(section, "max_seconds", l.Max)
	}
	latency("end_to_end_latency", s.EndToEnd)
	roles := make([]string, 0, len(s.HopLatency))
	for r := range s.HopLatency {
		roles = append(roles, r)
	}
	slices.Sort(roles)
	for _, r := range roles {
		latency("hop_latency."+r, s.HopLatency[r])
	}
	for _, sk := range s.ClockSkew {
		flt("clock_skew."+sk.Server, "offset_seconds", sk.OffsetSeconds)
		num("clock_skew."+sk.Server, "samples", sk.Samples)
		row("clock_skew."+sk.Server, "reference", appendCSVCell(v[:0], sk.Reference), 0)
	}
	for _, l := range []struct {
		section string
		es      []report.Entry
	}{{"events", s.Events}, {"sources", s.Sources}, {"servers", s.Servers}, {"top_senders", s.TopSenders}, {"top_recipients", s.TopRcpts}, {"top_recipient_domains", s.TopDomains}} {
		for _, e := range l.es {
			row(l.section, e.Key, strconv.AppendInt(v[:0], e.Count, 10), e.Error)
		}
	}
}

// summaryTime reads a time of the Summary back (RFC 3339); the zero Time
// when there is none.
func summaryTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// summarySeconds formats a time of the summary to the second, in loc.
func summarySeconds(s string, loc *time.Location) string {
	t := summaryTime(s)
	switch {
	case t.IsZero():
		return s
	case loc == time.UTC:
		return t.UTC().Format("2006-01-02T15:04:05Z")
	}
	return t.In(loc).Format("2006-01-02T15:04:05-07:00")
}

func writeSummary(w io.Writer, s report.Summary, loc *time.Location) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	c := s.Counts
	fmt.Fprintf(tw, "Rows\t%d\t(%s … %s)\n", s.Rows, summarySeconds(s.First, loc), summarySeconds(s.Last, loc))
	fmt.Fprintf(tw, "Malformed lines\t%d\t\n", s.Malformed)
	if s.LateRows > 0 {
		fmt.Fprintf(tw, "Late rows\t%d\t(came after their message's trace was written: in no message, the counts below miss them; see the warning)\n", s.LateRows)
	}
	// NDRs are the Failure DSNs alone (format.md §8); the other DSNs
	// (delay notices, relay and delivery reports, and those of unknown
	// type) are said apart when there are any.
	dsns := ""
	if other := c.DSNs - c.NDRs; other > 0 {
		dsns = fmt.Sprintf(", %d other DSNs", other)
		if c.DSNsUnknownType > 0 {
			dsns += fmt.Sprintf(" (%d of unknown type)", c.DSNsUnknownType)
		}
	}
	fmt.Fprintf(tw, "Unique messages\t%d\t(each message once; %d of them NDRs%s)\n", c.Messages, c.NDRs, dsns)
	if c.RecipientsUnknown > 0 {
		fmt.Fprintf(tw, "Recipients unknown\t%d messages\t(their rows came from an export that lost the recipients: the recipient, delivery and outcome counts below leave them out)\n", c.RecipientsUnknown)
	}
	fmt.Fprintf(tw, "Recipients\t%d\t(after group expansion, each recipient of each message; %d from %d group expansions)\n", c.Recipients, c.Expanded, c.Expansions)
	fmt.Fprintf(tw, "Deliveries\t%d\t(%d to mailboxes, %d sent outside)\n", c.Deliveries, c.Delivered, c.SentExternal)
	fmt.Fprintf(tw, "Failed / dropped / pending\t%d / %d / %d\t\n", c.Failed, c.Dropped, c.Pending)
	if c.HandedOff > 0 {
		fmt.Fprintf(tw, "Handed off\t%d\t(to servers whose logs are not in the input: not known to be delivered)\n", c.HandedOff)
	}
	fmt.Fprintf(tw, "Duplicate / shadow rows\t%d / %d\t(never counted as deliveries)\n", c.DuplicateRows, c.ShadowRows)
	if c.Orphans > 0 {
		fmt.Fprintf(tw, "Orphan traces\t%d\t(rows no message id ties to a message)\n", c.Orphans)
	}
	fmt.Fprintf(tw, "Size\t%s total\tmean %s, p50 %s, p90 %s, p99 %s, max %s\n", bytesStr(s.Size.Total), bytesStr(s.Size.Mean),
		bytesStr(s.Size.P50), bytesStr(s.Size.P90), bytesStr(s.Size.P99), bytesStr(s.Size.Max))
	fmt.Fprintf(tw, "End-to-end latency\t%d recipients\t%s\n", s.EndToEnd.Count, latStr(s.EndToEnd))
	roles := make([]string, 0, len(s.HopLatency))
	for r := range s.HopLatency {
		roles = append(roles, r)
	}
	slices.Sort(roles)
	for _, r := range roles {
		l := s.HopLatency[r]
		fmt.Fprintf(tw, "Hop latency, %s\t%d hops\t%s\n", r, l.Count, latStr(l))
	}
	tw.Flush()
	list := func(title string, es []report.Entry) {
		if len(es) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		for _, e := range es {
			n := fmt.Sprint(e.Count)
			if e.Error > 0 {
				n = "≤" + n
			}
			key := safe(e.Key)
			if key == "" {
				key = "(none)" // no server, sender or event id in the rows
			}
			fmt.Fprintf(tw, "  %s\t  %s\n", n, key)
		}
		tw.Flush()
	}
	if len(s.ClockSkew) > 1 {
		fmt.Fprintf(w, "\nClock offsets (estimated from hand-overs, relative to %s)\n", safe(s.ClockSkew[0].Reference))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, sk := range s.ClockSkew {
			fmt.Fprintf(tw, "  %s\t%+.3f s\t(%d hand-overs)\n", safe(sk.Server), sk.OffsetSeconds, sk.Samples)
		}
		tw.Flush()
	}
	list("Events", s.Events)
	list("Servers (rows)", s.Servers)
	list("Top senders (messages)", s.TopSenders)
	list("Top recipients (deliveries)", s.TopRcpts)
	list("Top recipient domains (recipients)", s.TopDomains)
}

func bytesStr(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func latStr(l report.LatencyJSON) string {
	if l.Count == 0 {
		return "-"
	}
	return fmt.Sprintf("p50 %.3fs  p90 %.3fs  p99 %.3fs  max %.3fs", l.P50, l.P90, l.P99, l.Max)
}

func runSubmitters(args []string, stdout, stderr io.Writer) error {
	c := newCommon("submitters", stderr, true)
	cf := c.addCorrFlags()
	out := c.addOutputFlags(formatTable, formatCSV, formatJSONL, formatJSON)
	anonymous := c.fs.Bool("anonymous", false, "only submitters that did not authenticate")
	var entry listFlag
	c.fs.Var(&entry, "entry-server", "only messages that entered the organisation through this server (repeatable): who must be moved before it is switched off")
	c.fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: mailtrace submitters [flags] PATH...\n\nWho submits mail, and how: one line per client IP, receive connector, auth category,\nprotocol and entry server, with message counts, first and last seen and sample\nsenders. Anonymous submitters come first. When SMTP receive protocol logs\n(RECV*.LOG) are found under the same folders, each SMTP client also gets its\nsessions with TLS out of all its sessions and the AUTH mechanisms they used.\n\nflags:\n")
		c.fs.PrintDefaults()
	}
	paths, err := c.parse(args)
	if err != nil {
		return err
	}
	inputs, err := c.openInputs(paths)
	if err != nil {
		return err
	}
	var subs report.Submitters
	onTrace := func(t *correlate.Trace) {
		if t.Marked && (len(entry) == 0 || filter.HostMatches(t.Origin.Server, entry)) {
			subs.Add(t)
		}
		t.Release() // (the report keeps only its strings and numbers)
	}
	cf.traceAhead = true
	if _, err := c.correlateInputs(inputs, cf, stderr, nil, onTrace); err != nil {
		return err
	}
	var list []report.Submitter
	for _, s := range subs.Sorted() {
		if (!*anonymous || s.Anonymous()) && !c.limit(len(list)) {
			list = append(list, s)
		}
	}
	// With SMTP receive protocol logs beside the tracking logs, each SMTP
	// submitter gains its sessions' TLS and authentication mechanisms.
	smtp, withSMTP, err := c.submitterSMTP(paths, list, stderr)
	if err != nil {
		return err
	}
	bw := out.writer(stdout)
	defer bw.Flush()
	switch out.format {
	case formatJSONL, formatJSON:
		seq := jsonSeq{w: bw, array: out.format == formatJSON}
		for i := range list {
			var cs *clientSMTP
			if withSMTP {
				cs = smtp[list[i].IP.Unmap()]
			}
			seq.write(appendSubmitterJSON(nil, &list[i], withSMTP, cs))
		}
		seq.close()
	case formatCSV:
		var b []byte
		bw.WriteString("client_ip,auth_category,auth,protocol,servers,connectors,messages,first_seen,last_seen,sample_senders")
		if withSMTP {
			bw.WriteString(",tls_sessions,auth_mechanisms")
		}
		bw.WriteString("\n")
		for _, s := range list {
			b = b[:0]
			for _, cell := range []string{addrOrEmpty(s.IP), s.Category, s.Auth, s.Protocol, strings.Join(s.Servers, "; "), strings.Join(s.Connectors, "; ")} {
				b = appendCSVCell(b, cell)
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, s.Count, 10)
			b = append(b, ',')
			b = appendTime(b, s.First, c.loc, 'T')
			b = append(b, ',')
			b = appendTime(b, s.Last, c.loc, 'T')
			b = append(b, ',')
			b = appendCSVCell(b, strings.Join(s.Senders, "; "))
			if withSMTP {
				cs := smtp[s.IP.Unmap()]
				b = append(b, ',')
				b = appendCSVCell(b, cs.tlsColumn())
				b = append(b, ',')
				b = appendCSVCell(b, cs.authColumn())
			}
			b = append(b, '\n')
			bw.Write(b)
		}
	default:
		t := newTable(bw, submitterColumns(withSMTP)...)
		for _, s := range list {
			t.cellString(addrStr(s.IP))
			t.cellString(s.Category + " " + s.Auth)
			t.cellString(s.Protocol)
			t.cellString(strconv.FormatInt(s.Count, 10))
			t.cellString(clock(s.First, c.loc))
			t.cellString(clock(s.Last, c.loc))
			t.cellString(strings.Join(s.Servers, ", "))
			t.cellString(strings.Join(s.Connectors, ", "))
			t.cellString(strings.Join(s.Senders, ", "))
			if withSMTP {
				cs := smtp[s.IP.Unmap()]
				t.cellString(cs.tlsColumn())
				t.cellString(cs.authColumn())
			}
			t.endRow()
		}
		t.flush()
	}
	if subs.Overflow > 0 && !c.quiet {
		fmt.Fprintf(stderr, "mailtrace: warning: %d messages from submitters beyond the first %d not listed\n", subs.Overflow, report.MaxSubmitters)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	c.limited(stderr, len(list), "submitters")
	if *anonymous && len(list) == 0 {
		fmt.Fprintln(stderr, "mailtrace: no anonymous submitter")
		return errNoMatch
	}
	return c.noMatchError(stderr, len(list), "submitter")
}

// submitterColumns are the columns of the submitters table.
func submitterColumns(withSMTP bool) []string {
	cols := []string{"CLIENT IP", "AUTH", "PROTOCOL", "MESSAGES", "FIRST SEEN", "LAST SEEN", "SERVERS", "CONNECTORS", "SAMPLE SENDERS"}
	if withSMTP {
		cols = append(cols, "TLS SESSIONS", "AUTH MECHANISMS")
	}
	return cols
}

// submittersJSONVersion is the version of the submitter object.
const submittersJSONVersion = 1

// appendSubmitterJSON appends the submitter object, version 1 (see the
// package doc); with SMTP receive logs in the input (withSMTP), the
// client's sessions too, zero when it has none there.
func appendSubmitterJSON(b []byte, s *report.Submitter, withSMTP bool, cs *clientSMTP) []byte {
	list := func(key string, vs []string) {
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, `":[`...)
		for i, v := range vs {
			if i > 0 {
				b = append(b, ',')
			}
			b = textenc.AppendJSONString(b, v)
		}
		b = append(b, ']')
	}
	str := func(key, v string) {
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		b = textenc.AppendJSONString(b, v)
	}
	num := func(key string, n int64) {
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		b = strconv.AppendInt(b, n, 10)
	}
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, submittersJSONVersion, 10)
	str("client_ip", addrOrEmpty(s.IP))
	str("auth_category", s.Category)
	str("auth", s.Auth)
	str("protocol", s.Protocol)
	list("servers", s.Servers)
	list("connectors", s.Connectors)
	num("messages", s.Count)
	b = append(b, `,"first_seen":`...)
	b = appendJSONTime(b, s.First)
	b = append(b, `,"last_seen":`...)
	b = appendJSONTime(b, s.Last)
	list("sample_senders", s.Senders)
	if withSMTP {
		if cs == nil {
			cs = &clientSMTP{}
		}
		num("smtp_sessions", int64(cs.sessions))
		num("tls_sessions", int64(cs.tls))
		list("auth_mechanisms", cs.mechs)
		num("auth_failed_sessions", int64(cs.failed))
	}
	return append(b, '}')
}

func addrStr(a interface {
	IsValid() bool
	String() string
}) string {
	if !a.IsValid() {
		return "-"
	}
	return a.String()
}
