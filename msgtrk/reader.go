package msgtrk

import (
	"bytes"
	"io"
	"iter"
	"unicode/utf8"

	"github.com/mailtrace/mailtrace/internal/fielderr"
)

const initialBufSize = 128 << 10

// maxEmptyReads is how many reads in a row may return no data and no error
// before the Reader gives up with io.ErrNoProgress (bufio.Reader allows as
// many).
const maxEmptyReads = 100

// Stats counts what a Reader has read. Every line of the input lands in
// exactly one of Records, Directives, Blank or Errors, so
// Lines == Records + Directives + Blank + Errors at all times.
type Stats struct {
	Lines      int64 // lines read (a final line without line ending counts)
	Records    int64 // rows returned by Next
	Directives int64 // well-formed '#' lines
	Blank      int64 // empty lines
	Errors     int64 // malformed lines, each reported as one ParseError
	Bytes      int64 // bytes consumed, including line endings and any BOM
}

// Reader reads message tracking log rows from an input, one [Record] at a
// time, mapping columns through the #Fields: header.
//
// The loop has the shape of bufio.Scanner:
//
//	r := msgtrk.NewReader(f)
//	for r.Next() {
//		rec := r.Record()
//		fmt.Println(rec.Field(msgtrk.MessageID))
//	}
//	if err := r.Err(); err != nil { … }
//
// A malformed line does not stop Next: it is reported as a *[ParseError]
// (to ErrorHandler when set, otherwise kept for Err, up to MaxErrors), the
// reader resynchronises at the next line and goes on. Only an I/O error, or
// the first malformed line in Strict mode, ends the loop early.
//
// Configure a Reader through its exported fields (Name, Server, Kind,
// Service, FirstLine and those of the embedded [Config]) before the first
// call to Next. Next takes a copy of them; changing them afterwards has no
// effect until Reset.
//
// A Reader is not safe for concurrent use. Once its buffer has grown to the
// longest line, reading does no allocation.
type Reader struct {
	// Name names the input in errors and in Record.Origin (for example the
	// file path). Optional.
	Name string
	// Server is the logging server that wrote the input, when the caller
	// knows it (for example from the file's path); see Record.Origin.
	Server string
	// Kind is the kind of log (from the file name), when known.
	Kind LogKind
	// Service is the transport service of a protocol or connectivity log
	// (Input.Service), when known; see Record.Origin.
	Service string
	// FirstLine is the line number of the input's first line, for an input
	// that is a part of a file, such as a row copied out of its file and
	// read again under its header (Fields); zero means 1. Record.LineNumber
	// and ParseError.Line count from it; offsets still count from the start
	// of the input.
	FirstLine int64
	Config

	cfg      Config // the configuration in force, copied by start
	src      io.Reader
	buf      []byte
	r, w     int   // unread data is buf[r:w]
	scanned  int   // buf[r:scanned] holds no '\n'
	base     int64 // input offset of buf[0]
	eof      bool
	borrowed bool // buf is the caller's (NewReaderBytes): never grow or refill
	started  bool
	maxLine  int // cfg.maxLine()
	lineNo   int64

	header    Header
	inHeader  bool // the previous line was a directive
	cols      *columns
	fallback  *columns
	headerSeq int

	rec    Record
	origin *Origin // new for each input: rows copied into a Batch or cloned keep theirs
	ends   [maxSpans + 8]int32
	flags  [maxSpans]uint8

	stats Stats
	errs  ErrorList
	fatal error
}

// NewReader returns a Reader reading from src. The Reader buffers src
// itself; there is no need to wrap it in a bufio.Reader.
func NewReader(src io.Reader) *Reader {
	r := &Reader{}
	r.Reset(src)
	return r
}

// NewReaderBytes returns a Reader over data held in memory (a whole file, or a
// memory-mapped one). It copies nothing: records alias data, which must not
// change while they are in use.
func NewReaderBytes(data []byte) *Reader {
	r := &Reader{}
	r.ResetBytes(data)
	return r
}

// Reset discards the Reader's state and makes it read from src, keeping its
// configuration and its buffer.
func (r *Reader) Reset(src io.Reader) {
	buf := r.buf
	if r.borrowed {
		buf = nil
	}
	r.resetState()
	r.src = src
	r.buf = buf[:cap(buf)]
}

// ResetBytes is Reset for data held in memory; see NewReaderBytes.
func (r *Reader) ResetBytes(data []byte) {
	r.resetState()
	r.src = nil
	r.buf = data
	r.w = len(data)
	r.eof = true
	r.borrowed = true
	r.checkBOM() // drop a leading byte order mark as fill does for streams
}

