package messageinfo

import (
	"bytes"
	"strconv"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// Kind is the shape of a message-info value.
type Kind uint8

// Kinds.
const (
	// KindUnknown: none of the shapes below; keep the raw value.
	KindUnknown Kind = iota
	// KindEmpty: the field is empty (or spaces only), as on most rows.
	KindEmpty
	// KindAuthCode: an auth code, "04I: " (SMTP and STOREDRIVER RECEIVE).
	KindAuthCode
	// KindLatency: an origination time followed by ";SRV=" or ";LSRV=", or a
	// string starting with "SRV="/"LSRV=" (SEND, SENDEXTERNAL, DELIVER,
	// DELIVERFAIL, FAIL, NOTIFYMAPI, ...). Only the prefix is checked;
	// AppendLatency decodes and validates the records.
	KindLatency
	// KindTimestamp: a bare RFC 3339 timestamp. It is the origination time on
	// arrival-only rows and, on DEFER rows, the retry time; which one it is
	// depends on the row's event, not on the value.
	KindTimestamp
)

var kindNames = [...]string{"Unknown", "Empty", "AuthCode", "Latency", "Timestamp"}

// String returns the kind's name, or "Kind(n)" out of range.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Info is a classified message-info value with its cheap parts decoded. It is
// a comparable value; the zero Info is KindUnknown with nothing decoded.
type Info struct {
	Kind Kind
	// Auth is the auth code when Kind is KindAuthCode.
	Auth AuthCode
	// Time is the timestamp when Kind is KindTimestamp, the origination time
	// when Kind is KindLatency (zero if the string starts with a hop).
	Time time.Time
}

// Classify returns the shape of a message-info value without decoding more
// than needed to decide. Timestamps are recognised by msgtrk.ParseTime: RFC
// 3339, 'Z' or a ±hh:mm offset, 0 to 9 fractional digits (the forms
// Exchange writes), and the other forms time.Parse reads with
// time.RFC3339Nano. Classify does no allocation, except for a value that
// starts like a date (yyyy-MM-ddT) without being in one of the forms
// Exchange writes (msgtrk.ParseTime then asks time.Parse). It is safe for
// concurrent use.
func Classify(src []byte) Kind {
	return Parse(src).Kind
}

// Parse classifies a message-info value (see Classify) and decodes the auth
// code or the timestamp. For KindLatency only the origination time is
// decoded; call AppendLatency for the records. An unrecognised value is
// KindUnknown, not an error: the caller keeps the raw bytes. Values longer
// than MaxInputBytes are KindUnknown.
//
// Parse does no allocation (with the exception stated at Classify) and is
// safe for concurrent use. Info.Auth.Detail is a span of src.
func Parse(src []byte) Info {
	if len(src) > MaxInputBytes {
		return Info{}
	}
	blank := true
	for _, c := range src {
		if c != ' ' {
			blank = false
			break
		}
	}
	if blank {
		return Info{Kind: KindEmpty}
	}
	if a, _, ok := parseAuthCode(src); ok {
		return Info{Kind: KindAuthCode, Auth: a}
	}
	if hasHopPrefix(src) {
		return Info{Kind: KindLatency}
	}
	end := bytes.IndexByte(src, ';')
	if end < 0 {
		if t, ok := msgtrk.ParseTime(src); ok {
			return Info{Kind: KindTimestamp, Time: t}
		}
		return Info{}
	}
	if t, ok := msgtrk.ParseTime(src[:end]); ok && startsLatency(src, end+1) {
		return Info{Kind: KindLatency, Time: t}
	}
	return Info{}
}

// startsLatency reports whether what follows the origination time at i
// makes the value a latency string: a hop, or the current time alone
// (format.md §7.2 makes every part after the origination time optional).
func startsLatency(src []byte, i int) bool {
	i = skipSpaces(src, i)
	if hasHopPrefix(src[i:]) {
		return true
	}
	_, ok := readCurrent(src, i)
	return ok
}
