package msgtrk

import "strconv"

// DefaultMaxLineBytes is the default for [Config.MaxLineBytes]: 16 MiB. A
// row of a mass mailing lists every recipient and their status; 16 MiB holds
// more than 100,000 recipients of typical length, far beyond what one
// tracking row carries in practice, while bounding the buffer on hostile
// input.
const DefaultMaxLineBytes = 16 << 20

// maxLineBytesLimit is the largest accepted MaxLineBytes (spans are int32).
const maxLineBytesLimit = 1 << 30

// DefaultMaxErrors is the default for [Config.MaxErrors].
const DefaultMaxErrors = 100

// Mode says what a parser does with malformed input. The parsers of
// mailtrace that let the caller choose take a Mode ([Config.Mode], and
// eventdata's Scanner); the others state theirs in their documentation with
// the same two words.
type Mode uint8

const (
	// Lenient reports a malformed part, skips it and goes on: the caller
	// gets every well-formed part plus the errors (the first one, or all of
	// them, as each parser says). It is the default.
	Lenient Mode = iota
	// Strict stops at the first malformed part, after returning the parts
	// before it.
	Strict
)

// String returns "Lenient", "Strict" or "Mode(n)".
func (m Mode) String() string {
	switch m {
	case Lenient:
		return "Lenient"
	case Strict:
		return "Strict"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// UTF8Policy says what the Reader does with a line that is not valid UTF-8.
type UTF8Policy uint8

const (
	// UTF8Reject reports the line as a ParseError wrapping ErrInvalidUTF8
	// and skips it. This is the default: Exchange writes UTF-8, so an
	// invalid line means a damaged or re-encoded file.
	UTF8Reject UTF8Policy = iota
	// UTF8Accept returns the line's fields as they are, invalid bytes and
	// all. Use it for files re-encoded to a legacy code page.
	UTF8Accept
)

// Config is the configuration a [Reader] and a [Merger] share: how lines are
// bounded and split into columns, and what happens to a malformed line. The
// zero Config is the default. Both types embed it, so its fields are set on
// them directly (r.Mode = msgtrk.Strict); both take a copy when reading
// starts, so that a change made afterwards has no effect until Reset (or, for
// a Merger, at all).
type Config struct {
	// MaxLineBytes bounds the length of a line, line ending excluded.
	// Zero means DefaultMaxLineBytes; values above 1 GiB are treated as
	// 1 GiB. A longer line is reported with ErrLineTooLong and skipped
	// without ever being held in memory whole.
	MaxLineBytes int
	// Fields lists column names to use for rows that come before any
	// #Fields: header (files whose header was cut off). It is used until a
	// header appears. Layout2016.FieldNames() gives the modern list.
	Fields []string
	// GuessFields lets rows that come before any #Fields: header (when
	// Fields is empty too) be read by their number of columns: 21, 26, 27
	// and 30 columns are taken as the 2007, 2010, 2013 and 2016 layouts. A
	// row of another width is still reported with ErrNoFields.
	GuessFields bool
	// Mode says what a malformed line does. Lenient (the default) reports
	// it and goes on with the next line; Strict makes the first malformed
	// line end the loop: Next returns false and Err returns that error.
	Mode Mode
	// InvalidUTF8 says what to do with lines that are not valid UTF-8.
	InvalidUTF8 UTF8Policy
	// ErrorHandler, when set, receives every malformed line's error as it
	// is found; Err then reports only fatal errors. The *ParseError is the
	// handler's to keep.
	ErrorHandler func(*ParseError)
	// MaxErrors bounds the errors kept for Err when ErrorHandler is nil.
	// Zero means DefaultMaxErrors; further errors are counted in
	// Stats().Errors only.
	MaxErrors int
}

// maxLine returns MaxLineBytes with its default and limit applied.
func (c *Config) maxLine() int {
	switch {
	case c.MaxLineBytes <= 0:
		return DefaultMaxLineBytes
	case c.MaxLineBytes > maxLineBytesLimit:
		return maxLineBytesLimit
	}
	return c.MaxLineBytes
}

// maxErrors returns MaxErrors with its default applied.
func (c *Config) maxErrors() int {
	if c.MaxErrors <= 0 {
		return DefaultMaxErrors
	}
	return c.MaxErrors
}

// keep adds e to errs unless errs already holds maxErrors errors: the error
// list of a Reader or Merger without ErrorHandler.
func (c *Config) keep(errs ErrorList, e *ParseError) ErrorList {
	if len(errs) < c.maxErrors() {
		errs = append(errs, e)
	}
	return errs
}
