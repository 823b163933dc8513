package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
	pqformat "github.com/parquet-go/parquet-go/format"
)

// runInProcess runs a command line and returns its standard output (the
// caller has changed to the repository root).
func runInProcess(t *testing.T, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("mailtrace %q: exit %d: %s", args, code, stderr.String())
	}
	return stdout.Bytes()
}

// jsonObjects decodes JSON lines into generic objects.
func jsonObjects(t *testing.T, out []byte) []map[string]any {
	t.Helper()
	var objs []map[string]any
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	for dec.More() {
		var o map[string]any
		if err := dec.Decode(&o); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o)
	}
	return objs
}

// parquetObject turns a row read back from Parquet into the JSON object
// of the same row: the column names are the keys, times RFC 3339 UTC,
// absent optional values null, the JSON column an object.
func parquetObject(t *testing.T, row any) map[string]any {
	t.Helper()
	o := map[string]any{}
	v := reflect.ValueOf(row)
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("parquet"), ",")
		f := v.Field(i)
		var val any
		switch x := f.Interface().(type) {
		case *time.Time:
			if x != nil {
				val = x.UTC().Format(jsonTimeLayout)
			}
		case *int64:
			if x != nil {
				val = json.Number(strconv.FormatInt(*x, 10))
			}
		case *float64:
			if x != nil {
				val = json.Number(strconv.FormatFloat(*x, 'f', -1, 64))
			}
		case int32:
			val = json.Number(strconv.FormatInt(int64(x), 10))
		case int64:
			val = json.Number(strconv.FormatInt(x, 10))
		case []string:
			list := []any{}
			for _, s := range x {
				list = append(list, s)
			}
			val = list
		case string:
			val = x
			if name == "extra" {
				var m map[string]any
				if err := json.Unmarshal([]byte(x), &m); err != nil {
					t.Fatalf("extra %q: %v", x, err)
				}
				val = m
			}
		default:
			t.Fatalf("column %s: unexpected type %T", name, x)
		}
		o[name] = val
	}
	return o
}

// TestParquetReadsBack: the Parquet files of "events" and of the delivery
// report hold the rows of their JSON lines, value for value, and are
// written with version 1 data pages and zstd.
func TestParquetReadsBack(t *testing.T) {
	t.Chdir("../..")
	for _, tt := range []struct {
		name string
		args []string
		read func(*testing.T, []byte) []map[string]any
	}{
		{"events", []string{"events", "testdata/sample-org"}, readParquet[eventRow]},
		{"deliveries", []string{"trace", "-recipients", "testdata/sample-org"}, readParquet[deliveryRow]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pq := runInProcess(t, append(tt.args, "-format", "parquet")...)
			want := jsonObjects(t, runInProcess(t, append(tt.args, "-format", "jsonl")...))
			got := tt.read(t, pq)
			if len(want) < 100 {
				t.Fatalf("%d rows in the JSON output, want the sample organisation's", len(want))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Parquet rows differ from the JSON lines (-json +parquet):\n%s", diff)
			}
			checkParquetPages(t, pq)
		})
	}
}

func readParquet[T any](t *testing.T, data []byte) []map[string]any {
	t.Helper()
	rows, err := parquet.Read[T](bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, r := range rows {
		out = append(out, parquetObject(t, r))
	}
	return out
}

// checkParquetPages checks that every column chunk is zstd-compressed and
// holds version 1 data pages only.
func checkParquetPages(t *testing.T, data []byte) {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	md := f.Metadata()
	if len(md.RowGroups) == 0 {
		t.Fatal("no row group")
	}
	for _, rg := range md.RowGroups {
		for _, cc := range rg.Columns {
			if cc.MetaData.Codec != pqformat.Zstd {
				t.Errorf("column %v: codec %v, want ZSTD", cc.MetaData.PathInSchema, cc.MetaData.Codec)
			}
			for _, st := range cc.MetaData.EncodingStats {
				if st.PageType == pqformat.DataPageV2 {
					t.Errorf("column %v: version 2 data pages", cc.MetaData.PathInSchema)
				}
			}
		}
	}
}

// TestParquetOnlyInCLI: no package of the library depends on parquet-go;
// only the command line does.
func TestParquetOnlyInCLI(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "../../...").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte("github.com/parquet-go/parquet-go\n")) {
		t.Fatal("parquet-go is not a dependency of the module at all: the test looks at the wrong thing")
	}
	lib, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}",
		"../../msgtrk", "../../correlate", "../../report", "../../filter", "../../eventdata", "../../messageinfo",
		"../../sourcecontext", "../../recipstatus", "../../msgtrktest").Output()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(lib, []byte("parquet-go")) {
		t.Errorf("a library package depends on parquet-go:\n%s", lib)
	}
}
