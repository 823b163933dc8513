package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version returns the module version the binary was built from: a release
// tag with "go install …@v1.2.3", "(devel)" for a build in a checkout.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// runVersion prints the module version, the VCS revision and time when the
// build recorded them, and the Go version.
func runVersion(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usagef("version takes no arguments")
	}
	fmt.Fprintf(stdout, "mailtrace %s\n", version())
	if bi, ok := debug.ReadBuildInfo(); ok {
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			dirty := ""
			if settings["vcs.modified"] == "true" {
				dirty = " (modified)"
			}
			fmt.Fprintf(stdout, "revision %s%s %s\n", rev, dirty, settings["vcs.time"])
		} else {
			fmt.Fprintln(stdout, "revision unknown (built without VCS information: -buildvcs=false, or not from a git checkout)")
		}
	}
	fmt.Fprintf(stdout, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
