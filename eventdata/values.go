package eventdata

import (
	"net/netip"
	"strconv"
	"time"
)

// GUID is a 16-byte identifier such as a mailbox database GUID or a
// transport rule id. The bytes are kept in the order their hex digits are
// written ("00112233-4455-…" gives 0x00, 0x11, …), not in the mixed-endian
// layout Windows uses in memory.
//
// GUID is a comparable value type. Its zero value, the nil GUID, means
// absent: a parsed all-zero GUID cannot be told from a missing one.
type GUID [16]byte

// ParseGUID parses a GUID written as 32 hex digits in the groups 8-4-4-4-12
// ("ff116ef4-402d-4dff-90cb-c3d772b3179a"), optionally enclosed in braces,
// or as 32 hex digits without hyphens (the DLP report form). Hex digits may
// be upper or lower case. Any other input, such as the anonymised
// "12345678-3232-2323-1111-12345679666" whose last group is short, gives a
// *[SyntaxError] wrapping [ErrValue].
//
// ParseGUID does no allocation on success. It is safe for concurrent use.
func ParseGUID(b []byte) (GUID, error) {
	g, ok := parseGUID(b)
	if !ok {
		return GUID{}, newSyntaxError(0, nil, b, ErrValue)
	}
	return g, nil
}

// MustParseGUID is like [ParseGUID] but panics on error. It is meant for
// tests and package-level variables.
func MustParseGUID(s string) GUID {
	g, ok := parseGUID(s)
	if !ok {
		panic("eventdata: MustParseGUID(" + strconv.Quote(s) + "): invalid GUID")
	}
	return g
}

func parseGUID[T string | []byte](b T) (GUID, bool) {
	var g GUID
	if len(b) == 38 && b[0] == '{' && b[37] == '}' {
		b = b[1:37]
	}
	switch len(b) {
	case 36:
		if b[8] != '-' || b[13] != '-' || b[18] != '-' || b[23] != '-' {
			return GUID{}, false
		}
		j := 0
		for i := 0; i < 36; {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				i++
				continue
			}
			hi, ok1 := unhex(b[i])
			lo, ok2 := unhex(b[i+1])
			if !ok1 || !ok2 {
				return GUID{}, false
			}
			g[j] = hi<<4 | lo
			j++
			i += 2
		}
	case 32:
		for j := 0; j < 16; j++ {
			hi, ok1 := unhex(b[2*j])
			lo, ok2 := unhex(b[2*j+1])
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

// IsZero reports whether g is the zero (absent) GUID.
func (g GUID) IsZero() bool { return g == GUID{} }

// AppendTo appends the lower-case 8-4-4-4-12 form of g to b. It allocates
// only when b must grow.
func (g GUID) AppendTo(b []byte) []byte {
	const hexdigits = "0123456789abcdef"
	for i, c := range g {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexdigits[c>>4], hexdigits[c&0xf])
	}
	return b
}

// String returns the lower-case 8-4-4-4-12 form of g. It allocates.
func (g GUID) String() string { return string(g.AppendTo(make([]byte, 0, 36))) }

// MarshalText implements encoding.TextMarshaler with the form of String.
func (g GUID) MarshalText() ([]byte, error) { return g.AppendTo(make([]byte, 0, 36)), nil }

// UnmarshalText implements encoding.TextUnmarshaler with [ParseGUID]. An
// empty text gives the zero GUID.
func (g *GUID) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*g = GUID{}
		return nil
	}
	v, err := ParseGUID(b)
	if err != nil {
		return err
	}
	*g = v
	return nil
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

// maxSeconds is the largest whole number of seconds a time.Duration holds.
const maxSeconds = int64(1<<63-1) / int64(time.Second)

// parseSeconds parses decimal seconds as Exchange writes latencies
// ("1.928", "0.402", "14", "-0.010") into a Duration without going through
// a float: 1.928 is exactly 1928ms. Digits beyond nanoseconds are
// truncated. ok is false for anything else (no digits, a ',' decimal
// separator, an exponent, overflow).
func parseSeconds(b []byte) (time.Duration, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	i := 0
	var sec int64
	for i < len(b) && isDigit(b[i]) {
		if sec > maxSeconds/10 {
			return 0, false
		}
		sec = sec*10 + int64(b[i]-'0')
		i++
	}
	if i == 0 || sec > maxSeconds {
		return 0, false
	}
	var ns int64
	if i < len(b) {
		if b[i] != '.' || i+1 == len(b) {
			return 0, false
		}
		i++
		scale := int64(time.Second)
		for ; i < len(b); i++ {
			if !isDigit(b[i]) {
				return 0, false
			}
			if scale > 1 {
				scale /= 10
				ns += int64(b[i]-'0') * scale
			}
		}
	}
	if sec == maxSeconds && ns > int64(1<<63-1)-sec*int64(time.Second) {
		return 0, false
	}
	d := time.Duration(sec)*time.Second + time.Duration(ns)
	if neg {
		d = -d
	}
	return d, true
}

