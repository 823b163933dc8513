package msgtrk

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mailtrace/mailtrace/internal/calendar"
)

// FileName is what a transport log's file name tells: the kind of log, the
// UTC date (and hour) the file was started, and its sequence number that day
// (or hour).
//
//	MSGTRK20160405-1.LOG        transport log, daily, 2016-04-05, first file
//	MSGTRKMS2022091915-1.LOG    submission log, hourly, 2022-09-19 15:00
//	MSGTRKMD20240101-12.LOG.gz  delivery log, twelfth file of the day, gzipped
//	MSGTRKM20100419-1.LOG       2007/2010 Mailbox role log
//	EX01_MSGTRK20240304-1.LOG   transport log, renamed with its server's name
//	RECV2023011116-1.LOG        SMTP Receive protocol log (not a tracking log)
//	SEND20221019-3.LOG          SMTP Send protocol log (not a tracking log)
//	CONNECTLOG20130627-1.LOG    connectivity log (not a tracking log)
type FileName struct {
	Kind   LogKind
	Start  time.Time // UTC date, or date and hour for hourly files
	Hourly bool      // the name has yyyyMMddHH instead of yyyymmdd
	Seq    int       // the number after '-'
	Gzip   bool      // the name ends in .gz
	// Server is a name written before the prefix and separated from it by
	// '_', '-', '.' or a space, as collections renamed with their server's
	// name have it (EX01_MSGTRK…); "" when none. Like a folder's name, it
	// is a hint: the rows tell which server wrote a file.
	Server string
}

// ParseFileName recognises the base name (any directory part is ignored)
// of a message tracking log or of a protocol or connectivity log (see
// [LogKind]). Letter case does not matter. ok is false for other names.
func ParseFileName(name string) (FileName, bool) {
	var fn FileName
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	up := strings.ToUpper(name)
	if strings.HasSuffix(up, ".GZ") {
		fn.Gzip = true
		up = up[:len(up)-3]
	}
	if !strings.HasSuffix(up, ".LOG") {
		return FileName{}, false
	}
	up = up[:len(up)-4]
	// The prefix is the last one found in the name: anything before it is
	// a server's name.
	i := -1
	for _, family := range [...]string{"MSGTRK", "CONNECTLOG", "RECV", "SEND"} {
		i = max(i, strings.LastIndex(up, family))
	}
	if i > 0 {
		host := strings.TrimRight(name[:i], "_-. ")
		if len(host) == i || host == "" {
			return FileName{}, false // no separator: not a server's name
		}
		fn.Server, up = host, up[i:]
	}
	for _, p := range fileNamePrefixes {
		if strings.HasPrefix(up, p.Prefix()) {
			fn.Kind, up = p, up[len(p.Prefix()):]
			break
		}
	}
	if fn.Kind == LogUnknown {
		return FileName{}, false
	}
	dash := strings.IndexByte(up, '-')
	if dash != 8 && dash != 10 {
		return FileName{}, false
	}
	seq, ok := atoiSmall(up[dash+1:])
	if !ok {
		return FileName{}, false
	}
	fn.Seq = seq
	y, ok1 := atoiSmall(up[0:4])
	m, ok2 := atoiSmall(up[4:6])
	d, ok3 := atoiSmall(up[6:8])
	h := 0
	ok4 := true
	if dash == 10 {
		fn.Hourly = true
		h, ok4 = atoiSmall(up[8:10])
	}
	if !(ok1 && ok2 && ok3 && ok4) || m < 1 || m > 12 || d < 1 || d > calendar.DaysIn(m, y) || h > 23 {
		return FileName{}, false
	}
	fn.Start = time.Date(y, time.Month(m), d, h, 0, 0, 0, time.UTC)
	return fn, true
}

// fileNamePrefixes lists the kinds with a file name prefix, longer
// prefixes before the shorter ones they start with.
var fileNamePrefixes = [...]LogKind{
	LogSubmission, LogDelivery, LogApproval, LogMailbox, LogTransport,
	LogConnectivity, LogSmtpReceive, LogSmtpSend,
}

// skipDirs are folder names of an Exchange installation or of a collection
// that never name a server.
var skipDirs = map[string]bool{
	"messagetracking": true, "logs": true, "transportroles": true,
	"v08": true, "v14": true, "v15": true, "exchange server": true,
	"exchangeserver": true, "microsoft": true, "program files": true,
	"c$": true, "d$": true, "e$": true, "f$": true, "exchange": true,
	"": true, ".": true, "..": true,
	// the folders of the protocol and connectivity logs (format.md §14.1)
	"protocollog": true, "smtpreceive": true, "smtpsend": true,
	"connectivity": true, "frontend": true, "hub": true, "edge": true,
	"mailbox": true, "delivery": true, "submission": true,
}

