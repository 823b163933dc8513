package smtplog

import (
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/mailtrace/mailtrace/msgtrk"
)

// IsLogKind reports whether k is a kind this package reads: the SMTP
// Receive and Send protocol logs and the connectivity log.
func IsLogKind(k msgtrk.LogKind) bool {
	return k == msgtrk.LogSmtpReceive || k == msgtrk.LogSmtpSend || k == msgtrk.LogConnectivity
}

// FindFiles lists the protocol and connectivity logs under root in fsys
// (RECV*, SEND*, CONNECTLOG* names, gzipped or not), each with its server
// and transport service from its path: msgtrk.FindLogs with [IsLogKind].
// Read them with msgtrk.NewMerger and a [Scanner].
func FindFiles(fsys fs.FS, root string) ([]msgtrk.Input, error) {
	return msgtrk.FindLogs(fsys, root, IsLogKind)
}

// OpenPaths turns command-line arguments into inputs: directories are
// searched with FindFiles, files are read whatever their names, "-" is
// standard input (msgtrk.OpenLogPaths with [IsLogKind]). A file named in
// Exchange's folders (…/EX01/TransportRoles/Logs/Hub/ProtocolLog/…) takes
// its server from them, as under a directory: the rows of a protocol log
// do not name the server that wrote them.
func OpenPaths(paths ...string) ([]msgtrk.Input, error) {
	inputs, err := msgtrk.OpenLogPaths(IsLogKind, paths...)
	for i := range inputs {
		in := &inputs[i]
		if in.Server == "" && in.Name != "-" && inLogFolders(in.Name) {
			in.Server = msgtrk.ServerFromPath(filepath.ToSlash(in.Name))
		}
	}
	return inputs, err
}

// inLogFolders reports whether a path goes through Exchange's TransportRoles
// folder.
func inLogFolders(p string) bool {
	for _, part := range strings.Split(filepath.ToSlash(p), "/") {
		if strings.EqualFold(part, "TransportRoles") {
			return true
		}
	}
	return false
}
