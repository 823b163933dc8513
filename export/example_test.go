package export_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/export"
	"github.com/mailtrace/mailtrace/filekind"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// An Export-Csv of Get-MessageTrackingLog, made by Windows PowerShell 5.1
// on a machine in Berlin: read as tracking rows, its local times in UTC,
// the columns it lacks absent.
func ExampleNewReader() {
	csv := "#TYPE Microsoft.Exchange.Management.TransportLogSearchTasks.MessageTrackingEvent\r\n" +
		`"Timestamp","EventId","Source","Sender","Recipients","MessageSubject"` + "\r\n" +
		`"04.03.2024 09:00:01","RECEIVE","SMTP","alex@contoso.com","dana@contoso.com;lee@contoso.com","Budget, 2024"` + "\r\n" +
		`"04.03.2024 09:00:02","DELIVER","STOREDRIVER","alex@contoso.com","dana@contoso.com","Budget, 2024"` + "\r\n"
	res, text, _ := filekind.NewReader(strings.NewReader(csv))
	berlin, _ := time.LoadLocation("Europe/Berlin")
	r := msgtrk.NewReader(export.NewReader("tracking.csv", res, text, export.Options{Zone: berlin}))
	fmt.Println(res.Reason())
	for r.Next() {
		rec := r.Record()
		var rcpts msgtrk.ListScanner
		rec.List(msgtrk.RecipientAddress, &rcpts)
		n := 0
		for rcpts.Next() {
			n++
		}
		fmt.Printf("line %d: %s %s, %d recipient(s), network-message-id in the export: %v\n",
			rec.LineNumber(), rec.Field(msgtrk.DateTime), rec.Field(msgtrk.EventID), n, rec.Has(msgtrk.NetworkMessageID))
	}
	// Output:
	// Get-MessageTrackingLog output exported with Export-Csv
	// line 3: 2024-03-04T08:00:01.000Z RECEIVE, 2 recipient(s), network-message-id in the export: false
	// line 4: 2024-03-04T08:00:02.000Z DELIVER, 1 recipient(s), network-message-id in the export: false
}
