package eventdata

import (
	"bytes"

	"github.com/mailtrace/mailtrace/internal/ascii"
)

// PSScanner reads the PowerShell rendering of EventData, as printed by
// Get-MessageTrackingLog (Format-List) and kept in CSV exports of its
// output:
//
//	{[E2ELatency, 14.578], [DeliveryPriority, Low], [PrioritizationReason, AMS:12689884/1048576|ARC:83/500]}
//
// There is no type tag. Each pair is "[Key, Value]"; pairs are separated by
// ", ". The key ends at the first ',' of the pair; the value starts after
// that ',' and the whitespace following it. As a value may itself contain
// ", " and ']', a ']' ends the pair only when what follows it, after
// optional whitespace, is ',' then optional whitespace then '[', or '}', or
// the end of the input. A value containing such a sequence cannot be told
// apart from a pair boundary; PowerShell does not escape it. The enclosing
// braces may be missing altogether (a list that starts with '['), in which
// case the list ends with the input.
//
// Whitespace (spaces, tabs, CR, LF) is allowed before '{', around the
// separators and after '}', so console-wrapped text whose line breaks fall
// between pairs scans as is. Line breaks inside a key or value are kept:
// undo them first with [AppendUnwrapped]. An empty input, or "{}", has no
// pairs.
//
// Every complete pair before an error is returned; the scan stops at the
// first error ([ErrPowerShell], [ErrTruncated] when the input ends inside a
// pair or before '}', [ErrTooManyMembers] after [MaxMembers] pairs). Key
// and Value are subslices of the source, valid while the source is
// unchanged; they must not be modified. The zero PSScanner has no pairs.
// A PSScanner does no allocation and is not safe for concurrent use.
type PSScanner struct {
	src    []byte
	pos    int
	state  uint8 // psStart, psList, psDone
	braced bool
	n      int
	key    []byte
	value  []byte
	off    int
	valOff int
	err    error
}

const (
	psStart uint8 = iota
	psList
	psDone
)

// Init resets s to scan src. src is not copied.
func (s *PSScanner) Init(src []byte) {
	*s = PSScanner{src: src}
}

// Next advances to the next pair and reports whether there is one.
func (s *PSScanner) Next() bool {
	src := s.src
	switch s.state {
	case psDone:
		return false
	case psStart:
		i := skipSpace(src, 0)
		if i == len(src) {
			s.state = psDone
			return false
		}
		switch src[i] {
		case '{':
			s.braced = true
			i = skipSpace(src, i+1)
			if i < len(src) && src[i] == '}' {
				return s.end(i + 1)
			}
		case '[':
		default:
			return s.fail(i, ErrPowerShell)
		}
		s.pos = i
		s.state = psList
	}
	i := s.pos
	if i == len(src) {
		return s.fail(i, ErrTruncated)
	}
	if src[i] != '[' {
		return s.fail(i, ErrPowerShell)
	}
	s.n++
	if s.n > MaxMembers {
		return s.fail(i, ErrTooManyMembers)
	}
	comma := bytes.IndexByte(src[i+1:], ',')
	if comma < 0 {
		return s.fail(i, ErrTruncated)
	}
	keyEnd := i + 1 + comma
	v := skipSpace(src, keyEnd+1)
	// Find the ']' that ends the pair.
	j := v
	for {
		k := bytes.IndexByte(src[j:], ']')
		if k < 0 {
			return s.fail(i, ErrTruncated)
		}
		j += k
		after := skipSpace(src, j+1)
		if after == len(src) || src[after] == '}' {
			break
		}
		if src[after] == ',' {
			if n := skipSpace(src, after+1); n < len(src) && src[n] == '[' {
				break
			}
		}
		j++
	}
	s.key = src[i+1 : keyEnd : keyEnd]
	s.value = src[v:j:j]
	s.off = i
	s.valOff = v
	// Consume the separator after the pair.
	after := skipSpace(src, j+1)
	switch {
	case after == len(src) && !s.braced:
		s.state = psDone
	case after == len(src):
		s.pos = after // the next call reports the missing '}'
	case src[after] == '}':
		if !s.braced {
			s.state = psDone
			s.setErr(after, ErrPowerShell)
			break
		}
		s.end(after + 1)
	default: // ',' then '[', checked above
		s.pos = skipSpace(src, after+1)
	}
	return true
}

