/* SPDX-License-Identifier: MIT */
/*
 * slab-xview: the objects the SLUB allocator holds for the kernel's task_struct,
 * mm_struct and vm_area_struct caches, against what the kernel's own lists,
 * trees and pid table reach (a cross view):
 *   orphan VMA  an allocated vm_area_struct of a live mm that is in none of the
 *               mm's VMA trees: a VMA unlinked from its tree stays allocated,
 *               its pages mapped, and every walker of the tree misses it (kind
 *               "orphan-vma");
 *   task        an allocated task_struct, alive, that neither the task list nor
 *               the pid table reaches (kind "orphan-task");
 *   mm          an allocated mm_struct with users that no task uses (kind
 *               "orphan-mm").
 *
 * How SLUB lays a cache out: a slab is a block of pages (a compound page) whose
 * head page's struct page (struct slab since 5.17, overlaying it) names the
 * cache (slab_cache), the slab's object count (objects) and its first free
 * object (freelist). Objects are s->size apart from the slab's start (after
 * s->red_left_pad with red zones); a free object holds the address of the next
 * free one at s->offset, masked with CONFIG_SLAB_FREELIST_HARDENED (since 5.7:
 * the pointer ^ s->random ^ the byte-swapped address it is stored at). Each
 * CPU's slab has a second chain, kmem_cache_cpu.freelist, in the per-CPU area.
 * 6.18+ adds per-CPU "sheaves" (arrays of freed objects the slab counts as
 * allocated), and 7.x keeps only those: freed objects they hold are told by
 * their content (a detached VMA, a dead task, an mm without users).
 *
 * finish() walks the struct page array once (where the kernel maps it), keeps
 * the head pages of the three caches' slabs, reads each slab, marks its free
 * objects and judges the others. Every chain is bounded by the slab's object
 * count; a pointer outside the slab makes the slab undecodable (counted, one
 * warning), never a finding.
 */
#include <vmahunt/detect.h>

#include "detect/detectors.h"
#include "kernel/pages.h"
#include "util/grow.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DET	  "slab-xview"
#define PAGE_SIZE ((uint64_t)4096)
/* struct pages read at a time */
#define PAGE_CHUNK   64
#define MAX_PFN_BITS 36
/* A slab is at most this many pages (order 5; SLUB uses up to order 3) and objects */
#define MAX_SLAB_PAGES 32
#define MAX_OBJECTS    4096
#define MAX_CPUS       8192
/* Findings per kind; more are counted in one warning. */
#define MAX_FINDINGS 64
/* include/linux/sched.h: __state bits and exit_state values, PF_IDLE */
#define TASK_DEAD  0x0080u
#define TASK_NEW   0x0800u
#define EXIT_DEAD  0x0010u
#define PF_IDLE	   0x0002u
#define PF_KTHREAD 0x00200000u
/* user addresses end below this (5-level paging included) */
#define USER_END (1ull << 57)
/* mm_users above this is not a count */
#define MAX_USERS (1 << 22)

enum kind { K_TASK, K_MM, K_VMA, NKINDS };

struct cache {
	const char *type; /* "task_struct" */
	uint64_t addr;	  /* struct kmem_cache *; 0: skipped */
	struct vh_slab_cache c;
	uint64_t slabs, objects, allocated, undecodable;
};

/* A CPU's slab and its free chain. */
struct cpu_slab {
	uint64_t page; /* the slab's struct page (struct slab) address */
	uint64_t freelist;
};

/* A VMA some tree holds: (mm, start, end), and its address. */
struct tree_vma {
	uint64_t mm, start, end;
};

/* A process scanned: its mm, as its tree was read. */
struct mmrec {
	uint64_t mm;
	int32_t pid;
	bool damaged;	   /* its VMA tree could not be read whole */
	int32_t map_count; /* mm->map_count, -1 unreadable */
	uint32_t ntree;	   /* VMAs its tree holds */
	char comm[65];
};

struct xv_state {
	bool tried, ok;
	uint64_t vmemmap, page_offset, max_pfn;
	struct cache cache[NKINDS];
	struct cpu_slab *cpus;
	size_t ncpus, capcpus;
	bool sheaves; /* 6.18+: some freed objects sit in per-CPU sheaves */
	struct tree_vma *tv;
	size_t ntv, captv;
	uint64_t *vaddrs; /* addresses of the VMAs the trees hold */
	size_t nva, capva;
	struct mmrec *mms;
	size_t nmm, capmm;
	uint64_t *tasks, *task_mms; /* sorted: task_structs and mm_structs the task list has */
	size_t ntasks, ntask_mms;
	size_t emitted[NKINDS], dropped[NKINDS];
	uint64_t skipped_detached, bad_slabs, unreadable;
	unsigned char *obj; /* the slab being judged */
	uint8_t *free;
};

static int xv_init(const struct vh_detector *self, void **state)
{
	(void)self;
	*state = calloc(1, sizeof(struct xv_state));
	return *state ? VH_OK : VH_ERR_NOMEM;
}

