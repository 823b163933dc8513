package correlate

import (
	"bytes"
	"net/netip"
	"time"

	"github.com/mailtrace/mailtrace/eventdata"
	"github.com/mailtrace/mailtrace/messageinfo"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// RowFacts is what a Tracker reads of a row that depends on the row alone:
// its event and source, its keys and their hashes, its fingerprint, the
// host it names as local, its hop's latency and, for a RECEIVE, what it
// tells of the client. Tracker.Add reads them itself. A reader ahead of
// the Tracker may read them on another goroutine instead (ReadFacts,
// BatchFacts) and hand them over with Tracker.AddFacts, so that the
// Tracker's own goroutine does only what depends on its state.
//
// A RowFacts holds copies of the bytes it keeps of its row (a field's
// bytes may be decoded into a buffer the row's next field reuses): it stays
// valid when the row is gone. Reuse one (Read resets it) to read without
// allocating.
type RowFacts struct {
	etype  msgtrk.EventType
	source msgtrk.SourceType

	// buf holds the bytes below, one after the other.
	buf              []byte
	primary, store   bspan // the keys (KeyOf's rule), empty for none
	host             bspan // the short local host (appendLocalShort)
	spelt            bspan // the local host as written, when hasSpelt
	fqdn             bspan // the logging server's full name as the row gives it (localFQDN), empty for none
	clientRaw        bspan // source-context's ClientType, when storeOK
	firstHop         bspan // custom-data FirstForestHop, when hasFirstHop
	hasSpelt         bool  // the row's own column names its local host
	storeOK          bool  // source-context was parsed as a store context
	hasFirstHop      bool
	primaryH, storeH keyHash
	fp               uint64
	msgIDH           keyHash // the message-id's hash (spaceMsgID), when it has one
	hasMsgID         bool
	originNS         int64         // origination time (unix ns), 0 for none
	hopLatencyMS     int32         // the logging server's TOTAL (ms), -1 for none
	retryAfter       time.Duration // a DEFER's next retry, after the row's time (RetryWait); 0 for none
	auth             messageinfo.AuthCode
	clientIP, origIP netip.Addr
	proxiedIP        netip.Addr
	proxied          bool
	nodes            []messageinfo.Node
	origin           *msgtrk.Origin // the row's input and line: AddFacts checks them
	line             int64

	// group, on the first row of each touchRows of a BatchFacts, holds
	// those rows (this one first): the Tracker loads the table slots of
	// their keys together (Tracker.touch).
	group []RowFacts
	// text is the row's line in its batch, set by BatchFacts.Read (for
	// touch), nil otherwise.
	text []byte
}

// Read reads rec's facts into f, replacing what f held.
func (f *RowFacts) Read(rec *msgtrk.Record) {
	nodes := f.nodes
	*f = RowFacts{buf: f.buf[:0], nodes: nodes[:0], hopLatencyMS: -1}
	f.etype, f.source = rec.EventType(), rec.SourceType()
	f.origin, f.line = rec.Origin(), rec.LineNumber()

	// Each piece is copied as soon as it is read: the next field read
	// may reuse the bytes.
	n := len(f.buf)
	f.buf = appendPrimaryKey(f.buf, rec)
	f.primary = bspan{int32(n), int32(len(f.buf) - n)}
	n = len(f.buf)
	b, st, ok := appendStoreKeyOf(f.buf, rec, f.source, f.etype)
	f.buf, f.store = b, bspan{int32(n), int32(len(b) - n)}
	if ok {
		f.storeOK = true
		f.clientRaw = f.add(st.ClientTypeRaw)
	}
	n = len(f.buf)
	b, spelt := appendLocalShort(f.buf, rec, f.etype, f.source)
	f.buf, f.host = b, bspan{int32(n), int32(len(b) - n)}
	if spelt != nil {
		f.hasSpelt = true
		f.spelt = f.add(spelt)
	}
	if f.primary.n > 0 {
		f.primaryH = hashBytes(spaceKey, f.primaryKey())
	}
	if f.store.n > 0 {
		f.storeH = hashBytes(spaceKey, f.storeKey())
	}
	f.fp = fingerprint(rec)
	if mid := rec.Field(msgtrk.MessageID); len(mid) > 0 {
		f.msgIDH, f.hasMsgID = hashBytes(spaceMsgID, mid), true
	}

	mi := rec.Field(msgtrk.MessageInfo)
	if f.etype == msgtrk.EventReceive {
		// Only a code as Exchange writes it says who submitted: "11a"
		// (documented as an authentication error) is not DirectTrustTLS.
		if a, ok := messageinfo.LookupAuthCode(mi); ok && a.IsValid() && messageinfo.IsExchangeAuthCode(mi) {
			f.auth = a
		}
		f.clientIP, _ = rec.Addr(msgtrk.ClientIP)
		f.origIP, _ = rec.Addr(msgtrk.OriginalClientIP)
		if f.source != msgtrk.SourceStoreDriver {
			cd := rec.Field(msgtrk.CustomData)
			if v, ok := eventdata.Lookup(cd, "ProxiedClientIPAddress"); ok {
				f.proxiedIP, _ = msgtrk.ParseAddr(v)
				f.proxied = true
			}
			if _, ok := eventdata.Lookup(cd, "ProxyHop1"); ok {
				f.proxied = true
			}
			if v, ok := eventdata.Lookup(cd, "FirstForestHop"); ok {
				f.hasFirstHop = true
				f.firstHop = f.add(v)
			}
		}
	} else if len(mi) > 0 && mi[0] >= '0' && mi[0] <= '9' && carriesLatency(f.etype) {
		f.readLatency(mi)
	} else if f.etype == msgtrk.EventDefer {
		f.retryAfter, _ = retryWait(rec, mi)
	}
	if h := localFQDN(rec, f.etype, f.speltHost()); h != nil {
		f.fqdn = f.add(h)
	}
}

// localFQDN returns the full name rec gives its logging server, nil for
// none: the server of the last hop of its latency string
// (messageinfo.LocalServer), or else its local-host column (spelt), when
// that is a name with a domain. orgState.learnFQDN learns the server's
// domains from it.
func localFQDN(rec *msgtrk.Record, et msgtrk.EventType, spelt []byte) []byte {
	if carriesLatency(et) {
		if h, ok := messageinfo.LocalServer(rec.Field(msgtrk.MessageInfo)); ok && isFQDN(h) {
			return h
		}
	}
	if isFQDN(spelt) {
		return spelt
	}
	return nil
}

// isFQDN reports whether h is a host name with a domain: a dot inside it,
// not an address.
func isFQDN(h []byte) bool {
	i := bytes.IndexByte(h, '.')
	return i > 0 && i < len(h)-1 && !looksLikeIP(h)
}

// carriesLatency reports whether rows of event et carry a latency string
// in message-info: SEND, SENDEXTERNAL, DELIVER, FAIL, NOTIFYMAPI, SUBMIT
// and SUPPRESSED, and the final DELIVERFAIL (format.md §7.2). Other rows
// hold something else there (§7.1, §7.4: DEFER its next retry time).
func carriesLatency(et msgtrk.EventType) bool {
	switch et {
	case msgtrk.EventSend, msgtrk.EventSendExternal, msgtrk.EventDeliver, msgtrk.EventFail,
		msgtrk.EventDeliverFail, msgtrk.EventNotifyMAPI, msgtrk.EventSubmit, msgtrk.EventSuppressed:
		return true
	}
	return false
}

// maxRetryWait bounds how long after its row a DEFER's retry time holds
// its trace open (see RetryWait): a retry time further ahead is taken as
// this far, so that a value no retry schedule gives (a clock set years
// ahead, a damaged row) cannot keep a message open for the rest of the
// input.
const maxRetryWait = 24 * time.Hour

// RetryWait returns how long after its own time a DEFER row says its
// message will be retried: the row's message-info is the next retry time
// (format.md §7.4, §9.3), taken within [0, 24 hours]. Until then the
// message waits in its queue and no row of it need come (and a retry that
// fails again may not be logged at all: DEFER rows say
// RecipientsAlreadySmtpDeferLogged, §5), so a Tracker keeps the trace
// open until the retry time plus the window (Options.Window). ok is false
// for a row of another event, or without a retry time or a time of its
// own. It does no allocation (but for a malformed date-time, whose error
// does).
func RetryWait(rec *msgtrk.Record) (wait time.Duration, ok bool) {
	if rec.EventType() != msgtrk.EventDefer {
		return 0, false
	}
	return retryWait(rec, rec.Field(msgtrk.MessageInfo))
}

// retryWait is RetryWait for a DEFER row of message-info mi.
func retryWait(rec *msgtrk.Record, mi []byte) (time.Duration, bool) {
	info := messageinfo.Parse(mi)
	if info.Kind != messageinfo.KindTimestamp {
		return 0, false
	}
	at, err := rec.Time()
	if err != nil {
		return 0, false
	}
	// (Sub saturates: no overflow whatever the years.)
	return min(max(info.Time.Sub(at), 0), maxRetryWait), true
}

// readLatency reads the origination time and the logging server's TOTAL
// from a latency string. LocalTotal reads what a well-formed string gives
// without building its tree; a malformed one gets AppendLatency's partial
// result.
func (f *RowFacts) readLatency(mi []byte) {
	if origin, total, hasTotal, ok := messageinfo.LocalTotal(mi); ok {
		f.noteLatency(origin, total, hasTotal)
		return
	}
	nodes, lat, err := messageinfo.AppendLatency(f.nodes[:0], mi)
	f.nodes = nodes[:0]
	if err == nil || lat.NumHops() > 0 {
		h, ok := lat.Local()
		f.noteLatency(lat.Origin, h.Total, ok && h.Root >= 0)
	} else if info := messageinfo.Parse(mi); !info.Time.IsZero() {
		f.originNS = info.Time.UnixNano()
	}
}

// noteLatency sets the origination time (unless zero) and, with hasTotal,
// the latency of the logging server's hop, in milliseconds (capped at
// 2³¹-1).
func (f *RowFacts) noteLatency(origin time.Time, total time.Duration, hasTotal bool) {
	if !origin.IsZero() {
		f.originNS = origin.UnixNano()
	}
	if hasTotal {
		f.hopLatencyMS = int32(min(total/time.Millisecond, 1<<31-1))
	}
}

// of reports whether f holds the facts of rec: of its input and line.
func (f *RowFacts) of(rec *msgtrk.Record) bool {
	return f.origin == rec.Origin() && f.line == rec.LineNumber()
}

// bspan locates bytes in a RowFacts' buf.
type bspan struct{ off, n int32 }

// add copies b to f's buf, and returns where it is.
func (f *RowFacts) add(b []byte) bspan {
	n := len(f.buf)
	f.buf = append(f.buf, b...)
	return bspan{int32(n), int32(len(b))}
}

// bytes returns the bytes sp locates.
func (f *RowFacts) bytes(sp bspan) []byte { return f.buf[sp.off : sp.off+sp.n] }

// primaryKey returns the row's primary key (KeyOf's rule), empty for none.
func (f *RowFacts) primaryKey() []byte { return f.bytes(f.primary) }

// storeKey returns the row's store key (KeyOf's rule), empty for none.
func (f *RowFacts) storeKey() []byte { return f.bytes(f.store) }

// localShort returns the short lower-case name of the host the row names
// as local (or of the server that logged it), empty for none.
func (f *RowFacts) localShort() []byte { return f.bytes(f.host) }

// speltHost returns the local host as the row spells it, nil when the
// row's own column does not name it (see appendLocalShort).
func (f *RowFacts) speltHost() []byte {
	if !f.hasSpelt {
		return nil
	}
	return f.bytes(f.spelt)
}

// appendLocalShort appends the short lower-case name of the host rec
// names as local (format.md §4, per event), and returns that host as
// written (spelt) when the row's own column names it; failing that, of
// the server that logged it (msgtrk.LoggingServer), with spelt nil.
func appendLocalShort(dst []byte, rec *msgtrk.Record, et msgtrk.EventType, src msgtrk.SourceType) (_, spelt []byte) {
	if h := bytes.TrimSpace(localHost(rec, rec.Origin().Kind, et, src)); len(h) > 0 && !looksLikeIP(h) {
		return shortHost(dst, h), h
	}
	if h := msgtrk.LoggingServer(rec); len(h) > 0 {
		return shortHost(dst, h), nil
	}
	return dst, nil
}

// BatchFacts holds the RowFacts of the rows of a msgtrk.Batch, in order:
// what a reader ahead of a Tracker reads for it (see ReadFacts).
type BatchFacts struct {
	rows []RowFacts
}

// Read reads the facts of every row of b, reusing fs's memory.
func (fs *BatchFacts) Read(b *msgtrk.Batch) {
	n := b.Len()
	if cap(fs.rows) < n {
		fs.rows = append(fs.rows[:cap(fs.rows)], make([]RowFacts, n-cap(fs.rows))...)
	}
	fs.rows = fs.rows[:n]
	for i := range n {
		rec := b.Record(i)
		fs.rows[i].Read(rec)
		fs.rows[i].text = rec.Line()
	}
	for i := 0; i < n; i += touchRows {
		fs.rows[i].group = fs.rows[i:min(i+touchRows, n)]
	}
}

// Row returns the facts of the batch's row i.
func (fs *BatchFacts) Row(i int) *RowFacts { return &fs.rows[i] }

// ReadFacts is a msgtrk.Readahead's prepare function (NewReadaheadFunc)
// that reads each batch's RowFacts on the reading goroutine: prev is what
// it returned for the batch's previous rows (nil the first time), reused.
// The consumer finds them with Readahead.Prepared: the value is a
// *BatchFacts.
func ReadFacts(b *msgtrk.Batch, prev any) any {
	fs, _ := prev.(*BatchFacts)
	if fs == nil {
		fs = new(BatchFacts)
	}
	fs.Read(b)
	return fs
}
