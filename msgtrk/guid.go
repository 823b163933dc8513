package msgtrk

// GUID is a 16-byte identifier as Exchange prints it,
// xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (network-message-id, log-id,
// mailbox database and mailbox GUIDs). The bytes are stored in the order the
// hexadecimal digits are printed, so String gives back the same text in
// lower case. The zero GUID means absent. GUID is comparable and can be a
// map key.
type GUID [16]byte

// IsZero reports whether g is the zero GUID.
func (g GUID) IsZero() bool { return g == GUID{} }

// ParseGUID parses the 36-character hyphenated form, in either case, with
// optional surrounding braces. It does no allocation.
func ParseGUID[T []byte | string](s T) (GUID, bool) {
	var g GUID
	if len(s) == 38 && s[0] == '{' && s[37] == '}' {
		s = s[1:37]
	}
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return g, false
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
			continue
		}
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return GUID{}, false
		}
		g[j] = hi<<4 | lo
		j++
		i += 2
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

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// AppendTo appends the lower-case hyphenated form of g to b.
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

// String returns the lower-case hyphenated form of g.
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
