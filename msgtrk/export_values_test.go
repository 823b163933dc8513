package msgtrk

import "time"

// ParseTimeFast exports the allocation-free part of ParseTime to the
// external tests, which check which forms take it.
func ParseTimeFast[T []byte | string](b T) (time.Time, bool) { return parseTimeFast(b) }
