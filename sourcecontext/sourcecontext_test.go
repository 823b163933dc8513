package sourcecontext

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailtrace/mailtrace/internal/fielderr"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/recipstatus"
)

func resp(code uint16, class uint8, subj, detail uint16, text string) recipstatus.Response {
	r := recipstatus.Response{Code: code, Enhanced: recipstatus.EnhancedCode{Class: class, Subject: subj, Detail: detail}, Text: b(text)}
	r.Raw = r.AppendTo(nil)
	return r
}

var parseTests = []struct {
	name, source, event, in string
	want                    Context // Raw (and Store.Raw) filled in by the test
}{
	{"receive", "SMTP", "RECEIVE", "08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;3", Context{Kind: KindReceive, Receive: Receive{
		Session:    Session{IDRaw: b("08DC1DB12C345BE5"), ID: 0x08DC1DB12C345BE5, StartRaw: b("2024-01-25T15:16:09.544Z"), Start: ts("2024-01-25T15:16:09.544Z")},
		OrdinalRaw: b("3"), Ordinal: 3}}},
	{"receive lower-case hex, 7-digit fraction", "SMTP", "RECEIVE", "08dc1db12c345be5;2024-01-25T15:16:09.5440001Z;12", Context{Kind: KindReceive, Receive: Receive{
		Session:    Session{IDRaw: b("08dc1db12c345be5"), ID: 0x08DC1DB12C345BE5, StartRaw: b("2024-01-25T15:16:09.5440001Z"), Start: ts("2024-01-25T15:16:09.5440001Z")},
		OrdinalRaw: b("12"), Ordinal: 12}}},
	{"receive with blanks", "SMTP", "RECEIVE", " 08DC1DB12C345BE5 ; 2024-01-25T15:16:09Z ; 0 ", Context{Kind: KindReceive, Receive: Receive{
		Session:    Session{IDRaw: b("08DC1DB12C345BE5"), ID: 0x08DC1DB12C345BE5, StartRaw: b("2024-01-25T15:16:09Z"), Start: ts("2024-01-25T15:16:09Z")},
		OrdinalRaw: b("0")}}},
	{"send documented form", "SMTP", "SEND", "250 2.0.0 OK;ClientSubmitTime:2024-01-25T15:16:09.544Z", Context{Kind: KindSend, Send: Send{
		Reply:               Reply{Response: resp(250, 2, 0, 0, "OK")},
		HasClientSubmitTime: true, ClientSubmitTimeRaw: b("2024-01-25T15:16:09.544Z"), ClientSubmitTime: ts("2024-01-25T15:16:09.544Z")}}},
	{"send with session and reply", "SMTP", "SENDEXTERNAL", "08D9AE1AA4FEA27C;2021-11-23T19:49:37.215Z;250 2.0.0 OK;queued;ClientSubmitTime:", Context{Kind: KindSend, Send: Send{
		Session:             Session{IDRaw: b("08D9AE1AA4FEA27C"), ID: 0x08D9AE1AA4FEA27C, StartRaw: b("2021-11-23T19:49:37.215Z"), Start: ts("2021-11-23T19:49:37.215Z")},
		Reply:               Reply{Response: resp(250, 2, 0, 0, "OK;queued")},
		HasClientSubmitTime: true, ClientSubmitTimeRaw: b("")}}},
	{"send without ClientSubmitTime", "SMTP", "SEND", ";421 4.4.2 Connection dropped", Context{Kind: KindSend, Send: Send{
		Reply: Reply{Response: resp(421, 4, 4, 2, "Connection dropped")}}}},
	{"send hop with keys in other case and order", "SMTP", "SEND", ";250 2.6.0 <a@b> [hostname=mbx2.example.com, internalid=42] Queued;ClientSubmitTime:", Context{Kind: KindSend, Send: Send{
		Reply: Reply{Response: resp(250, 2, 6, 0, "<a@b> [hostname=mbx2.example.com, internalid=42] Queued"), MessageID: b("a@b"),
			Next: NextHop{InternalIDRaw: b("42"), InternalID: 42, Host: b("mbx2.example.com")}},
		HasClientSubmitTime: true, ClientSubmitTimeRaw: b("")}}},
	{"send hop after other brackets", "SMTP", "SEND", ";250 2.6.0 [x] [InternalId=7, Hostname=h] ok", Context{Kind: KindSend, Send: Send{
		Reply: Reply{Response: resp(250, 2, 6, 0, "[x] [InternalId=7, Hostname=h] ok"),
			Next: NextHop{InternalIDRaw: b("7"), InternalID: 7, Host: b("h")}}}}},
	{"delivery", "STOREDRIVER", "DELIVER", "08D8648A8359CDFE;2020-10-07T16:27:19.546Z", Context{Kind: KindDelivery, Send: Send{
		Session: Session{IDRaw: b("08D8648A8359CDFE"), ID: 0x08D8648A8359CDFE, StartRaw: b("2020-10-07T16:27:19.546Z"), Start: ts("2020-10-07T16:27:19.546Z")}}}},
	{"storedriver list decided by shape", "STOREDRIVER", "DELIVER", "MDB:61914740-3f1b-4ddb-94e0-557196870cfa, Event:5", Context{Kind: KindStore, Store: Store{
		MDB: guid("61914740-3f1b-4ddb-94e0-557196870cfa"), EventRaw: b("5"), Event: 5, Pairs: 2}}},
	{"storedriver session decided by shape", "STOREDRIVER", "SUBMIT", "08D8648A8359CDFE;2020-10-07T16:27:19.546Z", Context{Kind: KindDelivery, Send: Send{
		Session: Session{IDRaw: b("08D8648A8359CDFE"), ID: 0x08D8648A8359CDFE, StartRaw: b("2020-10-07T16:27:19.546Z"), Start: ts("2020-10-07T16:27:19.546Z")}}}},
	{"storedriver other shape", "STOREDRIVER", "SUBMIT", "something else", Context{Kind: KindUnknown}},
	{"store value with comma and unknown key", "STOREDRIVER", "RECEIVE", "MessageClass:IPM.Note.A, B,XNew:1,ClientType:Hub", Context{Kind: KindStore, Store: Store{
		MessageClass: b("IPM.Note.A, B"), ClientTypeRaw: b("Hub"), Pairs: 3, Unknown: 1}}},
	{"shadow", "SMTP", "HAREDIRECT", "shadow.example.com=250 2.6.0 <m@x> [InternalId=123, Hostname=shadow.example.com] Queued mail for redundancy", Context{Kind: KindShadowRedirect, Shadow: Shadow{
		Host: b("shadow.example.com"),
		Reply: Reply{Response: resp(250, 2, 6, 0, "<m@x> [InternalId=123, Hostname=shadow.example.com] Queued mail for redundancy"), MessageID: b("m@x"),
			Next: NextHop{InternalIDRaw: b("123"), InternalID: 123, Host: b("shadow.example.com")}}}}},
	{"shadow fail", "SMTP", "HAREDIRECTFAIL", "No suitable shadow servers", Context{Kind: KindShadowFail}},
	{"resolve", "ROUTING", "RESOLVE", "/o=TEST/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=u1", Context{Kind: KindRecipientDN}},
	{"redirect", "ROUTING", "REDIRECT", "/o=TEST/cn=Recipients/cn=u2", Context{Kind: KindRecipientDN}},
	{"transfer", "ROUTING", "TRANSFER", "ContentConversion", Context{Kind: KindTransferReason}},
	{"agent", "AGENT", "AGENTINFO", "CatContentConversion", Context{Kind: KindAgent}},
	{"hareceive kept raw", "SMTP", "HARECEIVE", "whatever;x", Context{Kind: KindUnknown}},
	{"dsn failure", "DSN", "DSN", "Failure", Context{Kind: KindDSN, DSN: DSNFailure}},
	{"dsn delay", "DSN", "DSN", "Delay", Context{Kind: KindDSN, DSN: DSNDelay}},
	{"dsn list", "DSN", "DSN", "Delivery, Relay", Context{Kind: KindDSN, DSN: DSNDelivery | DSNRelay}},
	{"dsn every type, blanks", "DSN", "DSN", " Quarantine,Expansion ,  Relay, Failure, Delay, Delivery ", Context{Kind: KindDSN,
		DSN: DSNDelivery | DSNDelay | DSNFailure | DSNRelay | DSNExpansion | DSNQuarantine}},
	{"dsn empty", "DSN", "DSN", "", Context{Kind: KindEmpty}},
	{"empty", "SMTP", "RECEIVE", "", Context{Kind: KindEmpty}},
	{"blank", "STOREDRIVER", "RECEIVE", "  ", Context{Kind: KindEmpty}},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want
			want.Raw = b(tt.in)
			if want.Kind == KindStore {
				want.Store.Raw = want.Raw
			}
			got, err := Parse(b(tt.source), b(tt.event), b(tt.in))
			if err != nil {
				t.Fatalf("Parse(%q, %q, %q) error %v", tt.source, tt.event, tt.in, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Parse(%q, %q, %q) mismatch (-want +got):\n%s", tt.source, tt.event, tt.in, diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, source, event, in string
		wantKind                Kind
		wantErr                 error
		wantOff                 int
	}{
		{"receive short id", "SMTP", "RECEIVE", "08DC1DB12C345BE;2024-01-25T15:16:09.544Z;0", KindReceive, ErrSessionID, 0},
		{"receive bad time", "SMTP", "RECEIVE", "08DC1DB12C345BE5;2024-01-25 15:16:09;0", KindReceive, ErrTime, 17},
		{"receive bad date", "SMTP", "RECEIVE", "08DC1DB12C345BE5;2024-02-30T15:16:09Z;0", KindReceive, ErrTime, 17},
		{"receive bad ordinal", "SMTP", "RECEIVE", "08DC1DB12C345BE5;2024-01-25T15:16:09Z;x", KindReceive, ErrOrdinal, 38},
		{"receive missing ordinal", "SMTP", "RECEIVE", "08DC1DB12C345BE5;2024-01-25T15:16:09Z", KindReceive, ErrSyntax, 37},
		{"receive extra part", "SMTP", "RECEIVE", "08DC1DB12C345BE5;2024-01-25T15:16:09Z;0;9", KindReceive, ErrSyntax, 39},
		{"receive first error wins", "SMTP", "RECEIVE", "zz;also bad;x", KindReceive, ErrSessionID, 0},
		{"send bad reply", "SMTP", "SEND", ";OK fine;ClientSubmitTime:", KindSend, recipstatus.ErrCode, 1},
		{"send bad ClientSubmitTime", "SMTP", "SEND", ";250 OK;ClientSubmitTime:yesterday", KindSend, ErrTime, 25},
		{"send bad hop id", "SMTP", "SEND", ";250 2.6.0 <a@b> [InternalId=abc, Hostname=h.x] ok", KindSend, ErrNextHop, 29},
		{"send bad session time", "SMTP", "SEND", "08DC1DB12C345BE5;x;250 OK", KindSend, ErrTime, 17},
		{"shadow without =", "SMTP", "HAREDIRECT", "250 2.6.0 queued", KindShadowRedirect, ErrSyntax, 0},
		{"store first entry without key", "STOREDRIVER", "RECEIVE", "MDB:x, Event:5", KindStore, nil, 0},
		{"store bad event", "STOREDRIVER", "RECEIVE", "MDB:x, Event:5a", KindStore, ErrEvent, 13},
		{"store bad creation time", "STOREDRIVER", "RECEIVE", "CreationTime:now", KindStore, ErrTime, 13},
		{"dsn unknown type", "DSN", "DSN", "Bounce", KindDSN, ErrDSNType, 0},
		{"dsn lower case", "DSN", "DSN", "failure", KindDSN, ErrDSNType, 0},
		{"dsn unknown member", "DSN", "DSN", "Delivery,  Receipt", KindDSN, ErrDSNType, 11},
		{"dsn number", "DSN", "DSN", "64", KindDSN, ErrDSNType, 0},
		{"dsn empty member", "DSN", "DSN", "Failure, ", KindDSN, ErrSyntax, 9},
		{"dsn empty first member", "DSN", "DSN", ",Failure", KindDSN, ErrSyntax, 0},
		{"store too many", "STOREDRIVER", "RECEIVE", "K:v" + strings.Repeat(", K:v", MaxPairs), KindStore, ErrTooMany, 3 + 5*(MaxPairs-1) + 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(b(tt.source), b(tt.event), b(tt.in))
			if got.Kind != tt.wantKind {
				t.Errorf("Parse(%q).Kind = %v, want %v", tt.in, got.Kind, tt.wantKind)
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Errorf("Parse(%q) error %v, want nil", tt.in, err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T is not a *SyntaxError", tt.in, err)
			}
			if se.Offset != tt.wantOff {
				t.Errorf("Parse(%q) error offset = %d, want %d (%v)", tt.in, se.Offset, tt.wantOff, err)
			}
			if want := tt.in[se.Offset:min(se.Offset+fielderr.ExcerptLen, len(tt.in))]; se.Excerpt != want {
				t.Errorf("Parse(%q) excerpt = %q, want %q", tt.in, se.Excerpt, want)
			}
		})
	}
}

// TestLenientPartialResults pins what comes back together with an error.
func TestLenientPartialResults(t *testing.T) {
	in := "08DC1DB12C345BE;2024-01-25T15:16:09.544Z;x"
	got, err := ParseReceive(b(in))
	if !errors.Is(err, ErrSessionID) {
		t.Fatalf("ParseReceive(%q) error = %v, want ErrSessionID", in, err)
	}
	want := Receive{
		Session:    Session{IDRaw: b("08DC1DB12C345BE"), ID: 0x08DC1DB12C345BE, StartRaw: b("2024-01-25T15:16:09.544Z"), Start: ts("2024-01-25T15:16:09.544Z")},
		OrdinalRaw: b("x"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseReceive(%q) mismatch (-want +got):\n%s", in, diff)
	}

	in = ";250 2.6.0 <a@b> [InternalId=h1.x, Hostname=h2.x] ok;ClientSubmitTime:2024-01-25T15:16:09Z"
	s, err := ParseSend(b(in))
	if !errors.Is(err, ErrNextHop) {
		t.Fatalf("ParseSend(%q) error = %v, want ErrNextHop", in, err)
	}
	wantSend := Send{
		Reply: Reply{Response: resp(250, 2, 6, 0, "<a@b> [InternalId=h1.x, Hostname=h2.x] ok"), MessageID: b("a@b"),
			Next: NextHop{InternalIDRaw: b("h1.x"), Host: b("h2.x")}},
		HasClientSubmitTime: true, ClientSubmitTimeRaw: b("2024-01-25T15:16:09Z"), ClientSubmitTime: ts("2024-01-25T15:16:09Z"),
	}
	if diff := cmp.Diff(wantSend, s); diff != "" {
		t.Errorf("ParseSend(%q) mismatch (-want +got):\n%s", in, diff)
	}

	in = "no key, Event:12"
	st, err := ParseStore(b(in))
	if !errors.Is(err, ErrPair) {
		t.Fatalf("ParseStore(%q) error = %v, want ErrPair", in, err)
	}
	if st.Pairs != 2 || st.Event != 12 || st.Unknown != 1 {
		t.Errorf("ParseStore(%q) = %+v; want 2 pairs, Event 12, 1 unknown", in, st)
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		source, event string
		want          Kind
	}{
		{"SMTP", "RECEIVE", KindReceive}, {"SMTP", "SEND", KindSend}, {"SMTP", "SENDEXTERNAL", KindSend},
		{"SMTP", "HAREDIRECT", KindShadowRedirect}, {"SMTP", "HAREDIRECTFAIL", KindShadowFail},
		{"SMTP", "HARECEIVE", KindUnknown}, {"SMTP", "FAIL", KindUnknown},
		{"STOREDRIVER", "DELIVER", KindDelivery}, {"STOREDRIVER", "DELIVERFAIL", KindDelivery},
		{"STOREDRIVER", "NOTIFYMAPI", KindStore}, {"STOREDRIVER", "SUBMIT", KindStore},
		{"ROUTING", "RESOLVE", KindRecipientDN}, {"ROUTING", "REDIRECT", KindRecipientDN},
		{"ROUTING", "TRANSFER", KindTransferReason}, {"ROUTING", "EXPAND", KindUnknown},
		{"AGENT", "AGENTINFO", KindAgent}, {"AGENT", "FAIL", KindUnknown},
		{"DSN", "DSN", KindDSN}, {"DSN", "FAIL", KindUnknown}, {"dsn", "dsn", KindUnknown}, {"smtp", "receive", KindUnknown}, {"", "", KindUnknown},
	}
	for _, tt := range tests {
		if got := KindOf(b(tt.source), b(tt.event)); got != tt.want {
			t.Errorf("KindOf(%q, %q) = %v, want %v", tt.source, tt.event, got, tt.want)
		}
	}
}

func TestAppendTo(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"receive from raw", Receive{Session: Session{IDRaw: b("08dc1db12c345be5"), StartRaw: b("2024-01-25T15:16:09Z")}, OrdinalRaw: b("7")}.AppendTo(nil),
			"08dc1db12c345be5;2024-01-25T15:16:09Z;7"},
		{"receive from typed", Receive{Session: Session{ID: 0x08DC1DB12C345BE5, Start: ts("2024-01-25T15:16:09.5449Z")}, Ordinal: 2}.AppendTo(nil),
			"08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;2"},
		{"send documented", Send{Reply: Reply{Response: resp(250, 2, 0, 0, "OK")}, HasClientSubmitTime: true, ClientSubmitTime: ts("2024-01-25T15:16:09Z")}.AppendTo(nil),
			";250 2.0.0 OK;ClientSubmitTime:2024-01-25T15:16:09.000Z"},
		{"send empty ClientSubmitTime", Send{Reply: Reply{Response: resp(250, 2, 0, 0, "OK")}, HasClientSubmitTime: true}.AppendTo(nil),
			";250 2.0.0 OK;ClientSubmitTime:"},
		{"delivery", Send{Session: Session{IDRaw: b("08D8648A8359CDFE"), StartRaw: b("2020-10-07T16:27:19.546Z")}}.AppendTo(nil),
			"08D8648A8359CDFE;2020-10-07T16:27:19.546Z"},
		{"zero send", Send{}.AppendTo(nil), ";"},
		{"store from typed", Store{MDB: GUIDValue{GUID: msgtrk.GUID{0x61, 0x91, 0x47, 0x40, 0x3f, 0x1b, 0x4d, 0xdb, 0x94, 0xe0, 0x55, 0x71, 0x96, 0x87, 0x0c, 0xfa}, Valid: true},
			Event: 9, ClientType: ClientOWA, ServerMdbConnectionID: 0x08DA9806C5B670C1}.AppendTo(nil),
			"MDB:61914740-3f1b-4ddb-94e0-557196870cfa, Event:9, ClientType:OWA, ServerMdbConnectionId:08DA9806C5B670C1"},
		{"store keeps raw spellings", Store{ClientTypeRaw: b("Hub"), MessageClass: b("IPM.Note")}.AppendTo(nil),
			"MessageClass:IPM.Note, ClientType:Hub"},
	}
	for _, tt := range tests {
		if string(tt.got) != tt.want {
			t.Errorf("%s: AppendTo = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestPairScanner(t *testing.T) {
	var ps PairScanner
	in := "A:1, B:x, y,C:,  D: z "
	ps.Init(b(in))
	var got []string
	for ps.Next() {
		got = append(got, string(ps.Key())+"="+string(ps.Value())+"@"+strconv.Itoa(ps.Offset()))
		if !strings.HasPrefix(in[ps.Offset():], string(ps.Key())+":") {
			t.Errorf("Offset %d does not point at entry %q", ps.Offset(), ps.Key())
		}
	}
	if diff := cmp.Diff([]string{"A=1@0", "B=x, y@5", "C=@12", "D=z@17"}, got); diff != "" {
		t.Errorf("PairScanner mismatch (-want +got):\n%s", diff)
	}
	if ps.Err() != nil {
		t.Errorf("Err() = %v", ps.Err())
	}
	var zero PairScanner
	if zero.Next() {
		t.Error("zero PairScanner has an entry")
	}
	st, _ := ParseStore(b("MDB:x, XNew:1"))
	if v, ok := st.Lookup("XNew"); !ok || string(v) != "1" {
		t.Errorf("Lookup(XNew) = %q, %v", v, ok)
	}
	if _, ok := st.Lookup("Event"); ok {
		t.Error("Lookup(Event) found a value")
	}
}

func TestIsValid(t *testing.T) {
	if (NextHop{}).IsValid() || (Session{}).IsValid() {
		t.Error("zero NextHop or Session is valid")
	}
	if !(NextHop{Host: b("h")}).IsValid() || !(NextHop{InternalIDRaw: b("1")}).IsValid() {
		t.Error("NextHop with a host or an id is not valid")
	}
	if !(Session{ID: 1}).IsValid() || !(Session{IDRaw: b("0000000000000000")}).IsValid() {
		t.Error("Session with an id is not valid")
	}
}

func TestGUIDValue(t *testing.T) {
	for _, c := range []struct {
		in    string
		valid bool
	}{
		{"61914740-3f1b-4ddb-94e0-557196870cfa", true},
		{"61914740-3F1B-4DDB-94E0-557196870CFA", true},
		{"12345678-3232-2323-1111-12345679666", false}, // anonymised: last group too short
		{"6191474g-3f1b-4ddb-94e0-557196870cfa", false},
		{"XXX", false},
	} {
		st, err := ParseStore(b("MDB:" + c.in))
		if err != nil {
			t.Errorf("ParseStore(MDB:%s) error %v; invalid GUIDs are not errors", c.in, err)
		}
		if st.MDB.Valid != c.valid || string(st.MDB.Raw) != c.in {
			t.Errorf("ParseStore(MDB:%s).MDB = %+v, want Valid %v and the raw text", c.in, st.MDB, c.valid)
		}
		if c.valid && st.MDB.GUID.String() != strings.ToLower(c.in) {
			t.Errorf("ParseStore(MDB:%s).MDB.GUID = %v", c.in, st.MDB.GUID)
		}
	}
}

func TestStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{KindUnknown.String(), "Unknown"},
		{KindAgent.String(), "Agent"},
		{Kind(200).String(), "Kind(200)"},
		{ClientMOMT.String(), "MOMT"},
		{ClientType(99).String(), "ClientType(99)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("String() = %q, want %q", tt.got, tt.want)
		}
	}
	for k := KindUnknown; k <= KindAgent; k++ {
		if strings.HasPrefix(k.String(), "Kind(") {
			t.Errorf("Kind %d has no name", k)
		}
	}
	for c := ClientUnknown; c <= ClientSystem; c++ {
		if strings.HasPrefix(c.String(), "ClientType(") {
			t.Errorf("ClientType %d has no name", c)
		}
		if c != ClientUnknown && ParseClientType(b(c.String())) != c {
			t.Errorf("ParseClientType(%q) != %v", c.String(), c)
		}
	}
}
