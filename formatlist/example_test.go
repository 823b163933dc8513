package formatlist_test

import (
	"fmt"

	"github.com/mailtrace/mailtrace/formatlist"
)

// A record as Get-MessageTrackingLog | Format-List prints it in a narrow
// console: values longer than 30 characters go on to the next line,
// indented to the value column. The status was cut inside a word (its
// first line is 30 characters long), the subject at a blank.
func ExampleParse() {
	text := "" +
		"EventId         : FAIL\n" +
		"RecipientStatus : {550 5.1.1 RESOLVER.ADR.RecipN\n" +
		"                  otFound; not found}\n" +
		"MessageSubject  : Quarterly figures for the\n" +
		"                  board\n"
	records, width := formatlist.Parse(text)
	for _, r := range records {
		for _, p := range r.Props {
			fmt.Printf("line %d, column %d: %s = %q\n", p.Line, p.Column, p.Name, formatlist.Unbrace(p.Value))
		}
	}
	fmt.Println("wrap width:", width)
	// Output:
	// line 1, column 19: EventId = "FAIL"
	// line 2, column 19: RecipientStatus = "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"
	// line 4, column 19: MessageSubject = "Quarterly figures for the board"
	// wrap width: 30
}
