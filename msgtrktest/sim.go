package msgtrktest

import (
	"cmp"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// Sim is a configured simulation: an organisation and the traffic it will
// carry. It is immutable after New; each WriteDir, WriteFS or Stream call
// generates the same traffic from the start. A Sim is safe for concurrent
// use by several goroutines, each call running independently.
type Sim struct {
	cfg Config
	org *Org

	mailbox     []int // indexes of Mailbox servers in org.Servers
	edges       []int
	regular     []int // indexes of users who are people (not service accounts)
	userByAddr  map[string]int
	aliasUser   map[string]int
	groupByAddr map[string]int
	serverIdx   map[string]int
	active      []Kind // kinds with a weight, in MixKinds order
	weights     []float64
}

// New validates cfg, fills in its defaults and builds the organisation
// (time and memory in proportion to Users and Groups; no traffic is
// generated yet). Errors wrap ErrConfig.
func New(cfg Config) (*Sim, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Sim{cfg: cfg, org: buildOrg(cfg)}
	s.userByAddr = map[string]int{}
	s.aliasUser = map[string]int{}
	s.groupByAddr = map[string]int{}
	s.serverIdx = map[string]int{}
	for i, srv := range s.org.Servers {
		s.serverIdx[srv.Name] = i
		if srv.Role == RoleMailbox {
			s.mailbox = append(s.mailbox, i)
		} else {
			s.edges = append(s.edges, i)
		}
	}
	for i, u := range s.org.Users {
		s.userByAddr[u.Address] = i
		if u.Alias != "" {
			s.aliasUser[u.Alias] = i
		}
		if !u.Service {
			s.regular = append(s.regular, i)
		}
	}
	for i, g := range s.org.Groups {
		s.groupByAddr[g.Address] = i
	}
	for _, k := range MixKinds {
		if w := cfg.Mix.Weight(k); w > 0 {
			s.active = append(s.active, k)
			s.weights = append(s.weights, w)
		}
	}
	return s, nil
}

// Org returns the simulated organisation, shared by every call: it must not
// be modified, and is safe to read from several goroutines.
func (s *Sim) Org() *Org { return s.org }

// Config returns a copy of the configuration with its defaults filled in.
func (s *Sim) Config() Config { return s.cfg }

// run generates the traffic into a sink (files) or w (merged stream).
func (s *Sim) run(snk sink, w io.Writer) (*Truth, error) {
	g := newGen(s)
	o := &out{sim: s, sink: snk, dupLeft: s.cfg.DuplicateFiles, cutLeft: s.cfg.TruncateFiles, cutRng: s.cfg.Seed ^ 0x9e3779b97f4a7c15}
	g.o = o
	var collected []MessageTruth
	var order []int
	o.complete = func(m *msgState) {
		sortTruth(&m.truth)
		if s.cfg.OnMessage != nil {
			s.cfg.OnMessage(m.truth)
			return
		}
		collected = append(collected, m.truth)
		order = append(order, m.idx)
	}
	if w != nil {
		o.merged = &itemHeap{written: true}
		o.mw = bufioWriter(w)
		g.layout = msgtrk.Layout2016.Fields()
		for _, srv := range s.org.Servers {
			o.minSkew = min(o.minSkew, srv.Skew.Milliseconds())
		}
	} else {
		o.streams = make([]*stream, 3*len(s.org.Servers))
		for i := range s.org.Servers {
			srv := &s.org.Servers[i]
			o.streams[3*i] = &stream{srv: srv, kind: msgtrk.LogTransport}
			if srv.Role == RoleMailbox && s.cfg.Version <= V2010 {
				o.streams[3*i+1] = &stream{srv: srv, kind: msgtrk.LogMailbox}
			}
			if srv.Role == RoleMailbox && s.cfg.Version > V2010 {
				o.streams[3*i+1] = &stream{srv: srv, kind: msgtrk.LogSubmission}
				o.streams[3*i+2] = &stream{srv: srv, kind: msgtrk.LogDelivery}
			}
		}
		g.layout = s.cfg.Version.Layout().Fields()
		if s.cfg.ProtocolLogs {
			g.p = newPlog(g, snk)
		}
	}

	t := s.cfg.Start.UnixMilli()
	for i := 0; ; i++ {
		if s.cfg.Messages > 0 && i >= s.cfg.Messages {
			break
		}
		if s.cfg.Events > 0 && g.rows >= s.cfg.Events {
			break
		}
		if s.cfg.Messages == 0 && s.cfg.Events == 0 {
			break
		}
		if i > 0 {
			gap := -math.Log(1-g.rng.Float64()) / s.cfg.Rate * 1000
			t += int64(gap) + 1
		}
		o.flush(t)
		if o.err != nil {
			return nil, o.err
		}
		if g.p != nil {
			g.p.flush(t)
			if g.p.err != nil {
				return nil, g.p.err
			}
		}
		g.message(g.pickKind(i), t)
	}
	o.finish()
	if o.err != nil {
		return nil, o.err
	}
	tr := &Truth{Files: o.files, Events: o.events, Cut: o.cut}
	if g.p != nil {
		tr.ProtocolFiles = g.p.finish()
		slices.SortFunc(tr.ProtocolFiles, func(a, b FileTruth) int { return strings.Compare(a.Path, b.Path) })
		if g.p.err != nil {
			return nil, g.p.err
		}
	}
	if s.cfg.OnMessage == nil {
		idx := make([]int, len(collected))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(order[a], order[b]) })
		tr.Messages = make([]MessageTruth, len(collected))
		for i, j := range idx {
			tr.Messages[i] = collected[j]
		}
	}
	return tr, nil
}

