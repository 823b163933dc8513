package msgtrktest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// TestTruthMatchesRows checks the truth, computed from the simulator's
// model, against a simple independent reading of the rows: row counts,
// shadow and duplicate counts, outcomes by DELIVER / SENDEXTERNAL / FAIL /
// DELIVERFAIL / DROP / DEFER rows, EXPAND rows, hop servers, origin and
// NDR links.
func TestTruthMatchesRows(t *testing.T) {
	for name, cfg := range decodeConfigs() {
		t.Run(name, func(t *testing.T) {
			fsys, tr, s := mustRun(t, cfg)
			rows := readRows(t, fsys, cutLines(tr), false)
			checkTruth(t, s, tr, rows)
		})
	}
}

type outcome struct{ status, addr, server string }

func checkTruth(t *testing.T, s *Sim, tr *Truth, rows []row) {
	t.Helper()
	for i, e := range truthErrors(s, tr, rows) {
		if i == 20 {
			t.Fatal("… and more")
		}
		t.Error(e)
	}
}

// truthErrors compares the truth with the rows read back.
func truthErrors(s *Sim, tr *Truth, rows []row) []error {
	var errs []error
	v := s.cfg.Version
	byKey := map[string][]*row{}
	for i := range rows {
		byKey[rows[i].key(v)] = append(byKey[rows[i].key(v)], &rows[i])
	}
	// NOTIFYMAPI rows carry no message ids: attach them by sender and
	// source-context to the message whose STOREDRIVER RECEIVE shares MDB,
	// Mailbox and Event.
	if notify := byKey[(&row{}).key(v)]; len(notify) > 0 && v >= V2013 {
		delete(byKey, "")
		ctxKey := map[string]string{}
		for k, rs := range byKey {
			for _, r := range rs {
				if r.get(msgtrk.EventID) == "RECEIVE" && r.get(msgtrk.Source) == "STOREDRIVER" {
					ctxKey[storeLink(r)] = k
				}
			}
		}
		for _, r := range notify {
			k, ok := ctxKey[storeLink(r)]
			if !ok {
				errs = append(errs, fmt.Errorf("%s:%d: NOTIFYMAPI without a STOREDRIVER RECEIVE sharing MDB/Mailbox/Event", r.File, r.Line))
				continue
			}
			byKey[k] = append(byKey[k], r)
		}
	}
	if v <= V2010 {
		// 2010 NOTIFYMAPI rows have no message-id either.
		for k, rs := range byKey {
			if strings.HasPrefix(k, "mid:|") {
				delete(byKey, k)
				ctxKey := map[string]string{}
				for k2, rs2 := range byKey {
					for _, r := range rs2 {
						if r.get(msgtrk.EventID) == "RECEIVE" && r.get(msgtrk.Source) == "STOREDRIVER" {
							ctxKey[storeLink(r)] = k2
						}
					}
				}
				for _, r := range rs {
					byKey[ctxKey[storeLink(r)]] = append(byKey[ctxKey[storeLink(r)]], r)
				}
			}
		}
	}

	if len(tr.Messages) != len(byKey) {
		errs = append(errs, fmt.Errorf("%d messages in the truth, %d keys in the rows", len(tr.Messages), len(byKey)))
	}
	total := 0
	midKey := map[string]string{}
	for _, m := range tr.Messages {
		midKey[m.MessageID] = m.Key
	}
	for i := range tr.Messages {
		m := &tr.Messages[i]
		total += m.Rows
		rs := byKey[m.Key]
		if err := checkMessage(s, m, rs, midKey); err != nil {
			errs = append(errs, fmt.Errorf("message %s (%v): %v", m.Key, m.Kind, err))
		}
	}
	if total != tr.Events || tr.Events != len(rows) {
		errs = append(errs, fmt.Errorf("sum of Rows %d, Events %d, rows read %d", total, tr.Events, len(rows)))
	}
	// Files.
	perFile := map[string]int{}
	for _, r := range rows {
		perFile[r.File]++
	}
	for _, f := range tr.Files {
		if f.DuplicateOf == "" && perFile[f.Path] != f.Rows {
			errs = append(errs, fmt.Errorf("%s: truth says %d rows, read %d", f.Path, f.Rows, perFile[f.Path]))
		}
	}
	return errs
}

