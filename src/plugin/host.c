/* SPDX-License-Identifier: MIT */
/* Plugins: finding and loading them, their options, their start and end. */
#include "plugin/plugin_internal.h"

#include "util/error.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The v1 sizes: what a plugin built against ABI 1 has at least. */
#define V1_PLUGIN_SIZE	 (offsetof(struct vh_plugin, fini) + sizeof(void (*)(void *)))
#define V1_DETECTOR_SIZE (offsetof(struct vh_plugin_detector, finish) + sizeof(void *))

int vh_plugins_new(struct vh_plugins **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? VH_OK : vh_set_error(VH_ERR_NOMEM, "out of memory");
}

void vh_plugins_free(struct vh_plugins *ps)
{
	if (!ps)
		return;
	for (size_t i = ps->n; i-- > 0;) {
		struct vh_loaded *lp = &ps->v[i];

		if (lp->inited && lp->desc->fini)
			lp->desc->fini(lp->state);
		free(lp->adapters);
		free(lp->path);
		if (lp->dl)
			dlclose(lp->dl);
	}
	for (size_t i = 0; i < ps->nopts; i++)
		free(ps->opts[i].plugin);
	free(ps->opts);
	free(ps->dets);
	free(ps->v);
	vh_kallsyms_free(ps->ksyms);
	free(ps);
}

/* [a-z0-9_-]+: names and ids that become option prefixes and JSON values. */
static bool valid_name(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_'))
			return false;
	return true;
}

/* The folders a name is looked for in, in order; @src says where each came from. */
static size_t search_dirs(char **dirs, const char **src, size_t max, char *buf, size_t len)
{
	const char *env = getenv("VMAHUNT_PLUGIN_PATH");
	size_t n = 0;

	snprintf(buf, len, "%s", env ? env : "");
	for (char *save = NULL, *d = strtok_r(buf, ":", &save); d && n < max;
	     d = strtok_r(NULL, ":", &save)) {
		src[n] = "VMAHUNT_PLUGIN_PATH";
		dirs[n++] = d;
	}
	if (n < max) {
		src[n] = "installed";
		dirs[n++] = (char *)VMAHUNT_PLUGIN_DIR;
	}
	if (n < max) {
		src[n] = "build tree";
		dirs[n++] = (char *)VMAHUNT_BUILD_PLUGIN_DIR;
	}
	return n;
}

#define MAX_DIRS 32

/* The file of plugin @name: the first NAME.so of the search path. */
static int find_plugin(const char *name, char **path)
{
	char buf[4096], tried[1024] = "", *dirs[MAX_DIRS];
	const char *src[MAX_DIRS];
	size_t n = search_dirs(dirs, src, MAX_DIRS, buf, sizeof(buf));
	struct stat st;

	for (size_t i = 0; i < n; i++) {
		if (asprintf(path, "%s/%s.so", dirs[i], name) < 0)
			return vh_set_error(VH_ERR_NOMEM, "out of memory");
		if (stat(*path, &st) == 0 && S_ISREG(st.st_mode))
			return VH_OK;
		free(*path);
		*path = NULL;
		strncat(tried, i ? ", " : "", sizeof(tried) - strlen(tried) - 1);
		strncat(tried, dirs[i], sizeof(tried) - strlen(tried) - 1);
	}
	return vh_set_error(VH_ERR_NOT_PRESENT,
			    "plugin '%s': no %s.so in the plugin search path (%s; set "
			    "VMAHUNT_PLUGIN_PATH, or give the file's path)",
			    name, name, tried);
}

const struct vh_plugin_detector *vh_plugin_desc_detector(const struct vh_plugin *desc, size_t i)
{
	size_t stride = desc->detectors[0].struct_size;

	return (const struct vh_plugin_detector *)((const char *)desc->detectors + i * stride);
}

