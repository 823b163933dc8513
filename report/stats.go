// Package report aggregates traces and rows into the summaries admins ask
// for: counts with explicit semantics, top talkers, latency percentiles
// (Stats), and who submits mail how (Submitters). Memory is bounded: top
// lists use the Space-Saving algorithm, percentiles a three-digit histogram.
package report

import (
	"slices"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// DefaultTopCapacity is the number of counters each top list keeps.
const DefaultTopCapacity = 4096

// Stats accumulates rows (AddRecord) and traces (AddTrace). Use NewStats.
// A Stats is not safe for concurrent use, with one exception: the rows and
// the traces are counted in separate fields, so one goroutine may call
// AddRecord while another calls AddTrace (the CLI counts rows as it reads
// them and traces as the correlator emits them). Summary comes after both.
type Stats struct {
	Counts Counts
	// InputServers, when set before Summary, names the server that wrote
	// each input (by Record.Origin().File), as the correlator decided from
	// the rows (correlate.Tracker.InputServers): the rows of an input it
	// names count for that server, whatever folder the input was found
	// in; the rows of other inputs count by their own columns.
	InputServers map[string]string
	events       tally
	sources      tally
	servers      map[string]tally // per input: rows per server the row or its folder names
	inputs       map[*msgtrk.Origin]inputCount
	rows         int64
	first        time.Time
	last         time.Time
	senders      *TopK // by messages sent
	recipients   *TopK // by messages received (delivered or sent outside)
	domains      *TopK // recipient domains, by recipients
	sizes        SizeHistogram
	e2e          Histogram
	hops         map[correlate.Role]*Histogram
}

// NewStats returns an empty Stats whose top lists keep capacity counters
// (0 means DefaultTopCapacity).
func NewStats(capacity int) *Stats {
	if capacity <= 0 {
		capacity = DefaultTopCapacity
	}
	return &Stats{
		events: tally{}, sources: tally{}, servers: map[string]tally{}, inputs: map[*msgtrk.Origin]inputCount{},
		senders: NewTopK(capacity), recipients: NewTopK(capacity), domains: NewTopK(capacity),
		hops: map[correlate.Role]*Histogram{},
	}
}

// maxDistinct bounds the distinct event-id, source and server spellings
// counted; more are counted as "(other)".
const maxDistinct = 1024

// tally counts rows per spelling. The counts sit behind pointers so that
// counting a spelling seen before is one lookup that does not allocate
// (assigning m[string(k)] would copy the key each time).
type tally map[string]*int64

func bump(m tally, k []byte) { *counter(m, k)++ }

// counter returns the count of spelling k in m, a new one at 0 the first
// time (or "(other)"'s, when m holds maxDistinct spellings).
func counter(m tally, k []byte) *int64 {
	if n, ok := m[string(k)]; ok {
		return n
	}
	key := string(k)
	if len(m) >= maxDistinct {
		key = "(other)"
		if n, ok := m[key]; ok {
			return n
		}
	}
	n := new(int64)
	m[key] = n
	return n
}

// inputCount is what AddRecord counts an input's rows in: its tally of
// servers, and the count of its server when its path names it.
type inputCount struct {
	in     tally
	server *int64 // nil when the rows name their server
}

// inputOf returns the counts of the input of origin o, found by o itself
// after its first row (its file's path is not hashed again for each row).
func (s *Stats) inputOf(o *msgtrk.Origin) inputCount {
	if c, ok := s.inputs[o]; ok {
		return c
	}
	in, ok := s.servers[o.File]
	if !ok {
		in = tally{}
		if len(s.servers) < maxDistinct {
			s.servers[o.File] = in
		}
	}
	c := inputCount{in: in}
	if o.Server != "" {
		c.server = counter(in, []byte(o.Server))
	}
	if len(s.inputs) < maxDistinct {
		s.inputs[o] = c
	}
	return c
}

// AddRecord counts one row.
func (s *Stats) AddRecord(rec *msgtrk.Record) {
	s.rows++
	bump(s.events, rec.Field(msgtrk.EventID))
	bump(s.sources, rec.Field(msgtrk.Source))
	if c := s.inputOf(rec.Origin()); c.server != nil {
		*c.server++
	} else {
		bump(c.in, msgtrk.LoggingServer(rec))
	}
	if t, err := rec.Time(); err == nil {
		if s.first.IsZero() || t.Before(s.first) {
			s.first = t
		}
		if t.After(s.last) {
			s.last = t
		}
	}
}

// AddTrace counts one message.
func (s *Stats) AddTrace(t *correlate.Trace) {
	s.Counts.Add(t)
	if t.Orphan {
		return
	}
	if t.Sender != "" {
		s.senders.Add(strings.ToLower(t.Sender))
	}
	if t.Size > 0 {
		s.sizes.Add(t.Size)
	}
	for _, r := range t.Recipients {
		if r.Status == correlate.StatusDelivered || r.Status == correlate.StatusSentExternal {
			s.recipients.Add(r.Address)
			if r.Latency > 0 {
				s.e2e.Add(r.Latency)
			}
		}
		if i := strings.LastIndexByte(r.Address, '@'); i >= 0 {
			s.domains.Add(r.Address[i+1:])
		}
	}
	for _, h := range t.Hops {
		if h.Latency > 0 {
			hh := s.hops[h.Role]
			if hh == nil {
				hh = &Histogram{}
				s.hops[h.Role] = hh
			}
			hh.Add(h.Latency)
		}
	}
}

// SummaryVersion is the version of the Summary's JSON form, written as
// "v".
const SummaryVersion = 1

// Summary is the result of Stats, ready for printing or JSON (version
// SummaryVersion: numbers as numbers, lists as arrays, times in RFC 3339
// UTC with milliseconds).
type Summary struct {
	V          int                    `json:"v"`
	Rows       int64                  `json:"rows"`
	First      string                 `json:"first,omitempty"`
	Last       string                 `json:"last,omitempty"`
	Counts     CountsJSON             `json:"counts"`
	Events     []Entry                `json:"events"`
	Sources    []Entry                `json:"sources"`
	Servers    []Entry                `json:"servers"`
	TopSenders []Entry                `json:"top_senders"`
	TopRcpts   []Entry                `json:"top_recipients"`
	TopDomains []Entry                `json:"top_recipient_domains"`
	Size       SizeJSON               `json:"size"`
	EndToEnd   LatencyJSON            `json:"end_to_end_latency"`
	HopLatency map[string]LatencyJSON `json:"hop_latency"`
	Malformed  int64                  `json:"malformed_lines"`
	ClockSkew  []SkewJSON             `json:"clock_skew"`
	// LateRows is the count of rows that came after their message's
	// trace was emitted (correlate.Stats.Late), over the whole input
	// whatever the filters: they are in no trace, so the counts above
	// miss what they say. The caller sets it (Summary leaves it 0).
	LateRows int64 `json:"late_rows"`
}

// SkewJSON is one server's estimated clock offset (see
// correlate.Tracker.Skew).
type SkewJSON struct {
	Server        string  `json:"server"`
	OffsetSeconds float64 `json:"offset_seconds"`
	Reference     string  `json:"reference"`
	Samples       int64   `json:"samples"`
}

// CountsJSON is Counts with JSON names.
type CountsJSON struct {
	Messages int64 `json:"unique_messages"`
	NDRs     int64 `json:"ndrs"`
	// DSNs counts the DSNs of every type, NDRs included; DSNsUnknownType
	// those whose type is unknown (see Counts).
	DSNs            int64 `json:"dsns"`
	DSNsUnknownType int64 `json:"dsns_unknown_type"`
	Orphans         int64 `json:"orphan_traces"`
	Recipients      int64 `json:"recipients"`
	Deliveries      int64 `json:"deliveries"`
	Delivered       int64 `json:"delivered"`
	SentExternal    int64 `json:"sent_external"`
	Failed          int64 `json:"failed"`
	Dropped         int64 `json:"dropped"`
	Duplicate       int64 `json:"duplicate"`
	Pending         int64 `json:"pending"`
	Expansions      int64 `json:"group_expansions"`
	Expanded        int64 `json:"recipients_from_groups"`
	DuplicateRows   int64 `json:"duplicate_rows"`
	ShadowRows      int64 `json:"shadow_rows"`
	HandedOff       int64 `json:"handed_off"` // recipients handed to servers whose logs are missing
	// RecipientsUnknown: messages whose recipients an export lost (see
	// Counts.RecipientsUnknown); the recipient counts leave them out.
	RecipientsUnknown int64 `json:"recipients_unknown"`
}

// Each calls f with each count's JSON name and value, in the order of the
// JSON object: the one list the other forms of the summary (the CSV of
// the stats command) follow, so that none leaves a count out.
func (c CountsJSON) Each(f func(key string, n int64)) {
	for _, kv := range [...]struct {
		key string
		n   int64
	}{
		{"unique_messages", c.Messages}, {"ndrs", c.NDRs}, {"dsns", c.DSNs}, {"dsns_unknown_type", c.DSNsUnknownType},
		{"orphan_traces", c.Orphans}, {"recipients", c.Recipients}, {"deliveries", c.Deliveries},
		{"delivered", c.Delivered}, {"sent_external", c.SentExternal}, {"failed", c.Failed}, {"dropped", c.Dropped},
		{"duplicate", c.Duplicate}, {"pending", c.Pending}, {"group_expansions", c.Expansions},
		{"recipients_from_groups", c.Expanded}, {"duplicate_rows", c.DuplicateRows}, {"shadow_rows", c.ShadowRows},
		{"handed_off", c.HandedOff}, {"recipients_unknown", c.RecipientsUnknown},
	} {
		f(kv.key, kv.n)
	}
}

// SizeJSON summarises message sizes in bytes.
type SizeJSON struct {
	Total int64 `json:"total_bytes"`
	Mean  int64 `json:"mean_bytes"`
	P50   int64 `json:"p50_bytes"`
	P90   int64 `json:"p90_bytes"`
	P99   int64 `json:"p99_bytes"`
	Max   int64 `json:"max_bytes"`
}

// LatencyJSON summarises durations in seconds.
type LatencyJSON struct {
	Count int64   `json:"count"`
	Mean  float64 `json:"mean_seconds"`
	P50   float64 `json:"p50_seconds"`
	P90   float64 `json:"p90_seconds"`
	P99   float64 `json:"p99_seconds"`
	Max   float64 `json:"max_seconds"`
}

func latencyOf(h *Histogram) LatencyJSON {
	p := h.Percentiles(50, 90, 99)
	return LatencyJSON{Count: h.Count(), Mean: h.Mean().Seconds(), P50: p[0].Seconds(), P90: p[1].Seconds(), P99: p[2].Seconds(), Max: h.Max().Seconds()}
}

func sortedEntries(m tally) []Entry {
	out := make([]Entry, 0, len(m))
	for k, v := range m {
		out = append(out, Entry{Key: k, Count: *v})
	}
	slices.SortFunc(out, compareEntries)
	return out
}

// serverRows counts the rows per server: by InputServers for the inputs it
// names, by the rows' own columns (or folder) for the others.
func (s *Stats) serverRows() tally {
	out := tally{}
	for file, in := range s.servers {
		name, decided := s.InputServers[file]
		for k, n := range in {
			if decided {
				k = name
			}
			p, ok := out[k]
			if !ok {
				p = new(int64)
				out[k] = p
			}
			*p += *n
		}
	}
	return out
}

// Summary returns the summary with top lists of length top; malformed is
// the number of malformed lines the caller saw.
func (s *Stats) Summary(top int, malformed int64) Summary {
	c := s.Counts
	sum := Summary{
		V:    SummaryVersion,
		Rows: s.rows,
		Counts: CountsJSON{c.Messages, c.NDRs, c.DSNs, c.DSNsUnknownType, c.Orphans, c.Recipients, c.Deliveries(), c.Delivered, c.SentExternal,
			c.Failed, c.Dropped, c.Duplicate, c.Pending, c.Expansions, c.Expanded, c.DuplicateRows, c.ShadowRows, c.HandedOff, c.RecipientsUnknown},
		Events: sortedEntries(s.events), Sources: sortedEntries(s.sources), Servers: sortedEntries(s.serverRows()),
		TopSenders: s.senders.Top(top), TopRcpts: s.recipients.Top(top), TopDomains: s.domains.Top(top),
		ClockSkew:  []SkewJSON{},
		EndToEnd:   latencyOf(&s.e2e),
		HopLatency: map[string]LatencyJSON{},
		Malformed:  malformed,
	}
	if !s.first.IsZero() {
		sum.First = msgtrk.FormatTime(s.first)
		sum.Last = msgtrk.FormatTime(s.last)
	}
	p := s.sizes.Percentiles(50, 90, 99)
	sum.Size = SizeJSON{Total: c.Bytes, P50: p[0], P90: p[1], P99: p[2], Max: s.sizes.Max()}
	if n := s.sizes.Count(); n > 0 {
		sum.Size.Mean = c.Bytes / n
	}
	for role, h := range s.hops {
		sum.HopLatency[role.String()] = latencyOf(h)
	}
	return sum
}
