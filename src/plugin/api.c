/* SPDX-License-Identifier: MIT */
/* The calls of the plugin ABI (include/vmahunt/plugin.h): what a plugin asks the host. */
#include "plugin/plugin_internal.h"

#include "arch/vread.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Notes one finding keeps; more are counted in a last note, never silently dropped. */
#define MAX_NOTES 256

/* ---- init ---- */

const char *vh_plugin_host_option(struct vh_plugin_host *host, const char *key, size_t i)
{
	for (size_t k = 0; k < host->ps->nopts; k++) {
		const struct vh_plugin_opt *o = &host->ps->opts[k];

		if (!strcmp(o->plugin, host->lp->desc->name) && !strcmp(o->key, key) && i-- == 0)
			return o->value;
	}
	return NULL;
}

void vh_plugin_host_error(struct vh_plugin_host *host, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(host->error, sizeof(host->error), fmt, ap);
	va_end(ap);
}

/* ---- the dump and the process ---- */

const char *vh_plugin_ctx_fact(struct vh_plugin_ctx *ctx, const char *name)
{
	struct vh_dump *d = ctx->dctx->d;

	if (!strcmp(name, "format"))
		return vh_dump_format_name(vh_dump_format(d));
	if (!strcmp(name, "arch"))
		return vh_dump_arch(d);
	if (!strcmp(name, "file"))
		return vh_dump_path(d);
	if (!strcmp(name, "source"))
		return ctx->dctx->km ? "kernel" : "core";
	if (!strcmp(name, "osrelease")) {
		const char *rel = vh_dump_vmcoreinfo_get(d, "OSRELEASE");

		if (!rel && ctx->dctx->prof && ctx->dctx->prof->osrelease[0])
			rel = ctx->dctx->prof->osrelease;
		return rel;
	}
	return NULL;
}

int32_t vh_plugin_ctx_pid(struct vh_plugin_ctx *ctx)
{
	return ctx->dctx->task ? ctx->dctx->task->pid : 0;
}

const char *vh_plugin_ctx_comm(struct vh_plugin_ctx *ctx)
{
	return ctx->dctx->task ? ctx->dctx->task->comm : "";
}

bool vh_plugin_ctx_user_pages(struct vh_plugin_ctx *ctx)
{
	return ctx->dctx->user_pages;
}

size_t vh_plugin_ctx_nvmas(struct vh_plugin_ctx *ctx)
{
	return ctx->dctx->vmas ? ctx->dctx->vmas->nvmas : 0;
}

int vh_plugin_ctx_vma(struct vh_plugin_ctx *ctx, size_t i, struct vh_plugin_vma *out)
{
	struct vh_plugin_vma full;
	uint32_t size = out->struct_size;

	if (i >= vh_plugin_ctx_nvmas(ctx))
		return vh_set_error(VH_ERR_INVAL, "VMA %zu of %zu", i, vh_plugin_ctx_nvmas(ctx));
	if (size < offsetof(struct vh_plugin_vma, start))
		return vh_set_error(VH_ERR_INVAL, "struct vh_plugin_vma of %u bytes", size);
	vh_plugin_vma_fill(&ctx->dctx->vmas->vmas[i], &full);
	if (size > sizeof(full))
		size = sizeof(full);
	memcpy(out, &full, size);
	/* what was filled: a newer plugin's fields past it are not the host's to set */
	out->struct_size = size;
	return VH_OK;
}

int vh_plugin_ctx_read(struct vh_plugin_ctx *ctx, int space, uint64_t addr, void *buf, size_t len)
{
	struct vh_detect_ctx *d = ctx->dctx;

	switch (space) {
	case VH_PLUGIN_SPACE_USER:
		if (!d->task)
			return vh_set_error(VH_ERR_INVAL, "no process to read (finish())");
		return vh_detect_read(d, addr, buf, len);
	case VH_PLUGIN_SPACE_KERNEL:
	case VH_PLUGIN_SPACE_PHYS:
		if (!d->km)
			return vh_set_error(VH_ERR_UNSUPPORTED,
					    "a process core has no kernel or physical memory");
		return space == VH_PLUGIN_SPACE_PHYS ? vh_dump_read_phys(d->d, addr, buf, len)
						     : vh_kernel_read(d->d, d->km, addr, buf, len);
	}
	return vh_set_error(VH_ERR_INVAL, "unknown address space %d", space);
}

