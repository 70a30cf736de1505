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
#include "kernel/pages.h"

#include <vmahunt/symbols.h>

/* include/uapi/linux/magic.h: shmem/tmpfs (memfds and SysV segments too), hugetlbfs. */
#define VH_TMPFS_MAGIC	   0x01021994u
#define VH_HUGETLBFS_MAGIC 0x958458f6u

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

/**
 * vh_pagecache_folio() - the page frame of a page cache entry's folio, checked.
 * @kr: a kernel-space reader.
 * @p: the profile (page.mapping).
 * @vm: where the struct pages are (vh_vmemmap_find()).
 * @max_pfn: frames past the dump's RAM are not believed.
 * @mapping: the address_space the entry was read from.
 * @page: the entry (a struct page *, not a value entry).
 * @pfn: receives the folio's first frame (its pages are consecutive frames).
 * @owner: receives the struct page's mapping (0 when it was not read).
 *
 * An entry is the file's page only when it is a struct page of the array and
 * names @mapping as its own: a damaged tree's stray pointer is neither.
 * Return: VH_OK; VH_ERR_CORRUPT when @page is no struct page (*owner 0) or
 * belongs to another mapping (*owner says which); or the read's error.
 */
int vh_pagecache_folio(struct vh_vread *kr, const struct vh_profile *p, const struct vh_vmemmap *vm,
		       uint64_t max_pfn, uint64_t mapping, uint64_t page, uint64_t *pfn,
		       uint64_t *owner);

/**
 * vh_inode_fs_magic() - the magic number of the file system an inode is on.
 * @kr: a kernel-space reader.
 * @p: the profile (inode.i_sb, super_block.s_magic).
 * @inode: the inode's address.
 * @magic: receives super_block.s_magic (VH_TMPFS_MAGIC for shmem, memfds included).
 *
 * Return: VH_OK, VH_ERR_CORRUPT for a superblock pointer that is no kernel
 * address, or the read's error (VH_ERR_NOT_PRESENT: the profile lacks them).
 */
int vh_inode_fs_magic(struct vh_vread *kr, const struct vh_profile *p, uint64_t inode,
		      uint32_t *magic);

#endif
