package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// version returns the module version the binary was built from: a release
// tag with "go install …@v1.2.3", a pseudo-version for a build in a git
// checkout, "devel" when the build recorded none (-buildvcs=false).
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// runVersion prints what versionText says of this binary.
func runVersion(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usagef("version takes no arguments")
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	_, err := io.WriteString(stdout, versionText(bi))
	return err
}

// versionSettings are the build settings worth a line in a bug report, in
// the order printed; the others (GOOS and GOARCH are printed apart, vcs.*
// have their own line) are left out.
var versionSettings = []string{"-buildmode", "-compiler", "-race", "-trimpath", "-tags", "-ldflags", "CGO_ENABLED", "GOAMD64", "GOARM64", "GOEXPERIMENT"}

// versionText says which mailtrace bi describes: the module version (or
// "devel" when the build recorded none), the module and its VCS revision,
// and the Go version, platform and build settings. A build without VCS
// stamping (GOFLAGS=-buildvcs=false, a copy of the source without .git) is
// said to be one, so that a bug report still tells what was run. bi nil
// means the binary has no build information.
func versionText(bi *debug.BuildInfo) string {
	var b strings.Builder
	if bi == nil {
		fmt.Fprintf(&b, "mailtrace devel (built from source, not from a release)\n")
		fmt.Fprintf(&b, "no build information in the binary\n")
		fmt.Fprintf(&b, "built by %s for %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return b.String()
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	v := bi.Main.Version
	released := v != "" && v != "(devel)"
	if released {
		fmt.Fprintf(&b, "mailtrace %s\n", v)
	} else {
		fmt.Fprintf(&b, "mailtrace devel (built from source, not from a release)\n")
	}
	path := bi.Main.Path
	if path == "" {
		path = "github.com/mailtrace/mailtrace"
	}
	switch rev := settings["vcs.revision"]; {
	case rev != "":
		dirty := ""
		if settings["vcs.modified"] == "true" {
			dirty = " (modified)"
		}
		when := ""
		if t := settings["vcs.time"]; t != "" {
			when = " of " + t
		}
		vcs := ""
		if s := settings["vcs"]; s != "" {
			vcs = " (" + s + ")"
		}
		fmt.Fprintf(&b, "module %s, revision %s%s%s%s\n", path, rev, dirty, when, vcs)
	case released:
		fmt.Fprintf(&b, "module %s %s\n", path, v)
	default:
		fmt.Fprintf(&b, "module %s, source revision not recorded (built with -buildvcs=false, or from a copy without .git)\n", path)
	}
	goos, goarch := settings["GOOS"], settings["GOARCH"]
	if goos == "" || goarch == "" {
		goos, goarch = runtime.GOOS, runtime.GOARCH
	}
	goVersion := bi.GoVersion
	if goVersion == "" {
		goVersion = runtime.Version()
	}
	var flags []string
	for _, k := range versionSettings {
		val, ok := settings[k]
		switch {
		case !ok || val == "":
		case strings.HasPrefix(k, "-") && val == "true":
			flags = append(flags, k)
		case strings.HasPrefix(k, "-") && val == "false":
		default:
			flags = append(flags, k+"="+val)
		}
	}
	fmt.Fprintf(&b, "built by %s for %s/%s", goVersion, goos, goarch)
	if len(flags) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(flags, " "))
	}
	b.WriteByte('\n')
	return b.String()
}
