//go:build !amd64 || purego

package msgtrk

// splitPlain stores in ends the end of each of line's comma-separated
// fields, ignoring quotes, and returns their number (more than MaxFields
// means too many fields; ends is never written past maxSpans). special
// reports whether the line holds a byte that needs a closer look: '"', NUL,
// or a non-ASCII byte.
//
// It reads the line eight bytes at a time: an exact per-byte mask of the
// commas in a word and a cheap any-byte test for the special bytes.
func splitPlain(line []byte, ends *[maxSpans + 8]int32) (count int, special bool) {
	return splitSWAR(line, ends)
}
