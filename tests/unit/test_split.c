/* SPDX-License-Identifier: MIT */
/*
 * Split kdumps (makedumpfile --split) joined by vh_dump_open_parts(): the
 * parts in any order give the same memory as one whole dump; a missing part
 * is named; parts of other dumps, overlapping, duplicated and hostile pfn
 * ranges are refused.
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

#include "helpers/dumptest.h"
#include "helpers/kdump_writer.h"
#include "helpers/tmpfile.h"

#define BS 4096

/* 78 pfns: holes, excluded, compressible, incompressible and zero pages. */
static const char STATES[] = "..PPPPRRZZEEPP....PPPPZEPZ..PPEEEEPPPPRPZZZZPPPP"
			     "EPPP..PPPPPPPPRRPPEEPPZZPP..PP";
#define NPFN (sizeof(STATES) - 1)

static const char VMCI[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nKERNELOFFSET=1a000000\n";

static struct kw_spec spec(bool split, uint64_t start, uint64_t end)
{
	struct kw_spec s = {
	    .max_mapnr = NPFN,
	    .states = STATES,
	    .codec = KW_LZO,
	    .dump_level = 31,
	    .vmcoreinfo = VMCI,
	    .split = split,
	    .split_start = start,
	    .split_end = end,
	};
	return s;
}

/* A part file for pfns [start, end); @patch may change its image first. */
static char *part_file(uint64_t start, uint64_t end, void (*patch)(struct kw_image *))
{
	struct kw_spec s = spec(true, start, end);
	struct kw_image img;
	char *path;

	assert_int_equal(kw_build(&s, &img), 0);
	if (patch)
		patch(&img);
	path = vh_test_write_tmp(img.buf, img.len);
	assert_non_null(path);
	kw_free(&img);
	return path;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/*
 * Rewrites a part as makedumpfile 1.7.8 lays it out: the descriptor table is
 * sized for every page of the 2nd bitmap (the whole dump's), the part's own
 * descriptors first, the rest left zero, and the page data after the whole
 * table.
 */
static void mdf_layout(struct kw_image *img)
{
	const uint8_t *bm2 = img->buf + img->bitmap_off + img->bitmap_half;
	uint64_t all = 0, own = (img->data_off - img->desc_off) / 24, grow;
	uint8_t *nb;

	for (uint64_t pfn = 0; pfn < NPFN; pfn++)
		all += (bm2[pfn / 8] >> (pfn % 8)) & 1;
	assert_true(all > own);
	grow = (all - own) * 24;
	nb = calloc(1, img->len + grow);
	assert_non_null(nb);
	memcpy(nb, img->buf, img->data_off);
	memcpy(nb + img->data_off + grow, img->buf + img->data_off, img->len - img->data_off);
	for (uint64_t i = 0; i < own; i++) {
		uint8_t *pd = nb + img->desc_off + i * 24;

		kw_put_le64(pd, le64(pd) + grow);
	}
	free(img->buf);
	img->buf = nb;
	img->len += grow;
}

static enum vh_page_state expected(uint64_t pfn)
{
	if (pfn >= NPFN)
		return VH_PAGE_ABSENT;
	switch (STATES[pfn]) {
	case 'E':
		return VH_PAGE_EXCLUDED;
	case '.':
		return VH_PAGE_ABSENT;
	case 'Z':
		return VH_PAGE_ZERO;
	}
	return VH_PAGE_PRESENT;
}

/* Every pfn of [0, NPFN + 2): the state and the bytes, with [hole_s, hole_e) missing. */
static void check_pages(struct vh_dump *d, uint64_t hole_s, uint64_t hole_e)
{
	uint8_t want[BS], got[BS];
	uint64_t next = 0, walked = 0, npresent = 0;

	for (uint64_t pfn = 0; pfn < NPFN + 2; pfn++) {
		bool hole = pfn >= hole_s && pfn < hole_e;
		enum vh_page_state st = hole ? VH_PAGE_ABSENT : expected(pfn);
		int err = vh_dump_read_phys(d, pfn * BS, got, BS);

		assert_int_equal(vh_dump_page_state(d, pfn), st);
		if (st == VH_PAGE_PRESENT || st == VH_PAGE_ZERO) {
			if (err)
				fail_msg("pfn 0x%llx: %s", (unsigned long long)pfn, vh_errmsg());
			kw_page_fill(pfn, STATES[pfn], want, BS);
			assert_memory_equal(got, want, BS);
			npresent += st == VH_PAGE_PRESENT;
		} else {
			assert_int_equal(err, st == VH_PAGE_EXCLUDED ? VH_ERR_EXCLUDED
								     : VH_ERR_NOT_PRESENT);
		}
	}
	/* next_present visits every present page, in order, and nothing else */
	while (vh_dump_next_present(d, next, &next) == VH_OK) {
		assert_int_equal(vh_dump_page_state(d, next), VH_PAGE_PRESENT);
		walked++;
		next++;
	}
	assert_int_equal(walked, npresent);
}

static bool any_warning(struct vh_dump *d)
{
	size_t n;

	vh_dump_warnings(d, &n);
	return n != 0;
}

static void test_join_any_order(void **state)
{
	static const size_t orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
					    {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	char *parts[3] = {part_file(0, 26, NULL), part_file(26, 52, NULL),
			  part_file(52, NPFN, NULL)};
	struct kw_spec whole_spec = spec(false, 0, 0);
	struct kw_image whole_img;
	struct vh_page_stats st, want;
	struct vh_dump *whole;
	char *whole_path;

	(void)state;
	assert_int_equal(kw_build(&whole_spec, &whole_img), 0);
	whole_path = vh_test_write_tmp(whole_img.buf, whole_img.len);
	kw_free(&whole_img);
	whole = vh_test_open_ok(whole_path);
	vh_dump_page_stats(whole, &want);
	for (size_t o = 0; o < 6; o++) {
		const char *paths[3];
		struct vh_dump *d = NULL;
		size_t n1, n2;
		const struct vh_phys_range *r1 = vh_dump_ranges(whole, &n1), *r2;

		for (size_t i = 0; i < 3; i++)
			paths[i] = parts[orders[o][i]];
		if (vh_dump_open_parts(paths, 3, NULL, &d))
			fail_msg("order %zu: %s", o, vh_errmsg());
		assert_false(any_warning(d));
		assert_int_equal(vh_dump_format(d), VH_FMT_KDUMP);
		assert_string_equal(vh_dump_arch(d), "x86_64");
		assert_string_equal(vh_dump_vmcoreinfo_get(d, "OSRELEASE"), "6.1.0-test");
		assert_string_equal(vh_test_attr(d, "split"), "3 parts joined");
		/* numbered in pfn order, whatever the order given */
		assert_non_null(strstr(vh_test_attr(d, "part_1"), parts[0]));
		assert_non_null(strstr(vh_test_attr(d, "part_3"), "pfns 0x34-0x4e"));
		check_pages(d, 0, 0);
		vh_dump_page_stats(d, &st);
		assert_int_equal(st.present, want.present);
		assert_int_equal(st.zero, want.zero);
		assert_int_equal(st.excluded, want.excluded);
		assert_int_equal(st.by_codec[VH_CODEC_LZO], want.by_codec[VH_CODEC_LZO]);
		r2 = vh_dump_ranges(d, &n2);
		assert_int_equal(n1, n2);
		for (size_t i = 0; i < n1; i++) {
			assert_int_equal(r1[i].start, r2[i].start);
			assert_int_equal(r1[i].end, r2[i].end);
		}
		vh_dump_close(d);
	}
	vh_dump_close(whole);
	vh_test_drop(whole_path);
	for (size_t i = 0; i < 3; i++)
		vh_test_drop(parts[i]);
}

/* Parts 1..3 with part @missing (1-based) left out: warned about by number and range. */
static void missing_part(size_t missing, uint64_t s, uint64_t e, const char *range)
{
	char *parts[3] = {part_file(0, 26, NULL), part_file(26, 52, NULL),
			  part_file(52, NPFN, NULL)};
	const char *paths[2];
	struct vh_dump *d = NULL;
	char want[64];
	size_t n = 0;

	for (size_t i = 0; i < 3; i++)
		if (i + 1 != missing)
			paths[n++] = parts[i];
	if (vh_dump_open_parts(paths, 2, NULL, &d))
		fail_msg("%s", vh_errmsg());
	snprintf(want, sizeof(want), "part %zu is missing", missing);
	vh_test_expect_warning(d, want);
	vh_test_expect_warning(d, range);
	check_pages(d, s, e);
	vh_dump_close(d);
	for (size_t i = 0; i < 3; i++)
		vh_test_drop(parts[i]);
}

static void test_missing_first(void **state)
{
	(void)state;
	missing_part(1, 0, 26, "pfns 0x0-0x1a");
}

static void test_missing_middle(void **state)
{
	(void)state;
	missing_part(2, 26, 52, "pfns 0x1a-0x34");
}

static void test_missing_last(void **state)
{
	(void)state;
	missing_part(3, 52, NPFN, "pfns 0x34-0x4e");
}

/* One part alone (vh_dump_open_parts() with n = 1): the others are named missing. */
static void test_single_part(void **state)
{
	char *p = part_file(26, 52, NULL);
	const char *paths[1] = {p};
	struct vh_dump *d = NULL;

	(void)state;
	assert_int_equal(vh_dump_open_parts(paths, 1, NULL, &d), VH_OK);
	vh_test_expect_warning(d, "part 1 is missing (pfns 0x0-0x1a");
	vh_test_expect_warning(d, "part 3 is missing (pfns 0x34-0x4e");
	assert_string_equal(vh_test_attr(d, "split"), "1 part joined");
	vh_dump_close(d);
	vh_test_drop(p);
}

/* A whole dump alone opens as vh_dump_open() opens it. */
static void test_single_whole(void **state)
{
	struct kw_spec s = spec(false, 0, 0);
	struct kw_image img;
	struct vh_dump *d = NULL;
	const char *paths[1];
	char *p;

	(void)state;
	assert_int_equal(kw_build(&s, &img), 0);
	p = vh_test_write_tmp(img.buf, img.len);
	kw_free(&img);
	paths[0] = p;
	assert_int_equal(vh_dump_open_parts(paths, 1, NULL, &d), VH_OK);
	assert_string_equal(vh_test_attr(d, "split"), "no");
	assert_false(any_warning(d));
	check_pages(d, 0, 0);
	vh_dump_close(d);
	vh_test_drop(p);
}

static void refused(const char *const *paths, size_t n, int code, const char *msg)
{
	struct vh_dump *d = (struct vh_dump *)paths; /* must be reset */
	int err = vh_dump_open_parts(paths, n, NULL, &d);

	if (err != code)
		fail_msg("expected %d, got %d: %s", code, err, vh_errmsg());
	assert_null(d);
	vh_test_expect_msg(msg);
}

static void test_same_file_twice(void **state)
{
	char *a = part_file(0, 26, NULL), *b = part_file(26, NPFN, NULL);
	const char *paths[3] = {a, b, a};

	(void)state;
	refused(paths, 3, VH_ERR_INVAL, "the same file is given twice");
	vh_test_drop(a);
	vh_test_drop(b);
}

static void test_copy_twice(void **state)
{
	char *a = part_file(0, 26, NULL), *a2 = part_file(0, 26, NULL),
	     *b = part_file(26, NPFN, NULL);
	const char *paths[3] = {b, a, a2};

	(void)state;
	refused(paths, 3, VH_ERR_FORMAT, "the same part given twice");
	vh_test_drop(a);
	vh_test_drop(a2);
	vh_test_drop(b);
}

static void test_overlap(void **state)
{
	char *a = part_file(0, 30, NULL), *b = part_file(26, NPFN, NULL);
	char *c = part_file(10, 12, NULL);
	const char *paths[2] = {b, a}, *inside[3] = {a, b, c};

	(void)state;
	refused(paths, 2, VH_ERR_FORMAT, "overlap");
	refused(inside, 3, VH_ERR_FORMAT, "overlap"); /* a range inside another */
	vh_test_drop(a);
	vh_test_drop(b);
	vh_test_drop(c);
}

static void other_timestamp(struct kw_image *img)
{
	kw_put_le64(img->buf + 408, 1700000123); /* disk_dump_header.timestamp.tv_sec */
}

static void other_max_mapnr(struct kw_image *img)
{
	kw_put_le32(img->buf + KW_DH_MAX_MAPNR, NPFN + 1);
	kw_put_le64(img->buf + BS + KW_KH_MAX_MAPNR_64, NPFN + 1);
}

static void test_other_dump(void **state)
{
	char *a = part_file(0, 26, NULL), *b = part_file(26, NPFN, other_timestamp);
	char *c = part_file(26, NPFN, other_max_mapnr);
	struct kw_spec s = spec(true, 26, NPFN);
	struct kw_image img;
	char *v;
	const char *p1[2] = {a, b}, *p2[2] = {c, a}, *p3[2] = {a, NULL};

	(void)state;
	refused(p1, 2, VH_ERR_FORMAT, "not a part of the same split dump");
	vh_test_expect_msg("timestamps differ");
	refused(p2, 2, VH_ERR_FORMAT, "max_mapnr differs");
	s.vmcoreinfo = "OSRELEASE=6.1.0-other\nPAGESIZE=4096\n";
	assert_int_equal(kw_build(&s, &img), 0);
	v = vh_test_write_tmp(img.buf, img.len);
	kw_free(&img);
	p3[1] = v;
	refused(p3, 2, VH_ERR_FORMAT, "VMCOREINFO differs");
	vh_test_drop(a);
	vh_test_drop(b);
	vh_test_drop(c);
	vh_test_drop(v);
}

static void test_not_a_part(void **state)
{
	struct kw_spec s = spec(false, 0, 0);
	struct kw_image img;
	char *a = part_file(0, 26, NULL), *w, *junk;
	const char *p1[2] = {a, NULL}, *p2[2] = {NULL, a};
	static const char text[] = "not a dump at all, just some text\n";

	(void)state;
	assert_int_equal(kw_build(&s, &img), 0);
	w = vh_test_write_tmp(img.buf, img.len);
	kw_free(&img);
	p1[1] = w;
	refused(p1, 2, VH_ERR_FORMAT, "not a part of a split dump");
	junk = vh_test_write_tmp(text, sizeof(text));
	p2[0] = junk;
	refused(p2, 2, VH_ERR_FORMAT, junk);
	vh_test_drop(a);
	vh_test_drop(w);
	vh_test_drop(junk);
}

/* Ranges a hostile header may claim: empty, reversed, past max_mapnr. */
static void test_hostile_ranges(void **state)
{
	static const uint64_t bad[][2] = {
	    {40, 26}, {26, NPFN + 1}, {0, UINT64_MAX}, {NPFN + 1, NPFN + 1}};
	char *a = part_file(0, 26, NULL);

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kw_spec s = spec(true, 26, NPFN);
		struct kw_image img;
		const char *paths[2] = {a, NULL};
		char *p;

		assert_int_equal(kw_build(&s, &img), 0);
		kw_put_le64(img.buf + BS + 80, bad[i][0]); /* start_pfn_64 */
		kw_put_le64(img.buf + BS + 88, bad[i][1]); /* end_pfn_64 */
		p = vh_test_write_tmp(img.buf, img.len);
		kw_free(&img);
		paths[1] = p;
		refused(paths, 2, VH_ERR_FORMAT, "split dump pfn range");
		vh_test_drop(p);
	}
	vh_test_drop(a);
}

/* Parts as makedumpfile 1.7.8 writes them (descriptor table of the whole dump in each). */
static void test_makedumpfile_layout(void **state)
{
	char *parts[3] = {part_file(0, 26, mdf_layout), part_file(26, 52, mdf_layout),
			  part_file(52, NPFN, mdf_layout)};
	const char *paths[3] = {parts[2], parts[0], parts[1]};
	struct vh_dump *d = NULL;
	struct vh_page_stats st;

	(void)state;
	if (vh_dump_open_parts(paths, 3, NULL, &d))
		fail_msg("%s", vh_errmsg());
	assert_false(any_warning(d));
	check_pages(d, 0, 0);
	vh_dump_page_stats(d, &st);
	assert_int_equal(st.zero, 10); /* the 'Z' pages of STATES */
	vh_dump_close(d);
	for (size_t i = 0; i < 3; i++)
		vh_test_drop(parts[i]);
}

/*
 * Empty parts, as makedumpfile writes them when the memory is smaller than its
 * split block (1 GiB by default): every page in part 1, parts 2 and 3 empty at
 * [max_mapnr, max_mapnr). Also an empty part between two others.
 */
static void test_empty_parts(void **state)
{
	char *all = part_file(0, NPFN, NULL), *e2 = part_file(NPFN, NPFN, NULL);
	char *e3 = part_file(NPFN, NPFN, NULL), *a = part_file(0, 26, NULL);
	char *mid = part_file(26, 26, NULL), *b = part_file(26, NPFN, NULL);
	const char *p1[3] = {e3, all, e2}, *p2[3] = {b, mid, a}, *p3[2] = {e2, e3};
	struct vh_dump *d = NULL;

	(void)state;
	if (vh_dump_open_parts(p1, 3, NULL, &d))
		fail_msg("%s", vh_errmsg());
	assert_false(any_warning(d));
	assert_non_null(strstr(vh_test_attr(d, "part_1"), all));
	assert_non_null(strstr(vh_test_attr(d, "part_3"), "pfns 0x4e-0x4e (empty)"));
	check_pages(d, 0, 0);
	vh_dump_close(d);
	assert_int_equal(vh_dump_open_parts(p2, 3, NULL, &d), VH_OK);
	assert_false(any_warning(d));
	check_pages(d, 0, 0);
	vh_dump_close(d);
	/* only the empty ones: everything is missing, said once */
	assert_int_equal(vh_dump_open_parts(p3, 2, NULL, &d), VH_OK);
	vh_test_expect_warning(d, "part 1 is missing (pfns 0x0-0x4e,");
	check_pages(d, 0, NPFN);
	vh_dump_close(d);
	vh_test_drop(all);
	vh_test_drop(e2);
	vh_test_drop(e3);
	vh_test_drop(a);
	vh_test_drop(mid);
	vh_test_drop(b);
}

/* One part per pfn, given backwards: the join costs what the parts are, and reads right. */
static void test_many_parts(void **state)
{
	char *parts[NPFN];
	const char *paths[NPFN];
	struct vh_dump *d = NULL;

	(void)state;
	for (size_t i = 0; i < NPFN; i++) {
		parts[i] = part_file(i, i + 1, NULL);
		paths[NPFN - 1 - i] = parts[i];
	}
	if (vh_dump_open_parts(paths, NPFN, NULL, &d))
		fail_msg("%s", vh_errmsg());
	assert_false(any_warning(d));
	check_pages(d, 0, 0);
	vh_dump_close(d);
	/* every other part missing: one warning each, numbered in pfn order */
	for (size_t i = 0; i < NPFN / 2; i++)
		paths[i] = parts[2 * i + 1];
	assert_int_equal(vh_dump_open_parts(paths, NPFN / 2, NULL, &d), VH_OK);
	vh_test_expect_warning(d, "part 1 is missing (pfns 0x0-0x1,");
	vh_test_expect_warning(d, "part 77 is missing (pfns 0x4c-0x4d,");
	vh_dump_close(d);
	for (size_t i = 0; i < NPFN; i++)
		vh_test_drop(parts[i]);
}

static void test_bad_arguments(void **state)
{
	struct vh_dump_options raw = {.raw = true};
	const char *paths[2] = {"a", "b"};
	struct vh_dump *d = NULL;

	(void)state;
	assert_int_equal(vh_dump_open_parts(NULL, 1, NULL, &d), VH_ERR_INVAL);
	assert_int_equal(vh_dump_open_parts(paths, 0, NULL, &d), VH_ERR_INVAL);
	assert_int_equal(vh_dump_open_parts(paths, 2, &raw, &d), VH_ERR_INVAL);
	vh_test_expect_msg("raw image is one file");
	assert_null(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_join_any_order),  cmocka_unit_test(test_missing_first),
	    cmocka_unit_test(test_missing_middle),  cmocka_unit_test(test_missing_last),
	    cmocka_unit_test(test_single_part),	    cmocka_unit_test(test_single_whole),
	    cmocka_unit_test(test_same_file_twice), cmocka_unit_test(test_copy_twice),
	    cmocka_unit_test(test_overlap),	    cmocka_unit_test(test_other_dump),
	    cmocka_unit_test(test_not_a_part),	    cmocka_unit_test(test_hostile_ranges),
	    cmocka_unit_test(test_many_parts),	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_empty_parts),	    cmocka_unit_test(test_makedumpfile_layout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
