package correlate

import (
	"slices"
	"sync"
)

// traces holds Traces handed back by Release, with the arrays Release
// names, for the builder to reuse.
var traces sync.Pool

// Release hands t back, so that a later trace reuses its record and the
// arrays of its Hops, Recipients, Anomalies, ShadowEvents, Duplicates,
// Expansions and Forks instead of allocating new ones: on a stream of many
// small traces (a burst of one-row messages) that is most of what building
// a trace allocates. Call it when done with t, from any goroutine, at most
// once; after it, t and those seven slices must not be read or kept. What
// they held stays valid: strings, and the other slices (a Recipient's
// ExpandedFrom, a Hop's From, an EventRef's Recipients, an Expansion's
// Members, a Fork's Recipients) are never written again. Not calling it is
// always correct.
func (t *Trace) Release() {
	if t == nil {
		return
	}
	hops, rcpts := t.Hops[:cap(t.Hops)], t.Recipients[:cap(t.Recipients)]
	if cap(hops) > maxReleasedHops || cap(rcpts) > maxReleasedRecipients {
		return // (an outsized trace's arrays are not kept)
	}
	clear(hops)
	clear(rcpts)
	*t = Trace{Hops: hops[:0], Recipients: rcpts[:0],
		Anomalies: keepSmall(t.Anomalies), ShadowEvents: keepSmall(t.ShadowEvents), Duplicates: keepSmall(t.Duplicates),
		Expansions: keepSmall(t.Expansions), Forks: keepSmall(t.Forks)}
	traces.Put(t)
}

// keepSmall returns s's array, cleared and empty, when it is small enough
// to keep; nil otherwise.
func keepSmall[T any](s []T) []T {
	if cap(s) > maxReleasedOther {
		return nil
	}
	s = s[:cap(s)]
	clear(s)
	return s[:0]
}

// The largest arrays Release keeps for reuse.
const (
	maxReleasedHops       = 64
	maxReleasedRecipients = 256
	maxReleasedOther      = 64
)

// newOutput returns a zeroed Trace for b to build, one released when
// there is one; the arrays it came with wait in b for buildHops and
// finalRecipients.
func (b *builder) newOutput() *Trace {
	t, _ := traces.Get().(*Trace)
	if t == nil {
		b.spareHops, b.spareRecipients = nil, nil
		return new(Trace)
	}
	b.spareHops, b.spareRecipients = t.Hops, t.Recipients
	if cap(t.Anomalies) > cap(b.spareAnomalies) {
		b.spareAnomalies = t.Anomalies
	}
	for i, s := range [...][]EventRef{t.ShadowEvents, t.Duplicates} {
		if cap(s) > cap(b.spareRefs[i]) {
			b.spareRefs[i] = s
		}
	}
	if cap(t.Expansions) > cap(b.spareExpansions) {
		b.spareExpansions = t.Expansions
	}
	if cap(t.Forks) > cap(b.spareForks) {
		b.spareForks = t.Forks
	}
	t.Hops, t.Recipients, t.Anomalies, t.ShadowEvents, t.Duplicates = nil, nil, nil, nil, nil
	t.Expansions, t.Forks = nil, nil
	return t
}

// hopsOut returns a slice of n zeroed Hops, from a released trace's array
// when it is large enough.
func (b *builder) hopsOut(n int) []Hop {
	if s := b.spareHops; s != nil && cap(s) >= n {
		b.spareHops = nil
		return s[:n]
	}
	return make([]Hop, n)
}

// recipientsOut returns an empty slice with room for n Recipients, a
// released trace's array when there is one; nil for none.
func (b *builder) recipientsOut(n int) []Recipient {
	if n == 0 {
		return nil
	}
	s := b.spareRecipients
	b.spareRecipients = nil
	return slices.Grow(s[:0], n)
}
