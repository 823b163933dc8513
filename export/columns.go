package export

import (
	"strings"

	"github.com/mailtrace/mailtrace/eventdata"
	"github.com/mailtrace/mailtrace/filekind"
	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// role is what one column of an export becomes.
type role uint8

const (
	roleExtra         role = iota // a column of no tracking field: kept under its own name
	roleField                     // a tracking field, the value as written
	roleArray                     // a PowerShell array: Recipients, RecipientStatus, Reference
	roleEventData                 // EventData ({[Key, Value], …}) → custom-data
	roleLocalTime                 // Timestamp: the exporting machine's wall-clock time
	roleUTCTime                   // date_time_utc, origin_timestamp_utc, Received: UTC
	roleTraceStatus               // Get-MessageTrace's Status
	roleSummaryStatus             // the summary report's recipient_status: addr##events;…
	roleDirection                 // the summary report's directionality: 1 or 2
	rolePriority                  // the summary report's delivery_priority → custom-data
)

// column is one column of an export and what it maps to.
type column struct {
	name  string
	role  role
	field msgtrk.Field
	slot  int // index in row.vals; -1: not carried
}

// fieldByName maps normalised tracking field names ("datetime",
// "clientip", …) to fields.
var fieldByName = func() map[string]msgtrk.Field {
	m := map[string]msgtrk.Field{}
	for f := msgtrk.Field(0); int(f) < msgtrk.NumFields; f++ {
		m[filekind.NormalizeName(f.String())] = f
	}
	return m
}()

// classify maps a column name of vocabulary v to its role and field.
func classify(v filekind.Vocabulary, name string) (role, msgtrk.Field) {
	n := filekind.NormalizeName(name)
	switch v {
	case filekind.VocabCmdlet:
		switch n {
		case "timestamp":
			return roleLocalTime, msgtrk.DateTime
		case "recipients", "recipientaddress":
			return roleArray, msgtrk.RecipientAddress
		case "recipientstatus":
			return roleArray, msgtrk.RecipientStatus
		case "reference":
			return roleArray, msgtrk.Reference
		case "sender":
			return roleField, msgtrk.SenderAddress
		case "eventdata":
			return roleEventData, msgtrk.CustomData
		case "datetime", "datetimeutc":
			return roleUTCTime, msgtrk.DateTime
		}
	case filekind.VocabExtended:
		switch n {
		case "datetimeutc", "datetime":
			return roleUTCTime, msgtrk.DateTime
		}
	case filekind.VocabMessageTrace:
		switch n {
		case "received":
			return roleUTCTime, msgtrk.DateTime
		case "senderaddress":
			return roleField, msgtrk.SenderAddress
		case "recipientaddress":
			return roleField, msgtrk.RecipientAddress
		case "subject":
			return roleField, msgtrk.MessageSubject
		case "status":
			return roleTraceStatus, msgtrk.RecipientStatus
		case "toip":
			return roleField, msgtrk.ServerIP
		case "fromip":
			return roleField, msgtrk.ClientIP
		case "size":
			return roleField, msgtrk.TotalBytes
		case "messageid":
			return roleField, msgtrk.MessageID
		case "messagetraceid":
			return roleField, msgtrk.NetworkMessageID
		}
		return roleExtra, 0
	case filekind.VocabSummary:
		switch n {
		case "origintimestamputc", "origintimestamp":
			return roleUTCTime, msgtrk.DateTime
		case "recipientstatus":
			return roleSummaryStatus, msgtrk.RecipientStatus
		case "directionality":
			return roleDirection, msgtrk.Directionality
		case "deliverypriority":
			return rolePriority, msgtrk.CustomData
		case "senderaddress", "messagesubject", "totalbytes", "messageid", "networkmessageid",
			"originalclientip", "connectorid", "returnpath", "clientip":
			return roleField, fieldByName[n]
		}
		return roleExtra, 0
	}
	if f, ok := fieldByName[n]; ok && f != msgtrk.DateTime {
		if f.IsList() && v == filekind.VocabCmdlet {
			if f == msgtrk.CustomData {
				return roleEventData, f
			}
			return roleArray, f
		}
		return roleField, f
	}
	return roleExtra, 0
}

// isTypeName reports whether v is what Export-Csv writes for a property it
// cannot show, the name of the value's .NET type ("System.String[]",
// "System.Collections.Generic.List`1[…]", "Deserialized.System.…").
func isTypeName(v string) bool {
	head := v
	if i := strings.IndexByte(v, '['); i >= 0 {
		head = v[:i]
	}
	if !(strings.HasPrefix(head, "System.") || strings.HasPrefix(head, "Microsoft.") || strings.HasPrefix(head, "Deserialized.")) {
		return false
	}
	for i := 0; i < len(head); i++ {
		if c := head[i]; !(ascii.IsAlnum(c) || c == '.' || c == '`' || c == '_' || c == '+') {
			return false
		}
	}
	// After the name: nothing, or bracketed groups back to back
	// ("[]", "[System.String,System.Object]").
	depth := 0
	for i := len(head); i < len(v); i++ {
		switch v[i] {
		case '[':
			depth++
		case ']':
			if depth--; depth < 0 {
				return false
			}
		default:
			if depth == 0 {
				return false
			}
		}
	}
	return depth == 0
}

// splitArray splits a PowerShell array written by Format-List ({a, b}) or
// joined by the administrator (a;b, "a, b", or tab-separated). n is the
// number of recipients of the row when f is recipient-status (a status
// member may itself hold "; " or ", ": with one recipient the whole value
// is one member). truncated reports a Format-List array cut by
// $FormatEnumerationLimit ("{a, b, c, d...}").
func splitArray(v string, f msgtrk.Field, n int) (members []string, truncated bool) {
	v = strings.TrimSpace(v)
	braced := len(v) >= 2 && v[0] == '{' && v[len(v)-1] == '}'
	if braced {
		v = strings.TrimSpace(v[1 : len(v)-1])
		for _, dots := range []string{"...", "…"} {
			if strings.HasSuffix(v, dots) {
				v, truncated = strings.TrimSpace(strings.TrimSuffix(v, dots)), true
			}
		}
	}
	if v == "" {
		return nil, truncated
	}
	if f == msgtrk.RecipientStatus && n == 1 && !truncated {
		return []string{v}, false
	}
	var sep string
	switch {
	case strings.Contains(v, "\t"):
		sep = "\t"
	case braced && f == msgtrk.RecipientStatus:
		sep = ", "
	case braced:
		// Addresses and message ids hold no ',': a wrapped list may have
		// lost the blank after one.
		sep = ","
	case strings.Contains(v, ";"):
		sep = ";"
	case strings.Contains(v, ","):
		sep = ","
	default:
		return []string{v}, truncated
	}
	members = splitOutsideBlobs(v, sep)
	if f == msgtrk.RecipientStatus && n > 0 && len(members) != n && !truncated {
		// The statuses cannot be paired with the recipients: keep the value whole.
		return []string{v}, false
	}
	for i := range members {
		members[i] = strings.TrimSpace(members[i])
	}
	return members, truncated
}

// splitOutsideBlobs splits v at sep except inside "[{…}]" LastError blobs.
func splitOutsideBlobs(v, sep string) []string {
	var out []string
	depth := 0
	start := 0
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '[' && i+1 < len(v) && v[i+1] == '{':
			depth++
		case v[i] == ']' && i > 0 && v[i-1] == '}' && depth > 0:
			depth--
		case depth == 0 && strings.HasPrefix(v[i:], sep):
			out = append(out, v[start:i])
			start = i + len(sep)
			i += len(sep) - 1
		}
	}
	return append(out, v[start:])
}

