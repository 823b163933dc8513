package correlate

import (
	"bytes"
	"slices"
	"time"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// Summary rows (msgtrk.LogSummary: an Exchange Online message trace or
// historical summary report, converted by package export) say what became
// of each recipient, not what one server did: they make outcomes, never
// hops. Each recipient-status member lists the recipient's events as the
// summary report writes them, "Receive, Deliver", the last one being the
// outcome (a Get-MessageTrace status is converted to the same form:
// "Delivered, Deliver", "Quarantined, Drop"):
//
//	DELIVER                  delivered
//	SEND, SENDEXTERNAL       sent_external (the service handed it to another server)
//	FAIL, DELIVERFAIL        failed   (Detail: the member)
//	DROP                     dropped  (Detail: the member)
//	EXPAND                   the address is a distribution group: not a recipient
//	anything else            pending  (Detail: the member)
//
// A related-recipient-address names the group a recipient came from. The
// time of a summary row is when the service received the message, not when
// the outcome happened: its recipients get no latency. A trace of summaries
// alone has no origin to show; it is complete when every recipient's
// outcome is final.

// summaryOutcome reads a summary row's recipient-status member.
func summaryOutcome(member []byte) (s Status, group bool) {
	last := member
	if i := bytes.LastIndexByte(member, ','); i >= 0 {
		last = member[i+1:]
	}
	var up [24]byte
	w := ascii.TrimSpace(last)
	if len(w) > len(up) {
		return StatusPending, false
	}
	for i, c := range w {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		up[i] = c
	}
	switch msgtrk.ParseEventType(up[:len(w)]) {
	case msgtrk.EventDeliver:
		return StatusDelivered, false
	case msgtrk.EventSend, msgtrk.EventSendExternal:
		return StatusSentExternal, false
	case msgtrk.EventFail, msgtrk.EventDeliverFail:
		return StatusFailed, false
	case msgtrk.EventDrop:
		return StatusDropped, false
	case msgtrk.EventExpand:
		return StatusPending, true
	}
	return StatusPending, false
}

// summaryRows applies the summary rows idx (in causal order) to rs: groups
// first, since a member's row may come before its group's.
func (b *builder) summaryRows(rs *recipients, idx []int32) {
	if len(idx) == 0 {
		return
	}
	tr, out := b.tr, b.out
	out.Summary = true
	groups := map[string]int{} // group → index in out.Expansions
	for _, i := range idx {
		e := &b.events[i]
		statuses := tr.list(e.status)
		for k, r := range tr.list(e.rcpts) {
			b.steps++
			if k >= len(statuses) {
				break
			}
			if _, group := summaryOutcome(tr.bytesOf(statuses[k])); !group {
				continue
			}
			g, _ := rs.getRef(r)
			g.group = true
			if _, ok := groups[g.addr]; !ok {
				groups[g.addr] = len(out.Expansions)
				out.Expansions = append(out.Expansions, Expansion{Group: g.addr, Server: e.server, Time: time.Unix(0, e.time).UTC()})
			}
		}
	}
	for _, i := range idx {
		e := &b.events[i]
		statuses := tr.list(e.status)
		related := b.strOf(tr, e.related)
		for k, r := range tr.list(e.rcpts) {
			b.steps++
			st, _ := rs.getRef(r)
			if st.group {
				continue
			}
			if related != "" && related != st.addr && len(st.expandedFrom) == 0 {
				st.expandedFrom = append(append([]string(nil), rs.get(related).expandedFrom...), related)
				if x, ok := groups[related]; ok {
					out.Expansions[x].Members = append(out.Expansions[x].Members, st.addr)
				}
			}
			var member []byte
			if k < len(statuses) {
				member = tr.bytesOf(statuses[k])
			}
			s, _ := summaryOutcome(member)
			if !better(st, s, 0, e.time) {
				continue
			}
			st.status, st.server, st.time, st.depth = s, e.server, e.time, 0
			st.detail = ""
			if s == StatusFailed || s == StatusDropped || s == StatusPending {
				st.detail = string(member)
			}
			st.originNS = 0
			st.fromSummary = true
		}
	}
	for x := range out.Expansions {
		slices.Sort(out.Expansions[x].Members)
	}
}
