/* SPDX-License-Identifier: MIT */
/*
 * pte-rmap: page tables checked against the reverse map the kernel keeps in
 * struct page, the two page-table techniques of "Hiding Process Memory via
 * Anti-Forensic Techniques" (Palutke et al., DFRWS 2020):
 *   PTE erasure    a page's PTE cleared while its frame stays allocated: the
 *                  frame's struct page still says it is an anonymous page of
 *                  the process (page->mapping: the VMA's anon_vma; page->index:
 *                  its page offset) and mapped (_mapcount >= 0), yet no page
 *                  table maps it (kind "erased"; "displaced" when the PTE at its
 *                  address maps another frame);
 *   PTE remapping  a PTE pointed at another frame: the frame it maps names
 *                  another anon_vma family or another index than the address
 *                  it is mapped at (kind "remapped").
 * And the process's RSS counters (file, anon and shmem pages, summed exactly:
 * per-thread deltas before 6.2, per-CPU ones after) against the pages its
 * page tables map: more counted than mapped is a PTE cleared behind the
 * kernel's back (kind "rss"), whatever the frame became.
 * A page the kernel is migrating (its PTE a migration entry naming the frame)
 * hides nothing; on an image read from a running kernel (LiME), a page
 * migrated between the copies of its struct page and its PTE looks like a
 * displaced one; where the PTE shows what such a move leaves (pte_state()),
 * the finding is kind "moved", severity info.
 * task() walks each process's page tables: it marks every mapped frame and
 * checks the anonymous ones against the VMA holding them; finish() walks the
 * struct page array once for frames that claim a mapping no page table has.
 * Page tables and struct pages are kernel memory: this works on -d 31 dumps.
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

#define PAGE_SIZE ((uint64_t)4096)
/* page->mapping low bits (include/linux/page-flags.h): 1 anonymous, 3 KSM / movable. */
#define MAPPING_FLAGS 3ull
#define MAPPING_ANON  1ull
/* Findings per process; more are counted in one warning. */
#define MAX_FINDINGS 64
/* struct pages read at a time in finish() */
#define PAGE_CHUNK 64
/* anon_vma -> root translations remembered */
#define ROOT_CACHE 1024
/* The frame bitmap: leaves of 2^LEAF_BITS frames (a GiB of RAM: 32 KiB), allocated
 * when a frame in them is marked, under one top array; MAX_PFN_BITS bounds it (a dump
 * claiming more RAM is not believed). */
#define LEAF_BITS    18
#define MAX_PFN_BITS 36
/* Swap types from here up are the kernel's own entries (migration, hwpoison, device,
 * markers): MAX_SWAPFILES is at least 32 - 9 in every configuration */
#define SWP_SPECIAL_MIN 23
#define VM_HUGETLB	0x00400000ull
#define PF_EXITING	0x4u
/* MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES (include/linux/mm_types_task.h) */
#define NR_MM_COUNTERS 4
#define RSS_MAX	       (1ll << 40)
#define MM_SWAPENTS    2
/* CPUs whose per-CPU RSS deltas are summed at most */
#define MAX_CPUS 8192

/* One VMA with an anon_vma: where its anonymous pages belong. */
struct owner {
	uint64_t anon_vma, start, end, pgoff, root; /* root: the page tables' */
	int32_t pid;
	const struct vh_mmu *mmu;
	char comm[65];
};

struct rmap_state {
	bool tried, ok;
	uint64_t vmemmap;  /* the struct page of pfn 0 */
	uint64_t max_pfn;  /* frames the bitmap covers */
	uint64_t **mapped; /* frames some page table maps: leaves of the bitmap */
	int32_t *walked;   /* tgids whose page tables were walked whole */
	size_t nwalked, capwalked;
	size_t at_risk;	   /* orphan candidates not judged: a relative's tables unread */
	struct owner *own; /* sorted by anon_vma in finish() */
	size_t nown, capown;
	struct {
		uint64_t anon_vma, root;
	} roots[ROOT_CACHE];
	/* per process, during task() */
	size_t emitted, dropped;
};

static int rmap_init(const struct vh_detector *self, void **state)
{
	(void)self;
	*state = calloc(1, sizeof(struct rmap_state));
	return *state ? VH_OK : VH_ERR_NOMEM;
}

static void rmap_fini(void *state)
{
	struct rmap_state *s = state;

	if (s) {
		for (uint64_t i = 0; s->mapped && i < (s->max_pfn >> LEAF_BITS) + 1; i++)
			free(s->mapped[i]);
		free(s->mapped);
		free(s->own);
		free(s->walked);
	}
	free(s);
}

