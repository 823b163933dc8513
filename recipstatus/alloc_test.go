package recipstatus

import (
	"testing"

	"github.com/mailtrace/mailtrace/internal/check"
)

// TestNoAllocs backs every "does no allocation" claim of the package.
func TestNoAllocs(t *testing.T) {
	resp := []byte("250 2.1.5 Recipient OK")
	blob := []byte("[{LED=554 5.2.0 STOREDRV.Deliver.Exception:E.F; failed [Stage: OnCreatedEvent]};{MSG=};{FQDN=EXCH003.domain.local};{IP=fe80::1234:5678:4321:1010};{LRT=07.10.2020 16:27:19}]")
	diag := []byte("STOREDRV.Deliver.Exception:MessageSubmissionExceededException.MapiExceptionMaxSubmissionExceeded; Failed [Stage: OnCreatedEvent][Agent: Meeting Message Processing Agent][DestinationFolder: ]")
	lrt := []byte("12/22/2020 2:28:06 AM")
	typ := []byte("Bcc")
	r, _ := ParseResponse(resp)
	l, _ := ParseLastError(blob)
	d, _ := ParseDiagnostic(diag)
	dst := make([]byte, 0, 512)
	var sink int
	tests := []struct {
		name string
		f    func()
	}{
		{"Parse/response", func() { st, _ := Parse(resp); sink += int(st.Response.Code) }},
		{"Parse/lasterror", func() { st, _ := Parse(blob); sink += st.LastError.Items }},
		{"Parse/diagnostic", func() { st, _ := Parse(diag); sink += st.Diagnostic.Pairs }},
		{"Parse/type", func() { st, _ := Parse(typ); sink += int(st.Type) }},
		{"ParseResponse", func() { r, _ := ParseResponse(resp); sink += int(r.Code) }},
		{"ParseLastError", func() { l, _ := ParseLastError(blob); sink += l.Items }},
		{"ParseDiagnostic", func() { d, _ := ParseDiagnostic(diag); sink += d.Pairs }},
		{"ParseLocalTime", func() { lt, _ := ParseLocalTime(lrt); sink += lt.Time.Day() }},
		{"ParseRecipientType", func() { sink += int(ParseRecipientType(typ)) }},
		{"Response.AppendTo", func() { sink += len(r.AppendTo(dst[:0])) }},
		{"Response.Diagnostic", func() { d, _ := l.LED.Diagnostic(); sink += d.Pairs }},
		{"EnhancedCode.AppendTo", func() { sink += len(r.Enhanced.AppendTo(dst[:0])) }},
		{"LastError.AppendTo", func() { sink += len(l.AppendTo(dst[:0])) }},
		{"LastError.Lookup", func() { v, _ := l.Lookup("FQDN"); sink += len(v) }},
		{"Diagnostic.Lookup", func() { v, _ := d.Lookup("Agent"); sink += len(v) }},
		{"ItemScanner", func() {
			var s ItemScanner
			s.Init(blob)
			for s.Next() {
				sink += len(s.Key()) + len(s.Value())
			}
			if s.Err() != nil {
				sink++
			}
		}},
		{"PairScanner", func() {
			var s PairScanner
			s.Init(d.Trailer)
			for s.Next() {
				sink += len(s.Key()) + len(s.Value())
			}
		}},
	}
	for _, tt := range tests {
		check.NoAllocs(t, tt.name, tt.f)
	}
	if sink == 0 {
		t.Error("nothing was decoded")
	}
}
