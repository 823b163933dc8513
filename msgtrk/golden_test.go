package msgtrk_test

import (
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/msgtrk"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// realFiles lists the raw log samples of ../testdata/real (provenance in
// SOURCES.md there) with the field list to use for the ones that lost their
// header.
var realFiles = []struct {
	name   string
	layout msgtrk.Layout // fallback field list, for files without a header
}{
	{"Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_MSGTRKMS.log", 0},
	{"awslabs_kinesis-agent-windows_Amazon.KinesisTap.FileSystem.Test_ExchangeLogParserTest.log", 0},
	{"elastic_beats_filebeat_tests_files_logs_bom8.log", 0},
	{"elastic_beats_issue1349_MSGTRK20160405-1_first_line.log", 0},
	{"elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log", msgtrk.Layout2016},
	{"learn.microsoft.com_answers_2152821_auditing-transport-rules-2_AGENTINFO_truncated.log", msgtrk.Layout2016},
	{"leweafan_filebeat-modules_exchange_README_RESOLVE.log", msgtrk.Layout2016},
	{"wallix_pylogsparser_normalizers_MSExchange2007MessageTracking.log", msgtrk.Layout2007},
}

type goldenRecipient struct {
	Address string `json:"address"`
	Status  string `json:"status,omitempty"`
}

type goldenRecord struct {
	Line       int64             `json:"line"`
	Layout     string            `json:"layout"`
	Time       string            `json:"time"`
	Event      string            `json:"event"`
	Source     string            `json:"source"`
	Fields     map[string]string `json:"fields"`
	Recipients []goldenRecipient `json:"recipients,omitempty"`
	CustomData []string          `json:"custom_data,omitempty"`
	Reference  []string          `json:"reference,omitempty"`
}

type goldenError struct {
	Line   int64  `json:"line"`
	Column int    `json:"column"`
	Field  string `json:"field,omitempty"`
	Err    string `json:"err"`
}

type goldenFile struct {
	Header  msgtrk.Header  `json:"header"`
	Records []goldenRecord `json:"records"`
	Errors  []goldenError  `json:"errors,omitempty"`
	Stats   msgtrk.Stats   `json:"stats"`
}

func dumpFile(t *testing.T, r *msgtrk.Reader, layout msgtrk.Layout) goldenFile {
	t.Helper()
	var g goldenFile
	r.Fields = layout.FieldNames()
	r.ErrorHandler = func(e *msgtrk.ParseError) {
		g.Errors = append(g.Errors, goldenError{e.Line, e.Column, e.Field, e.Err.Error()})
	}
	var ls msgtrk.ListScanner
	var rs msgtrk.RecipientScanner
	for r.Next() {
		rec := r.Record()
		gr := goldenRecord{Line: rec.LineNumber(), Layout: rec.Layout().String(), Event: rec.EventType().String(),
			Source: rec.SourceType().String(), Fields: map[string]string{}}
		if tm, err := rec.Time(); err == nil {
			gr.Time = tm.Format("2006-01-02T15:04:05.000Z07:00")
		} else {
			gr.Time = "error: " + err.Error()
		}
		for i := 0; i < rec.NumColumns(); i++ {
			if v := rec.Column(i); len(v) > 0 {
				gr.Fields[rec.ColumnName(i)] = string(v)
			}
		}
		rs.Init(rec)
		for rs.Next() {
			gr.Recipients = append(gr.Recipients, goldenRecipient{string(rs.Address()), string(rs.Status())})
		}
		rec.List(msgtrk.CustomData, &ls)
		for ls.Next() {
			gr.CustomData = append(gr.CustomData, string(ls.Bytes()))
		}
		rec.List(msgtrk.Reference, &ls)
		for ls.Next() {
			gr.Reference = append(gr.Reference, string(ls.Bytes()))
		}
		g.Records = append(g.Records, gr)
	}
	if err := r.Err(); err != nil {
		t.Fatalf("Err() = %v", err)
	}
	g.Header = r.Header()
	g.Stats = r.Stats()
	return g
}

// TestGoldenRealSamples reads every raw sample and compares everything the
// reader makes of it with the golden file (run with -update to rewrite
// after a reviewed change).
func TestGoldenRealSamples(t *testing.T) {
	for _, f := range realFiles {
		t.Run(f.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "testdata", "real", f.name))
			if err != nil {
				t.Fatal(err)
			}
			got := dumpFile(t, msgtrk.NewReaderBytes(data), f.layout)
			// Reading through a stream of three-byte reads gives the same.
			streamed := dumpFile(t, msgtrk.NewReader(&chunkReader{data: data, n: 3}), f.layout)
			if diff := cmp.Diff(got, streamed); diff != "" {
				t.Errorf("stream vs bytes mismatch (-bytes +stream):\n%s", diff)
			}
			path := filepath.Join("testdata", "golden", strings.TrimSuffix(f.name, ".log")+".json")
			if *update {
				b, _ := json.MarshalIndent(got, "", "  ")
				if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGoldenRealSamples -update)", err)
			}
			var want goldenFile
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", f.name, diff)
			}
		})
	}
}

