// Command mailtrace-beam runs mailtrace as an Apache Beam pipeline, for
// message tracking logs that outgrow one machine.
//
//	go run ./cmd/mailtrace-beam --input 'logs/**' --output traces.jsonl
//
// reads every tracking log below logs/ (plain or gzipped) on prism, the Beam
// Go SDK's local runner, writes one trace per message to traces.jsonl (the
// lines of mailtrace trace -json, in no particular order), and prints the
// number of files, rows and malformed lines read. Beam's own flags choose another runner: --runner flink|spark|
// dataflow|universal, --endpoint for a job server, --environment_type,
// --environment_config, and those of each runner (see beam/README.md).
//
// --input may be given several times; each is a file, a folder or a glob of
// a Beam file system (local paths, gs://bucket/…). A glob or a folder reads
// the files named like tracking logs (MSGTRK*.LOG, .gz too); a file named
// exactly is read whatever its name.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/mailtrace/mailtrace/beam/mtbeam"
)

// inputs is the repeatable --input flag.
type inputs []string

func (l *inputs) String() string { return strings.Join(*l, ",") }
func (l *inputs) Set(v string) error {
	if v == "" {
		return fmt.Errorf("empty value")
	}
	*l = append(*l, v)
	return nil
}

var (
	input    inputs
	edges    inputs
	accepted inputs
	output   = flag.String("output", "", "write the traces here, one JSON object per line (mailtrace trace -json), as a local path or gs://…")
	window   = flag.Duration("window", 0, "mailtrace's -window (default 15m): messages whose rows leave a longer gap are counted (beyond_window), not split")
	stats    = flag.String("stats", "", "write the counts of mailtrace stats -json here (rows, counts, malformed_lines), as one JSON object")
)

func init() {
	flag.Var(&input, "input", "tracking logs to read: a file, a folder or a glob (logs/**, gs://bucket/logs/**); repeatable")
	flag.Var(&edges, "edge", "name of an Edge Transport server, as mailtrace's -edge; repeatable")
	flag.Var(&accepted, "accepted-domain", "a domain the organisation receives mail for, as mailtrace's -accepted-domain; repeatable")
}

func main() {
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: mailtrace-beam --input PATTERN [--input PATTERN…] [--output FILE] [--stats FILE] [Beam flags]\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	beam.Init()
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "mailtrace-beam: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, stdout io.Writer) error {
	if len(input) == 0 {
		flag.Usage()
		return fmt.Errorf("no --input given")
	}
	p, s := beam.NewPipelineWithRoot()
	logs := mtbeam.Read(s, input...)
	if *output != "" || *stats != "" {
		traces := mtbeam.Traces(s, mtbeam.Group(s, logs.Rows), logs.Files, mtbeam.Options{EdgeServers: edges, AcceptedDomains: accepted, Window: *window})
		if *output != "" {
			textio.Write(s, *output, mtbeam.TraceJSON(s, traces))
		}
		if *stats != "" {
			textio.Write(s, *stats, mtbeam.Stats(s, logs, traces))
		}
	}
	res, err := beamx.RunWithMetrics(ctx, p)
	if err != nil {
		return err
	}
	if res == nil {
		return nil // --async, or a runner that reports nothing
	}
	counts := map[string]int64{}
	for _, c := range res.Metrics().AllMetrics().Counters() {
		if c.Key.Namespace == "mailtrace" {
			counts[c.Key.Name] += c.Result()
		}
	}
	printCounts(stdout, counts)
	return nil
}

func printCounts(w io.Writer, counts map[string]int64) {
	for _, name := range []string{"files", "rows", "malformed_lines", "beyond_window"} {
		fmt.Fprintf(w, "%-16s %d\n", name, counts[name])
	}
}