// appendList joins members in the list syntax of the log (';' between
// members, apostrophe quoting where needed).
func appendList(dst []byte, members []string) []byte {
	if len(members) == 1 && members[0] == "" {
		return append(dst, "''"...)
	}
	for i, m := range members {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = msgtrk.AppendListMember(dst, []byte(m))
	}
	return dst
}

// customData turns the PowerShell rendering of EventData
// ({[E2ELatency, 14.578], [DeliveryPriority, Low]}) into custom-data members
// (S:E2ELatency=14.578;S:DeliveryPriority=Low); the type tags are not in the
// rendering, so every member is S:. A value already in custom-data syntax is
// kept. ok is false when the rendering does not scan; the members before the
// problem are returned.
func customData(v string) (members []string, truncated, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" || v == "{}" {
		return nil, false, true
	}
	if !strings.HasPrefix(v, "{") && !strings.HasPrefix(v, "[") {
		// Already custom-data (an administrator's join of S:Key=Value pairs).
		var s msgtrk.ListScanner
		s.Init([]byte(v))
		for s.Next() {
			members = append(members, string(s.Bytes()))
		}
		return members, false, true
	}
	if strings.HasSuffix(v, "...}") || strings.HasSuffix(v, "…}") {
		truncated = true
		v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(v, "}"), "..."), "…")) + "}"
		v = strings.TrimSuffix(strings.TrimSuffix(v, ",}"), ", }")
		if !strings.HasSuffix(v, "}") {
			v += "}"
		}
	}
	b := eventdata.AppendUnwrapped(nil, []byte(v))
	var sc eventdata.PSScanner
	sc.Init(b)
	for sc.Next() {
		members = append(members, "S:"+string(sc.Key())+"="+string(sc.Value()))
	}
	return members, truncated, sc.Err() == nil
}

// traceEvent maps a Get-MessageTrace status to the tracking event it
// stands for, "" when it stands for none (GettingStatus, None): Delivered is
// DELIVER, or SEND when ToIP names where it was sent (the service delivered
// it to another server: ToIP is blank for mail delivered to a mailbox);
// Failed is FAIL; Expanded is EXPAND (a distribution group); Pending is
// DEFER; Quarantined and FilteredAsSpam ("identified as spam, and rejected
// or blocked") are DROP.
func traceEvent(status, toIP string) string {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "delivered":
		if strings.TrimSpace(toIP) != "" {
			return "Send"
		}
		return "Deliver"
	case "failed":
		return "Fail"
	case "expanded":
		return "Expand"
	case "pending":
		return "Defer"
	case "quarantined", "filteredasspam":
		return "Drop"
	}
	return ""
}

// direction maps the summary report's directionality: 1 inbound, 2
// outbound (as the tracking log writes them: Incoming, Originating).
func direction(v string) string {
	switch strings.TrimSpace(v) {
	case "1":
		return "Incoming"
	case "2":
		return "Originating"
	}
	return v
}

// summaryRecipients splits the summary report's recipient_status,
// "a@x##Receive, Deliver;b@y##Receive, Fail", into addresses and statuses.
func summaryRecipients(v string) (addrs, statuses []string) {
	for m := range strings.SplitSeq(v, ";") {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		addr, status, _ := strings.Cut(m, "##")
		addrs = append(addrs, strings.TrimSpace(addr))
		statuses = append(statuses, strings.TrimSpace(status))
	}
	return addrs, statuses
}
