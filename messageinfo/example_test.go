package messageinfo_test

import (
	"fmt"
	"strings"

	"github.com/mailtrace/mailtrace/messageinfo"
	"github.com/mailtrace/mailtrace/msgtrk"
)

func ExampleClassify() {
	for _, v := range []string{
		"",
		"0cA: ",
		"2022-09-19T15:02:29.211Z",
		"2022-09-19T15:02:29.211Z;LSRV=ex.example.com:TOTAL-SUB=0.128|SA=0.128|MTSS-PEN=0.000",
		"something else",
	} {
		fmt.Printf("%-9v %q\n", messageinfo.Classify([]byte(v)), v)
	}
	// Output:
	// Empty     ""
	// AuthCode  "0cA: "
	// Timestamp "2022-09-19T15:02:29.211Z"
	// Latency   "2022-09-19T15:02:29.211Z;LSRV=ex.example.com:TOTAL-SUB=0.128|SA=0.128|MTSS-PEN=0.000"
	// Unknown   "something else"
}

func ExampleParse() {
	info := messageinfo.Parse([]byte("2024-01-07T00:00:05.535Z;LSRV=ex:TOTAL-HUB=1.921"))
	fmt.Println(info.Kind, info.Time)
	// Output:
	// Latency 2024-01-07 00:00:05.535 +0000 UTC
}

func ExampleParseAuthCode() {
	for _, v := range []string{"04I: ", "0cA: ", "07I: NTS: None"} {
		src := []byte(v)
		a, err := messageinfo.ParseAuthCode(src)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-16q mechanism=%v category=%v anonymous=%v detail=%q\n",
			v, a.Mechanism(), a.Category(), a.Anonymous(), a.Detail.Bytes(src))
	}
	// Output:
	// "04I: "          mechanism=SecureMapiSubmit category=Internal anonymous=false detail=""
	// "0cA: "          mechanism=MutualGSSAPI category=Anonymous anonymous=true detail=""
	// "07I: NTS: None" mechanism=Login category=Internal anonymous=false detail="NTS: None"
}

func ExampleAppendLatency() {
	src := []byte("2025-01-14T09:28:50.814Z;SRV=fe.example:TOTAL-FE=0.074|SMR=0.072(SMRPI=0.002(SMRPI-FrontendProxyAgent=0.002))|SMS=0.002;" +
		"SRV=hub.example:TOTAL-HUB=14.439|SMR=0.279(SMRC=0.105(SMRCL=0.105|X-SMRCR=0.016))|QDE=13.818|SMS=0.291")
	var nodes []messageinfo.Node // reuse across rows: nodes = nodes[:0]
	nodes, lat, err := messageinfo.AppendLatency(nodes, src)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("origin", lat.Origin)
	for i := range lat.NumHops() {
		h := lat.Hop(i)
		fmt.Printf("hop %d %s role=%v total=%v\n", i, h.Server.Bytes(src), h.Role, h.Total)
		for _, n := range nodes[h.First:h.End] {
			fmt.Printf("  %s%s %v", strings.Repeat("  ", int(n.Depth)), n.Code.Bytes(src), n.Duration)
			if !n.Agent.IsEmpty() {
				fmt.Printf(" agent=%q", n.Agent.Bytes(src))
			}
			if n.Flags != 0 {
				fmt.Printf(" [%v]", n.Flags)
			}
			fmt.Println()
		}
	}
	// Output:
	// origin 2025-01-14 09:28:50.814 +0000 UTC
	// hop 0 fe.example role=FrontEnd total=74ms
	//   TOTAL 74ms [Total]
	//     SMR 72ms
	//       SMRPI 2ms
	//         SMRPI 2ms agent="FrontendProxyAgent"
	//     SMS 2ms
	// hop 1 hub.example role=Hub total=14.439s
	//   TOTAL 14.439s [Total]
	//     SMR 279ms
	//       SMRC 105ms
	//         SMRCL 105ms
	//         SMRCR 16ms [Extended]
	//     QDE 13.818s
	//     SMS 291ms
}

