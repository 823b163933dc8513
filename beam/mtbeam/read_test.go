package mtbeam

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/google/go-cmp/cmp"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

func TestMain(m *testing.M) { ptest.Main(m) }

func init() {
	register.Function1x1[Row, string](rowJSON)
	register.Function1x1[Problem, string](problemJSON)
}

// rowJSON and problemJSON write elements as JSON lines, so that a test can
// read a pipeline's output back from a file.
func rowJSON(r Row) string {
	b, _ := json.Marshal(r)
	return string(b)
}

func problemJSON(p Problem) string {
	b, _ := json.Marshal(p)
	return string(b)
}

// runRead runs Read over patterns on prism and returns its rows and
// problems, sorted.
func runRead(t *testing.T, patterns ...string) ([]Row, []Problem) {
	t.Helper()
	out := t.TempDir()
	p, s := beam.NewPipelineWithRoot()
	logs := Read(s, patterns...)
	textio.Write(s, filepath.Join(out, "rows.jsonl"), beam.ParDo(s, rowJSON, logs.Rows))
	textio.Write(s, filepath.Join(out, "problems.jsonl"), beam.ParDo(s, problemJSON, logs.Problems))
	if err := ptest.Run(p); err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	var gotRows []Row
	var gotProblems []Problem
	readJSONLines(t, filepath.Join(out, "rows.jsonl"), &gotRows)
	readJSONLines(t, filepath.Join(out, "problems.jsonl"), &gotProblems)
	sortRows(gotRows)
	sortProblems(gotProblems)
	return gotRows, gotProblems
}

func readJSONLines[T any](t *testing.T, path string, dst *[]T) {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return // textio.Write writes no file for an empty PCollection
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		*dst = append(*dst, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

func sortRows(rows []Row) {
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].File != rows[j].File {
			return rows[i].File < rows[j].File
		}
		return rows[i].Line < rows[j].Line
	})
}

func sortProblems(ps []Problem) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Line < ps[j].Line
	})
}

// cliRows reads paths the way the mailtrace command does (OpenPaths, a
// Merger with GuessFields) and returns the same Row and Problem values.
func cliRows(t *testing.T, paths ...string) ([]Row, []Problem) {
	t.Helper()
	inputs, err := msgtrk.OpenPaths(paths...)
	if err != nil {
		t.Fatal(err)
	}
	m := msgtrk.NewMerger(inputs)
	m.GuessFields = true
	var problems []Problem
	m.ErrorHandler = func(e *msgtrk.ParseError) {
		problems = append(problems, Problem{File: e.File, Line: e.Line, Message: e.Error()})
	}
	var rows []Row
	for m.Next() {
		rec := m.Record()
		var names []string
		for i := 0; i < rec.NumColumns(); i++ {
			names = append(names, rec.ColumnName(i))
		}
		rows = append(rows, Row{File: rec.Origin().File, Server: rec.Origin().Server, Line: rec.LineNumber(),
			Fields: strings.Join(names, ","), Text: append([]byte(nil), rec.Line()...)})
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	sortRows(rows)
	sortProblems(problems)
	return rows, problems
}

// TestReadLogsGzipWhole reads a gzipped log far larger than its compressed
// size and requires every row. textio.Read, run on the same file in the same
// test, loses most of them in Beam Go v2.78.0: the file is large enough to
// show the trap ReadLogs avoids. Should a later Beam fix textio, the second
// half of the test fails and says so; ReadLogs stays correct either way.
func TestReadLogsGzipWhole(t *testing.T) {
	const events = 60000
	if testing.Short() {
		t.Skip("generates a 60,000-row log")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "MSGTRK20240304-1.LOG.gz")
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 7, Events: events, Rate: 50})
	if err != nil {
		t.Fatal(err)
	}
	writeGzip(t, path, func(w io.Writer) error {
		_, err := sim.Stream(w)
		return err
	})

	want, wantProblems := cliRows(t, path)
	if len(want) < events {
		t.Fatalf("the generator wrote %d rows, want at least %d", len(want), events)
	}
	got, problems := runRead(t, path)
	if len(problems) != len(wantProblems) {
		t.Errorf("ReadLogs: %d problems, the CLI path %d: %v", len(problems), len(wantProblems), problems)
	}
	if len(got) != len(want) {
		t.Fatalf("ReadLogs read %d rows of the .gz, want %d", len(got), len(want))
	}
	if !reflect.DeepEqual(got, want) {
		for i := range got {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("row %d differs (-want +got):\n%s", i, cmp.Diff(want[i], got[i]))
			}
		}
	}

	// The trap: textio on the same file.
	zsize, lines := fileSize(t, path), countLines(t, path)
	p, s := beam.NewPipelineWithRoot()
	out := filepath.Join(t.TempDir(), "lines.txt")
	textio.Write(s, out, textio.Read(s, path))
	if err := ptest.Run(p); err != nil {
		t.Fatalf("textio pipeline: %v", err)
	}
	viaTextio := countLines(t, out)
	t.Logf("%d lines (%d rows) in %d gzipped bytes: ReadLogs %d rows, textio.Read %d lines", lines, len(want), zsize, len(got), viaTextio)
	if viaTextio >= lines {
		t.Errorf("textio.Read returned all %d lines of the .gz: the trap this package avoids may be fixed in this Beam version (see ReadLogs)", lines)
	}
}

