package msgtrktest_test

import (
	"bytes"
	"io"
	"strconv"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/msgtrktest"
	"github.com/mailtrace/mailtrace/smtplog"
)

// readSessions reads the protocol and connectivity logs of fsys with
// package smtplog and returns every session by key, with the row errors.
func readSessions(t *testing.T, fsys fstest.MapFS) (map[smtplog.Key][]*smtplog.Session, []*msgtrk.ParseError, smtplog.AssemblerStats) {
	t.Helper()
	inputs, err := smtplog.FindFiles(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	var errs []*msgtrk.ParseError
	m := msgtrk.NewMerger(inputs)
	m.ErrorHandler = func(e *msgtrk.ParseError) { errs = append(errs, e) }
	sc := smtplog.NewScanner(m)
	sc.ErrorHandler = func(e *msgtrk.ParseError) { errs = append(errs, e) }
	got := map[smtplog.Key][]*smtplog.Session{}
	a, err := smtplog.NewAssembler(smtplog.Options{OnSession: func(s *smtplog.Session) { got[s.Key] = append(got[s.Key], s) }})
	if err != nil {
		t.Fatal(err)
	}
	for sc.Next() {
		a.Add(sc.Row())
	}
	a.Flush()
	return got, errs, a.Stats()
}

func kindOf(s string) msgtrk.LogKind {
	switch s {
	case "RECV":
		return msgtrk.LogSmtpReceive
	case "SEND":
		return msgtrk.LogSmtpSend
	}
	return msgtrk.LogConnectivity
}

// TestProtocolLogs: with ProtocolLogs the simulator writes protocol and
// connectivity logs that package smtplog reads without an error, every
// session closed; every session the truth names is there, on its server
// and service, and carries its message; the tracking logs are the same
// bytes as without them, and msgtrk.FindFiles does not list the new files.
func TestProtocolLogs(t *testing.T) {
	for _, v := range []msgtrktest.Version{msgtrktest.V2010, msgtrktest.V2013, msgtrktest.V2016, msgtrktest.V2019} {
		t.Run(v.String(), func(t *testing.T) {
			cfg := msgtrktest.Config{Seed: 5, Messages: 150, Version: v, MaxSkew: 30 * time.Second, ProtocolLogs: true}
			sim, err := msgtrktest.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			fsys, truth, err := sim.WriteFS()
			if err != nil {
				t.Fatal(err)
			}
			cfg.ProtocolLogs = false
			plain, err := msgtrktest.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			fsys0, _, err := plain.WriteFS()
			if err != nil {
				t.Fatal(err)
			}
			tracking, _ := msgtrk.FindFiles(fsys, ".")
			tracking0, _ := msgtrk.FindFiles(fsys0, ".")
			if len(tracking) != len(tracking0) || len(truth.ProtocolFiles) == 0 {
				t.Fatalf("%d tracking files with protocol logs, %d without; %d protocol files", len(tracking), len(tracking0), len(truth.ProtocolFiles))
			}
			for i, in := range tracking {
				if !sameFile(t, in, tracking0[i]) {
					t.Errorf("tracking log %s differs when protocol logs are written", in.Name)
				}
			}

			got, errs, st := readSessions(t, fsys)
			for i, e := range errs {
				if i < 5 {
					t.Errorf("read error: %v", e)
				}
			}
			if st.Sessions[smtplog.TermClosed] == 0 || st.Sessions[smtplog.TermOpen]+st.Sessions[smtplog.TermIdle]+st.Sessions[smtplog.TermEvicted] != 0 {
				t.Errorf("sessions by termination %v: want all closed", st.Sessions)
			}
			var want, found, sides int
			seenSide := map[string]bool{}
			for _, mt := range truth.Messages {
				for _, ts := range mt.Sessions {
					want++
					id, err := strconv.ParseUint(ts.ID, 16, 64)
					if err != nil {
						t.Fatalf("truth session id %q", ts.ID)
					}
					k := smtplog.Key{Server: ts.Server, Service: ts.Service, Kind: kindOf(ts.Kind), ID: id}
					ss := got[k]
					if len(ss) != 1 {
						t.Errorf("%s: %d sessions %+v, want 1", mt.Key, len(ss), k)
						continue
					}
					s := ss[0]
					if ts.Kind != "CONNECTLOG" && (len(s.Messages) != 1 || (s.Messages[0].From == "" && mt.Kind != msgtrktest.KindDSN)) {
						t.Errorf("%s: session %+v carries %d messages", mt.Key, k, len(s.Messages))
						continue
					}
					found++
					if !seenSide[ts.Side] {
						seenSide[ts.Side] = true
						sides++
					}
				}
			}
			if want == 0 || found != want {
				t.Errorf("%d of %d truth sessions found", found, want)
			}
			minSides := 5 // receive, send, connectivity, front end receive and send
			if v >= msgtrktest.V2013 {
				minSides = 6 // and the mailbox delivery service's
			}
			if sides < minSides {
				t.Errorf("sides seen %v, want at least %d", seenSide, minSides)
			}
		})
	}
}

func sameFile(t *testing.T, a, b msgtrk.Input) bool {
	t.Helper()
	read := func(in msgtrk.Input) []byte {
		rc, err := in.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		data, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	return a.Name == b.Name && bytes.Equal(read(a), read(b))
}
