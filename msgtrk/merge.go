package msgtrk

import (
	"container/heap"
	"errors"
	"io"
	"time"
)

// Merger reads many inputs at once and yields their rows in date-time
// order, as one stream: the logs of all servers of an organisation, merged.
//
// Inputs of the same server, kind and service that have recognised file
// names form a chain read one file after another (Exchange starts a new file when one is
// full), so at most one file per chain is open at a time and memory is
// bounded by the number of chains, not by the number of files or rows. Two
// inputs with the same file name for one server (a log collected twice) are
// read side by side instead, so that duplicate rows arrive together.
// Within a chain, rows keep their order; across chains, the row with the
// earliest date-time comes first, ties broken by input order. A row whose
// date-time does not parse keeps its place in its chain.
//
// Configure a Merger through the fields of its embedded [Config] before the
// first Next; every input is read with that configuration (Next takes a copy
// of it, so later changes have no effect). Its ErrorHandler also receives
// every input that cannot be opened or read, as a *ParseError with Line 0;
// in Strict mode such an input ends the merge too. A Merger is not safe for
// concurrent use.
type Merger struct {
	Config

	cfg     Config // the configuration in force, copied by start
	inputs  []Input
	chains  []*chain
	h       chainHeap
	cur     *chain
	started bool
	errs    ErrorList
	nerrs   int64
	fatal   error
	done    Stats
}

type chain struct {
	idx    int
	inputs []Input
	next   int // next input to open
	rd     *Reader
	spare  *Reader // a finished reader kept for its buffer
	closer io.Closer
	key    time.Time
}

// NewMerger returns a Merger over inputs (see FindFiles and OpenPaths).
func NewMerger(inputs []Input) *Merger {
	return &Merger{inputs: inputs}
}

func (m *Merger) start() {
	m.started = true
	m.cfg = m.Config
	// Files of one server and kind follow each other in time: chain them.
	// A second file with the same name (the same log collected twice) goes
	// to a parallel chain, so that its rows meet their twins in time order.
	type chainKey struct {
		server, kind, service string
		copy                  int
	}
	byKey := map[chainKey]*chain{}
	for _, in := range m.inputs {
		// An input whose name tells no kind and date (a stream, an export,
		// a converted summary) is a chain of its own.
		if in.FileName.Kind == LogUnknown || in.FileName.Start.IsZero() {
			m.chains = append(m.chains, &chain{idx: len(m.chains), inputs: []Input{in}})
			continue
		}
		k := chainKey{in.Server, in.FileName.Kind.Prefix(), in.Service, 0}
		for {
			c := byKey[k]
			if c == nil {
				c = &chain{idx: len(m.chains), inputs: []Input{in}}
				byKey[k] = c
				m.chains = append(m.chains, c)
				break
			}
			last := c.inputs[len(c.inputs)-1].FileName
			if last.Start.Equal(in.FileName.Start) && last.Seq == in.FileName.Seq && last.Hourly == in.FileName.Hourly {
				k.copy++
				continue
			}
			c.inputs = append(c.inputs, in)
			break
		}
	}
	for _, c := range m.chains {
		if m.advance(c) {
			m.h = append(m.h, c)
		}
		if m.fatal != nil {
			return
		}
	}
	heap.Init(&m.h)
}

// advance moves chain c to its next row, opening its next input when the
// current one is exhausted. It reports whether c has a row.
func (m *Merger) advance(c *chain) bool {
	for {
		if c.rd != nil {
			if c.rd.Next() {
				if t, ok := c.rd.Record().time(); ok {
					c.key = t
				}
				return true
			}
			if err := c.rd.Err(); err != nil {
				m.inputError(c.rd.Name, err)
			}
			st := c.rd.Stats()
			m.done.add(st)
			c.closer.Close()
			c.spare, c.rd, c.closer = c.rd, nil, nil
			if m.fatal != nil {
				return false
			}
		}
		if c.next >= len(c.inputs) {
			return false
		}
		in := c.inputs[c.next]
		c.next++
		rc, err := in.Open()
		if err != nil {
			m.inputError(in.Name, err)
			if m.fatal != nil {
				return false
			}
			continue
		}
		rd := c.spare
		if rd == nil {
			rd = &Reader{}
		}
		c.spare = nil
		rd.Name = in.Name
		rd.Server = in.Server
		rd.Kind = in.FileName.Kind
		rd.Service = in.Service
		rd.Config = m.cfg
		rd.ErrorHandler = m.lineError
		rd.Reset(rc)
		c.rd, c.closer = rd, rc
	}
}

