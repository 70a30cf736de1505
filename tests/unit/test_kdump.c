/* SPDX-License-Identifier: MIT */
/*
 * The compressed kdump reader on synthetic dumps written by helpers/kdump_writer.c:
 * every codec read back byte-exact, page states, the shared zero page, every
 * sub-header version, split dumps, incomplete dumps, and damaged input of
 * every kind (truncation at each header boundary, bad fields, bad descriptors,
 * pages that do not decompress, bitmaps that disagree with the descriptors).
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
#include <zstd.h>

#include <vmahunt/vmahunt.h>

#include "helpers/kdump_writer.h"
#include "helpers/dumptest.h"
#include "helpers/tmpfile.h"

#define BS 4096

/* 78 pfns (not a multiple of 64, nor of 8): holes, excluded, compressible, incompressible and zero
 * pages. */
static const char STATES[] = "..PPPPRRZZEEPP....PPPPZEPZ..PPEEEEPPPPRPZZZZPPPP"
			     "EPPP..PPPPPPPPRRPPEEPPZZPP..PP";

static const char VMCI[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nKERNELOFFSET=1a000000\n";

static struct kw_spec base_spec(uint32_t codec)
{
	struct kw_spec s = {
	    .max_mapnr = sizeof(STATES) - 1,
	    .states = STATES,
	    .codec = codec,
	    .dump_level = 31,
	    .vmcoreinfo = VMCI,
	};
	return s;
}

static char *write_img(const struct kw_image *img)
{
	char *path = vh_test_write_tmp(img->buf, img->len);

	assert_non_null(path);
	return path;
}

/* One synthetic dump under test: the image, the file it was written to, the open dump. */
struct img_case {
	struct kw_image img;
	char *path;
	struct vh_dump *d;
};

/* Builds the image of @s; the test may damage c->img before case_open(). */
static void case_build(struct img_case *c, const struct kw_spec *s)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(kw_build(s, &c->img), 0);
}

/* Writes the first @len bytes of the image to a file and opens it, expecting success. */
static void case_open(struct img_case *c, size_t len)
{
	c->path = vh_test_write_tmp(c->img.buf, len);
	assert_non_null(c->path);
	c->d = vh_test_open_ok(c->path);
}

/* Closes the dump and removes its file; the image stays for another round. */
static void case_close(struct img_case *c)
{
	vh_dump_close(c->d);
	c->d = NULL;
	vh_test_drop(c->path);
	c->path = NULL;
}

static void case_free(struct img_case *c)
{
	if (c->d)
		case_close(c);
	kw_free(&c->img);
}

/* Opens @img, expecting @code, and returns the message. */
static const char *open_fails(const struct kw_image *img, size_t len, int code)
{
	char *path = vh_test_write_tmp(img->buf, len);
	struct vh_dump *d = NULL;
	int err;

	assert_non_null(path);
	err = vh_dump_open(path, NULL, &d);
	vh_test_drop(path);
	if (err != code)
		fail_msg("expected %d, got %d: %s", code, err, vh_errmsg());
	assert_null(d);
	return vh_errmsg();
}

static enum vh_page_state expected_state(const struct kw_spec *s, uint64_t pfn)
{
	switch (s->states[pfn]) {
	case 'E':
		return VH_PAGE_EXCLUDED;
	case '.':
		return VH_PAGE_ABSENT;
	case 'Z':
		return (s->dump_level & 1) ? VH_PAGE_ZERO : VH_PAGE_PRESENT;
	}
	return VH_PAGE_PRESENT;
}

/* Every pfn: the state, and the bytes or the error a read gives. */
static void check_all_pages(struct vh_dump *d, const struct kw_spec *s)
{
	uint8_t want[BS], got[BS];

	for (uint64_t pfn = 0; pfn < s->max_mapnr + 3; pfn++) {
		char c = pfn < s->max_mapnr ? s->states[pfn] : '.';
		int err = vh_dump_read_phys(d, pfn * BS, got, BS);

		if (pfn < s->max_mapnr)
			assert_int_equal(vh_dump_page_state(d, pfn), expected_state(s, pfn));
		else
			assert_int_equal(vh_dump_page_state(d, pfn), VH_PAGE_ABSENT);
		if (c == 'E') {
			assert_int_equal(err, VH_ERR_EXCLUDED);
		} else if (c == '.') {
			assert_int_equal(err, VH_ERR_NOT_PRESENT);
		} else {
			if (err)
				fail_msg("pfn 0x%llx: %s", (unsigned long long)pfn, vh_errmsg());
			kw_page_fill(pfn, c, want, BS);
			assert_memory_equal(got, want, BS);
		}
	}
}

static void count_states(const struct kw_spec *s, uint64_t *present, uint64_t *zero,
			 uint64_t *excluded)
{
	*present = *zero = *excluded = 0;
	for (uint64_t pfn = 0; pfn < s->max_mapnr; pfn++) {
		enum vh_page_state st = expected_state(s, pfn);

		*present += st == VH_PAGE_PRESENT;
		*zero += st == VH_PAGE_ZERO;
		*excluded += st == VH_PAGE_EXCLUDED;
	}
}

static void roundtrip(uint32_t codec, enum vh_codec vc)
{
	struct kw_spec s = base_spec(codec);
	struct vh_page_stats st;
	uint64_t present, zero, excluded, raw = 0;
	struct img_case c;

	case_build(&c, &s);
	case_open(&c, c.img.len);
	assert_int_equal(vh_dump_format(c.d), VH_FMT_KDUMP);
	assert_int_equal(vh_dump_page_size(c.d), BS);
	assert_string_equal(vh_dump_arch(c.d), "x86_64");
	assert_string_equal(vh_dump_vmcoreinfo_get(c.d, "OSRELEASE"), "6.1.0-test");
	assert_string_equal(vh_test_attr(c.d, "release"), "6.1.0-test");
	assert_string_equal(vh_test_attr(c.d, "header_version"), "6");
	assert_string_equal(vh_test_attr(c.d, "incomplete"), "no");
	vh_dump_page_stats(c.d, &st);
	count_states(&s, &present, &zero, &excluded);
	assert_int_equal(st.present, present);
	assert_int_equal(st.zero, zero);
	assert_int_equal(st.excluded, excluded);
	for (uint64_t pfn = 0; pfn < s.max_mapnr; pfn++)
		raw += s.states[pfn] == 'R';
	/* Incompressible pages are stored raw, as makedumpfile does. */
	if (vc != VH_CODEC_NONE) {
		assert_int_equal(st.by_codec[VH_CODEC_NONE], raw);
		assert_int_equal(st.by_codec[vc], present - raw);
	} else {
		assert_int_equal(st.by_codec[VH_CODEC_NONE], present);
	}
	check_all_pages(c.d, &s);
	case_free(&c);
}

static void test_raw(void **state)
{
	(void)state;
	roundtrip(0, VH_CODEC_NONE);
}

