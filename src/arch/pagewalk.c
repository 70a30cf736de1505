/* SPDX-License-Identifier: MIT */
/*
 * Page-table walks over dump memory, single translations and full walks, for
 * every architecture: each decodes its own entries (pt_format.h).
 */
#include <vmahunt/vmahunt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/pt_format.h"
#include "util/error.h"

#define PAGE_SHIFT   12
#define PTRS_PER_TBL 512
#define MAX_TABLES   (1u << 18) /* 1 GiB of tables: maps 512 GiB in 4 KiB pages */
/* Table addresses: page-aligned, up to 52 bits (a root's low bits are flags: PCID, CnP) */
#define TABLE_MASK 0x000ffffffffff000ull

const struct pt_format *vh_pt_format(const struct vh_mmu *mmu)
{
	if (mmu && mmu->arch == VH_ARCH_X86_64 && (mmu->levels == 4 || mmu->levels == 5))
		return &vh_pt_x86_64;
	if (mmu && mmu->arch == VH_ARCH_ARM64 && mmu->levels >= 3 && mmu->levels <= 5)
		return &vh_pt_arm64;
	if (mmu && mmu->arch == VH_ARCH_X86_64)
		vh_set_error(VH_ERR_INVAL, "paging levels must be 4 or 5, not %d", mmu->levels);
	else
		vh_set_error(VH_ERR_INVAL, "no page-table format for architecture %d",
			     mmu ? mmu->arch : -1);
	return NULL;
}

/* Shift of the address bits a level-@level entry maps (1 = PTE: 12, 2 = PMD: 21, ...). */
static int level_shift(int level)
{
	return PAGE_SHIFT + 9 * (level - 1);
}

/* Entries of a level-@level table: 512, fewer at the top of a 52-bit arm64 space (16). */
static unsigned level_entries(const struct vh_mmu *mmu, int level)
{
	int bits = mmu->va_bits - level_shift(level);

	return level == mmu->levels && bits < 9 ? 1u << bits : PTRS_PER_TBL;
}

/* Permissions granted along a walk: each level can only take some away. */
struct perms {
	int write, user, uexec, kexec;
};

static void perms_and(struct perms *p, const struct pt_desc *pd)
{
	p->write &= pd->write;
	p->user &= pd->user;
	p->uexec &= pd->uexec;
	p->kexec &= pd->kexec;
}

/*
 * The permissions a mapping reports. x86-64 has one NX bit for both modes.
 * arm64 says who may execute by the half: user code in the lower half
 * (UXN; an execute-only page is a user page without AP[1]), the kernel in
 * the upper (PXN).
 */
static void finish(const struct pt_format *f, int upper, const struct perms *p, int *user,
		   int *exec)
{
	if (!f->split_exec) {
		*user = p->user;
		*exec = p->uexec;
	} else if (upper) {
		*user = p->user;
		*exec = p->kexec;
	} else {
		*user = p->user || p->uexec;
		*exec = p->uexec;
	}
}

static void decode(const struct pt_format *f, const struct vh_mmu *mmu, uint64_t e, int level,
		   struct pt_desc *pd)
{
	memset(pd, 0, sizeof(*pd));
	f->decode(mmu, e, level, pd);
	if (level == 1 && pd->kind == PT_TABLE)
		pd->kind =
		    PT_INVALID; /* no table below a PTE: the format says so, this makes sure */
}

int vh_translate(struct vh_dump *d, const struct vh_mmu *mmu, uint64_t root, uint64_t vaddr,
		 struct vh_translation *t)
{
	const struct pt_format *f = vh_pt_format(mmu);
	struct perms p = {1, 1, 1, 1};
	uint64_t table;
	int upper, err;

	if (!f)
		return VH_ERR_INVAL;
	table = root & f->root_mask;
	memset(t, 0, sizeof(*t));
	t->writable = t->user = t->executable = 1;
	err = f->check_vaddr(mmu, vaddr, &upper);
	if (err)
		return err;
	for (int level = mmu->levels; level >= 1; level--) {
		unsigned idx =
		    (unsigned)(vaddr >> level_shift(level)) & (level_entries(mmu, level) - 1);
		uint64_t e, size = 1ull << level_shift(level);
		struct pt_desc pd;

		/* Entries are little-endian, as on every host vmahunt builds for. */
		err = vh_dump_read_phys(d, table + idx * 8ull, &e, 8);
		if (err)
			return err;
		t->entry = e;
		t->level = level;
		decode(f, mmu, e, level, &pd);
		if (pd.kind == PT_INVALID)
			return vh_set_error(
			    VH_ERR_NOT_MAPPED,
			    "virtual address 0x%llx: level-%d entry 0x%llx at 0x%llx "
			    "is not present",
			    (unsigned long long)vaddr, level, (unsigned long long)e,
			    (unsigned long long)(table + idx * 8ull));
		perms_and(&p, &pd);
		t->writable = p.write;
		finish(f, upper, &p, &t->user, &t->executable);
		if (pd.kind == PT_LEAF) {
			t->paddr = (pd.addr & ~(size - 1)) | (vaddr & (size - 1));
			t->page_size = size;
			return VH_OK;
		}
		table = pd.addr & TABLE_MASK;
	}
	return VH_ERR_NOT_MAPPED; /* not reached: level 1 is a leaf or invalid */
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
	const struct vh_mmu *mmu;
	const struct pt_format *f;
	int upper; /* the walk is in the upper (kernel) half */
	uint64_t start, end_incl;
	vh_mapping_fn fn;
	void *arg;
	struct vh_walk_stats st;
	struct visited seen;
};

