// Package filekind tells what a file is from its first bytes, not from its
// name: an Exchange message tracking log, one of the exports administrators
// make of tracking data (PowerShell and Exchange Online), another Exchange
// log, or something else. It also decodes UTF-16 text, the encoding
// Windows PowerShell and the Exchange Online downloads use, to UTF-8.
//
// # What is recognised
//
//	TrackingLog         #Log-type: Message Tracking Log, or a #Fields: line with
//	                    date-time and event-id, or rows of 21, 26, 27 or 30 fields
//	                    that start with an ISO date-time (a header cut off)
//	CmdletCSV           Get-MessageTrackingLog | Export-Csv: Windows PowerShell 5.1
//	                    (a #TYPE line first) and PowerShell 7 (none); the
//	                    cmdlet's property names (Timestamp, EventId, Sender, …)
//	FormatList          Get-MessageTrackingLog | Format-List (or Out-File): lines
//	                    "Name : value", also with Exchange Online property names
//	MessageTraceCSV     Get-MessageTrace or Get-MessageTraceV2 | Export-Csv:
//	                    Received, SenderAddress, RecipientAddress, Status, …
//	HistoricalSummary   the Exchange Online historical search summary report:
//	                    origin_timestamp(_utc), sender_address, recipient_status, …
//	HistoricalExtended  the extended report: the tracking fields with underscores
//	                    (date_time_utc, client_ip, …, custom_data)
//
// and, refused with a reason: SMTP Receive and Send protocol logs, connectivity
// logs, other Exchange logs (by their #Log-type), IIS and other W3C logs, CSV
// files of other columns, archives, binary data, and text (UTF-8 or UTF-16)
// that is none of these. Columns are matched by name, ignoring case, '_', '-'
// and blanks, in any order; a CSV header may be separated by ',' (Export-Csv's
// default), ';' or a tab (-UseCulture, -Delimiter, a spreadsheet's "save as").
//
// # Encodings
//
// A file may be UTF-8 with or without a byte order mark, or UTF-16 little- or
// big-endian, with a byte order mark (as PowerShell's -Encoding Unicode and the
// Exchange Online downloads write it) or without one (recognised by its zero
// bytes). [NewReader] returns UTF-8 text whatever the encoding: UTF-8 input is
// passed through untouched (a byte order mark included, so that offsets stay
// those of the file), UTF-16 input is transcoded without its byte order mark.
//
// The functions are safe for concurrent use.
package filekind

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/mailtrace/mailtrace/formatlist"
	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// SniffBytes is how much of a file Sniff looks at (at most).
const SniffBytes = 64 << 10

// Kind is what a file holds.
type Kind uint8

// The kinds. Accepted kinds carry message tracking data; the others are
// refused with Result.Reason.
const (
	Unknown            Kind = iota // text that is none of the kinds below
	Empty                          // no content at all (or only blanks)
	TrackingLog                    // an Exchange message tracking log (MSGTRK*.LOG)
	CmdletCSV                      // Get-MessageTrackingLog | Export-Csv
	FormatList                     // Get-MessageTrackingLog | Format-List, as text
	MessageTraceCSV                // Get-MessageTrace / Get-MessageTraceV2 | Export-Csv (Exchange Online)
	HistoricalSummary              // Exchange Online historical search, summary report
	HistoricalExtended             // Exchange Online historical search, extended report
	SMTPReceiveLog                 // #Log-type: SMTP Receive Protocol Log
	SMTPSendLog                    // #Log-type: SMTP Send Protocol Log
	ConnectivityLog                // #Log-type: Transport Connectivity Log
	OtherExchangeLog               // another #Log-type (agent, routing table, pipeline tracing, …)
	W3CLog                         // IIS or another W3C extended log
	UnknownCSV                     // a CSV file whose columns are none of the above
	Archive                        // a ZIP, 7-Zip, RAR or gzip archive, a PDF, an event log …
	Binary                         // other binary data (NUL or control bytes)
	numKinds
)

var kindNames = [numKinds]string{
	"unknown", "empty", "tracking-log", "cmdlet-csv", "format-list", "message-trace-csv",
	"historical-summary", "historical-extended", "smtp-receive-log", "smtp-send-log",
	"connectivity-log", "other-exchange-log", "w3c-log", "unknown-csv", "archive", "binary",
}

