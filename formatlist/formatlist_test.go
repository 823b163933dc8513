package formatlist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sampleDir = "../testdata/real/cmdlet_output"

const (
	f134852 = "learn.microsoft.com_answers_134852_Get-MessageTrackingLog_DELIVERFAIL_FAIL_fl.txt"
	f208018 = "learn.microsoft.com_answers_208018_Get-MessageTrackingLog_FAIL_fl.txt"
	tostka  = "tostka_verb-EXO_Public_convert-HistoricalSearchCSV_EXO_extended_report_fl.txt"
)

func readSample(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(sampleDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestUnwrap(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  []map[string]string
		width int
	}{
		{
			name: "word wrap, indented continuation",
			in: "Name : alpha beta\n" +
				"       gammadeltaep\n" +
				"       silon\n" +
				"Next : x\n",
			// The longest value line (12) gives W: "alpha beta" was
			// broken at a blank, "gammadeltaep" inside a word.
			want:  []map[string]string{{"Name": "alpha beta gammadeltaepsilon", "Next": "x"}},
			width: 12,
		},
		{
			name: "hard wrap, not indented, trailing blanks added",
			in: "Status : abcdefghij  \n" +
				"klm  \n",
			want:  []map[string]string{{"Status": "abcdefghijklm"}},
			width: 10,
		},
		{
			name: "full line joined with nothing, short line with a blank",
			in: "A : 0123456789\n" +
				"    abcdefghij\n" +
				"    xyz\n" +
				"    end\n",
			want:  []map[string]string{{"A": "0123456789abcdefghijxyz end"}},
			width: 10,
		},
		{
			name:  "repeated name starts a record",
			in:    "A : 1\nB : 2\n\nA : 3\nB : 4\n",
			want:  []map[string]string{{"A": "1", "B": "2"}, {"A": "3", "B": "4"}},
			width: 1,
		},
		{
			name:  "comment blocks are records",
			in:    "  <# first\n  a_b : 1\n  #>\n  <# second\n  c   : 2\n  d   :\n  #>\n",
			want:  []map[string]string{{"a_b": "1"}, {"c": "2", "d": ""}},
			width: 1,
		},
		{
			name:  "empty value and name without blank before ':'",
			in:    "A :\nStage: x\n",
			want:  []map[string]string{{"A": " Stage: x"}},
			width: 8,
		},
		{name: "no properties", in: "just text\n\n", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, width := Parse(tt.in)
			got := asMaps(recs)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Unwrap(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if width != tt.width {
				t.Errorf("Unwrap(%q) width = %d, want %d", tt.in, width, tt.width)
			}
		})
	}
}

func TestCutProperty(t *testing.T) {
	tests := []struct {
		line        string
		name, value string
		col         int
		ok          bool
	}{
		{"SourceContext : 08D8;x", "SourceContext", "08D8;x", 16, true},
		{"            source_context            : 08D9", "source_context", "08D9", 40, true},
		{"ClientIp :", "ClientIp", "", 10, true},
		{"Ipv6Address : ::1", "Ipv6Address", "::1", 14, true},
		{"Stage: OnCreatedEvent", "", "", 0, false},
		{"[Stage : x]", "", "", 0, false},
		{"2021 : x", "", "", 0, false},
		{"Name x : y", "", "", 0, false},
	}
	for _, tt := range tests {
		name, value, col, ok := CutProperty(tt.line)
		if name != tt.name || value != tt.value || col != tt.col || ok != tt.ok {
			t.Errorf("CutProperty(%q) = %q, %q, %d, %v; want %q, %q, %d, %v", tt.line, name, value, col, ok, tt.name, tt.value, tt.col, tt.ok)
		}
	}
}

func TestUnbrace(t *testing.T) {
	for in, want := range map[string]string{"{a@x}": "a@x", "{}": "", "a": "a", "{a": "{a", "": "", "}": "}"} {
		if got := Unbrace(in); got != want {
			t.Errorf("Unbrace(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSamples pins the unwrapping of the three cmdlet samples: the
// inferred widths, the record count, and joins made in the values (a blank
// where a word was wrapped, nothing where a token was cut). From
// messageinfo's TestUnwrapFormatList, with the values recipstatus,
// sourcecontext and eventdata read added.
func TestSamples(t *testing.T) {
	tests := []struct {
		file     string
		width    int
		records  int
		contains map[string][]string // property → substrings of some record's value
		exact    map[string]string   // property of the last record → value
	}{
		{f208018, 92, 1,
			map[string][]string{"MessageInfo": {"SMRC=0.103(", "CATSM-Malware Agent=0.117", "CATRS-DLP Policy Agent", "CATRT-RMS Encryption Agent", "CATRT-Journal Agent=0.002)))|UNK"}},
			map[string]string{
				"RecipientStatus": "{[{LED=501 5.1.4 Recipient address reserved by RFC 2606};{MSG=};{FQDN=server.mylab.test};{IP=192.168.159.133};{LRT=12/22/2020 2:28:06 AM}]}",
				"Source":          "SMTP", "EventId": "FAIL",
			}},
		{f134852, 265, 2,
			map[string][]string{
				"MessageInfo":     {"D-PEN=0.938 (SDDSINI=0.023", "|SDDCM=0.383(SDDCM-Meeting Message Processing Agent-INC=0.383))"},
				"RecipientStatus": {"17.43559:000000006C010000000000000000000000000000, 20.52176", "5.59176:000000194C", "4.37888:DA040000 [Stage: OnCreatedEvent]"},
			},
			map[string]string{"Source": "SMTP", "EventId": "FAIL"}},
		{tostka, 209, 2,
			map[string][]string{
				"message_info": {"MTSSDSDM-Mailbox Submission Filter Agent=0.025", "R-HSRR=0.023 )))|CAT", "CATRS-DC Content Filter Agent", "HSDSP=0.052 (HSRR=0.051)", "SDDPM-Inference Classification Agent"},
				"custom_data":  {"S:StoreObjectIds=AAAAAN4COUMvw7VM", "S:HttpRequestId=9cfd3bb0-f5cb-446d-b57e-a73440081811;", "S:PrioritizationReason=EnvelopePriority;S:AccountForest=NAMPR04A008.PROD.OUTLOOK.COM"},
			},
			map[string]string{
				"source_context": "08D9AE1AA4FEA27C;2021-11-23T19:49:37.215Z;ClientSubmitTime:2021-11-23T19:49:36.380Z",
				"source":         "STOREDRIVER", "event_id": "DELIVER", "recipient_status": "",
				"date_time_utc": "2021-11-23T19:49:37.6050000Z",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			lrecs, width := Parse(readSample(t, tt.file))
			recs := asMaps(lrecs)
			if width != tt.width {
				t.Errorf("width = %d, want %d", width, tt.width)
			}
			if len(recs) != tt.records {
				t.Fatalf("%d records, want %d", len(recs), tt.records)
			}
			for prop, subs := range tt.contains {
				var all strings.Builder
				for _, r := range recs {
					all.WriteString(r[prop])
					all.WriteByte('\n')
				}
				for _, s := range subs {
					if !strings.Contains(all.String(), s) {
						t.Errorf("%s lacks %q; got:\n%s", prop, s, all.String())
					}
				}
			}
			last := recs[len(recs)-1]
			for prop, want := range tt.exact {
				if got, ok := last[prop]; !ok || got != want {
					t.Errorf("%s = %q, %v; want %q", prop, got, ok, want)
				}
			}
			for i, r := range recs {
				for k, v := range r {
					if strings.ContainsAny(v, "\r\n") || strings.Contains(v, "#>") || strings.Contains(v, "<#") {
						t.Errorf("record %d %s keeps wrapping or comment marks: %q", i+1, k, v)
					}
				}
			}
		})
	}
}

// FuzzParse: no panic, values hold no line break, every record is
// non-empty and the width bounds every line.
func FuzzParse(f *testing.F) {
	for _, name := range []string{f134852, f208018, tostka} {
		if data, err := os.ReadFile(filepath.Join(sampleDir, name)); err == nil {
			f.Add(string(data))
		}
	}
	f.Add("A : 1\n  <#\nB : 2\n#>\nA : x\n    y")
	f.Fuzz(func(t *testing.T, text string) {
		lrecs, width := Parse(text)
		recs := asMaps(lrecs)
		longest := 0
		for l := range strings.SplitSeq(text, "\n") {
			longest = max(longest, len(l))
		}
		if width > longest {
			t.Fatalf("width %d > longest line %d", width, longest)
		}
		for _, r := range recs {
			if len(r) == 0 {
				t.Fatalf("empty record in %q", text)
			}
			for k, v := range r {
				if strings.Contains(v, "\n") || k == "" {
					t.Fatalf("record entry %q=%q", k, v)
				}
			}
		}
	})
}

// asMaps turns records into maps for comparison, checking that no record
// repeats a name (a repeated name starts a new record).
func asMaps(recs []Record) []map[string]string {
	var out []map[string]string
	for _, r := range recs {
		m := map[string]string{}
		for _, p := range r.Props {
			if _, dup := m[p.Name]; dup {
				panic("repeated property " + p.Name)
			}
			m[p.Name] = p.Value
		}
		out = append(out, m)
	}
	return out
}
