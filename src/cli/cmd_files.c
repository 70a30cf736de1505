/* SPDX-License-Identifier: MIT */
/* vmahunt files: the files processes map or hold open, out of the page cache. */
#include "cli/cli.h"

static const char files_usage[] =
    "vmahunt files DUMP --out DIR [--pid N] [--no-anon-elf] [--force]";

static int run_files(struct vh_session *s, const void *req, struct vh_evidence_dir *d)
{
	return vh_evidence_files(s, req, d);
}

int vh_cmd_files(int argc, char **argv)
{
	struct vh_cli_opts opts;
	struct vh_session *s;
	struct vh_files_request req;
	int code = vh_ev_cli_start(argc, argv, &opts, files_usage, &s);

	if (code >= 0)
		return code;
	code = vh_ev_cli_need("files", opts.out_dir, "--out DIR", files_usage);
	if (code == VH_EXIT_OK)
		code = vh_ev_cli_load(&opts, "files", &s);
	if (code == VH_EXIT_OK) {
		req = (struct vh_files_request){
		    .by_pid = opts.have_pid, .pid = opts.pid, .no_anon_elf = opts.no_anon_elf};
		code = vh_ev_cli_into_dir(&opts, "files", s, run_files, &req);
	}
	vh_session_close(s);
	return vh_cli_finish_output(code);
}