static int mark(struct rmap_state *s, uint64_t pfn)
{
	uint64_t **leaf;

	if (pfn >= s->max_pfn)
		return VH_OK;
	leaf = &s->mapped[pfn >> LEAF_BITS];
	if (!*leaf && !(*leaf = calloc(1ull << (LEAF_BITS - 6), sizeof(uint64_t))))
		return VH_ERR_NOMEM;
	(*leaf)[(pfn & ((1ull << LEAF_BITS) - 1)) / 64] |= 1ull << (pfn % 64);
	return VH_OK;
}

static bool marked(const struct rmap_state *s, uint64_t pfn)
{
	const uint64_t *leaf = pfn < s->max_pfn ? s->mapped[pfn >> LEAF_BITS] : NULL;

	return leaf && (leaf[(pfn & ((1ull << LEAF_BITS) - 1)) / 64] & (1ull << (pfn % 64)));
}

static const char *not_ready(struct rmap_state *s, struct vh_detect_ctx *ctx)
{
	const struct vh_profile *p = ctx->prof;
	struct vh_vmemmap vm;
	const char *why;

	if (!p || !ctx->km)
		return "no kernel profile";
	if (!p->page.type.size || !vh_present(&p->page.mapping) || !vh_present(&p->page.index) ||
	    !vh_present(&p->page._mapcount))
		return "no struct page layout (mapping, index, _mapcount)";
	if (!vh_present(&p->vm_area_struct.anon_vma) || !vh_present(&p->anon_vma.root))
		return "no anon_vma layout (vm_area_struct.anon_vma, anon_vma.root)";
	if (vh_vmemmap_find(ctx->d, ctx->km, p, &vm, &why))
		return why;
	s->vmemmap = vm.base;
	s->max_pfn = vh_detect_ram_pfns(ctx->d, MAX_PFN_BITS);
	s->mapped = calloc((s->max_pfn >> LEAF_BITS) + 1, sizeof(*s->mapped));
	return s->mapped ? NULL : "out of memory for the frame bitmap";
}

static bool ready(struct rmap_state *s, struct vh_detect_ctx *ctx)
{
	const char *why;

	if (s->tried)
		return s->ok;
	s->tried = true;
	why = not_ready(s, ctx);
	if (why)
		vh_detect_warn_run(ctx, "pte-rmap", "skipped: %s", why);
	s->ok = !why;
	return s->ok;
}

static int kread(const struct vh_detect_ctx *ctx, uint64_t addr, void *buf, size_t len)
{
	return vh_kernel_read(ctx->d, ctx->km, addr, buf, len);
}

/* anon_vma->root, remembered. */
static int root_of(struct rmap_state *s, const struct vh_detect_ctx *ctx, uint64_t av,
		   uint64_t *root)
{
	size_t h = (size_t)((av >> 6) % ROOT_CACHE);
	int err;

	if (s->roots[h].anon_vma == av) {
		*root = s->roots[h].root;
		return VH_OK;
	}
	err = kread(ctx, av + ctx->prof->anon_vma.root.offset, root, sizeof(*root));
	if (!err)
		s->roots[h].anon_vma = av, s->roots[h].root = *root;
	return err;
}

/* A struct page's reverse-map fields. */
struct rpage {
	uint64_t mapping, index;
	int32_t mapcount; /* _mapcount: -1 when mapped by no page table */
	int32_t refcount; /* _refcount: 0 when free; -1 when the profile lacks it */
	bool tail;
};

static void parse_page(const struct vh_profile *p, const unsigned char *b, struct rpage *r)
{
	uint64_t head = 0;

	memcpy(&r->mapping, b + p->page.mapping.offset, 8);
	memcpy(&r->index, b + p->page.index.offset, 8);
	memcpy(&r->mapcount, b + p->page._mapcount.offset, 4);
	r->refcount = -1;
	if (vh_present(&p->page._refcount))
		memcpy(&r->refcount, b + p->page._refcount.offset, 4);
	if (vh_present(&p->page.compound_head))
		memcpy(&head, b + p->page.compound_head.offset, 8);
	r->tail = head & 1;
}

static int read_page(struct rmap_state *s, const struct vh_detect_ctx *ctx, uint64_t pfn,
		     struct rpage *r)
{
	const struct vh_profile *p = ctx->prof;
	unsigned char b[256];
	size_t size = p->page.type.size;
	int err;

	if (size > sizeof(b))
		return VH_ERR_UNSUPPORTED;
	err = kread(ctx, s->vmemmap + pfn * size, b, size);
	if (!err)
		parse_page(p, b, r);
	return err;
}

/* An anonymous page's anon_vma (not KSM, not movable), a kernel pointer; else 0. */
static uint64_t anon_of(const struct vh_detect_ctx *ctx, uint64_t mapping)
{
	if ((mapping & MAPPING_FLAGS) != MAPPING_ANON)
		return 0;
	mapping &= ~MAPPING_FLAGS;
	return mapping >= vh_kernel_half_start(ctx->km) ? mapping : 0;
}

