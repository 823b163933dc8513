package export

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mailtrace/mailtrace/filekind"
	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/internal/fielderr"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// DefaultMaxBuffer is the default for Options.MaxBuffer: 256 MiB.
const DefaultMaxBuffer = 256 << 20

// Sentinel errors, carried in a *msgtrk.ParseError.
var (
	// ErrNoHeader: a CSV export has no header line.
	ErrNoHeader = errors.New("export: no header line")
	// ErrFieldCount: a row has another number of fields than the header.
	ErrFieldCount = errors.New("export: wrong number of fields")
	// ErrQuote: a quoted field is not closed before the end of the input.
	ErrQuote = errors.New("export: quoted field not closed")
	// ErrTooLong: a record is longer than Options.MaxRecordBytes; it was
	// skipped without being held whole.
	ErrTooLong = errors.New("export: record too long")
	// ErrTime: a time cannot be read, or cannot be a date in the order the
	// file's other dates are in.
	ErrTime = errors.New("export: time not understood")
	// ErrValue: a value holds a NUL byte or invalid UTF-8, which a tracking
	// log cannot hold.
	ErrValue = errors.New("export: value is not text")
	// ErrTooBig: Format-List text larger than Options.MaxBuffer.
	ErrTooBig = errors.New("export: Format-List text too large to read (export with Export-Csv instead)")
)

// Options configures how an export is read. The zero value is ready to use.
type Options struct {
	// Zone is the time zone of the machine that ran Get-MessageTrackingLog:
	// its Timestamp is that machine's wall-clock time. When nil, the zone is
	// estimated from the UTC times inside the rows (source-context and
	// message-info carry some), or UTC is taken when they carry none; a
	// notice says which. Other kinds of export are in UTC.
	Zone *time.Location
	// Notice, when set, receives what the reader must say about a file,
	// once per file and subject: the zone assumed, the date order assumed,
	// data lost in the export, rows re-ordered.
	Notice func(file, msg string)
	// Error, when set, receives each record that cannot be converted (and
	// is skipped), with its line and column in the export.
	Error func(*msgtrk.ParseError)
	// Strict makes the first record that cannot be converted end the
	// reading: Read returns it (a *msgtrk.ParseError) after the rows before
	// it, and Error is not called.
	Strict bool
	// MaxBuffer bounds the converted rows held to decide the date order
	// and zone and to sort rows into time order, and the size of Format-List
	// text. Zero means DefaultMaxBuffer. Rows past it are converted one by
	// one, with the decisions made on the ones before.
	MaxBuffer int
	// MaxRecordBytes bounds one record of a CSV export. Zero means
	// msgtrk.DefaultMaxLineBytes.
	MaxRecordBytes int
}

// row is one converted record.
type row struct {
	line    int64
	st      stamp
	hasTime bool
	ref     time.Time // a UTC time written inside the row
	t       time.Time // the row's instant, once decided
	vals    []string  // by slot
}

// reader converts an export into the text of a message tracking log.
type reader struct {
	name  string
	res   filekind.Result
	vocab filekind.Vocabulary
	opts  Options
	src   source
	raw   io.Reader // the text, before the source is made

	cols      []column
	nslots    int
	slotField []int // the field of each slot, -1 for an extra column
	slotName  []string
	fieldSlot [msgtrk.NumFields]int
	headLine  int64

	started  bool
	rows     []*row
	emitted  int
	buffered int
	dec      timeDecision
	keep     []int // slots written, in order
	lost     []bool
	notes    map[string]bool

	truncated int // Format-List arrays cut short
	partialED int // EventData values read in part
	disorder  int // rows after the buffer earlier than the one before
	lastT     time.Time
	curMsg    string // Get-MessageTrace: the message of the previous row
	curGroup  string // and the group expanded last in it

	out     []byte
	outPos  int
	lineOut int64
	done    bool
	fatal   error
	scratch []byte
}

