package filekind_test

import (
	"fmt"

	"github.com/mailtrace/mailtrace/filekind"
)

// What a file is, from its first bytes.
func ExampleSniff() {
	for _, head := range []string{
		"\uFEFF#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.039\r\n#Log-type: Message Tracking Log\r\n",
		"#Software: Microsoft Exchange Server\r\n#Log-type: SMTP Receive Protocol Log\r\n",
		"#TYPE Microsoft.Exchange.Management.TransportLogSearchTasks.MessageTrackingEvent\r\n\"Timestamp\",\"EventId\",\"Sender\"\r\n",
		"Name,Phone\r\nAlex,555-0100\r\n",
	} {
		r := filekind.Sniff([]byte(head))
		fmt.Printf("%v (accepted %v): %s\n", r.Kind, r.Kind.Accepted(), r.Reason())
	}
	// Output:
	// tracking-log (accepted true): a message tracking log
	// smtp-receive-log (accepted false): an SMTP Receive protocol log, not a message tracking log
	// cmdlet-csv (accepted true): Get-MessageTrackingLog output exported with Export-Csv
	// unknown-csv (accepted false): a CSV file of other columns ("Name", "Phone"), not a message tracking log or a known export
}