static int emit(struct rmap_state *s, struct vh_detect_ctx *ctx, const struct vh_vma *v,
		int32_t pid, const char *comm, uint64_t va, const char *kind, enum vh_severity sev,
		const char *fmt, ...) __attribute__((format(printf, 9, 10)));

/* A finding about the page at @va; @v: its VMA when the process is the one being scanned. */
static int emit(struct rmap_state *s, struct vh_detect_ctx *ctx, const struct vh_vma *v,
		int32_t pid, const char *comm, uint64_t va, const char *kind, enum vh_severity sev,
		const char *fmt, ...)
{
	struct vh_finding f;
	char reason[320];
	va_list ap;

	if (s->emitted++ >= MAX_FINDINGS) {
		s->dropped++;
		return VH_OK;
	}
	memset(&f, 0, sizeof(f));
	f.detector = "pte-rmap";
	f.kind = kind;
	f.severity = sev;
	f.pid = pid;
	f.comm = comm;
	f.start = va;
	f.end = va + PAGE_SIZE;
	f.path = "";
	f.reason = reason;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return vh_detect_emit(ctx, &f, v, 0);
}

/* --- task(): each process's page tables ---------------------------------- */

struct walk {
	struct rmap_state *s;
	struct vh_detect_ctx *ctx;
	size_t next;	     /* VMA cursor (mappings come in address order) */
	uint64_t av, avroot; /* the current VMA's anon_vma and its root; 0: none */
	size_t av_vma;	     /* which VMA av belongs to */
	uint64_t resident;   /* pages the RSS counters count: present, not special */
	uint64_t nonpresent; /* swap and migration entries */
	int err;
};

static int add_owner(struct rmap_state *s, const struct vh_detect_ctx *ctx, const struct vh_vma *v,
		     uint64_t av)
{
	struct owner *o;

	if (s->nown == s->capown) {
		struct owner *n = vh_grow(s->own, s->nown, &s->capown, sizeof(*n), 256);

		if (!n)
			return VH_ERR_NOMEM;
		s->own = n;
	}
	o = &s->own[s->nown++];
	*o = (struct owner){.anon_vma = av,
			    .start = v->start,
			    .end = v->end,
			    .pgoff = v->pgoff,
			    .root = ctx->root,
			    .pid = ctx->task->pid,
			    .mmu = ctx->mmu};
	snprintf(o->comm, sizeof(o->comm), "%s", ctx->task->comm);
	return VH_OK;
}

/* The VMA holding @va (advancing the cursor), with its anon_vma in w->av. */
static const struct vh_vma *vma_for(struct walk *w, uint64_t va)
{
	const struct vh_vma_list *l = w->ctx->vmas;

	while (w->next < l->nvmas && l->vmas[w->next].end <= va)
		w->next++;
	if (w->next >= l->nvmas || l->vmas[w->next].start > va)
		return NULL;
	if (w->av_vma != w->next + 1) {
		const struct vh_vma *v = &l->vmas[w->next];
		uint64_t av = 0, root = 0;

		w->av_vma = w->next + 1;
		if (!kread(w->ctx, v->addr + w->ctx->prof->vm_area_struct.anon_vma.offset, &av,
			   sizeof(av)) &&
		    av >= vh_kernel_half_start(w->ctx->km) && !root_of(w->s, w->ctx, av, &root)) {
			w->av = av;
			w->avroot = root;
			w->err = add_owner(w->s, w->ctx, v, av);
		} else {
			w->av = w->avroot = 0;
		}
	}
	return &l->vmas[w->next];
}

/* A mapped anonymous frame against the VMA it is mapped in. */
static int check_frame(struct walk *w, const struct vh_vma *v, uint64_t va, uint64_t pfn)
{
	struct rmap_state *s = w->s;
	struct vh_detect_ctx *ctx = w->ctx;
	uint64_t av, root, want = v->pgoff + (va - v->start) / PAGE_SIZE;
	struct rpage r;

	if (read_page(s, ctx, pfn, &r) || r.tail)
		return VH_OK;
	av = anon_of(ctx, r.mapping);
	if (!av) {
		if (r.mapping && !v->file && !(r.mapping & MAPPING_FLAGS))
			return emit(s, ctx, v, ctx->task->pid, ctx->task->comm, va, "remapped",
				    VH_SEV_HIGH,
				    "anonymous memory whose PTE maps frame 0x%" PRIx64
				    ", a page-cache page of a file (mapping 0x%" PRIx64 ")",
				    pfn, r.mapping);
		return VH_OK; /* the zero page, a file page of a file mapping, KSM */
	}
	if (root_of(s, ctx, av, &root))
		return VH_OK;
	if (root != w->avroot)
		return emit(s, ctx, v, ctx->task->pid, ctx->task->comm, va, "remapped", VH_SEV_HIGH,
			    "PTE maps frame 0x%" PRIx64
			    " of another mapping (its anon_vma 0x%" PRIx64
			    " is not of this VMA's family): the PTE was pointed elsewhere",
			    pfn, av);
	if (r.index != want)
		return emit(s, ctx, v, ctx->task->pid, ctx->task->comm, va, "remapped", VH_SEV_HIGH,
			    "PTE maps frame 0x%" PRIx64 " whose struct page belongs at page index "
			    "0x%" PRIx64 " (0x%" PRIx64 "), not here (index 0x%" PRIx64
			    "): the PTE was pointed at another page",
			    pfn, r.index, v->start + (r.index - v->pgoff) * PAGE_SIZE, want);
	return VH_OK;
}

