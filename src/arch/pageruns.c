/* SPDX-License-Identifier: MIT */
/* Runs of present user pages, for vh_session_pages() and the plugin ABI's page walk. */
#include "arch/vread.h"

/* A run being gathered. */
struct page_run {
	uint64_t start, end; /* the open run; start == end: none */
	uint64_t lo, hi;     /* the range asked for */
	int (*fn)(void *arg, uint64_t start, uint64_t len);
	void *arg;
};

static int run_flush(struct page_run *r)
{
	int ret = r->end > r->start ? r->fn(r->arg, r->start, r->end - r->start) : 0;

	r->start = r->end = 0;
	return ret;
}

static int run_add(const struct vh_mapping *m, int present, void *arg)
{
	struct page_run *r = arg;
	uint64_t s = m->vaddr > r->lo ? m->vaddr : r->lo;
	uint64_t e = m->vaddr + m->page_size < r->hi ? m->vaddr + m->page_size : r->hi;
	int ret = 0;

	if (!present || e <= s)
		return 0;
	if (s != r->end)
		ret = run_flush(r);
	if (r->start == r->end)
		r->start = s;
	r->end = e;
	return ret;
}

/* A process core: the parts of its segments the core holds. */
static int core_runs(struct vh_dump *d, struct page_run *r)
{
	const struct vh_core_info *c = vh_core_info(d);
	int ret = 0;

	for (size_t i = 0; c && i < c->nloads && !ret; i++) {
		struct vh_mapping m = {.vaddr = c->loads[i].start, .page_size = c->loads[i].filesz};

		ret = run_add(&m, 1, r);
	}
	return ret ? ret : run_flush(r);
}

int vh_page_runs(struct vh_dump *d, const struct vh_mmu *mmu, uint64_t root, uint64_t start,
		 uint64_t end, int (*fn)(void *arg, uint64_t start, uint64_t len), void *arg)
{
	struct page_run r = {.lo = start, .hi = end, .fn = fn, .arg = arg};
	uint64_t top;
	int ret;

	if (!root || !mmu) {
		if (!r.hi)
			r.hi = UINT64_MAX;
		return core_runs(d, &r);
	}
	/* the user half: below the kernel's, whatever @end says */
	top = vh_mmu_user_end(mmu);
	if (r.hi > top || !r.hi)
		r.hi = top;
	if (r.lo >= r.hi)
		return VH_OK;
	ret = vh_walk(d, mmu, root, r.lo, r.hi, run_add, &r, NULL);
	return ret ? ret : run_flush(&r);
}
