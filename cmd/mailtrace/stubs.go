package main

import "io"

func runTrace(args []string, stdout, stderr io.Writer) error {
	return usagef("trace: not built yet")
}

func runStats(args []string, stdout, stderr io.Writer) error {
	return usagef("stats: not built yet")
}

func runSubmitters(args []string, stdout, stderr io.Writer) error {
	return usagef("submitters: not built yet")
}
