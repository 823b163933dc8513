// Command mtsim writes the message tracking logs of a simulated Exchange
// organisation, and the ground truth beside them (see package msgtrktest).
//
//	go run ./cmd/mtsim -out DIR -messages 300 -seed 1 -version 2016 -skew 2m
//
// writes DIR/<SERVER>/MSGTRK….LOG (MSGTRKMS…, MSGTRKMD… on Mailbox servers
// from 2013 on) and DIR/truth.jsonl: one {"message":…} line per message,
// then one {"file":…} line per file, then a {"summary":…} line
// (msgtrktest.ReadTruth reads it back). With -stream FILE it writes one
// merged stream instead (all rows in time order under one 2016 header) and
// the truth to FILE.truth.jsonl. Memory stays bounded whatever -messages or
// -events is, so it also makes the big inputs of benchmarks:
//
//	go run ./cmd/mtsim -out /tmp/big -events 10000000
//
// -mix takes weights by kind, e.g. -mix store=5,inbound=3,fail=1 (kinds not
// named get 0): store, smtp-auth, smtp-anonymous, inbound, outbound, group,
// bifurcation, resolve, fail, defer, drop, shadow, resubmit.
//
// Exit status: 0 on success, 1 when writing failed, 2 for a usage error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/msgtrktest"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("mtsim", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var (
		out      = fl.String("out", "", "output directory (required unless -stream)")
		stream   = fl.String("stream", "", "write one merged stream to this file instead of a directory")
		seed     = fl.Uint64("seed", 1, "random seed: the same flags give the same bytes")
		messages = fl.Int("messages", 0, "messages to generate (0: no limit, see -events)")
		events   = fl.Int("events", 0, "stop once this many rows were generated (0: no limit)")
		version  = fl.String("version", "2016", "Exchange version: 2007, 2010, 2013, 2016 or 2019")
		mailbox  = fl.Int("mailbox", 3, "Mailbox servers in the DAG")
		edges    = fl.Int("edges", 1, "Edge servers (0 for none)")
		users    = fl.Int("users", 50, "mailboxes")
		groups   = fl.Int("groups", 6, "distribution groups (0 for none)")
		rate     = fl.Float64("rate", 2, "messages per second of simulated time")
		start    = fl.String("start", "2024-03-04T08:00:00Z", "time of the first message (RFC 3339)")
		skew     = fl.Duration("skew", 0, "maximum clock offset of a server, e.g. 2m")
		dup      = fl.Int("dup", 0, "files also written a second time under <SERVER>/MessageTracking/")
		trunc    = fl.Int("truncate", 0, "files whose last row is cut")
		maxBytes = fl.Int("max-file-bytes", 10<<20, "rotate files at this size")
		mix      = fl.String("mix", "", "kind weights, e.g. store=5,inbound=3 (default: msgtrktest.DefaultMix)")
		folders  = fl.String("folders", "server", "folder layout: server (EX01/), fqdn, lower, renamed (mbx-a/, edge-a/) or flat (logs/EX01_MSGTRK…)")
		protocol = fl.Bool("protocol-logs", false, "also write the SMTP protocol and connectivity logs (RECV, SEND, CONNECTLOG) under <SERVER>/TransportRoles/Logs/")
		quiet    = fl.Bool("q", false, "do not print the summary")
	)
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 || (*out == "") == (*stream == "") {
		fmt.Fprintln(stderr, "mtsim: give exactly one of -out DIR and -stream FILE, and no other arguments")
		return 2
	}
	if *messages == 0 && *events == 0 {
		fmt.Fprintln(stderr, "mtsim: give -messages or -events")
		return 2
	}
	v, ok := msgtrktest.ParseVersion(*version)
	if !ok {
		fmt.Fprintf(stderr, "mtsim: unknown -version %q\n", *version)
		return 2
	}
	st, err := time.Parse(time.RFC3339, *start)
	if err != nil {
		fmt.Fprintf(stderr, "mtsim: -start: %v\n", err)
		return 2
	}
	fo, ok := msgtrktest.ParseFolders(*folders)
	if !ok {
		fmt.Fprintf(stderr, "mtsim: unknown -folders %q\n", *folders)
		return 2
	}
	cfg := msgtrktest.Config{
		Seed: *seed, MailboxServers: *mailbox, EdgeServers: *edges, Users: *users,
		Groups: *groups, Messages: *messages, Events: *events, Start: st, Rate: *rate,
		Version: v, MaxSkew: *skew, DuplicateFiles: *dup, TruncateFiles: *trunc,
		MaxFileBytes: *maxBytes, Folders: fo, ProtocolLogs: *protocol,
	}
	if *edges == 0 {
		cfg.EdgeServers = msgtrktest.NoEdge
	}
	if *groups == 0 {
		cfg.Groups = -1
	}
	if *mix != "" {
		m, err := parseMix(*mix)
		if err != nil {
			fmt.Fprintf(stderr, "mtsim: -mix: %v\n", err)
			return 2
		}
		cfg.Mix = m
	}

	// Validate before creating anything.
	var tw *msgtrktest.TruthWriter
	cfg.OnMessage = func(m msgtrktest.MessageTruth) { tw.Message(m) }
	sim, err := msgtrktest.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "mtsim: %v\n", err)
		if errors.Is(err, msgtrktest.ErrConfig) {
			return 2
		}
		return 1
	}
	truthPath := filepath.Join(*out, "truth.jsonl")
	if *stream != "" {
		truthPath = *stream + ".truth.jsonl"
	} else if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintf(stderr, "mtsim: %v\n", err)
		return 1
	}
	tf, err := os.Create(truthPath)
	if err != nil {
		fmt.Fprintf(stderr, "mtsim: %v\n", err)
		return 1
	}
	defer tf.Close()
	tw = msgtrktest.NewTruthWriter(tf)
	began := time.Now()
	var truth *msgtrktest.Truth
	if *stream != "" {
		f, err := os.Create(*stream)
		if err != nil {
			fmt.Fprintf(stderr, "mtsim: %v\n", err)
			return 1
		}
		truth, err = sim.Stream(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			fmt.Fprintf(stderr, "mtsim: %v\n", err)
			return 1
		}
	} else {
		truth, err = sim.WriteDir(*out)
		if err != nil {
			fmt.Fprintf(stderr, "mtsim: %v\n", err)
			return 1
		}
	}
	if err := tw.Close(truth); err != nil {
		fmt.Fprintf(stderr, "mtsim: writing %s: %v\n", truthPath, err)
		return 1
	}
	if !*quiet {
		el := time.Since(began)
		fmt.Fprintf(stdout, "%d events in %d files, %d cut; truth in %s (%v, %.0f events/s)\n",
			truth.Events, len(truth.Files), truth.Cut, truthPath, el.Round(time.Millisecond), float64(truth.Events)/el.Seconds())
	}
	return 0
}

// parseMix reads "kind=weight,kind=weight".
func parseMix(s string) (msgtrktest.Mix, error) {
	var m msgtrktest.Mix
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return m, fmt.Errorf("%q is not kind=weight", part)
		}
		k, ok := msgtrktest.ParseKind(name)
		w, err := strconv.ParseFloat(val, 64)
		if !ok || err != nil || !m.SetWeight(k, w) {
			return m, fmt.Errorf("bad weight %q (kinds: %s)", part, kindList())
		}
	}
	return m, nil
}

func kindList() string {
	var names []string
	for _, k := range msgtrktest.MixKinds {
		names = append(names, k.String())
	}
	return strings.Join(names, ", ")
}
