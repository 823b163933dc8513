package sourcecontext

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mailtrace/mailtrace/internal/realdata"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/recipstatus"
)

func b(s string) []byte { return []byte(s) }

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// guid is the expected decoding of a valid GUID entry.
func guid(s string) GUIDValue {
	return GUIDValue{Raw: b(s), GUID: msgtrk.MustParseGUID(s), Valid: true}
}

type goldenKey struct {
	file string
	line int
}

const (
	fQazeer  = "Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_MSGTRKMS.log"
	fAWS     = "awslabs_kinesis-agent-windows_Amazon.KinesisTap.FileSystem.Test_ExchangeLogParserTest.log"
	fBOM8    = "elastic_beats_filebeat_tests_files_logs_bom8.log"
	fElastic = "elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log"
	fAgent   = "learn.microsoft.com_answers_2152821_auditing-transport-rules-2_AGENTINFO_truncated.log"
	fResolve = "leweafan_filebeat-modules_exchange_README_RESOLVE.log"
	fWallix  = "wallix_pylogsparser_normalizers_MSExchange2007MessageTracking.log"
	f134852  = "cmdlet_output/learn.microsoft.com_answers_134852_Get-MessageTrackingLog_DELIVERFAIL_FAIL_fl.txt"
	f208018  = "cmdlet_output/learn.microsoft.com_answers_208018_Get-MessageTrackingLog_FAIL_fl.txt"
	fTostka  = "cmdlet_output/tostka_verb-EXO_Public_convert-HistoricalSearchCSV_EXO_extended_report_fl.txt"
)

const (
	awsText   = "< 1028007174.22872.1495474412586.JavaMail.apollo@apollo - adaws - onebox - acc - 1a - 4c722f6e.us - east - 1.amazon.com > [InternalId = EX13D13UWB004.ant.amazon.com, Hostname = 64712272257897] Queued mail for redundancy"
	extText   = "<1736846922.907742.2942@foo.bar.local> [InternalId=5450313518243, Hostname=AAAAAAAAAAAAA.bbbbbbbb.prod.outlook.com] 141301 bytes in 0.101, 1361.827 KB/sec Queued mail for delivery"
	sendText  = "OK20240107001234.567E6224C8@monitor.example.com[Hostname=exchange.example.com]"
	mbxAssist = "MailboxTransportSubmissionEmailAssistant"
)

