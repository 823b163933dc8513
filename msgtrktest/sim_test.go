package msgtrktest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailtrace/mailtrace/msgtrk"
)

func TestDeterministic(t *testing.T) {
	cfg := Config{Seed: 42, Messages: 200, MaxSkew: time.Minute, DuplicateFiles: 2, TruncateFiles: 1}
	a, ta, _ := mustRun(t, cfg)
	b, tb, _ := mustRun(t, cfg)
	if d := cmp.Diff(ta, tb); d != "" {
		t.Errorf("truth differs between runs (-first +second):\n%s", d)
	}
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for p, f := range a {
		if g, ok := b[p]; !ok || !bytes.Equal(f.Data, g.Data) {
			t.Errorf("%s differs between runs", p)
		}
	}
	// A different seed gives different logs.
	cfg.Seed = 43
	c, _, _ := mustRun(t, cfg)
	same := 0
	for p, f := range a {
		if g, ok := c[p]; ok && bytes.Equal(f.Data, g.Data) {
			same++
		}
	}
	if same == len(a) {
		t.Error("seed 43 wrote the same files as seed 42")
	}
	// Stream is deterministic too.
	s, _ := New(cfg)
	var x, y bytes.Buffer
	if _, err := s.Stream(&x); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stream(&y); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(x.Bytes(), y.Bytes()) {
		t.Error("Stream differs between runs")
	}
}

func TestEveryKindOccurs(t *testing.T) {
	for _, v := range []Version{V2007, V2010, V2013, V2016, V2019} {
		_, tr, s := mustRun(t, Config{Seed: 5, Messages: 40, Version: v})
		got := map[Kind]int{}
		for _, m := range tr.Messages {
			got[m.Kind]++
		}
		for _, k := range MixKinds {
			if s.cfg.Mix.Weight(k) > 0 && got[k] == 0 {
				t.Errorf("%v: kind %v configured but absent (%v)", v, k, got)
			}
			if s.cfg.Mix.Weight(k) == 0 && got[k] != 0 {
				t.Errorf("%v: kind %v has weight 0 but occurs %d times", v, k, got[k])
			}
		}
		if got[KindDSN] == 0 {
			t.Errorf("%v: no NDR although KindFail occurs", v)
		}
	}
	// A mix of one kind gives only that kind.
	_, tr, _ := mustRun(t, Config{Seed: 5, Messages: 30, Mix: Mix{Inbound: 1}})
	for _, m := range tr.Messages {
		if m.Kind != KindInbound {
			t.Fatalf("Mix{Inbound: 1} produced a %v message", m.Kind)
		}
	}
}

// TestFeaturesOccur checks that each kind does what it says in its truth
// and rows.
func TestFeaturesOccur(t *testing.T) {
	fsys, tr, s := mustRun(t, Config{Seed: 9, Messages: 400})
	rows := readRows(t, fsys, nil, false)
	events := map[string]int{}
	for _, r := range rows {
		events[r.get(msgtrk.Source)+" "+r.get(msgtrk.EventID)]++
	}
	for _, ev := range []string{
		"STOREDRIVER NOTIFYMAPI", "STOREDRIVER RECEIVE", "STOREDRIVER SUBMIT", "SMTP RECEIVE",
		"SMTP HAREDIRECT", "SMTP HARECEIVE", "SMTP HADISCARD", "SMTP HAREDIRECTFAIL",
		"ROUTING RESOLVE", "ROUTING EXPAND", "ROUTING DUPLICATEEXPAND", "ROUTING REDIRECT",
		"ROUTING TRANSFER", "ROUTING DROP", "AGENT DROP", "AGENT AGENTINFO", "SMTP SEND",
		"SMTP SENDEXTERNAL", "STOREDRIVER DELIVER", "STOREDRIVER DELIVERFAIL", "SMTP FAIL",
		"DSN DSN", "SMTP DEFER", "SAFETYNET RESUBMIT", "STOREDRIVER DUPLICATEDELIVER",
	} {
		if events[ev] == 0 {
			t.Errorf("no %s row in 400 messages", ev)
		}
	}
	status := map[string]int{}
	var anon, auth, store, edge, resolved, redirected, expanded, nested bool
	for _, m := range tr.Messages {
		for _, r := range m.Recipients {
			status[r.Status]++
			resolved = resolved || r.ResolvedFrom != ""
			redirected = redirected || r.RedirectedTo != ""
			expanded = expanded || len(r.ExpandedFrom) > 0
			nested = nested || len(r.ExpandedFrom) > 1
		}
		anon = anon || (m.Origin.Anonymous && m.Origin.Auth == "0cA")
		auth = auth || m.Origin.Auth == "07I"
		store = store || m.Origin.Protocol == "store"
		edge = edge || strings.HasPrefix(m.Origin.Server, "EDGE")
	}
	for _, st := range []string{StatusDelivered, StatusSentExternal, StatusFailed, StatusDropped, StatusPending} {
		if status[st] == 0 {
			t.Errorf("no recipient with status %s", st)
		}
	}
	if !(anon && auth && store && edge && resolved && redirected && expanded && nested) {
		t.Errorf("missing feature: anon %v auth %v store %v edge %v resolved %v redirected %v expanded %v nested %v",
			anon, auth, store, edge, resolved, redirected, expanded, nested)
	}
	if s.cfg.EdgeServers != 1 || len(s.edges) != 1 {
		t.Errorf("default Edge servers: %d", len(s.edges))
	}
}

