package main

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/mailtrace/mailtrace/internal/proptest"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// TestPropertyFoldersChangeNothing: the logs of a generated organisation
// collected under the servers' names, their FQDNs, lower-case names,
// unrelated names (mbx-a/, edge-a/) or in one folder with the server's
// name in each file name give the same "trace -json" and "stats -json":
// the rows say which server wrote them, a folder is only a hint. (Before,
// renamed folders put every hop at depth 0 and counted deliveries wrong.)
func TestPropertyFoldersChangeNothing(t *testing.T) {
	params := proptest.Parameters(t, 6)
	props := gopter.NewProperties(params)
	versions := []msgtrktest.Version{msgtrktest.V2010, msgtrktest.V2013, msgtrktest.V2016, msgtrktest.V2019}
	layouts := []msgtrktest.Folders{msgtrktest.FoldersFQDN, msgtrktest.FoldersLower, msgtrktest.FoldersRenamed, msgtrktest.FoldersFlat}
	props.Property("folder names change nothing", prop.ForAll(
		func(seed uint64, mbx, edges, vi int, skewMs int64) string {
			cfg := msgtrktest.Config{Seed: seed, MailboxServers: mbx, EdgeServers: edges, Messages: 60,
				Version: versions[vi], MaxSkew: time.Duration(skewMs) * time.Millisecond}
			if edges == 0 {
				cfg.EdgeServers = msgtrktest.NoEdge
			}
			outputs := func(f msgtrktest.Folders) (string, string, string) {
				c := cfg
				c.Folders = f
				sim, err := msgtrktest.New(c)
				if err != nil {
					t.Fatal(err)
				}
				dir := filepath.Join(t.TempDir(), f.String())
				if _, err := sim.WriteDir(dir); err != nil {
					t.Fatal(err)
				}
				tr, e1, code := runCmd(t, "", "trace", "-json", "-quiet", dir)
				st, e2, code2 := runCmd(t, "", "stats", "-json", "-quiet", dir)
				if code != 0 || code2 != 0 {
					t.Fatalf("%v: exit %d/%d: %s %s", f, code, code2, e1, e2)
				}
				return tr, st, dir
			}
			wantTrace, wantStats, _ := outputs(msgtrktest.FoldersServer)
			for _, f := range layouts {
				gotTrace, gotStats, _ := outputs(f)
				if diff := cmp.Diff(wantTrace, gotTrace); diff != "" {
					return fmt.Sprintf("config %+v, folders %v: trace -json differs (-server folders +%v):\n%s", cfg, f, f, diff)
				}
				if diff := cmp.Diff(wantStats, gotStats); diff != "" {
					return fmt.Sprintf("config %+v, folders %v: stats -json differs (-server folders +%v):\n%s", cfg, f, f, diff)
				}
			}
			return ""
		},
		gen.UInt64(), gen.IntRange(1, 3), gen.IntRange(0, 2), gen.IntRange(0, len(versions)-1), gen.Int64Range(0, 120000),
	))
	props.TestingRun(t)
}

// TestFolderHintWarned: when the folders name no server, the rows are
// followed and stderr says so once per folder.
func TestFolderHintWarned(t *testing.T) {
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 2, Messages: 30, Folders: msgtrktest.FoldersRenamed})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := sim.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCmd(t, "", "stats", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{`found as "mbx-a" were written by EX01`, `found as "edge-a" were written by EDGE01`} {
		if n := countSubstr(stderr, want); n != 1 {
			t.Errorf("stderr says %q %d times, want once:\n%s", want, n, stderr)
		}
	}
}

func countSubstr(s, sub string) int {
	n := 0
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			n++
		}
	}
	return n
}
