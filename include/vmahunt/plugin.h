/* SPDX-License-Identifier: MIT */
/*
 * The vmahunt plugin ABI, version 1: detectors in shared objects that
 * `vmahunt scan --plugin NAME` loads.
 *
 * Stability promise (docs/plugins.md): a plugin built against ABI version 1
 * keeps loading and working with every vmahunt whose VH_PLUGIN_ABI_VERSION is
 * 1. Within a version, calls are only added, never changed or removed; the
 * structs a plugin fills or receives begin with their size, so either side
 * can be newer: a host reads only the fields a plugin's struct has, and fills
 * only the fields a plugin's struct has room for. Everything else is opaque
 * and reached through calls. A change that cannot keep these rules raises the
 * version, and the host then refuses the old plugins by name.
 *
 * A plugin is a shared object that exports one symbol, VH_PLUGIN_ENTRY
 * ("vmahunt_plugin"), a function returning its description:
 *
 *	static const struct vh_plugin_detector dets[] = {{
 *		.struct_size = sizeof(struct vh_plugin_detector),
 *		.id = "tiny-rwx", .summary = "...", .vma = my_vma_cb,
 *	}};
 *	static const struct vh_plugin plugin = {
 *		.abi_version = VH_PLUGIN_ABI_VERSION,
 *		.struct_size = sizeof(struct vh_plugin),
 *		.name = "tiny", .version = "1.0", .summary = "...",
 *		.detectors = dets, .ndetectors = 1,
 *	};
 *	VH_PLUGIN_EXPORT const struct vh_plugin *vmahunt_plugin(void) { return &plugin; }
 *
 * Lifecycle of one scan: the host loads every plugin, checks its description,
 * its options and its detector ids, then calls init() once (options readable
 * through the host handle), then for each process: every detector's
 * process(), then vma() for each of its VMAs; then every detector's finish()
 * once, then fini(). Nothing is scanned until every plugin has loaded and
 * initialised. Every callback returns VH_OK or a VH_ERR_* code; an error ends
 * the run (say why with vh_plugin_ctx_warn() or vh_plugin_host_error()).
 *
 * Threading: the host calls a plugin from one thread at a time, the thread
 * that runs the scan. Handles are valid only during the callback that
 * received them; strings the host returns are valid until that callback
 * returns. Strings a plugin passes to the host are copied by the host.
 */
#ifndef VMAHUNT_PLUGIN_H
#define VMAHUNT_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmahunt/error.h>
#include <vmahunt/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. */
#define VH_PLUGIN_ABI_VERSION 1

/* The symbol a plugin exports: const struct vh_plugin *vmahunt_plugin(void). */
#define VH_PLUGIN_ENTRY "vmahunt_plugin"

/* How a plugin marks its entry point visible (plugins may build with -fvisibility=hidden). */
#define VH_PLUGIN_EXPORT __attribute__((visibility("default")))

/* Severities of findings (the same values as enum vh_severity of detect.h). */
#define VH_PLUGIN_SEV_INFO   0
#define VH_PLUGIN_SEV_LOW    1
#define VH_PLUGIN_SEV_MEDIUM 2
#define VH_PLUGIN_SEV_HIGH   3

/* What a detector needs (struct vh_plugin_detector.needs). */
#define VH_PLUGIN_NEEDS_CONTENT 0x1u /* process memory: skipped when the dump has none */
#define VH_PLUGIN_NEEDS_KERNEL	0x2u /* kernel structures: skipped on process cores */

/* The host's side during init(): the plugin's options, and how to refuse to start. */
struct vh_plugin_host;
/* The host's side during a detector callback: the process, memory, findings. */
struct vh_plugin_ctx;
/* A finding being built (vh_plugin_finding_new() to vh_plugin_finding_emit()). */
struct vh_plugin_finding;

/* One VMA, as /proc/PID/maps shows it. The plugin sets struct_size; the host fills the rest. */
struct vh_plugin_vma {
	uint32_t struct_size; /* sizeof(struct vh_plugin_vma) as the plugin knows it */
	uint64_t start;	      /* first address */
	uint64_t end;	      /* end address, exclusive */
	uint64_t vm_flags;    /* the kernel's vm_flags (VM_READ 0x1, VM_WRITE 0x2, VM_EXEC 0x4) */
	uint64_t offset;      /* file offset in bytes, 0 for anonymous memory */
	uint64_t inode;	      /* 0 for anonymous memory */
	uint32_t dev_major;
	uint32_t dev_minor;
	char perms[5];	  /* "r-xp" */
	const char *path; /* file path or [heap], [stack], "" for anonymous memory */
};