static void xv_fini(void *state)
{
	struct xv_state *s = state;

	if (s) {
		free(s->cpus);
		free(s->tv);
		free(s->vaddrs);
		free(s->mms);
		free(s->tasks);
		free(s->task_mms);
		free(s->obj);
		free(s->free);
	}
	free(s);
}

static int kread(const struct vh_detect_ctx *ctx, uint64_t addr, void *buf, size_t len)
{
	return vh_kernel_read(ctx->d, ctx->km, addr, buf, len);
}

static uint64_t swab64(uint64_t x)
{
	return __builtin_bswap64(x);
}

/* --- the slab itself: which objects its free chains reach ---------------- */

int vh_slab_free(const struct vh_slab_cache *c, uint64_t base, const unsigned char *mem, size_t len,
		 uint32_t nobj, const uint64_t *heads, size_t nheads, uint8_t *free)
{
	uint64_t first = base + c->red_left_pad;

	if (c->size < 8 || c->offset > c->size - 8 || nobj == 0 ||
	    (uint64_t)c->red_left_pad + (uint64_t)nobj * c->size > len)
		return VH_ERR_CORRUPT;
	memset(free, 0, (nobj + 7) / 8);
	for (size_t h = 0; h < nheads; h++) {
		uint64_t p = heads[h];

		/* at most nobj steps: a longer chain loops */
		for (uint32_t steps = 0; p; steps++) {
			uint64_t i, at, next;

			if (steps >= nobj || p < first || (p - first) % c->size ||
			    (i = (p - first) / c->size) >= nobj)
				return VH_ERR_CORRUPT;
			if (free[i / 8] & (1u << (i % 8)))
				return VH_ERR_CORRUPT; /* reached twice: a loop or two chains joined
							*/
			free[i / 8] |= (uint8_t)(1u << (i % 8));
			at = p - base + c->offset;
			memcpy(&next, mem + at, 8);
			if (c->hardened)
				next ^= c->random ^ swab64(p + c->offset);
			p = next;
		}
	}
	return VH_OK;
}

/* --- setup ---------------------------------------------------------------- */

/* @type_size: the bytes of an object read (0: the structure is unknown) */
static const char *read_cache(struct xv_state *s, struct vh_detect_ctx *ctx, struct cache *c,
			      const struct vh_symbol *sym, uint32_t type_size)
{
	const struct vh_profile *p = ctx->prof;
	unsigned char b[1024] = {0};
	const struct vh_prof_kmem_cache *k = &p->kmem_cache;
	size_t n = k->type.size < sizeof(b) ? k->type.size : sizeof(b);
	int32_t refcount = 1;

	(void)s;
	if (!vh_present(sym) || !type_size)
		return "the profile has no such cache symbol or structure";
	if (kread(ctx, sym->addr + ctx->km->kaslr_offset, &c->addr, 8) || !c->addr)
		return "its cache pointer is unreadable";
	/* its node[] array makes it kilobytes: the members used come first */
	if (kread(ctx, c->addr, b, n))
		return "its struct kmem_cache is unreadable";
	/* the members of struct vh_prof_kmem_cache, cpu_slab to name, all lie in @b
	 * (a profile from the dump's own BTF is no more trusted than the dump) */
	for (const struct vh_member *m = &k->cpu_slab; m <= &k->name; m++)
		if (vh_present(m) && (uint64_t)m->offset + 8 > n)
			return "its struct kmem_cache has an unexpected layout";
	memcpy(&c->c.size, b + k->size.offset, 4);
	memcpy(&c->c.offset, b + k->offset.offset, 4);
	if (vh_present(&k->red_left_pad))
		memcpy(&c->c.red_left_pad, b + k->red_left_pad.offset, 4);
	c->c.hardened = vh_present(&k->random);
	if (c->c.hardened)
		memcpy(&c->c.random, b + k->random.offset, 8);
	if (vh_present(&k->refcount))
		memcpy(&refcount, b + k->refcount.offset, 4);
	if (vh_present(&k->object_size)) {
		uint32_t osz;

		memcpy(&osz, b + k->object_size.offset, 4);
		/* objects are not sizeof(struct): x86's task_struct ends with FPU state
		 * cut to the CPU's size, mm_struct with a cpumask; what is read must fit */
		if (osz < type_size)
			return "its objects are smaller than the members read";
	}
	/* another cache merged into this one (or this one into another) counts here */
	if (refcount > 1)
		return "the cache is merged with others (objects of other types share its "
		       "slabs)";
	if (c->c.size < type_size || c->c.size < 8 || c->c.size > 1u << 20 ||
	    c->c.offset > c->c.size - 8 || c->c.red_left_pad >= c->c.size)
		return "its layout (size, offset, red_left_pad) is not believable";
	return NULL;
}

