package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/report"
)

func runTrace(args []string, stdout, stderr io.Writer) error {
	c := newCommon("trace", stderr, true)
	cf := c.addCorrFlags()
	out := c.addOutputFlags(formatTable, formatCSV, formatJSONL, formatJSON, formatParquet, formatDot, formatMermaid)
	asDot := c.fs.Bool("dot", false, "same as -format dot: a Graphviz digraph of each message's path")
	asMermaid := c.fs.Bool("mermaid", false, "same as -format mermaid: a Mermaid flowchart of each message's path")
	smtpF := c.addSMTPFlags()
	perRecipient := c.fs.Bool("recipients", false, "one row per final recipient (the delivery report) instead of one trace per message; implied by -format csv and parquet")
	var statuses listFlag
	c.fs.Var(&statuses, "status", "only recipients with this outcome: "+statusNames()+" (repeatable; with the delivery report, only their rows)")
	c.fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: mailtrace trace [flags] PATH...\n\nCorrelate the rows of every server into one trace per message. The filters select\nmessages with at least one matching row; the whole trace is shown.\n\nWith -format csv or parquet, or -recipients, write the delivery report instead:\none row per final recipient with its outcome, the reason, the client that sent\nthe message and the host it was handed to.\n\nWith -smtp, each SMTP hop is joined to its sessions in the protocol and\nconnectivity logs under the same PATHs, and their transcripts are shown.\n\nflags:\n")
		c.fs.PrintDefaults()
	}
	paths, err := c.parse(args)
	if err != nil {
		return err
	}
	for _, alias := range []struct {
		on   bool
		name string
		f    format
	}{{*asDot, "-dot", formatDot}, {*asMermaid, "-mermaid", formatMermaid}} {
		if !alias.on {
			continue
		}
		if out.format != formatTable && out.format != alias.f {
			return usagef("%s contradicts -format %s", alias.name, out.format)
		}
		out.format = alias.f
	}
	if *asDot && *asMermaid {
		return usagef("choose one of -dot, -mermaid")
	}
	sel := report.Selection{}
	for _, s := range statuses {
		st, ok := report.ParseStatus(s)
		if !ok {
			return usagef("-status: unknown outcome %q (known: %s)", s, statusNames())
		}
		sel.Statuses = append(sel.Statuses, st)
	}
	if out.format == formatCSV || out.format == formatParquet {
		*perRecipient = true
	}
	if *perRecipient && (out.format == formatDot || out.format == formatMermaid) {
		return usagef("-recipients writes rows: choose -format table, csv, jsonl, json or parquet")
	}
	if out.format == formatParquet {
		if err := checkBinaryOut(stdout); err != nil {
			return err
		}
	}
	var sj *smtpJoin
	if smtpF.on {
		if *perRecipient || out.format != formatTable && out.format != formatJSONL && out.format != formatJSON {
			return usagef("-smtp shows each hop's sessions: use -format table, jsonl or json, without -recipients")
		}
		var protocol []string
		if paths, protocol, err = splitSMTPPaths(paths); err != nil {
			return err
		}
		if sj, err = c.newSMTPJoin(protocol, smtpF, stderr); err != nil {
			return err
		}
		cf.keepSMTP = sj != nil
	}
	inputs, err := c.openInputs(paths)
	if err != nil {
		return err
	}
	bw := out.writer(stdout)
	defer bw.Flush()
	var rows deliveryWriter
	if *perRecipient {
		if len(c.filter.Recipients) > 0 {
			sel.Address = c.filter.RecipientMatches
		}
		rows = newDeliveryWriter(out.format, bw, c.loc)
	}
	seq := jsonSeq{w: bw, array: out.format == formatJSON}
	n := 0
	var werr error
	var ds []report.Delivery
	onTrace := func(t *correlate.Trace) {
		defer t.Release() // (written out, or not wanted: nothing keeps it)
		if werr != nil || !t.Marked || c.limit(n) || !sel.Trace(t) {
			sj.release(t)
			return
		}
		if rows != nil {
			ds = report.Deliveries(ds[:0], t)
			for i := range ds {
				if !sel.Delivery(&ds[i]) || c.limit(n) {
					continue
				}
				if werr = rows.write(&ds[i]); werr != nil {
					return
				}
				if n++; c.limit(n) {
					c.stopEarly()
				}
			}
			return
		}
		if n++; c.limit(n) {
			c.stopEarly()
		}
		sj.join(t)
		switch out.format {
		case formatJSONL, formatJSON:
			b, err := t.AppendJSON(seq.next())
			if err != nil {
				werr = err
				return
			}
			werr = seq.done(b)
		case formatDot:
			writeDot(bw, t)
		case formatMermaid:
			writeMermaid(bw, t)
		default:
			writeTraceText(bw, t, c.loc)
		}
	}
	var onRow func(*msgtrk.Record)
	if sj != nil {
		onRow = sj.onRow
	}
	cf.traceAhead = sj == nil // the SMTP join's rows and traces share its table
	if _, err := c.correlateInputs(inputs, cf, stderr, onRow, onTrace); err != nil {
		return err
	}
	if err := sj.finish(); err != nil {
		return err
	}
	if werr != nil {
		return werr
	}
	if rows != nil {
		werr = rows.close()
	} else {
		werr = seq.close()
	}
	if werr != nil {
		return werr
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	what := "message"
	if rows != nil {
		what = "recipient"
	}
	c.limited(stderr, n, what+"s")
	if len(sel.Statuses) > 0 && n == 0 {
		fmt.Fprintf(stderr, "mailtrace: no %s with status %s\n", what, strings.Join(statuses, ", "))
		return errNoMatch
	}
	return c.noMatchError(stderr, n, what)
}

