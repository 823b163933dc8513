package recipstatus

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/internal/realdata"
)

// cmpOpts compares netip.Addr by value (it has unexported fields).
var cmpOpts = cmp.Options{cmp.Comparer(func(a, b netip.Addr) bool { return a == b })}

func b(s string) []byte { return []byte(s) }

// The store diagnostic of SOURCES.md row 9 (cmdlet output, console wrapping
// undone by package formatlist). The DELIVERFAIL member and the LED of the
// matching SMTP FAIL carry the same exception and message; the trailer
// differs.
const (
	row9Exception    = "MessageSubmissionExceededException.MapiExceptionMaxSubmissionExceeded"
	row9Message      = "Failed to process message due to a permanent exception with message Cannot save changes made to an item to store. 16.55847:E9000000, 17.43559:000000006C010000000000000000000000000000, 20.52176:020F93820400401080030400, 20.50032:020F93827417401080030400, 0.35180:80030400, 255.23226:80030400, 255.27962:0A000000, 255.27962:25000000, 255.17082:DA040000, 0.27745:D41C0000, 4.21921:DA040000, 255.27962:FA000000, 255.1494:00000000, 5.59176:000000194C696D69746174696F6E001005000780, 5.34600:1722872843757272656E7453697A65000F010480, 1.49178:C182C000, 1.42792:00000000, 4.45082:DA040000, 1.63016:25000000, 4.39640:DA040000, 8.45434:9B6A1E3D7D67184FACAC19343DBFFFCC66312D61, 5.10786:0000000031352E30322E303635392E3030343A532D4E534B30312D455843483030333A62373335383938362D636238342D343463362D393266312D6139393662643436623261610000000000, 255.1750:80030400, 255.31418:80030400, 0.22753:80030400, 255.21817:DA040000, 0.17361:80030400, 4.19665:DA040000, 0.37632:80030400, 4.37888:DA040000"
	row9DelivTrailer = "[Stage: OnCreatedEvent][Agent: Meeting Message Processing Agent][DestinationFolder: ][DestinationFolderId: LgAAAACXVORnK2sDSKu+4/7o5d1oAQCgq0ueOiyzRbx7Xopzj0T3AAAAAAEMAAAB]"
	row9LEDTrailer   = "[Stage: OnCreatedEvent][Agent: Meeting Message Processing Agent]"
	row9Code         = "STOREDRV.Deliver.Exception"
)

// goldenKey names one member of one real row: file, line (or record) and
// the member's position in recipient-status.
type goldenKey struct {
	file        string
	line, index int
}

const (
	fQazeer  = "Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_MSGTRKMS.log"
	fElastic = "elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log"
	f134852  = "cmdlet_output/learn.microsoft.com_answers_134852_Get-MessageTrackingLog_DELIVERFAIL_FAIL_fl.txt"
	f208018  = "cmdlet_output/learn.microsoft.com_answers_208018_Get-MessageTrackingLog_FAIL_fl.txt"
	fTostka  = "cmdlet_output/tostka_verb-EXO_Public_convert-HistoricalSearchCSV_EXO_extended_report_fl.txt"
)

// golden pins the decoding of every recipient-status member found in
// testdata/real. Raw is filled in by the test (it is the input itself);
// every other field is written out here.
var golden = map[goldenKey]Status{
	// STOREDRIVER RECEIVE (MSGTRKMS, 2016): recipient type.
	{fQazeer, 7, 0}: {Kind: KindRecipientType, Type: TypeTo},
	// SMTP SEND, damaged by anonymisation: the blank after 2.1.5 is lost.
	{fElastic, 4, 0}: {Kind: KindSMTPResponse, Response: Response{
		Raw: b("250 2.1.5Recipient OK"), Code: 250, Enhanced: EnhancedCode{2, 1, 5}, Text: b("Recipient OK")}},
	// SMTP SENDEXTERNAL.
	{fElastic, 5, 0}: {Kind: KindSMTPResponse, Response: Response{
		Raw: b("250 2.1.5 Recipient OK"), Code: 250, Enhanced: EnhancedCode{2, 1, 5}, Text: b("Recipient OK")}},
	// STOREDRIVER DELIVERFAIL (MSGTRKMD): store diagnostic with a 4-pair trailer.
	{f134852, 1, 0}: {Kind: KindStoreDiagnostic, Diagnostic: Diagnostic{
		Raw:       b(row9Code + ":" + row9Exception + "; " + row9Message + " " + row9DelivTrailer),
		Code:      b(row9Code),
		Component: b("STOREDRV"),
		Exception: b(row9Exception),
		Message:   b(row9Message),
		Trailer:   b(row9DelivTrailer),
		Pairs:     4,
	}},
	// SMTP FAIL for the same message: LastError, de/ru-style LRT (day first).
	{f134852, 2, 0}: {Kind: KindLastError, LastError: LastError{
		Raw:     b("[{LED=554 5.2.0 " + row9Code + ":" + row9Exception + "; " + row9Message + " " + row9LEDTrailer + "};{MSG=};{FQDN=EXCH003.domain.local};{IP=172.18.97.33};{LRT=07.10.2020 16:27:19}]"),
		Present: FieldLED | FieldMSG | FieldFQDN | FieldIP | FieldLRT,
		LED: Response{
			Raw:      b("554 5.2.0 " + row9Code + ":" + row9Exception + "; " + row9Message + " " + row9LEDTrailer),
			Code:     554,
			Enhanced: EnhancedCode{5, 2, 0},
			Text:     b(row9Code + ":" + row9Exception + "; " + row9Message + " " + row9LEDTrailer),
		},
		MSG:   b(""),
		FQDN:  b("EXCH003.domain.local"),
		IPRaw: b("172.18.97.33"),
		IP:    netip.MustParseAddr("172.18.97.33"),
		LRT:   LocalTime{Raw: b("07.10.2020 16:27:19"), Time: time.Date(2020, 10, 7, 16, 27, 19, 0, time.UTC), Order: OrderDayFirst},
		Items: 5,
	}},
	// SMTP FAIL (2019): LastError, en-US LRT.
	{f208018, 1, 0}: {Kind: KindLastError, LastError: LastError{
		Raw:     b("[{LED=501 5.1.4 Recipient address reserved by RFC 2606};{MSG=};{FQDN=server.mylab.test};{IP=192.168.159.133};{LRT=12/22/2020 2:28:06 AM}]"),
		Present: FieldLED | FieldMSG | FieldFQDN | FieldIP | FieldLRT,
		LED: Response{Raw: b("501 5.1.4 Recipient address reserved by RFC 2606"), Code: 501,
			Enhanced: EnhancedCode{5, 1, 4}, Text: b("Recipient address reserved by RFC 2606")},
		MSG:   b(""),
		FQDN:  b("server.mylab.test"),
		IPRaw: b("192.168.159.133"),
		IP:    netip.MustParseAddr("192.168.159.133"),
		LRT:   LocalTime{Raw: b("12/22/2020 2:28:06 AM"), Time: time.Date(2020, 12, 22, 2, 28, 6, 0, time.UTC), Order: OrderMonthFirst},
		Items: 5,
	}},
	// EXO historical-search *summary* layout (addr##events): not a
	// MSGTRK recipient-status member, kept raw.
	{fTostka, 1, 0}: {Kind: KindUnknown},
	{fTostka, 1, 1}: {Kind: KindUnknown},
}

