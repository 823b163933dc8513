package correlate

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// RowSource is what Feed reads rows from: a *msgtrk.Merger, a
// *msgtrk.Reader, or a wrapper of either (one that shows progress, or
// counts rows on the way).
type RowSource interface {
	Next() bool
	Record() *msgtrk.Record
	Err() error
}

// FactSource is a RowSource that has read each row's facts ahead, on
// the goroutine that reads the rows (see RowFacts): Feed hands them to a
// Correlator that takes them (Tracker.AddFacts), which then has less to
// do. Facts returns the current row's, nil for none; it is valid until the
// next Next.
type FactSource interface {
	RowSource
	Facts() *RowFacts
}

// AheadRows reads a source's rows and their facts on a goroutine of its own
// (a msgtrk.Readahead with ReadFacts), a few batches ahead of its
// consumer: a FactSource. The facts serve a Tracker; a Sharded tracker's
// router reads what it needs of each row itself, so for it a plain
// msgtrk.Readahead does the same with less work. Call Close when stopping
// before the end.
type AheadRows struct {
	*msgtrk.Readahead
}

// ReadAhead starts reading src ahead (see AheadRows).
func ReadAhead(src msgtrk.Rows) AheadRows {
	return AheadRows{msgtrk.NewReadaheadFunc(src, 0, ReadFacts)}
}

// Facts returns the current row's facts.
func (a AheadRows) Facts() *RowFacts { return PreparedFacts(a.Readahead) }

// PreparedFacts returns the facts ReadFacts read for ra's current row, nil
// when ra reads none (it was not made with ReadFacts).
func PreparedFacts(ra *msgtrk.Readahead) *RowFacts {
	p, i := ra.Prepared()
	if fs, ok := p.(*BatchFacts); ok {
		return fs.Row(i)
	}
	return nil
}

// factsTaker is a Correlator that takes rows' facts read ahead.
type factsTaker interface {
	AddFacts(rec *msgtrk.Record, f *RowFacts)
}

// checkEvery is how many rows Feed reads between two looks at its context.
const checkEvery = 1024

// Feed adds every row of src to c in order, advancing c's watermark to each
// row's time, and at the end of the input lets the quiet window pass (so
// that each trace says whether it is complete, ReasonComplete or
// ReasonExpired, rather than ReasonFlushed) and flushes c: every trace has
// then been handed to OnTrace. window must be the Window c was made with
// (0 for DefaultWindow).
//
// It returns src.Err() (the traces are emitted all the same), or ctx.Err()
// as soon as ctx is done, without flushing: the traces still open stay in c.
// Feed is the loop behind Run and Traces, for programs that build their own
// Correlator (a Sharded one) or source. With a FactSource (ReadAhead) and
// a Tracker, the rows' facts read ahead go to Tracker.AddFacts.
func Feed(ctx context.Context, src RowSource, c Correlator, window time.Duration) error {
	return feed(ctx, src, c, window, nil)
}

// feed is Feed; after each row and at the end it calls drain, when set,
// and stops (returning nil) when drain returns false.
func feed(ctx context.Context, src RowSource, c Correlator, window time.Duration, drain func() bool) error {
	if s, ok := c.(interface{ Sync() }); ok {
		defer s.Sync() // (a Tracker that builds ahead, stopped early, ends its goroutine)
	}
	if window <= 0 {
		window = DefaultWindow
	}
	var last time.Time
	fs, _ := src.(FactSource)
	ft, _ := c.(factsTaker)
	if ft == nil {
		fs = nil
	}
	for n := 0; src.Next(); n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		rec := src.Record()
		if fs != nil {
			ft.AddFacts(rec, fs.Facts())
		} else {
			c.Add(rec)
		}
		if t, err := rec.Time(); err == nil {
			c.Advance(t)
			if t.After(last) {
				last = t
			}
		}
		if drain != nil && !drain() {
			return nil
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !last.IsZero() {
		c.Advance(last.Add(window + time.Millisecond))
	}
	c.Flush()
	if drain != nil && !drain() {
		return nil
	}
	return src.Err()
}

// Run correlates the rows of inputs, merged in time order across files and
// servers, and hands every trace to opts.OnTrace: the merge, the
// add-and-advance loop and the final flush of a complete input in one call.
// Which server wrote each input is told by its rows, as in the Tracker;
// the inputs' folder names are not taken for it. The inputs are read and
// merged, and each row's facts decoded, on a goroutine of their own
// (ReadAhead); the Tracker and OnTrace run on the caller's (OnTrace on
// the Tracker's own with opts.BuildAhead).
//
// Malformed lines and unreadable inputs do not stop it: every good row is
// correlated and the problems are returned at the end, as an
// msgtrk.ErrorList of at most msgtrk.DefaultMaxErrors entries. When ctx is
// done Run stops at once and returns ctx.Err(); the traces not yet emitted
// are dropped. The Stats are those of the Tracker at the end.
func Run(ctx context.Context, inputs []msgtrk.Input, opts Options) (Stats, error) {
	tk, err := New(opts)
	if err != nil {
		return Stats{}, err
	}
	m := msgtrk.NewMerger(inputs)
	src := ReadAhead(m)
	defer src.Close()
	err = Feed(ctx, src, tk, opts.Window)
	return tk.Stats(), err
}

// Traces is Run as an iterator: it yields each trace of inputs as it is
// emitted, with a nil error, then, when the input had problems (see Run)
// or ctx is done, one last pair with a nil trace and the error. It is
// single-use: each call of the returned function reads the inputs again.
// opts.OnTrace must be nil (Traces sets it). Stopping the loop early
// closes the inputs.
func Traces(ctx context.Context, inputs []msgtrk.Input, opts Options) iter.Seq2[*Trace, error] {
	return func(yield func(*Trace, error) bool) {
		if opts.OnTrace != nil {
			yield(nil, errors.New("correlate: Traces sets Options.OnTrace itself; leave it nil"))
			return
		}
		var ready []*Trace
		opts.OnTrace = func(t *Trace) { ready = append(ready, t) }
		opts.BuildAhead = false // (drain reads ready on this goroutine)
		tk, err := New(opts)
		if err != nil {
			yield(nil, err)
			return
		}
		stopped := false
		drain := func() bool {
			for i, t := range ready {
				ready[i] = nil
				if !yield(t, nil) {
					stopped = true
					return false
				}
			}
			ready = ready[:0]
			return true
		}
		m := msgtrk.NewMerger(inputs)
		src := ReadAhead(m)
		err = feed(ctx, src, tk, opts.Window, drain)
		src.Close()
		if stopped {
			m.Close()
			return
		}
		if err != nil {
			yield(nil, err)
		}
	}
}
