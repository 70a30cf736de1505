/* SPDX-License-Identifier: MIT */
/*
 * slab-xview: a synthetic SLUB slab's free chains, decoded as the detector does;
 * then the detector over a small raw dump holding a vm_area_struct cache, its
 * per-CPU slab and one slab of 16 objects (a VMA of the tree, an orphan, one
 * overlapping a tree VMA, one of an unknown mm, free objects that look like
 * orphans), the same slab as the task_struct cache's (a task reached by nothing;
 * listed, reaped and idle ones) and as the mm_struct cache's (an mm no task uses;
 * one without users, swapper's), and the same slab damaged (a loop in its free
 * chain, an object count beyond belief, a merged cache, random bits flipped).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <vmahunt/arch.h>
#include <vmahunt/detect.h>
#include <vmahunt/dump.h>
#include <vmahunt/symbols.h>

#include "detect/detectors.h"
#include "helpers/detecttest.h"
#include "helpers/tmpfile.h"

#define BASE  0xffff888000100000ull
#define NOBJ  8u
#define SLABN 4096

static unsigned char slab[SLABN];
static uint8_t freemap[(NOBJ + 7) / 8];

static uint64_t obj(const struct vh_slab_cache *c, unsigned i)
{
	return BASE + c->red_left_pad + (uint64_t)i * c->size;
}

/* Stores in object @i the link to @next (0: end), masked as a hardened kernel masks it. */
static void link_obj(const struct vh_slab_cache *c, unsigned i, uint64_t next)
{
	uint64_t at = obj(c, i) + c->offset, v = next;

	if (c->hardened)
		v ^= c->random ^ __builtin_bswap64(at);
	memcpy(slab + (at - BASE), &v, 8);
}

/* A chain through objects @idx (n of them); returns its head. */
static uint64_t chain(const struct vh_slab_cache *c, const unsigned *idx, size_t n)
{
	for (size_t i = 0; i < n; i++)
		link_obj(c, idx[i], i + 1 < n ? obj(c, idx[i + 1]) : 0);
	return n ? obj(c, idx[0]) : 0;
}

static bool is_free(unsigned i)
{
	return freemap[i / 8] & (1u << (i % 8));
}

static int run(const struct vh_slab_cache *c, const uint64_t *heads, size_t n)
{
	return vh_slab_free(c, BASE, slab, sizeof(slab), NOBJ, heads, n, freemap);
}

static void check_chains(const struct vh_slab_cache *c)
{
	static const unsigned slab_chain[] = {3, 5, 1}, cpu_chain[] = {6, 7};
	uint64_t heads[2];

	memset(slab, 0xa5, sizeof(slab)); /* allocated objects hold anything */
	heads[0] = chain(c, slab_chain, 3);
	heads[1] = chain(c, cpu_chain, 2);
	assert_int_equal(run(c, heads, 2), VH_OK);
	for (unsigned i = 0; i < NOBJ; i++)
		assert_int_equal(is_free(i), i == 1 || i == 3 || i == 5 || i == 6 || i == 7);
}

static void test_plain_and_hardened(void **state)
{
	struct vh_slab_cache plain = {.size = 200, .offset = 96};
	struct vh_slab_cache hard = {
	    .size = 200, .offset = 96, .hardened = true, .random = 0x5eed1234abcd9876ull};
	struct vh_slab_cache redzone = {.size = 256,
					.offset = 0,
					.red_left_pad = 64,
					.hardened = true,
					.random = 0x0123456789abcdefull};

	(void)state;
	check_chains(&plain);
	check_chains(&hard);
	check_chains(&redzone);
}

static void test_empty_and_full(void **state)
{
	struct vh_slab_cache c = {.size = 200, .offset = 96, .hardened = true, .random = 7};
	unsigned all[NOBJ];
	uint64_t heads[1] = {0};

	(void)state;
	/* no free object: every one is allocated */
	assert_int_equal(run(&c, heads, 1), VH_OK);
	for (unsigned i = 0; i < NOBJ; i++)
		assert_false(is_free(i));
	/* every object free */
	for (unsigned i = 0; i < NOBJ; i++)
		all[i] = NOBJ - 1 - i;
	heads[0] = chain(&c, all, NOBJ);
	assert_int_equal(run(&c, heads, 1), VH_OK);
	for (unsigned i = 0; i < NOBJ; i++)
		assert_true(is_free(i));
}

