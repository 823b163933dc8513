package msgtrk

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// Writer writes message tracking log files: a header block and rows,
// escaped exactly as the Reader expects (see Writer.WriteEvent). It is used
// to anonymise or filter real logs, to build test inputs and to produce the
// simulator's sample logs.
//
// Configure it through its exported fields before the first write. A Writer
// is not safe for concurrent use. Errors are sticky: after one, every call
// returns it.
type Writer struct {
	// LineEnding ends each line. Empty means "\r\n", as Exchange writes.
	LineEnding string
	// OmitBOM leaves out the UTF-8 byte order mark Exchange writes at the
	// start of each file.
	OmitBOM bool

	w       *bufio.Writer
	cols    *columns
	started bool
	rowBuf  []byte
	err     error
}

// ErrWriteField reports a value the Writer cannot represent.
var ErrWriteField = errors.New("msgtrk: value cannot be written")

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10)}
}

func (w *Writer) eol() string {
	if w.LineEnding == "" {
		return "\r\n"
	}
	return w.LineEnding
}

// WriteHeader writes a header block. Empty Software and LogType get
// Exchange's values; empty Fields means the 2016 layout; a zero Date is
// left out. Rows written afterwards follow h.Fields. A header may be
// written again later (as in concatenated files).
func (w *Writer) WriteHeader(h Header) error {
	if w.err != nil {
		return w.err
	}
	if !w.started && !w.OmitBOM {
		w.w.WriteString("\uFEFF")
	}
	w.started = true
	if h.Software == "" {
		h.Software = "Microsoft Exchange Server"
	}
	if h.LogType == "" {
		h.LogType = "Message Tracking Log"
	}
	if len(h.Fields) == 0 {
		h.Fields = Layout2016.FieldNames()
	}
	eol := w.eol()
	w.w.WriteString("#Software: " + h.Software + eol)
	if h.Version != "" {
		w.w.WriteString("#Version: " + h.Version + eol)
	}
	w.w.WriteString("#Log-type: " + h.LogType + eol)
	if !h.Date.IsZero() {
		w.w.WriteString("#Date: " + string(AppendTime(nil, h.Date)) + eol)
	}
	for _, o := range h.Other {
		w.w.WriteString("#" + o + eol)
	}
	w.w.WriteString("#Fields: " + strings.Join(h.Fields, ",") + eol)
	w.cols = newColumns(append([]string(nil), h.Fields...))
	return nil
}

// WriteEvent writes e as one row in the column order of the last header
// (the 2016 layout if no header was written), escaped as Exchange escapes
// it (format.md §3.1, §3.2):
//
//   - CR and LF become the two-character escapes \r and \n, so the row
//     stays on one line; nothing else is escaped (a backslash is written as
//     it is);
//   - a value containing ',' or '"' is enclosed in double quotes, with each
//     '"' doubled;
//   - list members are apostrophe-quoted where they must be (see
//     AppendListMember).
//
// Record.Field reads each value back with its line breaks escaped, and
// Record.Unescaped reads it back unchanged unless it holds a backslash
// right before r, n, CR or LF, which the format cannot tell from an escape.
//
// A value with a NUL byte or invalid UTF-8 is refused (ErrWriteField), since
// the Reader would reject its row.
func (w *Writer) WriteEvent(e *Event) error {
	if w.err != nil {
		return w.err
	}
	if w.cols == nil {
		w.cols = newColumns(Layout2016.FieldNames())
	}
	b := w.rowBuf[:0]
	for i, name := range w.cols.names {
		if i > 0 {
			b = append(b, ',')
		}
		var v string
		if f := w.cols.field[i]; f >= 0 {
			v = e.Fields[f]
		} else {
			for _, x := range e.Extra {
				if strings.EqualFold(x.Name, name) {
					v = x.Value
					break
				}
			}
		}
		if strings.IndexByte(v, 0) >= 0 || !utf8.ValidString(v) {
			return &ParseError{Column: len(b) + 1, Field: name, Err: ErrWriteField, Excerpt: excerpt([]byte(v), 0)}
		}
		b = appendRowValue(b, v, i, len(w.cols.names))
	}
	b = append(b, w.eol()...)
	w.rowBuf = b
	if _, err := w.w.Write(b); err != nil {
		w.err = err
	}
	return w.err
}

