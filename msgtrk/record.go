package msgtrk

import (
	"bytes"
	"net/netip"
	"time"
	"unsafe"

	"github.com/mailtrace/mailtrace/internal/fielderr"
)

// span locates one column of a line. start and end cover the raw bytes,
// including the enclosing quotes of a quoted field.
type span struct {
	start, end int32
	quoted     bool // the field is enclosed in '"'
	escaped    bool // quoted and contains a doubled '"'
}

// Column flags, kept only for lines that hold a quote.
const (
	flagQuoted  = 1 << iota // the field is enclosed in '"'
	flagEscaped             // quoted and contains a doubled '"'
)

// Origin says where a record comes from. It is shared by every record of one
// input and must not be modified.
type Origin struct {
	File    string  // the input's name (Reader.Name), usually its path
	Server  string  // the logging server, when known from the path or set by the caller
	Kind    LogKind // the kind of log, from the file name
	Service string  // the transport service of a protocol or connectivity log (Reader.Service), or ""
}

// Record is one row of a message tracking log: a line split into columns.
// Fields are located by name through the header in force when the row was
// read.
//
// A Record obtained from Reader.Record, and every slice its methods return,
// is valid only until the next call to Reader.Next; the slices must not be
// modified. Record.Clone returns a copy that stays valid.
//
// The accessors do no allocation unless their doc says otherwise; those
// that unescape a value use a scratch buffer owned by the record.
type Record struct {
	line    []byte
	ends    []int32 // ends[i]: index just past column i (its ',' or len(line))
	flags   []uint8 // per column flagQuoted|flagEscaped; nil when the line has no '"'
	c       *columns
	lineNo  int64
	off     int64
	origin  *Origin
	scratch []byte
	tm      time.Time // date-time, once parsed (tmOK)
	tmOK    bool
}

// Clone returns a copy of r that owns its memory and stays valid after the
// next call to Reader.Next. It costs two allocations (three for a row with
// quoted fields).
func (r *Record) Clone() *Record {
	c := &Record{
		line:   bytes.Clone(r.line),
		c:      r.c,
		lineNo: r.lineNo,
		off:    r.off,
		origin: r.origin,
		tm:     r.tm,
		tmOK:   r.tmOK,
	}
	c.ends = append(make([]int32, 0, len(r.ends)), r.ends...)
	if r.flags != nil {
		c.flags = append(make([]uint8, 0, len(r.flags)), r.flags...)
	}
	return c
}

// CloneInto is Clone into dst, whose memory it reuses: a program that
// holds rows for a while and then lets them go (a router waiting for a
// row's destination) can recycle its copies, and copying into a Record of
// enough capacity does not allocate. dst must not be r, nor be in use; nil
// means a new Record. CloneInto returns dst.
func (r *Record) CloneInto(dst *Record) *Record {
	if dst == nil {
		return r.Clone()
	}
	line, ends, flags, scratch := dst.line[:0], dst.ends[:0], dst.flags[:0], dst.scratch[:0]
	*dst = Record{
		line:    append(line, r.line...),
		ends:    append(ends, r.ends...),
		c:       r.c,
		lineNo:  r.lineNo,
		off:     r.off,
		origin:  r.origin,
		scratch: scratch,
		tm:      r.tm,
		tmOK:    r.tmOK,
	}
	if r.flags != nil { // (nil: the line has no '"')
		dst.flags = append(flags, r.flags...)
	}
	return dst
}

// Line returns the row as written, without its line ending.
func (r *Record) Line() []byte { return r.line }

// LineNumber returns the 1-based line number of the row in its input.
func (r *Record) LineNumber() int64 { return r.lineNo }

// InputOffset returns the byte offset of the row's first byte in its input.
func (r *Record) InputOffset() int64 { return r.off }

// Origin returns where the row comes from; never nil for a record read by a
// Reader.
func (r *Record) Origin() *Origin {
	if r.origin == nil {
		return &Origin{}
	}
	return r.origin
}