// String returns a short name of k ("tracking-log", "cmdlet-csv", …) or
// "Kind(n)".
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Accepted reports whether k holds message tracking data mailtrace reads.
func (k Kind) Accepted() bool {
	return k >= TrackingLog && k <= HistoricalExtended
}

// Encoding is the character encoding of a file.
type Encoding uint8

// The encodings.
const (
	UTF8    Encoding = iota // UTF-8 without a byte order mark (or ASCII)
	UTF8BOM                 // UTF-8 with a byte order mark
	UTF16LE                 // UTF-16 little-endian (with or without a byte order mark)
	UTF16BE                 // UTF-16 big-endian
)

// String returns "UTF-8", "UTF-8 with BOM", "UTF-16LE" or "UTF-16BE".
func (e Encoding) String() string {
	switch e {
	case UTF8:
		return "UTF-8"
	case UTF8BOM:
		return "UTF-8 with BOM"
	case UTF16LE:
		return "UTF-16LE"
	case UTF16BE:
		return "UTF-16BE"
	}
	return "Encoding(" + strconv.Itoa(int(e)) + ")"
}

// Result is what Sniff found.
type Result struct {
	Kind     Kind
	Encoding Encoding
	// BOM says the file starts with a byte order mark.
	BOM bool
	// LogType is the #Log-type: of a log with a header ("SMTP Receive
	// Protocol Log").
	LogType string
	// TypeLine is the #TYPE line of a Windows PowerShell export, without
	// "#TYPE " ("Microsoft.Exchange.Management.TransportLogSearchTasks.MessageTrackingEvent").
	TypeLine string
	// Delimiter separates the columns of a CSV kind (',', ';' or '\t').
	Delimiter byte
	// Columns are the header names of a CSV kind (UnknownCSV included), or
	// the property names of the first Format-List record read, as written.
	Columns []string
	// Vocabulary is the set of names the columns (or Format-List
	// properties) are in, for the accepted kinds other than TrackingLog.
	Vocabulary Vocabulary
	// Detail says more about a refused file: the first line of unknown text,
	// the offset of a NUL byte, the kind of archive.
	Detail string
}

// Summary reports whether the file gives per-message outcomes without the
// events of each server: an Exchange Online message trace or summary report,
// in CSV or Format-List form.
func (r Result) Summary() bool {
	return r.Vocabulary == VocabMessageTrace || r.Vocabulary == VocabSummary
}

// Reason says in one line what the file is and why it is not read, for a
// refused kind ("an SMTP Receive protocol log, not a message tracking log"),
// or what it is, for an accepted one.
func (r Result) Reason() string {
	const not = ", not a message tracking log"
	switch r.Kind {
	case TrackingLog:
		return "a message tracking log"
	case CmdletCSV:
		return "Get-MessageTrackingLog output exported with Export-Csv"
	case FormatList:
		return "message tracking records as Format-List text"
	case MessageTraceCSV:
		return "an Exchange Online message trace (Get-MessageTrace) exported with Export-Csv"
	case HistoricalSummary:
		return "an Exchange Online historical search summary report"
	case HistoricalExtended:
		return "an Exchange Online historical search extended report"
	case Empty:
		return "an empty file"
	case SMTPReceiveLog:
		return "an SMTP Receive protocol log" + not
	case SMTPSendLog:
		return "an SMTP Send protocol log" + not
	case ConnectivityLog:
		return "a transport connectivity log" + not
	case OtherExchangeLog:
		return "an Exchange log of type " + strconv.Quote(shorten(r.LogType, 80)) + not
	case W3CLog:
		if r.Detail != "" {
			return "a W3C extended log (" + oneLine(shorten(r.Detail, 80)) + ")" + not
		}
		return "a W3C extended log (IIS or similar)" + not
	case UnknownCSV:
		return "a CSV file of other columns (" + columnList(r.Columns) + ")" + not + " or a known export"
	case Archive:
		return r.Detail + not
	case Binary:
		return "binary data (" + r.Detail + ")" + not
	}
	enc := "text"
	if r.Encoding == UTF16LE || r.Encoding == UTF16BE {
		enc = r.Encoding.String() + " text"
	}
	if r.Detail != "" {
		return enc + " that is neither a message tracking log nor a known export (it starts " + r.Detail + ")"
	}
	return enc + " that is neither a message tracking log nor a known export"
}

