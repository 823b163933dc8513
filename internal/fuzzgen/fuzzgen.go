// Package fuzzgen generates message tracking logs for mailtrace's fuzzers
// and property tests (package fuzz, and the Reader's grammar test): test
// support, not for users.
//
// The generators take their choices from a Rand: *math/rand.Rand for the
// property tests (gopter hands one to its generators) and seeds, *Bytes for
// fuzzers, whose mutations then become structural changes of a well-formed
// log rather than noise. Stream generates realistic rows of the flows in
// shared/docs/flows.md; GenLog a whole file together with what a Reader must
// make of each line; Text field values that stress every escaping rule;
// RecipientList long recipient lists with the edge cases of apostrophe
// quoting. Rows are escaped by msgtrk.AppendRow, the Writer's own rule.
//
// Generated values are owned by the caller. Nothing in the package is safe
// for concurrent use except the plain functions Text and RecipientList
// given distinct Rands.
package fuzzgen

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// Rand is the source of every choice the generators make. *math/rand.Rand
// satisfies it (gopter hands one to its generators in GenParameters.Rng), and
// so does *Bytes, which takes its choices from a fuzzer's input: the same
// generator then serves the property tests, the seed corpora and the
// fuzzers.
//
// Intn returns a number in [0, n) for n > 0.
type Rand interface {
	Intn(n int) int
}

// Bytes is a Rand that reads its choices from a byte string, so that a
// fuzzer's input steers a generator: the fuzzer's mutations become
// structural changes of the generated log. Each choice consumes one byte
// (two for n > 256, four for n > 65536); once the bytes are used up every
// choice is 0, so a generator driven by Bytes always terminates and short
// inputs give small logs.
//
// A Bytes is not safe for concurrent use. It does not copy the input, which
// must not change while it is in use.
type Bytes struct {
	data []byte
	off  int
}

// NewBytes returns a Bytes reading its choices from data.
func NewBytes(data []byte) *Bytes { return &Bytes{data: data} }

// Intn returns the next choice in [0, n); it returns 0 for n <= 1 without
// consuming input.
func (b *Bytes) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	size := 1
	switch {
	case n > 1<<16:
		size = 4
	case n > 1<<8:
		size = 2
	}
	var v uint32
	for i := 0; i < size; i++ {
		v <<= 8
		if b.off < len(b.data) {
			v |= uint32(b.data[b.off])
			b.off++
		}
	}
	return int(v % uint32(n))
}

// Left returns the number of bytes not yet consumed.
func (b *Bytes) Left() int { return len(b.data) - b.off }

// chance reports true with probability num/den.
func chance(r Rand, num, den int) bool { return r.Intn(den) < num }

func pick[T any](r Rand, xs []T) T { return xs[r.Intn(len(xs))] }

// nastyRunes stress the escaping rules of every layer: the CSV quote and
// separator, the list separator and its apostrophe quoting, the line-break
// escapes, the '#' of directives, the byte order mark, the delimiters of the
// field grammars, and multi-byte characters.
var nastyRunes = []rune{',', '"', ';', '\'', '\r', '\n', '\\', 'r', 'n', '#', '\uFEFF', ' ', '\t',
	'[', ']', '{', '}', '(', ')', '=', '|', ':', '<', '>', '@', '.', '-', 'a', 'Z', '0', '9',
	'é', 'Ж', '漢', '😀'}

// fieldWords are pieces of real field values; Text strings them together so
// that the field decoders see near-misses of their grammars.
var fieldWords = []string{
	"S:", "I32:", "Dt:", "E2ELatency=", "1.928", "ProxyHop1=", "mail.example.com(10.1.2.3)", "AMA=SUM|v=0|action=|error=|atch=2",
	"SRV=", "LSRV=", "ex.example.com:", "TOTAL-HUB=", "0.125", "(", ")", "|", ";", "0cA: ", "04I: ", "07I: NTS: None",
	"2024-01-07T00:00:05.535Z", "250 2.1.5 Recipient OK", "550 5.1.1", "[{LED=", "};{", "}]", "LRT=12/22/2020 2:28:06 AM",
	"08DC1DB12C345BE5", "MDB:", "Mailbox:", "Event:", "ClientType:OWA", ", ", "[InternalId=", "Hostname=", "]",
	"STOREDRV.Deliver.Exception:", "[Stage: OnCreatedEvent]", "'", "''", "\"", ",", "\\n", "fe80::1%3", "::1",
	"12345678-3232-2323-1111-12345679666", "f4adaa08-ff49-4bca-ba70-68e9b80597b0", "<id@host>", "=", "-PEN", "X-",
}

