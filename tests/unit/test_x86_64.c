/* SPDX-License-Identifier: MIT */
/*
 * x86-64 page-table walks over a raw image holding hand-built tables:
 * 4 KiB, 2 MiB and 1 GiB pages, the kernel half, NX/RW/USER along the walk,
 * swap entries, non-canonical addresses, tables missing from the dump, and
 * tables that point back at themselves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <vmahunt/vmahunt.h>

#include "arch/vread.h"
#include "helpers/tmpfile.h"
#include "kernel/kmem.h"

#define P   VH_X86_PTE_PRESENT
#define RW  VH_X86_PTE_RW
#define US  VH_X86_PTE_USER
#define PSE VH_X86_PTE_PSE
#define NX  VH_X86_PTE_NX

#define IMAGE_SIZE (16 * 4096)
#define PGD	   0x1000
#define PUD	   0x2000
#define PMD	   0x3000
#define PT	   0x4000
#define DATA	   0x5000
#define KPUD	   0x6000
#define KPMD	   0x7000
#define SWAP_ENTRY 0x123400ull

static uint64_t image[IMAGE_SIZE / 8];

static void set(uint64_t table, unsigned idx, uint64_t entry)
{
	image[table / 8 + idx] = entry;
}

/* Builds the tables; returns the dump (raw image at physical 0). */
static struct vh_dump *build(char **path)
{
	struct vh_dump_options o = {.raw = true, .raw_base = 0};
	struct vh_dump *d;

	memset(image, 0, sizeof(image));
	set(PGD, 0, PUD | P | RW | US);
	set(PUD, 0, PMD | P | RW | US);
	set(PMD, 2, PT | P | RW | US);			/* 0x400000: 4 KiB pages */
	set(PT, 0, DATA | P | RW | US);			/* 0x400000 -> DATA */
	set(PT, 1, SWAP_ENTRY);				/* 0x401000: swapped out */
	set(PT, 2, (DATA + 0x1000) | P | US);		/* 0x402000: read-only */
	set(PMD, 3, 0x200000 | P | RW | US | PSE | NX); /* 0x600000: 2 MiB, no-exec */
	set(PUD, 1, 0x40000000 | P | RW | US | PSE);	/* 0x40000000: 1 GiB */
	set(PMD, 4, 0x9000 | P | RW);			/* 0x800000: table outside the image */
	set(PGD, 511, KPUD | P | RW);			/* kernel half */
	set(KPUD, 510, KPMD | P | RW);
	set(KPMD, 0, 0x1000000 | P | RW | PSE); /* 0xffffffff80000000: 2 MiB, kernel */
	image[DATA / 8] = 0x1122334455667788ull;
	*path = vh_test_write_tmp(image, 0x9000); /* tables up to 0x8fff; 0x9000 is missing */
	assert_non_null(*path);
	assert_int_equal(vh_dump_open(*path, &o, &d), VH_OK);
	return d;
}

static void finish(struct vh_dump *d, char *path)
{
	vh_dump_close(d);
	unlink(path);
	free(path);
}

static void test_translate(void **state)
{
	char *path;
	struct vh_dump *d = build(&path);
	struct vh_translation t;
	uint64_t v;

	(void)state;
	assert_int_equal(vh_x86_64_translate(d, PGD, 4, 0x400008, &t), VH_OK);
	assert_int_equal(t.paddr, DATA + 8);
	assert_int_equal(t.page_size, 4096);
	assert_true(t.writable && t.user && t.executable);
	assert_int_equal(vh_dump_read_phys(d, DATA, &v, 8), VH_OK);
	assert_int_equal(v, 0x1122334455667788ull);

	assert_int_equal(vh_x86_64_translate(d, PGD | 0x5, 4, 0x402010, &t), VH_OK);
	assert_int_equal(t.paddr, DATA + 0x1010);
	assert_false(t.writable);

	assert_int_equal(vh_x86_64_translate(d, PGD, 4, 0x6abcde, &t), VH_OK);
	assert_int_equal(t.paddr, 0x2abcde);
	assert_int_equal(t.page_size, 2u << 20);
	assert_false(t.executable);

	assert_int_equal(vh_x86_64_translate(d, PGD, 4, 0x40123456, &t), VH_OK);
	assert_int_equal(t.paddr, 0x40123456);
	assert_int_equal(t.page_size, 1u << 30);

	assert_int_equal(vh_x86_64_translate(d, PGD, 4, 0xffffffff80012345ull, &t), VH_OK);
	assert_int_equal(t.paddr, 0x1012345);
	assert_false(t.user);
	finish(d, path);
}