// NewReader returns the export in src, whose kind res tells (see
// filekind.NewReader, which gives src as UTF-8 text), as the text of a
// message tracking log that msgtrk.Reader reads:
//
//	#Fields: date-time,…   only the columns the export carries
//	2024-03-04T08:00:01.000Z,…
//
// Rows keep the line of their record in the export (blank lines are written
// in between) unless they had to be sorted into time order; see the package
// doc for what each kind carries. name names the export in errors and
// notices. res.Kind must be an accepted kind other than filekind.TrackingLog.
func NewReader(name string, res filekind.Result, src io.Reader, opts Options) io.Reader {
	if opts.MaxBuffer <= 0 {
		opts.MaxBuffer = DefaultMaxBuffer
	}
	if opts.MaxRecordBytes <= 0 {
		opts.MaxRecordBytes = msgtrk.DefaultMaxLineBytes
	}
	r := &reader{name: name, res: res, opts: opts, raw: src, notes: map[string]bool{}}
	for i := range r.fieldSlot {
		r.fieldSlot[i] = -1
	}
	return r
}

// Read implements io.Reader.
func (r *reader) Read(p []byte) (int, error) {
	for r.outPos == len(r.out) {
		if r.done {
			if r.fatal != nil {
				return 0, r.fatal
			}
			return 0, io.EOF
		}
		r.out, r.outPos = r.out[:0], 0
		r.step()
	}
	n := copy(p, r.out[r.outPos:])
	r.outPos += n
	return n, nil
}

// step produces the next piece of output into r.out.
func (r *reader) step() {
	if !r.started {
		r.started = true
		if err := r.start(); err != nil {
			r.fatal, r.done = err, true
		}
		return
	}
	if r.emitted < len(r.rows) {
		for r.emitted < len(r.rows) && len(r.out) < 64<<10 {
			r.emitRow(r.rows[r.emitted], !r.dec.sorted)
			r.rows[r.emitted] = nil
			r.emitted++
		}
		return
	}
	// Past the buffer: one record at a time.
	for len(r.out) < 64<<10 {
		rw, ok := r.read()
		if !ok {
			r.finish()
			return
		}
		if !r.resolve(rw) {
			if r.fatal != nil {
				r.done = true
				return
			}
			continue
		}
		if rw.hasTime {
			if rw.t.Before(r.lastT) {
				r.disorder++
			} else {
				r.lastT = rw.t
			}
		}
		r.emitRow(rw, true)
	}
}

// start reads the header and the first rows (up to MaxBuffer), decides what
// the times mean, sorts the rows when they are out of order, and writes the
// header.
func (r *reader) start() error {
	br := bufio.NewReader(r.raw)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\uFEFF")) {
		br.Discard(3)
	}
	if r.res.Kind == filekind.FormatList {
		text, err := io.ReadAll(io.LimitReader(br, int64(r.opts.MaxBuffer)+1))
		if err != nil {
			return err
		}
		if len(text) > r.opts.MaxBuffer {
			return &msgtrk.ParseError{File: r.name, Line: 1, Column: 1, Err: ErrTooBig}
		}
		ls := newListSource(r.name, string(text))
		r.vocab = ls.vocab
		r.src = ls
	} else {
		r.src = newCSVSource(r.name, r.res, br, r.opts.MaxRecordBytes)
		r.vocab = filekind.VocabularyOf(r.res.Columns)
	}
	names, line, err := r.src.columns()
	if err != nil {
		var pe *msgtrk.ParseError
		if errors.As(err, &pe) {
			r.report(pe)
			r.finish()
			return nil
		}
		return err
	}
	r.headLine = line
	r.plan(names)
	for r.buffered < r.opts.MaxBuffer {
		rw, ok := r.read()
		if !ok {
			break
		}
		r.rows = append(r.rows, rw)
		r.buffered += 64
		for _, v := range rw.vals {
			r.buffered += len(v) + 16
		}
	}
	r.decide()
	kept := r.rows[:0]
	for _, rw := range r.rows {
		if r.resolve(rw) {
			kept = append(kept, rw)
		} else if r.fatal != nil {
			break // Strict: nothing after the first error
		}
	}
	r.rows = kept
	if len(r.keep) == 0 {
		r.notice("no column of a message tracking log in this file: nothing to read")
		r.rows = nil
		r.finish()
		return nil
	}
	r.sortRows()
	r.writeHeader()
	return nil
}

