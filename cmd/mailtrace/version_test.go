package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionText: what "mailtrace version" says for each way the binary
// can be built. A build without VCS stamping (GOFLAGS=-buildvcs=false, a
// copy of the source without .git) used to print only "mailtrace (devel)":
// it must still say what was built, from which module, and how.
func TestVersionText(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	mod := debug.Module{Path: "github.com/mailtrace/mailtrace"}
	tests := []struct {
		name      string
		bi        *debug.BuildInfo
		want      []string // lines that must appear, in order
		notWanted []string
	}{
		{
			name: "release, go install @version",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Path: "github.com/mailtrace/mailtrace/cmd/mailtrace",
				Main:     debug.Module{Path: mod.Path, Version: "v1.2.3", Sum: "h1:abc"},
				Settings: settings("-buildmode", "exe", "-compiler", "gc", "CGO_ENABLED", "1", "GOARCH", "amd64", "GOOS", "linux", "GOAMD64", "v1")},
			want:      []string{"mailtrace v1.2.3\n", "module github.com/mailtrace/mailtrace v1.2.3\n", "built by go1.26.8 for linux/amd64 (-buildmode=exe -compiler=gc CGO_ENABLED=1 GOAMD64=v1)\n"},
			notWanted: []string{"(devel)", "revision"},
		},
		{
			name: "checkout with VCS stamping",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Path: "github.com/mailtrace/mailtrace/cmd/mailtrace",
				Main: debug.Module{Path: mod.Path, Version: "v0.0.0-20261204190000-c89ffd4a1b2c+dirty"},
				Settings: settings("-buildmode", "exe", "-compiler", "gc", "GOARCH", "amd64", "GOOS", "linux",
					"vcs", "git", "vcs.revision", "c89ffd4a1b2c3d4e5f60718293a4b5c6d7e8f901", "vcs.time", "2026-12-04T19:00:00Z", "vcs.modified", "true")},
			want: []string{"mailtrace v0.0.0-20261204190000-c89ffd4a1b2c+dirty\n",
				"revision c89ffd4a1b2c3d4e5f60718293a4b5c6d7e8f901 (modified) of 2026-12-04T19:00:00Z (git)\n",
				"built by go1.26.8 for linux/amd64 (-buildmode=exe -compiler=gc)\n"},
		},
		{
			name: "-buildvcs=false",
			bi: &debug.BuildInfo{GoVersion: "go1.26.8", Path: "github.com/mailtrace/mailtrace/cmd/mailtrace",
				Main:     debug.Module{Path: mod.Path, Version: "(devel)"},
				Settings: settings("-buildmode", "exe", "-compiler", "gc", "-trimpath", "true", "CGO_ENABLED", "0", "GOARCH", "arm64", "GOOS", "windows")},
			want: []string{"mailtrace devel (built from source, not from a release)\n",
				"module github.com/mailtrace/mailtrace, source revision not recorded (built with -buildvcs=false, or from a copy without .git)\n",
				"built by go1.26.8 for windows/arm64 (-buildmode=exe -compiler=gc -trimpath CGO_ENABLED=0)\n"},
			notWanted: []string{"(devel)"},
		},
		{
			name:      "no build information",
			bi:        nil,
			want:      []string{"mailtrace devel (built from source, not from a release)\n", "no build information in the binary\n"},
			notWanted: []string{"(devel)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := versionText(tt.bi)
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("versionText lacks %q (in order); got:\n%s", w, got)
				}
				rest = rest[i+len(w):]
			}
			for _, n := range tt.notWanted {
				if strings.Contains(got, n) {
					t.Errorf("versionText has %q; got:\n%s", n, got)
				}
			}
		})
	}
}