// The transport services whose protocol and connectivity logs ServiceFromPath
// tells apart (format.md §14.1). Session ids are unique only within one
// service of one server.
const (
	ServiceFrontEnd          = "FrontEnd"          // Front End Transport (…\Logs\FrontEnd\…)
	ServiceHub               = "Hub"               // Transport on a Mailbox server (…\Logs\Hub\…)
	ServiceEdge              = "Edge"              // Transport on an Edge server (…\Logs\Edge\…)
	ServiceMailbox           = "Mailbox"           // Mailbox Transport, neither folder below named
	ServiceMailboxDelivery   = "MailboxDelivery"   // Mailbox Transport Delivery (…\Logs\Mailbox\…\Delivery)
	ServiceMailboxSubmission = "MailboxSubmission" // Mailbox Transport Submission (…\Logs\Mailbox\…\Submission)
)

// ServiceFromPath names the transport service whose protocol or
// connectivity log a file is, from the folders of its path: FrontEnd, Hub,
// Edge, and Mailbox followed (anywhere below) by Delivery or Submission, as
// in TransportRoles\Logs\Mailbox\ProtocolLog\SmtpReceive\Delivery. The
// last service folder of the path wins; letter case does not matter. It
// returns "" when no folder names a service (Exchange 2010 keeps one
// ProtocolLog folder per server, or the files were collected flat).
func ServiceFromPath(rel string) string {
	rel = strings.ReplaceAll(rel, `\`, "/")
	svc := ""
	for _, dir := range strings.Split(path.Dir(rel), "/") {
		switch strings.ToLower(dir) {
		case "frontend":
			svc = ServiceFrontEnd
		case "hub":
			svc = ServiceHub
		case "edge":
			svc = ServiceEdge
		case "mailbox":
			svc = ServiceMailbox
		case "delivery":
			if svc == ServiceMailbox {
				svc = ServiceMailboxDelivery
			}
		case "submission":
			if svc == ServiceMailbox {
				svc = ServiceMailboxSubmission
			}
		}
	}
	return svc
}

// ServerFromPath names the server whose log a file is, from the file's path
// relative to the folder the logs were collected into: the nearest folder
// above the file that is not part of an Exchange installation path
// (MessageTracking, Logs, TransportRoles, V15, Exchange Server, …, c$). For
// root/EX01/MSGTRK….LOG and for a copied UNC path
// root/EX01/c$/Program Files/Microsoft/Exchange Server/V15/TransportRoles/Logs/MessageTracking/MSGTRK….LOG
// it returns "EX01". It returns "" when the path names no server (a file
// directly in the collection folder); the rows then tell (see LoggingServer).
//
// The path is the better source: a row's client-hostname and
// server-hostname name the local server or the remote peer depending on the
// event, and Edge or front-end rows can name other hosts entirely.
func ServerFromPath(rel string) string {
	rel = strings.ReplaceAll(rel, `\`, "/")
	dir := path.Dir(rel)
	for dir != "." && dir != "/" && dir != "" {
		base := path.Base(dir)
		if !skipDirs[strings.ToLower(base)] {
			return base
		}
		dir = path.Dir(dir)
	}
	return ""
}

// LoggingServer guesses, from the row alone, the server that logged it: the
// column that names the local host depends on the event (format.md §4,
// client/server fields). SMTP RECEIVE, the shadow redundancy events and
// ROUTING events name it in server-hostname; SEND, SENDEXTERNAL,
// AGENTINFO, FAIL, DELIVER and the other STOREDRIVER events in
// client-hostname (a STOREDRIVER RECEIVE names the mailbox server there,
// also when a transport logged it). The other column is the fallback.
// Prefer the file's location (ServerFromPath) when there is one.
func LoggingServer(r *Record) []byte {
	first, second := ClientHostname, ServerHostname
	switch r.EventType() {
	case EventReceive:
		if r.SourceType() == SourceSMTP {
			first, second = ServerHostname, ClientHostname
		}
	case EventHARedirect, EventHARedirectFail, EventHAReceive, EventHADiscard,
		EventResolve, EventExpand, EventRedirect, EventTransfer, EventDrop,
		EventDuplicateExpand, EventDuplicateRedirect, EventDSN:
		first, second = ServerHostname, ClientHostname
	}
	if v := r.Field(first); len(v) > 0 {
		return v
	}
	return r.Field(second)
}

// Input is one source of rows for a Merger: a file, a stream or anything
// that can be opened.
type Input struct {
	Name     string   // shown in errors and Record.Origin().File
	Server   string   // the logging server, or "" when unknown
	FileName FileName // what the file name tells; Kind is LogUnknown for other names
	// Service is the transport service of a protocol or connectivity log,
	// from its path (ServiceFromPath); "" for tracking logs and when not
	// known.
	Service string
	Size    int64 // bytes, when known; for progress reports
	Open    func() (io.ReadCloser, error)
}

// FindFiles lists the tracking logs under root in fsys: root itself when it
// is a file (whatever its name), otherwise every file below it whose name
// ParseFileName recognises as a tracking log ([LogKind.IsTracking]). Inputs
// are sorted by server, kind, start time and sequence number, so that the
// files of one server and kind come in the order they were written. Each
// input's Server comes from ServerFromPath of its path relative to root, or
// from a server name in the file name (EX01_MSGTRK…, see FileName.Server),
// which is nearer the file. Both are hints: a correlator takes the server
// from the rows. Gzipped files are read transparently.
func FindFiles(fsys fs.FS, root string) ([]Input, error) {
	return FindLogs(fsys, root, LogKind.IsTracking)
}

// FindLogs is FindFiles for the logs whose kind want accepts: below a
// directory, the files whose name ParseFileName recognises with such a kind
// (a file named as root is listed whatever its name). Each input's Service
// comes from ServiceFromPath. Package smtplog finds the protocol and
// connectivity logs with it.
func FindLogs(fsys fs.FS, root string, want func(LogKind) bool) ([]Input, error) {
	st, err := fs.Stat(fsys, root)
	if err != nil {
		return nil, err
	}
	open := func(p string) func() (io.ReadCloser, error) {
		return func() (io.ReadCloser, error) {
			f, err := fsys.Open(p)
			if err != nil {
				return nil, err
			}
			return MaybeGzip(f)
		}
	}
	if !st.IsDir() {
		fn, _ := ParseFileName(root)
		return []Input{{Name: root, Server: fn.Server, FileName: fn, Service: ServiceFromPath(root), Size: st.Size(), Open: open(root)}}, nil
	}
	var inputs []Input
	err = fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		fn, ok := ParseFileName(d.Name())
		if !ok || !want(fn.Kind) {
			return nil
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
		in := Input{Name: p, FileName: fn, Server: fn.Server, Service: ServiceFromPath(rel), Open: open(p)}
		if in.Server == "" {
			in.Server = ServerFromPath(rel)
		}
		if info, err := d.Info(); err == nil {
			in.Size = info.Size()
		}
		inputs = append(inputs, in)
		return nil
	})
	if err != nil {
		return nil, err
	}
	SortInputs(inputs)
	return inputs, nil
}

// SortInputs sorts inputs by server, kind, service, start time, sequence
// number and name.
func SortInputs(inputs []Input) {
	slices.SortStableFunc(inputs, func(a, b Input) int {
		return cmp.Or(
			cmp.Compare(a.Server, b.Server),
			cmp.Compare(a.FileName.Kind, b.FileName.Kind),
			cmp.Compare(a.Service, b.Service),
			a.FileName.Start.Compare(b.FileName.Start),
			cmp.Compare(a.FileName.Seq, b.FileName.Seq),
			cmp.Compare(a.Name, b.Name),
		)
	})
}

// OpenPaths turns command-line style arguments into inputs: a directory is
// searched with FindFiles, a file is read whatever its name, and "-" is
// standard input. A missing or unreadable path is an error naming it.
func OpenPaths(paths ...string) ([]Input, error) {
	return OpenLogPaths(LogKind.IsTracking, paths...)
}

// OpenLogPaths is OpenPaths for the logs whose kind want accepts: a
// directory is searched with FindLogs(want); a file is read whatever its
// name, with its Service from ServiceFromPath.
func OpenLogPaths(want func(LogKind) bool, paths ...string) ([]Input, error) {
	var all []Input
	for _, p := range paths {
		if p == "-" {
			all = append(all, Input{Name: "-", Open: func() (io.ReadCloser, error) {
				return MaybeGzip(io.NopCloser(os.Stdin))
			}})
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			fn, _ := ParseFileName(p)
			file := p
			all = append(all, Input{Name: p, Server: fn.Server, FileName: fn, Service: ServiceFromPath(filepath.ToSlash(p)), Size: st.Size(), Open: func() (io.ReadCloser, error) {
				f, err := os.Open(file)
				if err != nil {
					return nil, err
				}
				return MaybeGzip(f)
			}})
			continue
		}
		in, err := FindLogs(os.DirFS(p), ".", want)
		if err != nil {
			return nil, err
		}
		for i := range in {
			rel := in[i].Name
			full := filepath.Join(p, filepath.FromSlash(rel))
			in[i].Name = full
			in[i].Open = func() (io.ReadCloser, error) {
				f, err := os.Open(full)
				if err != nil {
					return nil, err
				}
				return MaybeGzip(f)
			}
		}
		all = append(all, in...)
	}
	SortInputs(all)
	return all, nil
}

// MaybeGzip returns rc, or a gzip reader over it when its first bytes are
// the gzip magic number (1f 8b), whatever the file is called: the one rule
// by which every input (OpenPaths, FindLogs, the Beam pipeline's files) is
// told compressed or not. Closing the result closes rc; on an error rc is
// closed and nil returned. An empty rc is returned as it is (no rows).
func MaybeGzip(rc io.ReadCloser) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(rc, 64<<10)
	magic, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		rc.Close()
		return nil, err
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			rc.Close()
			return nil, err
		}
		return struct {
			io.Reader
			io.Closer
		}{zr, rc}, nil
	}
	return struct {
		io.Reader
		io.Closer
	}{br, rc}, nil
}