static void test_not_mapped(void **state)
{
	char *path;
	struct vh_dump *d = build(&path);
	struct vh_translation t;

	(void)state;
	assert_int_equal(vh_x86_64_translate(d, PGD, 4, 0x401000, &t), VH_ERR_NOT_MAPPED);
	assert_int_equal(t.entry, SWAP_ENTRY);
	assert_int_equal(t.level, 1);
	assert_non_null(strstr(vh_errmsg(), "0x401000"));
	assert_int_equal(vh_x86_64_translate(d, PGD, 4, 0x7f0000000000ull, &t), VH_ERR_NOT_MAPPED);
	/* Not canonical for 4 levels (bit 47 set, upper bits clear). */
	assert_int_equal(vh_x86_64_translate(d, PGD, 4, 0x0000800000000000ull, &t),
			 VH_ERR_NOT_MAPPED);
	assert_non_null(strstr(vh_errmsg(), "not canonical"));
	/* The PT for 0x800000 lies outside the dump: a dump error, not "not mapped". */
	assert_int_equal(vh_x86_64_translate(d, PGD, 4, 0x800000, &t), VH_ERR_NOT_PRESENT);
	assert_int_equal(vh_x86_64_translate(d, PGD, 3, 0x400000, &t), VH_ERR_INVAL);
	finish(d, path);
}

struct seen {
	int n, swaps;
	uint64_t va[16], size[16];
	int exec[16];
};

static int record(const struct vh_mapping *m, int present, void *arg)
{
	struct seen *s = arg;

	if (!present) {
		assert_int_equal(m->entry, SWAP_ENTRY);
		s->swaps++;
		return 0;
	}
	assert_true(s->n < 16);
	s->va[s->n] = m->vaddr;
	s->size[s->n] = m->page_size;
	s->exec[s->n++] = m->executable;
	return 0;
}

static void test_walk(void **state)
{
	char *path;
	struct vh_dump *d = build(&path);
	struct vh_walk_stats st;
	struct seen s = {0};

	(void)state;
	assert_int_equal(vh_x86_64_walk(d, PGD, 4, 0, 0, record, &s, &st), VH_OK);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.swaps, 1);
	/* In address order, kernel half last, sign-extended. */
	assert_int_equal(s.va[0], 0x400000);
	assert_int_equal(s.va[1], 0x402000);
	assert_int_equal(s.va[2], 0x600000);
	assert_int_equal(s.size[2], 2u << 20);
	assert_false(s.exec[2]);
	assert_int_equal(s.va[3], 0x40000000);
	assert_int_equal(s.size[3], 1u << 30);
	assert_int_equal(s.va[4], 0xffffffff80000000ull);
	/* The table at 0x9000 is not in the dump: counted, and the walk went on. */
	assert_int_equal(st.unreadable, 1);
	assert_int_equal(st.first_unreadable, 0x9000);
	assert_false(st.truncated);

	/* A sub-range sees only what lies in it. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(vh_x86_64_walk(d, PGD, 4, 0x401000, 0x600000, record, &s, NULL), VH_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.va[0], 0x402000);
	finish(d, path);
}

static int count(const struct vh_mapping *m, int present, void *arg)
{
	(void)m;
	(void)present;
	++*(uint64_t *)arg;
	return 0;
}

static void test_cyclic_tables(void **state)
{
	struct vh_dump_options o = {.raw = true};
	struct vh_walk_stats st;
	struct vh_dump *d;
	uint64_t n = 0;
	char *path;

	(void)state;
	/* Every entry of the one table points back at the table itself. */
	memset(image, 0, sizeof(image));
	for (unsigned i = 0; i < 512; i++)
		set(PGD, i, PGD | P | RW | US);
	path = vh_test_write_tmp(image, 0x2000);
	assert_non_null(path);
	assert_int_equal(vh_dump_open(path, &o, &d), VH_OK);
	assert_int_equal(vh_x86_64_walk(d, PGD, 4, 0, 0, count, &n, &st), VH_OK);
	/* read once; every entry is a revisit, never followed */
	assert_false(st.truncated);
	assert_int_equal(st.tables, 1);
	assert_int_equal(st.revisited, 512);
	assert_int_equal(st.first_revisited, PGD);
	assert_int_equal(n, 0);
	finish(d, path);
}

