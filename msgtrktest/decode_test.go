package msgtrktest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailtrace/mailtrace/eventdata"
	"github.com/mailtrace/mailtrace/messageinfo"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/recipstatus"
	"github.com/mailtrace/mailtrace/sourcecontext"
)

// decodeConfigs cover every version, with and without Edge, one Mailbox
// server, skew, duplicates and truncation.
func decodeConfigs() map[string]Config {
	return map[string]Config{
		"2016":              {Seed: 1, Messages: 300, Version: V2016},
		"2019-skew-dup-cut": {Seed: 2, Messages: 300, Version: V2019, MaxSkew: 2 * time.Minute, DuplicateFiles: 3, TruncateFiles: 2},
		"2013":              {Seed: 3, Messages: 300, Version: V2013},
		"2010":              {Seed: 4, Messages: 300, Version: V2010},
		"2010-restarts":     {Seed: 8, Messages: 300, Version: V2010, Restarts: 0.5, Meetings: 0.3},
		"2007":              {Seed: 9, Messages: 300, Version: V2007, MaxSkew: time.Minute},
		"2016-meetings":     {Seed: 10, Messages: 300, Version: V2016, Restarts: 0.5, Meetings: 0.3},
		"2016-noedge":       {Seed: 5, Messages: 300, EdgeServers: NoEdge, Groups: 12, Users: 80},
		"2016-onebox":       {Seed: 6, Messages: 200, MailboxServers: 1, EdgeServers: 2, Groups: -1},
		"2013-noedge-small": {Seed: 7, Messages: 150, Version: V2013, EdgeServers: NoEdge, MailboxServers: 2, Users: 4, MaxFileBytes: 20000},
	}
}

// TestEveryRowDecodes reads every file back with msgtrk and decodes every
// field of every row with the field packages: nothing may fail, and each
// field must have the shape its event calls for.
func TestEveryRowDecodes(t *testing.T) {
	for name, cfg := range decodeConfigs() {
		t.Run(name, func(t *testing.T) {
			fsys, tr, s := mustRun(t, cfg)
			rows := readRows(t, fsys, cutLines(tr), true)
			if len(rows) == 0 {
				t.Fatal("no rows")
			}
			for i := range rows {
				if err := checkRow(s, &rows[i]); err != nil {
					t.Errorf("%s:%d (%s %s): %v", rows[i].File, rows[i].Line, rows[i].get(msgtrk.Source), rows[i].get(msgtrk.EventID), err)
					if t.Failed() && i > 20 {
						t.FailNow()
					}
				}
			}
		})
	}
}

// wantInfo is the message-info shape of each event.
var wantInfo = map[string]messageinfo.Kind{
	"STOREDRIVER NOTIFYMAPI": messageinfo.KindLatency, "STOREDRIVER RECEIVE": messageinfo.KindAuthCode,
	"STOREDRIVER SUBMIT": messageinfo.KindLatency, "SMTP RECEIVE": messageinfo.KindAuthCode,
	"SMTP SEND": messageinfo.KindLatency, "SMTP SENDEXTERNAL": messageinfo.KindLatency,
	"STOREDRIVER DELIVER": messageinfo.KindLatency, "STOREDRIVER DELIVERFAIL": messageinfo.KindLatency,
	"STOREDRIVER DUPLICATEDELIVER": messageinfo.KindLatency, "SMTP FAIL": messageinfo.KindLatency,
	"SMTP DEFER": messageinfo.KindTimestamp, "STOREDRIVER DEFER": messageinfo.KindTimestamp,
	"STOREDRIVER FAIL": messageinfo.KindLatency, "ROUTING FAIL": messageinfo.KindLatency,
}