// finish says what is left to say and ends the output.
func (r *reader) finish() {
	if err := r.src.err(); err != nil && r.fatal == nil {
		r.fatal = err
	}
	if ls, ok := r.src.(*listSource); ok && ls.skipped > 0 {
		r.notice(fmt.Sprintf("%d records of other properties skipped (the file mixes kinds of records)", ls.skipped))
	}
	if r.truncated > 0 {
		r.notice(fmt.Sprintf("%d lists (Recipients, RecipientStatus, Reference or EventData) end in \"...\": Format-List showed only their first members ($FormatEnumerationLimit), the others are lost; set $FormatEnumerationLimit = -1, or better, export with Export-Csv (see the README)", r.truncated))
	}
	if r.partialED > 0 {
		r.notice(fmt.Sprintf("%d EventData values could not be read whole; their complete pairs were kept", r.partialED))
	}
	if r.disorder > 0 {
		r.notice(fmt.Sprintf("%d rows after the first %d MiB came earlier than the row before them and were left where they are: traces of such messages may be split; sort the export by time or split it", r.disorder, r.opts.MaxBuffer>>20))
	}
	r.done = true
}

func (r *reader) notice(msg string) {
	if r.notes[msg] {
		return
	}
	r.notes[msg] = true
	if r.opts.Notice != nil {
		r.opts.Notice(r.name, msg)
	}
}

func (r *reader) report(e *msgtrk.ParseError) {
	e.File = r.name
	if r.opts.Strict {
		if r.fatal == nil {
			r.fatal = e
		}
		return
	}
	if r.opts.Error != nil {
		r.opts.Error(e)
	}
}

// plan maps the export's columns to slots: one per tracking field the
// export carries, in the order of the fields, then one per other column.
func (r *reader) plan(names []string) {
	r.cols = make([]column, len(names))
	var has [msgtrk.NumFields]bool
	for i, n := range names {
		ro, f := classify(r.vocab, n)
		r.cols[i] = column{name: n, role: ro, field: f, slot: -1}
		if ro == roleExtra {
			continue
		}
		has[f] = true
		switch ro {
		case roleSummaryStatus:
			has[msgtrk.RecipientAddress] = true
		case roleTraceStatus:
			has[msgtrk.RelatedRecipientAddress] = true
		}
	}
	for f := range has {
		if has[f] {
			r.fieldSlot[f] = r.nslots
			r.slotField = append(r.slotField, f)
			r.slotName = append(r.slotName, msgtrk.Field(f).String())
			r.nslots++
		}
	}
	for i := range r.cols {
		c := &r.cols[i]
		if c.role != roleExtra {
			c.slot = r.fieldSlot[c.field]
			continue
		}
		name := extraName(c.name)
		if name == "" || r.nslots >= msgtrk.MaxFields {
			continue
		}
		if _, known := msgtrk.LookupField([]byte(name)); known {
			continue
		}
		c.slot = r.nslots
		r.slotField = append(r.slotField, -1)
		r.slotName = append(r.slotName, name)
		r.nslots++
	}
	r.lost = make([]bool, len(r.cols))
}

// extraName is the name a column of no tracking field keeps: its letters,
// digits, '-', '_' and '.'; "" when nothing is left.
func extraName(n string) string {
	b := make([]byte, 0, len(n))
	for i := 0; i < len(n) && len(b) < 64; i++ {
		if c := n[i]; ascii.IsAlnum(c) || c == '-' || c == '_' || c == '.' {
			b = append(b, c)
		}
	}
	return string(b)
}

// read returns the next record converted, skipping (and reporting) the
// malformed ones; ok is false at the end.
func (r *reader) read() (*row, bool) {
	for r.fatal == nil {
		rec, bad, ok := r.src.next()
		if !ok {
			return nil, false
		}
		if bad != nil {
			r.report(bad)
			continue
		}
		if rw := r.convert(&rec); rw != nil {
			return rw, true
		}
	}
	return nil, false
}

