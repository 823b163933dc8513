package msgtrktest

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/leanovate/gopter"
	pgen "github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/mailtrace/mailtrace/internal/proptest"
)

// genConfig generates small valid configurations with a realistic spread:
// every version, with and without Edge, meetings and restarts, one to four Mailbox servers, skew,
// copies and cuts, and mixes from one kind to all.
func genConfig() gopter.Gen {
	return gopter.CombineGens(
		pgen.UInt64(),
		pgen.IntRange(1, 25),
		pgen.IntRange(1, 4),
		pgen.IntRange(-1, 2),
		pgen.OneConstOf(V2007, V2010, V2013, V2016, V2019),
		pgen.IntRange(0, 180),
		pgen.IntRange(0, 2),
		pgen.IntRange(0, 2),
		pgen.SliceOfN(len(MixKinds), pgen.Frequency(map[int]gopter.Gen{6: pgen.Const(0.0), 4: pgen.Float64Range(0.1, 5)})),
		pgen.OneConstOf(0.0, 0.3, 1.0),
		pgen.OneConstOf(0.0, 0.5, 1.0),
	).Map(func(v []any) Config {
		cfg := Config{
			Seed: v[0].(uint64), Messages: v[1].(int), MailboxServers: v[2].(int), EdgeServers: v[3].(int),
			Version: v[4].(Version), MaxSkew: time.Duration(v[5].(int)) * time.Second,
			DuplicateFiles: v[6].(int), TruncateFiles: v[7].(int),
			Meetings: v[9].(float64), Restarts: v[10].(float64),
		}
		for i, w := range v[8].([]float64) {
			if cfg.Version <= V2010 && (MixKinds[i] == KindShadow || MixKinds[i] == KindResubmit) ||
				cfg.Version == V2007 && MixKinds[i] == KindDrop {
				continue
			}
			cfg.Mix.SetWeight(MixKinds[i], w)
		}
		if cfg.EdgeServers == 0 {
			cfg.EdgeServers = NoEdge
		}
		return cfg
	})
}

// TestPropertyTruthFromRows: for generated configurations, the logs read
// back agree with the truth (TestTruthMatchesRows' independent reading),
// the truth survives its JSON round trip, and Stream gives the same
// message truth as WriteFS.
func TestPropertyTruthFromRows(t *testing.T) {
	params := proptest.Parameters(t, 200)
	props := gopter.NewProperties(params)
	props.Property("rows → truth", prop.ForAll(func(cfg Config) string {
		s, err := New(cfg)
		if err != nil {
			return "New: " + err.Error()
		}
		fsys, tr, err := s.WriteFS()
		if err != nil {
			return "WriteFS: " + err.Error()
		}
		rows, errs := readRowsErr(fsys, cutLines(tr), false)
		errs = append(errs, truthErrors(s, tr, rows)...)
		if len(errs) > 0 {
			return errs[0].Error()
		}
		var buf bytes.Buffer
		if err := NewTruthWriter(&buf).Close(tr); err != nil {
			return err.Error()
		}
		back, err := ReadTruth(&buf)
		if err != nil {
			return err.Error()
		}
		if d := cmp.Diff(tr, back); d != "" {
			return "JSON round trip:\n" + d
		}
		st, err := s.Stream(&bytes.Buffer{})
		if err != nil {
			return "Stream: " + err.Error()
		}
		// Stream writes no files, so nothing is cut: add the cut rows back.
		for _, f := range tr.Files {
			if f.TruncatedLine > 0 && f.DuplicateOf == "" {
				m := tr.Message(f.TruncatedKey)
				m.Rows++
				if f.TruncatedEvent == "HADISCARD" {
					m.ShadowEvents++
				}
			}
		}
		if d := cmp.Diff(tr.Messages, st.Messages); d != "" {
			return "Stream truth differs:\n" + d
		}
		return ""
	}, genConfig()))
	props.TestingRun(t)
}

// TestPropertyDeterministic: the same configuration gives the same bytes.
func TestPropertyDeterministic(t *testing.T) {
	params := proptest.Parameters(t, 100)
	props := gopter.NewProperties(params)
	props.Property("same config, same bytes", prop.ForAll(func(cfg Config) bool {
		s, err := New(cfg)
		if err != nil {
			return false
		}
		a, _, err1 := s.WriteFS()
		b, _, err2 := s.WriteFS()
		if err1 != nil || err2 != nil || len(a) != len(b) {
			return false
		}
		for p, f := range a {
			if !bytes.Equal(f.Data, b[p].Data) {
				return false
			}
		}
		return true
	}, genConfig()))
	props.TestingRun(t)
}
