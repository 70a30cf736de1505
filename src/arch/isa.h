/* SPDX-License-Identifier: MIT */
/*
 * The instruction sets of the architectures vmahunt reads: what the content
 * detectors need to know of machine code (capstone's mode, NOP sleds, raw
 * system-call stubs).
 */
#ifndef VH_ARCH_ISA_H
#define VH_ARCH_ISA_H

#include <stddef.h>

struct vh_isa {
	int arch;	  /* enum vh_arch_id */
	const char *name; /* "x86_64", "aarch64" */
	int cs_arch, cs_mode;
	const char *sled_what; /* "32 NOPs (0x90)" */
	const char *stub_what; /* "mov eax, imm32; syscall" */
	/* The offset of the first NOP sled in @b, or -1. */
	long (*find_sled)(const unsigned char *b, size_t n);
	/* The offset of the first raw system-call stub in @b, or -1. */
	long (*find_syscall_stub)(const unsigned char *b, size_t n);
};

/* The instruction set of @arch (enum vh_arch_id); x86-64's for an unknown one. */
const struct vh_isa *vh_isa(int arch);

/* The enum vh_arch_id of an architecture name as vh_dump_arch() gives it (0: unknown). */
int vh_arch_id(const char *name);

#endif