int vh_plugin_ctx_pages(struct vh_plugin_ctx *ctx, uint64_t start, uint64_t end,
			int (*fn)(void *arg, uint64_t start, uint64_t len), void *arg)
{
	struct vh_detect_ctx *d = ctx->dctx;

	if (!d->task)
		return vh_set_error(VH_ERR_INVAL, "no process to walk (finish())");
	if (!d->km)
		return vh_page_runs(d->d, NULL, 0, start, end, fn, arg);
	if (!d->root)
		return vh_set_error(VH_ERR_NOT_MAPPED, "pid %d: page tables not found",
				    (int)d->task->pid);
	return vh_page_runs(d->d, d->mmu, d->root, start, end, fn, arg);
}

/* A symbol the profile lacks, from the kernel's own kallsyms (loaded once per scan). */
static int kallsyms_symbol(struct vh_plugin_ctx *ctx, const char *name, uint64_t *addr)
{
	struct vh_plugins *ps = ctx->a->ps;
	struct vh_ksym k;

	if (!ps->ksyms_tried) {
		ps->ksyms_tried = true;
		if (vh_kallsyms_load(ctx->dctx->d, ctx->dctx->km, 0, &ps->ksyms))
			ps->ksyms = NULL;
	}
	if (!ps->ksyms || vh_kallsyms_lookup(ps->ksyms, name, &k))
		return vh_set_error(VH_ERR_NOT_PRESENT, "no kernel symbol '%s'", name);
	*addr = k.addr;
	return VH_OK;
}

int vh_plugin_ctx_symbol(struct vh_plugin_ctx *ctx, const char *name, uint64_t *addr)
{
	const struct vh_detect_ctx *d = ctx->dctx;
	struct vh_prof_entry e;

	if (!d->km || !d->prof)
		return vh_set_error(VH_ERR_NOT_PRESENT, "no kernel symbols in a process core");
	if (!vh_profile_lookup(d->prof, name, &e) && e.kind == VH_PROF_SYMBOL &&
	    vh_present((const struct vh_symbol *)e.value)) {
		*addr = ((const struct vh_symbol *)e.value)->addr + d->km->kaslr_offset;
		return VH_OK;
	}
	return kallsyms_symbol(ctx, name, addr);
}

int vh_plugin_ctx_member_offset(struct vh_plugin_ctx *ctx, const char *name, uint64_t *offset)
{
	const struct vh_profile *p = ctx->dctx->prof;
	struct vh_prof_entry e;

	if (!p || vh_profile_lookup(p, name, &e) || e.kind != VH_PROF_MEMBER ||
	    !vh_present((const struct vh_member *)e.value))
		return vh_set_error(VH_ERR_NOT_PRESENT, "no member '%s' in the kernel's profile",
				    name);
	*offset = ((const struct vh_member *)e.value)->offset;
	return VH_OK;
}

void vh_plugin_ctx_warn(struct vh_plugin_ctx *ctx, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vh_detect_warn(ctx->dctx, "%s: %s", ctx->a->det.id, msg);
}

/* ---- findings ---- */

struct vh_plugin_finding {
	struct vh_plugin_ctx ctx;
	const char *detector; /* the plugin's id (static data of the plugin) */
	int severity;
	uint64_t start, end, at;
	char *reason;
	struct vh_finding_note *notes;
	size_t nnotes;
	size_t dropped;	 /* notes past MAX_NOTES */
	const char *bad; /* why the finding is refused, NULL when it is not */
};

/* The plugin's detector named @id (any of its detectors), or NULL. */
static const char *own_detector(const struct vh_plugin_ctx *ctx, const char *id)
{
	const struct vh_loaded *lp = &ctx->a->ps->v[ctx->a->plugin];

	for (size_t i = 0; id && i < lp->nadapters; i++)
		if (!strcmp(lp->adapters[i].det.id, id))
			return lp->adapters[i].det.id;
	return NULL;
}