static void test_shared_and_cyclic_tables_walked_once(void **state)
{
	struct vh_dump_options o = {.raw = true};
	struct vh_walk_stats st;
	struct vh_dump *d;
	struct seen s = {0};
	char *path;

	(void)state;
	/* two PUD entries share one PMD; the PMD points back at the PUD (a 2-cycle) */
	memset(image, 0, sizeof(image));
	set(PGD, 0, PUD | P | RW | US);
	set(PUD, 0, PMD | P | RW | US);
	set(PUD, 1, PMD | P | RW | US);
	set(PMD, 0, PT | P | RW | US);
	set(PMD, 1, PUD | P | RW | US);
	set(PT, 0, DATA | P | RW | US);
	path = vh_test_write_tmp(image, 0x9000);
	assert_non_null(path);
	assert_int_equal(vh_dump_open(path, &o, &d), VH_OK);
	assert_int_equal(vh_x86_64_walk(d, PGD, 4, 0, 0, record, &s, &st), VH_OK);
	assert_int_equal(s.n, 1); /* the page under the shared PMD, at its first place only */
	assert_int_equal(s.va[0], 0);
	assert_int_equal(st.tables, 4);
	assert_int_equal(st.revisited, 2);
	assert_int_equal(st.first_revisited, PUD); /* PMD[1] comes before PUD[1] */
	finish(d, path);
}

/* A kernel image mapped at a KASLR offset, and its VMCOREINFO page in memory. */
static char *kernel_image(const char *vmcoreinfo)
{
	memset(image, 0, sizeof(image));
	set(PGD, 511, KPUD | P | RW);
	set(KPUD, 510, KPMD | P | RW);
	/* _text at 0xffffffff81a00000 (KASLR offset 0xa00000), physical 0x1a00000. */
	set(KPMD, 13, 0x1a00000 | P | RW | PSE);
	set(KPMD, 14, 0x1c00000 | P | RW | PSE);
	strcpy((char *)image + 0x8000, vmcoreinfo);
	return vh_test_write_tmp(image, 0x9000);
}

static void test_kernel_map_from_memory(void **state)
{
	struct vh_dump_options o = {.raw = true};
	struct vh_kernel_map km;
	struct vh_dump *d;
	char *path;

	(void)state;
	path = kernel_image("OSRELEASE=6.1.0-test\nKERNELOFFSET=a00000\n"
			    "SYMBOL(init_top_pgt)=ffffffff80001000\nNUMBER(phys_base)=0\n");
	assert_non_null(path);
	assert_int_equal(vh_dump_open(path, &o, &d), VH_OK);
	assert_int_equal(vh_kernel_map_find(d, &km), VH_OK);
	assert_string_equal(km.method, "vmcoreinfo-in-memory");
	assert_string_equal(km.pgd_source, "SYMBOL(init_top_pgt)");
	assert_int_equal(km.pgd, PGD);
	assert_int_equal(km.mmu.levels, 4);
	assert_int_equal(km.kaslr_offset, 0xa00000);
	assert_int_equal(km.phys_base, 0);
	finish(d, path);
}

static void test_kernel_map_rejects_wrong_vmcoreinfo(void **state)
{
	struct vh_dump_options o = {.raw = true};
	struct vh_kernel_map km;
	struct vh_dump *d;
	char *path;

	(void)state;
	/* The offset disagrees with the page tables: never trusted. */
	path = kernel_image("OSRELEASE=6.1.0-test\nKERNELOFFSET=c00000\n"
			    "SYMBOL(init_top_pgt)=ffffffff80001000\nNUMBER(phys_base)=0\n");
	assert_non_null(path);
	assert_int_equal(vh_dump_open(path, &o, &d), VH_OK);
	assert_int_equal(vh_kernel_map_find(d, &km), VH_ERR_NOT_PRESENT);
	assert_non_null(strstr(vh_errmsg(), "cannot locate the kernel"));
	finish(d, path);
}

