package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/report"
)

func runStats(args []string, stdout, stderr io.Writer) error {
	c := newCommon("stats", stderr, true)
	cf := c.addCorrFlags()
	asJSON := c.fs.Bool("json", false, "print the summary as one JSON object")
	top := c.fs.Int("top", 10, "length of the top lists")
	c.fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: mailtrace stats [flags] PATH...\n\nUnique messages, deliveries and recipients after group expansion, event counts,\ntop senders, recipients and domains, sizes, end-to-end and per-hop latency.\nThe filters select messages with at least one matching row.\n\nflags:\n")
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
	}
	res, err := c.correlateInputs(inputs, cf, stderr, onRow, onTrace)
	if err != nil {
		return err
	}
	sum := st.Summary(*top, res.src.Stats().Errors)
	for _, sk := range res.skew {
		sum.ClockSkew = append(sum.ClockSkew, report.SkewJSON{Server: sk.Server, OffsetSeconds: sk.Offset.Seconds(), Reference: sk.Reference, Samples: sk.Samples})
	}
	bw := bufio.NewWriter(stdout)
	defer bw.Flush()
	if *asJSON {
		enc := json.NewEncoder(bw)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return err
		}
		return bw.Flush()
	}
	writeSummary(bw, sum)
	return bw.Flush()
}

func writeSummary(w io.Writer, s report.Summary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	c := s.Counts
	fmt.Fprintf(tw, "Rows\t%d\t(%s … %s)\n", s.Rows, s.First, s.Last)
	fmt.Fprintf(tw, "Malformed lines\t%d\t\n", s.Malformed)
	fmt.Fprintf(tw, "Unique messages\t%d\t(each message once; %d of them NDRs)\n", c.Messages, c.NDRs)
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
			key := e.Key
			if key == "" {
				key = "(none)" // no server, sender or event id in the rows
			}
			fmt.Fprintf(tw, "  %s\t  %s\n", n, key)
		}
		tw.Flush()
	}
	if len(s.ClockSkew) > 1 {
		fmt.Fprintf(w, "\nClock offsets (estimated from hand-overs, relative to %s)\n", s.ClockSkew[0].Reference)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, sk := range s.ClockSkew {
			fmt.Fprintf(tw, "  %s\t%+.3f s\t(%d hand-overs)\n", sk.Server, sk.OffsetSeconds, sk.Samples)
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
	asJSON := c.fs.Bool("json", false, "one JSON object per submitter")
	asCSV := c.fs.Bool("csv", false, "CSV with a header row")
	c.fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: mailtrace submitters [flags] PATH...\n\nWho submits mail, and how: one line per client IP, receive connector, auth category,\nprotocol and entry server, with message counts, first and last seen and sample\nsenders. Anonymous submitters come first. When SMTP receive protocol logs\n(RECV*.LOG) are found under the same folders, each SMTP client also gets its\nsessions with TLS out of all its sessions and the AUTH mechanisms they used.\n\nflags:\n")
		c.fs.PrintDefaults()
	}
	paths, err := c.parse(args)
	if err != nil {
		return err
	}
	if *asJSON && *asCSV {
		return usagef("choose one of -json, -csv")
	}
	inputs, err := c.openInputs(paths)
	if err != nil {
		return err
	}
	var subs report.Submitters
	onTrace := func(t *correlate.Trace) {
		if t.Marked {
			subs.Add(t)
		}
	}
	if _, err := c.correlateInputs(inputs, cf, stderr, nil, onTrace); err != nil {
		return err
	}
	list := subs.Sorted()
	// With SMTP receive protocol logs beside the tracking logs, each SMTP
	// submitter gains its sessions' TLS and authentication mechanisms.
	smtp, withSMTP, err := c.submitterSMTP(paths, list, stderr)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(stdout)
	defer bw.Flush()
	switch {
	case *asJSON:
		enc := json.NewEncoder(bw)
		for _, s := range list {
			obj := map[string]any{
				"client_ip": addrStr(s.IP), "auth_category": s.Category, "auth": s.Auth, "protocol": s.Protocol,
				"servers": nonNil(s.Servers), "connectors": nonNil(s.Connectors), "messages": s.Count,
				"first_seen": clock(s.First, c.loc), "last_seen": clock(s.Last, c.loc), "sample_senders": nonNil(s.Senders),
			}
			if cs := smtp[s.IP.Unmap()]; withSMTP && cs != nil {
				obj["smtp_sessions"], obj["tls_sessions"], obj["auth_mechanisms"], obj["auth_failed_sessions"] = cs.sessions, cs.tls, nonNil(cs.mechs), cs.failed
			}
			enc.Encode(obj)
		}
	case *asCSV:
		cw := csv.NewWriter(bw)
		header := []string{"client_ip", "auth_category", "auth", "protocol", "servers", "connectors", "messages", "first_seen", "last_seen", "sample_senders"}
		if withSMTP {
			header = append(header, "tls_sessions", "auth_mechanisms")
		}
		cw.Write(header)
		for _, s := range list {
			row := []string{addrStr(s.IP), s.Category, s.Auth, s.Protocol, strings.Join(s.Servers, "; "), strings.Join(s.Connectors, "; "),
				fmt.Sprint(s.Count), clock(s.First, c.loc), clock(s.Last, c.loc), strings.Join(s.Senders, "; ")}
			if withSMTP {
				cs := smtp[s.IP.Unmap()]
				row = append(row, cs.tlsColumn(), cs.authColumn())
			}
			cw.Write(row)
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	default:
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
		head := "CLIENT IP\tAUTH\tPROTOCOL\tMESSAGES\tFIRST SEEN\tLAST SEEN\tSERVERS\tCONNECTORS\tSAMPLE SENDERS"
		if withSMTP {
			head += "\tTLS SESSIONS\tAUTH MECHANISMS"
		}
		fmt.Fprintln(tw, head)
		for _, s := range list {
			fmt.Fprintf(tw, "%s\t%s %s\t%s\t%d\t%s\t%s\t%s\t%s\t%s", addrStr(s.IP), s.Category, s.Auth, s.Protocol, s.Count,
				clock(s.First, c.loc), clock(s.Last, c.loc), strings.Join(s.Servers, ", "), strings.Join(s.Connectors, ", "), strings.Join(s.Senders, ", "))
			if withSMTP {
				cs := smtp[s.IP.Unmap()]
				fmt.Fprintf(tw, "\t%s\t%s", cs.tlsColumn(), cs.authColumn())
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
	}
	if subs.Overflow > 0 && !c.quiet {
		fmt.Fprintf(stderr, "mailtrace: warning: %d messages from submitters beyond the first %d not listed\n", subs.Overflow, report.MaxSubmitters)
	}
	return bw.Flush()
}

// nonNil makes an empty list print as [] in JSON.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
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