// golden pins the decoding of every source-context in testdata/real, by
// file and line (or cmdlet record). Raw of the Context and of Store is
// filled in by the test (it is the input itself); every other field is
// written out here.
var golden = map[goldenKey]Context{
	// MSGTRKMS 2016: MDB GUID anonymised to 11 digits in its last group
	// (invalid, kept raw), Mailbox GUID valid.
	{fQazeer, 6}: {Kind: KindStore, Store: Store{
		MDB: GUIDValue{Raw: b("12345678-3232-2323-1111-12345679666")}, Mailbox: guid("33345678-3232-2323-1111-08da9fd00918"),
		EventRaw: b("63779422"), Event: 63779422, MessageClass: b("IPM.Note"),
		CreationTimeRaw: b("2022-09-19T15:02:29.211Z"), CreationTime: ts("2022-09-19T15:02:29.211Z"),
		ClientTypeRaw: b("MOMT"), ClientType: ClientMOMT, SubmissionAssistant: b(mbxAssist), Pairs: 7}},
	{fQazeer, 7}: {Kind: KindStore, Store: Store{
		MDB: GUIDValue{Raw: b("12345678-3232-2323-1111-12345679987")}, Mailbox: guid("33345678-3232-2323-1111-08da9fd00918"),
		EventRaw: b("63779422"), Event: 63779422, MessageClass: b("IPM.Note"),
		CreationTimeRaw: b("2022-09-19T15:02:29.211Z"), CreationTime: ts("2022-09-19T15:02:29.211Z"),
		ClientTypeRaw: b("MOMT"), ClientType: ClientMOMT, SubmissionAssistant: b(mbxAssist),
		ServerMdbConnectionIDRaw: b("08DA9806C5B670C1"), ServerMdbConnectionID: 0x08DA9806C5B670C1, Pairs: 8}},
	// 2013 writer: AGENTINFO without context; HAREDIRECT with swapped
	// InternalId/Hostname and blanks added by an editor.
	{fAWS, 6}: {Kind: KindEmpty},
	{fAWS, 7}: {Kind: KindShadowRedirect, Shadow: Shadow{
		Host: b("EX13D13UWB004.ant.amazon.com"),
		Reply: Reply{
			Response:  recipstatus.Response{Raw: b("250 2.6.0 " + awsText), Code: 250, Enhanced: recipstatus.EnhancedCode{Class: 2, Subject: 6, Detail: 0}, Text: b(awsText)},
			MessageID: b("1028007174.22872.1495474412586.JavaMail.apollo@apollo - adaws - onebox - acc - 1a - 4c722f6e.us - east - 1.amazon.com"),
			Next:      NextHop{InternalIDRaw: b("64712272257897"), InternalID: 64712272257897, Host: b("EX13D13UWB004.ant.amazon.com"), Swapped: true},
		}}},
	// 2010 quota warnings: ClientType System, no SubmissionAssistant.
	{fBOM8, 6}: {Kind: KindStore, Store: Store{
		MDB: guid("61914740-3f1b-4ddb-94e0-557196870cfa"), Mailbox: guid("279f077c-216f-4323-a9ee-48e50ffd3cad"),
		EventRaw: b("269492708"), Event: 269492708, MessageClass: b("IPM.Note.StorageQuotaWarning.Warning"),
		CreationTimeRaw: b("2016-04-05T00:00:01.022Z"), CreationTime: ts("2016-04-05T00:00:01.022Z"),
		ClientTypeRaw: b("System"), ClientType: ClientSystem, Pairs: 6}},
	{fBOM8, 7}: {Kind: KindStore, Store: Store{
		MDB: guid("61914740-3f1b-4ddb-94e0-557196870cfa"), Mailbox: guid("49cb09c6-5b76-415d-a085-da0ad9079682"),
		EventRaw: b("269492711"), Event: 269492711, MessageClass: b("IPM.Note.StorageQuotaWarning.Warning"),
		CreationTimeRaw: b("2016-04-05T00:00:01.038Z"), CreationTime: ts("2016-04-05T00:00:01.038Z"),
		ClientTypeRaw: b("System"), ClientType: ClientSystem, Pairs: 6}},
	// 2016/2019 rows.
	{fElastic, 1}: {Kind: KindShadowFail},
	{fElastic, 2}: {Kind: KindReceive, Receive: Receive{
		Session:    Session{IDRaw: b("08DC1DB12C345BE5"), ID: 0x08DC1DB12C345BE5, StartRaw: b("2024-01-25T15:16:09.544Z"), Start: ts("2024-01-25T15:16:09.544Z")},
		OrdinalRaw: b("0"), Ordinal: 0}},
	{fElastic, 3}: {Kind: KindReceive, Receive: Receive{
		Session:    Session{IDRaw: b("08DC1DB12C345BE9"), ID: 0x08DC1DB12C345BE9, StartRaw: b("2024-01-25T15:16:12.885Z"), Start: ts("2024-01-25T15:16:12.885Z")},
		OrdinalRaw: b("0"), Ordinal: 0}},
	// SEND damaged by anonymisation: no blank after 2.0.0, message id lost
	// its <>; the hop has a Hostname only.
	{fElastic, 4}: {Kind: KindSend, Send: Send{
		Reply: Reply{
			Response: recipstatus.Response{Raw: b("250 2.0.0" + sendText), Code: 250, Enhanced: recipstatus.EnhancedCode{Class: 2}, Text: b(sendText)},
			Next:     NextHop{Host: b("exchange.example.com")},
		},
		HasClientSubmitTime: true, ClientSubmitTimeRaw: b("")}},
	{fElastic, 5}: {Kind: KindSend, Send: Send{
		Reply: Reply{
			Response:  recipstatus.Response{Raw: b("250 2.6.0 " + extText), Code: 250, Enhanced: recipstatus.EnhancedCode{Class: 2, Subject: 6}, Text: b(extText)},
			MessageID: b("1736846922.907742.2942@foo.bar.local"),
			Next:      NextHop{InternalIDRaw: b("5450313518243"), InternalID: 5450313518243, Host: b("AAAAAAAAAAAAA.bbbbbbbb.prod.outlook.com")},
		},
		HasClientSubmitTime: true, ClientSubmitTimeRaw: b("")}},
	{fElastic, 6}: {Kind: KindStore, Store: Store{
		MDB: guid("f4adaa08-ff49-4bca-ba70-68e9b80597b0"), Mailbox: guid("84dd42d9-8814-4758-a8bb-e8765d62ec90"),
		EventRaw: b("190620893"), Event: 190620893, MessageClass: b("IPM.Note"),
		CreationTimeRaw: b("2025-01-14T09:28:39.321Z"), CreationTime: ts("2025-01-14T09:28:39.321Z"),
		ClientTypeRaw: b("MOMT"), ClientType: ClientMOMT, SubmissionAssistant: b(mbxAssist), Pairs: 7}},
	{fAgent, 1}:   {Kind: KindAgent},
	{fAgent, 2}:   {Kind: KindAgent},
	{fResolve, 1}: {Kind: KindRecipientDN},
	// 2007: SUBMIT with ClientType User.
	{fWallix, 1}: {Kind: KindStore, Store: Store{
		MDB: guid("ada3d2c3-6f32-45db-b1ee-a68dbcc86664"), Mailbox: guid("68cf09c1-1344-4639-b013-3c6f8a588504"),
		EventRaw: b("1440"), Event: 1440, MessageClass: b("IPM.Note"),
		CreationTimeRaw: b("2010-04-19T12:28:51.312Z"), CreationTime: ts("2010-04-19T12:28:51.312Z"),
		ClientTypeRaw: b("User"), ClientType: ClientUser, Pairs: 6}},
	// Cmdlet output: DELIVERFAIL (MSGTRKMD) session; SMTP FAIL rows empty.
	{f134852, 1}: {Kind: KindDelivery, Send: Send{
		Session: Session{IDRaw: b("08D8648A8359CDFE"), ID: 0x08D8648A8359CDFE, StartRaw: b("2020-10-07T16:27:19.546Z"), Start: ts("2020-10-07T16:27:19.546Z")}}},
	{f134852, 2}: {Kind: KindEmpty},
	{f208018, 1}: {Kind: KindEmpty},
	// EXO: the summary record has no source-context; the extended one is a
	// DELIVER with session and ClientSubmitTime.
	{fTostka, 1}: {Kind: KindEmpty},
	{fTostka, 2}: {Kind: KindDelivery, Send: Send{
		Session:             Session{IDRaw: b("08D9AE1AA4FEA27C"), ID: 0x08D9AE1AA4FEA27C, StartRaw: b("2021-11-23T19:49:37.215Z"), Start: ts("2021-11-23T19:49:37.215Z")},
		HasClientSubmitTime: true, ClientSubmitTimeRaw: b("2021-11-23T19:49:36.380Z"), ClientSubmitTime: ts("2021-11-23T19:49:36.380Z")}},
}

