/* SPDX-License-Identifier: MIT */
/*
 * kallsyms decoder on synthetic tables laid out as three kernel generations
 * write them (offsets first with absolute per-CPU values as up to 6.1;
 * offsets after the token index, base-relative, as 6.2-6.x; place-relative
 * offsets without a base as 7.x), through known addresses (VMCOREINFO) and
 * found by their shape; then truncated, corrupted and randomly damaged
 * tables, which must give an error, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/tmpfile.h"
#include "symbols/kallsyms.h"

#define BASE 0xffffffff81000000ull /* _text */
#define SIZE (1u << 20)
#define NGEN 700 /* generated symbols: more than 256, so several markers */

enum layout { L61, L62, L72, LABS }; /* LABS: u64 kallsyms_addresses (no base-relative) */

struct img {
	uint8_t buf[SIZE];
	size_t readable; /* bytes from BASE that read back; the rest fails */
	struct vh_ks_layout l;
	uint64_t banner;
	uint64_t init_task;
	size_t block1; /* buffer offset of the names entry of symbol 256 */
};

static int img_read(void *arg, uint64_t addr, void *out, size_t len)
{
	const struct img *im = arg;

	if (addr < BASE || addr - BASE > im->readable || len > im->readable - (addr - BASE))
		return VH_ERR_NOT_MAPPED;
	memcpy(out, im->buf + (addr - BASE), len);
	return VH_OK;
}

/* Multi-character tokens, in the slots of byte values no name uses. */
static const char *const multi[] = {"sym_", "init_", "Tsym_", "ask", "_t"};

struct tok {
	char s[256][8];
};

static void make_tokens(struct tok *t, const bool *used)
{
	size_t m = 0;

	for (int i = 0; i < 256; i++) {
		if (used[i])
			snprintf(t->s[i], sizeof(t->s[i]), "%c", i);
		else if (m < sizeof(multi) / sizeof(multi[0]))
			snprintf(t->s[i], sizeof(t->s[i]), "%s", multi[m++]);
		else
			snprintf(t->s[i], sizeof(t->s[i]), "zq%c", 'a' + i % 26);
	}
}

