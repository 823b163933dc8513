package eventdata

import (
	"bytes"
	"strconv"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// MaxMembers is the most members a [Scanner] (and a [PSScanner]) reads from
// one input, counting malformed members but not empty ones. The member
// after the limit stops scanning with [ErrTooManyMembers], in every mode.
//
// Real rows carry from 1 to a few dozen members; an AGENTINFO row of a
// message that hit many transport rules or data classifications carries a
// few hundred at most (Exchange caps an organisation at a few hundred
// transport rules). 10,000 leaves a wide margin. An input of 10^5 members
// is therefore rejected after its first 10,000 members: the scanner itself
// keeps O(1) state whatever the input, and the limit bounds what
// [AppendPairs] and [AppendPairsStrict] may append to their destination.
const MaxMembers = 10000

// Tag is the type tag that starts a custom-data member ("S" in
// "S:E2ELatency=1.928"). Exchange writes S for strings, which is nearly
// every member; the other tags are known from the writer's type names but
// rare in logs. A tag that is not one of these scans as TagUnknown with its
// spelling kept by [Scanner.TagRaw].
type Tag uint8

const (
	TagUnknown  Tag = iota // a tag not listed below; see the raw spelling
	TagString              // S: a string
	TagInt32               // I32: a 32-bit integer
	TagDateTime            // Dt: a date-time
	TagFloat               // F: a single-precision number
	TagDouble              // Dbl: a double-precision number
)

// String returns the tag's spelling in the log ("S", "I32", "Dt", "F",
// "Dbl"), "Unknown" for TagUnknown, or "Tag(n)".
func (t Tag) String() string {
	switch t {
	case TagUnknown:
		return "Unknown"
	case TagString:
		return "S"
	case TagInt32:
		return "I32"
	case TagDateTime:
		return "Dt"
	case TagFloat:
		return "F"
	case TagDouble:
		return "Dbl"
	}
	return "Tag(" + strconv.Itoa(int(t)) + ")"
}

// ParseTag returns the Tag spelled by b (case-sensitive), or TagUnknown. It
// does no allocation and is safe for concurrent use.
func ParseTag(b []byte) Tag {
	switch string(b) {
	case "S":
		return TagString
	case "I32":
		return TagInt32
	case "Dt":
		return TagDateTime
	case "F":
		return TagFloat
	case "Dbl":
		return TagDouble
	}
	return TagUnknown
}

// Scanner reads the members of a custom-data field, one Tag:Key=Value at a
// time:
//
//	var s eventdata.Scanner
//	s.Init(customData)
//	for s.Next() {
//		use(s.Tag(), s.Key(), s.Value())
//	}
//	if err := s.Err(); err != nil { … }
//
// Members are split with [msgtrk.ListScanner]: a member holding ';' is
// enclosed in apostrophes, an apostrophe inside being doubled. Empty members (as
// left by a trailing ';') are skipped silently in every mode.
//
// In [msgtrk.Lenient] mode (Init) it yields every well-formed member and
// keeps the first error; in [msgtrk.Strict] mode (InitMode(src,
// msgtrk.Strict)) it stops at the first malformed member. In both modes a quoting error stops the scan (the rest of the
// field cannot be split reliably), and so does exceeding [MaxMembers].
//
// The zero Scanner has no members. A Scanner is not safe for concurrent
// use. Next and the accessors do no allocation, except that the first
// member quoted with doubled apostrophes grows an internal buffer that
// later members reuse.
type Scanner struct {
	src    []byte
	ls     msgtrk.ListScanner
	mode   msgtrk.Mode
	n      int
	tag    Tag
	tagRaw []byte
	key    []byte
	value  []byte
	valOff int // offset of value in the member's unquoted bytes
	inSrc  bool
	done   bool
	err    error
}

// Init resets s to scan src in [msgtrk.Lenient] mode. src is not copied: it
// must stay unchanged while s and the slices it returns are in use.
func (s *Scanner) Init(src []byte) { s.InitMode(src, msgtrk.Lenient) }

// InitMode resets s to scan src in the given mode. src is not copied.
func (s *Scanner) InitMode(src []byte, mode msgtrk.Mode) {
	s.src = src
	s.ls.Init(src)
	s.mode = mode
	s.n = 0
	s.tag = TagUnknown
	s.tagRaw, s.key, s.value = nil, nil, nil
	s.valOff = 0
	s.inSrc = true
	s.done = false
	s.err = nil
}

// Next advances to the next well-formed member and reports whether there is
// one. It returns false at the end of the input, after an error in
// msgtrk.Strict mode, after a quoting error, or after MaxMembers members.
func (s *Scanner) Next() bool {
	for !s.done {
		if !s.ls.Next() {
			s.done = true
			break
		}
		raw := s.ls.Raw()
		if len(raw) == 0 {
			continue
		}
		s.n++
		if s.n > MaxMembers {
			s.done = true
			s.fail(s.ls.Offset(), ErrTooManyMembers)
			break
		}
		if s.ls.Err() != nil {
			// The ListScanner stops after a quoting error.
			s.fail(s.ls.Offset(), ErrQuote)
			continue
		}
		m := s.ls.Bytes()
		if len(m) == 0 {
			continue
		}
		if err := s.split(m); err != nil {
			s.fail(s.ls.Offset(), err)
			continue
		}
		s.inSrc = !s.ls.Quoted() || !bytes.Contains(raw, []byte("''"))
		return true
	}
	s.tag, s.tagRaw, s.key, s.value = TagUnknown, nil, nil, nil
	return false
}

// split cuts an unquoted member into tag, key and value.
func (s *Scanner) split(m []byte) error {
	colon := bytes.IndexByte(m, ':')
	eq := bytes.IndexByte(m, '=')
	if colon <= 0 || (eq >= 0 && colon > eq) || !isTag(m[:colon]) {
		return ErrNoTag
	}
	if eq < 0 {
		return ErrNoEquals
	}
	if eq == colon+1 {
		return ErrNoKey
	}
	s.tagRaw = m[:colon]
	s.tag = ParseTag(s.tagRaw)
	s.key = m[colon+1 : eq]
	s.value = m[eq+1:]
	s.valOff = eq + 1
	return nil
}

func isTag(b []byte) bool {
	for _, c := range b {
		if !ascii.IsAlnum(c) {
			return false
		}
	}
	return len(b) > 0
}

func (s *Scanner) fail(off int, err error) {
	if s.err == nil {
		s.err = newSyntaxError(s.src, off, nil, err)
	}
	if s.mode == msgtrk.Strict {
		s.done = true
	}
}

// Find advances to the next well-formed member whose key is exactly key
// (case-sensitive) and reports whether there is one. Calling Find in a loop
// visits every member of a repeated key, such as the several S:TRA members
// of an AGENTINFO row. Find does no allocation.
func (s *Scanner) Find(key string) bool {
	for s.Next() {
		if string(s.key) == key {
			return true
		}
	}
	return false
}

// Tag returns the current member's type tag.
func (s *Scanner) Tag() Tag { return s.tag }

// TagRaw returns the current member's tag as written ("S"). Like Key and
// Value, it is valid until the next call to Next, Find or Init, and must not
// be modified.
func (s *Scanner) TagRaw() []byte { return s.tagRaw }

// Key returns the current member's key: the text between the tag's ':' and
// the first '='. It may contain '.' and ':'. It is a subslice of the
// source unless [Scanner.InSource] is false, and is valid until the next
// call to Next, Find or Init. It must not be modified.
func (s *Scanner) Key() []byte { return s.key }

// Value returns the current member's value: everything after the first
// '=', which may be empty and may contain '=', '|', ':' and more. Same
// lifetime as Key.
func (s *Scanner) Value() []byte { return s.value }

// Raw returns the current member as written in the source, including any
// apostrophes. It is a subslice of the source.
func (s *Scanner) Raw() []byte { return s.ls.Raw() }

// Offset returns the byte offset of the current member in the source.
func (s *Scanner) Offset() int { return s.ls.Offset() }

// ValueOffset returns the byte offset of the current member's value in the
// source. For a member quoted with doubled apostrophes (InSource false) it
// is the offset of the member's opening apostrophe.
func (s *Scanner) ValueOffset() int {
	if !s.inSrc {
		return s.ls.Offset()
	}
	if s.ls.Quoted() {
		return s.ls.Offset() + 1 + s.valOff
	}
	return s.ls.Offset() + s.valOff
}

// InSource reports whether TagRaw, Key and Value are subslices of the
// source. They are, except for a member quoted with doubled apostrophes:
// its unquoted bytes live in the scanner's buffer and are overwritten by a
// later such member.
func (s *Scanner) InSource() bool { return s.inSrc }

// Err returns the first error met (a *[SyntaxError]), or nil.
func (s *Scanner) Err() error { return s.err }

// Pair is one custom-data member (or one PowerShell pair, whose Tag is
// TagString and TagRaw nil). Its slices alias the parsed input; see
// [AppendPairs].
type Pair struct {
	Tag    Tag
	TagRaw []byte
	Key    []byte
	Value  []byte
	Offset int // byte offset of the member in the input
}

// AppendPairs appends every well-formed member of src to dst and returns
// the extended slice, with the first error. Lenient, like url.ParseQuery:
// a malformed member is left out and the members after it are still
// appended. See [Scanner] for what stops the scan early.
//
// The slices of each Pair alias src, which must stay unchanged while they
// are used. The only exception is a member quoted with doubled apostrophes:
// its unquoted bytes are copied, one allocation per such member. Apart from
// that, AppendPairs allocates only to grow dst, and appends at most
// [MaxMembers] pairs. It is safe for concurrent use on distinct dst.
func AppendPairs(dst []Pair, src []byte) ([]Pair, error) {
	return appendPairs(dst, src, msgtrk.Lenient)
}

// AppendPairsStrict is [AppendPairs] in [msgtrk.Strict] mode: it stops at the
// first malformed member and returns the pairs before it with the error.
func AppendPairsStrict(dst []Pair, src []byte) ([]Pair, error) {
	return appendPairs(dst, src, msgtrk.Strict)
}

func appendPairs(dst []Pair, src []byte, mode msgtrk.Mode) ([]Pair, error) {
	var s Scanner
	s.InitMode(src, mode)
	for s.Next() {
		p := Pair{Tag: s.tag, TagRaw: s.tagRaw, Key: s.key, Value: s.value, Offset: s.Offset()}
		if !s.inSrc {
			m := bytes.Clone(s.ls.Bytes())
			nt, nk := len(s.tagRaw), len(s.key)
			p.TagRaw = m[:nt:nt]
			p.Key = m[nt+1 : nt+1+nk : nt+1+nk]
			p.Value = m[nt+2+nk:]
		}
		dst = append(dst, p)
	}
	return dst, s.Err()
}

// Lookup returns the value of the first well-formed member of src whose key
// is exactly key (case-sensitive), and whether there is one. Malformed
// members are skipped (lenient).
//
// The value aliases src, except for a member quoted with doubled
// apostrophes, whose value is copied. Lookup does no allocation in the
// other cases and is safe for concurrent use. To visit every member of a
// repeated key, loop on [Scanner.Find].
func Lookup(src []byte, key string) (value []byte, ok bool) {
	var s Scanner
	s.Init(src)
	if !s.Find(key) {
		return nil, false
	}
	if !s.inSrc {
		return bytes.Clone(s.value), true
	}
	return s.value, true
}

// AppendMember appends p to dst as one custom-data member, Tag:Key=Value,
// enclosed in apostrophes (with any apostrophe doubled) when it contains
// ';'. The tag written is p.TagRaw when it is not empty, otherwise the
// spelling of p.Tag, and "S" for TagUnknown; a TagRaw must be made of
// ASCII letters and digits for the member to scan back. AppendMember does not write a
// separator: put ';' between members. It is the inverse of [Scanner] for
// every member the Scanner yields, and allocates only when dst must grow.
func AppendMember(dst []byte, p Pair) []byte {
	var tag string
	switch {
	case len(p.TagRaw) > 0:
	case p.Tag >= TagString && p.Tag <= TagDouble:
		tag = p.Tag.String()
	default:
		tag = "S"
	}
	quote := bytes.IndexByte(p.TagRaw, ';') >= 0 || bytes.IndexByte(p.Key, ';') >= 0 ||
		bytes.IndexByte(p.Value, ';') >= 0 || (len(p.TagRaw) > 0 && p.TagRaw[0] == '\'')
	if !quote {
		dst = append(dst, p.TagRaw...)
		dst = append(dst, tag...)
		dst = append(dst, ':')
		dst = append(dst, p.Key...)
		dst = append(dst, '=')
		return append(dst, p.Value...)
	}
	dst = append(dst, '\'')
	dst = appendDoubled(dst, p.TagRaw)
	dst = append(dst, tag...)
	dst = append(dst, ':')
	dst = appendDoubled(dst, p.Key)
	dst = append(dst, '=')
	dst = appendDoubled(dst, p.Value)
	return append(dst, '\'')
}

func appendDoubled(dst, v []byte) []byte {
	for _, c := range v {
		if c == '\'' {
			dst = append(dst, '\'')
		}
		dst = append(dst, c)
	}
	return dst
}