// Text generates the text of one field value: empty, a run of nasty runes,
// a string of pieces of real values, or plain words. The result is valid
// UTF-8 without NUL bytes, so that a Writer accepts it and a Reader reads it
// back; it may hold every character that needs escaping.
func Text(r Rand) string {
	var b strings.Builder
	switch r.Intn(8) {
	case 0:
		return ""
	case 1, 2:
		for n := r.Intn(12); n > 0; n-- {
			b.WriteRune(pick(r, nastyRunes))
		}
	case 3, 4, 5:
		for n := 1 + r.Intn(6); n > 0; n-- {
			b.WriteString(pick(r, fieldWords))
		}
	default:
		for n := 1 + r.Intn(3); n > 0; n-- {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(pick(r, []string{"status", "report", "Re:", "Quarterly", "numbers", "Ünïcödé", "x", "backup", "successful"}))
		}
	}
	return b.String()
}

// Stream generates realistic rows of a message tracking log: a clock that
// moves forward (and sometimes back, as the clocks of two servers disagree),
// a few servers and a pool of messages whose rows share their ids, so that
// a correlator finds something to stitch. Each row is one of the events of
// the flows in shared/docs/flows.md, with field values shaped as in the
// real samples; Noise makes some values Text instead.
//
// The zero Stream starts at 2024-05-06T08:00:00Z without noise. A Stream is
// not safe for concurrent use.
type Stream struct {
	// Time is the date-time of the last row generated.
	Time time.Time
	// Noise is the chance, in percent, that a field value is replaced by
	// Text.
	Noise int
	// NoNetworkID leaves network-message-id empty, as 2007/2010 logs have
	// none.
	NoNetworkID bool

	msgs []message
	seq  int
}

type message struct {
	nmid, mid, sender, subject string
	internal                   int64
	rcpts                      []string
	origin                     time.Time
	mailbox, event             string
}

var servers = []string{"EX1", "EX2", "EDGE1"}

// event kinds with their weight: what a busy organisation logs.
var eventMix = []struct {
	source, event string
	weight        int
}{
	{"SMTP", "RECEIVE", 12}, {"SMTP", "SEND", 10}, {"STOREDRIVER", "DELIVER", 8}, {"AGENT", "AGENTINFO", 8},
	{"SMTP", "HAREDIRECT", 3}, {"SMTP", "HARECEIVE", 3}, {"SMTP", "HADISCARD", 3}, {"STOREDRIVER", "NOTIFYMAPI", 4},
	{"STOREDRIVER", "RECEIVE", 5}, {"STOREDRIVER", "SUBMIT", 5}, {"ROUTING", "TRANSFER", 2}, {"ROUTING", "RESOLVE", 2},
	{"ROUTING", "EXPAND", 2}, {"SMTP", "SENDEXTERNAL", 4}, {"SMTP", "FAIL", 2}, {"STOREDRIVER", "DELIVERFAIL", 1},
	{"SMTP", "DEFER", 2}, {"ROUTING", "DROP", 1}, {"DSN", "DSN", 1}, {"STOREDRIVER", "DUPLICATEDELIVER", 1},
	{"ROUTING", "REDIRECT", 1}, {"SMTP", "HAREDIRECTFAIL", 1}, {"SMTP", "FOO", 1},
}

var eventWeights = func() int {
	n := 0
	for _, e := range eventMix {
		n += e.weight
	}
	return n
}()

func guid(r Rand) string {
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%04x%08x", r.Intn(1<<30), r.Intn(1<<16), r.Intn(1<<16), r.Intn(1<<16), r.Intn(1<<16), r.Intn(1<<30))
}

