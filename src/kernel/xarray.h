/* SPDX-License-Identifier: MIT */
/*
 * XArray reader (lib/xarray.c, 4.20+; the radix tree before it has the same
 * node encoding): walks a whole array in index order through a read callback,
 * so the same code serves real dumps and the unit tests' synthetic arrays.
 *
 * Encoding, as the kernel stores it (include/linux/xarray.h):
 *   - xa_head is NULL (empty), a node pointer, or the one entry of index 0;
 *   - an "internal" entry has its low two bits 10: a node pointer when above
 *     4096 (the node is at entry - 2), a sibling entry (the slot belongs to a
 *     multi-index entry) below XA_CHUNK_SIZE - 1, else a retry or zero entry
 *     (reserved, no value);
 *   - a node of shift S holds XA_CHUNK_SIZE (64) slots, slot i covering
 *     indices base + (i << S) upwards; its children have shift S - 6 and name
 *     it as their parent and i as their offset; leaves have shift 0.
 */
#ifndef VH_KERNEL_XARRAY_H
#define VH_KERNEL_XARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmahunt/symbols.h>

/* Slots of one node (XA_CHUNK_SIZE with CONFIG_BASE_SMALL off); also the bound used. */
#define VH_XA_MAX_SLOTS 64
/* 64-bit indices, 6 bits a level: no valid array is deeper than 11 levels. */
#define VH_XA_MAX_HEIGHT 11

/* Where things are in a node, from the profile (or set by tests). */
struct vh_xa_layout {
	uint32_t node_size;		/* bytes read per node (up to the last slot) */
	uint32_t shift, offset, parent; /* offsets of xa_node.shift, .offset, .parent */
	uint32_t slots;			/* offset of xa_node.slots */
	unsigned nslots;		/* XA_CHUNK_SIZE */
	unsigned chunk_shift;		/* XA_CHUNK_SHIFT */
};

/* Reads @len bytes at kernel address @addr; returns 0 or a VH_ERR_* code. */
typedef int (*vh_xa_read_fn)(void *arg, uint64_t addr, void *buf, size_t len);
/* One entry (neither NULL nor internal) at @index; non-zero stops the walk. */
typedef int (*vh_xa_entry_fn)(void *arg, uint64_t index, uint64_t entry);
/*
 * One entry at @index covering @nindices indices (a multi-index entry: a
 * slot of a node above the leaves, and the sibling slots that name it, as a
 * large folio of the page cache is stored); non-zero stops the walk.
 */
typedef int (*vh_xa_span_fn)(void *arg, uint64_t index, uint64_t nindices, uint64_t entry);
/* One piece of damage, as a one-line message naming the address. */
typedef void (*vh_xa_warn_fn)(void *arg, const char *msg);

struct vh_xa_ops {
	vh_xa_read_fn read;
	vh_xa_entry_fn entry;
	vh_xa_warn_fn warn;
	void *arg;
	size_t max_nodes;   /* bound on nodes read (0: 1 << 16) */
	vh_xa_span_fn span; /* when set, called instead of ->entry, with the indices covered */
};

/* What a walk saw. */
struct vh_xa_stats {
	size_t nodes;	/* nodes read */
	size_t entries; /* entries passed to ->entry */
	bool partial;	/* some part of the array could not be walked */
	bool stopped;	/* ->entry asked to stop */
};

/**
 * vh_xa_layout_from_profile() - a node layout from a kernel's profile.
 * @p: the profile (xa_node, or radix_tree_node before 4.20).
 * @l: receives the layout.
 *
 * Return: 0, or VH_ERR_NOT_PRESENT when the profile lacks the node layout.
 */
int vh_xa_layout_from_profile(const struct vh_profile *p, struct vh_xa_layout *l);

/**
 * vh_xa_walk() - every entry of an array, in index order.
 * @l: the layout.
 * @head: the array's xa_head value.
 * @ops: callbacks and bounds.
 * @st: receives the totals.
 *
 * Bounded: a child that does not name its parent and slot (which is also how
 * a cycle shows), a shift that does not fall by XA_CHUNK_SHIFT a level, a tree
 * deeper than VH_XA_MAX_HEIGHT, more than ops->max_nodes nodes, an unreadable
 * node or a node pointer in a leaf end that branch with a warning naming the
 * node's address; the walk goes on with the rest (st->partial is set).
 *
 * Return: 0, or the first non-zero value ->entry returned.
 */
int vh_xa_walk(const struct vh_xa_layout *l, uint64_t head, const struct vh_xa_ops *ops,
	       struct vh_xa_stats *st);

#endif
