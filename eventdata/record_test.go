package eventdata_test

import (
	"errors"
	"net/netip"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mailtrace/mailtrace/eventdata"
	"github.com/mailtrace/mailtrace/internal/check"
	"github.com/mailtrace/mailtrace/internal/realdata"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// dataCmp compares Data values, unexported bookkeeping included.
var dataCmp = cmp.Options{cmp.AllowUnexported(eventdata.Data{}), cmpopts.EquateComparable(netip.Addr{})}

const elasticLog = "elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log"

// The custom-data of the SENDEXTERNAL row of the elastic sample (line 5).
const sendExtCustomData = "S:E2ELatency=14.513;S:ExternalSendLatency=0.402;S:ToEntity=Internet;S:FromEntity=Internet;S:MsgRecipCount=1;S:IncludeInSla=True;S:Microsoft.Exchange.Transport.MailRecipient.RequiredTlsAuthLevel=DomainValidation;S:Microsoft.Exchange.Transport.MailRecipient.EffectiveTlsAuthLevel=DomainValidation;S:IsSmtpResponseFromExternalServer=True;S:DeliveryPriority=Normal;S:OriginalFromAddress=<>;S:AccountForest=wgs.wuerth.com"

// TestDecodeRecordPosition damages one value of a real row and checks that
// the error points at its first byte in the line, with the field unquoted,
// CSV-quoted, CSV-quoted with doubled quotes before the error, and after an
// apostrophe-quoted member.
func TestDecodeRecordPosition(t *testing.T) {
	line := realdata.Line(t, elasticLog, 5)
	tests := []struct {
		name  string
		field string // the new custom-data, as written in the row
		at    string // the text whose first byte the error must point at
		want  error
	}{
		{"unquoted", "S:E2ELatency=14x513;S:AccountForest=wgs.wuerth.com", "14x513", eventdata.ErrValue},
		{"unquoted, later member", "S:E2ELatency=14.513;S:ToEntity=Internet;S:MsgRecipCount=one;S:IncludeInSla=True", "one", eventdata.ErrValue},
		{"quoted", `"S:Conditions=GTOEP,M.MAS,1;S:E2ELatency=14x513"`, "14x513", eventdata.ErrValue},
		{"quoted with doubled quotes", `"S:Note=say ""hi"", ok;S:Other=""x"";S:E2ELatency=14x513"`, "14x513", eventdata.ErrValue},
		{"after an apostrophe-quoted member", `'S:Note=it''s;here';S:E2ELatency=14x513`, "14x513", eventdata.ErrValue},
		{"member without '='", "S:E2ELatency=14.513;S:Oops;S:AccountForest=x", "S:Oops", eventdata.ErrNoEquals},
		{"quoted member without tag", `"S:A=a,b;NoTag=1"`, "NoTag", eventdata.ErrNoTag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := realdata.Replace(t, line, sendExtCustomData, tt.field)
			rec := realdata.Record(t, row)
			var d eventdata.Data
			err := d.DecodeRecord(rec)
			realdata.CheckPosition(t, err, row, msgtrk.CustomData, tt.at, tt.want)
			var se *eventdata.SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("error %v does not wrap a *eventdata.SyntaxError", err)
			}
			// The record form decodes exactly what Decode decodes.
			var d2 eventdata.Data
			err2 := d2.Decode(rec.Field(msgtrk.CustomData))
			if diff := cmp.Diff(d2, d, dataCmp); diff != "" || !sameSyntaxError(err, err2) {
				t.Errorf("DecodeRecord differs from Decode (%v vs %v): %s", err, err2, diff)
			}
		})
	}
}

// TestDecodeRecordReal decodes the custom-data of every row msgtrk reads
// from the real logs through the record and compares with Decode of the
// field.
func TestDecodeRecordReal(t *testing.T) {
	n := realdata.Records(t, func(rec *msgtrk.Record) {
		at := rec.Origin().File + ":" + strconv.FormatInt(rec.LineNumber(), 10)
		var d, want eventdata.Data
		err := d.DecodeRecord(rec)
		werr := want.Decode(rec.Field(msgtrk.CustomData))
		if diff := cmp.Diff(want, d, dataCmp); diff != "" {
			t.Errorf("%s: DecodeRecord mismatch (-Decode +DecodeRecord):\n%s", at, diff)
		}
		if !sameSyntaxError(err, werr) {
			t.Errorf("%s: DecodeRecord error %v, Decode error %v", at, err, werr)
		}
		var pe *msgtrk.ParseError
		if err != nil && (!errors.As(err, &pe) || pe.Line != rec.LineNumber() || pe.File != rec.Origin().File) {
			t.Errorf("%s: error %v not positioned", at, err)
		}
	})
	if n < 13 { // every row but the two AGENTINFO pastes msgtrk rejects
		t.Errorf("only %d rows read", n)
	}
}

func TestDecodeRecordNoAllocs(t *testing.T) {
	rec := realdata.Record(t, realdata.Line(t, elasticLog, 5))
	var d eventdata.Data
	check.NoAllocs(t, "DecodeRecord", func() {
		if err := d.DecodeRecord(rec); err != nil {
			panic(err)
		}
	})
	if d.E2ELatency == 0 {
		t.Error("nothing decoded")
	}
}

// sameSyntaxError reports whether the record error err wraps a SyntaxError
// equal to field, the error of the field decoder (both may be nil).
func sameSyntaxError(err, field error) bool {
	if err == nil || field == nil {
		return err == nil && field == nil
	}
	var a, b *eventdata.SyntaxError
	return errors.As(err, &a) && errors.As(field, &b) && cmp.Equal(*a, *b, cmpopts.EquateErrors())
}