func sortTruth(t *MessageTruth) {
	slices.SortFunc(t.Recipients, func(a, b RecipientTruth) int { return strings.Compare(a.Address, b.Address) })
	SortHops(t.Hops)
	if t.Recipients == nil {
		t.Recipients = []RecipientTruth{}
	}
}

// SortHops puts hops in the order the truth lists them: by depth, then
// server, then role. A path is only partly ordered (the deliveries of one
// message to several servers happen side by side), so a trace's hops are
// put in this order before they are compared with the truth.
func SortHops(hops []Hop) {
	slices.SortFunc(hops, func(a, b Hop) int {
		return cmp.Or(cmp.Compare(a.Depth, b.Depth), strings.Compare(a.Server, b.Server), strings.Compare(a.Role, b.Role))
	})
}

// pickKind returns the kind of message i: the first messages take every
// active kind in turn, so that each occurs; the rest are drawn by weight.
func (g *gen) pickKind(i int) Kind {
	if i < len(g.s.active) {
		return g.s.active[i]
	}
	total := 0.0
	for _, w := range g.s.weights {
		total += w
	}
	x := g.rng.Float64() * total
	for j, w := range g.s.weights {
		if x < w {
			return g.s.active[j]
		}
		x -= w
	}
	return g.s.active[len(g.s.active)-1]
}

// newGen prepares the per-run state.
func newGen(s *Sim) *gen {
	g := &gen{
		s:      s,
		cfg:    s.cfg,
		org:    s.org,
		rng:    rand.New(rand.NewPCG(s.cfg.Seed, 0x6d736773)), // "msgs"
		ge13:   s.cfg.Version >= V2013,
		ge16:   s.cfg.Version >= V2016,
		legacy: s.cfg.Version <= V2010,
		v2007:  s.cfg.Version == V2007,
		extra:  rand.New(rand.NewPCG(s.cfg.Seed, 0x7874726173)), // "xtras"
	}
	n := len(s.org.Servers)
	g.imid = make([][3]int64, n)
	g.storeEvent = make([]int64, n)
	for i := range g.imid {
		g.imid[i][0] = 10_000_000_000_000 + g.rng.Int64N(80_000_000_000_000)
		g.imid[i][1] = 100 + g.rng.Int64N(5000)
		g.imid[i][2] = 1000 + g.rng.Int64N(50000)
		g.storeEvent[i] = 10_000_000 + g.rng.Int64N(200_000_000)
	}
	g.build = s.cfg.Version.Build()
	return g
}

func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
