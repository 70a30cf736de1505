/* SPDX-License-Identifier: MIT */
/* vmahunt info on a process core: what the core says about its process. */
#include "cli/cli.h"
#include "report/json.h"

#include <inttypes.h>
#include <stdio.h>

static void print_clean(const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		putchar(*c < 0x20 || *c == 0x7f ? '?' : *c);
}

void vh_cli_core_info_text(struct vh_dump *d)
{
	const struct vh_core_info *c = vh_core_info(d);

	if (!c)
		return;
	printf("process:        pid %" PRId32 " ppid %" PRId32 " uid %" PRIu32 " gid %" PRIu32
	       " comm ",
	       c->pid, c->ppid, c->uid, c->gid);
	print_clean(c->comm);
	printf("%s\n", c->have_prpsinfo ? "" : " (no NT_PRPSINFO)");
	printf("args:           ");
	print_clean(c->psargs);
	putchar('\n');
	if (c->have_siginfo)
		printf("signal:         %" PRId32 " code %" PRId32 " addr 0x%" PRIx64 "\n",
		       c->si_signo, c->si_code, c->si_addr);
	printf("threads:        %zu\n", vh_dump_ncpus(d));
	printf("segments:       %zu PT_LOAD, %zu NT_FILE mappings, %zu auxv entries\n", c->nloads,
	       c->nfiles, c->nauxv);
}

void vh_cli_core_info_json(struct vh_json *j, struct vh_dump *d)
{
	const struct vh_core_info *c = vh_core_info(d);

	if (!c) {
		vh_json_null(j, "process");
		return;
	}
	vh_json_begin_object(j, "process");
	vh_json_bool(j, "compressed", c->compressed);
	vh_json_bool(j, "prpsinfo", c->have_prpsinfo);
	vh_json_u64(j, "pid", (uint64_t)c->pid);
	vh_json_u64(j, "ppid", (uint64_t)c->ppid);
	vh_json_u64(j, "uid", c->uid);
	vh_json_u64(j, "gid", c->gid);
	vh_json_str(j, "comm", c->comm);
	vh_json_str(j, "psargs", c->psargs);
	if (c->have_siginfo) {
		vh_json_begin_object(j, "signal");
		vh_json_u64(j, "signo", (uint64_t)c->si_signo);
		vh_json_u64(j, "code", (uint64_t)(int64_t)c->si_code);
		vh_json_hex(j, "addr", c->si_addr);
		vh_json_end_object(j);
	} else {
		vh_json_null(j, "signal");
	}
	vh_json_u64(j, "threads", vh_dump_ncpus(d));
	vh_json_u64(j, "segments", c->nloads);
	vh_json_begin_array(j, "files");
	for (size_t i = 0; i < c->nfiles; i++) {
		vh_json_begin_object(j, NULL);
		vh_json_hex(j, "start", c->files[i].start);
		vh_json_hex(j, "end", c->files[i].end);
		vh_json_hex(j, "offset", c->files[i].offset);
		vh_json_str(j, "path", c->files[i].path);
		vh_json_end_object(j);
	}
	vh_json_end_array(j);
	vh_json_begin_array(j, "auxv");
	for (size_t i = 0; i < c->nauxv; i++) {
		vh_json_begin_object(j, NULL);
		vh_json_u64(j, "type", c->auxv[i].type);
		vh_json_hex(j, "value", c->auxv[i].val);
		vh_json_end_object(j);
	}
	vh_json_end_array(j);
	vh_json_end_object(j);
}
