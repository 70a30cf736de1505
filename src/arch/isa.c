/* SPDX-License-Identifier: MIT */
/* NOP sleds and raw system-call stubs of x86-64 and arm64 code; capstone's modes. */
#include "arch/isa.h"

#include <capstone/capstone.h>
#include <string.h>

#include <vmahunt/arch.h>

/* x86-64: 32 one-byte NOPs in a row (compilers pad with multi-byte NOPs instead). */
#define X86_SLED_MIN 32
/*
 * arm64: 16 NOP instructions (64 bytes) in a row. Compilers pad with NOPs
 * here (function and loop alignment, patchable entries), at most 15 of them
 * for the 64-byte alignment the largest common setting asks.
 */
#define ARM64_SLED_MIN 16
#define ARM64_NOP      0xd503201fu
#define ARM64_SVC0     0xd4000001u
/* movz w8/x8, #imm16 (any shift 0): the system-call number into x8 */
#define ARM64_MOVZ_X8_MASK 0x7fe0001fu
#define ARM64_MOVZ_X8	   0x52800008u
/* instructions allowed between the number and svc (the arguments' moves) */
#define ARM64_STUB_GAP 4

static long x86_sled(const unsigned char *b, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		run = b[i] == 0x90 ? run + 1 : 0;
		if (run == X86_SLED_MIN)
			return (long)(i + 1 - X86_SLED_MIN);
	}
	return -1;
}

static long x86_stub(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i + 7 <= n; i++)
		if (b[i] == 0xb8 && b[i + 5] == 0x0f && b[i + 6] == 0x05)
			return (long)i;
	return -1;
}

static unsigned le32(const unsigned char *b)
{
	return (unsigned)b[0] | (unsigned)b[1] << 8 | (unsigned)b[2] << 16 | (unsigned)b[3] << 24;
}

/* Instructions are 4-byte aligned: sleds and stubs are looked for at those offsets only. */
static long arm64_sled(const unsigned char *b, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i + 4 <= n; i += 4) {
		run = le32(b + i) == ARM64_NOP ? run + 1 : 0;
		if (run == ARM64_SLED_MIN)
			return (long)(i + 4 - 4 * ARM64_SLED_MIN);
	}
	return -1;
}

static long arm64_stub(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i + 8 <= n; i += 4) {
		if ((le32(b + i) & ARM64_MOVZ_X8_MASK) != ARM64_MOVZ_X8)
			continue;
		for (size_t j = i + 4; j + 4 <= n && j <= i + 4 * (ARM64_STUB_GAP + 1); j += 4)
			if (le32(b + j) == ARM64_SVC0)
				return (long)i;
	}
	return -1;
}

static const struct vh_isa isas[] = {
    {VH_ARCH_X86_64, "x86_64", CS_ARCH_X86, CS_MODE_64, "32 NOPs (0x90) in a row",
     "mov eax, N; syscall", x86_sled, x86_stub},
    {VH_ARCH_ARM64, "aarch64", CS_ARCH_ARM64, CS_MODE_LITTLE_ENDIAN, "16 NOP instructions in a row",
     "mov x8, #N; svc #0", arm64_sled, arm64_stub},
};

const struct vh_isa *vh_isa(int arch)
{
	return arch == VH_ARCH_ARM64 ? &isas[1] : &isas[0];
}

int vh_arch_id(const char *name)
{
	if (name && !strcmp(name, "x86_64"))
		return VH_ARCH_X86_64;
	if (name && !strcmp(name, "aarch64"))
		return VH_ARCH_ARM64;
	return VH_ARCH_UNKNOWN;
}