func TestGoldenReal(t *testing.T) {
	seen := map[goldenKey]bool{}
	for _, row := range realdata.All(t) {
		k := goldenKey{row.File, row.Line}
		want, ok := golden[k]
		if !ok {
			t.Errorf("%s:%d %q: no golden entry", row.File, row.Line, row.SourceContext)
			continue
		}
		seen[k] = true
		want.Raw = b(row.SourceContext)
		if want.Kind == KindStore {
			want.Store.Raw = want.Raw
		}
		got, err := Parse(b(row.Source), b(row.Event), b(row.SourceContext))
		if err != nil {
			t.Errorf("%s:%d: Parse error %v", row.File, row.Line, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s:%d: Parse(%q, %q, %q) mismatch (-want +got):\n%s", row.File, row.Line, row.Source, row.Event, row.SourceContext, diff)
		}
	}
	for k := range golden {
		if !seen[k] {
			t.Errorf("golden entry %v matches no real row", k)
		}
	}
}

// TestGoldenStitching pins what the hop-stitching fields give on the real
// samples: the next hop's internal-message-id differs from the row's own.
func TestGoldenStitching(t *testing.T) {
	rows := realdata.All(t)
	var hops []int64
	for _, row := range rows {
		c, _ := Parse(b(row.Source), b(row.Event), b(row.SourceContext))
		switch c.Kind {
		case KindSend:
			hops = append(hops, c.Send.Reply.Next.InternalID)
		case KindShadowRedirect:
			hops = append(hops, c.Shadow.Reply.Next.InternalID)
		}
	}
	want := []int64{64712272257897, 0, 5450313518243}
	if diff := cmp.Diff(want, hops); diff != "" {
		t.Errorf("next-hop ids mismatch (-want +got):\n%s", diff)
	}
}
