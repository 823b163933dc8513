package main

import (
	"strings"
	"testing"
)

// TestStatsPartialInput: with the transport log of one server only, no
// recipient is said to be sent outside (the hand-overs to the other
// servers, whose logs are missing, are counted as handed off), and the
// servers whose logs would complete the picture are named on stderr; so
// are the services of the server itself whose logs are missing: EX01's
// own deliveries are handed off to its delivery service (MSGTRKMD), not
// pending, and its submissions name MSGTRKMS. (Before, "mailtrace stats
// EX01/MSGTRK20240304-1.LOG" said 174 sent outside; then 174 handed off
// and 64 pending, EX01's own services unnamed.)
func TestStatsPartialInput(t *testing.T) {
	out, stderr, code := runCmd(t, "", "stats", "testdata/sample-org/EX01/MSGTRK20240304-1.LOG")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"(0 to mailboxes, 0 sent outside)", "Handed off                  237", "pending  4 / 4 / 1 "} {
		if !strings.Contains(out, want) {
			t.Errorf("stats output lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{"the logs of EDGE01 (", "EX01 (MSGTRKMD) (", "EX01 (MSGTRKMS) (", "EX02 (", "EX03 (", "are not in the input"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}
