/* SPDX-License-Identifier: MIT */
/*
 * The page-table detectors (hidden-pages, pte-perm, code-modified) over a raw
 * image holding hand-built page tables: runs of pages outside every VMA, swap
 * entries, 2 MiB and 1 GiB pages half outside, 5-level paging, cyclic tables,
 * tables outside RAM, widened and narrowed PTEs, struct pages saying a text
 * page is anonymous (also through a tail page), dirty shared code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <vmahunt/detect.h>

#include "helpers/detecttest.h"
#include <vmahunt/vmahunt.h>

#include "helpers/tmpfile.h"

#define P     VH_X86_PTE_PRESENT
#define RW    VH_X86_PTE_RW
#define US    VH_X86_PTE_USER
#define PSE   VH_X86_PTE_PSE
#define NX    VH_X86_PTE_NX
#define DIRTY (1ull << 6)
#define U     (P | RW | US) /* an upper-level user entry */

/* Physical layout of the image. */
#define IMAGE_SIZE 0x10000
#define PGD	   0x1000
#define PUD	   0x2000
#define PMD	   0x3000
#define PT	   0x4000
#define DATA	   0x5000 /* user pages 0x5000..0x7fff */
#define KPUD	   0x8000
#define KPMD	   0x9000
#define VAR	   0xa000 /* the vmemmap_base variable */
#define PAGES	   0xb000 /* struct pages: 64 bytes each, pfn 0..63 */
#define P4D	   0xc000 /* 5-level only */
#define PT2	   0xd000
#define SWAP	   0x7ff00ull /* a swap entry: non-zero, not present */

#define KBASE	 0xffffffff80000000ull /* kernel half: virtual KBASE + x = physical x */
#define PAGE_SZ	 64
#define MAPPING	 24
#define CHEAD	 8
#define FILE_MAP 0xffff888000123400ull /* a struct address_space * */
#define ANON_MAP 0xffff888000567801ull /* a struct anon_vma * | PAGE_MAPPING_ANON */

#define R VH_VM_READ
#define W VH_VM_WRITE
#define X VH_VM_EXEC
#define S VH_VM_SHARED

static uint64_t image[IMAGE_SIZE / 8];

static void set(uint64_t table, unsigned idx, uint64_t entry)
{
	image[table / 8 + idx] = entry;
}

static void set_page(uint64_t pfn, uint64_t off, uint64_t v)
{
	image[(PAGES + pfn * PAGE_SZ + off) / 8] = v;
}

/* The kernel half: one 2 MiB page mapping KBASE to physical 0, vmemmap_base = KBASE + PAGES. */
static void kernel_half(uint64_t top, unsigned kidx)
{
	set(top, kidx, KPUD | P | RW);
	set(KPUD, 510, KPMD | P | RW);
	set(KPMD, 0, 0 | P | RW | PSE);
	image[VAR / 8] = KBASE + PAGES;
}

struct fixture {
	char *path;
	struct vh_dump *d;
	struct vh_profile *p;
	struct vh_kernel_map km;
	struct vh_task task;
	struct vh_vma_list l;
	struct vh_detect_ctx ctx;
	struct vh_test_sink s;
};

static void open_image(struct fixture *fx, uint64_t root, int levels, struct vh_vma *v, size_t n)
{
	struct vh_dump_options o = {.raw = true, .raw_base = 0};

	memset(fx, 0, sizeof(*fx));
	fx->path = vh_test_write_tmp(image, sizeof(image));
	assert_non_null(fx->path);
	assert_int_equal(vh_dump_open(fx->path, &o, &fx->d), VH_OK);
	assert_int_equal(vh_profile_new(&fx->p), VH_OK);
	fx->p->sym.vmemmap_base.addr = KBASE + VAR;
	fx->p->sym.vmemmap_base.source = VH_SRC_SYMTAB;
	fx->p->page.type.size = PAGE_SZ;
	fx->p->page.type.source = VH_SRC_DWARF;
	fx->p->page.mapping.offset = MAPPING;
	fx->p->page.mapping.source = VH_SRC_DWARF;
	fx->p->page.compound_head.offset = CHEAD;
	fx->p->page.compound_head.source = VH_SRC_DWARF;
	fx->km.pgd = root;
	vh_mmu_x86_64(&fx->km.mmu, levels);
	fx->task.pid = 42;
	fx->task.leader = true;
	fx->task.mm = 0xffff888000001000ull;
	strcpy(fx->task.comm, "victim");
	fx->l.vmas = v;
	fx->l.nvmas = n;
	fx->ctx = (struct vh_detect_ctx){.d = fx->d,
					 .task = &fx->task,
					 .vmas = &fx->l,
					 .root = root,
					 .mmu = &fx->km.mmu,
					 .sink = vh_test_collect,
					 .sink_arg = &fx->s,
					 .warn = vh_test_collect_warning,
					 .km = &fx->km,
					 .prof = fx->p};
}