// statusNames lists the recipient outcomes -status takes.
func statusNames() string {
	var names []string
	for _, st := range report.Statuses() {
		names = append(names, st.String())
	}
	return strings.Join(names, ", ")
}

func clock(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "?"
	}
	if loc == time.UTC {
		return t.Format("2006-01-02 15:04:05.000Z")
	}
	return t.In(loc).Format("2006-01-02 15:04:05.000 -07:00")
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

// writeTraceText prints the readable view of one trace. Every text from
// the logs goes through safe: a subject with a line break or an escape
// sequence cannot forge lines on the terminal.
func writeTraceText(w io.Writer, t *correlate.Trace, loc *time.Location) {
	fmt.Fprintf(w, "Message %s  (%s, %d rows)\n", safe(t.Key), t.Reason, t.Events)
	if t.Sender != "" || t.Subject != "" {
		fmt.Fprintf(w, "  From:       %s\n  Subject:    %s\n", safe(t.Sender), safe(t.Subject))
	}
	if t.MessageID != "" {
		fmt.Fprintf(w, "  Message-ID: %s\n", safe(t.MessageID))
	}
	if t.Size > 0 {
		fmt.Fprintf(w, "  Size:       %d bytes\n", t.Size)
	}
	if t.Summary {
		fmt.Fprintf(w, "  Summary:    outcomes from a per-message summary (Exchange Online): no server's events, no path\n")
	}
	if o := t.Origin; o.Protocol != correlate.ProtocolUnknown {
		var parts []string
		via := o.Server + " via " + o.Protocol.String()
		if o.ClientType != "" {
			via += " (" + o.ClientType + ")"
		}
		parts = append(parts, via)
		if o.Connector != "" && o.Protocol == correlate.ProtocolSMTP {
			parts = append(parts, "connector "+o.Connector)
		}
		if o.Auth != "" {
			a := "auth " + o.Auth
			if o.Anonymous {
				a += " ANONYMOUS"
			}
			parts = append(parts, a)
		}
		if o.ClientIP.IsValid() {
			parts = append(parts, "client "+o.ClientIP.String())
		}
		if o.OriginalClientIP.IsValid() {
			parts = append(parts, "original client "+o.OriginalClientIP.String())
		}
		if o.ProxiedClientIP.IsValid() {
			parts = append(parts, "proxied client "+o.ProxiedClientIP.String())
		}
		fmt.Fprintf(w, "  Origin:     %s\n", safe(strings.Join(parts, ", ")))
	}
	if t.DSNFor != "" {
		if t.IsNDR() {
			fmt.Fprintf(w, "  NDR for:    %s\n", safe(t.DSNFor))
		} else {
			// A delay notice, a relay or delivery report … (format.md §8).
			typ := "unknown"
			if t.DSNFlags != 0 {
				typ = t.DSNFlags.String()
			}
			fmt.Fprintf(w, "  DSN for:    %s  (type %s)\n", safe(t.DSNFor), typ)
		}
	}
	if len(t.Hops) > 0 {
		fmt.Fprintln(w, "  Path:")
		for _, h := range t.Hops {
			lat := ""
			if h.Latency > 0 {
				lat = "  " + secs(h.Latency)
			}
			fmt.Fprintf(w, "    %d  %-12s %-10s %s → %s%s\n", h.Depth, safe(h.Server), h.Role, clock(h.First, loc), clock(h.Last, loc), lat)
		}
	}
	if len(t.Recipients) > 0 {
		fmt.Fprintln(w, "  Recipients:")
		for _, r := range t.Recipients {
			line := fmt.Sprintf("    %-32s %-13s", r.Address, r.Status)
			if r.Server != "" {
				line += " at " + r.Server + " " + clock(r.Time, loc)
			}
			if r.Latency > 0 {
				line += "  " + secs(r.Latency)
			}
			if len(r.ExpandedFrom) > 0 {
				line += "  via " + strings.Join(r.ExpandedFrom, " → ")
			}
			if r.ResolvedFrom != "" {
				line += "  addressed as " + r.ResolvedFrom
			}
			if r.RedirectedTo != "" {
				line += "  redirected to " + r.RedirectedTo
			}
			if r.RemoteHost != "" || r.RemoteIP.IsValid() {
				line += "  to " + r.RemoteHost
				if r.RemoteIP.IsValid() {
					line += " [" + r.RemoteIP.String() + "]"
				}
			}
			fmt.Fprintln(w, safe(line))
			if r.RemoteReply != "" {
				fmt.Fprintf(w, "      %s\n", safe(r.RemoteReply))
			}
			if r.Detail != "" {
				d := safe(r.Detail)
				if len([]rune(d)) > 160 {
					d = string([]rune(d)[:159]) + "…"
				}
				fmt.Fprintf(w, "      %s\n", d)
			}
		}
	}
	for _, x := range t.Expansions {
		fmt.Fprintf(w, "  Group:      %s\n", safe(x.Group+" → "+strings.Join(x.Members, ", ")))
	}
	for _, f := range t.Forks {
		fmt.Fprintf(w, "  Copy:       %s\n", safe(fmt.Sprintf("%s forked %s from %s for %s (%s)", f.Server, f.InternalMessageID, f.From, strings.Join(f.Recipients, ", "), f.Reason)))
	}
	if len(t.DSNs) > 0 {
		fmt.Fprintf(w, "  DSNs:       %s\n", safe(strings.Join(t.DSNs, ", ")))
	}
	if len(t.ShadowEvents) > 0 {
		fmt.Fprintf(w, "  Shadow:     %d rows (%s)\n", len(t.ShadowEvents), safe(eventList(t.ShadowEvents)))
	}
	if len(t.Duplicates) > 0 {
		fmt.Fprintf(w, "  Duplicates: %d rows (%s)\n", len(t.Duplicates), safe(eventList(t.Duplicates)))
	}
	for _, a := range t.Anomalies {
		fmt.Fprintf(w, "  Anomaly:    %s\n", safe(a.String()))
	}
	writeTraceSMTP(w, t, loc)
	fmt.Fprintln(w)
}

