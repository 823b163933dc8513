package smtplog

import (
	"errors"
	"io"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// Source is where a Scanner reads records: a *msgtrk.Reader (one file or
// stream) or a *msgtrk.Merger (many files, in date-time order). The
// tokenizer is msgtrk's: the same header handling, CSV rules, line bounds
// and error positions as for message tracking logs.
type Source interface {
	Next() bool
	Record() *msgtrk.Record
	Err() error
}

// DefaultMaxErrors is the default for Scanner.MaxErrors.
const DefaultMaxErrors = msgtrk.DefaultMaxErrors

// Stats counts what a Scanner has seen of its source's records.
type Stats struct {
	Rows    int64 // rows returned by Next
	Errors  int64 // rows with a malformed column (returned all the same, except in Strict mode)
	Refused int64 // records of inputs that are not protocol or connectivity logs (not returned)
}

// Scanner reads the rows of SMTP protocol logs and connectivity logs, one
// [Row] at a time, in the shape of bufio.Scanner:
//
//	s := smtplog.NewReader(f)
//	for s.Next() {
//		row := s.Row()
//		fmt.Println(row.Session, row.Event, string(row.Data))
//	}
//	if err := s.Err(); err != nil { … }
//
// A row with a malformed column is returned (its typed field zero, its text
// kept) and its error, a *msgtrk.ParseError with file, line and column, is
// given to ErrorHandler or kept for Err (up to MaxErrors); in Strict mode
// it ends the loop instead. Records of an input whose header is not a
// protocol or connectivity log's are refused: the first one of each header
// is reported (wrapping [ErrNotProtocolLog]) and none is returned.
//
// Configure a Scanner through its exported fields before the first Next. A
// Scanner is not safe for concurrent use. Reading a row does no allocation
// (TestNoAllocs) beyond what its Source does.
type Scanner struct {
	// Mode: Lenient (the default) reports a malformed row and returns it;
	// Strict ends the loop at the first one (Err returns it).
	Mode msgtrk.Mode
	// ErrorHandler, when set, receives every row error as it is found;
	// Err then reports only the source's errors and a fatal one.
	ErrorHandler func(*msgtrk.ParseError)
	// MaxErrors bounds the row errors kept for Err when ErrorHandler is
	// nil; zero means DefaultMaxErrors.
	MaxErrors int

	src     Source
	dec     Decoder
	row     Row
	refused map[msgtrk.Columns]bool // the column lists reported as refused
	errs    msgtrk.ErrorList
	fatal   error
	stats   Stats
}

// NewScanner returns a Scanner over src.
func NewScanner(src Source) *Scanner { return &Scanner{src: src} }

// NewReader returns a Scanner over one protocol or connectivity log read
// from r with a msgtrk.Reader (use msgtrk.NewReader directly to configure
// it: a name for errors, the kind of a headerless file, its column list).
func NewReader(r io.Reader) *Scanner { return NewScanner(msgtrk.NewReader(r)) }

// Next advances to the next row and reports whether there is one.
func (s *Scanner) Next() bool {
	if s.fatal != nil {
		return false
	}
	for s.src.Next() {
		err := s.dec.Decode(s.src.Record(), &s.row)
		if err == nil {
			s.stats.Rows++
			return true
		}
		pe := err.(*msgtrk.ParseError)
		if errors.Is(pe, ErrNotProtocolLog) {
			s.stats.Refused++
			if c := s.src.Record().Columns(); !s.refused[c] {
				if s.refused == nil {
					s.refused = map[msgtrk.Columns]bool{}
				}
				s.refused[c] = true
				s.report(pe)
				if s.fatal != nil {
					return false
				}
			}
			continue
		}
		s.stats.Errors++
		s.report(pe)
		if s.fatal != nil {
			return false
		}
		s.stats.Rows++
		return true
	}
	return false
}

func (s *Scanner) report(e *msgtrk.ParseError) {
	switch {
	case s.Mode == msgtrk.Strict:
		s.fatal = e
	case s.ErrorHandler != nil:
		s.ErrorHandler(e)
	default:
		max := s.MaxErrors
		if max <= 0 {
			max = DefaultMaxErrors
		}
		if len(s.errs) < max {
			s.errs = append(s.errs, e)
		}
	}
}

// Row returns the current row. It, and every slice in it, is valid only
// until the next call to Next.
func (s *Scanner) Row() *Row { return &s.row }

// Err returns the error that ended the loop (the first malformed row in
// Strict mode, or the source's I/O error), or else the source's errors and
// the row errors kept (an errors.Join of both); nil when every record was
// read and decoded cleanly.
func (s *Scanner) Err() error {
	if s.fatal != nil {
		return s.fatal
	}
	return errors.Join(s.src.Err(), s.errs.Err())
}

// Stats returns the counts of what has been read so far.
func (s *Scanner) Stats() Stats { return s.stats }
