package correlate_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// TestFileVoteEvidence reads files of the sample organisation one at a time:
// each names its server, and what it shows of the organisation is what the
// Tracker learns from it (the Edge's own receive and EdgeSync sends, the
// mailbox servers' delivery logs, the domains delivered to, which service's
// logs the file is and from when).
func TestFileVoteEvidence(t *testing.T) {
	root := filepath.Join("..", "testdata", "sample-org")
	tests := []struct {
		file   string
		server string
		want   correlate.FileEvidence
	}{
		{"EDGE01/MSGTRK20240304-1.LOG", "EDGE01", correlate.FileEvidence{Servers: []string{"EDGE01"}, Edge: []string{"edge01"},
			Spellings: []correlate.Spelling{{Short: "edge01", Name: "EDGE01", At: time.Date(2024, 3, 4, 8, 0, 1, 106e6, time.UTC).UnixNano()}},
			Logs:      []correlate.ServerLogs{{Server: "EDGE01", Kind: msgtrk.LogTransport, First: time.Date(2024, 3, 4, 8, 0, 1, 106e6, time.UTC), Modern: true}}}},
		{"EX01/MSGTRKMD20240304-1.LOG", "EX01", correlate.FileEvidence{Servers: []string{"EX01"}, Mailbox: []string{"ex01"}, Domains: []string{"contoso.com"},
			Spellings: []correlate.Spelling{{Short: "ex01", Name: "EX01", At: time.Date(2024, 3, 4, 8, 0, 1, 388e6, time.UTC).UnixNano()}},
			Logs:      []correlate.ServerLogs{{Server: "EX01", Kind: msgtrk.LogDelivery, First: time.Date(2024, 3, 4, 8, 0, 1, 388e6, time.UTC), Modern: true}}}},
	}
	for _, tt := range tests {
		inputs, err := msgtrk.OpenPaths(filepath.Join(root, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		v := fileVoteOf(t, inputs)
		if got := v.Server(); got != tt.server {
			t.Errorf("%s: Server() = %q, want %q", tt.file, got, tt.server)
		}
		if diff := cmp.Diff(tt.want, v.Evidence()); diff != "" {
			t.Errorf("%s: Evidence() mismatch (-want +got):\n%s", tt.file, diff)
		}
	}
}

// fileVoteOf returns the FileVote of every row of inputs, merged.
func fileVoteOf(t *testing.T, inputs []msgtrk.Input) *correlate.FileVote {
	t.Helper()
	var v correlate.FileVote
	m := msgtrk.NewMerger(inputs)
	for m.Next() {
		v.Add(m.Record())
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	return &v
}
