/* SPDX-License-Identifier: MIT */
/* The kernel view shared by ps and maps: one way to load it, one set of errors. */
#include "cli/cli.h"
#include "report/json.h"

#include <string.h>

static int fail(const char *cmd, int err)
{
	vh_cli_error("%s: %s", cmd, vh_errmsg()[0] ? vh_errmsg() : vh_strerror(err));
	return VH_EXIT_FAILURE;
}

/* A process core: its one process and its map come from the core's notes and segments. */
static int core_open(struct vh_cli_kernel *k, const char *cmd, bool want_maps)
{
	int err;

	k->core = true;
	err = vh_core_tasks(k->d, &k->tl);
	if (!err && want_maps)
		err = vh_core_vmas(k->d, &k->core_vmas);
	if (err) {
		int code = fail(cmd, err);

		vh_cli_kernel_close(k);
		return code;
	}
	return VH_EXIT_OK;
}

int vh_cli_kernel_open(const struct vh_cli_opts *opts, const char *cmd, unsigned task_flags,
		       bool want_maps, struct vh_cli_kernel *k)
{
	int err;

	memset(k, 0, sizeof(*k));
	k->d = vh_cli_open_dump(opts);
	if (!k->d)
		return VH_EXIT_DUMP;
	if (vh_core_info(k->d))
		return core_open(k, cmd, want_maps);
	err = vh_kernel_map_find(k->d, &k->km);
	if (!err)
		err = vh_profile_open_kernel(k->d, &k->km, opts->vmlinux, opts->symbols, &k->prof);
	/* Without VMCOREINFO the banner is the only check that the vmlinux is the dump's kernel. */
	if (!err && vh_kernel_check_banner(k->d, &k->km, k->prof) == VH_ERR_INVAL)
		err = VH_ERR_INVAL;
	if (!err)
		err = vh_tasks_read(k->d, &k->km, k->prof, task_flags, &k->tl);
	if (!err && want_maps)
		err = vh_maps_open(k->d, &k->km, k->prof, &k->maps);
	if (err) {
		int code = fail(cmd, err);

		vh_cli_kernel_close(k);
		return code;
	}
	return VH_EXIT_OK;
}

void vh_cli_warning(struct vh_json *j, const char *msg)
{
	if (!j) {
		vh_cli_error("warning: %s", msg);
		return;
	}
	vh_json_begin_object(j, NULL);
	vh_json_str(j, "type", "warning");
	vh_json_str(j, "message", msg);
	vh_json_end_object(j);
	vh_json_newline(j);
}

static void warn_all(struct vh_json *j, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vh_cli_warning(j, list[i]);
}

void vh_cli_kernel_warnings(const struct vh_cli_kernel *k, struct vh_json *j)
{
	size_t n;
	const char *const *w = vh_dump_warnings(k->d, &n);

	warn_all(j, w, n);
	if (k->prof) {
		w = vh_profile_warnings(k->prof, &n);
		warn_all(j, w, n);
	}
	warn_all(j, (const char *const *)k->tl->warnings, k->tl->nwarnings);
}

void vh_cli_kernel_close(struct vh_cli_kernel *k)
{
	vh_vma_list_free(k->core_vmas);
	vh_maps_close(k->maps);
	vh_task_list_free(k->tl);
	vh_profile_free(k->prof);
	vh_dump_close(k->d);
	memset(k, 0, sizeof(*k));
}
