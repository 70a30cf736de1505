/* SPDX-License-Identifier: MIT */
/* The physical segment map shared by the ELF and LiME readers: overlaps, page states, counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dump/segmap.h"

static struct vh_dump *fake_dump(void)
{
	struct vh_dump *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	d->file.fd = -1;
	d->file.path = strdup("segmap-test");
	assert_int_equal(vh_dump_set_page_size(d, 4096, 0), VH_OK);
	return d;
}

static void expect_seg(const struct vh_seg *s, uint64_t start, uint64_t end, uint64_t off,
		       enum vh_seg_kind kind)
{
	assert_int_equal(s->start, start);
	assert_int_equal(s->end, end);
	assert_int_equal(s->kind, kind);
	if (kind == VH_SEG_FILE)
		assert_int_equal(s->file_off, off);
}

/* Added first wins wherever ranges overlap, however they nest. */
static void test_overlap_first_wins(void **state)
{
	struct vh_dump *d = fake_dump();
	struct vh_segmap m = {0};

	(void)state;
	/* C (first), B (second), A (third): A spans all, B straddles C's end. */
	assert_int_equal(vh_segmap_add(d, &m, 0x10000, 0x20000, 0xc000, VH_SEG_FILE), VH_OK);
	assert_int_equal(vh_segmap_add(d, &m, 0x15000, 0x50000, 0xb000, VH_SEG_FILE), VH_OK);
	assert_int_equal(vh_segmap_add(d, &m, 0x0, 0x100000, 0xa000, VH_SEG_FILE), VH_OK);
	assert_int_equal(vh_segmap_finish(d, &m), VH_OK);
	assert_int_equal(m.n, 4);
	expect_seg(&m.segs[0], 0x0, 0x10000, 0xa000, VH_SEG_FILE);
	expect_seg(&m.segs[1], 0x10000, 0x20000, 0xc000, VH_SEG_FILE);
	expect_seg(&m.segs[2], 0x20000, 0x50000, 0xb000 + 0xb000, VH_SEG_FILE);
	expect_seg(&m.segs[3], 0x50000, 0x100000, 0xa000 + 0x50000, VH_SEG_FILE);
	assert_int_equal(d->nranges, 4); /* merged later by vh_dump_finish_ranges() */
	assert_int_equal(d->stats.present, 0x100);
	assert_int_equal(d->stats.by_codec[VH_CODEC_NONE], 0x100);
	vh_segmap_free(&m);
	vh_dump_close(d);
}

/* Stored bytes win over an excluded or zero range listed before them. */
static void test_stored_beats_excluded(void **state)
{
	struct vh_dump *d = fake_dump();
	struct vh_segmap m = {0};

	(void)state;
	assert_int_equal(vh_segmap_add(d, &m, 0x0, 0x4000, 0, VH_SEG_EXCLUDED), VH_OK);
	assert_int_equal(vh_segmap_add(d, &m, 0x3000, 0x6000, 0, VH_SEG_ZERO), VH_OK);
	assert_int_equal(vh_segmap_add(d, &m, 0x2000, 0x5000, 0x9000, VH_SEG_FILE), VH_OK);
	assert_int_equal(vh_segmap_finish(d, &m), VH_OK);
	assert_int_equal(m.n, 3);
	expect_seg(&m.segs[0], 0x0, 0x2000, 0, VH_SEG_EXCLUDED);
	expect_seg(&m.segs[1], 0x2000, 0x5000, 0x9000, VH_SEG_FILE);
	expect_seg(&m.segs[2], 0x5000, 0x6000, 0, VH_SEG_ZERO);
	assert_int_equal(d->stats.excluded, 2);
	assert_int_equal(d->stats.present, 3);
	assert_int_equal(d->stats.zero, 1);
	vh_segmap_free(&m);
	vh_dump_close(d);
}

