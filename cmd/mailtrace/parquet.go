package main

import (
	"io"
	"runtime"
	"slices"
	"time"
	"unsafe"

	"github.com/mailtrace/mailtrace/internal/ascii"
	"github.com/mailtrace/mailtrace/internal/textenc"
	"github.com/mailtrace/mailtrace/msgtrk"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// Parquet files are written with version 1 data pages and zstd: the
// writer's defaults (version 2 pages, no compression) are read badly by
// some engines. Row groups hold at most parquetRowGroup rows, which bounds
// the writer's memory.
const parquetRowGroup = 1 << 16

// parquetWorkers is the number of goroutines that write a Parquet file's
// columns: one per core the process may use, at most 8.
func parquetWorkers() int { return min(runtime.GOMAXPROCS(0), 8) }

// parquetOptions are the writer's options, for row groups of at most
// rowGroup rows (parquetRowGroup but in tests).
func parquetOptions(rowGroup int) []parquet.WriterOption {
	return []parquet.WriterOption{
		parquet.DataPageVersion(1),
		parquet.Compression(&zstd.Codec{}),
		parquet.MaxRowsPerRowGroup(int64(rowGroup)),
		parquet.CreatedBy("mailtrace", version(), ""),
	}
}

// eventRow is the Parquet schema of "mailtrace events": the columns of the
// events object (see the package doc), lists as LIST columns, and extra as
// a JSON object.
type eventRow struct {
	V                       int32      `parquet:"v"`
	Timestamp               *time.Time `parquet:"timestamp,optional,timestamp(millisecond)"`
	Server                  string     `parquet:"server,dict"`
	File                    string     `parquet:"file,dict"`
	Line                    int64      `parquet:"line"`
	DateTime                string     `parquet:"date_time"`
	ClientIP                string     `parquet:"client_ip,dict"`
	ClientHostname          string     `parquet:"client_hostname,dict"`
	ServerIP                string     `parquet:"server_ip,dict"`
	ServerHostname          string     `parquet:"server_hostname,dict"`
	SourceContext           string     `parquet:"source_context"`
	ConnectorID             string     `parquet:"connector_id,dict"`
	Source                  string     `parquet:"source,dict"`
	EventID                 string     `parquet:"event_id,dict"`
	InternalMessageID       string     `parquet:"internal_message_id"`
	MessageID               string     `parquet:"message_id"`
	NetworkMessageID        string     `parquet:"network_message_id"`
	RecipientAddress        []string   `parquet:"recipient_address,list"`
	RecipientStatus         []string   `parquet:"recipient_status,list"`
	TotalBytes              *int64     `parquet:"total_bytes,optional"`
	RecipientCount          *int64     `parquet:"recipient_count,optional"`
	RelatedRecipientAddress string     `parquet:"related_recipient_address"`
	Reference               []string   `parquet:"reference,list"`
	MessageSubject          string     `parquet:"message_subject"`
	SenderAddress           string     `parquet:"sender_address"`
	ReturnPath              string     `parquet:"return_path"`
	MessageInfo             string     `parquet:"message_info"`
	Directionality          string     `parquet:"directionality,dict"`
	TenantID                string     `parquet:"tenant_id,dict"`
	OriginalClientIP        string     `parquet:"original_client_ip,dict"`
	OriginalServerIP        string     `parquet:"original_server_ip,dict"`
	CustomData              []string   `parquet:"custom_data,list"`
	TransportTrafficType    string     `parquet:"transport_traffic_type,dict"`
	LogID                   string     `parquet:"log_id"`
	SchemaVersion           string     `parquet:"schema_version,dict"`
	Extra                   string     `parquet:"extra,json"`
}

// stringField returns the column of a field written as a string.
func (r *eventRow) stringField(f msgtrk.Field) *string {
	switch f {
	case msgtrk.DateTime:
		return &r.DateTime
	case msgtrk.ClientIP:
		return &r.ClientIP
	case msgtrk.ClientHostname:
		return &r.ClientHostname
	case msgtrk.ServerIP:
		return &r.ServerIP
	case msgtrk.ServerHostname:
		return &r.ServerHostname
	case msgtrk.SourceContext:
		return &r.SourceContext
	case msgtrk.ConnectorID:
		return &r.ConnectorID
	case msgtrk.Source:
		return &r.Source
	case msgtrk.EventID:
		return &r.EventID
	case msgtrk.InternalMessageID:
		return &r.InternalMessageID
	case msgtrk.MessageID:
		return &r.MessageID
	case msgtrk.NetworkMessageID:
		return &r.NetworkMessageID
	case msgtrk.RelatedRecipientAddress:
		return &r.RelatedRecipientAddress
	case msgtrk.MessageSubject:
		return &r.MessageSubject
	case msgtrk.SenderAddress:
		return &r.SenderAddress
	case msgtrk.ReturnPath:
		return &r.ReturnPath
	case msgtrk.MessageInfo:
		return &r.MessageInfo
	case msgtrk.Directionality:
		return &r.Directionality
	case msgtrk.TenantID:
		return &r.TenantID
	case msgtrk.OriginalClientIP:
		return &r.OriginalClientIP
	case msgtrk.OriginalServerIP:
		return &r.OriginalServerIP
	case msgtrk.TransportTrafficType:
		return &r.TransportTrafficType
	case msgtrk.LogID:
		return &r.LogID
	case msgtrk.SchemaVersion:
		return &r.SchemaVersion
	}
	return nil
}

// listField returns the column of a list field.
func (r *eventRow) listField(f msgtrk.Field) *[]string {
	switch f {
	case msgtrk.RecipientAddress:
		return &r.RecipientAddress
	case msgtrk.RecipientStatus:
		return &r.RecipientStatus
	case msgtrk.Reference:
		return &r.Reference
	case msgtrk.CustomData:
		return &r.CustomData
	}
	return nil
}

// parquetBatch is the number of rows eventParquet converts and hands to
// the Parquet writer at once (the pipeline of "events" hands its own
// batches).
const parquetBatch = 4096

// span is a string of a batch: a range of its arena until the batch is
// converted.
type span struct{ start, end int32 }

// parquetRows converts a batch of rows to eventRows. The bytes of the
// batch's strings are appended to one arena, of which every cell is a
// substring once the batch is done, so a batch costs a few allocations,
// not one per cell. Each batch has an arena of its own, never written
// once done (the Parquet writer may keep the strings, in its
// dictionaries), so done makes the cells without copying it.
type parquetRows struct {
	rows  []eventRow
	arena []byte
	strs  [][fieldSlots]span // per row: server, file, extra, then each string field
	lists []span             // list members of the batch, in order
	nmem  [][4]int32         // per row: members of each list field
	opts  []rowOptionals
	ls    msgtrk.ListScanner
}

// rowOptionals are a row's optional values, which its eventRow points to.
type rowOptionals struct {
	time    time.Time
	ints    [len(numericFields)]int64 // by numericFields
	hasTime bool
	hasInt  [len(numericFields)]bool
}

// intField returns the column of a field written as a number.
func (r *eventRow) intField(f msgtrk.Field) **int64 {
	switch f {
	case msgtrk.TotalBytes:
		return &r.TotalBytes
	case msgtrk.RecipientCount:
		return &r.RecipientCount
	}
	return nil
}

// The string slots of a row in parquetRows.strs.
const (
	slotServer = iota
	slotFile
	slotExtra
	slotFields // + the field's index in eventFields
	fieldSlots = slotFields + msgtrk.NumFields
)

// reset empties c for a new batch, once the rows it returned were
// written: their memory is reused, but for the strings (a new arena).
func (c *parquetRows) reset() {
	c.rows, c.strs, c.lists, c.nmem, c.opts = c.rows[:0], c.strs[:0], c.lists[:0], c.nmem[:0], c.opts[:0]
	c.arena = make([]byte, 0, cap(c.arena))
}

func (c *parquetRows) addBytes(b []byte) span {
	start := len(c.arena)
	c.arena = append(c.arena, b...)
	return span{int32(start), int32(len(c.arena))}
}

// add adds rec to the batch.
func (c *parquetRows) add(rec *msgtrk.Record) {
	c.rows = append(c.rows, eventRow{V: eventsJSONVersion, Line: rec.LineNumber()})
	var strs [fieldSlots]span
	var nmem [4]int32
	var o rowOptionals
	if t, err := rec.Time(); err == nil {
		o.time, o.hasTime = t.UTC(), true
	}
	strs[slotServer] = c.addBytes(serverOf(rec))
	start := len(c.arena)
	c.arena = append(c.arena, rec.Origin().File...)
	strs[slotFile] = span{int32(start), int32(len(c.arena))}
	start = len(c.arena)
	c.arena = append(c.arena, '{')
	n := 0
	extraColumns(rec, func(name string, v []byte) {
		if n++; n > 1 {
			c.arena = append(c.arena, ',')
		}
		c.arena = textenc.AppendJSONString(c.arena, name)
		c.arena = append(c.arena, ':')
		c.arena = textenc.AppendJSONString(c.arena, v)
	})
	c.arena = append(c.arena, '}')
	strs[slotExtra] = span{int32(start), int32(len(c.arena))}
	nl := 0
	for k, f := range eventFields {
		switch {
		case f.IsList():
			rec.List(f, &c.ls)
			for c.ls.Next() {
				c.lists = append(c.lists, c.addBytes(c.ls.Bytes()))
				nmem[nl]++
			}
			nl++
		case numericField(f):
			if v, ok := ascii.ParseInt64(rec.Field(f)); ok {
				k := slices.Index(numericFields[:], f)
				o.ints[k], o.hasInt[k] = v, true
			}
		case f.FreeText():
			strs[slotFields+k] = c.addBytes(rec.Unescaped(f))
		default:
			strs[slotFields+k] = c.addBytes(rec.Field(f))
		}
	}
	c.strs = append(c.strs, strs)
	c.nmem = append(c.nmem, nmem)
	c.opts = append(c.opts, o)
}

// done fills in the strings of the rows added (add) and points every row
// at its optional values, and returns the rows, valid until the next
// reset. No more rows may be added before it.
func (c *parquetRows) done() []eventRow {
	all := unsafe.String(unsafe.SliceData(c.arena), len(c.arena))
	str := func(s span) string { return all[s.start:s.end] }
	members := make([]string, len(c.lists))
	for i, s := range c.lists {
		members[i] = str(s)
	}
	m := 0
	for i := range c.strs {
		row, strs := &c.rows[i], &c.strs[i]
		row.Server, row.File, row.Extra = str(strs[slotServer]), str(strs[slotFile]), str(strs[slotExtra])
		nl := 0
		for k, f := range eventFields {
			if f.IsList() {
				n := int(c.nmem[i][nl])
				*row.listField(f) = members[m : m+n : m+n]
				m += n
				nl++
				continue
			}
			if s := row.stringField(f); s != nil {
				*s = str(strs[slotFields+k])
			}
		}
	}
	for i := range c.rows {
		row, o := &c.rows[i], &c.opts[i]
		row.Timestamp = nil
		if o.hasTime {
			row.Timestamp = &o.time
		}
		for k, f := range numericFields {
			*row.intField(f) = nil
			if o.hasInt[k] {
				*row.intField(f) = &o.ints[k]
			}
		}
	}
	return c.rows
}

// eventParquet writes rows to a Parquet file, parquetBatch at a time:
// rows it converts itself (write), or rows a worker converted (take). The
// file depends on how the rows are cut into calls of the Parquet writer
// (its pages), so both ways cut them alike.
type eventParquet struct {
	w   *parquetColumns[eventRow]
	c   parquetRows
	err error
}

func newEventParquet(w io.Writer) *eventParquet {
	return &eventParquet{w: newParquetColumns[eventRow](w, parquetWorkers())}
}

func (p *eventParquet) write(rec *msgtrk.Record) error {
	if p.err != nil {
		return p.err
	}
	p.c.add(rec)
	if len(p.c.rows) == parquetBatch {
		return p.flush()
	}
	return nil
}

// take writes the first k rows of src, done: it copies them, with their
// optional values, so that src may be reset once take returns.
func (p *eventParquet) take(src *parquetRows, k int) error {
	for i := range k {
		if p.err != nil {
			return p.err
		}
		p.c.rows = append(p.c.rows, src.rows[i])
		p.c.opts = append(p.c.opts, src.opts[i])
		if len(p.c.rows) == parquetBatch {
			if err := p.flush(); err != nil {
				return err
			}
		}
	}
	return p.err
}

// flush hands the rows waiting to the writer.
func (p *eventParquet) flush() error {
	if p.err != nil || len(p.c.rows) == 0 {
		return p.err
	}
	if err := p.w.write(p.c.done()); err != nil {
		p.err = err
	}
	p.c.reset()
	return p.err
}

func (p *eventParquet) close() error {
	if err := p.flush(); err != nil {
		return err
	}
	return p.w.close()
}
