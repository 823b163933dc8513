package smtplog

import (
	"io/fs"

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
// standard input (msgtrk.OpenLogPaths with [IsLogKind]).
func OpenPaths(paths ...string) ([]msgtrk.Input, error) {
	return msgtrk.OpenLogPaths(IsLogKind, paths...)
}