func fileSize(t *testing.T, path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// countLines counts the lines of a file, gunzipped when its name ends in .gz.
func countLines(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 64<<20)
	n := 0
	for sc.Scan() {
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReadSampleOrg reads the bundled sample organisation through a glob and
// through its folder and requires the rows the CLI reads, each with the
// same server.
func TestReadSampleOrg(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "sample-org")
	want, wantProblems := cliRows(t, root)
	if len(want) != 3330 {
		t.Fatalf("the CLI path read %d rows of the sample organisation, the README says 3330", len(want))
	}
	for _, pattern := range []string{root + "/**", root} {
		got, problems := runRead(t, pattern)
		if diff := cmp.Diff(wantProblems, problems); diff != "" {
			t.Errorf("%s: problems (-cli +beam):\n%s", pattern, diff)
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d rows, the CLI %d", pattern, len(got), len(want))
			continue
		}
		for i := range got {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%s: row %d differs (-cli +beam):\n%s", pattern, i, cmp.Diff(want[i], got[i]))
				break
			}
		}
	}
}

// TestReadGeneratedOrg reads a generated organisation with what collected
// logs have: clock skew, a file collected twice, files whose last line was
// cut while being written, and gzipped files (some not named .gz), through
// a glob whose local matches are folders. Rows and problems must be those of
// the CLI path, file by file and line by line.
func TestReadGeneratedOrg(t *testing.T) {
	dir, truth := generatedOrg(t, msgtrktest.V2019)
	want, wantProblems := cliRows(t, dir)
	if len(wantProblems) == 0 {
		t.Errorf("the CLI path reported no problem for %d cut rows", truth.Cut)
	}
	got, problems := runRead(t, dir+"/**")
	if diff := cmp.Diff(wantProblems, problems); diff != "" {
		t.Errorf("problems (-cli +beam):\n%s", diff)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, the CLI %d", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("row %d differs (-cli +beam):\n%s", i, cmp.Diff(want[i], got[i]))
		}
	}
}

// generatedOrg writes a generated organisation of the given version with
// what collected logs have: clock skew, a file collected twice, files whose
// last line was cut while being written, and gzipped files, some of them
// not named .gz.
func generatedOrg(t *testing.T, v msgtrktest.Version) (string, *msgtrktest.Truth) {
	t.Helper()
	dir := t.TempDir()
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 3, Messages: 400, MaxSkew: 90 * time.Second,
		DuplicateFiles: 1, TruncateFiles: 2, MaxFileBytes: 256 << 10, Version: v})
	if err != nil {
		t.Fatal(err)
	}
	truth, err := sim.WriteDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if truth.Cut == 0 {
		t.Fatalf("the generator cut no file: the case of a truncated last line is not reached")
	}
	// Gzip every other file; every fourth gzipped one keeps its .LOG name.
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(strings.ToUpper(p), ".LOG") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	zipped := 0
	for i, p := range files {
		if i%2 == 1 {
			continue
		}
		dst := p + ".gz"
		if i%8 == 0 {
			dst = p
		}
		gzipFile(t, p, dst)
		zipped++
	}
	if zipped < 3 {
		t.Fatalf("only %d files gzipped", zipped)
	}
	return dir, truth
}

// gzipFile compresses src into dst and removes src when they differ.
func gzipFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	writeGzip(t, dst, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if src != dst {
		os.Remove(src)
	}
}

// writeGzip creates path with what write writes, gzipped.
func writeGzip(t *testing.T, path string, write func(io.Writer) error) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	if err := write(zw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestReadRefusesOtherLogs puts an SMTP protocol log and a connectivity log
// beside a tracking log under one glob: their lines must not become rows
// (they made orphan traces), and each is reported with the reason the CLI
// gives.
func TestReadRefusesOtherLogs(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "..", "testdata")
	copyFile := func(from, to string) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logs, err := filepath.Glob(filepath.Join(src, "sample-org", "EX01", "MSGTRK*.LOG"))
	if err != nil || len(logs) == 0 {
		t.Fatalf("no sample tracking log: %v", err)
	}
	copyFile(logs[0], "MSGTRK2024030409-1.LOG")
	copyFile(filepath.Join(src, "real", "protocol", "Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_RECV.log"), "RECV2024030409-1.LOG")
	copyFile(filepath.Join(src, "real", "protocol", "support.microsoft.com_kb2866822_event-7009_CONNECTLOG.log"), "CONNECTLOG2024030409-1.LOG")
	rows, problems := runRead(t, filepath.Join(dir, "*.LOG"))
	if len(rows) == 0 {
		t.Fatal("no rows from the tracking log")
	}
	for _, r := range rows {
		if !strings.HasSuffix(r.File, "MSGTRK2024030409-1.LOG") {
			t.Fatalf("a row from %s, which is not a tracking log", r.File)
		}
	}
	refused := map[string]string{}
	for _, p := range problems {
		if strings.Contains(p.Message, "not read: ") {
			refused[filepath.Base(p.File)] = p.Message
		}
	}
	for _, name := range []string{"RECV2024030409-1.LOG", "CONNECTLOG2024030409-1.LOG"} {
		if refused[name] == "" {
			t.Errorf("%s not reported as refused; problems: %v", name, problems)
		}
	}
	if !strings.Contains(refused["RECV2024030409-1.LOG"], "protocol log") {
		t.Errorf("RECV refused without saying what it is: %q", refused["RECV2024030409-1.LOG"])
	}
}
