package fuzzgen_test

import (
	"bytes"
	"fmt"
	"math/rand"

	"github.com/mailtrace/mailtrace/internal/fuzzgen"
	"github.com/mailtrace/mailtrace/msgtrk"
)

// A generated log knows what a Reader must make of it: read it back and
// compare.
func ExampleGenLog() {
	l := fuzzgen.GenLog(rand.New(rand.NewSource(1)), fuzzgen.LogOptions{Lines: 50})
	r := msgtrk.NewReaderBytes(l.AppendTo(nil))
	r.MaxLineBytes = l.MaxLineBytes
	rows := 0
	r.ErrorHandler = func(*msgtrk.ParseError) {}
	for r.Next() {
		rows++
	}
	fmt.Println(rows == len(l.Rows()), r.Stats() == l.Want())
	// Output: true true
}

// Bytes turns a fuzzer's input into the choices of a generator; when the
// input runs out every choice is 0.
func ExampleBytes() {
	b := fuzzgen.NewBytes([]byte{7, 200, 1, 2})
	fmt.Println(b.Intn(10), b.Intn(10), b.Intn(1000), b.Intn(10), b.Left())
	// Output: 7 0 258 0 0
}

// RecipientList builds long recipient lists with the edge cases of
// apostrophe quoting.
func ExampleRecipientList() {
	field, members := fuzzgen.RecipientList(14)
	fmt.Println(members[6], members[10], members[12])
	fmt.Println(string(field[bytes.Index(field, []byte("'semi")):]))
	// Output:
	// o'brien6@contoso.com semi;colon10@contoso.com 'quoted12@contoso.com
	// 'semi;colon10@contoso.com';user11@contoso.com;'''quoted12@contoso.com';'o''brien13@contoso.com'
}
