package correlate

import "unsafe"

// block hands out small slices carved from shared blocks of size
// elements: one allocation for many slices instead of one each. A slice
// handed out is never written again by the block (and its capacity ends
// where it does), so the slices of different traces never share an
// element; a slice kept alive keeps its block alive with it, which
// Trace's doc says. A slice longer than a quarter of a block gets its own
// allocation.
type block[T any] struct{ buf []T }

// take returns a zeroed slice of n elements.
func (b *block[T]) take(n, size int) []T {
	if n > size/4 {
		return make([]T, n)
	}
	if cap(b.buf)-len(b.buf) < n {
		b.buf = make([]T, 0, size)
	}
	i := len(b.buf)
	b.buf = b.buf[:i+n]
	return b.buf[i : i+n : i+n]
}

// textBlock makes the short strings of the traces being built (recipient
// addresses, internal-message-ids, replies) from shared blocks of bytes
// (block). Strings that outlive the trace being built inside the Tracker
// (an open trace's key or message attributes) do not come from here: a
// long-open trace would hold a block each.
type textBlock struct{ b block[byte] }

// textBlockSize is the size of a textBlock's blocks.
const textBlockSize = 1024

// of returns b as a string.
func (tb *textBlock) of(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	s := tb.b.take(len(b), textBlockSize)
	copy(s, b)
	return unsafe.String(&s[0], len(s))
}

// intBlockSize is the size of the blocks the small []int of the traces
// built (a Hop's From) come from.
const intBlockSize = 256

// nameBlockSize is the size of the blocks the recipients of EventRefs
// come from.
const nameBlockSize = 256
