/* SPDX-License-Identifier: MIT */
/* What several built-in detectors share: see detect/detectors.h. */
#include "detect/detectors.h"

#include <vmahunt/dump.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void vh_detect_warn_run(struct vh_detect_ctx *ctx, const char *det, const char *fmt, ...)
{
	const struct vh_task *t = ctx->task;
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->task = NULL; /* not prefixed with the process being scanned */
	vh_detect_warn(ctx, "%s: %s", det, msg);
	ctx->task = t;
}

uint64_t vh_detect_ram_pfns(struct vh_dump *d, unsigned max_bits)
{
	size_t n;
	const struct vh_phys_range *r = vh_dump_ranges(d, &n);
	uint64_t end = 0;

	for (size_t i = 0; i < n; i++)
		end = r[i].end > end ? r[i].end : end;
	end /= 4096;
	return end < (1ull << max_bits) ? end : 1ull << max_bits;
}

int vh_detect_emit_task(struct vh_detect_ctx *ctx, const char *det, const struct vh_task *t,
			enum vh_severity sev, const char *fmt, ...)
{
	struct vh_finding f;
	char reason[320];
	va_list ap;

	memset(&f, 0, sizeof(f));
	f.reason = reason;
	f.detector = det;
	f.severity = sev;
	f.pid = t->pid;
	f.comm = t->comm;
	f.start = f.end = t->addr;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return vh_detect_emit(ctx, &f, NULL, 0);
}

size_t vh_detect_group_start(const struct vh_task_list *tl, int32_t tgid)
{
	size_t lo = 0, hi = tl ? tl->ntasks : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tl->tasks[mid].tgid < tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct vh_task *vh_detect_leader(const struct vh_task_list *tl, int32_t tgid)
{
	for (size_t i = vh_detect_group_start(tl, tgid);
	     tl && i < tl->ntasks && tl->tasks[i].tgid == tgid; i++)
		if (tl->tasks[i].leader)
			return &tl->tasks[i];
	return NULL;
}

const struct vh_isa *vh_detect_isa(const struct vh_detect_ctx *ctx)
{
	if (ctx->mmu)
		return vh_isa(ctx->mmu->arch);
	return vh_isa(ctx->d ? vh_arch_id(vh_dump_arch(ctx->d)) : VH_ARCH_UNKNOWN);
}