static void close_image(struct fixture *fx)
{
	vh_profile_free(fx->p);
	vh_dump_close(fx->d);
	unlink(fx->path);
	free(fx->path);
}

/* Runs one detector over the fixture's process, as the engine would. */
static void run(struct fixture *fx, const char *id)
{
	const struct vh_detector *det = vh_detector_find(id);
	void *st = NULL;

	assert_non_null(det);
	if (det->init)
		assert_int_equal(det->init(det, &st), VH_OK);
	if (det->task)
		assert_int_equal(det->task(st, &fx->ctx), VH_OK);
	for (size_t i = 0; det->vma && i < fx->l.nvmas; i++)
		assert_int_equal(det->vma(st, &fx->ctx, &fx->l.vmas[i]), VH_OK);
	if (det->fini)
		det->fini(st);
}

static struct vh_vma vma(uint64_t start, uint64_t end, uint64_t flags, uint64_t file)
{
	struct vh_vma v;

	memset(&v, 0, sizeof(v));
	v.start = start;
	v.end = end;
	v.flags = flags;
	v.file = file;
	v.path = file ? "/usr/bin/victim" : "";
	snprintf(v.perms, sizeof(v.perms), "%c%c%c%c", flags & R ? 'r' : '-', flags & W ? 'w' : '-',
		 flags & X ? 'x' : '-', flags & S ? 's' : 'p');
	return v;
}

/*
 * 4-level tables of one process:
 *   0x400000 present (VMA A), 0x401000 and 0x402000 present (no VMA: one run),
 *   0x403000 a swap entry (no VMA), 0x404000 present (VMA B);
 *   0x600000 a 2 MiB page, its first half in VMA C;
 *   0x40000000 a 1 GiB page in no VMA.
 */
static void user_tables(void)
{
	memset(image, 0, sizeof(image));
	set(PGD, 0, PUD | U);
	set(PUD, 0, PMD | U);
	set(PUD, 1, 0x40000000 | U | PSE);
	set(PMD, 2, PT | U);
	set(PMD, 3, 0x200000 | U | PSE | NX);
	set(PT, 0, DATA | P | US);
	set(PT, 1, (DATA + 0x1000) | P | RW | US | NX);
	set(PT, 2, (DATA + 0x2000) | P | RW | US | NX);
	set(PT, 3, SWAP);
	set(PT, 4, DATA | P | US);
	memcpy((char *)image + DATA + 0x1000,
	       "\x7f"
	       "ELF",
	       4);
	kernel_half(PGD, 511);
}

static const struct vh_finding *nth(const struct vh_test_sink *s, const char *kind, int n)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->f[i].kind && !strcmp(s->f[i].kind, kind) && !n--)
			return &s->f[i];
	return NULL;
}

