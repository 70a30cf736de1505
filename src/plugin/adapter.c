/* SPDX-License-Identifier: MIT */
/* A plugin's detectors as the scan engine runs them: adapters over struct vh_detector. */
#include "plugin/plugin_internal.h"

#include <string.h>

static void *plugin_state(const struct vh_adapter *a)
{
	return a->ps->v[a->plugin].state;
}

/* The engine's per-run state of an adapter is the adapter itself. */
static int adapter_init(const struct vh_detector *self, void **state)
{
	*state = (void *)self->priv;
	return VH_OK;
}

static int adapter_task(void *state, struct vh_detect_ctx *dctx)
{
	struct vh_adapter *a = state;
	struct vh_plugin_ctx ctx = {.dctx = dctx, .a = a};

	return a->pd.process(plugin_state(a), &ctx);
}

/* @v as the ABI describes a VMA (the host's struct size: a plugin reads what it knows). */
void vh_plugin_vma_fill(const struct vh_vma *v, struct vh_plugin_vma *out)
{
	memset(out, 0, sizeof(*out));
	out->struct_size = sizeof(*out);
	out->start = v->start;
	out->end = v->end;
	out->vm_flags = v->flags;
	out->offset = v->offset;
	out->inode = v->inode;
	out->dev_major = v->major;
	out->dev_minor = v->minor;
	memcpy(out->perms, v->perms, sizeof(out->perms) - 1);
	out->path = v->path ? v->path : "";
}

static int adapter_vma(void *state, struct vh_detect_ctx *dctx, const struct vh_vma *v)
{
	struct vh_adapter *a = state;
	struct vh_plugin_ctx ctx = {.dctx = dctx, .a = a};
	struct vh_plugin_vma pv;

	vh_plugin_vma_fill(v, &pv);
	return a->pd.vma(plugin_state(a), &ctx, &pv);
}

static int adapter_finish(void *state, struct vh_detect_ctx *dctx)
{
	struct vh_adapter *a = state;
	struct vh_plugin_ctx ctx = {.dctx = dctx, .a = a};

	return a->pd.finish(plugin_state(a), &ctx);
}

void vh_plugin_adapter_init(struct vh_adapter *a, struct vh_plugins *ps, size_t plugin,
			    const struct vh_plugin_detector *pd)
{
	size_t n = pd->struct_size < sizeof(a->pd) ? pd->struct_size : sizeof(a->pd);

	memset(a, 0, sizeof(*a));
	memcpy(&a->pd, pd, n); /* a smaller (older) struct leaves the newer fields zero */
	a->ps = ps;
	a->plugin = plugin;
	a->det.id = a->pd.id;
	a->det.summary = a->pd.summary ? a->pd.summary : "";
	if (a->pd.needs & VH_PLUGIN_NEEDS_CONTENT)
		a->det.needs |= VH_DETECT_CONTENT;
	if (!(a->pd.needs & VH_PLUGIN_NEEDS_KERNEL))
		a->det.needs |= VH_DETECT_PROCESS;
	a->det.priv = a;
	a->det.init = adapter_init;
	a->det.task = a->pd.process ? adapter_task : NULL;
	a->det.vma = a->pd.vma ? adapter_vma : NULL;
	a->det.finish = a->pd.finish ? adapter_finish : NULL;
}
