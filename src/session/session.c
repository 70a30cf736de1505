/* SPDX-License-Identifier: MIT */
/* A session: one dump, a kernel dump or a process core, behind one handle. */
#include "session/session_internal.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>

int vh_session_open(const char *path, const struct vh_session_options *opts,
		    struct vh_session **out)
{
	return vh_session_open_parts(&path, 1, opts, out);
}

int vh_session_open_parts(const char *const *paths, size_t n, const struct vh_session_options *opts,
			  struct vh_session **out)
{
	struct vh_session *s = calloc(1, sizeof(*s));
	int err;

	*out = NULL;
	if (!s)
		return vh_set_error(VH_ERR_NOMEM, "out of memory");
	if (opts) {
		s->opts = *opts;
		s->opts.vmlinux = NULL;
		if (opts->vmlinux && !(s->vmlinux = strdup(opts->vmlinux))) {
			free(s);
			return vh_set_error(VH_ERR_NOMEM, "out of memory");
		}
	}
	err = vh_dump_open_parts(paths, n, &s->opts.dump, &s->d);
	if (err) {
		free(s->vmlinux);
		free(s);
		return err;
	}
	s->core = vh_core_info(s->d) != NULL;
	*out = s;
	return VH_OK;
}

/* What vh_session_load() loaded, dropped after a failure (the located kernel stays). */
static void unload(struct vh_session *s)
{
	vh_vma_list_free(s->core_vmas);
	vh_maps_close(s->maps);
	vh_task_list_free(s->tl);
	s->core_vmas = NULL;
	s->maps = NULL;
	s->tl = NULL;
}

void vh_session_close(struct vh_session *s)
{
	if (!s)
		return;
	unload(s);
	vh_profile_free(s->prof);
	free(s->kmap_msg);
	free(s->prof_msg);
	vh_dump_close(s->d);
	free(s->vmlinux);
	free(s);
}

struct vh_dump *vh_session_dump(const struct vh_session *s)
{
	return s->d;
}

bool vh_session_is_core(const struct vh_session *s)
{
	return s->core;
}

/* The message of the failure that just happened, kept to be said again. */
static char *keep_errmsg(void)
{
	return strdup(vh_errmsg());
}

void vh_session_locate(struct vh_session *s)
{
	if (s->located || s->core)
		return;
	s->located = true;
	s->kmap_err = vh_kernel_map_find(s->d, &s->km);
	if (s->kmap_err) {
		s->kmap_msg = keep_errmsg();
		return;
	}
	vh_vread_kernel(&s->kr, s->d, &s->km);
	s->prof_err = vh_profile_open_kernel(s->d, &s->km, s->vmlinux, s->opts.symbols, &s->prof);
	if (s->prof_err)
		s->prof_msg = keep_errmsg();
}

/* Says the located kernel's failure again (vh_errmsg()) and returns its code. */
static int locate_error(const struct vh_session *s)
{
	int err = s->kmap_err ? s->kmap_err : s->prof_err;
	const char *msg = s->kmap_err ? s->kmap_msg : s->prof_msg;

	return vh_set_error(err, "%s", msg ? msg : "out of memory");
}

static int load_kernel(struct vh_session *s, unsigned what)
{
	unsigned flags = (what & VH_LOAD_CMDLINE) ? VH_TASKS_CMDLINE : 0;
	int err;

	vh_session_locate(s);
	if (s->kmap_err || s->prof_err)
		return locate_error(s);
	/* Without VMCOREINFO the banner is the only check that the vmlinux is the dump's kernel. */
	if (vh_kernel_check_banner(s->d, &s->km, s->prof) == VH_ERR_INVAL)
		return VH_ERR_INVAL;
	err = vh_tasks_read(s->d, &s->km, s->prof, flags, &s->tl);
	if (!err && (what & VH_LOAD_VMAS))
		err = vh_maps_open(s->d, &s->km, s->prof, &s->maps);
	return err;
}

/* A process core: its one process and its map come from the core's notes and segments. */
static int load_core(struct vh_session *s, unsigned what)
{
	int err = vh_core_tasks(s->d, &s->tl);

	if (!err && (what & VH_LOAD_VMAS))
		err = vh_core_vmas(s->d, &s->core_vmas);
	return err;
}

int vh_session_load(struct vh_session *s, unsigned what)
{
	int err;

	if (s->tl)
		return vh_set_error(VH_ERR_INVAL, "%s: the session is loaded already",
				    vh_dump_path(s->d));
	err = s->core ? load_core(s, what) : load_kernel(s, what);
	if (err)
		unload(s);
	else
		s->loaded = what;
	return err;
}

const struct vh_task_list *vh_session_tasks(const struct vh_session *s)
{
	return s->tl;
}

const struct vh_kernel_map *vh_session_kernel_map(const struct vh_session *s)
{
	return s->located && !s->kmap_err ? &s->km : NULL;
}

const struct vh_profile *vh_session_profile(const struct vh_session *s)
{
	return s->prof;
}

const struct vh_task *vh_session_find_task(const struct vh_session *s, int32_t pid)
{
	for (size_t i = 0; s->tl && i < s->tl->ntasks; i++)
		if (s->tl->tasks[i].pid == pid)
			return &s->tl->tasks[i];
	return NULL;
}

int vh_session_vmas(struct vh_session *s, const struct vh_task *t, const struct vh_vma_list **out)
{
	struct vh_vma_list *l = NULL;
	int err;

	*out = NULL;
	if (!(s->loaded & VH_LOAD_VMAS))
		return vh_set_error(VH_ERR_INVAL, "%s: the session was not loaded with its VMAs",
				    vh_dump_path(s->d));
	if (s->core) {
		*out = s->core_vmas;
		return VH_OK;
	}
	if (!t->mm)
		return vh_set_error(VH_ERR_INVAL, "pid %d has no mm", (int)t->pid);
	err = vh_vmas_read(s->maps, t->mm, &l);
	*out = l;
	return err;
}

void vh_session_vmas_put(struct vh_session *s, const struct vh_vma_list *l)
{
	/* the core's one map is the session's, handed out to every caller */
	if (l && l != s->core_vmas)
		vh_vma_list_free((struct vh_vma_list *)l);
}

static void each(const char *const *list, size_t n, void (*fn)(const char *, void *), void *arg)
{
	for (size_t i = 0; i < n; i++)
		fn(list[i], arg);
}

void vh_session_warnings(const struct vh_session *s, void (*fn)(const char *msg, void *arg),
			 void *arg)
{
	size_t n;
	const char *const *w = vh_dump_warnings(s->d, &n);

	each(w, n, fn, arg);
	if (s->prof) {
		w = vh_profile_warnings(s->prof, &n);
		each(w, n, fn, arg);
	}
	if (s->tl)
		each((const char *const *)s->tl->warnings, s->tl->nwarnings, fn, arg);
}
