package mtbeam

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // local paths; expandFn searches local folders
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/filekind"
	"github.com/mailtrace/mailtrace/msgtrk"
)

func init() {
	beam.RegisterType(reflect.TypeOf((*Row)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*Problem)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*File)(nil)).Elem())
	register.DoFn3x0[context.Context, fileio.FileMetadata, func(fileio.FileMetadata)](&expandFn{})
	register.DoFn5x0[context.Context, fileio.ReadableFile, func(Row), func(Problem), func(File)](&readFn{})
	register.Emitter1[Row]()
	register.Emitter1[Problem]()
	register.Emitter1[File]()
}

// Row is one row of a tracking log, copied out of its file so that it can
// travel between the workers of a pipeline: its text as written, the column
// names in force for it, and where it comes from.
type Row struct {
	// File is the path of the file the row was read from, as matched.
	File string
	// Server is the logging server the file's path names (see
	// msgtrk.ServerFromPath), or "" when the path names none.
	Server string
	// Line is the 1-based line number of the row in its file.
	Line int64
	// Fields is the list of column names the row was read under (its
	// file's #Fields: header, or the layout guessed from the number of
	// columns), comma-separated as in the header.
	Fields string
	// Text is the row as written, without its line ending.
	Text []byte
}

// Problem is a line that could not be read as a row, or a file that could
// not be read, with its position: the CLI's "malformed line" warnings.
type Problem struct {
	File    string
	Line    int64 // 0 for a problem with the whole file
	Message string
}

// File is what reading one file found out about it and, through it, about
// the organisation: what the single-machine correlator learns from the
// file's rows as it reads them (correlate.FileVote).
type File struct {
	// Path is the file's path, as matched (Row.File of its rows).
	Path string
	// Hint is the server its location names (Row.Server): a folder, or a
	// name in the file's name.
	Hint string
	// Server is the server that wrote it, as its rows say (the hint when
	// no row says; "" for a merged stream of several servers).
	Server string
	// Evidence is what its rows show of the organisation (servers with
	// logs, Edge and mailbox roles, accepted domains).
	Evidence correlate.FileEvidence
	// Rows is the number of rows read from it.
	Rows int64
}

// Logs is what Read returns: the rows of every file, the lines and files
// that could not be read, and one File for each file read.
type Logs struct {
	Rows     beam.PCollection // of Row
	Problems beam.PCollection // of Problem
	Files    beam.PCollection // of File
}

// MatchLogs finds the files matched by each pattern (a file, a folder, or a
// glob of a Beam file system the program registers: local paths here,
// gs://… in the command) and returns them as a PCollection of
// fileio.ReadableFile, ready for ReadLogs.
//
// A pattern that names one file exactly is read whatever its name, as the
// CLI reads a file named on its command line. Under a glob or a local folder
// (searched recursively), only files whose names are those of tracking logs
// (msgtrk.ParseFileName: MSGTRK*.LOG, optionally .gz) are read, as the CLI
// reads a folder. Local folders matched by a glob are searched too, since the
// local file system's globs (filepath.Glob) do not descend into folders
// ("logs/**" matches logs/EX01, not the files in it).
//
// Each file is opened uncompressed: ReadLogs recognises gzip by its first
// bytes (msgtrk.MaybeGzip), as msgtrk.OpenPaths does, whatever the file's name.
func MatchLogs(s beam.Scope, patterns ...string) beam.PCollection {
	s = s.Scope("mtbeam.MatchLogs")
	var lists []beam.PCollection
	for _, p := range patterns {
		filesystem.ValidateScheme(p)
		m := fileio.MatchFiles(s, p, fileio.MatchEmptyDisallow())
		lists = append(lists, beam.ParDo(s, &expandFn{Pattern: p}, m))
	}
	files := lists[0]
	if len(lists) > 1 {
		files = beam.Flatten(s, lists...)
	}
	return fileio.ReadMatches(s, files, fileio.ReadUncompressed(), fileio.ReadDirectorySkip())
}