func (s *Stream) message(r Rand) *message {
	if len(s.msgs) == 0 || (len(s.msgs) < 64 && chance(r, 1, 4)) {
		s.seq++
		m := message{
			nmid:     guid(r),
			mid:      fmt.Sprintf("<%d.%d@client%d.contoso.com>", s.seq, r.Intn(1<<20), r.Intn(5)),
			sender:   fmt.Sprintf("user%d@contoso.com", r.Intn(50)),
			subject:  pick(r, []string{"Weekly report", `RE: "Quarterly numbers", Q1`, "ein Titel", "Тема письма", "vzdump backup status (host01): backup successful"}),
			internal: int64(70912345566400 + s.seq),
			origin:   s.Time.Add(-time.Duration(r.Intn(5000)) * time.Millisecond),
			mailbox:  guid(r),
			event:    strconv.Itoa(190620893 + s.seq),
		}
		for n := 1 + r.Intn(3); n > 0; n-- {
			m.rcpts = append(m.rcpts, pick(r, []string{"alice", "bob", "carol", "dl-sales", "ext"})+strconv.Itoa(r.Intn(9))+pick(r, []string{"@contoso.com", "@example.org"}))
		}
		s.msgs = append(s.msgs, m)
		return &s.msgs[len(s.msgs)-1]
	}
	return &s.msgs[r.Intn(len(s.msgs))]
}

