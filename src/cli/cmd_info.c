/* SPDX-License-Identifier: MIT */
/* vmahunt info: everything the dump says about itself. */
#include "cli/cli.h"

int vh_cmd_info(int argc, char **argv)
{
	struct vh_cli_opts opts;
	struct vh_session *s;
	struct vh_report *r;
	int code =
	    vh_cli_parse_dump(argc, argv, &opts,
			      "vmahunt info [--json] [--vmlinux FILE] [--symbols auto|dwarf|btf] "
			      "DUMP");

	if (code >= 0)
		return code;
	code = vh_cli_session(&opts, "info", 0, &s);
	if (code != VH_EXIT_OK)
		return code;
	r = vh_cli_report(&opts, VH_REPORT_INFO, s);
	if (!r)
		return vh_cli_close(NULL, s, VH_EXIT_FAILURE);
	vh_report_dump(r);
	return vh_cli_close(r, s, VH_EXIT_OK);
}
