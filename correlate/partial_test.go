package correlate_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/internal/proptest"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// serviceOfRole is the log a hop's rows are in, for a version (2007 and
// 2010: the Mailbox role's submissions in MSGTRKM, deliveries in MSGTRK).
func serviceOfRole(v msgtrktest.Version, role string) string {
	switch role {
	case msgtrktest.RoleSubmission:
		if v <= msgtrktest.V2010 {
			return "MSGTRKM"
		}
		return "MSGTRKMS"
	case msgtrktest.RoleDelivery:
		if v <= msgtrktest.V2010 {
			return "MSGTRK"
		}
		return "MSGTRKMD"
	}
	return "MSGTRK"
}

// checkPartial checks the traces of an organisation whose logs lost the
// services in dropped ("EX01 MSGTRKMD") against its truth: a message that
// crossed a dropped service is never complete and its trace names missing
// logs (or has no origin); a recipient delivered by a server whose delivery
// logs were dropped is handed off to it (never pending with nothing said,
// never sent outside); no recipient the organisation delivered is sent
// outside; the origin is the truth's or unknown, never another.
func checkPartial(v msgtrktest.Version, truth *msgtrktest.Truth, dropped map[string]bool, traces []*correlate.Trace) string {
	byKey := map[string]*correlate.Trace{}
	for _, tr := range traces {
		byKey[tr.Key] = tr
	}
	for _, m := range truth.Messages {
		tr := byKey[m.Key]
		if tr == nil {
			continue // (its rows were all dropped)
		}
		crossed := ""
		for _, h := range m.Hops {
			if dropped[h.Server+" "+serviceOfRole(v, h.Role)] {
				crossed = h.Server
			}
		}
		if crossed != "" {
			if tr.Reason == correlate.ReasonComplete {
				return fmt.Sprintf("message %s (%v) crossed %s, whose logs were dropped, and its trace is complete: %+v", m.Key, m.Kind, crossed, tr.Recipients)
			}
			// (The dropped hop itself may be out of sight: behind
			// another whose logs are missing too.)
			if len(tr.MissingLogs) == 0 && tr.Origin.Protocol != correlate.ProtocolUnknown {
				return fmt.Sprintf("message %s (%v) crossed %s, whose logs were dropped: missing_logs %v, anomalies %v", m.Key, m.Kind, crossed, tr.MissingLogs, tr.Anomalies)
			}
		}
		if p := tr.Origin.Protocol; p != correlate.ProtocolUnknown && (p.String() != m.Origin.Protocol || tr.Origin.Server != m.Origin.Server) {
			return fmt.Sprintf("message %s (%v): origin %s at %s, truth %s at %s", m.Key, m.Kind, p, tr.Origin.Server, m.Origin.Protocol, m.Origin.Server)
		}
		for _, want := range m.Recipients {
			i := slices.IndexFunc(tr.Recipients, func(r correlate.Recipient) bool { return r.Address == want.Address })
			if i < 0 {
				continue
			}
			got := tr.Recipients[i]
			if want.Status == msgtrktest.StatusDelivered && got.Status == correlate.StatusSentExternal {
				return fmt.Sprintf("message %s (%v): %s delivered at %s, trace says sent_external at %s", m.Key, m.Kind, want.Address, want.Server, got.Server)
			}
			if want.Status == msgtrktest.StatusDelivered && dropped[want.Server+" "+serviceOfRole(v, msgtrktest.RoleDelivery)] &&
				got.Status != correlate.StatusHandedOff && got.Status != correlate.StatusDelivered {
				return fmt.Sprintf("message %s (%v): %s delivered at %s, whose delivery logs were dropped; trace says %s at %s (missing_logs %v)",
					m.Key, m.Kind, want.Address, want.Server, got.Status, got.Server, tr.MissingLogs)
			}
		}
	}
	return ""
}