func eventList(rs []correlate.EventRef) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, r.Event+" "+r.Server)
		if len(parts) == 6 && len(rs) > 6 {
			parts = append(parts, "…")
			break
		}
	}
	return strings.Join(parts, ", ")
}

func hopID(i int) string { return fmt.Sprintf("h%d", i) }

func hopOfRecipient(t *correlate.Trace, r correlate.Recipient) int {
	best := -1
	for i, h := range t.Hops {
		if strings.EqualFold(h.Server, r.Server) {
			if best < 0 || h.Role == correlate.RoleDelivery || h.Depth > t.Hops[best].Depth {
				best = i
			}
		}
	}
	return best
}

// graphSyntax spells the graph of a trace in one language. The formats
// take the node ids and quoted labels in the order their comments give.
type graphSyntax struct {
	br     string              // line break inside a label
	quote  func(string) string // a label as the language quotes it
	origin string              // the origin node: label
	hop    string              // a hop node: id, label
	rcpt   string              // a recipient node: id, label
	edge   string              // an edge: from id, to id
	end    string              // after the last node and edge
}

var dotSyntax = graphSyntax{
	br: "\n",
	quote: func(s string) string {
		return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
	},
	origin: "  origin [shape=ellipse, label=%s];\n",
	hop:    "  %s [label=%s];\n",
	rcpt:   "  %s [shape=note, label=%s];\n",
	edge:   "  %s -> %s;\n",
	end:    "}\n",
}

