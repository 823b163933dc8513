package msgtrktest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Truth is what the simulator knows about the logs it wrote: the contract
// the correlator is tested against. It is computed from the simulator's
// model of each message, not by reading the rows back.
type Truth struct {
	// Messages in start order (a message's NDR right after it). Nil when
	// Config.OnMessage is set.
	Messages []MessageTruth
	// Files written, sorted by path; empty for Sim.Stream.
	Files []FileTruth
	// Events is the number of complete rows written, not counting
	// duplicate copies of files and the cut rows of truncated files. It is
	// the sum of MessageTruth.Rows.
	Events int
	// Cut is the number of rows cut by truncation (not in Events).
	Cut int
	// ProtocolFiles are the SMTP protocol and connectivity logs written
	// (Config.ProtocolLogs), sorted by path; Kind is "RECV", "SEND" or
	// "CONNECTLOG".
	ProtocolFiles []FileTruth
}

// Recipient outcome statuses (RecipientTruth.Status).
const (
	StatusDelivered    = "delivered"     // DELIVER on the delivery server
	StatusSentExternal = "sent_external" // SENDEXTERNAL, or before 2016 SEND, to the Internet (on the Edge, or on the hub without Edge)
	StatusFailed       = "failed"        // DELIVERFAIL on the delivery server and/or FAIL
	StatusDropped      = "dropped"       // DROP of the recipient (not of a group address)
	StatusPending      = "pending"       // only DEFER rows: still queued when the logs end
	StatusDuplicate    = "duplicate"     // only a duplicate row (not produced by this simulator)
)

// Hop roles (Hop.Role).
const (
	RoleSubmission = "submission" // MSGTRKMS (STOREDRIVER NOTIFYMAPI, RECEIVE, SUBMIT in MSGTRK for 2010)
	RoleHub        = "hub"        // MSGTRK of a Mailbox server
	RoleEdgeHop    = "edge"       // MSGTRK of an Edge server
	RoleDelivery   = "delivery"   // MSGTRKMD (STOREDRIVER DELIVER, DELIVERFAIL, DUPLICATEDELIVER in MSGTRK for 2010)
)

// MessageTruth is the ground truth of one message.
type MessageTruth struct {
	// Key identifies the message across servers: 2013 and later, the
	// network-message-id in lower case; 2010, "mid:" + message-id + "|" +
	// the sender-address in lower case.
	Key              string `json:"key"`
	NetworkMessageID string `json:"network_message_id,omitempty"` // "" in 2010
	MessageID        string `json:"message_id"`                   // message-id, with its angle brackets
	Sender           string `json:"sender"`                       // sender-address
	Subject          string `json:"subject"`                      // message-subject
	// Size is the total-bytes of the message's first row in causal order
	// that has one (the entry RECEIVE, or the DSN row of an NDR). Later
	// hops add headers, so later rows show more.
	Size   int64  `json:"size"`
	Kind   Kind   `json:"kind"`   // the scenario it followed (for diagnostics)
	Origin Origin `json:"origin"` // where and how it entered
	Hops   []Hop  `json:"hops"`   // sorted by (Depth, Server, Role)
	// Recipients sorted by Address.
	Recipients []RecipientTruth `json:"recipients"`
	// Expansions, one per EXPAND row, in the order of the rows.
	Expansions []Expansion `json:"expansions,omitempty"`
	// DSNFor is, for an NDR, the Key of the message it reports on.
	DSNFor string `json:"dsn_for,omitempty"`
	// ShadowEvents counts the HAREDIRECT, HARECEIVE, HADISCARD and
	// HAREDIRECTFAIL rows of this message (a cut row is not counted).
	ShadowEvents int `json:"shadow_events"`
	// Duplicates counts the DUPLICATEDELIVER, DUPLICATEEXPAND and
	// DUPLICATEREDIRECT rows.
	Duplicates int `json:"duplicates"`
	// Rows is the number of complete rows of this message, on every
	// server, not counting duplicate copies of files or a cut row.
	Rows int `json:"rows"`
	// Sessions are the protocol and connectivity log sessions that carried
	// the message (Config.ProtocolLogs), in the order they were written.
	Sessions []SessionTruth `json:"sessions,omitempty"`
}