/* A hostile or misdecoded chain makes the slab undecodable; nothing loops or reads out of it. */
static void test_hostile(void **state)
{
	struct vh_slab_cache c = {.size = 200, .offset = 96, .hardened = true, .random = 42};
	static const unsigned loop[] = {2, 4};
	uint64_t heads[2];

	(void)state;
	/* a loop: 2 -> 4 -> 2 */
	heads[0] = chain(&c, loop, 2);
	link_obj(&c, 4, obj(&c, 2));
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	/* a pointer outside the slab, below and above */
	link_obj(&c, 4, BASE - 200);
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	link_obj(&c, 4, obj(&c, NOBJ));
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	/* inside an object, not at its start */
	link_obj(&c, 4, obj(&c, 5) + 8);
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	/* the wrong mask (a kernel without hardening read as hardened) */
	link_obj(&c, 4, 0);
	c.random ^= 1;
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	c.random ^= 1;
	assert_int_equal(run(&c, heads, 1), VH_OK);
	/* two chains that join: an object on both */
	heads[1] = obj(&c, 4);
	assert_int_equal(run(&c, heads, 2), VH_ERR_CORRUPT);
	/* a head that is no object */
	heads[0] = 0xdeadbeef;
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
}

static void test_bad_layout(void **state)
{
	struct vh_slab_cache c = {.size = 200, .offset = 196};
	uint64_t heads[1] = {0};

	(void)state;
	/* the free pointer would cross the object's end */
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	c.offset = 0;
	c.size = 0;
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	c.size = 4; /* no room for a pointer */
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	/* more objects than the bytes read hold */
	c.size = SLABN / 4;
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	c.size = SLABN / NOBJ;
	assert_int_equal(run(&c, heads, 1), VH_OK);
	assert_int_equal(vh_slab_free(&c, BASE, slab, sizeof(slab), 0, heads, 1, freemap),
			 VH_ERR_CORRUPT);
}

/* --- the detector over a raw dump ---------------------------------------- */

/*
 * Physical layout: the kernel's PML4 and a PDPT mapping the direct map with one
 * 1 GiB page, then the memory: the kmem_cache, its kmem_cache_cpu, the
 * variables, the struct pages of pfns 0x100.., the slab (pfn 0x102).
 */
#define PGD_PHYS  0xfe000ull
#define PDPT_PHYS 0xff000ull
#define KC_PHYS	  0x100000ull
#define CPU_PHYS  0x100100ull
#define VAR_PHYS  0x100200ull /* vm_area_cachep, vmemmap_base, page_offset_base, ... */
#define PAGE_PHYS 0x101000ull /* struct page of pfn 0x100 */
#define SLAB_PFN  0x102ull
#define DUMP_END  0x103000ull
#define DIRECT	  0xffff888000000000ull
#define DM(phys)  (DIRECT + (phys))
#define VMEMMAP	  (DM(PAGE_PHYS) - 0x100 * 64)
#define SLAB_VA	  DM(SLAB_PFN * 4096)
#define OBJ(i)	  (SLAB_VA + 256ull * (i))
#define MM	  0xffff888000555000ull
#define RANDOM	  0x1234567890abcdefull

static uint8_t image[DUMP_END - PGD_PHYS];

/* TASKS, MMS: the same slab, of the task_struct or the mm_struct cache */
enum damage { WHOLE, LOOP, OBJECTS, MERGED, TASKS, MMS };

#define INIT_TASK DM(0x700000)

static void put_at(uint64_t phys, uint64_t v, unsigned size)
{
	assert_true(phys >= PGD_PHYS && phys + size <= DUMP_END);
	for (unsigned i = 0; i < size; i++)
		image[phys - PGD_PHYS + i] = (uint8_t)(v >> (8 * i));
}

/* A profile entry present at @off (a member) or of @size (a struct). */
static void mem_at(struct vh_member *m, uint32_t off, uint32_t size)
{
	m->offset = off;
	m->size = size;
	m->source = VH_SRC_BTF;
}

