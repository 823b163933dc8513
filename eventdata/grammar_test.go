package eventdata

import (
	"errors"
	"testing"

	"github.com/mailtrace/mailtrace/internal/ebnfmatch"
	"github.com/mailtrace/mailtrace/internal/grammar"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// TestGrammar verifies testdata/eventdata.ebnf and checks it against the
// scanners, on the table inputs and the real samples: every custom-data
// value the Scanner reads in Strict mode without error is a CustomData,
// every group the GroupScanner reads without error a Group, every
// PowerShell rendering the PSScanner reads without error a PowerShell; and
// no input they reject for its syntax is derived.
func TestGrammar(t *testing.T) {
	g := grammar.Load(t, "testdata/eventdata.ebnf", "Formats")
	m := ebnfmatch.New(g)
	checked := map[string]int{}
	check := func(prod, in string, err error, syntax ...error) {
		t.Helper()
		switch {
		case err == nil:
			checked[prod]++
			if !m.Matches(prod, in) {
				t.Errorf("the scanner reads %.80q, the grammar does not derive it as %s", in, prod)
			}
		case isOneOf(err, syntax):
			checked[prod+" rejected"]++
			if m.Matches(prod, in) {
				t.Errorf("the scanner rejects %.80q (%v), the grammar derives it as %s", in, err, prod)
			}
		}
	}

	var customData []string
	for _, tt := range scanTests {
		customData = append(customData, tt.in)
	}
	for _, tt := range scanErrorTests {
		customData = append(customData, tt.in)
	}
	for _, s := range realCustomData(t) {
		customData = append(customData, string(s.value))
	}
	var groups []string
	for _, tt := range groupTests {
		groups = append(groups, tt.in)
	}
	for _, in := range customData {
		var s Scanner
		s.InitMode([]byte(in), msgtrk.Strict)
		for s.Next() {
			switch ParseKey(s.Key()) {
			case KeyAMA, KeyTRA, KeySFA, KeyCompCost:
				groups = append(groups, string(s.Value()))
			}
		}
		check("CustomData", in, s.Err(), ErrNoTag, ErrNoEquals, ErrNoKey, ErrQuote)
	}
	for _, in := range groups {
		var gs GroupScanner
		gs.Init([]byte(in))
		for gs.Next() {
		}
		check("Group", in, gs.Err(), ErrEmptyPart, ErrTruncated)
	}
	var ps []string
	for _, tt := range psTests {
		ps = append(ps, tt.in)
	}
	for _, tt := range psErrorTests {
		ps = append(ps, tt.in)
	}
	const f134852 = "learn.microsoft.com_answers_134852_Get-MessageTrackingLog_DELIVERFAIL_FAIL_fl.txt"
	for nth := range 2 {
		ps = append(ps, string(AppendUnwrapped(nil, cmdletField(t, f134852, "EventData", "TransportTrafficType", nth))))
	}
	for _, in := range ps {
		var s PSScanner
		s.Init([]byte(in))
		for s.Next() {
		}
		check("PowerShell", in, s.Err(), ErrPowerShell, ErrTruncated)
	}
	t.Logf("inputs checked: %v", checked)
	for _, k := range []string{"CustomData", "CustomData rejected", "Group", "Group rejected", "PowerShell", "PowerShell rejected"} {
		if checked[k] < 3 {
			t.Errorf("only %d inputs checked for %s", checked[k], k)
		}
	}
}

func isOneOf(err error, targets []error) bool {
	for _, e := range targets {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
