package msgtrktest

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/mailtrace/mailtrace/eventdata"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// realRow is a row of testdata/real that the simulator also writes.
type realRow struct {
	file    string // in ../testdata/real
	version Version
	line    int // 1-based row number among the file's rows
	ev      string
	auth    string // for RECEIVE: the auth code to compare with
	noEdge  bool   // compare with an organisation without Edge (hub rows that an Edge would log)
	// allowed lists the differences the simulator keeps on purpose:
	// columns ("+col" filled by the simulator only, "-col" only by the
	// sample) and custom-data keys ("+S:key", "-S:key").
	allowed []string
}

var realRows = []realRow{
	{file: "Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_MSGTRKMS.log", version: V2016, line: 1, ev: "STOREDRIVER NOTIFYMAPI"},
	{file: "Qazeer_artefacts.help_pages_windows_server_roles_microsoft_exchange_MSGTRKMS.log", version: V2016, line: 2, ev: "STOREDRIVER RECEIVE"},
	{file: "elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log", version: V2016, line: 6, ev: "STOREDRIVER NOTIFYMAPI"},
	{file: "elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log", version: V2016, line: 1, ev: "SMTP HAREDIRECTFAIL",
		// The sample's message came from a Unix host through a front end.
		allowed: []string{"-S:OriginalFromAddress"}},
	{file: "elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log", version: V2016, line: 2, ev: "SMTP RECEIVE", auth: "0cA: ",
		// MessageValue and Replication are not modelled.
		allowed: []string{"-S:MessageValue", "-S:Replication"}},
	{file: "elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log", version: V2016, line: 4, ev: "SMTP SEND",
		// The sample's SEND goes to another organisation's hub through the
		// intra-organisation connector (no original-*-ip either way).
		allowed: nil},
	{file: "elastic_integrations_microsoft_exchange_server_messagetracking_test-messagetracking.log", version: V2016, line: 5, ev: "SMTP SENDEXTERNAL", noEdge: true,
		// The sample's sender-address is empty (an NDR relayed out).
		allowed: []string{"+sender-address", "-S:OriginalFromAddress"}},
	{file: "awslabs_kinesis-agent-windows_Amazon.KinesisTap.FileSystem.Test_ExchangeLogParserTest.log", version: V2013, line: 1, ev: "AGENT AGENTINFO",
		allowed: []string{"-S:OriginalFromAddress", "-original-client-ip"}},
	{file: "awslabs_kinesis-agent-windows_Amazon.KinesisTap.FileSystem.Test_ExchangeLogParserTest.log", version: V2013, line: 2, ev: "SMTP HAREDIRECT",
		allowed: []string{"-S:OriginalFromAddress"}},
	{file: "leweafan_filebeat-modules_exchange_README_RESOLVE.log", version: V2016, line: 1, ev: "ROUTING RESOLVE"},
}

func readReal(t *testing.T, rr realRow) *row {
	t.Helper()
	f, err := os.Open("../testdata/real/" + rr.file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := msgtrk.NewReader(f)
	rd.Fields = rr.version.Layout().FieldNames()
	n := 0
	for rd.Next() {
		n++
		if n == rr.line {
			rec := rd.Record()
			return &row{Ev: rec.Event()}
		}
	}
	t.Fatalf("%s: no row %d (%v)", rr.file, rr.line, rd.Err())
	return nil
}

// shape is what the comparison looks at: the non-empty columns and the
// custom-data keys.
func shape(r *row, l msgtrk.Layout) []string {
	var out []string
	for _, f := range l.Fields() {
		if r.get(f) != "" {
			out = append(out, f.String())
		}
	}
	var s eventdata.Scanner
	s.Init([]byte(r.get(msgtrk.CustomData)))
	for s.Next() {
		out = append(out, string(s.TagRaw())+":"+string(s.Key()))
	}
	slices.Sort(out)
	return out
}

// TestRealism compares the rows the simulator writes with the real rows of
// the same event in testdata/real: the same columns are filled and the
// same custom-data keys are present, except for the differences listed in
// realRows with their reason.
func TestRealism(t *testing.T) {
	sims := map[Version][]row{}
	for _, v := range []Version{V2013, V2016} {
		fsys, _, _ := mustRun(t, Config{Seed: 31, Messages: 300, Version: v})
		sims[v] = readRows(t, fsys, nil, false)
	}
	fsys, _, _ := mustRun(t, Config{Seed: 31, Messages: 300, EdgeServers: NoEdge})
	noEdge := readRows(t, fsys, nil, false)
	for _, rr := range realRows {
		real := readReal(t, rr)
		if got := real.get(msgtrk.Source) + " " + real.get(msgtrk.EventID); got != rr.ev {
			t.Fatalf("%s row %d is %s, want %s", rr.file, rr.line, got, rr.ev)
		}
		want := shape(real, rr.version.Layout())
		best := ""
		found := false
		cands := sims[rr.version]
		if rr.noEdge {
			cands = noEdge
		}
		for i := range cands {
			r := &cands[i]
			if r.get(msgtrk.Source)+" "+r.get(msgtrk.EventID) != rr.ev || (rr.auth != "" && r.get(msgtrk.MessageInfo) != rr.auth) {
				continue
			}
			got := shape(r, rr.version.Layout())
			diff := shapeDiff(want, got)
			if len(allowedLeft(diff, rr.allowed)) == 0 {
				found = true
				break
			}
			if best == "" || len(diff) < strings.Count(best, "\n") {
				best = strings.Join(diff, "\n")
			}
		}
		if !found {
			t.Errorf("%s row %d (%s): no simulated row has its shape; closest differs by:\n%s", rr.file, rr.line, rr.ev, best)
		}
	}
}

// shapeDiff lists "+x" for what only got has and "-x" for what only want
// has; custom-data keys are written "+S:key".
func shapeDiff(want, got []string) []string {
	w := map[string]bool{}
	for _, x := range want {
		w[x] = true
	}
	g := map[string]bool{}
	var out []string
	for _, x := range got {
		g[x] = true
		if !w[x] {
			out = append(out, "+"+x)
		}
	}
	for _, x := range want {
		if !g[x] {
			out = append(out, "-"+x)
		}
	}
	return out
}

func allowedLeft(diff, allowed []string) []string {
	var left []string
	for _, d := range diff {
		ok := false
		for _, a := range allowed {
			ok = ok || a == d
		}
		if !ok {
			left = append(left, d)
		}
	}
	return left
}
