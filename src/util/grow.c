/* SPDX-License-Identifier: MIT */
#include "util/grow.h"

#include <stdint.h>
#include <stdlib.h>

void *vh_grow(void *arr, size_t n, size_t *cap, size_t size, size_t first)
{
	size_t c;
	void *p;

	if (n < *cap)
		return arr;
	c = *cap ? *cap * 2 : first;
	if (!size || !c || c < *cap || c > SIZE_MAX / size)
		return NULL;
	p = realloc(arr, c * size);
	if (p)
		*cap = c;
	return p;
}
