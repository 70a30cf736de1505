/* SPDX-License-Identifier: MIT */
/* The plugin host's insides, shared by the files of src/plugin. */
#ifndef VH_PLUGIN_INTERNAL_H
#define VH_PLUGIN_INTERNAL_H

#include <vmahunt/plugins.h>
#include <vmahunt/vmahunt.h>

struct vh_plugins;

/*
 * A plugin detector as the scan engine sees it: a struct vh_detector whose
 * callbacks call the plugin's, with a context handle over the engine's.
 */
struct vh_adapter {
	struct vh_detector det; /* det.priv points back here */
	struct vh_plugins *ps;
	size_t plugin;		      /* its plugin: ps->v[plugin] */
	struct vh_plugin_detector pd; /* the plugin's, zero past what its struct has */
};

/* One loaded plugin. */
struct vh_loaded {
	void *dl;
	char *path;
	const struct vh_plugin *desc;
	void *state; /* what its init() returned */
	bool inited;
	struct vh_adapter *adapters; /* one per detector; the array never moves */
	size_t nadapters;
};

/* One --plugin-opt NAME.KEY=VALUE: one allocation, plugin "\0" key "\0" value. */
struct vh_plugin_opt {
	char *plugin;
	const char *key;
	const char *value;
};

struct vh_plugins {
	struct vh_loaded *v;
	size_t n;
	struct vh_plugin_opt *opts;
	size_t nopts;
	const struct vh_detector **dets; /* every adapter's det, in load order */
	size_t ndets;
	bool inited;
	struct vh_kallsyms *ksyms; /* loaded on the first symbol lookup a profile cannot answer */
	bool ksyms_tried;
};

/* What init() gets. */
struct vh_plugin_host {
	struct vh_plugins *ps;
	struct vh_loaded *lp;
	char error[512]; /* vh_plugin_host_error()'s message */
};

/* What a detector callback gets: the engine's context and the adapter. */
struct vh_plugin_ctx {
	struct vh_detect_ctx *dctx;
	struct vh_adapter *a;
};

/* Fills @a for detector @pd of plugin number @plugin of @ps. */
void vh_plugin_adapter_init(struct vh_adapter *a, struct vh_plugins *ps, size_t plugin,
			    const struct vh_plugin_detector *pd);

/* @v as the ABI describes a VMA, filled whole (the host's struct size). */
void vh_plugin_vma_fill(const struct vh_vma *v, struct vh_plugin_vma *out);

#endif