func (r *Reader) resetState() {
	r.src = nil
	r.buf = nil
	r.r, r.w, r.scanned = 0, 0, 0
	r.base = 0
	r.eof = false
	r.borrowed = false
	r.started = false
	r.lineNo = 0
	r.header = Header{}
	r.inHeader = false
	r.cols = nil
	r.fallback = nil
	r.headerSeq = 0
	r.rec = Record{scratch: r.rec.scratch[:0]}
	r.stats = Stats{}
	r.errs = nil
	r.fatal = nil
}

func (r *Reader) start() {
	r.started = true
	r.cfg = r.Config
	r.maxLine = r.cfg.maxLine()
	if len(r.cfg.Fields) > 0 {
		names := append([]string(nil), r.cfg.Fields...)
		r.fallback = newColumns(names)
		r.cols = r.fallback
	}
	// A new Origin, not the last input's overwritten: rows of that input
	// held in a Batch or cloned point to it (TestOriginOutlivesReset).
	r.origin = &Origin{File: r.Name, Server: r.Server, Kind: r.Kind, Service: r.Service}
	if r.FirstLine > 1 {
		r.lineNo = r.FirstLine - 1
	}
	if !r.borrowed && len(r.buf) == 0 {
		n := initialBufSize
		if n > r.maxLine+2 {
			n = r.maxLine + 2
		}
		r.buf = make([]byte, n)
	}
}

// Next advances to the next row and reports whether there is one. It returns
// false at the end of the input, after an I/O error, or (in Strict mode)
// after the first malformed line; Err tells which.
func (r *Reader) Next() bool {
	if !r.started {
		r.start()
	}
	if r.fatal != nil {
		return false
	}
	for {
		line, off, ok := r.readLine()
		if !ok {
			return false
		}
		if r.parseLine(line, off) {
			return true
		}
		if r.fatal != nil {
			return false
		}
	}
}

// Record returns the current row. The Record, and every slice obtained from
// it, is valid only until the next call to Next or Reset; use Record.Clone
// to keep one. It must not be modified.
func (r *Reader) Record() *Record { return &r.rec }

// Err returns the error that ended the loop or, when ErrorHandler is nil,
// the malformed lines met so far as an [ErrorList] (at most MaxErrors of
// them). It returns nil when the input was read to its end without a
// problem. I/O errors are returned as they are; io.EOF is never returned.
func (r *Reader) Err() error {
	if r.fatal != nil {
		return r.fatal
	}
	return r.errs.Err()
}

// Errors returns the malformed lines kept so far (see MaxErrors). The list
// is the Reader's; it must not be modified.
func (r *Reader) Errors() ErrorList { return r.errs }

// Stats returns the counts of what has been read so far.
func (r *Reader) Stats() Stats { return r.stats }

// Header returns the header in force for the current row: the directives of
// the last header block read. A new block (a '#' line after rows, as in
// concatenated files) replaces it. The returned value is a copy.
func (r *Reader) Header() Header { return r.header.clone() }

// InputOffset returns the input offset just past the last line read.
func (r *Reader) InputOffset() int64 { return r.base + int64(r.r) }

// All returns an iterator over the remaining rows: sugar for the Next loop.
// It is single-use; check Err after the loop. Each yielded *Record is valid
// only until the next iteration.
func (r *Reader) All() iter.Seq[*Record] {
	return func(yield func(*Record) bool) {
		for r.Next() {
			if !yield(&r.rec) {
				return
			}
		}
	}
}

// report records a malformed line's error.
func (r *Reader) report(e *ParseError) {
	r.stats.Errors++
	if r.origin != nil {
		e.File = r.origin.File
	} else {
		e.File = r.Name
	}
	switch {
	case r.cfg.Mode == Strict:
		r.fatal = e
	case r.cfg.ErrorHandler != nil:
		r.cfg.ErrorHandler(e)
	default:
		r.errs = r.cfg.keep(r.errs, e)
	}
}