static void test_kernel_read(void **state)
{
	struct vh_dump_options o = {.raw = true};
	struct vh_kernel_map km = {.pgd = PGD,
				   .mmu = {.arch = VH_ARCH_X86_64, .levels = 4, .va_bits = 48}};
	struct vh_dump *d;
	char *path, buf[32];

	(void)state;
	memset(image, 0, sizeof(image));
	set(PGD, 0, PUD | P | RW);
	set(PUD, 0, PMD | P | RW);
	set(PMD, 2, PT | P | RW);
	set(PT, 0, 0x6000 | P);
	set(PT, 1, 0x5000 | P); /* virtually contiguous, physically reversed */
	memcpy((char *)image + 0x6ff0, "0123456789abcdef", 16);
	memcpy((char *)image + 0x5000, "ghijklmnopqrstuv", 16);
	path = vh_test_write_tmp(image, 0x8000);
	assert_non_null(path);
	assert_int_equal(vh_dump_open(path, &o, &d), VH_OK);
	assert_int_equal(vh_kernel_read(d, &km, 0x400ff0, buf, 32), VH_OK);
	assert_memory_equal(buf, "0123456789abcdefghijklmnopqrstuv", 32);
	assert_int_equal(vh_kernel_read(d, &km, 0x401ff0, buf, 32), VH_ERR_NOT_MAPPED);
	finish(d, path);
}

/* One reader, cached, set to one root then another: the second forgets the first's pages. */
static void test_vread_roots(void **state)
{
	struct vh_kernel_map km = {.pgd = PGD,
				   .mmu = {.arch = VH_ARCH_X86_64, .levels = 4, .va_bits = 48}};
	struct vh_vread *r = malloc(sizeof(*r));
	char *path;
	struct vh_dump *d = build(&path);
	uint64_t v = 0, pa = 0;

	(void)state;
	assert_non_null(r);
	vh_vread_kernel(r, d, &km);
	assert_int_equal(r->kernel_start, 0xffff800000000000ull);
	for (int i = 0; i < 2; i++) { /* the second read comes from the cache */
		assert_int_equal(vh_vread(r, 0x400000, &v, 8), VH_OK);
		assert_true(v == 0x1122334455667788ull);
	}
	assert_int_equal(vh_vread_translate(r, 0x400010, &pa), VH_OK);
	assert_true(pa == DATA + 0x10);
	vh_vread_user(r, d, &km, 0x8000); /* an empty top-level table */
	assert_int_equal(vh_vread(r, 0x400000, &v, 8), VH_ERR_NOT_MAPPED);
	assert_int_equal(vh_vread_once(d, &km.mmu, PGD, 0x400000, &v, 8), VH_OK);
	vh_mmu_x86_64(&km.mmu, 5);
	assert_true(vh_kernel_half_start(&km) == 0xff00000000000000ull);
	free(r);
	finish(d, path);
}

/* vh_member_read(): the profile's sizes, absent members, sizes no integer has. */
static void test_member_read(void **state)
{
	struct vh_kernel_map km = {.pgd = PGD,
				   .mmu = {.arch = VH_ARCH_X86_64, .levels = 4, .va_bits = 48}};
	struct vh_vread *r = malloc(sizeof(*r));
	struct vh_member m = {.offset = 4, .size = 4, .source = VH_SRC_DWARF};
	char *path;
	struct vh_dump *d = build(&path);
	uint64_t v = 1;

	(void)state;
	assert_non_null(r);
	vh_vread_kernel(r, d, &km);
	assert_int_equal(vh_member_read(r, 0x400000, &m, &v), VH_OK);
	assert_true(v == 0x11223344);
	m.offset = 0;
	m.size = 8;
	assert_int_equal(vh_member_read(r, 0x400000, &m, &v), VH_OK);
	assert_true(v == 0x1122334455667788ull);
	m.size = 3;
	assert_int_equal(vh_member_read(r, 0x400000, &m, &v), VH_ERR_INVAL);
	assert_true(v == 0);
	m.source = VH_SRC_NONE;
	m.offset = VH_ABSENT;
	assert_int_equal(vh_member_read(r, 0x400000, &m, &v), VH_ERR_NOT_PRESENT);
	free(r);
	finish(d, path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_translate),
	    cmocka_unit_test(test_not_mapped),
	    cmocka_unit_test(test_walk),
	    cmocka_unit_test(test_cyclic_tables),
	    cmocka_unit_test(test_shared_and_cyclic_tables_walked_once),
	    cmocka_unit_test(test_kernel_map_from_memory),
	    cmocka_unit_test(test_kernel_map_rejects_wrong_vmcoreinfo),
	    cmocka_unit_test(test_kernel_read),
	    cmocka_unit_test(test_vread_roots),
	    cmocka_unit_test(test_member_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
