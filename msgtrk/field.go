package msgtrk

import (
	"strconv"

	"github.com/mailtrace/mailtrace/internal/ascii"
)

// Field names a column of the message tracking log by its #Fields: name.
// Columns are always located through the header, never by position, so a
// Field works the same on every Exchange version that has the column.
type Field uint8

// The fields known from Exchange 2007 to Exchange SE, in the column order of
// the 2016/2019/SE header. The comment gives the #Fields: name and the first
// layout that has the column.
const (
	DateTime                Field = iota // date-time (2007)
	ClientIP                             // client-ip (2007)
	ClientHostname                       // client-hostname (2007)
	ServerIP                             // server-ip (2007)
	ServerHostname                       // server-hostname (2007)
	SourceContext                        // source-context (2007)
	ConnectorID                          // connector-id (2007)
	Source                               // source (2007)
	EventID                              // event-id (2007)
	InternalMessageID                    // internal-message-id (2007)
	MessageID                            // message-id (2007)
	NetworkMessageID                     // network-message-id (2013)
	RecipientAddress                     // recipient-address (2007), a list
	RecipientStatus                      // recipient-status (2007), a list
	TotalBytes                           // total-bytes (2007)
	RecipientCount                       // recipient-count (2007)
	RelatedRecipientAddress              // related-recipient-address (2007)
	Reference                            // reference (2007), a list
	MessageSubject                       // message-subject (2007)
	SenderAddress                        // sender-address (2007)
	ReturnPath                           // return-path (2007)
	MessageInfo                          // message-info (2007)
	Directionality                       // directionality (2010)
	TenantID                             // tenant-id (2010)
	OriginalClientIP                     // original-client-ip (2010)
	OriginalServerIP                     // original-server-ip (2010)
	CustomData                           // custom-data (2010), a list
	TransportTrafficType                 // transport-traffic-type (2016)
	LogID                                // log-id (2016)
	SchemaVersion                        // schema-version (2016)

	// NumFields is the number of known fields; it is not a field.
	NumFields = int(SchemaVersion) + 1
)

var fieldNames = [NumFields]string{
	"date-time", "client-ip", "client-hostname", "server-ip", "server-hostname",
	"source-context", "connector-id", "source", "event-id", "internal-message-id",
	"message-id", "network-message-id", "recipient-address", "recipient-status",
	"total-bytes", "recipient-count", "related-recipient-address", "reference",
	"message-subject", "sender-address", "return-path", "message-info",
	"directionality", "tenant-id", "original-client-ip", "original-server-ip",
	"custom-data", "transport-traffic-type", "log-id", "schema-version",
}

// String returns the #Fields: name of f, such as "message-id", or "Field(n)"
// for a value that is not a known field.
func (f Field) String() string {
	if int(f) < NumFields {
		return fieldNames[f]
	}
	return "Field(" + strconv.Itoa(int(f)) + ")"
}

// IsList reports whether f holds ';'-separated members (see [ListScanner]).
func (f Field) IsList() bool {
	switch f {
	case RecipientAddress, RecipientStatus, Reference, CustomData:
		return true
	}
	return false
}

// FreeText reports whether f is free text whose \r and \n escapes a
// reader may decode (format.md §12 step 5: the subject, source-context and
// the status; the decoding is optional because it is ambiguous, §3.1).
// Identifiers, names and addresses are best kept as written: a connector
// named EX01\relay is not a line break.
func (f Field) FreeText() bool {
	switch f {
	case MessageSubject, SourceContext, RecipientStatus:
		return true
	}
	return false
}

// LookupField returns the Field whose #Fields: name is name. The match is
// exact except that ASCII letters are compared without case. It does no
// allocation.
func LookupField(name []byte) (Field, bool) {
	for i, n := range fieldNames {
		if ascii.EqualFold(name, n) {
			return Field(i), true
		}
	}
	return 0, false
}

// Layout identifies one of the field sets Exchange has written.
type Layout uint8

// The known layouts. LayoutCustom is a header whose #Fields: list matches none
// of them (extra, missing or reordered columns); it is read all the same.
const (
	LayoutUnknown Layout = iota // no #Fields: seen yet
	Layout2007                  // 21 fields: Exchange 2007
	Layout2010                  // 26 fields: Exchange 2010 (adds directionality … custom-data)
	Layout2013                  // 27 fields: Exchange 2013 (adds network-message-id)
	Layout2016                  // 30 fields: Exchange 2016, 2019 and SE (adds transport-traffic-type, log-id, schema-version)
	LayoutCustom                // any other list of columns
)

var layoutNames = [...]string{"unknown", "2007", "2010", "2013", "2016", "custom"}

// String returns "2007", "2010", "2013", "2016", "custom" or "unknown".
func (l Layout) String() string {
	if int(l) < len(layoutNames) {
		return layoutNames[l]
	}
	return "Layout(" + strconv.Itoa(int(l)) + ")"
}

// Fields returns the columns of layout l in file order, or nil for
// LayoutUnknown and LayoutCustom. The slice is a new copy.
func (l Layout) Fields() []Field {
	var src []Field
	switch l {
	case Layout2007:
		src = fields2007[:]
	case Layout2010:
		src = fields2010[:]
	case Layout2013:
		src = fields2013[:]
	case Layout2016:
		src = fields2016[:]
	default:
		return nil
	}
	return append([]Field(nil), src...)
}

// FieldNames returns the #Fields: names of layout l in file order, suitable
// for [Config.Fields] when reading a file that lost its header.
func (l Layout) FieldNames() []string {
	fs := l.Fields()
	if fs == nil {
		return nil
	}
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.String()
	}
	return names
}

var fields2016 = [30]Field{
	DateTime, ClientIP, ClientHostname, ServerIP, ServerHostname, SourceContext,
	ConnectorID, Source, EventID, InternalMessageID, MessageID, NetworkMessageID,
	RecipientAddress, RecipientStatus, TotalBytes, RecipientCount,
	RelatedRecipientAddress, Reference, MessageSubject, SenderAddress, ReturnPath,
	MessageInfo, Directionality, TenantID, OriginalClientIP, OriginalServerIP,
	CustomData, TransportTrafficType, LogID, SchemaVersion,
}

var fields2013 = [27]Field(fields2016[:27])

var fields2010 = [26]Field{
	DateTime, ClientIP, ClientHostname, ServerIP, ServerHostname, SourceContext,
	ConnectorID, Source, EventID, InternalMessageID, MessageID,
	RecipientAddress, RecipientStatus, TotalBytes, RecipientCount,
	RelatedRecipientAddress, Reference, MessageSubject, SenderAddress, ReturnPath,
	MessageInfo, Directionality, TenantID, OriginalClientIP, OriginalServerIP,
	CustomData,
}

var fields2007 = [21]Field(fields2010[:21])
