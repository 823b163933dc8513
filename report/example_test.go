package report_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/report"
)

// correlateDir reads the logs under dir and hands each row and each trace
// to the callbacks.
func correlateDir(dir string, onRow func(*msgtrk.Record), onTrace func(*correlate.Trace)) error {
	inputs, err := msgtrk.OpenPaths(dir)
	if err != nil {
		return err
	}
	tk, err := correlate.New(correlate.Options{OnTrace: onTrace})
	if err != nil {
		return err
	}
	m := msgtrk.NewMerger(inputs)
	var last time.Time
	for m.Next() {
		rec := m.Record()
		onRow(rec)
		tk.Add(rec)
		if t, err := rec.Time(); err == nil {
			tk.Advance(t)
			last = t
		}
	}
	tk.Advance(last.Add(correlate.DefaultWindow + time.Millisecond))
	tk.Flush()
	return m.Err()
}

// Count a message to a distribution group: one unique message, two
// recipients after expansion, two deliveries, and the shadow-redundancy
// rows kept out of the deliveries.
func ExampleStats() {
	s := report.NewStats(10)
	if err := correlateDir("../correlate/testdata/cases/dl-two-members", s.AddRecord, s.AddTrace); err != nil {
		fmt.Println(err)
		return
	}
	sum := s.Summary(3, 0)
	c := sum.Counts
	fmt.Printf("rows %d, messages %d, recipients %d, deliveries %d, group expansions %d\n",
		sum.Rows, c.Messages, c.Recipients, c.Deliveries, c.Expansions)
	for _, e := range sum.Events[:3] { // the most frequent event ids
		fmt.Printf("%-10s %d\n", e.Key, e.Count)
	}
	// Output:
	// rows 15, messages 1, recipients 2, deliveries 2, group expansions 1
	// DELIVER    2
	// RECEIVE    2
	// SEND       2
}

// Find who submits mail anonymously, and from where.
func ExampleSubmitters() {
	var subs report.Submitters
	if err := correlateDir("../correlate/testdata/cases/anonymous-relay", func(*msgtrk.Record) {}, subs.Add); err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range subs.Sorted() {
		fmt.Printf("%s %s %s %d message(s) via %s, senders %s\n", s.IP, s.Category, s.Protocol, s.Count,
			strings.Join(s.Connectors, ", "), strings.Join(s.Senders, ", "))
	}
	// Output:
	// 10.20.30.40 Anonymous smtp 1 message(s) via EX1\Default EX1, senders scanner@contoso.com
}
