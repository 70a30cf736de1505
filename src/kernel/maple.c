/* SPDX-License-Identifier: MIT */
/* Maple tree reader: node decoding and a bounded, in-order walk (see maple.h). */
#include "kernel/maple.h"

#include <vmahunt/error.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_NODES (1u << 20)
#define MA_ROOT_PARENT	  1u

static uint64_t le64(const unsigned char *b)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static int member_ok(const struct vh_member *m)
{
	return vh_present(m) && m->offset != VH_ABSENT;
}

int vh_maple_layout_from_profile(const struct vh_profile *p, struct vh_maple_layout *l)
{
	const struct vh_prof_maple_range_64 *r = &p->maple_range_64;
	const struct vh_prof_maple_arange_64 *a = &p->maple_arange_64;

	memset(l, 0, sizeof(*l));
	if (!member_ok(&r->pivot) || !member_ok(&r->slot) || !member_ok(&a->pivot) ||
	    !member_ok(&a->slot) || !vh_present(&p->enums.maple_leaf_64))
		return VH_ERR_NOT_PRESENT;
	/* Each node type is a member of the node union at offset 0: offsets add up. */
	l->node_size = p->maple_node.type.size ? p->maple_node.type.size : VH_MAPLE_NODE_BYTES;
	l->parent = member_ok(&r->parent) ? r->parent.offset : 0;
	l->r64_pivot = r->pivot.offset;
	l->r64_slot = r->slot.offset;
	l->r64_nslots = r->slot.nelem ? r->slot.nelem : 16;
	l->a64_pivot = a->pivot.offset;
	l->a64_slot = a->slot.offset;
	l->a64_nslots = a->slot.nelem ? a->slot.nelem : 10;
	l->have_meta = member_ok(&r->meta) && member_ok(&a->meta);
	l->r64_meta = l->have_meta ? r->meta.offset : 0;
	l->a64_meta = l->have_meta ? a->meta.offset : 0;
	l->meta_end = member_ok(&p->maple_metadata.end) ? p->maple_metadata.end.offset : 0;
	if (member_ok(&p->maple_node.slot)) {
		l->dense_slot = p->maple_node.slot.offset;
		l->dense_nslots = p->maple_node.slot.nelem ? p->maple_node.slot.nelem : 31;
	} else {
		l->dense_slot = 8;
		l->dense_nslots = 31;
	}
	l->t_dense = (int)p->enums.maple_dense.value;
	l->t_leaf64 = (int)p->enums.maple_leaf_64.value;
	l->t_range64 = (int)p->enums.maple_range_64.value;
	l->t_arange64 = (int)p->enums.maple_arange_64.value;
	l->node_mask = (uint64_t)p->c.MAPLE_NODE_MASK.value;
	l->type_shift = (unsigned)p->c.MAPLE_NODE_TYPE_SHIFT.value;
	l->type_mask = (uint64_t)p->c.MAPLE_NODE_TYPE_MASK.value;
	if (l->r64_nslots > VH_MAPLE_MAX_SLOTS || l->a64_nslots > VH_MAPLE_MAX_SLOTS ||
	    l->dense_nslots > VH_MAPLE_MAX_SLOTS || l->node_size > 4096 || l->type_shift > 63)
		return VH_ERR_NOT_PRESENT;
	return VH_OK;
}

static int fail(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (why && whylen)
		vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return VH_ERR_CORRUPT;
}

/* Checks that a field of @count 8-byte words at @off fits in the node image. */
static bool fits(const struct vh_maple_layout *l, uint32_t off, uint32_t count)
{
	return off <= l->node_size && count <= (l->node_size - off) / 8;
}

/* The kernel's ma_data_end(): last used slot of a range/arange node. */
static unsigned data_end(const struct vh_maple_layout *l, bool arange, const uint64_t *pivots,
			 unsigned npivots, const unsigned char *img, uint64_t max)
{
	uint32_t meta = arange ? l->a64_meta : l->r64_meta;

	if (l->have_meta && (arange || !pivots[npivots - 1]))
		return img[meta + l->meta_end];
	if (!arange && pivots[npivots - 1] == max)
		return npivots - 1;
	if (!arange && pivots[npivots - 1])
		return npivots;
	/* No metadata (never in a released kernel): the first pivot at max, or zero. */
	for (unsigned i = 0; i < npivots; i++) {
		if (pivots[i] >= max || (i && !pivots[i]))
			return pivots[i] >= max ? i : i - 1;
	}
	return npivots;
}

static int decode_dense(const struct vh_maple_layout *l, const unsigned char *img, uint64_t min,
			uint64_t max, struct vh_maple_node *n, char *why, size_t whylen)
{
	if (!fits(l, l->dense_slot, l->dense_nslots))
		return fail(why, whylen, "dense node layout does not fit the node");
	n->nslots = l->dense_nslots;
	n->end = 0;
	for (unsigned i = 0; i < n->nslots; i++) {
		if (min + i < min || min + i > max)
			break;
		n->min[i] = n->max[i] = min + i;
		n->slot[i] = le64(img + l->dense_slot + 8 * i);
		n->end = i;
	}
	return VH_OK;
}

