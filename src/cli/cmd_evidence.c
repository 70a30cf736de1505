/* SPDX-License-Identifier: MIT */
/*
 * vmahunt dump, and what the evidence commands (dump, core, files) share:
 * evidence out of a dump, into files the user names. Each file written is a JSON line on stdout
 * (what, where, sha256, what was absent); progress of long runs and one closing line go to stderr.
 * Nothing existing is overwritten without --force.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdio.h>

static const char dump_usage[] = "vmahunt dump DUMP --out DIR (--all | --range START-END | "
				 "--vma ADDR) [--pid N] [--no-hidden] [--force]";

const char *vh_ev_cli_error(int err)
{
	return vh_errmsg()[0] ? vh_errmsg() : vh_strerror(err);
}

static void print_warning(const char *msg, void *arg)
{
	fprintf(stderr, "vmahunt: %s: warning: %s\n", (const char *)arg, msg);
}

/* Parses, checks the options every evidence command shares, opens and loads the dump. */
int vh_ev_cli_start(int argc, char **argv, struct vh_cli_opts *opts, const char *usage,
		    struct vh_session **s)
{
	int code = vh_cli_parse_dump(argc, argv, opts, usage);

	*s = NULL;
	if (code >= 0)
		return code;
	if (opts->threads) {
		vh_cli_error("%s: --threads is not an option of %s", argv[0], argv[0]);
		return VH_EXIT_USAGE;
	}
	if (opts->fail_on >= 0 || opts->detectors) {
		vh_cli_error("%s: --fail-on and --detector are options of scan and report",
			     argv[0]);
		return VH_EXIT_USAGE;
	}
	return -1;
}

int vh_ev_cli_load(const struct vh_cli_opts *opts, const char *cmd, struct vh_session **s)
{
	int code = vh_cli_session(opts, cmd, VH_LOAD_CMDLINE | VH_LOAD_VMAS, s);

	if (code == VH_EXIT_OK)
		vh_session_warnings(*s, print_warning, (void *)cmd);
	return code;
}

/* Runs @fn into the folder opts->out_dir and writes its manifest. */
int vh_ev_cli_into_dir(const struct vh_cli_opts *opts, const char *cmd, struct vh_session *s,
		       int (*fn)(struct vh_session *s, const void *req, struct vh_evidence_dir *d),
		       const void *req)
{
	struct vh_evidence_options eo = {
	    .force = opts->force, .records = stdout, .progress = stderr};
	struct vh_evidence_dir *d;
	int err = vh_evidence_dir_open(opts->out_dir, cmd, opts->dump_path, &eo, &d);
	int code = VH_EXIT_OK;

	if (err) {
		vh_cli_error("%s: %s", cmd, vh_ev_cli_error(err));
		return VH_EXIT_FAILURE;
	}
	err = fn(s, req, d);
	if (err) {
		vh_cli_error("%s: %s", cmd, vh_ev_cli_error(err));
		code = VH_EXIT_FAILURE;
	}
	if (vh_evidence_dir_close(d, !err)) {
		vh_cli_error("%s: %s", cmd, vh_errmsg());
		code = VH_EXIT_FAILURE;
	}
	if (code == VH_EXIT_OK)
		fprintf(stderr, "vmahunt: %s: done; manifest: %s/manifest.json\n", cmd,
			opts->out_dir);
	return code;
}

static int run_regions(struct vh_session *s, const void *req, struct vh_evidence_dir *d)
{
	return vh_evidence_regions(s, req, d);
}

int vh_ev_cli_need(const char *cmd, bool given, const char *what, const char *usage)
{
	if (given)
		return VH_EXIT_OK;
	vh_cli_error("%s: missing %s (usage: %s)", cmd, what, usage);
	return VH_EXIT_USAGE;
}

int vh_cmd_dump(int argc, char **argv)
{
	struct vh_cli_opts opts;
	struct vh_session *s;
	struct vh_region_request req = {0};
	int code = vh_ev_cli_start(argc, argv, &opts, dump_usage, &s);

	if (code >= 0)
		return code;
	code = vh_ev_cli_need("dump", opts.out_dir, "--out DIR", dump_usage);
	if (code == VH_EXIT_OK)
		code = vh_ev_cli_need("dump", opts.region_select >= 0, "--all, --range or --vma",
				      dump_usage);
	if (code == VH_EXIT_OK && opts.region_select != VH_REGIONS_ALL)
		code = vh_ev_cli_need("dump", opts.have_pid,
				      "--pid N (--range and --vma are addresses of "
				      "one process)",
				      dump_usage);
	if (code == VH_EXIT_OK)
		code = vh_ev_cli_load(&opts, "dump", &s);
	if (code == VH_EXIT_OK) {
		req = (struct vh_region_request){.by_pid = opts.have_pid,
						 .pid = opts.pid,
						 .select = opts.region_select,
						 .start = opts.range_start,
						 .end = opts.range_end,
						 .no_hidden = opts.no_hidden};
		code = vh_ev_cli_into_dir(&opts, "dump", s, run_regions, &req);
	}
	vh_session_close(s);
	return vh_cli_finish_output(code);
}