// TestSkew checks that each server's rows are shifted by exactly its skew
// and nothing else changes.
func TestSkew(t *testing.T) {
	cfg := Config{Seed: 3, Messages: 150, Start: time.Date(2024, 3, 4, 12, 0, 0, 0, time.UTC)}
	plain, _, _ := mustRun(t, cfg)
	cfg.MaxSkew = 90 * time.Second
	skewed, _, s := mustRun(t, cfg)
	nonzero := 0
	for _, srv := range s.org.Servers {
		if srv.Skew < -cfg.MaxSkew || srv.Skew > cfg.MaxSkew {
			t.Errorf("%s: skew %v outside ±%v", srv.Name, srv.Skew, cfg.MaxSkew)
		}
		if srv.Skew != 0 {
			nonzero++
		}
	}
	if nonzero == 0 {
		t.Fatal("no server has a skew")
	}
	a := readRows(t, plain, nil, false)
	b := readRows(t, skewed, nil, false)
	if len(a) != len(b) {
		t.Fatalf("%d rows without skew, %d with", len(a), len(b))
	}
	for i := range a {
		if a[i].File != b[i].File || a[i].Line != b[i].Line {
			t.Fatalf("row %d moved: %s:%d vs %s:%d", i, a[i].File, a[i].Line, b[i].File, b[i].Line)
		}
		ta, _ := msgtrk.ParseTime(a[i].get(msgtrk.DateTime))
		tb, _ := msgtrk.ParseTime(b[i].get(msgtrk.DateTime))
		want := s.org.server(a[i].Server).Skew
		if tb.Sub(ta) != want {
			t.Fatalf("%s:%d: shifted by %v, server skew %v", a[i].File, a[i].Line, tb.Sub(ta), want)
		}
		// Every other field but the log-id is unchanged, except the times
		// the server stamped in source-context and message-info.
		for f := msgtrk.ClientIP; f < msgtrk.LogID; f++ {
			if f == msgtrk.SourceContext || f == msgtrk.MessageInfo || f == msgtrk.RecipientStatus {
				continue
			}
			if a[i].get(f) != b[i].get(f) {
				t.Fatalf("%s:%d: %v changed from %q to %q", a[i].File, a[i].Line, f, a[i].get(f), b[i].get(f))
			}
		}
	}
	// Rows stay in time order inside every file.
	checkFileOrder(t, skewed)
}

func checkFileOrder(t *testing.T, fsys fsLike) {
	t.Helper()
	for p, f := range fsys {
		var last string
		for i, line := range strings.Split(string(f.Data), "\r\n") {
			if i < headerLines || line == "" {
				continue
			}
			ts := line[:24]
			if ts < last {
				t.Errorf("%s line %d: %s after %s", p, i+1, ts, last)
				return
			}
			last = ts
		}
	}
}

