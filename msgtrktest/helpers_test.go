package msgtrktest

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// row is one row read back from the simulator's files.
type row struct {
	File   string
	Server string // from the path
	Kind   msgtrk.LogKind
	Line   int64
	Ev     msgtrk.Event
	Logged string // msgtrk.LoggingServer of the row
}

func (r *row) get(f msgtrk.Field) string { return r.Ev.Fields[f] }

// key returns the truth key of a row.
func (r *row) key(v Version) string {
	if v >= V2013 {
		return strings.ToLower(r.get(msgtrk.NetworkMessageID))
	}
	return "mid:" + r.get(msgtrk.MessageID) + "|" + strings.ToLower(r.get(msgtrk.SenderAddress))
}

// readRows reads every file of fsys with msgtrk, failing t on any error
// other than the ErrTruncated lines in truncated (path → line), which must
// all be reported. Duplicate copies are read too when dups is true.
func readRows(t testing.TB, fsys fs.FS, truncated map[string]int, dups bool) []row {
	t.Helper()
	rows, errs := readRowsErr(fsys, truncated, dups)
	for i, e := range errs {
		if i == 20 {
			t.Fatalf("… and %d more errors", len(errs)-20)
		}
		t.Error(e)
	}
	return rows
}

// readRowsErr is readRows returning the problems instead of failing a test.
func readRowsErr(fsys fs.FS, truncated map[string]int, dups bool) ([]row, []error) {
	inputs, err := msgtrk.FindFiles(fsys, ".")
	if err != nil {
		return nil, []error{err}
	}
	var errs []error
	seenCut := map[string]bool{}
	var rows []row
	for _, in := range inputs {
		if !dups && strings.Contains(in.Name, "/MessageTracking/") {
			continue
		}
		rc, err := in.Open()
		if err != nil {
			return nil, []error{err}
		}
		rd := msgtrk.NewReader(rc)
		rd.Name = in.Name
		rd.Server = in.Server
		rd.Kind = in.FileName.Kind
		rd.ErrorHandler = func(e *msgtrk.ParseError) {
			if errors.Is(e, msgtrk.ErrTruncated) && truncated[in.Name] == int(e.Line) {
				seenCut[in.Name] = true
				return
			}
			errs = append(errs, fmt.Errorf("%s: unexpected error %v", in.Name, e))
		}
		for rd.Next() {
			rec := rd.Record()
			rows = append(rows, row{File: in.Name, Server: in.Server, Kind: in.FileName.Kind, Line: rec.LineNumber(),
				Ev: rec.Event(), Logged: string(msgtrk.LoggingServer(rec))})
		}
		if err := rd.Err(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", in.Name, err))
		}
		rc.Close()
	}
	for p := range truncated {
		if !dups && strings.Contains(p, "/MessageTracking/") {
			continue
		}
		if !seenCut[p] {
			errs = append(errs, fmt.Errorf("%s: the reader did not report the cut line %d", p, truncated[p]))
		}
	}
	return rows, errs
}

// mustRun builds a Sim and writes it into memory.
func mustRun(t testing.TB, cfg Config) (fstest.MapFS, *Truth, *Sim) {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m, tr, err := s.WriteFS()
	if err != nil {
		t.Fatal(err)
	}
	return m, tr, s
}

func cutLines(tr *Truth) map[string]int {
	m := map[string]int{}
	for _, f := range tr.Files {
		if f.TruncatedLine > 0 {
			m[f.Path] = f.TruncatedLine
		}
	}
	return m
}

type fsLike = fstest.MapFS

// orgHost reports whether host (a short name or FQDN) is one of the
// organisation's servers.
func (s *Sim) orgHost(host string) bool {
	for _, srv := range s.org.Servers {
		if strings.EqualFold(host, srv.Name) || strings.EqualFold(host, srv.FQDN) {
			return true
		}
	}
	return false
}
