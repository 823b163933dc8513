package report

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// rowsLog is a 2016-style log with one row per event id, each logged by EX01.
func rowsLog(eventIDs []string) []byte { return serverLog("EX01", eventIDs) }

// serverLog is rowsLog for rows that name server as the host that logged
// them.
func serverLog(server string, eventIDs []string) []byte {
	var b strings.Builder
	b.WriteString("#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.006\r\n#Log-type: Message Tracking Log\r\n#Date: 2024-03-04T08:00:00.000Z\r\n")
	b.WriteString("#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id\r\n")
	for i, id := range eventIDs {
		fmt.Fprintf(&b, "2024-03-04T08:00:%02d.000Z,,,,%s,,,SMTP,%s\r\n", i%60, server, id)
	}
	return []byte(b.String())
}

// inTurns hands the rows of readers to add a row of each in turn, as a
// merge of their inputs does.
func inTurns(readers []*msgtrk.Reader, add func(*msgtrk.Record)) {
	for more := true; more; {
		more = false
		for _, r := range readers {
			if r.Next() {
				add(r.Record())
				more = true
			}
		}
	}
}

// TestStatsEventCountsBounded: distinct event-id spellings beyond
// maxDistinct are counted together as "(other)", and no row is lost.
func TestStatsEventCountsBounded(t *testing.T) {
	var ids []string
	for i := range maxDistinct + 10 {
		ids = append(ids, fmt.Sprintf("EV%d", i))
	}
	ids = append(ids, "RECEIVE", "RECEIVE", "EV0")
	s := NewStats(10)
	r := msgtrk.NewReaderBytes(rowsLog(ids))
	for r.Next() {
		s.AddRecord(r.Record())
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	sum := s.Summary(10, 0)
	counts := map[string]int64{}
	var total int64
	for _, e := range sum.Events {
		counts[e.Key] = e.Count
		total += e.Count
	}
	if total != int64(len(ids)) || sum.Rows != int64(len(ids)) {
		t.Errorf("counted %d rows (Rows %d), want %d", total, sum.Rows, len(ids))
	}
	if len(sum.Events) != maxDistinct+1 {
		t.Errorf("%d distinct event ids, want %d (the cap and \"(other)\")", len(sum.Events), maxDistinct+1)
	}
	if counts["EV0"] != 2 {
		t.Errorf("EV0 counted %d times, want 2", counts["EV0"])
	}
	// EV1024..EV1033 and both RECEIVE rows arrived after the cap.
	if counts["(other)"] != 12 {
		t.Errorf("(other) = %d, want 12", counts["(other)"])
	}
}

// TestAddRecordNoAllocs: counting a row whose spellings were seen before
// does not allocate.
func TestAddRecordNoAllocs(t *testing.T) {
	s := NewStats(10)
	r := msgtrk.NewReaderBytes(rowsLog([]string{"RECEIVE"}))
	if !r.Next() {
		t.Fatal(r.Err())
	}
	rec := r.Record()
	s.AddRecord(rec)
	if n := testing.AllocsPerRun(100, func() { s.AddRecord(rec) }); n != 0 {
		t.Errorf("AddRecord allocates %.1f times per row", n)
	}
}

// TestStatsServerRows: the rows are counted per server by the server an
// input's path names, else by the server each row names (its local host
// column), and InputServers, when it names an input, overrides both; two
// inputs of one path share their counts, and rows of different inputs
// alternate as a merge hands them over.
func TestStatsServerRows(t *testing.T) {
	type input struct{ name, server, rows string }
	for _, tt := range []struct {
		name   string
		inputs []input
		decide map[string]string // InputServers
		want   map[string]int64
	}{
		{"path names the server", []input{{"a/EX01/x.LOG", "EX01", "EX09"}, {"a/EX02/x.LOG", "EX02", "EX09"}}, nil, map[string]int64{"EX01": 3, "EX02": 3}},
		{"rows name it", []input{{"x.LOG", "", "EX01"}, {"y.LOG", "", "EX02"}}, nil, map[string]int64{"EX01": 3, "EX02": 3}},
		{"both, one path twice", []input{{"a/EX01/x.LOG", "EX01", "EX09"}, {"a/EX01/x.LOG", "EX01", "EX09"}, {"y.LOG", "", "EX02"}}, nil, map[string]int64{"EX01": 6, "EX02": 3}},
		{"InputServers decides", []input{{"a/EX01/x.LOG", "EX01", "EX09"}, {"y.LOG", "", "EX02"}}, map[string]string{"a/EX01/x.LOG": "MBX1", "y.LOG": "MBX2"}, map[string]int64{"MBX1": 3, "MBX2": 3}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := NewStats(10)
			var readers []*msgtrk.Reader
			for _, in := range tt.inputs {
				r := msgtrk.NewReaderBytes(serverLog(in.rows, []string{"RECEIVE", "RECEIVE", "RECEIVE"}))
				r.Name, r.Server = in.name, in.server
				readers = append(readers, r)
			}
			inTurns(readers, s.AddRecord)
			s.InputServers = tt.decide
			got := map[string]int64{}
			for _, e := range s.Summary(10, 0).Servers {
				got[e.Key] = e.Count
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("servers %v, want %v", got, tt.want)
			}
		})
	}
}

// BenchmarkStatsAddRecord counts the rows of several inputs in turns, as a
// merge hands them over.
func BenchmarkStatsAddRecord(b *testing.B) {
	ids := []string{"RECEIVE", "SEND", "DELIVER", "AGENTINFO", "HADISCARD", "SUBMIT"}
	var readers []*msgtrk.Reader
	for i := range 8 {
		r := msgtrk.NewReaderBytes(rowsLog(append(ids, ids...)))
		r.Name = fmt.Sprintf(`\\mbx%d.corp.contoso.com\d$\Exchange Server\V15\TransportRoles\Logs\MessageTracking\MSGTRK2024030408-%d.LOG`, i%4, i)
		if i%2 == 0 {
			r.Server = fmt.Sprintf("MBX%d", i%4)
		}
		readers = append(readers, r)
	}
	var batch msgtrk.Batch
	inTurns(readers, batch.Append)
	s := NewStats(10)
	b.ReportAllocs()
	for b.Loop() {
		for i := range batch.Len() {
			s.AddRecord(batch.Record(i))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch.Len()), "ns/row")
}

// TestCountsJSONEach: Each names every count of the JSON object, in its
// order, with its value (the stats CSV is written from it).
func TestCountsJSONEach(t *testing.T) {
	var c CountsJSON
	v := reflect.ValueOf(&c).Elem()
	var want []string
	for i := range v.NumField() {
		v.Field(i).SetInt(int64(i + 1))
		want = append(want, v.Type().Field(i).Tag.Get("json"))
	}
	var got []string
	c.Each(func(key string, n int64) {
		got = append(got, key)
		if i := slices.Index(want, key); i < 0 || n != int64(i+1) {
			t.Errorf("Each(%q) = %d: not the value of that JSON field", key, n)
		}
	})
	if !slices.Equal(got, want) {
		t.Errorf("Each names %v, the JSON object %v", got, want)
	}
}
