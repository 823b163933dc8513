package correlate

import (
	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// Keys are the identities one row gives its message: the rule by which a
// Tracker, a Sharded tracker and any other grouping of rows (the Beam
// pipeline) must put rows together. Rows with the same non-empty Primary
// belong to one message; rows with the same non-empty Store belong to one
// message too, which ties a store submission's NOTIFYMAPI (it has no
// message id) to the STOREDRIVER RECEIVE that carries the ids.
type Keys struct {
	// Primary is the message's key and the Key of its Trace: the
	// network-message-id in lower case when the row has that column and a
	// value (Exchange 2013 and later); for logs without the column (2007,
	// 2010), "mid:" + message-id + "|" + lower-case sender-address; "" when
	// the row carries neither (NOTIFYMAPI, a 2013+ row whose
	// network-message-id is empty).
	Primary string
	// Store is "store:" + lower-case mailbox GUID + "/" + event number,
	// from the source-context of a STOREDRIVER NOTIFYMAPI, RECEIVE, SUBMIT
	// or NOTIFYSHADOW row (format.md §8); "" for other rows. It names no
	// server: the mailbox GUID and the mailbox's event counter are unique
	// in the organisation, so the key does not depend on how a server's
	// logs were collected or named.
	Store string
}

// KeyOf returns the identities of rec's message. It allocates the strings
// it returns; the Tracker uses the same rule without allocating.
func KeyOf(rec *msgtrk.Record) Keys {
	var k Keys
	if b := appendPrimaryKey(nil, rec); len(b) > 0 {
		k.Primary = string(b)
	}
	if b, _, _ := appendStoreKey(nil, rec); len(b) > 0 {
		k.Store = string(b)
	}
	return k
}

// legacyKeyPrefix opens the primary key of a row of 2007 or 2010 logs,
// which have no network-message-id: "mid:" + message-id + "|" + sender.
const legacyKeyPrefix = "mid:"

// appendPrimaryKey appends rec's primary key (see Keys.Primary) to dst; it
// appends nothing when the row has none.
func appendPrimaryKey(dst []byte, rec *msgtrk.Record) []byte {
	if id := rec.Field(msgtrk.NetworkMessageID); len(id) > 0 {
		return ascii.AppendLower(dst, id)
	}
	if rec.Has(msgtrk.NetworkMessageID) {
		return dst // 2013+: no network-message-id means no key
	}
	mid := rec.Field(msgtrk.MessageID)
	if len(mid) == 0 {
		return dst
	}
	dst = append(dst, legacyKeyPrefix...)
	dst = append(dst, mid...)
	dst = append(dst, '|')
	return ascii.AppendLower(dst, rec.Field(msgtrk.SenderAddress))
}

// isStoreSubmission reports whether rows of this source and event carry a
// store context that names the submitted item (format.md §8).
func isStoreSubmission(src msgtrk.SourceType, et msgtrk.EventType) bool {
	if src != msgtrk.SourceStoreDriver {
		return false
	}
	switch et {
	case msgtrk.EventNotifyMAPI, msgtrk.EventReceive, msgtrk.EventSubmit, msgtrk.EventNotifyShadow:
		return true
	}
	return false
}

// appendStoreKey appends rec's store key (see Keys.Store) to dst; it
// appends nothing when the row has none. It also returns the parsed store
// context and whether it could be read (its ClientType is an origin fact).
func appendStoreKey(dst []byte, rec *msgtrk.Record) ([]byte, sourcecontext.Store, bool) {
	return appendStoreKeyOf(dst, rec, rec.SourceType(), rec.EventType())
}

// appendStoreKeyOf is appendStoreKey for a row of source src and event et.
func appendStoreKeyOf(dst []byte, rec *msgtrk.Record, src msgtrk.SourceType, et msgtrk.EventType) ([]byte, sourcecontext.Store, bool) {
	if !isStoreSubmission(src, et) {
		return dst, sourcecontext.Store{}, false
	}
	st, err := sourcecontext.ParseStore(rec.Field(msgtrk.SourceContext))
	ok := err == nil || len(st.ClientTypeRaw) > 0
	if err == nil && len(st.Mailbox.Raw) > 0 && len(st.EventRaw) > 0 {
		dst = append(dst, "store:"...)
		dst = ascii.AppendLower(dst, st.Mailbox.Raw)
		dst = append(dst, '/')
		dst = append(dst, st.EventRaw...)
	}
	return dst, st, ok
}
