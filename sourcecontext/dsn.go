package sourcecontext

import (
	"strconv"

	"github.com/mailtrace/mailtrace/internal/ascii"
)

// DSNFlags is the set of types of delivery status notification that the
// source-context of a DSN row (source DSN, event-id DSN) names: Exchange's
// DsnFlags, written as one name or a ", "-separated list such as
// "Delivery, Relay" (format.md §8). Only a Failure DSN is a non-delivery
// report (NDR). The zero value names no type: the value was empty or not
// understood, and nothing may be concluded from it. DSNFlags is a plain
// value.
type DSNFlags uint8

// The DSN types, one bit each, spelled in the log as their names without
// the DSN prefix.
const (
	// DSNDelivery: "Delivery", the message was delivered (a delivery
	// report).
	DSNDelivery DSNFlags = 1 << iota
	// DSNDelay: "Delay", delivery is delayed and still being tried (a
	// delay notice, after DEFER rows).
	DSNDelay
	// DSNFailure: "Failure", the message could not be delivered: a
	// non-delivery report (NDR).
	DSNFailure
	// DSNRelay: "Relay", the message was handed to a system that reports
	// no delivery (a relay report).
	DSNRelay
	// DSNExpansion: "Expansion", the recipient was a group and was
	// expanded.
	DSNExpansion
	// DSNQuarantine: "Quarantine", the message was quarantined.
	DSNQuarantine
)

// dsnNames are the names of the DSNFlags bits, lowest bit first.
var dsnNames = [...]string{"Delivery", "Delay", "Failure", "Relay", "Expansion", "Quarantine"}

// Has reports whether f names every type of t.
func (f DSNFlags) Has(t DSNFlags) bool { return t != 0 && f&t == t }

// String returns the types as Exchange writes them, names joined by ", "
// in the order of the constants ("Delivery, Relay"), which [ParseDSN]
// reads back; "Unknown" for the zero value. Bits that name no type are
// written as a last member "DSNFlags(0x…)".
func (f DSNFlags) String() string {
	if f == 0 {
		return "Unknown"
	}
	return string(f.AppendTo(nil))
}

// AppendTo appends f.String() to dst, without allocating when dst has
// room; it appends nothing for the zero value.
func (f DSNFlags) AppendTo(dst []byte) []byte {
	first := true
	sep := func() {
		if !first {
			dst = append(dst, ", "...)
		}
		first = false
	}
	for i, name := range dsnNames {
		if f&(1<<i) != 0 {
			sep()
			dst = append(dst, name...)
		}
	}
	if rest := f &^ (1<<len(dsnNames) - 1); rest != 0 {
		sep()
		dst = append(dst, "DSNFlags(0x"...)
		dst = strconv.AppendUint(dst, uint64(rest), 16)
		dst = append(dst, ')')
	}
	return dst
}

// ParseDSNType returns the one type named exactly (case-sensitive, as
// Exchange writes it) by b, or 0. It does no allocation.
func ParseDSNType(b []byte) DSNFlags {
	for i, name := range dsnNames {
		if string(b) == name {
			return 1 << i
		}
	}
	return 0
}

// ParseDSN decodes the source-context of a DSN row (source DSN, event-id
// DSN): one type name or a list of them separated by "," (Exchange writes
// ", "), such as "Failure" or "Delivery, Relay" (format.md §8). Names are
// matched exactly, as Exchange writes them ([ParseDSNType]); blanks around
// them are ignored. A blank value names no type and is not an error.
//
// Lenient: it returns the types of every member it recognises plus the
// first error, a [*SyntaxError] wrapping [ErrDSNType] at a member that
// names no known type, or [ErrSyntax] at an empty member ("Failure,").
// A caller that must not guess treats a value with an error as naming no
// type. It does no allocation unless it returns an error.
func ParseDSN(src []byte) (DSNFlags, error) {
	var f DSNFlags
	var es errState
	if len(ascii.TrimSpace(src)) == 0 {
		return 0, nil
	}
	for start := 0; start <= len(src); {
		end := start
		for end < len(src) && src[end] != ',' {
			end++
		}
		lead := start
		for lead < end && ascii.IsSpace(src[lead]) {
			lead++
		}
		member := ascii.TrimSpace(src[lead:end])
		switch t := ParseDSNType(member); {
		case t != 0:
			f |= t
		case len(member) == 0:
			es.Set(lead, ErrSyntax)
		default:
			es.Set(lead, ErrDSNType)
		}
		start = end + 1
	}
	return f, es.err(src)
}
