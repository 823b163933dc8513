package msgtrk

import "github.com/mailtrace/mailtrace/internal/ascii"

// GUID is a 16-byte identifier as Exchange prints it,
// xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (network-message-id, log-id,
// mailbox database and mailbox GUIDs). The bytes are stored in the order the
// hexadecimal digits are printed, so String gives back the same text in
// lower case. The zero GUID means absent. GUID is comparable and can be a
// map key.
type GUID [16]byte

// IsZero reports whether g is the zero GUID.
func (g GUID) IsZero() bool { return g == GUID{} }

// ParseGUID parses a GUID in either case, written as 32 hexadecimal digits
// in the groups 8-4-4-4-12 (the form of every GUID column), optionally
// enclosed in braces, or as 32 digits without hyphens (the form transport
// rule ids take in DLP and rule reports, C27D21EECA0311E0BCB896154924019B).
// ok is false for anything else, such as the anonymised
// "12345678-3232-2323-1111-12345679666" whose last group is short.
// It does no allocation and is safe for concurrent use.
func ParseGUID[T []byte | string](s T) (GUID, bool) {
	var g GUID
	if len(s) == 38 && s[0] == '{' && s[37] == '}' {
		s = s[1:37]
	}
	switch len(s) {
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return GUID{}, false
		}
		j := 0
		for i := 0; i < 36; {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				i++
				continue
			}
			hi, ok1 := ascii.Unhex(s[i])
			lo, ok2 := ascii.Unhex(s[i+1])
			if !ok1 || !ok2 {
				return GUID{}, false
			}
			g[j] = hi<<4 | lo
			j++
			i += 2
		}
	case 32:
		for j := range g {
			hi, ok1 := ascii.Unhex(s[2*j])
			lo, ok2 := ascii.Unhex(s[2*j+1])
			if !ok1 || !ok2 {
				return GUID{}, false
			}
			g[j] = hi<<4 | lo
		}
	default:
		return GUID{}, false
	}
	return g, true
}

// MustParseGUID is ParseGUID for tests with hard-coded strings; it panics on
// a malformed value.
func MustParseGUID(s string) GUID {
	g, ok := ParseGUID(s)
	if !ok {
		panic("msgtrk: MustParseGUID(" + s + "): malformed GUID")
	}
	return g
}

// AppendTo appends the lower-case hyphenated form of g to b. It allocates
// only when b must grow.
func (g GUID) AppendTo(b []byte) []byte {
	const hexdigits = "0123456789abcdef"
	for i, x := range g {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexdigits[x>>4], hexdigits[x&15])
	}
	return b
}

// String returns the lower-case hyphenated form of g. It allocates the
// string.
func (g GUID) String() string {
	var buf [36]byte
	return string(g.AppendTo(buf[:0]))
}

// MarshalText implements encoding.TextMarshaler.
func (g GUID) MarshalText() ([]byte, error) { return g.AppendTo(nil), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (g *GUID) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*g = GUID{}
		return nil
	}
	v, ok := ParseGUID(b)
	if !ok {
		return &ParseError{Err: ErrSyntax, Excerpt: excerpt(b, 0)}
	}
	*g = v
	return nil
}
