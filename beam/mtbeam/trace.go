package mtbeam

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/mailtrace/mailtrace/correlate"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/mailtrace/mailtrace/report"
)

func init() {
	beam.RegisterType(reflect.TypeOf((*Alias)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*Message)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*Trace)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*keyAt)(nil)).Elem())
	register.DoFn5x1[Row, func(string, Row), func(string, string), func(string, Row), func(Row), error](&keyFn{})
	register.Function5x0[string, func(*string) bool, func(*Row) bool, func(string, Row), func(Alias)](joinStore)
	register.DoFn4x0[string, Row, func(*Alias) bool, func(string, Row)](&rekeyFn{})
	register.Function1x2[Row, string, Row](keyAlone)
	register.DoFn7x1[context.Context, string, func(*Row) bool, func(*File) bool, func(Trace), func(string, keyAt), func(string, Message), error](&buildFn{})
	register.DoFn6x1[context.Context, string, func(*keyAt) bool, func(*Message) bool, func(*File) bool, func(Trace), error](&linkFn{})
	register.Function1x1[Trace, string](traceLine)
	register.Emitter2[string, Row]()
	register.Emitter2[string, string]()
	register.Emitter2[string, keyAt]()
	register.Emitter2[string, Message]()
	register.Iter1[keyAt]()
	register.Iter1[Message]()
	register.Emitter1[string]()
	register.Emitter1[Row]()
	register.Emitter1[Alias]()
	register.Emitter1[Trace]()
	register.Iter1[Row]()
	register.Iter1[string]()
	register.Iter1[File]()
	register.Iter1[Alias]()
}

// beyondWindowMessages counts the messages whose rows leave a gap longer
// than the window (see Options.Window).
var beyondWindowMessages = beam.NewCounter("mailtrace", "beyond_window")

// Message is the rows of one message, grouped by Group.
type Message struct {
	Key  string // the grouping key: a primary key, a store key or a row's own
	Rows []Row
}

// Alias says that two primary keys name one message: a store submission
// tied them together (see correlate.Keys).
type Alias struct {
	From, To string
}

// Group puts the rows of each message together, by the message-identity
// rule of the single-machine correlator (correlate.KeyOf): rows with the
// same primary key are one message, and so are rows with the same store
// key. It returns a PCollection of KV<string, iterable of Row>, one element
// per message; the key is one of the message's keys.
//
// Rows with only a store key (a store submission's NOTIFYMAPI) join the
// message their store key leads to through a row that has both (the
// STOREDRIVER RECEIVE); two primary keys tied by one store key are one
// message (the keys the few such ties produce go to every worker as a side
// input). Rows with no key at all are a message each, as in a Tracker.
func Group(s beam.Scope, rows beam.PCollection) beam.PCollection {
	s = s.Scope("mtbeam.Group")
	out := beam.ParDoN(s, &keyFn{}, rows)
	byPrimary, links, byStore, alone := out[0], out[1], out[2], out[3]
	joined := beam.CoGroupByKey(s, links, byStore)
	fromStore := beam.ParDoN(s, joinStore, joined)
	aliases := fromStore[1]
	keyed := beam.Flatten(s, byPrimary, fromStore[0])
	keyed = beam.ParDo(s, &rekeyFn{}, keyed, beam.SideInput{Input: aliases})
	keyed = beam.Flatten(s, keyed, beam.ParDo(s, keyAlone, alone))
	return beam.GroupByKey(s, keyed)
}

// keyFn keys each row by correlate.KeyOf. Outputs: KV<primary, Row> for
// rows with a primary key; KV<store, primary> for rows with both keys;
// KV<store, Row> for rows with only a store key; Row for rows with
// neither.
type keyFn struct {
	dec recordReader
}

func (fn *keyFn) ProcessElement(r Row, byPrimary func(string, Row), link func(string, string), byStore func(string, Row), alone func(Row)) error {
	rec, err := fn.dec.record(&r)
	if err != nil {
		return err
	}
	k := correlate.KeyOf(rec)
	switch {
	case k.Primary != "":
		byPrimary(k.Primary, r)
		if k.Store != "" {
			link(k.Store, k.Primary)
		}
	case k.Store != "":
		byStore(k.Store, r)
	default:
		alone(r)
	}
	return nil
}