// The slowest transport agent on the logging server (the last hop),
// ignoring extended (X-) measurements: the question behind most latency
// reports.
func ExampleAppendLatency_slowest() {
	src := []byte("2024-01-07T00:00:05.535Z;LSRV=exchange.example.com:TOTAL-HUB=1.921|SMR=0.127(SMRDE=0.002|SMRC=0.125(SMRCL=0.105|X-SMRCR=0.125))|" +
		"CAT=1.698(CATOS=0.018|CATRESL=0.004|CATORES=1.567(CATRS=1.566(CATRS-Index Routing Agent=1.444)))|QDM=0.010|SMSC=0.006(X-SMSDR=0.011)|SMS=0.076")
	nodes, lat, err := messageinfo.AppendLatency(nil, src)
	if err != nil {
		fmt.Println(err)
		return
	}
	h, _ := lat.Local()
	slowest := -1
	for k := h.First; k < h.End; k++ {
		n := nodes[k]
		if n.Flags&(messageinfo.FlagTotal|messageinfo.FlagExtended) == 0 && !n.Agent.IsEmpty() &&
			(slowest < 0 || n.Duration > nodes[slowest].Duration) {
			slowest = int(k)
		}
	}
	n := nodes[slowest]
	info, _ := messageinfo.LookupComponent(n.Code.Bytes(src))
	fmt.Printf("%s: agent %q in %s (%s) took %v of %v\n", h.Server.Bytes(src), n.Agent.Bytes(src), n.Code.Bytes(src), info.Meaning, n.Duration, h.Total)
	// Output:
	// exchange.example.com: agent "Index Routing Agent" in CATRS (resolved-message agents (Transport Rule Agent, DLP Policy Agent, Prioritization Agent, Index Routing Agent)) took 1.444s of 1.921s
}

func ExampleAppendCanonical() {
	// Exchange Online folds long strings with spaces.
	src := []byte("2021-11-23T19:49:36.395Z;SRV=hub:TOTAL-HUB=0.504|CAT=0.297(CATORES=0.187 (CATRS=0.187))|D-PEN=0.053(HSDSP=0.052 (HSRR=0.051 ))")
	nodes, lat, err := messageinfo.AppendLatency(nil, src)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(messageinfo.AppendCanonical(nil, src, nodes, &lat)))
	// Output:
	// 2021-11-23T19:49:36.395Z;SRV=hub:TOTAL-HUB=0.504|CAT=0.297(CATORES=0.187(CATRS=0.187))|D-PEN=0.053(HSDSP=0.052(HSRR=0.051))
}

func ExampleLookupComponent() {
	for _, code := range []string{"QDE", "SMRCR", "HSDN", "NOPE"} {
		c, ok := messageinfo.LookupComponent([]byte(code))
		fmt.Printf("%-5s %-5v basis=%-6v %s\n", code, ok, c.Basis, c.Meaning)
	}
	// Output:
	// QDE   true  basis=Sample queued for external delivery (SENDEXTERNAL)
	// SMRCR true  basis=Name   SMTP receive, commit remote (shadow copy), as X-SMRCR
	// HSDN  true  basis=Name   HTTP-based hop send, notification (Exchange Online)?
	// NOPE  false basis=Unknown
}

func ExampleAppendLatencyRecord() {
	log := "#Fields: date-time,event-id,message-info\r\n" +
		"2024-01-07T00:00:07.463Z,SEND,2024-01-07T00:00:05.535Z;LSRV=ex.example.com:TOTAL-HUB=1.921|SMR=0.127|QDM=0.010\r\n" +
		"2024-01-07T00:00:09.000Z,SEND,2024-01-07T00:00:05.535Z;LSRV=ex.example.com:TOTAL-HUB=1.921|SMR=0.1x7\r\n"
	r := msgtrk.NewReader(strings.NewReader(log))
	r.Name = "MSGTRK2024010700-1.LOG"
	var nodes []messageinfo.Node
	for r.Next() {
		var lat messageinfo.Latency
		var err error
		nodes, lat, err = messageinfo.AppendLatencyRecord(nodes[:0], r.Record())
		if err != nil {
			fmt.Println(err)
			continue
		}
		h, _ := lat.Local()
		fmt.Println(h.Role, h.Total, len(nodes), "records")
	}
	// Output:
	// Hub 1.921s 3 records
	// msgtrk: MSGTRK2024010700-1.LOG:3:99: field message-info: messageinfo: malformed latency string at offset 68 near "x7"
}
