/* SPDX-License-Identifier: MIT */
/*
 * Detectors: units that look at every process's memory map and report what is
 * anomalous, with evidence.
 *
 * This interface is the future plugin ABI; built-in detectors use nothing
 * else. A detector is a struct vh_detector of callbacks, called in order:
 *   init()   once per run (may allocate private state),
 *   task()   once per process with a user mm (its VMAs are in ctx->vmas),
 *   vma()    once per VMA of that process,
 *   finish() once at the end of the run (may emit findings), then fini().
 * In finish() ctx->task and ctx->vmas are NULL. Every callback may be NULL. Findings go out through
 * vh_detect_emit(); the engine fills the evidence (first bytes, disassembly) when asked to.
 * Damage a detector walked around (an unreadable page table, a cycle) goes out
 * through vh_detect_warn(). Callbacks return VH_OK or a VH_ERR_* code
 * (VH_ERR_NOMEM stops the run).
 *
 * ctx->tasks, every task of the run (threads, kernel threads and tasks found
 * only in the pid table included), is set in every callback: a detector that
 * looks at tasks rather than processes (kernel threads have no mm, so task()
 * never sees them) does its work in finish() and emits with ctx->task NULL,
 * naming the task itself in the finding's pid and comm.
 */
#ifndef VMAHUNT_DETECT_H
#define VMAHUNT_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmahunt/error.h>
#include <vmahunt/kernel.h>
#include <vmahunt/vma.h>
#include <vmahunt/export.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vh_severity {
	VH_SEV_INFO = 0, /* worth knowing, usually legitimate */
	VH_SEV_LOW,	 /* unusual but common in legitimate software (JIT) */
	VH_SEV_MEDIUM,
	VH_SEV_HIGH, /* almost never legitimate */
};

/* "info", "low", "medium", "high". */
VH_EXPORT const char *vh_severity_name(enum vh_severity s);
/* Parses a severity name; returns -1 when unknown. */
VH_EXPORT int vh_severity_parse(const char *name);

/* vm_flags bits the detectors use (include/linux/mm.h). */
#define VH_VM_READ	0x1ull
#define VH_VM_WRITE	0x2ull
#define VH_VM_EXEC	0x4ull
#define VH_VM_SHARED	0x8ull
#define VH_VM_GROWSDOWN 0x100ull

/* Bytes of evidence kept from the start of a region or the suspicious spot. */
#define VH_EVIDENCE_BYTES 32

/* One key and value of a finding's evidence; a key may come several times. */
struct vh_finding_note {
	const char *key;
	const char *value;
};

/* One finding. Strings are copied by the sink if it keeps them. */
struct vh_finding {
	const char *detector; /* the detector's id */
	const char *kind;     /* what the detector found, when it finds several kinds
				 ("present", "swap"): a static string; NULL when one */
	enum vh_severity severity;
	int32_t pid;
	const char *comm;
	uint64_t start, end; /* the address range, end exclusive */
	const char *reason;  /* one line */
	uint64_t vm_flags;
	const char *path; /* the VMA's name, "" for none */
	/* Evidence; nbytes == 0 when the memory is not in the dump. */
	uint64_t at; /* address of the bytes below */
	unsigned char bytes[VH_EVIDENCE_BYTES];
	size_t nbytes;
	char disasm[512]; /* x86-64 instructions at @at, one per line; "" when none */
	/* More evidence as keys and values (a plugin's: a YARA rule, its matches), in order */
	const struct vh_finding_note *notes;
	size_t nnotes;
};

/* Receives every finding of a run; return non-zero (a VH_ERR_*) to stop it. */
typedef int (*vh_finding_fn)(const struct vh_finding *f, void *arg);

/* Receives every warning of a run (one line, no newline); @arg is the sink's. */
typedef void (*vh_warning_fn)(const char *msg, void *arg);

/* What a detector sees; owned by the engine. */
struct vh_detect_ctx {
	struct vh_dump *d;
	const struct vh_task *task;	/* the process (its leader) */
	const struct vh_vma_list *vmas; /* its VMAs */
	bool user_pages;		/* the dump holds user-process pages */
	uint64_t root;			/* physical address of the process's page tables;
					   0 when they could not be found (warned) */
	const struct vh_mmu *mmu;	/* the page tables' format; NULL for a process core */
	vh_finding_fn sink;
	void *sink_arg;
	vh_warning_fn warn;		  /* may be NULL: warnings are dropped */
	const struct vh_kernel_map *km;	  /* for kernel reads (vh_kernel_read()) */
	const struct vh_profile *prof;	  /* struct layouts and symbols */
	const struct vh_task_list *tasks; /* every task of the run (see above) */
	int32_t
	    tgid; /* > 0: the run is limited to this process (findings about others are dropped) */
	/*
	 * How vh_detect_read() reads the process's memory: when set, through this
	 * hook (a process core reads its segments; vh_scan_run() reads through
	 * the page tables at @root with a translation cache); when NULL, through
	 * the page tables at @root. Returns VH_OK or a VH_ERR_* code.
	 */
	int (*read)(void *read_arg, uint64_t uaddr, void *buf, size_t len);
	void *read_arg;
};

