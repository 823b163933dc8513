package correlate

// Stats counts what a Tracker has done.
type Stats struct {
	Events        int64 // rows added
	DuplicateRows int64 // rows seen a second time (a file collected twice), ignored
	Late          int64 // rows for messages whose trace was already emitted (in no trace; see Options.Window)
	Traces        int64 // traces emitted
	Complete      int64 // … with ReasonComplete
	Expired       int64 // … with ReasonExpired
	Evicted       int64 // … with ReasonEvicted
	Flushed       int64 // … with ReasonFlushed
	Orphans       int64 // traces made only of rows no message id could be found for
	Merged        int64 // times two open traces turned out to be one message
	Open          int   // traces open now
	MaxOpen       int   // most traces open at once
	Dropped       int64 // rows not kept because a trace reached MaxEventsPerTrace
}

// add adds o's counters to s; the most traces open at once add up too (an
// upper bound for trackers that run side by side).
func (s *Stats) add(o Stats) {
	s.Events += o.Events
	s.DuplicateRows += o.DuplicateRows
	s.Late += o.Late
	s.Traces += o.Traces
	s.Complete += o.Complete
	s.Expired += o.Expired
	s.Evicted += o.Evicted
	s.Flushed += o.Flushed
	s.Orphans += o.Orphans
	s.Merged += o.Merged
	s.Open += o.Open
	s.MaxOpen += o.MaxOpen
	s.Dropped += o.Dropped
}