/*
 * The frame of a PROT_NONE (or NUMA-hinting) PTE: not present to the MMU, it
 * still maps its page; on x86-64 the pfn is inverted since the L1TF fix
 * (4.19; not before: then taken as it is). Returns 0 for any other entry.
 */
static uint64_t protnone_pfn(const struct rmap_state *s, const struct vh_mmu *mmu, uint64_t e)
{
	struct vh_pte_info pi;

	vh_mmu_pte_decode(mmu, e, &pi);
	if (!pi.protnone)
		return 0;
	return pi.protnone_pfn[1] < s->max_pfn ? pi.protnone_pfn[1] : pi.protnone_pfn[0];
}

static int walk_page(const struct vh_mapping *m, int present, void *arg)
{
	struct walk *w = arg;
	uint64_t pfn = present ? m->paddr / PAGE_SIZE : protnone_pfn(w->s, w->ctx->mmu, m->entry);
	struct vh_pte_info pi;
	const struct vh_vma *v;

	if (!pfn && !present) {
		w->nonpresent++; /* swap and migration entries */
		return 0;
	}
	for (uint64_t i = 0; i < m->page_size / PAGE_SIZE && !w->err; i++)
		w->err = mark(w->s, pfn + i);
	v = vma_for(w, m->vaddr);
	if (w->err)
		return 1;
	/* the zero page and PFN maps are special; hugetlb pages have a counter of their own */
	vh_mmu_pte_decode(w->ctx->mmu, m->entry, &pi);
	if (!pi.special && !(v && (v->flags & VM_HUGETLB)))
		w->resident += m->page_size / PAGE_SIZE;
	if (m->page_size != PAGE_SIZE)
		return 0; /* a huge page's struct pages describe the folio, not each address */
	if (v && w->av)
		w->err = check_frame(w, v, m->vaddr, pfn);
	return w->err ? 1 : 0;
}

/* --- RSS counters against the pages the page tables map ----------------- */

/* 6.2+: each counter is a percpu_counter, its count plus every CPU's delta. */
static int rss_percpu(const struct vh_detect_ctx *ctx, uint64_t mm, int64_t out[NR_MM_COUNTERS])
{
	const struct vh_profile *p = ctx->prof;
	uint64_t offs[64], k = ctx->km->kaslr_offset;
	uint32_t ncpu = 0;
	int err;

	if (!vh_present(&p->sym.per_cpu_offset) || !vh_present(&p->sym.nr_cpu_ids) ||
	    !vh_present(&p->percpu_counter.counters))
		return VH_ERR_UNSUPPORTED;
	err = kread(ctx, p->sym.nr_cpu_ids.addr + k, &ncpu, sizeof(ncpu));
	if (err || ncpu == 0 || ncpu > MAX_CPUS)
		return err ? err : VH_ERR_CORRUPT;
	for (int i = 0; i < NR_MM_COUNTERS; i++) {
		uint64_t c = mm + p->mm_struct.rss_stat.offset +
			     (uint64_t)i * p->percpu_counter.type.size,
			 pcpu = 0;

		if ((err = kread(ctx, c + p->percpu_counter.count.offset, &out[i], 8)) ||
		    (err = kread(ctx, c + p->percpu_counter.counters.offset, &pcpu, 8)))
			return err;
		if (out[i] > RSS_MAX || out[i] < -RSS_MAX)
			continue; /* check_rss() says so; no deltas added to it */
		for (uint32_t cpu = 0; pcpu && cpu < ncpu; cpu++) {
			int32_t d;

			if (cpu % 64 == 0 &&
			    (err = kread(ctx, p->sym.per_cpu_offset.addr + k + 8ull * cpu, offs,
					 8 * (ncpu - cpu < 64 ? ncpu - cpu : 64))))
				return err;
			if ((err = kread(ctx, pcpu + offs[cpu % 64], &d, sizeof(d))))
				return err;
			out[i] += d;
		}
	}
	return VH_OK;
}