/* The description a plugin's entry point returned, checked; @path names it in messages. */
static int check_desc(const struct vh_plugin *desc, const char *path)
{
	if (desc->abi_version != VH_PLUGIN_ABI_VERSION)
		return vh_set_error(VH_ERR_UNSUPPORTED,
				    "plugin %s: built for plugin ABI %u, this vmahunt has ABI %d: "
				    "rebuild it against this vmahunt's <vmahunt/plugin.h>",
				    path, desc->abi_version, VH_PLUGIN_ABI_VERSION);
	if (desc->struct_size < V1_PLUGIN_SIZE)
		return vh_set_error(VH_ERR_FORMAT,
				    "plugin %s: struct vh_plugin of %u bytes, ABI %d needs %zu",
				    path, desc->struct_size, VH_PLUGIN_ABI_VERSION, V1_PLUGIN_SIZE);
	if (!valid_name(desc->name))
		return vh_set_error(
		    VH_ERR_FORMAT, "plugin %s: its name must be letters a-z, digits, - or _", path);
	if (!desc->detectors || !desc->ndetectors || desc->ndetectors > VH_SCAN_MAX_DETECTORS)
		return vh_set_error(VH_ERR_FORMAT, "plugin %s: %zu detectors (1 to %d expected)",
				    path, desc->ndetectors, VH_SCAN_MAX_DETECTORS);
	if (desc->detectors[0].struct_size < V1_DETECTOR_SIZE)
		return vh_set_error(VH_ERR_FORMAT,
				    "plugin %s: struct vh_plugin_detector of %u bytes, ABI %d "
				    "needs %zu",
				    path, desc->detectors[0].struct_size, VH_PLUGIN_ABI_VERSION,
				    V1_DETECTOR_SIZE);
	for (size_t i = 0; i < desc->ndetectors; i++)
		if (!valid_name(vh_plugin_desc_detector(desc, i)->id))
			return vh_set_error(VH_ERR_FORMAT,
					    "plugin %s: detector %zu: its id must be letters a-z, "
					    "digits, - or _",
					    path, i);
	return VH_OK;
}

/* dlopen() and the entry point; *dl is set (to close) even when the description is bad. */
static int open_plugin(const char *path, void **dl, const struct vh_plugin **desc)
{
	const struct vh_plugin *(*entry)(void);

	*desc = NULL;
	*dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!*dl)
		return vh_set_error(VH_ERR_FORMAT,
				    "plugin %s: cannot load it as a shared object: %s", path,
				    dlerror());
	*(void **)&entry = dlsym(*dl, VH_PLUGIN_ENTRY);
	if (!entry)
		return vh_set_error(VH_ERR_FORMAT, "plugin %s: no symbol %s: not a vmahunt plugin",
				    path, VH_PLUGIN_ENTRY);
	*desc = entry();
	if (!*desc)
		return vh_set_error(VH_ERR_FORMAT, "plugin %s: %s() returned no description", path,
				    VH_PLUGIN_ENTRY);
	return check_desc(*desc, path);
}

/* Who already has detector id @id: a built-in detector or a loaded plugin. */
static const char *id_taken(const struct vh_plugins *ps, const char *id)
{
	if (vh_detector_find(id))
		return "a built-in detector";
	for (size_t i = 0; i < ps->n; i++)
		for (size_t k = 0; k < ps->v[i].nadapters; k++)
			if (!strcmp(ps->v[i].adapters[k].det.id, id))
				return ps->v[i].desc->name;
	return NULL;
}

static int check_unique(const struct vh_plugins *ps, const struct vh_loaded *lp)
{
	for (size_t i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i].desc->name, lp->desc->name))
			return vh_set_error(VH_ERR_INVAL,
					    "plugin %s: a plugin named '%s' is loaded already (%s)",
					    lp->path, lp->desc->name, ps->v[i].path);
	for (size_t i = 0; i < lp->desc->ndetectors; i++) {
		const char *id = vh_plugin_desc_detector(lp->desc, i)->id;
		const char *who = id_taken(ps, id);

		for (size_t k = 0; !who && k < i; k++)
			if (!strcmp(vh_plugin_desc_detector(lp->desc, k)->id, id))
				who = "itself";
		if (who)
			return vh_set_error(VH_ERR_INVAL,
					    "plugin %s: detector id '%s' is taken by %s", lp->path,
					    id, who);
	}
	return VH_OK;
}