// end finishes the list at i, just after '}'.
func (s *PSScanner) end(i int) bool {
	s.state = psDone
	if j := skipSpace(s.src, i); j != len(s.src) {
		s.setErr(j, ErrPowerShell)
	}
	return false
}

func (s *PSScanner) fail(i int, err error) bool {
	s.state = psDone
	s.key, s.value = nil, nil
	s.setErr(i, err)
	return false
}

func (s *PSScanner) setErr(i int, err error) {
	if s.err == nil {
		s.err = newSyntaxError(s.src, i, nil, err)
	}
}

// Key returns the current pair's key, as written (see [AppendUnwrapped]).
func (s *PSScanner) Key() []byte { return s.key }

// Value returns the current pair's value, as written.
func (s *PSScanner) Value() []byte { return s.value }

// Offset returns the byte offset of the current pair's '[' in the source.
func (s *PSScanner) Offset() int { return s.off }

// ValueOffset returns the byte offset of the current pair's value.
func (s *PSScanner) ValueOffset() int { return s.valOff }

// Err returns the first error met (a *[SyntaxError]), or nil.
func (s *PSScanner) Err() error { return s.err }

// AppendPSPairs appends the pairs of a PowerShell EventData rendering to
// dst as [Pair] values with Tag TagString and a nil TagRaw, and returns the
// extended slice with the first error. The slices alias src. It allocates
// only to grow dst.
func AppendPSPairs(dst []Pair, src []byte) ([]Pair, error) {
	var s PSScanner
	s.Init(src)
	for s.Next() {
		dst = append(dst, Pair{Tag: TagString, Key: s.key, Value: s.value, Offset: s.off})
	}
	return dst, s.Err()
}

// skipSpace returns the index of the first byte at or after i that is not
// an ASCII blank.
func skipSpace(b []byte, i int) int {
	for i < len(b) && ascii.IsSpace(b[i]) {
		i++
	}
	return i
}

// AppendUnwrapped appends src to dst with console line wrapping undone, and
// returns the extended slice. It is meant for values copied from
// PowerShell console output (Format-List and Format-Table wrap long values
// at the window width, pad lines with spaces and indent continuation
// lines), both for EventData renderings and for raw custom-data.
//
// What it undoes: every line break (LF, CR LF, or runs of them, as when
// blank lines were inserted) is removed together with the spaces and tabs
// just before it and the indentation just after it, so
// "[IsSmtpResponseFromExt  \n\nernalServer, False]" becomes
// "[IsSmtpResponseFromExternalServer, False]". When the text before a
// break ends with ',' one space is put back, because PowerShell writes ", "
// between a key and its value and between pairs and wraps at that space.
//
// What it cannot undo: when the console broke a line at a space inside a
// value ("CATSM-Malware␤Agent"), the space is gone and the words are
// joined ("CATSM-MalwareAgent"); nothing in the text tells such a break
// from one inside a word. A ',' followed by a break gets a space even if
// the original had none ("GTOEP,M.MAS" broken after the ',' becomes
// "GTOEP, M.MAS"). Spaces that really ended a line are lost, and a value
// that itself held a line break is joined.
//
// AppendUnwrapped allocates only when dst must grow, and is safe for
// concurrent use on distinct dst.
func AppendUnwrapped(dst, src []byte) []byte {
	base := len(dst)
	for i := 0; i < len(src); {
		c := src[i]
		if c != '\n' && c != '\r' {
			dst = append(dst, c)
			i++
			continue
		}
		j := len(dst)
		for j > base && (dst[j-1] == ' ' || dst[j-1] == '\t') {
			j--
		}
		dst = dst[:j]
		i = skipSpace(src, i)
		if j > base && dst[j-1] == ',' && i < len(src) {
			dst = append(dst, ' ')
		}
	}
	return dst
}
