package export

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailtrace/mailtrace/filekind"
	"github.com/mailtrace/mailtrace/msgtrk"
)

func TestSplitArray(t *testing.T) {
	blob := "[{LED=501 5.1.4 Recipient address reserved by RFC 2606};{MSG=};{FQDN=server.mylab.test};{IP=192.168.159.133};{LRT=12/22/2020 2:28:06 AM}]"
	deliverFail := "STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded; Failed to process message due to a permanent exception with message The mailbox is full. 16.55847:E9000000, 17.43559:0000"
	tests := []struct {
		name  string
		in    string
		f     msgtrk.Field
		n     int
		want  []string
		trunc bool
	}{
		{"joined with ;", "a@x;b@y", msgtrk.RecipientAddress, 0, []string{"a@x", "b@y"}, false},
		{"joined with , and blanks", "a@x, b@y", msgtrk.RecipientAddress, 0, []string{"a@x", "b@y"}, false},
		{"tabs", "a@x\tb@y", msgtrk.RecipientAddress, 0, []string{"a@x", "b@y"}, false},
		{"braces", "{a@x, b@y}", msgtrk.RecipientAddress, 0, []string{"a@x", "b@y"}, false},
		{"braces, wrapped without the blank", "{a@x,b@y}", msgtrk.RecipientAddress, 0, []string{"a@x", "b@y"}, false},
		{"cut by the enumeration limit", "{a@x, b@y, c@z, d@w...}", msgtrk.RecipientAddress, 0, []string{"a@x", "b@y", "c@z", "d@w"}, true},
		{"cut, PowerShell 7 ellipsis", "{a@x, b@y…}", msgtrk.RecipientAddress, 0, []string{"a@x", "b@y"}, true},
		{"empty braces", "{}", msgtrk.RecipientAddress, 0, nil, false},
		{"one status with ; for one recipient", deliverFail, msgtrk.RecipientStatus, 1, []string{deliverFail}, false},
		{"a LastError blob kept whole", "250 2.1.5 Recipient OK;" + blob, msgtrk.RecipientStatus, 2, []string{"250 2.1.5 Recipient OK", blob}, false},
		{"statuses that cannot be paired stay whole", "a;b;c", msgtrk.RecipientStatus, 2, []string{"a;b;c"}, false},
		{"braced statuses", "{250 2.1.5 Recipient OK, 250 2.1.5 Recipient OK}", msgtrk.RecipientStatus, 2, []string{"250 2.1.5 Recipient OK", "250 2.1.5 Recipient OK"}, false},
	}
	for _, tt := range tests {
		got, trunc := splitArray(tt.in, tt.f, tt.n)
		if diff := cmp.Diff(tt.want, got); diff != "" || trunc != tt.trunc {
			t.Errorf("%s: truncated %v, members (-want +got):\n%s", tt.name, trunc, diff)
		}
	}
}

func TestCustomData(t *testing.T) {
	tests := []struct {
		in        string
		want      []string
		trunc, ok bool
	}{
		{"{[E2ELatency, 14.578], [DeliveryPriority, Low], [PrioritizationReason, AMS:12689884/1048576|ARC:83/500]}",
			[]string{"S:E2ELatency=14.578", "S:DeliveryPriority=Low", "S:PrioritizationReason=AMS:12689884/1048576|ARC:83/500"}, false, true},
		{"{[E2ELatency, 0.701], [ToEntity, Unknown]...}", []string{"S:E2ELatency=0.701", "S:ToEntity=Unknown"}, true, true},
		{"S:E2ELatency=1.2;S:DeliveryPriority=Normal", []string{"S:E2ELatency=1.2", "S:DeliveryPriority=Normal"}, false, true},
		{"", nil, false, true},
		{"{}", nil, false, true},
		{"{[E2ELatency, 1], [broken", []string{"S:E2ELatency=1"}, false, false},
	}
	for _, tt := range tests {
		got, trunc, ok := customData(tt.in)
		if diff := cmp.Diff(tt.want, got); diff != "" || trunc != tt.trunc || ok != tt.ok {
			t.Errorf("customData(%q): truncated %v ok %v (-want +got):\n%s", tt.in, trunc, ok, diff)
		}
	}
}

