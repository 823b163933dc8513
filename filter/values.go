package filter

import (
	"strings"

	"github.com/mailtrace/mailtrace/internal/ascii"
)

// manyValues is the length of a list from which exact values are looked up
// in a map instead of compared one by one.
const manyValues = 8

// maxKey is the longest value a map lookup lowers on the stack; a longer
// value is compared one by one.
const maxKey = 256

// valueSet is one list condition compiled: exact values (in a map when
// there are many, as from a file of message ids) and patterns with '*'.
type valueSet struct {
	values []string         // as given
	keys   []string         // per value: the form compared (brackets trimmed; lower case when fold)
	glob   []bool           // per value: a pattern
	exact  []int            // indexes of the exact values
	globs  []int            // indexes of the patterns
	index  map[string][]int // key → indexes, when there are many exact values
	fold   bool
	angle  bool
}

// newValueSet compiles values. fold makes the comparison ignore ASCII case;
// angle makes message-id brackets optional on both sides; patterns allows
// '*' wildcards and the domain form "@contoso.com" (any address at that
// domain).
func newValueSet(values []string, fold, angle, patterns bool) valueSet {
	s := valueSet{values: values, fold: fold, angle: angle}
	for i, v := range values {
		key := v
		if angle {
			key = string(trimAngle([]byte(v)))
		}
		isGlob := false
		if patterns {
			if strings.HasPrefix(key, "@") {
				key = "*" + key
			}
			isGlob = strings.Contains(key, "*")
		}
		if fold {
			key = string(ascii.AppendLower(nil, []byte(key))) // only ASCII letters fold, as in the comparison
		}
		s.keys = append(s.keys, key)
		s.glob = append(s.glob, isGlob)
		if isGlob {
			s.globs = append(s.globs, i)
		} else {
			s.exact = append(s.exact, i)
		}
	}
	if len(s.exact) > manyValues {
		s.index = make(map[string][]int, len(s.exact))
		for _, i := range s.exact {
			s.index[s.keys[i]] = append(s.index[s.keys[i]], i)
		}
	}
	return s
}

func (s *valueSet) empty() bool { return len(s.values) == 0 }

func (s *valueSet) equal(v []byte, key string) bool {
	if s.fold {
		return ascii.EqualFold(v, key)
	}
	return string(v) == key
}

// match reports whether v equals one of the values or matches one of the
// patterns. It does no allocation and is safe for concurrent use.
func (s *valueSet) match(v []byte) bool {
	found := false
	s.each(v, func(int) bool { found = true; return false })
	return found
}

// each calls f with the index of every value v matches, until f returns
// false.
func (s *valueSet) each(v []byte, f func(i int) bool) {
	if s.angle {
		v = trimAngle(v)
	}
	if s.index != nil && len(v) <= maxKey {
		k := v
		if s.fold {
			var buf [maxKey]byte
			k = ascii.AppendLower(buf[:0], v)
		}
		for _, i := range s.index[string(k)] {
			if !f(i) {
				return
			}
		}
	} else {
		for _, i := range s.exact {
			if s.equal(v, s.keys[i]) && !f(i) {
				return
			}
		}
	}
	for _, i := range s.globs {
		if globMatch(s.keys[i], v, s.fold) && !f(i) {
			return
		}
	}
}

// globMatch reports whether s matches pattern p, in which '*' stands for
// any run of bytes (none included); with fold, ASCII letters match either
// case (p is lower case). The greedy walk with one restart point takes
// O(len(p)·len(s)) at worst and does no allocation.
func globMatch(p string, s []byte, fold bool) bool {
	px, sx := 0, 0
	starPx, starSx := -1, 0
	for px < len(p) || sx < len(s) {
		if px < len(p) {
			c := p[px]
			if c == '*' {
				starPx, starSx = px, sx
				px++
				continue
			}
			if sx < len(s) && (s[sx] == c || fold && lower(s[sx]) == c) {
				px++
				sx++
				continue
			}
		}
		if starPx >= 0 && starSx < len(s) {
			starSx++
			px, sx = starPx+1, starSx
			continue
		}
		return false
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
