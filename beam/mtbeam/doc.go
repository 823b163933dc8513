// Package mtbeam runs mailtrace on Apache Beam: the transforms that read
// Exchange message tracking logs from a file system of the cluster (local,
// gs://, s3://) into rows, for organisations whose logs outgrow one machine.
//
// Files are read whole, one file per element, never split into ranges and
// never through textio: a row cannot be decoded without its file's #Fields:
// header, and in Beam Go v2.78.0 textio.Read returns only the first part of
// a gzipped file. Tracking logs roll at 10 MB by default, so whole files
// spread well over the workers.
//
//	logs := mtbeam.Read(s, "gs://bucket/logs/**")
//	n := mtbeam.CountRows(s, logs.Rows)
package mtbeam