/* A detector a plugin adds. Unused callbacks are NULL. */
struct vh_plugin_detector {
	uint32_t struct_size; /* sizeof(struct vh_plugin_detector) */
	const char *id;	      /* unique among every detector: [a-z0-9-], e.g. "yara" */
	const char *summary;  /* one line for `vmahunt plugins` */
	unsigned needs;	      /* VH_PLUGIN_NEEDS_* */
	/* once per process, before its VMAs */
	int (*process)(void *state, struct vh_plugin_ctx *ctx);
	/* once per VMA of the process */
	int (*vma)(void *state, struct vh_plugin_ctx *ctx, const struct vh_plugin_vma *v);
	/* once after every process (vh_plugin_ctx_pid() is then 0) */
	int (*finish)(void *state, struct vh_plugin_ctx *ctx);
};

/* What a plugin's entry point returns; static data the plugin owns. */
struct vh_plugin {
	uint32_t abi_version; /* VH_PLUGIN_ABI_VERSION the plugin was built against */
	uint32_t struct_size; /* sizeof(struct vh_plugin) */
	const char *name;     /* [a-z0-9_-]; options are given as NAME.KEY=VALUE */
	const char *version;  /* the plugin's own version */
	const char *summary;  /* one line */
	/* the option keys the plugin takes, NULL-terminated (NULL: none); others are refused */
	const char *const *options;
	const struct vh_plugin_detector *detectors;
	size_t ndetectors;
	/* once before the scan; *state is given to every callback and to fini() */
	int (*init)(struct vh_plugin_host *host, void **state);
	/* once after the scan (also after a failed one) */
	void (*fini)(void *state);
};

/* ---- during init() ---- */

/**
 * vh_plugin_host_option() - the @i-th value given for option @key.
 * @host: the handle init() received.
 * @key: an option key the plugin declared ("rules" for --plugin-opt yara.rules=F).
 * @i: 0 for the first value; an option may be given several times.
 *
 * Return: the value (valid until init() returns), or NULL when there are fewer.
 */
VH_EXPORT const char *vh_plugin_host_option(struct vh_plugin_host *host, const char *key, size_t i);

/**
 * vh_plugin_host_error() - say why init() fails; the host prints it and stops.
 * @host: the handle init() received.
 * @fmt: printf format of one line (a file and line where it applies).
 */
