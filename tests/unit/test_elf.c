/* SPDX-License-Identifier: MIT */
/*
 * The ELF vmcore reader, on small ELF cores this test writes: bytes read back
 * exactly, zero and excluded tails, overlaps, truncation at every offset of
 * the headers, and damaged header fields.
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

#include "dump/dump_internal.h"
#include "helpers/dumptest.h"
#include "helpers/tmpfile.h"

/* Tests open hundreds of dumps; a default 4 MiB page cache each is slow under ASan. */
static const struct vh_dump_options small_cache = {.cache_pages = 16};

#define PAGE 0x1000

/* The standard image: ehdr, 4 phdrs (PT_NOTE + 3 PT_LOAD), notes at NOTES_OFF, data after. */
#define PHOFF	  64
#define PHNUM	  4
#define SHDR_OFF  (PHOFF + PHNUM * 56) /* room for a PN_XNUM section header */
#define NOTES_OFF 0x200
#define D0	  0x1000 /* PT_LOAD 1: phys 0x0, 0x3000 bytes */
#define D1	  0x4000 /* PT_LOAD 2: phys 0x10800, 0x1800 stored of 0x3000 */
#define D2	  0x5800 /* PT_LOAD 3: phys 0x20000, 0x2000 bytes */
#define IMG_SIZE  0x7800

/*
 * The notes of each writer. aarch64: QEMU follows each NT_PRSTATUS (pr_pid its
 * CPU number) with NT_PRFPREG and may add NT_ARM_PAC_MASK; the kernel writes
 * NT_PRSTATUS only (pr_pid the task's pid).
 */
enum notes_kind { NOTES_NONE, NOTES_QEMU, NOTES_KERNEL, NOTES_QEMU_ARM64, NOTES_KERNEL_ARM64 };

#define ARM64_PC 0xffff800008f4b2c0ull

struct img {
	uint8_t d[IMG_SIZE];
	size_t len;
};

/* The byte stored at file offset @off: varies within and across pages. */
static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off ^ (off >> 8) * 29 ^ 0x5a);
}

static void ehdr64(uint8_t *p, uint16_t phnum)
{
	memset(p, 0, 64);
	memcpy(p, "\177ELF", 4);
	p[4] = 2;		   /* ELFCLASS64 */
	p[5] = 1;		   /* ELFDATA2LSB */
	p[6] = 1;		   /* EV_CURRENT */
	vh_test_put16(p + 16, 4);  /* ET_CORE */
	vh_test_put16(p + 18, 62); /* EM_X86_64 */
	vh_test_put32(p + 20, 1);
	vh_test_put64(p + 32, PHOFF);
	vh_test_put16(p + 52, 64);
	vh_test_put16(p + 54, 56);
	vh_test_put16(p + 56, phnum);
}

static uint8_t *phdr(struct img *im, int i)
{
	return im->d + PHOFF + 56 * i;
}

static void set_phdr(uint8_t *p, uint32_t type, uint64_t off, uint64_t paddr, uint64_t filesz,
		     uint64_t memsz)
{
	memset(p, 0, 56);
	vh_test_put32(p, type);
	vh_test_put64(p + 8, off);
	vh_test_put64(p + 16, paddr); /* p_vaddr: as QEMU writes with paging off */
	vh_test_put64(p + 24, paddr);
	vh_test_put64(p + 32, filesz);
	vh_test_put64(p + 40, memsz);
}

static size_t note(uint8_t *p, const char *name, uint32_t type, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;

	vh_test_put32(p, namesz);
	vh_test_put32(p + 4, descsz);
	vh_test_put32(p + 8, type);
	memcpy(p + 12, name, namesz);
	return 12 + ((namesz + 3) & ~3u);
}