/* Each CPU's slab and free chain (before 7.x). */
static int read_cpus(struct xv_state *s, struct vh_detect_ctx *ctx, const struct cache *c)
{
	const struct vh_profile *p = ctx->prof;
	uint64_t pcpu = 0, offs[64], k = ctx->km->kaslr_offset;
	uint32_t ncpu = 0;

	if (!vh_present(&p->kmem_cache.cpu_slab) || !vh_present(&p->kmem_cache_cpu.freelist) ||
	    !vh_present(&p->kmem_cache_cpu.slab))
		return VH_ERR_UNSUPPORTED;
	if (!vh_present(&p->sym.per_cpu_offset) || !vh_present(&p->sym.nr_cpu_ids) ||
	    kread(ctx, p->sym.nr_cpu_ids.addr + k, &ncpu, 4) || ncpu == 0 || ncpu > MAX_CPUS ||
	    kread(ctx, c->addr + p->kmem_cache.cpu_slab.offset, &pcpu, 8))
		return VH_ERR_CORRUPT;
	for (uint32_t cpu = 0; cpu < ncpu; cpu++) {
		struct cpu_slab cs;
		uint64_t base;

		if (cpu % 64 == 0 && kread(ctx, p->sym.per_cpu_offset.addr + k + 8ull * cpu, offs,
					   8 * (ncpu - cpu < 64 ? ncpu - cpu : 64)))
			return VH_ERR_CORRUPT;
		base = pcpu + offs[cpu % 64];
		if (kread(ctx, base + p->kmem_cache_cpu.slab.offset, &cs.page, 8) ||
		    kread(ctx, base + p->kmem_cache_cpu.freelist.offset, &cs.freelist, 8))
			return VH_ERR_CORRUPT;
		if (!cs.page)
			continue;
		struct cpu_slab *n = vh_grow(s->cpus, s->ncpus, &s->capcpus, sizeof(*n), 64);

		if (!n)
			return VH_ERR_NOMEM;
		s->cpus = n;
		s->cpus[s->ncpus++] = cs;
	}
	return VH_OK;
}

static const char *not_ready(struct xv_state *s, struct vh_detect_ctx *ctx)
{
	struct vh_vmemmap vm;
	const char *why;
	const struct vh_profile *p = ctx->prof;
	const struct vh_prof_page *pg = &p->page;
	const struct vh_member *sc =
	    vh_present(&p->slab.slab_cache) ? &p->slab.slab_cache : &pg->slab_cache;
	const struct vh_member *words[] = {
	    sc,		  &p->slab.freelist, &pg->freelist, &p->slab.objects,
	    &pg->objects, &pg->flags,	     &pg->_mapcount};

	if (!pg->type.size || pg->type.size > 256 || !p->kmem_cache.type.size ||
	    !vh_present(&p->kmem_cache.size) || !vh_present(&p->kmem_cache.offset) ||
	    !vh_present(sc))
		return "no SLUB layout (struct kmem_cache, struct slab or page.slab_cache): a "
		       "kernel with SLAB or SLOB, or a profile without types";
	/*
	 * A slab page must be told from a freed one: a page freed into a larger block
	 * keeps what its struct page said. Before 6.10 slab_cache shares its word with
	 * page->mapping, which freeing clears; after, PG_slab is gone and the page type
	 * is the only sign.
	 */
	if (!vh_present(&p->c.PG_slab) && !vh_present(&p->c.PAGE_SLAB_MAPCOUNT_VALUE) &&
	    (!vh_present(&pg->mapping) || sc->offset != pg->mapping.offset))
		return "slab pages cannot be told from freed ones (VMCOREINFO gives neither "
		       "PG_slab nor PAGE_SLAB_MAPCOUNT_VALUE)";
	/* the words read from a struct page lie in it (a BTF profile comes from the dump) */
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (vh_present(words[i]) && (uint64_t)words[i]->offset + 8 > pg->type.size)
			return "the struct page layout is not believable";
	if (vh_vmemmap_find(ctx->d, ctx->km, p, &vm, &why) ||
	    vh_linear_base(ctx->d, ctx->km, p, &s->page_offset, &why))
		return why;
	s->vmemmap = vm.base;
	s->max_pfn = vh_detect_ram_pfns(ctx->d, MAX_PFN_BITS);
	return NULL;
}