static void test_hidden_pages(void **state)
{
	struct vh_vma v[] = {
	    vma(0x400000, 0x401000, R | X, 0xf00),
	    vma(0x404000, 0x405000, R, 0),
	    vma(0x600000, 0x700000, R | W, 0),
	};
	struct fixture fx;
	const struct vh_finding *f;

	(void)state;
	user_tables();
	open_image(&fx, PGD, 4, v, 3);
	fx.ctx.user_pages = true;
	run(&fx, "hidden-pages");
	assert_int_equal(fx.s.n, 4);
	/* adjacent pages outside every VMA: one finding, with the first bytes */
	f = nth(&fx.s, "present", 0);
	assert_non_null(f);
	assert_string_equal(f->detector, "hidden-pages");
	assert_int_equal(f->severity, VH_SEV_HIGH);
	assert_int_equal(f->pid, 42);
	assert_int_equal(f->start, 0x401000);
	assert_int_equal(f->end, 0x403000);
	assert_int_equal(f->at, 0x401000);
	assert_true(f->nbytes > 4 && !memcmp(f->bytes,
					     "\x7f"
					     "ELF",
					     4));
	assert_non_null(strstr(f->reason, "2 present pages"));
	/* the half of the 2 MiB page no VMA covers */
	f = nth(&fx.s, "present", 1);
	assert_int_equal(f->start, 0x700000);
	assert_int_equal(f->end, 0x800000);
	/* the whole 1 GiB page (outside the image: no bytes) */
	f = nth(&fx.s, "present", 2);
	assert_int_equal(f->start, 0x40000000);
	assert_int_equal(f->end, 0x80000000);
	assert_int_equal(f->nbytes, 0);
	/* the swap entry: its own kind, lower severity, no bytes */
	f = nth(&fx.s, "swap", 0);
	assert_non_null(f);
	assert_int_equal(f->start, 0x403000);
	assert_int_equal(f->end, 0x404000);
	assert_int_equal(f->severity, VH_SEV_MEDIUM);
	assert_int_equal(f->nbytes, 0);
	assert_int_equal(fx.s.nwarn, 0);
	close_image(&fx);
}

static void test_hidden_pages_none_when_covered(void **state)
{
	struct vh_vma v[] = {
	    vma(0x400000, 0x405000, R | X, 0xf00),
	    vma(0x600000, 0x800000, R | W, 0),
	    vma(0x40000000, 0x80000000, R | W, 0),
	};
	struct fixture fx;

	(void)state;
	user_tables();
	open_image(&fx, PGD, 4, v, 3);
	run(&fx, "hidden-pages");
	assert_int_equal(fx.s.n, 0);
	/* no page tables (the engine vh_test_collect_warning): nothing, and no crash */
	fx.ctx.root = 0;
	run(&fx, "hidden-pages");
	run(&fx, "pte-perm");
	run(&fx, "code-modified");
	assert_int_equal(fx.s.n, 0);
	close_image(&fx);
}

static void test_hidden_pages_5_level(void **state)
{
	struct vh_vma v[] = {vma(0x400000, 0x401000, R, 0)};
	struct fixture fx;

	(void)state;
	/* 0x800000000000 (1 << 47): user memory only with 5 levels (P4D index 256) */
	memset(image, 0, sizeof(image));
	set(PGD, 0, P4D | U);
	set(P4D, 0, PUD | U);
	set(P4D, 256, PT2 | U); /* PT2 used as a PUD here */
	set(PT2, 0, PMD | U);
	set(PMD, 0, PT | U);
	set(PT, 0, DATA | P | US);
	set(PUD, 0, KPMD | U); /* KPMD reused as the PMD of 0x400000 */
	set(KPMD, 2, KPUD | U);
	set(KPUD, 0, DATA | P | US); /* 0x400000, in the VMA */
	open_image(&fx, PGD, 5, v, 1);
	run(&fx, "hidden-pages");
	assert_int_equal(fx.s.n, 1);
	assert_int_equal(fx.s.f[0].start, 0x800000000000ull);
	assert_int_equal(fx.s.f[0].end, 0x800000001000ull);
	close_image(&fx);
}

static void test_damaged_tables_warn(void **state)
{
	struct vh_vma v[] = {vma(0x400000, 0x401000, R | X, 0xf00)};
	struct fixture fx;

	(void)state;
	user_tables();
	set(PMD, 5, PGD | U);		   /* 0xa00000: back to the top: a cycle */
	set(PMD, 6, PUD | U);		   /* and to the PUD: another */
	set(PUD, 2, 0x7fff0000000ull | U); /* 0x80000000: a table beyond RAM */
	set(PUD, 3, PUD | U);		   /* 0xc0000000: itself */
	open_image(&fx, PGD, 4, v, 1);
	fx.l.partial = true; /* the VMA walk vh_test_collect_warning too */
	run(&fx, "hidden-pages");
	assert_int_equal(fx.s.nwarn, 2);
	assert_non_null(strstr(fx.s.warn[0], "pid 42 (victim): user page tables"));
	assert_non_null(strstr(fx.s.warn[0], "unreadable: 1"));
	assert_non_null(strstr(fx.s.warn[0], "0x7fff0000000"));
	assert_non_null(strstr(fx.s.warn[1], "already walked: 3"));
	/* the rest was still walked: the pages outside the VMA are reported */
	assert_non_null(nth(&fx.s, "present", 0));
	assert_non_null(
	    strstr(nth(&fx.s, "present", 0)->reason, "VMA list is damaged or incomplete"));
	assert_non_null(nth(&fx.s, "swap", 0));
	close_image(&fx);
}

