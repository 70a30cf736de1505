/* SPDX-License-Identifier: MIT */
/*
 * The flattened kdump reader and vmahunt convert, on synthetic kdump images
 * (helpers/kdump_writer.c) cut into records: in order, shuffled, overlapping,
 * overwritten, with holes. Every variant must read exactly like the plain
 * file, and convert must give back the plain file byte for byte. Damaged
 * streams fail with the record's offset, or warn and read what is there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <vmahunt/vmahunt.h>

#include "helpers/kdump_writer.h"
#include "helpers/dumptest.h"
#include "helpers/tmpfile.h"

#define BS 4096

static const char STATES[] = "..PPPPRRZZEEPP....PPPPZEPZ..PPEEEEPPPPRPZZZZPPPP"
			     "EPPP..PPPPPPPPRRPPEEPPZZPP..PPP";

static const char VMCI[] = "OSRELEASE=6.1.0-flat\nPAGESIZE=4096\n";

static void build(uint32_t codec, struct kw_image *img)
{
	struct kw_spec s = {
	    .max_mapnr = sizeof(STATES) - 1,
	    .states = STATES,
	    .codec = codec,
	    .dump_level = 31,
	    .vmcoreinfo = VMCI,
	};

	assert_int_equal(kw_build(&s, img), 0);
}

static char *flatten_to_file(const struct kw_image *img, const struct kw_flat_opts *o)
{
	uint8_t *buf;
	size_t len;
	char *path;

	assert_int_equal(kw_flatten(img, o, &buf, &len), 0);
	path = vh_test_write_tmp(buf, len);
	free(buf);
	assert_non_null(path);
	return path;
}

/* The flattened dump reads exactly like the plain one: states, stats, bytes, ranges. */
static void same_as_plain(struct vh_dump *flat, struct vh_dump *plain)
{
	struct vh_page_stats a, b;
	const struct vh_phys_range *ra, *rb;
	size_t na, nb;
	uint8_t x[BS], y[BS];

	assert_int_equal(vh_dump_format(flat), VH_FMT_FLATTENED);
	vh_dump_page_stats(flat, &a);
	vh_dump_page_stats(plain, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	ra = vh_dump_ranges(flat, &na);
	rb = vh_dump_ranges(plain, &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(ra, rb, na * sizeof(*ra));
	assert_string_equal(vh_dump_vmcoreinfo_get(flat, "OSRELEASE"), "6.1.0-flat");
	for (uint64_t pfn = 0; pfn < sizeof(STATES) + 2; pfn++) {
		int ea = vh_dump_read_phys(flat, pfn * BS, x, BS);
		int eb = vh_dump_read_phys(plain, pfn * BS, y, BS);

		assert_int_equal(vh_dump_page_state(flat, pfn), vh_dump_page_state(plain, pfn));
		if (ea != eb)
			fail_msg("pfn 0x%llx: %d vs %d: %s", (unsigned long long)pfn, ea, eb,
				 vh_errmsg());
		if (!ea)
			assert_memory_equal(x, y, BS);
	}
}

static void check_file_equals(const char *path, const struct kw_image *img)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(img->len + 1);

	assert_non_null(f);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, img->len + 1, f), img->len);
	assert_memory_equal(buf, img->buf, img->len);
	fclose(f);
	free(buf);
}