func TestIsTypeName(t *testing.T) {
	for in, want := range map[string]bool{
		"System.String[]": true,
		"System.Collections.Generic.List`1[System.Collections.Generic.KeyValuePair`2[System.String,System.Object]]": true,
		"Deserialized.System.String[]":     true,
		"System.Collections.ArrayList":     true,
		"Microsoft.Exchange.Data.Fqdn":     true,
		"system.string[]":                  false,
		"System failure on EX01":           false,
		"alex@contoso.com":                 false,
		"":                                 false,
		"System.String[] and more text[x]": false,
	} {
		if got := isTypeName(in); got != want {
			t.Errorf("isTypeName(%q) = %v", in, got)
		}
	}
}

func TestTraceEvent(t *testing.T) {
	for _, tt := range []struct{ status, toIP, want string }{
		{"Delivered", "", "Deliver"},
		{"Delivered", "203.0.113.25", "Send"},
		{"Failed", "", "Fail"},
		{"Expanded", "", "Expand"},
		{"Pending", "", "Defer"},
		{"Quarantined", "", "Drop"},
		{"FilteredAsSpam", "", "Drop"},
		{"GettingStatus", "", ""},
		{"None", "", ""},
	} {
		if got := traceEvent(tt.status, tt.toIP); got != tt.want {
			t.Errorf("traceEvent(%q, %q) = %q, want %q", tt.status, tt.toIP, got, tt.want)
		}
	}
}

func TestSummaryRecipients(t *testing.T) {
	addrs, sts := summaryRecipients(`Fname.Lname@domain.com##Receive, Deliver;"Fname LName<fname.lname"@domain.com##Receive, Fail;;x@y`)
	if diff := cmp.Diff([]string{"Fname.Lname@domain.com", `"Fname LName<fname.lname"@domain.com`, "x@y"}, addrs); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Receive, Deliver", "Receive, Fail", ""}, sts); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		v     filekind.Vocabulary
		name  string
		role  role
		field msgtrk.Field
	}{
		{filekind.VocabCmdlet, "Timestamp", roleLocalTime, msgtrk.DateTime},
		{filekind.VocabCmdlet, "Recipients", roleArray, msgtrk.RecipientAddress},
		{filekind.VocabCmdlet, "RecipientStatus", roleArray, msgtrk.RecipientStatus},
		{filekind.VocabCmdlet, "Reference", roleArray, msgtrk.Reference},
		{filekind.VocabCmdlet, "Sender", roleField, msgtrk.SenderAddress},
		{filekind.VocabCmdlet, "EventData", roleEventData, msgtrk.CustomData},
		{filekind.VocabCmdlet, "OriginalClientIp", roleField, msgtrk.OriginalClientIP},
		{filekind.VocabCmdlet, "RunspaceId", roleExtra, 0},
		{filekind.VocabExtended, "date_time_utc", roleUTCTime, msgtrk.DateTime},
		{filekind.VocabExtended, "recipient_address", roleField, msgtrk.RecipientAddress},
		{filekind.VocabExtended, "custom_data", roleField, msgtrk.CustomData},
		{filekind.VocabMessageTrace, "Received", roleUTCTime, msgtrk.DateTime},
		{filekind.VocabMessageTrace, "MessageTraceId", roleField, msgtrk.NetworkMessageID},
		{filekind.VocabMessageTrace, "Status", roleTraceStatus, msgtrk.RecipientStatus},
		{filekind.VocabMessageTrace, "ToIP", roleField, msgtrk.ServerIP},
		{filekind.VocabMessageTrace, "Organization", roleExtra, 0},
		{filekind.VocabSummary, "origin_timestamp", roleUTCTime, msgtrk.DateTime},
		{filekind.VocabSummary, "recipient_status", roleSummaryStatus, msgtrk.RecipientStatus},
		{filekind.VocabSummary, "directionality", roleDirection, msgtrk.Directionality},
		{filekind.VocabSummary, "delivery_priority", rolePriority, msgtrk.CustomData},
		{filekind.VocabSummary, "network_message_id", roleField, msgtrk.NetworkMessageID},
	}
	for _, tt := range tests {
		r, f := classify(tt.v, tt.name)
		if r != tt.role || r != roleExtra && f != tt.field {
			t.Errorf("classify(%v, %q) = %v, %v; want %v, %v", tt.v, tt.name, r, f, tt.role, tt.field)
		}
	}
}
