/* SPDX-License-Identifier: MIT */
/* The page cache: hits, eviction within a set, drop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dump/cache.h"

static void test_put_get(void **state)
{
	struct vh_page_cache *c = vh_cache_new(16, 4096);
	unsigned char *p;

	(void)state;
	assert_non_null(c);
	assert_null(vh_cache_get(c, 7));
	p = vh_cache_put(c, 7);
	memset(p, 0xab, 4096);
	p = (unsigned char *)vh_cache_get(c, 7);
	assert_non_null(p);
	assert_int_equal(p[0], 0xab);
	assert_int_equal(p[4095], 0xab);
	vh_cache_drop(c, 7);
	assert_null(vh_cache_get(c, 7));
	vh_cache_free(c);
}

static void test_eviction_keeps_recent(void **state)
{
	struct vh_page_cache *c = vh_cache_new(8, 512);
	int hits = 0;

	(void)state;
	assert_non_null(c);
	/* Far more pages than slots: every page put must still be readable right after. */
	for (uint64_t pfn = 0; pfn < 1000; pfn++) {
		unsigned char *p = vh_cache_put(c, pfn);

		p[0] = (unsigned char)pfn;
		const unsigned char *q = vh_cache_get(c, pfn);
		assert_non_null(q);
		assert_int_equal(q[0], (unsigned char)pfn);
	}
	for (uint64_t pfn = 0; pfn < 1000; pfn++)
		hits += vh_cache_get(c, pfn) != NULL;
	/* At most the capacity survives, and at least something does. */
	assert_true(hits > 0 && hits <= 8);
	vh_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_put_get),
	    cmocka_unit_test(test_eviction_keeps_recent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