int vh_maple_node_decode(const struct vh_maple_layout *l, uint64_t enode, const unsigned char *img,
			 uint64_t min, uint64_t max, struct vh_maple_node *n, char *why,
			 size_t whylen)
{
	int type = (int)((enode >> l->type_shift) & l->type_mask);
	bool arange = type == l->t_arange64;
	uint32_t poff = arange ? l->a64_pivot : l->r64_pivot;
	uint32_t soff = arange ? l->a64_slot : l->r64_slot;
	uint64_t pivots[VH_MAPLE_MAX_SLOTS];
	unsigned npivots;
	uint64_t lo = min;

	memset(n, 0, sizeof(*n));
	n->addr = enode & ~l->node_mask;
	n->type = type;
	n->end = UINT32_MAX;
	n->parent = fits(l, l->parent, 1) ? le64(img + l->parent) : 0;
	if (min > max)
		return fail(why, whylen, "node range %#" PRIx64 "-%#" PRIx64 " is empty", min, max);
	if (type == l->t_dense) {
		n->leaf = true;
		return decode_dense(l, img, min, max, n, why, whylen);
	}
	if (type != l->t_leaf64 && type != l->t_range64 && !arange)
		return fail(why, whylen, "unknown node type %d", type);
	n->leaf = type == l->t_leaf64;
	n->nslots = arange ? l->a64_nslots : l->r64_nslots;
	npivots = n->nslots - 1;
	if (n->nslots < 2 || !fits(l, poff, npivots) || !fits(l, soff, n->nslots) ||
	    (l->have_meta && (arange ? l->a64_meta : l->r64_meta) + l->meta_end >= l->node_size))
		return fail(why, whylen, "node layout does not fit the node");
	for (unsigned i = 0; i < npivots; i++)
		pivots[i] = le64(img + poff + 8 * i);
	unsigned end = data_end(l, arange, pivots, npivots, img, max);

	if (end >= n->nslots)
		return fail(why, whylen, "data end %u beyond the node's %u slots", end, n->nslots);
	for (unsigned i = 0; i <= end; i++) {
		uint64_t hi = i < npivots ? pivots[i] : max;

		if (i == end && (hi == 0 || i >= npivots))
			hi = max; /* the last slot runs to the node's implied max */
		if (hi < lo || hi > max)
			return fail(why, whylen,
				    "pivot %u (%#" PRIx64 ") outside %#" PRIx64 "-%#" PRIx64, i, hi,
				    lo, max);
		n->min[i] = lo;
		n->max[i] = hi;
		n->slot[i] = le64(img + soff + 8 * i);
		n->end = i;
		if (hi == max)
			break;
		lo = hi + 1;
	}
	return VH_OK;
}

/* --- the walk ---------------------------------------------------------- */

struct walk {
	const struct vh_maple_layout *l;
	const struct vh_maple_ops *ops;
	struct vh_maple_stats *st;
	size_t max_nodes;
	uint64_t *seen; /* open addressing set of node addresses */
	size_t seen_cap, seen_n;
	uint64_t last_max; /* highest index passed on, for the order check */
	bool any;
	unsigned char *img;
	int ret; /* non-zero: stop (entry callback's value or VH_ERR_NOMEM) */
};

