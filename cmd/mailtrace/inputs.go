package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/mailtrace/mailtrace/export"
	"github.com/mailtrace/mailtrace/filekind"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// inputState is what telling the inputs by content left for the rest of
// the run: the hook through which export conversion errors reach the
// warnings, and their count.
type inputState struct {
	exportErrors int64 // records of exports that could not be converted
	onError      func(*msgtrk.ParseError)
}

// tellInputs turns the inputs msgtrk.OpenPaths found into the inputs to
// read, by content (export.Prepare): tracking logs in any encoding and
// exports (converted). A file named on the command line that is neither is
// refused: its reason is printed and the run ends with exit status 1
// before anything is read. Under a directory, a file with a tracking log's
// name that is not one is skipped with its reason (a warning); files of
// other names are looked at too: exports among them are read, the rest
// ignored (counted in one note).
func (c *common) tellInputs(paths []string, inputs []msgtrk.Input) ([]msgtrk.Input, error) {
	stderr := c.fs.Output()
	named := map[string]bool{}
	optional := map[string]bool{}
	for _, p := range paths {
		named[p] = true
		if p == "-" {
			continue
		}
		if st, err := os.Stat(p); err != nil || !st.IsDir() {
			continue
		}
		more, err := otherFiles(p)
		if err != nil {
			return nil, err
		}
		for _, in := range more {
			optional[in.Name] = true
		}
		inputs = append(inputs, more...)
	}
	opts := export.Options{
		Strict: c.strict,
		Notice: func(file, msg string) {
			if !c.quiet {
				fmt.Fprintf(stderr, "mailtrace: note: %s: %s\n", file, msg)
			}
		},
		Error: func(e *msgtrk.ParseError) {
			c.inputs.exportErrors++
			if c.inputs.onError != nil {
				c.inputs.onError(e)
			}
		},
	}
	c.fs.Visit(func(f *flag.Flag) {
		if f.Name == "tz" {
			opts.Zone = c.loc
		}
	})
	var out []msgtrk.Input
	var ignored, refused int
	var firstIgnored error
	for _, in := range inputs {
		prepared, res, err := export.Prepare(in, opts)
		var no *export.RefusedError
		switch {
		case errors.As(err, &no):
			switch {
			case named[in.Name]:
				refused++
				fmt.Fprintf(stderr, "mailtrace: %v\n", err)
			case optional[in.Name]:
				if worthNoting(res) {
					if ignored++; firstIgnored == nil {
						firstIgnored = err
					}
				}
			case !c.quiet:
				fmt.Fprintf(stderr, "mailtrace: warning: skipped %v\n", err)
			}
			continue
		case err != nil:
			if optional[in.Name] {
				continue
			}
			// Unreadable: the merge reports it when it fails again.
			out = append(out, in)
			continue
		}
		if optional[in.Name] && res.Kind == filekind.Empty {
			continue
		}
		out = append(out, prepared)
	}
	if ignored > 0 && !c.quiet {
		fmt.Fprintf(stderr, "mailtrace: note: %d file(s) ignored that look like logs or exports but are neither tracking logs nor exports read by mailtrace (%v)\n", ignored, firstIgnored)
	}
	if refused > 0 {
		return nil, fmt.Errorf("%d input(s) refused: not message tracking data (see above)", refused)
	}
	msgtrk.SortInputs(out)
	return out, nil
}

// otherFiles lists the files under dir whose names are not those of
// tracking logs (msgtrk.FindFiles finds those), as inputs whose content
// will tell what they are.
func otherFiles(dir string) ([]msgtrk.Input, error) {
	var found []msgtrk.Input
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		if _, ok := msgtrk.ParseFileName(d.Name()); ok {
			return nil
		}
		in, err := msgtrk.OpenPaths(p)
		if err != nil {
			return err
		}
		found = append(found, in...)
		return nil
	})
	return found, err
}

// rowsError is the error of a run that read no row at all; nil otherwise.
func rowsError(rows int64) error {
	if rows == 0 {
		return errors.New("no message tracking rows were read from the input")
	}
	return nil
}

// worthNoting reports whether an ignored file found under a directory
// looks like something the user may have meant mailtrace to read: another
// log, a CSV, an archive, UTF-16 text. Plain text and binary files
// (READMEs, notes, thumbnails) are ignored without a word.
func worthNoting(res filekind.Result) bool {
	switch res.Kind {
	case filekind.Unknown:
		return res.Encoding == filekind.UTF16LE || res.Encoding == filekind.UTF16BE
	case filekind.Binary, filekind.Empty:
		return false
	}
	return true
}
