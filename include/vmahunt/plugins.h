/* SPDX-License-Identifier: MIT */
/*
 * The host side of plugins: finding, loading and starting the plugins a scan
 * uses (include/vmahunt/plugin.h is the side a plugin sees).
 *
 * A struct vh_plugins holds the plugins one scan runs:
 *
 *	vh_plugins_new(&ps);
 *	vh_plugins_load(ps, "yara");                 // by name, or a path
 *	vh_plugins_option(ps, "yara.rules=x.yar");    // NAME.KEY=VALUE
 *	vh_plugins_init(ps);                         // options checked, init() called
 *	... vh_scan_options.detectors = builtins + vh_plugins_detectors(ps) ...
 *	vh_plugins_free(ps);                         // fini(), dlclose()
 *
 * A name is looked for as NAME.so in the folders of VMAHUNT_PLUGIN_PATH
 * (colon-separated), then the installed plugin folder ($libdir/vmahunt/plugins),
 * then the build tree's plugin folder (for running vmahunt from its build).
 *
 * Errors say the file and what is wrong: VH_ERR_NOT_PRESENT (no such plugin
 * or file), VH_ERR_FORMAT (not a shared object, no vmahunt_plugin symbol, a
 * malformed description), VH_ERR_UNSUPPORTED (another plugin ABI version),
 * VH_ERR_INVAL (a detector id or plugin name already taken, a malformed or
 * unknown option, loading after init), or the code the plugin's init()
 * returned (its message).
 */
#ifndef VMAHUNT_PLUGINS_H
#define VMAHUNT_PLUGINS_H

#include <stddef.h>
#include <stdint.h>

#include <vmahunt/detect.h>
#include <vmahunt/export.h>
#include <vmahunt/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vh_plugins;

/**
 * vh_plugins_new() - an empty set of plugins.
 * @out: receives the set; free it with vh_plugins_free().
 *
 * Return: VH_OK or VH_ERR_NOMEM.
 */
VH_EXPORT int vh_plugins_new(struct vh_plugins **out);

/**
 * vh_plugins_free() - finish and unload every plugin of the set.
 * @ps: the set, or NULL.
 *
 * Calls fini() of every plugin whose init() succeeded, then unloads them.
 */
VH_EXPORT void vh_plugins_free(struct vh_plugins *ps);

/**
 * vh_plugins_load() - load one plugin and check its description.
 * @ps: the set (before vh_plugins_init()).
 * @name_or_path: a name (looked for as NAME.so) or a path (with a '/').
 *
 * Return: VH_OK or an error (see the top of this header).
 */
VH_EXPORT int vh_plugins_load(struct vh_plugins *ps, const char *name_or_path);

/**
 * vh_plugins_option() - give a plugin an option.
 * @ps: the set (before vh_plugins_init()).
 * @spec: "NAME.KEY=VALUE"; a key may be given several times.
 *
 * The plugin and the key are checked by vh_plugins_init(), so options may
 * come before the plugin they are for.
 *
 * Return: VH_OK, VH_ERR_INVAL (not NAME.KEY=VALUE), VH_ERR_NOMEM.
 */
VH_EXPORT int vh_plugins_option(struct vh_plugins *ps, const char *spec);

/**
 * vh_plugins_check() - check that every option names a loaded plugin and a key it takes.
 * @ps: the set, every plugin loaded and every option given.
 *
 * vh_plugins_init() checks this too; calling it first tells a caller's
 * mistake (a wrong option) from a plugin's failure to start.
 *
 * Return: VH_OK, or VH_ERR_INVAL (vh_errmsg() names the option and the keys
 * the plugin takes).
 */
VH_EXPORT int vh_plugins_check(const struct vh_plugins *ps);

/**
 * vh_plugins_init() - check every option and start every plugin, in load order.
 * @ps: the set.
 *
 * Return: VH_OK; VH_ERR_INVAL for an option no loaded plugin takes; a
 * plugin's init() error (vh_errmsg() has its message). After a failure no
 * plugin's detectors may run: free the set.
 */
VH_EXPORT int vh_plugins_init(struct vh_plugins *ps);

/**
 * vh_plugins_detectors() - the detectors the set's plugins add.
 * @ps: the set.
 * @n: receives their count.
 *
 * Each is a struct vh_detector the scan engine runs like a built-in one;
 * they stay valid until vh_plugins_free(), and run only after vh_plugins_init().
 *
 * Return: the array of @n pointers.
 */
VH_EXPORT const struct vh_detector *const *vh_plugins_detectors(const struct vh_plugins *ps,
								size_t *n);

/**
 * vh_plugins_find_detector() - a detector of the set by id.
 * @ps: the set.
 * @id: the id.
 *
 * Return: the detector, or NULL.
 */
VH_EXPORT const struct vh_detector *vh_plugins_find_detector(const struct vh_plugins *ps,
							     const char *id);

/**
 * vh_plugin_desc_detector() - the @i-th detector of a plugin's description.
 * @desc: a description a plugin returned (checked by the host).
 * @i: below desc->ndetectors.
 *
 * The array's stride is the plugin's struct size, which may differ from this
 * header's: index it through this call.
 *
 * Return: the detector.
 */
VH_EXPORT const struct vh_plugin_detector *vh_plugin_desc_detector(const struct vh_plugin *desc,
								   size_t i);

/* One plugin file found by vh_plugins_list(). */
struct vh_plugin_listing {
	const char *path;	      /* the file */
	const char *dir_source;	      /* "VMAHUNT_PLUGIN_PATH", "installed", "build tree" */
	const struct vh_plugin *desc; /* its description, NULL when it does not load */
	const char *error;	      /* why it does not load, NULL when it does */
	uint32_t abi_version;	      /* the ABI it was built for (0 when unknown) */
};

/**
 * vh_plugins_list() - every plugin file of the search path.
 * @fn: called with each *.so found, in search order (a file is loaded to read
 *      its description and unloaded after @fn returns).
 * @arg: given to @fn.
 *
 * Return: the number of files found.
 */
VH_EXPORT size_t vh_plugins_list(void (*fn)(const struct vh_plugin_listing *l, void *arg),
				 void *arg);

#ifdef __cplusplus
}
#endif
#endif
