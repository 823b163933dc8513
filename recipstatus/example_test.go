package recipstatus_test

import (
	"fmt"
	"strings"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/recipstatus"
)

func ExampleParse() {
	for _, member := range []string{
		"To",
		"250 2.1.5Recipient OK",
		"[{LED=501 5.1.4 Recipient address reserved by RFC 2606};{MSG=};{FQDN=server.mylab.test};{IP=192.168.159.133};{LRT=12/22/2020 2:28:06 AM}]",
		"STOREDRV.Deliver.Exception:MapiExceptionMaxSubmissionExceeded; Failed to process message [Stage: OnCreatedEvent]",
		"",
	} {
		st, err := recipstatus.Parse([]byte(member))
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		switch st.Kind {
		case recipstatus.KindRecipientType:
			fmt.Println(st.Kind, st.Type)
		case recipstatus.KindSMTPResponse:
			fmt.Println(st.Kind, st.Response.Code, st.Response.Enhanced, string(st.Response.Text))
		case recipstatus.KindLastError:
			l := st.LastError
			fmt.Println(st.Kind, l.LED.Code, l.LED.Enhanced, string(l.FQDN), l.IP, l.LRT.Time, l.LRT.Order)
		case recipstatus.KindStoreDiagnostic:
			d := st.Diagnostic
			stage, _ := d.Lookup("Stage")
			fmt.Println(st.Kind, string(d.Component), string(d.Exception), string(stage))
		default:
			fmt.Println(st.Kind)
		}
	}
	// Output:
	// RecipientType To
	// SMTPResponse 250 2.1.5 Recipient OK
	// LastError 501 5.1.4 server.mylab.test 192.168.159.133 2020-12-22 02:28:06 +0000 UTC MonthFirst
	// StoreDiagnostic STOREDRV MapiExceptionMaxSubmissionExceeded OnCreatedEvent
	// Empty
}

func ExampleParseResponse() {
	r, err := recipstatus.ParseResponse([]byte("550 4.4.7 QUEUE.Expired;message expired"))
	fmt.Println(r.Code, r.Enhanced.Class, r.Enhanced, string(r.Text), err)
	d, ok := r.Diagnostic()
	fmt.Println(ok, string(d.Code), string(d.Message))

	_, err = recipstatus.ParseResponse([]byte("OK"))
	fmt.Println(err)
	// Output:
	// 550 4 4.4.7 QUEUE.Expired;message expired <nil>
	// true QUEUE.Expired message expired
	// recipstatus: malformed smtp reply code at offset 0 near "OK"
}

func ExampleParseLastError() {
	// The older writer puts LRT first; items are read by key.
	l, err := recipstatus.ParseLastError([]byte("[{LRT=07.10.2020 16:27:19};{LED=451 4.4.0 DNS query failed};{FQDN=mx.example.com};{IP=10.0.0.1}]"))
	fmt.Println(l.Present, l.LED.Code, string(l.LED.Text), l.LRT.Time, l.LRT.Order, err)
	fmt.Println(string(l.AppendTo(nil)))
	// Output:
	// LED|FQDN|IP|LRT 451 DNS query failed 2020-10-07 16:27:19 +0000 UTC DayFirst <nil>
	// [{LED=451 4.4.0 DNS query failed};{FQDN=mx.example.com};{IP=10.0.0.1};{LRT=07.10.2020 16:27:19}]
}

func ExampleParseLocalTime() {
	for _, s := range []string{"12/22/2020 2:28:06 AM", "07.10.2020 16:27:19", "22/12/2020 14:28:06", "01/02/2021 10:00:00"} {
		lt, err := recipstatus.ParseLocalTime([]byte(s))
		fmt.Println(lt.Order, lt.Time, err)
	}
	// Output:
	// MonthFirst 2020-12-22 02:28:06 +0000 UTC <nil>
	// DayFirst 2020-10-07 16:27:19 +0000 UTC <nil>
	// DayFirst 2020-12-22 14:28:06 +0000 UTC <nil>
	// Unknown 0001-01-01 00:00:00 +0000 UTC <nil>
}

func ExamplePairScanner() {
	d, _ := recipstatus.ParseDiagnostic([]byte("STOREDRV.Deliver.Exception:E; failed [Stage: OnCreatedEvent][Agent: Meeting Message Processing Agent][DestinationFolder: ]"))
	var s recipstatus.PairScanner
	s.Init(d.Trailer)
	for s.Next() {
		fmt.Printf("%s=%q\n", s.Key(), s.Value())
	}
	// Output:
	// Stage="OnCreatedEvent"
	// Agent="Meeting Message Processing Agent"
	// DestinationFolder=""
}

func ExampleItemScanner() {
	var s recipstatus.ItemScanner
	s.Init([]byte("[{LED=250 OK};{X-New=1};{MSG=}]"))
	for s.Next() {
		fmt.Printf("%s=%q\n", s.Key(), s.Value())
	}
	fmt.Println(s.Err())
	// Output:
	// LED="250 OK"
	// X-New="1"
	// MSG=""
	// <nil>
}

func ExampleParseRecord() {
	log := "#Fields: date-time,event-id,recipient-address,recipient-status\r\n" +
		"2020-12-22T02:28:06.079Z,FAIL,a@x;b@x,250 2.1.5 Recipient OK;'[{LED=550 5.1.1 gone; sorry};{LRT=12/22/2020 2:28:06 XM}]'\r\n"
	r := msgtrk.NewReader(strings.NewReader(log))
	r.Name = "MSGTRK2020122202-1.LOG"
	r.Next()
	var s msgtrk.RecipientScanner
	s.Init(r.Record())
	for s.Next() {
		st, err := recipstatus.ParseRecord(&s)
		fmt.Println(string(s.Address()), st.Kind)
		if err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// a@x SMTPResponse
	// b@x LastError
	// msgtrk: MSGTRK2020122202-1.LOG:2:116: field recipient-status: recipstatus: malformed local time at offset 53 near "XM}]"
}