static void setup_caches(struct xv_state *s, struct vh_detect_ctx *ctx)
{
	const struct vh_profile *p = ctx->prof;
	struct {
		const char *type;
		const struct vh_symbol *sym;
		uint32_t size;
	} want[NKINDS] = {
	    [K_TASK] = {"task_struct", &p->sym.task_struct_cachep, p->task_struct.type.size},
	    [K_MM] = {"mm_struct", &p->sym.mm_cachep, p->mm_struct.type.size},
	    [K_VMA] = {"vm_area_struct", &p->sym.vm_area_cachep, p->vm_area_struct.type.size},
	};
	bool any = false;
	const struct vh_member *used[NKINDS][8] = {
	    [K_TASK] = {&p->task_struct.state, &p->task_struct.flags, &p->task_struct.pid,
			&p->task_struct.tgid, &p->task_struct.exit_state, &p->task_struct.mm,
			&p->task_struct.comm},
	    [K_MM] = {&p->mm_struct.mm_users, &p->mm_struct.owner},
	    [K_VMA] = {&p->vm_area_struct.vm_start, &p->vm_area_struct.vm_end,
		       &p->vm_area_struct.vm_mm, &p->vm_area_struct.detached,
		       &p->vm_area_struct.vm_refcnt},
	};

	/* the bytes of an object read: up to the end of its last member used */
	for (int i = 0; i < NKINDS; i++) {
		uint32_t need = 0;

		for (int j = 0; j < 8 && used[i][j]; j++) {
			const struct vh_member *m = used[i][j];
			uint32_t end = m->offset + (m->size ? m->size : 8);

			if (vh_present(m) && end > need)
				need = end;
		}
		want[i].size = want[i].size ? need : 0;
	}
	for (int i = 0; i < NKINDS; i++) {
		struct cache *c = &s->cache[i];
		const char *why;

		c->type = want[i].type;
		why = read_cache(s, ctx, c, want[i].sym, want[i].size);
		if (why) {
			vh_detect_warn_run(ctx, DET, "%s objects not looked at: %s", c->type, why);
			c->addr = 0;
			continue;
		}
		any = true;
		switch (read_cpus(s, ctx, c)) {
		case VH_OK:
			break;
		case VH_ERR_UNSUPPORTED:
			break;
		default:
			vh_detect_warn_run(ctx, DET,
					   "%s: the per-CPU free lists are unreadable: objects "
					   "not looked at",
					   c->type);
			c->addr = 0;
		}
	}
	/* 6.18+: caches with sheaves (7.x: every cache) hold freed objects in them */
	s->sheaves = any && vh_present(&p->kmem_cache.cpu_sheaves);
	s->ok = any;
}

static bool ready(struct xv_state *s, struct vh_detect_ctx *ctx)
{
	const char *why;

	if (s->tried)
		return s->ok;
	s->tried = true;
	why = not_ready(s, ctx);
	if (why) {
		vh_detect_warn_run(ctx, DET, "skipped: %s", why);
		return false;
	}
	setup_caches(s, ctx);
	return s->ok;
}

/* --- task(): what the VMA trees hold ------------------------------------- */

static int xv_task(void *state, struct vh_detect_ctx *ctx)
{
	struct xv_state *s = state;
	const struct vh_vma_list *l = ctx->vmas;
	struct mmrec *m;

	if (!l || !l->mm || !ctx->prof)
		return VH_OK;
	if (!(m = vh_grow(s->mms, s->nmm, &s->capmm, sizeof(*m), 1024)))
		return VH_ERR_NOMEM;
	s->mms = m;
	m = &s->mms[s->nmm++];
	memset(m, 0, sizeof(*m));
	m->mm = l->mm;
	m->pid = ctx->task->tgid;
	m->map_count = l->map_count;
	snprintf(m->comm, sizeof(m->comm), "%s", ctx->task->comm);
	for (size_t i = 0; i < l->nvmas; i++) {
		const struct vh_vma *v = &l->vmas[i];

		if (!v->vm_mm)
			continue; /* the gate VMA: in no mm */
		m->ntree++;
		struct tree_vma *tv = vh_grow(s->tv, s->ntv, &s->captv, sizeof(*tv), 1024);
		uint64_t *va;

		if (!tv)
			return VH_ERR_NOMEM;
		s->tv = tv;
		if (!(va = vh_grow(s->vaddrs, s->nva, &s->capva, sizeof(*va), 1024)))
			return VH_ERR_NOMEM;
		s->vaddrs = va;
		s->tv[s->ntv++] = (struct tree_vma){l->mm, v->start, v->end};
		s->vaddrs[s->nva++] = v->addr;
	}
	/* a walk that warned only that map_count counts more VMAs than the tree holds
	 * read the tree whole: a VMA unlinked from it leaves exactly that */
	m->damaged = l->partial && !(l->map_count >= 0 && (uint32_t)l->map_count > m->ntree);
	return VH_OK;
}

