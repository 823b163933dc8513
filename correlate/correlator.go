package correlate

import (
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// Correlator is what a Tracker and a Sharded tracker have in common, so that
// a program can drive either one: rows in with Add, event time with Advance,
// the rest out with Flush.
type Correlator interface {
	Add(rec *msgtrk.Record)
	Advance(watermark time.Time)
	Flush()
	MarkServer(server string)
	MarkEdgeServer(server string)
	ServerHints() []ServerHint
	InputServers() map[string]string
	Generations() (modern, legacy []string)
	Stats() Stats
	Skew() []ServerSkew
}

var (
	_ Correlator = (*Tracker)(nil)
	_ Correlator = (*Sharded)(nil)
)