func (m *Merger) lineError(e *ParseError) {
	m.nerrs++
	if m.cfg.ErrorHandler != nil {
		m.cfg.ErrorHandler(e)
		return
	}
	m.errs = m.cfg.keep(m.errs, e)
}

// inputError reports an input that failed to open or read. A *ParseError
// from a reader in Strict mode ends the merge.
func (m *Merger) inputError(name string, err error) {
	var pe *ParseError
	if errors.As(err, &pe) {
		if m.cfg.Mode == Strict {
			m.fatal = pe
		}
		return // already reported through lineError
	}
	e := &ParseError{File: name, Err: err}
	m.lineError(e)
	if m.cfg.Mode == Strict {
		m.fatal = e
	}
}

// Next advances to the next row in date-time order and reports whether there
// is one.
func (m *Merger) Next() bool {
	if !m.started {
		m.start()
	}
	if m.fatal != nil {
		return false
	}
	if m.cur != nil {
		if m.advance(m.cur) {
			heap.Fix(&m.h, 0)
		} else {
			heap.Pop(&m.h)
		}
		m.cur = nil
		if m.fatal != nil {
			return false
		}
	}
	if len(m.h) == 0 {
		return false
	}
	m.cur = m.h[0]
	return true
}

// Record returns the current row; it is valid until the next call to Next.
// Its Origin names its input and server.
func (m *Merger) Record() *Record { return m.cur.rd.Record() }

// Err returns the error that ended the merge, or, when ErrorHandler is nil,
// the problems met (malformed lines, unreadable inputs) as an ErrorList. It
// is nil when every input was read cleanly.
func (m *Merger) Err() error {
	if m.fatal != nil {
		return m.fatal
	}
	return m.errs.Err()
}

// Close closes the inputs still open, for a program that stops reading
// before the end (a limit reached, a cancelled context); Next then reports
// false, and Stats still counts what was read of them. Reading every row to the end closes each input already, so
// Close is not needed then. It returns the first error of closing an input.
func (m *Merger) Close() error {
	var first error
	for _, c := range m.chains {
		if c.closer != nil {
			if err := c.closer.Close(); err != nil && first == nil {
				first = err
			}
			m.done.add(c.rd.Stats()) // what was read of it still counts
			c.rd, c.closer = nil, nil
		}
		c.next = len(c.inputs)
	}
	m.h = m.h[:0]
	m.cur = nil
	m.started = true
	return first
}

// Stats returns the sum of the counts of every input read so far, including
// the ones still open.
func (m *Merger) Stats() Stats {
	s := m.done
	for _, c := range m.chains {
		if c.rd != nil {
			s.add(c.rd.Stats())
		}
	}
	return s
}

// OpenFiles returns the number of inputs currently open.
func (m *Merger) OpenFiles() int {
	n := 0
	for _, c := range m.chains {
		if c.rd != nil {
			n++
		}
	}
	return n
}

func (s *Stats) add(o Stats) {
	s.Lines += o.Lines
	s.Records += o.Records
	s.Directives += o.Directives
	s.Blank += o.Blank
	s.Errors += o.Errors
	s.Bytes += o.Bytes
}

type chainHeap []*chain

func (h chainHeap) Len() int { return len(h) }
func (h chainHeap) Less(i, j int) bool {
	a, b := h[i], h[j]
	if c := a.key.Compare(b.key); c != 0 {
		return c < 0
	}
	return a.idx < b.idx
}
func (h chainHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *chainHeap) Push(x any)   { *h = append(*h, x.(*chain)) }
func (h *chainHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return c
}
