package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailtrace/mailtrace/msgtrktest"
)

func TestRunDir(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := run([]string{"-out", dir, "-messages", "40", "-seed", "7", "-version", "2013", "-edges", "0", "-skew", "1m", "-dup", "1", "-truncate", "1", "-q"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	f, err := os.Open(filepath.Join(dir, "truth.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := msgtrktest.ReadTruth(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Messages) < 40 || tr.Events == 0 {
		t.Errorf("%d messages, %d events", len(tr.Messages), tr.Events)
	}
	for _, fi := range tr.Files {
		if strings.HasPrefix(fi.Path, "EDGE") {
			t.Errorf("-edges 0 wrote %s", fi.Path)
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(fi.Path))); err != nil {
			t.Error(err)
		}
	}
	// The same flags give the same truth as the library.
	s, _ := msgtrktest.New(msgtrktest.Config{Seed: 7, Messages: 40, Version: msgtrktest.V2013, EdgeServers: msgtrktest.NoEdge,
		MaxSkew: 60e9, DuplicateFiles: 1, TruncateFiles: 1})
	_, want, _ := s.WriteFS()
	if want.Events != tr.Events || len(want.Files) != len(tr.Files) {
		t.Errorf("mtsim: %d events in %d files; library: %d in %d", tr.Events, len(tr.Files), want.Events, len(want.Files))
	}
}

func TestRunStream(t *testing.T) {
	p := filepath.Join(t.TempDir(), "all.log")
	var out, errb bytes.Buffer
	if code := run([]string{"-stream", p, "-events", "2000", "-mix", "store=1,inbound=2"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "events") {
		t.Errorf("no summary: %q", out.String())
	}
	data, err := os.ReadFile(p)
	if err != nil || bytes.Count(data, []byte("#Fields:")) != 1 || bytes.Count(data, []byte("\r\n")) < 2000 {
		t.Errorf("stream: %d bytes, %v", len(data), err)
	}
	if _, err := os.Stat(p + ".truth.jsonl"); err != nil {
		t.Error(err)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-messages", "5"},
		{"-out", "x", "-stream", "y", "-messages", "5"},
		{"-out", "x"},
		{"-out", "x", "-messages", "5", "-version", "2003"},
		{"-out", "x", "-messages", "5", "-mix", "nope=1"},
		{"-out", "x", "-messages", "5", "-mix", "store"},
		{"-out", "x", "-messages", "5", "-start", "yesterday"},
		{"-out", "x", "-messages", "5", "-users", "2"},
		{"-bogus"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("run(%q) = %d, want 2 (stderr %q)", args, code, errb.String())
		}
	}
}

func TestParseMix(t *testing.T) {
	m, err := parseMix("store=2, fail=0.5,resubmit=1")
	if err != nil {
		t.Fatal(err)
	}
	if m != (msgtrktest.Mix{Store: 2, Fail: 0.5, Resubmit: 1}) {
		t.Errorf("parseMix = %+v", m)
	}
}
