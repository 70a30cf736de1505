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

/* Every task, then each process's map (the --pid one only), as maps does. */
static int feed_tasks(const struct vh_cli_opts *opts, struct vh_session *s, struct vh_report *r)
{
	const struct vh_task_list *tl = vh_session_tasks(s);
	bool found = !opts->have_pid;

	for (size_t i = 0; i < tl->ntasks; i++)
		vh_report_task(r, &tl->tasks[i]);
	for (size_t i = 0; i < tl->ntasks; i++) {
		const struct vh_task *t = &tl->tasks[i];

		if (opts->have_pid ? t->pid != opts->pid : !t->leader)
			continue;
		found = true;
		if (!t->mm && !vh_session_is_core(s))
			continue;
		if (vh_cli_process_map(s, r, t)) {
			vh_cli_error("report: out of memory");
			return VH_EXIT_FAILURE;
		}
	}
	if (!found) {
		vh_cli_error("report: no process %d in the dump", (int)opts->pid);
		return VH_EXIT_FAILURE;
	}
	return VH_EXIT_OK;
}

static int feed(const struct vh_cli_opts *opts, struct vh_session *s, struct vh_report *r,
		const struct vh_scan_options *so)
{
	struct vh_results *res;
	int code;
	int err;

	vh_report_dump(r);
	vh_report_session_warnings(r);
	code = feed_tasks(opts, s, r);
	if (code != VH_EXIT_OK)
		return code;
	err = vh_session_scan(s, so, &res);
	if (err) {
		vh_cli_error("report: scan: %s", vh_errmsg()[0] ? vh_errmsg() : vh_strerror(err));
		return VH_EXIT_FAILURE;
	}
	vh_report_results(r, res);
	if (opts->fail_on >= 0 && vh_results_at_least(res, (enum vh_severity)opts->fail_on))
		code = VH_EXIT_FINDINGS;
	vh_results_free(res);
	return code;
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
