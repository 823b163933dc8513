package sourcecontext

import (
	"github.com/mailtrace/mailtrace/msgtrk"
)

// ParseRecord decodes the source-context field of rec, choosing the decoder
// by the row's source and event-id as [Parse] does. It is as lenient as
// Parse. An error is a *msgtrk.ParseError carrying the row's file, line
// and the byte column of the problem in the line (exact also inside a
// CSV-quoted field with doubled quotes), with Field "source-context"; it
// wraps the *[SyntaxError] of Parse (whose sentinel is recipstatus.ErrCode
// for a malformed reply), so errors.Is and errors.As reach the sentinel and
// the offset in the field.
//
// The slices of the Context alias the record and are valid until the next
// call to the Reader's Next. ParseRecord does no allocation unless it
// returns an error. It is not safe for concurrent use with other users of
// rec (the record's accessors share a scratch buffer).
func ParseRecord(rec *msgtrk.Record) (Context, error) {
	c, err := Parse(rec.Field(msgtrk.Source), rec.Field(msgtrk.EventID), rec.Field(msgtrk.SourceContext))
	if err == nil {
		return c, nil
	}
	off := 0
	if se, ok := err.(*SyntaxError); ok {
		off = se.Offset
	}
	return c, rec.FieldError(msgtrk.SourceContext, off, err)
}
