package report

import "github.com/mailtrace/mailtrace/correlate"

// Counts sums traces with explicit counting semantics, the questions admins
// ask of tracking logs ("how many messages?" is not "how many deliveries?").
// Add every emitted trace (Stats does); the zero Counts is ready to use.
type Counts struct {
	// Messages counts unique messages, each once however many recipients
	// and copies it had ("once" counting). The delivery status
	// notifications (DSNs) the organisation made are messages too, and are
	// also counted in DSNs. Traces of rows with no message id (orphans)
	// are not messages.
	Messages int64
	// DSNs counts the DSNs of any type (correlate.Trace.IsDSN):
	// non-delivery reports, delay notices, relay and delivery reports….
	// NDRs counts the non-delivery reports among them: the DSNs whose DSN
	// row names the Failure type (format.md §8, correlate.Trace.IsNDR).
	// DSNsUnknownType counts the DSNs whose type is unknown (their DSN
	// row's source-context empty or not understood, or the row not in the
	// input): they are not taken for NDRs, nor for anything else.
	DSNs            int64
	NDRs            int64
	DSNsUnknownType int64
	Orphans         int64
	// Recipients counts final recipients over all messages, after group
	// expansion and alias resolution ("n times" counting): a message to a
	// group of 40 counts 40. A member reached through two groups counts
	// once.
	Recipients int64
	// Per outcome; they sum to Recipients.
	Delivered    int64 // delivered to a mailbox
	SentExternal int64 // handed outside the organisation
	Failed       int64
	Dropped      int64
	Duplicate    int64
	Pending      int64
	HandedOff    int64 // handed to a server whose logs are missing: not known to be delivered
	// Expansions counts group expansions; Expanded the recipients that came
	// from a group.
	Expansions int64
	Expanded   int64
	// DuplicateRows and ShadowRows count rows kept apart from deliveries.
	DuplicateRows int64
	ShadowRows    int64
	// Bytes sums each message's size once.
	Bytes int64
	// RecipientsUnknown counts the messages some of whose rows came
	// without their recipients (an export that lost the recipient-address
	// column; the trace's recipients_unknown anomaly): their recipients
	// and outcomes are missing from the counts above, not zero.
	RecipientsUnknown int64
}

// Add counts one trace.
func (c *Counts) Add(t *correlate.Trace) {
	if t.Orphan {
		c.Orphans++
		return
	}
	c.Messages++
	if t.IsDSN() {
		c.DSNs++
		if t.IsNDR() {
			c.NDRs++
		}
		if t.DSNFlags == 0 {
			c.DSNsUnknownType++
		}
	}
	c.Bytes += t.Size
	if t.HasAnomaly(correlate.AnomalyRecipientsUnknown) {
		c.RecipientsUnknown++
	}
	c.Expansions += int64(len(t.Expansions))
	c.DuplicateRows += int64(len(t.Duplicates))
	c.ShadowRows += int64(len(t.ShadowEvents))
	for _, r := range t.Recipients {
		c.Recipients++
		if len(r.ExpandedFrom) > 0 {
			c.Expanded++
		}
		switch r.Status {
		case correlate.StatusDelivered:
			c.Delivered++
		case correlate.StatusSentExternal:
			c.SentExternal++
		case correlate.StatusFailed:
			c.Failed++
		case correlate.StatusDropped:
			c.Dropped++
		case correlate.StatusDuplicate:
			c.Duplicate++
		case correlate.StatusHandedOff:
			c.HandedOff++
		default:
			c.Pending++
		}
	}
}

// Deliveries returns the recipients that got the message: delivered to a
// mailbox or handed outside.
func (c *Counts) Deliveries() int64 { return c.Delivered + c.SentExternal }

// Merge adds the counts of o, as if o's traces had been added to c: for
// counting traces apart (on several workers) and summing the parts.
func (c *Counts) Merge(o Counts) {
	c.Messages += o.Messages
	c.DSNs += o.DSNs
	c.NDRs += o.NDRs
	c.DSNsUnknownType += o.DSNsUnknownType
	c.Orphans += o.Orphans
	c.Recipients += o.Recipients
	c.Delivered += o.Delivered
	c.SentExternal += o.SentExternal
	c.Failed += o.Failed
	c.Dropped += o.Dropped
	c.Duplicate += o.Duplicate
	c.Pending += o.Pending
	c.HandedOff += o.HandedOff
	c.Expansions += o.Expansions
	c.Expanded += o.Expanded
	c.DuplicateRows += o.DuplicateRows
	c.ShadowRows += o.ShadowRows
	c.Bytes += o.Bytes
	c.RecipientsUnknown += o.RecipientsUnknown
}