// storeLink is what NOTIFYMAPI and STOREDRIVER RECEIVE share.
func storeLink(r *row) string {
	ctx := r.get(msgtrk.SourceContext)
	var parts []string
	for _, p := range strings.Split(ctx, ", ") {
		if strings.HasPrefix(p, "MDB:") || strings.HasPrefix(p, "Mailbox:") || strings.HasPrefix(p, "Event:") {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ",") + "|" + r.Server
}

func checkMessage(s *Sim, m *MessageTruth, rs []*row, midKey map[string]string) error {
	if len(rs) != m.Rows {
		return fmt.Errorf("truth says %d rows, read %d", m.Rows, len(rs))
	}
	// Causal order: the written time minus the server's clock offset.
	trueTime := func(r *row) int64 {
		tm, _ := msgtrk.ParseTime(r.get(msgtrk.DateTime))
		return tm.UnixMilli() - s.org.server(r.Server).Skew.Milliseconds()
	}
	slices.SortStableFunc(rs, func(a, b *row) int { return int(min(max(trueTime(a)-trueTime(b), -1), 1)) })
	shadow, dups := 0, 0
	rowOut := map[outcome]bool{}
	deferred := map[outcome]string{}
	deliverfail := map[string]string{}
	var exps []Expansion
	hops := map[[2]string]bool{}
	hubRows := map[string]int{}
	shadowOnly := map[string]int{}
	for _, r := range rs {
		ev := r.get(msgtrk.EventID)
		src := r.get(msgtrk.Source)
		rcpts := r.Ev.List(msgtrk.RecipientAddress)
		sts := r.Ev.List(msgtrk.RecipientStatus)
		switch ev {
		case "HAREDIRECT", "HARECEIVE", "HADISCARD", "HAREDIRECTFAIL":
			shadow++
		case "DUPLICATEDELIVER", "DUPLICATEEXPAND", "DUPLICATEREDIRECT":
			dups++
		}
		for i, a := range rcpts {
			switch {
			case ev == "DELIVER":
				rowOut[outcome{StatusDelivered, a, r.Server}] = true
			case ev == "SENDEXTERNAL" || ev == "SEND" && !s.orgHost(r.get(msgtrk.ServerHostname)):
				// (before 2016 a send to the Internet is a SEND, format.md §9.1)
				rowOut[outcome{StatusSentExternal, a, r.Server}] = true
			case ev == "DELIVERFAIL":
				rowOut[outcome{StatusFailed, a, r.Server}] = true
				deliverfail[a] = sts[i]
			case ev == "FAIL":
				rowOut[outcome{StatusFailed + "-fail", a, r.Server}] = true
				deferred[outcome{"fail", a, r.Server}] = sts[i]
			case ev == "DROP" && src == "AGENT":
				rowOut[outcome{StatusDropped, a, r.Server}] = true
				deferred[outcome{"drop", a, r.Server}] = sts[i]
			case ev == "DEFER":
				deferred[outcome{StatusPending, a, r.Server}] = sts[i]
			}
		}
		if ev == "REDIRECT" || ev == "DUPLICATEREDIRECT" {
			// The original recipient in recipient-address keeps its entry,
			// forwarded to the target in related-recipient-address
			// (format.md §4).
			for _, a := range rcpts {
				if rt := m.Recipient(a); rt == nil || rt.RedirectedTo != r.get(msgtrk.RelatedRecipientAddress) {
					return fmt.Errorf("%s of %s to %s: truth recipient %+v", ev, a, r.get(msgtrk.RelatedRecipientAddress), rt)
				}
			}
		}
		if ev == "EXPAND" {
			mem := append([]string{}, rcpts...)
			slices.Sort(mem)
			exps = append(exps, Expansion{Group: r.get(msgtrk.RelatedRecipientAddress), Members: mem})
		}
		role := ""
		switch {
		case r.Kind == msgtrk.LogSubmission || r.Kind == msgtrk.LogMailbox:
			// (2007/2010: the Mailbox role's SUBMIT in MSGTRKM)
			role = RoleSubmission
		case r.Kind == msgtrk.LogDelivery || (s.cfg.Version <= V2010 && src == "STOREDRIVER" && ev == "DELIVER"):
			// (2007/2010: the transport's store driver delivers)
			role = RoleDelivery
		case strings.HasPrefix(r.Server, "EDGE"):
			role = RoleEdgeHop
		default:
			role = RoleHub
			if ev == "HARECEIVE" || ev == "HADISCARD" {
				shadowOnly[r.Server]++
			} else {
				hubRows[r.Server]++
			}
			continue
		}
		hops[[2]string{r.Server, role}] = true
	}
	for srv := range hubRows {
		hops[[2]string{srv, RoleHub}] = true
	}
	if shadow != m.ShadowEvents || dups != m.Duplicates {
		return fmt.Errorf("shadow/duplicate rows %d/%d, truth %d/%d", shadow, dups, m.ShadowEvents, m.Duplicates)
	}
	if d := cmp.Diff(m.Expansions, exps, cmpopts.EquateEmpty()); d != "" {
		return fmt.Errorf("expansions (-truth +rows):\n%s", d)
	}
	// Hops: the same (server, role) pairs.
	want := map[[2]string]bool{}
	for _, h := range m.Hops {
		want[[2]string{h.Server, h.Role}] = true
	}
	if d := cmp.Diff(want, hops); d != "" {
		return fmt.Errorf("hop servers (-truth +rows):\n%s", d)
	}
	if len(m.Hops) == 0 || m.Hops[0].Depth != 0 {
		return fmt.Errorf("hops %v do not start at depth 0", m.Hops)
	}
	// Outcomes.
	covered := map[outcome]bool{}
	for _, r := range m.Recipients {
		eff := r.Address
		if r.RedirectedTo != "" {
			eff = r.RedirectedTo
		}
		o := outcome{r.Status, eff, r.Server}
		switch r.Status {
		case StatusDelivered, StatusSentExternal, StatusDropped:
			if !rowOut[o] {
				return fmt.Errorf("recipient %s: %s on %s, not in the rows", r.Address, r.Status, r.Server)
			}
			if r.Status == StatusDropped && deferred[outcome{"drop", eff, r.Server}] != r.Detail {
				return fmt.Errorf("recipient %s: detail %q, row %q", r.Address, r.Detail, deferred[outcome{"drop", eff, r.Server}])
			}
		case StatusFailed:
			if st, ok := deliverfail[eff]; ok {
				if !rowOut[o] || st != r.Detail {
					return fmt.Errorf("recipient %s: DELIVERFAIL on %s %q, truth %s %q", r.Address, r.Server, st, r.Server, r.Detail)
				}
			} else if !rowOut[outcome{StatusFailed + "-fail", eff, r.Server}] || deferred[outcome{"fail", eff, r.Server}] != r.Detail {
				return fmt.Errorf("recipient %s: no FAIL on %s with %q", r.Address, r.Server, r.Detail)
			}
			o.status = StatusFailed
		case StatusPending:
			st, ok := deferred[o]
			if !ok || st != r.Detail {
				return fmt.Errorf("recipient %s: no DEFER on %s with %q", r.Address, r.Server, r.Detail)
			}
			for _, s := range []string{StatusDelivered, StatusSentExternal} {
				for k := range rowOut {
					if k.status == s && k.addr == eff {
						return fmt.Errorf("recipient %s: pending, but %s on %s", r.Address, s, k.server)
					}
				}
			}
		default:
			return fmt.Errorf("recipient %s: status %q", r.Address, r.Status)
		}
		covered[o] = true
	}
	for o := range rowOut {
		if o.status == StatusFailed+"-fail" {
			continue
		}
		if !covered[o] {
			return fmt.Errorf("row outcome %v has no recipient in the truth", o)
		}
	}
	for i := 1; i < len(m.Recipients); i++ {
		if m.Recipients[i-1].Address >= m.Recipients[i].Address {
			return fmt.Errorf("recipients not sorted or repeated: %q, %q", m.Recipients[i-1].Address, m.Recipients[i].Address)
		}
	}
	// Origin and size from the first rows: the DSN row of an NDR (the row
	// that created it), else the first RECEIVE.
	var firstRcv *row
	store, dsn := false, false
	for _, r := range rs {
		if r.get(msgtrk.EventID) == "DSN" {
			dsn, firstRcv = true, nil
			break
		}
		if r.get(msgtrk.EventID) == "RECEIVE" {
			if r.get(msgtrk.Source) == "STOREDRIVER" {
				store = true
				firstRcv = r
				break
			}
			if firstRcv == nil {
				firstRcv = r
			}
		}
	}
	o := m.Origin
	if (o.Protocol == "dsn") != dsn {
		return fmt.Errorf("origin protocol %q, DSN row %v", o.Protocol, dsn)
	}
	if (o.Protocol == "store") != store {
		return fmt.Errorf("origin protocol %q, STOREDRIVER RECEIVE %v", o.Protocol, store)
	}
	if firstRcv != nil {
		auth := strings.TrimRight(firstRcv.get(msgtrk.MessageInfo), ": ")
		if o.Auth != auth || o.ClientIP != firstRcv.get(msgtrk.ClientIP) || o.OriginalClientIP != firstRcv.get(msgtrk.OriginalClientIP) || o.Anonymous != (auth[2] == 'A') {
			return fmt.Errorf("origin %+v, first RECEIVE %s:%d has %q %q %q", o, firstRcv.File, firstRcv.Line, auth, firstRcv.get(msgtrk.ClientIP), firstRcv.get(msgtrk.OriginalClientIP))
		}
	} else if o.Auth != "" {
		return fmt.Errorf("origin auth %q without RECEIVE", o.Auth)
	}
	for _, r := range rs {
		if b := r.get(msgtrk.TotalBytes); b != "" {
			if b != fmt.Sprint(m.Size) {
				return fmt.Errorf("size %d, first total-bytes %s (%s)", m.Size, b, r.get(msgtrk.EventID))
			}
			break
		}
	}
	// NDRs.
	for _, r := range rs {
		if r.get(msgtrk.EventID) == "DSN" {
			if k := midKey[r.get(msgtrk.Reference)]; k != m.DSNFor || k == "" {
				return fmt.Errorf("DSN references %q (key %q), truth DSNFor %q", r.get(msgtrk.Reference), k, m.DSNFor)
			}
		}
		if r.get(msgtrk.EventID) == "FAIL" && midKey[r.get(msgtrk.Reference)] == "" {
			return fmt.Errorf("FAIL references %q, no such message", r.get(msgtrk.Reference))
		}
	}
	if (m.Kind == KindDSN) != (m.DSNFor != "") {
		return fmt.Errorf("kind %v with DSNFor %q", m.Kind, m.DSNFor)
	}
	return nil
}

// TestTruthCheckCatchesMutations proves that checkMessage can fail: each
// mutation of a correct truth must be reported.
func TestTruthCheckCatchesMutations(t *testing.T) {
	fsys, tr, s := mustRun(t, Config{Seed: 11, Messages: 200})
	rows := readRows(t, fsys, nil, false)
	byKey := map[string][]*row{}
	for i := range rows {
		byKey[rows[i].key(s.cfg.Version)] = append(byKey[rows[i].key(s.cfg.Version)], &rows[i])
	}
	midKey := map[string]string{}
	for _, m := range tr.Messages {
		midKey[m.MessageID] = m.Key
	}
	find := func(pred func(*MessageTruth) bool) *MessageTruth {
		for i := range tr.Messages {
			if pred(&tr.Messages[i]) {
				return &tr.Messages[i]
			}
		}
		t.Fatal("no message for the mutation")
		return nil
	}
	// A message of each kind has no NOTIFYMAPI ambiguity when it is not
	// store-submitted; the mutations use those.
	smtp := func(m *MessageTruth) bool { return m.Origin.Protocol == "smtp" && len(m.Recipients) > 0 }
	mutations := map[string]func(m *MessageTruth){
		"rows":           func(m *MessageTruth) { m.Rows++ },
		"shadow":         func(m *MessageTruth) { m.ShadowEvents++ },
		"duplicates":     func(m *MessageTruth) { m.Duplicates++ },
		"status":         func(m *MessageTruth) { m.Recipients[0].Status = StatusPending },
		"server":         func(m *MessageTruth) { m.Recipients[0].Server = "EX99" },
		"address":        func(m *MessageTruth) { m.Recipients[0].Address = "nobody@contoso.com" },
		"lost recipient": func(m *MessageTruth) { m.Recipients = m.Recipients[1:] },
		"hop":            func(m *MessageTruth) { m.Hops = append(m.Hops, Hop{Server: "EX99", Role: RoleHub, Depth: 1}) },
		"auth":           func(m *MessageTruth) { m.Origin.Auth = "04I" },
		"client ip":      func(m *MessageTruth) { m.Origin.ClientIP = "192.0.2.1" },
		"size":           func(m *MessageTruth) { m.Size++ },
		"expansion":      func(m *MessageTruth) { m.Expansions = append(m.Expansions, Expansion{Group: "x@contoso.com"}) },
		"dsn":            func(m *MessageTruth) { m.DSNFor = "x" },
	}
	for name, mutate := range mutations {
		m := find(smtp)
		orig := *m
		orig.Recipients = append([]RecipientTruth(nil), m.Recipients...)
		orig.Hops = append([]Hop(nil), m.Hops...)
		orig.Expansions = append([]Expansion(nil), m.Expansions...)
		if err := checkMessage(s, m, byKey[m.Key], midKey); err != nil {
			t.Fatalf("%s: unmutated message fails: %v", name, err)
		}
		mutate(m)
		if err := checkMessage(s, m, byKey[m.Key], midKey); err == nil {
			t.Errorf("mutation %q not detected", name)
		}
		*m = orig
	}
}
