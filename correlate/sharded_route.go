// The router of a Sharded tracker: it sees every row first, in the order a
// Tracker would, and hands each to the shard of its message.

package correlate

import (
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// pendRow is a row waiting in the router for its message's shard, with the
// watermark when it was added and its own time.
type pendRow struct {
	rec *msgtrk.Record
	wm  time.Time
	at  time.Time
}

// Add routes a row to its shard. rec is copied.
func (s *Sharded) Add(rec *msgtrk.Record) {
	if s.closed {
		panic("correlate: Add after Close")
	}
	// The router observes every row, in the order a Tracker would, before
	// the shards read what the rows told (between rounds).
	s.scratch2 = s.org.observeRow(rec, s.scratch2)
	primary := s.primaryKey(rec)
	store := s.storeKey(rec)
	switch {
	case primary != nil:
		i := s.shardOf(primary)
		if store != nil {
			if h := hashBytes(spaceKey, store); !s.storeShard.has(h) {
				s.storeShard.add(h, i)
			}
			if p := s.pending[string(store)]; p != nil {
				delete(s.pending, string(store))
				s.releasePending(i, p)
			}
		}
		s.enqueue(i, rec, s.watermark)
	case store != nil:
		if i, ok := s.storeShard.get(hashBytes(spaceKey, store)); ok {
			s.enqueue(i, rec, s.watermark)
			break
		}
		at, _ := rec.Time()
		key := string(store)
		p, ok := s.pending[key]
		if !ok {
			s.pendOrder = append(s.pendOrder, key)
			if n := len(s.freePend); n > 0 {
				p, s.freePend = s.freePend[n-1], s.freePend[:n-1]
			}
		}
		var dst *msgtrk.Record
		if n := len(s.freeRecs); n > 0 {
			dst, s.freeRecs = s.freeRecs[n-1], s.freeRecs[:n-1]
		}
		s.pending[key] = append(p, pendRow{rec: rec.CloneInto(dst), wm: s.watermark, at: at})
	default:
		// No key at all: any shard will make it a trace of its own.
		s.enqueue(int(uint(rec.LineNumber())%uint(len(s.shards))), rec, s.watermark)
	}
	s.rows++
	if s.rows >= s.batchRows {
		s.round(false)
	}
}

// releasePending hands the waiting rows p to shard i, and keeps their
// copies and p itself for the next rows that wait (enqueue copies a row).
func (s *Sharded) releasePending(i int, p []pendRow) {
	for k, pr := range p {
		s.enqueue(i, pr.rec, pr.wm)
		if len(s.freeRecs) < maxFreePending {
			s.freeRecs = append(s.freeRecs, pr.rec)
		}
		p[k] = pendRow{}
	}
	if len(s.freePend) < maxFreePending && cap(p) <= maxFreePending {
		s.freePend = append(s.freePend, p[:0])
	}
}

// maxFreePending bounds the copies of waiting rows, and the lists of them,
// the router keeps for reuse (about 1,024 rows' worth: well under 1 MiB).
const maxFreePending = 1024

func (s *Sharded) enqueue(i int, rec *msgtrk.Record, wm time.Time) {
	j := s.shards[i].job
	j.batch.Append(rec)
	j.wms = append(j.wms, wm)
}

// primaryKey returns the bytes the shard is chosen by: the row's primary
// key (KeyOf's rule), nil for none.
func (s *Sharded) primaryKey(rec *msgtrk.Record) []byte {
	s.scratch = appendPrimaryKey(s.scratch[:0], rec)
	if len(s.scratch) == 0 {
		return nil
	}
	return s.scratch
}

// storeKey returns the row's store key (KeyOf's rule), nil for none; it
// is valid until the next call.
func (s *Sharded) storeKey(rec *msgtrk.Record) []byte {
	s.storeBuf, _, _ = appendStoreKey(s.storeBuf[:0], rec)
	if len(s.storeBuf) == 0 {
		return nil
	}
	return s.storeBuf
}

// shardOf chooses the shard of a key with FNV-1a: a fixed hash, so that a
// message lands in the same shard on every run and the output order is
// the same (a per-process seed, as hash/maphash has, would change it).
func (s *Sharded) shardOf(key []byte) int {
	h := uint64(14695981039346656037)
	for _, c := range key {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return int(h % uint64(len(s.shards)))
}
