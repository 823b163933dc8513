// Package exportgen writes message tracking rows in the forms administrators
// export them, as the tools would write them, for tests and fuzz seeds of
// package export: Get-MessageTrackingLog through Export-Csv (Windows
// PowerShell 5.1 and PowerShell 7) and Format-List, the Exchange Online
// historical search reports, and Get-MessageTrace(V2) through Export-Csv.
// It is test support, not library code.
//
// What it imitates, per writer:
//   - Export-Csv: every field in double quotes with '"' doubled, CRLF line
//     ends, a "#TYPE …" line first in 5.1 (none in 7), lists written as
//     "System.String[]" (the data lost) or joined with ';' as the README's
//     command does, Timestamp in a culture's general format in a zone (or
//     UTC ISO 8601, as the README's command writes it), to the second;
//   - Format-List: "Name : value" lines padded to the longest name, a blank
//     line between records, lists in braces cut after EnumerationLimit
//     members with "...", EventData as {[Key, Value], …}, values wrapped at
//     a console width;
//   - the historical search reports and Exchange Online exports: UTF-16LE
//     with a byte order mark, as the downloads come.
package exportgen

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// Culture is a culture's general date and time format (Go layout).
type Culture struct {
	Name   string
	Layout string
}

// Some cultures' "G" formats.
var (
	EnUS = Culture{"en-US", "1/2/2006 3:04:05 PM"}
	DeDE = Culture{"de-DE", "02.01.2006 15:04:05"}
	EnGB = Culture{"en-GB", "02/01/2006 15:04:05"}
	SvSE = Culture{"sv-SE", "2006-01-02 15:04:05"}
	JaJP = Culture{"ja-JP", "2006/01/02 15:04:05"}
	// ISO is what the README's export command writes: UTC, round-trip format.
	ISO = Culture{"o", "2006-01-02T15:04:05.0000000Z"}
)

// Format writes t in c, in loc (UTC for ISO).
func (c Culture) Format(t time.Time, loc *time.Location) string {
	if c.Name == "o" {
		return t.UTC().Format(c.Layout)
	}
	return t.In(loc).Format(c.Layout)
}

// Lists says how Export-Csv writes list properties.
type Lists uint8

const (
	TypeName Lists = iota // "System.String[]": the data is lost
	Joined                // joined with ';' by a calculated property
)

// CmdletProperties are the properties of a Get-MessageTrackingLog result
// in the order the cmdlet gives them.
var CmdletProperties = []string{
	"RunspaceId", "Timestamp", "ClientIp", "ClientHostname", "ServerIp", "ServerHostname", "SourceContext",
	"ConnectorId", "Source", "EventId", "InternalMessageId", "MessageId", "NetworkMessageId", "Recipients",
	"RecipientStatus", "TotalBytes", "RecipientCount", "RelatedRecipientAddress", "Reference", "MessageSubject",
	"Sender", "ReturnPath", "Directionality", "TenantId", "OriginalClientIp", "MessageInfo", "MessageLatency",
	"MessageLatencyType", "EventData", "TransportTrafficType", "SchemaVersion",
}

