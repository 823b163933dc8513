package correlate

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// maxSkewTraceEvents bounds the traces sampled for skew (the pairing is
// quadratic in the rows of a trace).
const maxSkewTraceEvents = 256

// maxSkewSamples bounds the hand-over samples kept per pair of servers.
const maxSkewSamples = 1024

// skewPair collects, for hand-overs from one server to another, the time the
// receiver logged minus the time the sender logged.
type skewPair struct {
	deltas []int64 // a reservoir of at most maxSkewSamples
	n      int64   // hand-overs seen
}

func (p *skewPair) add(d int64, seq uint64) {
	p.n++
	if len(p.deltas) < maxSkewSamples {
		p.deltas = append(p.deltas, d)
		return
	}
	// Deterministic reservoir replacement, driven by the tracker's counter.
	if i := int(seq % uint64(p.n)); i < maxSkewSamples {
		p.deltas[i] = d
	}
}

func (p *skewPair) median() int64 {
	s := slices.Clone(p.deltas)
	slices.Sort(s)
	return s[len(s)/2]
}

// ServerSkew is the estimated clock offset of one server.
type ServerSkew struct {
	Server string
	// Offset is how far the server's clock is estimated to run ahead of the
	// reference server's (negative: behind).
	Offset time.Duration
	// Reference is the server the offset is relative to.
	Reference string
	// Samples is the number of hand-overs the estimate rests on.
	Samples int64
}

// Skew estimates the clock offsets between servers from the hand-overs seen
// so far (a SEND on one server and the RECEIVE or DELIVER of the same
// message on the next). For two servers that hand mail to each other the
// offset is half the difference of the median delays in each direction,
// which cancels the transfer time; with one direction only it is that
// direction's median delay (an upper bound, as it includes the transfer).
// Offsets are relative to the server with the most hand-overs, through the
// pairs that connect them; servers not connected to it are left out.
func (t *Tracker) Skew() []ServerSkew {
	em := t.builds()
	if em.mu != nil {
		em.mu.Lock()
		defer em.mu.Unlock()
	}
	return skewReport(em.skew)
}

func skewReport(pairs map[[2]string]*skewPair) []ServerSkew {
	// Offsets between neighbours.
	type edge struct {
		to  string
		off int64
		n   int64
	}
	adj := map[string][]edge{}
	weight := map[string]int64{}
	for k, p := range pairs {
		a, b := k[0], k[1]
		if _, done := adj[a]; done {
			seen := false
			for _, e := range adj[a] {
				seen = seen || e.to == b
			}
			if seen {
				continue
			}
		}
		off := p.median()
		n := p.n
		if r, ok := pairs[[2]string{b, a}]; ok {
			off = (off - r.median()) / 2
			n += r.n
		}
		adj[a] = append(adj[a], edge{b, off, n})
		adj[b] = append(adj[b], edge{a, -off, n})
		weight[a] += n
		weight[b] += n
	}
	if len(adj) == 0 {
		return nil
	}
	names := make([]string, 0, len(adj))
	for s := range adj {
		names = append(names, s)
	}
	slices.Sort(names)
	ref := names[0]
	for _, s := range names {
		if weight[s] > weight[ref] {
			ref = s
		}
	}
	// Breadth first from the reference, along the best-supported edges.
	off := map[string]int64{ref: 0}
	samples := map[string]int64{ref: weight[ref]}
	queue := []string{ref}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		es := adj[s]
		slices.SortFunc(es, func(a, b edge) int {
			return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.to, b.to))
		})
		for _, e := range es {
			if _, ok := off[e.to]; ok {
				continue
			}
			off[e.to] = off[s] + e.off
			samples[e.to] = e.n
			queue = append(queue, e.to)
		}
	}
	out := make([]ServerSkew, 0, len(off))
	for _, s := range names {
		if o, ok := off[s]; ok {
			out = append(out, ServerSkew{Server: s, Offset: time.Duration(o), Reference: ref, Samples: samples[s]})
		}
	}
	return out
}

// noteSkew records the hand-overs of a trace: each SEND and the receipt of
// the same message logged on the server it went to.
func (t *emitter) noteSkew() {
	if len(t.events) > maxSkewTraceEvents {
		return // plenty of samples come from ordinary messages
	}
	for i := range t.events {
		e := &t.events[i]
		if e.etype != msgtrk.EventSend || e.peer == "" || e.time == 0 {
			continue
		}
		from := e.short
		if from == e.peer {
			continue // the same clock
		}
		best := int64(0)
		found := false
		for j := range t.events {
			r := &t.events[j]
			if r.time == 0 || r.peer != from || r.short != e.peer || !isReceipt(r) {
				continue
			}
			d := r.time - e.time
			if !found || abs(d) < abs(best) {
				best, found = d, true
			}
		}
		if !found {
			continue
		}
		k := [2]string{t.b.org.nameFor(from), t.b.org.nameFor(e.peer)}
		p := t.skew[k]
		if p == nil {
			if len(t.skew) >= maxInterned {
				continue // a hostile input naming endless servers
			}
			p = &skewPair{}
			t.skew[k] = p
		}
		t.skewSeq++
		p.add(best, t.skewSeq)
	}
}

// isReceipt reports whether r is the receiving side of a hand-over.
func isReceipt(r *event) bool {
	switch r.etype {
	case msgtrk.EventReceive:
		return r.source == msgtrk.SourceSMTP
	case msgtrk.EventDeliver, msgtrk.EventDeliverFail:
		return true
	}
	return false
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
