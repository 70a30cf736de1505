/* SPDX-License-Identifier: MIT */
#include "cli/cli.h"

#include <vmahunt/detect.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return (errno || end == s || *end || s[0] == '-') ? -1 : 0;
}

/* START-END, both addresses, START below END. */
static int parse_range(const char *s, uint64_t *start, uint64_t *end)
{
	const char *dash = strchr(s, '-');
	char first[32];

	if (!dash || (size_t)(dash - s) >= sizeof(first))
		return -1;
	memcpy(first, s, (size_t)(dash - s));
	first[dash - s] = '\0';
	return parse_u64(first, start) || parse_u64(dash + 1, end) || *start >= *end ? -1 : 0;
}

/* dump's --all, --range START-END, --vma ADDR: one of them. */
static int parse_region(int argc, char **argv, int *i, struct vh_cli_opts *opts)
{
	const char *a = argv[*i];

	if (opts->region_select >= 0) {
		vh_cli_error("%s: give one of --all, --range and --vma", argv[0]);
		return -1;
	}
	if (!strcmp(a, "--all")) {
		opts->region_select = VH_REGIONS_ALL;
		return 0;
	}
	if (*i + 1 >= argc) {
		vh_cli_error("%s: %s needs %s", argv[0], a,
			     a[2] == 'r' ? "START-END (e.g. 0x7f0000-0x7f2000)" : "an address");
		return -1;
	}
	(*i)++;
	if (a[2] == 'r') {
		opts->region_select = VH_REGIONS_RANGE;
		if (parse_range(argv[*i], &opts->range_start, &opts->range_end) == 0)
			return 0;
		vh_cli_error("%s: --range needs START-END with START below END, not '%s'", argv[0],
			     argv[*i]);
		return -1;
	}
	opts->region_select = VH_REGIONS_VMA;
	if (parse_u64(argv[*i], &opts->range_start) == 0)
		return 0;
	vh_cli_error("%s: --vma needs an address, not '%s'", argv[0], argv[*i]);
	return -1;
}

/* Options that belong to some commands only: refused elsewhere, with the commands named. */
static int check_command_opts(const char *cmd, const struct vh_cli_opts *opts)
{
	const struct {
		bool given;
		const char *what; /* "X is" / "X and Y are" */
		const char *cmds; /* space-separated, for the lookup */
		const char *said; /* the same, as the message says it */
	} rules[] = {
	    {opts->nplugins || opts->nplugin_opts, "--plugin and --plugin-opt are options",
	     " scan report ", "scan and report"},
	    {opts->output != NULL, "-o/--output is an option", " report core ", "report and core"},
	    {opts->force, "--force is an option", " report core dump files ",
	     "report, core, dump and files"},
	    {opts->out_dir != NULL, "--out is an option", " dump files ", "dump and files"},
	    {opts->region_select >= 0, "--all, --range and --vma are options", " dump ", "dump"},
	    {opts->no_hidden, "--no-hidden is an option", " dump ", "dump"},
	    {opts->no_anon_elf, "--no-anon-elf is an option", " files ", "files"},
	};
	char key[32];

	snprintf(key, sizeof(key), " %s ", cmd);
	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		if (rules[r].given && !strstr(rules[r].cmds, key)) {
			vh_cli_error("%s: %s of %s", cmd, rules[r].what, rules[r].said);
			return -1;
		}
	}
	return 0;
}

