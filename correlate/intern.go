package correlate

// maxInterned bounds the host names interned (and the servers and short
// names remembered): a few thousand covers any organisation, while a hostile
// input naming a new host on every row cannot grow the Tracker past it.
const maxInterned = 4096

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

func (t *emitter) intern(b []byte) string {
	if s, ok := t.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(t.strs) < maxInterned {
		t.strs[s] = s
	}
	return s
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