// globRoot returns the folder part of a pattern before its first wildcard:
// the folder the logs were collected into, against which a file's path is
// read for its server's name.
func globRoot(pattern string) string {
	i := strings.IndexAny(pattern, "*?[")
	if i < 0 {
		return pattern
	}
	j := strings.LastIndexAny(pattern[:i], `/\`)
	if j < 0 {
		return ""
	}
	return pattern[:j+1]
}

// expandFn passes matched files on, keeping only tracking logs under a glob,
// and replaces a local folder by the tracking logs below it.
type expandFn struct {
	Pattern string // the pattern as given
}

func (fn *expandFn) ProcessElement(ctx context.Context, m fileio.FileMetadata, emit func(fileio.FileMetadata)) {
	exact := m.Path == fn.Pattern
	if !strings.Contains(m.Path, "://") {
		if st, err := os.Stat(m.Path); err == nil && st.IsDir() {
			fn.walk(m.Path, emit)
			return
		}
	}
	if exact {
		emit(m)
		return
	}
	if _, ok := msgtrk.ParseFileName(m.Path); ok {
		emit(m)
	}
}

// walk emits the tracking logs below the local folder dir.
func (fn *expandFn) walk(dir string, emit func(fileio.FileMetadata)) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil // unreadable folders are skipped, as the CLI's search does not
		}
		if _, ok := msgtrk.ParseFileName(d.Name()); !ok {
			return nil
		}
		md := fileio.FileMetadata{Path: p}
		if info, err := d.Info(); err == nil {
			md.Size, md.LastModified = info.Size(), info.ModTime()
		}
		emit(md)
		return nil
	})
}

// ReadLogs reads each file whole (never split: a row cannot be decoded
// without its file's #Fields: header) and returns its rows, the lines and
// files that could not be read, and what each file is.
//
// Files are read with the CLI's settings: gzip is recognised by its first
// bytes, rows before any #Fields: header are read by their number of
// columns, and a malformed line is reported and skipped, the next line read.
//
// Not textio: in Beam Go v2.78.0 textio.Read on a gzipped file silently
// returns only the first part of it (its restriction is the compressed size
// while its offsets count decompressed bytes); TestReadLogsGzipWhole keeps
// that in view.
//
// roots are the folders the logs were collected into (for patterns, see
// Roots): a file's server is named by its path below the longest root that
// holds it (msgtrk.ServerFromPath).
func ReadLogs(s beam.Scope, files beam.PCollection, roots ...string) Logs {
	s = s.Scope("mtbeam.ReadLogs")
	out := beam.ParDoN(s, &readFn{Roots: roots}, files)
	return Logs{Rows: out[0], Problems: out[1], Files: out[2]}
}

// Read is MatchLogs then ReadLogs: the rows of every tracking log the
// patterns match, the lines and files that could not be read, and what each
// file is.
func Read(s beam.Scope, patterns ...string) Logs {
	return ReadLogs(s, MatchLogs(s, patterns...), Roots(patterns...)...)
}

// Roots returns the collection folder of each pattern: its part before the
// first wildcard, up to the last path separator (for "logs/**", "logs/"); a
// pattern without wildcard is its own root.
func Roots(patterns ...string) []string {
	roots := make([]string, len(patterns))
	for i, p := range patterns {
		roots[i] = globRoot(p)
	}
	return roots
}

// Counters the reading step keeps (namespace "mailtrace"), for a run's
// progress and summary; the counts a report relies on come from the
// PCollections, not from metrics, which a runner may report approximately.
var (
	filesRead    = beam.NewCounter("mailtrace", "files")
	rowsRead     = beam.NewCounter("mailtrace", "rows")
	problemsSeen = beam.NewCounter("mailtrace", "malformed_lines")
	filesRefused = beam.NewCounter("mailtrace", "files_refused")
)

// readFn reads one file into rows.
type readFn struct {
	Roots []string // folders the paths are read against for the server's name
}

func (fn *readFn) ProcessElement(ctx context.Context, f fileio.ReadableFile, emit func(Row), problem func(Problem), file func(File)) {
	path := f.Metadata.Path
	filesRead.Inc(ctx, 1)
	problem = countProblems(ctx, problem)
	raw, err := f.Open(ctx)
	if err != nil {
		problem(Problem{File: path, Message: fmt.Sprintf("%s: %v", path, err)})
		return
	}
	in, err := msgtrk.MaybeGzip(raw) // closes raw on an error
	if err != nil {
		problem(Problem{File: path, Message: fmt.Sprintf("%s: %v", path, err)})
		return
	}
	defer in.Close()
	// What the file holds is told by its content, as the CLI does
	// (package filekind): a protocol log, an export or anything else is
	// not read as tracking rows (it would make orphan traces), but
	// reported with the reason the CLI gives.
	kind, text, err := filekind.NewReader(in)
	if err != nil {
		problem(Problem{File: path, Message: fmt.Sprintf("%s: %v", path, err)})
		return
	}
	if kind.Kind != filekind.TrackingLog && kind.Kind != filekind.Empty {
		filesRefused.Inc(ctx, 1)
		problem(Problem{File: path, Message: fmt.Sprintf("%s: not read: %s (mailtrace-beam reads message tracking logs only; read exports with mailtrace)", path, kind.Reason())})
		return
	}
	fname, _ := msgtrk.ParseFileName(path)
	rd := msgtrk.NewReader(text)
	rd.Name = path
	rd.Server = fname.Server
	if rd.Server == "" {
		rd.Server = serverOf(path, fn.Roots)
	}
	rd.Kind = fname.Kind
	rd.GuessFields = true
	rd.ErrorHandler = func(e *msgtrk.ParseError) {
		problem(Problem{File: path, Line: e.Line, Message: e.Error()})
	}
	var names []string
	var fields string
	var vote correlate.FileVote
	for rd.Next() {
		rec := rd.Record()
		vote.Add(rec)
		if !sameColumns(rec, names) {
			names = names[:0]
			for i := 0; i < rec.NumColumns(); i++ {
				names = append(names, rec.ColumnName(i))
			}
			fields = strings.Join(names, ",")
		}
		// Text is copied: a fused downstream step may keep the row.
		emit(Row{File: path, Server: rd.Server, Line: rec.LineNumber(), Fields: fields, Text: bytes.Clone(rec.Line())})
		rowsRead.Inc(ctx, 1)
	}
	file(File{Path: path, Hint: rd.Server, Server: vote.Server(), Evidence: vote.Evidence(), Rows: rd.Stats().Records})
	if err := rd.Err(); err != nil {
		var pe *msgtrk.ParseError
		if !errors.As(err, &pe) { // a ParseError went to the handler already
			problem(Problem{File: path, Message: fmt.Sprintf("%s: %v", path, err)})
		}
	}
}

// countProblems wraps emit to count each problem.
func countProblems(ctx context.Context, emit func(Problem)) func(Problem) {
	return func(p Problem) {
		problemsSeen.Inc(ctx, 1)
		emit(p)
	}
}

// sameColumns reports whether rec's column names are names.
func sameColumns(rec *msgtrk.Record, names []string) bool {
	if rec.NumColumns() != len(names) {
		return false
	}
	for i, n := range names {
		if rec.ColumnName(i) != n {
			return false
		}
	}
	return true
}

// serverOf names the server of the file at path from its path below the
// longest of roots that holds it. A server named in the file's name
// (EX01_MSGTRK….LOG) comes first, as in msgtrk.FindFiles.
func serverOf(path string, roots []string) string {
	root := ""
	for _, r := range roots {
		if len(r) > len(root) && underRoot(path, r) {
			root = r
		}
	}
	rel := path
	if root != "" {
		rel = strings.TrimPrefix(path, root)
	} else if i := strings.Index(path, "://"); i >= 0 {
		// A bucket's name is not a server's: read the path inside it.
		rel = path[i+3:]
		if j := strings.IndexByte(rel, '/'); j >= 0 {
			rel = rel[j+1:]
		}
	}
	return msgtrk.ServerFromPath(strings.TrimLeft(rel, `/\`))
}

// underRoot reports whether path is root or lies below it.
func underRoot(path, root string) bool {
	if !strings.HasPrefix(path, root) {
		return false
	}
	if len(path) == len(root) || strings.HasSuffix(root, "/") || strings.HasSuffix(root, `\`) {
		return true
	}
	c := path[len(root)]
	return c == '/' || c == '\\'
}