// Event generates the next row.
func (s *Stream) Event(r Rand) msgtrk.Event {
	if s.Time.IsZero() {
		s.Time = time.Date(2024, 5, 6, 8, 0, 0, 0, time.UTC)
	}
	switch r.Intn(20) {
	case 0:
		s.Time = s.Time.Add(-time.Duration(r.Intn(120)) * time.Second) // another server's clock
	case 1:
		s.Time = s.Time.Add(time.Duration(5+r.Intn(60)) * time.Minute) // a quiet spell
	default:
		s.Time = s.Time.Add(time.Duration(r.Intn(3000)) * time.Millisecond)
	}
	w := r.Intn(eventWeights)
	kind := eventMix[0]
	for _, k := range eventMix {
		if w < k.weight {
			kind = k
			break
		}
		w -= k.weight
	}
	m := s.message(r)
	srv := pick(r, servers)
	peer := pick(r, servers)
	fqdn := func(h string) string { return h + ".contoso.com" }
	ts := func(t time.Time) string { return string(msgtrk.AppendTime(nil, t)) }
	latency := func() string {
		hop := "LSRV=" + fqdn(srv) + ":TOTAL-HUB=" + fmt.Sprintf("%d.%03d", r.Intn(20), r.Intn(1000)) +
			pick(r, []string{"|SMR=0.127(SMRDE=0.002|SMRC=0.125)|QDM=0.010", "|SMRC=0.005|Q=0.001", "", "|CAT=1.698(CATOS=0.018(CATSM=0.017(CATSM-Malware Agent=0.017)))"})
		if chance(r, 1, 4) {
			hop = "SRV=" + fqdn(peer) + ":TOTAL-FE=0.074|SMS=0.002;" + "SRV" + hop[4:]
		}
		return ts(m.origin) + ";" + hop
	}

	var e msgtrk.Event
	e.SetTime(s.Time)
	e.Set(msgtrk.Source, kind.source)
	e.Set(msgtrk.EventID, kind.event)
	e.Set(msgtrk.ServerHostname, srv)
	e.Set(msgtrk.ClientHostname, fqdn(peer))
	e.Set(msgtrk.ClientIP, pick(r, []string{"10.0.0.1", "10.0.0.2", "fe80::1234:5678:4321:1010%3", "2a02:cf40::1", ""}))
	e.Set(msgtrk.ServerIP, pick(r, []string{"10.0.0.3", "::1", ""}))
	e.Set(msgtrk.InternalMessageID, strconv.FormatInt(m.internal, 10))
	e.Set(msgtrk.MessageID, m.mid)
	if !s.NoNetworkID {
		e.Set(msgtrk.NetworkMessageID, m.nmid)
	}
	e.SetList(msgtrk.RecipientAddress, m.rcpts)
	e.Set(msgtrk.TotalBytes, strconv.Itoa(2000+r.Intn(1e6)))
	e.Set(msgtrk.RecipientCount, strconv.Itoa(len(m.rcpts)))
	e.Set(msgtrk.MessageSubject, m.subject)
	e.Set(msgtrk.SenderAddress, m.sender)
	e.Set(msgtrk.ReturnPath, m.sender)
	e.Set(msgtrk.Directionality, pick(r, []string{"Originating", "Incoming", "Undefined", ""}))
	e.Set(msgtrk.TransportTrafficType, "Email")
	e.Set(msgtrk.LogID, guid(r))
	e.Set(msgtrk.SchemaVersion, "15.02.1544.004")
	e.Set(msgtrk.CustomData, "S:DeliveryPriority=Normal;S:AccountForest=contoso.com")
	statuses := func(v string) {
		st := make([]string, len(m.rcpts))
		for i := range st {
			st[i] = v
		}
		e.SetList(msgtrk.RecipientStatus, st)
	}
	store := fmt.Sprintf("MDB:%s, Mailbox:%s, Event:%s, MessageClass:IPM.Note, CreationTime:%s, ClientType:%s",
		"f4adaa08-ff49-4bca-ba70-68e9b80597b0", m.mailbox, m.event, ts(m.origin), pick(r, []string{"OWA", "MOMT", "ActiveSync", "System"}))

	switch kind.source + " " + kind.event {
	case "SMTP RECEIVE":
		e.Set(msgtrk.SourceContext, fmt.Sprintf("08DC1DB12C%06X;%s;%d", r.Intn(1<<24), ts(s.Time), r.Intn(3)))
		e.Set(msgtrk.ConnectorID, srv+`\Default `+srv)
		e.Set(msgtrk.MessageInfo, pick(r, []string{"0cA: ", "07I: NTS: None", "0cI: ", "04I: "}))
		e.Set(msgtrk.CustomData, "S:ProxyHop1="+fqdn(peer)+"(10.11.12.14);S:FirstForestHop="+fqdn(peer)+";S:FromEntity=Internet;S:ProxiedClientIPAddress=10.11.12.13;S:DeliveryPriority=Normal")
	case "SMTP SEND", "SMTP SENDEXTERNAL":
		e.Set(msgtrk.ServerHostname, fqdn(peer))
		e.Set(msgtrk.ClientHostname, srv)
		e.Set(msgtrk.ConnectorID, pick(r, []string{"Intra-Organization SMTP Send Connector", "Internet", "EdgeSync - Site to Internet"}))
		e.Set(msgtrk.SourceContext, fmt.Sprintf(";250 2.6.0 %s [InternalId=%d, Hostname=%s] Queued mail for delivery;ClientSubmitTime:", m.mid, m.internal+1, fqdn(peer)))
		statuses("250 2.1.5 Recipient OK")
		e.Set(msgtrk.MessageInfo, latency())
		e.Set(msgtrk.CustomData, "S:E2ELatency=1.928;S:ExternalSendLatency=0.112;S:IncludeInSla=True")
	case "STOREDRIVER DELIVER", "STOREDRIVER DELIVERFAIL":
		e.Set(msgtrk.SourceContext, fmt.Sprintf("08D8648A8359%04X;%s", r.Intn(1<<16), ts(s.Time)))
		e.Set(msgtrk.MessageInfo, latency())
		if kind.event == "DELIVERFAIL" {
			statuses("STOREDRV.Deliver.Exception:MessageSubmissionExceededException.MapiExceptionMaxSubmissionExceeded; Failed to process message [Stage: OnCreatedEvent][Agent: Meeting Message Processing Agent]")
		}
		e.Set(msgtrk.CustomData, "S:DeliveryLatency=0.112;S:Mailboxes="+m.mailbox+";S:ToEntity=Hosted")
	case "STOREDRIVER NOTIFYMAPI":
		e.Set(msgtrk.SourceContext, store)
		e.Set(msgtrk.MessageID, "")
		e.Set(msgtrk.NetworkMessageID, "")
		e.Set(msgtrk.RecipientAddress, "")
		e.Set(msgtrk.RecipientCount, "")
		e.Set(msgtrk.MessageInfo, ts(m.origin)+";LSRV="+fqdn(srv)+":TOTAL-SUB=0.128|SA=0.128|MTSS-PEN=0.000")
		e.Set(msgtrk.CustomData, "S:ItemEntryId=00-00-XXX-00")
	case "STOREDRIVER RECEIVE", "STOREDRIVER SUBMIT":
		e.Set(msgtrk.SourceContext, store)
		statuses("To")
		if kind.event == "RECEIVE" {
			e.Set(msgtrk.MessageInfo, "04I: ")
		}
		e.Set(msgtrk.CustomData, "S:MailboxDatabaseGuid=f4adaa08-ff49-4bca-ba70-68e9b80597b0;S:ItemEntryId=00-00-XXX-00;S:DeliveryPriority=Normal")
	case "AGENT AGENTINFO":
		e.Set(msgtrk.SourceContext, "CatContentConversion")
		e.Set(msgtrk.CustomData, "S:AMA=SUM|v=0|action=|error=|atch=1;S:AMA=EV|engine=M|v=0|sig=1.413.283.0|name=|file=;'S:TRA=ETRP|ruleId="+guid(r)+"|st=2023-05-12T07:55:40.0000000Z|ExecW=4|ExecC=0|Conditions=GTOEP,M.MAS,1';S:CompCost=|ETR=0")
	case "SMTP HAREDIRECT":
		e.Set(msgtrk.SourceContext, fqdn(peer)+" = 250 2.6.0 "+m.mid+" [InternalId="+strconv.FormatInt(m.internal+7, 10)+", Hostname="+fqdn(peer)+"] Queued mail for redundancy")
	case "SMTP HAREDIRECTFAIL":
		e.Set(msgtrk.SourceContext, "No suitable shadow servers")
	case "ROUTING TRANSFER":
		e.Set(msgtrk.SourceContext, pick(r, []string{"ResolverFork", "ContentConversion"}))
		e.Set(msgtrk.Reference, strconv.FormatInt(m.internal, 10))
		e.Set(msgtrk.InternalMessageID, strconv.FormatInt(m.internal+100, 10))
	case "ROUTING RESOLVE", "ROUTING REDIRECT":
		e.Set(msgtrk.SourceContext, "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn="+m.rcpts[0])
		e.Set(msgtrk.RelatedRecipientAddress, "alias."+m.rcpts[0])
	case "ROUTING EXPAND":
		e.Set(msgtrk.RelatedRecipientAddress, "dl-all@contoso.com")
	case "ROUTING DROP":
		statuses("550 4.3.2 QUEUE.Admin; message deleted by administrative action")
	case "SMTP FAIL":
		statuses(pick(r, []string{
			"[{LED=501 5.1.4 Recipient address reserved by RFC 2606};{MSG=};{FQDN=server.mylab.test};{IP=192.168.159.133};{LRT=12/22/2020 2:28:06 AM}]",
			"550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
			"[{LRT=07.10.2020 16:27:19};{LED=432 4.3.2 STOREDRV.Deliver; recipient thread limit exceeded};{FQDN=};{IP=}]",
		}))
		e.Set(msgtrk.Reference, "<dsn."+strconv.Itoa(s.seq)+"@contoso.com>")
		e.Set(msgtrk.MessageInfo, latency())
	case "SMTP DEFER":
		statuses("451 4.4.0 DNS query failed")
		e.Set(msgtrk.MessageInfo, ts(s.Time.Add(10*time.Minute)))
	case "DSN DSN":
		e.Set(msgtrk.Reference, m.mid)
		e.Set(msgtrk.MessageID, "<dsn."+strconv.Itoa(s.seq)+"@contoso.com>")
	}
	if s.Noise > 0 {
		for f := msgtrk.Field(0); int(f) < msgtrk.NumFields; f++ {
			if r.Intn(100) < s.Noise {
				e.Set(f, Text(r))
			}
		}
	}
	return e
}

