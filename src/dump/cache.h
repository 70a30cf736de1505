/* SPDX-License-Identifier: MIT */
#ifndef VH_DUMP_CACHE_H
#define VH_DUMP_CACHE_H

#include <stddef.h>
#include <stdint.h>

/*
 * A small set-associative cache of decompressed pages, keyed by pfn. Walkers
 * re-read the same page-table and task pages many times; decompressing each
 * once is what keeps cost proportional to the pages touched.
 */
struct vh_page_cache;

struct vh_page_cache *vh_cache_new(size_t npages, uint32_t page_size);
void vh_cache_free(struct vh_page_cache *c);
/* Returns the cached page or NULL. */
const void *vh_cache_get(struct vh_page_cache *c, uint64_t pfn);
/* Returns a slot to fill with page @pfn (evicting the least recently used of its set). */
void *vh_cache_put(struct vh_page_cache *c, uint64_t pfn);
/* Forgets @pfn (after a failed fill). */
void vh_cache_drop(struct vh_page_cache *c, uint64_t pfn);

#endif