static void test_zlib(void **state)
{
	(void)state;
	roundtrip(KW_ZLIB, VH_CODEC_ZLIB);
}

static void test_lzo(void **state)
{
	(void)state;
	roundtrip(KW_LZO, VH_CODEC_LZO);
}

static void test_snappy(void **state)
{
	(void)state;
	roundtrip(KW_SNAPPY, VH_CODEC_SNAPPY);
}

static void test_zstd(void **state)
{
	(void)state;
	roundtrip(KW_ZSTD, VH_CODEC_ZSTD);
}

static void test_ranges(void **state)
{
	struct kw_spec s = base_spec(KW_ZLIB);
	const struct vh_phys_range *r;
	struct img_case c;
	size_t n, want = 0;

	(void)state;
	case_build(&c, &s);
	case_open(&c, c.img.len);
	r = vh_dump_ranges(c.d, &n);
	/* One range per run of pfns in memory (excluded pages included). */
	for (size_t pfn = 0; pfn < s.max_mapnr; pfn++) {
		if (s.states[pfn] != '.' && (pfn == 0 || s.states[pfn - 1] == '.')) {
			assert_true(want < n);
			assert_int_equal(r[want].start, pfn * BS);
			want++;
		}
	}
	assert_int_equal(n, want);
	assert_int_equal(r[0].end, 14 * BS); /* pfns 2-13, excluded ones included */
	case_free(&c);
}

static void test_mixed_codecs(void **state)
{
	struct kw_spec s = base_spec(KW_ZLIB);
	static const uint32_t cycle[] = {KW_ZLIB, KW_LZO, KW_SNAPPY, KW_ZSTD, 0};
	uint32_t codecs[sizeof(STATES)];
	struct vh_page_stats st;
	struct img_case c;

	(void)state;
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		codecs[i] = cycle[i % 5];
	s.codecs = codecs;
	case_build(&c, &s);
	case_open(&c, c.img.len);
	vh_dump_page_stats(c.d, &st);
	for (int c = 0; c < VH_CODEC_COUNT; c++)
		assert_true(st.by_codec[c] > 0);
	check_all_pages(c.d, &s);
	case_free(&c);
}

/* Dump level 0: makedumpfile stores zero pages like any other page. */
static void test_dump_level_0(void **state)
{
	struct kw_spec s = base_spec(KW_LZO);
	struct vh_page_stats st;
	struct img_case c;

	(void)state;
	s.dump_level = 0;
	case_build(&c, &s);
	case_open(&c, c.img.len);
	vh_dump_page_stats(c.d, &st);
	assert_int_equal(st.zero, 0);
	assert_int_equal(vh_dump_page_state(c.d, 8), VH_PAGE_PRESENT);
	check_all_pages(c.d, &s);
	case_free(&c);
}

/* Versions 1 to 5: fields a version does not define are ignored, garbage or not. */
static void test_header_versions(void **state)
{
	(void)state;
	for (int v = 1; v <= 6; v++) {
		struct kw_spec s = base_spec(KW_ZLIB);
		struct img_case c;
		char want[4];

		s.header_version = v;
		s.garbage_unused = true;
		case_build(&c, &s);
		case_open(&c, c.img.len);
		snprintf(want, sizeof(want), "%d", v);
		assert_string_equal(vh_test_attr(c.d, "header_version"), want);
		assert_string_equal(vh_test_attr(c.d, "split"), "no");
		/* VMCOREINFO is in the sub-header from version 3 on. */
		if (v >= 3)
			assert_non_null(vh_dump_vmcoreinfo(c.d, NULL));
		else
			assert_null(vh_dump_vmcoreinfo_get(c.d, "KERNELOFFSET"));
		check_all_pages(c.d, &s);
		case_free(&c);
	}
}

/* Version 6 takes max_mapnr_64 from the sub-header over the 32-bit copy. */
static void test_max_mapnr_64(void **state)
{
	struct kw_spec s = base_spec(KW_ZSTD);
	struct img_case c;

	(void)state;
	case_build(&c, &s);
	kw_put_le32(c.img.buf + KW_DH_MAX_MAPNR, 3);
	case_open(&c, c.img.len);
	assert_string_equal(vh_test_attr(c.d, "max_mapnr"), "0x4e");
	check_all_pages(c.d, &s);
	case_free(&c);
}

static void test_split(void **state)
{
	struct kw_spec s = base_spec(KW_SNAPPY);
	struct img_case c;
	uint8_t buf[BS], want[BS];

	(void)state;
	s.split = true;
	s.split_start = 20;
	s.split_end = 50;
	case_build(&c, &s);
	case_open(&c, c.img.len);
	assert_non_null(strstr(vh_test_attr(c.d, "split"), "0x14-0x32"));
	assert_int_equal(vh_dump_page_state(c.d, 4), VH_PAGE_ABSENT);
	assert_int_equal(vh_dump_read_phys(c.d, 4 * BS, buf, BS), VH_ERR_NOT_PRESENT);
	assert_int_equal(vh_dump_page_state(c.d, 55), VH_PAGE_ABSENT);
	for (uint64_t pfn = 20; pfn < 50; pfn++) {
		char st = STATES[pfn];

		assert_int_equal(vh_dump_page_state(c.d, pfn), expected_state(&s, pfn));
		if (st == 'P' || st == 'R' || st == 'Z') {
			assert_int_equal(vh_dump_read_phys(c.d, pfn * BS, buf, BS), VH_OK);
			kw_page_fill(pfn, st, want, BS);
			assert_memory_equal(buf, want, BS);
		}
	}
	case_free(&c);
}

/* The last dumped pfn, and the one whose data comes first. */
static uint64_t last_dumped(const struct kw_image *img, const struct kw_spec *s)
{
	uint64_t last = 0;

	for (uint64_t pfn = 0; pfn < s->max_mapnr; pfn++) {
		if (img->pd_off[pfn])
			last = pfn;
	}
	return last;
}