// Origin tells where and how a message entered the organisation.
type Origin struct {
	// Server where it entered: the submitting mailbox server; the front-end
	// server (named by S:FirstForestHop) for SMTP clients and Internet mail
	// without Edge; the Edge for Internet mail through the Edge; the server
	// that logged the DSN row for an NDR.
	Server string `json:"server"`
	// Protocol is "dsn" for an NDR (made by the organisation: its DSN row
	// is its origin, and no later RECEIVE adds to it), "store" when a
	// STOREDRIVER RECEIVE exists, otherwise "smtp".
	Protocol string `json:"protocol"`
	// ClientType of a store submission as written in source-context (MOMT,
	// OWA, ActiveSync, EWS; User, OWA, EAS, EWS for 2010); "" for smtp.
	ClientType string `json:"client_type,omitempty"`
	// Auth is the auth code of the first RECEIVE ("04I", "07I", "0cA",
	// "00A"), without colon; "" for an NDR.
	Auth string `json:"auth,omitempty"`
	// Anonymous is true for auth category A.
	Anonymous bool `json:"anonymous"`
	// ClientIP and OriginalClientIP are the client-ip and
	// original-client-ip of the first RECEIVE.
	ClientIP         string `json:"client_ip,omitempty"`          // client-ip of the first RECEIVE
	OriginalClientIP string `json:"original_client_ip,omitempty"` // original-client-ip of the first RECEIVE
}

// Hop is one server's part in a message's journey. A message's hops are
// sorted by (Depth, Server, Role), and a server appears once per role and
// depth.
type Hop struct {
	Server string `json:"server"` // short name as in Org ("EX01", "EDGE01")
	Role   string `json:"role"`   // RoleSubmission, RoleHub, RoleEdgeHop or RoleDelivery
	// Depth is the causal position: the first hop 0, each hand-over +1
	// (submission→hub, hub→edge, edge→hub, hub→delivery). The rows of a
	// shadow server that only holds HARECEIVE/HADISCARD are not a hop.
	Depth int `json:"depth"`
}

// RecipientTruth is the outcome for one final recipient.
type RecipientTruth struct {
	// Address in lower case: the primary address after RESOLVE, a member
	// after group expansion (a group address is never a recipient); a
	// forwarded recipient keeps its own address (see RedirectedTo).
	Address string `json:"address"`
	// Status is one of the Status constants.
	Status string `json:"status"`
	// Server is where the outcome was logged: the delivery server
	// (delivered), the server that sent it out (sent_external),
	// the server of the DELIVERFAIL row, or of the FAIL row when there is
	// none (failed), of the DROP (dropped), of the last DEFER (pending).
	Server string `json:"server"`
	// ExpandedFrom is the chain of groups that led to it, outermost first
	// (lower case); empty for a direct recipient.
	ExpandedFrom []string `json:"expanded_from,omitempty"`
	// ResolvedFrom is the alias it was addressed as, if RESOLVEd.
	ResolvedFrom string `json:"resolved_from,omitempty"`
	// RedirectedTo is the forwarding target, if REDIRECTed (or
	// DUPLICATEREDIRECTed); Status and Server are then the target's.
	RedirectedTo string `json:"redirected_to,omitempty"`
	// Detail is, for failed, dropped and pending, this recipient's
	// recipient-status member on the outcome row (DELIVERFAIL, FAIL, DROP
	// or the last DEFER).
	Detail string `json:"detail,omitempty"`
}

// Expansion is one EXPAND row.
type Expansion struct {
	Group string `json:"group"` // the row's related-recipient-address
	// Members are the row's recipient-address members, sorted: the group's
	// direct members that were not already recipients (a member reached a
	// second time gets a DUPLICATEEXPAND row instead).
	Members []string `json:"members"`
}

// FileTruth describes one file written.
type FileTruth struct {
	Path   string `json:"path"`   // slash-separated, relative to the output directory
	Server string `json:"server"` // the server whose log it is
	Kind   string `json:"kind"`   // "MSGTRK", "MSGTRKMS" or "MSGTRKMD"
	// Rows is the number of complete rows (header lines and a cut row not
	// counted).
	Rows int `json:"rows"`
	// Bytes is the file's size.
	Bytes int64 `json:"bytes"`
	// DuplicateOf is, for a copy, the Path of the original (same bytes).
	DuplicateOf string `json:"duplicate_of,omitempty"`
	// TruncatedLine is the 1-based line number of the cut last line (no
	// line ending), 0 when the file is whole. A reader reports exactly that
	// line with msgtrk.ErrTruncated.
	TruncatedLine int `json:"truncated_line,omitempty"`
	// TruncatedEvent and TruncatedKey name the event-id and the message
	// Key of the cut row.
	TruncatedEvent string `json:"truncated_event,omitempty"` // "AGENTINFO" or "HADISCARD"
	TruncatedKey   string `json:"truncated_key,omitempty"`   // MessageTruth.Key
}