/* Adds @lp (loaded, checked) to the set, with its detectors. */
static int add_loaded(struct vh_plugins *ps, struct vh_loaded *lp)
{
	struct vh_loaded *grown = realloc(ps->v, (ps->n + 1) * sizeof(*grown));
	const struct vh_detector **dets;

	if (!grown)
		return vh_set_error(VH_ERR_NOMEM, "out of memory");
	ps->v = grown;
	dets = realloc(ps->dets, (ps->ndets + lp->desc->ndetectors) * sizeof(*dets));
	if (!dets)
		return vh_set_error(VH_ERR_NOMEM, "out of memory");
	ps->dets = dets;
	lp->adapters = calloc(lp->desc->ndetectors, sizeof(*lp->adapters));
	if (!lp->adapters)
		return vh_set_error(VH_ERR_NOMEM, "out of memory");
	lp->nadapters = lp->desc->ndetectors;
	ps->v[ps->n] = *lp;
	/* the adapters point at their plugin: set them once it has its place */
	for (size_t i = 0; i < lp->nadapters; i++) {
		vh_plugin_adapter_init(&ps->v[ps->n].adapters[i], ps, ps->n,
				       vh_plugin_desc_detector(lp->desc, i));
		ps->dets[ps->ndets++] = &ps->v[ps->n].adapters[i].det;
	}
	ps->n++;
	return VH_OK;
}

int vh_plugins_load(struct vh_plugins *ps, const char *name_or_path)
{
	struct vh_loaded lp = {0};
	struct stat st;
	int err;

	if (ps->inited)
		return vh_set_error(VH_ERR_INVAL, "plugin %s: plugins are started already",
				    name_or_path);
	if (strchr(name_or_path, '/')) {
		if (stat(name_or_path, &st) != 0)
			return vh_set_error(VH_ERR_NOT_PRESENT, "plugin %s: no such file",
					    name_or_path);
		lp.path = strdup(name_or_path);
		if (!lp.path)
			return vh_set_error(VH_ERR_NOMEM, "out of memory");
	} else if ((err = find_plugin(name_or_path, &lp.path))) {
		return err;
	}
	err = open_plugin(lp.path, &lp.dl, &lp.desc);
	if (!err)
		err = check_unique(ps, &lp);
	if (!err)
		err = add_loaded(ps, &lp);
	if (err) {
		free(lp.adapters);
		free(lp.path);
		if (lp.dl)
			dlclose(lp.dl);
	}
	return err;
}

int vh_plugins_option(struct vh_plugins *ps, const char *spec)
{
	const char *dot = strchr(spec, '.'), *eq = strchr(spec, '=');
	struct vh_plugin_opt *grown, *o;

	if (!dot || !eq || dot > eq || dot == spec || eq == dot + 1)
		return vh_set_error(VH_ERR_INVAL, "plugin option '%s': NAME.KEY=VALUE expected",
				    spec);
	grown = realloc(ps->opts, (ps->nopts + 1) * sizeof(*grown));
	if (!grown)
		return vh_set_error(VH_ERR_NOMEM, "out of memory");
	ps->opts = grown;
	o = &ps->opts[ps->nopts];
	o->plugin = strdup(spec);
	if (!o->plugin)
		return vh_set_error(VH_ERR_NOMEM, "out of memory");
	/* one copy, cut in three: plugin \0 key \0 value */
	o->key = o->plugin + (dot - spec) + 1;
	o->value = o->plugin + (eq - spec) + 1;
	o->plugin[dot - spec] = '\0';
	o->plugin[eq - spec] = '\0';
	ps->nopts++;
	return VH_OK;
}

static const struct vh_loaded *loaded_by_name(const struct vh_plugins *ps, const char *name)
{
	for (size_t i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i].desc->name, name))
			return &ps->v[i];
	return NULL;
}

static bool takes_option(const struct vh_plugin *desc, const char *key)
{
	for (const char *const *k = desc->options; k && *k; k++)
		if (!strcmp(*k, key))
			return true;
	return false;
}