// LineKind says what a generated line is to the Reader.
type LineKind uint8

// The kinds of line.
const (
	// Row: a well-formed row the Reader returns with exactly Line.Values.
	Row LineKind = iota
	// Directive: a well-formed '#' line.
	Directive
	// Blank: an empty line (possibly a lone byte order mark).
	Blank
	// Malformed: a line the Reader reports as a *msgtrk.ParseError wrapping
	// Line.Err and skips.
	Malformed
)

var lineKindNames = [...]string{"Row", "Directive", "Blank", "Malformed"}

// String returns the kind's name, or "LineKind(n)".
func (k LineKind) String() string {
	if int(k) < len(lineKindNames) {
		return lineKindNames[k]
	}
	return "LineKind(" + strconv.Itoa(int(k)) + ")"
}

// Line is one generated line of a log and what a Reader must make of it.
type Line struct {
	Kind LineKind
	// Text is the line as written, without its line ending (and without
	// the byte order mark of BOM).
	Text string
	// BOM puts a byte order mark before Text, as at the junction of two
	// concatenated files; the Reader drops it.
	BOM bool
	// Values are the column values a Row was written from, in the column
	// order of the header in force; Record.Column(i) gives each with its
	// CR and LF escaped as \r and \n (format.md §3.1).
	Values []string
	// Fields are the column names a #Fields: directive sets.
	Fields []string
	// Err is the msgtrk sentinel a Malformed line is reported with.
	Err error
}

