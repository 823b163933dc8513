package correlate

import (
	"maps"
	"slices"
)

// A Tracker that builds its traces on a goroutine of its own
// (Options.BuildAhead) gives that goroutine a copy of its orgState, made
// when the Tracker is, and then, with each trace it emits, what changed in
// the state since the trace emitted before it (orgChanges): the copy is
// then the state as it was at that trace's emission, as building on the
// Tracker's goroutine would have read it. Only entries that changed go,
// each with its value: the work is linear in the changes, which are few
// (a file's vote counts its first rows, a server's flags only turn on),
// not in the size of the state.

// orgChanges is what changed in an orgState since the last takeChanges:
// the new values of the entries that changed.
type orgChanges struct {
	files     []fileChange
	servers   []serverChange
	names     [][2]string // short name, display name
	mixedCase bool
	domains   []string
}

type fileChange struct {
	i int32
	f fileState
}

type serverChange struct {
	short string
	s     serverState
}

// fileChanged notes that file i changed (it is new, or its vote).
func (o *orgState) fileChanged(i int32) {
	if o.track {
		o.changed.files = append(o.changed.files, i)
	}
}

// serverChanged notes that the state of server short changed.
func (o *orgState) serverChanged(short string) {
	if o.track {
		o.changed.servers = append(o.changed.servers, short)
	}
}

// takeChanges returns what changed since it was last called (since track
// was set, the first time), nil when nothing did.
func (o *orgState) takeChanges() *orgChanges {
	ch := &o.changed
	if len(ch.files) == 0 && len(ch.servers) == 0 && len(ch.names) == 0 && len(ch.domains) == 0 {
		return nil
	}
	c := &orgChanges{mixedCase: o.mixedCase, domains: slices.Clone(ch.domains)}
	for _, i := range ch.files {
		f := o.files[i]
		f.votes, f.memo = slices.Clone(f.votes), observeMemo{} // (the memo serves observe, which a copy does not)
		c.files = append(c.files, fileChange{i, f})
	}
	for _, short := range ch.servers {
		if s, ok := o.servers[short]; ok {
			c.servers = append(c.servers, serverChange{short, *s})
		}
	}
	for _, short := range ch.names {
		c.names = append(c.names, [2]string{short, o.names[short]})
	}
	ch.files, ch.servers, ch.names, ch.domains = ch.files[:0], ch.servers[:0], ch.names[:0], ch.domains[:0]
	return c
}

// readCopy returns a copy of o for reading: it answers shortOf, display,
// hasLogs, serviceLogs, isEdge and accepted as o does now.
func (o *orgState) readCopy() *orgState {
	c := &orgState{
		files:     slices.Clone(o.files),
		servers:   make(map[string]*serverState, len(o.servers)),
		fixed:     maps.Clone(o.fixed),
		fixedLogs: o.fixedLogs,
		domains:   maps.Clone(o.domains),
		names:     maps.Clone(o.names),
		mixedCase: o.mixedCase,
	}
	for i := range c.files {
		c.files[i].votes, c.files[i].memo = slices.Clone(c.files[i].votes), observeMemo{}
	}
	for short, s := range o.servers {
		v := *s
		c.servers[short] = &v
	}
	return c
}

// apply makes the changes c tells of to o, a readCopy.
func (o *orgState) apply(c *orgChanges) {
	for _, fc := range c.files {
		if int(fc.i) >= len(o.files) {
			o.files = append(o.files, make([]fileState, int(fc.i)+1-len(o.files))...)
		}
		o.files[fc.i] = fc.f
	}
	for _, sc := range c.servers {
		v := sc.s
		o.servers[sc.short] = &v
	}
	if o.names == nil {
		o.names = map[string]string{}
	}
	if o.domains == nil {
		o.domains = map[string]bool{}
	}
	for _, n := range c.names {
		o.names[n[0]] = n[1]
	}
	o.mixedCase = o.mixedCase || c.mixedCase
	for _, d := range c.domains {
		o.domains[d] = true
	}
}
