package correlate

import "github.com/mailtrace/mailtrace/msgtrk"

// Rows one server logged in the same instant. Their order is not in the
// rows: a trace does not depend on the order rows come in, and exports of
// Get-MessageTrackingLog keep whole seconds, so that many rows of one
// message share a time. Two rules put them in the order the server logged
// them, as far as it matters.

// stageOf ranks event types in the order one server's transport pipeline
// logs them for a message: it enters (submission, RECEIVE), is categorised
// (RESOLVE, then EXPAND, then REDIRECT), may be bifurcated (TRANSFER),
// passes the agents (AGENTINFO), and leaves or ends (SEND, DELIVER, FAIL,
// DEFER, …). It orders the rows one server logged at the same instant:
// exports keep whole seconds (Get-MessageTrackingLog's Timestamp), and an
// AGENTINFO that lists a forwarding target must not come before the
// REDIRECT that made it one.
func stageOf(e msgtrk.EventType) int {
	switch e {
	case msgtrk.EventNotifyMAPI, msgtrk.EventNotifyShadow, msgtrk.EventClientSubmission, msgtrk.EventSubmit,
		msgtrk.EventReceive, msgtrk.EventResubmit, msgtrk.EventHAReceive:
		return 0
	case msgtrk.EventResolve:
		return 1
	case msgtrk.EventExpand, msgtrk.EventDuplicateExpand:
		return 2
	case msgtrk.EventRedirect, msgtrk.EventDuplicateRedirect:
		return 3
	case msgtrk.EventTransfer:
		return 4
	case msgtrk.EventAgentInfo:
		return 5
	}
	return 6
}

// innerGroupFirst handles a group expanded before the group it is a member
// of, which happens only when both rows have the same time (the outer
// EXPAND lists the inner group, already expanded): the inner group takes
// its chain, and the members it brought take it in front of theirs.
func (b *builder) innerGroupFirst(rs *recipients, inner *recipientState, chain []string) {
	inner.expandedFrom = chain
	for _, addr := range rs.order {
		b.steps++
		st := rs.states[addr]
		if st != inner && len(st.expandedFrom) > 0 && st.expandedFrom[0] == inner.addr {
			st.expandedFrom = append(append([]string(nil), chain...), st.expandedFrom...)
		}
	}
}
