/* SPDX-License-Identifier: MIT */
/*
 * Sessions: one handle on one dump, what scripts, plugins and the CLI hold.
 *
 * A session opens a kernel crash dump or a process core through one call and
 * gives the same things for both: the dump's facts, its tasks, each process's
 * VMAs, the warnings about damage worked around, reads of physical, kernel
 * virtual or a process's virtual memory, and detector runs whose results the
 * library keeps. The two kinds of input are two backends behind the handle:
 * a kernel dump is read through its kernel (located, profiled, walked), a
 * process core through its notes and segments.
 *
 * Lifetimes: everything a session returns (task list, profile, kernel map,
 * warning strings) belongs to it and stays valid until vh_session_close(),
 * except what is said to be the caller's (VMA lists: vh_session_vmas_put();
 * results: vh_results_free()). A session is not thread-safe: use one per
 * thread.
 *
 * Typical use:
 *
 *	struct vh_session *s;
 *	if (vh_session_open(path, NULL, &s) == VH_OK &&
 *	    vh_session_load(s, VH_LOAD_TASKS | VH_LOAD_VMAS) == VH_OK) {
 *		const struct vh_task_list *tl = vh_session_tasks(s);
 *		...
 *	}
 *	vh_session_close(s);
 */
#ifndef VMAHUNT_SESSION_H
#define VMAHUNT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmahunt/arch.h>
#include <vmahunt/detect.h>
#include <vmahunt/dump.h>
#include <vmahunt/kernel.h>
#include <vmahunt/symbols.h>
#include <vmahunt/vma.h>

#include <vmahunt/export.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vh_session;

/* How a session opens its dump and where it takes the kernel's symbols from. */
struct vh_session_options {
	const char *vmlinux;	     /* the kernel's vmlinux with DWARF; NULL: look by release */
	int symbols;		     /* enum vh_symbols_mode (VH_SYMBOLS_AUTO when zeroed) */
	struct vh_dump_options dump; /* raw images, cache size */
};

/**
 * vh_session_open() - open a kernel dump or a process core.
 * @path: the file.
 * @opts: options, or NULL for the defaults (a zeroed struct is the defaults);
 *        copied: the caller's strings need not outlive the call.
 * @out: receives the session; close it with vh_session_close().
 *
 * Only the file is opened and its format read; the kernel is located and
 * walked by vh_session_load() (or, for its facts, vh_session_facts()).
 *
 * Return: VH_OK, or the error of vh_dump_open() (vh_errmsg() says what).
 */
VH_EXPORT int vh_session_open(const char *path, const struct vh_session_options *opts,
			      struct vh_session **out);

/**
 * vh_session_open_parts() - vh_session_open() over several files: the parts
 * of a split kdump, in any order (see vh_dump_open_parts()), or one dump.
 * @paths: the files.
 * @n: how many; at least 1.
 * @opts: as for vh_session_open().
 * @out: receives the session.
 *
 * Return: VH_OK, or the error of vh_dump_open_parts().
 */
VH_EXPORT int vh_session_open_parts(const char *const *paths, size_t n,
				    const struct vh_session_options *opts, struct vh_session **out);

/**
 * vh_session_close() - free a session and everything it owns.
 * @s: the session, or NULL.
 */
VH_EXPORT void vh_session_close(struct vh_session *s);

/**
 * vh_session_dump() - the session's dump (the physical memory source).
 * @s: the session.
 *
 * Return: the dump, owned by the session.
 */
VH_EXPORT struct vh_dump *vh_session_dump(const struct vh_session *s);

/**
 * vh_session_is_core() - whether the session reads a process core.
 * @s: the session.
 *
 * Return: true for a process core (no kernel: one process, its map from the
 * core), false for a kernel dump.
 */
VH_EXPORT bool vh_session_is_core(const struct vh_session *s);

/* What vh_session_load() loads (bits). */
#define VH_LOAD_TASKS	0x1u /* the task list */
#define VH_LOAD_CMDLINE 0x2u /* with each process's command line (implies TASKS) */
#define VH_LOAD_VMAS	0x4u /* what vh_session_vmas() needs (implies TASKS) */

/**
 * vh_session_load() - locate the kernel and walk what @what asks for.
 * @s: the session.
 * @what: VH_LOAD_* bits.
 *
 * A kernel dump: the kernel is located (vh_kernel_map_find()), its profile
 * loaded as the options say (vh_profile_open_kernel()), the vmlinux checked
 * against the dump's banner, the tasks walked (vh_tasks_read()) and the VMA
 * reader opened. A process core: its one process and, with VH_LOAD_VMAS, its
 * map are read from the core. Call it once per session.
 *
 * Return: VH_OK, or the first error (vh_errmsg() says what); nothing is
 * then loaded, but the session stays usable for vh_session_facts().
 */
VH_EXPORT int vh_session_load(struct vh_session *s, unsigned what);

