package msgtrk

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"testing"
)

// Rejected designs of the comma splitter, kept as benchmarks so that the
// choice can be re-checked on other machines (see BenchmarkSplit).

// splitIndexByte finds each comma with bytes.IndexByte (SIMD in the
// runtime), after one IndexByte for '"' and one for NUL on the whole line.
func splitIndexByte(line []byte, ends *[maxSpans + 8]int32) (int, bool) {
	special := bytes.IndexByte(line, '"') >= 0 || bytes.IndexByte(line, 0) >= 0
	j := 0
	start := 0
	for {
		k := bytes.IndexByte(line[start:], ',')
		if k < 0 {
			break
		}
		if j < maxSpans {
			ends[j] = int32(start + k)
		}
		j++
		start += k + 1
	}
	if j < maxSpans {
		ends[j] = int32(len(line))
	}
	return j + 1, special
}

// splitSWARBranchless stores in ends the end of each of line's comma-separated
// fields, ignoring quotes, and returns their number (maxSpans, or more,
// means too many fields). special reports whether the line holds a byte
// that needs a closer look: '"', NUL, or a non-ASCII byte.
//
// It reads the line eight bytes at a time: an exact per-byte mask of the
// commas in a word and a cheap any-byte test for the special bytes. The
// first two commas of a word are stored without branching (most words have
// at most two), which keeps branch mispredictions rare.
func splitSWARBranchless(line []byte, ends *[maxSpans + 8]int32) (count int, special bool) {
	n := len(line)
	j := 0
	var acc uint64
	i := 0
	for ; i+8 <= n; i += 8 {
		commas, sp := swarWord(binary.LittleEndian.Uint64(line[i : i+8]))
		acc |= sp
		if j >= maxSpans {
			continue
		}
		cnt := bits.OnesCount64(commas)
		ends[j] = int32(i + bits.TrailingZeros64(commas)>>3)
		m := commas & (commas - 1)
		ends[j+1] = int32(i + bits.TrailingZeros64(m)>>3)
		if cnt > 2 {
			m &= m - 1
			for k := j + 2; m != 0 && k < maxSpans+8; k++ {
				ends[k] = int32(i + bits.TrailingZeros64(m)>>3)
				m &= m - 1
			}
		}
		j += cnt
	}
	return splitTail(line, i, j, ends, acc&hi8 != 0)
}

// splitBlocks gathers the comma bits of 64-byte blocks into one bitmap per
// block, then walks the bitmap: one loop exit per block instead of one per
// word.
func splitBlocks(line []byte, ends *[maxSpans + 8]int32) (int, bool) {
	n := len(line)
	j := 0
	var acc uint64
	i := 0
	for ; i+64 <= n; i += 64 {
		var bm uint64
		for k := 0; k < 8; k++ {
			commas, sp := swarWord(binary.LittleEndian.Uint64(line[i+8*k : i+8*k+8]))
			acc |= sp
			bm |= (((commas >> 7) * 0x0102040810204080) >> 56) << (8 * k)
		}
		for bm != 0 && j < maxSpans {
			ends[j] = int32(i + bits.TrailingZeros64(bm))
			j++
			bm &= bm - 1
		}
	}
	return splitSWARFrom(line, i, j, ends, acc)
}

// splitTable walks the line byte by byte with a class table.
func splitTable(line []byte, ends *[maxSpans + 8]int32) (int, bool) {
	j := 0
	special := false
	for i, c := range line {
		switch byteClass[c] {
		case 1:
			if j < maxSpans {
				ends[j] = int32(i)
			}
			j++
		case 2:
			special = true
		}
	}
	if j < maxSpans {
		ends[j] = int32(len(line))
	}
	return j + 1, special
}

var byteClass = func() (t [256]uint8) {
	t[','] = 1
	t['"'], t[0] = 2, 2
	for c := 0x80; c < 0x100; c++ {
		t[c] = 2
	}
	return t
}()

