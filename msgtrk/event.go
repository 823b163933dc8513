package msgtrk

import "time"

// Event is an owned, editable row: the value of every known field as text,
// plus any columns of unknown name. It is what a Writer writes and what
// Record.Event returns. Values are stored exactly as their text (CSV quoting
// removed), so no spelling is lost, even one that does not parse; the typed
// views are on Record.
//
// List fields (recipient-address, recipient-status, reference, custom-data)
// hold their members joined as in the file; use SetList and List to work
// with members.
type Event struct {
	Fields [NumFields]string
	// Extra holds columns whose names are not known fields, in file order.
	Extra []Column
	// Where the row came from, when it was read; ignored by the Writer.
	File   string
	Server string
	Line   int64
}

// Column is a column of unknown name and its value.
type Column struct {
	Name, Value string
}

// Get returns the value of field f.
func (e *Event) Get(f Field) string {
	if int(f) >= NumFields {
		return ""
	}
	return e.Fields[f]
}

// Set sets the value of field f.
func (e *Event) Set(f Field, v string) {
	if int(f) < NumFields {
		e.Fields[f] = v
	}
}

// SetTime sets date-time to t in the layout Exchange writes.
func (e *Event) SetTime(t time.Time) {
	var buf [32]byte
	e.Fields[DateTime] = string(AppendTime(buf[:0], t))
}

// SetList sets list field f to members, quoting members as needed (see
// ListScanner). A list of one empty member is written as two apostrophes
// (an empty quoted member), so that it does not read back as an empty list.
func (e *Event) SetList(f Field, members []string) {
	if len(members) == 1 && members[0] == "" {
		e.Set(f, "''")
		return
	}
	var b []byte
	for i, m := range members {
		if i > 0 {
			b = append(b, ';')
		}
		b = AppendListMember(b, []byte(m))
	}
	e.Set(f, string(b))
}

// List returns the members of list field f. It allocates.
func (e *Event) List(f Field) []string {
	var s ListScanner
	s.Init([]byte(e.Get(f)))
	var out []string
	for s.Next() {
		out = append(out, string(s.Bytes()))
	}
	return out
}

// Event copies the row into an owned Event. Field values are CSV-unquoted
// (as Field returns them), not line-unescaped. It allocates.
func (r *Record) Event() Event {
	var e Event
	if r.c == nil {
		return e
	}
	for i := range r.ends {
		name := r.c.names[i]
		v := r.value(r.span(i))
		if f, ok := LookupField([]byte(name)); ok && int(r.c.idx[f]) == i {
			e.Fields[f] = string(v)
			continue
		}
		e.Extra = append(e.Extra, Column{Name: name, Value: string(v)})
	}
	if r.origin != nil {
		e.File = r.origin.File
		e.Server = r.origin.Server
	}
	e.Line = r.lineNo
	return e
}