static int emit(struct walk *w, uint64_t vaddr, uint64_t e, int level, const struct perms *p,
		uint64_t paddr, int present)
{
	struct vh_mapping m = {
	    .vaddr = vaddr,
	    .paddr = present ? paddr & ~((1ull << level_shift(level)) - 1) : 0,
	    .page_size = 1ull << level_shift(level),
	    .entry = e,
	    .level = level,
	    .writable = p->write,
	};

	finish(w->f, w->upper, p, &m.user, &m.executable);
	return w->fn(&m, present, w->arg);
}

/* Whether @table was walked already (counted); VH_ERR_NOMEM, 1 (yes) or 0 (now it is). */
static int seen_before(struct walk *w, uint64_t table)
{
	int err = visited_add(&w->seen, table);

	if (err > 0 && !w->st.revisited++)
		w->st.first_revisited = table;
	return err;
}

static int walk_table(struct walk *w, uint64_t table, int level, uint64_t base,
		      const struct perms *in)
{
	uint64_t entries[PTRS_PER_TBL];
	unsigned n = level_entries(w->mmu, level);
	int shift = level_shift(level);
	int err;

	if (w->st.tables >= MAX_TABLES) {
		w->st.truncated = 1;
		return VH_OK;
	}
	table &= level == w->mmu->levels ? w->f->root_mask : TABLE_MASK;
	/* a table reached twice is a cycle (or a shared table): each is walked once */
	err = seen_before(w, table);
	if (err)
		return err < 0 ? err : VH_OK;
	w->st.tables++;
	err = vh_dump_read_phys(w->d, table, entries, n * sizeof(entries[0]));
	if (err) {
		if (!w->st.unreadable++) {
			w->st.first_unreadable = table;
			w->st.first_unreadable_err = err;
		}
		return VH_OK;
	}
	for (unsigned i = 0; i < n && !w->st.truncated; i++) {
		uint64_t e = entries[i];
		uint64_t va = w->f->extend(w->mmu, base | ((uint64_t)i << shift), w->upper);
		uint64_t last = va + (1ull << shift) - 1;
		struct perms p = *in;
		struct pt_desc pd;
		int r = 0;

		if (last < w->start || va > w->end_incl || !e)
			continue;
		decode(w->f, w->mmu, e, level, &pd);
		perms_and(&p, &pd);
		if (pd.kind == PT_INVALID) {
			/* Only a PTE-level non-present entry has a meaning (swap, migration). */
			if (level == 1)
				r = emit(w, va, e, level, &p, 0, 0);
		} else if (pd.kind == PT_LEAF) {
			r = emit(w, va, e, level, &p, pd.addr, 1);
		} else {
			r = walk_table(w, pd.addr, level - 1, va, &p);
		}
		if (r)
			return r;
	}
	return VH_OK;
}

int vh_walk(struct vh_dump *d, const struct vh_mmu *mmu, uint64_t root, uint64_t start,
	    uint64_t end, vh_mapping_fn fn, void *arg, struct vh_walk_stats *stats)
{
	struct walk w = {.d = d, .mmu = mmu, .fn = fn, .arg = arg};
	struct perms p = {1, 1, 1, 1};
	int err;

	w.f = vh_pt_format(mmu);
	if (!w.f)
		return VH_ERR_INVAL;
	if (!fn)
		return vh_set_error(VH_ERR_INVAL, "vh_walk: no callback");
	w.start = start & ~((1ull << PAGE_SHIFT) - 1);
	w.end_incl = end ? end - 1 : UINT64_MAX;
	if (w.end_incl < w.start)
		return vh_set_error(VH_ERR_INVAL, "vh_walk: empty range");
	w.upper = w.start >= vh_mmu_kernel_start(mmu);
	err = walk_table(&w, root, mmu->levels, 0, &p);
	free(w.seen.slot);
	if (stats)
		*stats = w.st;
	return err;
}

uint64_t vh_mmu_user_end(const struct vh_mmu *mmu)
{
	if (mmu->arch == VH_ARCH_X86_64)
		return 1ull << (mmu->va_bits - 1);
	return mmu->va_bits > 0 && mmu->va_bits < 64 ? 1ull << mmu->va_bits : 0;
}

uint64_t vh_mmu_kernel_start(const struct vh_mmu *mmu)
{
	if (mmu->arch == VH_ARCH_X86_64)
		return ~0ull << (mmu->va_bits - 1);
	return mmu->va_bits > 0 && mmu->va_bits < 64 ? ~0ull << mmu->va_bits : ~0ull;
}

const char *vh_mmu_arch_name(const struct vh_mmu *mmu)
{
	return !mmu			     ? "unknown"
	       : mmu->arch == VH_ARCH_X86_64 ? "x86_64"
	       : mmu->arch == VH_ARCH_ARM64  ? "aarch64"
					     : "unknown";
}

void vh_mmu_set_release(struct vh_mmu *mmu, const char *release)
{
	unsigned major, minor;

	if (!release || sscanf(release, "%u.%u", &major, &minor) != 2)
		return;
	if (mmu->arch == VH_ARCH_ARM64)
		mmu->pte_layout = major > 6 || (major == 6 && minor >= 10);
}

void vh_mmu_pte_decode(const struct vh_mmu *mmu, uint64_t entry, struct vh_pte_info *pi)
{
	const struct pt_format *f = vh_pt_format(mmu);

	memset(pi, 0, sizeof(*pi));
	if (f && entry)
		f->pte_decode(mmu, entry, pi);
}