/* A detector needs memory contents (skipped when the dump has no user pages). */
#define VH_DETECT_CONTENT 0x1u
/*
 * A detector needs only a process's VMAs and memory, no kernel structure:
 * it runs on process cores too (vh_scan_run_process()). Without this flag a
 * detector runs on kernel dumps only.
 */
#define VH_DETECT_PROCESS 0x2u

struct vh_detector {
	const char *id;	     /* "anon-rwx" */
	const char *summary; /* one line */
	unsigned needs;	     /* VH_DETECT_* */
	const void *priv;    /* the detector's own data, for init() (a plugin's detector) */
	int (*init)(const struct vh_detector *self, void **state);
	int (*task)(void *state, struct vh_detect_ctx *ctx);
	int (*vma)(void *state, struct vh_detect_ctx *ctx, const struct vh_vma *v);
	int (*finish)(void *state, struct vh_detect_ctx *ctx);
	void (*fini)(void *state);
};

/* The built-in detectors, in a stable order. */
VH_EXPORT const struct vh_detector *const *vh_detectors(size_t *n);
VH_EXPORT const struct vh_detector *vh_detector_find(const char *id);

/**
 * vh_detect_read() - read a process's memory.
 * Return: VH_OK, VH_ERR_NOT_MAPPED, VH_ERR_EXCLUDED or another read error.
 */
VH_EXPORT int vh_detect_read(const struct vh_detect_ctx *ctx, uint64_t uaddr, void *buf,
			     size_t len);

/**
 * vh_detect_emit() - send a finding to the sink, filling pid, comm, vm_flags
 * and path from @v and, when @evidence_at is non-zero, the bytes and
 * disassembly at that address. With ctx->task NULL (in finish()) the
 * finding's pid and comm are the detector's, and there is no evidence.
 */
VH_EXPORT int vh_detect_emit(struct vh_detect_ctx *ctx, struct vh_finding *f,
			     const struct vh_vma *v, uint64_t evidence_at);

/**
 * vh_detect_warn() - report damage a detector walked around, as one line.
 * @ctx: the context; when ctx->task is set the message is prefixed with the
 *       process ("pid 42 (comm): ").
 * @fmt: printf format of the message.
 */
VH_EXPORT void vh_detect_warn(const struct vh_detect_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Writes up to @max instructions of @code (at address @addr), machine code of
 * @arch (enum vh_arch_id: x86-64's for VH_ARCH_UNKNOWN), into @out, one per
 * line; a line that does not fit is left out whole.
 */
VH_EXPORT void vh_disasm(int arch, const unsigned char *code, size_t len, uint64_t addr,
			 unsigned max, char *out, size_t outlen);

#define VH_SCAN_MAX_DETECTORS 64

/* A run: which detectors, and where the findings go. */
struct vh_scan {
	const struct vh_detector **dets;
	size_t ndets;
	vh_finding_fn sink;
	void *sink_arg;
	vh_warning_fn warn; /* damage worked around (may be NULL); gets sink_arg */
	int32_t tgid;	    /* when > 0, only the process with this thread group id */
	bool user_pages;    /* set by vh_scan_run(): the dump holds user pages */
	bool process_only;  /* set by vh_scan_run_process(): VH_DETECT_PROCESS detectors only */
};

/**
 * vh_scan_run() - run the detectors over every process of @tl.
 * @maps: the VMA reader (vh_maps_open()).
 * @km, @p: the kernel map and profile (to find each mm's page tables).
 * Content detectors are skipped when no user page of any process is in the
 * dump (s->user_pages says so afterwards). At most VH_SCAN_MAX_DETECTORS.
 * A process whose VMAs or page tables cannot be read gets a warning naming
 * its pid, comm and mm and what failed; the others are still scanned (with
 * unreadable page tables, its VMA detectors still run).
 * Return: VH_OK or the first fatal error (VH_ERR_NOMEM, or a sink's).
 */
VH_EXPORT int vh_scan_run(struct vh_scan *s, struct vh_dump *d, const struct vh_kernel_map *km,
			  const struct vh_profile *p, struct vh_maps *maps,
			  const struct vh_task_list *tl);

/**
 * vh_scan_run_process() - run the detectors over one process the caller
 * describes, with no kernel (a process core: vh_core_tasks(), vh_core_vmas()).
 * @s: the run; s->user_pages and s->process_only are set here.
 * @d: the dump (given to detectors as ctx->d).
 * @t: the process (its leader).
 * @l: its VMAs.
 * @user_pages: memory contents are available (else content detectors are skipped).
 * @read, @read_arg: how its memory is read (struct vh_detect_ctx.read).
 *
 * Detectors without VH_DETECT_PROCESS are skipped: they need a kernel. Each
 * VMA goes to every detector before the next VMA (memory is read in address
 * order, cheap for a streamed compressed core).
 * Return: VH_OK or the first fatal error (VH_ERR_NOMEM, or a sink's).
 */
VH_EXPORT int vh_scan_run_process(struct vh_scan *s, struct vh_dump *d, const struct vh_task *t,
				  const struct vh_vma_list *l, bool user_pages,
				  int (*read)(void *read_arg, uint64_t uaddr, void *buf,
					      size_t len),
				  void *read_arg);

#ifdef __cplusplus
}
#endif
#endif
