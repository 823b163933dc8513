package msgtrktest

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
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

// TestSampleOrg regenerates the bundled sample in memory, as cmd/mtsim
// does, and checks it byte for byte against the committed files: the
// README's command reproduces them, and any change of the generated logs
// is noticed. After a deliberate change, run that command again.
func TestSampleOrg(t *testing.T) {
	cfg := sampleOrgConfig
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
	sort.Strings(onDisk)
	if len(onDisk) != len(want) {
		t.Errorf("testdata/sample-org has %d files, the simulator writes %d: %v", len(onDisk), len(want), onDisk)
	}
	for p, data := range want {
		got, err := os.ReadFile(filepath.Join(sampleOrgDir, filepath.FromSlash(p)))
		if err != nil {
			t.Errorf("%v (regenerate with the command in testdata/sample-org/README.md)", err)
			continue
		}
		if !bytes.Equal(got, data) {
			t.Errorf("testdata/sample-org/%s differs from what the simulator writes now; regenerate with the command in testdata/sample-org/README.md", p)
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
