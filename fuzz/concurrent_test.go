package fuzz

import (
	"fmt"
	"sync"
	"testing"

	"github.com/mailtrace/mailtrace/eventdata"
	"github.com/mailtrace/mailtrace/internal/realdata"
	"github.com/mailtrace/mailtrace/messageinfo"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/recipstatus"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// row holds the fields of one log row by name.
type row struct {
	where  string
	fields map[string][]byte
	status [][]byte // recipient-status members
}

func (r row) get(name string) []byte { return r.fields[name] }

// decodeRow runs the field decoders documented as safe for concurrent use
// on one row and renders what they return.
func decodeRow(r row) string {
	var d eventdata.Data
	errD := d.Decode(r.get("custom-data"))
	mi := r.get("message-info")
	nodes, lat, errL := messageinfo.AppendLatency(nil, mi)
	sc, errC := sourcecontext.Parse(r.get("source"), r.get("event-id"), r.get("source-context"))
	out := fmt.Sprintf("%+v %v|%+v|%+v %+v %v|%+v %v", d, errD, messageinfo.Parse(mi), nodes, lat, errL, sc, errC)
	for _, m := range r.status {
		st, err := recipstatus.Parse(m)
		out += fmt.Sprintf("|%+v %v", st, err)
	}
	tm, okT := msgtrk.ParseTime(r.get("date-time"))
	ip, okA := msgtrk.ParseAddr(r.get("client-ip"))
	g, okG := msgtrk.ParseGUID(r.get("network-message-id"))
	return out + fmt.Sprintf("|%v %v %v %v %v %v", tm, okT, ip, okA, g, okG)
}

// concurrencyRows returns the rows of the real samples and of one server
// of the sample organisation (every kind of row the simulator writes).
func concurrencyRows(t *testing.T) []row {
	var rows []row
	for _, r := range realdata.Logs(t) {
		x := row{where: fmt.Sprintf("%s:%d", r.File, r.Line), fields: map[string][]byte{}}
		for _, name := range msgtrk.Layout2016.FieldNames() {
			if v, ok := r.Get(name); ok {
				x.fields[name] = []byte(v)
			}
		}
		for _, m := range r.RecipStatus {
			x.status = append(x.status, []byte(m))
		}
		rows = append(rows, x)
	}
	inputs, err := msgtrk.OpenPaths("../testdata/sample-org/EX01")
	if err != nil {
		t.Fatal(err)
	}
	m := msgtrk.NewMerger(inputs)
	var ls msgtrk.ListScanner
	for m.Next() {
		rec := m.Record()
		x := row{where: fmt.Sprintf("%s:%d", rec.Origin().File, rec.LineNumber()), fields: map[string][]byte{}}
		for f := range msgtrk.Field(msgtrk.NumFields) {
			if rec.Has(f) {
				x.fields[f.String()] = append([]byte(nil), rec.Field(f)...)
			}
		}
		rec.List(msgtrk.RecipientStatus, &ls)
		for ls.Next() {
			x.status = append(x.status, append([]byte(nil), ls.Bytes()...))
		}
		rows = append(rows, x)
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestDecodersConcurrent: the decoders said to be safe for concurrent use
// give, on eight goroutines at once, what they give on one. Under -race
// (CI runs the short tests with it) any write to shared state is reported.
func TestDecodersConcurrent(t *testing.T) {
	rows := concurrencyRows(t)
	want := make([]string, len(rows))
	for i, r := range rows {
		want[i] = decodeRow(r)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for k := range rows {
				i := (k + g*7) % len(rows) // each goroutine starts elsewhere
				if got := decodeRow(rows[i]); got != want[i] {
					errs <- fmt.Sprintf("goroutine %d, %s: got\n%s\nwant\n%s", g, rows[i].where, got, want[i])
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	t.Logf("%d rows decoded on 8 goroutines", len(rows))
}
