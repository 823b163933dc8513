package msgtrktest

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// sampleOrgConfig is what testdata/sample-org/README.md's command means.
var sampleOrgConfig = Config{
	Seed: 1, Messages: 300, Version: V2016, MailboxServers: 3, EdgeServers: 1,
	Users: 50, Groups: 6, Rate: 2, Start: time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC),
	MaxFileBytes: 10 << 20,
	Mix: Mix{Store: 20, SMTPAuth: 6, SMTPAnonymous: 6, Inbound: 15, Outbound: 10, Group: 8,
		Bifurcation: 5, Resolve: 6, Fail: 5, Defer: 5, Drop: 4, Shadow: 5, Resubmit: 4},
}

const sampleOrgDir = "../testdata/sample-org"

// sampleSMTPConfig is what testdata/sample-smtp/README.md's command means.
var sampleSMTPConfig = Config{
	Seed: 5, Messages: 8, Version: V2016, MailboxServers: 3, EdgeServers: 1,
	Users: 50, Groups: 6, Rate: 2, Start: time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC),
	MaxFileBytes: 10 << 20, ProtocolLogs: true,
	Mix: Mix{Inbound: 2, Outbound: 2, Defer: 2, Fail: 2},
}

// TestSampleOrg regenerates the bundled sample in memory, as cmd/mtsim
// does, and checks it byte for byte against the committed files: the
// README's command reproduces them, and any change of the generated logs
// is noticed. After a deliberate change, run that command again.
func TestSampleOrg(t *testing.T) {
	back := checkSample(t, sampleOrgDir, sampleOrgConfig)
	kinds := map[Kind]bool{}
	for _, m := range back.Messages {
		kinds[m.Kind] = true
	}
	for _, k := range append(MixKinds, KindDSN) {
		if !kinds[k] {
			t.Errorf("the sample has no %v message", k)
		}
	}
}

// TestSampleSMTP does the same for testdata/sample-smtp, the small
// organisation with protocol and connectivity logs of the README's
// trace -smtp examples.
func TestSampleSMTP(t *testing.T) {
	back := checkSample(t, "../testdata/sample-smtp", sampleSMTPConfig)
	n := 0
	for _, m := range back.Messages {
		n += len(m.Sessions)
	}
	if n == 0 {
		t.Error("the sample's truth names no session")
	}
}

// checkSample regenerates the sample of cfg and compares it with dir; it
// returns the committed truth.
func checkSample(t *testing.T, sampleOrgDir string, cfg Config) *Truth {
	t.Helper()
	name := "testdata/" + filepath.Base(sampleOrgDir)
	var jsonl bytes.Buffer
	tw := NewTruthWriter(&jsonl)
	cfg.OnMessage = tw.Message
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fsys, tr, err := s.WriteFS()
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(tr); err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"truth.jsonl": jsonl.Bytes()}
	for p, f := range fsys {
		want[p] = f.Data
	}
	var onDisk []string
	filepath.WalkDir(sampleOrgDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(p) != "README.md" {
			rel, _ := filepath.Rel(sampleOrgDir, p)
			onDisk = append(onDisk, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(onDisk)
	if len(onDisk) != len(want) {
		t.Errorf("%s has %d files, the simulator writes %d: %v", name, len(onDisk), len(want), onDisk)
	}
	for p, data := range want {
		got, err := os.ReadFile(filepath.Join(sampleOrgDir, filepath.FromSlash(p)))
		if err != nil {
			t.Errorf("%v (regenerate with the command in %s/README.md)", err, name)
			continue
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s/%s differs from what the simulator writes now; regenerate with the command in %s/README.md", name, p, name)
		}
	}
	// The committed truth reads back and matches the committed logs.
	f, err := os.Open(filepath.Join(sampleOrgDir, "truth.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	back, err := ReadTruth(f)
	if err != nil {
		t.Fatal(err)
	}
	rows := readRows(t, os.DirFS(sampleOrgDir), nil, false)
	for _, e := range truthErrors(s, &Truth{Messages: back.Messages, Files: back.Files, Events: back.Events}, rows) {
		t.Error(e)
	}
	return back
}
