/* SPDX-License-Identifier: MIT */
/* The LiME reader, on small images this test writes: good, truncated, damaged. */
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

#define MAX_IMG 0x20000

struct img {
	uint8_t d[MAX_IMG];
	size_t len;
};

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off ^ (off >> 8) * 29 ^ 0xa5);
}

/* Appends a range header and its bytes (the pattern of their file offsets). */
static size_t add_range(struct img *im, uint64_t s_addr, uint64_t e_addr)
{
	size_t at = im->len, len = (size_t)(e_addr - s_addr + 1);

	assert_true(at + 32 + len <= MAX_IMG);
	vh_test_put32(im->d + at, 0x4C694D45);
	vh_test_put32(im->d + at + 4, 1);
	vh_test_put64(im->d + at + 8, s_addr);
	vh_test_put64(im->d + at + 16, e_addr);
	memset(im->d + at + 24, 0, 8);
	for (size_t i = 0; i < len; i++)
		im->d[at + 32 + i] = pattern(at + 32 + i);
	im->len = at + 32 + len;
	return at;
}

/* Three ranges as LiME writes System RAM: one ending off a page boundary. */
static void build(struct img *im, size_t *hdr)
{
	im->len = 0;
	hdr[0] = add_range(im, 0x1000, 0x2bff);
	hdr[1] = add_range(im, 0x100000, 0x103fff);
	hdr[2] = add_range(im, 0x200800, 0x2017ff);
}

static void expect_bytes(struct vh_dump *d, uint64_t paddr, size_t len, uint64_t off)
{
	uint8_t *buf = malloc(len);

	assert_non_null(buf);
	assert_int_equal(vh_dump_read_phys(d, paddr, buf, len), VH_OK);
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != pattern(off + i))
			fail_msg("phys 0x%llx: read 0x%02x, expected 0x%02x",
				 (unsigned long long)(paddr + i), buf[i], pattern(off + i));
	}
	free(buf);
}

static void test_good_image(void **state)
{
	struct img im;
	size_t hdr[3], n;
	struct vh_test_opened o;
	struct vh_page_stats st;
	const struct vh_phys_range *r;
	uint8_t b[16];

	(void)state;
	build(&im, hdr);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	assert_int_equal(vh_dump_format(o.d), VH_FMT_LIME);
	assert_string_equal(vh_dump_arch(o.d), "unknown");
	assert_int_equal(vh_dump_page_size(o.d), 4096);
	assert_null(vh_dump_vmcoreinfo(o.d, NULL));
	r = vh_dump_ranges(o.d, &n);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].start, 0x1000);
	assert_int_equal(r[0].end, 0x2c00);
	assert_int_equal(r[2].start, 0x200800);
	expect_bytes(o.d, 0x1000, 0x1c00, hdr[0] + 32);
	expect_bytes(o.d, 0x100000, 0x4000, hdr[1] + 32);
	expect_bytes(o.d, 0x200800, 0x1000, hdr[2] + 32);
	expect_bytes(o.d, 0x101ff8, 16, hdr[1] + 32 + 0x1ff8); /* across a page boundary */
	assert_int_equal(vh_dump_read_phys(o.d, 0x2bf8, b, 16), VH_ERR_NOT_PRESENT);
	vh_test_expect_msg("0x2c00");
	assert_int_equal(vh_dump_read_phys(o.d, 0x0, b, 1), VH_ERR_NOT_PRESENT);
	assert_int_equal(vh_dump_read_phys(o.d, 0x2007f8, b, 16), VH_ERR_NOT_PRESENT);
	vh_dump_page_stats(o.d, &st);
	assert_int_equal(st.present, 2 + 4 + 2);
	assert_int_equal(st.by_codec[VH_CODEC_NONE], 8);
	assert_int_equal(st.zero + st.excluded, 0);
	vh_dump_warnings(o.d, &n);
	assert_int_equal(n, 0);
	vh_test_close(&o);
}

/* The last range cut short: its bytes that are there read back, a warning says so. */
static void test_truncated_last_range(void **state)
{
	struct img im;
	size_t hdr[3];
	struct vh_test_opened o;
	uint8_t b[16];
	char where[32];

	(void)state;
	build(&im, hdr);
	im.len -= 0x900;
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	snprintf(where, sizeof(where), "offset 0x%zx", hdr[2]);
	vh_test_expect_warning(o.d, where);
	vh_test_expect_warning(o.d, "truncated");
	expect_bytes(o.d, 0x200800, 0x700, hdr[2] + 32);
	assert_int_equal(vh_dump_read_phys(o.d, 0x200ff8, b, 16), VH_ERR_NOT_PRESENT);
	vh_test_close(&o);
}