static void wwarn(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void wwarn(struct walk *w, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	w->st->partial = true;
	if (!w->ops->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->ops->warn(w->ops->arg, msg);
}

/* Adds @key to the visited set; false when it was there already. */
static bool seen_add(struct walk *w, uint64_t key)
{
	if ((w->seen_n + 1) * 2 > w->seen_cap) {
		size_t cap = w->seen_cap ? w->seen_cap * 2 : 256;
		uint64_t *s = calloc(cap, sizeof(*s));

		if (!s) {
			w->ret = VH_ERR_NOMEM;
			return false;
		}
		for (size_t i = 0; i < w->seen_cap; i++) {
			uint64_t k = w->seen[i];
			size_t j;

			if (!k)
				continue;
			for (j = (size_t)((k >> 8) * 0x9e3779b97f4a7c15ull) & (cap - 1); s[j];
			     j = (j + 1) & (cap - 1))
				;
			s[j] = k;
		}
		free(w->seen);
		w->seen = s;
		w->seen_cap = cap;
	}
	size_t j = (size_t)((key >> 8) * 0x9e3779b97f4a7c15ull) & (w->seen_cap - 1);

	while (w->seen[j]) {
		if (w->seen[j] == key)
			return false;
		j = (j + 1) & (w->seen_cap - 1);
	}
	w->seen[j] = key;
	w->seen_n++;
	return true;
}

static void leaf_entries(struct walk *w, const struct vh_maple_node *n)
{
	for (unsigned i = 0; n->end != UINT32_MAX && i <= n->end && !w->ret; i++) {
		uint64_t e = n->slot[i];

		if (!e)
			continue;
		if ((e & 3) == 2) {
			/* internal entries (XA_ZERO_ENTRY while forking...) are not data */
			continue;
		}
		if (w->any && n->min[i] <= w->last_max) {
			wwarn(w, "maple node %#" PRIx64 " slot %u: index %#" PRIx64 " out of order",
			      n->addr, i, n->min[i]);
			continue;
		}
		w->any = true;
		w->last_max = n->max[i];
		w->st->entries++;
		w->ret = w->ops->entry(w->ops->arg, n->min[i], n->max[i], e);
		if (w->ret)
			w->st->stopped = true;
	}
}

static void walk_node(struct walk *w, uint64_t enode, uint64_t min, uint64_t max, int depth,
		      uint64_t parent)
{
	const struct vh_maple_layout *l = w->l;
	uint64_t addr = enode & ~l->node_mask;
	struct vh_maple_node *n;
	char why[160];
	int err;

	if (depth > VH_MAPLE_HEIGHT_MAX) {
		wwarn(w, "maple node %#" PRIx64 " is deeper than %d levels", addr,
		      VH_MAPLE_HEIGHT_MAX);
		return;
	}
	if (w->st->nodes >= w->max_nodes) {
		wwarn(w, "maple tree walk stopped at node %#" PRIx64 " after %zu nodes", addr,
		      w->st->nodes);
		return;
	}
	if (!seen_add(w, addr)) {
		if (!w->ret)
			wwarn(w, "maple node %#" PRIx64 " reached twice (a cycle)", addr);
		return;
	}
	err = w->ops->read(w->ops->arg, addr, w->img, l->node_size);
	if (err) {
		wwarn(w, "maple node %#" PRIx64 " cannot be read (%s)", addr, vh_strerror(err));
		return;
	}
	w->st->nodes++;
	if (depth > w->st->height)
		w->st->height = depth;
	n = malloc(sizeof(*n));
	if (!n) {
		w->ret = VH_ERR_NOMEM;
		return;
	}
	err = vh_maple_node_decode(l, enode, w->img, min, max, n, why, sizeof(why));
	if (err)
		wwarn(w, "maple node %#" PRIx64 ": %s", addr, why);
	if (parent && (n->parent & ~l->node_mask) != parent)
		wwarn(w, "maple node %#" PRIx64 ": parent %#" PRIx64 ", reached from %#" PRIx64,
		      addr, n->parent, parent);
	if (n->leaf) {
		leaf_entries(w, n);
	} else {
		for (unsigned i = 0; n->end != UINT32_MAX && i <= n->end && !w->ret; i++) {
			uint64_t s = n->slot[i];

			/* child enodes carry type bits and MAPLE_ENODE_NULL, not the root's 0x2 */
			if (!s)
				continue;
			if (s < 4096 || (s & 3)) {
				wwarn(w,
				      "maple node %#" PRIx64 " slot %u: %#" PRIx64 " is not a node",
				      addr, i, s);
				continue;
			}
			walk_node(w, s, n->min[i], n->max[i], depth + 1, addr);
		}
	}
	free(n);
}

int vh_maple_walk(const struct vh_maple_layout *l, uint64_t root, uint64_t tree,
		  const struct vh_maple_ops *ops, struct vh_maple_stats *st)
{
	struct walk w = {.l = l, .ops = ops, .st = st};

	memset(st, 0, sizeof(*st));
	w.max_nodes = ops->max_nodes ? ops->max_nodes : DEFAULT_MAX_NODES;
	if (!root)
		return VH_OK;
	if (!vh_maple_is_node(root)) {
		if ((root & 3) == 2)
			return VH_OK; /* an internal value, no entry */
		st->entries = 1;
		return ops->entry(ops->arg, 0, 0, root);
	}
	w.img = malloc(l->node_size);
	if (!w.img)
		return VH_ERR_NOMEM;
	if (tree) {
		/* The root's parent points at the tree with MA_ROOT_PARENT set. */
		unsigned char b[8];
		uint64_t addr = root & ~l->node_mask;

		if (!ops->read(ops->arg, addr + l->parent, b, 8) &&
		    le64(b) != (tree | MA_ROOT_PARENT) && le64(b) != tree)
			wwarn(&w,
			      "maple root node %#" PRIx64 ": parent %#" PRIx64
			      " is not the tree %#" PRIx64,
			      addr, le64(b), tree);
	}
	walk_node(&w, root, 0, UINT64_MAX, 1, 0);
	free(w.img);
	free(w.seen);
	return w.ret;
}