// partialRun simulates an organisation, drops the logs of the (server,
// service) pairs drop picks from the sorted pairs that have files (keeping
// at least one), correlates the rest and checks the traces (checkPartial).
func partialRun(t *testing.T, cfg msgtrktest.Config, shards int, drop func(org *msgtrktest.Org, i int, pair string) bool) string {
	sim, err := msgtrktest.New(cfg)
	if err != nil {
		return "New: " + err.Error()
	}
	fsys, truth, err := sim.WriteFS()
	if err != nil {
		return "WriteFS: " + err.Error()
	}
	var pairs []string
	for _, f := range truth.Files {
		if p := f.Server + " " + f.Kind; !slices.Contains(pairs, p) {
			pairs = append(pairs, p)
		}
	}
	slices.Sort(pairs)
	dropped := map[string]bool{}
	for i, p := range pairs {
		if drop(sim.Org(), i, p) {
			dropped[p] = true
		}
	}
	if len(dropped) == len(pairs) {
		delete(dropped, pairs[0])
	}
	for _, f := range truth.Files {
		if dropped[f.Server+" "+f.Kind] {
			delete(fsys, f.Path)
		}
	}
	run := correlateFS(t, fsys, shards, correlate.Options{})
	if msg := checkPartial(cfg.Version, truth, dropped, run.traces); msg != "" {
		return fmt.Sprintf("config %+v, dropped %v: %s", cfg, dropped, msg)
	}
	return ""
}

// simConfigOf is the organisation the partial-input properties draw.
func simConfigOf(seed uint64, mbx, edges, vi int, skewMs int64) msgtrktest.Config {
	versions := []msgtrktest.Version{msgtrktest.V2007, msgtrktest.V2010, msgtrktest.V2013, msgtrktest.V2016, msgtrktest.V2019}
	cfg := msgtrktest.Config{Seed: seed, MailboxServers: mbx, EdgeServers: edges, Messages: 40,
		Version: versions[vi], MaxSkew: time.Duration(skewMs) * time.Millisecond}
	if edges == 0 {
		cfg.EdgeServers = msgtrktest.NoEdge
	}
	return cfg
}

// TestPropertyPartialInput: with the logs of any subset of the servers
// missing, no recipient the whole organisation delivered to a mailbox is
// said to be sent outside, and no trace of a message that crossed a server
// without logs is complete (it names the missing servers instead, or has a
// recipient handed off to them, or lacks its entry); see checkPartial.
func TestPropertyPartialInput(t *testing.T) {
	props := gopter.NewProperties(proptest.Parameters(t, 100))
	props.Property("missing logs never make a delivery external or a crossing complete", prop.ForAll(
		func(seed uint64, mbx, edges, vi int, skewMs int64, drop uint, shards int) string {
			return partialRun(t, simConfigOf(seed, mbx, edges, vi, skewMs), shards, func(org *msgtrktest.Org, _ int, pair string) bool {
				i := slices.IndexFunc(org.Servers, func(s msgtrktest.Server) bool { return s.Name == strings.Fields(pair)[0] })
				return drop&(1<<i) != 0
			})
		},
		gen.UInt64(), gen.IntRange(1, 4), gen.IntRange(0, 2), gen.IntRange(0, 3),
		gen.Int64Range(0, 120000), gen.UIntRange(1, 63), gen.OneConstOf(1, 1, 2),
	))
	props.TestingRun(t)
}

// TestPropertyPartialServices: with the logs of any subset of the
// services of the servers missing (a server's MSGTRK collected without
// its MSGTRKMD or MSGTRKMS, or the reverse), the traces say so exactly as
// for a missing server (checkPartial). Before, a hub's SEND to a delivery
// service whose logs were missing left its recipients pending with nothing
// said, and a store submission whose MSGTRKMS was missing got the origin
// "smtp" at the hub.
func TestPropertyPartialServices(t *testing.T) {
	props := gopter.NewProperties(proptest.Parameters(t, 100))
	props.Property("missing services are said as missing servers", prop.ForAll(
		func(seed uint64, mbx, edges, vi int, skewMs int64, drop uint64, shards int) string {
			return partialRun(t, simConfigOf(seed, mbx, edges, vi, skewMs), shards, func(_ *msgtrktest.Org, i int, _ string) bool { return drop&(1<<(i%64)) != 0 })
		},
		gen.UInt64(), gen.IntRange(1, 4), gen.IntRange(0, 2), gen.IntRange(0, 3),
		gen.Int64Range(0, 120000), gen.UInt64Range(1, 1<<20), gen.OneConstOf(1, 1, 2),
	))
	props.TestingRun(t)
}

