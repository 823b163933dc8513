package correlate

import (
	"math"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/messageinfo"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// rowCmp compares events, refs and receive records field by field.
var rowCmp = []cmp.Option{
	cmp.AllowUnexported(event{}, ref{}, span{}, receiveInfo{}, rowText{}),
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
}

// randomRow returns a row as extract could make it: each field zero (so
// absent from the record) or set, extremes included, and a receive record
// on RECEIVE rows.
func randomRow(r *rand.Rand) (event, rowText, *receiveInfo) {
	pick := func() bool { return r.IntN(2) == 0 }
	rf := func() ref {
		switch r.IntN(4) {
		case 0:
			return ref{}
		case 1:
			return ref{off: math.MaxUint32 - 10, n: 10}
		}
		return ref{off: r.Uint32N(1 << 20), n: 1 + r.Uint32N(300)}
	}
	sp := func() span {
		if pick() {
			return span{}
		}
		return span{first: r.Int32N(1 << 20), n: 1 + r.Int32N(1000)}
	}
	i64 := func() int64 {
		switch r.IntN(4) {
		case 0:
			return 0
		case 1:
			return math.MinInt64
		case 2:
			return math.MaxInt64
		}
		return 1_700_000_000_000_000_000 + r.Int64N(1e15)
	}
	e := event{
		time: i64(), size: i64(), originNS: i64(),
		etype:  msgtrk.EventType(r.IntN(256)),
		source: msgtrk.SourceType(r.IntN(256)),
		kind:   msgtrk.LogKind(r.IntN(256)),
		file:   -1, hopLatencyMS: -1, recv: -1,
		shadow: pick(), noRcpts: pick(),
		rcpts: sp(), status: sp(), refs: sp(),
		related: rf(), internal: rf(), context: rf(), conn: rf(), remote: rf(), remoteIP: rf(), etypeRaw: rf(),
	}
	if pick() {
		e.file = r.Int32N(math.MaxInt32)
	}
	if pick() {
		e.hopLatencyMS = []int32{0, 1, math.MaxInt32, r.Int32N(1e6), -5, math.MinInt32}[r.IntN(6)]
	}
	txt := rowText{local: rf(), peer: rf()}
	if pick() {
		return e, txt, nil
	}
	addrs := []netip.Addr{
		{}, netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("2001:db8::25"),
		netip.MustParseAddr("fe80::1%eth0"), netip.MustParseAddr("::ffff:192.0.2.1"),
		// A zone has no bound on its length: 240 bytes and more once
		// overflowed a one-byte length.
		netip.MustParseAddr("fe80::1%" + strings.Repeat("z", 240)),
		netip.MustParseAddr("fe80::1%" + strings.Repeat("z", 300)),
	}
	ri := &receiveInfo{
		clientType: rf(), connector: rf(), firstHop: rf(), proxied: pick(),
		clientIP: addrs[r.IntN(len(addrs))], origIP: addrs[r.IntN(len(addrs))], proxiedIP: addrs[r.IntN(len(addrs))],
	}
	if pick() {
		ri.auth = messageinfo.AuthCode{Number: uint8(r.IntN(256)), Letter: 'A' + byte(r.IntN(26)),
			Detail: messageinfo.Span{Start: r.Int32N(100), End: 100 + r.Int32N(100)}}
	}
	return e, txt, ri
}

// TestRowRecordRoundTrip: rows written one after another into one buffer,
// with strings between them as in an arena, read back from the last
// through prev give the same events, names and receive records; and
// neither writing nor reading allocates.
func TestRowRecordRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		type row struct {
			e   event
			txt rowText
			ri  *receiveInfo
		}
		var rows []row
		var arena []byte
		var last uint32
		for range 1 + r.IntN(20) {
			arena = append(arena, make([]byte, r.IntN(40))...) // the row's strings
			e, txt, ri := randomRow(r)
			start := len(arena)
			arena = appendRow(arena, &e, txt, ri, last)
			last = uint32(start) + 1
			rows = append(rows, row{e, txt, ri})
		}
		for k := len(rows) - 1; k >= 0; k-- {
			if last == 0 {
				t.Fatalf("round %d: the chain ends before row %d", round, k)
			}
			var e event
			var txt rowText
			var ri receiveInfo
			hasRecv, prev := readRow(arena, last-1, &e, &txt, &ri)
			want := rows[k]
			if d := cmp.Diff(want.e, e, rowCmp...); d != "" {
				t.Fatalf("round %d row %d: event (-want +got):\n%s", round, k, d)
			}
			if d := cmp.Diff(want.txt, txt, rowCmp...); d != "" {
				t.Fatalf("round %d row %d: names (-want +got):\n%s", round, k, d)
			}
			if hasRecv != (want.ri != nil) {
				t.Fatalf("round %d row %d: receive record %v, want %v", round, k, hasRecv, want.ri != nil)
			}
			if want.ri != nil {
				if d := cmp.Diff(*want.ri, ri, rowCmp...); d != "" {
					t.Fatalf("round %d row %d: receive record (-want +got):\n%s", round, k, d)
				}
			}
			if p := prevRow(arena, last-1); p != prev {
				t.Fatalf("round %d row %d: prevRow %d, readRow %d", round, k, p, prev)
			}
			last = prev
		}
		if last != 0 {
			t.Fatalf("round %d: the chain goes on past the first row (%d)", round, last)
		}
	}

	e, txt, ri := randomRow(r)
	ri = &receiveInfo{clientIP: netip.MustParseAddr("203.0.113.7"), connector: ref{3, 40}}
	buf := make([]byte, 0, 1024)
	var out event
	var outTxt rowText
	var outRI receiveInfo
	if n := testing.AllocsPerRun(100, func() {
		buf = appendRow(buf[:0], &e, txt, ri, 7)
		readRow(buf, 0, &out, &outTxt, &outRI)
	}); n != 0 {
		t.Errorf("writing and reading a row record: %v allocations, want 0", n)
	}
}

// TestRowRecordSmall: the record of a burst's RECEIVE row (the fields it
// has, besides its strings) takes well under the 272 bytes the row and its
// receive record took as structs.
func TestRowRecordSmall(t *testing.T) {
	e := event{
		time: 1_714_989_600_000_000_000, size: 4000, file: 0, hopLatencyMS: -1, recv: -1,
		etype: msgtrk.EventReceive, source: msgtrk.SourceSMTP, kind: msgtrk.LogTransport,
		rcpts: span{0, 1}, internal: ref{40, 6},
	}
	txt := rowText{local: ref{0, 6}, peer: ref{6, 5}}
	ri := &receiveInfo{
		auth:      messageinfo.AuthCode{Number: 0, Letter: 'A', Detail: messageinfo.Span{Start: 5, End: 5}},
		connector: ref{46, 48}, clientIP: netip.MustParseAddr("203.0.0.1"),
	}
	b := appendRow(nil, &e, txt, ri, 200)
	t.Logf("a burst's RECEIVE: %d bytes", len(b))
	if len(b) > 64 {
		t.Errorf("a burst's RECEIVE takes %d bytes as a record, want at most 64", len(b))
	}
}
