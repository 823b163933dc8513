//go:build amd64 && !purego

package msgtrk

import "math/bits"

// scanBlocks is implemented in split_amd64.s.
//
//go:noescape
func scanBlocks(p *byte, nblocks int, masks *uint64) (special int)

// blockGroup is how many 64-byte blocks scanBlocks handles per call.
const blockGroup = 16

// splitPlain stores in ends the end of each of line's comma-separated
// fields, ignoring quotes, and returns their number (more than MaxFields
// means too many fields; ends is never written past maxSpans). special
// reports whether the line holds a byte that needs a closer look: '"', NUL,
// or a non-ASCII byte.
//
// On amd64 the comma bitmaps of 64-byte blocks come from SSE2 compares
// (split_amd64.s); the bits are then walked with one loop exit per block.
// The portable version (split_generic.go) reads eight bytes at a time.
// split_bench_test.go keeps the designs measured against each other.
func splitPlain(line []byte, ends *[maxSpans + 8]int32) (count int, special bool) {
	n := len(line)
	j := 0
	i := 0
	var masks [blockGroup]uint64
	for n-i >= 64 {
		nb := min((n-i)/64, blockGroup)
		if scanBlocks(&line[i], nb, &masks[0]) != 0 {
			special = true
		}
		for b := 0; b < nb; b++ {
			m := masks[b]
			base := i + 64*b
			for m != 0 && j < maxSpans {
				ends[j] = int32(base + bits.TrailingZeros64(m))
				j++
				m &= m - 1
			}
		}
		i += 64 * nb
	}
	if rem := n - i; rem > 0 {
		// The last bytes: padded to a block with a byte that is neither a
		// comma nor special, scanned the same way.
		tail := padBlock
		copy(tail[:], line[i:])
		if scanBlocks(&tail[0], 1, &masks[0]) != 0 {
			special = true
		}
		for m := masks[0] & (1<<rem - 1); m != 0 && j < maxSpans; m &= m - 1 {
			ends[j] = int32(i + bits.TrailingZeros64(m))
			j++
		}
	}
	return splitTail(line, n, j, ends, special)
}

// padBlock fills the unused end of the last block.
var padBlock = func() (b [64]byte) {
	for i := range b {
		b[i] = 'a'
	}
	return b
}()
