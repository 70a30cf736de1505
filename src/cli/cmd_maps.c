/* SPDX-License-Identifier: MIT */
/* vmahunt maps: every process's memory map, as /proc/PID/maps showed it. */
#include "cli/cli.h"
#include "report/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A maps line: the fixed columns, then a path of up to PATH_MAX bytes (escaped). */
#define MAX_LINE (128 + 4 * 4096)

/* Everything one maps run holds. */
struct maps_run {
	struct vh_cli_opts opts;
	struct vh_cli_kernel k;
	struct vh_json j;
};

static void warning(struct maps_run *r, const char *msg)
{
	vh_cli_warning(r->opts.json ? &r->j : NULL, msg);
}

static void print_comm(const char *comm)
{
	for (const unsigned char *c = (const unsigned char *)comm; *c; c++)
		putchar(*c < 0x20 || *c == 0x7f ? '?' : *c);
}

static void json_vma(struct maps_run *r, const struct vh_task *t, const struct vh_vma *v)
{
	struct vh_json *j = &r->j;
	char dev[24];

	snprintf(dev, sizeof(dev), "%02" PRIx32 ":%02" PRIx32, v->major, v->minor);
	vh_json_begin_object(j, NULL);
	vh_json_str(j, "type", "vma");
	vh_json_u64(j, "pid", (uint64_t)t->pid);
	vh_json_str(j, "comm", t->comm);
	vh_json_hex(j, "start", v->start);
	vh_json_hex(j, "end", v->end);
	vh_json_str(j, "perms", v->perms);
	vh_json_hex(j, "offset", v->offset);
	vh_json_str(j, "dev", dev);
	vh_json_u64(j, "inode", v->inode);
	vh_json_str(j, "path", v->path ? v->path : "");
	vh_json_hex(j, "vm_flags", v->flags);
	vh_json_hex(j, "vm_pgoff", v->pgoff);
	if (r->k.core) {
		/* a core has no kernel objects; it may not know a mapping's permissions */
		vh_json_null(j, "vm_area_struct");
		vh_json_null(j, "file");
		vh_json_null(j, "mm");
		vh_json_str(j, "perms_from",
			    (v->found & VH_VMA_NO_PERMS)    ? "unknown"
			    : (v->found & VH_VMA_PERMS_ELF) ? "elf-header"
							    : "core");
	} else {
		vh_json_hex(j, "vm_area_struct", v->addr);
		if (v->file)
			vh_json_hex(j, "file", v->file);
		else
			vh_json_null(j, "file");
		vh_json_hex(j, "mm", t->mm);
	}
	{
		static const char *const names[] = {"maple", "list", "rb",
						    "gate",  "load", "nt_file"};

		vh_json_begin_array(j, "found_in");
		for (unsigned b = 0; b < 6; b++)
			if (v->found & (1u << b))
				vh_json_str(j, NULL, names[b]);
		vh_json_end_array(j);
	}
	vh_json_bool(j, "path_partial", v->path_partial);
	vh_json_end_object(j);
	vh_json_newline(j);
}

static void text_vmas(const struct vh_task *t, const struct vh_vma_list *l)
{
	char line[MAX_LINE];

	printf("# pid %" PRId32 " ", t->pid);
	print_comm(t->comm);
	if (t->mm)
		printf(" mm 0x%016" PRIx64, t->mm);
	printf(" vmas %zu\n", l->nvmas); /* a process core has no mm address */
	for (size_t i = 0; i < l->nvmas; i++) {
		int n = vh_vma_format(&l->vmas[i], line, sizeof(line));

		if (n >= 0)
			puts(line);
	}
}

static void print_vmas(struct maps_run *r, const struct vh_task *t, const struct vh_vma_list *l)
{
	if (r->opts.json) {
		for (size_t i = 0; i < l->nvmas; i++)
			json_vma(r, t, &l->vmas[i]);
	} else {
		text_vmas(t, l);
	}
	for (size_t i = 0; i < l->nwarnings; i++) {
		char msg[640];

		snprintf(msg, sizeof(msg), "pid %" PRId32 ": %s", t->pid, l->warnings[i]);
		warning(r, msg);
	}
}

/* One process: its VMAs, or a warning when its mm cannot be read. */
static int one_process(struct maps_run *r, const struct vh_task *t)
{
	struct vh_vma_list *l = NULL;
	int err;

	if (r->k.core) {
		print_vmas(r, t, r->k.core_vmas);
		return VH_OK;
	}
	err = vh_vmas_read(r->k.maps, t->mm, &l);

	if (err == VH_ERR_NOMEM)
		return err;
	if (err) {
		char msg[512];

		/* the header still says the process exists, and why nothing follows */
		if (!r->opts.json) {
			printf("# pid %" PRId32 " ", t->pid);
			print_comm(t->comm);
			printf(" mm 0x%016" PRIx64 " vmas unreadable\n", t->mm);
		}

		snprintf(msg, sizeof(msg), "pid %" PRId32 ": %s", t->pid,
			 vh_errmsg()[0] ? vh_errmsg() : vh_strerror(err));
		warning(r, msg);
		return VH_OK;
	}
	print_vmas(r, t, l);
	vh_vma_list_free(l);
	return VH_OK;
}

static int print_maps(struct maps_run *r)
{
	bool found = false;

	vh_cli_kernel_warnings(&r->k, r->opts.json ? &r->j : NULL);
	for (size_t i = 0; i < r->k.tl->ntasks; i++) {
		const struct vh_task *t = &r->k.tl->tasks[i];

		/* every process; with --pid, that task (a thread id too, as /proc/TID/maps) */
		if (r->opts.have_pid ? t->pid != r->opts.pid : !t->leader)
			continue;
		found = true;
		if (!t->mm && !r->k.core)
			continue; /* kernel threads and zombies: /proc/PID/maps is empty */
		if (one_process(r, t)) {
			vh_cli_error("maps: out of memory");
			return VH_EXIT_FAILURE;
		}
	}
	if (r->opts.have_pid && !found) {
		vh_cli_error("maps: no process %" PRId32 " in the dump", r->opts.pid);
		return VH_EXIT_FAILURE;
	}
	return VH_EXIT_OK;
}

int vh_cmd_maps(int argc, char **argv)
{
	struct maps_run r;
	int code;

	memset(&r, 0, sizeof(r));
	code = vh_cli_parse_dump(
	    argc, argv, &r.opts,
	    "vmahunt maps DUMP [--pid N] [--vmlinux FILE] [--symbols auto|dwarf|btf] [--json]");
	if (code >= 0)
		return code;
	vh_json_init(&r.j, stdout);
	code = vh_cli_kernel_open(&r.opts, "maps", 0, true, &r.k);
	if (code == VH_EXIT_OK)
		code = print_maps(&r);
	vh_cli_kernel_close(&r.k);
	return vh_cli_finish_output(code);
}
