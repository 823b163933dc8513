package correlate_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/commands"
	"github.com/leanovate/gopter/gen"
	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/internal/proptest"
	"github.com/mailtrace/mailtrace/msgtrk"
)

const cmdWindow = time.Minute

var cmdEpoch = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// emitted is what the test compares of an emitted trace.
type emitted struct {
	Key    string
	Reason string
	Events int
}

// modelTrace and model form a naive, unbounded-by-design reimplementation of
// the Tracker's windowing: a map scanned in full at every step.
type modelTrace struct {
	key       string
	seq       int
	last      int64
	deadline  int64
	events    int
	delivered bool
	received  bool   // a RECEIVE: the message's entry is known
	msgID     string // its rows' message-id
}

type model struct {
	max        int   // Options.MaxOpenTraces
	recentKeys int   // Options.RecentKeys
	clock      int64 // the latest watermark, as nanoseconds since cmdEpoch
	open       map[string]*modelTrace
	seq        int
	recent     []string // the keys of closed traces remembered, oldest first
	late       int
	emitted    []emitted // by the last command
}

func (m *model) clone() *model {
	c := *m
	c.open = map[string]*modelTrace{}
	for k, v := range m.open {
		vv := *v
		c.open[k] = &vv
	}
	c.recent = append([]string(nil), m.recent...)
	c.emitted = nil
	return &c
}

// popMin removes and returns the open trace with the smallest (deadline, seq).
func (m *model) popMin() *modelTrace {
	var best *modelTrace
	for _, t := range m.open {
		if best == nil || t.deadline < best.deadline || t.deadline == best.deadline && t.seq < best.seq {
			best = t
		}
	}
	delete(m.open, best.key)
	return best
}

func (m *model) emit(t *modelTrace, reason string) {
	if reason == "" {
		reason = "expired"
		if t.delivered && t.received {
			reason = "complete"
		}
	}
	m.emitted = append(m.emitted, emitted{t.key, reason, t.events})
	m.remember(t.key)
	m.remember("msgid:" + t.msgID)
}

// remember adds k to the keys of closed traces as the Tracker does: a trace
// leaves its key and its message-id (two of the RecentKeys places); a key
// already remembered keeps its place; when RecentKeys are held the oldest
// is forgotten, and a row of that message opens a new trace.
func (m *model) remember(k string) {
	if slices.Contains(m.recent, k) {
		return
	}
	if len(m.recent) == m.recentKeys {
		m.recent = m.recent[1:]
	}
	m.recent = append(m.recent, k)
}

func (m *model) add(key, msgID string, at int64, deliver bool) {
	t := m.open[key]
	if t == nil {
		for _, k := range m.recent {
			if k == key {
				m.late++
				m.advance(at)
				return
			}
		}
		if len(m.open) >= m.max {
			m.emit(m.popMin(), "evicted")
		}
		m.seq++
		t = &modelTrace{key: key, seq: m.seq, msgID: msgID}
		m.open[key] = t
	}
	t.events++
	t.delivered = t.delivered || deliver
	t.received = t.received || !deliver
	if at > t.last {
		t.last = at
	}
	t.deadline = t.last + int64(cmdWindow)
	m.advance(at)
}

func (m *model) advance(w int64) {
	if w <= m.clock {
		return
	}
	m.clock = w
	for len(m.open) > 0 {
		t := m.popMin()
		if t.deadline >= w {
			m.open[t.key] = t
			return
		}
		m.emit(t, "")
	}
}

func (m *model) flush() {
	for len(m.open) > 0 {
		m.emit(m.popMin(), "flushed")
	}
}

// sut wraps a Tracker and collects what it emits.
type sut struct {
	tk      *correlate.Tracker
	out     []emitted
	clock   time.Duration   // mirrors the model's clock
	open    map[string]bool // keys of the traces the Tracker holds
	emitted map[string]bool // keys of every trace it emitted
}

