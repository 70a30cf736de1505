/* SPDX-License-Identifier: MIT */
/*
 * A file's page cache: address_space.i_pages, an xarray from page index to
 * the struct page of the folio holding it (a large folio is one multi-index
 * entry), or to a value entry: a swap entry in shmem/tmpfs, the shadow of an
 * evicted page elsewhere.
 */
#ifndef VH_KERNEL_PAGECACHE_H
#define VH_KERNEL_PAGECACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/vread.h"

#include <vmahunt/symbols.h>

/* One entry: indices [index, index + n) of the file. */
struct vh_pc_entry {
	uint64_t index, n;
	uint64_t entry; /* struct page * of the folio's first page, or a value entry (bit 0 set) */
};

/* The result of vh_pagecache_read(). */
struct vh_pc_list {
	struct vh_pc_entry *e; /* ascending, disjoint */
	size_t n;
	uint64_t nrpages; /* address_space.nrpages as read (what the kernel counted) */
	bool partial;	  /* part of the tree could not be walked (see warnings) */
	char **warnings;  /* one-line messages naming the bad address */
	size_t nwarnings;
};

/* A value entry (xa_is_value()): no page in memory. */
static inline bool vh_pc_is_value(uint64_t entry)
{
	return entry & 1;
}

/**
 * vh_pagecache_read() - the cached pages of one address_space below @max_index.
 * @kr: a kernel-space reader.
 * @p: the profile (address_space.i_pages, the xarray and xa_node layouts).
 * @mapping: the address_space's address (file->f_mapping).
 * @max_index: pages from this index on are not wanted (the file's size in
 *             pages): the walk stops there, and reads at most about
 *             @max_index / 32 + 64 nodes.
 * @out: receives the entries (zeroed first); free with vh_pc_list_free().
 *
 * Return: VH_OK (also with a partial list: damage is in out->warnings);
 * VH_ERR_NOT_PRESENT when the profile lacks the layout; the read error when
 * the address_space cannot be read; VH_ERR_NOMEM.
 */
int vh_pagecache_read(struct vh_vread *kr, const struct vh_profile *p, uint64_t mapping,
		      uint64_t max_index, struct vh_pc_list *out);

/* Frees a list's contents. */
void vh_pc_list_free(struct vh_pc_list *l);

#endif
