package filter

import "github.com/mailtrace/mailtrace/msgtrk"

// Coverage records which values of an Events' Senders, Recipients,
// MessageIDs, NetworkMessageIDs and Servers were seen in what the Events
// selected,
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
	ListServers
	numLists
)

var listNames = [numLists]string{"sender", "recipient", "message-id", "network-message-id", "server"}

// String returns "sender", "recipient", "message-id", "network-message-id"
// or "server".
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
		c.seen[l] = make([]bool, len(c.values(l)))
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

// values returns the values of list l as given.
func (c *Coverage) values(l ValueList) []string {
	if l == ListServers {
		return c.e.Servers
	}
	return c.set(l).values
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
	if l == ListServers {
		for i, name := range c.e.Servers {
			if !c.seen[l][i] && anyHost(v, []string{name}) {
				c.seen[l][i] = true
			}
		}
		return
	}
	s := c.set(l)
	if s.empty() {
		return
	}
	s.each(v, func(i int) bool { c.seen[l][i] = true; return true })
}

// AddString is Add for a string.
func (c *Coverage) AddString(l ValueList, v string) {
	if len(c.values(l)) > 0 {
		c.Add(l, []byte(v))
	}
}

// AddRecord marks the values the fields of rec carry: sender-address and
// return-path, each member of recipient-address and related-recipient-address,
// message-id and network-message-id, and its server (its folder's and the
// one it names, as the Servers condition reads them).
func (c *Coverage) AddRecord(rec *msgtrk.Record) {
	if len(c.e.Servers) > 0 {
		if o := rec.Origin(); o.Server != "" {
			c.AddString(ListServers, o.Server)
		}
		c.Add(ListServers, msgtrk.LoggingServer(rec))
	}
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
			v := c.values(l)[i]
			if !ok && !given[v] {
				out = append(out, Unseen{l, v})
			}
			given[v] = true
		}
	}
	return out
}
