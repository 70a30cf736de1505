/* SPDX-License-Identifier: MIT */
/*
 * arm64 translation tables (4 KiB granule) over a raw image holding
 * hand-built tables: 39-, 48- and 52-bit (LPA2) spaces, pages, 2 MiB and
 * 1 GiB blocks, the reserved level-3 encoding, AP/DBM/UXN/PXN and the
 * hierarchical table controls, both halves, swap and PROT_NONE entries of
 * both software layouts, tables that point back at themselves, and the
 * kernel found from a VMCOREINFO page in memory.
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

#include <vmahunt/vmahunt.h>

#include "arch/isa.h"
#include "helpers/tmpfile.h"

#define VALID	(1ull << 0)
#define TABLE	(3ull << 0) /* valid + table (levels 0-2) or page (level 3) */
#define BLOCK	(1ull << 0) /* valid, bit 1 clear: a block at levels 1-2 */
#define AF	(1ull << 10)
#define USER	(1ull << 6)
#define RDONLY	(1ull << 7)
#define DBM	(1ull << 51)
#define PXN	(1ull << 53)
#define UXN	(1ull << 54)
#define SPECIAL (1ull << 56)
#define SH	(3ull << 8) /* inner shareable: output-address bits 51:50 under LPA2 */
#define T_PXN	(1ull << 59)
#define T_UXN	(1ull << 60)
#define T_NOEL0 (1ull << 61)
#define T_RO	(1ull << 62)

#define IMAGE_SIZE (32 * 4096)
#define L0	   0x1000
#define L1	   0x2000
#define L2	   0x3000
#define L3	   0x4000
#define DATA	   0x5000
#define KL1	   0x6000
#define KL2	   0x7000
#define KL3	   0x8000
#define KL0	   0x9000 /* the kernel half's root (TTBR1) */
#define L3B	   0xa000
#define VMCI	   0xb000
#define TOP52	   0xc000 /* 52-bit: the 16-entry level -1 table */

static uint64_t image[IMAGE_SIZE / 8];

static void set(uint64_t table, unsigned idx, uint64_t entry)
{
	image[table / 8 + idx] = entry;
}

static struct vh_dump *open_image(char **path, size_t size)
{
	struct vh_dump_options o = {.raw = true, .raw_base = 0};
	struct vh_dump *d;