// convert makes a row of rec; nil when rec is malformed (reported).
func (r *reader) convert(rec *record) *row {
	rw := &row{line: rec.line, vals: make([]string, r.nslots)}
	nrcpt := -1
	for i, c := range r.cols {
		if c.role == roleArray && c.field == msgtrk.RecipientAddress {
			m, _ := splitArray(rec.values[i], c.field, 0)
			nrcpt = len(m)
		}
	}
	var traceStatus, toIP string
	var custom []string
	for i, c := range r.cols {
		v := rec.values[i]
		if strings.IndexByte(v, 0) >= 0 || !utf8.ValidString(v) {
			r.badValue(rec, i, ErrValue, v)
			return nil
		}
		switch c.role {
		case roleExtra:
			if c.slot >= 0 {
				rw.vals[c.slot] = v
			}
		case roleField:
			if rw.vals[c.slot] == "" {
				rw.vals[c.slot] = v
			}
			if c.field == msgtrk.ServerIP {
				toIP = v
			}
		case roleArray:
			if isTypeName(strings.TrimSpace(v)) {
				r.lost[i] = true
				continue
			}
			m, cut := splitArray(v, c.field, nrcpt)
			if cut {
				r.truncated++
			}
			r.scratch = appendList(r.scratch[:0], m)
			if len(m) == 0 {
				r.scratch = r.scratch[:0]
			}
			rw.vals[c.slot] = string(r.scratch)
		case roleEventData:
			if isTypeName(strings.TrimSpace(v)) {
				r.lost[i] = true
				continue
			}
			m, cut, ok := customData(v)
			if cut {
				r.truncated++
			}
			if !ok {
				r.partialED++
			}
			custom = append(custom, m...)
		case roleLocalTime, roleUTCTime:
			if strings.TrimSpace(v) == "" || rw.hasTime {
				continue
			}
			st, ok := parseStamp(v)
			if !ok {
				r.badValue(rec, i, ErrTime, v)
				return nil
			}
			rw.st, rw.hasTime = st, true
		case roleTraceStatus:
			traceStatus = strings.TrimSpace(v)
		case roleSummaryStatus:
			addrs, statuses := summaryRecipients(v)
			if len(addrs) > 0 {
				rw.vals[r.fieldSlot[msgtrk.RecipientAddress]] = string(appendList(nil, addrs))
				rw.vals[c.slot] = string(appendList(nil, statuses))
			}
		case roleDirection:
			rw.vals[c.slot] = direction(v)
		case rolePriority:
			if v = strings.TrimSpace(v); v != "" {
				custom = append(custom, "S:DeliveryPriority="+v)
			}
		}
	}
	if s := r.fieldSlot[msgtrk.CustomData]; s >= 0 && len(custom) > 0 {
		if rw.vals[s] != "" {
			rw.vals[s] += ";"
		}
		rw.vals[s] += string(appendList(nil, custom))
	}
	if s := r.fieldSlot[msgtrk.RecipientStatus]; s >= 0 && r.vocab == filekind.VocabMessageTrace {
		r.traceRow(rw, traceStatus, toIP)
	}
	if rw.hasTime && !rw.st.absolute {
		for _, f := range []msgtrk.Field{msgtrk.SourceContext, msgtrk.MessageInfo} {
			if s := r.fieldSlot[f]; s >= 0 {
				if t, ok := findISO(rw.vals[s]); ok {
					rw.ref = t
					break
				}
			}
		}
	}
	return rw
}

// traceRow fills the recipient-status of a Get-MessageTrace row ("Failed,
// Fail": the status, then the tracking event it stands for) and, for a row
// that follows an Expanded row of the same message, the group it came from
// in related-recipient-address (the service lists a distribution group,
// then its members).
func (r *reader) traceRow(rw *row, status, toIP string) {
	member := status
	if ev := traceEvent(status, toIP); ev != "" {
		member += ", " + ev
	}
	rw.vals[r.fieldSlot[msgtrk.RecipientStatus]] = string(appendList(nil, []string{member}))
	msg := ""
	if s := r.fieldSlot[msgtrk.NetworkMessageID]; s >= 0 {
		msg = rw.vals[s]
	}
	if s := r.fieldSlot[msgtrk.MessageID]; msg == "" && s >= 0 {
		msg = rw.vals[s]
	}
	if msg != r.curMsg {
		r.curMsg, r.curGroup = msg, ""
	}
	rcpt := ""
	if s := r.fieldSlot[msgtrk.RecipientAddress]; s >= 0 {
		rcpt = rw.vals[s]
	}
	switch {
	case strings.EqualFold(status, "Expanded"):
		r.curGroup = rcpt
	case r.curGroup != "":
		rw.vals[r.fieldSlot[msgtrk.RelatedRecipientAddress]] = r.curGroup
	}
}