static void sym_at(struct vh_symbol *s, uint64_t addr)
{
	s->addr = addr;
	s->source = VH_SRC_SYMTAB;
}

/* The profile, its cache symbol the one @dmg's slab belongs to. */
static struct vh_profile *slab_profile(enum damage dmg)
{
	struct vh_profile *p;

	assert_int_equal(vh_profile_new(&p), VH_OK);
	p->page.type = (struct vh_struct_size){64, VH_SRC_BTF, 0};
	mem_at(&p->page.flags, 0, 8);
	mem_at(&p->page.mapping, 24, 8);
	mem_at(&p->page.slab_cache, 24, 8);
	mem_at(&p->page.freelist, 32, 8);
	mem_at(&p->page.objects, 42, 4);
	p->page.objects.bit_size = 15;
	p->kmem_cache.type = (struct vh_struct_size){256, VH_SRC_BTF, 0};
	mem_at(&p->kmem_cache.cpu_slab, 0, 8);
	mem_at(&p->kmem_cache.flags, 8, 4);
	mem_at(&p->kmem_cache.size, 24, 4);
	mem_at(&p->kmem_cache.object_size, 28, 4);
	mem_at(&p->kmem_cache.offset, 40, 4);
	mem_at(&p->kmem_cache.refcount, 64, 4);
	mem_at(&p->kmem_cache.red_left_pad, 88, 4);
	mem_at(&p->kmem_cache.random, 184, 8);
	p->kmem_cache_cpu.type = (struct vh_struct_size){32, VH_SRC_BTF, 0};
	mem_at(&p->kmem_cache_cpu.freelist, 0, 8);
	mem_at(&p->kmem_cache_cpu.slab, 16, 8);
	p->vm_area_struct.type = (struct vh_struct_size){200, VH_SRC_BTF, 0};
	mem_at(&p->vm_area_struct.vm_start, 0, 8);
	mem_at(&p->vm_area_struct.vm_end, 8, 8);
	mem_at(&p->vm_area_struct.vm_mm, 16, 8);
	p->task_struct.type = (struct vh_struct_size){200, VH_SRC_BTF, 0};
	mem_at(&p->task_struct.state, 0, 4);
	mem_at(&p->task_struct.flags, 4, 4);
	mem_at(&p->task_struct.pid, 8, 4);
	mem_at(&p->task_struct.tgid, 12, 4);
	mem_at(&p->task_struct.exit_state, 16, 4);
	mem_at(&p->task_struct.mm, 24, 8);
	mem_at(&p->task_struct.comm, 32, 16);
	p->mm_struct.type = (struct vh_struct_size){200, VH_SRC_BTF, 0};
	mem_at(&p->mm_struct.mm_users, 0, 4);
	mem_at(&p->mm_struct.owner, 8, 8);
	sym_at(&p->sym.init_task, INIT_TASK);
	sym_at(dmg == TASKS ? &p->sym.task_struct_cachep
	       : dmg == MMS ? &p->sym.mm_cachep
			    : &p->sym.vm_area_cachep,
	       DM(VAR_PHYS));
	sym_at(&p->sym.vmemmap_base, DM(VAR_PHYS + 8));
	sym_at(&p->sym.page_offset_base, DM(VAR_PHYS + 16));
	sym_at(&p->sym.per_cpu_offset, DM(VAR_PHYS + 32));
	sym_at(&p->sym.nr_cpu_ids, DM(VAR_PHYS + 40));
	return p;
}

static void vma_obj(unsigned i, uint64_t start, uint64_t end, uint64_t mm)
{
	put_at(SLAB_PFN * 4096 + 256ull * i, start, 8);
	put_at(SLAB_PFN * 4096 + 256ull * i + 8, end, 8);
	put_at(SLAB_PFN * 4096 + 256ull * i + 16, mm, 8);
}

/* Object @i's free pointer to @next, hardened. */
static void free_link(unsigned i, uint64_t next)
{
	uint64_t at = OBJ(i) + 128;

	put_at(SLAB_PFN * 4096 + 256ull * i + 128, next ^ RANDOM ^ __builtin_bswap64(at), 8);
}

