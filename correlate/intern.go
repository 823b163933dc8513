package correlate

// maxInterned bounds the host names interned (and the servers and short
// names remembered): a few thousand covers any organisation, while a hostile
// input naming a new host on every row cannot grow the Tracker past it.
const maxInterned = 4096

// internTable interns strings: one copy of each, up to maxInterned of
// them (past that, each call makes its own).
type internTable map[string]string

// of returns b as a string, the table's copy when it has one.
func (m internTable) of(b []byte) string {
	if s, ok := m[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(m) < maxInterned {
		m[s] = s
	}
	return s
}

// intern interns b in the emitter's table.
func (t *emitter) intern(b []byte) string { return t.strs.of(b) }

// internLike is intern for a string that is often the one *last was
// (the local host of the row before): it is then *last, without looking
// it up; else it becomes *last.
func (t *emitter) internLike(b []byte, last *string) string {
	if string(b) == *last {
		return *last
	}
	*last = t.intern(b)
	return *last
}

// short returns the short lower-case name of a server, cached.
func (t *Tracker) short(server string) string {
	if s, ok := t.shorts[server]; ok {
		return s
	}
	s := string(shortHost(nil, []byte(server)))
	if len(t.shorts) < maxInterned {
		t.shorts[server] = s
	}
	return s
}