/* Incomplete: the flag is set and the file ends inside the page data. */
static void test_incomplete(void **state)
{
	struct kw_spec s = base_spec(KW_ZLIB);
	struct kw_image img;
	struct vh_dump *d;
	uint8_t buf[BS], want[BS];
	uint64_t last;
	char *path, pfnstr[32];

	(void)state;
	s.status_extra = KW_INCOMPLETE;
	assert_int_equal(kw_build(&s, &img), 0);
	last = last_dumped(&img, &s);
	snprintf(pfnstr, sizeof(pfnstr), "pfn 0x%llx:", (unsigned long long)last);
	path = vh_test_write_tmp(img.buf, img.data_off_of[last] + 2);
	d = vh_test_open_ok(path);
	assert_true(vh_test_has_warning(d, "incomplete"));
	assert_string_equal(vh_test_attr(d, "incomplete"), "yes");
	assert_int_equal(vh_dump_read_phys(d, last * BS, buf, BS), VH_ERR_TRUNCATED);
	assert_non_null(strstr(vh_errmsg(), pfnstr));
	assert_non_null(strstr(vh_errmsg(), "incomplete"));
	/* Everything before is intact. */
	assert_int_equal(vh_dump_read_phys(d, 2 * BS, buf, BS), VH_OK);
	kw_page_fill(2, 'P', want, BS);
	assert_memory_equal(buf, want, BS);
	vh_dump_close(d);
	vh_test_drop(path);

	/* Descriptors never written (zeros, as a sparse file leaves them). */
	memset(img.buf + img.pd_off[last], 0, 24);
	path = write_img(&img);
	d = vh_test_open_ok(path);
	assert_true(vh_test_has_warning(d, "have no page descriptor"));
	snprintf(pfnstr, sizeof(pfnstr), "offset 0x%llx", (unsigned long long)img.pd_off[last]);
	assert_true(vh_test_has_warning(d, pfnstr)); /* the first such descriptor, named */
	assert_int_equal(vh_dump_read_phys(d, last * BS, buf, BS), VH_ERR_TRUNCATED);
	assert_non_null(strstr(vh_errmsg(), "never written"));
	vh_dump_close(d);
	vh_test_drop(path);
	kw_free(&img);
}

/* Cut short at every boundary of the headers: a clear error naming an offset. */
static void test_truncated_headers(void **state)
{
	struct kw_spec s = base_spec(KW_ZLIB);
	struct kw_image img;
	size_t cuts[8];
	int n = 0;

	(void)state;
	assert_int_equal(kw_build(&s, &img), 0);
	cuts[n++] = 8;					  /* signature only */
	cuts[n++] = 463;				  /* inside the disk_dump_header */
	cuts[n++] = 464;				  /* header, no sub-header */
	cuts[n++] = BS + 50;				  /* inside the sub-header */
	cuts[n++] = img.bitmap_off;			  /* no bitmaps */
	cuts[n++] = img.bitmap_off + img.bitmap_half + 3; /* inside the 2nd bitmap */
	cuts[n++] = img.desc_off - 1;			  /* last byte of the bitmaps */
	for (int i = 0; i < n; i++) {
		const char *msg = open_fails(&img, cuts[i], VH_ERR_TRUNCATED);

		assert_non_null(strstr(msg, "offset 0x"));
	}
	kw_free(&img);
}

/* Cut inside the descriptors: opens, warns, the pages left are readable. */
static void test_truncated_descriptors(void **state)
{
	struct kw_spec s = base_spec(KW_LZO);
	struct img_case c;
	uint8_t buf[BS];

	(void)state;
	case_build(&c, &s);
	case_open(&c, c.img.desc_off + 24 * 3 + 5);
	assert_true(vh_test_has_warning(c.d, "truncated"));
	assert_int_equal(vh_dump_read_phys(c.d, last_dumped(&c.img, &s) * BS, buf, BS),
			 VH_ERR_TRUNCATED);
	assert_non_null(strstr(vh_errmsg(), "pfn 0x4d:"));
	assert_non_null(strstr(vh_errmsg(), "past the end of the file"));
	case_free(&c);
}

static void test_bad_signature(void **state)
{
	struct kw_spec s = base_spec(0);
	struct kw_image img;

	(void)state;
	assert_int_equal(kw_build(&s, &img), 0);
	img.buf[7] = 'x';
	open_fails(&img, img.len, VH_ERR_FORMAT);
	memcpy(img.buf, "DISKDUMP", 8);
	assert_non_null(strstr(open_fails(&img, img.len, VH_ERR_UNSUPPORTED), "diskdump"));
	kw_free(&img);
}

