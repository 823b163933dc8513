package msgtrktest

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// item is one rendered row waiting in a reorder buffer.
type item struct {
	t     int64 // true time, Unix milliseconds
	w     int64 // time as written by the logging server (t + skew)
	seq   uint64
	line  []byte // the row in its file's layout, with CRLF
	msg   *msgState
	event msgtrk.EventType
}

// itemHeap is a min-heap of rows by (key, seq), where key is the true time
// (per-file buffers) or the written time (the merged stream).
type itemHeap struct {
	a       []*item
	written bool
}

func (h *itemHeap) less(i, j int) bool {
	a, b := h.a[i], h.a[j]
	ka, kb := a.t, b.t
	if h.written {
		ka, kb = a.w, b.w
	}
	if ka != kb {
		return ka < kb
	}
	return a.seq < b.seq
}

func (h *itemHeap) push(it *item) {
	h.a = append(h.a, it)
	i := len(h.a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h.a[i], h.a[p] = h.a[p], h.a[i]
		i = p
	}
}

func (h *itemHeap) top() *item { return h.a[0] }

func (h *itemHeap) pop() *item {
	it := h.a[0]
	n := len(h.a) - 1
	h.a[0] = h.a[n]
	h.a[n] = nil
	h.a = h.a[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			break
		}
		h.a[i], h.a[m] = h.a[m], h.a[i]
		i = m
	}
	return it
}

// sink creates the output files.
type sink interface {
	create(path string) (io.WriteCloser, error)
}

// dirSink writes under a directory of the operating system.
type dirSink struct{ root string }

func (d dirSink) create(p string) (io.WriteCloser, error) {
	full := filepath.Join(d.root, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return nil, err
	}
	return os.Create(full)
}

// mapSink writes into an fstest.MapFS.
type mapSink struct{ fs fstest.MapFS }

type memFile struct {
	bytes.Buffer
	fs   fstest.MapFS
	path string
}

func (m *memFile) Close() error {
	m.fs[m.path] = &fstest.MapFile{Data: m.Bytes(), Mode: 0o644}
	return nil
}

func (m mapSink) create(p string) (io.WriteCloser, error) {
	return &memFile{fs: m.fs, path: p}, nil
}

// teeFile writes to an original and its duplicate.
type teeFile struct{ a, b io.WriteCloser }

func (t teeFile) Write(p []byte) (int, error) {
	if n, err := t.a.Write(p); err != nil {
		return n, err
	}
	return t.b.Write(p)
}

func (t teeFile) Close() error {
	err := t.a.Close()
	if err2 := t.b.Close(); err == nil {
		err = err2
	}
	return err
}

// file is an open log file.
type file struct {
	path  string
	day   int64 // UTC day number of the server's clock
	wc    io.WriteCloser
	bw    *bufio.Writer
	size  int64
	rows  int
	held  *item // the last row, kept back while it may still be cut
	truth int   // index in out.files
	dup   int   // index of the copy in out.files, or -1
}

// stream is the rows of one server and log kind.
type stream struct {
	srv     *Server
	kind    msgtrk.LogKind
	h       itemHeap
	f       *file
	lastDay int64
	seq     int
}

// out receives the rendered rows of the generator, keeps them in bounded
// reorder buffers until no earlier row can come, and writes them.
type out struct {
	sim     *Sim
	sink    sink
	streams []*stream // per server and kind; nil for the merged stream
	merged  *itemHeap
	mw      *bufio.Writer // merged stream writer
	mstart  bool
	minSkew int64

	files    []FileTruth
	dupLeft  int
	cutLeft  int
	cutRng   uint64
	events   int
	cut      int
	err      error
	complete func(*msgState)
}

func (o *out) setErr(err error) {
	if o.err == nil && err != nil {
		o.err = err
	}
}

// add takes a rendered row.
func (o *out) add(it *item, srvIdx int, kind msgtrk.LogKind) {
	if o.merged != nil {
		o.merged.push(it)
		return
	}
	o.streams[srvIdx*3+kindSlot(kind)].h.push(it)
}

func kindSlot(k msgtrk.LogKind) int {
	switch k {
	case msgtrk.LogSubmission, msgtrk.LogMailbox:
		return 1
	case msgtrk.LogDelivery:
		return 2
	}
	return 0
}

// flush writes every buffered row whose true time is before t (Unix ms):
// rows generated later all have true times at or after t.
func (o *out) flush(t int64) {
	if o.merged != nil {
		for len(o.merged.a) > 0 && o.merged.top().w < t+o.minSkew {
			o.writeMerged(o.merged.pop())
		}
		return
	}
	for _, s := range o.streams {
		if s == nil {
			continue
		}
		for len(s.h.a) > 0 && s.h.top().t < t {
			o.write(s, s.h.pop())
		}
	}
}