/* --- finish(): the slabs --------------------------------------------------- */

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int tv_cmp(const void *a, const void *b)
{
	const struct tree_vma *x = a, *y = b;

	if (x->mm != y->mm)
		return x->mm < y->mm ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int cpu_cmp(const void *a, const void *b)
{
	const struct cpu_slab *x = a, *y = b;

	return x->page < y->page ? -1 : x->page > y->page;
}

static int mm_cmp(const void *a, const void *b)
{
	const struct mmrec *x = a, *y = b;

	return x->mm < y->mm ? -1 : x->mm > y->mm;
}

static bool has(const uint64_t *arr, size_t n, uint64_t v)
{
	return n && bsearch(&v, arr, n, sizeof(*arr), u64_cmp) != NULL;
}

static const struct mmrec *mm_of(const struct xv_state *s, uint64_t mm)
{
	struct mmrec key = {.mm = mm};

	return s->nmm ? bsearch(&key, s->mms, s->nmm, sizeof(*s->mms), mm_cmp) : NULL;
}

/* Does a VMA of @mm's tree overlap [start, end)? */
static bool overlaps_tree(const struct xv_state *s, uint64_t mm, uint64_t start, uint64_t end)
{
	size_t lo = 0, hi = s->ntv;

	/* the first VMA of @mm ending after @start: tree VMAs do not overlap each other */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct tree_vma *t = &s->tv[mid];

		if (t->mm < mm || (t->mm == mm && t->end <= start))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->ntv && s->tv[lo].mm == mm && s->tv[lo].start < end;
}

static int emit(struct xv_state *s, struct vh_detect_ctx *ctx, enum kind k, const char *kind,
		enum vh_severity sev, int32_t pid, const char *comm, uint64_t start, uint64_t end,
		const char *fmt, ...) __attribute__((format(printf, 10, 11)));

static int emit(struct xv_state *s, struct vh_detect_ctx *ctx, enum kind k, const char *kind,
		enum vh_severity sev, int32_t pid, const char *comm, uint64_t start, uint64_t end,
		const char *fmt, ...)
{
	struct vh_finding f;
	char reason[400];
	va_list ap;

	if (s->emitted[k] >= MAX_FINDINGS) {
		s->dropped[k]++;
		return VH_OK;
	}
	s->emitted[k]++;
	memset(&f, 0, sizeof(f));
	f.detector = DET;
	f.kind = kind;
	f.severity = sev;
	f.pid = pid;
	f.comm = comm;
	f.start = start;
	f.end = end;
	f.reason = reason;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return vh_detect_emit(ctx, &f, NULL, 0);
}

static uint64_t rd(const unsigned char *o, const struct vh_member *m, size_t n)
{
	uint64_t v = 0;

	if (vh_present(m))
		memcpy(&v, o + m->offset, n);
	return v;
}

static int judge_vma(struct xv_state *s, struct vh_detect_ctx *ctx, uint64_t addr,
		     const unsigned char *o)
{
	const struct vh_prof_vm_area_struct *vp = &ctx->prof->vm_area_struct;
	uint64_t mm = rd(o, &vp->vm_mm, 8), start = rd(o, &vp->vm_start, 8),
		 end = rd(o, &vp->vm_end, 8);
	const struct mmrec *m = mm_of(s, mm);
	char extra[96] = "";
	bool over;

	if (!m || has(s->vaddrs, s->nva, addr))
		return VH_OK; /* in a tree, or of no mm scanned (a child being forked...) */
	/*
	 * A VMA taken out of its tree by the kernel is freed at once before 6.4; from 6.4
	 * (per-VMA locks) it is freed after an RCU grace period, marked detached first
	 * (vma->detached, 6.4 to 6.14; vm_refcnt 0 from 6.15). 7.x keeps freed VMAs in
	 * per-CPU sheaves the slab counts as allocated: they are detached too. None of
	 * them is hidden: it is on its way out. What stays: a VMA caught in flight
	 * by the crash (made by mmap and not inserted yet, or before 6.4 one munmap
	 * took out and had not freed yet); from 6.15 a new VMA is detached until
	 * inserted, before it the reason says what to rule out.
	 */
	if ((vh_present(&vp->detached) && (rd(o, &vp->detached, 1) & 0xff)) ||
	    (vh_present(&vp->vm_refcnt) && (uint32_t)rd(o, &vp->vm_refcnt, 4) == 0)) {
		s->skipped_detached++;
		return VH_OK;
	}
	if (start >= end || end > USER_END || start % PAGE_SIZE || end % PAGE_SIZE)
		return VH_OK; /* not a VMA's range: stale or reused memory */
	over = overlaps_tree(s, mm, start, end);
	if (m->damaged || over)
		return emit(s, ctx, K_VMA, "orphan-vma", VH_SEV_MEDIUM, m->pid, m->comm, start, end,
			    "vm_area_struct 0x%" PRIx64 " is allocated, of mm 0x%" PRIx64
			    " (pid %d), for 0x%" PRIx64 "-0x%" PRIx64 ", in no VMA tree; %s",
			    addr, mm, m->pid, start, end,
			    m->damaged ? "the tree could not be read whole"
				       : "a VMA of the tree covers part of its range (a split or "
					 "merge under way?)");
	if (m->map_count >= 0 && (uint32_t)m->map_count > m->ntree)
		snprintf(extra, sizeof(extra), "; map_count %d counts %u VMAs more than the tree",
			 m->map_count, (uint32_t)m->map_count - m->ntree);
	return emit(s, ctx, K_VMA, "orphan-vma", VH_SEV_HIGH, m->pid, m->comm, start, end,
		    "vm_area_struct 0x%" PRIx64 " is allocated, of the live mm 0x%" PRIx64
		    " (pid %d), for 0x%" PRIx64 "-0x%" PRIx64
		    ", but in no VMA tree and no VMA of the tree covers its range: a VMA "
		    "unlinked from its tree (hidden memory)%s",
		    addr, mm, m->pid, start, end, extra);
}

static int judge_task(struct xv_state *s, struct vh_detect_ctx *ctx, uint64_t addr,
		      const unsigned char *o)
{
	const struct vh_prof_task_struct *tp = &ctx->prof->task_struct;
	uint32_t state = (uint32_t)rd(o, &tp->state, tp->state.size == 8 ? 8 : 4),
		 exit_state = (uint32_t)rd(o, &tp->exit_state, 4),
		 flags = (uint32_t)rd(o, &tp->flags, 4);
	int32_t pid = (int32_t)rd(o, &tp->pid, 4), tgid = (int32_t)rd(o, &tp->tgid, 4);
	uint64_t mm = rd(o, &tp->mm, 8);
	char comm[17] = "";

	if (has(s->tasks, s->ntasks, addr))
		return VH_OK;
	/*
	 * Reaped tasks (EXIT_DEAD, or TASK_DEAD once scheduled out for good) stay
	 * allocated while something holds a reference; a task being forked (TASK_NEW)
	 * is not linked yet; the idle tasks of the CPUs other than 0 are never linked.
	 */
	if ((state & (TASK_DEAD | TASK_NEW)) || (exit_state & EXIT_DEAD) || (flags & PF_IDLE) ||
	    pid <= 0)
		return VH_OK;
	if (vh_present(&tp->comm))
		memcpy(comm, o + tp->comm.offset, 16);
	for (int i = 0; i < 16; i++)
		if (comm[i] && (comm[i] < 0x20 || comm[i] > 0x7e))
			comm[i] = '?';
	return emit(s, ctx, K_TASK, "orphan-task", VH_SEV_HIGH, tgid, comm, addr, addr,
		    "task_struct 0x%" PRIx64 " (pid %d, tgid %d, %s, state 0x%x, mm 0x%" PRIx64
		    ") is allocated and alive, but neither the task list nor the pid table "
		    "reaches it (a task hidden from both)",
		    addr, pid, tgid, flags & PF_KTHREAD ? "kernel thread" : "user task", state, mm);
}

static int judge_mm(struct xv_state *s, struct vh_detect_ctx *ctx, uint64_t addr,
		    const unsigned char *o)
{
	const struct vh_prof_mm_struct *mp = &ctx->prof->mm_struct;
	const struct vh_prof_task_struct *tp = &ctx->prof->task_struct;
	int32_t users = (int32_t)rd(o, &mp->mm_users, 4), pid = 0;
	uint64_t owner;
	char comm[17] = "", who[128] = "";

	if (!vh_present(&mp->mm_users) || has(s->task_mms, s->ntask_mms, addr))
		return VH_OK;
	/* mm_users 0: being torn down, or kept only by lazy-TLB kernel threads (mm_count) */
	if (users <= 0 || users > MAX_USERS)
		return VH_OK;
	/* mm->owner (CONFIG_MEMCG): the task it was made for, if it says */
	owner = rd(o, &mp->owner, 8);
	/*
	 * The kernel's own mms, made at boot by swapper (x86's text-poking mm): no task
	 * ever runs on them.
	 */
	if (owner && vh_present(&ctx->prof->sym.init_task) &&
	    owner == ctx->prof->sym.init_task.addr + ctx->km->kaslr_offset)
		return VH_OK;
	if (owner && vh_present(&tp->pid) && vh_present(&tp->comm) &&
	    !kread(ctx, owner + tp->pid.offset, &pid, 4) &&
	    !kread(ctx, owner + tp->comm.offset, comm, 16)) {
		comm[16] = 0;
		for (int i = 0; i < 16; i++)
			if (comm[i] && (comm[i] < 0x20 || comm[i] > 0x7e))
				comm[i] = '?';
		snprintf(who, sizeof(who), ", its owner task 0x%" PRIx64 " (pid %d, %s)%s", owner,
			 pid, comm, has(s->tasks, s->ntasks, owner) ? "" : " found nowhere");
	}
	/*
	 * An mm a task does not use yet or any more is legitimate for a moment (exec
	 * builds the new one before switching; get_task_mm() holds one), hence medium.
	 */
	return emit(s, ctx, K_MM, "orphan-mm", VH_SEV_MEDIUM, 0, "", addr, addr,
		    "mm_struct 0x%" PRIx64 " is allocated with %d users, but no task found "
		    "uses it%s (its task hidden, or an exec or a reference in flight)",
		    addr, users, who);
}

/* Is the page at @b the head page of a slab? */
static bool is_slab(const struct vh_profile *p, const unsigned char *b)
{
	if (vh_present(&p->c.PG_slab) && vh_present(&p->page.flags)) {
		uint64_t flags;

		memcpy(&flags, b + p->page.flags.offset, 8);
		if (p->c.PG_slab.value < 0 || p->c.PG_slab.value > 63 ||
		    !(flags & (1ull << p->c.PG_slab.value)))
			return false;
	}
	if (vh_present(&p->c.PAGE_SLAB_MAPCOUNT_VALUE) && vh_present(&p->page._mapcount)) {
		uint32_t type;

		/* 6.10+: the page type lives in page_type's top byte */
		memcpy(&type, b + p->page._mapcount.offset, 4);
		if ((type & 0xff000000u) !=
		    ((uint32_t)p->c.PAGE_SLAB_MAPCOUNT_VALUE.value & 0xff000000u))
			return false;
	}
	return true;
}

static uint32_t objects_of(const struct vh_profile *p, const unsigned char *b)
{
	const struct vh_member *m =
	    vh_present(&p->slab.objects) ? &p->slab.objects : &p->page.objects;
	uint32_t v;

	if (!vh_present(m) || m->offset + 4 > p->page.type.size || m->bit_offset + m->bit_size > 31)
		return 0;
	memcpy(&v, b + m->offset, 4);
	if (m->bit_size)
		v = (v >> m->bit_offset) & ((1u << m->bit_size) - 1);
	return v;
}

static int one_slab(struct xv_state *s, struct vh_detect_ctx *ctx, enum kind k, uint64_t pfn,
		    const unsigned char *b)
{
	const struct vh_profile *p = ctx->prof;
	struct cache *c = &s->cache[k];
	const struct vh_member *fl =
	    vh_present(&p->slab.freelist) ? &p->slab.freelist : &p->page.freelist;
	uint64_t base = s->page_offset + pfn * PAGE_SIZE, heads[2] = {0, 0};
	uint64_t page = s->vmemmap + pfn * p->page.type.size;
	uint32_t nobj = objects_of(p, b);
	struct cpu_slab key = {0, 0};
	const struct cpu_slab *cpu;
	size_t len, nheads = 1;
	int err;

	if (!vh_present(fl) || nobj == 0 || nobj > MAX_OBJECTS ||
	    (uint64_t)c->c.red_left_pad + (uint64_t)nobj * c->c.size > MAX_SLAB_PAGES * PAGE_SIZE) {
		s->bad_slabs++;
		c->undecodable++;
		return VH_OK;
	}
	memcpy(&heads[0], b + fl->offset, 8);
	key.page = page;
	cpu = s->ncpus ? bsearch(&key, s->cpus, s->ncpus, sizeof(*s->cpus), cpu_cmp) : NULL;
	if (cpu)
		heads[nheads++] = cpu->freelist;
	len = (size_t)((c->c.red_left_pad + (uint64_t)nobj * c->c.size + PAGE_SIZE - 1) &
		       ~(PAGE_SIZE - 1));
	if (kread(ctx, base, s->obj, len)) {
		s->unreadable++;
		return VH_OK;
	}
	c->slabs++;
	if (vh_slab_free(&c->c, base, s->obj, len, nobj, heads, nheads, s->free)) {
		s->bad_slabs++;
		c->undecodable++;
		return VH_OK;
	}
	for (uint32_t i = 0; i < nobj; i++) {
		uint64_t off = c->c.red_left_pad + (uint64_t)i * c->c.size;

		c->objects++;
		if (s->free[i / 8] & (1u << (i % 8)))
			continue;
		c->allocated++;
		switch (k) {
		case K_VMA:
			err = judge_vma(s, ctx, base + off, s->obj + off);
			break;
		case K_TASK:
			err = ctx->tgid > 0 ? VH_OK : judge_task(s, ctx, base + off, s->obj + off);
			break;
		default:
			err = ctx->tgid > 0 ? VH_OK : judge_mm(s, ctx, base + off, s->obj + off);
		}
		if (err)
			return err;
	}
	return VH_OK;
}

struct vmemmap_walk {
	struct xv_state *s;
	struct vh_detect_ctx *ctx;
	unsigned char *buf;
	int err;
};

static int scan_chunk(struct vmemmap_walk *v, uint64_t pfn, size_t n)
{
	const struct vh_profile *p = v->ctx->prof;
	const struct vh_member *sc =
	    vh_present(&p->slab.slab_cache) ? &p->slab.slab_cache : &p->page.slab_cache;
	size_t size = p->page.type.size;
	int err = kread(v->ctx, v->s->vmemmap + pfn * size, v->buf, n * size);

	if (err)
		return VH_OK; /* struct pages the dump lacks */
	for (size_t i = 0; i < n; i++) {
		const unsigned char *b = v->buf + i * size;
		uint64_t cache;

		memcpy(&cache, b + sc->offset, 8);
		if (!cache)
			continue;
		for (int k = 0; k < NKINDS; k++)
			if (v->s->cache[k].addr == cache && is_slab(p, b)) {
				err = one_slab(v->s, v->ctx, (enum kind)k, pfn + i, b);
				if (err)
					return err;
			}
	}
	return VH_OK;
}

static int vmemmap_page(const struct vh_mapping *m, int present, void *arg)
{
	struct vmemmap_walk *v = arg;
	uint64_t size = v->ctx->prof->page.type.size;
	/* the frames whose struct pages start in this mapping (which may begin below
	 * vmemmap: a huge page holding it) */
	uint64_t lo = m->vaddr > v->s->vmemmap ? m->vaddr - v->s->vmemmap : 0;
	uint64_t first = (lo + size - 1) / size;
	uint64_t end = (m->vaddr + m->page_size - v->s->vmemmap) / size;

	if (!present || m->vaddr + m->page_size <= v->s->vmemmap)
		return 0;
	if (end > v->s->max_pfn)
		end = v->s->max_pfn;
	for (uint64_t pfn = first; pfn < end && !v->err; pfn += PAGE_CHUNK)
		v->err =
		    scan_chunk(v, pfn, (size_t)(end - pfn < PAGE_CHUNK ? end - pfn : PAGE_CHUNK));
	return v->err != VH_OK;
}

/* What the task list reaches: task_structs and the mms they use. */
static int known_tasks(struct xv_state *s, const struct vh_task_list *tl)
{
	size_t n = tl ? tl->ntasks : 0;

	s->tasks = malloc((n ? n : 1) * sizeof(*s->tasks));
	s->task_mms = malloc((n ? 2 * n : 1) * sizeof(*s->task_mms));
	if (!s->tasks || !s->task_mms)
		return VH_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct vh_task *t = &tl->tasks[i];

		s->tasks[s->ntasks++] = t->addr;
		if (t->mm)
			s->task_mms[s->ntask_mms++] = t->mm;
		if (t->active_mm && t->active_mm != t->mm)
			s->task_mms[s->ntask_mms++] = t->active_mm;
	}
	qsort(s->tasks, s->ntasks, sizeof(*s->tasks), u64_cmp);
	qsort(s->task_mms, s->ntask_mms, sizeof(*s->task_mms), u64_cmp);
	return VH_OK;
}