/**
 * vh_session_tasks() - every task of the dump.
 * @s: the session.
 *
 * Return: the task list (threads, kernel threads and tasks found only in the
 * pid table included; one task for a process core), or NULL before a
 * successful vh_session_load().
 */
VH_EXPORT const struct vh_task_list *vh_session_tasks(const struct vh_session *s);

/**
 * vh_session_kernel_map() - where the dump's kernel is.
 * @s: the session.
 *
 * Return: the kernel map, or NULL for a process core and when the kernel was
 * not located (or not looked for yet).
 */
VH_EXPORT const struct vh_kernel_map *vh_session_kernel_map(const struct vh_session *s);

/**
 * vh_session_profile() - the kernel's symbols and struct layouts.
 * @s: the session.
 *
 * Return: the profile, or NULL for a process core and when none could be
 * loaded (or none was asked for yet).
 */
VH_EXPORT const struct vh_profile *vh_session_profile(const struct vh_session *s);

/**
 * vh_session_find_task() - the task with pid (thread id) @pid.
 * @s: a loaded session.
 * @pid: the pid.
 *
 * Return: the task, or NULL when the dump has none with that pid.
 */
VH_EXPORT const struct vh_task *vh_session_find_task(const struct vh_session *s, int32_t pid);

/**
 * vh_session_vmas() - one process's VMAs.
 * @s: a session loaded with VH_LOAD_VMAS.
 * @t: a task of vh_session_tasks() with a user mm (t->mm), or a core's task.
 * @out: receives the list; give it back with vh_session_vmas_put().
 *
 * Damage inside the map is in (*out)->warnings; the list may be partial.
 *
 * Return: VH_OK; VH_ERR_INVAL without VH_LOAD_VMAS or without an mm; the read
 * error when the mm cannot be read at all; VH_ERR_NOMEM.
 */
VH_EXPORT int vh_session_vmas(struct vh_session *s, const struct vh_task *t,
			      const struct vh_vma_list **out);

/**
 * vh_session_vmas_put() - give back a list of vh_session_vmas().
 * @s: the session.
 * @l: the list, or NULL.
 */
VH_EXPORT void vh_session_vmas_put(struct vh_session *s, const struct vh_vma_list *l);

/**
 * vh_session_warnings() - what opening and loading worked around.
 * @s: the session.
 * @fn: called with each warning (one line, no newline), in order: the dump's,
 *      the profile's, the task walk's.
 * @arg: passed to @fn.
 */
VH_EXPORT void vh_session_warnings(const struct vh_session *s,
				   void (*fn)(const char *msg, void *arg), void *arg);

/* Address spaces of vh_session_read(). */
enum vh_space {
	VH_SPACE_PHYS,	 /* physical memory (kernel dumps) */
	VH_SPACE_KERNEL, /* kernel virtual memory, through the kernel's page tables */
	VH_SPACE_USER,	 /* a process's virtual memory, through its page tables */
};

/**
 * vh_session_read() - read memory of one address space.
 * @s: the session (loaded with VH_LOAD_TASKS for VH_SPACE_USER).
 * @space: which address space.
 * @t: for VH_SPACE_USER the process (any of its tasks); else NULL.
 * @addr: first address.
 * @buf: receives @len bytes.
 * @len: bytes to read.
 *
 * Translations are cached per session. A process core has only its
 * process's memory: VH_SPACE_USER reads its segments, the other spaces are
 * VH_ERR_UNSUPPORTED.
 *
 * Return: VH_OK, VH_ERR_NOT_MAPPED (no present page-table entry),
 * VH_ERR_EXCLUDED or VH_ERR_NOT_PRESENT (a page the dump lacks), VH_ERR_INVAL
 * (no kernel located, no such task or mm), or another read error.
 */
VH_EXPORT int vh_session_read(struct vh_session *s, enum vh_space space, const struct vh_task *t,
			      uint64_t addr, void *buf, size_t len);

/**
 * vh_session_pages() - the runs of present pages of a process's memory.
 * @s: the session (loaded with VH_LOAD_TASKS).
 * @t: the process (any of its tasks).
 * @start: first address (rounded down to a page).
 * @end: end of the range (exclusive); 0 or beyond the user half: the end of
 *       the user half.
 * @fn: called for each run of present pages, in address order, with the
 *      run's first address and length; a non-zero return stops the walk
 *      and is returned.
 * @arg: passed to @fn.
 *
 * A kernel dump walks the process's page tables (present entries, whether
 * the dump holds the page or not; tables the dump lacks are skipped); a
 * process core gives the parts of its segments the core holds.
 *
 * Return: VH_OK, @fn's non-zero value, VH_ERR_INVAL (no mm, no kernel
 * located), or the error reading the mm.
 */
