package correlate_test

import (
	"strings"
	"testing"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

// TestInternetSendsEveryVersion: a send to the Internet is a SENDEXTERNAL
// from 2016 on and a SEND through the Internet send connector before
// (format.md §9.1), on the Edge or on a hub without Edge, answered by a
// non-Exchange server or by Office 365 (an Exchange reply), through a
// connector whatever its name: every version's recipients are
// sent_external at the server that sent them out, never handed off inside
// the organisation, including in an organisation's very first message
// (no accepted domain learnt yet).
func TestInternetSendsEveryVersion(t *testing.T) {
	for _, v := range []msgtrktest.Version{msgtrktest.V2007, msgtrktest.V2010, msgtrktest.V2013, msgtrktest.V2016, msgtrktest.V2019} {
		for _, edges := range []int{msgtrktest.NoEdge, 1} {
			sends, sent := 0, 0
			for seed := uint64(1); seed <= 12; seed++ {
				msgs := 30
				if seed > 4 {
					msgs = 1 // (the first message: no domain learnt)
				}
				cfg := msgtrktest.Config{Seed: seed, Messages: msgs, Version: v, EdgeServers: edges, Mix: msgtrktest.Mix{Outbound: 3, Fail: 1}}
				sim, err := msgtrktest.New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				fsys, truth, err := sim.WriteFS()
				if err != nil {
					t.Fatal(err)
				}
				run := correlateFS(t, fsys, 1, correlate.Options{})
				if msg := compareTruth(truth, run); msg != "" {
					t.Fatalf("%v, edges %d, seed %d: %s", v, edges, seed, msg)
				}
				for _, m := range truth.Messages {
					for _, r := range m.Recipients {
						if r.Status == msgtrktest.StatusSentExternal {
							sent++
						}
					}
				}
				inputs, _ := msgtrk.FindFiles(fsys, ".")
				mg := msgtrk.NewMerger(inputs)
				for mg.Next() {
					rec := mg.Record()
					if rec.EventType() == msgtrk.EventSend && rec.Field(msgtrk.ServerHostname) != nil && !isOrgHost(string(rec.Field(msgtrk.ServerHostname))) {
						sends++
					}
				}
			}
			t.Logf("%v, edges %d: %d recipients sent outside, %d SEND rows to the Internet", v, edges, sent, sends)
			if sent == 0 || (v < msgtrktest.V2016) != (sends > 0) {
				t.Errorf("%v, edges %d: %d recipients sent outside, %d SEND rows to the Internet: the case is not reached", v, edges, sent, sends)
			}
		}
	}
}

// isOrgHost reports whether host is one of the simulated organisation's
// servers (EX01…, EDGE01…).
func isOrgHost(host string) bool {
	h := strings.ToLower(host)
	return strings.HasPrefix(h, "ex") || strings.HasPrefix(h, "edge")
}