// Layout returns the layout of the header the row was read under.
func (r *Record) Layout() Layout {
	if r.c == nil {
		return LayoutUnknown
	}
	return r.c.layout
}

// NumColumns returns the number of columns of the row.
func (r *Record) NumColumns() int { return len(r.ends) }

// ColumnName returns the #Fields: name of column i.
func (r *Record) ColumnName(i int) string { return r.c.names[i] }

// Column returns the value of column i, unquoted as Field does.
func (r *Record) Column(i int) []byte { return r.value(r.span(int(i))) }

// Columns returns the column list the row was read under; see [Columns].
func (r *Record) Columns() Columns { return Columns{r.c} }

// Has reports whether the row's header has column f.
func (r *Record) Has(f Field) bool {
	return r.c != nil && int(f) < NumFields && r.c.idx[f] >= 0
}

// Field returns the value of f with CSV quoting removed: the enclosing
// quotes are dropped and doubled quotes collapsed. It returns nil when the
// header has no such column and an empty slice for an empty value. The
// backslash escapes \r and \n are left as written; see Unescaped.
func (r *Record) Field(f Field) []byte {
	if int(f) >= NumFields || r.c == nil {
		return nil
	}
	i := r.c.idx[f]
	if i < 0 {
		return nil
	}
	return r.value(r.span(int(i)))
}

// String returns Field(f) as a new string. It allocates.
func (r *Record) String(f Field) string { return string(r.Field(f)) }

// Raw returns the bytes of f as written in the file, including any quotes.
func (r *Record) Raw(f Field) []byte {
	if int(f) >= NumFields || r.c == nil {
		return nil
	}
	i := r.c.idx[f]
	if i < 0 {
		return nil
	}
	s := r.span(int(i))
	return r.line[s.start:s.end]
}

// Lookup returns the value of the column named name (ASCII
// case-insensitive), for columns this package does not know. ok is false
// when the header has no such column.
func (r *Record) Lookup(name string) (value []byte, ok bool) {
	if r.c == nil {
		return nil, false
	}
	i := r.c.column(name)
	if i < 0 {
		return nil, false
	}
	return r.value(r.span(int(i))), true
}

// span returns the location of column i.
func (r *Record) span(i int) span {
	var s span
	if i > 0 {
		s.start = r.ends[i-1] + 1
	}
	s.end = r.ends[i]
	if r.flags != nil {
		s.quoted = r.flags[i]&flagQuoted != 0
		s.escaped = r.flags[i]&flagEscaped != 0
	}
	return s
}

func (r *Record) value(s span) []byte {
	if !s.quoted {
		return r.line[s.start:s.end]
	}
	inner := r.line[s.start+1 : s.end-1]
	if !s.escaped {
		return inner
	}
	start := len(r.scratch)
	for i := 0; i < len(inner); i++ {
		r.scratch = append(r.scratch, inner[i])
		if inner[i] == '"' {
			i++ // skip the second quote of a pair
		}
	}
	return r.scratch[start:len(r.scratch):len(r.scratch)]
}

// Unescaped returns Field(f) with the line-break escapes decoded: \r and \n
// become CR and LF (format.md §3.1: Exchange writes a line break inside a
// value this way so that a row stays on one line). Nothing else is an
// escape: a backslash is kept as written, so "\\fs01\scans" stays as it
// is, and two backslashes in a row start no escape ("\\nas01\share" too).
// The format cannot tell an escaped line break from a literal "\n" (a path
// such as C:\new reads as a line break here), which is why the spec makes
// the decoding optional and keeps it to free text (see Field.FreeText);
// use Field for the bytes as written.
func (r *Record) Unescaped(f Field) []byte {
	v := r.Field(f)
	if bytes.IndexByte(v, '\\') < 0 {
		return v
	}
	start := len(r.scratch)
	r.scratch = AppendUnescaped(r.scratch, v)
	return r.scratch[start:len(r.scratch):len(r.scratch)]
}