/* Before 6.2: the mm's atomic counters plus the deltas each task using the mm holds. */
static int rss_split(const struct vh_detect_ctx *ctx, uint64_t mm, int64_t out[NR_MM_COUNTERS])
{
	const struct vh_profile *p = ctx->prof;
	int err;

	if (!vh_present(&p->mm_rss_stat.count))
		return VH_ERR_UNSUPPORTED;
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if ((err = kread(ctx,
				 mm + p->mm_struct.rss_stat.offset + p->mm_rss_stat.count.offset +
				     8ull * (uint64_t)i,
				 &out[i], 8)))
			return err;
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if (out[i] > RSS_MAX || out[i] < -RSS_MAX)
			return VH_OK; /* check_rss() says so; no deltas added */
	if (!vh_present(&p->task_struct.rss_stat) || !vh_present(&p->task_rss_stat.count))
		return VH_OK; /* no SPLIT_RSS_COUNTING: the mm's are whole */
	for (size_t t = 0; ctx->tasks && t < ctx->tasks->ntasks; t++) {
		const struct vh_task *x = &ctx->tasks->tasks[t];
		int32_t d[NR_MM_COUNTERS];

		if (x->mm != mm)
			continue;
		if ((err = kread(ctx,
				 x->addr + p->task_struct.rss_stat.offset +
				     p->task_rss_stat.count.offset,
				 d, sizeof(d))))
			return err;
		for (int i = 0; i < NR_MM_COUNTERS; i++)
			out[i] += d[i];
	}
	return VH_OK;
}

/*
 * Pages the kernel counts as the process's (file, anon, shmem) that no page
 * table maps: PTEs cleared behind the kernel's back, as PTE erasure does.
 * Swap and migration entries may stand for counted pages; the reverse (more
 * mapped than counted: the huge zero page) is no evidence.
 */
static int check_rss(struct rmap_state *s, struct vh_detect_ctx *ctx, const struct walk *w)
{
	const struct vh_profile *p = ctx->prof;
	const struct vh_task *t = ctx->task;
	int64_t c[NR_MM_COUNTERS] = {0}, resident, slack;
	struct vh_finding f;
	char reason[320];
	int err;

	if (!t->mm || (t->flags & PF_EXITING) || t->exit_state ||
	    !vh_present(&p->mm_struct.rss_stat))
		return VH_OK;
	err = p->percpu_counter.type.size && p->mm_struct.rss_stat.nelem ? rss_percpu(ctx, t->mm, c)
									 : rss_split(ctx, t->mm, c);
	if (err) {
		if (err != VH_ERR_UNSUPPORTED)
			vh_detect_warn(ctx,
				       "pte-rmap: RSS counters of mm 0x%" PRIx64 " unreadable (%s)",
				       t->mm, vh_strerror(err));
		return VH_OK;
	}
	resident = 0;
	for (int i = 0; i < NR_MM_COUNTERS; i++) {
		/* a process of 2^40 pages is a damaged counter: no arithmetic on it */
		if (c[i] > RSS_MAX || c[i] < -RSS_MAX) {
			vh_detect_warn(ctx,
				       "pte-rmap: RSS counter %d of mm 0x%" PRIx64 " reads %" PRId64
				       ", not a page count: not compared",
				       i, t->mm, c[i]);
			return VH_OK;
		}
		resident += i == MM_SWAPENTS ? 0 : c[i];
	}
	slack = (int64_t)w->nonpresent - c[MM_SWAPENTS];
	if (resident <= (int64_t)w->resident + (slack > 0 ? slack : 0))
		return VH_OK;
	(void)s;
	memset(&f, 0, sizeof(f));
	f.detector = "pte-rmap";
	f.kind = "rss";
	f.severity = VH_SEV_HIGH;
	f.reason = reason;
	for (size_t i = 0; i < ctx->vmas->nvmas; i++) {
		const struct vh_vma *v = &ctx->vmas->vmas[i];

		if (!f.end || v->start < f.start)
			f.start = v->start;
		if (v->end > f.end)
			f.end = v->end;
	}
	snprintf(reason, sizeof(reason),
		 "the RSS counters count %" PRId64 " pages (file %" PRId64 ", anon %" PRId64
		 ", shmem %" PRId64 "), the page tables map %" PRIu64 ": %" PRId64
		 " counted pages left no PTE (erased behind the kernel's back)",
		 resident, c[0], c[1], c[3], w->resident, resident - (int64_t)w->resident);
	return vh_detect_emit(ctx, &f, NULL, 0);
}

static int add_walked(struct rmap_state *s, int32_t tgid)
{
	if (s->nwalked == s->capwalked) {
		int32_t *n = vh_grow(s->walked, s->nwalked, &s->capwalked, sizeof(*n), 256);

		if (!n)
			return VH_ERR_NOMEM;
		s->walked = n;
	}
	s->walked[s->nwalked++] = tgid;
	return VH_OK;
}

