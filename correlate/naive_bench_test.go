package correlate_test

import (
	"bufio"
	"encoding/csv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// naiveGroup is the program a user would write in an afternoon (issue
// #12's baseline): every log under dir read with encoding/csv, its rows
// grouped by network-message-id in a map, with their count and first and
// last time. It knows nothing of the format beyond the #Fields line.
func naiveGroup(dir string) (rows, messages int, err error) {
	type group struct {
		n           int
		first, last string
	}
	groups := map[string]*group{}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(strings.ToUpper(path), ".LOG") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		br := bufio.NewReader(f)
		if bom, _ := br.Peek(3); string(bom) == "\uFEFF" {
			br.Discard(3) // Exchange starts its logs with a byte order mark
		}
		idTime, idNet := -1, -1
		for { // the header: lines starting with '#'
			c, err := br.Peek(1)
			if err != nil || c[0] != '#' {
				break
			}
			line, _ := br.ReadString('\n')
			if name, ok := strings.CutPrefix(strings.TrimSpace(line), "#Fields: "); ok {
				for i, col := range strings.Split(name, ",") {
					switch col {
					case "date-time":
						idTime = i
					case "network-message-id":
						idNet = i
					}
				}
			}
		}
		r := csv.NewReader(br)
		r.FieldsPerRecord, r.LazyQuotes, r.Comment = -1, true, '#'
		for {
			rec, err := r.Read()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				continue // a malformed line: skipped
			}
			rows++
			if idNet < 0 || idNet >= len(rec) || idTime < 0 || idTime >= len(rec) {
				continue
			}
			g := groups[rec[idNet]]
			if g == nil {
				g = &group{first: rec[idTime], last: rec[idTime]}
				groups[rec[idNet]] = g
			}
			g.n++
			g.first, g.last = min(g.first, rec[idTime]), max(g.last, rec[idTime])
		}
	})
	return rows, len(groups), err
}

// BenchmarkVsNaive times, in each iteration, naiveGroup and the
// correlation of the same files (files → Merger → Tracker, the same with
// the files read and the rows' facts decoded ahead on a second goroutine as
// Run does (ahead), that and the traces built on a third
// (ahead-build: Options.BuildAhead, as the CLI runs with one worker), the
// traces built ahead but the rows read on the Tracker's goroutine (build),
// or Sharded with 2 workers → traces) over the simulated
// organisation of 10^6 events, and
// reports mailtrace's events/s and its speed as a multiple of the naive
// program's (x-naive: above 1 is faster), so that a loaded machine slows
// both alike.
func BenchmarkVsNaive(b *testing.B) {
	const events = 1_000_000
	dir, _ := simDir(b, events)
	for _, v := range []struct {
		shards       int
		ahead, build bool
	}{{1, false, false}, {1, true, false}, {1, true, true}, {1, false, true}, {2, false, false}} {
		shards := v.shards
		name := shardsName(shards)
		if v.ahead {
			name += "-ahead"
		}
		if v.build {
			name += "-build"
		}
		b.Run("events=1e6/"+name, func(b *testing.B) {
			var naive, ours time.Duration
			var rows int64
			for b.Loop() {
				start := time.Now()
				nrows, msgs, err := naiveGroup(dir)
				if err != nil || msgs == 0 {
					b.Fatalf("naive: %v, %d messages", err, msgs)
				}
				mid := time.Now()
				naive += mid.Sub(start)
				inputs, err := msgtrk.OpenPaths(dir)
				if err != nil {
					b.Fatal(err)
				}
				traces := 0
				tk, closeTk := benchTracker(b, shards, correlate.Options{BuildAhead: v.build, OnTrace: func(*correlate.Trace) { traces++ }})
				m := msgtrk.NewMerger(inputs)
				var src correlate.RowSource = m
				var ahead correlate.AheadRows
				if v.ahead {
					ahead = correlate.ReadAhead(m)
					src = ahead
				}
				err = correlate.Feed(b.Context(), src, tk, correlate.DefaultWindow)
				if v.ahead {
					ahead.Close()
				}
				if err != nil {
					b.Fatal(err)
				}
				if err := closeTk(); err != nil {
					b.Fatal(err)
				}
				ours += time.Since(mid)
				if traces == 0 {
					b.Fatal("no traces")
				}
				rows = int64(nrows)
			}
			b.ReportMetric(float64(rows)*float64(b.N)/ours.Seconds(), "events/s")
			b.ReportMetric(float64(rows)*float64(b.N)/naive.Seconds(), "naive-events/s")
			b.ReportMetric(naive.Seconds()/ours.Seconds(), "x-naive")
		})
	}
}
