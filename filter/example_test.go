package filter_test

import (
	"fmt"
	"strings"

	"github.com/mailtrace/mailtrace/filter"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// Select the rows Get-MessageTrackingLog -Sender ann@contoso.com -EventId
// SEND would return.
func ExampleEvents() {
	f := filter.Events{
		Senders:  []string{"ann@contoso.com"}, // any case
		EventIDs: []msgtrk.EventType{msgtrk.EventSend},
	}
	f.Compile()
	r := msgtrk.NewReader(strings.NewReader(log))
	for r.Next() {
		if rec := r.Record(); f.Match(rec) {
			fmt.Println(rec.EventType(), string(rec.Field(msgtrk.RecipientAddress)))
		}
	}
	// Output:
	// SEND bob@contoso.com;carl@contoso.com
}
