//go:build linux

package main

const rusageThread = 1 // RUSAGE_THREAD