var mermaidSyntax = graphSyntax{
	br:     "<br/>",
	quote:  func(s string) string { return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"` },
	origin: "  origin([%s])\n",
	hop:    "  %s[%s]\n",
	rcpt:   "  %s>%s]\n",
	edge:   "  %s --> %s\n",
	end:    "\n",
}

// The graphs quote their labels; the texts from the logs in them go
// through safe as well, so that no line break reaches the graph source.

func writeDot(w io.Writer, t *correlate.Trace) {
	q := dotSyntax.quote
	fmt.Fprintf(w, "digraph %s {\n  rankdir=LR;\n  label=%s;\n  node [shape=box];\n", q(safe(t.Key)), q(safe(t.Subject+" — "+t.Sender)))
	writeGraph(w, t, &dotSyntax)
}

func writeMermaid(w io.Writer, t *correlate.Trace) {
	fmt.Fprintf(w, "%%%% %s\nflowchart LR\n", safe(t.Key))
	writeGraph(w, t, &mermaidSyntax)
}

// writeGraph writes the nodes and edges of t: the origin, each hop with the
// hops that handed it the message, and each recipient after the hop that
// settled it.
func writeGraph(w io.Writer, t *correlate.Trace, g *graphSyntax) {
	if t.Origin.Protocol != correlate.ProtocolUnknown {
		label := "origin" + g.br + t.Origin.Protocol.String() + " " + safe(t.Origin.Auth)
		if ip := t.Origin.OriginalClientIP; ip.IsValid() {
			label += g.br + ip.String()
		}
		fmt.Fprintf(w, g.origin, g.quote(label))
	}
	for i, h := range t.Hops {
		label := safe(h.Server) + g.br + h.Role.String()
		if h.Latency > 0 {
			label += g.br + secs(h.Latency)
		}
		fmt.Fprintf(w, g.hop, hopID(i), g.quote(label))
		if len(h.From) == 0 && t.Origin.Protocol != correlate.ProtocolUnknown && h.Depth == 0 {
			fmt.Fprintf(w, g.edge, "origin", hopID(i))
		}
		for _, p := range h.From {
			fmt.Fprintf(w, g.edge, hopID(p), hopID(i))
		}
	}
	for i, r := range t.Recipients {
		id := fmt.Sprintf("r%d", i)
		fmt.Fprintf(w, g.rcpt, id, g.quote(safe(r.Address)+g.br+r.Status.String()))
		if h := hopOfRecipient(t, r); h >= 0 {
			fmt.Fprintf(w, g.edge, hopID(h), id)
		}
	}
	io.WriteString(w, g.end)
}