// WriteRecord writes a row read by a Reader in the column order of the
// last header written. Values are copied as Field returns them and only
// CSV-quoted again: backslash sequences are not touched, so a row read from
// an Exchange file is written back byte for byte when the columns are the
// same.
func (w *Writer) WriteRecord(r *Record) error {
	if w.err != nil {
		return w.err
	}
	if w.cols == nil {
		w.cols = newColumns(Layout2016.FieldNames())
	}
	b := w.rowBuf[:0]
	for i, name := range w.cols.names {
		if i > 0 {
			b = append(b, ',')
		}
		var v []byte
		if f := w.cols.field[i]; f >= 0 {
			v = r.Field(Field(f))
		} else {
			v, _ = r.Lookup(name)
		}
		if i == 0 && lineStartNeedsQuote(string(v), len(w.cols.names)) {
			b = appendCSVQuoted(b, v)
			continue
		}
		b = appendCSV(b, v)
	}
	b = append(b, w.eol()...)
	w.rowBuf = b
	if _, err := w.w.Write(b); err != nil {
		w.err = err
	}
	return w.err
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.w.Flush(); err != nil {
		w.err = err
	}
	return w.err
}

// AppendField appends v to dst escaped as one CSV field of a tracking log
// row (see Writer.WriteEvent), as Exchange escapes it (format.md §3.1):
// every CR becomes \r and every LF \n, a field holding ',' or '"' is
// enclosed in '"' with its '"' doubled, and nothing else is escaped (a
// backslash is written as it is).
func AppendField(dst []byte, v string) []byte {
	needQuote := false
	needEscape := false
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case ',', '"':
			needQuote = true
		case '\r', '\n':
			needEscape = true
		}
	}
	if !needQuote && !needEscape {
		return append(dst, v...)
	}
	if needQuote {
		dst = append(dst, '"')
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch c {
		case '"':
			dst = append(dst, '"', '"')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\n':
			dst = append(dst, '\\', 'n')
		default:
			dst = append(dst, c)
		}
	}
	if needQuote {
		dst = append(dst, '"')
	}
	return dst
}

// AppendRow appends vals to dst as one row of a tracking log, without line
// ending, escaped as [Writer.WriteEvent] escapes an Event's values: each
// value as AppendField writes it, the first one quoted when it would
// otherwise read as a directive, a byte order mark or (alone on its line) a
// blank line. It allocates only to grow dst. Unlike WriteEvent it does not
// refuse a value with a NUL byte or invalid UTF-8; a Reader rejects such a
// row.
func AppendRow(dst []byte, vals []string) []byte {
	for i, v := range vals {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendRowValue(dst, v, i, len(vals))
	}
	return dst
}

// appendRowValue appends v, the value of column i of a row of n columns,
// escaped.
func appendRowValue(dst []byte, v string, i, n int) []byte {
	if i == 0 && lineStartNeedsQuote(v, n) {
		return appendQuoted(dst, v)
	}
	return AppendField(dst, v)
}

// lineStartNeedsQuote reports whether v, the first value of a row, must be
// quoted so that the row is not read as something else: a '#' directive, a
// byte order mark to strip, or (for a one-column layout) a blank line.
func lineStartNeedsQuote(v string, ncols int) bool {
	return strings.HasPrefix(v, "#") || strings.HasPrefix(v, "\uFEFF") || (v == "" && ncols == 1)
}

// appendQuoted appends v as AppendField would, but always quoted.
func appendQuoted(dst []byte, v string) []byte {
	f := AppendField(nil, v)
	if len(f) > 0 && f[0] == '"' {
		return append(dst, f...)
	}
	dst = append(dst, '"')
	dst = append(dst, f...)
	return append(dst, '"')
}

// appendCSVQuoted appends v enclosed in quotes, with CSV escaping only.
func appendCSVQuoted(dst, v []byte) []byte { return appendEnclosed(dst, v, '"') }

// appendEnclosed appends v between two q, doubling each q inside: the
// quoting of CSV fields (double quotes) and of list members (apostrophes).
func appendEnclosed(dst, v []byte, q byte) []byte {
	dst = append(dst, q)
	for _, c := range v {
		if c == q {
			dst = append(dst, q)
		}
		dst = append(dst, c)
	}
	return append(dst, q)
}

// appendCSV appends v with CSV quoting only.
func appendCSV(dst, v []byte) []byte {
	for _, c := range v {
		if c == ',' || c == '"' {
			return appendCSVQuoted(dst, v)
		}
	}
	return append(dst, v...)
}
