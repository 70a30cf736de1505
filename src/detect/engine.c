/* SPDX-License-Identifier: MIT */
/*
 * The scan engine: walks every process, reads its VMAs once and hands them to
 * each detector; reads user memory and fills the evidence of findings.
 */
#include <vmahunt/detect.h>

#include <capstone/capstone.h>
#include <inttypes.h>
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
	unsigned char *p = buf;

	if (ctx->read)
		return ctx->read(ctx->read_arg, uaddr, buf, len);
	if (!ctx->root)
		return VH_ERR_NOT_MAPPED; /* the process's page tables could not be found */
	while (len) {
		struct vh_translation t;
		size_t in_page = 4096 - (size_t)(uaddr & 0xfff);
		size_t n = len < in_page ? len : in_page;
		int err = vh_x86_64_translate(ctx->d, ctx->root, ctx->levels, uaddr, &t);

		if (!err)
			err = vh_dump_read_phys(ctx->d, t.paddr, p, n);
		if (err)
			return err;
		p += n;
		uaddr += n;
		len -= n;
	}
	return VH_OK;
}

void vh_disasm(const unsigned char *code, size_t len, uint64_t addr, unsigned max, char *out,
	       size_t outlen)
{
	csh h;
	cs_insn *insn;
	size_t n, used = 0;

	out[0] = '\0';
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
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
	vh_disasm(f->bytes, n, at, 8, f->disasm, sizeof(f->disasm));
}

int vh_detect_emit(struct vh_detect_ctx *ctx, struct vh_finding *f, const struct vh_vma *v,
		   uint64_t evidence_at)
{
	f->pid = ctx->task->pid;
	f->comm = ctx->task->comm;
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

/* The physical address of the process's top-level page table (mm->pgd is kernel-virtual). */
static int mm_root(struct vh_dump *d, const struct vh_kernel_map *km, const struct vh_profile *p,
		   uint64_t mm, uint64_t *root)
{
	struct vh_translation t;
	uint64_t pgd;
	int err;

	if (p->mm_struct.pgd.offset == VH_ABSENT)
		return VH_ERR_INVAL;
	err = vh_kernel_read(d, km, mm + p->mm_struct.pgd.offset, &pgd, sizeof(pgd));
	if (!err)
		err = vh_x86_64_translate(d, km->pgd, km->levels, pgd, &t);
	if (!err)
		*root = t.paddr & ~0xfffull;
	return err;
}

static bool skipped(const struct vh_scan *s, const struct vh_detector *det)
{
	if (s->process_only && !(det->needs & VH_DETECT_PROCESS))
		return true;
	return (det->needs & VH_DETECT_CONTENT) && !s->user_pages;
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

/* A process whose VMAs or page tables cannot be read is skipped (ps/maps warn about it). */
static int scan_task(struct vh_scan *s, void **states, struct vh_detect_ctx *ctx,
		     const struct vh_kernel_map *km, const struct vh_profile *p,
		     struct vh_maps *maps)
{
	struct vh_vma_list *l = NULL;
	int err;

	ctx->root = 0;
	if (mm_root(ctx->d, km, p, ctx->task->mm, &ctx->root))
		ctx->root = 0;
	err = vh_vmas_read(maps, ctx->task->mm, &l);
	if (err)
		return err == VH_ERR_NOMEM ? err : VH_OK;
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
		     const struct vh_kernel_map *km, const struct vh_profile *p,
		     struct vh_maps *maps, const struct vh_task_list *tl)
{
	for (size_t i = 0; i < tl->ntasks; i++) {
		const struct vh_task *t = &tl->tasks[i];
		int err;

		if (!t->leader || !t->mm)
			continue;
		ctx->task = t;
		err = scan_task(s, states, ctx, km, p, maps);
		if (err)
			return err;
	}
	return VH_OK;
}

int vh_scan_run(struct vh_scan *s, struct vh_dump *d, const struct vh_kernel_map *km,
		const struct vh_profile *p, struct vh_maps *maps, const struct vh_task_list *tl)
{
	void *states[VH_SCAN_MAX_DETECTORS] = {0};
	struct vh_detect_ctx ctx = {
	    .d = d, .levels = km->levels, .sink = s->sink, .sink_arg = s->sink_arg};
	size_t ninit = 0;
	int err = VH_OK;

	if (s->ndets > VH_SCAN_MAX_DETECTORS)
		return VH_ERR_INVAL;
	s->user_pages = have_user_pages(tl);
	ctx.user_pages = s->user_pages;
	for (; ninit < s->ndets && !err; ninit++)
		if (s->dets[ninit]->init && !skipped(s, s->dets[ninit]))
			err = s->dets[ninit]->init(&states[ninit]);
	if (!err)
		err = run_tasks(s, states, &ctx, km, p, maps, tl);
	for (size_t i = 0; i < ninit; i++) {
		if (!err && s->dets[i]->finish && !skipped(s, s->dets[i]))
			err = s->dets[i]->finish(states[i], &ctx);
		if (s->dets[i]->fini)
			s->dets[i]->fini(states[i]);
	}
	return err;
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
				    .read = read,
				    .read_arg = read_arg};
	size_t ninit = 0;
	int err = VH_OK;

	if (s->ndets > VH_SCAN_MAX_DETECTORS)
		return VH_ERR_INVAL;
	s->user_pages = user_pages;
	s->process_only = true;
	for (; ninit < s->ndets && !err; ninit++)
		if (s->dets[ninit]->init && !skipped(s, s->dets[ninit]))
			err = s->dets[ninit]->init(&states[ninit]);
	ctx.task = t;
	ctx.vmas = l;
	if (!err)
		err = run_task_by_vma(s, states, &ctx);
	ctx.task = NULL;
	ctx.vmas = NULL;
	for (size_t i = 0; i < ninit; i++) {
		if (!err && s->dets[i]->finish && !skipped(s, s->dets[i]))
			err = s->dets[i]->finish(states[i], &ctx);
		if (s->dets[i]->fini)
			s->dets[i]->fini(states[i]);
	}
	return err;
}
