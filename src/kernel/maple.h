/* SPDX-License-Identifier: MIT */
/*
 * Maple tree reader (lib/maple_tree.c, 6.1+): decodes node images and walks a
 * whole tree in index order through a read callback, so the same code serves
 * real dumps and the unit tests' synthetic trees.
 *
 * Encoding, as the kernel stores it:
 *   - the tree's ma_root is NULL (empty), a node pointer (xa_is_node: low two
 *     bits 10 and above 4096), or one entry that covers index 0 only;
 *   - an encoded node pointer ("enode") keeps the node's type in bits
 *     MAPLE_NODE_TYPE_SHIFT.. (enum maple_type) and flags in the low bits; the
 *     node itself is 256-byte aligned (enode & ~MAPLE_NODE_MASK);
 *   - maple_range_64 / maple_leaf_64 nodes hold 15 pivots and 16 slots,
 *     maple_arange_64 nodes 9 pivots, 10 slots and 10 gaps; slot i covers
 *     [pivot[i-1] + 1, pivot[i]] (the node's min for i = 0, its max for the
 *     last used slot); where the data ends comes from the node's metadata or
 *     the pivots (ma_data_end());
 *   - maple_dense leaves hold one entry per index from the node's min;
 *   - every node's parent field points back at its parent node (the root's at
 *     the tree, with bit 0 set).
 */
#ifndef VH_KERNEL_MAPLE_H
#define VH_KERNEL_MAPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmahunt/symbols.h>

/* Kernel limits (include/linux/maple_tree.h, 64-bit). */
#define VH_MAPLE_HEIGHT_MAX 31
#define VH_MAPLE_MAX_SLOTS  32 /* more than any node type has */
#define VH_MAPLE_NODE_BYTES 256

/* Where things are in a node, from the profile (or set by tests). */
struct vh_maple_layout {
	uint32_t node_size; /* sizeof(struct maple_node): also its alignment */
	uint32_t parent;    /* offset of the parent pointer */
	uint32_t r64_pivot, r64_slot, r64_meta, r64_nslots; /* maple_range_64 / leaf */
	uint32_t a64_pivot, a64_slot, a64_meta, a64_nslots; /* maple_arange_64 */
	uint32_t dense_slot, dense_nslots;		    /* maple_dense */
	uint32_t meta_end;				    /* maple_metadata.end */
	bool have_meta;					    /* metadata exists (6.1+) */
	int t_dense, t_leaf64, t_range64, t_arange64;	    /* enum maple_type */
	uint64_t node_mask;				    /* MAPLE_NODE_MASK */
	unsigned type_shift;
	uint64_t type_mask;
};

/* One node, decoded. */
struct vh_maple_node {
	uint64_t addr;	 /* the node's address (enode without the flag bits) */
	int type;	 /* enum maple_type */
	bool leaf;	 /* dense or leaf_64: slots hold entries, not nodes */
	uint64_t parent; /* raw parent field */
	unsigned nslots; /* slots this type has */
	unsigned end;	 /* last used slot */
	uint64_t min[VH_MAPLE_MAX_SLOTS], max[VH_MAPLE_MAX_SLOTS]; /* range of each used slot */
	uint64_t slot[VH_MAPLE_MAX_SLOTS];
};

/* Reads @len bytes at kernel address @addr; returns 0 or a VH_ERR_* code. */
typedef int (*vh_maple_read_fn)(void *arg, uint64_t addr, void *buf, size_t len);
/* One entry of a leaf covering [min, max]; non-zero stops the walk. */
typedef int (*vh_maple_entry_fn)(void *arg, uint64_t min, uint64_t max, uint64_t entry);
/* One piece of damage, as a one-line message naming the address. */
typedef void (*vh_maple_warn_fn)(void *arg, const char *msg);

struct vh_maple_ops {
	vh_maple_read_fn read;
	vh_maple_entry_fn entry;
	vh_maple_warn_fn warn;
	void *arg;
	size_t max_nodes; /* bound on nodes visited (0: 1 << 20) */
};

/* What a walk saw. */
struct vh_maple_stats {
	size_t nodes;	/* nodes read */
	size_t entries; /* entries passed to ->entry */
	int height;	/* deepest level reached (1 = root only) */
	bool partial;	/* some part of the tree could not be walked */
	bool stopped;	/* ->entry asked to stop */
};

/**
 * vh_maple_layout_from_profile() - a node layout from a kernel's profile.
 * @p: the profile.
 * @l: receives the layout.
 *
 * Return: 0, or VH_ERR_NOT_PRESENT when the kernel has no maple tree (or the
 * profile lacks its layout).
 */
int vh_maple_layout_from_profile(const struct vh_profile *p, struct vh_maple_layout *l);

/*
 * Is this ma_root value a node (xa_is_node: the root's enode has MAPLE_ROOT_NODE,
 * 0x2, set)? Slots of internal nodes hold enodes without it: every non-NULL
 * one is a node.
 */
static inline bool vh_maple_is_node(uint64_t v)
{
	return (v & 3) == 2 && v > 4096;
}

/**
 * vh_maple_node_decode() - decode one node image.
 * @l: the layout.
 * @enode: the encoded pointer that led to the node (gives the type).
 * @img: the node's l->node_size bytes.
 * @min: lowest index the node covers (from its parent).
 * @max: highest index (the "implied max" from its parent).
 * @n: receives the decoded node.
 * @why: receives a reason on failure.
 * @whylen: size of @why.
 *
 * Checks the type, that pivots rise and stay within [min, max], and that the
 * data end is within the node.
 *
 * Return: 0, or VH_ERR_CORRUPT with @why set (n holds the slots decoded
 * before the damage: n->end + 1 of them, or none when n->end is UINT_MAX).
 */
int vh_maple_node_decode(const struct vh_maple_layout *l, uint64_t enode, const unsigned char *img,
			 uint64_t min, uint64_t max, struct vh_maple_node *n, char *why,
			 size_t whylen);

/**
 * vh_maple_walk() - every entry of a tree, in index order.
 * @l: the layout.
 * @root: the tree's ma_root value.
 * @tree: address of the tree (the root node's parent points at it), or 0.
 * @ops: callbacks and bounds.
 * @st: receives the totals.
 *
 * Bounded: a node seen twice, a level deeper than VH_MAPLE_HEIGHT_MAX, more
 * than ops->max_nodes nodes, an unreadable node or damaged pivots end that
 * branch with a warning naming the node's address, and the walk goes on with
 * the rest of the tree (st->partial is set).
 *
 * Return: 0, VH_ERR_NOMEM, or the first non-zero value ->entry returned.
 */
int vh_maple_walk(const struct vh_maple_layout *l, uint64_t root, uint64_t tree,
		  const struct vh_maple_ops *ops, struct vh_maple_stats *st);

#endif
