/* SPDX-License-Identifier: MIT */
/* vh_grow(): the doubling arrays' one allocator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "util/grow.h"

/* From NULL to the first capacity, unchanged while there is room, then doubled. */
static void test_doubles(void **state)
{
	size_t cap = 0, n = 0;
	int *a = NULL;

	(void)state;
	for (int i = 0; i < 100; i++) {
		int *g = vh_grow(a, n, &cap, sizeof(*g), 4);

		assert_non_null(g);
		a = g;
		a[n++] = i;
		assert_true(n <= cap);
	}
	assert_int_equal(cap, 128);
	for (int i = 0; i < 100; i++)
		assert_int_equal(a[i], i);
	assert_ptr_equal(vh_grow(a, 100, &cap, sizeof(*a), 4), a);
	assert_int_equal(cap, 128);
	free(a);
}

/* A size that would overflow is refused: the array and its capacity stay. */
static void test_overflow(void **state)
{
	size_t cap = SIZE_MAX / 8 + 1, keep = cap;
	char one;

	(void)state;
	assert_null(vh_grow(&one, cap, &cap, 8, 4));
	assert_int_equal(cap, keep);
	cap = (SIZE_MAX / 2) + 1;
	keep = cap;
	assert_null(vh_grow(&one, cap, &cap, 1, 4));
	assert_int_equal(cap, keep);
	cap = 0;
	assert_null(vh_grow(NULL, 0, &cap, 0, 4));
	assert_int_equal(cap, 0);
	/* no first capacity: nothing to allocate, never a zero-sized array */
	assert_null(vh_grow(NULL, 0, &cap, 8, 0));
	assert_int_equal(cap, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_doubles),
	    cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