// oneLine replaces control characters by blanks.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7F {
			return ' '
		}
		return r
	}, s)
}

// columnList shows the first few column names.
func columnList(cols []string) string {
	const show = 5
	var b strings.Builder
	for i, c := range cols {
		if i == show {
			b.WriteString(", … " + strconv.Itoa(len(cols)) + " columns")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(shorten(c, 40)))
	}
	return b.String()
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// NewReader reads the first SniffBytes of src, tells what they are, and
// returns the result with a reader of the whole input as UTF-8 text (see
// the package doc). An error is one of src's other than io.EOF.
func NewReader(src io.Reader) (Result, io.Reader, error) {
	br := bufio.NewReaderSize(src, SniffBytes)
	head, err := br.Peek(SniffBytes)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return Result{}, nil, err
	}
	res := Sniff(head)
	switch res.Encoding {
	case UTF16LE, UTF16BE:
		return res, Decode(br, res.Encoding, res.BOM), nil
	}
	return res, br, nil
}

// Decode returns a reader of src transcoded from enc to UTF-8; bom says src
// starts with a byte order mark, which is dropped. Invalid UTF-16 (an
// unpaired surrogate, an odd final byte) becomes U+FFFD. UTF-8 is returned
// as it is.
func Decode(src io.Reader, enc Encoding, bom bool) io.Reader {
	var e unicode.Endianness
	switch enc {
	case UTF16LE:
		e = unicode.LittleEndian
	case UTF16BE:
		e = unicode.BigEndian
	default:
		return src
	}
	policy := unicode.IgnoreBOM
	if bom {
		policy = unicode.ExpectBOM
	}
	return transform.NewReader(src, unicode.UTF16(e, policy).NewDecoder())
}

// Sniff tells what a file is from its first bytes (up to SniffBytes; more is
// ignored). A head shorter than SniffBytes is taken for the whole file; a
// longer file's last, incomplete line in head is not looked at.
func Sniff(head []byte) Result {
	whole := len(head) < SniffBytes
	if !whole {
		head = head[:SniffBytes]
	}
	var res Result
	text := head
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		res.Encoding, res.BOM = UTF8BOM, true
		text = head[3:]
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		res.Encoding, res.BOM = UTF16LE, true
		text = decodeHead(head[2:], unicode.LittleEndian)
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		res.Encoding, res.BOM = UTF16BE, true
		text = decodeHead(head[2:], unicode.BigEndian)
	default:
		if e, ok := utf16NoBOM(head); ok {
			res.Encoding = e
			end := unicode.LittleEndian
			if e == UTF16BE {
				end = unicode.BigEndian
			}
			text = decodeHead(head, end)
		}
	}
	if a := archive(text); a != "" {
		res.Kind, res.Detail = Archive, a
		return res
	}
	if i := bytes.IndexByte(text, 0); i >= 0 {
		res.Kind, res.Detail = Binary, "a NUL byte at offset "+strconv.Itoa(i)
		return res
	}
	if i, ok := controlBytes(text); ok {
		res.Kind, res.Detail = Binary, "control byte "+strconv.Quote(string(text[i:i+1]))+" at offset "+strconv.Itoa(i)
		return res
	}
	lines := splitLines(text, whole)
	first := 0
	for first < len(lines) && len(bytes.TrimSpace(lines[first])) == 0 {
		first++
	}
	if first == len(lines) {
		if len(bytes.TrimSpace(text)) == 0 {
			res.Kind = Empty
		} else {
			res.Kind, res.Detail = Unknown, "with one line longer than "+strconv.Itoa(SniffBytes/1024)+" KiB"
		}
		return res
	}
	lines = lines[first:]
	line := lines[0]
	switch {
	case hasPrefixFold(line, "#TYPE"):
		res.TypeLine = strings.TrimSpace(string(line[len("#TYPE"):]))
		if len(lines) < 2 {
			res.Kind, res.Detail = UnknownCSV, "a #TYPE line and no header"
			return res
		}
		csvHeader(&res, lines[1], lines[2:])
		return res
	case line[0] == '#':
		directives(&res, lines)
		return res
	}
	if trackingRow(line) {
		res.Kind = TrackingLog
		return res
	}
	if formatList(&res, lines) {
		return res
	}
	if csvHeader(&res, line, lines[1:]); res.Kind != Unknown {
		return res
	}
	res.Kind, res.Detail = Unknown, "with "+strconv.Quote(shorten(string(line), 60))
	return res
}