// cmdletField maps a property to its log field; ok false for RunspaceId,
// MessageLatency and MessageLatencyType.
func cmdletField(p string) (msgtrk.Field, bool) {
	switch p {
	case "Timestamp":
		return msgtrk.DateTime, true
	case "Recipients":
		return msgtrk.RecipientAddress, true
	case "Sender":
		return msgtrk.SenderAddress, true
	case "EventData":
		return msgtrk.CustomData, true
	case "RunspaceId", "MessageLatency", "MessageLatencyType":
		return 0, false
	}
	var b []byte
	for i := 0; i < len(p); i++ {
		c := p[i]
		if 'A' <= c && c <= 'Z' {
			if i > 0 {
				b = append(b, '-')
			}
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return msgtrk.LookupField(b)
}

// CSV options.
type CSV struct {
	PS7     bool           // PowerShell 7: no #TYPE line
	Culture Culture        // Timestamp format
	Zone    *time.Location // Timestamp zone (the exporting machine's)
	Lists   Lists
	Omit    []string // properties left out (Select-Object)
}

// CmdletCSV writes events as Get-MessageTrackingLog | Export-Csv would.
func CmdletCSV(w io.Writer, events []msgtrk.Event, o CSV) error {
	props := keep(CmdletProperties, o.Omit)
	var b bytes.Buffer
	if !o.PS7 {
		b.WriteString("#TYPE Microsoft.Exchange.Management.TransportLogSearchTasks.MessageTrackingEvent\r\n")
	}
	writeCSVRow(&b, props)
	vals := make([]string, len(props))
	for i := range events {
		e := &events[i]
		for j, p := range props {
			vals[j] = cmdletValue(e, p, o)
		}
		writeCSVRow(&b, vals)
	}
	_, err := w.Write(b.Bytes())
	return err
}

func keep(props, omit []string) []string {
	var out []string
	for _, p := range props {
		skip := false
		for _, o := range omit {
			if o == p {
				skip = true
			}
		}
		if !skip {
			out = append(out, p)
		}
	}
	return out
}

func cmdletValue(e *msgtrk.Event, p string, o CSV) string {
	switch p {
	case "RunspaceId":
		return "6b1f0c4e-2a7d-4b8e-9c3f-5d2e1a0b9c8d"
	case "MessageLatency":
		return ""
	case "MessageLatencyType":
		return "None"
	case "Timestamp":
		t, _ := msgtrk.ParseTime(e.Get(msgtrk.DateTime))
		return o.Culture.Format(t, zone(o.Zone))
	}
	f, _ := cmdletField(p)
	if f.IsList() {
		if o.Lists == TypeName {
			if f == msgtrk.CustomData {
				return "System.Collections.Generic.List`1[System.Collections.Generic.KeyValuePair`2[System.String,System.Object]]"
			}
			return "System.String[]"
		}
		return strings.Join(e.List(f), ";")
	}
	return e.Get(f)
}

func zone(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// writeCSVRow writes values quoted, as Export-Csv does.
func writeCSVRow(b *bytes.Buffer, vals []string) {
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(v, `"`, `""`))
		b.WriteByte('"')
	}
	b.WriteString("\r\n")
}

// List options.
type List struct {
	Culture Culture
	Zone    *time.Location
	// EnumerationLimit is $FormatEnumerationLimit: lists longer than it are
	// cut with "..."; 0 means no limit (-1 in PowerShell).
	EnumerationLimit int
	// Width is the console width values are wrapped at (0: no wrapping).
	Width int
}

// FormatList writes events as Get-MessageTrackingLog | Format-List shows
// them.
func FormatList(w io.Writer, events []msgtrk.Event, o List) error {
	width := 0
	for _, p := range CmdletProperties {
		width = max(width, len(p))
	}
	var b bytes.Buffer
	b.WriteString("\r\n")
	for i := range events {
		e := &events[i]
		b.WriteString("\r\n")
		for _, p := range CmdletProperties {
			v := listValue(e, p, o)
			prefix := p + strings.Repeat(" ", width-len(p)) + " : "
			writeWrapped(&b, prefix, v, o.Width)
		}
	}
	b.WriteString("\r\n\r\n")
	_, err := w.Write(b.Bytes())
	return err
}

func listValue(e *msgtrk.Event, p string, o List) string {
	switch p {
	case "Timestamp":
		t, _ := msgtrk.ParseTime(e.Get(msgtrk.DateTime))
		return o.Culture.Format(t, zone(o.Zone))
	case "RunspaceId", "MessageLatency", "MessageLatencyType":
		return cmdletValue(e, p, CSV{})
	}
	f, _ := cmdletField(p)
	if !f.IsList() {
		return e.Get(f)
	}
	members := e.List(f)
	if f == msgtrk.CustomData {
		for i, m := range members {
			if _, kv, ok := strings.Cut(m, ":"); ok {
				k, v, _ := strings.Cut(kv, "=")
				members[i] = "[" + k + ", " + v + "]"
			}
		}
	}
	cut := false
	if o.EnumerationLimit > 0 && len(members) > o.EnumerationLimit {
		members, cut = members[:o.EnumerationLimit], true
	}
	s := "{" + strings.Join(members, ", ")
	if cut {
		s += "..."
	}
	return s + "}"
}

// writeWrapped writes prefix and v, breaking v at width columns (counted
// from the value column) the way the console does: at the last blank that
// leaves a line shorter than the width, the blank consumed, else inside a
// word at the full width; continuation lines are indented. (A blank right
// at the width is thus never a break: package formatlist, which undoes the
// wrapping, could not tell such a line from one cut inside a word.)
func writeWrapped(b *bytes.Buffer, prefix, v string, width int) {
	b.WriteString(prefix)
	indent := strings.Repeat(" ", len(prefix))
	avail := width - len(prefix)
	if width <= 0 || avail < 10 {
		b.WriteString(v)
		b.WriteString("\r\n")
		return
	}
	for len(v) > avail {
		cut := strings.LastIndexByte(v[:avail], ' ')
		if cut <= 0 {
			b.WriteString(v[:avail])
			v = v[avail:]
		} else {
			b.WriteString(v[:cut])
			v = v[cut+1:]
		}
		b.WriteString("\r\n" + indent)
	}
	b.WriteString(v)
	b.WriteString("\r\n")
}

// ExtendedColumns are the columns of the historical search extended report.
var ExtendedColumns = []string{
	"date_time_utc", "client_ip", "client_hostname", "server_ip", "server_hostname", "source_context",
	"connector_id", "source", "event_id", "internal_message_id", "message_id", "network_message_id",
	"recipient_address", "recipient_status", "total_bytes", "recipient_count", "related_recipient_address",
	"reference", "message_subject", "sender_address", "return_path", "message_info", "directionality",
	"tenant_id", "original_client_ip", "original_server_ip", "custom_data",
}

// ExtendedReport writes events as the extended report: UTF-16LE with a
// byte order mark, times with seven fraction digits, rows in the order
// given (the service's order is not the time order: shuffle them first).
func ExtendedReport(w io.Writer, events []msgtrk.Event) error {
	var b bytes.Buffer
	writeCSVRow(&b, ExtendedColumns)
	vals := make([]string, len(ExtendedColumns))
	for i := range events {
		e := &events[i]
		for j, c := range ExtendedColumns {
			if c == "date_time_utc" {
				t, _ := msgtrk.ParseTime(e.Get(msgtrk.DateTime))
				vals[j] = t.UTC().Format("2006-01-02T15:04:05.0000000Z")
				continue
			}
			f, _ := msgtrk.LookupField([]byte(strings.ReplaceAll(c, "_", "-")))
			vals[j] = e.Get(f)
		}
		writeCSVRow(&b, vals)
	}
	return WriteUTF16LE(w, b.String())
}

// WriteUTF16LE writes s as UTF-16LE with a byte order mark.
func WriteUTF16LE(w io.Writer, s string) error {
	units := utf16.Encode([]rune(s))
	buf := make([]byte, 2, 2+2*len(units))
	buf[0], buf[1] = 0xFF, 0xFE
	for _, u := range units {
		buf = append(buf, byte(u), byte(u>>8))
	}
	_, err := w.Write(buf)
	return err
}

// Outcome is one recipient's fate, for the summary forms.
type Outcome struct {
	Address string
	// Status: delivered, sent_external, failed, dropped, pending (the
	// correlate statuses), or "group" for a distribution group that was
	// expanded.
	Status string
	Group  string // the group it was expanded from (innermost), or ""
}

// Message is one message of the summary forms.
type Message struct {
	Received         time.Time
	Sender, Subject  string
	Size             int64
	MessageID        string
	NetworkMessageID string
	ClientIP         string
	Inbound          bool
	// Outcomes in the service's order: a group, then its members.
	Outcomes []Outcome
}

// MessageTraceCSV writes messages as Get-MessageTrace(V2) | Export-Csv:
// one row per recipient, Received in UTC in the culture's format. v2 selects
// Get-MessageTraceV2's columns (PowerShell 7, no #TYPE line), otherwise
// Get-MessageTrace's (Windows PowerShell 5.1, a #TYPE line, the remoting
// columns). utf16 writes it with -Encoding Unicode.
func MessageTraceCSV(w io.Writer, msgs []Message, c Culture, v2, utf16 bool) error {
	var b bytes.Buffer
	cols := []string{"PSComputerName", "RunspaceId", "PSShowComputerName", "Organization", "MessageId", "Received",
		"SenderAddress", "RecipientAddress", "Subject", "Status", "ToIP", "FromIP", "Size", "MessageTraceId",
		"StartDate", "EndDate", "Index"}
	if v2 {
		cols = []string{"Received", "SenderAddress", "RecipientAddress", "Subject", "Status", "ToIP", "FromIP", "Size", "MessageId", "MessageTraceId"}
	} else {
		b.WriteString("#TYPE Deserialized.Microsoft.Exchange.Management.FfoReporting.MessageTrace\r\n")
	}
	writeCSVRow(&b, cols)
	vals := make([]string, len(cols))
	index := 0
	for _, m := range msgs {
		for _, o := range m.Outcomes {
			status, toIP := traceStatus(o)
			for j, col := range cols {
				var v string
				switch col {
				case "PSComputerName":
					v = "outlook.office365.com"
				case "RunspaceId":
					v = "0f4e2b1c-9a8d-4c7e-b6f5-3a2d1e0c9b8a"
				case "PSShowComputerName":
					v = "False"
				case "Organization":
					v = "contoso.onmicrosoft.com"
				case "MessageId":
					v = m.MessageID
				case "Received":
					v = c.Format(m.Received, time.UTC)
				case "SenderAddress":
					v = m.Sender
				case "RecipientAddress":
					v = o.Address
				case "Subject":
					v = m.Subject
				case "Status":
					v = status
				case "ToIP":
					v = toIP
				case "FromIP":
					v = m.ClientIP
				case "Size":
					v = fmt.Sprint(m.Size)
				case "MessageTraceId":
					v = m.NetworkMessageID
				case "StartDate", "EndDate":
					v = ""
				case "Index":
					v = fmt.Sprint(index)
				}
				vals[j] = v
			}
			index++
			writeCSVRow(&b, vals)
		}
	}
	if utf16 {
		return WriteUTF16LE(w, b.String())
	}
	_, err := w.Write(b.Bytes())
	return err
}

// traceStatus is the Get-MessageTrace status (and ToIP) of an outcome.
func traceStatus(o Outcome) (status, toIP string) {
	switch o.Status {
	case "group":
		return "Expanded", ""
	case "delivered":
		return "Delivered", ""
	case "sent_external":
		return "Delivered", "203.0.113.25"
	case "failed":
		return "Failed", ""
	case "dropped":
		return "Quarantined", ""
	}
	return "Pending", ""
}

// SummaryReport writes messages as the historical search summary report
// (UTF-16LE with a byte order mark).
func SummaryReport(w io.Writer, msgs []Message) error {
	var b bytes.Buffer
	writeCSVRow(&b, []string{"origin_timestamp_utc", "sender_address", "recipient_status", "message_subject", "total_bytes",
		"message_id", "network_message_id", "original_client_ip", "directionality", "connector_id", "delivery_priority"})
	for _, m := range msgs {
		var rs []string
		for _, o := range m.Outcomes {
			ev := map[string]string{"group": "Expand", "delivered": "Deliver", "sent_external": "Send",
				"failed": "Fail", "dropped": "Drop"}[o.Status]
			if ev == "" {
				ev = "Defer"
			}
			rs = append(rs, o.Address+"##Receive, "+ev)
		}
		dir := "2"
		if m.Inbound {
			dir = "1"
		}
		writeCSVRow(&b, []string{m.Received.UTC().Format("2006-01-02T15:04:05.0000000Z"), m.Sender, strings.Join(rs, ";"),
			m.Subject, fmt.Sprint(m.Size), m.MessageID, m.NetworkMessageID, m.ClientIP, dir, "", "Normal"})
	}
	return WriteUTF16LE(w, b.String())
}
