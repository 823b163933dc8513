package mailtrace

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/mailtrace/mailtrace"

// modulePackages returns the packages of the module (not of beam/, which is
// a module of its own) by path relative to the root ("(root)" for the root),
// with the module packages each imports outside its tests, as go list
// reports them, and those its tests import.
func modulePackages(t *testing.T) (imports, testImports map[string][]string) {
	t.Helper()
	imports, testImports = map[string][]string{}, map[string][]string{}
	err := filepath.WalkDir(".", func(dir string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if dir != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); dir != "." && err == nil {
			return filepath.SkipDir // another module
		}
		p, err := build.ImportDir(dir, 0)
		if _, none := err.(*build.NoGoError); none {
			return nil
		}
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(dir)
		if rel == "." {
			rel = "(root)"
		}
		imports[rel] = local(p.Imports)
		testImports[rel] = local(append(append([]string(nil), p.TestImports...), p.XTestImports...))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return imports, testImports
}

// local keeps the module's packages of paths, relative to the module.
func local(paths []string) []string {
	out := []string{}
	for _, p := range paths {
		if rel, ok := strings.CutPrefix(p, module+"/"); ok && !slices.Contains(out, rel) {
			out = append(out, rel)
		}
	}
	slices.Sort(out)
	return out
}

// contributingMap reads the table of CONTRIBUTING.md that lists each
// package with the module packages it imports.
func contributingMap(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile("CONTRIBUTING.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([^`]+)` \\|(.*)\\|$")
	name := regexp.MustCompile("`([^`]+)`")
	m := map[string][]string{}
	for _, r := range row.FindAllStringSubmatch(string(data), -1) {
		imps := []string{}
		for _, n := range name.FindAllStringSubmatch(r[2], -1) {
			imps = append(imps, n[1])
		}
		m[r[1]] = imps
	}
	if len(m) == 0 {
		t.Fatal("CONTRIBUTING.md has no import table")
	}
	return m
}

// TestImportMap keeps CONTRIBUTING.md's map of the packages true: its table
// lists every package of the module with exactly the module packages it
// imports outside its tests, and the import rules it states hold.
func TestImportMap(t *testing.T) {
	imports, testImports := modulePackages(t)
	doc := contributingMap(t)
	for pkg, imps := range imports {
		want, ok := doc[pkg]
		switch {
		case !ok:
			t.Errorf("package %s is missing from CONTRIBUTING.md's import table (it imports %v)", pkg, imps)
		case !slices.Equal(want, imps):
			t.Errorf("CONTRIBUTING.md says %s imports %v; it imports %v", pkg, want, imps)
		}
	}
	for pkg := range doc {
		if _, ok := imports[pkg]; !ok {
			t.Errorf("CONTRIBUTING.md lists %s, which is not a package of the module", pkg)
		}
	}

	// The rules, on the transitive imports outside tests.
	deps := map[string]map[string]bool{}
	var closure func(string) map[string]bool
	closure = func(pkg string) map[string]bool {
		if d, ok := deps[pkg]; ok {
			return d
		}
		d := map[string]bool{}
		deps[pkg] = d
		for _, imp := range imports[pkg] {
			d[imp] = true
			for x := range closure(imp) {
				d[x] = true
			}
		}
		return d
	}
	isCmd := func(p string) bool { return strings.HasPrefix(p, "cmd/") }
	syntax := []string{"msgtrk", "eventdata", "messageinfo", "sourcecontext", "recipstatus", "smtplog", "filekind", "formatlist", "export"}
	helpers := []string{"internal/ascii", "internal/calendar", "internal/fielderr"}
	testSupport := []string{"internal/fuzzgen", "internal/check", "internal/proptest", "internal/grammar", "internal/ebnfmatch", "internal/realdata", "internal/exportgen", "internal/naive"}
	for pkg := range imports {
		for dep := range closure(pkg) {
			switch {
			case isCmd(dep):
				t.Errorf("%s imports the command %s: the library never imports the CLI", pkg, dep)
			case slices.Contains(syntax, pkg) && (dep == "correlate" || dep == "report" || dep == "filter"):
				t.Errorf("syntax package %s imports %s", pkg, dep)
			case slices.Contains(helpers, pkg):
				t.Errorf("helper %s imports %s: the shared helpers import no mailtrace package", pkg, dep)
			}
		}
		for _, imp := range imports[pkg] {
			switch {
			case imp == "msgtrktest" && pkg != "cmd/mtsim":
				t.Errorf("%s imports msgtrktest outside its tests (only cmd/mtsim may)", pkg)
			case slices.Contains(testSupport, imp) && !slices.Contains(testSupport, pkg):
				t.Errorf("%s imports the test support %s outside its tests", pkg, imp)
			case imp == "correlate" && pkg != "report" && !isCmd(pkg):
				t.Errorf("%s imports correlate: only report and the commands do", pkg)
			}
		}
	}
	// The rules are not vacuous: the packages they name exist, and tests do
	// import the test support.
	for _, p := range slices.Concat(syntax, helpers, testSupport, []string{"correlate", "report", "filter", "msgtrktest", "cmd/mtsim"}) {
		if _, ok := imports[p]; !ok {
			t.Errorf("the rules name %s, which is not a package of the module", p)
		}
	}
	if !slices.Contains(testImports["msgtrk"], "internal/fuzzgen") || !slices.Contains(testImports["correlate"], "msgtrktest") {
		t.Error("the test imports were not read")
	}
}
