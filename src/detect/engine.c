/* SPDX-License-Identifier: MIT */
/*
 * The scan engine: walks every process, reads its VMAs once and hands them to
 * each detector; reads user memory and fills the evidence of findings.
 */
#include <vmahunt/detect.h>

#include "arch/vread.h"
#include "detect/detectors.h"
#include "kernel/kmem.h"

#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const sev_names[] = {"info", "low", "medium", "high"};

const char *vh_severity_name(enum vh_severity s)
{
	return (unsigned)s < 4 ? sev_names[s] : "?";
}

int vh_severity_parse(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(name, sev_names[i]))
			return i;
	return -1;
}

int vh_detect_read(const struct vh_detect_ctx *ctx, uint64_t uaddr, void *buf, size_t len)
{
	if (ctx->read)
		return ctx->read(ctx->read_arg, uaddr, buf, len);
	if (!ctx->root)
		return VH_ERR_NOT_MAPPED; /* the process's page tables could not be found */
	return vh_vread_once(ctx->d, ctx->mmu, ctx->root, uaddr, buf, len);
}

/*
 * A kernel-dump run's readers: the kernel's page tables (each mm's pgd) and
 * the current process's, whose translations the content detectors share.
 */
struct run_readers {
	struct vh_vread kr;
	struct vh_vread ur;
	bool have_root; /* ur is set to a process's page tables */
};

/* ctx->read of a kernel-dump run. */
static int read_user(void *arg, uint64_t uaddr, void *buf, size_t len)
{
	struct run_readers *rd = arg;

	if (!rd->have_root)
		return VH_ERR_NOT_MAPPED; /* the process's page tables could not be found */
	return vh_vread(&rd->ur, uaddr, buf, len);
}

void vh_disasm(int arch, const unsigned char *code, size_t len, uint64_t addr, unsigned max,
	       char *out, size_t outlen)
{
	const struct vh_isa *isa = vh_isa(arch);
	csh h;
	cs_insn *insn;
	size_t n, used = 0;

	out[0] = '\0';
	if (cs_open((cs_arch)isa->cs_arch, (cs_mode)isa->cs_mode, &h) != CS_ERR_OK)
		return;
	n = cs_disasm(h, code, len, addr, max, &insn);
	for (size_t i = 0; i < n && used < outlen; i++) {
		int w = snprintf(out + used, outlen - used, "%s0x%" PRIx64 ": %s %s", i ? "\n" : "",
				 insn[i].address, insn[i].mnemonic, insn[i].op_str);

		if (w < 0 || (size_t)w >= outlen - used) {
			out[used] = '\0'; /* drop the line that did not fit */
			break;
		}
		used += (size_t)w;
	}
	if (n)
		cs_free(insn, n);
	cs_close(&h);
}

/* Reads the evidence at @at (bytes up to the VMA's end) and disassembles it. */
static void fill_evidence(const struct vh_detect_ctx *ctx, struct vh_finding *f, uint64_t at,
			  uint64_t end)
{
	size_t n = sizeof(f->bytes);

	f->at = at;
	f->nbytes = 0;
	f->disasm[0] = '\0';
	if (!ctx->user_pages)
		return;
	if (end > at && end - at < n)
		n = (size_t)(end - at);
	if (vh_detect_read(ctx, at, f->bytes, n))
		return;
	f->nbytes = n;
	vh_disasm(vh_detect_isa(ctx)->arch, f->bytes, n, at, 8, f->disasm, sizeof(f->disasm));
}

/* The thread group of task @pid (@pid itself when the list lacks it). */
static int32_t tgid_of(const struct vh_task_list *tl, int32_t pid)
{
	for (size_t i = 0; tl && i < tl->ntasks; i++)
		if (tl->tasks[i].pid == pid)
			return tl->tasks[i].tgid;
	return pid;
}

int vh_detect_emit(struct vh_detect_ctx *ctx, struct vh_finding *f, const struct vh_vma *v,
		   uint64_t evidence_at)
{
	if (ctx->task) {
		f->pid = ctx->task->pid;
		f->comm = ctx->task->comm;
	} else if (ctx->tgid > 0 && tgid_of(ctx->tasks, f->pid) != ctx->tgid) {
		return VH_OK; /* a run-level finding about a process --pid left out */
	} else {
		evidence_at = 0; /* no process: no page tables to read through */
		if (!f->comm)
			f->comm = "";
	}
	f->nbytes = 0;
	f->at = 0;
	f->disasm[0] = '\0';
	if (v) {
		f->vm_flags = v->flags;
		f->path = v->path ? v->path : "";
	} else if (!f->path) {
		f->path = "";
	}
	if (evidence_at)
		fill_evidence(ctx, f, evidence_at, v ? v->end : evidence_at + VH_EVIDENCE_BYTES);
	return ctx->sink(f, ctx->sink_arg);
}

