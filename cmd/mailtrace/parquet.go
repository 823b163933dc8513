package main

import (
	"io"
	"time"

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

func parquetOptions() []parquet.WriterOption {
	return []parquet.WriterOption{
		parquet.DataPageVersion(1),
		parquet.Compression(&zstd.Codec{}),
		parquet.MaxRowsPerRowGroup(parquetRowGroup),
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

// parquetBatch is the number of rows converted and handed to the Parquet
// writer at once.
const parquetBatch = 4096

// span is a string of a batch: a range of its arena until the batch is
// converted.
type span struct{ start, end int32 }

// eventParquet converts rows in batches: the bytes of a batch's strings are
// appended to one arena that becomes one string, of which every cell is a
// substring, so a batch costs a few allocations, not one per cell.
type eventParquet struct {
	w     *parquet.GenericWriter[eventRow]
	rows  []eventRow
	arena []byte
	strs  [][fieldSlots]span // per row: server, file, extra, then each string field
	lists []span             // list members of the batch, in order
	nmem  [][4]int32         // per row: members of each list field
	times []time.Time
	ints  [][2]int64
	ls    msgtrk.ListScanner
	err   error
}

// The string slots of a row in eventParquet.strs.
const (
	slotServer = iota
	slotFile
	slotExtra
	slotFields // + the field's index in eventFields
	fieldSlots = slotFields + msgtrk.NumFields
)

func newEventParquet(w io.Writer) *eventParquet {
	return &eventParquet{
		w:     parquet.NewGenericWriter[eventRow](w, parquetOptions()...),
		rows:  make([]eventRow, 0, parquetBatch),
		times: make([]time.Time, parquetBatch),
		ints:  make([][2]int64, parquetBatch),
	}
}

func (p *eventParquet) add(b []byte) span {
	start := len(p.arena)
	p.arena = append(p.arena, b...)
	return span{int32(start), int32(len(p.arena))}
}

func (p *eventParquet) write(rec *msgtrk.Record) error {
	if p.err != nil {
		return p.err
	}
	i := len(p.rows)
	p.rows = append(p.rows, eventRow{V: eventsJSONVersion, Line: rec.LineNumber()})
	row := &p.rows[i]
	var strs [fieldSlots]span
	var nmem [4]int32
	if t, err := rec.Time(); err == nil {
		p.times[i] = t.UTC()
		row.Timestamp = &p.times[i]
	}
	strs[slotServer] = p.add(serverOf(rec))
	start := len(p.arena)
	p.arena = append(p.arena, rec.Origin().File...)
	strs[slotFile] = span{int32(start), int32(len(p.arena))}
	start = len(p.arena)
	p.arena = append(p.arena, '{')
	n := 0
	extraColumns(rec, func(name string, v []byte) {
		if n++; n > 1 {
			p.arena = append(p.arena, ',')
		}
		p.arena = textenc.AppendJSONString(p.arena, name)
		p.arena = append(p.arena, ':')
		p.arena = textenc.AppendJSONString(p.arena, v)
	})
	p.arena = append(p.arena, '}')
	strs[slotExtra] = span{int32(start), int32(len(p.arena))}
	nl := 0
	for k, f := range eventFields {
		switch {
		case f.IsList():
			rec.List(f, &p.ls)
			for p.ls.Next() {
				p.lists = append(p.lists, p.add(p.ls.Bytes()))
				nmem[nl]++
			}
			nl++
		case numericField(f):
			if v, ok := ascii.ParseInt64(rec.Field(f)); ok {
				slot := 0
				if f == msgtrk.RecipientCount {
					slot = 1
				}
				p.ints[i][slot] = v
				if slot == 0 {
					row.TotalBytes = &p.ints[i][0]
				} else {
					row.RecipientCount = &p.ints[i][1]
				}
			}
		default:
			strs[slotFields+k] = p.add(rec.Unescaped(f))
		}
	}
	p.strs = append(p.strs, strs)
	p.nmem = append(p.nmem, nmem)
	if len(p.rows) == parquetBatch {
		return p.flush()
	}
	return nil
}

// flush converts the batch's strings and hands its rows to the writer.
func (p *eventParquet) flush() error {
	if p.err != nil || len(p.rows) == 0 {
		return p.err
	}
	all := string(p.arena)
	str := func(s span) string { return all[s.start:s.end] }
	members := make([]string, len(p.lists))
	for i, s := range p.lists {
		members[i] = str(s)
	}
	m := 0
	for i := range p.rows {
		row, strs := &p.rows[i], &p.strs[i]
		row.Server, row.File, row.Extra = str(strs[slotServer]), str(strs[slotFile]), str(strs[slotExtra])
		nl := 0
		for k, f := range eventFields {
			if f.IsList() {
				n := int(p.nmem[i][nl])
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
	if _, err := p.w.Write(p.rows); err != nil {
		p.err = err
		return err
	}
	p.rows, p.arena, p.strs, p.lists, p.nmem = p.rows[:0], p.arena[:0], p.strs[:0], p.lists[:0], p.nmem[:0]
	clear(p.times)
	clear(p.ints)
	return nil
}

func (p *eventParquet) close() error {
	if err := p.flush(); err != nil {
		return err
	}
	return p.w.Close()
}