// AppendUnescaped appends v to dst with the escapes \r and \n decoded (see
// Record.Unescaped); every other byte is copied as it is. Two backslashes
// in a row are both copied and neither starts an escape: Exchange does not
// escape backslashes, and "\\nas01\share" is far more often a UNC path
// than a backslash before a line break.
func AppendUnescaped(dst, v []byte) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\\' && i+1 < len(v) {
			switch v[i+1] {
			case '\\':
				dst = append(dst, '\\', '\\')
				i++
				continue
			case 'r':
				dst = append(dst, '\r')
				i++
				continue
			case 'n':
				dst = append(dst, '\n')
				i++
				continue
			}
		}
		dst = append(dst, c)
	}
	return dst
}

// FieldPos returns the 1-based line and byte column where f starts. It
// returns (line, 0) when the header has no such column.
func (r *Record) FieldPos(f Field) (line int64, column int) {
	if !r.Has(f) {
		return r.lineNo, 0
	}
	return r.lineNo, int(r.span(int(r.c.idx[f])).start) + 1
}

// FieldError wraps err, found at byte offset within the value of f (as
// returned by Field), in a *ParseError carrying the row's file, line and
// column. Field parsers (eventdata, messageinfo, …) use it to point at the
// exact byte: for a quoted field the column accounts for the opening quote
// and for every doubled quote before the offset.
func (r *Record) FieldError(f Field, offset int, err error) *ParseError {
	if !r.Has(f) {
		e := &ParseError{Line: r.lineNo, Offset: r.off - 1, Field: f.String(), Err: err}
		if r.origin != nil {
			e.File = r.origin.File
		}
		return e
	}
	e := r.ColumnError(int(r.c.idx[f]), offset, err)
	e.Field = f.String()
	return e
}

// ColumnError is FieldError for column i (any column, known to this package
// or not): err, found at byte offset within Column(i), wrapped in a
// *ParseError carrying the row's file, line and exact column, and the
// column's #Fields: name.
func (r *Record) ColumnError(i, offset int, err error) *ParseError {
	s := r.span(i)
	col := int(s.start) + 1
	if s.quoted {
		// Through the opening quote and every doubled quote; an offset
		// past the value's end stops at the closing quote.
		raw := r.line[s.start:s.end]
		col += min(fielderr.RawOffset(raw, '"', offset), len(raw)-1)
	} else {
		col += offset
	}
	e := &ParseError{Line: r.lineNo, Column: col, Offset: r.off + int64(col-1), Field: r.c.names[i], Err: err}
	if r.origin != nil {
		e.File = r.origin.File
	}
	return e
}

// Time returns the date-time of the row, in UTC. An empty or malformed
// value is an error wrapping ErrSyntax. The value is parsed once per row:
// later calls (and a Merger's, which orders rows by it) reuse it, and so do
// the row's copies in a Batch or made by Clone.
func (r *Record) Time() (time.Time, error) {
	if t, ok := r.time(); ok {
		return t, nil
	}
	return time.Time{}, r.typeError(DateTime, r.Field(DateTime))
}

// time is Time without the error, which costs an allocation.
func (r *Record) time() (time.Time, bool) {
	if r.tmOK {
		return r.tm, true
	}
	t, ok := ParseTime(r.Field(DateTime))
	r.tm, r.tmOK = t, ok
	return t, ok
}

// TimeField parses field f (date-time, or another field holding a
// timestamp) as Time does.
func (r *Record) TimeField(f Field) (time.Time, error) {
	v := r.Field(f)
	if t, ok := ParseTime(v); ok {
		return t, nil
	}
	return time.Time{}, r.typeError(f, v)
}