static void test_pte_perm(void **state)
{
	struct vh_vma v[] = {
	    vma(0x400000, 0x401000, R | X, 0xf00), /* PTE read-only, exec: as the VMA */
	    vma(0x401000, 0x402000, R | X, 0xf00), /* PTE writable: wider */
	    vma(0x402000, 0x403000, R | W, 0),	   /* PTE rw, NX: as the VMA */
	    vma(0x404000, 0x405000, R, 0),	   /* PTE exec (no NX): wider */
	    vma(0x600000, 0x700000, R | W | X, 0), /* 2 MiB page, NX: narrower */
	};
	struct fixture fx;

	(void)state;
	user_tables();
	set(PT, 1, (DATA + 0x1000) | P | RW | US); /* writable and executable */
	open_image(&fx, PGD, 4, v, 5);
	run(&fx, "pte-perm");
	assert_int_equal(fx.s.n, 2);
	assert_string_equal(fx.s.f[0].detector, "pte-perm");
	assert_string_equal(fx.s.f[0].kind, "writable");
	assert_int_equal(fx.s.f[0].start, 0x401000);
	assert_int_equal(fx.s.f[0].end, 0x402000);
	assert_int_equal(fx.s.f[0].severity, VH_SEV_HIGH);
	assert_string_equal(fx.s.f[1].kind, "executable");
	assert_int_equal(fx.s.f[1].start, 0x404000);
	assert_int_equal(fx.s.f[1].vm_flags, R);
	close_image(&fx);
}

static void test_pte_perm_cow_is_normal(void **state)
{
	/* read-only PTEs in writable VMAs (copy on write, clean pages) are never reported */
	struct vh_vma v[] = {
	    vma(0x400000, 0x403000, R | W | X, 0xf00),
	    vma(0x404000, 0x405000, R | W, 0),
	};
	struct fixture fx;

	(void)state;
	user_tables();
	set(PT, 4, DATA | P | US | NX);
	open_image(&fx, PGD, 4, v, 2);
	run(&fx, "pte-perm");
	assert_int_equal(fx.s.n, 0);
	close_image(&fx);
}

static void test_pte_perm_huge_page_over_two_vmas(void **state)
{
	/* the 2 MiB page at 0x600000 is writable: wider than its first VMA only */
	struct vh_vma v[] = {
	    vma(0x600000, 0x680000, R, 0),
	    vma(0x680000, 0x700000, R | W, 0),
	    vma(0x700000, 0x710000, R, 0),
	};
	struct fixture fx;

	(void)state;
	user_tables();
	open_image(&fx, PGD, 4, v, 3);
	run(&fx, "pte-perm");
	assert_int_equal(fx.s.n, 2);
	assert_int_equal(fx.s.f[0].start, 0x600000);
	assert_int_equal(fx.s.f[0].end, 0x680000);
	assert_non_null(strstr(fx.s.f[0].reason, "128 pages mapped writable in a r--p VMA"));
	assert_int_equal(fx.s.f[1].start, 0x700000); /* a run per VMA, never across */
	assert_int_equal(fx.s.f[1].end, 0x710000);
	close_image(&fx);
}

static void test_pte_perm_without_nx(void **state)
{
	/* a kernel that does not use NX: no PTE has it, every page is executable */
	struct vh_vma v[] = {
	    vma(0x400000, 0x403000, R, 0xf00),
	    vma(0x404000, 0x405000, R, 0),
	};
	struct fixture fx;

	(void)state;
	user_tables();
	set(PT, 1, (DATA + 0x1000) | P | RW | US); /* writable: still reported */
	set(PT, 2, (DATA + 0x2000) | P | US);
	set(PMD, 3, 0);
	open_image(&fx, PGD, 4, v, 2);
	run(&fx, "pte-perm");
	assert_int_equal(fx.s.n, 1);
	assert_string_equal(fx.s.f[0].kind, "writable");
	assert_int_equal(fx.s.f[0].start, 0x401000);
	assert_int_equal(fx.s.f[0].end, 0x402000);
	assert_int_equal(fx.s.nwarn, 1);
	assert_non_null(strstr(fx.s.warn[0], "no page of this process has NX set"));
	close_image(&fx);
}