// parseCount parses a non-negative decimal integer of at most 18 digits.
func parseCount(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// smallZones holds the numeric IPv6 zones ("%3") as static strings, so
// that attaching one to an address does not allocate.
var smallZones = func() (t [256]string) {
	for i := range t {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

// parseAddr parses an IPv4 or IPv6 address, with an optional IPv6 zone,
// accepting exactly what netip.ParseAddr accepts, without allocating unless
// the zone is not a number from 0 to 255.
func parseAddr(b []byte) (netip.Addr, bool) {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '.':
			ip, ok := parseIPv4(b)
			if !ok {
				return netip.Addr{}, false
			}
			return netip.AddrFrom4(ip), true
		case ':':
			return parseIPv6(b)
		case '%':
			return netip.Addr{}, false
		}
	}
	return netip.Addr{}, false
}

func parseIPv4(b []byte) (ip [4]byte, ok bool) {
	field, val, digits := 0, 0, 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case isDigit(c):
			if digits == 1 && val == 0 {
				return ip, false // leading zero
			}
			val = val*10 + int(c-'0')
			digits++
			if val > 255 {
				return ip, false
			}
		case c == '.':
			if digits == 0 || field == 3 {
				return ip, false
			}
			ip[field] = byte(val)
			field++
			val, digits = 0, 0
		default:
			return ip, false
		}
	}
	if field != 3 || digits == 0 {
		return ip, false
	}
	ip[3] = byte(val)
	return ip, true
}

func parseIPv6(b []byte) (netip.Addr, bool) {
	var zone []byte
	hasZone := false
	for i, c := range b {
		if c == '%' {
			zone, b = b[i+1:], b[:i]
			hasZone = true
			if len(zone) == 0 {
				return netip.Addr{}, false
			}
			break
		}
	}
	var ip [16]byte
	ellipsis := -1
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		ellipsis = 0
		b = b[2:]
		if len(b) == 0 {
			return withZone(netip.IPv6Unspecified(), zone, hasZone), true
		}
	}
	i := 0
	for i < 16 {
		off, acc := 0, 0
		for off < len(b) {
			v, ok := unhex(b[off])
			if !ok {
				break
			}
			if off > 3 {
				return netip.Addr{}, false
			}
			acc = acc<<4 | int(v)
			off++
		}
		if off == 0 {
			return netip.Addr{}, false
		}
		if off < len(b) && b[off] == '.' {
			if ellipsis < 0 && i != 12 || i+4 > 16 {
				return netip.Addr{}, false
			}
			v4, ok := parseIPv4(b)
			if !ok {
				return netip.Addr{}, false
			}
			copy(ip[i:], v4[:])
			i += 4
			b = b[len(b):]
			break
		}
		ip[i] = byte(acc >> 8)
		ip[i+1] = byte(acc)
		i += 2
		b = b[off:]
		if len(b) == 0 {
			break
		}
		if b[0] != ':' || len(b) == 1 {
			return netip.Addr{}, false
		}
		b = b[1:]
		if b[0] == ':' {
			if ellipsis >= 0 {
				return netip.Addr{}, false
			}
			ellipsis = i
			b = b[1:]
			if len(b) == 0 {
				break
			}
		}
	}
	if len(b) != 0 {
		return netip.Addr{}, false
	}
	if i < 16 {
		if ellipsis < 0 {
			return netip.Addr{}, false
		}
		n := 16 - i
		for j := i - 1; j >= ellipsis; j-- {
			ip[j+n] = ip[j]
		}
		clear(ip[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return netip.Addr{}, false
	}
	return withZone(netip.AddrFrom16(ip), zone, hasZone), true
}

func withZone(a netip.Addr, zone []byte, has bool) netip.Addr {
	if !has {
		return a
	}
	if n, ok := parseCount(zone); ok && n < len(smallZones) && (len(zone) == 1 || zone[0] != '0') {
		return a.WithZone(smallZones[n])
	}
	return a.WithZone(string(zone))
}

// parseTimeUTC parses yyyy-MM-ddTHH:mm:ss[.f…]Z with 0 to 9 fraction
// digits, the form of the st= stamp of transport-rule groups, without
// allocating.
func parseTimeUTC(b []byte) (time.Time, bool) {
	n := len(b)
	if n < 20 || b[n-1] != 'Z' || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	num := func(s []byte) (int, bool) {
		v := 0
		for _, c := range s {
			if !isDigit(c) {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	year, ok1 := num(b[0:4])
	month, ok2 := num(b[5:7])
	day, ok3 := num(b[8:10])
	hour, ok4 := num(b[11:13])
	minute, ok5 := num(b[14:16])
	sec, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 ||
		day > daysIn(month, year) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	nsec := 0
	frac := b[19 : n-1]
	if len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		v, ok := num(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for k := len(frac) - 1; k < 9; k++ {
			v *= 10
		}
		nsec = v
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// equalFold reports whether b equals the ASCII string s, ignoring ASCII case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c, d := b[i], s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= d && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}