/* Every length: inside the first header an error, later a warning, never a crash. */
static void test_truncated_everywhere(void **state)
{
	struct img im;
	size_t hdr[3];
	char *path;

	(void)state;
	build(&im, hdr);
	path = vh_test_write_tmp(im.d, im.len);
	assert_non_null(path);
	for (size_t cut = im.len;; cut -= cut > 64 ? 7 : 1) {
		struct vh_dump *d = NULL;
		size_t n = 0;
		int err;

		assert_int_equal(truncate(path, (off_t)cut), 0);
		err = vh_dump_open(path, &small_cache, &d);
		if (cut <= 32 && cut >= 4) {
			if (err != VH_ERR_TRUNCATED)
				fail_msg("cut at %zu: got %d (%s)", cut, err, vh_errmsg());
			vh_test_expect_msg("offset 0x");
		} else if (cut > 32) {
			if (err != VH_OK)
				fail_msg("cut at %zu: got %d (%s)", cut, err, vh_errmsg());
			vh_dump_warnings(d, &n);
			if (cut != im.len && cut != hdr[1] && cut != hdr[2] && n == 0)
				fail_msg("cut at %zu: no warning", cut);
		} else {
			assert_int_not_equal(err, VH_OK);
		}
		vh_dump_close(d);
		if (cut == 0)
			break;
	}
	unlink(path);
	free(path);
}

struct mutation {
	const char *what;
	int hdr;    /* which range header */
	size_t off; /* field offset in it */
	uint64_t value;
	int err; /* for the first header; later ones give a warning */
	const char *msg;
};

static void test_bad_headers(void **state)
{
	static const struct mutation m[] = {
	    {"magic", 0, 0, 0x454d694c, VH_ERR_FORMAT, "not a dump"},
	    {"version", 0, 4, 2, VH_ERR_UNSUPPORTED, "offset 0x0: LiME header: version 2"},
	    {"end below start", 0, 16, 0xfff, VH_ERR_CORRUPT, "offset 0x0: LiME header: range"},
	    {"magic", 1, 0, 0xdeadbeef, VH_OK, "LiME header 1: magic 0xdeadbeef"},
	    {"version", 2, 4, 7, VH_OK, "LiME header 2: version 7"},
	    {"end below start", 1, 16, 0, VH_OK, "LiME header 1: range"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct img im;
		size_t hdr[3];
		struct vh_test_opened o;
		char where[32];

		build(&im, hdr);
		if (m[i].off == 16)
			vh_test_put64(im.d + hdr[m[i].hdr] + 16, m[i].value);
		else
			vh_test_put32(im.d + hdr[m[i].hdr] + m[i].off, (uint32_t)m[i].value);
		o = vh_test_open_bytes(im.d, im.len, &small_cache);
		if (o.err != m[i].err)
			fail_msg("%s: got %d (%s), expected %d", m[i].what, o.err, vh_errmsg(),
				 m[i].err);
		if (o.err) {
			vh_test_expect_msg(m[i].msg);
		} else {
			/* The ranges before the bad header stay readable. */
			snprintf(where, sizeof(where), "offset 0x%zx", hdr[m[i].hdr]);
			vh_test_expect_warning(o.d, where);
			vh_test_expect_warning(o.d, m[i].msg);
			expect_bytes(o.d, 0x1000, 0x1c00, hdr[0] + 32);
		}
		vh_test_close(&o);
	}
}

/* A range spanning all 2^64 addresses would overflow its length. */
static void test_whole_address_space(void **state)
{
	struct img im;
	size_t hdr[3];
	struct vh_test_opened o;

	(void)state;
	build(&im, hdr);
	vh_test_put64(im.d + 8, 0);
	vh_test_put64(im.d + 16, UINT64_MAX);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_ERR_CORRUPT);
	vh_test_expect_msg("offset 0x0");
	vh_test_close(&o);
}

/* A range whose bytes run past the end of the file by an absurd length. */
static void test_huge_range(void **state)
{
	struct img im;
	size_t hdr[3];
	struct vh_test_opened o;

	(void)state;
	build(&im, hdr);
	vh_test_put64(im.d + hdr[1] + 16, UINT64_MAX - 1);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	vh_test_expect_warning(o.d, "truncated");
	expect_bytes(o.d, 0x100000, 0x4000, hdr[1] + 32);
	vh_test_close(&o);
}

/* Overlapping ranges: the first one wins. */
static void test_overlap(void **state)
{
	struct img im = {.len = 0};
	size_t a, b;
	struct vh_test_opened o;

	(void)state;
	a = add_range(&im, 0x3000, 0x3fff);
	b = add_range(&im, 0x2000, 0x5fff);
	o = vh_test_open_bytes(im.d, im.len, &small_cache);
	assert_int_equal(o.err, VH_OK);
	expect_bytes(o.d, 0x2000, 0x1000, b + 32);
	expect_bytes(o.d, 0x3000, 0x1000, a + 32);
	expect_bytes(o.d, 0x4000, 0x2000, b + 32 + 0x2000);
	vh_test_close(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_image),
	    cmocka_unit_test(test_truncated_last_range),
	    cmocka_unit_test(test_truncated_everywhere),
	    cmocka_unit_test(test_bad_headers),
	    cmocka_unit_test(test_whole_address_space),
	    cmocka_unit_test(test_huge_range),
	    cmocka_unit_test(test_overlap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
