package msgtrk_test

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

const exampleLog = "\uFEFF#Software: Microsoft Exchange Server\r\n" +
	"#Version: 15.02.1544.004\r\n" +
	"#Log-type: Message Tracking Log\r\n" +
	"#Date: 2024-01-25T15:16:09.843Z\r\n" +
	"#Fields: date-time,source,event-id,message-id,recipient-address,recipient-status,message-subject\r\n" +
	"2024-01-25T15:16:09.949Z,SMTP,RECEIVE,<a1@contoso.com>,dl@contoso.com,,\"Budget, Q1\"\r\n" +
	"2024-01-25T15:16:10.101Z,SMTP,SEND,<a1@contoso.com>,ann@contoso.com;bob@contoso.com,250 2.1.5 Recipient OK;250 2.1.5 Recipient OK,\"Budget, Q1\"\r\n" +
	"2024-01-25T15:16:10.2"

func ExampleReader() {
	r := msgtrk.NewReader(strings.NewReader(exampleLog))
	for r.Next() {
		rec := r.Record()
		t, _ := rec.Time()
		fmt.Println(t.Format(time.TimeOnly), rec.EventType(), string(rec.Field(msgtrk.MessageSubject)))
	}
	// The last line has no line ending: the server was still writing.
	fmt.Println(r.Err())
	// Output:
	// 15:16:09 RECEIVE Budget, Q1
	// 15:16:10 SEND Budget, Q1
	// msgtrk: 8:22: truncated last line: "2024-01-25T15:16:10.2"
}

func ExampleRecipientScanner() {
	r := msgtrk.NewReader(strings.NewReader(exampleLog))
	var s msgtrk.RecipientScanner
	for r.Next() {
		rec := r.Record()
		s.Init(rec)
		for s.Next() {
			fmt.Printf("%s %s %q\n", rec.EventType(), s.Address(), s.Status())
		}
	}
	// Output:
	// RECEIVE dl@contoso.com ""
	// SEND ann@contoso.com "250 2.1.5 Recipient OK"
	// SEND bob@contoso.com "250 2.1.5 Recipient OK"
}

func ExampleReader_errorHandler() {
	in := "#Fields: date-time,event-id,message-id\r\n" +
		"2024-01-25T15:16:09.949Z,RECEIVE,<a@x>\r\n" +
		"2024-01-25T15:16:10.000Z,\"SEND,<b@x>\r\n" + // a quote that never closes
		"2024-01-25T15:16:11.000Z,DELIVER,<c@x>\r\n"
	r := msgtrk.NewReader(strings.NewReader(in))
	r.Name = "MSGTRK2024012515-1.LOG"
	r.ErrorHandler = func(e *msgtrk.ParseError) { fmt.Println("skipped:", e) }
	for r.Next() {
		fmt.Println(string(r.Record().Field(msgtrk.MessageID)))
	}
	fmt.Println(r.Err(), r.Stats().Errors)
	// Output:
	// <a@x>
	// skipped: msgtrk: MSGTRK2024012515-1.LOG:3:26: field event-id: extraneous or missing " in quoted field: "\"SEND,<b@x>"
	// <c@x>
	// <nil> 1
}

func ExampleWriter() {
	w := msgtrk.NewWriter(os.Stdout)
	w.LineEnding = "\n"
	w.OmitBOM = true
	w.WriteHeader(msgtrk.Header{Fields: []string{"date-time", "event-id", "recipient-address", "message-subject"}})
	var e msgtrk.Event
	e.SetTime(time.Date(2024, 1, 25, 15, 16, 9, 949e6, time.UTC))
	e.Set(msgtrk.EventID, "DELIVER")
	e.SetList(msgtrk.RecipientAddress, []string{"ann@contoso.com", "bob@contoso.com"})
	e.Set(msgtrk.MessageSubject, "Say \"hi\",\nthen go")
	w.WriteEvent(&e)
	w.Flush()
	// Output:
	// #Software: Microsoft Exchange Server
	// #Log-type: Message Tracking Log
	// #Fields: date-time,event-id,recipient-address,message-subject
	// 2024-01-25T15:16:09.949Z,DELIVER,ann@contoso.com;bob@contoso.com,"Say ""hi"",\nthen go"
}

func ExampleParseFileName() {
	for _, name := range []string{"MSGTRK20160405-1.LOG", "MSGTRKMS2022091915-1.LOG", "msgtrkmd20240101-12.log.gz", "notes.txt"} {
		fn, ok := msgtrk.ParseFileName(name)
		fmt.Println(name, ok, fn.Kind, fn.Start.Format("2006-01-02T15"), fn.Hourly, fn.Seq, fn.Gzip)
	}
	// Output:
	// MSGTRK20160405-1.LOG true MSGTRK 2016-04-05T00 false 1 false
	// MSGTRKMS2022091915-1.LOG true MSGTRKMS 2022-09-19T15 true 1 false
	// msgtrkmd20240101-12.log.gz true MSGTRKMD 2024-01-01T00 false 12 true
	// notes.txt false unknown 0001-01-01T00 false 0 false
}

func ExampleServerFromPath() {
	fmt.Println(msgtrk.ServerFromPath("EX01/MSGTRK20240101-1.LOG"))
	fmt.Println(msgtrk.ServerFromPath(`EX02\c$\Program Files\Microsoft\Exchange Server\V15\TransportRoles\Logs\MessageTracking\MSGTRKMD20240101-1.LOG`))
	fmt.Printf("%q\n", msgtrk.ServerFromPath("MSGTRK20240101-1.LOG"))
	// Output:
	// EX01
	// EX02
	// ""
}
