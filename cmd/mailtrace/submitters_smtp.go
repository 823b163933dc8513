package main

import (
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/report"
	"github.com/mailtrace/mailtrace/smtplog"
)

// clientSMTP is what the receive protocol logs tell of one client IP: its
// SMTP sessions on any server, how many used TLS, and the authentication
// mechanisms they used (format.md §14.3).
type clientSMTP struct {
	sessions, tls int
	mechs         []string // distinct, at most report.MaxSamples
	failed        int      // sessions whose authentication failed
}

// tlsColumn is "k/n": sessions with TLS out of all.
func (c *clientSMTP) tlsColumn() string {
	if c == nil {
		return "-"
	}
	return strconv.Itoa(c.tls) + "/" + strconv.Itoa(c.sessions)
}

// authColumn lists the mechanisms, or "none".
func (c *clientSMTP) authColumn() string {
	switch {
	case c == nil:
		return "-"
	case len(c.mechs) == 0:
		return "none"
	}
	return strings.Join(c.mechs, ", ")
}

// submitterSMTP reads the SMTP receive protocol logs found under paths (in
// directories; a file named on the command line counts only with a RECV
// name) and aggregates the sessions of the clients of list by remote
// address. A session that carries a front end's XPROXYFROM is the front
// end's hand-over, not the client's own connection, and is left out. ok is
// false when no receive log was found: the columns are then not shown.
func (c *common) submitterSMTP(paths []string, list []report.Submitter, stderr io.Writer) (by map[netip.Addr]*clientSMTP, ok bool, err error) {
	inputs, err := smtplog.OpenPaths(paths...)
	if err != nil {
		return nil, false, nil // the tracking-log search already reported the paths
	}
	recv := inputs[:0]
	for _, in := range inputs {
		if in.FileName.Kind == msgtrk.LogSmtpReceive {
			recv = append(recv, in)
		}
	}
	if len(recv) == 0 {
		return nil, false, nil
	}
	by = map[netip.Addr]*clientSMTP{}
	for _, s := range list {
		if s.Protocol == "smtp" && s.IP.IsValid() {
			by[s.IP.Unmap()] = nil
		}
	}
	a, err := smtplog.NewAssembler(smtplog.Options{OnSession: func(s *smtplog.Session) {
		if !s.Remote.IsValid() || !s.Proxy.IsZero() {
			return
		}
		ip := s.Remote.Addr().Unmap()
		cs, want := by[ip]
		if !want {
			return
		}
		if cs == nil {
			cs = &clientSMTP{}
			by[ip] = cs
		}
		cs.sessions++
		if s.UsedTLS() {
			cs.tls++
		}
		if s.Auth.Result == smtplog.AuthFailed {
			cs.failed++
		}
		if m := s.Auth.Mechanism; m != "" && len(cs.mechs) < report.MaxSamples && !equalsAny(m, cs.mechs) {
			cs.mechs = append(cs.mechs, m)
		}
	}})
	if err != nil {
		return nil, false, err
	}
	rs, err := c.readSessions(recv, stderr, a)
	if err != nil {
		return nil, false, err
	}
	return by, true, rs.err()
}
