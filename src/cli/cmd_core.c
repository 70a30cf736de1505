/* SPDX-License-Identifier: MIT */
/* vmahunt core: an ELF core of one process, for gdb and eu-stack. */
#include "cli/cli.h"

static const char core_usage[] = "vmahunt core DUMP --pid N -o FILE [--force]";

int vh_cmd_core(int argc, char **argv)
{
	struct vh_cli_opts opts;
	struct vh_session *s;
	struct vh_core_request req;
	int code = vh_ev_cli_start(argc, argv, &opts, core_usage, &s);
	int err;

	if (code >= 0)
		return code;
	code = vh_ev_cli_need("core", opts.have_pid, "--pid N", core_usage);
	if (code == VH_EXIT_OK)
		code = vh_ev_cli_need("core", opts.output, "-o FILE", core_usage);
	if (code == VH_EXIT_OK)
		code = vh_ev_cli_load(&opts, "core", &s);
	if (code == VH_EXIT_OK) {
		req = (struct vh_core_request){
		    .pid = opts.pid, .path = opts.output, .force = opts.force, .records = stdout};
		err = vh_evidence_core(s, &req);
		if (err) {
			vh_cli_error("core: %s", vh_ev_cli_error(err));
			code = VH_EXIT_FAILURE;
		}
	}
	vh_session_close(s);
	return vh_cli_finish_output(code);
}
