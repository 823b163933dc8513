package msgtrktest

import (
	"fmt"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// MailLoop writes, as one 2016 log, n rows of one message caught in a mail loop between EX1
// and EX2: each server receives it from the other and sends it back, as a
// new copy (internal-message-id) every time; each SEND's reply names the
// copy the other server made ("250 2.6.0 <id> [InternalId=…, Hostname=…]
// Queued mail for delivery", format.md §6, §8), so the k-th copy is k
// hand-overs deep. With receivesOnly, only the RECEIVE rows are there (the
// SEND rows lost, or in logs not collected): nothing tells which copy sent
// to which, the worst case of the old builder's scans. It is the
// adversarial input of the correlator's linearity test and benchmark (one
// message, up to 10^4 rows).
func MailLoop(n int, receivesOnly bool) []byte {
	fields := msgtrk.Layout2016.FieldNames()
	b := []byte("#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.039\r\n#Log-type: Message Tracking Log\r\n#Date: 2024-05-06T10:00:00.000Z\r\n#Fields: ")
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, f...)
	}
	b = append(b, "\r\n"...)
	t0 := time.Date(2024, 5, 6, 10, 0, 0, 0, time.UTC)
	servers := [2]string{"EX1", "EX2"}
	for i := 0; i < n; i++ {
		hop := i / 2
		if receivesOnly {
			hop = i
		}
		local, other := servers[hop%2], servers[(hop+1)%2]
		var e msgtrk.Event
		e.Set(msgtrk.DateTime, t0.Add(time.Duration(i)*10*time.Millisecond).Format("2006-01-02T15:04:05.000Z"))
		e.Set(msgtrk.Source, "SMTP")
		e.Set(msgtrk.InternalMessageID, fmt.Sprint(1000+hop))
		e.Set(msgtrk.MessageID, "<loop@contoso.com>")
		e.Set(msgtrk.NetworkMessageID, "0d6a4f1e-2b3c-4d5e-8f90-08dc6d5f0b02")
		e.Set(msgtrk.RecipientAddress, "bob@contoso.com")
		e.Set(msgtrk.SenderAddress, "ann@contoso.com")
		if i%2 == 0 || receivesOnly {
			e.Set(msgtrk.EventID, "RECEIVE")
			e.Set(msgtrk.ClientHostname, other+".contoso.com")
			e.Set(msgtrk.ServerHostname, local)
			e.Set(msgtrk.MessageInfo, "0cI: ")
		} else {
			e.Set(msgtrk.EventID, "SEND")
			e.Set(msgtrk.ClientHostname, local)
			e.Set(msgtrk.ServerHostname, other+".contoso.com")
			e.Set(msgtrk.ConnectorID, "Intra-Organization SMTP Send Connector")
			e.Set(msgtrk.SourceContext, fmt.Sprintf(";250 2.6.0 <loop@contoso.com> [InternalId=%d, Hostname=%s.contoso.com] Queued mail for delivery;ClientSubmitTime:", 1000+hop+1, strings.ToLower(other)))
		}
		for j, f := range msgtrk.Layout2016.Fields() {
			if j > 0 {
				b = append(b, ',')
			}
			b = msgtrk.AppendField(b, e.Fields[f])
		}
		b = append(b, "\r\n"...)
	}
	return b
}
