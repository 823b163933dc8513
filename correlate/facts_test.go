package correlate_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/internal/proptest"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// decoyFacts is a FactSource that hands the Tracker facts of a row it is
// not adding (one of its own), or none: the Tracker must read each row
// itself then.
type decoyFacts struct {
	*msgtrk.Merger
	decoy *correlate.RowFacts
	n     int
}

func (d *decoyFacts) Facts() *correlate.RowFacts {
	d.n++
	if d.n%3 == 0 {
		return nil
	}
	return d.decoy
}

// newDecoy reads the facts of a row of another input.
func newDecoy(t testing.TB) *correlate.RowFacts {
	r := msgtrk.NewReaderBytes([]byte("#Fields: date-time,server-hostname,source,event-id,network-message-id,recipient-address\r\n" +
		"2024-05-06T10:00:00.000Z,EX9.contoso.com,SMTP,RECEIVE,0d6a4f1e-2b3c-4d5e-8f90-08dc6d5f0b02,bob@contoso.com\r\n"))
	if !r.Next() {
		t.Fatal(r.Err())
	}
	f := new(correlate.RowFacts)
	f.Read(r.Record())
	return f
}

// tracesVia correlates the inputs from src, as Feed does, and returns the
// traces in JSON, in the order they were emitted.
func tracesVia(t testing.TB, src correlate.RowSource, opts correlate.Options) []string {
	t.Helper()
	var out []string
	opts.OnTrace = func(tr *correlate.Trace) {
		b, err := json.Marshal(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	tk, err := correlate.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	correlate.Feed(t.Context(), src, tk, opts.Window)
	return out
}

// sameTracesWithFacts correlates the inputs of fsys three ways: each row
// read by the Tracker (Add), the rows' facts read ahead on another
// goroutine (ReadAhead, AddFacts), and facts of the wrong rows or none
// handed over; and returns how the traces differ ("" when they do not).
func sameTracesWithFacts(t testing.TB, fsys fs.FS, opts correlate.Options) (string, int) {
	inputs := func() []msgtrk.Input {
		in, err := msgtrk.FindFiles(fsys, ".")
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	byAdd := tracesVia(t, msgtrk.NewMerger(inputs()), opts)
	ahead := correlate.ReadAhead(msgtrk.NewMerger(inputs()))
	byFacts := tracesVia(t, ahead, opts)
	ahead.Close()
	decoys := &decoyFacts{Merger: msgtrk.NewMerger(inputs()), decoy: newDecoy(t)}
	byDecoys := tracesVia(t, decoys, opts)
	if diff := cmp.Diff(byAdd, byFacts); diff != "" {
		return "facts read ahead (-Add +AddFacts):\n" + diff, len(byAdd)
	}
	if diff := cmp.Diff(byAdd, byDecoys); diff != "" {
		return "facts of other rows (-Add +AddFacts):\n" + diff, len(byAdd)
	}
	return "", len(byAdd)
}

// TestFactsAheadSameTraces: a Tracker given its rows' facts read ahead
// (ReadAhead, Feed, AddFacts) emits the same traces, byte for byte in
// JSON and in the same order, as one that reads every row itself (Add);
// so does one handed facts of other rows, or none, which it must not use.
// Over the test cases, the sample organisation and simulated ones of every
// version, with clock skew, logs collected twice, cut files and KeepSMTP.
func TestFactsAheadSameTraces(t *testing.T) {
	for _, dir := range []string{"testdata/cases", "../testdata/sample-org"} {
		diff, n := sameTracesWithFacts(t, os.DirFS(dir), correlate.Options{})
		if diff != "" {
			t.Errorf("%s: %s", dir, diff)
		}
		if n < 6 {
			t.Errorf("%s: %d traces", dir, n)
		}
	}
	params := proptest.Parameters(t, 40)
	props := gopter.NewProperties(params)
	versions := []msgtrktest.Version{msgtrktest.V2007, msgtrktest.V2010, msgtrktest.V2013, msgtrktest.V2016, msgtrktest.V2019}
	props.Property("facts read ahead change no trace", prop.ForAll(
		func(seed uint64, msgs, vi int, skewMs int64, dups, cuts int, keepSMTP bool) string {
			cfg := msgtrktest.Config{Seed: seed, MailboxServers: 2, EdgeServers: 1, Messages: msgs,
				Version: versions[vi], MaxSkew: time.Duration(skewMs) * time.Millisecond, DuplicateFiles: dups, TruncateFiles: cuts}
			sim, err := msgtrktest.New(cfg)
			if err != nil {
				return "New: " + err.Error()
			}
			fsys, _, err := sim.WriteFS()
			if err != nil {
				return "WriteFS: " + err.Error()
			}
			if diff, _ := sameTracesWithFacts(t, fsys, correlate.Options{KeepSMTP: keepSMTP}); diff != "" {
				return fmt.Sprintf("config %+v: %s", cfg, diff)
			}
			return ""
		},
		gen.UInt64(), gen.IntRange(1, 40), gen.IntRange(0, len(versions)-1),
		gen.Int64Range(0, 120000), gen.IntRange(0, 2), gen.IntRange(0, 2), gen.Bool(),
	))
	props.TestingRun(t)
}
