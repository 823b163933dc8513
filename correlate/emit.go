package correlate

import "sync"

// emitter builds the traces a Tracker emits and hands them to OnTrace:
// the Tracker's own, called on its goroutine, or the one of its building
// goroutine (Options.BuildAhead, ahead.go). It owns everything building
// reads and writes besides the open trace itself: the builder, the
// buffers the rows are unpacked into, the interned host names, the clock
// skew samples and the counts of the traces emitted.
type emitter struct {
	onTrace             func(*Trace)
	b                   builder
	text                textBlock     // the strings of the traces built
	strs                internTable   // interned host names
	lastLocal, lastPeer string        // the last local and peer hosts unpacked (internLike)
	events              []event       // the rows of the trace being built (unpack)
	receives            []receiveInfo // and their receive information
	skew                map[[2]string]*skewPair
	skewSeq             uint64
	counts              Stats // Traces, Complete, Expired, Evicted, Flushed, Orphans
	// mu, when set, guards skew and counts, which the Tracker's goroutine
	// reads while the building goroutine writes them.
	mu *sync.Mutex
}

// newEmitter returns an emitter that builds with what o tells of the
// organisation and hands the traces to onTrace.
func newEmitter(o org, onTrace func(*Trace), keepSMTP bool) *emitter {
	e := &emitter{onTrace: onTrace, strs: internTable{}, skew: map[[2]string]*skewPair{}}
	e.b.org, e.b.intern, e.b.text = o, e.intern, &e.text
	e.b.keepSMTP = keepSMTP
	return e
}

// finish builds tr's Trace and hands it to OnTrace. reason 0 means
// "complete or expired, by the recipients". It reads tr and writes none
// of it: the caller gives tr's buffers back to the pools afterwards.
func (em *emitter) finish(tr *trace, reason Reason) {
	em.onTrace(em.build(tr, reason))
}

// build builds tr's Trace, with its Reason, and counts it.
func (em *emitter) build(tr *trace, reason Reason) *Trace {
	em.unpack(tr)
	out := em.b.build(tr)
	out.Reason = reasonOf(out, reason)
	if em.mu != nil {
		em.mu.Lock()
		defer em.mu.Unlock()
	}
	em.noteSkew()
	em.releaseEvents()
	c := &em.counts
	c.Traces++
	switch out.Reason {
	case ReasonComplete:
		c.Complete++
	case ReasonExpired:
		c.Expired++
	case ReasonEvicted:
		c.Evicted++
	case ReasonFlushed:
		c.Flushed++
	}
	if tr.primary == "" {
		c.Orphans++
	}
	return out
}

// reasonOf returns why out is emitted: reason, or when it is 0, complete
// or expired by what out shows.
func reasonOf(out *Trace, reason Reason) Reason {
	if reason != 0 {
		return reason
	}
	for _, r := range out.Recipients {
		if !r.Status.Final() {
			return ReasonExpired
		}
	}
	// A trace that shows no entry, or crossed a server whose logs are
	// missing, is not complete whatever its recipients say; a trace of
	// summaries alone (summary.go) has no entry to show. Nor is one whose
	// rows came without their recipients, nor one that holds two messages.
	if out.Origin.Protocol == ProtocolUnknown && !(out.Summary && len(out.Hops) == 0) || len(out.MissingLogs) > 0 ||
		out.HasAnomaly(AnomalyRecipientsUnknown) || out.HasAnomaly(AnomalyMessageIDReused) {
		return ReasonExpired
	}
	return ReasonComplete
}

// emitted returns the counts of the traces emitted (see emitter.counts).
func (em *emitter) emitted() Stats {
	if em.mu != nil {
		em.mu.Lock()
		defer em.mu.Unlock()
	}
	return em.counts
}

// builds returns the emitter that builds t's traces.
func (t *Tracker) builds() *emitter {
	if t.ahead != nil {
		return t.ahead.em
	}
	return t.em
}
