package sourcecontext_test

import (
	"errors"
	"net/netip"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mailtrace/mailtrace/internal/check"
	"github.com/mailtrace/mailtrace/internal/realdata"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/recipstatus"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

const (
	elasticLog = "elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log"
	qazeerLog  = "Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_MSGTRKMS.log"
)

// The source-contexts of three real rows: SMTP RECEIVE (elastic line 2,
// unquoted), SMTP SENDEXTERNAL (elastic line 5, quoted for its commas) and
// STOREDRIVER RECEIVE (Qazeer line 7, quoted).
const (
	receiveContext = "08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;0"
	sendContext    = `";250 2.6.0 <1736846922.907742.2942@foo.bar.local> [InternalId=5450313518243, Hostname=AAAAAAAAAAAAA.bbbbbbbb.prod.outlook.com] 141301 bytes in 0.101, 1361.827 KB/sec Queued mail for delivery;ClientSubmitTime:"`
	storeContext   = `"MDB:12345678-3232-2323-1111-12345679987, Mailbox:33345678-3232-2323-1111-08da9fd00918, Event:63779422, MessageClass:IPM.Note, CreationTime:2022-09-19T15:02:29.211Z, ClientType:MOMT, SubmissionAssistant:MailboxTransportSubmissionEmailAssistant, ServerMdbConnectionId:08DA9806C5B670C1"`
)

// TestParseRecordPosition damages one part of a real row's source-context
// and checks that the error points at its first byte in the line.
func TestParseRecordPosition(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		line     int
		old, new string // the source-context as written, and its damaged form
		at       string // the text whose first byte the error must point at
		want     error
		wantKind sourcecontext.Kind
	}{
		{"receive, unquoted, bad time", elasticLog, 2, receiveContext, "08DC1DB12C345BE5;2024-01-25 15:16:09.544Z;0", "2024-01-25 15", sourcecontext.ErrTime, sourcecontext.KindReceive},
		{"receive, unquoted, bad ordinal", elasticLog, 2, receiveContext, "08DC1DB12C345BE5;2024-01-25T15:16:09.544Z;0x9", "0x9", sourcecontext.ErrOrdinal, sourcecontext.KindReceive},
		{"receive, quoted, bad session id", elasticLog, 2, receiveContext, `"08DC1DB12C345BEZ;2024-01-25T15:16:09.544Z;0, x"`, "08DC1DB12C345BEZ", sourcecontext.ErrSessionID, sourcecontext.KindReceive},
		{"sendexternal, quoted, bad hop id", elasticLog, 5, sendContext,
			`";250 2.6.0 <1736846922.907742.2942@foo.bar.local> [InternalId=54503135x18243, Hostname=AAAAAAAAAAAAA.bbbbbbbb.prod.outlook.com] 141301 bytes in 0.101, 1361.827 KB/sec Queued mail for delivery;ClientSubmitTime:"`,
			"54503135x18243", sourcecontext.ErrNextHop, sourcecontext.KindSend},
		{"sendexternal, quoted, doubled quotes before a bad reply", elasticLog, 5, sendContext,
			`";""quoted"" 2x0 fine, really;ClientSubmitTime:"`, `""quoted""`, recipstatus.ErrCode, sourcecontext.KindSend},
		{"sendexternal, quoted, doubled quotes before a bad time", elasticLog, 5, sendContext,
			`";250 2.6.0 <a""b""c@d> [InternalId=1, Hostname=h] ok, queued;ClientSubmitTime:2025-01-14 09:28"`, "2025-01-14 09:28", sourcecontext.ErrTime, sourcecontext.KindSend},
		{"store, quoted, bad event", qazeerLog, 7, storeContext,
			`"MDB:12345678-3232-2323-1111-12345679987, Mailbox:33345678-3232-2323-1111-08da9fd00918, Event:637794x22, MessageClass:IPM.Note"`, "637794x22", sourcecontext.ErrEvent, sourcecontext.KindStore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := realdata.Replace(t, realdata.Line(t, tt.file, tt.line), tt.old, tt.new)
			rec := realdata.Record(t, row)
			c, err := sourcecontext.ParseRecord(rec)
			realdata.CheckPosition(t, err, row, msgtrk.SourceContext, tt.at, tt.want)
			var se *sourcecontext.SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("error %v does not wrap a *sourcecontext.SyntaxError", err)
			}
			if c.Kind != tt.wantKind {
				t.Errorf("Kind = %v, want %v", c.Kind, tt.wantKind)
			}
			want, werr := sourcecontext.Parse(rec.Field(msgtrk.Source), rec.Field(msgtrk.EventID), rec.Field(msgtrk.SourceContext))
			if diff := cmp.Diff(want, c, contextCmp); diff != "" || !sameSyntaxError(err, werr) {
				t.Errorf("ParseRecord differs from Parse (%v vs %v):\n%s", err, werr, diff)
			}
		})
	}
}

var contextCmp = cmp.Options{cmpopts.EquateComparable(netip.Addr{}), cmpopts.EquateApproxTime(0)}

// sameSyntaxError reports whether the record error err wraps a SyntaxError
// equal to field, the error of Parse (both may be nil).
func sameSyntaxError(err, field error) bool {
	if err == nil || field == nil {
		return err == nil && field == nil
	}
	var a, b *sourcecontext.SyntaxError
	return errors.As(err, &a) && errors.As(field, &b) && cmp.Equal(*a, *b, cmpopts.EquateErrors())
}

// TestParseRecordReal decodes the source-context of every row msgtrk
// reads from the real logs through the record and compares with Parse.
func TestParseRecordReal(t *testing.T) {
	n := realdata.Records(t, func(rec *msgtrk.Record) {
		at := rec.Origin().File + ":" + strconv.FormatInt(rec.LineNumber(), 10)
		c, err := sourcecontext.ParseRecord(rec)
		want, werr := sourcecontext.Parse(rec.Field(msgtrk.Source), rec.Field(msgtrk.EventID), rec.Field(msgtrk.SourceContext))
		if diff := cmp.Diff(want, c, contextCmp); diff != "" || !sameSyntaxError(err, werr) {
			t.Errorf("%s: ParseRecord differs from Parse (%v vs %v):\n%s", at, err, werr, diff)
		}
		var pe *msgtrk.ParseError
		if err != nil && (!errors.As(err, &pe) || pe.Line != rec.LineNumber() || pe.File != rec.Origin().File) {
			t.Errorf("%s: error %v not positioned", at, err)
		}
	})
	if n < 13 {
		t.Errorf("only %d rows read", n)
	}
}

func TestParseRecordNoAllocs(t *testing.T) {
	recs := []*msgtrk.Record{
		realdata.Record(t, realdata.Line(t, elasticLog, 2)),
		realdata.Record(t, realdata.Line(t, elasticLog, 5)),
		realdata.Record(t, realdata.Line(t, qazeerLog, 7)),
	}
	sink, i := 0, 0
	check.NoAllocs(t, "ParseRecord", func() {
		c, err := sourcecontext.ParseRecord(recs[i%len(recs)])
		if err != nil {
			panic(err)
		}
		i++
		sink += int(c.Kind)
	})
	if sink == 0 {
		t.Error("nothing decoded")
	}
}