VH_EXPORT int vh_session_pages(struct vh_session *s, const struct vh_task *t, uint64_t start,
			       uint64_t end, int (*fn)(void *arg, uint64_t start, uint64_t len),
			       void *arg);

/* What the session knows about the dump beyond the dump's own accessors. */
struct vh_dump_facts {
	const char *osrelease; /* VMCOREINFO's OSRELEASE, NULL when none */
	bool have_kaslr;       /* kaslr_offset is known */
	uint64_t kaslr_offset; /* the kernel's relocation */
	bool have_phys_base;   /* phys_base is known */
	uint64_t
	    phys_base; /* physical address the kernel image was loaded at, less its link address */
	int paging_levels;		  /* 4 or 5; 0 when unknown */
	const char *paging_source;	  /* "VMCOREINFO", "CR4", or how the kernel map found it */
	uint64_t ram_bytes;		  /* bytes of physical memory the dump covers */
	bool is_core;			  /* a process core: no kernel */
	const struct vh_kernel_map *kmap; /* NULL when not located (kmap_error says why) */
	const char *kmap_error;		  /* "" when located or a core */
	const struct vh_profile *prof;	  /* NULL when none (prof_error says why) */
	const char *prof_error;		  /* "" when loaded */
};

/**
 * vh_session_facts() - the dump's facts, as `vmahunt info` shows them.
 * @s: the session.
 * @out: receives the facts; its pointers belong to the session.
 *
 * Locates the kernel and loads its profile when not done yet; a failure is
 * not an error here, it is said in kmap_error / prof_error. Paging levels,
 * KASLR offset and phys_base come from VMCOREINFO or the CPU state, and the
 * kernel map confirms (or, without VMCOREINFO, supplies) them.
 */
VH_EXPORT void vh_session_facts(struct vh_session *s, struct vh_dump_facts *out);

/* A detector run's findings and warnings, owned by the library. */
struct vh_results;

/* What vh_session_scan() runs. A zeroed struct: every built-in detector, every process. */
struct vh_scan_options {
	const struct vh_detector *const *detectors; /* NULL: all built-in ones */
	size_t ndetectors;
	bool by_pid; /* only the process of task @pid (a thread id names its process) */
	int32_t pid;
};

/**
 * vh_session_scan() - run detectors over the session's processes.
 * @s: a session loaded with VH_LOAD_VMAS.
 * @opts: what to run, or NULL for everything.
 * @out: receives the results; free them with vh_results_free().
 *
 * Findings are kept with their strings copied and sorted as `vmahunt scan`
 * prints them: processes with the most severe finding first, then by pid,
 * severity (most severe first) and address. Warnings are kept in the order
 * they arose; when the dump holds no user pages (or a core skips detectors
 * that need a kernel) one warning names the detectors skipped.
 *
 * Return: VH_OK; VH_ERR_INVAL when opts->pid (with by_pid) names no task of the dump or the
 * session is not loaded; VH_ERR_NOMEM or the engine's first fatal error.
 */
VH_EXPORT int vh_session_scan(struct vh_session *s, const struct vh_scan_options *opts,
			      struct vh_results **out);

/**
 * vh_results_nfindings() - how many findings a run kept.
 * @r: the results.
 *
 * Return: the count.
 */
VH_EXPORT size_t vh_results_nfindings(const struct vh_results *r);

/**
 * vh_results_finding() - the @i-th finding, in the sorted order.
 * @r: the results.
 * @i: index below vh_results_nfindings().
 *
 * Return: the finding (its strings belong to @r), or NULL when @i is out of range.
 */
VH_EXPORT const struct vh_finding *vh_results_finding(const struct vh_results *r, size_t i);

/**
 * vh_results_nwarnings() - how many warnings the run gave.
 * @r: the results.
 *
 * Return: the count.
 */
VH_EXPORT size_t vh_results_nwarnings(const struct vh_results *r);

/**
 * vh_results_warning() - the @i-th warning of the run.
 * @r: the results.
 * @i: index below vh_results_nwarnings().
 *
 * Return: the message (one line), or NULL when @i is out of range.
 */
VH_EXPORT const char *vh_results_warning(const struct vh_results *r, size_t i);

/**
 * vh_results_user_pages() - whether the run saw user-process memory.
 * @r: the results.
 *
 * Return: false when the dump holds no user pages (content detectors skipped).
 */
VH_EXPORT bool vh_results_user_pages(const struct vh_results *r);

/**
 * vh_results_at_least() - whether any finding is at least as severe as @sev.
 * @r: the results.
 * @sev: the threshold (what `--fail-on` names).
 *
 * Return: true when one is.
 */
VH_EXPORT bool vh_results_at_least(const struct vh_results *r, enum vh_severity sev);

/**
 * vh_results_free() - free results.
 * @r: the results, or NULL.
 */
VH_EXPORT void vh_results_free(struct vh_results *r);

#ifdef __cplusplus
}
#endif
#endif
