/* SPDX-License-Identifier: MIT */
/* The CLI's one way to open a session and a report, and one set of errors. */
#include "cli/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *last_error(int err)
{
	return vh_errmsg()[0] ? vh_errmsg() : vh_strerror(err);
}

int vh_cli_session(const struct vh_cli_opts *opts, const char *cmd, unsigned load,
		   struct vh_session **s)
{
	struct vh_session_options so = {
	    .vmlinux = opts->vmlinux, .symbols = opts->symbols, .dump = opts->dump_opts};
	int err = opts->ndump_parts > 1
		      ? vh_session_open_parts(opts->dump_parts, opts->ndump_parts, &so, s)
		      : vh_session_open(opts->dump_path, &so, s);

	if (err) {
		vh_cli_error("%s", last_error(err));
		return VH_EXIT_DUMP;
	}
	if (load && (err = vh_session_load(*s, load))) {
		size_t n;
		/* what the reader worked around may be why: a missing part of a split dump */
		const char *const *w = vh_dump_warnings(vh_session_dump(*s), &n);

		for (size_t i = 0; i < n; i++)
			vh_cli_error("warning: %s", w[i]);
		vh_cli_error("%s: %s", cmd, last_error(err));
		vh_session_close(*s);
		*s = NULL;
		return VH_EXIT_FAILURE;
	}
	return VH_EXIT_OK;
}

struct vh_report *vh_cli_report(const struct vh_cli_opts *opts, enum vh_report_kind kind,
				struct vh_session *s)
{
	struct vh_report *r;
	int err = vh_report_open(opts->json ? VH_REPORT_JSON : VH_REPORT_TEXT, kind, s, stdout,
				 stderr, &r);

	if (err) {
		vh_cli_error("%s", last_error(err));
		return NULL;
	}
	return r;
}

int vh_cli_close(struct vh_report *r, struct vh_session *s, int code)
{
	int err = vh_report_close(r);

	vh_session_close(s);
	if (err) {
		vh_cli_error("%s", last_error(err));
		return VH_EXIT_FAILURE;
	}
	return vh_cli_finish_output(code);
}

/* One process: its VMAs, or a warning when its mm cannot be read. */
/* Process @t's VMAs, or its header and a warning saying why they cannot be read. */
static int process_map(struct vh_session *s, struct vh_report *r, const struct vh_task *t)
{
	const struct vh_vma_list *l;
	int err = vh_session_vmas(s, t, &l);
	char msg[512];

	if (err == VH_ERR_NOMEM)
		return err;
	if (!err) {
		vh_report_process(r, t, l);
		vh_session_vmas_put(s, l);
		return VH_OK;
	}
	/* the header still says the process exists, and why nothing follows */
	vh_report_process(r, t, NULL);
	snprintf(msg, sizeof(msg), "pid %" PRId32 ": %s", t->pid,
		 vh_errmsg()[0] ? vh_errmsg() : vh_strerror(err));
	vh_report_warning(r, msg);
	return VH_OK;
}

int vh_cli_maps(const struct vh_cli_opts *opts, struct vh_session *s, struct vh_report *r,
		const char *cmd)
{
	const struct vh_task_list *tl = vh_session_tasks(s);
	bool found = false;

	for (size_t i = 0; i < tl->ntasks; i++) {
		const struct vh_task *t = &tl->tasks[i];

		/* every process; with --pid, that task (a thread id too, as /proc/TID/maps) */
		if (opts->have_pid ? t->pid != opts->pid : !t->leader)
			continue;
		found = true;
		if (!t->mm && !vh_session_is_core(s))
			continue; /* kernel threads and zombies: /proc/PID/maps is empty */
		if (process_map(s, r, t)) {
			vh_cli_error("%s: out of memory", cmd);
			return VH_EXIT_FAILURE;
		}
	}
	if (opts->have_pid && !found) {
		vh_cli_error("%s: no process %" PRId32 " in the dump", cmd, opts->pid);
		return VH_EXIT_FAILURE;
	}
	return VH_EXIT_OK;
}

int vh_cli_scan(const struct vh_cli_opts *opts, struct vh_session *s, struct vh_report *r,
		const struct vh_scan_options *so, const char *what)
{
	struct vh_results *res;
	int code = VH_EXIT_OK;
	int err = vh_session_scan(s, so, &res);

	if (err) {
		vh_cli_error("%s: %s", what, last_error(err));
		return VH_EXIT_FAILURE;
	}
	vh_report_results(r, res);
	if (opts->fail_on >= 0 && vh_results_at_least(res, (enum vh_severity)opts->fail_on))
		code = VH_EXIT_FINDINGS;
	vh_results_free(res);
	return code;
}