func (r *reader) badValue(rec *record, i int, err error, v string) {
	_, ex := fielderr.Excerpt([]byte(v), 0)
	pe := &msgtrk.ParseError{Line: rec.line, Column: 1, Field: r.cols[i].name, Err: err, Excerpt: ex}
	if p := rec.pos[i]; p.line > 0 {
		pe.Line, pe.Column = p.line, p.col
	}
	r.report(pe)
}

// decide settles, from the buffered rows, the date order, the zone of
// wall-clock times and the columns lost in the export, and says so.
func (r *reader) decide() {
	var samples []sample
	local := false
	for _, rw := range r.rows {
		if rw.hasTime && !rw.st.absolute {
			samples = append(samples, sample{rw.st, rw.ref})
		}
	}
	for _, c := range r.cols {
		if c.role == roleLocalTime {
			local = true
		}
	}
	r.dec.order, r.dec.orderWhy = decideOrder(samples)
	if r.dec.orderWhy != "" {
		r.notice(r.dec.orderWhy)
	}
	r.dec.loc = time.UTC
	if local && len(samples) > 0 {
		r.decideZone(samples)
	}
	var lost []string
	for i, c := range r.cols {
		if r.lost[i] {
			lost = append(lost, c.name)
			if c.role == roleEventData {
				// Other columns may still feed custom-data.
				continue
			}
			r.fieldSlot[c.field] = -1
		}
	}
	if len(lost) > 0 {
		what := "data"
		for _, n := range lost {
			if filekind.NormalizeName(n) == "recipients" {
				what = "the recipients"
			}
		}
		r.notice(fmt.Sprintf("%s exported as a type name (%q): %s in them were lost by Export-Csv, which cannot write a list; those columns are left out. Export again keeping them: %s",
			joinNames(lost), "System.String[]", what, KeepListsCommand))
	}
	for s := 0; s < r.nslots; s++ {
		if f := r.slotField[s]; f >= 0 && r.fieldSlot[f] != s {
			continue
		}
		r.keep = append(r.keep, s)
	}
}

