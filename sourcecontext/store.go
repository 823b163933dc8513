package sourcecontext

import (
	"bytes"
	"strconv"
	"time"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// MaxPairs bounds the entries read from a STOREDRIVER list. Reading stops
// after MaxPairs entries with [ErrTooMany].
const MaxPairs = 32

// GUIDValue is a GUID-valued entry: as written, and decoded by
// msgtrk.ParseGUID when valid. Anonymised samples carry invalid GUIDs (a
// group too short, placeholder letters); those are kept raw with Valid false
// and are not errors.
type GUIDValue struct {
	Raw   []byte
	GUID  msgtrk.GUID
	Valid bool
}

func (v GUIDValue) present() bool { return len(v.Raw) > 0 || v.Valid }

func (v GUIDValue) appendTo(dst []byte) []byte {
	if len(v.Raw) > 0 {
		return append(dst, v.Raw...)
	}
	return v.GUID.AppendTo(dst)
}

// ClientType is the kind of client that submitted a message through the
// store, from the ClientType entry of STOREDRIVER contexts.
type ClientType uint8

// Client types. The spellings come from the published samples (MOMT, System,
// User), from a public list of Exchange 2007/2010 values (User, RPCHTTP, OWA,
// EWS, EAS, Assistants, Transport) and from observed flows (ActiveSync). Any
// other spelling is ClientUnknown with the text kept in
// Store.ClientTypeRaw.
const (
	ClientUnknown    ClientType = iota
	ClientUser                  // "User": Outlook over MAPI
	ClientRPCHTTP               // "RPCHTTP": Outlook Anywhere
	ClientMOMT                  // "MOMT": Outlook (MAPI over HTTP era)
	ClientOWA                   // "OWA": Outlook on the web
	ClientEWS                   // "EWS": Exchange Web Services
	ClientEAS                   // "EAS": Exchange ActiveSync (older spelling)
	ClientActiveSync            // "ActiveSync"
	ClientAssistants            // "Assistants": mailbox assistants
	ClientTransport             // "Transport"
	ClientSystem                // "System": system messages such as quota warnings
)

var clientNames = [...]string{"Unknown", "User", "RPCHTTP", "MOMT", "OWA", "EWS", "EAS", "ActiveSync", "Assistants", "Transport", "System"}

// String returns the spelling used in the log, "Unknown" for ClientUnknown,
// or "ClientType(n)".
func (c ClientType) String() string {
	if int(c) < len(clientNames) {
		return clientNames[c]
	}
	return "ClientType(" + strconv.Itoa(int(c)) + ")"
}

// ParseClientType returns the client type spelled exactly (case-sensitive)
// by b, or ClientUnknown. It does no allocation.
func ParseClientType(b []byte) ClientType {
	for i := 1; i < len(clientNames); i++ {
		if string(b) == clientNames[i] {
			return ClientType(i)
		}
	}
	return ClientUnknown
}

// Store is the source-context of STOREDRIVER rows other than deliveries
// (NOTIFYMAPI, RECEIVE, SUBMIT, …), a ", "-separated list of "Key:Value":
//
//	MDB:f4adaa08-ff49-4bca-ba70-68e9b80597b0, Mailbox:84dd42d9-8814-4758-a8bb-e8765d62ec90, Event:190620893, MessageClass:IPM.Note, CreationTime:2025-01-14T09:28:39.321Z, ClientType:MOMT, SubmissionAssistant:MailboxTransportSubmissionEmailAssistant, ServerMdbConnectionId:08DA9806C5B670C1
//
// Known keys are decoded into the fields below; entries with other keys are
// counted in Unknown and can be read with [Store.Lookup] or a
// [PairScanner]. A field whose Raw is empty was absent.
//
// The slices are subslices of the parsed input: they stay valid as long as
// it is unchanged and must not be modified. Store is a plain value, safe to
// copy and to share.
type Store struct {
	// Raw is the whole context.
	Raw []byte
	// MDB is the mailbox database; Mailbox the mailbox.
	MDB, Mailbox GUIDValue
	// EventRaw is the mailbox event counter as written; Event its value.
	EventRaw []byte
	Event    int64
	// MessageClass is the MAPI message class, such as IPM.Note.
	MessageClass []byte
	// CreationTimeRaw is the item's creation time as written;
	// CreationTime its value.
	CreationTimeRaw []byte
	CreationTime    time.Time
	// ClientTypeRaw is the client type as written; ClientType its value
	// (ClientUnknown for spellings not listed).
	ClientTypeRaw []byte
	ClientType    ClientType
	// SubmissionAssistant names the assistant that submitted the message.
	SubmissionAssistant []byte
	// ServerMdbConnectionIDRaw is the connection id as written;
	// ServerMdbConnectionID its value when it is 1 to 16 hexadecimal
	// digits (kept raw otherwise, not an error).
	ServerMdbConnectionIDRaw []byte
	ServerMdbConnectionID    uint64
	// Pairs is the number of entries read; Unknown how many had another
	// key.
	Pairs, Unknown int
}

// ParseStore parses a STOREDRIVER list. An entry is Key ':' Value, Key
// letters and digits; entries are separated by ',' and blanks, and a ','
// only separates when a "Key:" follows, so values may contain ", ".
//
// Lenient: it returns every entry it read plus the error nearest the
// start: [ErrPair] for a first entry without "Key:", [ErrEvent] for an Event
// that is not a decimal int64, [ErrTime] for a malformed CreationTime,
// [ErrTooMany] after [MaxPairs] entries. Invalid GUIDs and connection ids
// are kept raw without error. It does no allocation unless it returns an
// error.
func ParseStore(b []byte) (Store, error) {
	var es errState
	s := parseStore(b, 0, &es)
	return s, es.err(b)
}

func parseStore(b []byte, base int, es *errState) Store {
	s := Store{Raw: b}
	var ps PairScanner
	ps.Init(b)
	for ps.Next() {
		s.Pairs++
		v := ps.Value()
		voff := base + ps.ValueOffset()
		switch string(ps.Key()) {
		case "MDB":
			s.MDB = guidValue(v)
		case "Mailbox":
			s.Mailbox = guidValue(v)
		case "Event":
			s.EventRaw = v
			if n, ok := parseInt64(v); ok {
				s.Event = n
			} else {
				es.Set(voff, ErrEvent)
			}
		case "MessageClass":
			s.MessageClass = v
		case "CreationTime":
			s.CreationTimeRaw = v
			if t, ok := msgtrk.ParseTime(v); ok {
				s.CreationTime = t
			} else {
				es.Set(voff, ErrTime)
			}
		case "ClientType":
			s.ClientTypeRaw = v
			s.ClientType = ParseClientType(v)
		case "SubmissionAssistant":
			s.SubmissionAssistant = v
		case "ServerMdbConnectionId":
			s.ServerMdbConnectionIDRaw = v
			s.ServerMdbConnectionID, _ = parseHex64(v)
		default:
			s.Unknown++
		}
	}
	if ps.errKind != nil {
		es.Set(base+ps.errOff, ps.errKind)
	}
	return s
}

func guidValue(v []byte) GUIDValue {
	g, ok := msgtrk.ParseGUID(v)
	return GUIDValue{Raw: v, GUID: g, Valid: ok}
}

// Lookup returns the value of the first entry whose key is key
// (case-sensitive), a subslice of Raw. It does no allocation.
func (s Store) Lookup(key string) ([]byte, bool) {
	var ps PairScanner
	ps.Init(s.Raw)
	for ps.Next() {
		if string(ps.Key()) == key {
			return ps.Value(), true
		}
	}
	return nil, false
}

// AppendTo appends the known entries present, in the order Exchange writes
// them (MDB, Mailbox, Event, MessageClass, CreationTime, ClientType,
// SubmissionAssistant, ServerMdbConnectionId), separated by ", ". Each value
// is written from its Raw spelling when not empty, from the typed value
// otherwise. Unknown entries are not written. It does no allocation when
// dst has room.
func (s Store) AppendTo(dst []byte) []byte {
	n := 0
	key := func(k string) {
		if n > 0 {
			dst = append(dst, ", "...)
		}
		n++
		dst = append(dst, k...)
		dst = append(dst, ':')
	}
	if s.MDB.present() {
		key("MDB")
		dst = s.MDB.appendTo(dst)
	}
	if s.Mailbox.present() {
		key("Mailbox")
		dst = s.Mailbox.appendTo(dst)
	}
	if len(s.EventRaw) > 0 {
		key("Event")
		dst = append(dst, s.EventRaw...)
	} else if s.Event != 0 {
		key("Event")
		dst = strconv.AppendInt(dst, s.Event, 10)
	}
	if len(s.MessageClass) > 0 {
		key("MessageClass")
		dst = append(dst, s.MessageClass...)
	}
	if len(s.CreationTimeRaw) > 0 {
		key("CreationTime")
		dst = append(dst, s.CreationTimeRaw...)
	} else if !s.CreationTime.IsZero() {
		key("CreationTime")
		dst = msgtrk.AppendTime(dst, s.CreationTime)
	}
	if len(s.ClientTypeRaw) > 0 {
		key("ClientType")
		dst = append(dst, s.ClientTypeRaw...)
	} else if s.ClientType != ClientUnknown {
		key("ClientType")
		dst = append(dst, s.ClientType.String()...)
	}
	if len(s.SubmissionAssistant) > 0 {
		key("SubmissionAssistant")
		dst = append(dst, s.SubmissionAssistant...)
	}
	if len(s.ServerMdbConnectionIDRaw) > 0 {
		key("ServerMdbConnectionId")
		dst = append(dst, s.ServerMdbConnectionIDRaw...)
	} else if s.ServerMdbConnectionID != 0 {
		key("ServerMdbConnectionId")
		dst = appendHex16(dst, s.ServerMdbConnectionID)
	}
	return dst
}

// PairScanner iterates the "Key:Value" entries of a STOREDRIVER list:
//
//	var ps sourcecontext.PairScanner
//	ps.Init(src)
//	for ps.Next() { use(ps.Key(), ps.Value()) }
//	if err := ps.Err(); err != nil { … }
//
// Key and Value are subslices of the source: valid as long as it is
// unchanged, and must not be modified. The zero PairScanner has no
// entries. It has the face of the other scanners (recipstatus's
// PairScanner, eventdata's Scanner). Lenient: an entry without "Key:" is
// returned with an empty key, and Err reports the first such entry
// ([ErrPair]); it stops after [MaxPairs] entries ([ErrTooMany]). It does no
// allocation unless Err returns an error, and is not safe for concurrent
// use.
type PairScanner struct {
	src        []byte
	pos        int
	more       bool
	n          int
	key, value []byte
	off        int
	valueOff   int
	errOff     int
	errKind    error
}

// Init resets ps to scan src. src is not copied.
func (ps *PairScanner) Init(src []byte) {
	*ps = PairScanner{src: src, more: len(ascii.TrimSpace(src)) > 0}
}

// Next advances to the next entry and reports whether there is one. It
// stops after [MaxPairs] entries.
func (ps *PairScanner) Next() bool {
	if !ps.more {
		return false
	}
	if ps.n == MaxPairs {
		ps.fail(ps.pos, ErrTooMany)
		ps.more = false
		return false
	}
	src := ps.src
	i := ps.pos
	for i < len(src) && ascii.IsSpace(src[i]) {
		i++
	}
	// The entry ends at the next separator: ',' and blanks followed by
	// Key ':'.
	end := len(src)
	next := len(src)
	for k := i; k < len(src); k++ {
		c := bytes.IndexByte(src[k:], ',')
		if c < 0 {
			break
		}
		k += c
		if j := keyAt(src, k+1); j >= 0 {
			end, next = k, j
			break
		}
	}
	entry := src[i:end]
	colon := 0
	for colon < len(entry) && ascii.IsAlnum(entry[colon]) {
		colon++
	}
	if colon == 0 || colon == len(entry) || entry[colon] != ':' {
		colon = -1
	}
	if colon < 0 {
		ps.fail(i, ErrPair)
		ps.key, ps.value, ps.valueOff = entry[:0], ascii.TrimSpace(entry), i
	} else {
		v := ascii.TrimSpace(entry[colon+1:])
		ps.key, ps.value, ps.valueOff = entry[:colon], v, i+offsetIn(entry, v)
	}
	ps.off = i
	ps.n++
	ps.pos = next
	ps.more = next < len(src)
	return true
}

// keyAt returns the offset of the key that starts after blanks at src[i:]
// when it is followed by ':', or -1.
func keyAt(src []byte, i int) int {
	for i < len(src) && ascii.IsSpace(src[i]) {
		i++
	}
	j := i
	for j < len(src) && ascii.IsAlnum(src[j]) {
		j++
	}
	if j > i && j < len(src) && src[j] == ':' {
		return i
	}
	return -1
}

func (ps *PairScanner) fail(off int, kind error) {
	if ps.errKind == nil || off < ps.errOff {
		ps.errOff, ps.errKind = off, kind
	}
}

// Key returns the key of the current entry (empty for an entry without
// "Key:").
func (ps *PairScanner) Key() []byte { return ps.key }

// Value returns the value of the current entry without surrounding blanks.
func (ps *PairScanner) Value() []byte { return ps.value }

// Offset returns the offset of the current entry in the source.
func (ps *PairScanner) Offset() int { return ps.off }

// ValueOffset returns the offset of the current value in the source.
func (ps *PairScanner) ValueOffset() int { return ps.valueOff }

// Err returns the error nearest the start of the source met so far, a
// [*SyntaxError] wrapping [ErrPair] or [ErrTooMany], or nil. It allocates
// when there is an error.
func (ps *PairScanner) Err() error {
	if ps.errKind == nil {
		return nil
	}
	return newSyntaxError(ps.src, ps.errOff, ps.errKind)
}