// wantContext is the source-context shape of each event (others: empty).
var wantContext = map[string]sourcecontext.Kind{
	"STOREDRIVER NOTIFYMAPI": sourcecontext.KindStore, "STOREDRIVER RECEIVE": sourcecontext.KindStore,
	"STOREDRIVER SUBMIT": sourcecontext.KindStore, "SMTP RECEIVE": sourcecontext.KindReceive,
	"SMTP SEND": sourcecontext.KindSend, "SMTP SENDEXTERNAL": sourcecontext.KindSend,
	"STOREDRIVER DELIVER": sourcecontext.KindDelivery, "STOREDRIVER DELIVERFAIL": sourcecontext.KindDelivery,
	"STOREDRIVER DUPLICATEDELIVER": sourcecontext.KindDelivery, "SMTP HAREDIRECT": sourcecontext.KindShadowRedirect,
	"SMTP HAREDIRECTFAIL": sourcecontext.KindShadowFail, "ROUTING RESOLVE": sourcecontext.KindRecipientDN,
	"ROUTING REDIRECT": sourcecontext.KindRecipientDN, "ROUTING DUPLICATEREDIRECT": sourcecontext.KindUnknown,
	"ROUTING TRANSFER": sourcecontext.KindTransferReason, "SMTP HARECEIVE": sourcecontext.KindUnknown,
	"DSN DSN": sourcecontext.KindDSN,
}

// wantStatus is the recipient-status shape of each event (others: none).
var wantStatus = map[string]recipstatus.Kind{
	"STOREDRIVER RECEIVE": recipstatus.KindRecipientType, "SMTP SEND": recipstatus.KindSMTPResponse,
	"SMTP SENDEXTERNAL": recipstatus.KindSMTPResponse, "SMTP DEFER": recipstatus.KindSMTPResponse,
	"STOREDRIVER DEFER": recipstatus.KindSMTPResponse, "STOREDRIVER FAIL": recipstatus.KindSMTPResponse,
	"ROUTING FAIL": recipstatus.KindSMTPResponse,
	"SMTP FAIL":    recipstatus.KindLastError, "STOREDRIVER DELIVERFAIL": recipstatus.KindStoreDiagnostic,
	"ROUTING DROP": recipstatus.KindSMTPResponse, "AGENT DROP": recipstatus.KindSMTPResponse,
}