static void put_and_fail(struct kw_image *img, size_t off, uint32_t v, int code, const char *needle)
{
	uint8_t saved[4];
	const char *msg;

	memcpy(saved, img->buf + off, 4);
	kw_put_le32(img->buf + off, v);
	msg = open_fails(img, img->len, code);
	if (needle && !strstr(msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", msg, needle);
	memcpy(img->buf + off, saved, 4);
}

static void test_bad_header_fields(void **state)
{
	struct kw_spec s = base_spec(KW_ZLIB);
	struct kw_image img;

	(void)state;
	assert_int_equal(kw_build(&s, &img), 0);
	put_and_fail(&img, KW_DH_VERSION, 0, VH_ERR_FORMAT, "header_version 0");
	put_and_fail(&img, KW_DH_VERSION, 1000, VH_ERR_FORMAT, "offset 0x8");
	put_and_fail(&img, KW_DH_VERSION, 0x06000000, VH_ERR_UNSUPPORTED, "big-endian");
	put_and_fail(&img, KW_DH_BLOCK_SIZE, 4095, VH_ERR_FORMAT, "power of two");
	put_and_fail(&img, KW_DH_BLOCK_SIZE, 0, VH_ERR_FORMAT, "block_size");
	put_and_fail(&img, KW_DH_BLOCK_SIZE, 0x80000000u, VH_ERR_FORMAT, "block_size");
	put_and_fail(&img, KW_DH_BLOCK_SIZE, 1u << 24, VH_ERR_FORMAT, "power of two");
	put_and_fail(&img, KW_DH_SUB_HDR_SIZE, 0, VH_ERR_FORMAT, "sub_hdr_size");
	put_and_fail(&img, KW_DH_SUB_HDR_SIZE, 0x7fffffff, VH_ERR_TRUNCATED, "past the end");
	put_and_fail(&img, KW_DH_BITMAP_BLOCKS, 0xffffffffu, VH_ERR_TRUNCATED, "past the end");
	put_and_fail(&img, KW_DH_BITMAP_BLOCKS, 0, VH_ERR_FORMAT, "bitmap_blocks");
	/* max_mapnr_64 larger than the bitmaps hold, and absurdly large. */
	kw_put_le64(img.buf + BS + KW_KH_MAX_MAPNR_64, 1000000);
	assert_non_null(strstr(open_fails(&img, img.len, VH_ERR_FORMAT), "cannot hold"));
	kw_put_le64(img.buf + BS + KW_KH_MAX_MAPNR_64, 1ull << 62);
	open_fails(&img, img.len, VH_ERR_FORMAT);
	/* Near 2^64 the bitmap size (max_mapnr + 7) / 8 would wrap to 0 and pass every check. */
	for (uint64_t wrap = UINT64_MAX - 64; wrap != 0; wrap++) {
		kw_put_le64(img.buf + BS + KW_KH_MAX_MAPNR_64, wrap);
		assert_non_null(strstr(open_fails(&img, img.len, VH_ERR_FORMAT),
				       "52-bit physical address space"));
	}
	kw_put_le64(img.buf + BS + KW_KH_MAX_MAPNR_64, s.max_mapnr);
	/* A 32-bit machine's dump has another layout. */
	memcpy(img.buf + 12 + 4 * 65, "i686\0\0", 6);
	assert_non_null(strstr(open_fails(&img, img.len, VH_ERR_UNSUPPORTED), "32-bit"));
	kw_free(&img);
}

/* Huge bitmaps the file cannot hold fail before any allocation. */
static void test_huge_bitmaps(void **state)
{
	struct kw_spec s = base_spec(KW_ZLIB);
	struct kw_image img;

	(void)state;
	assert_int_equal(kw_build(&s, &img), 0);
	kw_put_le32(img.buf + KW_DH_BITMAP_BLOCKS, 0x40000000u);
	kw_put_le64(img.buf + BS + KW_KH_MAX_MAPNR_64, 1ull << 40);
	assert_non_null(strstr(open_fails(&img, img.len, VH_ERR_UNSUPPORTED), "MiB"));
	kw_put_le64(img.buf + BS + KW_KH_MAX_MAPNR_64, 1ull << 30);
	open_fails(&img, img.len, VH_ERR_TRUNCATED);
	kw_free(&img);
}

/* Notes and VMCOREINFO pointing outside the file cost the notes, not the dump. */
static void test_bad_notes(void **state)
{
	struct kw_spec s = base_spec(KW_ZLIB);
	struct img_case c;

	(void)state;
	case_build(&c, &s);
	kw_put_le64(c.img.buf + BS + KW_KH_OFF_VMCI, c.img.len - 10);
	kw_put_le64(c.img.buf + BS + KW_KH_SIZE_NOTE, 1ull << 40);
	case_open(&c, c.img.len);
	assert_true(vh_test_has_warning(c.d, "VMCOREINFO"));
	assert_true(vh_test_has_warning(c.d, "ELF note area"));
	check_all_pages(c.d, &s);
	case_free(&c);
}

/* Damages one descriptor; the damaged page fails with @code naming it, the others read. */
static void damaged_page(struct kw_image *img, const struct kw_spec *s, uint64_t pfn, int code,
			 const char *needle)
{
	char *path = write_img(img);
	struct vh_dump *d = vh_test_open_ok(path);
	uint8_t buf[BS], want[BS];
	char pfnstr[32];

	assert_int_equal(vh_dump_read_phys(d, pfn * BS, buf, BS), code);
	snprintf(pfnstr, sizeof(pfnstr), "pfn 0x%llx", (unsigned long long)pfn);
	if (!strstr(vh_errmsg(), pfnstr) || !strstr(vh_errmsg(), needle))
		fail_msg("message \"%s\" lacks \"%s\" or \"%s\"", vh_errmsg(), pfnstr, needle);
	for (uint64_t p = 0; p < s->max_mapnr; p++) {
		char c = s->states[p];

		if (p == pfn || !(c == 'P' || c == 'R' || c == 'Z'))
			continue;
		assert_int_equal(vh_dump_read_phys(d, p * BS, buf, BS), VH_OK);
		kw_page_fill(p, c, want, BS);
		assert_memory_equal(buf, want, BS);
	}
	vh_dump_close(d);
	vh_test_drop(path);
}

static void test_descriptor_past_eof(void **state)
{
	struct kw_spec s = base_spec(KW_ZLIB);
	struct kw_image img;

	(void)state;
	assert_int_equal(kw_build(&s, &img), 0);
	kw_put_le64(img.buf + img.pd_off[3], img.len + 100);
	damaged_page(&img, &s, 3, VH_ERR_TRUNCATED, "past the end of the file");
	kw_put_le64(img.buf + img.pd_off[3], UINT64_MAX - 10);
	damaged_page(&img, &s, 3, VH_ERR_TRUNCATED, "past the end of the file");
	kw_free(&img);
}

static void test_descriptor_bad_size(void **state)
{
	struct kw_spec s = base_spec(KW_LZO);
	struct kw_image img;

	(void)state;
	assert_int_equal(kw_build(&s, &img), 0);
	kw_put_le32(img.buf + img.pd_off[4] + 8, BS + 1);
	damaged_page(&img, &s, 4, VH_ERR_CORRUPT, "larger than the block size");
	kw_put_le32(img.buf + img.pd_off[4] + 8, 0);
	damaged_page(&img, &s, 4, VH_ERR_CORRUPT, "size 0");
	kw_put_le32(img.buf + img.pd_off[4] + 8, img.data_len[4]);
	kw_put_le32(img.buf + img.pd_off[4] + 12, KW_LZO | KW_ZLIB);
	damaged_page(&img, &s, 4, VH_ERR_CORRUPT, "more than one codec");
	kw_put_le32(img.buf + img.pd_off[4] + 12, 0); /* raw, yet shorter than a block */
	damaged_page(&img, &s, 4, VH_ERR_CORRUPT, "uncompressed");
	kw_put_le32(img.buf + img.pd_off[4] + 12, KW_LZO);
	kw_put_le64(img.buf + img.pd_off[4], 100); /* into the header */
	damaged_page(&img, &s, 4, VH_ERR_CORRUPT, "before the page data");
	kw_free(&img);
}

/* Data overwritten with garbage: each codec reports itself and the offset. */
static void test_undecodable_page(void **state)
{
	static const struct {
		uint32_t codec;
		const char *name;
	} codecs[] = {{KW_ZLIB, "zlib"}, {KW_LZO, "lzo"}, {KW_SNAPPY, "snappy"}, {KW_ZSTD, "zstd"}};

	(void)state;
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		struct kw_spec s = base_spec(codecs[i].codec);
		struct kw_image img;
		char off[32];

		assert_int_equal(kw_build(&s, &img), 0);
		memset(img.buf + img.data_off_of[12], 0xff, img.data_len[12]);
		snprintf(off, sizeof(off), "offset 0x%llx",
			 (unsigned long long)img.data_off_of[12]);
		damaged_page(&img, &s, 12, VH_ERR_CORRUPT, codecs[i].name);
		damaged_page(&img, &s, 12, VH_ERR_CORRUPT, off);
		kw_free(&img);
	}
}

/* A page that decompresses to less than a block is as damaged as one that fails. */
static void test_short_decompression(void **state)
{
	struct kw_spec s = base_spec(KW_ZSTD);
	struct kw_image img;
	uint8_t small[100], out[256];
	size_t n;

	(void)state;
	assert_int_equal(kw_build(&s, &img), 0);
	memset(small, 'x', sizeof(small));
	n = ZSTD_compress(out, sizeof(out), small, sizeof(small), 1);
	assert_false(ZSTD_isError(n));
	assert_true(n <= img.data_len[13]);
	memcpy(img.buf + img.data_off_of[13], out, n);
	kw_put_le32(img.buf + img.pd_off[13] + 8, (uint32_t)n);
	damaged_page(&img, &s, 13, VH_ERR_CORRUPT, "wrong size");
	kw_free(&img);
}

static void test_overlapping_descriptors(void **state)
{
	struct kw_spec s = base_spec(KW_ZLIB);
	struct kw_image img;

	(void)state;
	assert_int_equal(kw_build(&s, &img), 0);
	/* pfn 13 points at pfn 12's data: the later one is the damaged one. */
	memcpy(img.buf + img.pd_off[13], img.buf + img.pd_off[12], 24);
	damaged_page(&img, &s, 13, VH_ERR_CORRUPT, "overlapping");
	kw_free(&img);
}

/* An extra bit in the 2nd bitmap shifts every later descriptor: noticed on open. */
static void test_bitmap_extra_bit(void **state)
{
	struct kw_spec s = base_spec(KW_ZLIB);
	struct img_case c;
	uint8_t buf[BS];
	int errors = 0;

	(void)state;
	case_build(&c, &s);
	c.img.buf[c.img.bitmap_off + c.img.bitmap_half + 10 / 8] |=
	    1u << (10 % 8); /* pfn 10: excluded */
	case_open(&c, c.img.len);
	assert_true(vh_test_has_warning(c.d, "malformed"));
	for (uint64_t pfn = 0; pfn < s.max_mapnr; pfn++)
		errors += vh_dump_read_phys(c.d, pfn * BS, buf, BS) == VH_ERR_CORRUPT;
	assert_true(errors > 0);
	case_free(&c);
}

/* A bit missing from the 2nd bitmap: zero-page descriptors no longer line up. */
static void test_bitmap_missing_bit(void **state)
{
	struct kw_spec s = base_spec(KW_ZLIB);
	struct img_case c;

	(void)state;
	case_build(&c, &s);
	c.img.buf[c.img.bitmap_off + c.img.bitmap_half + 2 / 8] &= (uint8_t) ~(1u << 2);
	case_open(&c, c.img.len);
	assert_true(vh_test_has_warning(c.d, "overlapping"));
	assert_int_equal(vh_dump_page_state(c.d, 2), VH_PAGE_EXCLUDED);
	case_free(&c);
}

/* Dumped but not in memory: the bitmaps disagree; warned, read anyway. */
static void test_bitmap_only_second(void **state)
{
	struct kw_spec s = base_spec(KW_LZO);
	struct img_case c;

	(void)state;
	case_build(&c, &s);
	c.img.buf[c.img.bitmap_off + 3 / 8] &= (uint8_t) ~(1u << 3);
	case_open(&c, c.img.len);
	assert_true(vh_test_has_warning(c.d, "not in memory"));
	check_all_pages(c.d, &s);
	case_free(&c);
}

/* Bits past max_mapnr in the bitmap padding are ignored. */
static void test_bits_past_max_mapnr(void **state)
{
	struct kw_spec s = base_spec(KW_LZO);
	struct img_case c;

	(void)state;
	case_build(&c, &s);
	c.img.buf[c.img.bitmap_off + c.img.bitmap_half + 9] |= 0xc0; /* pfns 78 and 79 */
	c.img.buf[c.img.bitmap_off + 9] |= 0xc0;
	case_open(&c, c.img.len);
	assert_true(vh_test_has_warning(c.d, "past max_mapnr"));
	check_all_pages(c.d, &s);
	case_free(&c);
}

/* A bitmap of alternating pfns asks for millions of ranges: coarsened, states exact. */
static void test_fragmented_bitmap(void **state)
{
	uint64_t n = (1u << 21) + 64;
	char *states = malloc(n + 1);
	struct kw_spec s = base_spec(0);
	struct img_case c;
	size_t nr;

	(void)state;
	assert_non_null(states);
	for (uint64_t i = 0; i < n; i++)
		states[i] = (i & 1) ? 'E' : '.';
	states[n] = '\0';
	s.states = states;
	s.max_mapnr = n;
	s.vmcoreinfo = NULL;
	case_build(&c, &s);
	case_open(&c, c.img.len);
	vh_dump_ranges(c.d, &nr);
	assert_int_equal(nr, 1);
	assert_true(vh_test_has_warning(c.d, "runs"));
	assert_int_equal(vh_dump_page_state(c.d, 1001), VH_PAGE_EXCLUDED);
	assert_int_equal(vh_dump_page_state(c.d, 1000), VH_PAGE_ABSENT);
	case_free(&c);
	free(states);
}

static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Opens a damaged image and reads every page: any outcome but a crash or a silent error. */
static void survive(const uint8_t *buf, size_t len, uint64_t max_pfn)
{
	char *path = vh_test_write_tmp(buf, len);
	struct vh_dump *d = NULL;
	uint8_t page[BS];
	int err;

	assert_non_null(path);
	err = vh_dump_open(path, NULL, &d);
	if (err) {
		assert_true(err < 0 && err >= VH_ERR_INVAL);
		assert_true(vh_errmsg()[0] != '\0');
	} else {
		for (uint64_t pfn = 0; pfn < max_pfn; pfn++) {
			err = vh_dump_read_phys(d, pfn * BS, page, BS);
			if (err)
				assert_true(vh_errmsg()[0] != '\0');
			(void)vh_dump_page_state(d, pfn);
		}
		vh_dump_close(d);
	}
	vh_test_drop(path);
}

/* Random bytes of the headers, bitmaps and descriptors damaged, fixed seed. */
static void test_random_damage(void **state)
{
	struct kw_spec s = base_spec(KW_ZLIB);
	struct kw_image img;
	uint64_t seed = 0x6b64756d70ull;
	uint8_t *copy;

	(void)state;
	assert_int_equal(kw_build(&s, &img), 0);
	copy = malloc(img.len);
	assert_non_null(copy);
	for (int round = 0; round < 400; round++) {
		/* Mostly the header block and sub-header, sometimes bitmaps and descriptors. */
		uint64_t span = round % 4 == 0 ? img.data_off + 64 : 2 * BS;
		int flips = 1 + (int)(next_rand(&seed) % 4);

		memcpy(copy, img.buf, img.len);
		for (int i = 0; i < flips; i++) {
			uint64_t r = next_rand(&seed);
			uint64_t off = round % 2 ? r % span : (r % 64) + (r >> 8) % 3 * 4 + 408;

			copy[off % img.len] ^= (uint8_t)(1u << (r >> 60) % 8 | (r >> 32));
		}
		survive(copy, img.len, s.max_mapnr + 2);
	}
	free(copy);
	kw_free(&img);
}

/* utsname strings come from the dump: shown as printable ASCII only. */
static void test_utsname_sanitized(void **state)
{
	struct kw_spec s = base_spec(KW_LZO);
	struct img_case c;

	(void)state;
	case_build(&c, &s);
	memcpy(c.img.buf + 12 + 65, "ho\x01st\xff\n", 8); /* nodename, NUL included */
	case_open(&c, c.img.len);
	assert_string_equal(vh_test_attr(c.d, "nodename"), "ho?st??");
	case_free(&c);
}

/* A newer header version is read as version 6, with a warning; eraseinfo is reported. */
static void test_newer_version_and_eraseinfo(void **state)
{
	struct kw_spec s = base_spec(KW_ZSTD);
	struct img_case c;

	(void)state;
	case_build(&c, &s);
	kw_put_le32(c.img.buf + KW_DH_VERSION, 7);
	kw_put_le64(c.img.buf + BS + 64, c.img.len - 16); /* offset_eraseinfo */
	kw_put_le64(c.img.buf + BS + 72, 16);		  /* size_eraseinfo */
	case_open(&c, c.img.len);
	assert_true(vh_test_has_warning(c.d, "newer than 6"));
	assert_non_null(strstr(vh_test_attr(c.d, "eraseinfo"), "16 bytes"));
	assert_string_equal(vh_test_attr(c.d, "timestamp"), "2023-11-14 22:13:20 UTC");
	check_all_pages(c.d, &s);
	case_free(&c);
}

/* ---- QEMU's kdump of an aarch64 guest: 64 KiB blocks of 4 KiB pages, no utsname ---- */

#define ABS 65536
#define APB (ABS / BS) /* pages per block */

/* 16 blocks (1 MiB): holes, compressible, incompressible, zero and excluded blocks. */
static const char ASTATES[] = "..PPRZEP.PZZRPE.";

static const char ARM_VMCI[] = "OSRELEASE=6.1.0-arm64\nPAGESIZE=4096\nNUMBER(VA_BITS)=48\n"
			       "NUMBER(kimage_voffset)=0xffff7fffc7e00000\n"
			       "NUMBER(PHYS_OFFSET)=0x40000000\nNUMBER(TCR_EL1_T1SZ)=16\n"
			       "KERNELPACMASK=0x0\n";

static struct kw_spec arm_spec(uint32_t codec)
{
	struct kw_spec s = {
	    .block_size = ABS,
	    .max_mapnr = sizeof(ASTATES) - 1,
	    .states = ASTATES,
	    .codec = codec,
	    .dump_level = 1, /* QEMU's: zero blocks share one stored zero block */
	    .vmcoreinfo = ARM_VMCI,
	    .machine = "Unknown", /* QEMU 7.2's placeholder: no uname for aarch64 */
	    .release = "",
	};
	return s;
}

/*
 * Every 4 KiB page of the blocks and past them: its state is its block's, its
 * bytes the block's at its place; next_present() visits exactly the pages of
 * stored non-zero blocks.
 */
static void check_arm_pages(struct vh_dump *d, const struct kw_spec *s)
{
	uint8_t *block = malloc(ABS), got[2 * BS];
	uint64_t next, at = 0;

	assert_non_null(block);
	for (uint64_t pfn = 0; pfn < (s->max_mapnr + 2) * APB; pfn++) {
		uint64_t b = pfn / APB;
		char c = b < s->max_mapnr ? s->states[b] : '.';
		enum vh_page_state want = b < s->max_mapnr ? expected_state(s, b) : VH_PAGE_ABSENT;
		int err = vh_dump_read_phys(d, pfn * BS, got, BS);

		assert_int_equal(vh_dump_page_state(d, pfn), want);
		if (c == 'E') {
			assert_int_equal(err, VH_ERR_EXCLUDED);
		} else if (c == '.') {
			assert_int_equal(err, VH_ERR_NOT_PRESENT);
		} else {
			if (err)
				fail_msg("pfn 0x%llx: %s", (unsigned long long)pfn, vh_errmsg());
			kw_page_fill(b, c, block, ABS);
			assert_memory_equal(got, block + pfn % APB * BS, BS);
		}
		if (want == VH_PAGE_PRESENT) {
			assert_int_equal(vh_dump_next_present(d, at, &next), VH_OK);
			assert_int_equal(next, pfn);
			at = pfn + 1;
		}
	}
	assert_int_equal(vh_dump_next_present(d, at, &next), VH_ERR_NOT_PRESENT);
	/* A read across two blocks: pages 2 and 3 are stored, one after the other. */
	assert_int_equal(vh_dump_read_phys(d, 3 * ABS - BS, got, 2 * BS), VH_OK);
	kw_page_fill(2, s->states[2], block, ABS);
	assert_memory_equal(got, block + ABS - BS, BS);
	kw_page_fill(3, s->states[3], block, ABS);
	assert_memory_equal(got + BS, block, BS);
	free(block);
}

static void check_arm_dump(struct vh_dump *d, const struct kw_spec *s)
{
	struct vh_page_stats st;
	uint64_t present, zero, excluded;
	const struct vh_phys_range *r;
	size_t n;

	assert_string_equal(vh_dump_arch(d), "aarch64");
	assert_int_equal(vh_dump_page_size(d), BS);
	assert_string_equal(vh_test_attr(d, "block_size"), "65536");
	assert_string_equal(vh_test_attr(d, "pages_per_block"),
			    "16 (block_size 65536, VMCOREINFO PAGESIZE 4096)");
	assert_string_equal(vh_test_attr(d, "arch_from"),
			    "NUMBER(PHYS_OFFSET) (utsname.machine is \"Unknown\")");
	assert_string_equal(vh_test_attr(d, "machine"), "Unknown");
	vh_dump_page_stats(d, &st);
	count_states(s, &present, &zero, &excluded);
	assert_int_equal(st.present, present * APB);
	assert_int_equal(st.zero, zero * APB);
	assert_int_equal(st.excluded, excluded * APB);
	/* Ranges in bytes: blocks 2-7, 9-14. */
	r = vh_dump_ranges(d, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].start, 2 * ABS);
	assert_int_equal(r[0].end, 8 * ABS);
	assert_int_equal(r[1].start, 9 * ABS);
	assert_int_equal(r[1].end, 15 * ABS);
	check_arm_pages(d, s);
}

