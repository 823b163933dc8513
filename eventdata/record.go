package eventdata

import (
	"github.com/mailtrace/mailtrace/msgtrk"
)

// DecodeRecord resets d and fills it from the custom-data field of rec, as
// [Data.Decode] does. An error is a *msgtrk.ParseError carrying the row's
// file, line and the byte column of the offending member or value in the
// line (exact also inside a CSV-quoted field with doubled quotes), with
// Field "custom-data"; it wraps the *[SyntaxError] of Decode, so errors.Is
// and errors.As reach the sentinel and the offset in the field. A row whose
// header has no custom-data column decodes as empty.
//
// The byte slices in d alias the record and are valid until the next call
// to the Reader's Next. DecodeRecord costs what Decode costs: no allocation
// on success. It is not safe for concurrent use with other users of rec
// (the record's accessors share a scratch buffer).
func (d *Data) DecodeRecord(rec *msgtrk.Record) error {
	err := d.Decode(rec.Field(msgtrk.CustomData))
	if err == nil {
		return nil
	}
	off := 0
	if se, ok := err.(*SyntaxError); ok {
		off = se.Offset
	}
	return rec.FieldError(msgtrk.CustomData, off, err)
}
