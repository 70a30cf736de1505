/* SPDX-License-Identifier: MIT */
/* The CLI's one way to open a session and a report, and one set of errors. */
#include "cli/cli.h"

#include <errno.h>
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
	int err = vh_session_open(opts->dump_path, &so, s);

	if (err) {
		vh_cli_error("%s", last_error(err));
		return VH_EXIT_DUMP;
	}
	if (load && (err = vh_session_load(*s, load))) {
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