func checkRow(s *Sim, r *row) error {
	v := s.cfg.Version
	ev := r.get(msgtrk.Source) + " " + r.get(msgtrk.EventID)
	if msgtrk.ParseEventType([]byte(r.get(msgtrk.EventID))) == msgtrk.EventUnknown {
		return fmt.Errorf("unknown event-id %q", r.get(msgtrk.EventID))
	}
	if msgtrk.ParseSourceType([]byte(r.get(msgtrk.Source))) == msgtrk.SourceUnknown {
		return fmt.Errorf("unknown source %q", r.get(msgtrk.Source))
	}
	// Columns of the version.
	if want := v.Layout().Fields(); len(r.Ev.Extra) != 0 || len(want) == 0 {
		return fmt.Errorf("extra columns %v", r.Ev.Extra)
	}
	if _, ok := msgtrk.ParseTime(r.get(msgtrk.DateTime)); !ok {
		return fmt.Errorf("date-time %q", r.get(msgtrk.DateTime))
	}
	// The logging server is named where msgtrk.LoggingServer looks.
	if got := strings.ToUpper(strings.SplitN(r.Logged, ".", 2)[0]); got != r.Server && !legacyPeerRow(s, r, got) {
		return fmt.Errorf("LoggingServer names %q, the file is %s's", r.Logged, r.Server)
	}
	// Identifiers.
	nmid := r.get(msgtrk.NetworkMessageID)
	switch {
	case v <= V2010 && nmid != "":
		return fmt.Errorf("2007/2010 row with network-message-id %q", nmid)
	case v >= V2013 && ev != "STOREDRIVER NOTIFYMAPI":
		if _, ok := msgtrk.ParseGUID(nmid); !ok {
			return fmt.Errorf("network-message-id %q", nmid)
		}
	}
	if v >= V2016 {
		if _, ok := msgtrk.ParseGUID(r.get(msgtrk.LogID)); !ok {
			return fmt.Errorf("log-id %q", r.get(msgtrk.LogID))
		}
		if r.get(msgtrk.SchemaVersion) != v.Build() {
			return fmt.Errorf("schema-version %q", r.get(msgtrk.SchemaVersion))
		}
	}
	for _, f := range []msgtrk.Field{msgtrk.InternalMessageID, msgtrk.TotalBytes, msgtrk.RecipientCount} {
		if f == msgtrk.InternalMessageID && ev == "MEETINGMESSAGEPROCESSOR PROCESSMEETINGMESSAGE" {
			// (it holds the message-id, format.md §9.3)
			if r.get(f) != r.get(msgtrk.MessageID) {
				return fmt.Errorf("PROCESSMEETINGMESSAGE internal-message-id %q, message-id %q", r.get(f), r.get(msgtrk.MessageID))
			}
			continue
		}
		if x := r.get(f); x != "" {
			if n, err := strconv.ParseInt(x, 10, 64); err != nil || n < 0 {
				return fmt.Errorf("%v %q", f, x)
			}
		}
	}
	for _, f := range []msgtrk.Field{msgtrk.ClientIP, msgtrk.ServerIP, msgtrk.OriginalClientIP, msgtrk.OriginalServerIP} {
		if x := r.get(f); x != "" {
			if _, ok := msgtrk.ParseAddr([]byte(x)); !ok {
				return fmt.Errorf("%v %q", f, x)
			}
		}
	}
	// Recipients and their statuses pair up.
	rcpts := r.Ev.List(msgtrk.RecipientAddress)
	if c := r.get(msgtrk.RecipientCount); c != "" && c != strconv.Itoa(len(rcpts)) {
		return fmt.Errorf("recipient-count %s for %d recipients", c, len(rcpts))
	}
	statuses := r.Ev.List(msgtrk.RecipientStatus)
	if len(statuses) != 0 && len(statuses) != len(rcpts) {
		return fmt.Errorf("%d statuses for %d recipients", len(statuses), len(rcpts))
	}
	wantSt, hasSt := wantStatus[ev]
	if hasSt != (len(statuses) > 0) {
		return fmt.Errorf("recipient-status %q", r.get(msgtrk.RecipientStatus))
	}
	for _, st := range statuses {
		got, err := recipstatus.Parse([]byte(st))
		if err != nil {
			return fmt.Errorf("recipient-status %q: %v", st, err)
		}
		if got.Kind != wantSt {
			return fmt.Errorf("recipient-status %q is %v, want %v", st, got.Kind, wantSt)
		}
	}
	// message-info.
	mi := []byte(r.get(msgtrk.MessageInfo))
	info := messageinfo.Parse(mi)
	wantMI, ok := wantInfo[ev]
	if !ok || (v <= V2010 && (ev == "STOREDRIVER NOTIFYMAPI" || ev == "STOREDRIVER SUBMIT")) {
		// (2007/2010: as in the real 2007 SUBMIT and 2010 NOTIFYMAPI rows)
		wantMI = messageinfo.KindEmpty
	}
	if info.Kind != wantMI {
		return fmt.Errorf("message-info %q is %v, want %v", mi, info.Kind, wantMI)
	}
	switch info.Kind {
	case messageinfo.KindLatency:
		nodes, lat, err := messageinfo.AppendLatency(nil, mi)
		if err != nil {
			return fmt.Errorf("message-info %q: %v", mi, err)
		}
		if len(nodes) == 0 || lat.NumHops() == 0 || lat.Origin.IsZero() {
			return fmt.Errorf("message-info %q: no hops or origin", mi)
		}
		for i := 0; i < lat.NumHops(); i++ {
			h := lat.Hop(i)
			if h.Role == messageinfo.RoleUnknown || h.Root < 0 {
				return fmt.Errorf("message-info %q: hop %d has no role", mi, i)
			}
			var sum time.Duration
			for _, n := range nodes[h.First:h.End] {
				if int(n.Parent) == int(h.Root) && n.Flags&messageinfo.FlagExtended == 0 {
					sum += n.Duration
				}
			}
			if sum > h.Total {
				return fmt.Errorf("message-info %q: hop %d parts %v exceed total %v", mi, i, sum, h.Total)
			}
		}
	case messageinfo.KindAuthCode:
		if !info.Auth.IsValid() || info.Auth.Mechanism() == messageinfo.MechanismUnknown {
			return fmt.Errorf("auth code %q", mi)
		}
	}
	// source-context.
	src, evb, ctx := []byte(r.get(msgtrk.Source)), []byte(r.get(msgtrk.EventID)), []byte(r.get(msgtrk.SourceContext))
	c, err := sourcecontext.Parse(src, evb, ctx)
	if err != nil {
		return fmt.Errorf("source-context %q: %v", ctx, err)
	}
	wantCtx, ok := wantContext[ev]
	if !ok || (ev == "ROUTING TRANSFER" && len(ctx) == 0) || (v <= V2010 && ev == "STOREDRIVER DELIVER") {
		// (2007/2010: the transport's store driver delivers without an
		// SMTP session, format.md §8)
		wantCtx = sourcecontext.KindEmpty
	}
	if ev == "AGENT AGENTINFO" && len(ctx) > 0 {
		wantCtx = sourcecontext.KindAgent
	}
	if c.Kind != wantCtx {
		return fmt.Errorf("source-context %q is %v, want %v", ctx, c.Kind, wantCtx)
	}
	switch c.Kind {
	case sourcecontext.KindReceive:
		if !c.Receive.Session.IsValid() || c.Receive.Session.Start.IsZero() {
			return fmt.Errorf("source-context %q: no session", ctx)
		}
	case sourcecontext.KindSend:
		if c.Send.Reply.Response.Code != 250 {
			return fmt.Errorf("source-context %q: reply %d", ctx, c.Send.Reply.Response.Code)
		}
		if ev == "SMTP SEND" && !c.Send.Reply.Next.IsValid() && s.orgHost(r.get(msgtrk.ServerHostname)) {
			return fmt.Errorf("source-context %q: no next hop", ctx)
		}
	case sourcecontext.KindStore:
		if !c.Store.MDB.Valid || !c.Store.Mailbox.Valid || c.Store.Event == 0 || c.Store.ClientType == sourcecontext.ClientUnknown {
			return fmt.Errorf("source-context %q: store list incomplete", ctx)
		}
	case sourcecontext.KindDSN:
		if c.DSN != sourcecontext.DSNFailure { // (the simulator's DSNs are NDRs)
			return fmt.Errorf("source-context %q: DSN types %v, want Failure", ctx, c.DSN)
		}
	case sourcecontext.KindShadowRedirect:
		if len(c.Shadow.Host) == 0 || c.Shadow.Reply.Next.InternalID == 0 || len(c.Shadow.Reply.Next.Host) == 0 {
			return fmt.Errorf("source-context %q: shadow reply incomplete", ctx)
		}
		if c.Shadow.Reply.Next.Swapped != (v == V2013) {
			return fmt.Errorf("source-context %q: swapped=%v", ctx, c.Shadow.Reply.Next.Swapped)
		}
	}
	// custom-data.
	var d eventdata.Data
	if err := d.Decode([]byte(r.get(msgtrk.CustomData))); err != nil {
		return fmt.Errorf("custom-data %q: %v", r.get(msgtrk.CustomData), err)
	}
	if ev == "SMTP RECEIVE" && r.get(msgtrk.MessageInfo) == "0cA: " && v != V2007 { // (no custom-data in 2007, format.md §2)
		if !d.ProxiedClientIPAddress.IsValid() || d.NumProxyHops != 1 || len(d.FirstForestHop) == 0 || r.get(msgtrk.Directionality) != "Incoming" {
			return fmt.Errorf("anonymous RECEIVE without proxy data: %q", r.get(msgtrk.CustomData))
		}
	}
	return nil
}

// legacyPeerRow reports whether r is a 2007/2010 transport row that names,
// where msgtrk.LoggingServer looks, a host other than the one that wrote it
// (logged is that host's short name): a NOTIFYMAPI names none (as in the real
// 2010 sample), a STOREDRIVER RECEIVE names the mailbox server it picked the
// item up from (format.md §4: the file, not a column, tells the logging
// server).
func legacyPeerRow(s *Sim, r *row, logged string) bool {
	if s.cfg.Version > V2010 || r.Kind != msgtrk.LogTransport || r.get(msgtrk.Source) != "STOREDRIVER" {
		return false
	}
	switch r.get(msgtrk.EventID) {
	case "NOTIFYMAPI":
		return logged == ""
	case "RECEIVE":
		srv := s.org.server(logged)
		return srv != nil && srv.Role == RoleMailbox
	}
	return false
}