func TestDuplicatesAndTruncation(t *testing.T) {
	// With shadow redundancy on every message, every hub's log ends with a
	// HADISCARD, so both cuts can be made.
	fsys, tr, _ := mustRun(t, Config{Seed: 8, Messages: 200, DuplicateFiles: 3, TruncateFiles: 2, Mix: Mix{Shadow: 1}})
	var dups, cuts int
	for _, f := range tr.Files {
		if f.DuplicateOf != "" {
			dups++
			if !bytes.Equal(fsys[f.Path].Data, fsys[f.DuplicateOf].Data) {
				t.Errorf("%s differs from %s", f.Path, f.DuplicateOf)
			}
			if want := strings.Split(f.DuplicateOf, "/")[0] + "/MessageTracking/" + filepath.Base(f.DuplicateOf); f.Path != want {
				t.Errorf("copy at %s, want %s", f.Path, want)
			}
			if msgtrk.ServerFromPath(f.Path) != f.Server {
				t.Errorf("%s: ServerFromPath says %q", f.Path, msgtrk.ServerFromPath(f.Path))
			}
		}
		if f.TruncatedLine > 0 {
			if f.DuplicateOf == "" {
				cuts++
			}
			if f.TruncatedEvent != "AGENTINFO" && f.TruncatedEvent != "HADISCARD" {
				t.Errorf("%s: cut a %s row", f.Path, f.TruncatedEvent)
			}
			data := fsys[f.Path].Data
			if bytes.HasSuffix(data, []byte("\r\n")) {
				t.Errorf("%s: ends with a line ending", f.Path)
			}
			if n := bytes.Count(data, []byte("\n")) + 1; n != f.TruncatedLine {
				t.Errorf("%s: cut line is %d, truth says %d", f.Path, n, f.TruncatedLine)
			}
			if tr.Message(f.TruncatedKey) == nil {
				t.Errorf("%s: cut row of unknown message %q", f.Path, f.TruncatedKey)
			}
		}
		if int64(len(fsys[f.Path].Data)) != f.Bytes {
			t.Errorf("%s: %d bytes, truth says %d", f.Path, len(fsys[f.Path].Data), f.Bytes)
		}
	}
	if dups != 3 || cuts != 2 || tr.Cut != 2 {
		t.Errorf("%d copies, %d cut files, Cut %d; want 3, 2, 2", dups, cuts, tr.Cut)
	}
	// With the default mix, fewer files may end with a row that can be cut;
	// never more are cut than asked.
	_, tr2, _ := mustRun(t, Config{Seed: 8, Messages: 200, TruncateFiles: 20})
	if tr2.Cut < 1 || tr2.Cut > 20 {
		t.Errorf("TruncateFiles 20 cut %d files", tr2.Cut)
	}
	// The reader reports exactly the cut lines (readRows fails otherwise),
	// and the truth still matches the rows.
	rows := readRows(t, fsys, cutLines(tr), true)
	if len(rows) <= tr.Events {
		t.Errorf("read %d rows with copies, Events %d", len(rows), tr.Events)
	}
}

func TestRotation(t *testing.T) {
	cfg := Config{Seed: 4, Messages: 300, MaxFileBytes: 64 << 10,
		Start: time.Date(2024, 3, 4, 23, 59, 0, 0, time.UTC), Rate: 1}
	fsys, tr, s := mustRun(t, cfg)
	seq := map[string][]string{}
	days := map[string]bool{}
	for _, f := range tr.Files {
		if f.Bytes > int64(cfg.MaxFileBytes) && f.Rows > 1 {
			t.Errorf("%s: %d bytes over %d", f.Path, f.Bytes, cfg.MaxFileBytes)
		}
		fn, ok := msgtrk.ParseFileName(f.Path)
		if !ok || fn.Kind.Prefix() != f.Kind {
			t.Errorf("%s: not a tracking log name", f.Path)
		}
		days[fn.Start.Format("20060102")] = true
		seq[f.Server+f.Kind+fn.Start.Format("20060102")] = append(seq[f.Server+f.Kind+fn.Start.Format("20060102")], f.Path)
		// The first row is on the file's day, and #Date is its time.
		data := string(fsys[f.Path].Data)
		first := strings.Split(data, "\r\n")[headerLines][:24]
		if !strings.HasPrefix(first, fn.Start.Format("2006-01-02")) {
			t.Errorf("%s: first row at %s", f.Path, first)
		}
		if !strings.Contains(data, "#Date: "+first+"\r\n") {
			t.Errorf("%s: #Date is not the first row's time %s", f.Path, first)
		}
	}
	if !days["20240304"] || !days["20240305"] {
		t.Errorf("no rollover at midnight: days %v", days)
	}
	rotated := false
	for _, ps := range seq {
		slices.SortFunc(ps, func(a, b string) int {
			if len(a) != len(b) {
				return len(a) - len(b)
			}
			return strings.Compare(a, b)
		})
		for i, p := range ps {
			if !strings.HasSuffix(p, fmt.Sprintf("-%d.LOG", i+1)) {
				t.Errorf("sequence %v: %s is number %d", ps, p, i+1)
			}
		}
		rotated = rotated || len(ps) > 1
	}
	if !rotated {
		t.Error("no file was rotated at 64 KB")
	}
	checkFileOrder(t, fsys)
	checkTruth(t, s, tr, readRows(t, fsys, nil, false))
}

