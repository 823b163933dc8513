package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// schema is one documented JSON value: its type, whether it may be null or
// left out, and for objects, lists of objects and maps of objects, the
// fields of the object.
type schema struct {
	typ      string // integer, number, string, boolean, time, object
	list     bool   // an array of typ
	dict     bool   // an object with any keys, values of typ
	nullable bool
	optional bool
	fields   map[string]*schema
	ref      string // "NAME object": the fields of the documented object NAME
}

// readmeSchemas reads the tables of the README's "Output formats" section:
// one schema per "### NAME object" heading, built from its rows
// "| `path` | type | meaning |". A path names nested fields with '.',
// list elements with "[]" and map values with "*"; a type is a base type
// (integer, number, string, boolean, time, object) with " list" or " map"
// after it, " or null", and ", optional"; "NAME object" is an object of the
// fields documented under "### NAME object".
func readmeSchemas(t *testing.T) map[string]*schema {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Output formats\n")
	if !ok {
		t.Fatal("no Output formats section in the README")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	schemas := map[string]*schema{}
	var cur *schema
	row := regexp.MustCompile("^\\| `([^`]+)` \\| ([^|]+) \\|")
	sc := bufio.NewScanner(strings.NewReader(section))
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "### "); ok {
			name = strings.TrimSuffix(name, " object")
			cur = &schema{typ: "object", fields: map[string]*schema{}}
			schemas[name] = cur
			continue
		}
		m := row.FindStringSubmatch(line)
		if m == nil || cur == nil {
			continue
		}
		leaf, err := parseType(strings.TrimSpace(m[2]))
		if err != nil {
			t.Fatalf("README row %q: %v", line, err)
		}
		if err := cur.add(strings.Split(m[1], "."), leaf); err != nil {
			t.Fatalf("README row %q: %v", line, err)
		}
	}
	for name, s := range schemas {
		if err := s.resolve(schemas); err != nil {
			t.Fatalf("README, %s object: %v", name, err)
		}
	}
	return schemas
}

// resolve gives each field typed "NAME object" the fields of that object.
func (s *schema) resolve(schemas map[string]*schema) error {
	for k, f := range s.fields {
		if f.ref != "" {
			o := schemas[f.ref]
			if o == nil || o.ref != "" {
				return fmt.Errorf("%s: no %s object documented", k, f.ref)
			}
			f.fields = o.fields
			continue
		}
		if err := f.resolve(schemas); err != nil {
			return err
		}
	}
	return nil
}

func parseType(s string) (*schema, error) {
	sc := &schema{}
	s, sc.optional = strings.CutSuffix(s, ", optional")
	s, sc.nullable = strings.CutSuffix(s, " or null")
	s, sc.list = strings.CutSuffix(s, " list")
	if !sc.list {
		s, sc.dict = strings.CutSuffix(s, " map")
	}
	if name, ok := strings.CutSuffix(s, " object"); ok && name != "" && !strings.Contains(name, " ") {
		sc.typ, sc.ref = "object", name
		return sc, nil
	}
	switch s {
	case "integer", "number", "string", "boolean", "time", "object":
		sc.typ = s
	default:
		return nil, fmt.Errorf("unknown type %q", s)
	}
	if s == "object" {
		sc.fields = map[string]*schema{}
	}
	return sc, nil
}

// add places leaf at path below s.
func (s *schema) add(path []string, leaf *schema) error {
	key := strings.TrimSuffix(path[0], "[]")
	if len(path) == 1 {
		if _, dup := s.fields[key]; dup {
			return fmt.Errorf("%s documented twice", key)
		}
		s.fields[key] = leaf
		return nil
	}
	parent := s.fields[key]
	if parent == nil || parent.typ != "object" {
		return fmt.Errorf("%s: no object documented before its fields", key)
	}
	rest := path[1:]
	if parent.dict {
		if rest[0] != "*" {
			return fmt.Errorf("%s is a map: its fields are %s.*.name", key, key)
		}
		rest = rest[1:]
	}
	return parent.add(rest, leaf)
}

var jsonTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// check reports every way v departs from s, at path.
func (s *schema) check(v any, path string, errs *[]string) {
	fail := func(format string, args ...any) { *errs = append(*errs, path+": "+fmt.Sprintf(format, args...)) }
	if v == nil {
		if !s.nullable {
			fail("null")
		}
		return
	}
	if s.list || s.dict {
		elem := *s
		elem.list, elem.dict, elem.nullable = false, false, false
		if s.list {
			a, ok := v.([]any)
			if !ok {
				fail("%T, want a list", v)
				return
			}
			for i, x := range a {
				elem.check(x, fmt.Sprintf("%s[%d]", path, i), errs)
			}
			return
		}
		m, ok := v.(map[string]any)
		if !ok {
			fail("%T, want an object", v)
			return
		}
		for k, x := range m {
			elem.check(x, path+"."+k, errs)
		}
		return
	}
	switch s.typ {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			fail("%T, want an object", v)
			return
		}
		for k, f := range s.fields {
			if x, ok := m[k]; ok {
				f.check(x, strings.TrimPrefix(path+"."+k, "."), errs)
			} else if !f.optional {
				fail("no %q", k)
			}
		}
		for k := range m {
			if s.fields[k] == nil {
				fail("%q is not documented", k)
			}
		}
	case "integer", "number":
		n, ok := v.(json.Number)
		if !ok {
			fail("%T %v, want a number", v, v)
		} else if s.typ == "integer" && strings.ContainsAny(string(n), ".eE") {
			fail("%s, want an integer", n)
		}
	case "string":
		if _, ok := v.(string); !ok {
			fail("%T %v, want a string", v, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			fail("%T %v, want a boolean", v, v)
		}
	case "time":
		str, ok := v.(string)
		if !ok {
			fail("%T %v, want a time", v, v)
			return
		}
		if _, err := time.Parse(time.RFC3339Nano, str); err != nil || !jsonTime.MatchString(str) {
			fail("%q is not RFC 3339 in UTC with milliseconds", str)
		}
	}
}

// decodeAll reads every JSON value of out: the lines of a jsonl output,
// the elements of a json array, or a single object.
func decodeAll(t *testing.T, out []byte) []any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var vals []any
	for dec.More() {
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%v in %.200s", err, out)
		}
		vals = append(vals, v)
	}
	if len(vals) == 1 {
		if a, ok := vals[0].([]any); ok {
			return a
		}
	}
	return vals
}

// TestJSONSchemas decodes every JSON output of the command line and checks
// it against the README's tables strictly: every documented key that is not
// optional is there, no other key is, each value has its documented type,
// no list is null, every time is RFC 3339 in UTC with milliseconds.
func TestJSONSchemas(t *testing.T) {
	schemas := readmeSchemas(t)
	for _, name := range []string{"events", "trace", "delivery", "submitter", "stats", "session"} {
		if schemas[name] == nil {
			t.Fatalf("the README documents no %s object", name)
		}
	}
	custom := filepath.Join(t.TempDir(), "custom.log")
	os.WriteFile(custom, []byte("#Fields: date-time,event-id,x-custom,recipient-address,total-bytes\r\n"+
		"2024-03-04T08:00:00.000Z,SEND,a value,a@x;b@x,12\r\nnot a time,SEND,,,many\r\n"), 0o644)
	smtpOrg := protocolOrg(t)
	t.Chdir("../..")
	cases, org := "correlate/testdata/cases", "testdata/sample-org"
	tests := []struct {
		object string
		args   []string
	}{
		{"events", []string{"events", "-format", "jsonl", cases}},
		{"events", []string{"events", "-format", "json", org}},
		{"events", []string{"events", "-json", "-tz", "Europe/Berlin", custom}},
		{"trace", []string{"trace", "-format", "jsonl", cases}},
		{"trace", []string{"trace", "-format", "json", "-tz", "Asia/Tokyo", org}},
		{"delivery", []string{"trace", "-recipients", "-format", "jsonl", cases}},
		{"delivery", []string{"trace", "-recipients", "-format", "json", org}},
		{"submitter", []string{"submitters", "-format", "jsonl", cases}},
		{"submitter", []string{"submitters", "-format", "json", org}},
		{"stats", []string{"stats", "-format", "json", cases}},
		{"stats", []string{"stats", "-format", "jsonl", "-tz", "America/New_York", org}},
		{"trace", []string{"trace", "-smtp", "-format", "jsonl", smtpOrg}},
		{"session", []string{"sessions", "-format", "jsonl", "testdata/real/protocol/Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_RECV.log",
			"testdata/real/protocol/learn.microsoft.com_answers_1054876_zombie-mail-server_SEND.log", "testdata/real/protocol/smtp-review-script_rmilne_2010_RECV.log"}},
		{"session", []string{"sessions", "-format", "json", smtpOrg}},
	}
	seen := map[string]map[string]bool{}
	for _, tt := range tests {
		out := runInProcess(t, tt.args...)
		vals := decodeAll(t, out)
		if len(vals) == 0 {
			t.Errorf("mailtrace %q: no JSON value", tt.args)
		}
		var errs []string
		for _, v := range vals {
			schemas[tt.object].check(v, "", &errs)
			collectKeys(v, "", seen, tt.object)
		}
		for i, e := range errs {
			if i == 10 {
				t.Errorf("mailtrace %q: … %d more", tt.args, len(errs)-i)
				break
			}
			t.Errorf("mailtrace %q: %s", tt.args, e)
		}
	}
	// The tables list nothing the outputs never write, except optional keys
	// the test inputs have no value for.
	for name, s := range schemas {
		for _, p := range s.paths("") {
			if !seen[name][p.path] && !p.optional {
				t.Errorf("%s object: %s is documented but no output has it", name, p.path)
			}
		}
	}
}

