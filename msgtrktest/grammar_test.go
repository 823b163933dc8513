package msgtrktest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mailtrace/mailtrace/internal/grammar"
	"github.com/mailtrace/mailtrace/msgtrk"
	"golang.org/x/exp/ebnf"
)

// TestFlowGrammar checks every copy of every generated message against
// testdata/flows.ebnf (which internal/grammar verifies first).
func TestFlowGrammar(t *testing.T) {
	g := grammar.Load(t, "testdata/flows.ebnf", "Copy")
	for name, cfg := range decodeConfigs() {
		t.Run(name, func(t *testing.T) {
			fsys, tr, s := mustRun(t, cfg)
			rows := readRows(t, fsys, cutLines(tr), false)
			copies := map[string][]*row{}
			legacy := s.cfg.Version <= V2010
			// 2007/2010: a transport's NOTIFYMAPI joins the copy its
			// STOREDRIVER RECEIVE starts, by their store item.
			pickup := map[string]string{}
			for i := range rows {
				r := &rows[i]
				if legacy && r.Kind == msgtrk.LogTransport && r.get(msgtrk.Source) == "STOREDRIVER" && r.get(msgtrk.EventID) == "RECEIVE" {
					pickup[storeLink(r)] = r.get(msgtrk.InternalMessageID)
				}
			}
			for i := range rows {
				r := &rows[i]
				k := r.Server + "|" + r.get(msgtrk.InternalMessageID)
				switch ev := r.get(msgtrk.Source) + " " + r.get(msgtrk.EventID); {
				case legacy && r.Kind == msgtrk.LogTransport:
					if ev == "STOREDRIVER NOTIFYMAPI" {
						k = r.Server + "|" + pickup[storeLink(r)]
					}
				case strings.HasPrefix(ev, "STOREDRIVER ") && (strings.HasSuffix(ev, "NOTIFYMAPI") || strings.HasSuffix(ev, " RECEIVE") || strings.HasSuffix(ev, "SUBMIT")):
					k = r.Server + "|store|" + storeLink(r)
				case r.Kind == msgtrk.LogDelivery || strings.HasPrefix(ev, "STOREDRIVER "):
					k = r.Server + "|delivery|" + r.get(msgtrk.InternalMessageID)
				}
				copies[k] = append(copies[k], r)
			}
			keys := make([]string, 0, len(copies))
			for k := range copies {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			seen := map[string]int{}
			for _, k := range keys {
				rs := copies[k]
				slices.SortStableFunc(rs, func(a, b *row) int { return strings.Compare(fileOrder(a), fileOrder(b)) })
				toks := make([]string, len(rs))
				for i, r := range rs {
					toks[i] = r.get(msgtrk.Source) + " " + r.get(msgtrk.EventID)
				}
				prod := copyProduction(s, rs[0])
				seen[prod]++
				if !matches(g, prod, toks) {
					t.Errorf("%s copy %s does not follow %s: %v", rs[0].File, k, prod, toks)
				}
			}
			for _, p := range []string{"HubCopy", "Delivery", "ShadowCopy"} {
				if seen[p] == 0 && s.cfg.Version >= V2013 && len(s.mailbox) > 1 {
					t.Errorf("no %s copy", p)
				}
			}
			if seen["MailboxSubmission"] == 0 && legacy {
				t.Error("no MailboxSubmission copy")
			}
			if seen["MeetingCopy"] == 0 && s.cfg.Meetings > 0 && s.cfg.Version >= V2013 {
				t.Error("no MeetingCopy")
			}
			if seen["LoadedCopy"] == 0 && s.cfg.Restarts > 0 && s.cfg.Version >= V2010 {
				t.Error("no LoadedCopy")
			}
		})
	}
}

// copyProduction names the production a copy must follow, from its first
// row and its server.
func copyProduction(s *Sim, r *row) string {
	ev := r.get(msgtrk.Source) + " " + r.get(msgtrk.EventID)
	switch {
	case r.Kind == msgtrk.LogMailbox:
		return "MailboxSubmission"
	case ev == "BOOTLOADER LOAD":
		return "LoadedCopy"
	case ev == "MEETINGMESSAGEPROCESSOR PROCESSMEETINGMESSAGE":
		return "MeetingCopy"
	case s.cfg.Version <= V2010 && r.Kind == msgtrk.LogTransport && strings.HasPrefix(ev, "STOREDRIVER "):
		return "HubCopy"
	case strings.HasPrefix(ev, "STOREDRIVER NOTIFYMAPI"):
		return "Submission"
	case strings.HasPrefix(ev, "STOREDRIVER "):
		return "Delivery"
	case s.org.server(r.Server).Role == RoleEdge && s.cfg.Version == V2007:
		return "EdgeCopy2007"
	case s.org.server(r.Server).Role == RoleEdge:
		return "EdgeCopy"
	case ev == "ROUTING TRANSFER":
		return "ForkCopy"
	case ev == "SAFETYNET RESUBMIT":
		return "ResubmitCopy"
	case ev == "SMTP HARECEIVE":
		return "ShadowCopy"
	}
	return "HubCopy"
}

// matches reports whether toks is a sentence of production start.
func matches(g ebnf.Grammar, start string, toks []string) bool {
	for _, end := range match(g, g[start].Expr, toks, 0) {
		if end == len(toks) {
			return true
		}
	}
	return false
}

// match returns every position at which expr can end when it starts at
// pos (a backtracking matcher over the x/exp/ebnf expression tree).
func match(g ebnf.Grammar, expr ebnf.Expression, toks []string, pos int) []int {
	switch e := expr.(type) {
	case nil:
		return []int{pos}
	case *ebnf.Token:
		if pos < len(toks) && toks[pos] == e.String {
			return []int{pos + 1}
		}
		return nil
	case *ebnf.Name:
		return match(g, g[e.String].Expr, toks, pos)
	case ebnf.Sequence:
		ends := []int{pos}
		for _, x := range e {
			var next []int
			for _, p := range ends {
				next = appendUnique(next, match(g, x, toks, p)...)
			}
			ends = next
		}
		return ends
	case ebnf.Alternative:
		var ends []int
		for _, x := range e {
			ends = appendUnique(ends, match(g, x, toks, pos)...)
		}
		return ends
	case *ebnf.Group:
		return match(g, e.Body, toks, pos)
	case *ebnf.Option:
		return appendUnique([]int{pos}, match(g, e.Body, toks, pos)...)
	case *ebnf.Repetition:
		ends := []int{pos}
		frontier := []int{pos}
		for len(frontier) > 0 {
			var next []int
			for _, p := range frontier {
				for _, q := range match(g, e.Body, toks, p) {
					if q > p && !contains(ends, q) {
						ends = append(ends, q)
						next = append(next, q)
					}
				}
			}
			frontier = next
		}
		return ends
	}
	panic(fmt.Sprintf("flows.ebnf: unsupported expression %T", expr))
}

func appendUnique(a []int, xs ...int) []int {
	for _, x := range xs {
		if !contains(a, x) {
			a = append(a, x)
		}
	}
	return a
}

func contains(a []int, x int) bool {
	for _, y := range a {
		if y == x {
			return true
		}
	}
	return false
}

// TestMatcher pins the matcher on small sentences, so that a grammar test
// that passes means something.
func TestMatcher(t *testing.T) {
	g := grammar.Load(t, "testdata/flows.ebnf", "Copy")
	good := map[string][]string{
		"Submission":        {"STOREDRIVER NOTIFYMAPI", "STOREDRIVER RECEIVE", "STOREDRIVER SUBMIT"},
		"HubCopy":           {"SMTP RECEIVE", "SMTP HAREDIRECT", "ROUTING EXPAND", "ROUTING DUPLICATEEXPAND", "ROUTING REDIRECT", "AGENT AGENTINFO", "ROUTING DROP", "SMTP DEFER", "SMTP SEND", "SMTP DEFER", "SMTP SEND"},
		"ShadowCopy":        {"SMTP HARECEIVE", "SMTP HADISCARD", "SMTP HADISCARD"},
		"ResubmitCopy":      {"SAFETYNET RESUBMIT", "SMTP SEND"},
		"EdgeCopy2007":      {"SMTP RECEIVE", "SMTP DEFER", "BOOTLOADER LOAD", "SMTP DEFER", "SMTP SEND"},
		"MailboxSubmission": {"STOREDRIVER SUBMIT"},
		"LoadedCopy":        {"BOOTLOADER LOAD", "STOREDRIVER DEFER", "STOREDRIVER DELIVER"},
		"MeetingCopy":       {"MEETINGMESSAGEPROCESSOR PROCESSMEETINGMESSAGE"},
	}
	legacyHub := []string{"STOREDRIVER NOTIFYMAPI", "STOREDRIVER RECEIVE", "ROUTING REDIRECT", "ROUTING FAIL", "STOREDRIVER DEFER", "BOOTLOADER LOAD", "STOREDRIVER DEFER", "STOREDRIVER DELIVER", "STOREDRIVER FAIL", "SMTP SEND"}
	if !matches(g, "HubCopy", legacyHub) {
		t.Errorf("HubCopy rejects %v", legacyHub)
	}
	for p, toks := range good {
		if !matches(g, p, toks) {
			t.Errorf("%s rejects %v", p, toks)
		}
	}
	bad := map[string][]string{
		"Submission":        {"STOREDRIVER RECEIVE", "STOREDRIVER NOTIFYMAPI", "STOREDRIVER SUBMIT"},
		"HubCopy":           {"SMTP RECEIVE", "AGENT AGENTINFO", "ROUTING EXPAND"},
		"ShadowCopy":        {"SMTP HADISCARD"},
		"ResubmitCopy":      {"SAFETYNET RESUBMIT"},
		"EdgeCopy":          {"SMTP RECEIVE", "SMTP SEND"},
		"EdgeCopy2007":      {"SMTP RECEIVE", "AGENT AGENTINFO", "SMTP SEND"},
		"MailboxSubmission": {"STOREDRIVER RECEIVE", "STOREDRIVER SUBMIT"},
		"LoadedCopy":        {"SMTP SEND", "BOOTLOADER LOAD"},
		"MeetingCopy":       {"STOREDRIVER DELIVER", "MEETINGMESSAGEPROCESSOR PROCESSMEETINGMESSAGE"},
	}
	for _, toks := range [][]string{{"STOREDRIVER RECEIVE", "STOREDRIVER NOTIFYMAPI"}, {"STOREDRIVER NOTIFYMAPI", "SMTP RECEIVE"}, {"SMTP RECEIVE", "BOOTLOADER LOAD"}} {
		if matches(g, "HubCopy", toks) {
			t.Errorf("HubCopy accepts %v", toks)
		}
	}
	for p, toks := range bad {
		if matches(g, p, toks) {
			t.Errorf("%s accepts %v", p, toks)
		}
	}
}

// fileOrder orders the rows of one server and kind as written: by the
// file's day and sequence number, then line.
func fileOrder(r *row) string {
	fn, _ := msgtrk.ParseFileName(r.File)
	return fmt.Sprintf("%s-%06d-%09d", fn.Start.Format("20060102"), fn.Seq, r.Line)
}
