/* SPDX-License-Identifier: MIT */
/* vmahunt maps: every process's memory map, as /proc/PID/maps showed it. */
#include "cli/cli.h"

int vh_cmd_maps(int argc, char **argv)
{
	struct vh_cli_opts opts;
	struct vh_session *s;
	struct vh_report *r;
	int code = vh_cli_parse_dump(
	    argc, argv, &opts,
	    "vmahunt maps DUMP [--pid N] [--vmlinux FILE] [--symbols auto|dwarf|btf] [--json]");

	if (code >= 0)
		return code;
	code = vh_cli_session(&opts, "maps", VH_LOAD_VMAS, &s);
	if (code != VH_EXIT_OK)
		return vh_cli_finish_output(code);
	r = vh_cli_report(&opts, VH_REPORT_MAPS, s);
	if (!r)
		return vh_cli_close(NULL, s, VH_EXIT_FAILURE);
	vh_report_session_warnings(r);
	code = vh_cli_maps(&opts, s, r, "maps");
	return vh_cli_close(r, s, code);
}
