package msgtrk_test

import "unicode"

func unicodeLatinAndCyrillic() *unicode.RangeTable {
	return &unicode.RangeTable{R16: []unicode.Range16{{Lo: 0x20, Hi: 0x7e, Stride: 1}, {Lo: 0xa0, Hi: 0x24f, Stride: 1}, {Lo: 0x400, Hi: 0x4ff, Stride: 1}}}
}
