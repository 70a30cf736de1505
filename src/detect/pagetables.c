/* SPDX-License-Identifier: MIT */
/*
 * The page-table detectors: they compare what a process's page tables map
 * with what its VMAs say. Page tables and struct pages are kernel memory, so
 * these work on dumps without user pages (makedumpfile -d 31) too.
 *
 *   hidden-pages   present user pages (and swap entries) outside every VMA
 *   pte-perm       a page mapped with more rights than its VMA grants
 *   code-modified  a page of an executable file mapping that is no longer the
 *                  file's page (copied on write, or dirty in a shared mapping)
 *
 * Each uses only the interface of <vmahunt/detect.h>, as a plugin would.
 */
#include <vmahunt/detect.h>

#include "detect/detectors.h"
#include "kernel/pages.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 4096ull
/* x86-64 PTE bit 6: written through this entry (include/asm/pgtable_types.h). */
#define PTE_DIRTY (1ull << 6)
/* page->mapping bit 0: an anonymous page (include/linux/page-flags.h). */
#define PAGE_MAPPING_ANON 0x1ull
/* Findings per process and detector; the rest are counted in one warning. */
#define MAX_RUNS 256

/* The end of the user half (x86-64: 128 TiB with 4 levels, 64 PiB with 5). */
static uint64_t user_end(const struct vh_detect_ctx *ctx)
{
	return vh_mmu_user_end(ctx->mmu);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static const char *errname(int err)
{
	return vh_strerror(err);
}

/* One warning for what a walk of @what could not do. */
static void warn_walk(struct vh_detect_ctx *ctx, const char *what, const struct vh_walk_stats *st)
{
	if (st->unreadable)
		vh_detect_warn(ctx,
			       "%s: page-table pages unreadable: %" PRIu64 " (first at physical "
			       "0x%" PRIx64 ": %s): the pages they map were not checked",
			       what, st->unreadable, st->first_unreadable,
			       errname(st->first_unreadable_err));
	if (st->revisited)
		vh_detect_warn(ctx,
			       "%s: entries leading to a table already walked: %" PRIu64
			       " (first 0x%" PRIx64 "): a cycle or a shared table, walked once",
			       what, st->revisited, st->first_revisited);
	if (st->truncated)
		vh_detect_warn(ctx, "%s: the walk stopped after %" PRIu64 " table pages", what,
			       st->tables);
}

/* A run of adjacent pages of one kind, reported as one finding. */
struct run {
	uint64_t start, end;
	uint64_t first; /* physical address (present pages) or entry (swap) of the first page */
	const char *kind;
	bool open;
};

/* ---- hidden-pages ---- */

struct hidden {
	struct vh_detect_ctx *ctx;
	const struct vh_vma *v; /* the process's VMAs, sorted by start */
	size_t n, cur;
	struct run present, swap;
	unsigned emitted;
	uint64_t dropped; /* runs beyond MAX_RUNS */
	int err;
};

static int hidden_emit(struct hidden *h, struct run *r)
{
	struct vh_finding f;
	char reason[256];
	uint64_t pages = (r->end - r->start) / PAGE_SIZE;
	bool present = !strcmp(r->kind, "present");
	/* a VMA the walk of a damaged tree missed looks the same: say so */
	const char *damaged = h->ctx->vmas->partial ? " (the VMA list is damaged or incomplete: "
						      "see the warnings)"
						    : "";

	r->open = false;
	if (h->emitted >= MAX_RUNS) {
		h->dropped++;
		return VH_OK;
	}
	h->emitted++;
	memset(&f, 0, sizeof(f));
	f.reason = reason;
	f.detector = "hidden-pages";
	f.kind = r->kind;
	f.start = r->start;
	f.end = r->end;
	if (present) {
		f.severity = VH_SEV_HIGH;
		snprintf(reason, sizeof(reason),
			 "%" PRIu64
			 " present page%s outside every VMA (first at physical 0x%" PRIx64
			 "): memory mapped behind the kernel's back%s",
			 pages, pages == 1 ? "" : "s", r->first, damaged);
	} else {
		f.severity = VH_SEV_MEDIUM;
		snprintf(reason, sizeof(reason),
			 "%" PRIu64 " swap or migration entr%s outside every VMA (first 0x%" PRIx64
			 "): swapped-out memory no VMA covers%s",
			 pages, pages == 1 ? "y" : "ies", r->first, damaged);
	}
	return vh_detect_emit(h->ctx, &f, NULL, present ? r->start : 0);
}

/* Adds [start, end) to the run of its kind, or closes that run and opens another. */
static int hidden_add(struct hidden *h, struct run *r, uint64_t start, uint64_t end, uint64_t first)
{
	int err = VH_OK;

	if (r->open && r->end == start) {
		r->end = end;
		return VH_OK;
	}
	if (r->open)
		err = hidden_emit(h, r);
	r->start = start;
	r->end = end;
	r->first = first;
	r->open = true;
	return err;
}

/* Splits [va, end) into the parts VMAs cover (skipped) and the rest (added to @r). */
static int hidden_classify(struct hidden *h, struct run *r, uint64_t va, uint64_t end,
			   uint64_t first, bool present)
{
	uint64_t pos = va;
	int err = VH_OK;

	while (pos < end && !err) {
		uint64_t next;

		while (h->cur < h->n && h->v[h->cur].end <= pos)
			h->cur++;
		if (h->cur < h->n && h->v[h->cur].start <= pos) {
			pos = min_u64(h->v[h->cur].end, end);
			continue;
		}
		next = h->cur < h->n ? min_u64(h->v[h->cur].start, end) : end;
		err = hidden_add(h, r, pos, next, present ? first + (pos - va) : first);
		pos = next;
	}
	return err;
}

static int hidden_page(const struct vh_mapping *m, int present, void *arg)
{
	struct hidden *h = arg;

	h->err = hidden_classify(h, present ? &h->present : &h->swap, m->vaddr,
				 m->vaddr + m->page_size, present ? m->paddr : m->entry, present);
	return h->err;
}

static int hidden_pages_task(void *st, struct vh_detect_ctx *ctx)
{
	struct hidden h = {.ctx = ctx,
			   .v = ctx->vmas->vmas,
			   .n = ctx->vmas->nvmas,
			   .present = {.kind = "present"},
			   .swap = {.kind = "swap"}};
	struct vh_walk_stats ws;
	int err;

	(void)st;
	if (!ctx->root)
		return VH_OK; /* the engine warned: no page tables */
	err = vh_walk(ctx->d, ctx->mmu, ctx->root, 0, user_end(ctx), hidden_page, &h, &ws);
	if (err && err != h.err)
		return err == VH_ERR_NOMEM ? err : VH_OK;
	if (h.err)
		return h.err;
	if (h.present.open && (err = hidden_emit(&h, &h.present)))
		return err;
	if (h.swap.open && (err = hidden_emit(&h, &h.swap)))
		return err;
	warn_walk(ctx, "user page tables", &ws);
	if (h.dropped)
		vh_detect_warn(ctx,
			       "hidden-pages: %" PRIu64 " more runs of pages outside every VMA "
			       "not reported (at most %d per process)",
			       h.dropped, MAX_RUNS);
	return VH_OK;
}

/* ---- pte-perm and code-modified: pages against the VMA they are in ---- */

/* The VMA's own mappings; [vsyscall] is the kernel's (no user page tables). */
static bool walkable(const struct vh_detect_ctx *ctx, const struct vh_vma *v)
{
	return ctx->root && !(v->found & VH_VMA_GATE) && v->start < v->end &&
	       v->end <= user_end(ctx);
}

struct vma_walk {
	struct vh_detect_ctx *ctx;
	const struct vh_vma *v;	   /* the VMA of the open run */
	const struct vh_vma *vmas; /* pte-perm: all of them, sorted, and a cursor */
	size_t n, cur;
	struct run run;
	unsigned emitted;
	uint64_t dropped;
	int err;
	/* code-modified: where struct pages are */
	uint64_t vmemmap;
	/* pte-perm: runs kept until the end of the walk, and what it saw */
	struct pending {
		struct run run;
		const struct vh_vma *v;
	} * pending;
	size_t npending;
	bool present, nx_seen;
};

static const char *widened(const struct vh_vma *v, const struct vh_mapping *m)
{
	bool w = m->writable && !(v->flags & VH_VM_WRITE);
	bool x = m->executable && !(v->flags & VH_VM_EXEC);

	return w && x ? "writable+executable" : w ? "writable" : x ? "executable" : NULL;
}

/* Emits one pte-perm run of VMA @v as a finding. */
static int perm_finding(struct vh_detect_ctx *ctx, const struct run *r, const char *kind,
			const struct vh_vma *v)
{
	struct vh_finding f;
	char reason[256];
	uint64_t pages = (r->end - r->start) / PAGE_SIZE;

	memset(&f, 0, sizeof(f));
	f.reason = reason;
	f.detector = "pte-perm";
	f.kind = kind;
	f.severity = VH_SEV_HIGH;
	f.start = r->start;
	f.end = r->end;
	snprintf(reason, sizeof(reason),
		 "%" PRIu64 " page%s mapped %s in a %s VMA: page-table entries wider than the VMA",
		 pages, pages == 1 ? "" : "s", kind, v->perms);
	return vh_detect_emit(ctx, &f, v, r->start);
}

/* Keeps the open run until the walk says whether the process uses NX at all. */
static int perm_emit(struct vma_walk *w)
{
	w->run.open = false;
	if (w->npending >= MAX_RUNS) {
		w->dropped++;
		return VH_OK;
	}
	w->pending[w->npending].run = w->run;
	w->pending[w->npending++].v = w->v;
	return VH_OK;
}

/*
 * Emits the kept runs. A kernel that does not use NX (no NX-capable CPU) sets
 * it in no PTE: then every page is executable and only writable ones count.
 */
static int perm_flush(struct vma_walk *w)
{
	int err = VH_OK;

	if (w->present && !w->nx_seen)
		vh_detect_warn(w->ctx, "pte-perm: no page of this process has NX set (the kernel "
				       "does not use NX?): executable PTEs not checked");
	for (size_t i = 0; i < w->npending && !err; i++) {
		const char *kind = w->pending[i].run.kind;

		if (!w->nx_seen && !strcmp(kind, "executable"))
			continue;
		if (!w->nx_seen && !strcmp(kind, "writable+executable"))
			kind = "writable";
		err = perm_finding(w->ctx, &w->pending[i].run, kind, w->pending[i].v);
	}
	return err;
}

/* Adds [start, end) of @kind; a different kind or a gap closes the open run. */
static int run_add(struct vma_walk *w, int (*emit)(struct vma_walk *), uint64_t start, uint64_t end,
		   const char *kind, uint64_t first)
{
	int err = VH_OK;

	if (w->run.open && w->run.end == start && !strcmp(w->run.kind, kind)) {
		w->run.end = end;
		return VH_OK;
	}
	if (w->run.open)
		err = emit(w);
	w->run = (struct run){.start = start, .end = end, .kind = kind, .first = first, .open = 1};
	return err;
}

/* Walks the VMA's pages with @fn; closes the last run with @emit; warns on damage. */
static int walk_vma(struct vma_walk *w, vh_mapping_fn fn, int (*emit)(struct vma_walk *),
		    const char *id)
{
	struct vh_walk_stats ws;
	int err = vh_walk(w->ctx->d, w->ctx->mmu, w->ctx->root, w->v->start, w->v->end, fn, w, &ws);

	if (err && err != w->err)
		return err == VH_ERR_NOMEM ? err : VH_OK;
	if (w->err)
		return w->err;
	if (w->run.open && (err = emit(w)))
		return err;
	if (ws.unreadable || ws.revisited || ws.truncated) {
		char what[96];

		snprintf(what, sizeof(what), "%s: VMA 0x%" PRIx64 "-0x%" PRIx64, id, w->v->start,
			 w->v->end);
		warn_walk(w->ctx, what, &ws);
	}
	if (w->dropped)
		vh_detect_warn(w->ctx,
			       "%s: VMA 0x%" PRIx64 "-0x%" PRIx64 ": %" PRIu64
			       " more runs not reported (at most %d per VMA)",
			       id, w->v->start, w->v->end, w->dropped, MAX_RUNS);
	return VH_OK;
}

/* The part [start, end) of mapping @m that lies in VMA @v. */
static int perm_segment(struct vma_walk *w, const struct vh_vma *v, const struct vh_mapping *m,
			uint64_t start, uint64_t end)
{
	const char *kind = widened(v, m);
	int err;

	if (!kind)
		return VH_OK;
	if (w->v != v) {
		if (w->run.open && (err = perm_emit(w)))
			return err;
		w->v = v; /* a run never spans two VMAs */
	}
	return run_add(w, perm_emit, start, end, kind, m->paddr);
}

/* One mapping against every VMA it overlaps (a huge page may span several). */
static int perm_page(const struct vh_mapping *m, int present, void *arg)
{
	struct vma_walk *w = arg;
	uint64_t end = m->vaddr + m->page_size;

	if (!present)
		return VH_OK;
	w->present = true;
	w->nx_seen |= !m->executable;
	while (w->cur < w->n && w->vmas[w->cur].end <= m->vaddr)
		w->cur++;
	for (size_t i = w->cur; !w->err && i < w->n && w->vmas[i].start < end; i++) {
		const struct vh_vma *v = &w->vmas[i];

		if (v->end > m->vaddr && !(v->found & VH_VMA_GATE))
			w->err = perm_segment(w, v, m, max_u64(m->vaddr, v->start),
					      min_u64(end, v->end));
	}
	return w->err;
}

/* One walk of the whole user half with a cursor over the sorted VMAs. */
static int pte_perm_task(void *st, struct vh_detect_ctx *ctx)
{
	struct pending pending[MAX_RUNS];
	struct vma_walk w = {
	    .ctx = ctx, .vmas = ctx->vmas->vmas, .n = ctx->vmas->nvmas, .pending = pending};
	struct vh_walk_stats ws;
	int err;

	(void)st;
	if (!ctx->root)
		return VH_OK; /* the engine warned: no page tables */
	err = vh_walk(ctx->d, ctx->mmu, ctx->root, 0, user_end(ctx), perm_page, &w, &ws);
	if (err && err != w.err)
		return err == VH_ERR_NOMEM ? err : VH_OK;
	if (w.err)
		return w.err;
	if (w.run.open)
		perm_emit(&w);
	if ((err = perm_flush(&w)))
		return err;
	warn_walk(ctx, "pte-perm: user page tables", &ws);
	if (w.dropped)
		vh_detect_warn(
		    ctx, "pte-perm: %" PRIu64 " more runs not reported (at most %d per process)",
		    w.dropped, MAX_RUNS);
	return VH_OK;
}

/* ---- code-modified ---- */

/* What code-modified learns once per run: where the struct page array is. */
struct code_state {
	bool tried, ok;
	uint64_t vmemmap; /* the struct page of pfn 0 */
};

static int code_init(const struct vh_detector *self, void **state)
{
	(void)self;
	*state = calloc(1, sizeof(struct code_state));
	return *state ? VH_OK : VH_ERR_NOMEM;
}

static void code_fini(void *state)
{
	free(state);
}

/* Finds the struct pages once; warns once when they cannot be found. */
static bool code_ready(struct code_state *cs, struct vh_detect_ctx *ctx)
{
	const struct vh_profile *p = ctx->prof;
	const char *missing = NULL;
	struct vh_vmemmap vm = {0};

	if (cs->tried)
		return cs->ok;
	cs->tried = true;
	if (!p || !ctx->km)
		missing = "no kernel profile";
	else if (!p->page.type.size || p->page.mapping.offset == VH_ABSENT)
		missing = "no struct page layout (size, mapping) in the profile";
	else
		vh_vmemmap_find(ctx->d, ctx->km, p, &vm, &missing);
	if (missing) {
		const struct vh_task *t = ctx->task;

		ctx->task = NULL; /* one warning for the run, not the process */
		vh_detect_warn(ctx, "code-modified skipped: %s", missing);
		ctx->task = t;
		return false;
	}
	cs->vmemmap = vm.base;
	cs->ok = true;
	return true;
}

/* Reads the page->mapping of the page at physical @paddr (its head's, for a tail page). */
static int page_mapping(struct vma_walk *w, uint64_t paddr, uint64_t *mapping)
{
	const struct vh_profile *p = w->ctx->prof;
	uint64_t page = w->vmemmap + (paddr / PAGE_SIZE) * p->page.type.size;
	uint64_t head;
	int err;

	if (p->page.compound_head.offset != VH_ABSENT) {
		err = vh_kernel_read(w->ctx->d, w->ctx->km, page + p->page.compound_head.offset,
				     &head, sizeof(head));
		if (err)
			return err;
		if (head & 1)
			page = head - 1; /* a tail page: the folio's head holds the mapping */
	}
	return vh_kernel_read(w->ctx->d, w->ctx->km, page + p->page.mapping.offset, mapping,
			      sizeof(*mapping));
}

/*
 * page->mapping of an anonymous page: an anon_vma (or KSM node) pointer, a
 * kernel address, with PAGE_MAPPING_ANON set. Requiring the pointer keeps out
 * the counters a tail page holds at that offset (where the kernel has no
 * compound_head member to recognise a tail by, 7.x).
 */
static bool is_anon(const struct vh_kernel_map *km, uint64_t mapping)
{
	return (mapping & PAGE_MAPPING_ANON) && (mapping & ~3ull) >= vh_kernel_half_start(km);
}

static int code_emit(struct vma_walk *w)
{
	struct vh_finding f;
	char reason[256];
	uint64_t pages = (w->run.end - w->run.start) / PAGE_SIZE;
	uint64_t off = w->v->pgoff * PAGE_SIZE + (w->run.start - w->v->start);
	bool cow = !strcmp(w->run.kind, "cow");

	w->run.open = false;
	if (w->emitted++ >= MAX_RUNS) {
		w->dropped++;
		return VH_OK;
	}
	memset(&f, 0, sizeof(f));
	f.reason = reason;
	f.detector = "code-modified";
	f.kind = w->run.kind;
	f.severity = cow ? VH_SEV_HIGH : VH_SEV_MEDIUM;
	f.start = w->run.start;
	f.end = w->run.end;
	snprintf(reason, sizeof(reason),
		 cow ? "%" PRIu64 " page%s at file offset 0x%" PRIx64
		       " no longer the file's: copied on write (anonymous), code patched in memory"
		     : "%" PRIu64 " page%s at file offset 0x%" PRIx64
		       " written through a shared executable mapping (dirty)",
		 pages, pages == 1 ? "" : "s", off);
	return vh_detect_emit(w->ctx, &f, w->v, w->run.start);
}

static int code_page(const struct vh_mapping *m, int present, void *arg)
{
	struct vma_walk *w = arg;
	uint64_t start, end, mapping;
	const char *kind = NULL;

	if (!present)
		return VH_OK;
	start = max_u64(m->vaddr, w->v->start);
	end = min_u64(m->vaddr + m->page_size, w->v->end);
	if (w->v->flags & VH_VM_SHARED) {
		if (m->entry & PTE_DIRTY)
			kind = "dirty";
	} else if (!page_mapping(w, m->paddr + (start - m->vaddr), &mapping) &&
		   is_anon(w->ctx->km, mapping)) {
		kind = "cow";
	}
	if (!kind)
		return VH_OK;
	w->err = run_add(w, code_emit, start, end, kind, m->paddr);
	return w->err;
}

static int code_modified_vma(void *st, struct vh_detect_ctx *ctx, const struct vh_vma *v)
{
	struct code_state local = {0}, *cs = st ? st : &local;
	struct vma_walk w = {.ctx = ctx, .v = v};

	if (!v->file || !(v->flags & VH_VM_EXEC) || !walkable(ctx, v))
		return VH_OK;
	if (!(v->flags & VH_VM_SHARED) && !code_ready(cs, ctx))
		return VH_OK;
	w.vmemmap = cs->vmemmap;
	return walk_vma(&w, code_page, code_emit, "code-modified");
}

const struct vh_detector vh_detector_hidden_pages = {
    .id = "hidden-pages",
    .summary = "present user pages (or swap entries) outside every VMA",
    .task = hidden_pages_task,
};

const struct vh_detector vh_detector_pte_perm = {
    .id = "pte-perm",
    .summary = "page-table entries wider than their VMA (writable or executable)",
    .task = pte_perm_task,
};

const struct vh_detector vh_detector_code_modified = {
    .id = "code-modified",
    .summary = "executable file pages copied on write or dirty (code patched in memory)",
    .init = code_init,
    .vma = code_modified_vma,
    .fini = code_fini,
};
