/* SPDX-License-Identifier: MIT */
/* vmahunt ps: the processes and threads of the dump's kernel. */
#include "cli/cli.h"

int vh_cmd_ps(int argc, char **argv)
{
	struct vh_cli_opts opts;
	struct vh_session *s;
	struct vh_report *r;
	const struct vh_task_list *tl;
	int code = vh_cli_parse_dump(
	    argc, argv, &opts,
	    "vmahunt ps DUMP [--vmlinux FILE] [--symbols auto|dwarf|btf] [--threads] [--json]");

	if (code >= 0)
		return code;
	code = vh_cli_session(&opts, "ps", VH_LOAD_TASKS | VH_LOAD_CMDLINE, &s);
	if (code != VH_EXIT_OK)
		return vh_cli_finish_output(code);
	r = vh_cli_report(&opts, VH_REPORT_PS, s);
	if (!r)
		return vh_cli_close(NULL, s, VH_EXIT_FAILURE);
	tl = vh_session_tasks(s);
	for (size_t i = 0; i < tl->ntasks; i++)
		if (tl->tasks[i].leader || opts.threads)
			vh_report_task(r, &tl->tasks[i]);
	vh_report_session_warnings(r);
	return vh_cli_close(r, s, VH_EXIT_OK);
}