// Message returns the truth of the message with key k, or nil. The pointer
// is into t.Messages. It scans the messages (linear time).
func (t *Truth) Message(k string) *MessageTruth {
	for i := range t.Messages {
		if t.Messages[i].Key == k {
			return &t.Messages[i]
		}
	}
	return nil
}

// Recipient returns the outcome for address a (any case), or nil. The
// pointer is into m.Recipients. It does a binary search.
func (m *MessageTruth) Recipient(a string) *RecipientTruth {
	a = strings.ToLower(a)
	if i, ok := slices.BinarySearchFunc(m.Recipients, a, func(r RecipientTruth, a string) int { return strings.Compare(r.Address, a) }); ok {
		return &m.Recipients[i]
	}
	return nil
}

// truthLine is one line of the JSON Lines form.
type truthLine struct {
	Message *MessageTruth `json:"message,omitempty"`
	File    *FileTruth    `json:"file,omitempty"`
	Summary *truthSummary `json:"summary,omitempty"`
}

type truthSummary struct {
	Messages int `json:"messages"`
	Files    int `json:"files"`
	Events   int `json:"events"`
	Cut      int `json:"cut"`
}

// TruthWriter writes a truth as JSON Lines (cmd/mtsim's truth.jsonl): one
// {"message":…} object per message, as they come, then one {"file":…} per
// file and a final {"summary":…}. It is not safe for concurrent use.
type TruthWriter struct {
	w   *bufio.Writer
	enc *json.Encoder
	n   int
	err error
}

// NewTruthWriter returns a TruthWriter writing to w.
func NewTruthWriter(w io.Writer) *TruthWriter {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &TruthWriter{w: bw, enc: enc}
}

// Message writes one message line. Errors are sticky and reported by Close.
func (tw *TruthWriter) Message(m MessageTruth) {
	if tw.err == nil {
		tw.err = tw.enc.Encode(truthLine{Message: &m})
		tw.n++
	}
}

// Close writes the messages of t (unless they were written one by one with
// Message), its files and the summary line, and flushes.
func (tw *TruthWriter) Close(t *Truth) error {
	for i := range t.Messages {
		tw.Message(t.Messages[i])
	}
	for i := range t.Files {
		if tw.err == nil {
			tw.err = tw.enc.Encode(truthLine{File: &t.Files[i]})
		}
	}
	if tw.err == nil {
		tw.err = tw.enc.Encode(truthLine{Summary: &truthSummary{Messages: tw.n, Files: len(t.Files), Events: t.Events, Cut: t.Cut}})
	}
	if tw.err == nil {
		tw.err = tw.w.Flush()
	}
	return tw.err
}

// ReadTruth reads the JSON Lines written by TruthWriter back into a new
// Truth (messages in file order). It checks the summary line against what
// it read, so a file cut short is an error.
func ReadTruth(r io.Reader) (*Truth, error) {
	dec := json.NewDecoder(r)
	t := &Truth{}
	var sum *truthSummary
	for {
		var l truthLine
		err := dec.Decode(&l)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("msgtrktest: reading truth: %w", err)
		}
		switch {
		case l.Message != nil:
			t.Messages = append(t.Messages, *l.Message)
		case l.File != nil:
			t.Files = append(t.Files, *l.File)
		case l.Summary != nil:
			sum = l.Summary
			t.Events, t.Cut = sum.Events, sum.Cut
		}
	}
	if sum == nil {
		return nil, errors.New("msgtrktest: reading truth: no summary line (file cut short?)")
	}
	if sum.Messages != len(t.Messages) || sum.Files != len(t.Files) {
		return nil, fmt.Errorf("msgtrktest: reading truth: summary says %d messages and %d files, read %d and %d",
			sum.Messages, sum.Files, len(t.Messages), len(t.Files))
	}
	return t, nil
}
