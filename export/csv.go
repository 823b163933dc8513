package export

import (
	"bufio"
	"bytes"
	"io"
)

// csvScanner reads the records of a CSV export as PowerShell writes them:
// fields separated by delim, a field enclosed in double quotes when it holds
// the delimiter, a quote or a line break (Export-Csv quotes every field), a
// doubled quote inside. A quoted field may span lines; the line breaks are
// kept in the value as written. It is lenient where spreadsheets are sloppy:
// a quote inside an unquoted field, or text after a closing quote, is kept
// as text. A record longer than max bytes is reported and skipped up to the
// end of the physical line where it passed the bound, so memory stays
// bounded whatever the input.
type csvScanner struct {
	br    *bufio.Reader
	delim byte
	max   int

	lineNo int64 // physical lines consumed
	fields []string
	pos    []fieldPos // where each field starts
	start  int64      // first line of the current record
	lines  int64      // physical lines the record spans
	err    error      // I/O error, sticky

	buf []byte
	val []byte
}

func newCSVScanner(r io.Reader, delim byte, max int) *csvScanner {
	return &csvScanner{br: bufio.NewReaderSize(r, 64<<10), delim: delim, max: max}
}

// readLine returns the next physical line with its line ending, or ok false
// at the end of the input. A line longer than the remaining budget is
// returned cut, with long set, the rest of it consumed.
func (s *csvScanner) readLine(budget int) (line []byte, long, ok bool) {
	s.buf = s.buf[:0]
	for {
		chunk, err := s.br.ReadSlice('\n')
		if len(s.buf)+len(chunk) > budget {
			long = true
			// Discard the rest of the physical line without keeping it.
			for err == bufio.ErrBufferFull {
				_, err = s.br.ReadSlice('\n')
			}
		} else {
			s.buf = append(s.buf, chunk...)
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF:
			if len(s.buf) == 0 && !long {
				return nil, false, false
			}
		case err != nil:
			s.err = err
			return nil, false, false
		}
		s.lineNo++
		return s.buf, long, true
	}
}

// fieldPos is where a field starts: 1-based line and byte column.
type fieldPos struct {
	line int64
	col  int
}

// errKind is what went wrong with a record.
type errKind uint8

const (
	errNone errKind = iota
	errTooLong
	errUnterminated
)

// next reads the next record into s.fields; blank lines are skipped. It
// returns false at the end of the input (or on an I/O error: see s.err).
// A malformed record is returned with its kind of error and whatever fields
// were read.
func (s *csvScanner) next() (bad errKind, ok bool) {
	s.fields = s.fields[:0]
	s.pos = s.pos[:0]
	s.val = s.val[:0]
	used := 0
	inQ := false
	atStart := true // at the start of a field
	s.lines = 0
	for {
		line, long, ok := s.readLine(s.max - used + 2)
		if !ok {
			if s.lines == 0 {
				return errNone, false
			}
			// The input ended inside a quoted field.
			s.fields = append(s.fields, string(s.val))
			return errUnterminated, true
		}
		if s.lines == 0 {
			s.start = s.lineNo
			if !long && len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			s.pos = append(s.pos, fieldPos{s.lineNo, 1})
		}
		s.lines++
		if long {
			s.pos = s.pos[:0]
			return errTooLong, true
		}
		used += len(line)
		body := line
		eol := 0
		if n := len(body); n > 0 && body[n-1] == '\n' {
			eol = 1
			if n > 1 && body[n-2] == '\r' {
				eol = 2
			}
		}
		body = body[:len(body)-eol]
		for i := 0; i < len(body); i++ {
			c := body[i]
			switch {
			case inQ:
				if c != '"' {
					s.val = append(s.val, c)
				} else if i+1 < len(body) && body[i+1] == '"' {
					s.val = append(s.val, '"')
					i++
				} else {
					inQ = false
				}
			case c == s.delim:
				s.fields = append(s.fields, string(s.val))
				s.pos = append(s.pos, fieldPos{s.lineNo, i + 2})
				s.val = s.val[:0]
				atStart = true
				continue
			case c == '"' && atStart:
				inQ = true
			default:
				s.val = append(s.val, c)
			}
			atStart = false
		}
		if inQ {
			// The quoted field goes on: keep the line break as written.
			s.val = append(s.val, line[len(body):]...)
			if eol == 0 {
				// End of input inside the quotes.
				s.fields = append(s.fields, string(s.val))
				return errUnterminated, true
			}
			continue
		}
		s.fields = append(s.fields, string(s.val))
		return errNone, true
	}
}
