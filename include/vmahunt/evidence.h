/* SPDX-License-Identifier: MIT */
/*
 * Getting evidence out of a dump: memory regions of processes (vmahunt dump),
 * an ELF core of one process for gdb (vmahunt core), and the files processes
 * map or hold open, recovered from the page cache (vmahunt files).
 *
 * Every file written is hashed (SHA-256) and described by a JSON record: one
 * line on the caller's records stream as it is written, and an entry of the
 * folder's manifest.json. What the dump lacks is never silently zero: each
 * record lists the pages that were absent (written as zeros or as holes).
 * Names taken from the dump (comm, paths) are sanitised before they become
 * file names (vh_evidence_safe_name()); files are created inside the output
 * folder only, and an existing file is kept unless the caller forces.
 */
#ifndef VMAHUNT_EVIDENCE_H
#define VMAHUNT_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <vmahunt/export.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vh_session;

/* An output folder being filled, with its manifest. */
struct vh_evidence_dir;

/* How evidence is written. A zeroed struct: keep existing files, no records, no progress. */
struct vh_evidence_options {
	bool force;	/* overwrite files that exist (else VH_ERR_EXISTS) */
	FILE *records;	/* a JSON line per file written (the CLI: stdout), or NULL */
	FILE *progress; /* one line now and then during long runs (the CLI: stderr), or NULL */
};

/**
 * vh_evidence_dir_open() - open (create if needed) an output folder.
 * @path: the folder; created (with its parents) when missing, mode 0700.
 * @command: what fills it ("dump", "files"), recorded in the manifest.
 * @source: the dump's path, recorded in the manifest.
 * @opts: options, or NULL for the defaults; copied.
 * @out: receives the folder; finish it with vh_evidence_dir_close().
 *
 * Return: VH_OK; VH_ERR_EXISTS when the folder already has a manifest.json
 * and @opts does not force; VH_ERR_IO (vh_errmsg() names the path).
 */
VH_EXPORT int vh_evidence_dir_open(const char *path, const char *command, const char *source,
				   const struct vh_evidence_options *opts,
				   struct vh_evidence_dir **out);

/**
 * vh_evidence_dir_close() - write manifest.json and free the folder.
 * @d: the folder, or NULL.
 * @complete: false when the run stopped early; the manifest says so.
 *
 * The manifest is one JSON object: schema, vmahunt version, command, source,
 * complete, "entries" (every record, in the order written) and "summary".
 *
 * Return: VH_OK, or VH_ERR_IO when the manifest could not be written.
 */
VH_EXPORT int vh_evidence_dir_close(struct vh_evidence_dir *d, bool complete);

/**
 * vh_evidence_safe_name() - a string from a dump made safe as one file name.
 * @in: the string (comm, a path, a memfd name); NULL is taken as "".
 * @out: receives the name, NUL-terminated.
 * @size: bytes at @out (at least 2).
 *
 * Keeps ASCII letters, digits, '.', '_', '+' and '-'; every other byte (a
 * slash, a control character, a space, non-ASCII) becomes '_'. A leading '.'
 * becomes '_' (no "..", no hidden files); an empty result is "_". Truncates
 * to @size - 1 bytes.
 *
 * Return: the length of @out.
 */
VH_EXPORT size_t vh_evidence_safe_name(const char *in, char *out, size_t size);

/* What vh_evidence_regions() writes. */
enum vh_region_select {
	VH_REGIONS_ALL = 0, /* every VMA of the selected processes */
	VH_REGIONS_RANGE,   /* the VMAs (or parts) overlapping [start, end) */
	VH_REGIONS_VMA,	    /* the one VMA holding address start */
};

struct vh_region_request {
	bool by_pid; /* only the process of task pid (else every user process) */
	int32_t pid;
	int select; /* enum vh_region_select */
	uint64_t start;
	uint64_t end;
	bool no_hidden; /* skip pages mapped outside every VMA (hidden pages) */
};

/**
 * vh_evidence_regions() - write processes' memory, one file per VMA.
 * @s: a session loaded with VH_LOAD_VMAS (a kernel dump or a process core).
 * @req: what to write.
 * @d: the output folder.
 *
 * Files are PID-COMM/START-END-PERMS[-NAME].bin; pages mapped by the page
 * tables outside every VMA are their own regions (kind "hidden"). A page the
 * dump lacks or the page tables do not map is written as zeros and listed
 * in its record ("absent": runs of addresses with the reason).
 *
 * Return: VH_OK; VH_ERR_INVAL (no such process, a range no VMA overlaps);
 * VH_ERR_EXISTS, VH_ERR_IO when writing failed (vh_errmsg() says which).
 */
VH_EXPORT int vh_evidence_regions(struct vh_session *s, const struct vh_region_request *req,
				  struct vh_evidence_dir *d);

/* What vh_evidence_core() writes. */
struct vh_core_request {
	int32_t pid;	  /* the process (any of its thread ids) */
	const char *path; /* the core file */
	bool force;	  /* overwrite @path when it exists */
	FILE *records;	  /* a JSON line describing the core, or NULL */
};

/**
 * vh_evidence_core() - write an ELF core of one process, for gdb and eu-stack.
 * @s: a session loaded with VH_LOAD_VMAS.
 * @req: the process and the file.
 *
 * One PT_LOAD per VMA (pages the dump lacks are left out of the file, as a
 * core leaves out pages never touched), NT_PRSTATUS per thread from the user
 * registers the kernel saved, NT_PRPSINFO, NT_AUXV, NT_FILE and, when known,
 * NT_SIGINFO.
 *
 * Return: VH_OK; VH_ERR_INVAL (no such process, a kernel thread);
 * VH_ERR_EXISTS; VH_ERR_IO.
 */
VH_EXPORT int vh_evidence_core(struct vh_session *s, const struct vh_core_request *req);

/* What vh_evidence_files() writes. */
struct vh_files_request {
	bool by_pid; /* only the process of task pid (else every user process) */
	int32_t pid;
	bool no_anon_elf; /* skip ELF images found in anonymous memory */
};

/**
 * vh_evidence_files() - recover the files processes map or hold open.
 * @s: a session loaded with VH_LOAD_VMAS.
 * @req: what to recover.
 * @d: the output folder.
 *
 * A kernel dump: each file is read from its inode's page cache, so deleted
 * files and memfds come back too; a page not cached or not in the dump is
 * zero and listed. ELF images found in anonymous memory are rebuilt as files
 * from their program headers. A process core: the mapped parts of the files
 * its NT_FILE note names.
 *
 * Return: VH_OK, or as vh_evidence_regions().
 */
VH_EXPORT int vh_evidence_files(struct vh_session *s, const struct vh_files_request *req,
				struct vh_evidence_dir *d);

#ifdef __cplusplus
}
#endif
#endif
