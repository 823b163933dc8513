package recipstatus_test

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
)

const elasticLog = "elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log"

// The recipient columns of the SMTP SENDEXTERNAL row of the elastic
// sample (line 5): recipient-address, recipient-status.
const sendExtRecipients = ",email@email.com,250 2.1.5 Recipient OK,"

// TestParseRecordPosition puts damaged statuses into a real row and checks
// that ParseRecord's error for each recipient points at the offending byte
// of the line: in an unquoted field, after other members, inside an
// apostrophe-quoted member with doubled apostrophes, and in a CSV-quoted
// field with doubled quotes.
func TestParseRecordPosition(t *testing.T) {
	line := realdata.Line(t, elasticLog, 5)
	type bad struct {
		index int    // recipient
		at    string // the text whose first byte the error must point at
		want  error
	}
	tests := []struct {
		name       string
		recipients string // ",addresses,statuses," as written
		bad        []bad
		kinds      []recipstatus.Kind // per recipient; KindUnknown for one without status
		statuses   int                // recipients that have a status
	}{
		{"unquoted, one recipient", ",email@email.com,650 2.1.5 Recipient OK,",
			[]bad{{0, "650 2.1.5", recipstatus.ErrCode}}, []recipstatus.Kind{recipstatus.KindSMTPResponse}, 1},
		{"unquoted, third member", ",a@x;b@x;c@x,250 2.1.5 Recipient OK;250 2.1.5 Recipient OK;[{LED=250 OK};{LRT=yesterday}],",
			[]bad{{2, "yesterday", recipstatus.ErrTime}},
			[]recipstatus.Kind{recipstatus.KindSMTPResponse, recipstatus.KindSMTPResponse, recipstatus.KindLastError}, 3},
		{"apostrophe-quoted members with doubled apostrophes", `,a@x;b@x;c@x,'it''s;fine';'[{LED=550 it''s; bad};{LRT=to''morrow}]';650 x,`,
			[]bad{{1, "to''morrow", recipstatus.ErrTime}, {2, "650 x", recipstatus.ErrCode}},
			[]recipstatus.Kind{recipstatus.KindUnknown, recipstatus.KindLastError, recipstatus.KindSMTPResponse}, 3},
		{"CSV-quoted with doubled quotes", `,a@x;b@x,"250 2.0.0 ""OK"", queued;[{LED=250 ""OK""};{LRT=12/22/2020 2:28:06 XM}]",`,
			[]bad{{1, "XM}]", recipstatus.ErrTime}}, // the byte where the time stops making sense
			[]recipstatus.Kind{recipstatus.KindSMTPResponse, recipstatus.KindLastError}, 2},
		{"more addresses than statuses", `,a@x;b@x;c@x,"[{LED=OK}]",`,
			[]bad{{0, "OK}]", recipstatus.ErrCode}},
			[]recipstatus.Kind{recipstatus.KindLastError, recipstatus.KindUnknown, recipstatus.KindUnknown}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := realdata.Replace(t, line, sendExtRecipients, tt.recipients)
			rec := realdata.Record(t, row)
			var s msgtrk.RecipientScanner
			s.Init(rec)
			var kinds []recipstatus.Kind
			nbad := 0
			for s.Next() {
				st, err := recipstatus.ParseRecord(&s)
				kinds = append(kinds, st.Kind)
				if (s.Status() != nil) != (s.Index() < tt.statuses) {
					t.Errorf("recipient %d: status %q", s.Index(), s.Status())
				}
				if nbad < len(tt.bad) && tt.bad[nbad].index == s.Index() {
					realdata.CheckPosition(t, err, row, msgtrk.RecipientStatus, tt.bad[nbad].at, tt.bad[nbad].want)
					var se *recipstatus.SyntaxError
					if !errors.As(err, &se) {
						t.Errorf("error %v does not wrap a *recipstatus.SyntaxError", err)
					}
					nbad++
				} else if err != nil {
					t.Errorf("recipient %d: unexpected error %v", s.Index(), err)
				}
			}
			if nbad != len(tt.bad) {
				t.Errorf("%d errors seen, want %d", nbad, len(tt.bad))
			}
			if diff := cmp.Diff(tt.kinds, kinds); diff != "" {
				t.Errorf("kinds mismatch (-want +got):\n%s", diff)
			}
			if s.Err() != nil || s.Unpaired() != 0 {
				t.Errorf("Err %v, Unpaired %d", s.Err(), s.Unpaired())
			}
		})
	}
}

// TestParseRecordReal decodes the status of every recipient of every row
// msgtrk reads from the real logs and compares with Parse.
func TestParseRecordReal(t *testing.T) {
	statuses := 0
	realdata.Records(t, func(rec *msgtrk.Record) {
		at := rec.Origin().File + ":" + strconv.FormatInt(rec.LineNumber(), 10)
		var s msgtrk.RecipientScanner
		s.Init(rec)
		for s.Next() {
			want, werr := recipstatus.Parse(s.Status())
			if s.Status() == nil {
				want, werr = recipstatus.Status{}, nil
			} else {
				statuses++
			}
			got, err := recipstatus.ParseRecord(&s)
			if diff := cmp.Diff(want, got, cmpopts.EquateComparable(netip.Addr{})); diff != "" || (err == nil) != (werr == nil) || !errors.Is(err, errors.Unwrap(werr)) {
				t.Errorf("%s: recipient %d: status differs from Parse (%v vs %v):\n%s", at, s.Index(), err, werr, diff)
			}
		}
	})
	if statuses < 3 {
		t.Errorf("only %d statuses decoded", statuses)
	}
}

func TestParseRecordNoAllocs(t *testing.T) {
	line := realdata.Line(t, elasticLog, 5)
	rec := realdata.Record(t, realdata.Replace(t, line, sendExtRecipients, ",a@x;b@x;c@x,250 2.1.5 Recipient OK;'550 5.1.1 it''s; gone';[{LED=250 OK};{LRT=07.10.2020 16:27:19}],"))
	var s msgtrk.RecipientScanner
	sink := 0
	run := func() {
		s.Init(rec)
		for s.Next() {
			st, err := recipstatus.ParseRecord(&s)
			if err != nil {
				panic(err)
			}
			sink += len(s.Address()) + int(st.Kind)
		}
	}
	check.NoAllocs(t, "ParseRecord over a row of 3", run)
	if sink == 0 {
		t.Error("nothing decoded")
	}
}
