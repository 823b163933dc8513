package correlate

import (
	"errors"
	"fmt"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// Defaults of Options.
const (
	DefaultWindow            = 15 * time.Minute
	DefaultMaxOpenTraces     = 1 << 20
	DefaultMaxEventsPerTrace = 10000
	DefaultRecentKeys        = 1 << 17
)

// Options configures a Tracker. The zero value of each field means its
// default.
type Options struct {
	// OnTrace receives every emitted trace, from Add (evictions), Advance
	// and Flush, on the caller's goroutine (with BuildAhead, on the
	// Tracker's building goroutine). Required.
	OnTrace func(*Trace)
	// OnLate, when set, receives events that arrive for a message whose
	// trace was already emitted (they are counted in Stats.Late either
	// way). The record is valid only during the call.
	OnLate func(key string, rec *msgtrk.Record)
	// Mark, when set, is called with every row; a trace with at least one
	// row for which it returned true has Trace.Marked set. It selects
	// messages by any of their rows (the CLI's filters use it).
	Mark func(rec *msgtrk.Record) bool
	// Window is the quiet time after a message's last event (in event time)
	// before its trace is emitted. Default 15 minutes: longer than the
	// clock skew between servers. A message whose last rows are a
	// deferral waits for its retry without a row (format.md §7.4: a DEFER
	// row's message-info is the next retry time), so its window runs from
	// the latest retry time its DEFER rows gave when that is later than
	// its last row (a retry time more than a day after its row counts as a
	// day); the bounds below (MaxOpenTraces, MaxMemory) still apply to
	// it. Rows that come after a message's trace was emitted (a retry
	// later than the DEFER said, or a message quiet for longer than the
	// window for another reason) are late: in no trace, counted in
	// Stats.Late and handed to OnLate; a longer window keeps them.
	Window time.Duration
	// MaxOpenTraces bounds the traces held at once; when it is reached the
	// trace whose window would end first is emitted early (ReasonEvicted).
	// Default 1,048,576. See MaxMemory for what a trace costs, and a bound
	// in bytes.
	MaxOpenTraces int
	// MaxMemory bounds, in bytes, what the open traces and the remembered
	// keys take on the heap; 0 (the default) for no bound but
	// MaxOpenTraces. A sixteenth of it is kept in reserve for what is not
	// counted (pools of buffers, the trace being built; with BuildAhead,
	// the traces being built: four batches of at most 256 traces, 4,096
	// rows or about 1 MiB each). The keys take
	// about 80 bytes each (RecentKeys of them; a Sharded tracker divides
	// them among its shards and its router remembers 3/4 as many again;
	// it also keeps about 1.5 KB for each row of a round, the rows and the
	// traces it hands on, and makes its rounds no larger than an eighth
	// of MaxMemory, TestShardedBudget measuring both); the rest is the
	// open traces', counted as they grow (the capacity of their buffers,
	// their strings, and the tables that index them, at their size): a
	// message of one row takes about 650 bytes (OpenTraceBytes, measured
	// on a one-row RECEIVE), each further row about 80 bytes (RowBytes),
	// a row's strings included. TestFootprint keeps both figures, and the
	// key's, within 1.25x of what they take on the live heap, and the
	// count within 25% of it.
	// Past the budget the traces whose windows end first are emitted
	// early (ReasonEvicted, counted in Stats.Evicted) and their later
	// rows count as late: no row is lost, but such a message is split. A
	// budget that leaves less than 1 MiB to the open traces (of each
	// shard) is refused.
	MaxMemory int64
	// MaxEventsPerTrace bounds the events kept for one trace; further events
	// are counted (Trace.Anomalies) but not kept. Default 10,000.
	MaxEventsPerTrace int
	// RecentKeys is how many keys of emitted traces are remembered to
	// recognise late events and to link delivery status notifications to
	// the message they report on. It counts keys, not traces: an emitted
	// trace leaves each of its network-message-ids and its message-id, so
	// a trace of k keys takes k of them (a single-row message 2). Default
	// 131,072. A Sharded tracker gives each shard its share.
	RecentKeys int
	// EdgeServers names the Edge Transport servers (short or full names, any
	// case). A server not named here is also taken for an Edge when its
	// rows show what only an Edge does (it sends into the organisation
	// through an "EdgeSync - Inbound to …" connector, receives on its
	// "Default internal receive connector") and nothing only a mailbox
	// server does (MSGTRKMS, MSGTRKMD or MSGTRKM logs, STOREDRIVER rows).
	EdgeServers []string
	// AcceptedDomains names the domains the organisation receives mail
	// for (any case; a subdomain is not included unless named). The rows
	// teach more: the domains of recipients delivered to mailboxes and of
	// senders submitting from mailboxes. A recipient handed to a host
	// without logs is sent outside only on evidence that the message left
	// the organisation; a recipient in an accepted domain is handed off
	// (StatusHandedOff) instead.
	AcceptedDomains []string
	// KeepSMTP keeps, in Trace.SMTPRows, the rows an SMTP conversation
	// stands behind with the keys to their protocol log sessions (the
	// receive contexts, the sending internal-message-ids, the delivery
	// sessions), for JoinSessions. Off by default: it costs a few strings
	// per hop.
	KeepSMTP bool
	// BuildAhead builds the traces on a goroutine of the Tracker's own,
	// while the caller's goes on adding rows: OnTrace is then called on
	// that goroutine, in the order the traces are emitted, possibly after
	// the Add or Advance that emitted them has returned; Flush and Sync
	// return once every trace emitted is handed over, and end the
	// goroutine (a Tracker dropped without either leaves it waiting; Feed,
	// Run and the CLI always end with one). The Traces are the same, byte
	// for byte. OnTrace must then not call the Tracker, and a panic in it
	// ends the program (it is not on the caller's goroutine); OnLate and
	// Mark still run on the caller's, so a late row may reach OnLate
	// before its trace reaches OnTrace. Stats and Skew
	// count the traces handed over so far. It pays on a machine with a
	// core to spare: building takes about half of a Tracker's work.
	// Traces (the iterator) and a Sharded tracker's shards build on their
	// own goroutine already and ignore it.
	BuildAhead bool
}

func (o *Options) withDefaults() (Options, error) {
	v := *o
	if v.OnTrace == nil {
		return v, errors.New("correlate: Options.OnTrace is required")
	}
	if v.Window < 0 || v.MaxOpenTraces < 0 || v.MaxMemory < 0 || v.MaxEventsPerTrace < 0 || v.RecentKeys < 0 {
		return v, fmt.Errorf("correlate: negative option in %+v", *o)
	}
	if v.Window == 0 {
		v.Window = DefaultWindow
	}
	if v.MaxOpenTraces == 0 {
		v.MaxOpenTraces = DefaultMaxOpenTraces
	}
	if v.MaxEventsPerTrace == 0 {
		v.MaxEventsPerTrace = DefaultMaxEventsPerTrace
	}
	if v.RecentKeys == 0 {
		v.RecentKeys = DefaultRecentKeys
	}
	return v, nil
}
