package correlate

import "unsafe"

// textBlock makes the short strings of the traces being built (recipient
// addresses, internal-message-ids, replies) by carving them from shared
// blocks of bytes: one allocation for many strings instead of one each.
// A block's bytes are never written again once carved, so the strings stay
// immutable; a string kept alive keeps its block (textBlockSize bytes) alive
// with it, which Trace's doc says. Strings that outlive the trace being
// built inside the Tracker (an open trace's key or message attributes) do
// not come from here: a long-open trace would hold a block each.
type textBlock struct{ buf []byte }

// textBlockSize is the size of a block; strings longer than a quarter of
// it get their own allocation.
const textBlockSize = 1024

// of returns b as a string.
func (tb *textBlock) of(b []byte) string {
	n := len(b)
	if n == 0 {
		return ""
	}
	if n > textBlockSize/4 {
		return string(b)
	}
	if cap(tb.buf)-len(tb.buf) < n {
		tb.buf = make([]byte, 0, textBlockSize)
	}
	start := len(tb.buf)
	tb.buf = append(tb.buf, b...)
	return unsafe.String(&tb.buf[start], n)
}
