package export

import (
	"io"

	"github.com/mailtrace/mailtrace/filekind"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// RefusedError says that an input is not message tracking data.
type RefusedError struct {
	Name   string
	Result filekind.Result
}

// Error returns "NAME: an SMTP Receive protocol log, not a message tracking
// log" and the like.
func (e *RefusedError) Error() string { return e.Name + ": " + e.Result.Reason() }

// Prepare opens in once to tell what it holds (filekind.Sniff) and returns
// the input to read in its place:
//
//   - a message tracking log: in as it is when it is UTF-8, else in read
//     as UTF-8;
//   - an export: its rows as a message tracking log (NewReader with opts),
//     with no Server (the rows tell which server logged them: an export
//     often holds several), and FileName.Kind msgtrk.LogSummary for the
//     kinds that give outcomes, not events (filekind.Kind.Summary);
//   - anything else: a *RefusedError, and in unchanged.
//
// An empty file is accepted (it has no rows). The error is in's own when it
// cannot be opened or read. Standard input (Name "-") is opened once: the
// input returned hands out that stream, once.
func Prepare(in msgtrk.Input, opts Options) (msgtrk.Input, filekind.Result, error) {
	rc, err := in.Open()
	if err != nil {
		return in, filekind.Result{}, err
	}
	res, text, err := filekind.NewReader(rc)
	if err != nil {
		rc.Close()
		return in, res, err
	}
	if !res.Kind.Accepted() && res.Kind != filekind.Empty {
		rc.Close()
		return in, res, &RefusedError{Name: in.Name, Result: res}
	}
	out := in
	if res.Kind != filekind.TrackingLog && res.Kind != filekind.Empty {
		out.Server = ""
		if res.Summary() {
			out.FileName.Kind = msgtrk.LogSummary
		}
	}
	wrap := func(text io.Reader, c io.Closer) io.ReadCloser {
		switch res.Kind {
		case filekind.TrackingLog, filekind.Empty:
		default:
			text = NewReader(in.Name, res, text, opts)
		}
		return struct {
			io.Reader
			io.Closer
		}{text, c}
	}
	if in.Name == "-" {
		first := true
		out.Open = func() (io.ReadCloser, error) {
			if !first {
				return nil, errStdinTwice
			}
			first = false
			return wrap(text, rc), nil
		}
		return out, res, nil
	}
	rc.Close()
	if (res.Kind == filekind.TrackingLog || res.Kind == filekind.Empty) && (res.Encoding == filekind.UTF8 || res.Encoding == filekind.UTF8BOM) {
		// The raw-log path stays as it was: no copy, no conversion.
		return out, res, nil
	}
	out.Open = func() (io.ReadCloser, error) {
		rc, err := in.Open()
		if err != nil {
			return nil, err
		}
		again, text, err := filekind.NewReader(rc)
		if err != nil {
			rc.Close()
			return nil, err
		}
		if again.Kind != res.Kind || again.Encoding != res.Encoding {
			rc.Close()
			return nil, &changedError{name: in.Name}
		}
		return wrap(text, rc), nil
	}
	return out, res, nil
}

var errStdinTwice = &changedError{name: "-", stdin: true}

type changedError struct {
	name  string
	stdin bool
}

func (e *changedError) Error() string {
	if e.stdin {
		return "export: standard input can be read only once"
	}
	return "export: " + e.name + " changed since it was first opened"
}
