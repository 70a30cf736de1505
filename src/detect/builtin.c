/* SPDX-License-Identifier: MIT */
/*
 * The built-in detectors that need only VMAs and memory contents. Each one
 * uses only the interface of <vmahunt/detect.h>, as a plugin would.
 */
#include <vmahunt/detect.h>

#include "detect/detectors.h"

#include <stdio.h>
#include <string.h>

/* Executable anonymous VMAs up to this size look like a JIT's code cache. */
#define JIT_SIZE (16ull << 20)
/* Pages of one VMA the content detectors look at (bounded work per VMA). */
#define SCAN_PAGES 64

static bool is_exec(const struct vh_vma *v)
{
	return v->flags & VH_VM_EXEC;
}

static bool is_rwx(const struct vh_vma *v)
{
	return is_exec(v) && (v->flags & VH_VM_WRITE);
}

static bool named(const struct vh_vma *v, const char *name)
{
	return v->path && !strcmp(v->path, name);
}

/* The kernel's own executable mappings of every process. */
static bool is_gate(const struct vh_vma *v)
{
	return named(v, "[vdso]") || named(v, "[vsyscall]") || named(v, "[vvar]");
}

/* Anonymous memory other than heap, stack and the kernel's mappings. */
static bool is_plain_anon(const struct vh_vma *v)
{
	return !v->file && !is_gate(v) && !named(v, "[heap]") && !named(v, "[stack]");
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int emit(struct vh_detect_ctx *ctx, const char *id, enum vh_severity sev,
		const struct vh_vma *v, uint64_t at, const char *reason)
{
	struct vh_finding f;

	memset(&f, 0, sizeof(f));
	f.detector = id;
	f.severity = sev;
	f.start = v->start;
	f.end = v->end;
	f.reason = reason;
	return vh_detect_emit(ctx, &f, v, at);
}

static int anon_rwx_vma(void *st, struct vh_detect_ctx *ctx, const struct vh_vma *v)
{
	char why[192];
	enum vh_severity sev;

	(void)st;
	if (!is_plain_anon(v) || !is_rwx(v))
		return VH_OK;
	/* language runtimes' rwx memory (libffi closures, JIT caches) is lowered */
	sev = vh_rwx_calibrate(ctx, v, why, sizeof(why));
	return emit(ctx, "anon-rwx", sev, v, v->start, why);
}

static int anon_exec_vma(void *st, struct vh_detect_ctx *ctx, const struct vh_vma *v)
{
	bool small = v->end - v->start <= JIT_SIZE;
	char why[192];
	enum vh_severity sev;

	(void)st;
	if (!is_plain_anon(v) || !is_exec(v) || is_rwx(v))
		return VH_OK;
	snprintf(why, sizeof(why), "%s",
		 small ? "executable anonymous memory (JIT-like size)"
		       : "large executable anonymous memory");
	/* a JIT's code it can tell by its structure is lowered */
	sev = vh_exec_calibrate(ctx, v, small ? VH_SEV_LOW : VH_SEV_MEDIUM, why, sizeof(why));
	return emit(ctx, "anon-exec", sev, v, v->start, why);
}

static int heap_exec_vma(void *st, struct vh_detect_ctx *ctx, const struct vh_vma *v)
{
	(void)st;
	if (!named(v, "[heap]") || !is_exec(v))
		return VH_OK;
	return emit(ctx, "heap-exec", VH_SEV_HIGH, v, v->start, "executable heap");
}

static int stack_exec_vma(void *st, struct vh_detect_ctx *ctx, const struct vh_vma *v)
{
	(void)st;
	if (!named(v, "[stack]") || !is_exec(v))
		return VH_OK;
	/* a legacy executable-stack binary does this too: not the highest severity */
	return emit(ctx, "stack-exec", VH_SEV_MEDIUM, v, 0, "executable stack");
}

static bool is_memfd(const struct vh_vma *v)
{
	return v->file && v->path && !strncmp(v->path, "/memfd:", 7);
}

static int deleted_exec_vma(void *st, struct vh_detect_ctx *ctx, const struct vh_vma *v)
{
	(void)st;
	if (!v->file || !is_exec(v) || is_memfd(v) || !v->path || !ends_with(v->path, " (deleted)"))
		return VH_OK;
	/* a library replaced by a package upgrade looks the same: medium */
	return emit(ctx, "deleted-exec", VH_SEV_MEDIUM, v, v->start,
		    "executable mapping of a deleted file");
}

static int memfd_exec_vma(void *st, struct vh_detect_ctx *ctx, const struct vh_vma *v)
{
	(void)st;
	if (!is_memfd(v) || !is_exec(v))
		return VH_OK;
	return emit(ctx, "memfd-exec", VH_SEV_HIGH, v, v->start,
		    "executable memfd mapping (fileless code)");
}

static int kthread_mm_task(void *st, struct vh_detect_ctx *ctx)
{
	struct vh_finding f;
	char reason[256];

	(void)st;
	if (!ctx->task->kthread || !ctx->task->mm)
		return VH_OK;
	memset(&f, 0, sizeof(f));
	f.reason = reason;
	f.detector = "kthread-mm";
	f.severity = VH_SEV_MEDIUM;
	snprintf(reason, sizeof(reason), "kernel thread with a user mm (0x%llx)",
		 (unsigned long long)ctx->task->mm);
	return vh_detect_emit(ctx, &f, NULL, 0);
}

/* Pages of @v the content detectors read: the first SCAN_PAGES. */
static uint64_t scan_end(const struct vh_vma *v)
{
	uint64_t n = (v->end - v->start) / 4096;

	return v->start + (n < SCAN_PAGES ? n : SCAN_PAGES) * 4096;
}

/* The VMA of the process holding @addr, or NULL. */
static const struct vh_vma *vma_at(const struct vh_detect_ctx *ctx, uint64_t addr)
{
	size_t lo = 0, hi = ctx->vmas->nvmas;

	while (lo < hi) { /* sorted by start; the gate VMA last, above every user address */
		size_t mid = lo + (hi - lo) / 2;
		const struct vh_vma *v = &ctx->vmas->vmas[mid];

		if (addr < v->start)
			hi = mid;
		else if (addr >= v->end)
			lo = mid + 1;
		else
			return v;
	}
	return NULL;
}

/*
 * The ELF header at @a (in @v) as a loader leaves it: its executable PT_LOAD
 * placed at @a + p_vaddr - (the first PT_LOAD's p_vaddr), in anonymous
 * executable memory. Returns that address, or 0 (not a loaded image, or the
 * headers are not readable or not sane).
 */
static uint64_t loaded_code_at(const struct vh_detect_ctx *ctx, const struct vh_vma *v, uint64_t a)
{
	unsigned char eh[64], ph[56];
	uint64_t phoff, first = UINT64_MAX, code = 0;
	uint16_t phentsize, phnum;

	if (vh_detect_read(ctx, a, eh, sizeof(eh)) || eh[4] != 2 /* ELFCLASS64 */)
		return 0;
	memcpy(&phoff, eh + 32, 8);
	memcpy(&phentsize, eh + 54, 2);
	memcpy(&phnum, eh + 56, 2);
	if (phentsize != sizeof(ph) || phnum == 0 || phnum > 64 || phoff > v->end - a ||
	    (uint64_t)phnum * sizeof(ph) > v->end - a - phoff)
		return 0;
	for (uint16_t i = 0; i < phnum; i++) {
		uint32_t type, flags;
		uint64_t vaddr;

		if (vh_detect_read(ctx, a + phoff + (uint64_t)i * sizeof(ph), ph, sizeof(ph)))
			return 0;
		memcpy(&type, ph, 4);
		memcpy(&flags, ph + 4, 4);
		memcpy(&vaddr, ph + 16, 8);
		if (type != 1 /* PT_LOAD */)
			continue;
		if (first == UINT64_MAX)
			first = vaddr & ~0xfffull;
		if ((flags & 1 /* PF_X */) && !code && vaddr >= first &&
		    vaddr - first < (1ull << 32))
			code = a + (vaddr - first);
	}
	if (code) {
		const struct vh_vma *cv = vma_at(ctx, code);

		if (!cv || cv->file || is_gate(cv) || !is_exec(cv))
			code = 0;
	}
	return code;
}

static int elf_in_anon_vma(void *st, struct vh_detect_ctx *ctx, const struct vh_vma *v)
{
	static const unsigned char magic[4] = {0x7f, 'E', 'L', 'F'};

	(void)st;
	if (v->file || is_gate(v))
		return VH_OK;
	for (uint64_t a = v->start; a < scan_end(v); a += 4096) {
		unsigned char b[4];
		char reason[160];
		uint64_t code;

		if (vh_detect_read(ctx, a, b, sizeof(b)) || memcmp(b, magic, 4))
			continue;
		/* a file read into a buffer is ordinary; an executable image is not */
		if (is_exec(v))
			return emit(ctx, "elf-in-anon", VH_SEV_HIGH, v, a,
				    "ELF image in executable anonymous memory");
		/* a loader maps the header read-only and the code after it executable */
		code = loaded_code_at(ctx, v, a);
		if (!code)
			return emit(ctx, "elf-in-anon", VH_SEV_LOW, v, a,
				    "ELF header in anonymous memory");
		snprintf(reason, sizeof(reason),
			 "ELF image loaded by hand: its code segment at 0x%llx is anonymous "
			 "executable memory (a reflectively loaded image)",
			 (unsigned long long)code);
		return emit(ctx, "elf-in-anon", VH_SEV_HIGH, v, a, reason);
	}
	return VH_OK;
}

/* Looks at one page: emits at the first sled or stub; *hit says whether it did. */
static int shellcode_page(struct vh_detect_ctx *ctx, const struct vh_vma *v, uint64_t a, bool *hit)
{
	char why[96];
	unsigned char b[4096];
	long sled, stub;

	if (vh_detect_read(ctx, a, b, sizeof(b)))
		return VH_OK;
	sled = vh_detect_isa(ctx)->find_sled(b, sizeof(b));
	stub = vh_detect_isa(ctx)->find_syscall_stub(b, sizeof(b));
	if (sled < 0 && stub < 0)
		return VH_OK;
	*hit = true;
	/* the stub is the spot to show: a sled disassembles to nothing but nops */
	if (stub < 0)
		return emit(ctx, "shellcode", VH_SEV_HIGH, v, a + (uint64_t)sled,
			    "NOP sled in anonymous code");
	if (sled >= 0)
		return emit(ctx, "shellcode", VH_SEV_HIGH, v, a + (uint64_t)stub,
			    "NOP sled and raw syscall stub in anonymous code");
	snprintf(why, sizeof(why), "raw syscall stub (%s) in anonymous code",
		 vh_detect_isa(ctx)->stub_what);
	return emit(ctx, "shellcode", VH_SEV_HIGH, v, a + (uint64_t)stub, why);
}

static int shellcode_vma(void *st, struct vh_detect_ctx *ctx, const struct vh_vma *v)
{
	bool hit = false;
	int err = VH_OK;

	(void)st;
	if (v->file || is_gate(v) || !is_exec(v))
		return VH_OK;
	for (uint64_t a = v->start; !err && !hit && a < scan_end(v); a += 4096)
		err = shellcode_page(ctx, v, a, &hit);
	return err;
}

#define VMA_DETECTOR(name, sum, fn, need)                                                          \
	{                                                                                          \
		.id = name, .summary = sum, .needs = need, .vma = fn                               \
	}

static const struct vh_detector builtin[] = {
    VMA_DETECTOR("anon-rwx", "anonymous memory writable and executable", anon_rwx_vma,
		 VH_DETECT_PROCESS),
    VMA_DETECTOR("anon-exec", "executable anonymous memory (not vdso/vsyscall)", anon_exec_vma,
		 VH_DETECT_PROCESS),
    VMA_DETECTOR("heap-exec", "executable [heap]", heap_exec_vma, VH_DETECT_PROCESS),
    VMA_DETECTOR("stack-exec", "executable [stack]", stack_exec_vma, VH_DETECT_PROCESS),
    VMA_DETECTOR("deleted-exec", "executable mapping of a deleted file", deleted_exec_vma,
		 VH_DETECT_PROCESS),
    VMA_DETECTOR("memfd-exec", "executable memfd mapping", memfd_exec_vma, VH_DETECT_PROCESS),
    {.id = "kthread-mm", .summary = "kernel thread with a user mm", .task = kthread_mm_task},
    VMA_DETECTOR("elf-in-anon", "ELF magic at a page start in anonymous memory", elf_in_anon_vma,
		 VH_DETECT_CONTENT | VH_DETECT_PROCESS),
    VMA_DETECTOR("shellcode", "NOP sleds and raw syscall stubs in anonymous code", shellcode_vma,
		 VH_DETECT_CONTENT | VH_DETECT_PROCESS),
};

/* Detectors defined in files of their own (one line each), after the ones above. */
static const struct vh_detector *const more[] = {
    &vh_detector_hidden_pages,	   &vh_detector_pte_perm,     &vh_detector_code_modified,
    &vh_detector_hidden_task,	   &vh_detector_vma_tree,     &vh_detector_writable_lib,
    &vh_detector_static_loader,	   &vh_detector_lib_twice,    &vh_detector_exe_unmapped,
    &vh_detector_pte_rmap,	   &vh_detector_syscall_hook, &vh_detector_task_flags,
    &vh_detector_unmapped_payload, &vh_detector_slab_xview,
};

#define NBUILTIN (sizeof(builtin) / sizeof(builtin[0]))
#define NMORE	 (sizeof(more) / sizeof(more[0]))

const struct vh_detector *const *vh_detectors(size_t *n)
{
	static const struct vh_detector *list[NBUILTIN + NMORE];

	for (size_t i = 0; i < NBUILTIN; i++)
		list[i] = &builtin[i];
	for (size_t i = 0; i < NMORE; i++)
		list[NBUILTIN + i] = more[i];
	*n = NBUILTIN + NMORE;
	return list;
}

const struct vh_detector *vh_detector_find(const char *id)
{
	size_t n;
	const struct vh_detector *const *all = vh_detectors(&n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i]->id, id))
			return all[i];
	return NULL;
}