/* A page shared by pieces of different kinds is counted once, by its best state. */
static void test_shared_pages_counted_once(void **state)
{
	struct vh_dump *d = fake_dump();
	struct vh_segmap m = {0};

	(void)state;
	/* File bytes 0x1800..0x2800, zero tail to 0x4800, excluded 0x4800..0x6000. */
	assert_int_equal(vh_segmap_add(d, &m, 0x1800, 0x2800, 0, VH_SEG_FILE), VH_OK);
	assert_int_equal(vh_segmap_add(d, &m, 0x2800, 0x4800, 0, VH_SEG_ZERO), VH_OK);
	assert_int_equal(vh_segmap_add(d, &m, 0x4800, 0x6000, 0, VH_SEG_EXCLUDED), VH_OK);
	assert_int_equal(vh_segmap_finish(d, &m), VH_OK);
	/* pfn 1, 2 present; 3, 4 zero; 5 excluded. */
	assert_int_equal(vh_segmap_page_state(d, &m, 0), VH_PAGE_ABSENT);
	assert_int_equal(vh_segmap_page_state(d, &m, 1), VH_PAGE_PRESENT);
	assert_int_equal(vh_segmap_page_state(d, &m, 2), VH_PAGE_PRESENT);
	assert_int_equal(vh_segmap_page_state(d, &m, 3), VH_PAGE_ZERO);
	assert_int_equal(vh_segmap_page_state(d, &m, 4), VH_PAGE_ZERO);
	assert_int_equal(vh_segmap_page_state(d, &m, 5), VH_PAGE_EXCLUDED);
	assert_int_equal(vh_segmap_page_state(d, &m, 6), VH_PAGE_ABSENT);
	assert_int_equal(d->stats.present, 2);
	assert_int_equal(d->stats.zero, 2);
	assert_int_equal(d->stats.excluded, 1);
	vh_segmap_free(&m);
	vh_dump_close(d);
}

/* Many small pieces inside one page, and empty ranges, which are ignored. */
static void test_many_pieces_one_page(void **state)
{
	struct vh_dump *d = fake_dump();
	struct vh_segmap m = {0};

	(void)state;
	for (uint64_t a = 0x3000; a < 0x4000; a += 0x100)
		assert_int_equal(vh_segmap_add(d, &m, a, a + 0x80, a, VH_SEG_FILE), VH_OK);
	assert_int_equal(vh_segmap_add(d, &m, 0x9000, 0x9000, 0, VH_SEG_FILE), VH_OK);
	assert_int_equal(m.n, 16);
	assert_int_equal(vh_segmap_finish(d, &m), VH_OK);
	assert_int_equal(d->stats.present, 1);
	assert_int_equal(vh_segmap_page_state(d, &m, 3), VH_PAGE_PRESENT);
	assert_int_equal(vh_segmap_page_state(d, &m, 9), VH_PAGE_ABSENT);
	vh_segmap_free(&m);
	vh_dump_close(d);
}

/* Thousands of ranges all covering the same bytes resolve quickly to the first. */
static void test_pathological_overlap(void **state)
{
	struct vh_dump *d = fake_dump();
	struct vh_segmap m = {0};

	(void)state;
	for (uint64_t i = 0; i < 20000; i++)
		assert_int_equal(vh_segmap_add(d, &m, 0x1000 + i, 0x100000 - i, i, VH_SEG_FILE),
				 VH_OK);
	assert_int_equal(vh_segmap_finish(d, &m), VH_OK);
	assert_int_equal(m.n, 1);
	expect_seg(&m.segs[0], 0x1000, 0x100000, 0, VH_SEG_FILE);
	vh_segmap_free(&m);
	vh_dump_close(d);
}

/* Ranges at the very top of the address space do not overflow page arithmetic. */
static void test_top_of_address_space(void **state)
{
	struct vh_dump *d = fake_dump();
	struct vh_segmap m = {0};

	(void)state;
	assert_int_equal(vh_segmap_add(d, &m, UINT64_MAX - 0x2fff, UINT64_MAX, 0, VH_SEG_ZERO),
			 VH_OK);
	assert_int_equal(vh_segmap_finish(d, &m), VH_OK);
	assert_int_equal(d->stats.zero, 3);
	vh_segmap_free(&m);
	vh_dump_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_overlap_first_wins),
	    cmocka_unit_test(test_stored_beats_excluded),
	    cmocka_unit_test(test_shared_pages_counted_once),
	    cmocka_unit_test(test_many_pieces_one_page),
	    cmocka_unit_test(test_pathological_overlap),
	    cmocka_unit_test(test_top_of_address_space),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
