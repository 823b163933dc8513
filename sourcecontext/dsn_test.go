package sourcecontext

import (
	"errors"
	"testing"
)

// TestParseDSNPartial pins what comes back with an error: the types of the
// members that were understood.
func TestParseDSNPartial(t *testing.T) {
	tests := []struct {
		in      string
		want    DSNFlags
		wantErr error
	}{
		{"Failure, Receipt", DSNFailure, ErrDSNType},
		{"Bounce, Delay", DSNDelay, ErrDSNType},
		{"Relay,,Delivery", DSNRelay | DSNDelivery, ErrSyntax},
		{"None", 0, ErrDSNType},
	}
	for _, tt := range tests {
		got, err := ParseDSN(b(tt.in))
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("ParseDSN(%q) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	for _, in := range []string{"", " ", "\t"} {
		if got, err := ParseDSN(b(in)); got != 0 || err != nil {
			t.Errorf("ParseDSN(%q) = %v, %v; want 0, nil", in, got, err)
		}
	}
}

func TestDSNFlagsString(t *testing.T) {
	tests := []struct {
		f    DSNFlags
		want string
	}{
		{0, "Unknown"},
		{DSNDelivery, "Delivery"},
		{DSNDelay, "Delay"},
		{DSNFailure, "Failure"},
		{DSNRelay, "Relay"},
		{DSNExpansion, "Expansion"},
		{DSNQuarantine, "Quarantine"},
		{DSNRelay | DSNDelivery, "Delivery, Relay"},
		{DSNFailure | 0x80, "Failure, DSNFlags(0x80)"},
		{0xc0, "DSNFlags(0xc0)"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("DSNFlags(%#x).String() = %q, want %q", uint8(tt.f), got, tt.want)
		}
	}
	// Every set of known types reads back as itself.
	for f := DSNFlags(1); f < 1<<len(dsnNames); f++ {
		if got, err := ParseDSN(b(f.String())); got != f || err != nil {
			t.Errorf("ParseDSN(%q) = %v, %v; want %v", f.String(), got, err, f)
		}
	}
	if string(DSNFlags(0).AppendTo(b("x"))) != "x" {
		t.Error("the zero DSNFlags appends something")
	}
}

func TestDSNFlagsHas(t *testing.T) {
	f := DSNDelivery | DSNRelay
	for _, tt := range []struct {
		t    DSNFlags
		want bool
	}{{DSNDelivery, true}, {DSNRelay, true}, {DSNDelivery | DSNRelay, true}, {DSNFailure, false}, {DSNFailure | DSNRelay, false}, {0, false}} {
		if got := f.Has(tt.t); got != tt.want {
			t.Errorf("(%v).Has(%v) = %v, want %v", f, tt.t, got, tt.want)
		}
	}
	if DSNFlags(0).Has(0) {
		t.Error("the zero DSNFlags has the zero set")
	}
}