struct vh_plugin_finding *vh_plugin_finding_new(struct vh_plugin_ctx *ctx, const char *detector,
						int severity, uint64_t start, uint64_t end,
						const char *reason)
{
	struct vh_plugin_finding *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->ctx = *ctx;
	f->detector = own_detector(ctx, detector);
	f->severity = severity;
	f->start = start;
	f->end = end;
	f->reason = strdup(reason ? reason : "");
	if (!f->detector)
		f->bad = "the detector id is not one of the plugin's";
	else if (severity < VH_PLUGIN_SEV_INFO || severity > VH_PLUGIN_SEV_HIGH)
		f->bad = "the severity is not one of VH_PLUGIN_SEV_*";
	else if (!f->reason)
		f->bad = "out of memory";
	return f;
}

static bool valid_key(const char *k)
{
	if (!k || !*k)
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_'))
			return false;
	return true;
}

/* Appends a note (copies); false when out of memory. */
static bool add_note(struct vh_plugin_finding *f, const char *key, const char *value)
{
	struct vh_finding_note *grown = realloc(f->notes, (f->nnotes + 1) * sizeof(*grown));
	char *k, *v;

	if (!grown)
		return false;
	f->notes = grown;
	k = strdup(key);
	v = strdup(value ? value : "");
	if (!k || !v) {
		free(k);
		free(v);
		return false;
	}
	f->notes[f->nnotes].key = k;
	f->notes[f->nnotes++].value = v;
	return true;
}

void vh_plugin_finding_note(struct vh_plugin_finding *f, const char *key, const char *value)
{
	if (!f || f->bad)
		return;
	if (!valid_key(key))
		f->bad = "a note's key must be letters a-z, digits or _";
	else if (f->nnotes >= MAX_NOTES)
		f->dropped++;
	else if (!add_note(f, key, value))
		f->bad = "out of memory";
}

void vh_plugin_finding_evidence(struct vh_plugin_finding *f, uint64_t at)
{
	if (f)
		f->at = at;
}

static void finding_free(struct vh_plugin_finding *f)
{
	for (size_t i = 0; i < f->nnotes; i++) {
		free((char *)f->notes[i].key);
		free((char *)f->notes[i].value);
	}
	free(f->notes);
	free(f->reason);
	free(f);
}

/* The process's VMA holding @addr, or NULL (hidden pages, or finish()). */
static const struct vh_vma *vma_at(const struct vh_detect_ctx *d, uint64_t addr)
{
	for (size_t i = 0; d->vmas && i < d->vmas->nvmas; i++)
		if (addr >= d->vmas->vmas[i].start && addr < d->vmas->vmas[i].end)
			return &d->vmas->vmas[i];
	return NULL;
}

int vh_plugin_finding_emit(struct vh_plugin_finding *f)
{
	struct vh_finding vf;
	char count[32];
	int err;

	if (!f)
		return vh_set_error(VH_ERR_NOMEM, "out of memory making a finding");
	if (f->bad) {
		err = vh_set_error(VH_ERR_INVAL, "plugin detector %s: finding refused: %s",
				   f->ctx.a->det.id, f->bad);
		finding_free(f);
		return err;
	}
	snprintf(count, sizeof(count), "%zu", f->dropped);
	if (f->dropped && !add_note(f, "notes_dropped", count)) {
		finding_free(f);
		return vh_set_error(VH_ERR_NOMEM, "out of memory making a finding");
	}
	memset(&vf, 0, sizeof(vf));
	vf.detector = f->detector;
	vf.severity = (enum vh_severity)f->severity;
	vf.start = f->start;
	vf.end = f->end;
	vf.reason = f->reason;
	vf.notes = f->notes;
	vf.nnotes = f->nnotes;
	err = vh_detect_emit(f->ctx.dctx, &vf, vma_at(f->ctx.dctx, f->start), f->at);
	finding_free(f);
	return err;
}