static int rmap_task(void *state, struct vh_detect_ctx *ctx)
{
	struct rmap_state *s = state;
	struct walk w = {.s = s, .ctx = ctx};
	int err;

	struct vh_walk_stats st = {0};

	if (!ready(s, ctx))
		return VH_OK;
	if (!ctx->root)
		return VH_OK; /* its frames are marked by no one: not in s->walked */
	s->emitted = s->dropped = 0;
	err =
	    vh_walk(ctx->d, ctx->mmu, ctx->root, 0, vh_mmu_user_end(ctx->mmu), walk_page, &w, &st);
	if (w.err)
		err = w.err;
	if (!err && !st.unreadable && !st.truncated) {
		err = add_walked(s, ctx->task->tgid);
		if (!err)
			err = check_rss(s, ctx, &w);
	}
	if (s->dropped)
		vh_detect_warn(ctx, "pte-rmap: %zu more pages not reported", s->dropped);
	return err == VH_ERR_NOMEM ? err : VH_OK;
}

/* --- finish(): frames that claim a mapping no page table has ------------ */

static int owner_cmp(const void *a, const void *b)
{
	const struct owner *x = a, *y = b;

	return x->anon_vma < y->anon_vma ? -1 : x->anon_vma > y->anon_vma;
}

/* The VMA whose anon_vma is @av and whose range holds page index @index. */
static const struct owner *owner_of(const struct rmap_state *s, uint64_t av, uint64_t index)
{
	size_t lo = 0, hi = s->nown;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->own[mid].anon_vma < av)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->nown && s->own[lo].anon_vma == av; lo++) {
		const struct owner *o = &s->own[lo];

		if (index >= o->pgoff && index - o->pgoff < (o->end - o->start) / PAGE_SIZE)
			return o;
	}
	return NULL;
}

static int tgid_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

static bool walked(const struct rmap_state *s, int32_t tgid)
{
	return s->nwalked &&
	       bsearch(&tgid, s->walked, s->nwalked, sizeof(*s->walked), tgid_cmp) != NULL;
}

/* Is @anc an ancestor of @tgid by real_parent (a bounded walk: a cycle ends it)? */
static bool ancestor(const struct vh_task_list *tl, int32_t anc, int32_t tgid)
{
	for (int depth = 0; depth < 1024 && tgid > 1; depth++) {
		const struct vh_task *t = vh_detect_leader(tl, tgid);

		if (!t || t->ppid == tgid)
			return false;
		tgid = t->ppid;
		if (tgid == anc)
			return true;
	}
	return false;
}

/*
 * Anonymous pages are shared only along fork: a process whose page tables
 * were not walked may map a frame of its parent's or child's VMAs, never an
 * unrelated process's. Is @tgid such a relative of an unwalked process?
 */
static bool related_to_unwalked(const struct rmap_state *s, const struct vh_task_list *tl,
				int32_t tgid)
{
	for (size_t i = 0; tl && i < tl->ntasks; i++) {
		const struct vh_task *u = &tl->tasks[i];

		if (!u->leader || !u->mm || u->kthread || walked(s, u->tgid))
			continue;
		if (u->tgid == tgid || ancestor(tl, u->tgid, tgid) || ancestor(tl, tgid, u->tgid))
			return true;
	}
	return false;
}

/* What the page table holds where a frame that no page table maps belongs. */
enum pte_state {
	PTE_ERASED,    /* nothing: cleared with the frame kept */
	PTE_DISPLACED, /* another frame, in use */
	PTE_MIGRATING, /* a migration entry naming the frame: the kernel moving it */
	/* what a page moving while a live image was read also looks like: */
	PTE_MOVED_FRAME, /* a free frame, or another claiming the same address */
};

/* Whether two struct pages claim one address: the same anon_vma family and index. */
static bool same_claim(struct rmap_state *s, const struct vh_detect_ctx *ctx, const struct rpage *a,
		       const struct rpage *b)
{
	uint64_t ra = 0, rb = 0;

	return anon_of(ctx, a->mapping) && anon_of(ctx, b->mapping) && a->index == b->index &&
	       !root_of(s, ctx, anon_of(ctx, a->mapping), &ra) &&
	       !root_of(s, ctx, anon_of(ctx, b->mapping), &rb) && ra == rb;
}

/*
 * Whether the non-present @entry is the kernel's migration of the page that
 * frame @self (struct page @claim) holds: an entry of a special swap type
 * naming @self, or naming the frame the page moves from while @self, its
 * destination, is already in the reverse map (remove_migration_pte() adds the
 * rmap before it writes the PTE).
 */
