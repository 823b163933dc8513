package msgtrktest

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fuzzConfig maps fuzzer input to a small, valid-or-not Config.
func fuzzConfig(seed uint64, msgs, servers, edges, users, groups, version, skew, dup, cut uint8, fileKB uint16, mix []byte) Config {
	cfg := Config{
		Seed:           seed,
		Messages:       1 + int(msgs%40),
		MailboxServers: int(servers % 5),
		EdgeServers:    int(edges%4) - 1,
		Users:          int(users % 90),
		Groups:         int(groups%10) - 1,
		Version:        Version(version % 6),
		MaxSkew:        time.Duration(skew) * time.Second,
		DuplicateFiles: int(dup % 4),
		TruncateFiles:  int(cut % 4),
		MaxFileBytes:   int(fileKB) * 64,
		Rate:           float64(1 + msgs%7),
	}
	for i, k := range MixKinds {
		if i < len(mix) {
			cfg.Mix.SetWeight(k, float64(mix[i]%4))
		}
	}
	return cfg
}

// FuzzSim runs the simulator on fuzzed configurations: no panic, either a
// ErrConfig or logs that read back without unexpected errors, rows that
// decode with every field package, a truth that matches the rows, output
// bounded by the number of messages, and a truth that survives its JSON
// round trip. Seeds are the table configurations of the other tests.
func FuzzSim(f *testing.F) {
	f.Add(uint64(1), uint8(30), uint8(3), uint8(2), uint8(50), uint8(7), uint8(3), uint8(0), uint8(0), uint8(0), uint16(0), []byte{})
	f.Add(uint64(2), uint8(30), uint8(3), uint8(2), uint8(50), uint8(7), uint8(4), uint8(120), uint8(3), uint8(2), uint16(0), []byte{})
	f.Add(uint64(3), uint8(30), uint8(3), uint8(2), uint8(50), uint8(7), uint8(2), uint8(0), uint8(0), uint8(0), uint16(0), []byte{})
	f.Add(uint64(4), uint8(30), uint8(3), uint8(2), uint8(50), uint8(7), uint8(1), uint8(0), uint8(0), uint8(0), uint16(0), []byte{})
	f.Add(uint64(5), uint8(30), uint8(3), uint8(0), uint8(80), uint8(13), uint8(3), uint8(0), uint8(0), uint8(0), uint16(0), []byte{})
	f.Add(uint64(6), uint8(20), uint8(1), uint8(3), uint8(50), uint8(0), uint8(3), uint8(0), uint8(0), uint8(0), uint16(0), []byte{})
	f.Add(uint64(7), uint8(15), uint8(2), uint8(0), uint8(4), uint8(7), uint8(2), uint8(0), uint8(0), uint8(0), uint16(312), []byte{})
	f.Add(uint64(8), uint8(39), uint8(4), uint8(1), uint8(10), uint8(2), uint8(3), uint8(255), uint8(1), uint8(3), uint16(70), []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0})
	f.Add(uint64(9), uint8(10), uint8(2), uint8(1), uint8(5), uint8(3), uint8(3), uint8(0), uint8(0), uint8(0), uint16(0), []byte{1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 1, 1})
	f.Fuzz(func(t *testing.T, seed uint64, msgs, servers, edges, users, groups, version, skew, dup, cut uint8, fileKB uint16, mix []byte) {
		cfg := fuzzConfig(seed, msgs, servers, edges, users, groups, version, skew, dup, cut, fileKB, mix)
		s, err := New(cfg)
		if err != nil {
			return // ErrConfig; TestConfigErrors pins which
		}
		fsys, tr, err := s.WriteFS()
		if err != nil {
			t.Fatal(err)
		}
		var total int64
		for _, f := range fsys {
			total += int64(len(f.Data))
		}
		// Bounded output: a message is at most a few dozen rows of a few
		// kilobytes, plus one header per file.
		if limit := int64(len(tr.Messages))*200<<10 + int64(len(fsys))*2<<10; total > limit {
			t.Fatalf("%d bytes for %d messages", total, len(tr.Messages))
		}
		rows, errs := readRowsErr(fsys, cutLines(tr), true)
		for _, e := range errs {
			t.Error(e)
		}
		for i := range rows {
			if err := checkRow(s, &rows[i]); err != nil {
				t.Fatalf("%s:%d: %v", rows[i].File, rows[i].Line, err)
			}
		}
		rows, _ = readRowsErr(fsys, cutLines(tr), false)
		for _, e := range truthErrors(s, tr, rows) {
			t.Error(e)
		}
		var buf bytes.Buffer
		if err := NewTruthWriter(&buf).Close(tr); err != nil {
			t.Fatal(err)
		}
		back, err := ReadTruth(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tr, back); d != "" {
			t.Fatalf("truth JSON round trip:\n%s", d)
		}
		if t.Failed() {
			t.Logf("config %+v", cfg)
		}
	})
}