// TestStream checks the merged stream: one 2016 header, rows in time
// order, every row naming its logging server, the same rows as the files.
func TestStream(t *testing.T) {
	for _, v := range []Version{V2007, V2010, V2016} {
		cfg := Config{Seed: 6, Messages: 200, Version: v, MaxSkew: 30 * time.Second}
		fsys, tr, s := mustRun(t, cfg)
		var buf bytes.Buffer
		st, err := s.Stream(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if st.Events != tr.Events || len(st.Files) != 0 {
			t.Errorf("%v: stream has %d events and %d files, files %d events", v, st.Events, len(st.Files), tr.Events)
		}
		if d := cmp.Diff(tr.Messages, st.Messages); d != "" {
			t.Errorf("%v: message truth differs between Stream and WriteFS:\n%s", v, d)
		}
		if c := bytes.Count(buf.Bytes(), []byte("#Fields: ")); c != 1 {
			t.Errorf("%v: %d headers in the stream", v, c)
		}
		rd := msgtrk.NewReader(&buf)
		rd.Mode = msgtrk.Strict
		names := map[string]bool{}
		for _, srv := range s.org.Servers {
			names[srv.Name] = true
		}
		var last time.Time
		n := 0
		for rd.Next() {
			rec := rd.Record()
			n++
			if rec.Layout() != msgtrk.Layout2016 {
				t.Fatalf("%v: row %d in layout %v", v, n, rec.Layout())
			}
			tm, err := rec.Time()
			if err != nil || tm.Before(last) {
				t.Fatalf("%v: row %d at %v after %v (%v)", v, n, tm, last, err)
			}
			last = tm
			srv := strings.ToUpper(strings.SplitN(string(msgtrk.LoggingServer(rec)), ".", 2)[0])
			if !names[srv] && !(srv == "" && v == V2010 && rec.EventType() == msgtrk.EventNotifyMAPI) { // (as the real 2010 NOTIFYMAPI: no host)
				t.Fatalf("%v: row %d: LoggingServer %q is not a server", v, n, msgtrk.LoggingServer(rec))
			}
		}
		if err := rd.Err(); err != nil {
			t.Fatal(err)
		}
		if h := rd.Header(); h.Version != v.Build() || h.Layout() != msgtrk.Layout2016 {
			t.Errorf("%v: header %q %v", v, h.Version, h.Layout())
		}
		if n != tr.Events {
			t.Errorf("%v: %d rows in the stream, %d in the files", v, n, tr.Events)
		}
		checkTruth(t, s, st, readRows(t, fsys, nil, false))
	}
}

func TestWriteDir(t *testing.T) {
	dir := t.TempDir()
	s, err := New(Config{Seed: 12, Messages: 50, DuplicateFiles: 1})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := s.WriteDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, _, _ := s.WriteFS()
	for _, f := range tr.Files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(data, m[f.Path].Data) {
			t.Errorf("%s: WriteDir and WriteFS differ", f.Path)
		}
	}
	// Writing into a path that is a file fails cleanly.
	bad := filepath.Join(dir, "file")
	os.WriteFile(bad, nil, 0o644)
	if _, err := s.WriteDir(bad); err == nil {
		t.Error("WriteDir into a file succeeded")
	}
}

func TestOnMessage(t *testing.T) {
	cfg := Config{Seed: 13, Messages: 100, TruncateFiles: 1}
	_, want, _ := mustRun(t, cfg)
	var got []MessageTruth
	cfg.OnMessage = func(m MessageTruth) { got = append(got, m) }
	_, tr, _ := mustRun(t, cfg)
	if tr.Messages != nil {
		t.Error("Truth.Messages kept with OnMessage set")
	}
	slices.SortFunc(got, func(a, b MessageTruth) int { return indexOf(want.Messages, a.Key) - indexOf(want.Messages, b.Key) })
	if d := cmp.Diff(want.Messages, got); d != "" {
		t.Errorf("OnMessage truth differs:\n%s", d)
	}
}

func indexOf(ms []MessageTruth, k string) int {
	for i := range ms {
		if ms[i].Key == k {
			return i
		}
	}
	return -1
}

func TestTruthJSONRoundTrip(t *testing.T) {
	_, tr, _ := mustRun(t, Config{Seed: 14, Messages: 60, DuplicateFiles: 1, TruncateFiles: 1})
	var buf bytes.Buffer
	tw := NewTruthWriter(&buf)
	if err := tw.Close(tr); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTruth(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range tr.Messages {
		if tr.Messages[i].Expansions == nil {
			continue
		}
	}
	if d := cmp.Diff(tr, got); d != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", d)
	}
	// A cut-short file is an error.
	if _, err := ReadTruth(bytes.NewReader(buf.Bytes()[:buf.Len()/2])); err == nil {
		t.Error("ReadTruth accepted half a file")
	}
}