/* @comm with control bytes as '?': a warning is one line whatever the dump holds. */
static void clean_comm(const char *comm, char *out, size_t len)
{
	size_t i = 0;

	for (; comm[i] && i + 1 < len; i++)
		out[i] = (unsigned char)comm[i] < 0x20 || comm[i] == 0x7f ? '?' : comm[i];
	out[i] = '\0';
}

void vh_detect_warn(const struct vh_detect_ctx *ctx, const char *fmt, ...)
{
	char msg[768], comm[65];
	int n = 0;
	va_list ap;

	if (!ctx->warn)
		return;
	if (ctx->task) {
		clean_comm(ctx->task->comm, comm, sizeof(comm));
		n = snprintf(msg, sizeof(msg), "pid %" PRId32 " (%s): ", ctx->task->pid, comm);
	}
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	ctx->warn(msg, ctx->sink_arg);
}

static bool skipped(const struct vh_scan *s, const struct vh_detector *det)
{
	if (s->process_only && !(det->needs & VH_DETECT_PROCESS))
		return true;
	return (det->needs & VH_DETECT_CONTENT) && !s->user_pages;
}

/* Every detector's init(); *ninit says how many were called (to finish them). */
static int init_detectors(struct vh_scan *s, void **states, size_t *ninit)
{
	int err = VH_OK;

	for (*ninit = 0; *ninit < s->ndets && !err; (*ninit)++)
		if (s->dets[*ninit]->init && !skipped(s, s->dets[*ninit]))
			err = s->dets[*ninit]->init(s->dets[*ninit], &states[*ninit]);
	return err;
}

/* finish() of the first @ninit detectors unless the run failed (@err), fini() of all. */
static int finish_detectors(struct vh_scan *s, void **states, size_t ninit,
			    struct vh_detect_ctx *ctx, int err)
{
	for (size_t i = 0; i < ninit; i++) {
		if (!err && s->dets[i]->finish && !skipped(s, s->dets[i]))
			err = s->dets[i]->finish(states[i], ctx);
		if (s->dets[i]->fini)
			s->dets[i]->fini(states[i]);
	}
	return err;
}

/* One process: every detector's task() then vma() for each VMA. */
static int run_task(struct vh_scan *s, void **states, struct vh_detect_ctx *ctx)
{
	for (size_t i = 0; i < s->ndets; i++) {
		const struct vh_detector *det = s->dets[i];
		int err = VH_OK;

		if (skipped(s, det))
			continue;
		if (det->task)
			err = det->task(states[i], ctx);
		for (size_t v = 0; !err && det->vma && v < ctx->vmas->nvmas; v++)
			err = det->vma(states[i], ctx, &ctx->vmas->vmas[v]);
		if (err)
			return err;
	}
	return VH_OK;
}

/* The library's message for @err, or its generic text. */
static const char *why(int err)
{
	return vh_errmsg()[0] ? vh_errmsg() : vh_strerror(err);
}

/*
 * One process. Unreadable VMAs skip it and unreadable page tables leave only
 * its VMA detectors, each with a warning: one damaged process hides no other.
 */
static int scan_task(struct vh_scan *s, void **states, struct vh_detect_ctx *ctx,
		     struct vh_maps *maps, struct run_readers *rd)
{
	struct vh_vma_list *l = NULL;
	uint64_t mm = ctx->task->mm;
	char mm_name[32];
	int err;

	err = vh_vmas_read(maps, mm, &l);
	if (err == VH_ERR_NOMEM)
		return err;
	if (err) {
		vh_detect_warn(ctx, "mm 0x%" PRIx64 ": VMAs unreadable (%s): process not scanned",
			       mm, why(err));
		return VH_OK;
	}
	snprintf(mm_name, sizeof(mm_name), "mm 0x%" PRIx64 ": ", mm);
	ctx->root = 0;
	err = vh_mm_pgd_root(&rd->kr, ctx->prof, mm, &ctx->root);
	rd->have_root = !err;
	if (rd->have_root) {
		vh_vread_user(&rd->ur, ctx->d, ctx->km, ctx->root);
	} else {
		ctx->root = 0;
		vh_detect_warn(ctx,
			       "mm 0x%" PRIx64 ": page tables unreadable (%s): page-table and "
			       "content detectors skip this process",
			       mm,
			       err == VH_ERR_INVAL ? "no mm_struct.pgd in the profile" : why(err));
	}
	for (size_t i = 0; i < l->nwarnings; i++)
		vh_detect_warn(ctx, "%s%s", strncmp(l->warnings[i], "mm 0x", 5) ? mm_name : "",
			       l->warnings[i]);
	ctx->vmas = l;
	err = run_task(s, states, ctx);
	ctx->vmas = NULL;
	vh_vma_list_free(l);
	return err;
}

