package recipstatus

import "net/netip"

// parseAddr parses a textual IPv4 or IPv6 address without a zone, as
// netip.ParseAddr does, but from bytes and without allocating. It reports
// false for anything else (including zoned IPv6 addresses).
func parseAddr(b []byte) (netip.Addr, bool) {
	for _, c := range b {
		if c == ':' {
			return parseIPv6(b)
		}
	}
	v4, ok := parseIPv4(b)
	if !ok {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(v4), true
}

func parseIPv4(b []byte) ([4]byte, bool) {
	var out [4]byte
	i := 0
	for k := 0; k < 4; k++ {
		if k > 0 {
			if i >= len(b) || b[i] != '.' {
				return out, false
			}
			i++
		}
		v, n := digits(b, i, 3)
		if n == 0 || v > 255 || (n > 1 && b[i] == '0') {
			return out, false
		}
		out[k] = byte(v)
		i += n
	}
	return out, i == len(b)
}

func unhex(c byte) (int, bool) {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0'), true
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10, true
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}

func parseIPv6(b []byte) (netip.Addr, bool) {
	var ip [16]byte
	gap := -1 // byte index in ip where "::" stands
	i, j := 0, 0
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		gap = 0
		i = 2
		if i == len(b) {
			return netip.AddrFrom16(ip), true
		}
	}
	for j < 16 {
		start := i
		acc := 0
		for i < len(b) && i-start < 4 {
			h, ok := unhex(b[i])
			if !ok {
				break
			}
			acc = acc<<4 | h
			i++
		}
		if i == start {
			return netip.Addr{}, false
		}
		if i < len(b) && b[i] == '.' {
			// Embedded IPv4 in the last 32 bits.
			if gap < 0 && j != 12 || j+4 > 16 {
				return netip.Addr{}, false
			}
			v4, ok := parseIPv4(b[start:])
			if !ok {
				return netip.Addr{}, false
			}
			copy(ip[j:], v4[:])
			j += 4
			i = len(b)
			break
		}
		if i < len(b) {
			if _, ok := unhex(b[i]); ok {
				return netip.Addr{}, false // more than four hex digits
			}
		}
		ip[j], ip[j+1] = byte(acc>>8), byte(acc)
		j += 2
		if i == len(b) {
			break
		}
		if b[i] != ':' {
			return netip.Addr{}, false
		}
		i++
		if i == len(b) {
			return netip.Addr{}, false // trailing single colon
		}
		if b[i] == ':' {
			if gap >= 0 {
				return netip.Addr{}, false
			}
			gap = j
			i++
			if i == len(b) {
				break
			}
		}
	}
	if i != len(b) {
		return netip.Addr{}, false
	}
	if gap < 0 {
		if j != 16 {
			return netip.Addr{}, false
		}
		return netip.AddrFrom16(ip), true
	}
	if j == 16 {
		return netip.Addr{}, false // "::" must stand for at least one group
	}
	n := 16 - j
	copy(ip[gap+n:], ip[gap:j])
	for k := gap; k < gap+n; k++ {
		ip[k] = 0
	}
	return netip.AddrFrom16(ip), true
}