static bool migration_of(struct rmap_state *s, struct vh_detect_ctx *ctx, const struct owner *o,
			 uint64_t entry, uint64_t self, const struct rpage *claim)
{
	struct vh_pte_info pi;
	uint64_t pfn;
	struct rpage src;

	vh_mmu_pte_decode(o->mmu, entry, &pi);
	if (!pi.swap || pi.swap_type < SWP_SPECIAL_MIN)
		return false; /* a swap file's entry */
	pfn = pi.swap_pfn;
	if (pfn == self)
		return true;
	return pfn < s->max_pfn && !read_page(s, ctx, pfn, &src) && !src.tail &&
	       same_claim(s, ctx, &src, claim);
}

/*
 * What the page table holds at @va for @o, described in @what: the frame it
 * maps, or the non-present entry. A page migrated (compaction) after its struct
 * page was copied but before its PTE was (or the other way round) leaves the
 * PTE mapping a frame that is free by its struct page or claims the same
 * address (PTE_MOVED_FRAME), or a migration entry naming the frame
 * (PTE_MIGRATING). An image taken while the kernel is stopped (kdump, QEMU)
 * cannot show the first; one read from a running kernel can. The second is
 * the kernel's own doing on any image: the entry says where the page is.
 */
static enum pte_state pte_state(struct rmap_state *s, struct vh_detect_ctx *ctx,
				const struct owner *o, uint64_t va, uint64_t self,
				const struct rpage *claim, char *what, size_t len)
{
	uint64_t pfn;
	struct vh_translation t;
	struct rpage y;

	memset(&t, 0, sizeof(t));
	if (vh_translate(ctx->d, o->mmu, o->root, va, &t) != VH_OK) {
		if (t.level != 1 || !t.entry) {
			snprintf(what, len,
				 "no page table maps it: its PTE was erased with the frame kept");
			return PTE_ERASED;
		}
		if (migration_of(s, ctx, o, t.entry, self, claim)) {
			snprintf(what, len,
				 "its PTE holds a migration entry for it (0x%" PRIx64
				 "): the page was being moved",
				 t.entry);
			return PTE_MIGRATING;
		}
		snprintf(what, len,
			 "its PTE holds the non-present entry 0x%" PRIx64
			 ", no migration entry for it: the PTE was overwritten with the frame kept",
			 t.entry);
		return PTE_ERASED;
	}
	pfn = t.paddr / PAGE_SIZE;
	snprintf(what, len,
		 "the PTE maps frame 0x%" PRIx64 " and no page table maps it: the PTE "
		 "was pointed elsewhere",
		 pfn);
	if (read_page(s, ctx, pfn, &y))
		return PTE_DISPLACED;
	if (!y.tail && !y.mapping && y.refcount == 0) {
		snprintf(what, len,
			 "the PTE maps frame 0x%" PRIx64 ", which is free by its struct "
			 "page, and no page table maps it",
			 pfn);
		return PTE_MOVED_FRAME;
	}
	if (!y.tail && same_claim(s, ctx, &y, claim)) {
		snprintf(what, len,
			 "the PTE maps frame 0x%" PRIx64 ", which claims the same address: "
			 "two frames for one page",
			 pfn);
		return PTE_MOVED_FRAME;
	}
	return PTE_DISPLACED;
}

/* Is the image a copy of a running kernel's memory? LiME always is; a raw image may be. */
static const char *live_image(const struct vh_detect_ctx *ctx)
{
	switch (vh_dump_format(ctx->d)) {
	case VH_FMT_LIME:
		return "the image was read from a running kernel (LiME)";
	case VH_FMT_RAW:
		return "a raw image may have been read from a running kernel";
	default:
		return NULL;
	}
}

static int orphan(struct rmap_state *s, struct vh_detect_ctx *ctx, uint64_t pfn,
		  const struct rpage *r)
{
	const struct owner *o = owner_of(s, anon_of(ctx, r->mapping), r->index);
	const char *live = live_image(ctx);
	enum pte_state st;
	char what[200];
	uint64_t va;

	if (!o)
		return VH_OK; /* a VMA of no scanned process (or one hidden from its tree) */
	if (related_to_unwalked(s, ctx->tasks, o->pid)) {
		s->at_risk++;
		return VH_OK;
	}
	va = o->start + (r->index - o->pgoff) * PAGE_SIZE;
	st = pte_state(s, ctx, o, va, pfn, r, what, sizeof(what));
	/* a page the kernel is moving, or one that moved while a live image was read: said,
	 * not alarmed */
	if (st == PTE_MIGRATING)
		return emit(s, ctx, NULL, o->pid, o->comm, va, "moved", VH_SEV_INFO,
			    "frame 0x%" PRIx64 " belongs here by its struct page (anonymous, "
			    "mapcount %d), and %s",
			    pfn, r->mapcount + 1, what);
	if (st == PTE_MOVED_FRAME && live)
		return emit(s, ctx, NULL, o->pid, o->comm, va, "moved", VH_SEV_INFO,
			    "frame 0x%" PRIx64 " belongs here by its struct page (anonymous, "
			    "mapcount %d), but %s; %s: a page migrated during the copy looks so",
			    pfn, r->mapcount + 1, what, live);
	return emit(s, ctx, NULL, o->pid, o->comm, va,
		    st == PTE_DISPLACED || st == PTE_MOVED_FRAME ? "displaced" : "erased",
		    VH_SEV_HIGH,
		    "frame 0x%" PRIx64 " belongs here by its struct page (anonymous, mapcount %d), "
		    "but %s",
		    pfn, r->mapcount + 1, what);
}