type docPath struct {
	path     string
	optional bool
}

// paths lists the documented paths below s (lists as "[]", maps as "*").
func (s *schema) paths(prefix string) []docPath {
	var out []docPath
	for k, f := range s.fields {
		p := strings.TrimPrefix(prefix+"."+k, ".")
		out = append(out, docPath{p, f.optional})
		if f.fields != nil {
			sub := p
			switch {
			case f.list:
				sub += "[]"
			case f.dict:
				sub += ".*"
			}
			for _, q := range f.paths(sub) {
				out = append(out, docPath{q.path, q.optional || f.optional})
			}
		}
	}
	return out
}

// collectKeys records the paths of v as paths names them.
func collectKeys(v any, prefix string, seen map[string]map[string]bool, object string) {
	if seen[object] == nil {
		seen[object] = map[string]bool{}
	}
	switch x := v.(type) {
	case map[string]any:
		for k, y := range x {
			p := strings.TrimPrefix(prefix+"."+k, ".")
			if strings.HasSuffix(prefix, "hop_latency") { // a map: its keys are roles
				p = prefix + ".*"
			}
			seen[object][p] = true
			collectKeys(y, p, seen, object)
		}
	case []any:
		for _, y := range x {
			collectKeys(y, prefix+"[]", seen, object)
		}
	}
}

// TestSchemaCheckFails: the check catches each kind of departure.
func TestSchemaCheckFails(t *testing.T) {
	s := &schema{typ: "object", fields: map[string]*schema{}}
	// In the README's order: an object before its fields.
	for _, f := range [][2]string{
		{"n", "integer"}, {"t", "time or null"}, {"l", "string list"}, {"o", "object"}, {"o.b", "boolean, optional"}, {"x", "number, optional"},
	} {
		path, typ := f[0], f[1]
		leaf, err := parseType(typ)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.add(strings.Split(path, "."), leaf); err != nil {
			t.Fatal(err)
		}
	}
	good := `{"n":1,"t":"2024-03-04T08:00:01.106Z","l":[],"o":{}}`
	bad := map[string]string{
		"null list":     `{"n":1,"t":null,"l":null,"o":{}}`,
		"float integer": `{"n":1.5,"t":null,"l":[],"o":{}}`,
		"string number": `{"n":"1","t":null,"l":[],"o":{}}`,
		"missing key":   `{"t":null,"l":[],"o":{}}`,
		"unknown key":   `{"n":1,"t":null,"l":[],"o":{"c":1}}`,
		"local time":    `{"n":1,"t":"2024-03-04T09:00:01.106+01:00","l":[],"o":{}}`,
		"no millis":     `{"n":1,"t":"2024-03-04T08:00:01Z","l":[],"o":{}}`,
		"not a time":    `{"n":1,"t":"2024-03-04 08:00:01.106Z","l":[],"o":{}}`,
		"list element":  `{"n":1,"t":null,"l":[1],"o":{}}`,
	}
	var errs []string
	s.check(decodeAll(t, []byte(good))[0], "", &errs)
	if len(errs) > 0 {
		t.Errorf("good value: %q", errs)
	}
	for name, in := range bad {
		errs = nil
		s.check(decodeAll(t, []byte(in))[0], "", &errs)
		if len(errs) == 0 {
			t.Errorf("%s: %s passed", name, in)
		}
	}
}
