package messageinfo

// Span is a half-open byte range [Start, End) of the value a parser was given.
// Parsers return spans instead of subslices so that their results stay small,
// comparable values; [Span.Bytes] turns a span back into bytes of that value.
// The zero Span is empty.
type Span struct {
	Start, End int32
}

// Bytes returns src[s.Start:s.End], capacity-limited so that appending to it
// cannot overwrite src. src must be the value that was parsed. The result
// aliases src: it is valid as long as src is unchanged and must not be
// modified. Bytes does no allocation.
func (s Span) Bytes(src []byte) []byte {
	return src[s.Start:s.End:s.End]
}

// Text returns the span's bytes of src as a new string (allocates).
func (s Span) Text(src []byte) string {
	return string(src[s.Start:s.End])
}

// Len returns the length of the span in bytes.
func (s Span) Len() int { return int(s.End - s.Start) }

// IsEmpty reports whether the span has length zero.
func (s Span) IsEmpty() bool { return s.End <= s.Start }

func span(start, end int) Span { return Span{Start: int32(start), End: int32(end)} }