	*path = vh_test_write_tmp(image, size);
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

/*
 * 48-bit space: user 0x400000 pages (rw, read-only, clean-writable,
 * execute-only, no-exec, swap, reserved), a 2 MiB and a 1 GiB block, a
 * table with APTable/UXNTable controls; the kernel half at
 * 0xffff000000000000 (the linear map, root KL0) with a 2 MiB block.
 */
static void build48(void)
{
	memset(image, 0, sizeof(image));
	set(L0, 0, L1 | TABLE);
	set(L1, 0, L2 | TABLE);
	set(L2, 2, L3 | TABLE);							    /* 0x400000 */
	set(L3, 0, DATA | TABLE | AF | USER | UXN | PXN | SH);			    /* rw, data */
	set(L3, 1, 0x123400ull);						    /* swap entry */
	set(L3, 2, (DATA + 0x1000) | TABLE | AF | USER | RDONLY | UXN | PXN);	    /* r-- */
	set(L3, 3, (DATA + 0x2000) | TABLE | AF | USER | RDONLY | DBM | UXN | PXN); /* clean rw */
	set(L3, 4, (DATA + 0x3000) | TABLE | AF | RDONLY | PXN);	/* --x (exec-only) */
	set(L3, 5, (DATA + 0x4000) | TABLE | AF | USER | RDONLY | PXN); /* r-x */
	set(L3, 6, (DATA + 0x5000) | BLOCK | AF | USER);		/* reserved at level 3 */
	set(L2, 3, 0x200000 | BLOCK | AF | USER | UXN | PXN);		/* 0x600000: 2 MiB */
	set(L2, 4, L3B | TABLE | T_RO | T_UXN);				/* 0x800000: controls */
	set(L3B, 0, DATA | TABLE | AF | USER | PXN);			/* rw-x per its own bits */
	set(L1, 1, 0x40000000 | BLOCK | AF | USER | UXN | PXN);		/* 0x40000000: 1 GiB */
	set(KL0, 0, KL1 | TABLE | T_NOEL0 | T_UXN);			/* 0xffff000000000000 */
	set(KL1, 0, KL2 | TABLE);
	set(KL2, 0, 0x200000 | BLOCK | AF | UXN); /* rw, kernel-executable */
	set(KL2, 1, KL3 | TABLE);
	set(KL3, 0, DATA | TABLE | AF | USER | RDONLY | UXN | PXN); /* AP[1] but T_NOEL0 above */
	image[DATA / 8] = 0x1122334455667788ull;
}

static void test_translate48(void **state)
{
	char *path;
	struct vh_dump *d;
	struct vh_mmu mmu;
	struct vh_translation t;

	(void)state;
	build48();
	d = open_image(&path, IMAGE_SIZE);
	assert_int_equal(vh_mmu_arm64(&mmu, 48), VH_OK);
	assert_int_equal(mmu.levels, 4);
	assert_int_equal(vh_translate(d, &mmu, L0, 0x400008, &t), VH_OK);
	assert_int_equal(t.paddr, DATA + 8); /* SH bits are not address bits without LPA2 */
	assert_int_equal(t.page_size, 4096);
	assert_true(t.writable && t.user && !t.executable);

	assert_int_equal(vh_translate(d, &mmu, L0, 0x402000, &t), VH_OK);
	assert_true(!t.writable && t.user && !t.executable);
	assert_int_equal(vh_translate(d, &mmu, L0, 0x403000, &t), VH_OK);
	assert_true(t.writable); /* read-only with DBM: writable, not yet dirty */
	assert_int_equal(vh_translate(d, &mmu, L0, 0x404000, &t), VH_OK);
	assert_true(!t.writable && t.user && t.executable); /* execute-only: EL0 runs it */
	assert_int_equal(vh_translate(d, &mmu, L0, 0x405000, &t), VH_OK);
	assert_true(!t.writable && t.user && t.executable);

	assert_int_equal(vh_translate(d, &mmu, L0, 0x6abcde, &t), VH_OK);
	assert_int_equal(t.paddr, 0x2abcde);
	assert_int_equal(t.page_size, 2u << 20);
	assert_int_equal(t.level, 2);
	assert_int_equal(vh_translate(d, &mmu, L0, 0x40123456, &t), VH_OK);
	assert_int_equal(t.paddr, 0x40123456);
	assert_int_equal(t.page_size, 1u << 30);

	/* APTable[1] and UXNTable take write and execute away below them */
	assert_int_equal(vh_translate(d, &mmu, L0, 0x800000, &t), VH_OK);
	assert_true(!t.writable && t.user && !t.executable);

	/* the kernel half: PXN clear is kernel-executable; APTable[0] hides it from EL0 */
	assert_int_equal(vh_translate(d, &mmu, KL0, 0xffff000000012345ull, &t), VH_OK);
	assert_int_equal(t.paddr, 0x212345);
	assert_true(t.writable && !t.user && t.executable);
	assert_int_equal(vh_translate(d, &mmu, KL0, 0xffff000000200010ull, &t), VH_OK);
	assert_int_equal(t.paddr, DATA + 0x10);
	assert_true(!t.user && !t.executable);
	assert_true(vh_mmu_kernel_start(&mmu) == 0xffff000000000000ull);
	assert_true(vh_mmu_user_end(&mmu) == 1ull << 48);
	finish(d, path);
}

static void test_not_mapped48(void **state)
{
	char *path;
	struct vh_dump *d;
	struct vh_mmu mmu;
	struct vh_translation t;

	(void)state;
	build48();
	d = open_image(&path, IMAGE_SIZE);
	vh_mmu_arm64(&mmu, 48);
	assert_int_equal(vh_translate(d, &mmu, L0, 0x401000, &t), VH_ERR_NOT_MAPPED);
	assert_int_equal(t.entry, 0x123400ull);
	assert_int_equal(t.level, 1);
	/* 0b01 at level 3 is reserved: not a mapping */
	assert_int_equal(vh_translate(d, &mmu, L0, 0x406000, &t), VH_ERR_NOT_MAPPED);
	/* in neither half */
	assert_int_equal(vh_translate(d, &mmu, L0, 0x0001000000000000ull, &t), VH_ERR_NOT_MAPPED);
	assert_non_null(strstr(vh_errmsg(), "neither half"));
	assert_int_equal(vh_translate(d, &mmu, L0, 0xfffe000000000000ull, &t), VH_ERR_NOT_MAPPED);
	/* a table outside the image: the dump's error */
	set(L2, 5, 0x100000 | TABLE);
	finish(d, path);
	d = open_image(&path, IMAGE_SIZE);
	assert_int_equal(vh_translate(d, &mmu, L0, 0xa00000, &t), VH_ERR_NOT_PRESENT);
	assert_int_equal(vh_mmu_arm64(&mmu, 42), VH_ERR_UNSUPPORTED);
	finish(d, path);
}

struct seen {
	int n, invalid;
	uint64_t va[32], size[32];
	int exec[32], user[32];
};

static int collect(const struct vh_mapping *m, int present, void *arg)
{
	struct seen *s = arg;

	if (!present) {
		s->invalid++;
		return 0;
	}
	assert_true(s->n < 32);
	s->va[s->n] = m->vaddr;
	s->size[s->n] = m->page_size;
	s->exec[s->n] = m->executable;
	s->user[s->n++] = m->user;
	return 0;
}

static void test_walk48(void **state)
{
	char *path;
	struct vh_dump *d;
	struct vh_mmu mmu;
	struct seen s = {0};
	struct vh_walk_stats st;

	(void)state;
	build48();
	set(L1, 2, L0 | TABLE); /* a cycle: level 1 pointing at the root */
	d = open_image(&path, IMAGE_SIZE);
	vh_mmu_arm64(&mmu, 48);
	assert_int_equal(vh_walk(d, &mmu, L0, 0, 1ull << 48, collect, &s, &st), VH_OK);
	/* 5 pages at 0x400000, the 2 MiB block, the page under controls, the 1 GiB block */
	assert_int_equal(s.n, 8);
	assert_true(s.va[0] == 0x400000 && s.va[4] == 0x405000);
	assert_true(s.va[5] == 0x600000 && s.size[5] == 2u << 20);
	assert_true(s.va[6] == 0x800000 && !s.exec[6]);
	assert_true(s.va[7] == 0x40000000 && s.size[7] == 1u << 30);
	assert_true(s.exec[3] && s.user[3]);
	assert_int_equal(s.invalid, 2); /* the swap entry and the reserved one */
	assert_int_equal(st.revisited, 1);

	memset(&s, 0, sizeof(s));
	assert_int_equal(vh_walk(d, &mmu, KL0, 0xffff000000000000ull, 0, collect, &s, NULL), VH_OK);
	assert_int_equal(s.n, 2);
	assert_true(s.va[0] == 0xffff000000000000ull && s.size[0] == 2u << 20 && s.exec[0]);
	assert_true(s.va[1] == 0xffff000000200000ull && !s.user[1]);
	finish(d, path);
}

/* 52-bit (LPA2): five levels, a 16-entry top table, output-address bits 51:50 in 9:8. */
static void test_lpa2(void **state)
{
	char *path;
	struct vh_dump *d;
	struct vh_mmu mmu;
	struct vh_translation t;
	struct seen s = {0};
	struct vh_walk_stats st;

	(void)state;
	memset(image, 0, sizeof(image));
	set(TOP52, 0, L0 | TABLE);
	set(L0, 0, L1 | TABLE);
	set(L1, 0, L2 | TABLE);
	set(L2, 2, L3 | TABLE);
	set(L3, 0, DATA | TABLE | AF | USER | UXN | PXN);
	set(L3, 1, 0x3000 | TABLE | AF | USER | (2ull << 8)); /* PA bit 51 set */
	set(KL0, 15, KL1 | TABLE); /* 0xffff000000000000, in the kernel root */
	set(KL1, 0, KL2 | TABLE);
	set(KL2, 0, KL3 | TABLE);
	set(KL3, 0, 0x200000 | BLOCK | AF | UXN);
	set(TOP52, 8, L0 | TABLE); /* 0x8000000000000: a user address above 48 bits */
	d = open_image(&path, IMAGE_SIZE);
	assert_int_equal(vh_mmu_arm64(&mmu, 52), VH_OK);
	assert_true(mmu.levels == 5 && mmu.lpa2);
	assert_int_equal(vh_translate(d, &mmu, TOP52, 0x400010, &t), VH_OK);
	assert_int_equal(t.paddr, DATA + 0x10);
	assert_int_equal(vh_translate(d, &mmu, TOP52, 0x401000, &t), VH_OK);
	assert_true(t.paddr == ((1ull << 51) | 0x3000));
	/* a 52-bit pgd is a 128-byte object: a root inside a page */
	memcpy((char *)image + TOP52 + 0x80, (char *)image + TOP52, 128);
	finish(d, path);
	d = open_image(&path, IMAGE_SIZE);
	assert_int_equal(vh_translate(d, &mmu, TOP52 + 0x80, 0x401000, &t), VH_OK);
	assert_true(t.paddr == ((1ull << 51) | 0x3000));
	assert_int_equal(vh_translate(d, &mmu, KL0, 0xffff000000001234ull, &t), VH_OK);
	assert_int_equal(t.paddr, 0x201234);
	assert_true(vh_mmu_kernel_start(&mmu) == 0xfff0000000000000ull);
	assert_int_equal(vh_translate(d, &mmu, TOP52, 0x000f000000000000ull, &t),
			 VH_ERR_NOT_MAPPED);
	assert_int_equal(vh_translate(d, &mmu, TOP52, 0x0008000000400000ull, &t), VH_OK);
	assert_int_equal(vh_translate(d, &mmu, TOP52, 0x0010000000000000ull, &t),
			 VH_ERR_NOT_MAPPED);
	assert_int_equal(vh_walk(d, &mmu, TOP52, 0, vh_mmu_user_end(&mmu), collect, &s, &st),
			 VH_OK);
	/* two pages at 0x400000; the table shared by 0x8000000000000 is walked once */
	assert_int_equal(s.n, 2);
	assert_int_equal(st.revisited, 1);
	memset(&s, 0, sizeof(s));
	assert_int_equal(vh_walk(d, &mmu, KL0, vh_mmu_kernel_start(&mmu), 0, collect, &s, NULL),
			 VH_OK);
	assert_int_equal(s.n, 1);
	assert_true(s.va[0] == 0xffff000000000000ull);
	finish(d, path);
}

/* 39-bit: three levels, the top one mapping 1 GiB per entry. */
static void test_39bit(void **state)
{
	char *path;
	struct vh_dump *d;
	struct vh_mmu mmu;
	struct vh_translation t;

	(void)state;
	memset(image, 0, sizeof(image));
	set(L1, 0, L2 | TABLE);
	set(L1, 1, 0x40000000 | BLOCK | AF | USER);
	set(L2, 2, L3 | TABLE);
	set(L3, 0, DATA | TABLE | AF | USER);
	set(L1, 511, KL2 | TABLE); /* 0xffffffffc0000000 */
	set(KL2, 0, 0x200000 | BLOCK | AF);
	d = open_image(&path, IMAGE_SIZE);
	assert_int_equal(vh_mmu_arm64(&mmu, 39), VH_OK);
	assert_int_equal(mmu.levels, 3);
	assert_int_equal(vh_translate(d, &mmu, L1, 0x400004, &t), VH_OK);
	assert_int_equal(t.paddr, DATA + 4);
	assert_int_equal(vh_translate(d, &mmu, L1, 0x40000004, &t), VH_OK);
	assert_int_equal(t.page_size, 1u << 30);
	assert_int_equal(vh_translate(d, &mmu, L1, 0xffffffffc0000010ull, &t), VH_OK);
	assert_int_equal(t.paddr, 0x200010);
	assert_int_equal(vh_translate(d, &mmu, L1, 0xffffff8000000000ull - 1, &t),
			 VH_ERR_NOT_MAPPED);
	finish(d, path);
}

/* Swap, migration and PROT_NONE entries as Linux writes them before 6.10 and since. */
static void test_pte_decode(void **state)
{
	struct vh_mmu mmu;
	struct vh_pte_info pi;
	/* type 30 (a migration type), offset: pfn 0x41234 */
	uint64_t old_swap = (30ull << 3) | (0x41234ull << 8);
	uint64_t new_swap = (30ull << 6) | (0x41234ull << 12);
	uint64_t old_none = 0x41234000ull | (1ull << 58) | (1ull << 11) | RDONLY | AF | SPECIAL;
	uint64_t new_none = 0x41234000ull | (1ull << 11) | RDONLY | AF;

	(void)state;
	vh_mmu_arm64(&mmu, 48);
	vh_mmu_set_release(&mmu, "6.1.0-41-arm64");
	assert_int_equal(mmu.pte_layout, 0);
	vh_mmu_pte_decode(&mmu, old_swap, &pi);
	assert_true(pi.swap && pi.swap_type == 30 && pi.swap_pfn == 0x41234);
	vh_mmu_pte_decode(&mmu, old_none, &pi);
	assert_true(pi.protnone && pi.special && pi.protnone_pfn[0] == 0x41234 &&
		    pi.protnone_pfn[1] == 0x41234);
	vh_mmu_pte_decode(&mmu, DATA | TABLE | SPECIAL, &pi);
	assert_true(pi.special && !pi.swap && !pi.protnone);

	vh_mmu_set_release(&mmu, "6.12.48+deb13-arm64");
	assert_int_equal(mmu.pte_layout, 1);
	vh_mmu_pte_decode(&mmu, new_swap, &pi);
	assert_true(pi.swap && pi.swap_type == 30 && pi.swap_pfn == 0x41234);
	vh_mmu_pte_decode(&mmu, new_none, &pi);
	assert_true(pi.protnone && pi.protnone_pfn[0] == 0x41234);
	vh_mmu_set_release(&mmu, "7.0.0-1-arm64");
	assert_int_equal(mmu.pte_layout, 1);
	vh_mmu_set_release(&mmu, "garbage");
	assert_int_equal(mmu.pte_layout, 1);
	vh_mmu_pte_decode(&mmu, 0, &pi);
	assert_true(!pi.swap && !pi.protnone && !pi.special);
}

/*
 * A raw arm64 image without notes: the kernel is found from the VMCOREINFO
 * page in memory, by kimage_voffset or (7.x) a search, with _text where
 * KIMAGE_VADDR and the KASLR offset say. The whole image is the "kernel
 * image", mapped at TEXT from physical 0, so swapper_pg_dir (L0) is at
 * TEXT + L0.
 */
#define TEXT 0xffff800080200000ull /* KIMAGE_VADDR + a 2 MiB KASLR offset */

static void build_kernel(const char *vmci)
{
	memset(image, 0, sizeof(image));
	set(L0, (TEXT >> 39) & 511, KL1 | TABLE);
	set(KL1, (TEXT >> 30) & 511, KL2 | TABLE);
	set(KL2, (TEXT >> 21) & 511, KL3 | TABLE);
	for (unsigned i = 0; i < IMAGE_SIZE / 4096; i++)
		set(KL3, ((TEXT >> 12) & 511) + i, (i * 0x1000ull) | TABLE | AF);
	snprintf((char *)image + VMCI, 4096, "%s", vmci);
}

static void test_kernel_from_memory(void **state)
{
	uint64_t text = TEXT, voff = TEXT;
	char note[1024];
	char *path;
	struct vh_dump *d;
	struct vh_kernel_map km;

	(void)state;
	snprintf(note, sizeof(note),
		 "OSRELEASE=6.12.48+deb13-arm64\nPAGESIZE=4096\n"
		 "SYMBOL(swapper_pg_dir)=%llx\nNUMBER(VA_BITS)=48\n"
		 "NUMBER(kimage_voffset)=0x%llx\nNUMBER(PHYS_OFFSET)=0x0\n"
		 "KERNELOFFSET=200000\nNUMBER(TCR_EL1_T1SZ)=0x10\n",
		 (unsigned long long)(voff + L0), (unsigned long long)voff);
	build_kernel(note);
	d = open_image(&path, IMAGE_SIZE);
	assert_int_equal(vh_kernel_map_find(d, &km), VH_OK);
	assert_string_equal(km.method, "vmcoreinfo-in-memory");
	assert_int_equal(km.mmu.arch, VH_ARCH_ARM64);
	assert_int_equal(km.mmu.va_bits, 48);
	assert_int_equal(km.mmu.pte_layout, 1);
	assert_int_equal(km.pgd, L0);
	assert_true(km.kimage_voffset == voff);
	assert_true(km.kaslr_offset == 0x200000);
	assert_true(km.text == text);
	assert_true(vh_kernel_in_image(&km, text + 0x1000) && !vh_kernel_in_image(&km, text - 1));
	finish(d, path);

	/* 7.x: no kimage_voffset; swapper_pg_dir is searched for */
	snprintf(note, sizeof(note),
		 "OSRELEASE=7.0.0-1-arm64\nPAGESIZE=4096\n"
		 "SYMBOL(swapper_pg_dir)=%llx\nNUMBER(VA_BITS)=52\n"
		 "KERNELOFFSET=200000\nNUMBER(TCR_EL1_T1SZ)=0x10\n",
		 (unsigned long long)(voff + L0));
	build_kernel(note);
	d = open_image(&path, IMAGE_SIZE);
	assert_int_equal(vh_kernel_map_find(d, &km), VH_OK);
	assert_int_equal(km.pgd, L0);
	assert_int_equal(km.mmu.va_bits, 48); /* T1SZ 16: 48 bits in use, VA_BITS 52 */
	assert_non_null(strstr(km.pgd_source, "searched"));
	finish(d, path);

	/* a swapper_pg_dir that maps nothing: not found, and said so */
	snprintf(note, sizeof(note),
		 "OSRELEASE=7.0.0-1-arm64\nSYMBOL(swapper_pg_dir)=%llx\nNUMBER(VA_BITS)=48\n",
		 (unsigned long long)(voff + L1));
	build_kernel(note);
	d = open_image(&path, IMAGE_SIZE);
	assert_int_equal(vh_kernel_map_find(d, &km), VH_ERR_NOT_PRESENT);
	assert_non_null(strstr(vh_errmsg(), "VMCOREINFO"));
	finish(d, path);
}

static void put32(unsigned char *b, unsigned v)
{
	b[0] = (unsigned char)v;
	b[1] = (unsigned char)(v >> 8);
	b[2] = (unsigned char)(v >> 16);
	b[3] = (unsigned char)(v >> 24);
}

/* arm64 shellcode signs: NOP sleds of 16 instructions, "mov x8, #nr ... svc #0" stubs. */
static void test_isa(void **state)
{
	const struct vh_isa *isa = vh_isa(VH_ARCH_ARM64);
	unsigned char b[256] = {0};
	char out[256];

	(void)state;
	assert_string_equal(isa->name, "aarch64");
	for (int i = 0; i < 15; i++)
		put32(b + 8 + 4 * i, 0xd503201f);
	assert_int_equal(isa->find_sled(b, sizeof(b)), -1); /* 15 NOPs: alignment padding */
	put32(b + 8 + 4 * 15, 0xd503201f);
	assert_int_equal(isa->find_sled(b, sizeof(b)), 8);
	assert_int_equal(isa->find_sled(b + 1, sizeof(b) - 1), -1); /* not instruction-aligned */
	memset(b, 0, sizeof(b));
	put32(b + 16, 0xd2800ba8); /* mov x8, #93 (exit) */
	put32(b + 20, 0xd2800000); /* mov x0, #0 */
	assert_int_equal(isa->find_syscall_stub(b, sizeof(b)), -1);
	put32(b + 24, 0xd4000001); /* svc #0 */
	assert_int_equal(isa->find_syscall_stub(b, sizeof(b)), 16);
	put32(b + 24, 0);
	put32(b + 16 + 4 * 6, 0xd4000001); /* too far from the number to be its stub */
	assert_int_equal(isa->find_syscall_stub(b, sizeof(b)), -1);
	put32(b + 24, 0xd4000001);
	vh_disasm(VH_ARCH_ARM64, b + 16, 12, 0x1000, 8, out, sizeof(out));
	assert_string_equal(out, "0x1000: movz x8, #0x5d\n0x1004: movz x0, #0\n0x1008: svc #0");
	assert_int_equal(vh_isa(VH_ARCH_UNKNOWN)->arch, VH_ARCH_X86_64);
	assert_int_equal(vh_arch_id("aarch64"), VH_ARCH_ARM64);
	assert_int_equal(vh_arch_id("i386"), VH_ARCH_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_translate48),
	    cmocka_unit_test(test_not_mapped48),
	    cmocka_unit_test(test_walk48),
	    cmocka_unit_test(test_lpa2),
	    cmocka_unit_test(test_39bit),
	    cmocka_unit_test(test_pte_decode),
	    cmocka_unit_test(test_kernel_from_memory),
	    cmocka_unit_test(test_isa),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
