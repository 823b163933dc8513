// Package naive holds the program issue #12 measures mailtrace against:
// what a user would write in an afternoon to group the rows of message
// tracking logs by message with the standard library alone. The
// benchmarks of correlate (BenchmarkVsNaive) and of the command line
// (BenchmarkStatsCommand, BenchmarkTraceCommand) time it in the same
// iterations as mailtrace, so that a loaded machine slows both alike.
package naive

import (
	"bufio"
	"encoding/csv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Group is the program a user would write in an afternoon (issue #12's
// baseline): every log under dir read with encoding/csv, its rows
// grouped by network-message-id in a map, with their count and first and
// last time. It knows nothing of the format beyond the #Fields line.
func Group(dir string) (rows, messages int, err error) {
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