static void variant(uint32_t codec, const struct kw_flat_opts *o)
{
	struct kw_image img;
	char *plain_path, *flat_path, *out_path;
	struct vh_dump *plain, *flat;
	struct stat st;

	build(codec, &img);
	plain_path = vh_test_write_tmp(img.buf, img.len);
	assert_non_null(plain_path);
	flat_path = flatten_to_file(&img, o);
	plain = vh_test_open_ok(plain_path);
	flat = vh_test_open_ok(flat_path);
	same_as_plain(flat, plain);
	vh_dump_close(flat);
	vh_dump_close(plain);

	out_path = vh_test_write_tmp("", 0);
	assert_non_null(out_path);
	unlink(out_path); /* convert creates it, readable by its owner only */
	if (vh_dump_convert_flattened(flat_path, out_path))
		fail_msg("convert: %s", vh_errmsg());
	check_file_equals(out_path, &img);
	assert_int_equal(stat(out_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	vh_test_drop(out_path);
	vh_test_drop(flat_path);
	vh_test_drop(plain_path);
	kw_free(&img);
}

static void test_in_order(void **state)
{
	static const uint32_t codecs[] = {0, KW_ZLIB, KW_LZO, KW_SNAPPY, KW_ZSTD};
	struct kw_flat_opts o = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		variant(codecs[i], &o);
}

static void test_shuffled(void **state)
{
	struct kw_flat_opts o = {.chunk = 1000, .shuffle = true, .seed = 3};

	(void)state;
	variant(KW_LZO, &o);
	o.chunk = 7;
	o.seed = 11;
	variant(KW_ZSTD, &o);
}

/* Records that overlap, and garbage overwritten by later records (later wins). */
static void test_overlapping_records(void **state)
{
	struct kw_flat_opts o = {.chunk = 3000, .overlap = 700, .shuffle = true, .seed = 5};

	(void)state;
	variant(KW_ZLIB, &o);
	o.garbage_first = true;
	variant(KW_SNAPPY, &o);
}

/* Never-written header padding reads as zeros, as in makedumpfile -R's output. */
static void test_holes(void **state)
{
	struct kw_flat_opts o = {.chunk = 512, .skip_zero_header_chunks = true};

	(void)state;
	variant(KW_ZSTD, &o);
}

/* A hole in the page data is a lost record: an error, never a page of zeros. */
static void test_missing_page_record(void **state)
{
	struct kw_image img;
	uint8_t *buf;
	size_t len;
	struct vh_dump *d;
	char *path;
	uint8_t page[BS];

	(void)state;
	build(0, &img); /* raw pages: a hole would otherwise decode as zeros */
	assert_int_equal(kw_flatten(&img, &(struct kw_flat_opts){.chunk = BS}, &buf, &len), 0);
	/* Move the record holding pfn 3's data out of the image's way. */
	for (size_t pos = 4096; pos + 16 <= len;) {
		uint64_t off = 0, size = 0;

		for (int i = 0; i < 8; i++) {
			off = off << 8 | buf[pos + i];
			size = size << 8 | buf[pos + 8 + i];
		}
		if (off == UINT64_MAX)
			break;
		if (off <= img.data_off_of[3] && img.data_off_of[3] < off + size) {
			/* Point the record far away: its bytes no longer cover pfn 3. */
			kw_put_be64(buf + pos, img.len + 100000);
		}
		pos += 16 + size;
	}
	path = vh_test_write_tmp(buf, len);
	free(buf);
	d = vh_test_open_ok(path);
	assert_int_equal(vh_dump_read_phys(d, 3 * BS, page, BS), VH_ERR_TRUNCATED);
	assert_non_null(strstr(vh_errmsg(), "no flattened record"));
	vh_dump_close(d);
	vh_test_drop(path);
	kw_free(&img);
}

/* Writes a stream: the header, then @nrec raw records. */
static char *stream(const uint8_t *recs, size_t len)
{
	uint8_t *buf = calloc(1, 4096 + len);
	char *path;

	assert_non_null(buf);
	memcpy(buf, "makedumpfile", 12);
	kw_put_be64(buf + 16, 1);
	kw_put_be64(buf + 24, 1);
	memcpy(buf + 4096, recs, len);
	path = vh_test_write_tmp(buf, 4096 + len);
	free(buf);
	assert_non_null(path);
	return path;
}

static void open_fails(const char *path, int code, const char *needle)
{
	struct vh_dump *d = NULL;
	int err = vh_dump_open(path, NULL, &d);

	if (err != code)
		fail_msg("expected %d, got %d: %s", code, err, vh_errmsg());
	if (needle && !strstr(vh_errmsg(), needle))
		fail_msg("message \"%s\" lacks \"%s\"", vh_errmsg(), needle);
	assert_null(d);
}

static void convert_fails(const char *path, int code, const char *needle)
{
	char *out = vh_test_write_tmp("", 0);
	struct stat st;
	int err;

	assert_non_null(out);
	unlink(out); /* convert creates it */
	err = vh_dump_convert_flattened(path, out);
	if (err != code)
		fail_msg("convert: expected %d, got %d: %s", code, err, vh_errmsg());
	if (needle && !strstr(vh_errmsg(), needle))
		fail_msg("message \"%s\" lacks \"%s\"", vh_errmsg(), needle);
	assert_int_equal(stat(out, &st), -1); /* no half-converted file left behind */
	free(out);
}

static void test_bad_records(void **state)
{
	uint8_t *r = NULL;
	size_t len = 0;
	char *path;

	(void)state;
	/* Negative offset. */
	assert_int_equal(kw_append_record(&r, &len, -5, 4, "abcd"), 0);
	path = stream(r, len);
	open_fails(path, VH_ERR_FORMAT, "offset 0x1000");
	convert_fails(path, VH_ERR_FORMAT, "offset 0x1000");
	vh_test_drop(path);
	free(r);
	r = NULL;
	len = 0;
	/* Huge size, after a good record. */
	assert_int_equal(kw_append_record(&r, &len, 0, 4, "KDUM"), 0);
	assert_int_equal(kw_append_record(&r, &len, 0, INT64_MAX, NULL), 0);
	path = stream(r, len);
	open_fails(path, VH_ERR_FORMAT, "offset 0x1014");
	convert_fails(path, VH_ERR_FORMAT, "offset 0x1014");
	vh_test_drop(path);
	free(r);
	r = NULL;
	len = 0;
	/* A broken end marker. */
	assert_int_equal(kw_append_record(&r, &len, -1, 5, NULL), 0);
	path = stream(r, len);
	open_fails(path, VH_ERR_FORMAT, "end marker");
	vh_test_drop(path);
	free(r);
}

static void test_bad_header(void **state)
{
	uint8_t hdr[4096] = "makedumpfile";
	char *path;

	(void)state;
	kw_put_be64(hdr + 16, 2); /* type */
	path = vh_test_write_tmp(hdr, sizeof(hdr));
	open_fails(path, VH_ERR_FORMAT, "type 2");
	convert_fails(path, VH_ERR_FORMAT, "type 2");
	vh_test_drop(path);
	kw_put_be64(hdr + 16, 1);
	path = vh_test_write_tmp(hdr, 100); /* header block cut short */
	open_fails(path, VH_ERR_TRUNCATED, "offset 0x0");
	convert_fails(path, VH_ERR_TRUNCATED, "offset 0x0");
	vh_test_drop(path);
	path = vh_test_write_tmp(hdr, sizeof(hdr)); /* no records at all */
	open_fails(path, VH_ERR_FORMAT, "no data records");
	vh_test_drop(path);
	memcpy(hdr, "makedumpfilX", 12);
	path = vh_test_write_tmp(hdr, sizeof(hdr));
	convert_fails(path, VH_ERR_FORMAT, "signature");
	vh_test_drop(path);
}

/* Cut short: the direct reader warns and reads what arrived; convert refuses. */
static void test_cut_short(void **state)
{
	struct kw_image img;
	uint8_t *buf, page[BS], want[BS];
	size_t len;
	struct vh_dump *d;
	char *path;

	(void)state;
	build(KW_ZLIB, &img);
	assert_int_equal(kw_flatten(&img, &(struct kw_flat_opts){.chunk = 2048}, &buf, &len), 0);
	/* Without the end marker, then also without the last half record. */
	for (int cut = 0; cut < 2; cut++) {
		size_t keep = len - 16 - (cut ? 1000 : 0);

		path = vh_test_write_tmp(buf, keep);
		d = vh_test_open_ok(path);
		assert_true(
		    vh_test_has_warning(d, cut ? "runs past the end" : "without its end marker"));
		assert_int_equal(vh_dump_read_phys(d, 2 * BS, page, BS), VH_OK);
		kw_page_fill(2, 'P', want, BS);
		assert_memory_equal(page, want, BS);
		vh_dump_close(d);
		convert_fails(path, VH_ERR_TRUNCATED, "offset 0x");
		vh_test_drop(path);
	}
	free(buf);
	kw_free(&img);
}

/* Zero-length records and trailing bytes: harmless, no loop, a warning for the tail. */
static void test_zero_length_and_trailer(void **state)
{
	struct kw_image img;
	uint8_t *buf, *big;
	size_t len;
	struct vh_dump *d;
	char *path, *out;

	(void)state;
	build(KW_LZO, &img);
	assert_int_equal(kw_flatten(&img, &(struct kw_flat_opts){.chunk = 8192}, &buf, &len), 0);
	big = malloc(len + 16 * 1000 + 7);
	assert_non_null(big);
	memcpy(big, buf, 4096);
	for (int i = 0; i < 1000; i++) {
		kw_put_be64(big + 4096 + 16 * i, (uint64_t)i);
		kw_put_be64(big + 4096 + 16 * i + 8, 0);
	}
	memcpy(big + 4096 + 16000, buf + 4096, len - 4096);
	memcpy(big + len + 16000, "garbage", 7);
	path = vh_test_write_tmp(big, len + 16000 + 7);
	d = vh_test_open_ok(path);
	assert_true(vh_test_has_warning(d, "follow the flattened end marker"));
	vh_dump_close(d);
	out = vh_test_write_tmp("", 0);
	assert_int_equal(vh_dump_convert_flattened(path, out), VH_OK);
	check_file_equals(out, &img);
	vh_test_drop(out);
	vh_test_drop(path);
	free(big);
	free(buf);
	kw_free(&img);
}

static void test_convert_refuses_own_input(void **state)
{
	struct kw_image img;
	char *path;

	(void)state;
	build(KW_ZLIB, &img);
	path = flatten_to_file(&img, &(struct kw_flat_opts){0});
	assert_int_equal(vh_dump_convert_flattened(path, path), VH_ERR_INVAL);
	vh_test_drop(path);
	/* A plain kdump is not a flattened stream. */
	path = vh_test_write_tmp(img.buf, img.len);
	convert_fails(path, VH_ERR_FORMAT, "makedumpfile");
	vh_test_drop(path);
	kw_free(&img);
}

/* Random damage to record headers (fixed seed): errors or warnings, never a crash or a hang. */
static void test_random_damage(void **state)
{
	struct kw_image img;
	uint8_t *buf, *copy, page[BS];
	size_t len, rec = 16 + 2048;
	uint64_t x = 0x666c6174ull;

	(void)state;
	build(KW_ZSTD, &img);
	assert_int_equal(kw_flatten(&img, &(struct kw_flat_opts){.chunk = 2048}, &buf, &len), 0);
	copy = malloc(len);
	assert_non_null(copy);
	for (int round = 0; round < 300; round++) {
		struct vh_dump *d = NULL;
		char *path;

		memcpy(copy, buf, len);
		for (int i = 0; i < 2; i++) {
			size_t nrec = (len - 4096) / rec, off;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			off = 4096 + (size_t)(x % nrec) * rec + (size_t)(x >> 40) % 16;
			copy[round % 10 == 0 ? (size_t)(x >> 20) % 32 : off] ^=
			    (uint8_t)(x >> 56 | 1);
		}
		path = vh_test_write_tmp(copy, len);
		assert_non_null(path);
		if (vh_dump_open(path, NULL, &d) == VH_OK) {
			for (uint64_t pfn = 0; pfn < sizeof(STATES); pfn++)
				(void)vh_dump_read_phys(d, pfn * BS, page, BS);
			vh_dump_close(d);
		} else {
			assert_true(vh_errmsg()[0] != '\0');
		}
		vh_test_drop(path);
	}
	free(copy);
	free(buf);
	kw_free(&img);
}

/* makedumpfile -E -F flattens an ELF vmcore: not read directly, but converted. */
static void test_flattened_elf(void **state)
{
	uint8_t elf[8192] = "\177ELF\002\001\001", *r = NULL;
	size_t len = 0;
	char *path, *out;
	FILE *f;

	(void)state;
	assert_int_equal(kw_append_record(&r, &len, 0, sizeof(elf), elf), 0);
	assert_int_equal(kw_append_record(&r, &len, -1, -1, NULL), 0);
	path = stream(r, len);
	open_fails(path, VH_ERR_UNSUPPORTED, "vmahunt convert");
	out = vh_test_write_tmp("", 0);
	assert_non_null(out);
	assert_int_equal(vh_dump_convert_flattened(path, out), VH_OK);
	f = fopen(out, "rb");
	assert_non_null(f);
	assert_int_equal(fread(r, 1, len, f), sizeof(elf));
	assert_memory_equal(r, elf, sizeof(elf));
	fclose(f);
	vh_test_drop(out);
	vh_test_drop(path);
	free(r);
}

/*
 * A tiny stream whose kdump image is huge (a record far away) and whose header
 * asks for 2^31 pfns: refused before any large allocation, since the bitmaps
 * would have to be in the file.
 */
static void test_tiny_stream_huge_image(void **state)
{
	struct kw_image img;
	uint8_t *r = NULL;
	size_t len = 0;
	char *path;

	(void)state;
	build(KW_ZLIB, &img);
	kw_put_le32(img.buf + KW_DH_BITMAP_BLOCKS, 0x40000);	    /* 2 x 512 MiB */
	kw_put_le64(img.buf + BS + KW_KH_MAX_MAPNR_64, 1ull << 31); /* bitmaps of 256 MiB */
	assert_int_equal(kw_append_record(&r, &len, 0, 2 * BS, img.buf), 0);
	assert_int_equal(kw_append_record(&r, &len, 1ll << 40, 1, "x"), 0);
	assert_int_equal(kw_append_record(&r, &len, -1, -1, NULL), 0);
	path = stream(r, len);
	open_fails(path, VH_ERR_TRUNCATED, "more than the whole file");
	vh_test_drop(path);
	free(r);
	kw_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_in_order),
	    cmocka_unit_test(test_shuffled),
	    cmocka_unit_test(test_overlapping_records),
	    cmocka_unit_test(test_holes),
	    cmocka_unit_test(test_missing_page_record),
	    cmocka_unit_test(test_bad_records),
	    cmocka_unit_test(test_bad_header),
	    cmocka_unit_test(test_cut_short),
	    cmocka_unit_test(test_zero_length_and_trailer),
	    cmocka_unit_test(test_convert_refuses_own_input),
	    cmocka_unit_test(test_random_damage),
	    cmocka_unit_test(test_flattened_elf),
	    cmocka_unit_test(test_tiny_stream_huge_image),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