// Log is a generated log file with the expected result of reading it.
type Log struct {
	// BOM starts the file with a byte order mark.
	BOM bool
	// LineEnding ends every line: "\r\n" (as Exchange writes) or "\n".
	LineEnding string
	// Lines are the lines in order.
	Lines []Line
	// Tail, when not empty, is a final line without line ending, as in a
	// file still being written: the Reader reports it with
	// msgtrk.ErrTruncated (msgtrk.ErrLineTooLong when it is longer than
	// MaxLineBytes) and does not return it.
	Tail string
	// MaxLineBytes is the Reader limit the lines were generated for.
	MaxLineBytes int
}

// AppendTo appends the file's bytes to dst and returns the extended slice.
// It allocates only to grow dst.
func (l *Log) AppendTo(dst []byte) []byte {
	if l.BOM {
		dst = append(dst, "\uFEFF"...)
	}
	for _, ln := range l.Lines {
		if ln.BOM {
			dst = append(dst, "\uFEFF"...)
		}
		dst = append(dst, ln.Text...)
		dst = append(dst, l.LineEnding...)
	}
	return append(dst, l.Tail...)
}

// Rows returns the values of the rows a Reader must return, in order. The
// inner slices are l's; they must not be modified.
func (l *Log) Rows() [][]string {
	var rows [][]string
	for _, ln := range l.Lines {
		if ln.Kind == Row {
			rows = append(rows, ln.Values)
		}
	}
	return rows
}

// Errs returns the sentinel errors a Reader must report, in order.
func (l *Log) Errs() []error {
	var errs []error
	for _, ln := range l.Lines {
		if ln.Kind == Malformed {
			errs = append(errs, ln.Err)
		}
	}
	if l.Tail != "" {
		if len(l.Tail) > l.MaxLineBytes {
			errs = append(errs, msgtrk.ErrLineTooLong)
		} else {
			errs = append(errs, msgtrk.ErrTruncated)
		}
	}
	return errs
}

// Want returns the msgtrk.Stats a Reader must end with after reading the
// whole file (Bytes is the file's length).
func (l *Log) Want() msgtrk.Stats {
	var s msgtrk.Stats
	for _, ln := range l.Lines {
		switch ln.Kind {
		case Row:
			s.Records++
		case Directive:
			s.Directives++
		case Blank:
			s.Blank++
		case Malformed:
			s.Errors++
		}
		s.Lines++
		s.Bytes += int64(len(ln.Text) + len(l.LineEnding))
		if ln.BOM {
			s.Bytes += 3
		}
	}
	if l.Tail != "" {
		s.Lines++
		s.Errors++
		s.Bytes += int64(len(l.Tail))
	}
	if l.BOM {
		s.Bytes += 3
	}
	return s
}

// LogOptions tunes GenLog.
type LogOptions struct {
	// Lines bounds what follows the first header block: at most Lines
	// lines or further header blocks. Zero means 20.
	Lines int
	// MaxLineBytes is the Reader limit to generate for: longer lines are
	// Malformed with msgtrk.ErrLineTooLong. Zero means 512.
	MaxLineBytes int
	// Noise is Stream.Noise for the rows.
	Noise int
}