VH_EXPORT void vh_plugin_host_error(struct vh_plugin_host *host, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- during a detector callback: the dump and the process ---- */

/**
 * vh_plugin_ctx_fact() - a fact about the dump, by name.
 * @ctx: the callback's handle.
 * @name: "format", "arch", "osrelease", "file", or "source" ("kernel" or "core").
 *
 * Return: the value, or NULL when unknown.
 */
VH_EXPORT const char *vh_plugin_ctx_fact(struct vh_plugin_ctx *ctx, const char *name);

/**
 * vh_plugin_ctx_pid() - the process the callback is about.
 * @ctx: the callback's handle.
 *
 * Return: its pid (thread-group id), or 0 in finish().
 */
VH_EXPORT int32_t vh_plugin_ctx_pid(struct vh_plugin_ctx *ctx);

/**
 * vh_plugin_ctx_comm() - the process's command name (control bytes as in the dump).
 * @ctx: the callback's handle.
 *
 * Return: the name, "" in finish().
 */
VH_EXPORT const char *vh_plugin_ctx_comm(struct vh_plugin_ctx *ctx);

/**
 * vh_plugin_ctx_user_pages() - whether the dump holds process memory at all.
 * @ctx: the callback's handle.
 *
 * Return: false for a makedumpfile -d 31 dump (every user page left out).
 */
VH_EXPORT bool vh_plugin_ctx_user_pages(struct vh_plugin_ctx *ctx);

/**
 * vh_plugin_ctx_nvmas() - how many VMAs the process has.
 * @ctx: the callback's handle.
 *
 * Return: the count, 0 in finish().
 */
VH_EXPORT size_t vh_plugin_ctx_nvmas(struct vh_plugin_ctx *ctx);

/**
 * vh_plugin_ctx_vma() - the @i-th VMA of the process, in address order.
 * @ctx: the callback's handle.
 * @i: below vh_plugin_ctx_nvmas().
 * @out: filled up to out->struct_size, which the caller sets; the host then
 *       sets out->struct_size to the bytes it filled (smaller than the
 *       caller's when the plugin is newer than the host: the fields past it
 *       are left as they were).
 *
 * Return: VH_OK, or VH_ERR_INVAL when @i is out of range or @out too small.
 */
VH_EXPORT int vh_plugin_ctx_vma(struct vh_plugin_ctx *ctx, size_t i, struct vh_plugin_vma *out);

/* Address spaces of vh_plugin_ctx_read(). */
#define VH_PLUGIN_SPACE_USER   0 /* the callback's process */
#define VH_PLUGIN_SPACE_KERNEL 1 /* kernel virtual memory (kernel dumps) */
#define VH_PLUGIN_SPACE_PHYS   2 /* physical memory (kernel dumps) */

/**
 * vh_plugin_ctx_read() - read memory.
 * @ctx: the callback's handle.
 * @space: VH_PLUGIN_SPACE_*.
 * @addr: first address.
 * @buf: receives @len bytes.
 * @len: bytes to read.
 *
 * Return: VH_OK; VH_ERR_NOT_MAPPED (no page there), VH_ERR_EXCLUDED or
 * VH_ERR_NOT_PRESENT (the dump lacks the page), VH_ERR_UNSUPPORTED (a space a
 * process core does not have), or another read error.
 */
VH_EXPORT int vh_plugin_ctx_read(struct vh_plugin_ctx *ctx, int space, uint64_t addr, void *buf,
				 size_t len);

/**
 * vh_plugin_ctx_pages() - the process's present pages in [start, end).
 * @ctx: the callback's handle (a process's).
 * @start: first address.
 * @end: end address, exclusive.
 * @fn: called for each run of present pages, in address order, with the run's
 *      start and length in bytes; a non-zero return stops the walk and is returned.
 * @arg: given to @fn.
 *
 * Present pages outside every VMA (hidden from the kernel's bookkeeping) are
 * present here too. A kernel dump walks the process's page tables; a process
 * core lists the parts of its segments the core holds.
 *
 * Return: VH_OK, @fn's return, VH_ERR_NOT_MAPPED when the page tables could
 * not be found, or VH_ERR_NOMEM.
 */
VH_EXPORT int vh_plugin_ctx_pages(struct vh_plugin_ctx *ctx, uint64_t start, uint64_t end,
				  int (*fn)(void *arg, uint64_t start, uint64_t len), void *arg);

/**
 * vh_plugin_ctx_symbol() - a kernel symbol's running (relocated) address.
 * @ctx: the callback's handle.
 * @name: the symbol ("init_task").
 * @addr: receives the address.
 *
 * Return: VH_OK, or VH_ERR_NOT_PRESENT when the profile lacks it (or a core).
 */
VH_EXPORT int vh_plugin_ctx_symbol(struct vh_plugin_ctx *ctx, const char *name, uint64_t *addr);

/**
 * vh_plugin_ctx_member_offset() - a struct member's offset in the dump's kernel.
 * @ctx: the callback's handle.
 * @name: "struct.member", e.g. "task_struct.comm".
 * @offset: receives the offset in bytes.
 *
 * Return: VH_OK, or VH_ERR_NOT_PRESENT when the kernel (or the profile) lacks it.
 */
VH_EXPORT int vh_plugin_ctx_member_offset(struct vh_plugin_ctx *ctx, const char *name,
					  uint64_t *offset);

/**
 * vh_plugin_ctx_warn() - report damage the detector worked around, one line.
 * @ctx: the callback's handle; the message is prefixed with the process.
 * @fmt: printf format.
 */
VH_EXPORT void vh_plugin_ctx_warn(struct vh_plugin_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- findings ---- */

/**
 * vh_plugin_finding_new() - start a finding about [start, end) of the process.
 * @ctx: the callback's handle.
 * @detector: the id of one of the plugin's detectors.
 * @severity: VH_PLUGIN_SEV_*.
 * @start: first address.
 * @end: end address, exclusive.
 * @reason: one line (copied).
 *
 * The VMA holding @start, when there is one, gives the finding its vm_flags
 * and path.
 *
 * Return: the finding, or NULL when out of memory or @detector is not the
 * plugin's (then vh_plugin_finding_emit(NULL) returns the error).
 */
VH_EXPORT struct vh_plugin_finding *vh_plugin_finding_new(struct vh_plugin_ctx *ctx,
							  const char *detector, int severity,
							  uint64_t start, uint64_t end,
							  const char *reason);

/**
 * vh_plugin_finding_note() - add a key and a value to the finding's evidence.
 * @f: the finding (NULL is ignored).
 * @key: [a-z0-9_]; a key given several times keeps every value, in order.
 * @value: one line (copied; control bytes are escaped when printed).
 */
VH_EXPORT void vh_plugin_finding_note(struct vh_plugin_finding *f, const char *key,
				      const char *value);

/**
 * vh_plugin_finding_evidence() - show the bytes at @at, disassembled, as evidence.
 * @f: the finding (NULL is ignored).
 * @at: an address of the process (the host reads the bytes, when the dump has them).
 */
VH_EXPORT void vh_plugin_finding_evidence(struct vh_plugin_finding *f, uint64_t at);

/**
 * vh_plugin_finding_emit() - hand the finding to the host, and free it.
 * @f: the finding, or NULL (a failed vh_plugin_finding_new()).
 *
 * Return: VH_OK; VH_ERR_NOMEM or VH_ERR_INVAL (@f NULL), which the callback
 * should return.
 */
VH_EXPORT int vh_plugin_finding_emit(struct vh_plugin_finding *f);

#ifdef __cplusplus
}
#endif
#endif
