package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mailtrace/mailtrace/msgtrktest"
)

// burstDir writes msgtrktest.Burst(n) as an Edge's log in a directory.
func burstDir(t testing.TB, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "EDGE01")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "MSGTRK2024050610-1.LOG"))
	if err != nil {
		t.Fatal(err)
	}
	if err := msgtrktest.Burst(f, n); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(dir)
}

// memoryRun is what a run of the built command showed of its memory.
type memoryRun struct {
	liveHeap uint64 // the largest live heap a collection found (GODEBUG=gctrace=1)
	stdout   string
	stderr   string
}

// gcLive matches a collection's trace line: heap at start, at end, and
// live ("4->4->1 MB").
var gcLive = regexp.MustCompile(`(\d+)->(\d+)->(\d+) MB`)

// runMeasured runs the built command with args and measures its memory.
func runMeasured(t *testing.T, args ...string) memoryRun {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "GODEBUG=gctrace=1")
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("mailtrace %s: %v: %s", strings.Join(args, " "), err, tail(e.String()))
	}
	var r memoryRun
	var rest []string
	for _, line := range strings.Split(e.String(), "\n") {
		if m := gcLive.FindStringSubmatch(line); m != nil && strings.HasPrefix(line, "gc ") {
			n, _ := strconv.ParseUint(m[3], 10, 64)
			r.liveHeap = max(r.liveHeap, n<<20)
			continue
		}
		rest = append(rest, line)
	}
	r.stdout, r.stderr = o.String(), strings.Join(rest, "\n")
	return r
}

func tail(s string) string { return s[max(0, len(s)-2000):] }

// TestStatsBurstBounded: "mailtrace stats" over 10^5 and 10^6 messages of
// one row each within one minute of log time (a spam wave at an Edge)
// keeps its live heap (the largest a collection found, GODEBUG=gctrace=1)
// within -max-memory, at the same ceiling for both sizes; it counts every
// message, and says on stderr how many were cut short and how to give
// more memory. (-short: 10^5 and 3·10^5.)
func TestStatsBurstBounded(t *testing.T) {
	sizes := []int{100_000, 1_000_000}
	if testing.Short() {
		sizes = []int{100_000, 300_000} // (both past the budget and the table of recent keys)
	}
	const budget = 64 << 20
	var peaks [2]uint64
	for i, n := range sizes {
		dir := burstDir(t, n)
		r := runMeasured(t, "stats", "-format", "jsonl", "-max-memory", "64MB", dir)
		peaks[i] = r.liveHeap
		t.Logf("%d messages: peak live heap %d MiB (-max-memory 64MB)", n, r.liveHeap>>20)
		if want := fmt.Sprintf(`"unique_messages":%d,`, n); !strings.Contains(r.stdout, want) {
			t.Errorf("%d messages: the summary does not count them all (%s): %.300s", n, want, r.stdout)
		}
		if !strings.Contains(r.stderr, "messages were cut short") || !strings.Contains(r.stderr, "-max-memory 1GB") {
			t.Errorf("%d messages: stderr does not say that messages were cut short and how to give more memory: %s", n, r.stderr)
		}
		if r.liveHeap > budget {
			t.Errorf("%d messages: peak live heap %d bytes, over -max-memory %d", n, r.liveHeap, budget)
		}
	}
	if peaks[1] > peaks[0]+peaks[0]/4+4<<20 {
		t.Errorf("peak live heap %d bytes for %d messages, %d for %d: not the same ceiling", peaks[1], sizes[1], peaks[0], sizes[0])
	}
}
