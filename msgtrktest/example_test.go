package msgtrktest_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
)

func ExampleNew() {
	sim, err := msgtrktest.New(msgtrktest.Config{Seed: 1, Messages: 10})
	if err != nil {
		panic(err)
	}
	for _, srv := range sim.Org().Servers {
		fmt.Println(srv.Name, srv.FQDN, srv.IP, srv.Role)
	}
	// Output:
	// EX01 ex01.corp.contoso.com 10.0.0.11 mailbox
	// EX02 ex02.corp.contoso.com 10.0.0.12 mailbox
	// EX03 ex03.corp.contoso.com 10.0.0.13 mailbox
	// EDGE01 edge01.contoso.com 172.16.10.11 edge
}

func ExampleSim_WriteFS() {
	sim, _ := msgtrktest.New(msgtrktest.Config{Seed: 1, Messages: 20, Mix: msgtrktest.Mix{Inbound: 1}})
	fsys, truth, err := sim.WriteFS()
	if err != nil {
		panic(err)
	}
	var paths []string
	for p := range fsys {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	fmt.Println(strings.Join(paths, "\n"))
	m := truth.Messages[0]
	fmt.Println(m.Kind, m.Sender, "via", m.Origin.Server, m.Origin.Auth)
	for _, h := range m.Hops {
		fmt.Println(" hop", h.Depth, h.Server, h.Role)
	}
	for _, r := range m.Recipients {
		fmt.Println(" ", r.Address, r.Status, "on", r.Server)
	}
	// Output:
	// EDGE01/MSGTRK20240304-1.LOG
	// EX01/MSGTRK20240304-1.LOG
	// EX01/MSGTRKMD20240304-1.LOG
	// EX02/MSGTRK20240304-1.LOG
	// EX02/MSGTRKMD20240304-1.LOG
	// EX03/MSGTRK20240304-1.LOG
	// EX03/MSGTRKMD20240304-1.LOG
	// inbound ursula.petrov@wingtiptoys.com via EDGE01 00A
	//  hop 0 EDGE01 edge
	//  hop 1 EX01 hub
	//  hop 2 EX02 delivery
	//  hop 2 EX03 delivery
	//   chris.jensen@contoso.com delivered on EX03
	//   quinn.sanders@contoso.com delivered on EX02
}

func ExampleSim_Stream() {
	sim, _ := msgtrktest.New(msgtrktest.Config{Seed: 2, Messages: 1, Mix: msgtrktest.Mix{Store: 1}})
	var buf bytes.Buffer
	truth, err := sim.Stream(&buf)
	if err != nil {
		panic(err)
	}
	rd := msgtrk.NewReader(&buf)
	for rd.Next() {
		rec := rd.Record()
		// The logging server, by short name or FQDN.
		srv := strings.ToUpper(strings.SplitN(string(msgtrk.LoggingServer(rec)), ".", 2)[0])
		fmt.Printf("%s %-6s %-11s %s\n", rec.Field(msgtrk.DateTime)[11:], srv, rec.Field(msgtrk.Source), rec.Field(msgtrk.EventID))
	}
	fmt.Println(truth.Events, "events")
	// Output:
	// 08:00:00.000Z EX01   STOREDRIVER NOTIFYMAPI
	// 08:00:00.140Z EX01   STOREDRIVER RECEIVE
	// 08:00:00.248Z EX02   SMTP        RECEIVE
	// 08:00:00.312Z EX01   STOREDRIVER SUBMIT
	// 08:00:00.327Z EX02   AGENT       AGENTINFO
	// 08:00:00.327Z EX02   AGENT       AGENTINFO
	// 08:00:00.526Z EX01   STOREDRIVER DELIVER
	// 08:00:00.537Z EX02   SMTP        SEND
	// 08:00:00.618Z EDGE01 SMTP        RECEIVE
	// 08:00:00.625Z EX02   SMTP        SEND
	// 08:00:00.681Z EDGE01 AGENT       AGENTINFO
	// 08:00:01.662Z EDGE01 SMTP        SENDEXTERNAL
	// 12 events
}

func ExampleReadTruth() {
	sim, _ := msgtrktest.New(msgtrktest.Config{Seed: 3, Messages: 5})
	_, truth, _ := sim.WriteFS()
	var jsonl bytes.Buffer
	if err := msgtrktest.NewTruthWriter(&jsonl).Close(truth); err != nil {
		panic(err)
	}
	back, err := msgtrktest.ReadTruth(&jsonl)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(back.Messages), "messages,", len(back.Files), "files,", back.Events, "events")
	// Output:
	// 5 messages, 8 files, 43 events
}
