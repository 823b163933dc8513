package correlate

import "testing"

// TestPeerKey: a peer host is known by its short name unless the server
// of that short name is known by other domains only (format.md §4: the
// peer of a SEND is the remote next hop, and nothing in the format makes
// a host's first label its identity).
func TestPeerKey(t *testing.T) {
	o := newOrgState()
	o.markLogs("mail")
	o.markLogs("ex02")
	o.markLogs("edge01")
	o.learnFQDN(-1, "mail", []byte("MAIL.Corp.Contoso.com"))
	o.learnFQDN(-1, "edge01", []byte("edge01.contoso.com"))
	o.learnFQDN(-1, "edge01", []byte("edge01.perimeter.contoso.com")) // a second name
	o.learnFQDN(-1, "ex02", []byte("other.contoso.com"))              // not its own name: ignored
	for _, tt := range []struct{ host, want string }{
		{"mail.corp.contoso.com", "mail"},
		{"mail.fabrikam.net", "mail.fabrikam.net"},
		{"mail", "mail"},
		{"edge01.perimeter.contoso.com", "edge01"},
		{"edge01.contoso.com", "edge01"},
		{"edge01.fabrikam.net", "edge01.fabrikam.net"},
		{"ex02.anything.example", "ex02"}, // its domains are not known
		{"smtp.fabrikam.net", "smtp"},     // no such server: short, as before
		{"10.0.0.11", "10.0.0.11"},
		{"2001:db8::1", "2001:db8::1"},
	} {
		if got := o.peerKey(tt.host); got != tt.want {
			t.Errorf("peerKey(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{" Mail.Fabrikam.NET. ", "mail.fabrikam.net"},
		{"10.0.0.11", "10.0.0.11"},
		{"EX01", "ex01"},
	} {
		if got := string(appendPeerHost(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("appendPeerHost(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { o.peerKey("mail.fabrikam.net") }); n != 0 {
		t.Errorf("peerKey allocates %v times", n)
	}
}