// GenLog generates a log file mixing well-formed rows (from a Stream, under
// the columns of the header in force), header blocks (the columns of a
// later block may differ, as in concatenated files of different Exchange
// versions), blank lines, byte order marks at line starts, malformed lines
// of every kind the Reader reports (wrong field count, too many fields,
// bare and unterminated quotes, NUL bytes, invalid UTF-8, over-long lines,
// unreadable directives) and, sometimes, a truncated last line.
//
// The same choices give the same log, so a failing case replays from its
// seed or its fuzz input. GenLog allocates the log it returns.
//
// No generated line is exactly MaxLineBytes long: how the limit treats a
// line ending "\r\n" at that length is pinned apart (see the adversarial
// tests), not left to chance here.
func GenLog(r Rand, o LogOptions) Log {
	if o.Lines <= 0 {
		o.Lines = 20
	}
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = 512
	}
	l := Log{LineEnding: pick(r, []string{"\r\n", "\n"}), BOM: chance(r, 1, 2), MaxLineBytes: o.MaxLineBytes}
	s := Stream{Noise: o.Noise, Time: time.Date(2024, 5, 6, 8, 0, 0, 0, time.UTC)}
	var cols []string
	header := func() {
		layout := pick(r, []msgtrk.Layout{msgtrk.Layout2016, msgtrk.Layout2016, msgtrk.Layout2013, msgtrk.Layout2010, msgtrk.Layout2007, msgtrk.LayoutCustom})
		var names []string
		if layout == msgtrk.LayoutCustom {
			all := msgtrk.Layout2016.FieldNames()
			switch r.Intn(3) {
			case 0:
				names = []string{pick(r, all)} // one column: any line is a row
			case 1:
				names = append(all, "x-extra") // an unknown column
			default:
				for n := 1 + r.Intn(8); n > 0; n-- {
					names = append(names, pick(r, all))
				}
			}
		} else {
			names = layout.FieldNames()
		}
		s.NoNetworkID = layout == msgtrk.Layout2007 || layout == msgtrk.Layout2010
		h := msgtrk.Header{
			Version: pick(r, []string{"15.01.2507.039", "14.0.0.0", "8.1.240.5", "15.02.1544.004"}),
			Date:    s.Time.Add(time.Hour),
			Fields:  names,
		}
		for _, text := range headerLines(h) {
			ln := Line{Kind: Directive, Text: text}
			if isFieldsLine(text) {
				ln.Fields = names
			}
			l.Lines = append(l.Lines, ln)
		}
		cols = names
	}
	header()
	if chance(r, 1, 8) {
		l.Lines[0].BOM = true
	}
	for n := r.Intn(o.Lines + 1); n > 0; n-- {
		var ln Line
		switch w := r.Intn(100); {
		case w < 55:
			ln = genRow(r, &s, cols)
		case w < 60:
			header()
			continue
		case w < 65:
			ln = Line{Kind: Directive, Text: pick(r, []string{"#Software: Microsoft Exchange Server", "#comment", "#Version: 15.00.1104.000", "#", "#Date: 2016-04-05T00:00:01.022Z"})}
		case w < 72:
			ln = Line{Kind: Blank}
		default:
			ln = genMalformed(r, &s, cols, o.MaxLineBytes)
		}
		if ln.Kind != Malformed && chance(r, 1, 20) {
			ln.BOM = true
		}
		l.Lines = append(l.Lines, ln)
	}
	if chance(r, 1, 5) {
		ln := genRow(r, &s, cols)
		l.Tail = ln.Text
		if l.Tail == "" {
			l.Tail = "x"
		}
	}
	// Settle the lines against the limit: a line longer than the limit is
	// reported as too long whatever it holds; one exactly as long is made
	// longer (see above).
	for i := range l.Lines {
		ln := &l.Lines[i]
		n := len(ln.Text)
		if ln.BOM {
			n += 3
		}
		if n == o.MaxLineBytes {
			ln.Text += "x"
			n++
		}
		if n > o.MaxLineBytes {
			*ln = Line{Kind: Malformed, Text: ln.Text, BOM: ln.BOM, Err: msgtrk.ErrLineTooLong}
			if isFieldsLine(ln.Text) {
				// A #Fields: line that is skipped does not set the
				// columns; the lines after it were generated for them.
				// Keep the file coherent by dropping the rest.
				l.Lines = l.Lines[:i+1]
				l.Tail = ""
				break
			}
		}
	}
	if len(l.Tail) == o.MaxLineBytes {
		l.Tail += "x"
	}
	return l
}

func isFieldsLine(s string) bool { return strings.HasPrefix(s, "#Fields:") }

// headerLines returns the directive lines msgtrk.Writer writes for h,
// without line endings: the header's spelling stays the Writer's.
func headerLines(h msgtrk.Header) []string {
	var b bytes.Buffer
	w := msgtrk.NewWriter(&b)
	w.OmitBOM = true
	w.LineEnding = "\n"
	w.WriteHeader(h)
	w.Flush()
	return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
}

