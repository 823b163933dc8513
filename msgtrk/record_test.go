package msgtrk_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/msgtrk"
)

func oneRecord(t *testing.T, fields, row string) *msgtrk.Record {
	t.Helper()
	r := msgtrk.NewReader(strings.NewReader("#Fields: " + fields + "\r\n" + row + "\r\n"))
	if !r.Next() {
		t.Fatalf("no row: %v", r.Err())
	}
	return r.Record()
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2024-01-25T15:16:09.843Z", time.Date(2024, 1, 25, 15, 16, 9, 843e6, time.UTC)},
		{"2021-11-23T19:49:37.6050000Z", time.Date(2021, 11, 23, 19, 49, 37, 605e6, time.UTC)},
		{"2023-05-12T07:55:40Z", time.Date(2023, 5, 12, 7, 55, 40, 0, time.UTC)},
		{"2024-02-29T23:59:59.999Z", time.Date(2024, 2, 29, 23, 59, 59, 999e6, time.UTC)},
		{"2020-10-07T19:27:20.5+03:00", time.Date(2020, 10, 7, 16, 27, 20, 5e8, time.UTC)},
		{"1969-12-31T23:59:59.000Z", time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, ok := msgtrk.ParseTime(tt.in)
		if !ok || !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tt.in, got, ok, tt.want)
		}
		if got2, ok2 := msgtrk.ParseTime([]byte(tt.in)); !ok2 || !got2.Equal(got) {
			t.Errorf("ParseTime([]byte(%q)) = %v, %v", tt.in, got2, ok2)
		}
	}
	for _, bad := range []string{"", "2024-01-25", "2024-13-25T15:16:09.843Z", "2023-02-29T00:00:00.000Z", "2024-01-25T24:00:00.000Z",
		"2024-01-25T15:16:09.84xZ", "2024-01-25 15:16:09.843Z", "12/22/2020 2:28:06 AM", "2024-01-25T15:16:09.843"} {
		if got, ok := msgtrk.ParseTime(bad); ok {
			t.Errorf("ParseTime(%q) = %v, true; want false", bad, got)
		}
	}
	tm := time.Date(2024, 3, 1, 8, 9, 10, 11e6, time.UTC)
	if got := string(msgtrk.AppendTime(nil, tm)); got != "2024-03-01T08:09:10.011Z" {
		t.Errorf("AppendTime = %q", got)
	}
}

func TestTypedAccessors(t *testing.T) {
	fields := "date-time,client-ip,server-ip,original-client-ip,total-bytes,recipient-count,network-message-id,source,event-id,directionality"
	rec := oneRecord(t, fields, "2022-09-19T15:02:29.450Z,fe80::1234:5678:4321:1010%3,10.11.12.14,,3750222,-1,6a638d20-1E63-493a-80a2-08da9a4ff8da,STOREDRIVER,SENDEXTERNAL,Originating")
	if tm, err := rec.Time(); err != nil || !tm.Equal(time.Date(2022, 9, 19, 15, 2, 29, 450e6, time.UTC)) {
		t.Errorf("Time() = %v, %v", tm, err)
	}
	if a, err := rec.Addr(msgtrk.ClientIP); err != nil || a != netip.MustParseAddr("fe80::1234:5678:4321:1010%3") {
		t.Errorf("Addr(client-ip) = %v, %v", a, err)
	}
	if a, err := rec.Addr(msgtrk.ServerIP); err != nil || a != netip.MustParseAddr("10.11.12.14") {
		t.Errorf("Addr(server-ip) = %v, %v", a, err)
	}
	if a, err := rec.Addr(msgtrk.OriginalClientIP); err != nil || a.IsValid() {
		t.Errorf("Addr(empty) = %v, %v", a, err)
	}
	if n, err := rec.Int(msgtrk.TotalBytes); err != nil || n != 3750222 {
		t.Errorf("Int(total-bytes) = %d, %v", n, err)
	}
	if n, err := rec.Int(msgtrk.RecipientCount); err != nil || n != -1 {
		t.Errorf("Int(recipient-count) = %d, %v", n, err)
	}
	if g, err := rec.GUID(msgtrk.NetworkMessageID); err != nil || g.String() != "6a638d20-1e63-493a-80a2-08da9a4ff8da" {
		t.Errorf("GUID = %v, %v", g, err)
	}
	if rec.SourceType() != msgtrk.SourceStoreDriver || rec.EventType() != msgtrk.EventSendExternal || rec.Direction() != msgtrk.DirectionOriginating {
		t.Errorf("enums: %v %v %v", rec.SourceType(), rec.EventType(), rec.Direction())
	}
}

