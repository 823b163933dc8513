package recipstatus

import "github.com/mailtrace/mailtrace/internal/ascii"

// trimSpace returns b without leading and trailing blanks, and the offset of
// the result in b.
func trimSpace(b []byte) ([]byte, int) {
	t := ascii.TrimSpace(b)
	return t, cap(b) - cap(t)
}

func trimRight(b []byte) []byte {
	j := len(b)
	for j > 0 && ascii.IsSpace(b[j-1]) {
		j--
	}
	return b[:j]
}

// digits reads at most max decimal digits at b[i:] and returns the value and
// the count read.
func digits(b []byte, i, max int) (v, n int) {
	for n < max && i+n < len(b) && ascii.IsDigit(b[i+n]) {
		v = v*10 + int(b[i+n]-'0')
		n++
	}
	return v, n
}