// decodeHead transcodes the UTF-16 head of a file (without its byte order
// mark), dropping an incomplete last code unit or surrogate pair.
func decodeHead(b []byte, e unicode.Endianness) []byte {
	b = b[:len(b)&^1]
	out, _, err := transform.Bytes(unicode.UTF16(e, unicode.IgnoreBOM).NewDecoder(), b)
	if err != nil {
		return nil
	}
	// A surrogate pair cut at the end of the head decodes to U+FFFD: drop it.
	return bytes.TrimSuffix(out, []byte("\uFFFD"))
}

// utf16NoBOM recognises UTF-16 text without a byte order mark: in the first
// 256 code units, most of the high bytes are zero and none of the low ones.
func utf16NoBOM(b []byte) (Encoding, bool) {
	n := min(len(b), 512) &^ 1
	if n < 4 {
		return 0, false
	}
	var zeroEven, zeroOdd int
	for i := 0; i < n; i += 2 {
		if b[i] == 0 {
			zeroEven++
		}
		if b[i+1] == 0 {
			zeroOdd++
		}
	}
	units := n / 2
	switch {
	case zeroEven == 0 && zeroOdd*10 >= units*9:
		return UTF16LE, true
	case zeroOdd == 0 && zeroEven*10 >= units*9:
		return UTF16BE, true
	}
	return 0, false
}

// archive names a container or document format from its magic number.
func archive(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		if bytes.Contains(b[:min(len(b), 4096)], []byte("xl/")) {
			return "an Excel workbook (save it as CSV UTF-8 first)"
		}
		return "a ZIP archive (extract it first)"
	case bytes.HasPrefix(b, []byte("7z\xBC\xAF\x27\x1C")):
		return "a 7-Zip archive (extract it first)"
	case bytes.HasPrefix(b, []byte("Rar!\x1A\x07")):
		return "a RAR archive (extract it first)"
	case bytes.HasPrefix(b, []byte{0x1F, 0x8B}):
		return "gzip data that does not decompress"
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "a PDF document"
	case bytes.HasPrefix(b, []byte("ElfFile\x00")):
		return "a Windows event log (.evtx)"
	case bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return "an Office document in the old binary format (an .xls workbook?)"
	}
	return ""
}

// controlBytes reports the first control byte (other than tab, CR, LF,
// form feed) when more than one in a hundred bytes are such, which text
// never has.
func controlBytes(b []byte) (int, bool) {
	first, n := -1, 0
	for i, c := range b {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' && c != '\f' || c == 0x7F {
			if first < 0 {
				first = i
			}
			n++
		}
	}
	return first, n > 0 && n*100 > len(b)
}

// splitLines splits b into lines without their line endings; when the head
// is not the whole file, its last (incomplete) line is left out.
func splitLines(b []byte, whole bool) [][]byte {
	var lines [][]byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if whole {
				lines = append(lines, bytes.TrimSuffix(b, []byte("\r")))
			}
			break
		}
		lines = append(lines, bytes.TrimSuffix(b[:i], []byte("\r")))
		b = b[i+1:]
	}
	return lines
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && ascii.EqualFold(b[:len(prefix)], prefix)
}