// readLine returns the next line without its '\n' and its input offset. ok
// is false at the end of the input or on a fatal error. Over-long and
// truncated lines are reported here and skipped.
func (r *Reader) readLine() (line []byte, off int64, ok bool) {
	for {
		if i := bytes.IndexByte(r.buf[r.scanned:r.w], '\n'); i >= 0 {
			end := r.scanned + i
			line = r.buf[r.r:end]
			off = r.base + int64(r.r)
			r.stats.Bytes += int64(end + 1 - r.r)
			r.r = end + 1
			r.scanned = r.r
			r.lineNo++
			r.stats.Lines++
			if contentLen(line) > r.maxLine {
				// Only possible with NewReaderBytes, where the whole
				// input is at hand.
				r.report(&ParseError{Line: r.lineNo, Column: r.maxLine + 1, Offset: off + int64(r.maxLine), Err: ErrLineTooLong})
				if r.fatal != nil {
					return nil, 0, false
				}
				continue
			}
			return line, off, true
		}
		r.scanned = r.w
		if r.eof {
			if r.r == r.w {
				return nil, 0, false
			}
			// A final line without line ending.
			off = r.base + int64(r.r)
			n := r.w - r.r
			partial := r.buf[r.r:r.w]
			r.stats.Bytes += int64(n)
			r.r = r.w
			r.scanned = r.w
			r.lineNo++
			r.stats.Lines++
			if contentLen(partial) > r.maxLine {
				r.report(&ParseError{Line: r.lineNo, Column: r.maxLine + 1, Offset: off + int64(r.maxLine), Err: ErrLineTooLong})
			} else {
				r.report(&ParseError{Line: r.lineNo, Column: n + 1, Offset: off + int64(n), Err: ErrTruncated, Excerpt: excerpt(partial, max(0, n-fielderr.ExcerptLen))})
			}
			if r.fatal != nil {
				return nil, 0, false
			}
			continue
		}
		// The buffer may hold a whole line of maxLine bytes and its CR
		// before the LF arrives.
		if r.w-r.r > r.maxLine+1 {
			if !r.skipLongLine() {
				return nil, 0, false
			}
			continue
		}
		if !r.fill() {
			if r.fatal != nil {
				return nil, 0, false
			}
		}
	}
}

// fill reads more input into the buffer, moving unread data to its front
// and growing it (up to maxLine+2 bytes: a longest line and its CRLF) when
// it is full.
func (r *Reader) fill() bool {
	if r.r > 0 {
		n := copy(r.buf, r.buf[r.r:r.w])
		r.base += int64(r.r)
		r.scanned -= r.r
		r.w = n
		r.r = 0
	}
	if r.w == len(r.buf) {
		size := 2 * len(r.buf)
		if size > r.maxLine+2 {
			size = r.maxLine + 2
		}
		if size <= len(r.buf) {
			size = len(r.buf) + 1
		}
		nb := make([]byte, size)
		copy(nb, r.buf[:r.w])
		r.buf = nb
	}
	for tries := 0; tries < maxEmptyReads; tries++ {
		n, err := r.src.Read(r.buf[r.w:])
		if n < 0 || n > len(r.buf)-r.w {
			r.fatal = io.ErrShortBuffer
			return false
		}
		r.w += n
		if err == io.EOF {
			r.eof = true
			r.checkBOM()
			return true
		}
		if err != nil {
			r.fatal = err
			return false
		}
		if n > 0 {
			r.checkBOM()
			return true
		}
	}
	r.fatal = io.ErrNoProgress
	return false
}

// checkBOM drops a UTF-8 byte order mark at the very start of the input.
func (r *Reader) checkBOM() {
	if r.base == 0 && r.r == 0 && r.lineNo == 0 && r.w >= 3 && r.buf[0] == 0xEF && r.buf[1] == 0xBB && r.buf[2] == 0xBF {
		r.r = 3
		r.scanned = 3
		r.stats.Bytes += 3
	}
}

// contentLen is the length of line without a final CR.
func contentLen(line []byte) int {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return n - 1
	}
	return len(line)
}

// skipLongLine discards the current line, which is longer than maxLine,
// reading on to its end without keeping it, and reports it.
func (r *Reader) skipLongLine() bool {
	off := r.base + int64(r.r)
	r.lineNo++
	r.stats.Lines++
	lineNo := r.lineNo
	r.stats.Bytes += int64(r.w - r.r)
	r.base += int64(r.w)
	r.r, r.w, r.scanned = 0, 0, 0
	zeros := 0
	for !r.eof {
		n, err := r.src.Read(r.buf)
		if n < 0 || n > len(r.buf) {
			r.fatal = io.ErrShortBuffer
			return false
		}
		if i := bytes.IndexByte(r.buf[:n], '\n'); i >= 0 {
			r.stats.Bytes += int64(i + 1)
			r.base += int64(i + 1)
			r.w = copy(r.buf, r.buf[i+1:n])
			if err == io.EOF {
				r.eof = true
			} else if err != nil {
				r.fatal = err
			}
			break
		}
		r.stats.Bytes += int64(n)
		r.base += int64(n)
		if err == io.EOF {
			r.eof = true
			break
		}
		if err != nil {
			r.fatal = err
			break
		}
		if n > 0 {
			zeros = 0
		} else if zeros++; zeros >= maxEmptyReads {
			r.fatal = io.ErrNoProgress
			break
		}
	}
	r.report(&ParseError{Line: lineNo, Column: r.maxLine + 1, Offset: off + int64(r.maxLine), Err: ErrLineTooLong})
	return r.fatal == nil
}

