package correlate

import (
	"bytes"
	"slices"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// Which server wrote a row.
//
// A row belongs to the server that wrote its file (format.md §4: the host
// columns name the local server or the peer depending on the event, and
// the file's location is only what whoever collected the logs made of it).
// Each file's server is decided once, by a vote of the rows' local-host
// column over its first rows; the folder (or a name in the file name) is
// only a hint, used when no row says. A file whose rows name several local
// hosts with none a clear winner is a merged stream: its rows are
// attributed one by one.

// voteRows is how many rows with a local host a file's vote counts.
const voteRows = 64

// maxFiles bounds the files remembered; rows of further files are
// attributed one by one.
const maxFiles = 1 << 16

// fileState is what the rows of one input said so far.
type fileState struct {
	name    string
	hint    string // short lower-case name of the folder or file-name hint
	hintRaw string
	votes   []vote
	counted int
	first   int64 // time of its first row with a valid time (unix ns), 0 until one came
	modern  bool  // its rows have the network-message-id column (Exchange 2013 and later)
	memo    observeMemo
	fqdn    string // the last full name its server was learnt by (learnFQDN)
}

type vote struct {
	short string
	n     int
}

// winner returns the short name the file's rows vote for and whether the
// file is a merged stream of several servers (no host has nine tenths of
// the votes).
func (f *fileState) winner() (short string, mixed bool) {
	best := -1
	for i, v := range f.votes {
		if best < 0 || v.n > f.votes[best].n {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	return f.votes[best].short, f.votes[best].n*10 < f.counted*9
}

// serverState is what the rows tell of one server.
type serverState struct {
	logs    bool // some input was written by it
	named   bool // named an Edge server by the caller
	edge    bool // evidence only an Edge gives
	mailbox bool // evidence only a mailbox (or 2007/2010 hub) server gives
	// Which of its services' logs are in the input (see serviceLogs):
	// bit k is set when some input of msgtrk.LogKind k was written by it
	// (LogUnknown: an input whose name does not say, a stream); first[k]
	// is the time of the earliest row of those inputs (unix ns). modern:
	// its rows have the network-message-id column (2013 and later), so
	// its mailbox services write MSGTRKMS and MSGTRKMD.
	kinds  uint8
	first  [numServiceKinds]int64
	modern bool
	// domains are the domains of its full names, as it names itself
	// (learnFQDN): "corp.contoso.com" for ex01.corp.contoso.com.
	domains  [maxServerDomains]string
	ndomains uint8
}

// maxServerDomains bounds the domains kept per server: a server has one
// full name, two when a DNS alias shows.
const maxServerDomains = 4

// hasDomain reports whether d is one of s's domains.
func (s *serverState) hasDomain(d []byte) bool {
	for _, x := range s.domains[:s.ndomains] {
		if x == string(d) {
			return true
		}
	}
	return false
}

// numServiceKinds bounds the msgtrk.LogKind values serverState tracks:
// LogUnknown and the tracking kinds (LogTransport … LogMailbox).
const numServiceKinds = int(msgtrk.LogMailbox) + 1

// orgState is what the rows tell of the organisation: which server wrote
// each input, which servers have logs and which are Edge servers. A
// Tracker owns one; a Sharded tracker's router owns one that its shards
// read between rounds.
type orgState struct {
	files     []fileState
	byOrigin  map[*msgtrk.Origin]int32
	byName    map[string]int32
	servers   map[string]*serverState
	fixed     map[string]string // file name → short server name, from Context.Files (BuildTrace)
	fixedLogs bool              // the services' logs are told (Context.Logs), not learnt from the rows
	domains   map[string]bool   // lower-case domains the organisation receives mail for
	names     map[string]string // short → display name: its first spelling in a local-host column
	mixedCase bool              // some display name is not in upper case
	strs      internTable
	scratch   []byte

	// When track is set, what changed since takeChanges last told (the
	// files, servers, names and domains whose entries changed), for the
	// copy a Tracker's building goroutine reads (Options.BuildAhead).
	track   bool
	changed struct {
		files   []int32
		servers []string
		names   []string
		domains []string
	}
}

func newOrgState() *orgState {
	return &orgState{byOrigin: map[*msgtrk.Origin]int32{}, byName: map[string]int32{}, servers: map[string]*serverState{},
		names: map[string]string{}, strs: internTable{}, domains: map[string]bool{}}
}

func (o *orgState) intern(b []byte) string { return o.strs.of(b) }

func (o *orgState) server(short string) *serverState {
	s := o.servers[short]
	if s == nil {
		s = &serverState{}
		if len(o.servers) < maxInterned {
			o.servers[short] = s
		}
	}
	return s
}

// file returns the index of rec's input, -1 when too many inputs were
// seen. Rows of no named input (a bare stream) share one entry.
func (o *orgState) file(origin *msgtrk.Origin) int32 {
	if i, ok := o.byOrigin[origin]; ok {
		return i
	}
	i, ok := o.byName[origin.File]
	if !ok {
		if len(o.files) >= maxFiles {
			return -1
		}
		i = int32(len(o.files))
		f := fileState{name: origin.File, hintRaw: origin.Server}
		if origin.Server != "" {
			f.hint = o.intern(shortHost(o.scratch[:0], []byte(origin.Server)))
		}
		o.files = append(o.files, f)
		o.byName[origin.File] = i
		o.fileChanged(i)
	}
	if len(o.byOrigin) < maxFiles {
		o.byOrigin[origin] = i
	}
	return i
}

// localHost returns the column that names the logging server on rows of
// this event, as format.md §4 gives it, or nil when the event does not say
// (the row is then no evidence of its file's server).
func localHost(rec *msgtrk.Record, kind msgtrk.LogKind, et msgtrk.EventType, src msgtrk.SourceType) []byte {
	switch et {
	case msgtrk.EventReceive:
		switch src {
		case msgtrk.SourceSMTP:
			return rec.Field(msgtrk.ServerHostname)
		case msgtrk.SourceStoreDriver:
			// The mailbox server is the client (§4); it wrote the row in
			// its own submission log, a transport server in its log.
			if kind == msgtrk.LogSubmission || kind == msgtrk.LogMailbox {
				return rec.Field(msgtrk.ClientHostname)
			}
		}
		return nil
	case msgtrk.EventNotifyMAPI, msgtrk.EventSubmit, msgtrk.EventSubmitFail, msgtrk.EventSubmitDefer, msgtrk.EventNotifyShadow:
		if kind == msgtrk.LogSubmission || kind == msgtrk.LogMailbox {
			return rec.Field(msgtrk.ClientHostname)
		}
		return nil
	case msgtrk.EventHAReceive, msgtrk.EventHARedirect, msgtrk.EventHARedirectFail, msgtrk.EventHADiscard,
		msgtrk.EventResolve, msgtrk.EventExpand, msgtrk.EventRedirect, msgtrk.EventTransfer, msgtrk.EventDrop,
		msgtrk.EventDuplicateExpand, msgtrk.EventDuplicateRedirect, msgtrk.EventDSN:
		return rec.Field(msgtrk.ServerHostname)
	case msgtrk.EventSend, msgtrk.EventSendExternal, msgtrk.EventAgentInfo, msgtrk.EventFail, msgtrk.EventDefer,
		msgtrk.EventDeliver, msgtrk.EventDeliverFail, msgtrk.EventDuplicateDeliver, msgtrk.EventProcessMeetingMessage,
		msgtrk.EventResubmit, msgtrk.EventProcess:
		return rec.Field(msgtrk.ClientHostname)
	}
	return nil
}

// edgeSyncInbound starts the name of the send connector an Edge server
// uses to send into the organisation ("EdgeSync - Inbound to <site>").
var edgeSyncInbound = []byte("EdgeSync - Inbound to ")

// edgeReceive is in the name of an Edge server's own receive connector
// ("<EDGE>\Default internal receive connector <EDGE>").
var edgeReceive = []byte(`\Default internal receive connector`)

// observe notes what rec tells of its file's server and of that server's
// role (when owner is set: the owner of the state does, the shards of a
// Sharded tracker only read), and returns the file's index and the short
// name of the host the row itself names as local ("" when none). host is
// that name, or the logging server's, as appendLocalShort gives it, and
// spelt the host as the row spells it (nil when the row does not name it).
func (o *orgState) observe(rec *msgtrk.Record, et msgtrk.EventType, src msgtrk.SourceType, host, spelt []byte, owner bool) (file int32, local string) {
	origin := rec.Origin()
	if !owner {
		// Read only: every row was observed by the owner first.
		if s, ok := o.strs[string(host)]; ok {
			local = s
		} else {
			local = string(host)
		}
		if i, ok := o.byOrigin[origin]; ok {
			return i, local
		}
		if i, ok := o.byName[origin.File]; ok {
			return i, local
		}
		return -1, local
	}
	file = o.file(origin)
	if file >= 0 {
		if f := &o.files[file]; f.memo.server != nil && string(host) == f.memo.local && f.memo.counted == f.counted &&
			origin.Kind == f.memo.kind && (spelt == nil || f.memo.spelt && f.counted >= voteRows) {
			// The host and kind of the file's row before, no vote since
			// and none by this row: the rest would change nothing
			// (observeMemo).
			m := &f.memo
			o.learnDomains(rec, et, src)
			o.noteRole(m.server, m.short, origin.Kind, et, src, rec)
			return file, m.local
		}
	}
	local = o.intern(host)
	evidence := spelt != nil
	if spelt != nil {
		o.spelling(local, spelt)
	}
	if file < 0 {
		o.markLogs(local)
		if !o.fixedLogs && local != "" {
			if s := o.server(local); s.kinds&(1<<msgtrk.LogUnknown) == 0 {
				s.kinds |= 1 << msgtrk.LogUnknown // (which service is no longer told)
				o.serverChanged(local)
			}
		}
		return file, local
	}
	f := &o.files[file]
	if evidence && f.counted < voteRows {
		f.counted++
		i := slices.IndexFunc(f.votes, func(v vote) bool { return v.short == local })
		if i < 0 {
			f.votes = append(f.votes, vote{short: local})
			i = len(f.votes) - 1
		}
		f.votes[i].n++
		o.fileChanged(file)
	}
	short := o.shortOf(file, local)
	o.markLogs(short)
	if !o.fixedLogs && short != "" {
		o.noteService(short, f, rec, origin.Kind)
	}
	o.learnDomains(rec, et, src)
	o.noteRole(nil, short, origin.Kind, et, src, rec)
	if short != "" && (f.first != 0 || o.fixedLogs) {
		f.memo = observeMemo{local: local, short: short, server: o.server(short), counted: f.counted, spelt: spelt != nil, kind: origin.Kind}
	}
	return file, local
}

// observeMemo is what observe did with a file's last row, for a next row
// of an input of the same kind that names the same host and casts no vote
// (it does not spell the host, or the file's votes are all counted): the server it belongs to, and the
// vote count then (a vote since may change the server). Everything else
// observe does for such a row is done already (the host interned and
// spelt, the server marked as having logs of the file's service from its
// first row on), but learning domains and roles, which depend on the row.
type observeMemo struct {
	local, short string
	server       *serverState
	counted      int
	spelt        bool           // the row spelt the host (spelling was done)
	kind         msgtrk.LogKind // the kind of its input (two inputs of one name may differ)
}

// noteRole notes the evidence of a server's role a row of it gives: s is
// the server of short name short, nil to look it up when the row gives
// some.
func (o *orgState) noteRole(s *serverState, short string, kind msgtrk.LogKind, et msgtrk.EventType, src msgtrk.SourceType, rec *msgtrk.Record) {
	switch {
	case kind == msgtrk.LogSubmission || kind == msgtrk.LogDelivery || kind == msgtrk.LogMailbox || src == msgtrk.SourceStoreDriver:
		if s == nil {
			s = o.server(short)
		}
		if !s.mailbox {
			s.mailbox = true
			o.serverChanged(short)
		}
	case et == msgtrk.EventSend && bytes.HasPrefix(rec.Field(msgtrk.ConnectorID), edgeSyncInbound),
		et == msgtrk.EventReceive && src == msgtrk.SourceSMTP && bytes.Contains(rec.Field(msgtrk.ConnectorID), edgeReceive):
		if s == nil {
			s = o.server(short)
		}
		if !s.edge {
			s.edge = true
			o.serverChanged(short)
		}
	}
}

// observeRow is observe, by the owner of the state, of a row whose host is
// not read yet: it reads it into scratch, returned.
func (o *orgState) observeRow(rec *msgtrk.Record, scratch []byte) []byte {
	et, src := rec.EventType(), rec.SourceType()
	scratch, spelt := appendLocalShort(scratch[:0], rec, et, src)
	file, local := o.observe(rec, et, src, scratch, spelt, true)
	if h := localFQDN(rec, et, spelt); h != nil {
		o.learnFQDN(file, local, h)
	}
	return scratch
}

// spelling records how the rows spell a server's name, the first time a
// row names it as its local host: its first label as written.
func (o *orgState) spelling(short string, h []byte) {
	if _, ok := o.names[short]; ok || short == "" || len(o.names) >= maxInterned {
		return
	}
	if i := bytes.IndexByte(h, '.'); i >= 0 {
		h = h[:i]
	}
	n := o.intern(h)
	o.names[short] = n
	if strings.ToUpper(n) != n {
		o.mixedCase = true
	}
	if o.track {
		o.changed.names = append(o.changed.names, short)
	}
}

// shortOf returns the short lower-case name of the server that wrote a row
// of file, local being the host the row itself names.
func (o *orgState) shortOf(file int32, local string) string {
	if file < 0 {
		return local
	}
	f := &o.files[file]
	if s, ok := o.fixed[f.name]; ok {
		return s
	}
	w, mixed := f.winner()
	switch {
	case mixed && local != "":
		return local
	case w != "":
		return w
	case f.hint != "":
		return f.hint
	}
	return local
}

// display names a server given its short name: as its rows first spell
// it in a local-host column, the same whatever folder the logs were
// collected in. A server no row of its own names (a front end, a server
// without logs) is named in upper case when every server named so far is,
// else as given. It only reads the state.
func (o *orgState) display(short string) string {
	if n, ok := o.names[short]; ok {
		return n
	}
	if o.mixedCase || looksLikeIP(short) {
		return short
	}
	return strings.ToUpper(short)
}

// markLogs records that the server of short name short wrote some input.
func (o *orgState) markLogs(short string) {
	if short == "" {
		return
	}
	if s := o.servers[short]; s != nil && s.logs {
		return
	}
	o.server(short).logs = true
	o.serverChanged(short)
}

// noteService records that short wrote a row of input f, of kind kind:
// that service's logs are in the input, from the input's first row on.
func (o *orgState) noteService(short string, f *fileState, rec *msgtrk.Record, kind msgtrk.LogKind) {
	if f.first == 0 {
		if tm, err := rec.Time(); err == nil {
			f.first = tm.UnixNano()
			f.modern = rec.Has(msgtrk.NetworkMessageID)
		}
	}
	if int(kind) >= numServiceKinds {
		return // (summary rows are no service's logs)
	}
	s := o.server(short)
	was := *s
	s.kinds |= 1 << kind
	s.modern = s.modern || f.modern
	if f.first != 0 && (s.first[kind] == 0 || f.first < s.first[kind]) {
		s.first[kind] = f.first
	}
	if *s != was {
		o.serverChanged(short)
	}
}

// serviceLogs tells whether the logs of one service of the server of short
// name short are in the input, kind naming the service as 2013 and later
// have it (LogTransport, LogSubmission or LogDelivery): for a server of
// 2007 or 2010 the Mailbox role's submission rows are in its MSGTRKM
// files and its deliveries in the transport's MSGTRK (format.md §1.1), and
// the kind returned is the one looked for. first is the time of the
// earliest row of those logs (unix ns; 0 when not known). A server whose
// logs are in the input without saying which services they are (a stream,
// inputs not named MSGTRK…, or a server the caller marked) has all of them.
func (o *orgState) serviceLogs(short string, kind msgtrk.LogKind) (eff msgtrk.LogKind, have bool, first int64) {
	s, ok := o.servers[short]
	if !ok || !s.logs {
		return kind, false, 0
	}
	if s.kinds == 0 || s.kinds&(1<<msgtrk.LogUnknown) != 0 {
		return kind, true, 0
	}
	if !s.modern {
		switch kind {
		case msgtrk.LogSubmission:
			kind = msgtrk.LogMailbox
		case msgtrk.LogDelivery:
			kind = msgtrk.LogTransport
		}
	}
	if int(kind) >= numServiceKinds || s.kinds&(1<<kind) == 0 {
		return kind, false, 0
	}
	return kind, true, s.first[kind]
}

// learnFQDN records the domain of fqdn, the full name a row of file gives
// its logging server (localFQDN), as a domain of the server the file
// belongs to, when its first label is that server's short name: a server
// is learnt from its own rows only.
func (o *orgState) learnFQDN(file int32, local string, fqdn []byte) {
	if file >= 0 && o.files[file].fqdn == string(fqdn) {
		return // (as the file's last row said)
	}
	short := o.shortOf(file, local)
	fqdn = bytes.TrimSpace(fqdn)
	dot := bytes.IndexByte(fqdn, '.')
	if short == "" || dot <= 0 || !ascii.EqualFold(fqdn[:dot], short) {
		return
	}
	if file >= 0 {
		o.files[file].fqdn = o.intern(fqdn)
	}
	o.scratch = ascii.AppendLower(o.scratch[:0], fqdn[dot+1:])
	s := o.server(short)
	if !s.hasDomain(o.scratch) && int(s.ndomains) < maxServerDomains {
		s.domains[s.ndomains] = o.intern(o.scratch)
		s.ndomains++
		o.serverChanged(short)
	}
}

// peerKey returns the name a row's peer host (appendPeerHost's form) is
// known by in a trace: its short name, as every server is, unless the host
// is written with a domain and the server of that short name is known by
// other domains only, when it is another host (mail.fabrikam.net is not
// the organisation's MAIL, known as mail.corp.contoso.com): then the host
// itself, which no short name equals. A short name whose server's domains
// are not known is taken as that server, as before anything was learnt.
// The builder asks once the trace's rows are all in (resolveServers), so
// that the servers' own rows have told their domains. It only reads the
// state and does no allocation (the short name is a part of host).
func (o *orgState) peerKey(host string) string {
	dot := strings.IndexByte(host, '.')
	if dot <= 0 || looksLikeIP(host) {
		return host
	}
	short := host[:dot]
	if s, ok := o.servers[short]; ok && s.ndomains > 0 && !s.hasDomain([]byte(host[dot+1:])) {
		return host
	}
	return short
}

// hasLogs reports whether the server of short name short has logs in the
// input: it wrote some input seen so far, or the caller said so.
func (o *orgState) hasLogs(short string) bool {
	s, ok := o.servers[short]
	return ok && s.logs
}

// isEdge reports whether the server of short name short is an Edge
// Transport server: named so by the caller, or showing evidence only an
// Edge gives (sending into the organisation through an "EdgeSync - Inbound
// to …" connector, receiving on its "Default internal receive connector")
// and none that only a mailbox server gives (submission or delivery logs,
// STOREDRIVER rows). A connector named "EdgeSync - …" on a SEND is not
// enough: a mailbox server's transport routes to the Edge under that name.
func (o *orgState) isEdge(short string) bool {
	s, ok := o.servers[short]
	return ok && (s.named || s.edge && !s.mailbox)
}

// markEdge records that the server named name is an Edge server.
func (o *orgState) markEdge(name string) {
	o.scratch = shortHost(o.scratch[:0], []byte(name))
	if len(o.scratch) > 0 {
		short := o.intern(o.scratch)
		o.server(short).named = true
		o.serverChanged(short)
	}
}

// ServerHint is a server name the location of some inputs gave (their
// folder, or a name in their file names) that their rows contradict: the
// rows were followed.
type ServerHint struct {
	Hint   string // the name the location gave
	Server string // the server the rows name
	Files  int    // inputs concerned
}

// hints lists the hints the rows contradict, sorted.
func (o *orgState) hints() []ServerHint {
	count := map[[2]string]int{}
	for i := range o.files {
		f := &o.files[i]
		if f.hint == "" {
			continue
		}
		if w, mixed := f.winner(); w != "" && !mixed && w != f.hint {
			count[[2]string{f.hintRaw, o.display(w)}]++
		}
	}
	out := make([]ServerHint, 0, len(count))
	for k, n := range count {
		out = append(out, ServerHint{Hint: k[0], Server: k[1], Files: n})
	}
	slices.SortFunc(out, func(a, b ServerHint) int {
		if c := strings.Compare(a.Hint, b.Hint); c != 0 {
			return c
		}
		return strings.Compare(a.Server, b.Server)
	})
	return out
}

// FileVote decides which server wrote one input from its rows, by the rule
// a Tracker applies to every input: a vote of the local-host column
// (format.md §4, per event) over the first rows that name one, the input's
// location only a hint. Add the input's rows in order; Server gives the
// answer, for Context.Files.
type FileVote struct {
	o       orgState
	scratch []byte
	spelt   map[string]int64 // short name → time of the row that first spelt it
}

// Add counts one row of the input.
func (v *FileVote) Add(rec *msgtrk.Record) {
	if v.o.byName == nil {
		v.o = *newOrgState()
		v.spelt = map[string]int64{}
	}
	n := len(v.o.names)
	v.scratch = v.o.observeRow(rec, v.scratch)
	if len(v.o.names) > n {
		at := int64(1<<63 - 1) // a row without a time: after every other
		if t, err := rec.Time(); err == nil {
			at = t.UnixNano()
		}
		for short := range v.o.names {
			if _, ok := v.spelt[short]; !ok {
				v.spelt[short] = at
			}
		}
	}
}

// Server returns the name of the server that wrote the input, as its rows
// spell it; "" when no row and no hint says, or when the input is a merged
// stream of several servers (its rows are then attributed one by one).
func (v *FileVote) Server() string {
	if len(v.o.files) == 0 {
		return ""
	}
	f := &v.o.files[0]
	w, mixed := f.winner()
	switch {
	case mixed:
		return ""
	case w == "":
		return f.hintRaw
	}
	return v.o.display(w)
}

// FileEvidence is what one input's rows show of the organisation besides
// which server wrote it: what a Tracker learns from them as it reads. A
// program that reads inputs apart (the Beam pipeline) gathers it per input
// and joins it over all inputs for Context: the servers with logs are the
// union of Servers, the Edge servers those in some Edge list and in no
// Mailbox list, the accepted domains the union of Domains, the Logs all
// inputs' Logs.
type FileEvidence struct {
	// Servers that wrote rows of the input, named as the rows spell them
	// (what Context.Servers wants: the spelling is the name traces show).
	Servers []string
	// Edge and Mailbox are the short lower-case names of the servers whose
	// rows show what only an Edge does, and what only a mailbox server
	// does.
	Edge, Mailbox []string
	// Domains the organisation receives mail for, in lower case.
	Domains []string
	// Spellings are the names the input's rows first spell servers with
	// (their first label as written, in a local-host column), with the
	// time of that row. A Tracker names a server as the first row of the
	// whole input spells it, in time order: across inputs, the earliest
	// spelling is the name.
	Spellings []Spelling
	// Logs are the services' logs the input is (its server and kind, its
	// first row's time): Context.Logs wants them all, of every input.
	Logs []ServerLogs
}

// Spelling is how an input's rows first spell a server's name.
type Spelling struct {
	Short string // the short lower-case name
	Name  string // as spelt
	At    int64  // time of the row, in Unix nanoseconds (math.MaxInt64 when it has none)
}

// Evidence returns what the rows added so far show, each list sorted.
func (v *FileVote) Evidence() FileEvidence {
	var e FileEvidence
	for short, s := range v.o.servers {
		if s.logs {
			e.Servers = append(e.Servers, v.o.display(short))
		}
		if s.edge {
			e.Edge = append(e.Edge, short)
		}
		if s.mailbox {
			e.Mailbox = append(e.Mailbox, short)
		}
	}
	for d := range v.o.domains {
		e.Domains = append(e.Domains, d)
	}
	for short, name := range v.o.names {
		e.Spellings = append(e.Spellings, Spelling{Short: short, Name: name, At: v.spelt[short]})
	}
	slices.SortFunc(e.Spellings, func(a, b Spelling) int { return strings.Compare(a.Short, b.Short) })
	e.Logs = v.o.logs()
	for _, l := range [][]string{e.Servers, e.Edge, e.Mailbox, e.Domains} {
		slices.Sort(l)
	}
	return e
}

// inputServers returns the server decided for every input.
func (o *orgState) inputServers() map[string]string {
	m := make(map[string]string, len(o.files))
	for i := range o.files {
		f := &o.files[i]
		if w, mixed := f.winner(); !mixed && w != "" {
			m[f.name] = o.display(w)
		}
	}
	return m
}

// learnDomains learns the domains the organisation receives mail for from
// a row: the recipients of a delivery to mailboxes, the sender of a store
// submission.
func (o *orgState) learnDomains(rec *msgtrk.Record, et msgtrk.EventType, src msgtrk.SourceType) {
	switch {
	case et == msgtrk.EventDeliver && src == msgtrk.SourceStoreDriver:
		var ls msgtrk.ListScanner
		ls.Init(rec.Field(msgtrk.RecipientAddress))
		for ls.Next() {
			o.acceptDomain(ls.Bytes())
		}
	case et == msgtrk.EventReceive && src == msgtrk.SourceStoreDriver:
		o.acceptDomain(rec.Field(msgtrk.SenderAddress))
	}
}

// acceptDomain records the domain of address (or a bare domain) as one the
// organisation receives mail for.
func (o *orgState) acceptDomain(address []byte) {
	d := address
	if i := bytes.LastIndexByte(d, '@'); i >= 0 {
		d = d[i+1:]
	}
	d = bytes.TrimSpace(bytes.TrimSuffix(d, []byte(">")))
	if len(d) == 0 || len(o.domains) >= maxInterned {
		return
	}
	o.scratch = ascii.AppendLower(o.scratch[:0], d)
	if !o.domains[string(o.scratch)] {
		d := string(o.scratch)
		o.domains[d] = true
		if o.track {
			o.changed.domains = append(o.changed.domains, d)
		}
	}
}

// accepted reports whether the organisation receives mail for the domain
// of a lower-case address, and whether any domain is known at all.
func (o *orgState) accepted(address string) (accepted, known bool) {
	if i := strings.LastIndexByte(address, '@'); i >= 0 {
		address = address[i+1:]
	}
	return o.domains[address], len(o.domains) > 0
}

// configure takes what the options say of the organisation.
func (o *orgState) configure(opts Options) {
	for _, e := range opts.EdgeServers {
		o.markEdge(e)
	}
	for _, d := range opts.AcceptedDomains {
		o.acceptDomain([]byte(d))
	}
}

// ServerLogs says that the logs of one service of one server are in the
// input, and from when: what a trace's missing_logs and log_gap rest on.
type ServerLogs struct {
	Server string // as the rows spell it
	// Kind is the service's log (msgtrk.LogTransport for MSGTRK,
	// LogSubmission MSGTRKMS, LogDelivery MSGTRKMD, LogApproval MSGTRKMA,
	// LogMailbox the 2007/2010 MSGTRKM), or msgtrk.LogUnknown for inputs
	// whose name does not say (a stream): the server then counts as having
	// the logs of every service.
	Kind msgtrk.LogKind
	// First is the time of the earliest row of those logs, as logged.
	First time.Time
	// Modern reports that the server's rows have the network-message-id
	// column (Exchange 2013 and later): its Mailbox role writes MSGTRKMS and
	// MSGTRKMD, where 2007 and 2010 write MSGTRKM and deliver from MSGTRK.
	Modern bool
}

// generations lists the servers whose tracking logs were read, those
// whose rows have the network-message-id column (2013 and later) and those
// whose rows lack it (2007, 2010), each sorted by display name.
func (o *orgState) generations() (modern, legacy []string) {
	for short, s := range o.servers {
		if !s.logs || s.kinds == 0 {
			continue
		}
		if s.modern {
			modern = append(modern, o.display(short))
		} else {
			legacy = append(legacy, o.display(short))
		}
	}
	slices.Sort(modern)
	slices.Sort(legacy)
	return modern, legacy
}

// logs lists the services' logs seen so far, sorted by server and kind.
func (o *orgState) logs() []ServerLogs {
	var out []ServerLogs
	for short, s := range o.servers {
		for k := range numServiceKinds {
			if s.kinds&(1<<k) == 0 {
				continue
			}
			l := ServerLogs{Server: o.display(short), Kind: msgtrk.LogKind(k), Modern: s.modern}
			if s.first[k] != 0 {
				l.First = time.Unix(0, s.first[k]).UTC()
			}
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b ServerLogs) int {
		if c := strings.Compare(a.Server, b.Server); c != 0 {
			return c
		}
		return int(a.Kind) - int(b.Kind)
	})
	return out
}

// tellLogs takes the services' logs a caller says are in the input
// (Context.Logs) instead of learning them from the rows.
func (o *orgState) tellLogs(logs []ServerLogs) {
	o.fixedLogs = true
	for _, l := range logs {
		short := o.intern(shortHost(nil, []byte(l.Server)))
		if short == "" || int(l.Kind) >= numServiceKinds {
			continue
		}
		o.spelling(short, []byte(l.Server))
		o.markLogs(short)
		s := o.server(short)
		s.kinds |= 1 << l.Kind
		s.modern = s.modern || l.Modern
		if !l.First.IsZero() {
			if ns := l.First.UnixNano(); s.first[l.Kind] == 0 || ns < s.first[l.Kind] {
				s.first[l.Kind] = ns
			}
		}
		o.serverChanged(short)
	}
}

// Logs lists the logs of each service of each server seen so far (which
// services' logs are in the input, from when), for Context.Logs. Call it
// after Flush.
func (t *Tracker) Logs() []ServerLogs { return t.org.logs() }

// Generations lists the servers whose logs were read by what keys their
// rows: modern, those with the network-message-id column (Exchange 2013
// and later), keyed by it; legacy, those without (2007, 2010), keyed by
// message-id and sender (Keys.Primary). Nothing in the rows ties the two
// keys of one message (format.md §6: network-message-id is absent on
// pre-2013 logs), so when both lists are non-empty a message that crossed
// between them is two traces, each missing the other's part. Call it after
// Flush.
func (t *Tracker) Generations() (modern, legacy []string) { return t.org.generations() }

// serviceLogs: see orgState.serviceLogs.
func (t *Tracker) serviceLogs(short string, kind msgtrk.LogKind) (msgtrk.LogKind, bool, int64) {
	return t.org.serviceLogs(short, kind)
}

// window is the quiet window (Options.Window).
func (t *Tracker) window() time.Duration { return t.opts.Window }