type chunkReader struct {
	data []byte
	n    int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(c.n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// TestRealSampleValues pins values read by hand from the raw files, so the
// golden files cannot drift into agreeing with a bug.
func TestRealSampleValues(t *testing.T) {
	tests := []struct {
		file  string
		line  int64
		field msgtrk.Field
		want  string
	}{
		{"Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_MSGTRKMS.log", 7, msgtrk.SourceContext,
			"MDB:12345678-3232-2323-1111-12345679987, Mailbox:33345678-3232-2323-1111-08da9fd00918, Event:63779422, MessageClass:IPM.Note, CreationTime:2022-09-19T15:02:29.211Z, ClientType:MOMT, SubmissionAssistant:MailboxTransportSubmissionEmailAssistant, ServerMdbConnectionId:08DA9806C5B670C1"},
		{"Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_MSGTRKMS.log", 7, msgtrk.RecipientStatus, "To"},
		{"Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_MSGTRKMS.log", 7, msgtrk.MessageInfo, "04I: "},
		{"Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_MSGTRKMS.log", 7, msgtrk.SchemaVersion, "15.01.2375.007"},
		{"awslabs_kinesis-agent-windows_Amazon.KinesisTap.FileSystem.Test_ExchangeLogParserTest.log", 7, msgtrk.RecipientAddress, "abannert@amazon.com;bryanson@amazon.com;zihoncao@amazon.com"},
		{"awslabs_kinesis-agent-windows_Amazon.KinesisTap.FileSystem.Test_ExchangeLogParserTest.log", 6, msgtrk.NetworkMessageID, "13fad5b7-39c5-46e7-130e-08d4a138ac67"},
		{"elastic_beats_filebeat_tests_files_logs_bom8.log", 6, msgtrk.CustomData, "S:ItemEntryId=00-00-00-00-37-DB-F9-F9-B5-F2-42-4F-86-62-E6-5D-FC-0C-A1-41-07-00-0E-D6-03-16-80-DC-8C-44-9D-30-07-23-ED-71-B7-F7-00-00-1F-D4-B5-0E-00-00-2E-EF-F2-59-0E-E8-2D-46-BC-31-02-85-0D-67-98-43-00-00-37-4A-A3-B3-00-00"},
		{"elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log", 5, msgtrk.SourceContext,
			";250 2.6.0 <1736846922.907742.2942@foo.bar.local> [InternalId=5450313518243, Hostname=AAAAAAAAAAAAA.bbbbbbbb.prod.outlook.com] 141301 bytes in 0.101, 1361.827 KB/sec Queued mail for delivery;ClientSubmitTime:"},
		{"elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log", 5, msgtrk.ReturnPath, "<>"},
		{"elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log", 2, msgtrk.ConnectorID, `exchange-mail\Default exchange-mail`},
		{"elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log", 2, msgtrk.MessageInfo, "0cA: "},
		{"elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log", 6, msgtrk.ClientIP, "2a02:cf40::0000:1234:5678:9abc"},
		{"leweafan_filebeat-modules_exchange_README_RESOLVE.log", 1, msgtrk.RelatedRecipientAddress, "mail1@test.com"},
		{"wallix_pylogsparser_normalizers_MSExchange2007MessageTracking.log", 1, msgtrk.SenderAddress, "user7@qa.ifr.lan"},
	}
	for _, tt := range tests {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "real", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		r := msgtrk.NewReaderBytes(data)
		for _, f := range realFiles {
			if f.name == tt.file {
				r.Fields = f.layout.FieldNames()
			}
		}
		found := false
		for r.Next() {
			if rec := r.Record(); rec.LineNumber() == tt.line {
				found = true
				if got := string(rec.Field(tt.field)); got != tt.want {
					t.Errorf("%s:%d %v = %q, want %q", tt.file, tt.line, tt.field, got, tt.want)
				}
			}
		}
		if !found {
			t.Errorf("%s:%d: no such row (err %v)", tt.file, tt.line, r.Err())
		}
	}
}
