/* SPDX-License-Identifier: MIT */
/* XArray reader: see kernel/xarray.h. */
#include "kernel/xarray.h"

#include <vmahunt/error.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_MAX_NODES (1u << 16)
#define MAX_NODE_BYTES	  (64 + 8 * VH_XA_MAX_SLOTS) /* header and slots of any sane layout */

/* Entries with low bits 10 are internal (xa_is_internal()). */
static bool is_internal(uint64_t v)
{
	return (v & 3) == 2;
}

/* xa_is_node(): an internal entry above 4096. */
static bool is_node(uint64_t v)
{
	return is_internal(v) && v > 4096;
}

int vh_xa_layout_from_profile(const struct vh_profile *p, struct vh_xa_layout *l)
{
	const struct vh_prof_xa_node *n = &p->xa_node;
	unsigned nslots;

	memset(l, 0, sizeof(*l));
	if (!vh_present(&n->shift) || !vh_present(&n->offset) || !vh_present(&n->parent) ||
	    !vh_present(&n->slots))
		return VH_ERR_NOT_PRESENT;
	nslots = n->slots.nelem ? n->slots.nelem : VH_XA_MAX_SLOTS;
	if (nslots > VH_XA_MAX_SLOTS || n->slots.offset > 64)
		return VH_ERR_NOT_PRESENT;
	l->shift = n->shift.offset;
	l->offset = n->offset.offset;
	l->parent = n->parent.offset;
	l->slots = n->slots.offset;
	l->nslots = nslots;
	l->node_size = l->slots + 8 * nslots;
	l->chunk_shift = (unsigned)p->c.XA_CHUNK_SHIFT.value;
	if (l->chunk_shift == 0 || l->chunk_shift > 8 || (1u << l->chunk_shift) != nslots)
		l->chunk_shift = 6;
	return VH_OK;
}

struct walk {
	const struct vh_xa_layout *l;
	const struct vh_xa_ops *ops;
	struct vh_xa_stats *st;
	size_t max_nodes;
};

static void warn(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct walk *w, const char *fmt, ...)
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

static uint64_t get(const unsigned char *img, uint32_t off, size_t size)
{
	uint64_t v = 0;

	for (size_t i = size; i > 0; i--)
		v = v << 8 | img[off + i - 1];
	return v;
}

static int walk_node(struct walk *w, uint64_t node, uint64_t parent, unsigned slot, int shift,
		     uint64_t base, int depth);

/* xa_is_sibling(): an internal entry naming slot @of of the same node. */
static bool is_sibling_of(uint64_t v, unsigned of)
{
	return is_internal(v) && v >> 2 == of;
}

/*
 * One slot's value of the node at @node (of shift @shift) for index @index;
 * @nsib sibling slots after it name it (a multi-index entry).
 */
static int walk_slot(struct walk *w, uint64_t node, int shift, unsigned i, uint64_t index,
		     uint64_t v, int depth, unsigned nsib)
{
	if (!v)
		return 0;
	if (is_node(v)) {
		if (shift == 0) {
			warn(w,
			     "xarray node %#" PRIx64 ": leaf slot %u holds node pointer %#" PRIx64,
			     node, i, v);
			return 0;
		}
		return walk_node(w, v - 2, node, i, shift - (int)w->l->chunk_shift, index,
				 depth + 1);
	}
	if (is_internal(v))
		return 0; /* a sibling, retry or zero entry: no value of its own */
	w->st->entries++;
	if (w->ops->span || w->ops->entry) {
		uint64_t n = shift >= 57 ? UINT64_MAX : (uint64_t)(nsib + 1) << shift;
		int r = w->ops->span ? w->ops->span(w->ops->arg, index, n, v)
				     : w->ops->entry(w->ops->arg, index, v);

		if (r) {
			w->st->stopped = true;
			return r;
		}
	}
	return 0;
}

/*
 * The node at @node, reached from slot @slot of @parent (0 for the root); it
 * must have shift @shift (-1: any, for the root) and cover indices from @base.
 */
static int walk_node(struct walk *w, uint64_t node, uint64_t parent, unsigned slot, int shift,
		     uint64_t base, int depth)
{
	const struct vh_xa_layout *l = w->l;
	unsigned char img[MAX_NODE_BYTES];
	unsigned nshift, noff;
	uint64_t nparent;
	int err;

	if (depth > VH_XA_MAX_HEIGHT) {
		warn(w, "xarray node %#" PRIx64 ": deeper than %d levels", node, VH_XA_MAX_HEIGHT);
		return 0;
	}
	if (w->st->nodes >= w->max_nodes) {
		warn(w, "xarray: more than %zu nodes, node %#" PRIx64 " not read", w->max_nodes,
		     node);
		return 0;
	}
	err = w->ops->read(w->ops->arg, node, img, l->node_size);
	if (err) {
		warn(w, "xarray node %#" PRIx64 " cannot be read (%s)", node, vh_strerror(err));
		return 0;
	}
	w->st->nodes++;
	nshift = (unsigned)get(img, l->shift, 1);
	noff = (unsigned)get(img, l->offset, 1);
	nparent = get(img, l->parent, 8);
	if (nparent != parent || (parent && noff != slot)) {
		warn(w,
		     "xarray node %#" PRIx64 ": parent %#" PRIx64 " offset %u, expected %#" PRIx64
		     " offset %u",
		     node, nparent, noff, parent, slot);
		return 0;
	}
	if ((shift >= 0 && nshift != (unsigned)shift) || nshift % l->chunk_shift ||
	    nshift / l->chunk_shift >= VH_XA_MAX_HEIGHT) {
		warn(w, "xarray node %#" PRIx64 ": shift %u, expected %d", node, nshift, shift);
		return 0;
	}
	for (unsigned i = 0; i < l->nslots; i++) {
		uint64_t v = get(img, l->slots + 8 * i, 8);
		uint64_t index = base + ((uint64_t)i << nshift);
		unsigned nsib = 0;
		int r;

		while (v && !is_internal(v) && i + 1 + nsib < l->nslots &&
		       is_sibling_of(get(img, l->slots + 8 * (i + 1 + nsib), 8), i))
			nsib++;
		r = walk_slot(w, node, (int)nshift, i, index, v, depth, nsib);

		if (r)
			return r;
	}
	return 0;
}

int vh_xa_walk(const struct vh_xa_layout *l, uint64_t head, const struct vh_xa_ops *ops,
	       struct vh_xa_stats *st)
{
	struct walk w = {l, ops, st, ops->max_nodes ? ops->max_nodes : DEFAULT_MAX_NODES};

	memset(st, 0, sizeof(*st));
	if (l->node_size > MAX_NODE_BYTES || l->nslots > VH_XA_MAX_SLOTS || !l->chunk_shift) {
		warn(&w, "xarray: unusable node layout (%u bytes, %u slots)", l->node_size,
		     l->nslots);
		return 0;
	}
	if (!head)
		return 0;
	if (is_node(head))
		return walk_node(&w, head - 2, 0, 0, -1, 0, 1);
	return walk_slot(&w, 0, 0, 0, 0, head, 0, 0);
}
