/* SPDX-License-Identifier: MIT */
#ifndef VH_UTIL_GROW_H
#define VH_UTIL_GROW_H

#include <stddef.h>

/*
 * vh_grow() - room for one more element in an array that doubles as it fills.
 * @arr: the array (NULL before the first element).
 * @n: elements it holds.
 * @cap: its capacity in elements; updated when it grows.
 * @size: the size of an element.
 * @first: the capacity of the first allocation.
 *
 * Return: the array, reallocated when @n reached @cap; NULL when memory is
 * short or the size would overflow (@arr is then still valid, @cap unchanged).
 */
void *vh_grow(void *arr, size_t n, size_t *cap, size_t size, size_t first);

#endif
