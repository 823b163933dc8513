package correlate_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// Correlate the logs of two mailbox servers: a message from Outlook to a
// distribution group of two, submitted and delivered on EX1, with a shadow
// copy on EX2 (its rows are kept apart from the hops).
func ExampleTracker() {
	inputs, err := msgtrk.OpenPaths("testdata/cases/dl-two-members")
	if err != nil {
		fmt.Println(err)
		return
	}
	tk, err := correlate.New(correlate.Options{
		OnTrace: func(t *correlate.Trace) {
			fmt.Printf("%s %q from %s (%s)\n", t.Key, t.Subject, t.Sender, t.Reason)
			fmt.Printf("  origin %s, %s, %s\n", t.Origin.Server, t.Origin.Protocol, t.Origin.ClientType)
			for _, h := range t.Hops {
				fmt.Printf("  hop %d %s %s\n", h.Depth, h.Server, h.Role)
			}
			for _, r := range t.Recipients {
				fmt.Printf("  %s %s at %s via %s\n", r.Address, r.Status, r.Server, strings.Join(r.ExpandedFrom, " → "))
			}
			fmt.Printf("  %d shadow rows\n", len(t.ShadowEvents))
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	m := msgtrk.NewMerger(inputs) // all files, in time order
	var last time.Time
	for m.Next() {
		rec := m.Record()
		tk.Add(rec)
		if t, err := rec.Time(); err == nil {
			tk.Advance(t) // event time drives the windows
			last = t
		}
	}
	if err := m.Err(); err != nil {
		fmt.Println(err)
	}
	tk.Advance(last.Add(correlate.DefaultWindow + time.Millisecond)) // the logs are complete
	tk.Flush()
	st := tk.Stats()
	fmt.Printf("%d rows, %d trace\n", st.Events, st.Traces)
	// Output:
	// 5c0e3a4b-77a1-4c2e-9e5b-08dc6d5f0a01 "Team lunch, Friday" from sender@contoso.com (complete)
	//   origin EX1, store, MOMT
	//   hop 0 EX1 submission
	//   hop 1 EX1 hub
	//   hop 2 EX1 delivery
	//   user1@contoso.com delivered at EX1 via dl@contoso.com
	//   user2@contoso.com delivered at EX1 via dl@contoso.com
	//   3 shadow rows
	// 15 rows, 1 trace
}

// Build one message's trace from its rows, without a Tracker: group the
// rows by KeyOf (here the logs hold one message, its NOTIFYMAPI tied in by
// its store key), then build each group with what is known of the
// organisation.
func ExampleBuildTrace() {
	inputs, err := msgtrk.OpenPaths("testdata/cases/owa-external")
	if err != nil {
		fmt.Println(err)
		return
	}
	var rows []*msgtrk.Record
	m := msgtrk.NewMerger(inputs)
	for m.Next() {
		rec := m.Record().Clone() // kept past the next row
		k := correlate.KeyOf(rec)
		if k.Primary == "" {
			fmt.Println("no message id, tied by", k.Store)
		}
		rows = append(rows, rec)
	}
	t, err := correlate.BuildTrace(rows, correlate.Context{Servers: []string{"EX1"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Key, t.Origin.Protocol, t.Origin.ClientType, len(t.Hops), "hops")
	for _, r := range t.Recipients {
		fmt.Println(r.Address, r.Status, r.Server)
	}
	// Output:
	// no message id, tied by store:8a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d/90210
	// 2a3b4c5d-6e7f-4a8b-9c0d-08dd44c1d004 store OWA 2 hops
	// dave@fabrikam.com sent_external EX1
}
