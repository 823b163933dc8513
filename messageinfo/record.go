package messageinfo

import (
	"github.com/mailtrace/mailtrace/msgtrk"
)

// AppendLatencyRecord is [AppendLatency] on the message-info field of rec:
// it appends the records of the latency string to dst. The spans of the
// nodes and of the Latency are offsets into rec.Field(msgtrk.MessageInfo),
// valid, like that slice, until the next call to the Reader's Next.
//
// The latency string is the part of message-info that can be malformed;
// the other shapes are told apart by [Parse] or [Classify], which never
// fail (call one of them first: an auth code or an empty value is an
// ErrTime error here, as for AppendLatency). An error is a
// *msgtrk.ParseError carrying the row's file, line and the byte column of
// the problem in the line (exact also inside a CSV-quoted field), with
// Field "message-info"; it wraps the *[SyntaxError], so errors.Is and
// errors.As reach the sentinel and the offset in the field. The nodes
// decoded before the error are returned.
//
// AppendLatencyRecord does no allocation when dst has room and the string
// is well-formed. It is not safe for concurrent use with other users of rec
// (the record's accessors share a scratch buffer).
func AppendLatencyRecord(dst []Node, rec *msgtrk.Record) ([]Node, Latency, error) {
	nodes, lat, err := AppendLatency(dst, rec.Field(msgtrk.MessageInfo))
	if err == nil {
		return nodes, lat, nil
	}
	off := 0
	if se, ok := err.(*SyntaxError); ok {
		off = se.Offset
	}
	return nodes, lat, rec.FieldError(msgtrk.MessageInfo, off, err)
}