func BenchmarkSplit(b *testing.B) {
	// A realistic 2016 row (from the real corpus, 700 bytes).
	line := []byte(`2024-01-07T00:00:07.463Z,192.168.0.1,exchange,192.168.0.2,exchange.example.com,;250 2.0.0 OK20240107001234.567E6224C8@monitor.example.com[Hostname=exchange.example.com];ClientSubmitTime:,Intra-Organization SMTP Send Connector,SMTP,SEND,29519319995411,<20240107001234.567E6224C8@monitor.example.com>,0b7099ea-cb95-1234-328e-08dc5f139ac8,uwe.musterman@example.com,250 2.1.5 Recipient OK,38663,1,,,ein Titel,support@example.com,support@example.com,2024-01-07T00:00:05.535Z;LSRV=exchange.example.com:TOTAL-HUB=1.921|SMR=0.127(SMRDE=0.002|SMRC=0.125)|CAT=1.698|QDM=0.010|SMS=0.076,Originating,,,,S:E2ELatency=1.928;S:MsgRecipCount=1;S:IncludeInSla=True;S:DeliveryPriority=Normal;S:AccountForest=example.com,Email,a7ae9ef9-e10c-4111-19bf-08dc0f111bee,15.01.2507.035`)
	var ends [maxSpans + 8]int32
	// Many different rows, so that branch predictors cannot learn one.
	data := genLog(4096, 7)
	var lines [][]byte
	for _, l := range bytes.Split(data, []byte("\r\n")) {
		if len(l) > 0 && l[0] != '#' && l[0] != 0xEF {
			lines = append(lines, l)
		}
	}
	total := 0
	for _, l := range lines {
		total += len(l)
	}
	for _, impl := range []struct {
		name string
		fn   func([]byte, *[maxSpans + 8]int32) (int, bool)
	}{
		{"splitPlain", splitPlain},
		{"swar-loop", splitSWAR},
		{"swar-blocks", splitBlocks},
		{"swar-branchless", splitSWARBranchless},
		{"indexbyte", splitIndexByte},
		{"table", splitTable},
	} {
		b.Run("one-row/"+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(line)))
			for b.Loop() {
				n, _ := impl.fn(line, &ends)
				if n != 30 {
					b.Fatalf("%d fields", n)
				}
			}
		})
		b.Run("many-rows/"+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(total))
			for b.Loop() {
				for _, l := range lines {
					if n, _ := impl.fn(l, &ends); n < 30 {
						b.Fatalf("%d fields", n)
					}
				}
			}
		})
	}
}

// BenchmarkSplitQuoted splits lines that hold quoted fields (a fifth of
// the rows of a simulated organisation quote their source-context: a
// SEND's or HAREDIRECT's reply holds commas) both ways the Reader could:
// splitPlain and then splitQuoted over the whole line again (careful), or
// splitPlain and then splitReusing, which reuses its commas (reusing, what
// splitCareful does first).
func BenchmarkSplitQuoted(b *testing.B) {
	data := genLog(4096, 7)
	var lines [][]byte
	for _, l := range bytes.Split(data, []byte("\r\n")) {
		if len(l) == 0 || l[0] == '#' || l[0] == 0xEF {
			continue
		}
		// Quote the source-context (the sixth field) with a comma and a
		// doubled quote in it, as Exchange writes a reply.
		f := bytes.Split(l, []byte(","))
		f[5] = append(append([]byte(`"`), f[5]...), `, ""queued"" [InternalId=1, Hostname=ex02]"`...)
		lines = append(lines, bytes.Join(f, []byte(",")))
	}
	total := 0
	for _, l := range lines {
		total += len(l)
	}
	var ends [maxSpans + 8]int32
	var flags [maxSpans]uint8
	for _, impl := range []struct {
		name string
		fn   func(line []byte) int
	}{
		{"careful", func(line []byte) int {
			splitPlain(line, &ends)
			n, _, _ := splitQuoted(line, &ends, &flags)
			return n
		}},
		{"reusing", func(line []byte) int {
			nc, _ := splitPlain(line, &ends)
			n, _, _ := splitCareful(line, nc, &ends, &flags)
			return n
		}},
	} {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(total))
			for b.Loop() {
				for _, l := range lines {
					if n := impl.fn(l); n < 30 {
						b.Fatalf("%d fields in %q", n, l)
					}
				}
			}
		})
	}
}
