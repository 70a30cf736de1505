/* SPDX-License-Identifier: MIT */
/*
 * Process core files: what the kernel writes when a process crashes
 * (core_pattern), what gdb's gcore writes, and systemd-coredump's
 * zstd-compressed copies of either (core.*.zst).
 *
 * vh_dump_open() recognises them (format VH_FMT_CORE). For a core the dump's
 * address space is the process's virtual address space: vh_dump_ranges() are
 * its PT_LOAD segments and vh_dump_read_phys() reads the process's memory at
 * a virtual address; vh_dump_cpu() lists its threads (one NT_PRSTATUS each,
 * pid = thread id). A page the dumper left out (a segment with p_filesz 0,
 * or the tail of one with p_filesz < p_memsz, as for file mappings whose
 * bytes are in the file) reads as VH_ERR_EXCLUDED; so does a page a
 * truncated core lost, which a warning names.
 *
 * The rest of what the core says about the process is here: NT_PRPSINFO,
 * NT_SIGINFO, NT_AUXV, NT_FILE and the segments. vh_core_tasks() and
 * vh_core_vmas() turn it into the task list and the memory map the kernel
 * commands use (see docs/cores.md for how a core's map differs from the
 * live /proc/PID/maps).
 */
#ifndef VMAHUNT_CORE_H
#define VMAHUNT_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmahunt/dump.h>
#include <vmahunt/kernel.h>
#include <vmahunt/vma.h>
#include <vmahunt/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* auxv types the map rebuild uses (include/uapi/linux/auxvec.h). */
#define VH_AT_PHDR	   3
#define VH_AT_ENTRY	   9
#define VH_AT_RANDOM	   25
#define VH_AT_EXECFN	   31
#define VH_AT_SYSINFO_EHDR 33

/* One PT_LOAD: [start, end) of the process; its first @filesz bytes are in the core. */
struct vh_core_load {
	uint64_t start, end; /* p_vaddr, p_vaddr + p_memsz */
	uint64_t file_off;   /* p_offset (in the decompressed stream for a .zst core) */
	uint64_t filesz;     /* bytes actually present (p_filesz, less what truncation lost) */
	uint64_t p_filesz;   /* as the header says */
	uint32_t p_flags;    /* PF_R 4, PF_W 2, PF_X 1 */
};

/* One NT_FILE entry: a file mapping. */
struct vh_core_file {
	uint64_t start, end; /* the mapping */
	uint64_t offset;     /* file offset in bytes (NT_FILE's page count times its page size) */
	const char *path;    /* as the kernel's d_path() printed it, " (deleted)" included */
};

/* One auxv entry (NT_AUXV). */
struct vh_core_auxv {
	uint64_t type, val;
};

/* What a process core says about its process. Owned by the dump. */
struct vh_core_info {
	bool compressed; /* the file is a zstd stream (systemd-coredump) */
	bool have_prpsinfo;
	int32_t pid, ppid, pgrp, sid; /* NT_PRPSINFO */
	uint32_t uid, gid;
	char state;	 /* pr_sname: R S D T Z ... */
	uint64_t flag;	 /* pr_flag: the task's PF_* flags */
	char comm[17];	 /* pr_fname (the kernel's 16-byte comm) */
	char psargs[81]; /* pr_psargs: arguments joined by spaces, cut at 80 bytes */
	bool have_siginfo;
	int32_t si_signo, si_errno, si_code; /* NT_SIGINFO: the signal that dumped the core */
	uint64_t si_addr;		     /* faulting address (SIGSEGV, SIGBUS, ...) */
	const struct vh_core_auxv *auxv;
	size_t nauxv;
	const struct vh_core_file *files; /* in the order of the note (ascending addresses) */
	size_t nfiles;
	const struct vh_core_load *loads; /* sorted by start, disjoint */
	size_t nloads;
};

/**
 * vh_core_info() - what a process core says about its process.
 * @d: an open dump.
 *
 * Return: the information, or NULL when @d is not a process core.
 */
VH_EXPORT const struct vh_core_info *vh_core_info(const struct vh_dump *d);

/**
 * vh_core_auxv_get() - look up an auxv entry.
 * @c: the core's information.
 * @type: AT_* value.
 * @val: receives the value.
 *
 * Return: true when the entry is there.
 */
VH_EXPORT bool vh_core_auxv_get(const struct vh_core_info *c, uint64_t type, uint64_t *val);

/**
 * vh_core_tasks() - the core's process as a task list.
 * @d: a process core.
 * @out: receives the list; free it with vh_task_list_free().
 *
 * One task per thread (NT_PRSTATUS), the leader (pid == the process id of
 * NT_PRPSINFO) first; comm, state, uid, gid and ppid come from NT_PRPSINFO,
 * the command line from pr_psargs split at spaces (cut at 80 bytes, marked
 * cmdline_truncated). Kernel addresses (task_struct, mm) are 0: a core has
 * none. A core without NT_PRPSINFO gets its pid from the first NT_PRSTATUS.
 *
 * Return: VH_OK; VH_ERR_INVAL when @d is not a process core; VH_ERR_NOMEM.
 */
VH_EXPORT int vh_core_tasks(struct vh_dump *d, struct vh_task_list **out);

/* Where a core VMA came from (bits of struct vh_vma.found, next to VH_VMA_IN_*). */
#define VH_VMA_IN_LOAD	  0x10u /* a PT_LOAD segment */
#define VH_VMA_IN_NT_FILE 0x20u /* an NT_FILE entry */
#define VH_VMA_NO_PERMS	  0x40u /* only NT_FILE knows it (gcore left it out): perms unknown */
#define VH_VMA_PERMS_ELF  0x80u /* ...but its ELF image's program headers gave the perms */

/**
 * vh_core_vmas() - the process's memory map, rebuilt as /proc/PID/maps showed it.
 * @d: a process core.
 * @out: receives the list; free it with vh_vma_list_free().
 *
 * One VMA per PT_LOAD (permissions from p_flags; always private, 'p': a core
 * does not say), named from NT_FILE (path, offset) where an entry covers it;
 * NT_FILE entries no PT_LOAD covers (gcore leaves out mappings it does not
 * dump) are VMAs too: when the file's first page is in the core and is an
 * ELF header, the PT_LOAD the loader mapped at that offset gives the
 * permissions (VH_VMA_PERMS_ELF), else they are unknown (VH_VMA_NO_PERMS,
 * perms "---p"). Anonymous ones
 * are named [vdso] (at AT_SYSINFO_EHDR), [vvar] and [vvar_vclock] (read-only
 * anonymous mappings right below [vdso]), [stack] (holding AT_EXECFN or
 * AT_RANDOM, else the leader's rsp), [heap] (anonymous mappings after a gap
 * behind the main executable, within the kernel's brk randomisation, 1 GiB)
 * and [vsyscall]. Device and inode are 0 (a core has neither); vm_flags holds
 * VM_READ/WRITE/EXEC; file is 1 + the NT_FILE index for file mappings, else 0.
 *
 * Return: VH_OK; VH_ERR_INVAL when @d is not a process core; VH_ERR_NOMEM.
 */
VH_EXPORT int vh_core_vmas(struct vh_dump *d, struct vh_vma_list **out);

#ifdef __cplusplus
}
#endif
#endif
