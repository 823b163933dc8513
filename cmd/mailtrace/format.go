package main

import (
	"bufio"
	"flag"
	"io"
	"os"
	"strings"
)

// format is an output format, as named by -format.
type format string

// The formats. Every command takes -format with the ones it can write;
// table is the default everywhere.
const (
	formatTable   format = "table"   // aligned columns (or the readable trace view)
	formatCSV     format = "csv"     // RFC 4180 with a header row, formula-safe
	formatJSONL   format = "jsonl"   // one JSON object per line
	formatJSON    format = "json"    // one JSON array of those objects (stats: one object)
	formatParquet format = "parquet" // Apache Parquet, DataPage v1, zstd
	formatDot     format = "dot"     // Graphviz, one digraph per message (trace)
	formatMermaid format = "mermaid" // Mermaid flowcharts (trace)
)

// output holds the flags that choose a command's output format: -format,
// and the aliases -json (jsonl) and -csv, and -excel.
type output struct {
	name    string
	asJSON  bool
	asCSV   bool
	excel   bool
	allowed []format
	format  format // set by resolve
}

func formatNames(fs []format) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// addOutputFlags declares -format (one of allowed, the first the default),
// -json, -csv and -excel.
func (c *common) addOutputFlags(allowed ...format) *output {
	o := &output{allowed: allowed}
	c.fs.StringVar(&o.name, "format", string(allowed[0]), "output format: "+formatNames(allowed))
	c.fs.BoolVar(&o.asJSON, "json", false, "same as -format jsonl")
	c.fs.BoolVar(&o.asCSV, "csv", false, "same as -format csv")
	c.fs.BoolVar(&o.excel, "excel", false, "with -format csv: start with a UTF-8 byte order mark, so that Excel shows accented letters right")
	c.out = o
	return o
}

// resolve checks the output flags and sets o.format.
func (o *output) resolve(c *common) error {
	formatSet := false
	c.fs.Visit(func(fl *flag.Flag) { formatSet = formatSet || fl.Name == "format" })
	f := format(strings.ToLower(o.name))
	if o.asJSON && o.asCSV {
		return usagef("choose one of -json, -csv")
	}
	for _, alias := range []struct {
		on   bool
		name string
		f    format
	}{{o.asJSON, "-json", formatJSONL}, {o.asCSV, "-csv", formatCSV}} {
		if !alias.on {
			continue
		}
		if formatSet && f != alias.f {
			return usagef("%s (-format %s) contradicts -format %s", alias.name, alias.f, o.name)
		}
		f = alias.f
	}
	ok := false
	for _, a := range o.allowed {
		ok = ok || a == f
	}
	if !ok {
		return usagef("-format: %q is not one of %s", o.name, formatNames(o.allowed))
	}
	if o.excel && f != formatCSV {
		return usagef("-excel applies to -format csv only")
	}
	o.format = f
	return nil
}

// writer returns the buffered standard output of a command; with -excel
// the byte order mark is already written.
func (o *output) writer(stdout io.Writer) *bufio.Writer {
	bw := bufio.NewWriterSize(stdout, 64<<10)
	if o.excel {
		bw.WriteString(utf8BOM)
	}
	return bw
}

// checkBinaryOut refuses to write Parquet to a terminal.
func checkBinaryOut(stdout io.Writer) error {
	if f, ok := stdout.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return usagef("-format parquet writes binary data: redirect standard output to a file (> out.parquet)")
		}
	}
	return nil
}
