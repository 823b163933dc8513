package correlate_test

import (
	"context"
	"fmt"
	"log"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// Correlate a directory of logs (DIR/<server>/MSGTRK*.LOG) in one call:
// Run merges the files of every server in time order, feeds the rows to a
// Tracker and, at the end of the input, lets the quiet window pass, so
// that each trace says whether it is complete. This is the README's
// library example.
func ExampleRun() {
	inputs, err := msgtrk.OpenPaths("testdata/cases/inbound") // or msgtrk.FindFiles(fsys, root)
	if err != nil {
		log.Fatal(err)
	}
	stats, err := correlate.Run(context.Background(), inputs, correlate.Options{
		OnTrace: func(t *correlate.Trace) {
			fmt.Println(t.Key, t.Origin.Server, t.Reason)
			for _, r := range t.Recipients {
				fmt.Println(" ", r.Address, r.Status, "at", r.Server)
			}
		},
	})
	if err != nil { // malformed lines, unreadable files: every good row was still used
		log.Fatal(err)
	}
	fmt.Println(stats.Events, "rows,", stats.Traces, "trace")
	// Output:
	// 0d6a4f1e-2b3c-4d5e-8f90-08dc6d5f0b02 EX1 complete
	//   bob@contoso.com delivered at EX2
	// 7 rows, 1 trace
}

// The same as an iterator: stop when the answer is found, and the files
// are closed.
func ExampleTraces() {
	inputs, err := msgtrk.OpenPaths("testdata/cases")
	if err != nil {
		log.Fatal(err)
	}
	for t, err := range correlate.Traces(context.Background(), inputs, correlate.Options{}) {
		if err != nil {
			log.Fatal(err)
		}
		if t.Subject == "Invoice 4411" {
			fmt.Println(t.Sender, t.Reason)
			break
		}
	}
	// Output:
	// anna@fabrikam.net complete
}

// A loop of your own (a Tracker with options Run does not take, a source
// that reports progress) keeps Run's speed with ReadAhead: the files are
// read, merged and each row's facts decoded on a goroutine of their own,
// and Feed hands the facts to the Tracker, which does the rest.
func ExampleReadAhead() {
	inputs, err := msgtrk.OpenPaths("testdata/cases/inbound")
	if err != nil {
		log.Fatal(err)
	}
	tk, err := correlate.New(correlate.Options{OnTrace: func(t *correlate.Trace) {
		fmt.Println(t.Key, t.Events, "rows", t.Reason)
	}})
	if err != nil {
		log.Fatal(err)
	}
	src := correlate.ReadAhead(msgtrk.NewMerger(inputs))
	defer src.Close()
	if err := correlate.Feed(context.Background(), src, tk, 0); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 0d6a4f1e-2b3c-4d5e-8f90-08dc6d5f0b02 7 rows complete
}
