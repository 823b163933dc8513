package msgtrk

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// The splitter: where the fields of a line end. splitPlain (split_amd64.go,
// split_generic.go) finds the commas of a line without quotes fast, and
// flags the lines that hold a byte needing care; splitQuoted splits those
// the careful way, honouring CSV quoting. Both store the end of field i in
// ends[i], so that a Record is a line plus this array.

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
	lo7 = 0x7f7f7f7f7f7f7f7f
)

// maxSpans is the size of the column arrays: MaxFields plus one, so that a
// row with too many fields is seen as such, plus slack for splitPlain's
// unconditional stores.
const maxSpans = MaxFields + 1

// splitSWAR is the portable splitter behind splitPlain (see
// split_amd64.go and split_generic.go): it reads the line eight bytes at a
// time, with an exact per-byte mask of the commas in a word and a cheap
// any-byte test for the special bytes ('"', NUL, non-ASCII).
func splitSWAR(line []byte, ends *[maxSpans + 8]int32) (count int, special bool) {
	return splitSWARFrom(line, 0, 0, ends, 0)
}

// splitSWARFrom is splitSWAR from byte i, with j fields found so far and
// acc the special-byte bits seen so far (see swarWord).
func splitSWARFrom(line []byte, i, j int, ends *[maxSpans + 8]int32, acc uint64) (count int, special bool) {
	for ; i+8 <= len(line); i += 8 {
		commas, sp := swarWord(binary.LittleEndian.Uint64(line[i : i+8]))
		acc |= sp
		for commas != 0 && j < maxSpans {
			ends[j] = int32(i + bits.TrailingZeros64(commas)>>3)
			j++
			commas &= commas - 1
		}
	}
	return splitTail(line, i, j, ends, acc&hi8 != 0)
}

// swarWord classifies the eight bytes of v (little-endian): commas has the
// high bit of each byte that is a comma set, exactly; the high bits of
// special are set in (at least) every byte that is '"', NUL or not ASCII,
// and in no byte when there is none of them in v.
func swarWord(v uint64) (commas, special uint64) {
	c := v ^ (lo8 * ',')
	commas = ^(((c & lo7) + lo7) | c | lo7)
	q := v ^ (lo8 * '"')
	return commas, ((q - lo8) &^ q) | ((v - lo8) &^ v) | v
}

// splitTail finishes a split from byte i with j fields found so far.
func splitTail(line []byte, i, j int, ends *[maxSpans + 8]int32, special bool) (int, bool) {
	n := len(line)
	for ; i < n; i++ {
		switch c := line[i]; {
		case c == ',':
			if j < maxSpans {
				ends[j] = int32(i)
			}
			j++
		case c == '"' || c == 0 || c >= 0x80:
			special = true
		}
	}
	if j < maxSpans {
		ends[j] = int32(n)
	}
	// Past maxSpans the count only says "too many": cap it, so that every
	// splitter gives the same answer.
	return min(j+1, maxSpans+1), special
}

// splitQuoted stores the ends and flags of line's fields, honouring
// double-quoted fields, and returns their number. On a quoting error it
// returns the fields so far, the byte index where the error was found and
// the error.
func splitQuoted(line []byte, ends *[maxSpans + 8]int32, flags *[maxSpans]uint8) (fields, at int, err error) {
	n := len(line)
	start := 0
	j := 0
	for {
		if j >= MaxFields {
			return j, start, ErrTooManyFields
		}
		if start < n && line[start] == '"' {
			end, fl, ok := closeQuote(line, start)
			if !ok {
				return j, start, ErrQuote
			}
			if end < n && line[end] != ',' {
				return j, end, ErrQuote
			}
			ends[j], flags[j] = int32(end), fl
			j++
			if end == n {
				return j, 0, nil
			}
			start = end + 1
			continue
		}
		k := bytes.IndexByte(line[start:], ',')
		end := n
		if k >= 0 {
			end = start + k
		}
		if q := bytes.IndexByte(line[start:end], '"'); q >= 0 {
			return j, start + q, ErrBareQuote
		}
		ends[j], flags[j] = int32(end), 0
		j++
		if k < 0 {
			return j, 0, nil
		}
		start = end + 1
	}
}

// closeQuote returns the end of the quoted field that opens at start (the
// index past its closing quote: a doubled quote inside is one quote of
// the value) and its flags, flagEscaped set when it holds a doubled
// quote; false when the quote is never closed.
func closeQuote(line []byte, start int) (end int, fl uint8, ok bool) {
	fl = flagQuoted
	for i := start + 1; ; i += 2 {
		k := bytes.IndexByte(line[i:], '"')
		if k < 0 {
			return 0, 0, false
		}
		i += k
		if i+1 >= len(line) || line[i+1] != '"' {
			return i + 1, fl, true
		}
		fl |= flagEscaped
	}
}

// splitCareful splits a line that holds a quote, whose commas splitPlain
// has found (nc fields in ends): splitReusing, or splitQuoted when the
// line is not well-formed CSV (for its error and where it is) or has more
// fields than ends holds. It returns what splitQuoted returns.
func splitCareful(line []byte, nc int, ends *[maxSpans + 8]int32, flags *[maxSpans]uint8) (fields, at int, err error) {
	if n, ok := splitReusing(line, nc, ends, flags); ok {
		return n, 0, nil
	}
	return splitQuoted(line, ends, flags)
}

// splitReusing is splitQuoted for a well-formed line, reusing the commas
// splitPlain found (nc fields in ends, each comma's index then the
// line's length): an unquoted field ends at the next of them, a quoted one
// at the first after its closing quote, and the quotes are found once
// each. It rewrites ends in place (a field it stores never comes after
// the comma it reads) and reports false, having written ends and flags
// partly, when the line is not well-formed, or has MaxFields fields or
// more, or more than ends holds: splitQuoted then says why.
func splitReusing(line []byte, nc int, ends *[maxSpans + 8]int32, flags *[maxSpans]uint8) (int, bool) {
	n := len(line)
	if nc > maxSpans || nc < 1 || int(ends[nc-1]) != n {
		return 0, false
	}
	const none = 1<<31 - 1
	next := func(from int) int {
		if k := bytes.IndexByte(line[from:], '"'); k >= 0 {
			return from + k
		}
		return none
	}
	quote := next(0) // the first '"' at or after s, when at or after s
	s, c, j := 0, 0, 0
	for {
		if j >= MaxFields {
			return 0, false
		}
		if quote != s {
			// Unquoted: it ends at the next comma, with no quote before.
			end := int(ends[c])
			if quote < end {
				return 0, false // a bare quote
			}
			ends[j], flags[j] = int32(end), 0
			j++
			if end == n {
				return j, true
			}
			s, c = end+1, c+1
			continue
		}
		end, fl, ok := closeQuote(line, s)
		if !ok || end < n && line[end] != ',' {
			return 0, false
		}
		for c < nc && int(ends[c]) < end {
			c++ // (commas inside the quotes)
		}
		if c == nc || int(ends[c]) != end {
			return 0, false
		}
		ends[j], flags[j] = int32(end), fl
		j++
		if end == n {
			return j, true
		}
		s, c = end+1, c+1
		if quote < s {
			quote = next(s)
		}
	}
}