// TestMissingDeliveryLogs: EX01's transport logs are in the input, its
// Mailbox Transport Delivery logs (MSGTRKMD) are not, or begin later
// (their first file deleted, as circular logging does): the recipients a
// hub handed to EX01's delivery service are handed_off to EX01, the trace
// names "EX01 (MSGTRKMD)" and is not complete, and when the logs begin
// later a log_gap anomaly gives the time they begin. (They used to stay
// pending with nothing said.)
func TestMissingDeliveryLogs(t *testing.T) {
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 5, Messages: 150, MailboxServers: 2, Version: msgtrktest.V2016, MaxFileBytes: 4096,
		Mix: msgtrktest.Mix{Store: 1, Inbound: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, whole := range []bool{true, false} {
		fsys, truth, err := sim.WriteFS()
		if err != nil {
			t.Fatal(err)
		}
		var gone []string
		for _, f := range truth.Files { // (sorted by path: the first file first)
			if f.Server == "EX01" && f.Kind == "MSGTRKMD" && (whole || len(gone) == 0) {
				gone = append(gone, f.Path)
				delete(fsys, f.Path)
			}
		}
		if !whole && len(gone) == len(slices.DeleteFunc(slices.Clone(truth.Files), func(f msgtrktest.FileTruth) bool {
			return f.Server != "EX01" || f.Kind != "MSGTRKMD"
		})) {
			t.Fatal("EX01 has one MSGTRKMD file: nothing left after the first")
		}
		run := correlateFS(t, fsys, 1, correlate.Options{})
		byKey := map[string]*correlate.Trace{}
		for _, tr := range run.traces {
			byKey[tr.Key] = tr
		}
		handed, gaps := 0, 0
		for _, m := range truth.Messages {
			tr := byKey[m.Key]
			for _, want := range m.Recipients {
				if want.Status != msgtrktest.StatusDelivered || want.Server != "EX01" {
					continue
				}
				i := slices.IndexFunc(tr.Recipients, func(r correlate.Recipient) bool { return r.Address == want.Address })
				got := tr.Recipients[i]
				if got.Status == correlate.StatusDelivered {
					continue // (its row is in a file kept)
				}
				if got.Status != correlate.StatusHandedOff || got.Server != "EX01" || !slices.Contains(tr.MissingLogs, "EX01 (MSGTRKMD)") ||
					tr.Reason == correlate.ReasonComplete {
					t.Fatalf("whole %v: %s delivered at EX01: trace says %s at %s, missing_logs %v, %s", whole, want.Address, got.Status, got.Server, tr.MissingLogs, tr.Reason)
				}
				handed++
				for _, a := range tr.Anomalies {
					if a.Kind == correlate.AnomalyLogGap && strings.Contains(a.Message, "MSGTRKMD logs of EX01 in the input begin at") {
						gaps++
					}
				}
			}
		}
		t.Logf("whole %v: %d files dropped, %d recipients handed off, %d with a log_gap", whole, len(gone), handed, gaps)
		if handed == 0 || whole && gaps != 0 || !whole && gaps != handed {
			t.Errorf("whole %v: %d recipients handed off to EX01, %d log_gap anomalies", whole, handed, gaps)
		}
	}
}

// TestLogsStartLater: circular logging deleted the first file of every log
// of every server (format.md §1.2), so the logs begin after many messages
// began. A message that lost rows with them is never complete, and its
// origin is the truth's or unknown: the trace says its start is missing
// (no_origin, log_gap or missing logs) instead of inventing an entry at
// the first row left.
func TestLogsStartLater(t *testing.T) {
	for _, v := range []msgtrktest.Version{msgtrktest.V2007, msgtrktest.V2010, msgtrktest.V2013, msgtrktest.V2016, msgtrktest.V2019} {
		sim, err := msgtrktest.New(msgtrktest.Config{Seed: 12, Messages: 250, MailboxServers: 2, Version: v, MaxFileBytes: 12000, MaxSkew: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		fsys, truth, err := sim.WriteFS()
		if err != nil {
			t.Fatal(err)
		}
		// The first file of each server's log (truth.Files is sorted by
		// path: the first file first), when it has another.
		gone := fstest.MapFS{}
		perLog := map[string]int{}
		for _, f := range truth.Files {
			perLog[f.Server+" "+f.Kind]++
		}
		for _, f := range truth.Files {
			if k := f.Server + " " + f.Kind; perLog[k] > 1 && perLog[k] > 0 {
				gone[f.Path] = fsys[f.Path]
				delete(fsys, f.Path)
				perLog[k] = -1
			}
		}
		lost := map[string]bool{} // keys of the messages with rows gone
		inputs, err := msgtrk.FindFiles(gone, ".")
		if err != nil || len(inputs) == 0 {
			t.Fatalf("%v: %d files gone (%v)", v, len(inputs), err)
		}
		mg := msgtrk.NewMerger(inputs)
		for mg.Next() {
			rec := mg.Record()
			k := strings.ToLower(string(rec.Field(msgtrk.NetworkMessageID)))
			if v <= msgtrktest.V2010 {
				k = "mid:" + string(rec.Field(msgtrk.MessageID)) + "|" + strings.ToLower(string(rec.Field(msgtrk.SenderAddress)))
			}
			lost[k] = true
		}
		run := correlateFS(t, fsys, 1, correlate.Options{})
		byKey := map[string]*correlate.Trace{}
		for _, tr := range run.traces {
			byKey[tr.Key] = tr
		}
		cut, unknown := 0, 0
		for _, m := range truth.Messages {
			tr := byKey[m.Key]
			if tr == nil || !lost[m.Key] {
				continue
			}
			cut++
			if tr.Reason == correlate.ReasonComplete {
				t.Errorf("%v: %s lost rows with the first files and its trace is complete: %+v", v, m.Key, tr.Hops)
			}
			if p := tr.Origin.Protocol; p == correlate.ProtocolUnknown {
				unknown++
				if !slices.ContainsFunc(tr.Anomalies, func(a correlate.Anomaly) bool {
					return a.Kind == correlate.AnomalyNoOrigin || a.Kind == correlate.AnomalyLogGap
				}) && len(tr.MissingLogs) == 0 {
					t.Errorf("%v: %s: no origin and nothing said: %v", v, m.Key, tr.Anomalies)
				}
			} else if p.String() != m.Origin.Protocol || tr.Origin.Server != m.Origin.Server {
				t.Errorf("%v: %s (%v) lost rows with the first files: origin %s at %s, truth %s at %s", v, m.Key, m.Kind, p, tr.Origin.Server, m.Origin.Protocol, m.Origin.Server)
			}
		}
		t.Logf("%v: %d files gone, %d traces lost rows, %d of them without origin", v, len(inputs), cut, unknown)
		if cut == 0 || unknown == 0 {
			t.Errorf("%v: %d traces lost rows, %d without origin: the case is not reached", v, cut, unknown)
		}
	}
}

// TestUndatedHop: every row of one server's delivery log has a date-time
// that does not parse. Its hops and recipients show no time (the zero
// time, "" in JSON), never 1970 or another invented date.
func TestUndatedHop(t *testing.T) {
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 4, Messages: 60, MailboxServers: 2, EdgeServers: msgtrktest.NoEdge, Mix: msgtrktest.Mix{Store: 1}})
	if err != nil {
		t.Fatal(err)
	}
	fsys, truth, err := sim.WriteFS()
	if err != nil {
		t.Fatal(err)
	}
	undated := 0
	for _, f := range truth.Files {
		if f.Server != "EX02" || f.Kind != "MSGTRKMD" {
			continue
		}
		lines := strings.Split(string(fsys[f.Path].Data), "\n")
		for i, l := range lines {
			if strings.HasPrefix(l, "2024-") {
				lines[i] = "2024-13-99Tnot-a-time" + l[len("2024-03-04T08:00:00.000Z"):]
				undated++
			}
		}
		fsys[f.Path].Data = []byte(strings.Join(lines, "\n"))
	}
	if undated == 0 {
		t.Fatal("no row made undated")
	}
	run := correlateFS(t, fsys, 1, correlate.Options{})
	zeroHops := 0
	sane := func(tm time.Time) bool { return tm.IsZero() || tm.Year() == 2024 }
	for _, tr := range run.traces {
		for _, h := range tr.Hops {
			if !sane(h.First) || !sane(h.Last) {
				t.Errorf("%s: hop %s %s from %v to %v", tr.Key, h.Server, h.Role, h.First, h.Last)
			}
			if h.Server == "EX02" && h.Role == correlate.RoleDelivery && h.First.IsZero() {
				zeroHops++
			}
		}
		for _, r := range tr.Recipients {
			if !sane(r.Time) {
				t.Errorf("%s: %s %s at %v", tr.Key, r.Address, r.Status, r.Time)
			}
		}
		if !sane(tr.FirstSeen) || !sane(tr.LastSeen) {
			t.Errorf("%s: seen %v to %v", tr.Key, tr.FirstSeen, tr.LastSeen)
		}
		b, err := tr.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "1970-") || strings.Contains(string(b), "0001-") {
			t.Errorf("%s: JSON has an invented date: %s", tr.Key, b)
		}
	}
	keys := map[string]int{}
	for _, tr := range run.traces {
		keys[tr.Key]++
	}
	t.Logf("%d rows undated, %d EX02 delivery hops without time, %d traces for %d messages", undated, zeroHops, len(run.traces), len(keys))
	if zeroHops == 0 {
		t.Error("no EX02 delivery hop without time: the case is not reached")
	}
}