func TestGoldenReal(t *testing.T) {
	seen := map[goldenKey]bool{}
	for _, row := range realdata.All(t) {
		for i, m := range row.RecipStatus {
			k := goldenKey{row.File, row.Line, i}
			want, ok := golden[k]
			if !ok {
				t.Errorf("%s:%d member %d %q: no golden entry", row.File, row.Line, i, m)
				continue
			}
			seen[k] = true
			want.Raw = b(m)
			got, err := Parse([]byte(m))
			if err != nil {
				t.Errorf("%s:%d member %d: Parse error %v", row.File, row.Line, i, err)
			}
			if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
				t.Errorf("%s:%d member %d: Parse(%.60q…) mismatch (-want +got):\n%s", row.File, row.Line, i, m, diff)
			}
		}
	}
	for k := range golden {
		if !seen[k] {
			t.Errorf("golden entry %v matches no real member", k)
		}
	}
}

// TestGoldenRealTrailers pins the trailer pairs and the diagnostic inside
// the LED of the real samples.
func TestGoldenRealTrailers(t *testing.T) {
	var deliv, led Diagnostic
	for _, row := range realdata.All(t) {
		if row.File != f134852 {
			continue
		}
		st, _ := Parse([]byte(row.RecipStatus[0]))
		switch row.Line {
		case 1:
			deliv = st.Diagnostic
		case 2:
			var ok bool
			if led, ok = st.LastError.LED.Diagnostic(); !ok {
				t.Fatal("LED of the SMTP FAIL row is not read as a diagnostic")
			}
		}
	}
	pairs := func(d Diagnostic) []string {
		var s PairScanner
		s.Init(d.Trailer)
		var out []string
		for s.Next() {
			out = append(out, fmt.Sprintf("%s=%s", s.Key(), s.Value()))
		}
		return out
	}
	wantDeliv := []string{"Stage=OnCreatedEvent", "Agent=Meeting Message Processing Agent", "DestinationFolder=",
		"DestinationFolderId=LgAAAACXVORnK2sDSKu+4/7o5d1oAQCgq0ueOiyzRbx7Xopzj0T3AAAAAAEMAAAB"}
	if diff := cmp.Diff(wantDeliv, pairs(deliv)); diff != "" {
		t.Errorf("DELIVERFAIL trailer mismatch (-want +got):\n%s", diff)
	}
	wantLED := Diagnostic{
		Raw:       b(row9Code + ":" + row9Exception + "; " + row9Message + " " + row9LEDTrailer),
		Code:      b(row9Code),
		Component: b("STOREDRV"),
		Exception: b(row9Exception),
		Message:   b(row9Message),
		Trailer:   b(row9LEDTrailer),
		Pairs:     2,
	}
	if diff := cmp.Diff(wantLED, led); diff != "" {
		t.Errorf("LED diagnostic mismatch (-want +got):\n%s", diff)
	}
	if v, ok := deliv.Lookup("Agent"); !ok || string(v) != "Meeting Message Processing Agent" {
		t.Errorf("Lookup(Agent) = %q, %v", v, ok)
	}
	if v, ok := deliv.Lookup("DestinationFolder"); !ok || len(v) != 0 {
		t.Errorf("Lookup(DestinationFolder) = %q, %v; want empty, true", v, ok)
	}
	if _, ok := deliv.Lookup("Nope"); ok {
		t.Error("Lookup(Nope) found a value")
	}
}
