package filter

import "github.com/mailtrace/mailtrace/msgtrk"

// Coverage records which values of an Events' Senders, Recipients,
// MessageIDs and NetworkMessageIDs were seen in what the Events selected,
// so that values that selected nothing can be named: of 400 message ids
// from a purge job, the 3 the logs do not know.
//
// A Coverage is not safe for concurrent use; feed it from one goroutine
// (the rows a program writes out, or the traces it keeps).
type Coverage struct {
	e    *Events
	seen [numLists][]bool
}

// A ValueList names one list condition of Events.
type ValueList uint8

// The lists a Coverage follows.
const (
	ListSenders ValueList = iota
	ListRecipients
	ListMessageIDs
	ListNetworkMessageIDs
	numLists
)

var listNames = [numLists]string{"sender", "recipient", "message-id", "network-message-id"}

// String returns "sender", "recipient", "message-id" or "network-message-id".
func (l ValueList) String() string {
	if l < numLists {
		return listNames[l]
	}
	return "ValueList(?)"
}

// NewCoverage returns an empty Coverage of e's lists. e must be compiled.
func NewCoverage(e *Events) *Coverage {
	c := &Coverage{e: e}
	for l := range numLists {
		c.seen[l] = make([]bool, len(c.set(l).values))
	}
	return c
}

// Empty reports whether e has no list that c follows: then there is
// nothing to record.
func (c *Coverage) Empty() bool {
	for l := range numLists {
		if len(c.seen[l]) > 0 {
			return false
		}
	}
	return true
}

func (c *Coverage) set(l ValueList) *valueSet {
	switch l {
	case ListSenders:
		return &c.e.senders
	case ListRecipients:
		return &c.e.recipients
	case ListMessageIDs:
		return &c.e.messageIDs
	}
	return &c.e.networkIDs
}

// Add marks the values of list l that v equals or matches.
func (c *Coverage) Add(l ValueList, v []byte) {
	s := c.set(l)
	if s.empty() {
		return
	}
	s.each(v, func(i int) bool { c.seen[l][i] = true; return true })
}

// AddString is Add for a string.
func (c *Coverage) AddString(l ValueList, v string) {
	if !c.set(l).empty() {
		c.Add(l, []byte(v))
	}
}

// AddRecord marks the values the fields of rec carry: sender-address and
// return-path, each member of recipient-address and related-recipient-address,
// message-id and network-message-id.
func (c *Coverage) AddRecord(rec *msgtrk.Record) {
	c.Add(ListSenders, rec.Field(msgtrk.SenderAddress))
	c.Add(ListSenders, rec.Field(msgtrk.ReturnPath))
	if !c.e.recipients.empty() {
		var s msgtrk.ListScanner
		rec.List(msgtrk.RecipientAddress, &s)
		for s.Next() {
			c.Add(ListRecipients, s.Bytes())
		}
		c.Add(ListRecipients, rec.Field(msgtrk.RelatedRecipientAddress))
	}
	c.Add(ListMessageIDs, rec.Field(msgtrk.MessageID))
	c.Add(ListNetworkMessageIDs, rec.Field(msgtrk.NetworkMessageID))
}

// Unseen is a value no selected row or trace carried.
type Unseen struct {
	List  ValueList
	Value string // as given
}

// Unseen returns the values not seen, in the order they were given, each
// once.
func (c *Coverage) Unseen() []Unseen {
	var out []Unseen
	for l := range numLists {
		given := map[string]bool{}
		for i, ok := range c.seen[l] {
			v := c.set(l).values[i]
			if !ok && !given[v] {
				out = append(out, Unseen{l, v})
			}
			given[v] = true
		}
	}
	return out
}
