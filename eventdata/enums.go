package eventdata

import (
	"strconv"

	"github.com/mailtrace/mailtrace/internal/ascii"
)

// Entity is the value of FromEntity and ToEntity: where Exchange placed
// the sender or recipient.
type Entity uint8

const (
	// EntityUnknown: absent, or a spelling not listed below (the raw
	// spelling is in Data.FromEntityRaw / ToEntityRaw).
	EntityUnknown  Entity = iota
	EntityInternet        // "Internet": outside the organisation
	EntityHosted          // "Hosted": inside the organisation
	// EntityUnclassified is written "Unknown" by Exchange: it could not
	// classify the party. It is a value of its own, not an absent one.
	EntityUnclassified
)

// String returns "Unknown", "Internet", "Hosted", "Unclassified" or
// "Entity(n)". Note that EntityUnclassified is spelled "Unknown" in logs.
func (e Entity) String() string {
	switch e {
	case EntityUnknown:
		return "Unknown"
	case EntityInternet:
		return "Internet"
	case EntityHosted:
		return "Hosted"
	case EntityUnclassified:
		return "Unclassified"
	}
	return "Entity(" + strconv.Itoa(int(e)) + ")"
}

// ParseEntity returns the Entity spelled by b (ASCII case-insensitive),
// or EntityUnknown. "Unknown" gives EntityUnclassified. It does no
// allocation and is safe for concurrent use.
func ParseEntity(b []byte) Entity {
	switch {
	case ascii.EqualFold(b, "Internet"):
		return EntityInternet
	case ascii.EqualFold(b, "Hosted"):
		return EntityHosted
	case ascii.EqualFold(b, "Unknown"):
		return EntityUnclassified
	}
	return EntityUnknown
}

// Priority is the value of DeliveryPriority.
type Priority uint8

const (
	PriorityUnknown Priority = iota // absent or not one of the spellings below
	PriorityNormal                  // "Normal"
	PriorityLow                     // "Low"
	PriorityHigh                    // "High"
)

// String returns "Unknown", "Normal", "Low", "High" or "Priority(n)".
func (p Priority) String() string {
	switch p {
	case PriorityUnknown:
		return "Unknown"
	case PriorityNormal:
		return "Normal"
	case PriorityLow:
		return "Low"
	case PriorityHigh:
		return "High"
	}
	return "Priority(" + strconv.Itoa(int(p)) + ")"
}

// ParsePriority returns the Priority spelled by b (ASCII case-insensitive),
// or PriorityUnknown. It does no allocation and is safe for concurrent use.
func ParsePriority(b []byte) Priority {
	switch {
	case ascii.EqualFold(b, "Normal"):
		return PriorityNormal
	case ascii.EqualFold(b, "Low"):
		return PriorityLow
	case ascii.EqualFold(b, "High"):
		return PriorityHigh
	}
	return PriorityUnknown
}

// Bool is a boolean member value (.NET writes "True" and "False") whose
// zero value means absent.
type Bool uint8

const (
	BoolUnknown Bool = iota // absent or not a boolean
	BoolFalse               // "False"
	BoolTrue                // "True"
)

// String returns "Unknown", "False", "True" or "Bool(n)".
func (b Bool) String() string {
	switch b {
	case BoolUnknown:
		return "Unknown"
	case BoolFalse:
		return "False"
	case BoolTrue:
		return "True"
	}
	return "Bool(" + strconv.Itoa(int(b)) + ")"
}

// Value returns the boolean and whether it is known.
func (b Bool) Value() (v, ok bool) { return b == BoolTrue, b == BoolTrue || b == BoolFalse }

func parseBool(b []byte) (Bool, bool) {
	switch {
	case ascii.EqualFold(b, "True"):
		return BoolTrue, true
	case ascii.EqualFold(b, "False"):
		return BoolFalse, true
	}
	return BoolUnknown, false
}
