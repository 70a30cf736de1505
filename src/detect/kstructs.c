/* SPDX-License-Identifier: MIT */
/*
 * Detectors of kernel-structure tampering: a task one of the kernel's two
 * task indexes (the task list, the pid table) lacks, and a process whose VMA
 * structures disagree with each other or with mm->map_count. They read only
 * kernel structures, so they run on dumps without user pages too. Each one
 * uses only the interface of <vmahunt/detect.h>, as a plugin would.
 */
#include <vmahunt/detect.h>

#include "detect/detectors.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* task_struct.exit_state: released, already off every list and the pid table. */
#define EXIT_DEAD 0x10u
/* Findings about single VMAs kept per process; more are summed up in one. */
#define MAX_VMA_FINDINGS 16

/* --- hidden-task --------------------------------------------------------- */

/* Threads of @leader's group that only the pid table gave (reported with it). */
static size_t hidden_threads(const struct vh_task_list *tl, const struct vh_task *leader)
{
	size_t n = 0;

	for (const struct vh_task *t = leader + 1;
	     t < tl->tasks + tl->ntasks && t->tgid == leader->tgid; t++)
		n += t->via == VH_VIA_PID_TABLE;
	return n;
}

/* Found only in the pid table: on no task or thread list. */
static int only_in_pid_table(struct vh_detect_ctx *ctx, const struct vh_task *t)
{
	const struct vh_task *leader = t->leader ? t : vh_detect_leader(ctx->tasks, t->tgid);

	if (t->leader)
		return vh_detect_emit_task(
		    ctx, "hidden-task", t, VH_SEV_HIGH,
		    "process in the pid table but not on the task list (unlinked: "
		    "hidden from task-list walkers), task_struct 0x%" PRIx64 ", %zu hidden threads",
		    t->addr, hidden_threads(ctx->tasks, t));
	if (leader && leader->via == VH_VIA_PID_TABLE)
		return VH_OK; /* its leader's finding counts it */
	return vh_detect_emit_task(
	    ctx, "hidden-task", t, VH_SEV_HIGH,
	    "thread in the pid table but not on its group's thread list (tgid %" PRId32
	    "), task_struct 0x%" PRIx64,
	    t->tgid, t->addr);
}

static int check_task(struct vh_detect_ctx *ctx, const struct vh_task *t)
{
	const struct vh_task_list *tl = ctx->tasks;

	if (t->pid == 0)
		return VH_OK; /* the idle tasks: on no list but init_task's own, in no table */
	if (t->via == VH_VIA_PID_TABLE)
		return only_in_pid_table(ctx, t);
	if (t->leader && t->via == VH_VIA_CHILDREN)
		/* a broken task list also sends the walk through the children lists */
		return vh_detect_emit_task(
		    ctx, "hidden-task", t, tl->task_list_complete ? VH_SEV_HIGH : VH_SEV_MEDIUM,
		    "process not on the task list (found on its parent's children "
		    "list%s), task_struct 0x%" PRIx64,
		    tl->task_list_complete ? "; the task list is intact" : "", t->addr);
	if (tl->pid_table == VH_PID_TABLE_COMPLETE && !t->in_pid_table &&
	    !(t->exit_state & EXIT_DEAD))
		return vh_detect_emit_task(
		    ctx, "hidden-task", t, VH_SEV_HIGH,
		    "task on the task list but not in the pid table (hidden from "
		    "/proc), task_struct 0x%" PRIx64,
		    t->addr);
	if (!t->leader && !vh_detect_leader(tl, t->tgid))
		return vh_detect_emit_task(
		    ctx, "hidden-task", t, VH_SEV_MEDIUM,
		    "thread whose group leader (tgid %" PRId32 ") is on no list", t->tgid);
	return VH_OK;
}

static int hidden_task_finish(void *st, struct vh_detect_ctx *ctx)
{
	(void)st;
	if (!ctx->tasks)
		return VH_OK;
	for (size_t i = 0; i < ctx->tasks->ntasks; i++) {
		int err = check_task(ctx, &ctx->tasks->tasks[i]);

		if (err)
			return err;
	}
	return VH_OK;
}

const struct vh_detector vh_detector_hidden_task = {
    .id = "hidden-task",
    .summary = "task in the pid table but not on the task list, or the reverse",
    .finish = hidden_task_finish,
};

/* --- vma-tree ------------------------------------------------------------ */