static void test_arm64_blocks(void **state)
{
	static const uint32_t codecs[] = {0, KW_ZLIB, KW_LZO, KW_SNAPPY, KW_ZSTD};

	(void)state;
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		struct kw_spec s = arm_spec(codecs[i]);
		struct img_case c;
		size_t nw;

		case_build(&c, &s);
		case_open(&c, c.img.len);
		assert_int_equal(vh_dump_format(c.d), VH_FMT_KDUMP);
		(void)vh_dump_warnings(c.d, &nw);
		assert_int_equal(nw, 0);
		check_arm_dump(c.d, &s);
		case_free(&c);
	}
}

/* QEMU writes its kdump-* output flattened. */
static void test_arm64_flattened(void **state)
{
	struct kw_spec s = arm_spec(KW_ZLIB);
	struct kw_flat_opts o = {.chunk = 5000, .shuffle = true, .seed = 17};
	struct kw_image img;
	uint8_t *flat;
	size_t len;
	char *path;
	struct vh_dump *d;

	(void)state;
	assert_int_equal(kw_build(&s, &img), 0);
	assert_int_equal(kw_flatten(&img, &o, &flat, &len), 0);
	path = vh_test_write_tmp(flat, len);
	assert_non_null(path);
	d = vh_test_open_ok(path);
	assert_int_equal(vh_dump_format(d), VH_FMT_FLATTENED);
	check_arm_dump(d, &s);
	vh_dump_close(d);
	vh_test_drop(path);
	free(flat);
	kw_free(&img);
}