func joinNames(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// KeepListsCommand is the Exchange Management Shell command that exports
// Get-MessageTrackingLog results with their lists (recipients, their
// statuses, references, EventData) and times in UTC, which mailtrace reads
// without -tz.
const KeepListsCommand = `Get-MessageTrackingLog -ResultSize Unlimited -Start … -End … | Select-Object @{n='Timestamp';e={$_.Timestamp.ToUniversalTime().ToString('o')}},ClientIp,ClientHostname,ServerIp,ServerHostname,SourceContext,ConnectorId,Source,EventId,InternalMessageId,MessageId,NetworkMessageId,@{n='Recipients';e={$_.Recipients -join ';'}},@{n='RecipientStatus';e={$_.RecipientStatus -join ';'}},TotalBytes,RecipientCount,RelatedRecipientAddress,@{n='Reference';e={$_.Reference -join ';'}},MessageSubject,Sender,ReturnPath,Directionality,TenantId,OriginalClientIp,MessageInfo,@{n='EventData';e={($_.EventData | ForEach-Object {'S:' + $_.Key + '=' + $_.Value}) -join ';'}} | Export-Csv -NoTypeInformation -Encoding UTF8 tracking.csv`

// decideZone settles the zone of the wall-clock Timestamp column.
func (r *reader) decideZone(samples []sample) {
	est, n, ok := estimateOffset(samples, r.dec.order)
	if r.opts.Zone != nil {
		r.dec.loc = r.opts.Zone
		if ok {
			mid := samples[len(samples)/2].st
			if t, ok2 := mid.in(r.dec.order, r.opts.Zone); ok2 {
				_, off := t.In(r.opts.Zone).Zone()
				if time.Duration(off)*time.Second != est {
					r.notice(fmt.Sprintf("Timestamp was read in %s as -tz says, but the UTC times inside %d rows put the exporting machine at %s: check -tz", r.opts.Zone, n, offsetName(est)))
				}
			}
		}
		return
	}
	if ok {
		r.dec.loc = time.FixedZone(offsetName(est), int(est/time.Second))
		r.notice(fmt.Sprintf("Timestamp is the local time of the machine that ran the export and no -tz was given: read as %s, the difference between Timestamp and the UTC times inside %d rows (give -tz with the machine's zone to be exact, daylight saving time included)", offsetName(est), n))
		return
	}
	r.notice("Timestamp is the local time of the machine that ran the export, no -tz was given and the rows hold no UTC time to tell the zone: read as UTC (give -tz with the machine's zone)")
}

// resolve fixes rw's instant under the decisions; false when its date
// cannot be read in the file's order (reported).
func (r *reader) resolve(rw *row) bool {
	if !rw.hasTime {
		return true
	}
	t, ok := rw.st.in(r.dec.order, r.dec.loc)
	if !ok {
		r.report(&msgtrk.ParseError{Line: rw.line, Column: 1, Field: msgtrk.DateTime.String(), Err: ErrTime,
			Excerpt: "not a date in " + r.dec.order.String() + " order, as the file's other dates are"})
		return false
	}
	rw.t = t
	return true
}

// sortRows puts the buffered rows in time order when they are not (an
// export of several servers one after the other, an unsorted report), and
// says so. Rows without a time stay after the row before them.
func (r *reader) sortRows() {
	sorted := true
	var last time.Time
	for _, rw := range r.rows {
		if !rw.hasTime {
			continue
		}
		if rw.t.Before(last) {
			sorted = false
			break
		}
		last = rw.t
	}
	if sorted {
		r.lastT = last
		return
	}
	r.dec.sorted = true
	keys := make(map[*row]time.Time, len(r.rows))
	var prev time.Time
	for _, rw := range r.rows {
		if rw.hasTime {
			prev = rw.t
		}
		keys[rw] = prev
	}
	sort.SliceStable(r.rows, func(i, j int) bool { return keys[r.rows[i]].Before(keys[r.rows[j]]) })
	for _, rw := range r.rows {
		if rw.hasTime && rw.t.After(r.lastT) {
			r.lastT = rw.t
		}
	}
	r.notice("rows not in time order (servers exported one after the other, or an unsorted report): sorted by time, so line numbers shown for them count rows in time order, not lines of the file")
}

// writeHeader writes the #Fields: line, on the line of the export's header
// when there is one.
func (r *reader) writeHeader() {
	b := r.out
	target := max(r.headLine, 1)
	if r.headLine == 0 && len(r.rows) > 0 && !r.dec.sorted && r.rows[0].line > 1 {
		target = r.rows[0].line - 1
	}
	b = r.pad(b, target)
	b = append(b, "#Fields: "...)
	for i, s := range r.keep {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r.slotName[s]...)
	}
	b = append(b, "\r\n"...)
	r.lineOut++
	r.out = b
}

// pad writes blank lines so that the next line written is line target.
func (r *reader) pad(b []byte, target int64) []byte {
	for r.lineOut+1 < target {
		b = append(b, "\r\n"...)
		r.lineOut++
	}
	return b
}

// emitRow writes rw, on the line of its record when align is set and the
// output has not passed it.
func (r *reader) emitRow(rw *row, align bool) {
	b := r.out
	if align {
		b = r.pad(b, rw.line)
	}
	for i, s := range r.keep {
		if i > 0 {
			b = append(b, ',')
		}
		if r.slotField[s] == int(msgtrk.DateTime) {
			if rw.hasTime {
				b = msgtrk.AppendTime(b, rw.t)
			}
			continue
		}
		v := rw.vals[s]
		if i == 0 && (strings.HasPrefix(v, "#") || strings.HasPrefix(v, "\uFEFF") || v == "" && len(r.keep) == 1) {
			// A row must not look like a directive or a blank line.
			q := msgtrk.AppendField(nil, v)
			if len(q) == 0 || q[0] != '"' {
				b = append(b, '"')
				b = append(b, q...)
				b = append(b, '"')
			} else {
				b = append(b, q...)
			}
			continue
		}
		b = msgtrk.AppendField(b, v)
	}
	b = append(b, "\r\n"...)
	r.lineOut++
	r.out = b
}