// finish writes every buffered row and closes every file.
func (o *out) finish() {
	const end = int64(1) << 62
	o.flush(end)
	if o.merged != nil {
		if o.mw != nil {
			o.setErr(o.mw.Flush())
		}
		return
	}
	for _, s := range o.streams {
		if s != nil && s.f != nil {
			o.closeFile(s)
		}
	}
	slices.SortFunc(o.files, func(a, b FileTruth) int { return strings.Compare(a.Path, b.Path) })
}

func (o *out) done(it *item) {
	o.events++
	it.msg.pending--
	if it.msg.pending == 0 && it.msg.generated {
		o.complete(it.msg)
	}
}

func (o *out) writeMerged(it *item) {
	if !o.mstart {
		o.mstart = true
		o.setErr(writeHeader(o.mw, o.sim.cfg.Version, msgtrk.Layout2016, it.w))
	}
	_, err := o.mw.Write(it.line)
	o.setErr(err)
	o.done(it)
}

func dayOf(ms int64) int64 { return floorDiv(ms, 86400000) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func (o *out) write(s *stream, it *item) {
	day := dayOf(it.w)
	if f := s.f; f != nil && (day != f.day || (f.rows > 0 && f.size+int64(len(it.line)) > int64(o.sim.cfg.MaxFileBytes))) {
		o.closeFile(s)
	}
	if s.f == nil {
		o.openFile(s, it, day)
	}
	f := s.f
	if f.held != nil {
		o.writeRow(f, f.held)
		f.held = nil
	}
	f.size += int64(len(it.line))
	if o.cutLeft > 0 {
		f.held = it
		return
	}
	o.writeRow(f, it)
}

func (o *out) writeRow(f *file, it *item) {
	_, err := f.bw.Write(it.line)
	o.setErr(err)
	f.rows++
	o.done(it)
}

func (o *out) openFile(s *stream, it *item, day int64) {
	if day == s.lastDay && s.seq > 0 {
		s.seq++
	} else {
		s.lastDay, s.seq = day, 1
	}
	d := time.UnixMilli(it.w).UTC()
	name := s.kind.Prefix() + d.Format("20060102") + "-" + strconv.Itoa(s.seq) + ".LOG"
	dir := o.folder(s.srv)
	if o.sim.cfg.Folders == FoldersFlat {
		name = s.srv.Name + "_" + name
	}
	p := dir + "/" + name
	f := &file{path: p, day: day, truth: len(o.files), dup: -1}
	o.files = append(o.files, FileTruth{Path: p, Server: s.srv.Name, Kind: s.kind.Prefix()})
	wc, err := o.sink.create(p)
	if err != nil {
		o.setErr(err)
		wc = nopCloser{io.Discard}
	}
	if o.dupLeft > 0 {
		o.dupLeft--
		cp := dir + "/MessageTracking/" + name
		f.dup = len(o.files)
		o.files = append(o.files, FileTruth{Path: cp, Server: s.srv.Name, Kind: s.kind.Prefix(), DuplicateOf: p})
		wc2, err := o.sink.create(cp)
		if err != nil {
			o.setErr(err)
			wc2 = nopCloser{io.Discard}
		}
		wc = teeFile{wc, wc2}
	}
	f.wc = wc
	f.bw = bufio.NewWriterSize(wc, 64<<10)
	var hb bytes.Buffer
	o.setErr(writeHeader(&hb, o.sim.cfg.Version, o.sim.cfg.Version.Layout(), it.w))
	f.bw.Write(hb.Bytes())
	f.size = int64(hb.Len())
	s.f = f
}

// folder names the folder a server's logs are collected in (Config.Folders).
func (o *out) folder(srv *Server) string {
	switch o.sim.cfg.Folders {
	case FoldersFQDN:
		return srv.FQDN
	case FoldersLower:
		return lower(srv.Name)
	case FoldersRenamed:
		// mbx-a, mbx-b, … and edge-a, …, in the order of the servers.
		n, prefix := 0, "mbx-"
		for i := range o.sim.org.Servers {
			s := &o.sim.org.Servers[i]
			if s == srv {
				break
			}
			if s.Role == srv.Role {
				n++
			}
		}
		if srv.Role == RoleEdge {
			prefix = "edge-"
		}
		return prefix + string(rune('a'+n%26)) + strings.Repeat("z", n/26)
	case FoldersFlat:
		return "logs"
	}
	return srv.Name
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

func (o *out) closeFile(s *stream) {
	f := s.f
	s.f = nil
	ft := &o.files[f.truth]
	if it := f.held; it != nil {
		f.held = nil
		if o.cutLeft > 0 && (it.event == msgtrk.EventAgentInfo || it.event == msgtrk.EventHADiscard) {
			o.cutLeft--
			// Keep between a third and nine tenths of the row, without
			// its line ending, cut at an ASCII byte.
			body := it.line[:len(it.line)-2]
			o.cutRng = o.cutRng*6364136223846793005 + 1442695040888963407
			n := len(body)/3 + int((o.cutRng>>33)%uint64(len(body)*9/10-len(body)/3+1))
			for n > 1 && body[n-1] >= 0x80 {
				n--
			}
			f.bw.Write(body[:n])
			f.size -= int64(len(it.line) - n)
			ft.TruncatedLine = headerLines + f.rows + 1
			ft.TruncatedEvent = it.event.String()
			ft.TruncatedKey = it.msg.truth.Key
			o.cut++
			it.msg.truth.Rows--
			if isShadowEvent(it.event) {
				it.msg.truth.ShadowEvents--
			}
			o.events-- // done counts it below
			o.done(it)
		} else {
			o.writeRow(f, it)
		}
	}
	o.setErr(f.bw.Flush())
	o.setErr(f.wc.Close())
	ft.Rows = f.rows
	ft.Bytes = f.size
	if f.dup >= 0 {
		d := &o.files[f.dup]
		d.Rows, d.Bytes = ft.Rows, ft.Bytes
		d.TruncatedLine, d.TruncatedEvent, d.TruncatedKey = ft.TruncatedLine, ft.TruncatedEvent, ft.TruncatedKey
	}
}

// headerLines is the number of header lines of every file.
const headerLines = 5

// writeHeader writes the BOM and the 5-line header of a file (or of the
// merged stream) through msgtrk.Writer. first is the written time of the
// first row, used as #Date.
func writeHeader(w io.Writer, v Version, l msgtrk.Layout, first int64) error {
	mw := msgtrk.NewWriter(w)
	if err := mw.WriteHeader(msgtrk.Header{
		Version: v.Build(),
		Date:    time.UnixMilli(first).UTC(),
		Fields:  l.FieldNames(),
	}); err != nil {
		return err
	}
	return mw.Flush()
}

// appendRow renders e in the given column order, escaped as
// msgtrk.Writer.WriteEvent does (TestRenderMatchesWriter checks it), with
// a CRLF. It does no allocation when dst has room.
func appendRow(dst []byte, e *msgtrk.Event, cols []msgtrk.Field) []byte {
	for i, f := range cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = msgtrk.AppendField(dst, e.Fields[f])
	}
	return append(dst, '\r', '\n')
}

// WriteDir writes the logs under dir (dir/<SERVER>/MSGTRK….LOG, …), creating
// directories as needed and overwriting files of the same names, and
// returns the truth, which the caller owns. Memory stays bounded whatever
// the number of messages (set Config.OnMessage to keep the per-message
// truth out of memory too); time is in proportion to the rows (about 4
// µs each, disk included). A Sim can be written any number of times, also
// concurrently; each run gives the same bytes. On an I/O error the files
// written so far are left as they are.
func (s *Sim) WriteDir(dir string) (*Truth, error) {
	return s.run(dirSink{root: dir}, nil)
}

// WriteFS writes the logs into a new in-memory file system (paths as for
// WriteDir, without a directory prefix), for tests of small
// configurations: the whole output is held in memory. The file system and
// the truth are the caller's.
func (s *Sim) WriteFS() (fstest.MapFS, *Truth, error) {
	m := fstest.MapFS{}
	t, err := s.run(mapSink{fs: m}, nil)
	if err != nil {
		return nil, nil, err
	}
	return m, t, nil
}

// Stream writes every row of every server to w as one stream in the order
// of the written date-time, under one 2016 header (30 columns whatever the
// Version; a 2010 run leaves network-message-id empty). Every row names its
// logging server in the column msgtrk.LoggingServer reads (as the short
// name or the FQDN; the first label, in upper case, is the Org name). The
// truth has no files; DuplicateFiles and TruncateFiles do not apply, so a
// message's Rows and ShadowEvents count every row. Memory stays bounded as
// for WriteDir.
func (s *Sim) Stream(w io.Writer) (*Truth, error) {
	return s.run(nil, w)
}

func bufioWriter(w io.Writer) *bufio.Writer { return bufio.NewWriterSize(w, 64<<10) }