/* A task_struct of the TASKS slab: __state, flags, pid, tgid, exit_state, mm, comm. */
static void task_obj(unsigned i, uint32_t state, uint32_t flags, int32_t pid, uint32_t exit_state,
		     const char *comm)
{
	uint64_t at = SLAB_PFN * 4096 + 256ull * i;

	put_at(at, state, 4);
	put_at(at + 4, flags, 4);
	put_at(at + 8, (uint32_t)pid, 4);
	put_at(at + 12, (uint32_t)pid, 4);
	put_at(at + 16, exit_state, 4);
	put_at(at + 24, MM, 8);
	for (size_t c = 0; c < strlen(comm); c++)
		put_at(at + 32 + c, (uint8_t)comm[c], 1);
}

static void build_image(enum damage dmg)
{
	uint64_t page = PAGE_PHYS + (SLAB_PFN - 0x100) * 64;

	memset(image, 0, sizeof(image));
	put_at(PGD_PHYS + 8 * ((DIRECT >> 39) & 0x1ff),
	       PDPT_PHYS | VH_X86_PTE_PRESENT | VH_X86_PTE_RW, 8);
	put_at(PDPT_PHYS, VH_X86_PTE_PRESENT | VH_X86_PTE_RW | VH_X86_PTE_PSE, 8);
	/* the cache: 256-byte objects of 200, free pointer at 128, hardened */
	put_at(KC_PHYS, DM(CPU_PHYS), 8);
	put_at(KC_PHYS + 24, 256, 4);
	put_at(KC_PHYS + 28, 200, 4);
	put_at(KC_PHYS + 40, 128, 4);
	put_at(KC_PHYS + 64, dmg == MERGED ? 2 : 1, 4);
	put_at(KC_PHYS + 184, RANDOM, 8);
	/* the variables; CPU 0's per-CPU offset 0 */
	put_at(VAR_PHYS, DM(KC_PHYS), 8);
	put_at(VAR_PHYS + 8, VMEMMAP, 8);
	put_at(VAR_PHYS + 16, DIRECT, 8);
	put_at(VAR_PHYS + 32, 0, 8);
	put_at(VAR_PHYS + 40, 1, 4);
	/* CPU 0's slab is this one; its chain holds object 15 (a plain pointer) */
	put_at(CPU_PHYS, OBJ(15), 8);
	put_at(CPU_PHYS + 16, VMEMMAP + SLAB_PFN * 64, 8);
	free_link(15, 0);
	/* the slab's struct page: cache, free chain 4 -> 5 -> ... -> 14, 16 objects */
	put_at(page + 24, DM(KC_PHYS), 8);
	put_at(page + 32, OBJ(4), 8);
	put_at(page + 42, dmg == OBJECTS ? 0x7fff : 16, 2);
	for (unsigned i = 4; i < 14; i++)
		free_link(i, OBJ(i + 1));
	free_link(14, dmg == LOOP ? OBJ(6) : 0);
	if (dmg == TASKS) {
		task_obj(0, 1, 0, 42, 0, "victim");	      /* on the task list */
		task_obj(1, 1, 0, 99, 0, "ghost");	      /* alive, reached by nothing */
		task_obj(2, 0x80, 0, 98, 0x10, "reaped");     /* TASK_DEAD, EXIT_DEAD */
		task_obj(3, 0, 0x2 | 0x200000, 0, 0, "idle"); /* another CPU's idle task */
		return;
	}
	if (dmg == MMS) {
		/* mm_users, owner */
		put_at(SLAB_PFN * 4096, 1, 4); /* the task's */
		put_at(SLAB_PFN * 4096 + 256, 2, 4);
		put_at(SLAB_PFN * 4096 + 256 + 8, DM(0x810000), 8); /* no task uses it */
		put_at(SLAB_PFN * 4096 + 512 + 8, DM(0x810000), 8); /* no users: torn down */
		put_at(SLAB_PFN * 4096 + 768, 1, 4);
		put_at(SLAB_PFN * 4096 + 768 + 8, INIT_TASK, 8); /* the kernel's own */
		return;
	}
	vma_obj(0, 0x1000, 0x2000, MM);		  /* in the tree */
	vma_obj(1, 0x10000, 0x18000, MM);	  /* an orphan */
	vma_obj(2, 0x5000, 0x6000, MM);		  /* inside a tree VMA's range */
	vma_obj(3, 0x1000, 0x2000, DM(0x777000)); /* of an mm not scanned */
	/* free objects whose stale content looks like an orphan's */
	vma_obj(5, 0x20000, 0x21000, MM);
	vma_obj(15, 0x30000, 0x31000, MM);
	free_link(5, OBJ(6));
	free_link(15, 0);
}