func TestTypedAccessorErrors(t *testing.T) {
	fields := "date-time,client-ip,total-bytes,network-message-id"
	rec := oneRecord(t, fields, "yesterday,fe80::1234:4545:3214:1010e%3,12x,12345678-3232-2323-1111-12345679666")
	if _, err := rec.Time(); !errors.Is(err, msgtrk.ErrSyntax) {
		t.Errorf("Time() error = %v, want ErrSyntax", err)
	}
	// The anonymised sample address with a five-digit group.
	_, err := rec.Addr(msgtrk.ClientIP)
	var pe *msgtrk.ParseError
	if !errors.As(err, &pe) || pe.Field != "client-ip" || pe.Column != 11 || !errors.Is(err, msgtrk.ErrSyntax) {
		t.Errorf("Addr error = %#v", err)
	}
	if _, err := rec.Int(msgtrk.TotalBytes); !errors.Is(err, msgtrk.ErrSyntax) {
		t.Errorf("Int error = %v", err)
	}
	if _, err := rec.GUID(msgtrk.NetworkMessageID); !errors.Is(err, msgtrk.ErrSyntax) {
		t.Errorf("GUID error = %v", err)
	}
	big := oneRecord(t, "total-bytes", "99999999999999999999")
	if _, err := big.Int(msgtrk.TotalBytes); !errors.Is(err, msgtrk.ErrRange) {
		t.Errorf("Int overflow error = %v, want ErrRange", err)
	}
}

func TestEnumsRoundTrip(t *testing.T) {
	for e := msgtrk.EventType(1); e.String() != "EventType(43)" && e < 200; e++ {
		if got := msgtrk.ParseEventType([]byte(e.String())); got != e {
			t.Errorf("ParseEventType(%q) = %v, want %v", e.String(), got, e)
		}
	}
	for s := msgtrk.SourceType(1); !strings.HasPrefix(s.String(), "SourceType(") && s < 200; s++ {
		if got := msgtrk.ParseSourceType([]byte(s.String())); got != s {
			t.Errorf("ParseSourceType(%q) = %v, want %v", s.String(), got, s)
		}
	}
	if msgtrk.ParseEventType([]byte("receive")) != msgtrk.EventUnknown || msgtrk.EventType(250).String() != "EventType(250)" {
		t.Error("unknown event spellings")
	}
	for f := msgtrk.Field(0); int(f) < msgtrk.NumFields; f++ {
		if got, ok := msgtrk.LookupField([]byte(strings.ToUpper(f.String()))); !ok || got != f {
			t.Errorf("LookupField(%q) = %v, %v", f.String(), got, ok)
		}
	}
}

func TestRecipientScanner(t *testing.T) {
	rec := oneRecord(t, "recipient-address,recipient-status",
		`a@x;b@x;c@x,250 2.1.5 Recipient OK;'550 4.4.7 QUEUE.Expired; message expired'`)
	var s msgtrk.RecipientScanner
	s.Init(rec)
	type pair struct{ Addr, Status string }
	var got []pair
	for s.Next() {
		got = append(got, pair{string(s.Address()), string(s.Status())})
	}
	want := []pair{{"a@x", "250 2.1.5 Recipient OK"}, {"b@x", "550 4.4.7 QUEUE.Expired; message expired"}, {"c@x", ""}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pairs mismatch (-want +got):\n%s", diff)
	}
	if s.Unpaired() != 0 || s.Err() != nil {
		t.Errorf("Unpaired %d Err %v", s.Unpaired(), s.Err())
	}
}

// TestRecipientStatusError: StatusError points at the byte of the line that
// holds a given byte of the current status, through apostrophe quoting (with
// a doubled apostrophe before it) and CSV quoting (with a doubled quote).
func TestRecipientStatusError(t *testing.T) {
	for _, tt := range []struct {
		name, row string
		index     int    // recipient
		at        string // the status text from the byte to point at
	}{
		{"plain", `a@x;b@x,250 OK;550 gone`, 1, "gone"},
		{"apostrophes", `a@x;b@x,'it''s;fine';'550 it''s; gone'`, 1, "gone"},
		{"CSV quotes", `a@x;b@x,"250 ""OK"";'550 ""it""; gone'"`, 1, "gone"},
		{"end of member", `a@x;b@x,250 OK;'550 a;b'`, 1, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := oneRecord(t, "recipient-address,recipient-status", tt.row)
			var s msgtrk.RecipientScanner
			s.Init(rec)
			for s.Next() && s.Index() < tt.index {
			}
			st := string(s.Status())
			off := strings.LastIndex(st, tt.at)
			if tt.at == "" {
				off = len(st)
			}
			e := s.StatusError(off, msgtrk.ErrSyntax)
			if e.Line != 2 || e.Field != "recipient-status" || !errors.Is(e, msgtrk.ErrSyntax) {
				t.Errorf("StatusError = %+v", e)
			}
			if got := tt.row[e.Column-1:]; !strings.HasPrefix(got, tt.at) || (tt.at == "" && got != "'") {
				t.Errorf("column %d points at %q, want %q", e.Column, got, tt.at)
			}
			if want := int64(len("#Fields: recipient-address,recipient-status\r\n") + e.Column - 1); e.Offset != want {
				t.Errorf("offset %d, want %d", e.Offset, want)
			}
		})
	}
}

