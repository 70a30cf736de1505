/* SPDX-License-Identifier: MIT */
#include "dump/cache.h"

#include <stdlib.h>

#define WAYS 4

struct slot {
	uint64_t pfn;
	uint64_t used; /* tick of last use; 0 = empty */
};

struct vh_page_cache {
	size_t nsets;
	uint32_t page_size;
	uint64_t tick;
	struct slot *slots; /* nsets * WAYS */
	unsigned char *data;
};

struct vh_page_cache *vh_cache_new(size_t npages, uint32_t page_size)
{
	struct vh_page_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->nsets = (npages + WAYS - 1) / WAYS;
	if (c->nsets == 0)
		c->nsets = 1;
	c->page_size = page_size;
	c->slots = calloc(c->nsets * WAYS, sizeof(*c->slots));
	c->data = malloc(c->nsets * WAYS * (size_t)page_size);
	if (!c->slots || !c->data) {
		vh_cache_free(c);
		return NULL;
	}
	return c;
}

void vh_cache_free(struct vh_page_cache *c)
{
	if (!c)
		return;
	free(c->slots);
	free(c->data);
	free(c);
}

static size_t set_of(const struct vh_page_cache *c, uint64_t pfn)
{
	/* Fibonacci hashing spreads strided pfns (page tables, struct pages) over the sets. */
	return (size_t)((pfn * 0x9e3779b97f4a7c15ull) >> 32) % c->nsets;
}

const void *vh_cache_get(struct vh_page_cache *c, uint64_t pfn)
{
	size_t base = set_of(c, pfn) * WAYS;

	for (size_t i = base; i < base + WAYS; i++) {
		if (c->slots[i].used && c->slots[i].pfn == pfn) {
			c->slots[i].used = ++c->tick;
			return c->data + i * c->page_size;
		}
	}
	return NULL;
}

void *vh_cache_put(struct vh_page_cache *c, uint64_t pfn)
{
	size_t base = set_of(c, pfn) * WAYS, victim = base;

	for (size_t i = base; i < base + WAYS; i++) {
		if (c->slots[i].used < c->slots[victim].used)
			victim = i;
	}
	c->slots[victim].pfn = pfn;
	c->slots[victim].used = ++c->tick;
	return c->data + victim * c->page_size;
}

void vh_cache_drop(struct vh_page_cache *c, uint64_t pfn)
{
	size_t base = set_of(c, pfn) * WAYS;

	for (size_t i = base; i < base + WAYS; i++) {
		if (c->slots[i].pfn == pfn)
			c->slots[i].used = 0;
	}
}
