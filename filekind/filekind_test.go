package filekind

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// Headers of the other logs Exchange writes (format.md §11, and the
// transport logging docs): the first lines as the servers write them.
const (
	recvLog = "#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: SMTP Receive Protocol Log\r\n" +
		"#Date: 2024-03-04T08:00:00.125Z\r\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n" +
		"2024-03-04T08:00:00.125Z,EX01\\Default EX01,08DC3C1A2B3C4D5E,0,10.0.0.11:25,10.0.30.12:51234,+,,\r\n"
	sendLog = "#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: SMTP Send Protocol Log\r\n" +
		"#Date: 2024-03-04T08:00:00.125Z\r\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n"
	connLog = "#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: Transport Connectivity Log\r\n" +
		"#Date: 2024-03-04T08:00:00.125Z\r\n#Fields: date-time,session,source,Destination,direction,description\r\n"
	agentLog = "#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: Agent Log\r\n#Fields: Timestamp,SessionId,IPAddress\r\n"
	iisLog   = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2024-03-04 08:00:00\r\n" +
		"#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status\r\n" +
		"2024-03-04 08:00:00 10.0.0.11 POST /owa/ - 443 - 10.0.20.55 Mozilla/5.0 200\r\n"
	trackHeader = "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.039\r\n#Log-type: Message Tracking Log\r\n" +
		"#Date: 2024-03-04T08:00:01.388Z\r\n#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,schema-version\r\n"
	cmdletCSV51 = "#TYPE Microsoft.Exchange.Management.TransportLogSearchTasks.MessageTrackingEvent\r\n" +
		`"RunspaceId","Timestamp","ClientIp","EventId","Source","Sender","Recipients","MessageSubject"` + "\r\n" +
		`"6b1f","12/22/2020 9:28:06 AM","192.168.159.133","FAIL","SMTP","officer@naadi.test","System.String[]","just a test"` + "\r\n"
	cmdletCSV7 = `"Timestamp","EventId","MessageId","Sender","Recipients"` + "\r\n" +
		`"07.10.2020 19:27:20","DELIVERFAIL","<x@y>","a@b","c@d"` + "\r\n"
	cmdletSemicolon = "Timestamp;EventId;MessageId;Sender\r\n07.10.2020 19:27:20;DELIVER;<x@y>;a@b\r\n"
	traceCSV        = `"Received","SenderAddress","RecipientAddress","Subject","Status","ToIP","FromIP","Size","MessageId","MessageTraceId"` + "\r\n"
	summaryCSV      = `"origin_timestamp_utc","sender_address","recipient_status","message_subject","total_bytes","message_id","network_message_id","original_client_ip","directionality","connector_id","delivery_priority"` + "\r\n"
	extendedCSV     = `"date_time_utc","client_ip","client_hostname","server_ip","server_hostname","source_context","connector_id","source","event_id","internal_message_id","message_id"` + "\r\n"
	otherCSV        = "Name,Department,Phone\r\nAlex,Sales,555-0100\r\n"
)