// EventType returns the row's event-id as an enum; EventUnknown for a
// spelling not listed (Field(EventID) keeps the raw spelling).
func (r *Record) EventType() EventType { return ParseEventType(r.Field(EventID)) }

// SourceType returns the row's source as an enum; SourceUnknown for a
// spelling not listed (Field(Source) keeps the raw spelling).
func (r *Record) SourceType() SourceType { return ParseSourceType(r.Field(Source)) }

// Direction returns the row's directionality.
func (r *Record) Direction() Direction { return ParseDirection(r.Field(Directionality)) }

// Int returns field f as a base-10 integer. An empty value is (0, nil); a
// malformed one is an error wrapping ErrSyntax or ErrRange.
func (r *Record) Int(f Field) (int64, error) {
	v := r.Field(f)
	n, err := parseInt(v)
	if err != nil {
		return 0, r.fieldValueError(f, v, err)
	}
	return n, nil
}

// Addr returns field f as an IP address: IPv4, IPv6, or IPv6 with a zone
// (fe80::1%3). An empty value is the zero Addr and no error.
func (r *Record) Addr(f Field) (netip.Addr, error) {
	v := r.Field(f)
	if len(v) == 0 {
		return netip.Addr{}, nil
	}
	a, ok := ParseAddr(v)
	if !ok {
		return netip.Addr{}, r.typeError(f, v)
	}
	return a, nil
}

// ParseAddr parses an IPv4 or IPv6 address (with an optional zone) from b,
// accepting exactly what netip.ParseAddr accepts, without allocating. ok is
// false when b is not an address. The result does not alias b.
//
// A zone (fe80::1%3, fe80::1%eth0) is interned by netip with package
// unique: the first address with a zone not held by any live address copies
// the zone (a few allocations); later ones find it and do not allocate.
// TestValueNoAllocs checks both claims, FuzzParseAddr the agreement with
// netip. ParseAddr is safe for concurrent use.
func ParseAddr(b []byte) (netip.Addr, bool) {
	if len(b) == 0 {
		return netip.Addr{}, false
	}
	// netip.ParseAddr keeps nothing of its argument but a zone, which it
	// interns as a copy (package unique), so viewing b as a string for the
	// call is safe.
	a, err := netip.ParseAddr(unsafe.String(&b[0], len(b)))
	if err != nil {
		return netip.Addr{}, false
	}
	return a, true
}

// GUID returns field f (network-message-id, log-id, tenant-id …) as a GUID.
// An empty value is the zero GUID and no error.
func (r *Record) GUID(f Field) (GUID, error) {
	v := r.Field(f)
	if len(v) == 0 {
		return GUID{}, nil
	}
	g, ok := ParseGUID(v)
	if !ok {
		return GUID{}, r.typeError(f, v)
	}
	return g, nil
}

// List initialises s to iterate the members of list field f
// (recipient-address, recipient-status, reference, custom-data).
func (r *Record) List(f Field, s *ListScanner) { s.Init(r.Field(f)) }

func (r *Record) typeError(f Field, v []byte) error {
	return r.fieldValueError(f, v, ErrSyntax)
}

func (r *Record) fieldValueError(f Field, v []byte, err error) error {
	e := r.FieldError(f, 0, err)
	e.Excerpt = excerpt(v, 0)
	return e
}

// parseInt parses an optionally signed base-10 int64.
func parseInt(b []byte) (int64, error) {
	if len(b) == 0 {
		return 0, nil
	}
	neg := false
	i := 0
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		i = 1
		if len(b) == 1 {
			return 0, ErrSyntax
		}
	}
	var n uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, ErrSyntax
		}
		if n > (1<<63)/10 {
			return 0, ErrRange
		}
		n = n*10 + uint64(c-'0')
		if n > 1<<63 {
			return 0, ErrRange
		}
	}
	if neg {
		return -int64(n), nil
	}
	if n > 1<<63-1 {
		return 0, ErrRange
	}
	return int64(n), nil
}