/* Runs the detector over the image as it is (built for @dmg). */
static void run_image(enum damage dmg, struct vh_test_sink *s)
{
	const struct vh_detector *det = vh_detector_find("slab-xview");
	struct vh_dump_options o = {.raw = true, .raw_base = PGD_PHYS};
	struct vh_kernel_map km = {.pgd = PGD_PHYS,
				   .mmu = {.arch = VH_ARCH_X86_64, .levels = 4, .va_bits = 48},
				   .method = "test"};
	struct vh_vma vmas[2] = {
	    {.addr = OBJ(0), .start = 0x1000, .end = 0x2000, .vm_mm = MM},
	    {.addr = DM(0x900000), .start = 0x4000, .end = 0x8000, .vm_mm = MM},
	};
	struct vh_vma_list l = {.mm = MM, .vmas = vmas, .nvmas = 2, .map_count = 4};
	struct vh_task t = {.pid = 42,
			    .tgid = 42,
			    .leader = true,
			    .comm = "victim",
			    .mm = dmg == MMS ? OBJ(0) : MM,
			    .active_mm = dmg == MMS ? OBJ(0) : MM,
			    .addr = dmg == TASKS ? OBJ(0) : DM(0x800000)};
	struct vh_task_list tl = {.tasks = &t, .ntasks = 1, .ngroups = 1};
	struct vh_profile *p = slab_profile(dmg);
	struct vh_dump *d = NULL;
	char *path;
	void *st = NULL;

	path = vh_test_write_tmp(image, sizeof(image));
	assert_non_null(path);
	assert_int_equal(vh_dump_open(path, &o, &d), VH_OK);
	memset(s, 0, sizeof(*s));
	{
		struct vh_detect_ctx ctx = {.d = d,
					    .sink = vh_test_collect,
					    .sink_arg = s,
					    .warn = vh_test_collect_warning,
					    .km = &km,
					    .prof = p,
					    .tasks = &tl};

		assert_int_equal(det->init(det, &st), VH_OK);
		ctx.task = &t;
		ctx.vmas = &l;
		assert_int_equal(det->task(st, &ctx), VH_OK);
		ctx.task = NULL;
		ctx.vmas = NULL;
		assert_int_equal(det->finish(st, &ctx), VH_OK);
		det->fini(st);
	}
	vh_dump_close(d);
	vh_profile_free(p);
	unlink(path);
	free(path);
}

static void run_slab(enum damage dmg, struct vh_test_sink *s)
{
	build_image(dmg);
	run_image(dmg, s);
}

static bool warned(const struct vh_test_sink *s, const char *what)
{
	for (size_t i = 0; i < s->nwarn; i++)
		if (strstr(s->warn[i], what))
			return true;
	return false;
}

static void test_dump_whole(void **state)
{
	struct vh_test_sink s;

	(void)state;
	run_slab(WHOLE, &s);
	/* the two caches the profile lacks are said skipped */
	assert_true(warned(&s, "task_struct objects not looked at"));
	assert_true(warned(&s, "mm_struct objects not looked at"));
	assert_int_equal(s.n, 2);
	for (size_t i = 0; i < s.n; i++) {
		assert_string_equal(s.f[i].detector, "slab-xview");
		assert_string_equal(s.f[i].kind, "orphan-vma");
		assert_int_equal(s.f[i].pid, 42);
	}
	/* the orphan: high, its range, its address named */
	assert_int_equal(s.f[0].severity, VH_SEV_HIGH);
	assert_int_equal(s.f[0].start, 0x10000);
	assert_int_equal(s.f[0].end, 0x18000);
	assert_non_null(strstr(s.f[0].reason, "0xffff888000102100"));
	assert_non_null(strstr(s.f[0].reason, "map_count 4 counts 2 VMAs more"));
	/* the one inside a tree VMA's range: medium */
	assert_int_equal(s.f[1].severity, VH_SEV_MEDIUM);
	assert_int_equal(s.f[1].start, 0x5000);
}

