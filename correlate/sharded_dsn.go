// DSN hold-back in a Sharded tracker: a delivery status notification
// whose message lives in another shard waits until that message is
// emitted.

package correlate

// emit hands a trace to OnTrace, linking DSNs to the message they report
// on: that message may live in another shard, so a DSN whose message has
// not been emitted yet waits for it (at most RecentKeys DSNs wait).
func (s *Sharded) emit(t *Trace) {
	if mid := t.DSNForMessageID; mid != "" && t.DSNFor == "" {
		if k, ok := s.msgIDs.get(hashOf(spaceMsgID, mid)); ok {
			t.DSNFor = k
		} else if len(s.dsnWait) < s.opts.RecentKeys {
			if s.dsnWaitBy == nil {
				s.dsnWaitBy = map[string][]int{}
			}
			s.dsnWaitBy[mid] = append(s.dsnWaitBy[mid], len(s.dsnWait))
			s.dsnWait = append(s.dsnWait, t)
			return
		}
	}
	mid, key := t.MessageID, t.Key // (OnTrace may Release t)
	s.opts.OnTrace(t)
	if mid == "" {
		return
	}
	s.msgIDs.add(hashOf(spaceMsgID, mid), key)
	if idx, ok := s.dsnWaitBy[mid]; ok {
		delete(s.dsnWaitBy, mid)
		for _, i := range idx {
			d := s.dsnWait[i]
			s.dsnWait[i] = nil
			d.DSNFor = key
			s.opts.OnTrace(d)
		}
		s.compactDSNWait()
	}
}

// compactDSNWait drops the released entries of dsnWait.
func (s *Sharded) compactDSNWait() {
	kept := s.dsnWait[:0]
	s.dsnWaitBy = map[string][]int{}
	for _, d := range s.dsnWait {
		if d == nil {
			continue
		}
		s.dsnWaitBy[d.DSNForMessageID] = append(s.dsnWaitBy[d.DSNForMessageID], len(kept))
		kept = append(kept, d)
	}
	s.dsnWait = kept
}