/* Damage named in blocks, with the pages they hold. */
static void test_arm64_block_errors(void **state)
{
	struct kw_spec s = arm_spec(KW_ZLIB);
	struct img_case c;
	uint8_t buf[BS];

	(void)state;
	case_build(&c, &s);
	/* Block 3's data: a byte of its zlib stream flipped. */
	c.img.buf[c.img.data_off_of[3] + 7] ^= 0xff;
	case_open(&c, c.img.len);
	assert_int_equal(vh_dump_read_phys(c.d, 3 * ABS + 5 * BS, buf, BS), VH_ERR_CORRUPT);
	assert_non_null(strstr(vh_errmsg(), "block 0x3 (pfns 0x30-0x3f)"));
	/* The block before reads, and the damaged one fails again (not cached as good). */
	assert_int_equal(vh_dump_read_phys(c.d, 2 * ABS, buf, BS), VH_OK);
	assert_int_equal(vh_dump_read_phys(c.d, 3 * ABS, buf, BS), VH_ERR_CORRUPT);
	case_close(&c);
	/* Cut inside the descriptors: the warning counts blocks. */
	case_open(&c, c.img.desc_off + 24 * 2 + 5);
	vh_test_expect_warning(c.d, "blocks have no page descriptor in the file (first: block");
	case_free(&c);
}

