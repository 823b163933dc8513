package correlate_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// TestShardedCloseAfterPanic: when OnTrace panics while a round is handed
// on in parts (shards paused with traces still to emit), the panic reaches
// the caller and Close still ends the shards; before the paused shards
// were let finish, Close waited for them forever.
func TestShardedCloseAfterPanic(t *testing.T) {
	var burst bytes.Buffer
	if err := msgtrktest.Burst(&burst, 200); err != nil {
		t.Fatal(err)
	}
	emitted := 0
	s, err := correlate.NewSharded(2, correlate.Options{OnTrace: func(*correlate.Trace) {
		if emitted++; emitted == 3 {
			panic("OnTrace failed")
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	s.SetBatchRows(10) // (a shard pauses every 5 rows' traces)
	rd := msgtrk.NewReaderBytes(burst.Bytes())
	for rd.Next() {
		s.Add(rd.Record())
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	s.Advance(msgtrktest.BurstStart.Add(24 * time.Hour)) // (every trace expires in the next round)
	func() {
		defer func() {
			if r := recover(); r != "OnTrace failed" {
				t.Errorf("recovered %v, want OnTrace's panic", r)
			}
		}()
		s.Flush()
	}()
	if emitted != 3 {
		t.Errorf("%d traces emitted, want the panic at the third", emitted)
	}
	closed := make(chan error)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second): // (a hang, not a duration measured)
		t.Fatal("Close did not return: a paused shard was never let finish")
	}
}