static void summary(struct xv_state *s, struct vh_detect_ctx *ctx)
{
	static const char *const names[NKINDS] = {"hidden tasks", "orphan mm_structs",
						  "orphan VMAs"};

	for (int k = 0; k < NKINDS; k++)
		if (s->dropped[k])
			vh_detect_warn_run(ctx, DET, "%zu more %s not reported", s->dropped[k],
					   names[k]);
	if (s->bad_slabs)
		vh_detect_warn_run(ctx, DET,
				   "%" PRIu64 " slabs skipped: their free lists do not decode "
				   "(a pointer outside the slab, a loop) or their object count is "
				   "not believable",
				   s->bad_slabs);
	if (s->unreadable)
		vh_detect_warn_run(ctx, DET, "%" PRIu64 " slabs skipped: not in the dump",
				   s->unreadable);
	if (s->sheaves)
		vh_detect_warn_run(ctx, DET,
				   "objects freed into per-CPU sheaves count as allocated: they "
				   "are judged by their content (%" PRIu64
				   " detached VMAs passed over)",
				   s->skipped_detached);
}

static int xv_finish(void *state, struct vh_detect_ctx *ctx)
{
	struct xv_state *s = state;
	struct vmemmap_walk v = {.s = s, .ctx = ctx};
	uint64_t size;
	int err;

	if (!ctx->prof || !ctx->km || !ready(s, ctx))
		return VH_OK;
	err = known_tasks(s, ctx->tasks);
	if (err)
		return err;
	if (ctx->tgid > 0)
		vh_detect_warn_run(ctx, DET,
				   "tasks and mm_structs not judged: the scan is limited to one "
				   "process (what the others use is not known)");
	/* (arrays that stayed empty are NULL: qsort must not be given them) */
	if (s->ntv)
		qsort(s->tv, s->ntv, sizeof(*s->tv), tv_cmp);
	if (s->nva)
		qsort(s->vaddrs, s->nva, sizeof(*s->vaddrs), u64_cmp);
	if (s->nmm)
		qsort(s->mms, s->nmm, sizeof(*s->mms), mm_cmp);
	/* a CPU's slab is one slab (of one cache): its first entry is the one */
	if (s->ncpus)
		qsort(s->cpus, s->ncpus, sizeof(*s->cpus), cpu_cmp);
	size = ctx->prof->page.type.size;
	v.buf = malloc(PAGE_CHUNK * size);
	s->obj = malloc(MAX_SLAB_PAGES * PAGE_SIZE);
	s->free = malloc(MAX_OBJECTS / 8);
	if (!v.buf || !s->obj || !s->free) {
		free(v.buf);
		return VH_ERR_NOMEM;
	}
	err = vh_walk(ctx->d, &ctx->km->mmu, ctx->km->pgd, s->vmemmap,
		      s->vmemmap + s->max_pfn * size, vmemmap_page, &v, NULL);
	free(v.buf);
	summary(s, ctx);
	if (v.err)
		return v.err; /* out of memory, or the sink's */
	return err == VH_ERR_NOMEM ? err : VH_OK;
}

const struct vh_detector vh_detector_slab_xview = {
    .id = DET,
    .summary = "SLUB's task, mm and VMA objects against the lists, trees and pid table",
    .init = xv_init,
    .task = xv_task,
    .finish = xv_finish,
    .fini = xv_fini,
};