// genRow renders one row of s under cols.
func genRow(r Rand, s *Stream, cols []string) Line {
	e := s.Event(r)
	vals := make([]string, len(cols))
	for i, name := range cols {
		if f, ok := msgtrk.LookupField([]byte(name)); ok {
			vals[i] = e.Fields[f]
		} else {
			vals[i] = Text(r)
		}
	}
	if len(cols) == 1 && chance(r, 1, 2) {
		vals[0] = Text(r) // a single column: any text at all
	}
	return Line{Kind: Row, Text: string(msgtrk.AppendRow(nil, vals)), Values: vals}
}

// genMalformed generates a line the Reader must reject, under cols, for a
// Reader limit of maxLine bytes.
func genMalformed(r Rand, s *Stream, cols []string, maxLine int) Line {
	simple := func(n int) []string {
		v := make([]string, n)
		for i := range v {
			v[i] = pick(r, []string{"a", "SMTP", "2024-05-06T08:00:00.000Z", "", "x y"})
		}
		if v[0] == "" {
			v[0] = "a"
		}
		return v
	}
	join := func(v []string) string { return strings.Join(v, ",") }
	n := len(cols)
	switch r.Intn(10) {
	case 0: // one column too many
		return Line{Kind: Malformed, Text: join(simple(n + 1)), Err: msgtrk.ErrFieldCount}
	case 1: // one column too few
		if n == 1 {
			return Line{Kind: Malformed, Text: join(simple(2)), Err: msgtrk.ErrFieldCount}
		}
		return Line{Kind: Malformed, Text: join(simple(n - 1)), Err: msgtrk.ErrFieldCount}
	case 2:
		return Line{Kind: Malformed, Text: strings.Repeat("a,", msgtrk.MaxFields+r.Intn(20)) + "a", Err: msgtrk.ErrTooManyFields}
	case 3: // a quote inside a plain field
		v := simple(n)
		v[r.Intn(n)] = `ab"c`
		return Line{Kind: Malformed, Text: join(v), Err: msgtrk.ErrBareQuote}
	case 4: // a quoted field never closed
		v := simple(n)
		v[r.Intn(n)] = `"abc`
		return Line{Kind: Malformed, Text: join(v), Err: msgtrk.ErrQuote}
	case 5: // text after a closing quote
		v := simple(n)
		v[r.Intn(n)] = `"ab"c`
		return Line{Kind: Malformed, Text: join(v), Err: msgtrk.ErrQuote}
	case 6, 7: // a good row with a NUL byte or an invalid byte
		row := genRow(r, s, cols).Text
		bad, err := "\x00", msgtrk.ErrNUL
		if r.Intn(2) == 0 {
			bad, err = "\xff", msgtrk.ErrInvalidUTF8
		}
		i := 1
		if len(row) > 1 {
			i = 1 + r.Intn(len(row))
		}
		if i > len(row) {
			i = len(row)
		}
		text := row[:i] + bad + row[i:]
		if row == "" {
			text = "a" + bad
		}
		return Line{Kind: Malformed, Text: text, Err: err}
	case 8: // a directive that cannot be read
		return Line{Kind: Malformed, Text: pick(r, []string{"#Date: yesterday", "#Fields:", "#Fields:   ", "#date: 2024-13-01T00:00:00Z"}), Err: msgtrk.ErrHeader}
	default: // a row too long for the limit
		v := simple(n)
		v[r.Intn(n)] = strings.Repeat("x", maxLine+1+r.Intn(64))
		return Line{Kind: Malformed, Text: join(v), Err: msgtrk.ErrLineTooLong}
	}
}

// RecipientList returns a new recipient-address field of n members, quoting
// every member as msgtrk.AppendListMember does, and the members. Every
// seventh member holds an apostrophe, every eleventh a ';' (so it must be
// quoted), every thirteenth starts with an apostrophe: the edge cases of
// apostrophe quoting, repeated.
func RecipientList(n int) (field []byte, members []string) {
	members = make([]string, n)
	for i := range members {
		switch {
		case i%13 == 12:
			members[i] = "'quoted" + strconv.Itoa(i) + "@contoso.com"
		case i%11 == 10:
			members[i] = "semi;colon" + strconv.Itoa(i) + "@contoso.com"
		case i%7 == 6:
			members[i] = "o'brien" + strconv.Itoa(i) + "@contoso.com"
		default:
			members[i] = "user" + strconv.Itoa(i) + "@contoso.com"
		}
	}
	for i, m := range members {
		if i > 0 {
			field = append(field, ';')
		}
		field = msgtrk.AppendListMember(field, []byte(m))
	}
	return field, members
}