// parseLine handles one line; it reports whether the line is a row now
// held in r.rec.
func (r *Reader) parseLine(line []byte, off int64) bool {
	// Strip a byte order mark at the start of a line (concatenated files).
	if len(line) >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF {
		line = line[3:]
		off += 3
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) == 0 {
		r.stats.Blank++
		return false
	}
	if line[0] == '#' {
		r.directive(line, off)
		return false
	}
	r.inHeader = false
	if r.cols == nil && r.cfg.GuessFields {
		r.cols = guessColumns(line, &r.ends, &r.flags)
	}
	if r.cols == nil {
		r.report(&ParseError{Line: r.lineNo, Column: 1, Offset: off, Err: ErrNoFields, Excerpt: excerpt(line, 0)})
		return false
	}
	nc, special := splitPlain(line, &r.ends)
	var flags []uint8
	var err error
	col := 0
	if special {
		// The line holds a quote, a NUL or a non-ASCII byte: check it and
		// split it again the careful way.
		if i := bytes.IndexByte(line, 0); i >= 0 {
			r.report(&ParseError{Line: r.lineNo, Column: i + 1, Offset: off + int64(i), Err: ErrNUL})
			return false
		}
		if r.cfg.InvalidUTF8 == UTF8Reject && !utf8.Valid(line) {
			i := firstInvalidUTF8(line)
			r.report(&ParseError{Line: r.lineNo, Column: i + 1, Offset: off + int64(i), Err: ErrInvalidUTF8, Excerpt: excerpt(line, i)})
			return false
		}
		if bytes.IndexByte(line, '"') >= 0 {
			nc, col, err = splitCareful(line, nc, &r.ends, &r.flags)
			flags = r.flags[:nc]
		}
	}
	if err == nil && nc > MaxFields {
		err, col = ErrTooManyFields, 0
	}
	if err == nil && nc != len(r.cols.names) {
		err, col = ErrFieldCount, 0
	}
	if err != nil {
		e := &ParseError{Line: r.lineNo, Column: col + 1, Offset: off + int64(col), Err: err, Excerpt: excerpt(line, col)}
		switch err {
		case ErrFieldCount:
			e.Err = fieldCountError(nc, len(r.cols.names))
		case ErrTooManyFields:
		default:
			e.Field = r.columnName(nc)
		}
		r.report(e)
		return false
	}
	r.rec.ends = r.ends[:nc]
	r.rec.flags = flags
	r.rec.line = line
	r.rec.c = r.cols
	r.rec.lineNo = r.lineNo
	r.rec.off = off
	r.rec.origin = r.origin
	r.rec.scratch = r.rec.scratch[:0]
	r.rec.tmOK = false
	r.stats.Records++
	return true
}

func (r *Reader) columnName(i int) string {
	if r.cols != nil && i < len(r.cols.names) {
		return r.cols.names[i]
	}
	return ""
}

// directive handles a '#' line.
func (r *Reader) directive(line []byte, off int64) {
	if !r.inHeader {
		// A new header block: start from a clean header. The column
		// map stays until a new #Fields: replaces it.
		r.header = Header{}
		r.inHeader = true
	}
	isFields, err := parseDirective(&r.header, line)
	if err != nil {
		r.report(&ParseError{Line: r.lineNo, Column: 1, Offset: off, Err: err, Excerpt: excerpt(line, 0)})
		return
	}
	r.stats.Directives++
	if isFields {
		r.cols = newColumns(r.header.Fields)
		r.cols.logType = r.header.LogType
		r.headerSeq++
	}
}

// guessColumns returns the columns of the known layout with as many fields
// as line has, or nil.
func guessColumns(line []byte, ends *[maxSpans + 8]int32, flags *[maxSpans]uint8) *columns {
	n, special := splitPlain(line, ends)
	if special && bytes.IndexByte(line, '"') >= 0 {
		var err error
		if n, _, err = splitCareful(line, n, ends, flags); err != nil {
			return nil
		}
	}
	for _, l := range [...]Layout{Layout2007, Layout2010, Layout2013, Layout2016} {
		if len(layoutFields(l)) == n {
			return newColumns(l.FieldNames())
		}
	}
	return nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return 0
}
