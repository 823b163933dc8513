package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// jsonTrace is the part of the stable trace JSON this test reads.
type jsonTrace struct {
	Key              string `json:"key"`
	NetworkMessageID string `json:"network_message_id"`
	MessageID        string `json:"message_id"`
	Sender           string `json:"sender"`
	Subject          string `json:"subject"`
	Size             int64  `json:"size"`
	Origin           struct {
		Server           string `json:"server"`
		Protocol         string `json:"protocol"`
		ClientType       string `json:"client_type"`
		Auth             string `json:"auth"`
		Anonymous        bool   `json:"anonymous"`
		ClientIP         string `json:"client_ip"`
		OriginalClientIP string `json:"original_client_ip"`
	} `json:"origin"`
	Hops []struct {
		Server string `json:"server"`
		Role   string `json:"role"`
		Depth  int    `json:"depth"`
	} `json:"hops"`
	Recipients []msgtrktest.RecipientTruth `json:"recipients"`
	Expansions []msgtrktest.Expansion      `json:"expansions"`
	DSNFor     string                      `json:"dsn_for"`
	Shadow     []json.RawMessage           `json:"shadow_events"`
	Duplicates []json.RawMessage           `json:"duplicates"`
	Events     int                         `json:"events"`
	Reason     string                      `json:"reason"`
}

// TestTraceJSONMatchesTruth runs "mailtrace trace -json" on the bundled
// sample organisation and compares every trace with the simulator's ground
// truth written beside the logs (truth.jsonl). MAILTRACE_TRUTH_DIR names
// another directory written by cmd/mtsim to check instead, such as a large
// one:
//
//	go run ./cmd/mtsim -out /tmp/org1m -events 1000000 -rate 20 -skew 2m -dup 1 -truncate 1
//	MAILTRACE_TRUTH_DIR=/tmp/org1m go test ./cmd/mailtrace -run TestTraceJSONMatchesTruth
func TestTraceJSONMatchesTruth(t *testing.T) {
	dir, truthFile := "testdata/sample-org", filepath.Join("..", "..", "testdata", "sample-org", "truth.jsonl")
	if d := os.Getenv("MAILTRACE_TRUTH_DIR"); d != "" {
		abs, err := filepath.Abs(d)
		if err != nil {
			t.Fatal(err)
		}
		dir, truthFile = abs, filepath.Join(abs, "truth.jsonl")
	}
	out, stderr, code := runCmd(t, "", "trace", "-json", "-quiet", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	truth := readTruthFile(t, truthFile)
	got := map[string]msgtrktest.MessageTruth{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var j jsonTrace
		if err := json.Unmarshal(sc.Bytes(), &j); err != nil {
			t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
		}
		if j.Reason != "complete" && j.Reason != "expired" {
			t.Errorf("trace %s: reason %q", j.Key, j.Reason)
		}
		m := msgtrktest.MessageTruth{Key: j.Key, NetworkMessageID: j.NetworkMessageID, MessageID: j.MessageID, Sender: j.Sender,
			Subject: j.Subject, Size: j.Size, Recipients: j.Recipients, Expansions: j.Expansions, DSNFor: j.DSNFor,
			ShadowEvents: len(j.Shadow), Duplicates: len(j.Duplicates), Rows: j.Events,
			Origin: msgtrktest.Origin(j.Origin)}
		for _, h := range j.Hops {
			m.Hops = append(m.Hops, msgtrktest.Hop{Server: h.Server, Role: h.Role, Depth: h.Depth})
		}
		msgtrktest.SortHops(m.Hops)
		if _, dup := got[m.Key]; dup {
			t.Errorf("two traces for %s", m.Key)
		}
		got[m.Key] = m
	}
	if len(got) != len(truth.Messages) {
		t.Errorf("%d traces, truth has %d messages", len(got), len(truth.Messages))
	}
	ignoreKind := cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Kind" }, cmp.Ignore())
	empty := cmp.Options{
		cmp.Transformer("emptyNil", func(s []string) []string {
			if len(s) == 0 {
				return nil
			}
			return s
		}),
		cmp.Transformer("emptyExpansions", func(s []msgtrktest.Expansion) []msgtrktest.Expansion {
			if len(s) == 0 {
				return nil
			}
			return s
		}),
	}
	for _, want := range truth.Messages {
		g, ok := got[want.Key]
		if !ok {
			t.Errorf("no trace for %s (%v)", want.Key, want.Kind)
			continue
		}
		if diff := cmp.Diff(want, g, ignoreKind, empty); diff != "" {
			t.Errorf("message %s (%v) mismatch (-truth +trace):\n%s", want.Key, want.Kind, diff)
		}
	}
}
