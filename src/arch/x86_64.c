/* SPDX-License-Identifier: MIT */
/* x86-64 page-table walks over dump memory: single translations and full walks. */
#include <vmahunt/vmahunt.h>

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

#define PAGE_SHIFT   12
#define PTRS_PER_TBL 512
#define MAX_TABLES   (1u << 18) /* 1 GiB of tables: maps 512 GiB in 4 KiB pages */

/* Shift of the address bits a level-@level entry maps (1 = PTE: 12, 2 = PMD: 21, ...). */
static int level_shift(int level)
{
	return PAGE_SHIFT + 9 * (level - 1);
}

static int check_levels(int levels)
{
	if (levels != 4 && levels != 5)
		return vh_set_error(VH_ERR_INVAL, "paging levels must be 4 or 5, not %d", levels);
	return VH_OK;
}

/* Sign-extends from bit 47 (4-level) or 56 (5-level): the canonical form. */
static uint64_t canonical(uint64_t vaddr, int levels)
{
	int top = levels == 5 ? 56 : 47;

	return (uint64_t)((int64_t)(vaddr << (63 - top)) >> (63 - top));
}

static int read_entry(struct vh_dump *d, uint64_t table, unsigned idx, uint64_t *entry)
{
	/* Entries are little-endian on x86-64, as is every host vmahunt builds for. */
	return vh_dump_read_phys(d, (table & VH_X86_PTE_ADDR_MASK) + idx * 8ull, entry, 8);
}

/* Leaf or huge entry at @level: the physical address of @vaddr within it. */
static uint64_t leaf_paddr(uint64_t entry, int level, uint64_t vaddr)
{
	uint64_t size = 1ull << level_shift(level);

	return ((entry & VH_X86_PTE_ADDR_MASK) & ~(size - 1)) | (vaddr & (size - 1));
}

int vh_x86_64_translate(struct vh_dump *d, uint64_t root, int levels, uint64_t vaddr,
			struct vh_translation *t)
{
	uint64_t table = root;
	int err = check_levels(levels);

	if (err)
		return err;
	memset(t, 0, sizeof(*t));
	t->writable = t->user = t->executable = 1;
	if (canonical(vaddr, levels) != vaddr)
		return vh_set_error(VH_ERR_NOT_MAPPED,
				    "virtual address 0x%llx is not canonical for %d-level paging",
				    (unsigned long long)vaddr, levels);
	for (int level = levels; level >= 1; level--) {
		unsigned idx = (unsigned)(vaddr >> level_shift(level)) & (PTRS_PER_TBL - 1);
		uint64_t e;

		err = read_entry(d, table, idx, &e);
		if (err)
			return err;
		t->entry = e;
		t->level = level;
		if (!(e & VH_X86_PTE_PRESENT))
			return vh_set_error(
			    VH_ERR_NOT_MAPPED,
			    "virtual address 0x%llx: level-%d entry 0x%llx at 0x%llx "
			    "is not present",
			    (unsigned long long)vaddr, level, (unsigned long long)e,
			    (unsigned long long)((table & VH_X86_PTE_ADDR_MASK) + idx * 8ull));
		t->writable &= !!(e & VH_X86_PTE_RW);
		t->user &= !!(e & VH_X86_PTE_USER);
		t->executable &= !(e & VH_X86_PTE_NX);
		/* PSE means a huge page at PUD and PMD level only; at PTE level bit 7 is PAT. */
		if (level == 1 || ((level == 2 || level == 3) && (e & VH_X86_PTE_PSE))) {
			t->paddr = leaf_paddr(e, level, vaddr);
			t->page_size = 1ull << level_shift(level);
			return VH_OK;
		}
		table = e;
	}
	return VH_ERR_NOT_MAPPED; /* not reached: level 1 always returns */
}

/* The table pages a walk has read: an open-addressing set of physical addresses. */
struct visited {
	uint64_t *slot; /* page address + 1; 0 = empty */
	size_t cap;	/* a power of two */
	size_t n;
};

static size_t slot_of(const struct visited *v, uint64_t key)
{
	size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & (v->cap - 1);

	while (v->slot[i] && v->slot[i] != key)
		i = (i + 1) & (v->cap - 1);
	return i;
}

static int visited_grow(struct visited *v)
{
	struct visited g = {.cap = v->cap ? 2 * v->cap : 1024};

	g.slot = calloc(g.cap, sizeof(*g.slot));
	if (!g.slot)
		return VH_ERR_NOMEM;
	for (size_t i = 0; i < v->cap; i++)
		if (v->slot[i])
			g.slot[slot_of(&g, v->slot[i])] = v->slot[i];
	g.n = v->n;
	free(v->slot);
	*v = g;
	return VH_OK;
}

