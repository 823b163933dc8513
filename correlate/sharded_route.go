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

// pendList is the rows waiting for the shard of one store key, oldest
// first, and the shard they go to when they wait too long (the key's own,
// shardOf). The router's map holds it by pointer, so that a row joins the
// rows before it without storing the list again.
type pendList struct {
	rows  []pendRow
	shard int
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
			h := hashBytes(spaceKey, store)
			if !s.storeShard.has(h) {
				s.storeShard.add(h, i)
			}
			if p := s.pending[h]; p != nil {
				delete(s.pending, h)
				s.releasePending(i, p)
			}
		}
		s.enqueue(i, rec, s.watermark)
	case store != nil:
		h := hashBytes(spaceKey, store)
		if i, ok := s.storeShard.get(h); ok {
			s.enqueue(i, rec, s.watermark)
			break
		}
		at, _ := rec.Time()
		p := s.pending[h]
		if p == nil {
			if n := len(s.freePend); n > 0 {
				p, s.freePend = s.freePend[n-1], s.freePend[:n-1]
			} else {
				p = new(pendList)
			}
			p.shard = s.shardOf(store)
			s.pending[h] = p
			s.queuePending(h)
		}
		var dst *msgtrk.Record
		if n := len(s.freeRecs); n > 0 {
			dst, s.freeRecs = s.freeRecs[n-1], s.freeRecs[:n-1]
		}
		p.rows = append(p.rows, pendRow{rec: rec.CloneInto(dst), wm: s.watermark, at: at})
	default:
		// No key at all: any shard will make it a trace of its own.
		s.enqueue(int(uint(rec.LineNumber())%uint(len(s.shards))), rec, s.watermark)
	}
	s.rows++
	if s.rows >= s.batchRows {
		s.round(false)
	}
}

// queuePending appends key to pendOrder, the queue Advance takes the
// oldest waiting keys from. The keys Advance took are dropped when they
// are at least half of the queue, so that the queue's array is reused
// (each key is moved at most once per time the array fills, amortised
// O(1) per key).
func (s *Sharded) queuePending(key keyHash) {
	if s.pendHead > 0 && len(s.pendOrder) == cap(s.pendOrder) && s.pendHead >= len(s.pendOrder)/2 {
		n := copy(s.pendOrder, s.pendOrder[s.pendHead:])
		s.pendOrder, s.pendHead = s.pendOrder[:n], 0
	}
	s.pendOrder = append(s.pendOrder, key)
}

// releasePending hands the waiting rows p to shard i, and keeps their
// copies and p itself for the next rows that wait (enqueue copies a row).
func (s *Sharded) releasePending(i int, p *pendList) {
	for k, pr := range p.rows {
		s.enqueue(i, pr.rec, pr.wm)
		if len(s.freeRecs) < maxFreePending {
			s.freeRecs = append(s.freeRecs, pr.rec)
		}
		p.rows[k] = pendRow{}
	}
	p.rows = p.rows[:0]
	if len(s.freePend) < maxFreePending && cap(p.rows) <= maxFreePending {
		s.freePend = append(s.freePend, p)
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