/* A process-level finding over the span of its VMAs (the gate VMA left out). */
static int emit_mm(struct vh_detect_ctx *ctx, enum vh_severity sev, const struct vh_vma *v,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int emit_mm(struct vh_detect_ctx *ctx, enum vh_severity sev, const struct vh_vma *v,
		   const char *fmt, ...)
{
	const struct vh_vma_list *l = ctx->vmas;
	struct vh_finding f;
	char reason[256];
	va_list ap;

	memset(&f, 0, sizeof(f));
	f.reason = reason;
	f.detector = "vma-tree";
	f.severity = sev;
	if (v) {
		f.start = v->start;
		f.end = v->end;
	} else {
		for (size_t i = 0; i < l->nvmas; i++) {
			const struct vh_vma *w = &l->vmas[i];

			if (w->found & VH_VMA_GATE)
				continue;
			if (!f.end || w->start < f.start)
				f.start = w->start;
			if (w->end > f.end)
				f.end = w->end;
		}
	}
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return vh_detect_emit(ctx, &f, v, 0);
}

/* mm->map_count against the entries of each structure. */
static int check_counts(struct vh_detect_ctx *ctx)
{
	const struct vh_vma_list *l = ctx->vmas;
	/* a structure only partly read gives a lower count: not evidence */
	enum vh_severity sev = l->walk_partial ? VH_SEV_INFO : VH_SEV_HIGH;
	const char *why = l->walk_partial ? " (the structures could not be read whole)" : "";
	bool maple = l->nmaple != 0;

	if (l->map_count < 0)
		return VH_OK;
	if (!l->nmaple && !l->nlist && !l->nrb)
		return l->map_count == 0 ? VH_OK
					 : emit_mm(ctx, sev, NULL,
						   "mm 0x%" PRIx64 ": map_count %" PRId32
						   " but no VMA structure holds any VMA%s",
						   l->mm, l->map_count, why);
	if (maple && (size_t)l->map_count != l->nmaple)
		return emit_mm(ctx, sev, NULL,
			       "mm 0x%" PRIx64 ": map_count %" PRId32 " but the maple tree holds "
			       "%zu VMAs%s",
			       l->mm, l->map_count, l->nmaple, why);
	if (!maple &&
	    ((size_t)l->map_count != l->nlist || (l->nrb && (size_t)l->map_count != l->nrb)))
		return emit_mm(ctx, sev, NULL,
			       "mm 0x%" PRIx64 ": map_count %" PRId32 " but the VMA list holds "
			       "%zu and mm_rb %zu VMAs%s",
			       l->mm, l->map_count, l->nlist, l->nrb, why);
	return VH_OK;
}

/* Before 6.1: a VMA in only one of the list (what /proc/PID/maps shows) and mm_rb. */
static int check_list_vs_rb(struct vh_detect_ctx *ctx, size_t *nvma_findings)
{
	const struct vh_vma_list *l = ctx->vmas;

	if (!l->nrb || l->nmaple)
		return VH_OK;
	for (size_t i = 0; i < l->nvmas; i++) {
		const struct vh_vma *v = &l->vmas[i];
		unsigned both = VH_VMA_IN_LIST | VH_VMA_IN_RB;
		int err;

		if ((v->found & VH_VMA_GATE) || (v->found & both) == both)
			continue;
		if ((*nvma_findings)++ >= MAX_VMA_FINDINGS)
			continue;
		err = emit_mm(ctx, l->walk_partial ? VH_SEV_INFO : VH_SEV_HIGH, v,
			      (v->found & VH_VMA_IN_RB)
				  ? "VMA 0x%" PRIx64 " is in mm_rb but not in the VMA list "
				    "(hidden from /proc/PID/maps)"
				  : "VMA 0x%" PRIx64 " is in the VMA list but not in mm_rb",
			      v->addr);
		if (err)
			return err;
	}
	return VH_OK;
}

/* Each VMA must name the mm it is in. */
static int check_vm_mm(struct vh_detect_ctx *ctx, size_t *nvma_findings)
{
	const struct vh_vma_list *l = ctx->vmas;

	for (size_t i = 0; i < l->nvmas; i++) {
		const struct vh_vma *v = &l->vmas[i];
		int err;

		if ((v->found & VH_VMA_GATE) || v->vm_mm == l->mm)
			continue;
		if ((*nvma_findings)++ >= MAX_VMA_FINDINGS)
			continue;
		err = emit_mm(ctx, VH_SEV_HIGH, v,
			      "VMA 0x%" PRIx64 " names mm 0x%" PRIx64 ", not its own 0x%" PRIx64,
			      v->addr, v->vm_mm, l->mm);
		if (err)
			return err;
	}
	return VH_OK;
}

/* Order: overlapping or unsorted VMAs, and maple entries stored at another range. */
static int check_order(struct vh_detect_ctx *ctx)
{
	const struct vh_vma_list *l = ctx->vmas;
	int err = VH_OK;

	if (l->unsorted)
		err = emit_mm(ctx, VH_SEV_MEDIUM, NULL,
			      "mm 0x%" PRIx64 ": %zu VMAs overlap or are out of order in the %s",
			      l->mm, l->unsorted, l->nmaple ? "maple tree" : "VMA list");
	if (!err && l->misplaced)
		err = emit_mm(ctx, VH_SEV_MEDIUM, NULL,
			      "mm 0x%" PRIx64 ": %zu VMAs are stored in the maple tree at a range "
			      "other than their own",
			      l->mm, l->misplaced);
	return err;
}

static int vma_tree_task(void *st, struct vh_detect_ctx *ctx)
{
	size_t nvma = 0;
	int err;

	(void)st;
	err = check_counts(ctx);
	if (!err)
		err = check_list_vs_rb(ctx, &nvma);
	if (!err)
		err = check_vm_mm(ctx, &nvma);
	if (!err)
		err = check_order(ctx);
	if (!err && nvma > MAX_VMA_FINDINGS)
		err = emit_mm(ctx, VH_SEV_HIGH, NULL,
			      "mm 0x%" PRIx64 ": %zu more VMAs in only one structure or naming "
			      "another mm",
			      ctx->vmas->mm, nvma - MAX_VMA_FINDINGS);
	return err;
}

const struct vh_detector vh_detector_vma_tree = {
    .id = "vma-tree",
    .summary = "VMA structures inconsistent: map_count, list vs mm_rb, order, vm_mm",
    .task = vma_tree_task,
};