// forgottenReopens counts the rows that opened a trace again for a message
// whose trace had been emitted and then forgotten (RecentKeys exceeded):
// TestPropertyStatefulAgainstModel checks that its commands reach the case.
var forgottenReopens int

func netID(k int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", k) }

func msgID(k int) string { return fmt.Sprintf("<m%d@example>", k) }

// row builds one parsed row for message k at time at: its entry, an SMTP
// RECEIVE from an anonymous Internet client, or its delivery to a mailbox,
// both written by EX01 (format.md §4: the logging server of a RECEIVE is
// its server-hostname, of a DELIVER its client-hostname), so that every
// row tells the same of the input's server and a message with both rows
// is complete.
func row(k int, at time.Time, deliver bool) *msgtrk.Record {
	var buf bytes.Buffer
	w := msgtrk.NewWriter(&buf)
	w.WriteHeader(msgtrk.Header{})
	var e msgtrk.Event
	e.SetTime(at)
	e.Set(msgtrk.Source, "SMTP")
	e.Set(msgtrk.EventID, "RECEIVE")
	e.Set(msgtrk.ServerHostname, "EX01")
	e.Set(msgtrk.ClientHostname, "client.example")
	e.Set(msgtrk.MessageInfo, "00A: ")
	if deliver {
		e.Set(msgtrk.Source, "STOREDRIVER")
		e.Set(msgtrk.EventID, "DELIVER")
		e.Set(msgtrk.ClientHostname, "EX01")
		e.Set(msgtrk.MessageInfo, "")
	}
	e.Set(msgtrk.NetworkMessageID, netID(k))
	e.Set(msgtrk.MessageID, msgID(k))
	e.Set(msgtrk.RecipientAddress, "r@example")
	e.Set(msgtrk.LogID, fmt.Sprintf("%08d-0000-4000-8000-%012d", k, at.UnixMilli()%1e12))
	w.WriteEvent(&e)
	w.Flush()
	r := msgtrk.NewReader(&buf)
	if !r.Next() {
		panic(r.Err())
	}
	return r.Record().Clone()
}

// The commands run against the system and the model in lockstep; the state
// carries the model's clock, so commands compute row times from it.
type trackerCommand struct {
	name  string
	apply func(m *model)
	run   func(s *sut)
}

func (c *trackerCommand) Run(s commands.SystemUnderTest) commands.Result {
	st := s.(*sut)
	st.out = nil
	c.run(st)
	out := append([]emitted(nil), st.out...)
	return &result{out: out, open: st.tk.Stats().Open, late: st.tk.Stats().Late}
}

type result struct {
	out  []emitted
	open int
	late int64
}

func (c *trackerCommand) NextState(s commands.State) commands.State {
	m := s.(*model).clone()
	c.apply(m)
	return m
}

func (c *trackerCommand) PreCondition(s commands.State) bool { return true }

func (c *trackerCommand) PostCondition(s commands.State, r commands.Result) *gopter.PropResult {
	m := s.(*model)
	res := r.(*result)
	fail := func(format string, args ...any) *gopter.PropResult {
		return &gopter.PropResult{Status: gopter.PropFalse, Labels: []string{fmt.Sprintf(format, args...)}}
	}
	switch {
	case res.open > m.max:
		return fail("%d open traces, MaxOpenTraces %d", res.open, m.max)
	case res.open != len(m.open):
		return fail("%d open traces, model %d", res.open, len(m.open))
	case int64(m.late) != res.late:
		return fail("late %d, model %d", res.late, m.late)
	case fmt.Sprint(res.out) != fmt.Sprint(m.emitted):
		return fail("emitted %v, model %v", res.out, m.emitted)
	}
	return &gopter.PropResult{Status: gopter.PropTrue}
}

func (c *trackerCommand) String() string { return c.name }

// Commands carry time deltas only; the system and the model each turn them
// into times from their own clock (which the postconditions keep equal).
// Deltas are whole milliseconds, the resolution of the log.
func genCommand(s commands.State) gopter.Gen {
	add := gopter.CombineGens(gen.IntRange(0, 7), gen.Int64Range(0, 40000), gen.Bool()).Map(func(v []any) commands.Command {
		k, d, deliver := v[0].(int), time.Duration(v[1].(int64))*time.Millisecond, v[2].(bool)
		return &trackerCommand{
			name: fmt.Sprintf("Add(m%d, +%v, deliver=%v)", k, d, deliver),
			apply: func(m *model) {
				at := time.Duration(m.clock) + d
				m.add(netID(k), msgID(k), int64(at), deliver)
			},
			run: func(s *sut) {
				s.clock += d
				tm := cmdEpoch.Add(s.clock)
				key, late := netID(k), s.tk.Stats().Late
				wasOpen := s.open[key]
				s.tk.Add(row(k, tm, deliver))
				if s.tk.Stats().Late == late {
					s.open[key] = true
					if !wasOpen && s.emitted[key] {
						forgottenReopens++
					}
				}
				s.tk.Advance(tm)
			},
		}
	})
	adv := gen.Int64Range(0, int64(3*cmdWindow/time.Millisecond)).Map(func(ms int64) commands.Command {
		d := time.Duration(ms) * time.Millisecond
		return &trackerCommand{
			name:  fmt.Sprintf("Advance(+%v)", d),
			apply: func(m *model) { m.advance(m.clock + int64(d)) },
			run: func(s *sut) {
				s.clock += d
				s.tk.Advance(cmdEpoch.Add(s.clock))
			},
		}
	})
	flush := gen.Const(&trackerCommand{name: "Flush", apply: (*model).flush, run: func(s *sut) { s.tk.Flush() }})
	return gen.Weighted([]gen.WeightedGen{{Weight: 8, Gen: add}, {Weight: 3, Gen: adv}, {Weight: 1, Gen: flush}})
}

// TestPropertyStatefulAgainstModel runs random sequences of Add, Advance and Flush
// against the Tracker and against a naive model of its windowing (a plain
// map, scanned in full): both must emit the same traces with the same
// reasons in the same order, count the same late rows, and the Tracker must
// never hold more than MaxOpenTraces. RecentKeys is 1 to 6 places for 8
// messages, so that closed traces are forgotten and reopened; the test
// fails if no run reached that case.
func TestPropertyStatefulAgainstModel(t *testing.T) {
	forgottenReopens = 0
	cmds := &commands.ProtoCommands{
		NewSystemUnderTestFunc: func(init commands.State) commands.SystemUnderTest {
			m := init.(*model)
			s := &sut{open: map[string]bool{}, emitted: map[string]bool{}}
			tk, err := correlate.New(correlate.Options{
				Window: cmdWindow, MaxOpenTraces: m.max, RecentKeys: m.recentKeys,
				OnTrace: func(tr *correlate.Trace) {
					s.out = append(s.out, emitted{tr.Key, tr.Reason.String(), tr.Events})
					delete(s.open, tr.Key)
					s.emitted[tr.Key] = true
				},
			})
			if err != nil {
				panic(err)
			}
			s.tk = tk
			return s
		},
		InitialStateGen: gopter.CombineGens(gen.IntRange(1, 5), gen.IntRange(1, 6)).Map(func(v []any) *model {
			return &model{max: v[0].(int), recentKeys: v[1].(int), open: map[string]*modelTrace{}}
		}),
		GenCommandFunc: genCommand,
	}
	params := proptest.Parameters(t, 1000)
	props := gopter.NewProperties(params)
	props.Property("Tracker matches the naive model", commands.Prop(cmds))
	props.TestingRun(t)
	t.Logf("%d rows reopened a forgotten message", forgottenReopens)
	if forgottenReopens == 0 {
		t.Error("no command sequence made the Tracker forget a closed trace and reopen it")
	}
}
