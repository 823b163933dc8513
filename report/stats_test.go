package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// rowsLog is a 2016-style log with one row per event id, each logged by EX01.
func rowsLog(eventIDs []string) []byte {
	var b strings.Builder
	b.WriteString("#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.006\r\n#Log-type: Message Tracking Log\r\n#Date: 2024-03-04T08:00:00.000Z\r\n")
	b.WriteString("#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id\r\n")
	for i, id := range eventIDs {
		fmt.Fprintf(&b, "2024-03-04T08:00:%02d.000Z,,,,EX01,,,SMTP,%s\r\n", i%60, id)
	}
	return []byte(b.String())
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
