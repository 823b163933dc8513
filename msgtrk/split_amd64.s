//go:build amd64 && !purego

#include "textflag.h"

// func scanBlocks(p *byte, nblocks int, masks *uint64) (special int)
//
// For each of nblocks 64-byte blocks at p, stores in masks the bitmap of the
// bytes equal to ',' (bit i for byte i of the block). Returns non-zero when
// any byte of the blocks is '"', NUL, or 0x80 and above. SSE2 only, which
// every amd64 CPU has.
TEXT ·scanBlocks(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), SI
	MOVQ nblocks+8(FP), CX
	MOVQ masks+16(FP), DI
	MOVQ $0x2c2c2c2c2c2c2c2c, AX
	MOVQ AX, X1
	PUNPCKLQDQ X1, X1
	MOVQ $0x2222222222222222, AX
	MOVQ AX, X2
	PUNPCKLQDQ X2, X2
	PXOR X3, X3
	PXOR X4, X4

loop:
	TESTQ CX, CX
	JZ done

	MOVOU 0(SI), X5
	MOVO X5, X6
	PCMPEQB X1, X6
	PMOVMSKB X6, AX
	MOVO X5, X7
	PCMPEQB X2, X7
	POR X7, X4
	MOVO X5, X7
	PCMPEQB X3, X7
	POR X7, X4
	POR X5, X4

	MOVOU 16(SI), X5
	MOVO X5, X6
	PCMPEQB X1, X6
	PMOVMSKB X6, BX
	MOVO X5, X7
	PCMPEQB X2, X7
	POR X7, X4
	MOVO X5, X7
	PCMPEQB X3, X7
	POR X7, X4
	POR X5, X4

	MOVOU 32(SI), X5
	MOVO X5, X6
	PCMPEQB X1, X6
	PMOVMSKB X6, DX
	MOVO X5, X7
	PCMPEQB X2, X7
	POR X7, X4
	MOVO X5, X7
	PCMPEQB X3, X7
	POR X7, X4
	POR X5, X4

	MOVOU 48(SI), X5
	MOVO X5, X6
	PCMPEQB X1, X6
	PMOVMSKB X6, R8
	MOVO X5, X7
	PCMPEQB X2, X7
	POR X7, X4
	MOVO X5, X7
	PCMPEQB X3, X7
	POR X7, X4
	POR X5, X4

	SHLQ $16, BX
	ORQ BX, AX
	SHLQ $32, DX
	ORQ DX, AX
	SHLQ $48, R8
	ORQ R8, AX
	MOVQ AX, 0(DI)

	ADDQ $64, SI
	ADDQ $8, DI
	DECQ CX
	JMP loop

done:
	PMOVMSKB X4, AX
	MOVQ AX, special+24(FP)
	RET