// rowID names a row that carries no key: its file and line, as a Tracker
// names the trace of such a row.
func rowID(r *Row) string { return r.File + ":" + strconv.FormatInt(r.Line, 10) }

// joinStore gives each row that has only a store key the primary key that
// store key leads to (the smallest when it leads to several, which are then
// aliases of it), or the store key itself when no row ties it to one.
func joinStore(store string, primaries func(*string) bool, rows func(*Row) bool, keyed func(string, Row), alias func(Alias)) {
	var ps []string
	var p string
	for primaries(&p) {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	ps = slices.Compact(ps)
	key := store
	if len(ps) > 0 {
		key = ps[0]
		for _, other := range ps[1:] {
			alias(Alias{From: other, To: key})
		}
	}
	var r Row
	for rows(&r) {
		keyed(key, r)
	}
}

// rekeyFn replaces a primary key by the one it is an alias of.
type rekeyFn struct {
	to map[string]string // resolved: key → the smallest key of its message
}

func (fn *rekeyFn) ProcessElement(key string, r Row, aliases func(*Alias) bool, emit func(string, Row)) {
	if fn.to == nil {
		fn.to = resolveAliases(aliases)
	}
	if to, ok := fn.to[key]; ok {
		key = to
	}
	emit(key, r)
}

// resolveAliases joins keys tied by aliases into sets (union-find) and maps
// each key to the smallest key of its set.
func resolveAliases(aliases func(*Alias) bool) map[string]string {
	parent := map[string]string{}
	var find func(string) string
	find = func(k string) string {
		p, ok := parent[k]
		if !ok || p == k {
			return k
		}
		r := find(p)
		parent[k] = r
		return r
	}
	var a Alias
	for aliases(&a) {
		x, y := find(a.From), find(a.To)
		if x == y {
			continue
		}
		if y < x {
			x, y = y, x
		}
		parent[y] = x
	}
	out := make(map[string]string, len(parent))
	for k := range parent {
		out[k] = find(k)
	}
	return out
}

func keyAlone(r Row) (string, Row) { return "row:" + rowID(&r), r }

// Trace is one message's trace: its version-1 JSON (one line of
// mailtrace trace -json) and the keys a later step joins on.
type Trace struct {
	Key  string
	JSON string
	// DSNForMessageID is, for an NDR, the message-id of the message it
	// reports on (correlate.Trace.DSNForMessageID).
	DSNForMessageID string
	// Counts is what the trace adds to the counts (report.Counts.Add).
	Counts report.Counts
	// BeyondWindow is the number of the message's rows after the first
	// gap longer than Options.Window between its rows in time order (or
	// after the retry time of a DEFER before it; 0 for most messages):
	// the rows the command counts as late.
	BeyondWindow int64
}

// keyAt is a trace's key and first time, for the DSN join.
type keyAt struct {
	Key   string
	First int64
}

// Options are the organisation-wide settings of Traces.
type Options struct {
	// EdgeServers names the Edge Transport servers, as mailtrace's -edge.
	EdgeServers []string
	// AcceptedDomains names domains the organisation receives mail for,
	// as mailtrace's -accepted-domain.
	AcceptedDomains []string
	// Window is mailtrace's -window (0: correlate.DefaultWindow). The
	// pipeline builds each message from all of its rows; the command
	// emits a message whose rows leave a quiet gap longer than the window
	// (after a deferral: longer than the window after its retry time)
	// in parts and counts the later rows as late. Such messages are not
	// split here: each is counted (Counts.BeyondWindow) with the rows
	// after its first such gap, and the "beyond_window" counter of the
	// "mailtrace" namespace counts them too.
	Window time.Duration
}

// Traces builds every message's trace from its rows with the code of the
// single-machine correlator (correlate.BuildTrace) and returns them as a
// PCollection of Trace. groups is the output of Group; files the Files of
// Read.
//
// What the single-machine correlator learns from the whole input comes in
// as a side input and a join. The side input is files: which server wrote
// each file, the servers with logs, the Edge servers and the accepted
// domains, joined over all files (see correlate.FileEvidence) into the
// correlate.Context every message is built with. The join is the DSN link:
// an NDR names the message-id of the message it reports on, and a
// join on message-id gives it that message's key (correlate.Trace.DSNFor),
// after which the NDR is built again with that link. When several messages
// have the message-id (copies of one message can share it), the one seen
// first is taken, ties broken by key.
func Traces(s beam.Scope, groups, files beam.PCollection, opts Options) beam.PCollection {
	s = s.Scope("mtbeam.Traces")
	org := beam.SideInput{Input: files}
	b := builder{Edges: opts.EdgeServers, Domains: opts.AcceptedDomains, Window: opts.Window}
	if b.Window <= 0 {
		b.Window = correlate.DefaultWindow
	}
	out := beam.ParDoN(s, &buildFn{B: b}, groups, org)
	traces, ids, ndrs := out[0], out[1], out[2]
	linked := beam.ParDo(s, &linkFn{B: b}, beam.CoGroupByKey(s, ids, ndrs), org)
	return beam.Flatten(s, traces, linked)
}

// TraceJSON returns the JSON line of each trace (a PCollection of string),
// ready for textio.Write: the lines of mailtrace trace -json.
func TraceJSON(s beam.Scope, traces beam.PCollection) beam.PCollection {
	return beam.ParDo(s.Scope("mtbeam.TraceJSON"), traceLine, traces)
}

func traceLine(t Trace) string { return t.JSON }

// builder builds traces with what is known of the organisation.
type builder struct {
	Edges   []string
	Domains []string
	Window  time.Duration

	ctx  correlate.Context // from the side input, read once
	read bool
}

// readOrg joins what the files show of the organisation into b.ctx, once.
func (b *builder) readOrg(files func(*File) bool) {
	if b.read {
		return
	}
	b.read = true
	b.ctx = orgContext(files, b.Edges, b.Domains)
}

// orgContext joins what files show of the organisation (see
// correlate.FileEvidence) with the servers and domains the user named: the
// servers with logs, the Edge servers (evidence only an Edge gives, none
// only a mailbox server gives), the accepted domains, which server wrote
// each file, each server named as the earliest row of the whole input
// spells it (ties: the first file by path), as a Tracker names it, and
// which services' logs of each server are in the input, from when.
func orgContext(files func(*File) bool, edges, domains []string) correlate.Context {
	ctx := correlate.Context{Files: map[string]string{}}
	servers, edge, mailbox, accepted := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	type spelt struct {
		name, file string
		at         int64
	}
	names := map[string]spelt{}
	var f File
	for files(&f) {
		if f.Server != "" {
			ctx.Files[f.Path] = f.Server
		}
		for _, s := range f.Evidence.Servers {
			servers[strings.ToLower(s)] = true
		}
		for _, s := range f.Evidence.Edge {
			edge[s] = true
		}
		for _, s := range f.Evidence.Mailbox {
			mailbox[s] = true
		}
		for _, d := range f.Evidence.Domains {
			accepted[d] = true
		}
		ctx.Logs = append(ctx.Logs, f.Evidence.Logs...)
		for _, sp := range f.Evidence.Spellings {
			old, ok := names[sp.Short]
			if !ok || sp.At < old.at || sp.At == old.at && f.Path < old.file {
				names[sp.Short] = spelt{sp.Name, f.Path, sp.At}
			}
		}
	}
	name := func(server string) string {
		if sp, ok := names[strings.ToLower(server)]; ok {
			return sp.name
		}
		return server
	}
	for path, server := range ctx.Files {
		ctx.Files[path] = name(server)
	}
	// The side input comes in any order: the logs are spelt and sorted
	// so that every worker, and every run, builds with the same Context.
	for i := range ctx.Logs {
		ctx.Logs[i].Server = name(ctx.Logs[i].Server)
	}
	slices.SortFunc(ctx.Logs, func(a, b correlate.ServerLogs) int {
		return cmp.Or(cmp.Compare(a.Server, b.Server), cmp.Compare(a.Kind, b.Kind),
			a.First.Compare(b.First), cmpBool(a.Modern, b.Modern))
	})
	for s := range servers {
		ctx.Servers = append(ctx.Servers, name(s))
	}
	ctx.EdgeServers = append(ctx.EdgeServers, edges...)
	for s := range edge {
		if !mailbox[s] {
			ctx.EdgeServers = append(ctx.EdgeServers, s)
		}
	}
	ctx.AcceptedDomains = append(ctx.AcceptedDomains, domains...)
	for d := range accepted {
		ctx.AcceptedDomains = append(ctx.AcceptedDomains, d)
	}
	slices.Sort(ctx.Servers)
	slices.Sort(ctx.EdgeServers)
	slices.Sort(ctx.AcceptedDomains)
	return ctx
}

// build builds the trace of one message's rows.
func (b *builder) build(key string, rows func(*Row) bool, links map[string]string) (*correlate.Trace, int64, error) {
	var dec recordReader // its readers' Origins live as long as the records
	var recs []*msgtrk.Record
	var r Row
	for rows(&r) {
		rec, err := dec.record(&r)
		if err != nil {
			return nil, 0, err
		}
		recs = append(recs, rec)
	}
	ctx := b.ctx
	ctx.DSNLinks = links
	t, err := correlate.BuildTrace(recs, ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("mtbeam: message %s: %w", key, err)
	}
	return t, beyondWindow(recs, b.Window), nil
}

// beyondWindow returns the number of rows after the first quiet gap longer
// than window (a row later than the latest before it, or than the latest
// retry time a DEFER before it gave, correlate.RetryWait, by more than
// window), as the command's Tracker would have emitted the message by
// then; rows without a time are left out.
func beyondWindow(recs []*msgtrk.Record, window time.Duration) int64 {
	type row struct{ at, quietFrom time.Time }
	rows := make([]row, 0, len(recs))
	for _, r := range recs {
		if at, err := r.Time(); err == nil {
			wait, _ := correlate.RetryWait(r)
			rows = append(rows, row{at, at.Add(wait)})
		}
	}
	slices.SortFunc(rows, func(a, b row) int { return a.at.Compare(b.at) })
	var quiet time.Time
	for i, r := range rows {
		if i > 0 && r.at.Sub(quiet) > window {
			return int64(len(rows) - i)
		}
		if r.quietFrom.After(quiet) {
			quiet = r.quietFrom
		}
	}
	return 0
}

func traceOf(ctx context.Context, t *correlate.Trace, beyond int64) (Trace, error) {
	js, err := t.MarshalJSON()
	if err != nil {
		return Trace{}, err
	}
	if beyond > 0 {
		beyondWindowMessages.Inc(ctx, 1)
	}
	out := Trace{Key: t.Key, JSON: string(js), DSNForMessageID: t.DSNForMessageID, BeyondWindow: beyond}
	out.Counts.Add(t)
	return out, nil
}

// buildFn builds one message's trace. A trace that reports on another
// message (an NDR) goes to the DSN join with its rows instead.
type buildFn struct {
	B builder
}

func (fn *buildFn) ProcessElement(ctx context.Context, key string, rows func(*Row) bool, files func(*File) bool,
	emit func(Trace), ids func(string, keyAt), ndrs func(string, Message)) error {
	fn.B.readOrg(files)
	var kept []Row
	keep := func(r *Row) bool {
		if !rows(r) {
			return false
		}
		kept = append(kept, *r)
		return true
	}
	t, beyond, err := fn.B.build(key, keep, nil)
	if err != nil {
		return err
	}
	if t.MessageID != "" {
		ids(t.MessageID, keyAt{Key: t.Key, First: t.FirstSeen.UnixNano()})
	}
	if t.DSNForMessageID != "" {
		ndrs(t.DSNForMessageID, Message{Key: key, Rows: kept})
		return nil
	}
	out, err := traceOf(ctx, t, beyond)
	if err != nil {
		return err
	}
	emit(out)
	return nil
}

// linkFn builds the NDRs reporting on the message-id mid again, with the
// key of the message that has it.
type linkFn struct {
	B builder
}

func (fn *linkFn) ProcessElement(ctx context.Context, mid string, ids func(*keyAt) bool, ndrs func(*Message) bool, files func(*File) bool, emit func(Trace)) error {
	fn.B.readOrg(files)
	var best keyAt
	var k keyAt
	for ids(&k) {
		if best.Key == "" || k.First < best.First || k.First == best.First && k.Key < best.Key {
			best = k
		}
	}
	var links map[string]string
	if best.Key != "" {
		links = map[string]string{mid: best.Key}
	}
	var m Message
	for ndrs(&m) {
		i := 0
		next := func(r *Row) bool {
			if i == len(m.Rows) {
				return false
			}
			*r = m.Rows[i]
			i++
			return true
		}
		t, beyond, err := fn.B.build(m.Key, next, links)
		if err != nil {
			return err
		}
		out, err := traceOf(ctx, t, beyond)
		if err != nil {
			return err
		}
		emit(out)
	}
	return nil
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
