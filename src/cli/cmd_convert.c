/* SPDX-License-Identifier: MIT */
/* vmahunt convert: flattened kdump stream to a plain kdump file. */
#include "cli/cli.h"

int vh_cmd_convert(int argc, char **argv)
{
	struct vh_cli_opts opts;
	const char *pos[2];
	int npos = vh_cli_parse(argc, argv, &opts, pos, 2);
	int err;

	if (npos == -2)
		return vh_cli_finish_output(VH_EXIT_OK);
	if (npos != 2) {
		if (npos >= 0)
			vh_cli_error("convert: usage: vmahunt convert FLATTENED-IN KDUMP-OUT");
		return VH_EXIT_USAGE;
	}
	err = vh_dump_convert_flattened(pos[0], pos[1]);
	if (err) {
		vh_cli_error("%s", vh_errmsg()[0] ? vh_errmsg() : vh_strerror(err));
		return err == VH_ERR_IO ? VH_EXIT_FAILURE : VH_EXIT_DUMP;
	}
	return VH_EXIT_OK;
}
