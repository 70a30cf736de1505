/* SPDX-License-Identifier: MIT */
/*
 * The ELF pieces of a process core (vmahunt core), built in memory without
 * the dump: the ELF header and program headers, and the notes gdb and
 * eu-stack read (NT_PRSTATUS, NT_PRPSINFO, NT_AUXV, NT_FILE), laid out as
 * the Linux kernel's x86-64 core dumps lay them out. core.c fills them from
 * the dump; the unit tests from synthetic values.
 */
#ifndef VH_EVIDENCE_CORE_ELF_H
#define VH_EVIDENCE_CORE_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/uregs.h"

/* A growing byte buffer; after a failed allocation it stays failed (oom). */
struct vh_core_buf {
	unsigned char *p;
	size_t len, cap;
	bool oom;
};

void vh_core_buf_put(struct vh_core_buf *b, const void *data, size_t len);
void vh_core_buf_free(struct vh_core_buf *b);

/* sizeof(struct elf_prstatus) and sizeof(struct elf_prpsinfo) on x86-64. */
/* sizeof(struct elf_prstatus): x86-64's (27 registers), arm64's (34); the larger */
#define VH_CORE_PRSTATUS_SIZE	    336
#define VH_CORE_PRSTATUS_SIZE_ARM64 392
#define VH_CORE_PRSTATUS_MAX	    VH_CORE_PRSTATUS_SIZE_ARM64
#define VH_CORE_PRPSINFO_SIZE	    136
/* ELF_PRARGSZ: pr_psargs, NUL included */
#define VH_CORE_PSARGS 80

/* One thread, as NT_PRSTATUS carries it. */
struct vh_core_thread {
	int arch; /* enum vh_arch_id: VH_ARCH_ARM64, else x86-64 */
	int32_t pid, ppid, pgrp, sid;
	uint64_t regs[VH_UREGS_MAX]; /* x86-64: pt_regs order; arm64: VH_A64_* (kernel/uregs.h) */
	uint64_t fs_base, gs_base;
	uint64_t sigpend, sighold;
	int cursig;
};

/*
 * Fills one struct elf_prstatus of t->arch and returns its size: x86-64's
 * user_regs_struct is pt_regs + fs_base, gs_base, ds, es, fs, gs; arm64's is
 * user_pt_regs (x0..x30, sp, pc, pstate).
 */
size_t vh_core_prstatus(const struct vh_core_thread *t, unsigned char out[VH_CORE_PRSTATUS_MAX]);

/* The process, as NT_PRPSINFO carries it. */
struct vh_core_psinfo {
	uint32_t state_raw; /* task_struct.__state */
	char sname;	    /* the letter ps shows */
	bool zombie;
	uint64_t flags; /* PF_* */
	uint32_t uid, gid;
	int32_t pid, ppid, pgrp, sid;
	const char *comm;
	const char *args; /* the arguments, NUL-separated */
	size_t args_len;
};

/* Fills one struct elf_prpsinfo; psargs as the kernel makes them (NULs become spaces, cut at 79).
 */
void vh_core_prpsinfo(const struct vh_core_psinfo *ps, unsigned char out[VH_CORE_PRPSINFO_SIZE]);

/* Appends one note named "CORE" (4-byte aligned name and description). */
void vh_core_note(struct vh_core_buf *b, uint32_t type, const void *desc, size_t len);

/* One file mapping of NT_FILE. */
struct vh_core_file_map {
	uint64_t start, end, pgoff; /* pgoff in pages, as vm_pgoff */
	const char *name;
};

/* Appends NT_FILE: count, page size, (start, end, pgoff) per mapping, then the names. */
void vh_core_nt_file(struct vh_core_buf *b, const struct vh_core_file_map *m, size_t n,
		     uint64_t page_size);

/* One PT_LOAD. */
struct vh_core_seg {
	uint64_t vaddr, memsz;
	uint64_t filesz; /* memsz (the bytes follow in the file) or 0 (left out) */
	uint32_t flags;	 /* PF_R | PF_W | PF_X */
};

/*
 * vh_core_headers() - the ELF header and program headers of a core of @arch
 * (enum vh_arch_id: e_machine EM_AARCH64 for VH_ARCH_ARM64, else EM_X86_64).
 * @b: receives them.
 * @arch: the architecture.
 * @segs: the PT_LOADs, in address order.
 * @nsegs: how many.
 * @notes_size: bytes of the notes, which follow the headers.
 * @data_off: receives where the first PT_LOAD's bytes go (page-aligned);
 *            the others follow in order, each p_filesz long.
 * @xnum_off: receives the offset of the section header that holds the
 *            program header count when there are PN_XNUM or more (written by
 *            vh_core_xnum_shdr() at the end of the file), else 0.
 *
 * The program headers are PT_NOTE, then one PT_LOAD per segment: p_offset of a
 * segment with p_filesz 0 is where its bytes would be, as the kernel writes it.
 */
void vh_core_headers(struct vh_core_buf *b, int arch, const struct vh_core_seg *segs, size_t nsegs,
		     uint64_t notes_size, uint64_t *data_off, uint64_t *xnum_off);

/* Appends the one section header that carries e_phnum past PN_XNUM. */
void vh_core_xnum_shdr(struct vh_core_buf *b, size_t nsegs);

#endif