// directives classifies a file that starts with '#' lines: by #Log-type:,
// else by #Fields: and #Software:.
func directives(res *Result, lines [][]byte) {
	var software, fields string
	var haveFields bool
	i := 0
	for ; i < len(lines) && i < 64; i++ {
		l := lines[i]
		if len(l) == 0 || l[0] != '#' {
			break
		}
		key, val, ok := strings.Cut(string(l[1:]), ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "log-type":
			res.LogType = val
		case "software":
			software = val
		case "fields":
			fields, haveFields = val, true
		}
	}
	if res.LogType != "" {
		switch strings.ToLower(res.LogType) {
		case "message tracking log":
			res.Kind = TrackingLog
		case "smtp receive protocol log":
			res.Kind = SMTPReceiveLog
		case "smtp send protocol log":
			res.Kind = SMTPSendLog
		case "transport connectivity log":
			res.Kind = ConnectivityLog
		default:
			res.Kind = OtherExchangeLog
		}
		return
	}
	if haveFields {
		names := strings.Split(fields, ",")
		if len(names) == 1 {
			// W3C separates field names with blanks.
			res.Kind = W3CLog
			if software != "" {
				res.Detail = software
			}
			return
		}
		var date, event bool
		for _, n := range names {
			switch strings.ToLower(strings.TrimSpace(n)) {
			case "date-time":
				date = true
			case "event-id":
				event = true
			}
		}
		if date && event {
			res.Kind = TrackingLog
			return
		}
		res.Kind, res.Columns = OtherExchangeLog, names
		res.LogType = "(none; fields " + columnList(names) + ")"
		return
	}
	if strings.Contains(strings.ToLower(software), "internet information services") {
		res.Kind, res.Detail = W3CLog, software
		return
	}
	// A header block of a tracking log that lost its #Fields: (or an
	// unknown one): the first row decides.
	if i < len(lines) && trackingRow(lines[i]) {
		res.Kind = TrackingLog
		return
	}
	res.Kind, res.Detail = Unknown, "with "+strconv.Quote(shorten(string(lines[0]), 60))
	if strings.HasPrefix(strings.ToLower(software), "microsoft exchange") && blank(lines[i:]) {
		// The first lines of an Exchange log and nothing more (a copy
		// taken as the file was created, or a header pasted alone): which
		// log it is, its #Log-type or #Fields would tell.
		res.Detail += " and holds nothing else: the start of an Exchange log, without its #Log-type, #Fields or any row"
	}
}

// blank reports whether every line is empty or blanks.
func blank(lines [][]byte) bool {
	for _, l := range lines {
		if len(bytes.TrimSpace(l)) > 0 {
			return false
		}
	}
	return true
}

// trackingRow reports whether line is a tracking log row without a header:
// an ISO date-time first, and as many fields as a known layout.
func trackingRow(line []byte) bool {
	comma := bytes.IndexByte(line, ',')
	if comma < 0 {
		return false
	}
	if _, ok := msgtrk.ParseTime(line[:comma]); !ok {
		return false
	}
	switch n := len(splitCSV(line, ',')); n {
	case 21, 26, 27, 30:
		return true
	}
	return false
}

// splitCSV splits one line of CSV with double quotes (a quoted field does
// not span lines here; an unterminated quote runs to the end of line).
func splitCSV(line []byte, delim byte) []string {
	var out []string
	var b []byte
	inQ := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case inQ && c == '"':
			if i+1 < len(line) && line[i+1] == '"' {
				b = append(b, '"')
				i++
			} else {
				inQ = false
			}
		case inQ:
			b = append(b, c)
		case c == '"':
			inQ = true
		case c == delim:
			out = append(out, string(b))
			b = b[:0]
		default:
			b = append(b, c)
		}
	}
	return append(out, string(b))
}