/* Greedy encoding: the longest token matching at each position. */
static size_t encode(const struct tok *t, const char *text, uint8_t *out)
{
	size_t n = 0;

	while (*text) {
		int best = (unsigned char)*text;
		size_t blen = 1;

		for (int i = 0; i < 256; i++) {
			size_t l = strlen(t->s[i]);

			if (l > blen && strncmp(text, t->s[i], l) == 0) {
				best = i;
				blen = l;
			}
		}
		out[n++] = (uint8_t)best;
		text += blen;
	}
	return n;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static size_t align(size_t x, size_t a)
{
	return (x + a - 1) & ~(a - 1);
}

struct sym {
	char text[40]; /* type letter + name */
	uint64_t addr;
};

/* Builds an image with the tables at 0x10000 on, in the order of @lay. */
static void build(struct img *im, enum layout lay)
{
	static struct sym s[NGEN + 4];
	size_t n = 0, pos = 0x10000, names_len = 0;
	bool used[256] = {0};
	struct tok t;
	uint8_t names[64 * 1024];
	uint32_t marks[8];
	uint64_t relbase = BASE;

	memset(im, 0, sizeof(*im));
	im->readable = SIZE;
	im->banner = BASE + 0x100;
	im->init_task = BASE + 0x2040;
	memcpy(im->buf + 0x100, "Linux version 9.9.9-test (vmahunt)", 34);
	/* sorted by address, as the kernel sorts them */
	s[n++] = (struct sym){"Afixed_percpu_data", 0};
	s[n++] = (struct sym){"T_text", BASE};
	s[n++] = (struct sym){"Rlinux_banner", im->banner};
	s[n++] = (struct sym){"Dinit_task", im->init_task};
	for (int i = 0; i < NGEN; i++) {
		snprintf(s[n].text, sizeof(s[n].text), "%csym_%04d", i % 3 ? 't' : 'T', i);
		s[n++].addr = BASE + 0x3000 + 16u * i;
	}
	for (size_t i = 0; i < n; i++) {
		for (const char *c = s[i].text; *c; c++)
			used[(unsigned char)*c] = true;
	}
	make_tokens(&t, used);
	for (size_t i = 0; i < n; i++) {
		uint8_t enc[64];
		size_t len = encode(&t, s[i].text, enc);

		if (i % 256 == 0)
			marks[i / 256] = (uint32_t)names_len;
		names[names_len++] = (uint8_t)len;
		memcpy(names + names_len, enc, len);
		names_len += len;
	}
	if (lay == L61) {
		/* offsets (absolute per-CPU: negative = base - 1 - offset), base, count */
		im->l.offsets = BASE + pos;
		for (size_t i = 0; i < n; i++)
			put32(im->buf + pos + 4 * i,
			      s[i].addr < BASE
				  ? (uint32_t)s[i].addr
				  : (uint32_t)(int32_t) - (int64_t)(s[i].addr - relbase + 1));
		pos = align(pos + 4 * n, 8);
		im->l.relative_base = BASE + pos;
		put64(im->buf + pos, relbase);
		pos += 8;
	}
	im->l.num_syms = BASE + pos;
	put32(im->buf + pos, (uint32_t)n);
	pos = align(pos + 4, lay == L72 ? 4 : 8);
	im->l.names = BASE + pos;
	im->block1 = pos + marks[1];
	memcpy(im->buf + pos, names, names_len);
	pos = align(pos + names_len, 8);
	im->l.markers = BASE + pos;
	for (size_t i = 0; i < (n + 255) / 256; i++)
		put32(im->buf + pos + 4 * i, marks[i]);
	pos = align(pos + 4 * ((n + 255) / 256), 8);
	im->l.token_table = BASE + pos;
	{
		size_t start = pos;
		uint16_t idx[256];

		for (int i = 0; i < 256; i++) {
			idx[i] = (uint16_t)(pos - start);
			memcpy(im->buf + pos, t.s[i], strlen(t.s[i]) + 1);
			pos += strlen(t.s[i]) + 1;
		}
		pos = align(pos, 8);
		im->l.token_index = BASE + pos;
		for (int i = 0; i < 256; i++) {
			im->buf[pos + 2 * i] = (uint8_t)idx[i];
			im->buf[pos + 2 * i + 1] = (uint8_t)(idx[i] >> 8);
		}
		pos += 512;
	}
	if (lay == L62) {
		im->l.offsets = BASE + pos;
		for (size_t i = 0; i < n; i++)
			put32(im->buf + pos + 4 * i,
			      s[i].addr < BASE
				  ? (uint32_t)s[i].addr
				  : (uint32_t)(int32_t) - (int64_t)(s[i].addr - relbase + 1));
		pos = align(pos + 4 * n, 8);
		im->l.relative_base = BASE + pos;
		put64(im->buf + pos, relbase);
	} else if (lay == LABS) {
		im->l.addresses = BASE + pos;
		for (size_t i = 0; i < n; i++)
			put64(im->buf + pos + 8 * i, s[i].addr);
	} else if (lay == L72) {
		/* place-relative: the address is the entry's own address plus the offset */
		im->l.offsets = BASE + pos;
		for (size_t i = 0; i < n; i++)
			put32(im->buf + pos + 4 * i,
			      (uint32_t)(int32_t)((int64_t)s[i].addr -
						  (int64_t)(BASE + pos + 4 * i)));
	}
}

static struct vh_ks_mem mem_of(struct img *im)
{
	return (struct vh_ks_mem){img_read, im};
}

static void check_symbols(const struct vh_kallsyms *ks, const struct img *im)
{
	struct vh_ksym k;

	assert_int_equal(vh_kallsyms_count(ks), NGEN + 4);
	assert_int_equal(vh_kallsyms_lookup(ks, "_text", &k), VH_OK);
	assert_true(k.addr == BASE);
	assert_int_equal(k.type, 'T');
	assert_int_equal(vh_kallsyms_lookup(ks, "init_task", &k), VH_OK);
	assert_true(k.addr == im->init_task);
	assert_int_equal(vh_kallsyms_lookup(ks, "linux_banner", &k), VH_OK);
	assert_true(k.addr == im->banner);
	assert_int_equal(vh_kallsyms_lookup(ks, "sym_0699", &k), VH_OK);
	assert_true(k.addr == BASE + 0x3000 + 16u * 699);
	assert_int_equal(vh_kallsyms_lookup(ks, "sym_0001", &k), VH_OK);
	assert_int_equal(k.type, 't');
	assert_int_equal(vh_kallsyms_lookup(ks, "no_such_symbol", &k), VH_ERR_NOT_PRESENT);
	assert_int_equal(vh_kallsyms_get(ks, 0, &k), VH_OK);
	assert_string_equal(k.name, "fixed_percpu_data");
	assert_true(k.addr == 0);
	assert_int_equal(vh_kallsyms_get(ks, NGEN + 4, &k), VH_ERR_INVAL);
}

/* One chunk of the image for a seed: offset from BASE, length, bytes. */
static size_t put_chunk(uint8_t *out, const struct img *im, uint32_t off, uint32_t len)
{
	put32(out, off);
	put32(out + 4, len);
	memcpy(out + 8, im->buf + off, len);
	return 8 + len;
}

/*
 * A seed of tests/fuzz/fuzz_kallsyms.c: the layout (offsets from BASE), then
 * the banner's chunk and the tables' (built at 0x10000 on).
 */
static void seed(const struct img *im)
{
	const uint64_t at[] = {im->l.num_syms,	    im->l.names,       im->l.markers,
			       im->l.token_table,   im->l.token_index, im->l.offsets,
			       im->l.relative_base, im->l.addresses,   im->l.seqs_of_names};
	uint8_t *b = malloc(sizeof(at) + 0x200 + 0xe000 + 16);
	size_t n = sizeof(at);

	assert_non_null(b);
	for (size_t i = 0; i < 9; i++)
		put64(b + 8 * i, at[i] ? at[i] - BASE : 0);
	n += put_chunk(b + n, im, 0, 0x200);
	n += put_chunk(b + n, im, 0x10000, 0xe000);
	vh_test_seed("kallsyms", b, n);
	free(b);
}

static void decode_layout(enum layout lay, const char *encoding)
{
	struct img *im = malloc(sizeof(*im));
	struct vh_kallsyms *ks;
	struct vh_ks_mem m;
	uint64_t at;

	assert_non_null(im);
	build(im, lay);
	seed(im);
	m = mem_of(im);
	assert_int_equal(vh_ks_decode(&m, &im->l, BASE, "vmcoreinfo", &ks), VH_OK);
	check_symbols(ks, im);
	assert_string_equal(vh_kallsyms_encoding(ks), encoding);
	assert_string_equal(vh_kallsyms_method(ks), "vmcoreinfo");
	/* the markers were found after the names */
	assert_int_equal(vh_kallsyms_table(ks, "kallsyms_markers", &at), VH_OK);
	assert_true(at == im->l.markers);
	vh_kallsyms_free(ks);
	free(im);
}

static void test_decode_61(void **state)
{
	(void)state;
	decode_layout(L61, "base-relative, absolute per-cpu");
}

static void test_decode_62(void **state)
{
	(void)state;
	decode_layout(L62, "base-relative, absolute per-cpu");
}

static void test_decode_72(void **state)
{
	(void)state;
	decode_layout(L72, "place-relative");
}

static void test_decode_absolute(void **state)
{
	(void)state;
	decode_layout(LABS, "absolute");
}

static void search_layout(enum layout lay)
{
	struct img *im = malloc(sizeof(*im));
	struct vh_kallsyms *ks;
	struct vh_ks_mem m;
	uint64_t range[1][2] = {{BASE, BASE + SIZE}}, at;

	assert_non_null(im);
	build(im, lay);
	m = mem_of(im);
	assert_int_equal(vh_ks_search(&m, (const uint64_t(*)[2])range, 1, BASE, &ks), VH_OK);
	check_symbols(ks, im);
	assert_string_equal(vh_kallsyms_method(ks), "search");
	assert_int_equal(vh_kallsyms_table(ks, "kallsyms_names", &at), VH_OK);
	assert_true(at == im->l.names);
	assert_int_equal(vh_kallsyms_table(ks, "kallsyms_token_index", &at), VH_OK);
	assert_true(at == im->l.token_index);
	assert_int_equal(vh_kallsyms_table(ks, "kallsyms_offsets", &at), VH_OK);
	assert_true(at == im->l.offsets);
	vh_kallsyms_free(ks);
	free(im);
}

static void test_search_61(void **state)
{
	(void)state;
	search_layout(L61);
}

static void test_search_62(void **state)
{
	(void)state;
	search_layout(L62);
}

static void test_search_72(void **state)
{
	(void)state;
	search_layout(L72);
}

/* Nothing that looks like a token table: a clear error. */
static void test_search_nothing(void **state)
{
	struct img *im = calloc(1, sizeof(*im));
	struct vh_kallsyms *ks = (void *)1;
	struct vh_ks_mem m = mem_of(im);
	uint64_t range[1][2] = {{BASE, BASE + SIZE}};

	(void)state;
	im->readable = SIZE;
	assert_int_equal(vh_ks_search(&m, (const uint64_t(*)[2])range, 1, BASE, &ks),
			 VH_ERR_NOT_PRESENT);
	assert_null(ks);
	assert_non_null(strstr(vh_errmsg(), "no symbol tables found"));
	free(im);
}

static int expect_error(struct img *im)
{
	struct vh_kallsyms *ks = NULL;
	struct vh_ks_mem m = mem_of(im);
	int err = vh_ks_decode(&m, &im->l, BASE, "vmcoreinfo", &ks);

	if (err == VH_OK)
		vh_kallsyms_free(ks);
	else
		assert_null(ks);
	return err;
}

static void test_corrupt(void **state)
{
	struct img *im = malloc(sizeof(*im));

	(void)state;
	assert_non_null(im);
	/* an absurd count */
	build(im, L62);
	put32(im->buf + (im->l.num_syms - BASE), 0xffffffffu);
	assert_int_equal(expect_error(im), VH_ERR_CORRUPT);
	assert_non_null(strstr(vh_errmsg(), "kallsyms_num_syms"));
	/* more symbols than the names hold: decoding runs into the markers/tokens */
	build(im, L62);
	put32(im->buf + (im->l.num_syms - BASE), NGEN + 5000);
	assert_int_not_equal(expect_error(im), VH_OK);
	/* a token index that is not increasing */
	build(im, L62);
	im->buf[im->l.token_index - BASE + 20] = 0xff;
	im->buf[im->l.token_index - BASE + 21] = 0xff;
	assert_int_equal(expect_error(im), VH_ERR_CORRUPT);
	assert_non_null(strstr(vh_errmsg(), "token index"));
	/* a zero name length in the block holding _text: skipped, so _text is lost */
	build(im, L61);
	im->buf[im->l.names - BASE] = 0;
	assert_int_equal(expect_error(im), VH_ERR_CORRUPT);
	assert_non_null(strstr(vh_errmsg(), "no address encoding"));
	/* the memory ends inside the names */
	build(im, L62);
	im->readable = (size_t)(im->l.names - BASE) + 100;
	assert_int_not_equal(expect_error(im), VH_OK);
	/* offsets that put _text elsewhere: no encoding fits */
	build(im, L62);
	memset(im->buf + (im->l.offsets - BASE), 0x5a, 4 * (NGEN + 4));
	assert_int_equal(expect_error(im), VH_ERR_CORRUPT);
	assert_non_null(strstr(vh_errmsg(), "no address encoding"));
	/* the banner is not where linux_banner says */
	build(im, L72);
	memset(im->buf + 0x100, 0, 16);
	assert_int_equal(expect_error(im), VH_ERR_CORRUPT);
	/* a table address missing */
	build(im, L72);
	im->l.token_table = 0;
	assert_int_equal(expect_error(im), VH_ERR_NOT_PRESENT);
	free(im);
}

/* A damaged name in the second block: that block is skipped, the rest decoded. */
static void test_skip_damaged_block(void **state)
{
	struct img *im = malloc(sizeof(*im));
	struct vh_kallsyms *ks;
	struct vh_ks_mem m;
	struct vh_ksym k;

	(void)state;
	assert_non_null(im);
	for (int lay = L61; lay <= L72; lay++) {
		build(im, (enum layout)lay);
		im->buf[im->block1] = 0;
		m = mem_of(im);
		assert_int_equal(vh_ks_decode(&m, &im->l, BASE, "vmcoreinfo", &ks), VH_OK);
		assert_int_equal(vh_kallsyms_lost(ks), 256);
		assert_int_equal(vh_kallsyms_count(ks), NGEN + 4);
		assert_int_equal(vh_kallsyms_lookup(ks, "init_task", &k), VH_OK);
		assert_true(k.addr == im->init_task);
		/* symbols 256..511 are sym_0252..sym_0507 */
		assert_int_equal(vh_kallsyms_lookup(ks, "sym_0300", &k), VH_ERR_NOT_PRESENT);
		assert_int_equal(vh_kallsyms_lookup(ks, "sym_0600", &k), VH_OK);
		assert_true(k.addr == BASE + 0x3000 + 16u * 600);
		assert_int_equal(vh_kallsyms_get(ks, 300, &k), VH_OK);
		assert_string_equal(k.name, "");
		assert_int_equal(k.type, '?');
		vh_kallsyms_free(ks);
		/* found by shape, the same damage is refused: no markers to trust yet */
		{
			uint64_t range[1][2] = {{BASE, BASE + SIZE}};

			ks = NULL;
			assert_int_equal(
			    vh_ks_search(&m, (const uint64_t(*)[2])range, 1, BASE, &ks),
			    VH_ERR_NOT_PRESENT);
		}
	}
	free(im);
}

/* Random damage anywhere in the tables: an answer or an error, never a crash (ASan). */
static void test_random_damage(void **state)
{
	struct img *im = malloc(sizeof(*im));
	uint64_t range[1][2] = {{BASE, BASE + SIZE}};
	unsigned seed = 12345;

	(void)state;
	assert_non_null(im);
	for (int round = 0; round < 60; round++) {
		struct vh_kallsyms *ks = NULL;
		struct vh_ks_mem m;
		size_t lo, hi;

		build(im, (enum layout)(round % 3));
		m = mem_of(im);
		lo = (size_t)((im->l.offsets < im->l.num_syms ? im->l.offsets : im->l.num_syms) -
			      BASE);
		hi = (size_t)(im->l.token_index - BASE) + 512;
		for (int k = 0; k < 1 + round; k++) {
			seed = seed * 1103515245u + 12345u;
			im->buf[lo + (seed >> 8) % (hi - lo)] ^= (uint8_t)(1u << (seed % 8));
		}
		if (vh_ks_decode(&m, &im->l, BASE, "vmcoreinfo", &ks) == VH_OK)
			vh_kallsyms_free(ks);
		ks = NULL;
		if (round % 6 == 0 &&
		    vh_ks_search(&m, (const uint64_t(*)[2])range, 1, BASE, &ks) == VH_OK)
			vh_kallsyms_free(ks);
	}
	free(im);
}

/* An image that counts the bytes read from it. */
struct counted {
	struct img *im;
	uint64_t bytes;
};

static int counted_read(void *arg, uint64_t addr, void *out, size_t len)
{
	struct counted *c = arg;
	int err = img_read(c->im, addr, out, len);

	if (!err)
		c->bytes += len; /* a failed read stops at its first missing page */
	return err;
}

/* Searches @im's whole image; returns the bytes read, SIZE-relative bounded. */
static uint64_t search_cost(struct img *im, const char *what)
{
	struct counted c = {im, 0};
	struct vh_ks_mem m = {counted_read, &c};
	uint64_t range[1][2] = {{BASE, BASE + SIZE}};
	struct vh_kallsyms *ks = (void *)1;

	im->readable = SIZE;
	assert_int_equal(vh_ks_search(&m, (const uint64_t(*)[2])range, 1, BASE, &ks),
			 VH_ERR_NOT_PRESENT);
	assert_null(ks);
	print_message("%s: %llu bytes read for an image of %u (%s)\n", what,
		      (unsigned long long)c.bytes, SIZE, vh_errmsg());
	return c.bytes;
}

/*
 * A hostile image cannot make the search cost more than a small multiple of
 * its size: the digit tokens every 20 bytes (each place is tried), then a
 * valid token table and index every KiB (each is looked back from).
 */
static void test_search_bounded(void **state)
{
	struct img *im = calloc(1, sizeof(*im));
	static const char digits[] = "0\0"
				     "1\0"
				     "2\0"
				     "3\0"
				     "4\0"
				     "5\0"
				     "6\0"
				     "7\0"
				     "8\0"
				     "9";

	(void)state;
	assert_non_null(im);
	for (size_t at = 0; at + sizeof(digits) <= SIZE; at += sizeof(digits))
		memcpy(im->buf + at, digits, sizeof(digits));
	assert_true(search_cost(im, "digits everywhere") <= 64ull * SIZE);
	memset(im->buf, 0, SIZE);
	for (size_t at = 0; at + 1024 <= SIZE; at += 1024) {
		/* token i is byte i (token 0 byte 1), then the index: offsets 0, 2, 4... */
		for (int i = 0; i < 256; i++) {
			im->buf[at + 2 * (size_t)i] = (uint8_t)(i ? i : 1);
			im->buf[at + 512 + 2 * (size_t)i] = (uint8_t)(2 * i);
			im->buf[at + 512 + 2 * (size_t)i + 1] = (uint8_t)(2 * i >> 8);
		}
	}
	assert_true(search_cost(im, "a token table every KiB") <= 64ull * SIZE);
	assert_non_null(strstr(vh_errmsg(), "candidate token tables"));
	free(im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_61),	  cmocka_unit_test(test_decode_62),
	    cmocka_unit_test(test_decode_72),	  cmocka_unit_test(test_decode_absolute),
	    cmocka_unit_test(test_search_61),	  cmocka_unit_test(test_search_62),
	    cmocka_unit_test(test_search_72),	  cmocka_unit_test(test_search_nothing),
	    cmocka_unit_test(test_corrupt),	  cmocka_unit_test(test_skip_damaged_block),
	    cmocka_unit_test(test_random_damage), cmocka_unit_test(test_search_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
