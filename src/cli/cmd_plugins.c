/* SPDX-License-Identifier: MIT */
/* Plugins on the command line: --plugin for scan, and `vmahunt plugins`. */
#include "cli/cli.h"
#include "report/json.h"

#include <vmahunt/plugins.h>

#include <stdio.h>

/*
 * A plugin the command line names wrongly is a usage error; a broken one is
 * not, nor is a plugin's failed init() whatever its code (@started: the
 * error is init()'s, which may well be VH_ERR_INVAL or VH_ERR_NOT_PRESENT).
 */
static int exit_code(int err, bool started)
{
	if (started)
		return VH_EXIT_FAILURE;
	return err == VH_ERR_NOT_PRESENT || err == VH_ERR_INVAL ? VH_EXIT_USAGE : VH_EXIT_FAILURE;
}

int vh_cli_plugins(const struct vh_cli_opts *opts, const char *cmd, struct vh_plugins **ps)
{
	int err = vh_plugins_new(ps);
	bool started = false;

	for (size_t i = 0; !err && i < opts->nplugins; i++)
		err = vh_plugins_load(*ps, opts->plugins[i]);
	for (size_t i = 0; !err && i < opts->nplugin_opts; i++)
		err = vh_plugins_option(*ps, opts->plugin_opts[i]);
	if (!err)
		err = vh_plugins_check(*ps);
	if (!err) {
		started = true;
		err = vh_plugins_init(*ps);
	}
	if (!err)
		return VH_EXIT_OK;
	vh_cli_error("%s: %s", cmd, vh_errmsg()[0] ? vh_errmsg() : vh_strerror(err));
	vh_plugins_free(*ps);
	*ps = NULL;
	return exit_code(err, started);
}

static void text_listing(const struct vh_plugin_listing *l, void *arg)
{
	const struct vh_plugin *p = l->desc;

	(void)arg;
	if (!p) {
		printf("%s (%s): does not load: %s\n", l->path, l->dir_source, l->error);
		return;
	}
	printf("%-12s %-8s ABI %u  %s (%s)\n", p->name, p->version ? p->version : "?",
	       l->abi_version, l->path, l->dir_source);
	printf("    %s\n", p->summary ? p->summary : "");
	for (size_t i = 0; i < p->ndetectors; i++) {
		const struct vh_plugin_detector *d = vh_plugin_desc_detector(p, i);

		printf("    detector %-16s %s\n", d->id, d->summary ? d->summary : "");
	}
	for (const char *const *o = p->options; o && *o; o++)
		printf("    option   %s.%s\n", p->name, *o);
}

static void json_listing(const struct vh_plugin_listing *l, void *arg)
{
	struct vh_json *j = arg;
	const struct vh_plugin *p = l->desc;

	vh_json_begin_object(j, NULL);
	vh_json_str(j, "type", "plugin");
	vh_json_str(j, "path", l->path);
	vh_json_str(j, "found_in", l->dir_source);
	vh_json_u64(j, "abi", l->abi_version);
	vh_json_str(j, "name", p ? p->name : NULL);
	vh_json_str(j, "version", p ? p->version : NULL);
	vh_json_str(j, "summary", p ? p->summary : NULL);
	vh_json_str(j, "error", l->error);
	vh_json_begin_array(j, "detectors");
	for (size_t i = 0; p && i < p->ndetectors; i++)
		vh_json_str(j, NULL, vh_plugin_desc_detector(p, i)->id);
	vh_json_end_array(j);
	vh_json_begin_array(j, "options");
	for (const char *const *o = p ? p->options : NULL; o && *o; o++)
		vh_json_str(j, NULL, *o);
	vh_json_end_array(j);
	vh_json_end_object(j);
	vh_json_newline(j);
}

int vh_cmd_plugins(int argc, char **argv)
{
	struct vh_cli_opts opts;
	struct vh_json j;
	const char *pos[1];
	int npos = vh_cli_parse(argc, argv, &opts, pos, 0);

	if (npos == -2)
		return vh_cli_finish_output(VH_EXIT_OK);
	if (npos < 0)
		return VH_EXIT_USAGE;
	vh_json_init(&j, stdout);
	if (!vh_plugins_list(opts.json ? json_listing : text_listing, &j) && !opts.json)
		printf("no plugins found (VMAHUNT_PLUGIN_PATH, then the installed and the build "
		       "tree's plugin folders)\n");
	return vh_cli_finish_output(VH_EXIT_OK);
}