/* The struct pages of frames [pfn, pfn + n), read at @addr. */
static int scan_chunk(struct rmap_state *s, struct vh_detect_ctx *ctx, uint64_t pfn, size_t n,
		      unsigned char *buf)
{
	const struct vh_profile *p = ctx->prof;
	size_t size = p->page.type.size;
	int err = kread(ctx, s->vmemmap + pfn * size, buf, n * size);

	if (err)
		return err == VH_ERR_NOMEM ? err : VH_OK; /* struct pages the dump lacks */
	for (size_t i = 0; i < n && err != VH_ERR_NOMEM; i++) {
		struct rpage r;

		if (marked(s, pfn + i))
			continue;
		parse_page(p, buf + i * size, &r);
		if (!r.tail && r.mapcount >= 0 && anon_of(ctx, r.mapping))
			err = orphan(s, ctx, pfn + i, &r);
	}
	return err;
}

/* The struct page array is walked where the kernel maps it: holes cost nothing. */
struct vmemmap_walk {
	struct rmap_state *s;
	struct vh_detect_ctx *ctx;
	unsigned char *buf;
	int err;
};

static int vmemmap_page(const struct vh_mapping *m, int present, void *arg)
{
	struct vmemmap_walk *v = arg;
	uint64_t size = v->ctx->prof->page.type.size;
	/* the frames whose struct pages start in this mapping */
	uint64_t first = (m->vaddr - v->s->vmemmap + size - 1) / size;
	uint64_t end = (m->vaddr + m->page_size - v->s->vmemmap) / size;

	if (!present)
		return 0;
	if (end > v->s->max_pfn)
		end = v->s->max_pfn;
	for (uint64_t pfn = first; pfn < end && v->err != VH_ERR_NOMEM; pfn += PAGE_CHUNK)
		v->err =
		    scan_chunk(v->s, v->ctx, pfn,
			       (size_t)(end - pfn < PAGE_CHUNK ? end - pfn : PAGE_CHUNK), v->buf);
	return v->err == VH_ERR_NOMEM;
}

/* Processes with user memory: what task() should have seen. */
static int rmap_finish(void *state, struct vh_detect_ctx *ctx)
{
	struct rmap_state *s = state;
	struct vmemmap_walk v = {.s = s, .ctx = ctx};
	uint64_t size;
	int err;

	if (!s->ok || !s->nown)
		return VH_OK;
	/* a frame is orphaned only if no process maps it: that needs every process */
	if (ctx->tgid > 0) {
		vh_detect_warn_run(ctx, "pte-rmap",
				   "frames left unmapped (erased PTEs) not looked for: the scan is "
				   "limited to one process");
		return VH_OK;
	}
	if (s->nown) /* empty arrays are NULL: not for qsort */
		qsort(s->own, s->nown, sizeof(*s->own), owner_cmp);
	if (s->nwalked)
		qsort(s->walked, s->nwalked, sizeof(*s->walked), tgid_cmp);
	size = ctx->prof->page.type.size;
	v.buf = malloc(PAGE_CHUNK * size);
	if (!v.buf)
		return VH_ERR_NOMEM;
	s->emitted = s->dropped = 0;
	err = vh_walk(ctx->d, &ctx->km->mmu, ctx->km->pgd, s->vmemmap,
		      s->vmemmap + s->max_pfn * size, vmemmap_page, &v, NULL);
	free(v.buf);
	if (s->dropped)
		vh_detect_warn_run(ctx, "pte-rmap", "%zu more unmapped frames not reported",
				   s->dropped);
	if (s->at_risk)
		vh_detect_warn_run(
		    ctx, "pte-rmap",
		    "%zu frames no page table maps not judged: they belong to relatives "
		    "(parent or child) of a process whose page tables could not be walked, "
		    "which may map them",
		    s->at_risk);
	return err == VH_ERR_NOMEM || v.err == VH_ERR_NOMEM ? VH_ERR_NOMEM : VH_OK;
}

const struct vh_detector vh_detector_pte_rmap = {
    .id = "pte-rmap",
    .summary = "PTEs against struct page's reverse map: erased and remapped PTEs",
    .init = rmap_init,
    .task = rmap_task,
    .finish = rmap_finish,
    .fini = rmap_fini,
};
