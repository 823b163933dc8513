package messageinfo

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/mailtrace/mailtrace/internal/realdata"
)

// realValue is one message-info value found in the real samples.
type realValue struct {
	Name  string // file base name plus "#line" or "#record<n>"
	Event string // "SMTP SEND", ...
	Value string
}

// realValues returns the message-info of every row of the raw logs and
// every record of the cmdlet output in testdata/real, empty ones included,
// as read by internal/realdata (cmdlet output unwrapped by package formatlist).
// Rows without the column are skipped: the Exchange 2007 row has it, the
// truncated AGENTINFO rows have it (empty).
func realValues(t testing.TB) []realValue {
	t.Helper()
	var out []realValue
	for _, r := range realdata.All(t) {
		v, ok := r.Get("message-info")
		if !ok {
			continue
		}
		name := filepath.Base(r.File) + "#" + strconv.Itoa(r.Line)
		if r.Style != realdata.Log {
			name = filepath.Base(r.File) + "#record" + strconv.Itoa(r.Line)
		}
		out = append(out, realValue{Name: name, Event: r.Source + " " + r.Event, Value: v})
	}
	return out
}
