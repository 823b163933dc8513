package filter

import "unicode"

func simpleFold(r rune) rune {
	if r < 0 || r > unicode.MaxRune {
		return r
	}
	return unicode.SimpleFold(r)
}
