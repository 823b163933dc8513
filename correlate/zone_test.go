package correlate_test

import (
	"strings"
	"testing"

	"github.com/mailtrace/mailtrace/correlate"
)

// TestLongZoneClientIP: a client-ip with an IPv6 zone of any length (a
// garbled or hostile line: netip bounds no zone) comes out of the trace
// as it went in, and nothing panics when the trace is built.
func TestLongZoneClientIP(t *testing.T) {
	for _, n := range []int{5, 239, 240, 245, 1000} {
		ip := "fe80::1%" + strings.Repeat("z", n)
		var got []*correlate.Trace
		tk, err := correlate.New(correlate.Options{OnTrace: func(tr *correlate.Trace) { got = append(got, tr) }})
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range readRows(t, map[string]string{
			"client-ip": ip, "original-client-ip": "203.0.113.9", "client-hostname": "mail.example.net",
			"server-hostname": "EX01", "source": "SMTP", "event-id": "RECEIVE",
			"network-message-id": "8a7b08dc-6d5f-4d5e-4f60-08dc6d5f0b02", "recipient-address": "bob@contoso.com",
		}) {
			tk.Add(rec)
		}
		tk.Flush()
		if len(got) != 1 {
			t.Fatalf("zone of %d bytes: %d traces, want 1", n, len(got))
		}
		if o := got[0].Origin; o.ClientIP.String() != ip || o.OriginalClientIP.String() != "203.0.113.9" {
			t.Errorf("zone of %d bytes: client-ip %q, original-client-ip %v", n, o.ClientIP, o.OriginalClientIP)
		}
	}
}