int vh_cli_parse(int argc, char **argv, struct vh_cli_opts *opts, const char **pos, int max_pos)
{
	int npos = 0;
	bool opts_done = false;

	memset(opts, 0, sizeof(*opts));
	opts->fail_on = -1;
	opts->region_select = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opts_done || a[0] != '-' || !strcmp(a, "-")) {
			if (npos == max_pos) {
				vh_cli_error("%s: unexpected argument '%s'", argv[0], a);
				return -1;
			}
			pos[npos++] = a;
		} else if (!strcmp(a, "--")) {
			opts_done = true;
		} else if (!strcmp(a, "--json")) {
			opts->json = true;
		} else if (!strcmp(a, "--threads")) {
			opts->threads = true;
		} else if (!strcmp(a, "--pid")) {
			uint64_t pid;

			if (i + 1 >= argc || parse_u64(argv[i + 1], &pid) || pid > INT32_MAX) {
				vh_cli_error("%s: --pid needs a process id", argv[0]);
				return -1;
			}
			opts->pid = (int32_t)pid;
			opts->have_pid = true;
			i++;
		} else if (!strcmp(a, "--vmlinux")) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				vh_cli_error("%s: --vmlinux needs a file", argv[0]);
				return -1;
			}
			opts->vmlinux = argv[++i];
		} else if (!strcmp(a, "--symbols")) {
			if (i + 1 >= argc ||
			    (opts->symbols = vh_symbols_mode_parse(argv[i + 1])) < 0) {
				vh_cli_error("%s: --symbols needs auto, dwarf or btf", argv[0]);
				return -1;
			}
			i++;
		} else if (!strcmp(a, "--fail-on")) {
			if (i + 1 >= argc || (opts->fail_on = vh_severity_parse(argv[i + 1])) < 0) {
				vh_cli_error("%s: --fail-on needs info, low, medium or high",
					     argv[0]);
				return -1;
			}
			i++;
		} else if (!strcmp(a, "--detector")) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				vh_cli_error("%s: --detector needs a list of detector ids",
					     argv[0]);
				return -1;
			}
			opts->detectors = argv[++i];
		} else if (!strcmp(a, "--plugin") || !strcmp(a, "--plugin-opt")) {
			bool is_opt = a[8] == '-';
			size_t *n = is_opt ? &opts->nplugin_opts : &opts->nplugins;
			size_t max = is_opt ? VH_CLI_MAX_PLUGIN_OPTS : VH_CLI_MAX_PLUGINS;

			if (i + 1 >= argc || !argv[i + 1][0]) {
				vh_cli_error("%s: %s needs %s", argv[0], a,
					     is_opt ? "NAME.KEY=VALUE" : "a plugin name or file");
				return -1;
			}
			if (*n == max) {
				vh_cli_error("%s: more than %zu %s options", argv[0], max, a);
				return -1;
			}
			if (is_opt)
				opts->plugin_opts[(*n)++] = argv[++i];
			else
				opts->plugins[(*n)++] = argv[++i];
		} else if (!strcmp(a, "--raw-base")) {
			if (i + 1 >= argc || parse_u64(argv[i + 1], &opts->dump_opts.raw_base)) {
				vh_cli_error("%s: --raw-base needs an address (e.g. 0x0)", argv[0]);
				return -1;
			}
			opts->dump_opts.raw = true;
			i++;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				vh_cli_error("%s: %s needs a file", argv[0], a);
				return -1;
			}
			opts->output = argv[++i];
		} else if (!strcmp(a, "--force")) {
			opts->force = true;
		} else if (!strcmp(a, "--out")) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				vh_cli_error("%s: --out needs a folder", argv[0]);
				return -1;
			}
			opts->out_dir = argv[++i];
		} else if (!strcmp(a, "--all") || !strcmp(a, "--range") || !strcmp(a, "--vma")) {
			if (parse_region(argc, argv, &i, opts))
				return -1;
		} else if (!strcmp(a, "--no-hidden")) {
			opts->no_hidden = true;
		} else if (!strcmp(a, "--no-anon-elf")) {
			opts->no_anon_elf = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(vh_cli_usage(), stdout);
			return -2;
		} else {
			vh_cli_error("%s: unknown option '%s' (try 'vmahunt help')", argv[0], a);
			return -1;
		}
	}
	if (check_command_opts(argv[0], opts))
		return -1;
	if (opts->vmlinux && opts->symbols == VH_SYMBOLS_BTF) {
		vh_cli_error("%s: --vmlinux and --symbols btf contradict each other (btf reads "
			     "the types from the dump, not from a vmlinux)",
			     argv[0]);
		return -1;
	}
	return npos;
}

int vh_cli_parse_dump(int argc, char **argv, struct vh_cli_opts *opts, const char *usage)
{
	const char *pos[VH_CLI_MAX_DUMP_PARTS];
	int npos = vh_cli_parse(argc, argv, opts, pos, VH_CLI_MAX_DUMP_PARTS);

	if (npos == -2)
		return vh_cli_finish_output(VH_EXIT_OK);
	if (npos < 0)
		return VH_EXIT_USAGE;
	if (npos == 0) {
		vh_cli_error("%s: missing DUMP (usage: %s)", argv[0], usage);
		return VH_EXIT_USAGE;
	}
	opts->dump_path = pos[0];
	for (int i = 0; i < npos; i++) /* several: the parts of one split dump */
		opts->dump_parts[opts->ndump_parts++] = pos[i];
	return -1;
}