func utf16le(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = []byte{0xFF, 0xFE}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func utf16be(s string) []byte {
	b := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

func readReal(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "real", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSniff(t *testing.T) {
	rawRow := "2024-03-04T08:00:01.388Z" + strings.Repeat(",", 29) + "\r\n"
	tests := []struct {
		name   string
		in     []byte
		kind   Kind
		enc    Encoding
		reason string // a substring of Reason()
	}{
		{"tracking log with BOM", []byte("\uFEFF" + trackHeader + rawRow), TrackingLog, UTF8BOM, "a message tracking log"},
		{"tracking log, UTF-16LE", utf16le(trackHeader+rawRow, true), TrackingLog, UTF16LE, ""},
		{"tracking log, UTF-16BE", utf16be(trackHeader + rawRow), TrackingLog, UTF16BE, ""},
		{"tracking log, UTF-16LE without BOM", utf16le(trackHeader+rawRow, false), TrackingLog, UTF16LE, ""},
		{"tracking rows without header (30 fields)", []byte(rawRow + rawRow), TrackingLog, UTF8, ""},
		{"header without Log-type", []byte("#Fields: date-time,event-id,message-id\r\n"), TrackingLog, UTF8, ""},
		{"Export-Csv, PS 5.1", []byte(cmdletCSV51), CmdletCSV, UTF8, "Export-Csv"},
		{"Export-Csv, PS 7, UTF-8 BOM", []byte("\uFEFF" + cmdletCSV7), CmdletCSV, UTF8BOM, ""},
		{"Export-Csv -UseCulture (;)", []byte(cmdletSemicolon), CmdletCSV, UTF8, ""},
		{"Get-MessageTrace CSV, UTF-16", utf16le(traceCSV, true), MessageTraceCSV, UTF16LE, "Get-MessageTrace"},
		{"summary report, UTF-16", utf16le(summaryCSV, true), HistoricalSummary, UTF16LE, "summary report"},
		{"extended report, UTF-16", utf16le(extendedCSV, true), HistoricalExtended, UTF16LE, "extended report"},
		{"SMTP Receive protocol log", []byte(recvLog), SMTPReceiveLog, UTF8, "an SMTP Receive protocol log, not a message tracking log"},
		{"SMTP Send protocol log", []byte(sendLog), SMTPSendLog, UTF8, "an SMTP Send protocol log, not a message tracking log"},
		{"connectivity log, UTF-16", utf16le(connLog, true), ConnectivityLog, UTF16LE, "a transport connectivity log, not a message tracking log"},
		{"agent log", []byte(agentLog), OtherExchangeLog, UTF8, `"Agent Log"`},
		{"IIS log", []byte(iisLog), W3CLog, UTF8, "Internet Information Services"},
		{"CSV of other columns", []byte(otherCSV), UnknownCSV, UTF8, `"Name", "Department", "Phone"`},
		{"UTF-16 text of nothing known", utf16le("Hello, world\r\nsecond line\r\n", true), Unknown, UTF16LE, "UTF-16LE text that is neither"},
		{"plain text", []byte("just some notes\n"), Unknown, UTF8, `"just some notes"`},
		{"binary", []byte("\x00\x01\x02\x03binary"), Binary, UTF8, "NUL byte at offset 0"},
		{"control bytes", bytes.Repeat([]byte{0x01, 'a'}, 100), Binary, UTF8, "control byte"},
		{"zip", []byte("PK\x03\x04\x14\x00\x00\x00rest"), Archive, UTF8, "ZIP archive"},
		{"xlsx", []byte("PK\x03\x04\x14\x00[Content_Types].xml xl/workbook.xml"), Archive, UTF8, "Excel workbook"},
		{"empty", nil, Empty, UTF8, "empty"},
		{"blanks only", []byte("\r\n \r\n"), Empty, UTF8, ""},
		{"BOM only", []byte("\uFEFF"), Empty, UTF8BOM, ""},
		{"Format-List, real sample 208018", readReal(t, "cmdlet_output/learn.microsoft.com_answers_208018_Get-MessageTrackingLog_FAIL_fl.txt"), FormatList, UTF8, "Format-List"},
		{"Format-List, real sample 134852", readReal(t, "cmdlet_output/learn.microsoft.com_answers_134852_Get-MessageTrackingLog_DELIVERFAIL_FAIL_fl.txt"), FormatList, UTF8, ""},
		{"Format-List, EXO sample", readReal(t, "cmdlet_output/tostka_verb-EXO_Public_convert-HistoricalSearchCSV_EXO_extended_report_fl.txt"), FormatList, UTF8, ""},
		{"real 2010 log", readReal(t, "elastic_beats_filebeat_tests_files_logs_bom8.log"), TrackingLog, UTF8BOM, ""},
		{"real 2010 header line alone", readReal(t, "elastic_beats_issue1349_MSGTRK20160405-1_first_line.log"), Unknown, UTF8BOM, `"#Software: Microsoft Exchange Server" and holds nothing else: the start of an Exchange log`},
		{"Exchange header, then text", []byte("#Software: Microsoft Exchange Server\r\nnotes\r\n"), Unknown, UTF8, `(it starts with "#Software: Microsoft Exchange Server")`},
		{"real 2007 log", readReal(t, "wallix_pylogsparser_normalizers_MSExchange2007MessageTracking.log"), TrackingLog, UTF8, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Sniff(tt.in)
			if r.Kind != tt.kind || r.Encoding != tt.enc {
				t.Fatalf("Sniff = %v, %v (%s); want %v, %v", r.Kind, r.Encoding, r.Reason(), tt.kind, tt.enc)
			}
			if !strings.Contains(r.Reason(), tt.reason) {
				t.Errorf("Reason() = %q, want it to contain %q", r.Reason(), tt.reason)
			}
			if r.Kind.Accepted() != (tt.kind >= TrackingLog && tt.kind <= HistoricalExtended) {
				t.Errorf("Accepted() = %v", r.Kind.Accepted())
			}
		})
	}
}

// TestSniffVocabulary: the EXO sample mixes a summary record and an
// extended record in one Format-List text: the events are read, and the
// file is not taken for a summary.
func TestSniffVocabulary(t *testing.T) {
	r := Sniff(readReal(t, "cmdlet_output/tostka_verb-EXO_Public_convert-HistoricalSearchCSV_EXO_extended_report_fl.txt"))
	if r.Vocabulary != VocabExtended || r.Summary() {
		t.Errorf("vocabulary %v, summary %v; want extended, false", r.Vocabulary, r.Summary())
	}
	if r := Sniff(utf16le(traceCSV, true)); !r.Summary() {
		t.Errorf("a Get-MessageTrace CSV is not a summary")
	}
	if r := Sniff([]byte(cmdletCSV51)); r.Summary() || r.TypeLine != "Microsoft.Exchange.Management.TransportLogSearchTasks.MessageTrackingEvent" {
		t.Errorf("cmdlet CSV: summary %v, type line %q", r.Summary(), r.TypeLine)
	}
	if r := Sniff([]byte(cmdletSemicolon)); r.Delimiter != ';' {
		t.Errorf("delimiter %q, want ';'", r.Delimiter)
	}
}

// TestNewReader: the text comes out as UTF-8 whatever the encoding, the
// UTF-8 byte order mark kept (offsets stay the file's), the UTF-16 one
// dropped; a file longer than the sniffed head is read whole.
func TestNewReader(t *testing.T) {
	long := trackHeader + strings.Repeat("2024-03-04T08:00:01.388Z,é"+strings.Repeat(",", 28)+"\r\n", 3000)
	for _, tt := range []struct {
		name string
		in   []byte
		want string
	}{
		{"UTF-8 BOM", []byte("\uFEFF" + long), "\uFEFF" + long},
		{"UTF-16LE", utf16le(long, true), long},
		{"UTF-16BE", utf16be(long), long},
		{"UTF-16LE without BOM", utf16le(long, false), long},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, r, err := NewReader(bytes.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != TrackingLog {
				t.Errorf("kind %v", res.Kind)
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("text differs: %d bytes, want %d", len(got), len(tt.want))
			}
		})
	}
}

// TestSniffHeadCut: a file longer than SniffBytes whose first line is cut
// by the head is judged on its complete lines only.
func TestSniffHeadCut(t *testing.T) {
	in := []byte(trackHeader + strings.Repeat("x", SniffBytes))
	if r := Sniff(in); r.Kind != TrackingLog {
		t.Errorf("kind %v, want tracking-log", r.Kind)
	}
	in = []byte(strings.Repeat("y", SniffBytes+10))
	if r := Sniff(in); r.Kind != Unknown || !strings.Contains(r.Reason(), "longer than") {
		t.Errorf("one long line: %v, %q", r.Kind, r.Reason())
	}
}

func TestKindString(t *testing.T) {
	for k := Unknown; k < numKinds; k++ {
		if s := k.String(); s == "" || strings.HasPrefix(s, "Kind(") {
			t.Errorf("Kind(%d).String() = %q", k, s)
		}
	}
	if s := numKinds.String(); s != "Kind(16)" {
		t.Errorf("out of range: %q", s)
	}
}

// FuzzSniff: Sniff never panics, its Reason is one line, and NewReader
// gives back valid UTF-8 for UTF-16 input.
func FuzzSniff(f *testing.F) {
	for _, s := range []string{recvLog, connLog, iisLog, trackHeader, cmdletCSV51, cmdletCSV7, otherCSV} {
		f.Add([]byte(s))
		f.Add(utf16le(s, true))
	}
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{0xFE, 0xFF, 0xD8, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := Sniff(data)
		if strings.ContainsAny(r.Reason(), "\r\n") {
			t.Fatalf("reason spans lines: %q", r.Reason())
		}
		res, rd, err := NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if res.Kind != r.Kind {
			t.Fatalf("NewReader kind %v, Sniff %v", res.Kind, r.Kind)
		}
		out, err := io.ReadAll(rd)
		if err != nil {
			t.Fatal(err)
		}
		if (r.Encoding == UTF16LE || r.Encoding == UTF16BE) && !isValidUTF8(out) {
			t.Fatalf("transcoded UTF-16 is not UTF-8")
		}
	})
}

func isValidUTF8(b []byte) bool { return strings.ToValidUTF8(string(b), "\uFFFD") == string(b) }
