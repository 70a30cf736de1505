/* SPDX-License-Identifier: MIT */
/* A file's page cache: see kernel/pagecache.h. */
#include "kernel/pagecache.h"

#include "kernel/kmem.h"
#include "kernel/xarray.h"
#include "util/warnings.h"
#include "util/grow.h"

#include <vmahunt/error.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WARNINGS 16
#define MAX_NODES    (1u << 20)

struct walk {
	struct vh_vread *kr;
	struct vh_pc_list *l;
	size_t cap;
	uint64_t max_index;
	bool nomem;
};

static int rd(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct walk *w = arg;

	if (!vh_kptr_ok(w->kr, addr))
		return VH_ERR_CORRUPT;
	return vh_vread(w->kr, addr, buf, len);
}

static void warn(struct vh_pc_list *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct vh_pc_list *l, const char *fmt, ...)
{
	va_list ap;

	l->partial = true;
	if (l->nwarnings >= MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vh_warnings_vadd(&l->warnings, &l->nwarnings, fmt, ap);
	va_end(ap);
}

static void on_warn(void *arg, const char *msg)
{
	struct walk *w = arg;

	warn(w->l, "%s", msg);
}

static int on_span(void *arg, uint64_t index, uint64_t n, uint64_t entry)
{
	struct walk *w = arg;
	struct vh_pc_list *l = w->l;

	if (index >= w->max_index)
		return 1; /* index order: nothing wanted follows */
	if (n > w->max_index - index)
		n = w->max_index - index;
	if (l->n == w->cap) {
		struct vh_pc_entry *g = vh_grow(l->e, l->n, &w->cap, sizeof(*g), 64);

		if (!g) {
			w->nomem = true;
			return 1;
		}
		l->e = g;
	}
	l->e[l->n++] = (struct vh_pc_entry){index, n, entry};
	return 0;
}

int vh_pagecache_read(struct vh_vread *kr, const struct vh_profile *p, uint64_t mapping,
		      uint64_t max_index, struct vh_pc_list *out)
{
	struct vh_xa_layout lay;
	struct walk w = {kr, out, 0, max_index, false};
	struct vh_xa_ops ops = {.read = rd, .warn = on_warn, .arg = &w, .span = on_span};
	struct vh_xa_stats st;
	uint64_t head = 0, xa;
	int err;

	memset(out, 0, sizeof(*out));
	if (!vh_present(&p->address_space.i_pages) || !vh_present(&p->xarray.xa_head) ||
	    vh_xa_layout_from_profile(p, &lay))
		return VH_ERR_NOT_PRESENT;
	xa = mapping + p->address_space.i_pages.offset;
	err = vh_member_read(kr, xa, &p->xarray.xa_head, &head);
	if (err) {
		warn(out, "address_space %#" PRIx64 ": i_pages cannot be read (%s)", mapping,
		     vh_strerror(err));
		return err;
	}
	vh_member_read(kr, mapping, &p->address_space.nrpages, &out->nrpages);
	if (!max_index)
		return VH_OK;
	ops.max_nodes = max_index / 32 + 64 < MAX_NODES ? (size_t)(max_index / 32 + 64) : MAX_NODES;
	vh_xa_walk(&lay, head, &ops, &st);
	if (w.nomem)
		return VH_ERR_NOMEM;
	return VH_OK;
}

void vh_pc_list_free(struct vh_pc_list *l)
{
	if (!l)
		return;
	vh_warnings_free(l->warnings, l->nwarnings);
	free(l->e);
	memset(l, 0, sizeof(*l));
}

int vh_pagecache_folio(struct vh_vread *kr, const struct vh_profile *p, const struct vh_vmemmap *vm,
		       uint64_t max_pfn, uint64_t mapping, uint64_t page, uint64_t *pfn,
		       uint64_t *owner)
{
	int err;

	*owner = 0;
	if (!vh_vmemmap_pfn(vm, page, max_pfn, pfn))
		return VH_ERR_CORRUPT;
	err = vh_member_read(kr, page, &p->page.mapping, owner);
	if (err)
		return err;
	return *owner == mapping ? VH_OK : VH_ERR_CORRUPT;
}

int vh_inode_fs_magic(struct vh_vread *kr, const struct vh_profile *p, uint64_t inode,
		      uint32_t *magic)
{
	uint64_t sb = 0, v = 0;
	int err = vh_member_read(kr, inode, &p->inode.i_sb, &sb);

	*magic = 0;
	if (err)
		return err;
	if (!vh_kptr_ok(kr, sb))
		return VH_ERR_CORRUPT;
	err = vh_member_read(kr, sb, &p->super_block.s_magic, &v);
	if (!err)
		*magic = (uint32_t)v;
	return err;
}
