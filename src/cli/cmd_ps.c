/* SPDX-License-Identifier: MIT */
/* vmahunt ps: the processes and threads of the dump's kernel. */
#include "cli/cli.h"
#include "report/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything one ps run holds. */
struct ps_run {
	struct vh_cli_opts opts;
	struct vh_cli_kernel k;
};

static const char *cmdline_state_name(enum vh_cmdline_state s)
{
	switch (s) {
	case VH_CMDLINE_OK:
		return "ok";
	case VH_CMDLINE_NONE:
		return "none";
	case VH_CMDLINE_UNREADABLE:
		return "unreadable";
	case VH_CMDLINE_NOT_READ:
		break;
	}
	return "not-read";
}

/* The arguments joined by spaces, as ps shows them; control bytes become '?'. */
static void print_cmdline(const struct vh_task *t)
{
	size_t len = t->cmdline_len;

	while (len && t->cmdline[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t->cmdline[i];

		putchar(c == '\0' ? ' ' : (c < 0x20 || c == 0x7f) ? '?' : c);
	}
}

static void print_comm(const char *comm)
{
	for (const unsigned char *c = (const unsigned char *)comm; *c; c++)
		putchar(*c < 0x20 || *c == 0x7f ? '?' : *c);
}

/* A task one of the kernel's two indexes lacks: what /proc and ps would hide. */
static const char *hidden_mark(const struct vh_task_list *tl, const struct vh_task *t)
{
	if (t->via == VH_VIA_PID_TABLE)
		return "  [on no task list: found in the pid table]";
	if (t->leader && t->via == VH_VIA_CHILDREN)
		return tl->task_list_complete
			   ? "  [not on the task list: found on its parent's children list]"
			   : "  [past a break of the task list: found on its parent's "
			     "children list]";
	if (tl->pid_table == VH_PID_TABLE_COMPLETE && !t->in_pid_table && t->pid != 0)
		return "  [not in the pid table]";
	return "";
}

static void text_task(const struct vh_task_list *tl, const struct vh_task *t)
{
	printf("%7" PRId32 " %7" PRId32 " %7" PRId32 " %c  ", t->pid, t->tgid, t->ppid, t->state);
	if (t->have_cred)
		printf("%5" PRIu32, t->uid);
	else
		printf("%5s", "?");
	printf(" %c 0x%016" PRIx64 " ", t->kthread ? 'K' : '-', t->addr);
	print_comm(t->comm);
	if (t->cmdline_state == VH_CMDLINE_OK) {
		for (size_t n = strlen(t->comm); n < 16; n++)
			putchar(' ');
		putchar(' ');
		print_cmdline(t);
	}
	fputs(hidden_mark(tl, t), stdout);
	putchar('\n');
}

static void json_task(struct vh_json *j, const struct vh_task_list *tl, const struct vh_task *t)
{
	vh_json_begin_object(j, NULL);
	vh_json_str(j, "type", "task");
	vh_json_u64(j, "pid", (uint64_t)t->pid);
	vh_json_u64(j, "tgid", (uint64_t)t->tgid);
	vh_json_u64(j, "ppid", (uint64_t)t->ppid);
	vh_json_str(j, "comm", t->comm);
	vh_json_bool(j, "kthread", t->kthread);
	vh_json_bool(j, "leader", t->leader);
	if (t->leader)
		vh_json_u64(j, "threads", t->nr_threads);
	{
		char st[2] = {t->state, '\0'};

		vh_json_str(j, "state", st);
	}
	vh_json_hex(j, "state_raw", t->state_raw);
	vh_json_hex(j, "exit_state", t->exit_state);
	vh_json_hex(j, "flags", t->flags);
	if (t->have_cred) {
		vh_json_u64(j, "uid", t->uid);
		vh_json_u64(j, "gid", t->gid);
	} else {
		vh_json_null(j, "uid");
		vh_json_null(j, "gid");
	}
	vh_json_u64(j, "start_time", t->start_time);
	vh_json_u64(j, "start_boottime", t->start_boottime);
	vh_json_hex(j, "task_struct", t->addr);
	if (t->mm)
		vh_json_hex(j, "mm", t->mm);
	else
		vh_json_null(j, "mm");
	if (t->active_mm)
		vh_json_hex(j, "active_mm", t->active_mm);
	else
		vh_json_null(j, "active_mm");
	vh_json_str(j, "via", vh_task_via_name(t->via));
	/* false only when the whole table was read: else not found may mean not read */
	if (t->in_pid_table || tl->pid_table == VH_PID_TABLE_COMPLETE)
		vh_json_bool(j, "in_pid_table", t->in_pid_table);
	else
		vh_json_null(j, "in_pid_table");
	vh_json_str(j, "cmdline_state", cmdline_state_name(t->cmdline_state));
	if (t->cmdline_state == VH_CMDLINE_OK) {
		size_t off = 0;

		vh_json_begin_array(j, "cmdline");
		/* NUL-separated arguments; a last one without its NUL still counts */
		while (off < t->cmdline_len) {
			size_t n = strnlen(t->cmdline + off, t->cmdline_len - off);
			char *arg = strndup(t->cmdline + off, n);

			vh_json_str(j, NULL, arg ? arg : "");
			free(arg);
			off += n + 1;
		}
		vh_json_end_array(j);
		vh_json_bool(j, "cmdline_truncated", t->cmdline_truncated);
	} else {
		vh_json_null(j, "cmdline");
	}
	vh_json_end_object(j);
	vh_json_newline(j);
}

static void print_tasks(const struct ps_run *r)
{
	struct vh_json j;
	bool json = r->opts.json;

	vh_json_init(&j, stdout);
	if (!json)
		printf("%7s %7s %7s ST %5s K %-18s %-16s CMDLINE\n", "PID", "TGID", "PPID", "UID",
		       "TASK", "COMM");
	for (size_t i = 0; i < r->k.tl->ntasks; i++) {
		const struct vh_task *t = &r->k.tl->tasks[i];

		if (!t->leader && !r->opts.threads)
			continue;
		if (json)
			json_task(&j, r->k.tl, t);
		else
			text_task(r->k.tl, t);
	}
	vh_cli_kernel_warnings(&r->k, json ? &j : NULL);
}

int vh_cmd_ps(int argc, char **argv)
{
	struct ps_run r;
	int code;

	memset(&r, 0, sizeof(r));
	code = vh_cli_parse_dump(
	    argc, argv, &r.opts,
	    "vmahunt ps DUMP [--vmlinux FILE] [--symbols auto|dwarf|btf] [--threads] [--json]");
	if (code >= 0)
		return code;
	code = vh_cli_kernel_open(&r.opts, "ps", VH_TASKS_CMDLINE, false, &r.k);
	if (code == VH_EXIT_OK)
		print_tasks(&r);
	vh_cli_kernel_close(&r.k);
	return vh_cli_finish_output(code);
}
