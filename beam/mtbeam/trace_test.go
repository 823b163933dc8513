package mtbeam

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/google/go-cmp/cmp"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

var (
	cliOnce sync.Once
	cliPath string
	cliErr  error
)

// mailtraceCLI builds the single-machine command (cmd/mailtrace of the core
// module, ../ of this one) once per test run.
func mailtraceCLI(t *testing.T) string {
	t.Helper()
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mailtrace-cli")
		if err != nil {
			cliErr = err
			return
		}
		cliPath = filepath.Join(dir, "mailtrace")
		// Built in the core module, with its own go.mod: the command's
		// dependencies are not this module's.
		cmd := exec.Command("go", "build", "-o", cliPath, "./cmd/mailtrace")
		cmd.Dir = filepath.Join("..", "..")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Logf("go build: %s", out)
			cliErr = err
		}
	})
	if cliErr != nil {
		t.Fatalf("building cmd/mailtrace: %v", cliErr)
	}
	return cliPath
}

// runCLI runs mailtrace with args and returns its standard output.
func runCLI(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(mailtraceCLI(t), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("mailtrace %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// tracesByKey splits JSON lines into traces by key, each re-encoded with
// its fields in a fixed order so that equal traces compare equal.
func tracesByKey(t *testing.T, jsonl []byte) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, line := range bytes.Split(jsonl, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		k, _ := m["key"].(string)
		if _, dup := out[k]; dup {
			t.Errorf("two traces with key %q", k)
		}
		out[k] = m
	}
	return out
}

// runTraces runs Read, Group, Traces and Stats over patterns on prism and
// returns the trace JSON lines and the counts.
func runTraces(t *testing.T, opts Options, patterns ...string) ([]byte, Counts) {
	t.Helper()
	dir := t.TempDir()
	out, stats := filepath.Join(dir, "traces.jsonl"), filepath.Join(dir, "stats.json")
	p, s := beam.NewPipelineWithRoot()
	logs := Read(s, patterns...)
	traces := Traces(s, Group(s, logs.Rows), logs.Files, opts)
	textio.Write(s, out, TraceJSON(s, traces))
	textio.Write(s, stats, Stats(s, logs, traces))
	if err := ptest.Run(p); err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var c Counts
	sb, err := os.ReadFile(stats)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(sb, &c); err != nil {
		t.Fatalf("%s: %v", sb, err)
	}
	return b, c
}

// compareStats requires the rows, malformed lines and counts of
// mailtrace stats -json.
func compareStats(t *testing.T, cliJSON []byte, got Counts) {
	t.Helper()
	var want Counts
	if err := json.Unmarshal(cliJSON, &want); err != nil {
		t.Fatalf("mailtrace stats -json: %v", err)
	}
	if want.Counts.Messages == 0 {
		t.Fatal("mailtrace stats -json counted no message")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stats (-cli +beam):\n%s", diff)
	}
}

// compareTraces requires the same set of traces, field by field.
func compareTraces(t *testing.T, cli, got []byte) {
	t.Helper()
	want, have := tracesByKey(t, cli), tracesByKey(t, got)
	if len(want) == 0 {
		t.Fatal("the CLI wrote no trace")
	}
	var missing, extra, differ []string
	for k, w := range want {
		h, ok := have[k]
		if !ok {
			missing = append(missing, k)
			continue
		}
		if diff := cmp.Diff(w, h); diff != "" {
			differ = append(differ, k)
			if len(differ) <= 3 {
				t.Errorf("trace %s differs (-cli +beam):\n%s", k, diff)
			}
		}
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 || len(differ) > 0 {
		t.Errorf("%d traces from the CLI, %d from the pipeline: %d missing %.5q, %d extra %.5q, %d differ",
			len(want), len(have), len(missing), missing, len(extra), extra, len(differ))
	}
}

// TestTracesSampleOrg: on the bundled sample organisation the pipeline
// makes the traces of mailtrace trace -json, field by field, and the counts
// of mailtrace stats -json.
func TestTracesSampleOrg(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "sample-org")
	cli := runCLI(t, "trace", "-json", "-quiet", root)
	got, counts := runTraces(t, Options{}, root+"/**")
	compareTraces(t, cli, got)
	compareStats(t, runCLI(t, "stats", "-json", "-quiet", root), counts)
}

// TestTracesGeneratedOrg: on generated organisations with clock skew, a
// file collected twice, cut last lines and gzipped files, the pipeline makes
// the traces mailtrace trace -json makes, field by field, and the counts of
// mailtrace stats -json: with network message ids (2019) and without (2010,
// keyed by message-id and sender).
func TestTracesGeneratedOrg(t *testing.T) {
	for _, v := range []msgtrktest.Version{msgtrktest.V2010, msgtrktest.V2019} {
		t.Run(v.String(), func(t *testing.T) {
			dir, _ := generatedOrg(t, v)
			cli := runCLI(t, "trace", "-json", "-quiet", dir)
			got, counts := runTraces(t, Options{}, dir+"/**")
			compareTraces(t, cli, got)
			compareStats(t, runCLI(t, "stats", "-json", "-quiet", dir), counts)
		})
	}
}

// TestTracesTwoRuns: two runs over the same logs write the same bytes: the
// same trace lines (in whatever order the runner writes them) and the same
// stats. What the side input brings (files, their servers' spellings, the
// logs of each service) reaches BuildTrace in no fixed order.
func TestTracesTwoRuns(t *testing.T) {
	dir, _ := generatedOrg(t, msgtrktest.V2019)
	lines := func(b []byte) []string {
		l := strings.Split(strings.TrimSpace(string(b)), "\n")
		sort.Strings(l)
		return l
	}
	first, c1 := runTraces(t, Options{}, dir+"/**")
	second, c2 := runTraces(t, Options{}, dir+"/**")
	a, b := lines(first), lines(second)
	if len(a) < 10 {
		t.Fatalf("only %d traces: the test proves little", len(a))
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("the second run wrote other traces (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(c1, c2); diff != "" {
		t.Errorf("the second run wrote other stats (-first +second):\n%s", diff)
	}
}

// TestTracesBeyondWindow: with a window shorter than many messages last
// (1 s), mailtrace trace -json emits those messages in parts and drops
// their later rows as late; the pipeline keeps each message whole and
// says so: its stats count at least every message the command split
// (two traces of one key from the command, or a first part with fewer
// events than the pipeline's trace).
func TestTracesBeyondWindow(t *testing.T) {
	dir, _ := generatedOrg(t, msgtrktest.V2019)
	// The command's first part of each message, and how many parts (a
	// later part that is not recognised as late is a trace of its own).
	first, parts := map[string]float64{}, map[string]int{}
	for _, line := range bytes.Split(runCLI(t, "trace", "-json", "-quiet", "-window", "1s", dir), []byte("\n")) {
		var m map[string]any
		if len(bytes.TrimSpace(line)) == 0 || json.Unmarshal(line, &m) != nil {
			continue
		}
		k, _ := m["key"].(string)
		if parts[k]++; parts[k] == 1 {
			first[k], _ = m["events"].(float64)
		}
	}
	got, counts := runTraces(t, Options{Window: time.Second}, dir+"/**")
	mine := tracesByKey(t, got)
	split := 0
	for k, n := range first {
		if m, ok := mine[k]; ok && (parts[k] > 1 || n < m["events"].(float64)) {
			split++
		}
	}
	if split == 0 {
		t.Fatal("the command split no message with a 1 s window: the case is not reached")
	}
	if counts.BeyondWindow == nil || counts.BeyondWindow.Messages < int64(split) {
		t.Errorf("the command split %d messages; the pipeline's stats say %+v", split, counts.BeyondWindow)
	}
	if counts.BeyondWindow != nil && counts.BeyondWindow.Rows < counts.BeyondWindow.Messages {
		t.Errorf("fewer rows than messages beyond the window: %+v", counts.BeyondWindow)
	}
	t.Logf("1 s window: the command split %d messages; the pipeline counts %+v", split, counts.BeyondWindow)
}

// TestBeyondWindowRetry: a message deferred until a retry time counts as
// beyond the window only when a row comes more than the window after
// that time, as the command's Tracker decides (format.md §7.4: a DEFER
// row's message-info is the next retry time).
func TestBeyondWindowRetry(t *testing.T) {
	rows := func(retry, sent string) []*msgtrk.Record {
		log := "#Fields: date-time,source,event-id,network-message-id,recipient-address,message-info\r\n" +
			"2024-03-04T08:00:01.020Z,SMTP,RECEIVE,24242424-2222-3333-4444-08dc0000001c,partner@fabrikam.net,07I: \r\n" +
			"2024-03-04T08:00:05.000Z,SMTP,DEFER,24242424-2222-3333-4444-08dc0000001c,partner@fabrikam.net," + retry + "\r\n" +
			sent + ",SMTP,SENDEXTERNAL,24242424-2222-3333-4444-08dc0000001c,partner@fabrikam.net,\r\n"
		var out []*msgtrk.Record
		r := msgtrk.NewReaderBytes([]byte(log))
		for r.Next() {
			out = append(out, r.Record().Clone())
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, tc := range []struct {
		name, retry, sent string
		want              int64
	}{
		{"sent a second after the retry time", "2024-03-04T08:20:05.000Z", "2024-03-04T08:20:06.000Z", 0},
		{"sent 40 minutes after the retry time", "2024-03-04T08:10:05.000Z", "2024-03-04T08:50:00.000Z", 1},
		{"no retry time", "", "2024-03-04T08:20:06.000Z", 1},
	} {
		if got := beyondWindow(rows(tc.retry, tc.sent), 15*time.Minute); got != tc.want {
			t.Errorf("%s: %d rows beyond the window, want %d", tc.name, got, tc.want)
		}
	}
}
