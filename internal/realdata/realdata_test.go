package realdata

import (
	"errors"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// The tests of this package run two directory levels below the module
// root, one more than the packages that read Dir.
func init() { dir = "../../testdata/real" }

func TestSplitList(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"To", []string{"To"}},
		{"250 2.1.5 Recipient OK;250 2.1.5 Recipient OK", []string{"250 2.1.5 Recipient OK", "250 2.1.5 Recipient OK"}},
		{"a;", []string{"a", ""}},
		{";a", []string{"", "a"}},
		{"[{LED=550 a;b};{MSG=}];250 OK", []string{"[{LED=550 a;b};{MSG=}]", "250 OK"}},
		{"[{LED=x}]", []string{"[{LED=x}]"}},
		{"[{not closed;x", []string{"[{not closed", "x"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, SplitList(tt.in)); diff != "" {
			t.Errorf("SplitList(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestFieldName(t *testing.T) {
	for in, want := range map[string]string{
		"SourceContext": "source-context", "source_context": "source-context", "EventId": "event-id",
		"RecipientStatus": "recipient-status", "recipient_status": "recipient-status", "MessageInfo": "message-info",
		"custom_data": "custom-data", "Source": "source", "date_time_utc": "date-time-utc", "ClientIp": "client-ip",
	} {
		if got := FieldName(in); got != want {
			t.Errorf("FieldName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSamples pins what the reader makes of the corpus: how many rows each
// file gives, and a few columns, among them those of the two damaged
// samples (the AGENTINFO paste and the headerless 2007 row).
func TestSamples(t *testing.T) {
	count := map[string]int{}
	byKey := map[string]Row{}
	for _, r := range All(t) {
		count[r.File]++
		byKey[r.File+"#"+strconv.Itoa(r.Line)] = r
	}
	wantCount := map[string]int{
		"Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_MSGTRKMS.log":                2,
		"awslabs_kinesis-agent-windows_Amazon.KinesisTap.FileSystem.Test_ExchangeLogParserTest.log":       2,
		"elastic_beats_filebeat_tests_files_logs_bom8.log":                                                2,
		"elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log":         6,
		"learn.microsoft.com_answers_2152821_auditing-transport-rules-2_AGENTINFO_truncated.log":          2,
		"leweafan_filebeat-modules_exchange_README_RESOLVE.log":                                           1,
		"wallix_pylogsparser_normalizers_MSExchange2007MessageTracking.log":                               1,
		"cmdlet_output/learn.microsoft.com_answers_134852_Get-MessageTrackingLog_DELIVERFAIL_FAIL_fl.txt": 2,
		"cmdlet_output/learn.microsoft.com_answers_208018_Get-MessageTrackingLog_FAIL_fl.txt":             1,
		"cmdlet_output/tostka_verb-EXO_Public_convert-HistoricalSearchCSV_EXO_extended_report_fl.txt":     2,
	}
	if diff := cmp.Diff(wantCount, count); diff != "" {
		t.Errorf("rows per file mismatch (-want +got):\n%s", diff)
	}
	agent := byKey["learn.microsoft.com_answers_2152821_auditing-transport-rules-2_AGENTINFO_truncated.log#1"]
	if agent.Source != "AGENT" || agent.Event != "AGENTINFO" || agent.SourceContext != "CatContentConversion" {
		t.Errorf("AGENTINFO row: %q %q %q", agent.Source, agent.Event, agent.SourceContext)
	}
	if cd, ok := agent.Get("custom-data"); !ok || cd[:10] != "S:AMA=SUM|" || cd[len(cd)-1] != '|' {
		t.Errorf("AGENTINFO custom-data = %q, %v", cd, ok)
	}
	if _, ok := agent.Get("log-id"); ok {
		t.Error("the truncated AGENTINFO row has a log-id")
	}
	wallix := byKey["wallix_pylogsparser_normalizers_MSExchange2007MessageTracking.log#1"]
	if v, ok := wallix.Get("message-subject"); !ok || v != "Coucou !" || wallix.Event != "SUBMIT" {
		t.Errorf("2007 row read with the wrong names: subject %q, event %q", v, wallix.Event)
	}
	if _, ok := wallix.Get("custom-data"); ok {
		t.Error("the 2007 row has a custom-data column")
	}
	fail := byKey["cmdlet_output/learn.microsoft.com_answers_208018_Get-MessageTrackingLog_FAIL_fl.txt#1"]
	if fail.Style != Cmdlet || fail.Event != "FAIL" || len(fail.RecipStatus) != 1 || fail.RecipStatus[0][:7] != "[{LED=5" {
		t.Errorf("208018 record: style %v event %q status %q", fail.Style, fail.Event, fail.RecipStatus)
	}
	exo := byKey["cmdlet_output/tostka_verb-EXO_Public_convert-HistoricalSearchCSV_EXO_extended_report_fl.txt#1"]
	if exo.Style != EXO || len(exo.RecipStatus) != 2 {
		t.Errorf("EXO summary record: style %v status %q", exo.Style, exo.RecipStatus)
	}
}

func TestRecordPosition(t *testing.T) {
	row := Line(t, "elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log", 2)
	row = Replace(t, row, "vzdump backup status (host01.my.domain.com): backup successful", `"vzdump ""backup"" status, ok"`)
	rec := Record(t, row)
	if got := string(rec.Field(msgtrk.MessageSubject)); got != `vzdump "backup" status, ok` {
		t.Fatalf("subject %q", got)
	}
	sentinel := errors.New("bad")
	// Byte 0 of the quoted subject is 'v', just after the opening quote.
	CheckPosition(t, rec.FieldError(msgtrk.MessageSubject, 0, sentinel), row, msgtrk.MessageSubject, `vzdump ""backup`, sentinel)
}