// NormalizeName is a column or property name reduced for matching: ASCII
// lower case without '_', '-', '.' and blanks ("date_time_utc" →
// "datetimeutc", "EventId" → "eventid").
func NormalizeName(name string) string {
	b := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_' || c == '-' || c == '.' || c == ' ' || c == '\t':
		case ascii.IsUpper(c):
			b = append(b, c+'a'-'A')
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// Vocabulary is the set of property names a record is written in.
type Vocabulary uint8

// The vocabularies.
const (
	VocabUnknown      Vocabulary = iota
	VocabCmdlet                  // Get-MessageTrackingLog: Timestamp, EventId, Sender, Recipients, …
	VocabExtended                // tracking fields with underscores: date_time_utc, event_id, …
	VocabMessageTrace            // Get-MessageTrace(V2): Received, SenderAddress, RecipientAddress, Status, …
	VocabSummary                 // historical summary: origin_timestamp_utc, recipient_status, …
)

// VocabularyOf tells which vocabulary names are in, or VocabUnknown.
func VocabularyOf(names []string) Vocabulary {
	has := map[string]bool{}
	underscore := false
	for _, n := range names {
		has[NormalizeName(n)] = true
		if strings.Contains(n, "_") {
			underscore = true
		}
	}
	switch {
	case has["received"] && has["status"] && (has["recipientaddress"] || has["messagetraceid"]):
		return VocabMessageTrace
	case (has["origintimestamputc"] || has["origintimestamp"]) && has["recipientstatus"]:
		return VocabSummary
	case has["eventid"] && (has["datetimeutc"] || has["datetime"] || underscore):
		return VocabExtended
	case has["eventid"] && (has["timestamp"] || has["messageid"] || has["sender"]):
		return VocabCmdlet
	}
	return VocabUnknown
}

// csvHeader classifies a CSV header line; rest are the lines after it.
func csvHeader(res *Result, line []byte, rest [][]byte) {
	best, bestN := byte(','), 0
	var bestCols []string
	for _, d := range []byte{',', ';', '\t'} {
		cols := splitCSV(line, d)
		if len(cols) > bestN {
			best, bestN, bestCols = d, len(cols), cols
		}
	}
	if bestN < 2 || !plausibleHeader(bestCols) || !sameWidth(rest, best, bestN) {
		if res.TypeLine != "" {
			res.Kind, res.Detail = UnknownCSV, "a #TYPE line and no header"
			res.Columns = bestCols
		}
		return
	}
	res.Delimiter, res.Columns = best, bestCols
	res.Vocabulary = VocabularyOf(bestCols)
	switch res.Vocabulary {
	case VocabCmdlet:
		res.Kind = CmdletCSV
	case VocabExtended:
		res.Kind = HistoricalExtended
	case VocabMessageTrace:
		res.Kind = MessageTraceCSV
	case VocabSummary:
		res.Kind = HistoricalSummary
	default:
		res.Kind = UnknownCSV
	}
}

// sameWidth reports whether the first non-blank line of rest, when there is
// one and it holds no quoted line break, has n fields.
func sameWidth(rest [][]byte, delim byte, n int) bool {
	for _, l := range rest {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		if bytes.Count(l, []byte{'"'})%2 != 0 {
			return true // a quoted field goes on on the next line
		}
		return len(splitCSV(l, delim)) == n
	}
	return true
}

// plausibleHeader reports whether cols look like column names: short,
// without line noise.
func plausibleHeader(cols []string) bool {
	for _, c := range cols {
		if c == "" || len(c) > 64 || c != strings.TrimSpace(c) {
			return false
		}
		for i := 0; i < len(c); i++ {
			if ch := c[i]; !(ascii.IsAlnum(ch) || ch == '_' || ch == '-' || ch == ' ' || ch == '.' || ch >= 0x80) {
				return false
			}
		}
	}
	return true
}

// formatList recognises Format-List text: records of "Name : value"
// properties (after comment markers) with names of a known vocabulary.
func formatList(res *Result, lines [][]byte) bool {
	props := 0
	for _, l := range lines[:min(len(lines), 64)] {
		if _, _, _, ok := formatlist.CutProperty(string(l)); ok {
			props++
		}
	}
	if props < 3 {
		return false
	}
	recs, _ := formatlist.Parse(string(bytes.Join(lines, []byte("\n"))))
	v, i := ListVocabulary(recs)
	if v == VocabUnknown {
		return false
	}
	res.Kind, res.Vocabulary = FormatList, v
	for _, p := range recs[i].Props {
		res.Columns = append(res.Columns, p.Name)
	}
	return true
}

// ListVocabulary is the vocabulary a Format-List text is read in, and the
// index of its first record in it: the first record of tracking events
// (the cmdlet's or the extended report's), else the first record of a
// known vocabulary (a file of summaries). Records of other vocabularies
// are not read.
func ListVocabulary(recs []formatlist.Record) (Vocabulary, int) {
	first, at := VocabUnknown, -1
	for i := range recs {
		switch v := RecordVocabulary(&recs[i]); v {
		case VocabCmdlet, VocabExtended:
			return v, i
		case VocabUnknown:
		default:
			if first == VocabUnknown {
				first, at = v, i
			}
		}
	}
	return first, at
}

// RecordVocabulary is VocabularyOf the property names of r.
func RecordVocabulary(r *formatlist.Record) Vocabulary {
	names := make([]string, len(r.Props))
	for i, p := range r.Props {
		names[i] = p.Name
	}
	return VocabularyOf(names)
}
