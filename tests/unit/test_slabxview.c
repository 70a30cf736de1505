/* SPDX-License-Identifier: MIT */
/* slab-xview: a synthetic SLUB slab's free chains, decoded as the detector does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vmahunt/detect.h>

#include "detect/detectors.h"

#define BASE  0xffff888000100000ull
#define NOBJ  8u
#define SLABN 4096

static unsigned char slab[SLABN];
static uint8_t freemap[(NOBJ + 7) / 8];

static uint64_t obj(const struct vh_slab_cache *c, unsigned i)
{
	return BASE + c->red_left_pad + (uint64_t)i * c->size;
}

/* Stores in object @i the link to @next (0: end), masked as a hardened kernel masks it. */
static void link_obj(const struct vh_slab_cache *c, unsigned i, uint64_t next)
{
	uint64_t at = obj(c, i) + c->offset, v = next;

	if (c->hardened)
		v ^= c->random ^ __builtin_bswap64(at);
	memcpy(slab + (at - BASE), &v, 8);
}

/* A chain through objects @idx (n of them); returns its head. */
static uint64_t chain(const struct vh_slab_cache *c, const unsigned *idx, size_t n)
{
	for (size_t i = 0; i < n; i++)
		link_obj(c, idx[i], i + 1 < n ? obj(c, idx[i + 1]) : 0);
	return n ? obj(c, idx[0]) : 0;
}

static bool is_free(unsigned i)
{
	return freemap[i / 8] & (1u << (i % 8));
}

static int run(const struct vh_slab_cache *c, const uint64_t *heads, size_t n)
{
	return vh_slab_free(c, BASE, slab, sizeof(slab), NOBJ, heads, n, freemap);
}

static void check_chains(const struct vh_slab_cache *c)
{
	static const unsigned slab_chain[] = {3, 5, 1}, cpu_chain[] = {6, 7};
	uint64_t heads[2];

	memset(slab, 0xa5, sizeof(slab)); /* allocated objects hold anything */
	heads[0] = chain(c, slab_chain, 3);
	heads[1] = chain(c, cpu_chain, 2);
	assert_int_equal(run(c, heads, 2), VH_OK);
	for (unsigned i = 0; i < NOBJ; i++)
		assert_int_equal(is_free(i), i == 1 || i == 3 || i == 5 || i == 6 || i == 7);
}

static void test_plain_and_hardened(void **state)
{
	struct vh_slab_cache plain = {.size = 200, .offset = 96};
	struct vh_slab_cache hard = {
	    .size = 200, .offset = 96, .hardened = true, .random = 0x5eed1234abcd9876ull};
	struct vh_slab_cache redzone = {.size = 256,
					.offset = 0,
					.red_left_pad = 64,
					.hardened = true,
					.random = 0x0123456789abcdefull};

	(void)state;
	check_chains(&plain);
	check_chains(&hard);
	check_chains(&redzone);
}

static void test_empty_and_full(void **state)
{
	struct vh_slab_cache c = {.size = 200, .offset = 96, .hardened = true, .random = 7};
	unsigned all[NOBJ];
	uint64_t heads[1] = {0};

	(void)state;
	/* no free object: every one is allocated */
	assert_int_equal(run(&c, heads, 1), VH_OK);
	for (unsigned i = 0; i < NOBJ; i++)
		assert_false(is_free(i));
	/* every object free */
	for (unsigned i = 0; i < NOBJ; i++)
		all[i] = NOBJ - 1 - i;
	heads[0] = chain(&c, all, NOBJ);
	assert_int_equal(run(&c, heads, 1), VH_OK);
	for (unsigned i = 0; i < NOBJ; i++)
		assert_true(is_free(i));
}

/* A hostile or misdecoded chain makes the slab undecodable; nothing loops or reads out of it. */
static void test_hostile(void **state)
{
	struct vh_slab_cache c = {.size = 200, .offset = 96, .hardened = true, .random = 42};
	static const unsigned loop[] = {2, 4};
	uint64_t heads[2];

	(void)state;
	/* a loop: 2 -> 4 -> 2 */
	heads[0] = chain(&c, loop, 2);
	link_obj(&c, 4, obj(&c, 2));
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	/* a pointer outside the slab, below and above */
	link_obj(&c, 4, BASE - 200);
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	link_obj(&c, 4, obj(&c, NOBJ));
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	/* inside an object, not at its start */
	link_obj(&c, 4, obj(&c, 5) + 8);
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	/* the wrong mask (a kernel without hardening read as hardened) */
	link_obj(&c, 4, 0);
	c.random ^= 1;
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	c.random ^= 1;
	assert_int_equal(run(&c, heads, 1), VH_OK);
	/* two chains that join: an object on both */
	heads[1] = obj(&c, 4);
	assert_int_equal(run(&c, heads, 2), VH_ERR_CORRUPT);
	/* a head that is no object */
	heads[0] = 0xdeadbeef;
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
}

static void test_bad_layout(void **state)
{
	struct vh_slab_cache c = {.size = 200, .offset = 196};
	uint64_t heads[1] = {0};

	(void)state;
	/* the free pointer would cross the object's end */
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	c.offset = 0;
	c.size = 0;
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	/* more objects than the bytes read hold */
	c.size = SLABN / 4;
	assert_int_equal(run(&c, heads, 1), VH_ERR_CORRUPT);
	c.size = SLABN / NOBJ;
	assert_int_equal(run(&c, heads, 1), VH_OK);
	assert_int_equal(vh_slab_free(&c, BASE, slab, sizeof(slab), 0, heads, 1, freemap),
			 VH_ERR_CORRUPT);
}

static void test_registered(void **state)
{
	const struct vh_detector *d = vh_detector_find("slab-xview");

	(void)state;
	assert_non_null(d);
	/* a kernel-only detector that works at the end of the run */
	assert_non_null(d->finish);
	assert_non_null(d->task);
	assert_int_equal(d->needs & VH_DETECT_PROCESS, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_and_hardened),
	    cmocka_unit_test(test_empty_and_full),
	    cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_bad_layout),
	    cmocka_unit_test(test_registered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