func TestUnescaped(t *testing.T) {
	rec := oneRecord(t, "message-subject,source-context", `line1\nline2\r\\n,C:\Program Files\x`)
	// \r and \n are the only escapes (format.md §3.1); two backslashes in
	// a row stay two and start no escape.
	if got := string(rec.Unescaped(msgtrk.MessageSubject)); got != "line1\nline2\r\\\\n" {
		t.Errorf("Unescaped = %q", got)
	}
	if got := string(rec.Field(msgtrk.MessageSubject)); got != `line1\nline2\r\\n` {
		t.Errorf("Field = %q", got)
	}
	if got := string(rec.Unescaped(msgtrk.SourceContext)); got != `C:\Program Files\x` {
		t.Errorf("Unescaped(path) = %q", got)
	}
	for _, unc := range []string{`\\fs01\scans`, `Scan saved to \\nas01\share`, `\\\\`, `x\`} {
		rec := oneRecord(t, "message-subject", unc)
		if got := string(rec.Unescaped(msgtrk.MessageSubject)); got != unc {
			t.Errorf("Unescaped(%q) = %q: Exchange does not escape backslashes", unc, got)
		}
	}
}

// logEscape is the escaping format.md §3.1 gives a field's text, the
// test's oracle: CR becomes \r, LF \n, nothing else changes.
func logEscape(v string) string { return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(v) }

// readsBack reports whether v, written by the Writer, reads back unchanged
// through Unescaped: it has no backslash right before r, n, CR or LF,
// which the format cannot tell from an escape.
func readsBack(v string) bool {
	for i := 0; i+1 < len(v); i++ {
		if v[i] == '\\' && strings.IndexByte("rn\r\n", v[i+1]) >= 0 {
			return false
		}
	}
	return true
}

func TestGUID(t *testing.T) {
	for _, s := range []string{"6a638d20-1e63-493a-80a2-08da9a4ff8da", "{6A638D20-1E63-493A-80A2-08DA9A4FF8DA}"} {
		g, ok := msgtrk.ParseGUID(s)
		if !ok || g.String() != "6a638d20-1e63-493a-80a2-08da9a4ff8da" {
			t.Errorf("ParseGUID(%q) = %v, %v", s, g, ok)
		}
	}
	for _, s := range []string{"", "12345678-3232-2323-1111-12345679666", "6a638d20x1e63-493a-80a2-08da9a4ff8da", "6a638d20-1e63-493a-80a2-08da9a4ff8dg"} {
		if g, ok := msgtrk.ParseGUID(s); ok {
			t.Errorf("ParseGUID(%q) = %v, true", s, g)
		}
	}
	var g msgtrk.GUID
	if err := g.UnmarshalText([]byte("0b7099ea-cb95-1234-328e-08dc5f139ac8")); err != nil || g.String() != "0b7099ea-cb95-1234-328e-08dc5f139ac8" {
		t.Errorf("UnmarshalText: %v %v", g, err)
	}
}

func TestFieldErrorThroughDoubledQuotes(t *testing.T) {
	// The value is `say "hi", x`; the x is at offset 10 of the value, and
	// at column 16 of the line: a,"say ""hi"", x"
	rec := oneRecord(t, "message-id,message-subject", `a,"say ""hi"", x"`)
	v := rec.Field(msgtrk.MessageSubject)
	if string(v[10:]) != "x" {
		t.Fatalf("value %q", v)
	}
	e := rec.FieldError(msgtrk.MessageSubject, 10, msgtrk.ErrSyntax)
	if e.Column != 16 || e.Offset != int64(len("#Fields: message-id,message-subject\r\n")+15) {
		t.Errorf("FieldError = column %d offset %d, want column 16", e.Column, e.Offset)
	}
	line := `a,"say ""hi"", x"`
	if line[e.Column-1] != 'x' {
		t.Errorf("column %d points at %q", e.Column, line[e.Column-1])
	}
}