/* A command line of only zero bytes was not in the dump (ELF dumps zero-fill filtered pages). */
static bool real_cmdline(const struct vh_task *t)
{
	if (t->cmdline_state != VH_CMDLINE_OK)
		return false;
	for (size_t i = 0; i < t->cmdline_len; i++)
		if (t->cmdline[i])
			return true;
	return false;
}

/* The dump holds user pages when some process's command line could be read. */
static bool have_user_pages(const struct vh_task_list *tl)
{
	for (size_t i = 0; i < tl->ntasks; i++)
		if (real_cmdline(&tl->tasks[i]))
			return true;
	return false;
}

static int run_tasks(struct vh_scan *s, void **states, struct vh_detect_ctx *ctx,
		     struct vh_maps *maps, const struct vh_task_list *tl, struct run_readers *rd)
{
	for (size_t i = 0; i < tl->ntasks; i++) {
		const struct vh_task *t = &tl->tasks[i];
		int err;

		if (!t->leader || !t->mm || (s->tgid > 0 && t->tgid != s->tgid))
			continue;
		ctx->task = t;
		err = scan_task(s, states, ctx, maps, rd);
		if (err)
			return err;
	}
	ctx->task = NULL;
	return VH_OK;
}

int vh_scan_run(struct vh_scan *s, struct vh_dump *d, const struct vh_kernel_map *km,
		const struct vh_profile *p, struct vh_maps *maps, const struct vh_task_list *tl)
{
	void *states[VH_SCAN_MAX_DETECTORS] = {0};
	struct run_readers rd = {.have_root = false};
	struct vh_detect_ctx ctx = {.d = d,
				    .mmu = &km->mmu,
				    .read = read_user,
				    .read_arg = &rd,
				    .sink = s->sink,
				    .sink_arg = s->sink_arg,
				    .warn = s->warn,
				    .km = km,
				    .prof = p,
				    .tasks = tl,
				    .tgid = s->tgid};
	size_t ninit = 0;
	int err = VH_OK;

	if (s->ndets > VH_SCAN_MAX_DETECTORS)
		return VH_ERR_INVAL;
	vh_vread_kernel(&rd.kr, d, km);
	s->user_pages = have_user_pages(tl);
	ctx.user_pages = s->user_pages;
	err = init_detectors(s, states, &ninit);
	if (!err)
		err = run_tasks(s, states, &ctx, maps, tl, &rd);
	ctx.task = NULL; /* finish() is about the run, not the last process */
	ctx.root = 0;
	rd.have_root = false;
	return finish_detectors(s, states, ninit, &ctx, err);
}

/*
 * One process, every detector's task(), then each VMA to every detector in
 * turn: memory is then read in address order, which is what a compressed
 * core's forward stream reads cheaply (docs/cores.md).
 */
static int run_task_by_vma(struct vh_scan *s, void **states, struct vh_detect_ctx *ctx)
{
	int err = VH_OK;

	for (size_t i = 0; i < s->ndets && !err; i++)
		if (!skipped(s, s->dets[i]) && s->dets[i]->task)
			err = s->dets[i]->task(states[i], ctx);
	for (size_t v = 0; v < ctx->vmas->nvmas && !err; v++)
		for (size_t i = 0; i < s->ndets && !err; i++)
			if (!skipped(s, s->dets[i]) && s->dets[i]->vma)
				err = s->dets[i]->vma(states[i], ctx, &ctx->vmas->vmas[v]);
	return err;
}

int vh_scan_run_process(struct vh_scan *s, struct vh_dump *d, const struct vh_task *t,
			const struct vh_vma_list *l, bool user_pages,
			int (*read)(void *read_arg, uint64_t uaddr, void *buf, size_t len),
			void *read_arg)
{
	void *states[VH_SCAN_MAX_DETECTORS] = {0};
	struct vh_detect_ctx ctx = {.d = d,
				    .user_pages = user_pages,
				    .sink = s->sink,
				    .sink_arg = s->sink_arg,
				    .warn = s->warn,
				    .read = read,
				    .read_arg = read_arg};
	size_t ninit = 0;
	int err = VH_OK;

	if (s->ndets > VH_SCAN_MAX_DETECTORS)
		return VH_ERR_INVAL;
	s->user_pages = user_pages;
	s->process_only = true;
	err = init_detectors(s, states, &ninit);
	ctx.task = t;
	ctx.vmas = l;
	if (!err)
		err = run_task_by_vma(s, states, &ctx);
	ctx.task = NULL;
	ctx.vmas = NULL;
	return finish_detectors(s, states, ninit, &ctx, err);
}
