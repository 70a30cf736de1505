/* SPDX-License-Identifier: MIT */
/*
 * vmahunt report: everything the other commands show, as one HTML file: the
 * dump's facts, every task, every process's map, a scan's findings and every
 * warning. The file is created only once the dump has loaded, and never
 * over an existing one without --force (a report is evidence: overwriting
 * the previous one by a typo would lose it).
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage[] = "vmahunt report DUMP -o FILE.html [--force] [--vmlinux FILE] "
			    "[--symbols auto|dwarf|btf] [--detector ID,...] [--pid N] "
			    "[--plugin NAME|FILE] [--fail-on SEVERITY]";

static FILE *open_output(const struct vh_cli_opts *opts)
{
	int fd = open(opts->output,
		      O_WRONLY | O_CREAT | O_CLOEXEC | (opts->force ? O_TRUNC : O_EXCL), 0666);
	FILE *f;

	if (fd < 0) {
		vh_cli_error("report: %s: %s%s", opts->output, strerror(errno),
			     errno == EEXIST ? " (--force overwrites it)" : "");
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		vh_cli_error("report: %s: %s", opts->output, strerror(errno));
		close(fd);
	}
	return f;
}

static int feed(const struct vh_cli_opts *opts, struct vh_session *s, struct vh_report *r,
		const struct vh_scan_options *so)
{
	const struct vh_task_list *tl = vh_session_tasks(s);
	int code;

	vh_report_dump(r);
	vh_report_session_warnings(r);
	for (size_t i = 0; i < tl->ntasks; i++)
		vh_report_task(r, &tl->tasks[i]);
	code = vh_cli_maps(opts, s, r, "report");
	return code == VH_EXIT_OK ? vh_cli_scan(opts, s, r, so, "report: scan") : code;
}

/* Writes the page; a failure leaves no half-written file behind. */
static int write_report(const struct vh_cli_opts *opts, struct vh_session *s,
			const struct vh_scan_options *so)
{
	FILE *f = open_output(opts);
	struct vh_report *r = NULL;
	int code = VH_EXIT_FAILURE;

	if (!f)
		return VH_EXIT_FAILURE;
	if (vh_report_open(VH_REPORT_HTML, VH_REPORT_FULL, s, f, stderr, &r))
		vh_cli_error("report: %s", vh_errmsg());
	else
		code = feed(opts, s, r, so);
	if (vh_report_close(r)) {
		vh_cli_error("report: %s: %s", opts->output, vh_errmsg());
		code = VH_EXIT_FAILURE;
	}
	if (fclose(f)) {
		vh_cli_error("report: %s: %s", opts->output, strerror(errno));
		code = VH_EXIT_FAILURE;
	}
	if (code != VH_EXIT_OK && code != VH_EXIT_FINDINGS)
		unlink(opts->output);
	return code;
}

static int check_opts(const struct vh_cli_opts *opts)
{
	if (!opts->output) {
		vh_cli_error("report: missing -o FILE (usage: %s)", usage);
		return VH_EXIT_USAGE;
	}
	if (opts->json || opts->threads) {
		vh_cli_error("report: %s is not an option of report (it writes HTML, every thread "
			     "included)",
			     opts->json ? "--json" : "--threads");
		return VH_EXIT_USAGE;
	}
	return VH_EXIT_OK;
}

int vh_cmd_report(int argc, char **argv)
{
	struct vh_cli_opts opts;
	const struct vh_detector *dets[VH_SCAN_MAX_DETECTORS];
	struct vh_scan_options so = {.detectors = dets};
	struct vh_plugins *ps = NULL;
	struct vh_session *s = NULL;
	int code = vh_cli_parse_dump(argc, argv, &opts, usage);

	if (code >= 0)
		return code;
	code = check_opts(&opts);
	if (code == VH_EXIT_OK && (opts.nplugins || opts.nplugin_opts))
		code = vh_cli_plugins(&opts, "report", &ps);
	if (code == VH_EXIT_OK)
		code = vh_cli_select_detectors(&opts, ps, dets, &so.ndetectors, "report");
	if (code == VH_EXIT_OK) {
		so.by_pid = opts.have_pid;
		so.pid = opts.pid;
		code = vh_cli_session(&opts, "report", VH_LOAD_CMDLINE | VH_LOAD_VMAS, &s);
	}
	if (code == VH_EXIT_OK)
		code = write_report(&opts, s, &so);
	vh_session_close(s);
	vh_plugins_free(ps);
	return vh_cli_finish_output(code);
}
