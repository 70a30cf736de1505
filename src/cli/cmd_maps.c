/* SPDX-License-Identifier: MIT */
/* vmahunt maps: every process's memory map, as /proc/PID/maps showed it. */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdio.h>

static int print_maps(const struct vh_cli_opts *opts, struct vh_session *s, struct vh_report *r)
{
	const struct vh_task_list *tl = vh_session_tasks(s);
	bool found = false;

	vh_report_session_warnings(r);
	for (size_t i = 0; i < tl->ntasks; i++) {
		const struct vh_task *t = &tl->tasks[i];

		/* every process; with --pid, that task (a thread id too, as /proc/TID/maps) */
		if (opts->have_pid ? t->pid != opts->pid : !t->leader)
			continue;
		found = true;
		if (!t->mm && !vh_session_is_core(s))
			continue; /* kernel threads and zombies: /proc/PID/maps is empty */
		if (vh_cli_process_map(s, r, t)) {
			vh_cli_error("maps: out of memory");
			return VH_EXIT_FAILURE;
		}
	}
	if (opts->have_pid && !found) {
		vh_cli_error("maps: no process %" PRId32 " in the dump", opts->pid);
		return VH_EXIT_FAILURE;
	}
	return VH_EXIT_OK;
}

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
	code = print_maps(&opts, s, r);
	return vh_cli_close(r, s, code);
}
