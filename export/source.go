package export

import (
	"io"
	"strconv"

	"github.com/mailtrace/mailtrace/filekind"
	"github.com/mailtrace/mailtrace/formatlist"
	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// record is one record of an export: its values by column.
type record struct {
	line   int64      // its first line
	values []string   // by column; "" for a property the record lacks
	pos    []fieldPos // where each value starts; zero when unknown
}

// source yields an export's records.
type source interface {
	// columns returns the export's column (property) names and the line of
	// its header (0 when it has none), or an error that ends the reading.
	columns() (names []string, line int64, err error)
	// next returns the next record, ok false at the end. A malformed record
	// is returned as bad, with its position, and skipped.
	next() (rec record, bad *msgtrk.ParseError, ok bool)
	// err returns the I/O error that ended the reading, if any.
	err() error
}

// csvSource reads a CSV export.
type csvSource struct {
	name string
	res  filekind.Result
	sc   *csvScanner
	n    int // columns of the header
}

func newCSVSource(name string, res filekind.Result, src io.Reader, max int) *csvSource {
	d := res.Delimiter
	if d == 0 {
		d = ','
	}
	return &csvSource{name: name, res: res, sc: newCSVScanner(src, d, max)}
}

func (s *csvSource) columns() ([]string, int64, error) {
	for {
		bad, ok := s.sc.next()
		if !ok {
			if s.sc.err != nil {
				return nil, 0, s.sc.err
			}
			return nil, 0, &msgtrk.ParseError{File: s.name, Line: max(s.sc.lineNo, 1), Column: 1, Err: ErrNoHeader}
		}
		if bad != errNone {
			return nil, 0, &msgtrk.ParseError{File: s.name, Line: s.sc.start, Column: 1, Err: ErrNoHeader}
		}
		if hasPrefixFold(s.sc.fields[0], "#TYPE") {
			continue // Windows PowerShell's type line
		}
		names := append([]string(nil), s.sc.fields...)
		s.n = len(names)
		return names, s.sc.start, nil
	}
}

func (s *csvSource) next() (record, *msgtrk.ParseError, bool) {
	bad, ok := s.sc.next()
	if !ok {
		return record{}, nil, false
	}
	pe := &msgtrk.ParseError{File: s.name, Line: s.sc.start, Column: 1}
	switch {
	case bad == errTooLong:
		pe.Err = ErrTooLong
		pe.Excerpt = "longer than " + strconv.Itoa(s.sc.max) + " bytes"
		return record{}, pe, true
	case bad == errUnterminated:
		pe.Err = ErrQuote
		if k := len(s.sc.pos) - 1; k >= 0 {
			pe.Line, pe.Column = s.sc.pos[k].line, s.sc.pos[k].col
		}
		return record{}, pe, true
	case len(s.sc.fields) != s.n:
		pe.Err = ErrFieldCount
		pe.Excerpt = "got " + strconv.Itoa(len(s.sc.fields)) + " fields, header has " + strconv.Itoa(s.n)
		return record{}, pe, true
	}
	return record{line: s.sc.start, values: append([]string(nil), s.sc.fields...), pos: append([]fieldPos(nil), s.sc.pos...)}, nil, true
}

func (s *csvSource) err() error { return s.sc.err }

// listSource reads Format-List text, whole (it is bounded by the caller).
type listSource struct {
	name    string
	recs    []formatlist.Record
	vocab   filekind.Vocabulary
	names   []string
	index   map[string]int
	i       int
	skipped int // records of another vocabulary
	ioErr   error
}

func newListSource(name string, text string) *listSource {
	recs, _ := formatlist.Parse(text)
	s := &listSource{name: name, recs: recs, index: map[string]int{}}
	s.vocab, _ = filekind.ListVocabulary(recs)
	for i := range recs {
		if v := filekind.RecordVocabulary(&recs[i]); v != s.vocab && v != filekind.VocabUnknown {
			continue
		}
		for _, p := range recs[i].Props {
			if _, ok := s.index[p.Name]; !ok {
				s.index[p.Name] = len(s.names)
				s.names = append(s.names, p.Name)
			}
		}
	}
	return s
}

func (s *listSource) columns() ([]string, int64, error) { return s.names, 0, nil }

func (s *listSource) next() (record, *msgtrk.ParseError, bool) {
	for s.i < len(s.recs) {
		r := &s.recs[s.i]
		s.i++
		if v := filekind.RecordVocabulary(r); v != s.vocab && v != filekind.VocabUnknown {
			s.skipped++
			continue
		}
		rec := record{line: r.Line, values: make([]string, len(s.names)), pos: make([]fieldPos, len(s.names))}
		for _, p := range r.Props {
			i := s.index[p.Name]
			rec.values[i] = p.Value
			rec.pos[i] = fieldPos{p.Line, p.Column}
		}
		return rec, nil, true
	}
	return record{}, nil, false
}

func (s *listSource) err() error { return s.ioErr }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && ascii.EqualFold(s[:len(prefix)], prefix)
}
