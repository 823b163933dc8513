package report

import (
	"slices"
	"strings"

	"github.com/mailtrace/mailtrace/correlate"
)

// Selection chooses recipients by outcome and address: the traces that have
// at least one chosen recipient, and the deliveries of chosen recipients.
// The zero Selection chooses everything.
type Selection struct {
	// Statuses: the recipient's outcome is one of these (none: any).
	Statuses []correlate.Status
	// Address, when set, must accept one of the recipient's addresses: the
	// final address, the alias it was addressed as, its forwarding target or
	// a group it came through.
	Address func(addr string) bool
}

// Recipient reports whether r is chosen.
func (s *Selection) Recipient(r *correlate.Recipient) bool {
	if len(s.Statuses) > 0 && !slices.Contains(s.Statuses, r.Status) {
		return false
	}
	if s.Address == nil || s.Address(r.Address) || r.ResolvedFrom != "" && s.Address(r.ResolvedFrom) ||
		r.RedirectedTo != "" && s.Address(r.RedirectedTo) {
		return true
	}
	return slices.ContainsFunc(r.ExpandedFrom, s.Address)
}

// Trace reports whether t has a chosen recipient; with no condition set,
// every trace is chosen, even one without recipients.
func (s *Selection) Trace(t *correlate.Trace) bool {
	if len(s.Statuses) == 0 && s.Address == nil {
		return true
	}
	for i := range t.Recipients {
		if s.Recipient(&t.Recipients[i]) {
			return true
		}
	}
	return false
}

// Delivery reports whether d is chosen.
func (s *Selection) Delivery(d *Delivery) bool {
	r := correlate.Recipient{Address: d.Recipient, Status: d.Status, ResolvedFrom: d.ResolvedFrom, RedirectedTo: d.RedirectedTo, ExpandedFrom: d.Groups}
	return s.Recipient(&r)
}

// ParseStatus returns the recipient outcome named s, as correlate.Status
// spells it ("delivered", "sent_external", "failed" …); a '-' may stand for
// the '_' and case is ignored. Of the spellings admins use, "sent" and
// "external" are sent_external and "fail" is failed.
func ParseStatus(s string) (correlate.Status, bool) {
	s = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_")
	switch s {
	case "sent", "external":
		s = correlate.StatusSentExternal.String()
	case "fail":
		s = correlate.StatusFailed.String()
	}
	for _, st := range Statuses() {
		if st.String() == s {
			return st, true
		}
	}
	return 0, false
}

// Statuses returns every recipient outcome correlate.Status defines.
func Statuses() []correlate.Status {
	var out []correlate.Status
	for st := correlate.Status(0); ; st++ {
		if strings.HasPrefix(st.String(), "Status(") {
			return out
		}
		out = append(out, st)
		if st == 255 {
			return out
		}
	}
}
