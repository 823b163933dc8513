// Package fuzz holds mailtrace's end-to-end fuzz targets and its
// adversarial test suite. It has no code outside its tests.
//
// Logs arrive truncated, concatenated, re-encoded, anonymised by hand and
// sometimes hostile, and the library runs inside other tools: a panic or an
// unbounded buffer there is their outage. The tests of this package prove,
// for the library as a whole, what each package's own tests prove for its
// part.
//
// # What is proven, and how
//
// FuzzPipeline feeds arbitrary bytes, and the log fuzzgen.GenLog makes of them,
// through everything: msgtrk.Reader (with GuessFields), each field decoder
// on each row (eventdata on custom-data, messageinfo on message-info,
// sourcecontext on source-context, recipstatus on each recipient-status
// member, and the record-level helpers that position their errors in the
// line), then a correlate.Tracker with tiny bounds, advanced by each row's
// time and flushed, marking traces through a filter.Events and summarised by
// report. On every input:
//
//   - nothing panics and nothing hangs (the fuzzer's own timeout);
//   - every slice a decoder returns lies inside its input (or in the one
//     scratch buffer its documentation names), every span and error offset
//     inside the input, every positioned error on its row's line and inside
//     its field;
//   - every line is accounted for (lines = rows + directives + blank
//     lines + errors) and all the input's bytes are consumed;
//   - the streaming Reader, fed in chunks of 1, 7 and 4096 bytes with
//     empty reads between them, returns the same rows and errors as
//     NewReaderBytes, under the default MaxLineBytes and under 64; in
//     Strict mode it returns the rows before the first malformed line, then
//     that line's error; a msgtrk.Batch copies every row exactly;
//   - every documented round trip holds: a row written back with
//     msgtrk.Writer reads back with the same columns, list members written
//     with AppendListMember and custom-data members with AppendMember scan
//     back unchanged, a latency tree's canonical form parses to the same tree
//     and is a fixed point;
//   - every row handed to the Tracker (and to a two-shard Sharded tracker)
//     lands in exactly one emitted trace or is counted (sum of Trace.Events + Stats.Late + Stats.DuplicateRows +
//     Stats.Dropped = rows added), open traces never exceed MaxOpenTraces, and
//     every trace marshals to JSON that parses back with the same key,
//     events and reason;
//   - report's outcome counts sum to its recipient count, and its summary
//     counts every row and marshals.
//
// FuzzCSVDifferential checks the Reader's CSV layer against encoding/csv,
// line by line. FuzzMergeOrder checks msgtrk.Merger against a reference
// merge of the same files read one by one. FuzzNothingLost and
// TestPropertyNothingLost generate files with GenLog, where every line's
// fate is known in advance, and check that the Reader returns exactly the
// generated rows, with their values, in order, and reports exactly the
// malformed lines.
//
// The adversarial tests (adversarial_test.go) are ordinary fast tests, one
// named subtest per trap: a 1 GB line streamed from a generator, an
// unterminated quote at the start of a large file, NUL bytes, invalid UTF-8,
// byte order marks, headers that change, truncation, empty files, a row of a
// million recipients, a latency tree nested ten thousand deep, custom-data of
// a hundred thousand members. Each asserts a clear error with its position
// or a documented lenient result, that the good lines around the bad one
// are still read, and, where memory is at stake, a ceiling on the heap
// measured with runtime.ReadMemStats.
//
// Bugs found here in other packages are kept, minimised, as regression
// tests in TestFoundBugs, and the fuzzers' crashers as seeds under
// testdata/fuzz.
//
// README.md says how to run each fuzzer for longer and records the longest
// clean runs.
//
// The generators these tests share with the property tests live in
// internal/fuzzgen: nothing outside the module's tests needs them.
package fuzz