static void test_dump_damaged(void **state)
{
	struct vh_test_sink s;

	(void)state;
	run_slab(LOOP, &s);
	assert_int_equal(s.n, 0);
	assert_true(warned(&s, "1 slabs skipped: their free lists do not decode"));
	run_slab(OBJECTS, &s);
	assert_int_equal(s.n, 0);
	assert_true(warned(&s, "1 slabs skipped"));
	run_slab(MERGED, &s);
	assert_int_equal(s.n, 0);
	assert_true(warned(&s, "vm_area_struct objects not looked at: the cache is merged"));
}

static void test_dump_tasks(void **state)
{
	struct vh_test_sink s;

	(void)state;
	run_slab(TASKS, &s);
	assert_true(warned(&s, "vm_area_struct objects not looked at"));
	/* only the task alive and reached by nothing: not the listed, reaped or idle ones */
	assert_int_equal(s.n, 1);
	assert_string_equal(s.f[0].kind, "orphan-task");
	assert_int_equal(s.f[0].severity, VH_SEV_HIGH);
	assert_int_equal(s.f[0].pid, 99);
	assert_string_equal(s.f[0].comm, "ghost");
	assert_int_equal(s.f[0].start, OBJ(1));
	assert_non_null(strstr(s.f[0].reason, "neither the task list nor the pid table"));
}

static void test_dump_mms(void **state)
{
	struct vh_test_sink s;

	(void)state;
	run_slab(MMS, &s);
	/* only the mm with users no task uses: not the task's, one without users, swapper's */
	assert_int_equal(s.n, 1);
	assert_string_equal(s.f[0].kind, "orphan-mm");
	assert_int_equal(s.f[0].severity, VH_SEV_MEDIUM);
	assert_int_equal(s.f[0].start, OBJ(1));
	assert_non_null(strstr(s.f[0].reason, "with 2 users, but no task found uses it"));
}

/* Hostile memory: random bytes of the cache, the CPU's slab, the struct pages and the
 * slab changed; every run ends, with at most one finding per object. */
static void test_dump_mutated(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	struct vh_test_sink s;

	(void)state;
	for (int run = 0; run < 300; run++) {
		build_image(run % 3 == 1 ? TASKS : run % 3 == 2 ? MMS : WHOLE);
		for (int k = 0; k < 1 + run % 8; k++) {
			uint64_t at;

			x = x * 6364136223846793005ull + 1442695040888963407ull;
			/* the struct page of the slab one run in two, else anywhere */
			at = run % 4 == 0 ? PAGE_PHYS + (SLAB_PFN - 0x100) * 64 + (x >> 33) % 64
					  : KC_PHYS + (x >> 33) % (DUMP_END - KC_PHYS);
			image[at - PGD_PHYS] ^= (uint8_t)(1u << ((x >> 20) % 8));
		}
		run_image(run % 3 == 1 ? TASKS : run % 3 == 2 ? MMS : WHOLE, &s);
		assert_true(s.n <= 16);
	}
}

static void test_registered(void **state)
{
	const struct vh_detector *d = vh_detector_find("slab-xview");

	(void)state;
	assert_non_null(d);
	/* a kernel-only detector that works at the end of the run */
	assert_non_null(d->finish);
	assert_non_null(d->task);
	assert_int_equal(d->needs & VH_DETECT_PROCESS, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_and_hardened),
	    cmocka_unit_test(test_empty_and_full),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_bad_layout),
	    cmocka_unit_test(test_dump_whole),
	    cmocka_unit_test(test_dump_damaged),
	    cmocka_unit_test(test_dump_tasks),
	    cmocka_unit_test(test_dump_mms),
	    cmocka_unit_test(test_dump_mutated),
	    cmocka_unit_test(test_registered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
