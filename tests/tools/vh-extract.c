/* SPDX-License-Identifier: MIT */
/*
 * vh-extract: write the process memory a dump holds as files, one per run of
 * readable pages of a VMA, for tools that scan files (bench/yara.sh runs the
 * yara command line on them, next to the yara plugin).
 *
 *   vh-extract [--vmlinux FILE] DUMP OUTDIR [PID...]
 *
 * Without PIDs, every process with an mm. Writes OUTDIR/PID/START-END.bin
 * (hex addresses) through the public session API (vh_session_read, page by
 * page); pages the dump lacks end a run. Prints "files bytes absent_pages".
 * Exit 0, 3 when the dump does not open or load, 4 when a file cannot be written.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <vmahunt/vmahunt.h>

#define PAGE 4096u

struct totals {
	uint64_t files, bytes, absent;
};

/* Writes [start, end) of @buf's run to DIR/START-END.bin. */
static int write_run(const char *dir, uint64_t start, const unsigned char *buf, size_t len,
		     struct totals *t)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%016" PRIx64 "-%016" PRIx64 ".bin", dir, start,
		 start + len);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "vh-extract: %s: %s\n", path, strerror(errno));
		return 4;
	}
	t->files++;
	t->bytes += len;
	return 0;
}

/* One VMA: runs of readable pages, each a file; runs are capped at @cap bytes. */
static int extract_vma(struct vh_session *s, const struct vh_task *task, const struct vh_vma *v,
		       const char *dir, unsigned char *buf, size_t cap, struct totals *t)
{
	uint64_t run = v->start;
	size_t n = 0;
	int err = 0;

	for (uint64_t a = v->start; a < v->end && !err; a += PAGE) {
		int r = vh_session_read(s, VH_SPACE_USER, task, a, buf + n, PAGE);

		if (!r)
			n += PAGE;
		else if (r != VH_ERR_NOT_MAPPED)
			t->absent++;
		if ((r || n == cap) && n) {
			err = write_run(dir, run, buf, n, t);
			n = 0;
		}
		if (r || !n)
			run = a + PAGE;
	}
	return err || !n ? err : write_run(dir, run, buf, n, t);
}

static int extract_task(struct vh_session *s, const struct vh_task *task, const char *out,
			unsigned char *buf, size_t cap, struct totals *t)
{
	const struct vh_vma_list *l;
	char dir[4096];
	int err = 0;

	if (vh_session_vmas(s, task, &l)) {
		fprintf(stderr, "vh-extract: pid %d: %s\n", (int)task->pid, vh_errmsg());
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s/%d", out, (int)task->tgid);
	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "vh-extract: %s: %s\n", dir, strerror(errno));
		err = 4;
	}
	for (size_t i = 0; i < l->nvmas && !err; i++)
		err = extract_vma(s, task, &l->vmas[i], dir, buf, cap, t);
	vh_session_vmas_put(s, l);
	return err;
}

static bool wanted(const struct vh_task *task, char **pids, int npids)
{
	if (!task->leader || !task->mm)
		return false;
	for (int i = 0; i < npids; i++)
		if (atoi(pids[i]) == task->tgid)
			return true;
	return npids == 0;
}

int main(int argc, char **argv)
{
	struct vh_session_options o = {0};
	const size_t cap = 16u << 20; /* as the yara plugin's blocks */
	struct totals t = {0};
	struct vh_session *s = NULL;
	unsigned char *buf;
	int err = 0;

	if (argc > 2 && !strcmp(argv[1], "--vmlinux")) {
		o.vmlinux = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: vh-extract [--vmlinux FILE] DUMP OUTDIR [PID...]\n");
		return 2;
	}
	if (vh_session_open(argv[1], &o, &s) || vh_session_load(s, VH_LOAD_VMAS)) {
		fprintf(stderr, "vh-extract: %s: %s\n", argv[1], vh_errmsg());
		vh_session_close(s);
		return 3;
	}
	buf = malloc(cap);
	if (!buf)
		return 4;
	for (size_t i = 0; i < vh_session_tasks(s)->ntasks && !err; i++) {
		const struct vh_task *task = &vh_session_tasks(s)->tasks[i];

		if (wanted(task, argv + 3, argc - 3))
			err = extract_task(s, task, argv[2], buf, cap, &t);
	}
	printf("%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", t.files, t.bytes, t.absent);
	free(buf);
	vh_session_close(s);
	return err;
}