/* utsname.machine empty: VMCOREINFO, else the NT_PRSTATUS layout, names the arch. */
static void test_arch_inferred(void **state)
{
	static const struct {
		const char *vmci, *arch, *from;
	} cases[] = {
	    {"PAGESIZE=4096\nNUMBER(TCR_EL1_T1SZ)=16\n", "aarch64", "NUMBER(TCR_EL1_T1SZ)"},
	    {"PAGESIZE=4096\nKERNELPACMASK=0xff7f000000000000\n", "aarch64", "KERNELPACMASK"},
	    {"PAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff82a10000\nNUMBER(phys_base)=0\n",
	     "x86_64", "NUMBER(phys_base)"},
	    {"PAGESIZE=4096\nNUMBER(pgtable_l5_enabled)=0\n", "x86_64",
	     "NUMBER(pgtable_l5_enabled)"},
	    {"PAGESIZE=4096\nNUMBER(VA_BITS)=48\nKERNELOFFSET=0\n", "unknown", NULL},
	    {"PAGESIZE=4096\nNUMBER(phys_base)=0\nNUMBER(PHYS_OFFSET)=0x40000000\n", "unknown",
	     NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kw_spec s = base_spec(KW_ZSTD);
		struct img_case c;

		s.machine = "";
		s.vmcoreinfo = cases[i].vmci;
		case_build(&c, &s);
		case_open(&c, c.img.len);
		assert_string_equal(vh_dump_arch(c.d), cases[i].arch);
		if (cases[i].from) {
			assert_non_null(strstr(vh_test_attr(c.d, "arch_from"), cases[i].from));
		} else {
			assert_string_equal(vh_test_attr(c.d, "arch_from"), "");
			if (strstr(cases[i].vmci, "PHYS_OFFSET"))
				vh_test_expect_warning(c.d, "the machine is left unknown");
		}
		check_all_pages(c.d, &s);
		case_free(&c);
	}
}

/* An aarch64 NT_PRSTATUS (392 bytes) at @p, pid @pid, register k = base + k. */
static size_t put_arm_prstatus(uint8_t *p, uint32_t pid, uint64_t base)
{
	memset(p, 0, 12 + 8 + 392);
	kw_put_le32(p, 5);
	kw_put_le32(p + 4, 392);
	kw_put_le32(p + 8, 1); /* NT_PRSTATUS */
	memcpy(p + 12, "CORE", 5);
	kw_put_le32(p + 20 + 32, pid);
	for (int k = 0; k < 34; k++)
		kw_put_le64(p + 20 + 112 + 8 * k, base + (uint64_t)k);
	return 12 + 8 + 392;
}

/* NT_PRFPREG of 528 bytes, as QEMU writes after each aarch64 NT_PRSTATUS. */
static size_t put_fpreg(uint8_t *p)
{
	memset(p, 0, 12 + 8 + 528);
	kw_put_le32(p, 5);
	kw_put_le32(p + 4, 528);
	kw_put_le32(p + 8, 2);
	memcpy(p + 12, "CORE", 5);
	return 12 + 8 + 528;
}

/* No utsname, no VMCOREINFO: the notes' layout names the arch; QEMU's CPU numbers are not pids. */
static void test_arch_from_notes(void **state)
{
	uint8_t notes[2 * (420 + 548)];
	size_t n = 0;
	struct kw_spec s = arm_spec(KW_ZLIB);
	struct img_case c;
	const struct vh_cpu_regs *r;

	(void)state;
	for (uint32_t cpu = 0; cpu < 2; cpu++) {
		n += put_arm_prstatus(notes + n, cpu + 1, 0x1000 * (cpu + 1));
		n += put_fpreg(notes + n);
	}
	s.cpu_notes = notes;
	s.cpu_notes_len = n;
	s.vmcoreinfo = NULL;
	case_build(&c, &s);
	case_open(&c, c.img.len);
	assert_string_equal(vh_dump_arch(c.d), "aarch64");
	assert_string_equal(vh_test_attr(c.d, "arch_from"),
			    "NT_PRSTATUS (utsname.machine is \"Unknown\")");
	/* Without PAGESIZE, pages are the blocks. */
	assert_int_equal(vh_dump_page_size(c.d), ABS);
	assert_string_equal(vh_test_attr(c.d, "pages_per_block"), "");
	assert_int_equal(vh_dump_ncpus(c.d), 2);
	r = vh_dump_cpu(c.d, 1);
	assert_true(r->have_gp);
	assert_int_equal(r->pid, 0);
	assert_int_equal(r->x[0], 0x2000);
	assert_int_equal(r->x[30], 0x2000 + 30);
	assert_int_equal(r->sp, 0x2000 + 31);
	assert_int_equal(r->pc, 0x2000 + 32);
	assert_int_equal(r->pstate, 0x2000 + 33);
	assert_int_equal(r->rip, 0);
	case_free(&c);
}

/*
 * A small whole QEMU-style aarch64 kdump: flattened, its all-zero header
 * padding not written (it reads as zeros), CPU notes and VMCOREINFO. Small
 * enough to be the fuzz seed of the dump and flattened harnesses
 * (docs/fuzzing.md), which cut seeds at 60 KiB.
 */
static void test_arm64_small_flattened(void **state)
{
	struct kw_spec s = arm_spec(KW_ZSTD);
	struct kw_flat_opts o = {.chunk = 256, .skip_zero_header_chunks = true};
	uint8_t notes[2 * (420 + 548)], *flat;
	size_t n = 0, len;
	struct kw_image img;
	char *path;
	struct vh_dump *d;
	uint8_t got[BS], want[ABS];

	(void)state;
	for (uint32_t cpu = 0; cpu < 2; cpu++) {
		n += put_arm_prstatus(notes + n, cpu + 1, 0x1000 * (cpu + 1));
		n += put_fpreg(notes + n);
	}
	s.states = "..PZE.";
	s.max_mapnr = 6;
	s.dump_level = 0; /* no shared zero block: QEMU's is 64 KiB of zeros in the page data */
	s.cpu_notes = notes;
	s.cpu_notes_len = n;
	assert_int_equal(kw_build(&s, &img), 0);
	assert_int_equal(kw_flatten(&img, &o, &flat, &len), 0);
	if (len >= 60 << 10)
		fail_msg("%zu bytes", len);
	path = vh_test_write_tmp(flat, len);
	assert_non_null(path);
	d = vh_test_open_ok(path);
	assert_string_equal(vh_dump_arch(d), "aarch64");
	assert_int_equal(vh_dump_page_size(d), BS);
	assert_int_equal(vh_dump_ncpus(d), 2);
	assert_int_equal(vh_dump_cpu(d, 1)->pc, 0x2000 + 32);
	kw_page_fill(2, 'P', want, ABS);
	for (uint64_t pfn = 2 * APB; pfn < 3 * APB; pfn++) {
		assert_int_equal(vh_dump_read_phys(d, pfn * BS, got, BS), VH_OK);
		assert_memory_equal(got, want + (pfn - 2 * APB) * BS, BS);
	}
	assert_int_equal(vh_dump_page_state(d, 3 * APB + 7), VH_PAGE_PRESENT);
	assert_int_equal(vh_dump_page_state(d, 4 * APB), VH_PAGE_EXCLUDED);
	vh_dump_close(d);
	vh_test_drop(path);
	free(flat);
	kw_free(&img);
}

/* A PAGESIZE that cannot be the kernel's page in these blocks: warned about, blocks used. */
static void test_arm64_bad_pagesize(void **state)
{
	static const char *const vmci[] = {
	    "PAGESIZE=131072\nNUMBER(PHYS_OFFSET)=0x40000000\n",
	    "PAGESIZE=4097\nNUMBER(PHYS_OFFSET)=0x40000000\n",
	    "PAGESIZE=256\nNUMBER(PHYS_OFFSET)=0x40000000\n",
	    "PAGESIZE=4k\nNUMBER(PHYS_OFFSET)=0x40000000\n",
	    "PAGESIZE=\nNUMBER(PHYS_OFFSET)=0x40000000\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(vmci) / sizeof(vmci[0]); i++) {
		struct kw_spec s = arm_spec(KW_LZO);
		struct img_case c;

		s.vmcoreinfo = vmci[i];
		case_build(&c, &s);
		case_open(&c, c.img.len);
		assert_int_equal(vh_dump_page_size(c.d), ABS);
		vh_test_expect_warning(c.d,
				       "is not a power of two from 512 to the block size 65536");
		case_free(&c);
	}
}

/* Damaged and truncated 64 KiB-block dumps: any outcome but a crash, for every page. */
static void test_arm64_damage(void **state)
{
	struct kw_spec s = arm_spec(KW_ZLIB);
	struct kw_image img;
	uint64_t seed = 0x61726d3634ull;
	uint64_t pages = (s.max_mapnr + 2) * APB;
	uint8_t *copy;

	(void)state;
	assert_int_equal(kw_build(&s, &img), 0);
	copy = malloc(img.len);
	assert_non_null(copy);
	for (uint64_t cut = 0; cut < img.len; cut += cut < img.desc_off + 512 ? 4099 : 20011)
		survive(img.buf, (size_t)cut, pages);
	for (int round = 0; round < 200; round++) {
		uint64_t span = round % 4 == 0 ? img.data_off + 64 : ABS + 2048;
		int flips = 1 + (int)(next_rand(&seed) % 4);

		memcpy(copy, img.buf, img.len);
		for (int i = 0; i < flips; i++) {
			uint64_t r = next_rand(&seed);
			uint64_t off = round % 2 ? r % span : (r % 64) + (r >> 8) % 3 * 4 + 408;

			copy[off % img.len] ^= (uint8_t)(1u << (r >> 60) % 8 | (r >> 32));
		}
		survive(copy, img.len, pages);
	}
	free(copy);
	kw_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_raw),
	    cmocka_unit_test(test_zlib),
	    cmocka_unit_test(test_lzo),
	    cmocka_unit_test(test_snappy),
	    cmocka_unit_test(test_zstd),
	    cmocka_unit_test(test_ranges),
	    cmocka_unit_test(test_mixed_codecs),
	    cmocka_unit_test(test_dump_level_0),
	    cmocka_unit_test(test_header_versions),
	    cmocka_unit_test(test_max_mapnr_64),
	    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_incomplete),
	    cmocka_unit_test(test_truncated_headers),
	    cmocka_unit_test(test_truncated_descriptors),
	    cmocka_unit_test(test_bad_signature),
	    cmocka_unit_test(test_bad_header_fields),
	    cmocka_unit_test(test_huge_bitmaps),
	    cmocka_unit_test(test_bad_notes),
	    cmocka_unit_test(test_descriptor_past_eof),
	    cmocka_unit_test(test_descriptor_bad_size),
	    cmocka_unit_test(test_undecodable_page),
	    cmocka_unit_test(test_short_decompression),
	    cmocka_unit_test(test_overlapping_descriptors),
	    cmocka_unit_test(test_bitmap_extra_bit),
	    cmocka_unit_test(test_bitmap_missing_bit),
	    cmocka_unit_test(test_bitmap_only_second),
	    cmocka_unit_test(test_bits_past_max_mapnr),
	    cmocka_unit_test(test_fragmented_bitmap),
	    cmocka_unit_test(test_random_damage),
	    cmocka_unit_test(test_utsname_sanitized),
	    cmocka_unit_test(test_newer_version_and_eraseinfo),
	    cmocka_unit_test(test_arm64_blocks),
	    cmocka_unit_test(test_arm64_flattened),
	    cmocka_unit_test(test_arm64_block_errors),
	    cmocka_unit_test(test_arch_inferred),
	    cmocka_unit_test(test_arch_from_notes),
	    cmocka_unit_test(test_arm64_bad_pagesize),
	    cmocka_unit_test(test_arm64_small_flattened),
	    cmocka_unit_test(test_arm64_damage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
