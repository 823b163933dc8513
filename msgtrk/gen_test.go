package msgtrk

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"time"
)

// genLog builds a realistic 2016-layout log of n rows: about 700 bytes and
// 30 fields a row, a tenth of them with a quoted subject (commas, doubled
// quotes), the mix of events of a busy hub.
func genLog(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	var b bytes.Buffer
	w := NewWriter(&b)
	w.WriteHeader(Header{Version: "15.02.1544.004", Date: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)})
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	events := []string{"RECEIVE", "SEND", "DELIVER", "AGENTINFO", "HAREDIRECT", "HARECEIVE", "HADISCARD", "SUBMIT", "NOTIFYMAPI", "TRANSFER", "RESOLVE", "EXPAND"}
	sources := map[string]string{"RECEIVE": "SMTP", "SEND": "SMTP", "DELIVER": "STOREDRIVER", "AGENTINFO": "AGENT", "HAREDIRECT": "SMTP", "HARECEIVE": "SMTP", "HADISCARD": "SMTP", "SUBMIT": "STOREDRIVER", "NOTIFYMAPI": "STOREDRIVER", "TRANSFER": "ROUTING", "RESOLVE": "ROUTING", "EXPAND": "ROUTING"}
	for i := 0; i < n; i++ {
		var e Event
		ev := events[rng.IntN(len(events))]
		e.SetTime(t0.Add(time.Duration(i) * 37 * time.Millisecond))
		e.Set(ClientIP, fmt.Sprintf("10.%d.%d.%d", rng.IntN(256), rng.IntN(256), rng.IntN(256)))
		e.Set(ClientHostname, fmt.Sprintf("EXMB%02d.corp.contoso.com", rng.IntN(20)))
		e.Set(ServerIP, fmt.Sprintf("10.1.%d.%d", rng.IntN(256), rng.IntN(256)))
		e.Set(ServerHostname, fmt.Sprintf("EXHUB%02d", rng.IntN(8)))
		e.Set(SourceContext, fmt.Sprintf("08DC1DB12C%06X;2024-03-01T00:00:%02d.544Z;%d", rng.IntN(1<<24), rng.IntN(60), rng.IntN(5)))
		e.Set(ConnectorID, "EXHUB01\\Default EXHUB01")
		e.Set(Source, sources[ev])
		e.Set(EventID, ev)
		e.Set(InternalMessageID, fmt.Sprint(70912345566403+rng.IntN(1e6)))
		e.Set(MessageID, fmt.Sprintf("<%016x%08x@EXMB%02d.corp.contoso.com>", rng.Uint64(), rng.Uint32(), rng.IntN(20)))
		e.Set(NetworkMessageID, fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<16), rng.IntN(1<<16), rng.Uint64()&(1<<48-1)))
		nr := 1 + rng.IntN(3)
		var rcpts, stats []string
		for j := 0; j < nr; j++ {
			rcpts = append(rcpts, fmt.Sprintf("user%d.lastname@contoso.com", rng.IntN(5000)))
			stats = append(stats, "250 2.1.5 Recipient OK")
		}
		e.SetList(RecipientAddress, rcpts)
		e.SetList(RecipientStatus, stats)
		e.Set(TotalBytes, fmt.Sprint(2000+rng.IntN(1e6)))
		e.Set(RecipientCount, fmt.Sprint(nr))
		if rng.IntN(10) == 0 {
			e.Set(MessageSubject, `RE: "Quarterly numbers", Q1, draft `+fmt.Sprint(rng.IntN(100)))
		} else {
			e.Set(MessageSubject, "Weekly status report for project "+fmt.Sprint(rng.IntN(1000)))
		}
		e.Set(SenderAddress, fmt.Sprintf("sender%d@contoso.com", rng.IntN(5000)))
		e.Set(ReturnPath, e.Get(SenderAddress))
		e.Set(MessageInfo, "2024-03-01T00:00:05.535Z;LSRV=EXHUB01.corp.contoso.com:TOTAL-HUB=1.921|SMR=0.127(SMRDE=0.002|SMRC=0.125)|CAT=0.098|QDM=0.010|SMS=0.076")
		e.Set(Directionality, "Originating")
		e.Set(OriginalClientIP, "10.11.12.13")
		e.Set(OriginalServerIP, "10.11.12.14")
		e.Set(CustomData, "S:E2ELatency=1.928;S:MsgRecipCount=1;S:IncludeInSla=True;S:DeliveryPriority=Normal;S:AccountForest=corp.contoso.com")
		e.Set(TransportTrafficType, "Email")
		e.Set(LogID, fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<16), rng.IntN(1<<16), rng.Uint64()&(1<<48-1)))
		e.Set(SchemaVersion, "15.02.1544.004")
		if err := w.WriteEvent(&e); err != nil {
			panic(err)
		}
	}
	w.Flush()
	return b.Bytes()
}