/* Adds @table; returns 1 when it was already there, 0 when added, or VH_ERR_NOMEM. */
static int visited_add(struct visited *v, uint64_t table)
{
	uint64_t key = (table >> PAGE_SHIFT) + 1;
	size_t i;

	if (2 * (v->n + 1) > v->cap && visited_grow(v))
		return VH_ERR_NOMEM;
	i = slot_of(v, key);
	if (v->slot[i])
		return 1;
	v->slot[i] = key;
	v->n++;
	return 0;
}

struct walk {
	struct vh_dump *d;
	int levels;
	uint64_t start, end_incl;
	vh_mapping_fn fn;
	void *arg;
	struct vh_walk_stats st;
	struct visited seen;
};

static int emit(struct walk *w, uint64_t vaddr, uint64_t e, int level, int perms[3], int present)
{
	struct vh_mapping m = {
	    .vaddr = vaddr,
	    .paddr = present ? leaf_paddr(e, level, 0) : 0,
	    .page_size = 1ull << level_shift(level),
	    .entry = e,
	    .level = level,
	    .writable = perms[0],
	    .user = perms[1],
	    .executable = perms[2],
	};

	return w->fn(&m, present, w->arg);
}

static int walk_table(struct walk *w, uint64_t table, int level, uint64_t base, int perms_in[3])
{
	uint64_t entries[PTRS_PER_TBL];
	int shift = level_shift(level);
	int err;

	if (w->st.tables >= MAX_TABLES) {
		w->st.truncated = 1;
		return VH_OK;
	}
	/* a table reached twice is a cycle (or a shared table): each is walked once */
	err = visited_add(&w->seen, table & VH_X86_PTE_ADDR_MASK);
	if (err < 0)
		return err;
	if (err) {
		if (!w->st.revisited++)
			w->st.first_revisited = table & VH_X86_PTE_ADDR_MASK;
		return VH_OK;
	}
	w->st.tables++;
	err = vh_dump_read_phys(w->d, table & VH_X86_PTE_ADDR_MASK, entries, sizeof(entries));
	if (err) {
		if (!w->st.unreadable++) {
			w->st.first_unreadable = table & VH_X86_PTE_ADDR_MASK;
			w->st.first_unreadable_err = err;
		}
		return VH_OK;
	}
	for (unsigned i = 0; i < PTRS_PER_TBL && !w->st.truncated; i++) {
		uint64_t e = entries[i];
		uint64_t va = canonical(base | ((uint64_t)i << shift), w->levels);
		uint64_t last = va + (1ull << shift) - 1;
		int perms[3];
		int r;

		if (last < w->start || va > w->end_incl || !e)
			continue;
		perms[0] = perms_in[0] && (e & VH_X86_PTE_RW);
		perms[1] = perms_in[1] && (e & VH_X86_PTE_USER);
		perms[2] = perms_in[2] && !(e & VH_X86_PTE_NX);
		if (!(e & VH_X86_PTE_PRESENT)) {
			/* Only a PTE-level non-present entry has a meaning (swap, migration). */
			r = level == 1 ? emit(w, va, e, level, perms, 0) : 0;
		} else if (level == 1 || ((level == 2 || level == 3) && (e & VH_X86_PTE_PSE))) {
			r = emit(w, va, e, level, perms, 1);
		} else {
			r = walk_table(w, e, level - 1, va, perms);
		}
		if (r)
			return r;
	}
	return VH_OK;
}

int vh_x86_64_walk(struct vh_dump *d, uint64_t root, int levels, uint64_t start, uint64_t end,
		   vh_mapping_fn fn, void *arg, struct vh_walk_stats *stats)
{
	struct walk w = {.d = d, .levels = levels, .fn = fn, .arg = arg};
	int perms[3] = {1, 1, 1};
	int err = check_levels(levels);

	if (err)
		return err;
	if (!fn)
		return vh_set_error(VH_ERR_INVAL, "vh_x86_64_walk: no callback");
	w.start = start & ~((1ull << PAGE_SHIFT) - 1);
	w.end_incl = end ? end - 1 : UINT64_MAX;
	if (w.end_incl < w.start)
		return vh_set_error(VH_ERR_INVAL, "vh_x86_64_walk: empty range");
	err = walk_table(&w, root, levels, 0, perms);
	free(w.seen.slot);
	if (stats)
		*stats = w.st;
	return err;
}