static void test_code_modified(void **state)
{
	struct vh_vma v[] = {
	    vma(0x400000, 0x403000, R | X, 0xf00), /* private text: pages 5, 6, 7 */
	    vma(0x404000, 0x405000, R | X | S, 0xf00),
	};
	struct fixture fx;

	(void)state;
	user_tables();
	set(PT, 1, (DATA + 0x1000) | P | US);
	set(PT, 2, (DATA + 0x2000) | P | US);
	set(PT, 4, DATA | P | US | DIRTY);     /* written through the shared mapping */
	set_page(5, MAPPING, FILE_MAP);	       /* the file's page */
	set_page(6, MAPPING, ANON_MAP);	       /* copied on write */
	set_page(7, CHEAD, KBASE + PAGES + 1); /* a tail page of pfn 0's folio... */
	set_page(0, CHEAD, 0);
	set_page(0, MAPPING, ANON_MAP); /* ...which is anonymous */
	v[0].pgoff = 0x10;
	open_image(&fx, PGD, 4, v, 2);
	run(&fx, "code-modified");
	assert_int_equal(fx.s.n, 2);
	assert_string_equal(fx.s.f[0].detector, "code-modified");
	assert_string_equal(fx.s.f[0].kind, "cow");
	assert_int_equal(fx.s.f[0].start, 0x401000); /* two pages: one run */
	assert_int_equal(fx.s.f[0].end, 0x403000);
	assert_int_equal(fx.s.f[0].severity, VH_SEV_HIGH);
	assert_non_null(strstr(fx.s.f[0].reason, "file offset 0x11000"));
	assert_string_equal(fx.s.f[0].path, "/usr/bin/victim");
	assert_string_equal(fx.s.f[1].kind, "dirty");
	assert_int_equal(fx.s.f[1].start, 0x404000);
	assert_int_equal(fx.s.nwarn, 0);
	close_image(&fx);
}

static void test_code_modified_counter_is_not_anon(void **state)
{
	/* no compound_head (7.x): a tail page's counters at the mapping offset, low bit set */
	struct vh_vma v[] = {vma(0x400000, 0x403000, R | X, 0xf00)};
	struct fixture fx;

	(void)state;
	user_tables();
	set(PT, 1, (DATA + 0x1000) | P | US);
	set(PT, 2, (DATA + 0x2000) | P | US);
	set_page(6, MAPPING, 0x100000001ull);
	set_page(7, MAPPING, ANON_MAP | 0x2); /* KSM: anonymous too */
	open_image(&fx, PGD, 4, v, 1);
	fx.p->page.compound_head.offset = VH_ABSENT;
	fx.p->page.compound_head.source = VH_SRC_NONE;
	run(&fx, "code-modified");
	assert_int_equal(fx.s.n, 1);
	assert_int_equal(fx.s.f[0].start, 0x402000);
	assert_int_equal(fx.s.f[0].end, 0x403000);
	close_image(&fx);
}

static void test_code_modified_without_struct_pages(void **state)
{
	struct vh_vma v[] = {vma(0x400000, 0x403000, R | X, 0xf00)};
	struct fixture fx;

	(void)state;
	user_tables();
	open_image(&fx, PGD, 4, v, 1);
	fx.p->sym.vmemmap_base.source = VH_SRC_NONE;
	run(&fx, "code-modified");
	assert_int_equal(fx.s.n, 0);
	assert_int_equal(fx.s.nwarn, 1);
	assert_non_null(strstr(fx.s.warn[0], "code-modified skipped: neither vmemmap_base"));
	close_image(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hidden_pages),
	    cmocka_unit_test(test_hidden_pages_none_when_covered),
	    cmocka_unit_test(test_hidden_pages_5_level),
	    cmocka_unit_test(test_damaged_tables_warn),
	    cmocka_unit_test(test_pte_perm),
	    cmocka_unit_test(test_pte_perm_cow_is_normal),
	    cmocka_unit_test(test_pte_perm_huge_page_over_two_vmas),
	    cmocka_unit_test(test_pte_perm_without_nx),
	    cmocka_unit_test(test_code_modified),
	    cmocka_unit_test(test_code_modified_counter_is_not_anon),
	    cmocka_unit_test(test_code_modified_without_struct_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