/* Writes the notes at NOTES_OFF; returns their size. */
static size_t put_notes(struct img *im, enum notes_kind kind)
{
	static const char vmci[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";
	uint8_t *p = im->d + NOTES_OFF, *start = p;

	if (kind == NOTES_NONE)
		return 0;
	if (kind == NOTES_QEMU_ARM64 || kind == NOTES_KERNEL_ARM64) {
		bool qemu = kind == NOTES_QEMU_ARM64;

		for (uint32_t cpu = 0; cpu < 2; cpu++) {
			p += note(p, "CORE", 1, 392);
			vh_test_put32(p + 32, qemu ? cpu + 1 : 4242 + cpu);
			for (int k = 0; k < 31; k++) /* x0..x30 */
				vh_test_put64(p + 112 + 8 * k, 0x100 * cpu + (uint64_t)k);
			vh_test_put64(p + 112 + 31 * 8, 0xffff80000a003e70ull); /* sp */
			vh_test_put64(p + 112 + 32 * 8, ARM64_PC + cpu);	/* pc */
			vh_test_put64(p + 112 + 33 * 8, 0x60000005);		/* pstate */
			p += 392;
			if (!qemu)
				continue;
			p += note(p, "CORE", 2, 528); /* NT_PRFPREG */
			p += 528;
			p += note(p, "LINUX", 0x406, 16); /* NT_ARM_PAC_MASK */
			p += 16;
		}
		goto vmcoreinfo;
	}
	p += note(p, "CORE", 1, 336);
	vh_test_put32(p + 32, 1);
	vh_test_put64(p + 112 + 16 * 8, 0xffffffff81000000ull); /* rip */
	p += 336;
	if (kind == NOTES_QEMU) {
		p += note(p, "QEMU", 0, 432);
		vh_test_put32(p, 1);
		vh_test_put32(p + 4, 432);
		vh_test_put64(p + 392, 0x80050033);	   /* cr0 */
		vh_test_put64(p + 392 + 3 * 8, 0x1234000); /* cr3 */
		vh_test_put64(p + 392 + 4 * 8, 0x3506f0);  /* cr4 */
		p += 432;
	}
vmcoreinfo:
	p += note(p, "VMCOREINFO", 0, sizeof(vmci) - 1);
	memcpy(p, vmci, sizeof(vmci) - 1);
	p += (sizeof(vmci) - 1 + 3) & ~3u;
	return (size_t)(p - start);
}

static void build(struct img *im, enum notes_kind kind)
{
	size_t nlen;

	memset(im, 0, sizeof(*im));
	im->len = IMG_SIZE;
	for (size_t i = D0; i < IMG_SIZE; i++)
		im->d[i] = pattern(i);
	ehdr64(im->d, PHNUM);
	if (kind == NOTES_QEMU_ARM64 || kind == NOTES_KERNEL_ARM64)
		vh_test_put16(im->d + 18, 183); /* EM_AARCH64 */
	nlen = put_notes(im, kind);
	set_phdr(phdr(im, 0), 4 /* PT_NOTE */, NOTES_OFF, 0, nlen, nlen);
	set_phdr(phdr(im, 1), 1 /* PT_LOAD */, D0, 0x0, 0x3000, 0x3000);
	set_phdr(phdr(im, 2), 1, D1, 0x10800, 0x1800, 0x3000);
	set_phdr(phdr(im, 3), 1, D2, 0x20000, 0x2000, 0x2000);
}

/* Reads [paddr, paddr + len) and compares it with the file bytes at @off (or zeros). */
static void expect_bytes(struct vh_dump *d, uint64_t paddr, size_t len, uint64_t off, bool zero)
{
	uint8_t *buf = malloc(len);

	assert_non_null(buf);
	assert_int_equal(vh_dump_read_phys(d, paddr, buf, len), VH_OK);
	for (size_t i = 0; i < len; i++) {
		uint8_t want = zero ? 0 : pattern(off + i);

		if (buf[i] != want)
			fail_msg("phys 0x%llx: read 0x%02x, expected 0x%02x",
				 (unsigned long long)(paddr + i), buf[i], want);
	}
	free(buf);
}

static void test_qemu_dump_reads_back(void **state)
{
	struct img im;
	struct vh_test_opened o;
	struct vh_page_stats st;
	const struct vh_phys_range *r;
	const struct vh_cpu_regs *c;
	uint8_t b[32];
	size_t n;

	(void)state;
	build(&im, NOTES_QEMU);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	assert_int_equal(vh_dump_format(o.d), VH_FMT_ELF);
	assert_string_equal(vh_dump_arch(o.d), "x86_64");
	assert_int_equal(vh_dump_page_size(o.d), 4096);
	r = vh_dump_ranges(o.d, &n);
	assert_int_equal(n, 3);
	assert_int_equal(r[1].start, 0x10800);
	assert_int_equal(r[1].end, 0x13800);
	/* Whole segments, the unaligned one, and a page boundary inside a segment. */
	expect_bytes(o.d, 0x0, 0x3000, D0, false);
	expect_bytes(o.d, 0x10800, 0x1800, D1, false);
	expect_bytes(o.d, 0x20000, 0x2000, D2, false);
	expect_bytes(o.d, 0x10ff0, 0x20, D1 + 0x7f0, false);
	expect_bytes(o.d, 0x11ff0, 0x10, D1 + 0x17f0, false);
	/* QEMU leaves a tail only for memory it did not dump: excluded, not zeros. */
	assert_int_equal(vh_dump_read_phys(o.d, 0x11ff0, b, 0x20), VH_ERR_EXCLUDED);
	/* Absent: past a segment's end, the unstored head of an unaligned page, a hole. */
	assert_int_equal(vh_dump_read_phys(o.d, 0x2ff0, b, 0x20), VH_ERR_NOT_PRESENT);
	vh_test_expect_msg("0x3000");
	assert_int_equal(vh_dump_read_phys(o.d, 0x10000, b, 16), VH_ERR_NOT_PRESENT);
	assert_int_equal(vh_dump_read_phys(o.d, 0x5000, b, 1), VH_ERR_NOT_PRESENT);
	assert_int_equal(vh_dump_page_state(o.d, 0x10), VH_PAGE_PRESENT);
	assert_int_equal(vh_dump_page_state(o.d, 0x12), VH_PAGE_EXCLUDED);
	assert_int_equal(vh_dump_page_state(o.d, 0x13), VH_PAGE_EXCLUDED);
	assert_int_equal(vh_dump_page_state(o.d, 0x14), VH_PAGE_ABSENT);
	vh_dump_page_stats(o.d, &st);
	assert_int_equal(st.present, 7);
	assert_int_equal(st.zero, 0);
	assert_int_equal(st.excluded, 2);
	assert_int_equal(st.by_codec[VH_CODEC_NONE], 7);
	/* Notes. */
	assert_string_equal(vh_dump_vmcoreinfo_get(o.d, "OSRELEASE"), "6.1.0-test");
	assert_int_equal(vh_dump_ncpus(o.d), 1);
	c = vh_dump_cpu(o.d, 0);
	assert_true(c->have_gp && c->have_cr);
	assert_int_equal(c->rip, 0xffffffff81000000ull);
	assert_int_equal(c->cr[3], 0x1234000);
	assert_string_equal(vh_test_attr(o.d, "elf.producer"),
			    "QEMU (filtered) or makedumpfile -E of a QEMU dump");
	assert_string_equal(vh_test_attr(o.d, "elf.tail"), "excluded by the dump tool");
	assert_string_equal(vh_test_attr(o.d, "elf.phnum"), "4");
	vh_dump_warnings(o.d, &n);
	assert_int_equal(n, 0);
	vh_test_close(&o);
}

/* makedumpfile -E: the tail of a short PT_LOAD is filtered memory, not zeros. */
static void test_makedumpfile_tail_is_excluded(void **state)
{
	struct img im;
	struct vh_test_opened o;
	struct vh_page_stats st;
	uint8_t b[16];

	(void)state;
	build(&im, NOTES_KERNEL);
	/* A PT_LOAD that holds only excluded pages: makedumpfile writes p_offset 0. */
	set_phdr(phdr(&im, 3), 1, 0, 0x20000, 0, 0x2000);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	assert_string_equal(vh_test_attr(o.d, "elf.producer"), "makedumpfile");
	assert_int_equal(vh_dump_page_state(o.d, 0x12), VH_PAGE_EXCLUDED);
	assert_int_equal(vh_dump_page_state(o.d, 0x21), VH_PAGE_EXCLUDED);
	assert_int_equal(vh_dump_read_phys(o.d, 0x12000, b, 16), VH_ERR_EXCLUDED);
	vh_test_expect_msg("0x12000");
	assert_int_equal(vh_dump_read_phys(o.d, 0x11ff8, b, 16), VH_ERR_EXCLUDED);
	expect_bytes(o.d, 0x10800, 0x1800, D1, false);
	vh_dump_page_stats(o.d, &st);
	assert_int_equal(st.present, 5);
	assert_int_equal(st.zero, 0);
	assert_int_equal(st.excluded, 4);
	vh_test_close(&o);
}

/* Without notes nothing says vmcore: the plain ELF meaning, zero-filled, holds. */
static void test_no_notes(void **state)
{
	struct img im;
	struct vh_test_opened o;
	struct vh_page_stats st;

	(void)state;
	build(&im, NOTES_NONE);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	assert_null(vh_dump_vmcoreinfo(o.d, NULL));
	assert_int_equal(vh_dump_ncpus(o.d), 0);
	assert_string_equal(vh_test_attr(o.d, "elf.producer"), "unknown");
	assert_string_equal(vh_test_attr(o.d, "elf.tail"), "zero-filled (plain ELF)");
	assert_int_equal(vh_dump_page_state(o.d, 0x12), VH_PAGE_ZERO);
	assert_int_equal(vh_dump_page_state(o.d, 0x13), VH_PAGE_ZERO);
	/* From stored bytes into the zero tail, in one read. */
	expect_bytes(o.d, 0x11ff0, 0x10, D1 + 0x17f0, false);
	expect_bytes(o.d, 0x12000, 0x1800, 0, true);
	vh_dump_page_stats(o.d, &st);
	assert_int_equal(st.present, 7);
	assert_int_equal(st.zero, 2);
	assert_int_equal(st.excluded, 0);
	vh_test_close(&o);
}

/* A full QEMU dump (paging off) has no short PT_LOAD: producer QEMU, no tail attr. */
static void test_qemu_unfiltered(void **state)
{
	struct img im;
	struct vh_test_opened o;

	(void)state;
	build(&im, NOTES_QEMU);
	vh_test_put64(phdr(&im, 2) + 40, 0x1800);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	assert_string_equal(vh_test_attr(o.d, "elf.producer"), "QEMU");
	assert_string_equal(vh_test_attr(o.d, "elf.tail"), "");
	vh_test_close(&o);
}

/* Overlapping PT_LOADs: the one listed first wins, the other fills around it. */
static void test_overlap(void **state)
{
	struct img im;
	struct vh_test_opened o;
	const struct vh_phys_range *r;
	size_t n;

	(void)state;
	build(&im, NOTES_NONE);
	set_phdr(phdr(&im, 1), 1, D0, 0x20800, 0x3000, 0x3000);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	r = vh_dump_ranges(o.d, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[1].start, 0x20000);
	assert_int_equal(r[1].end, 0x23800);
	expect_bytes(o.d, 0x20000, 0x800, D2, false);
	expect_bytes(o.d, 0x20800, 0x3000, D0, false);
	vh_test_close(&o);
}

/* kexec's kernel-text PT_LOAD without a physical address must not shadow page 0. */
static void test_kernel_text_without_paddr(void **state)
{
	struct img im;
	struct vh_test_opened o;
	uint8_t b[1];

	(void)state;
	build(&im, NOTES_KERNEL);
	vh_test_put64(phdr(&im, 1) + 16, 0xffffffff81000000ull);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	vh_test_expect_warning(o.d, "kernel text");
	assert_int_equal(vh_dump_read_phys(o.d, 0, b, 1), VH_ERR_NOT_PRESENT);
	vh_test_close(&o);
}

/* A dump cut inside a PT_LOAD: what is there reads back, the rest is not present. */
static void test_truncated_load(void **state)
{
	struct img im;
	struct vh_test_opened o;
	struct vh_page_stats st;
	uint8_t b[16];

	(void)state;
	build(&im, NOTES_QEMU);
	im.len = D2 + 0x800;
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	vh_test_expect_warning(o.d, "offset 0xe8: PT_LOAD 3");
	vh_test_expect_warning(o.d, "truncated");
	expect_bytes(o.d, 0x20000, 0x800, D2, false);
	assert_int_equal(vh_dump_read_phys(o.d, 0x207f8, b, 16), VH_ERR_NOT_PRESENT);
	assert_int_equal(vh_dump_page_state(o.d, 0x20), VH_PAGE_PRESENT);
	assert_int_equal(vh_dump_page_state(o.d, 0x21), VH_PAGE_ABSENT);
	vh_dump_page_stats(o.d, &st);
	assert_int_equal(st.present, 6);
	vh_test_close(&o);
}

/* Every length from empty to whole: the right error inside the headers, warnings after. */
static void truncated_everywhere(enum notes_kind kind)
{
	struct img im;
	char *path;

	build(&im, kind);
	path = vh_test_write_tmp(im.d, im.len);
	assert_non_null(path);
	for (size_t cut = im.len;; cut -= cut > NOTES_OFF + 0x400 ? 61 : 1) {
		struct vh_dump *d = NULL;
		int err, want = VH_OK;

		assert_int_equal(truncate(path, (off_t)cut), 0);
		err = vh_dump_open(path, &small_cache, &d);
		if (cut < 4 && cut > 0)
			want = VH_ERR_FORMAT; /* not even the ELF magic: unrecognised */
		else if (cut < PHOFF + PHNUM * 56)
			want = VH_ERR_TRUNCATED;
		if (err != want)
			fail_msg("cut at %zu: got %d (%s), expected %d", cut, err, vh_errmsg(),
				 want);
		if (err) {
			vh_test_expect_msg("offset 0x");
		} else if (cut < im.len) {
			size_t n;

			vh_dump_warnings(d, &n);
			if (n == 0)
				fail_msg("cut at %zu: no warning", cut);
		}
		vh_dump_close(d);
		if (cut == 0)
			break;
	}
	unlink(path);
	free(path);
}

static void test_truncated_everywhere(void **state)
{
	(void)state;
	truncated_everywhere(NOTES_QEMU);
}

static void test_arm64_truncated_everywhere(void **state)
{
	(void)state;
	truncated_everywhere(NOTES_QEMU_ARM64);
	truncated_everywhere(NOTES_KERNEL_ARM64);
}

struct mutation {
	const char *what;
	size_t off; /* where to write */
	int width;  /* 1, 2 or 8 bytes */
	uint64_t value;
	int err;
	const char *msg;
};

static void test_bad_headers(void **state)
{
	static const struct mutation m[] = {
	    {"magic", 1, 1, 'X', VH_ERR_FORMAT, "not a dump"},
	    {"class", 4, 1, 3, VH_ERR_FORMAT, "offset 0x4: ELF class 3"},
	    {"big-endian", 5, 1, 2, VH_ERR_UNSUPPORTED, "offset 0x5"},
	    {"data encoding", 5, 1, 0, VH_ERR_FORMAT, "offset 0x5"},
	    {"version", 6, 1, 0, VH_ERR_FORMAT, "offset 0x6"},
	    {"type", 16, 2, 2, VH_ERR_FORMAT, "offset 0x10: ELF type 2"},
	    {"machine", 18, 2, 21, VH_ERR_UNSUPPORTED, "offset 0x12: ELF machine 21"},
	    {"phentsize", 54, 2, 32, VH_ERR_FORMAT, "offset 0x36"},
	    {"phnum 0", 56, 2, 0, VH_ERR_FORMAT, "offset 0x38"},
	    {"phoff", 32, 8, 0xffffffffffff0000ull, VH_ERR_TRUNCATED, "offset 0xffffffffffff0000"},
	    {"phnum", 56, 2, 0xfff0, VH_ERR_TRUNCATED, "offset 0x40: program header table"},
	    {"phoff past end", 32, 8, IMG_SIZE - 100, VH_ERR_TRUNCATED, "runs past the end"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct img im;
		struct vh_test_opened o;

		build(&im, NOTES_QEMU);
		if (m[i].width == 1)
			im.d[m[i].off] = (uint8_t)m[i].value;
		else if (m[i].width == 2)
			vh_test_put16(im.d + m[i].off, (uint16_t)m[i].value);
		else
			vh_test_put64(im.d + m[i].off, m[i].value);
		o = vh_test_open_bytes(im.d, im.len, &small_cache);
		if (o.err != m[i].err)
			fail_msg("%s: got %d (%s), expected %d", m[i].what, o.err, vh_errmsg(),
				 m[i].err);
		assert_null(o.d);
		vh_test_expect_msg(m[i].msg);
		vh_test_close(&o);
	}
}

/* PN_XNUM with a section header that does not exist. */
static void test_bad_pn_xnum(void **state)
{
	struct img im;
	struct vh_test_opened o;

	(void)state;
	build(&im, NOTES_QEMU);
	vh_test_put16(im.d + 56, 0xffff);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_not_equal(o.err, VH_OK);
	vh_test_expect_msg("offset 0x");
	vh_test_close(&o);
}

/* Damaged PT_LOAD fields: that segment is skipped with a warning, the rest is read. */
static void test_bad_load_skipped(void **state)
{
	static const struct {
		uint64_t off, paddr, filesz, memsz;
		const char *msg;
	} bad[] = {
	    {D1, 0x10800, 0x3001, 0x3000, "p_filesz is larger"},
	    {D1, 0xfffffffffffff000ull, 0x1000, 0x2000, "wraps"},
	    {0xffffffffffffff00ull, 0x10800, 0x1000, 0x1000, "wraps"},
	    {D1, 1ull << 52, 0x1000, 0x1000, "beyond the 52-bit"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct img im;
		struct vh_test_opened o;
		uint8_t b[1];

		build(&im, NOTES_QEMU);
		set_phdr(phdr(&im, 2), 1, bad[i].off, bad[i].paddr, bad[i].filesz, bad[i].memsz);
		o = vh_test_open_bytes(im.d, im.len, &small_cache);
		assert_int_equal(o.err, VH_OK);
		vh_test_expect_warning(o.d, "offset 0xb0: PT_LOAD 2 skipped");
		vh_test_expect_warning(o.d, bad[i].msg);
		assert_int_equal(vh_dump_read_phys(o.d, 0x10800, b, 1), VH_ERR_NOT_PRESENT);
		expect_bytes(o.d, 0x20000, 0x2000, D2, false);
		vh_test_close(&o);
	}
}

/* A tail claiming petabytes is dropped; the stored bytes of the segment stay readable. */
static void test_huge_tail_ignored(void **state)
{
	struct img im;
	struct vh_test_opened o;
	size_t n;
	const struct vh_phys_range *r;

	(void)state;
	build(&im, NOTES_QEMU);
	set_phdr(phdr(&im, 2), 1, D1, 0x10800, 0x1800, 1ull << 60);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	vh_test_expect_warning(o.d,
			       "PT_LOAD 2: p_memsz 0x1000000000000000 reaches beyond the 52-bit");
	expect_bytes(o.d, 0x10800, 0x1800, D1, false);
	r = vh_dump_ranges(o.d, &n);
	assert_true(r[n - 1].end <= (1ull << 52));
	vh_test_close(&o);
}

static void test_no_usable_load(void **state)
{
	struct img im;
	struct vh_test_opened o;

	(void)state;
	build(&im, NOTES_QEMU);
	for (int i = 1; i < PHNUM; i++)
		vh_test_put64(phdr(&im, i) + 32, 0x10000); /* p_filesz > p_memsz */
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_ERR_FORMAT);
	vh_test_expect_msg("offset 0x40: no usable PT_LOAD");
	vh_test_close(&o);
}

/* A PT_NOTE past the end of the file, or of absurd size: warned, memory still read. */
static void test_bad_note_segment(void **state)
{
	static const uint64_t offs[] = {IMG_SIZE + 1, NOTES_OFF};
	static const uint64_t sizes[] = {0x100, 1ull << 40};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct img im;
		struct vh_test_opened o;

		build(&im, NOTES_QEMU);
		vh_test_put64(phdr(&im, 0) + 8, offs[i]);
		vh_test_put64(phdr(&im, 0) + 32, sizes[i]);
		o = vh_test_open_bytes(im.d, im.len, &small_cache);
		assert_int_equal(o.err, VH_OK);
		vh_test_expect_warning(o.d, "offset 0x40: PT_NOTE");
		assert_int_equal(vh_dump_ncpus(o.d), 0);
		expect_bytes(o.d, 0x0, 0x3000, D0, false);
		vh_test_close(&o);
	}
}

/* A note with a bogus size inside a good PT_NOTE: a warning naming the note's offset. */
static void test_bogus_note_size(void **state)
{
	struct img im;
	struct vh_test_opened o;

	(void)state;
	build(&im, NOTES_QEMU);
	vh_test_put32(im.d + NOTES_OFF + 12 + 8 + 336 + 4, 0xfffffff0); /* the QEMU note's descsz */
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	vh_test_expect_warning(o.d, "offset 0x364: ELF note descriptor size");
	assert_int_equal(vh_dump_ncpus(o.d), 1);
	assert_false(vh_dump_cpu(o.d, 0)->have_cr);
	vh_test_close(&o);
}

/* An unusable PAGESIZE in VMCOREINFO: a warning, and x86's 4096. */
static void test_bad_vmcoreinfo_pagesize(void **state)
{
	struct img im;
	struct vh_test_opened o;
	uint8_t *at;

	(void)state;
	build(&im, NOTES_KERNEL);
	at = memmem(im.d, im.len, "PAGESIZE=4096", 13);
	assert_non_null(at);
	memcpy(at, "PAGESIZE=1234", 13);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	assert_int_equal(vh_dump_page_size(o.d), 4096);
	vh_test_expect_warning(o.d, "PAGESIZE=1234");
	vh_test_close(&o);
}

/* Process core files (every p_paddr 0) are not vmcores: the process-core reader takes them. */
static void test_process_core_refused(void **state)
{
	struct img im;
	struct vh_test_opened o;

	(void)state;
	build(&im, NOTES_NONE);
	vh_test_put64(phdr(&im, 2) + 24, 0);
	vh_test_put64(phdr(&im, 3) + 24, 0);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	assert_int_equal(vh_dump_format(o.d), VH_FMT_CORE);
	vh_test_close(&o);
}

/* More than 65534 program headers: e_phnum is PN_XNUM, the count is in section 0's sh_info. */
static void test_pn_xnum(void **state)
{
	const uint32_t nload = 70000;
	size_t phoff = 64 + 64, len = phoff + (size_t)nload * 56;
	uint8_t *img = calloc(1, len);
	struct vh_page_stats st;
	struct vh_dump *d;
	char *path;

	(void)state;
	assert_non_null(img);
	ehdr64(img, 0xffff);
	vh_test_put64(img + 32, phoff);
	vh_test_put64(img + 40, 64); /* e_shoff: section header 0 right after the ELF header */
	vh_test_put16(img + 58, 64); /* e_shentsize */
	vh_test_put16(img + 60, 1);  /* e_shnum */
	vh_test_put32(img + 64 + 44, nload); /* sh_info */
	/* Zero-filled pages every other page: nothing stored, so the file stays small. */
	for (uint32_t i = 0; i < nload; i++)
		set_phdr(img + phoff + 56 * (size_t)i, 1, 0, (uint64_t)i * 2 * PAGE, 0, PAGE);
	path = vh_test_write_tmp(img, len);
	assert_non_null(path);
	assert_int_equal(vh_dump_open(path, &small_cache, &d), VH_OK);
	vh_dump_page_stats(d, &st);
	assert_int_equal(st.zero, nload);
	assert_int_equal(vh_dump_page_state(d, 2 * (nload - 1)), VH_PAGE_ZERO);
	assert_int_equal(vh_dump_page_state(d, 2 * (nload - 1) + 1), VH_PAGE_ABSENT);
	assert_string_equal(vh_test_attr(d, "elf.phnum"), "70000");
	vh_dump_close(d);
	unlink(path);
	free(path);
	free(img);
}

/*
 * A table of damaged entries: a bounded number of warnings. And many PT_NOTEs
 * pointing at the same notes: a bounded number of notes read, of CPUs.
 */
static void test_hostile_tables_bounded(void **state)
{
	const uint32_t nbad = 3000, one = 12 + 8 + 336;
	size_t notes = 64 + (size_t)(nbad + 1) * 56, len = notes + 64 * one;
	uint8_t *img = calloc(1, len);
	struct vh_dump *d;
	size_t nw;
	char *path;

	(void)state;
	assert_non_null(img);
	ehdr64(img, (uint16_t)(nbad + 1));
	for (uint32_t i = 0; i < 64; i++) {
		uint8_t *h = img + notes + (size_t)i * one;

		vh_test_put32(h, 5);
		vh_test_put32(h + 4, 336);
		vh_test_put32(h + 8, 1);
		memcpy(h + 12, "CORE", 5);
	}
	/* Even entries: PT_LOAD with p_filesz > p_memsz; odd ones: PT_NOTE, all the same notes. */
	for (uint32_t i = 0; i < nbad; i++) {
		if (i % 2)
			set_phdr(img + 64 + 56 * (size_t)i, 4, notes, 0, 64 * one, 64 * one);
		else
			set_phdr(img + 64 + 56 * (size_t)i, 1, 0, (uint64_t)i * PAGE, PAGE, 1);
	}
	set_phdr(img + 64 + 56 * (size_t)nbad, 1, 0, 0x100000000ull, 0, PAGE);
	path = vh_test_write_tmp(img, len);
	assert_non_null(path);
	assert_int_equal(vh_dump_open(path, &small_cache, &d), VH_OK);
	vh_dump_warnings(d, &nw);
	assert_true(nw <= 80);
	assert_int_equal(vh_dump_ncpus(d), 8192);
	vh_test_expect_warning(d, "more damaged or truncated program headers");
	vh_dump_close(d);
	unlink(path);
	free(path);
	free(img);
}

/* ELFCLASS32, as QEMU writes for a guest not yet in long mode. */
static void test_elf32(void **state)
{
	uint8_t img[0x3000] = {0};
	struct vh_dump *d;
	char *path;

	(void)state;
	for (size_t i = 0x1000; i < sizeof(img); i++)
		img[i] = pattern(i);
	memcpy(img, "\177ELF", 4);
	img[4] = 1; /* ELFCLASS32 */
	img[5] = 1;
	img[6] = 1;
	vh_test_put16(img + 16, 4);
	vh_test_put16(img + 18, 3); /* EM_386 */
	vh_test_put32(img + 20, 1);
	vh_test_put32(img + 28, 52); /* e_phoff */
	vh_test_put16(img + 40, 52);
	vh_test_put16(img + 42, 32);
	vh_test_put16(img + 44, 1);
	vh_test_put32(img + 52, 1);	      /* PT_LOAD */
	vh_test_put32(img + 52 + 4, 0x1000);  /* p_offset */
	vh_test_put32(img + 52 + 12, 0x7000); /* p_paddr */
	vh_test_put32(img + 52 + 16, 0x2000); /* p_filesz */
	vh_test_put32(img + 52 + 20, 0x2000); /* p_memsz */
	path = vh_test_write_tmp(img, sizeof(img));
	assert_non_null(path);
	assert_int_equal(vh_dump_open(path, &small_cache, &d), VH_OK);
	assert_string_equal(vh_dump_arch(d), "i386");
	assert_string_equal(vh_test_attr(d, "elf.class"), "ELF32");
	expect_bytes(d, 0x7000, 0x2000, 0x1000, false);
	vh_dump_close(d);
	unlink(path);
	free(path);
}

/* QEMU's dump of an aarch64 guest: registers per CPU, no pids, the other notes ignored. */
static void test_arm64_qemu(void **state)
{
	struct img im;
	struct vh_test_opened o;
	const struct vh_cpu_regs *c;
	size_t n;

	(void)state;
	build(&im, NOTES_QEMU_ARM64);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	assert_string_equal(vh_dump_arch(o.d), "aarch64");
	assert_int_equal(vh_dump_page_size(o.d), 4096);
	assert_int_equal(vh_dump_ncpus(o.d), 2);
	for (uint32_t cpu = 0; cpu < 2; cpu++) {
		c = vh_dump_cpu(o.d, cpu);
		assert_true(c->have_gp);
		assert_false(c->have_cr);
		assert_string_equal(c->source, "NT_PRSTATUS");
		assert_int_equal(c->pid, 0); /* QEMU's CPU number, not a pid */
		assert_int_equal(c->x[0], 0x100 * cpu);
		assert_int_equal(c->x[29], 0x100 * cpu + 29);
		assert_int_equal(c->x[30], 0x100 * cpu + 30);
		assert_int_equal(c->sp, 0xffff80000a003e70ull);
		assert_int_equal(c->pc, ARM64_PC + cpu);
		assert_int_equal(c->pstate, 0x60000005);
		assert_int_equal(c->rip, 0);
	}
	assert_string_equal(vh_test_attr(o.d, "elf.producer"),
			    "QEMU (filtered) or makedumpfile -E of a QEMU dump");
	assert_string_equal(vh_test_attr(o.d, "elf.tail"), "excluded by the dump tool");
	expect_bytes(o.d, 0x0, 0x3000, D0, false);
	expect_bytes(o.d, 0x10800, 0x1800, D1, false);
	vh_dump_warnings(o.d, &n);
	assert_int_equal(n, 0);
	vh_test_close(&o);
}

/* The kernel's /proc/vmcore of an aarch64 machine: pr_pid is the task's pid. */
static void test_arm64_kernel(void **state)
{
	struct img im;
	struct vh_test_opened o;
	size_t n;

	(void)state;
	build(&im, NOTES_KERNEL_ARM64);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	assert_string_equal(vh_dump_arch(o.d), "aarch64");
	assert_int_equal(vh_dump_ncpus(o.d), 2);
	assert_int_equal(vh_dump_cpu(o.d, 1)->pid, 4243);
	assert_int_equal(vh_dump_cpu(o.d, 1)->pc, ARM64_PC + 1);
	assert_string_equal(vh_test_attr(o.d, "elf.producer"), "makedumpfile");
	vh_dump_warnings(o.d, &n);
	assert_int_equal(n, 0);
	vh_test_close(&o);
}

/* An x86-64 NT_PRSTATUS in an aarch64 dump: skipped with a warning, nothing else lost. */
static void test_arm64_foreign_prstatus(void **state)
{
	struct img im;
	struct vh_test_opened o;

	(void)state;
	build(&im, NOTES_QEMU);
	vh_test_put16(im.d + 18, 183);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	assert_int_equal(vh_dump_ncpus(o.d), 0);
	vh_test_expect_warning(o.d, "NT_PRSTATUS of 336 bytes is not the aarch64 layout (392)");
	vh_test_expect_warning(o.d, "QEMU CPU state note (x86 only) in an aarch64 dump");
	assert_string_equal(vh_dump_vmcoreinfo_get(o.d, "OSRELEASE"), "6.1.0-test");
	expect_bytes(o.d, 0x20000, 0x2000, D2, false);
	vh_test_close(&o);
}

/* Big-endian (aarch64_be) and 32-bit Arm dumps are refused, saying which they are. */
static void test_arm_refused(void **state)
{
	struct img im;
	struct vh_test_opened o;

	(void)state;
	build(&im, NOTES_QEMU_ARM64);
	im.d[5] = 2;		      /* ELFDATA2MSB */
	im.d[18] = 0, im.d[19] = 183; /* e_machine, big-endian */
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_ERR_UNSUPPORTED);
	vh_test_expect_msg("offset 0x5: big-endian ELF64 (ELFDATA2MSB) of machine 183 (EM_AARCH64");
	vh_test_expect_msg("only little-endian dumps are supported");
	vh_test_close(&o);
	/* Cut right after e_ident: the machine cannot be named, the byte order still is. */
	o = vh_test_open_bytes(im.d, 17, &small_cache);
	assert_int_equal(o.err, VH_ERR_UNSUPPORTED);
	vh_test_expect_msg("big-endian ELF (ELFDATA2MSB)");
	vh_test_close(&o);
	build(&im, NOTES_QEMU_ARM64);
	vh_test_put16(im.d + 18, 40); /* EM_ARM in an ELF64 file */
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_ERR_UNSUPPORTED);
	vh_test_expect_msg("offset 0x12: EM_ARM (40) in an ELF64 file: 32-bit Arm dumps");
	vh_test_close(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_qemu_dump_reads_back),
	    cmocka_unit_test(test_makedumpfile_tail_is_excluded),
	    cmocka_unit_test(test_no_notes),
	    cmocka_unit_test(test_qemu_unfiltered),
	    cmocka_unit_test(test_overlap),
	    cmocka_unit_test(test_kernel_text_without_paddr),
	    cmocka_unit_test(test_truncated_load),
	    cmocka_unit_test(test_truncated_everywhere),
	    cmocka_unit_test(test_bad_headers),
	    cmocka_unit_test(test_bad_pn_xnum),
	    cmocka_unit_test(test_bad_load_skipped),
	    cmocka_unit_test(test_huge_tail_ignored),
	    cmocka_unit_test(test_no_usable_load),
	    cmocka_unit_test(test_bad_note_segment),
	    cmocka_unit_test(test_bogus_note_size),
	    cmocka_unit_test(test_bad_vmcoreinfo_pagesize),
	    cmocka_unit_test(test_process_core_refused),
	    cmocka_unit_test(test_pn_xnum),
	    cmocka_unit_test(test_hostile_tables_bounded),
	    cmocka_unit_test(test_elf32),
	    cmocka_unit_test(test_arm64_qemu),
	    cmocka_unit_test(test_arm64_kernel),
	    cmocka_unit_test(test_arm64_foreign_prstatus),
	    cmocka_unit_test(test_arm_refused),
	    cmocka_unit_test(test_arm64_truncated_everywhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
