package correlate

import (
	"encoding/binary"
	"net/netip"

	"github.com/mailtrace/mailtrace/messageinfo"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// While its trace is open, a row is kept as a compact record in the
// trace's arena, after the strings it brought: the start of the previous
// row's record (plus one; 0 for the first row), a bit set telling which
// fields it has, its event type, source and log kind, then each field it
// has as a varint (its times in eight bytes: as varints, times in Unix
// nanoseconds take nine), a RECEIVE's receive information included. A trace thus
// holds one buffer of bytes whatever its rows, and a row takes about what
// its strings and non-zero fields need (a burst's RECEIVE: 40 bytes
// besides its strings, against 272 as structs; TestRowRecordSmall). The
// records are read back from the last when the trace is built (unpack).

// The fields a row record has, in the order they are written.
const (
	rowTime = 1 << iota
	rowSize
	rowOrigin
	rowLocal
	rowPeer
	rowRcpts
	rowStatus
	rowRefs
	rowRelated
	rowInternal
	rowContext
	rowConn
	rowRemote
	rowRemoteIP
	rowEtypeRaw
	rowFile
	rowHopLatency
	rowNoRcpts // flags only
	rowShadow
	rowReceive // a receiveInfo follows
)

// The fields a row's receiveInfo has, in the order they are written.
const (
	recvAuth = 1 << iota
	recvClientType
	recvConnector
	recvFirstHop
	recvProxied // flag only
	recvClientIP
	recvOrigIP
	recvProxiedIP
)

// rowText holds where a row's local and peer host names are in the arena:
// a row record keeps no pointer, so the names are interned again when the
// trace is built.
type rowText struct{ local, peer ref }

// appendRow appends the record of e (and of ri when e is a RECEIVE row
// that has one; e.recv is ignored) to b. prev is the start of the
// previous row's record plus one, 0 for none.
func appendRow(b []byte, e *event, txt rowText, ri *receiveInfo, prev uint32) []byte {
	var bits uint64
	set := func(bit uint64, ok bool) {
		if ok {
			bits |= bit
		}
	}
	set(rowTime, e.time != 0)
	set(rowSize, e.size != 0)
	set(rowOrigin, e.originNS != 0)
	set(rowLocal, txt.local.n != 0)
	set(rowPeer, txt.peer.n != 0)
	set(rowRcpts, e.rcpts.n != 0)
	set(rowStatus, e.status.n != 0)
	set(rowRefs, e.refs.n != 0)
	set(rowRelated, e.related.n != 0)
	set(rowInternal, e.internal.n != 0)
	set(rowContext, e.context.n != 0)
	set(rowConn, e.conn.n != 0)
	set(rowRemote, e.remote.n != 0)
	set(rowRemoteIP, e.remoteIP.n != 0)
	set(rowEtypeRaw, e.etypeRaw.n != 0)
	set(rowFile, e.file >= 0)
	set(rowHopLatency, e.hopLatencyMS != -1)
	set(rowNoRcpts, e.noRcpts)
	set(rowShadow, e.shadow)
	set(rowReceive, ri != nil)

	b = binary.AppendUvarint(b, uint64(prev))
	b = binary.AppendUvarint(b, bits)
	b = append(b, byte(e.etype), byte(e.source), byte(e.kind))
	if bits&rowTime != 0 {
		b = binary.LittleEndian.AppendUint64(b, uint64(e.time))
	}
	if bits&rowSize != 0 {
		b = binary.AppendVarint(b, e.size)
	}
	if bits&rowOrigin != 0 {
		b = binary.LittleEndian.AppendUint64(b, uint64(e.originNS))
	}
	for i, r := range [...]ref{txt.local, txt.peer} {
		if bits&(rowLocal<<i) != 0 {
			b = appendRef(b, r)
		}
	}
	for i, s := range [...]span{e.rcpts, e.status, e.refs} {
		if bits&(rowRcpts<<i) != 0 {
			b = binary.AppendUvarint(binary.AppendUvarint(b, uint64(s.first)), uint64(s.n))
		}
	}
	for i, r := range [...]ref{e.related, e.internal, e.context, e.conn, e.remote, e.remoteIP, e.etypeRaw} {
		if bits&(rowRelated<<i) != 0 {
			b = appendRef(b, r)
		}
	}
	if bits&rowFile != 0 {
		b = binary.AppendUvarint(b, uint64(e.file))
	}
	if bits&rowHopLatency != 0 {
		b = binary.AppendVarint(b, int64(e.hopLatencyMS))
	}
	if ri != nil {
		b = appendReceive(b, ri)
	}
	return b
}

func appendReceive(b []byte, ri *receiveInfo) []byte {
	var bits uint64
	if ri.auth.IsValid() {
		bits |= recvAuth
	}
	for i, r := range [...]ref{ri.clientType, ri.connector, ri.firstHop} {
		if r.n != 0 {
			bits |= recvClientType << i
		}
	}
	if ri.proxied {
		bits |= recvProxied
	}
	for i, a := range [...]netip.Addr{ri.clientIP, ri.origIP, ri.proxiedIP} {
		if a.IsValid() {
			bits |= recvClientIP << i
		}
	}
	b = binary.AppendUvarint(b, bits)
	if bits&recvAuth != 0 {
		a := ri.auth
		b = append(b, a.Number, a.Letter)
		b = binary.AppendVarint(binary.AppendVarint(b, int64(a.Detail.Start)), int64(a.Detail.End))
	}
	for i, r := range [...]ref{ri.clientType, ri.connector, ri.firstHop} {
		if bits&(recvClientType<<i) != 0 {
			b = appendRef(b, r)
		}
	}
	for i, a := range [...]netip.Addr{ri.clientIP, ri.origIP, ri.proxiedIP} {
		if bits&(recvClientIP<<i) != 0 {
			// Its length as a varint (a zoned IPv6 address is 16 bytes
			// and its zone, which has no bound), then its bytes.
			var ab [24]byte
			raw, _ := a.AppendBinary(ab[:0]) // (never fails)
			b = append(binary.AppendUvarint(b, uint64(len(raw))), raw...)
		}
	}
	return b
}

func appendRef(b []byte, r ref) []byte {
	return binary.AppendUvarint(binary.AppendUvarint(b, uint64(r.off)), uint64(r.n))
}

// rowReader reads the row records appendRow wrote. The records are
// trusted (the Tracker wrote them): a malformed one is a bug, and panics.
type rowReader struct {
	b   []byte
	off int
}

func (r *rowReader) uvarint() uint64 {
	if r.off < len(r.b) && r.b[r.off] < 0x80 {
		// One byte, as most are (flags, small offsets and lengths).
		v := r.b[r.off]
		r.off++
		return uint64(v)
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		panic("correlate: corrupt row record")
	}
	r.off += n
	return v
}

// varint reads what binary.AppendVarint wrote: a zig-zag uvarint.
func (r *rowReader) varint() int64 {
	u := r.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

// int64 reads eight bytes, little-endian: a time in Unix nanoseconds,
// which as a varint would take nine.
func (r *rowReader) int64() int64 {
	v := binary.LittleEndian.Uint64(r.b[r.off:])
	r.off += 8
	return int64(v)
}

func (r *rowReader) byte() byte {
	c := r.b[r.off]
	r.off++
	return c
}

func (r *rowReader) ref() ref {
	off := r.uvarint()
	return ref{off: uint32(off), n: uint32(r.uvarint())}
}

// prevRow returns prev of the record that starts at b[off:], as appendRow
// took it.
func prevRow(b []byte, off uint32) uint32 {
	r := rowReader{b: b, off: int(off)}
	return uint32(r.uvarint())
}

// readRow decodes the record that starts at b[off:] into e (local, peer
// and recv left unset), txt and, when the row has one, ri; it reports
// whether it had a receiveInfo and returns prev as appendRow took it.
func readRow(b []byte, off uint32, e *event, txt *rowText, ri *receiveInfo) (hasRecv bool, prev uint32) {
	r := rowReader{b: b, off: int(off)}
	prev = uint32(r.uvarint())
	bits := r.uvarint()
	*e = event{
		etype:        msgtrk.EventType(r.byte()),
		source:       msgtrk.SourceType(r.byte()),
		kind:         msgtrk.LogKind(r.byte()),
		file:         -1,
		hopLatencyMS: -1,
		recv:         -1,
		noRcpts:      bits&rowNoRcpts != 0,
		shadow:       bits&rowShadow != 0,
	}
	*txt = rowText{}
	if bits&rowTime != 0 {
		e.time = r.int64()
	}
	if bits&rowSize != 0 {
		e.size = r.varint()
	}
	if bits&rowOrigin != 0 {
		e.originNS = r.int64()
	}
	for i, p := range [...]*ref{&txt.local, &txt.peer} {
		if bits&(rowLocal<<i) != 0 {
			*p = r.ref()
		}
	}
	for i, p := range [...]*span{&e.rcpts, &e.status, &e.refs} {
		if bits&(rowRcpts<<i) != 0 {
			first := r.uvarint()
			*p = span{first: int32(first), n: int32(r.uvarint())}
		}
	}
	for i, p := range [...]*ref{&e.related, &e.internal, &e.context, &e.conn, &e.remote, &e.remoteIP, &e.etypeRaw} {
		if bits&(rowRelated<<i) != 0 {
			*p = r.ref()
		}
	}
	if bits&rowFile != 0 {
		e.file = int32(r.uvarint())
	}
	if bits&rowHopLatency != 0 {
		e.hopLatencyMS = int32(r.varint())
	}
	if bits&rowReceive != 0 {
		hasRecv = true
		readReceive(&r, ri)
	}
	return hasRecv, prev
}

func readReceive(r *rowReader, ri *receiveInfo) {
	*ri = receiveInfo{}
	bits := r.uvarint()
	if bits&recvAuth != 0 {
		ri.auth.Number = r.byte()
		ri.auth.Letter = r.byte()
		start := r.varint()
		ri.auth.Detail = messageinfo.Span{Start: int32(start), End: int32(r.varint())}
	}
	for i, p := range [...]*ref{&ri.clientType, &ri.connector, &ri.firstHop} {
		if bits&(recvClientType<<i) != 0 {
			*p = r.ref()
		}
	}
	ri.proxied = bits&recvProxied != 0
	for i, p := range [...]*netip.Addr{&ri.clientIP, &ri.origIP, &ri.proxiedIP} {
		if bits&(recvClientIP<<i) != 0 {
			n := int(r.uvarint())
			if err := p.UnmarshalBinary(r.b[r.off : r.off+n]); err != nil {
				panic("correlate: corrupt row record: " + err.Error())
			}
			r.off += n
		}
	}
}