/* Every option names a loaded plugin and a key it takes. */
int vh_plugins_check(const struct vh_plugins *ps)
{
	for (size_t i = 0; i < ps->nopts; i++) {
		const struct vh_plugin_opt *o = &ps->opts[i];
		const struct vh_loaded *lp = loaded_by_name(ps, o->plugin);
		char keys[512] = "";

		if (!lp)
			return vh_set_error(
			    VH_ERR_INVAL,
			    "plugin option '%s.%s': no plugin '%s' is loaded (--plugin %s)",
			    o->plugin, o->key, o->plugin, o->plugin);
		if (takes_option(lp->desc, o->key))
			continue;
		for (const char *const *k = lp->desc->options; k && *k; k++) {
			strncat(keys, keys[0] ? ", " : "", sizeof(keys) - strlen(keys) - 1);
			strncat(keys, *k, sizeof(keys) - strlen(keys) - 1);
		}
		return vh_set_error(VH_ERR_INVAL,
				    "plugin option '%s.%s': plugin %s takes no option '%s' (%s%s)",
				    o->plugin, o->key, o->plugin, o->key,
				    keys[0] ? "it takes: " : "it takes none", keys);
	}
	return VH_OK;
}

int vh_plugins_init(struct vh_plugins *ps)
{
	int err = vh_plugins_check(ps);

	for (size_t i = 0; !err && i < ps->n; i++) {
		struct vh_loaded *lp = &ps->v[i];
		struct vh_plugin_host host = {.ps = ps, .lp = lp};

		if (lp->desc->init)
			err = lp->desc->init(&host, &lp->state);
		if (err) {
			if (err > 0 || err < VH_ERR_NOT_MAPPED)
				err = VH_ERR_INVAL; /* not one of ours: still a failure */
			return vh_set_error(err, "plugin %s: init failed: %s", lp->desc->name,
					    host.error[0] ? host.error : vh_strerror(err));
		}
		lp->inited = true;
	}
	if (!err)
		ps->inited = true;
	return err;
}

const struct vh_detector *const *vh_plugins_detectors(const struct vh_plugins *ps, size_t *n)
{
	*n = ps->ndets;
	return ps->dets;
}

const struct vh_detector *vh_plugins_find_detector(const struct vh_plugins *ps, const char *id)
{
	for (size_t i = 0; i < ps->ndets; i++)
		if (!strcmp(ps->dets[i]->id, id))
			return ps->dets[i];
	return NULL;
}

/* One file of a folder of the search path, described for vh_plugins_list(). */
static void list_one(const char *path, const char *src,
		     void (*fn)(const struct vh_plugin_listing *l, void *arg), void *arg)
{
	struct vh_plugin_listing l = {.path = path, .dir_source = src};
	void *dl = NULL;
	const struct vh_plugin *desc;
	int err = open_plugin(path, &dl, &desc);

	l.abi_version = desc ? desc->abi_version : 0;
	if (err)
		l.error = vh_errmsg();
	else
		l.desc = desc;
	fn(&l, arg);
	if (dl)
		dlclose(dl);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_so(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 3 && !strcmp(e->d_name + n - 3, ".so");
}

size_t vh_plugins_list(void (*fn)(const struct vh_plugin_listing *l, void *arg), void *arg)
{
	char buf[4096], *dirs[MAX_DIRS];
	const char *src[MAX_DIRS];
	size_t ndirs = search_dirs(dirs, src, MAX_DIRS, buf, sizeof(buf)), found = 0;

	for (size_t i = 0; i < ndirs; i++) {
		struct dirent **names;
		int n = scandir(dirs[i], &names, is_so, by_name);

		for (int k = 0; k < n; k++) {
			char *path;

			if (asprintf(&path, "%s/%s", dirs[i], names[k]->d_name) >= 0) {
				list_one(path, src[i], fn, arg);
				free(path);
				found++;
			}
			free(names[k]);
		}
		if (n >= 0)
			free(names);
	}
	return found;
}
