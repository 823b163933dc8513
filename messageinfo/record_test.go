package messageinfo_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mailtrace/mailtrace/internal/check"
	"github.com/mailtrace/mailtrace/internal/realdata"
	"github.com/mailtrace/mailtrace/messageinfo"
	"github.com/mailtrace/mailtrace/msgtrk"
)

const elasticLog = "elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log"

// TestAppendLatencyRecordPosition damages the latency string of a real row
// (the SMTP SEND of the elastic sample, line 4) and checks that the error
// points at the offending byte in the line, with the field unquoted and
// CSV-quoted (with doubled quotes before the error).
func TestAppendLatencyRecordPosition(t *testing.T) {
	line := realdata.Line(t, elasticLog, 4)
	orig := string(realdata.Record(t, line).Field(msgtrk.MessageInfo))
	if !strings.HasPrefix(orig, "2024-01-07T00:00:05.535Z;LSRV=exchange.example.com:TOTAL-HUB=1.921|SMR=0.127(") {
		t.Fatalf("unexpected sample message-info %.80q", orig)
	}
	quote := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	tests := []struct {
		name  string
		field string // the new message-info as written in the row
		at    string // the text whose first byte the error must point at
		want  error
	}{
		{"unquoted, bad byte in a value", strings.Replace(orig, "SMR=0.127", "SMR=0.1x7", 1), "x7(", messageinfo.ErrLatency},
		{"unquoted, value of ten fraction digits", strings.Replace(orig, "SMR=0.127", "SMR=0.1271234567", 1), "7(SMRDE", messageinfo.ErrValue}, // the tenth digit
		{"unquoted, bad origin", strings.Replace(orig, "2024-01-07T00:00:05.535Z", "2024-13-07T00:00:05.535Z", 1), "2024-13-07", messageinfo.ErrTime},
		{"unquoted, stray ')'", strings.Replace(orig, "|QDM=0.010", ")QDM=0.010", 1), ")QDM", messageinfo.ErrLatency},
		{"quoted, bad value after a comma", quote(strings.Replace(strings.Replace(orig, "Malware Agent", "Malware, Agent", 1), "QDM=0.010", "QDM=0.0y0", 1)), "y0|SMSC", messageinfo.ErrLatency},
		{"quoted with doubled quotes", quote(strings.Replace(strings.Replace(orig, "Malware Agent", `"Malware" Agent`, 1), "SMS=0.076", "SMS=0.0z6", 1)), "z6(", messageinfo.ErrLatency},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := realdata.Replace(t, line, orig, tt.field)
			rec := realdata.Record(t, row)
			nodes, lat, err := messageinfo.AppendLatencyRecord(nil, rec)
			realdata.CheckPosition(t, err, row, msgtrk.MessageInfo, tt.at, tt.want)
			var se *messageinfo.SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("error %v does not wrap a *messageinfo.SyntaxError", err)
			}
			wantNodes, wantLat, werr := messageinfo.AppendLatency(nil, rec.Field(msgtrk.MessageInfo))
			if diff := cmp.Diff(wantNodes, nodes); diff != "" || !sameSyntaxError(err, werr) || lat.NumHops() != wantLat.NumHops() {
				t.Errorf("AppendLatencyRecord differs from AppendLatency (%v vs %v):\n%s", err, werr, diff)
			}
		})
	}
}

// sameSyntaxError reports whether the record error err wraps a SyntaxError
// equal to field, the error of AppendLatency (both may be nil).
func sameSyntaxError(err, field error) bool {
	if err == nil || field == nil {
		return err == nil && field == nil
	}
	var a, b *messageinfo.SyntaxError
	return errors.As(err, &a) && errors.As(field, &b) && cmp.Equal(*a, *b, cmpopts.EquateErrors())
}

// TestAppendLatencyRecordReal decodes the latency string of every row
// msgtrk reads from the real logs through the record (where Classify says
// it is one) and compares with AppendLatency.
func TestAppendLatencyRecordReal(t *testing.T) {
	latencies := 0
	realdata.Records(t, func(rec *msgtrk.Record) {
		at := rec.Origin().File + ":" + strconv.FormatInt(rec.LineNumber(), 10)
		mi := rec.Field(msgtrk.MessageInfo)
		if messageinfo.Classify(mi) != messageinfo.KindLatency {
			return
		}
		latencies++
		nodes, lat, err := messageinfo.AppendLatencyRecord(nil, rec)
		wantNodes, wantLat, werr := messageinfo.AppendLatency(nil, mi)
		if diff := cmp.Diff(wantNodes, nodes); diff != "" || err != nil || werr != nil || lat.NumHops() != wantLat.NumHops() {
			t.Errorf("%s: AppendLatencyRecord differs from AppendLatency (%v vs %v):\n%s", at, err, werr, diff)
		}
	})
	if latencies < 4 {
		t.Errorf("only %d latency strings read", latencies)
	}
}

func TestAppendLatencyRecordNoAllocs(t *testing.T) {
	rec := realdata.Record(t, realdata.Line(t, elasticLog, 4))
	nodes := make([]messageinfo.Node, 0, messageinfo.MaxNodes)
	sink := 0
	check.NoAllocs(t, "AppendLatencyRecord", func() {
		var lat messageinfo.Latency
		var err error
		nodes, lat, err = messageinfo.AppendLatencyRecord(nodes[:0], rec)
		if err != nil {
			panic(err)
		}
		sink += lat.NumHops()
	})
	if sink == 0 {
		t.Error("nothing decoded")
	}
}
