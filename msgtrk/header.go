package msgtrk

import (
	"bytes"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/internal/ascii"
)

// MaxOtherDirectives bounds Header.Other: further unknown '#' lines of a
// header block are read and counted but not kept, so a file of directives
// costs no memory.
const MaxOtherDirectives = 64

// MaxFields bounds the number of columns of a header or row. Exchange writes
// at most 30; the bound keeps a hostile header from costing memory.
const MaxFields = 256

// Header holds the '#' directives at the top of a log file:
//
//	#Software: Microsoft Exchange Server
//	#Version: 15.01.2375.007
//	#Log-type: Message Tracking Log
//	#Date: 2022-09-19T15:02:29.339Z
//	#Fields: date-time,client-ip,…,schema-version
//
// A Header returned by a Reader is a copy the caller may keep.
type Header struct {
	Software string    // #Software:, e.g. "Microsoft Exchange Server"
	Version  string    // #Version:, e.g. "15.01.2375.007"
	LogType  string    // #Log-type:, e.g. "Message Tracking Log"
	Date     time.Time // #Date: (UTC); zero when absent or unparsable
	Fields   []string  // #Fields: column names in file order
	// Other holds any other '#' lines, without the '#': the first
	// MaxOtherDirectives of the block.
	Other []string
}

// Layout returns which known field set h.Fields is, or LayoutCustom, or
// LayoutUnknown when h has no fields.
func (h *Header) Layout() Layout {
	return layoutOf(h.Fields)
}

// firstSEBuild is the first build of Exchange Server Subscription Edition
// (15.02.2562): it shares major and minor version with Exchange 2019
// (format.md §1, inferred: no real SE file found).
const firstSEBuild = 2562

// Product names the Exchange release that wrote the file, from h.Version:
// "Exchange 2007" (8.x), "Exchange 2010" (14.x), "Exchange 2013" (15.00),
// "Exchange 2016" (15.01), "Exchange 2019" (15.02 before build 2562),
// "Exchange SE" (15.02 build 2562 and later), or "" when unknown.
func (h *Header) Product() string { return ProductOfVersion(h.Version) }

// ProductOfVersion is [Header.Product] for a version string as found in
// #Version: or the schema-version field.
func ProductOfVersion(v string) string {
	parts := strings.Split(v, ".")
	if len(parts) < 2 {
		return ""
	}
	major, ok1 := atoiSmall(parts[0])
	minor, ok2 := atoiSmall(parts[1])
	if !ok1 || !ok2 {
		return ""
	}
	switch {
	case major == 8:
		return "Exchange 2007"
	case major == 14:
		return "Exchange 2010"
	case major == 15 && minor == 0:
		return "Exchange 2013"
	case major == 15 && minor == 1:
		return "Exchange 2016"
	case major == 15 && minor == 2:
		if len(parts) >= 3 {
			if build, ok := atoiSmall(parts[2]); ok && build >= firstSEBuild {
				return "Exchange SE"
			}
		}
		return "Exchange 2019"
	}
	return ""
}

func atoiSmall(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func layoutOf(names []string) Layout {
	if len(names) == 0 {
		return LayoutUnknown
	}
	for _, l := range [...]Layout{Layout2016, Layout2013, Layout2010, Layout2007} {
		fs := layoutFields(l)
		if len(fs) != len(names) {
			continue
		}
		match := true
		for i, f := range fs {
			if !strings.EqualFold(names[i], f.String()) {
				match = false
				break
			}
		}
		if match {
			return l
		}
	}
	return LayoutCustom
}

func layoutFields(l Layout) []Field {
	switch l {
	case Layout2007:
		return fields2007[:]
	case Layout2010:
		return fields2010[:]
	case Layout2013:
		return fields2013[:]
	case Layout2016:
		return fields2016[:]
	}
	return nil
}

// columns maps fields to column indexes for one #Fields: list.
type columns struct {
	names   []string         // column names in file order
	idx     [NumFields]int16 // column of each known field, -1 when absent
	field   []int16          // known field of each column, -1 for other columns
	layout  Layout
	logType string // #Log-type: of the header block that gave the list, or ""
}

// Columns is the column list a row was read under: one #Fields: line (or
// Config.Fields), with the #Log-type: of its header block. It is a small
// comparable handle: rows read under the same #Fields: line have equal
// Columns, so a decoder of a sibling log format (package smtplog) can map
// its column names to indexes once per header rather than once per row.
// The zero Columns has no columns. Its methods do no allocation.
type Columns struct{ c *columns }

// Len returns the number of columns.
func (c Columns) Len() int {
	if c.c == nil {
		return 0
	}
	return len(c.c.names)
}

// Name returns the #Fields: name of column i.
func (c Columns) Name(i int) string { return c.c.names[i] }

// Index returns the index of the column named name (ASCII
// case-insensitive), or -1.
func (c Columns) Index(name string) int {
	if c.c == nil {
		return -1
	}
	return c.c.column(name)
}

// LogType returns the #Log-type: value of the header block the column list
// came from ("Message Tracking Log", "SMTP Receive Protocol Log", …), or ""
// when the block had none or the list came from Config.Fields.
func (c Columns) LogType() string {
	if c.c == nil {
		return ""
	}
	return c.c.logType
}

func newColumns(names []string) *columns {
	c := &columns{names: names, layout: layoutOf(names), field: make([]int16, len(names))}
	for i := range c.idx {
		c.idx[i] = -1
	}
	for i, n := range names {
		c.field[i] = -1
		if f, ok := LookupField([]byte(n)); ok && c.idx[f] < 0 {
			c.idx[f] = int16(i)
			c.field[i] = int16(f)
		}
	}
	return c
}

// column returns the index of the column named name (ASCII case-insensitive),
// or -1.
func (c *columns) column(name string) int {
	for i, n := range c.names {
		if strings.EqualFold(n, name) {
			return i
		}
	}
	return -1
}

// parseDirective applies one '#' line (without line ending) to h. It reports
// whether the line was a #Fields: line, and an error for a line it cannot
// read.
func parseDirective(h *Header, line []byte) (fields bool, err error) {
	body := line[1:]
	colon := bytes.IndexByte(body, ':')
	if colon < 0 {
		h.addOther(body)
		return false, nil
	}
	key := body[:colon]
	val := bytes.TrimSpace(body[colon+1:])
	switch {
	case ascii.EqualFold(key, "Software"):
		h.Software = string(val)
	case ascii.EqualFold(key, "Version"):
		h.Version = string(val)
	case ascii.EqualFold(key, "Log-type"):
		h.LogType = string(val)
	case ascii.EqualFold(key, "Date"):
		if t, ok := ParseTime(val); ok {
			h.Date = t
		} else {
			h.Date = time.Time{}
			return false, ErrHeader
		}
	case ascii.EqualFold(key, "Fields"):
		if len(val) == 0 {
			return false, ErrHeader
		}
		n := bytes.Count(val, []byte{','}) + 1
		if n > MaxFields {
			return false, ErrTooManyFields
		}
		names := make([]string, 0, n)
		for _, p := range bytes.Split(val, []byte{','}) {
			names = append(names, string(bytes.TrimSpace(p)))
		}
		h.Fields = names
		return true, nil
	default:
		h.addOther(body)
	}
	return false, nil
}

func (h *Header) addOther(body []byte) {
	if len(h.Other) < MaxOtherDirectives {
		h.Other = append(h.Other, string(body))
	}
}

// clone returns a deep copy of h.
func (h *Header) clone() Header {
	c := *h
	c.Fields = append([]string(nil), h.Fields...)
	c.Other = append([]string(nil), h.Other...)
	return c
}