func TestConfigErrors(t *testing.T) {
	bad := map[string]Config{
		"servers":   {MailboxServers: 200},
		"users":     {Users: 2},
		"rate":      {Rate: -1},
		"version":   {Version: 99},
		"skew":      {MaxSkew: -time.Second},
		"filebytes": {MaxFileBytes: 100},
		"mix":       {Mix: Mix{Store: -1}},
		"2010":      {Version: V2010, Mix: Mix{Shadow: 1}},
		"2007 drop": {Version: V2007, Mix: Mix{Drop: 1}},
		"2007":      {Version: V2007, Mix: Mix{Resubmit: 1}},
		"meetings":  {Meetings: 1.5},
		"restarts":  {Restarts: -0.1},
		"edges":     {EdgeServers: 50},
		"messages":  {Messages: -1},
	}
	for name, cfg := range bad {
		if _, err := New(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: New(%+v) = %v, want ErrConfig", name, cfg, err)
		}
	}
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	c := s.Config()
	if c.MailboxServers != 3 || c.EdgeServers != 1 || c.Users != 50 || c.Groups != 6 || c.Rate != 2 ||
		c.Version != V2016 || c.MaxFileBytes != 10<<20 || c.Mix != DefaultMix || !c.Start.Equal(time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("defaults: %+v", c)
	}
	// Zero messages write nothing.
	m, tr, err := s.WriteFS()
	if err != nil || len(m) != 0 || tr.Events != 0 {
		t.Errorf("empty run: %d files, %d events, %v", len(m), tr.Events, err)
	}
	// Events bounds the run.
	s, _ = New(Config{Events: 500})
	_, tr, _ = s.WriteFS()
	if tr.Events < 500 || tr.Events > 700 {
		t.Errorf("Events 500 gave %d", tr.Events)
	}
}

// TestWriteErrors checks that a failing sink is reported.
func TestWriteErrors(t *testing.T) {
	s, _ := New(Config{Messages: 50})
	if _, err := s.run(failSink{}, nil); err == nil {
		t.Error("a failing sink was not reported")
	}
	if _, err := s.Stream(failWriter{}); err == nil {
		t.Error("a failing stream writer was not reported")
	}
}

type failSink struct{}

func (failSink) create(string) (io.WriteCloser, error) { return nil, errors.New("disk full") }

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestOrgShape(t *testing.T) {
	s, _ := New(Config{Seed: 1, Users: 60, Groups: 8})
	o := s.Org()
	if len(o.Servers) != 4 || o.Servers[0].Name != "EX01" || o.Servers[0].FQDN != "ex01.corp.contoso.com" || o.Servers[3].Name != "EDGE01" || o.Servers[3].Role != RoleEdge {
		t.Errorf("servers: %+v", o.Servers)
	}
	var alias, fwd, nested, ext, dup bool
	for _, u := range o.Users {
		alias = alias || strings.HasSuffix(u.Alias, "@old.contoso.com")
		fwd = fwd || u.ForwardTo != ""
		if s.org.server(u.Server) == nil || s.org.server(u.Server).Role != RoleMailbox {
			t.Errorf("%s homed on %q", u.Address, u.Server)
		}
	}
	for _, g := range o.Groups {
		members := map[string]bool{}
		for _, m := range g.Members {
			members[m] = true
		}
		for _, m := range g.Members {
			if i, ok := s.groupByAddr[m]; ok {
				nested = true
				for _, inner := range o.Groups[i].Members {
					dup = dup || members[inner]
				}
			}
			ext = ext || !strings.HasSuffix(m, "@contoso.com")
		}
	}
	if !(alias && fwd && nested && ext && dup) {
		t.Errorf("org lacks alias %v, forward %v, nested %v, external member %v, duplicate member %v", alias, fwd, nested, ext, dup)
	}
}

// TestConcurrentRuns backs the claim that a Sim is safe for concurrent use
// (run with -race in CI): parallel runs give the same bytes.
func TestConcurrentRuns(t *testing.T) {
	s, _ := New(Config{Seed: 15, Messages: 60, MaxSkew: time.Minute, TruncateFiles: 1})
	want, _, _ := s.WriteFS()
	done := make(chan fsLike, 4)
	for i := 0; i < 4; i++ {
		go func() {
			m, _, _ := s.WriteFS()
			done <- m
		}()
	}
	for i := 0; i < 4; i++ {
		got := <-done
		for p, f := range want {
			if !bytes.Equal(f.Data, got[p].Data) {
				t.Errorf("concurrent run: %s differs", p)
			}
		}
	}
}
