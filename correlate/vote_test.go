package correlate_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// receiveLog returns a file system holding one log, EX01/MSGTRK…-1.LOG,
// of SMTP RECEIVE rows a second apart, each of its own message, the i-th
// naming hosts[i] as the server that received it.
func receiveLog(hosts []string) fstest.MapFS {
	log := "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.039\r\n#Log-type: Message Tracking Log\r\n#Date: 2024-03-04T08:00:00.000Z\r\n" + fields2016
	start := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)
	for i, h := range hosts {
		row := csvRow(fields2016, map[string]string{
			"client-ip": "192.0.2.7", "client-hostname": "mail.fabrikam.com", "server-hostname": h, "connector-id": h + `\Default Frontend ` + h,
			"source": "SMTP", "event-id": "RECEIVE", "message-id": fmt.Sprintf("<%d@fabrikam.com>", i),
			"network-message-id": fmt.Sprintf("00000000-0000-0000-0000-%012d", i), "recipient-address": "anna@contoso.com",
			"sender-address": "bob@fabrikam.com"})
		log += start.Add(time.Duration(i)*time.Second).Format("2006-01-02T15:04:05.000Z") + row[len("2024-03-04T08:00:00.000Z"):]
	}
	return fstest.MapFS{"EX01/MSGTRK20240304-1.LOG": {Data: []byte(log)}}
}

func repeatHosts(parts ...any) []string {
	var out []string
	for i := 0; i < len(parts); i += 2 {
		for range parts[i+1].(int) {
			out = append(out, parts[i].(string))
		}
	}
	return out
}

// TestVoteCountsEveryRow: every row of a file that names its host votes,
// up to the rows a vote counts, however many rows before it named the
// same host: a file whose rows name EX01 30 times and then EX02 twice is
// EX01's (nine tenths of its votes), and every row of it is EX01's; one
// whose rows name EX01 20 times and EX02 12 times is a merged stream, each
// row its own host's. Both for FileVote and for a Tracker, building on
// its goroutine and ahead. (A memo of the row before, in observe, once
// skipped the votes of rows that named the same host.)
func TestVoteCountsEveryRow(t *testing.T) {
	tests := []struct {
		name   string
		hosts  []string
		server string   // FileVote's and InputServers' answer, "" for a merged stream
		hops   []string // the server of each trace's hop, in order of the rows
	}{
		{"mostly EX01", repeatHosts("EX01", 30, "EX02", 2), "EX01", repeatHosts("EX01", 32)},
		{"merged", repeatHosts("EX01", 20, "EX02", 12), "", repeatHosts("EX01", 20, "EX02", 12)},
	}
	for _, tt := range tests {
		fsys := receiveLog(tt.hosts)
		in, err := msgtrk.FindFiles(fsys, ".")
		if err != nil {
			t.Fatal(err)
		}
		v := fileVoteOf(t, in)
		if got := v.Server(); got != tt.server {
			t.Errorf("%s: FileVote.Server() = %q, want %q", tt.name, got, tt.server)
		}
		for _, ahead := range []bool{false, true} {
			var hops []string
			tk, err := correlate.New(correlate.Options{BuildAhead: ahead, OnTrace: func(tr *correlate.Trace) {
				for _, h := range tr.Hops {
					hops = append(hops, h.Server)
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			in, _ := msgtrk.FindFiles(fsys, ".")
			correlate.Feed(t.Context(), msgtrk.NewMerger(in), tk, 0)
			want := map[string]string{}
			if tt.server != "" {
				want["EX01/MSGTRK20240304-1.LOG"] = tt.server
			}
			if got := tk.InputServers(); len(got) != len(want) || got["EX01/MSGTRK20240304-1.LOG"] != want["EX01/MSGTRK20240304-1.LOG"] {
				t.Errorf("%s (ahead %v): InputServers %v, want %v", tt.name, ahead, got, want)
			}
			if fmt.Sprint(hops) != fmt.Sprint(tt.hops) {
				t.Errorf("%s (ahead %v): hop servers %v, want %v", tt.name, ahead, hops, tt.hops)
			}
		}
	}
}

// TestSameNameOtherKind: two inputs of one name but of different kinds
// (a caller's own msgtrk.Inputs) are one file whose rows are of two
// services: each service's logs count, though the rows name the same
// host as the row before. (observe's memo of the row before once skipped
// the second service.)
func TestSameNameOtherKind(t *testing.T) {
	log := receiveLog(repeatHosts("EX01", 70))["EX01/MSGTRK20240304-1.LOG"].Data // (past the rows a vote counts)
	input := func(kind msgtrk.LogKind) msgtrk.Input {
		return msgtrk.Input{Name: "export.log", FileName: msgtrk.FileName{Kind: kind},
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(log)), nil }}
	}
	tk, err := correlate.New(correlate.Options{OnTrace: func(*correlate.Trace) {}})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []msgtrk.Input{input(msgtrk.LogTransport), input(msgtrk.LogDelivery)} {
		m := msgtrk.NewMerger([]msgtrk.Input{in})
		for m.Next() {
			tk.Add(m.Record())
		}
	}
	tk.Flush()
	var kinds []msgtrk.LogKind
	for _, l := range tk.Logs() {
		kinds = append(kinds, l.Kind)
	}
	if want := []msgtrk.LogKind{msgtrk.LogTransport, msgtrk.LogDelivery}; fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("logs of kinds %v, want %v", kinds, want)
	}
}
